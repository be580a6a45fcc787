"""Parse an untrusted PDF in a child process with wall-clock and memory limits. STUB: being built."""

from __future__ import annotations

from pathlib import Path

from ..model import Document
from .limits import Limits


def parse_pdf_sandboxed(path: Path, limits: Limits) -> Document:
    from .pdf import read_pdf

    return read_pdf(path, limits)
