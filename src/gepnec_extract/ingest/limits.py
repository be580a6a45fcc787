"""Resource limits for reading untrusted papers (PDF and text). Every number is configurable (CLI flags, env)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 200 * 1024 * 1024  # refuse bigger files before parsing
    max_pages: int = 500  # refuse documents with more pages
    max_chars_per_page: int = 250_000  # a page (or a text paragraph) with more characters is skipped with a warning
    max_text_chars: int = 3_000_000  # characters of one plain-text paper (its size is checked before reading)
    timeout_s: float = 120.0  # wall clock for one document, in the child process
    memory_mb: int = 1024  # address-space limit of the child process: a 200-page paper parses in it, a font or form bomb stops at it

    @classmethod
    def from_env(cls, **overrides) -> "Limits":
        """Defaults, then GEPNEC_<FIELD> environment variables, then explicit overrides."""
        values = {}
        for f in fields(cls):
            env = os.environ.get(f"GEPNEC_{f.name.upper()}")
            if env:
                values[f.name] = type(f.default)(env)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
