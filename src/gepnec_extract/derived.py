"""Where derived vocabularies live: tables computed once from the packages the readers use (the
filtered drug lexicon, word frequencies, the rules' prefilter factors and compiled programs) and
stored as JSON in the user's cache folder, each under a key of everything it derives from
(``keyed_path``), so a later process loads it in milliseconds. A stored table is data only (no
pickles), checked for its shape when read, and built again when missing or damaged. The folder
also holds the blank evidence dataset new datasets are copied from (``dataset._blank_dataset``)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """Where derived vocabularies are stored: $GEPNEC_CACHE_DIR, else the user's cache folder."""
    configured = os.environ.get("GEPNEC_CACHE_DIR")
    base = Path(configured) if configured else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gepnec-extract"
    return base


def keyed_path(name: str, module_file: str | Path, *inputs: str | bytes) -> Path:
    """cache_dir()/<name>-<key>.json, the key a digest of the module that derives the table and of
    everything else it is derived from (``inputs``: versions, thresholds, data files' bytes): any
    change gives another file, so a stale table is never read."""
    digest = hashlib.sha256(Path(module_file).read_bytes())
    for item in inputs:
        digest.update(item if isinstance(item, bytes) else item.encode())
    return cache_dir() / f"{name}-{digest.hexdigest()[:16]}.json"


def store_derived(path: Path, data: Any) -> None:
    """A derived vocabulary stored as JSON: written to a temporary file and renamed, so a concurrent
    reader sees all of it or nothing; an unwritable cache folder only means the next process
    builds it again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(fh.name, path)
    except OSError:
        pass


def read_derived(path: Path) -> Any:
    """The stored JSON, or None when it is missing or unreadable (the caller checks its shape)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
