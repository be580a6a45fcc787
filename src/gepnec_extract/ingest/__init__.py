"""Ingest: PDFs and plain text become a Document (see model.py).

``ingest_file`` is the one entry point: it picks the reader by suffix, and parses PDFs in a
sandboxed child process with time and memory limits (sandbox.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import IngestError, UnsupportedFormatError
from .limits import Limits

if TYPE_CHECKING:  # pydantic's import costs 0.1 s; the CLI imports this package before any command runs
    from ..model import Document

__all__ = ["ingest_file", "IngestError", "Limits"]


def ingest_file(path: Path | str, limits: Limits | None = None, sandbox: bool = True, parts: int = 1) -> Document:
    """Read one file into a Document, or raise a typed IngestError naming the file. A sandboxed
    PDF is read by ``parts`` children at once (the same Document: ``sandbox.run_sandboxed``)."""
    path = Path(path)
    limits = limits or Limits.from_env()
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        if sandbox:
            from .sandbox import parse_pdf_sandboxed

            return parse_pdf_sandboxed(path, limits, parts)
        from .pdf import read_pdf
        from .sandbox import classify_exception

        try:
            return read_pdf(path, limits)
        except IngestError:
            raise
        except Exception as exc:  # noqa: BLE001 - in-process too, a bad PDF is a typed error
            raise classify_exception(path, exc) from exc
    if suffix in {".txt", ".text"}:  # as untrusted as a PDF: the same limits and sandbox
        if sandbox:
            from .sandbox import parse_text_sandboxed

            return parse_text_sandboxed(path, limits)
        from .text import read_text

        return read_text(path, limits)
    if path.name.endswith(".document.json"):
        from ..model import Document
        from .errors import ResourceLimitError, check_regular_file

        check_regular_file(path)
        if path.stat().st_size > limits.max_file_bytes:
            raise ResourceLimitError(path, f"file is over the limit of {limits.max_file_bytes} bytes")
        try:
            return Document.load(path)
        except ValueError as err:  # pydantic's ValidationError is a ValueError
            raise UnsupportedFormatError(path, f"not a valid document.json: {str(err).splitlines()[0]}") from None
    raise UnsupportedFormatError(path, f"unsupported file type {suffix or '(none)'}: expected .pdf, .txt or .document.json")
