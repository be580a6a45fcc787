"""Cheap checks of a file before any parsing, in the parent before a sandbox child is started.

Kept apart from the readers: the parent checks a file without importing pdfplumber or the text
normalizer (a run imports spaCy on another thread meanwhile, and two threads importing at once
share one interpreter lock: the parse would start after the tagger has loaded).
"""

from __future__ import annotations

from pathlib import Path

from .errors import EmptyFileError, NotAPdfError, ResourceLimitError, check_regular_file
from .limits import Limits

UTF8_BYTES_PER_CHAR = 4  # the most bytes one character takes: a file this many times the limit is refused unread

CONTAINER_MAGIC = {b"PK\x03\x04": "ZIP archive", b"\x1f\x8b": "gzip file", b"7z\xbc\xaf\x27\x1c": "7z archive"}


def _nonempty_size(path: Path) -> int:
    """The size of a regular file that is not empty (a typed IngestError otherwise)."""
    check_regular_file(path)
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(path, "empty file (0 bytes)")
    return size


def preflight(path: Path, limits: Limits) -> None:
    """Cheap checks before any parsing: the file exists, is not empty or too big, and is a PDF.

    Runs in the parent before a sandbox child is started, and again inside read_pdf.
    """
    size = _nonempty_size(path)
    if size > limits.max_file_bytes:
        raise ResourceLimitError(path, f"file is {size} bytes, over the limit of {limits.max_file_bytes}")
    with path.open("rb") as fh:
        head = fh.read(1024)
    # Readers accept %PDF- anywhere in the first 1024 bytes, so an archive whose first member is
    # a stored PDF passes that test: name the container instead of parsing it at shifted offsets.
    for magic, container in CONTAINER_MAGIC.items():
        if head.startswith(magic):
            raise NotAPdfError(path, f"not a PDF: a {container} (extract the PDF from it first)")
    if b"%PDF-" not in head:
        raise NotAPdfError(path, "not a PDF: no %PDF header")


def text_preflight(path: Path, limits: Limits) -> int:
    """Checks before reading: a regular file, not empty, not over the size limits. Its size."""
    size = _nonempty_size(path)
    cap = min(limits.max_file_bytes, limits.max_text_chars * UTF8_BYTES_PER_CHAR)
    if size > cap:
        raise ResourceLimitError(path, f"text file is {size} bytes, over the limit of {cap} "
                                       f"({limits.max_text_chars} characters)")
    return size
