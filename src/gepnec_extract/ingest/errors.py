"""Typed, per-document ingestion errors. Each names the file and has a stable ``kind``."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """Base class: a document that could not be ingested. ``kind`` is machine-readable."""

    kind = "ingest_error"

    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{Path(self.path).name}: {message}")

    def to_dict(self) -> dict:
        return {"file": self.path, "kind": self.kind, "message": self.message}


class EmptyFileError(IngestError):
    kind = "empty_file"


class NotAPdfError(IngestError):
    kind = "not_a_pdf"


class CorruptPdfError(IngestError):
    kind = "corrupt_pdf"


class EncryptedPdfError(IngestError):
    kind = "encrypted_pdf"


class NoTextLayerError(IngestError):
    """Scanned or blank: the PDF has no extractable text (OCR is not supported)."""

    kind = "no_text_layer"


class MissingFileError(IngestError):
    """No such file (or a symbolic link to nothing)."""

    kind = "missing_file"


class NotARegularFileError(IngestError):
    """A directory, FIFO, socket or device (or a link to one) named like a paper: never read."""

    kind = "not_regular_file"


class NoPagesError(IngestError):
    """A PDF whose page tree holds no page at all (as opposed to pages without text)."""

    kind = "no_pages"


class UndecodableTextError(IngestError):
    """A text file that is not readable text: not UTF-8 (UTF-16, Latin-1 ...), NUL bytes, binary."""

    kind = "undecodable_text"


class ResourceLimitError(IngestError):
    """File size, page count, characters per page, memory or time over the configured limit."""

    kind = "resource_limit"


class ParseTimeoutError(ResourceLimitError):
    kind = "timeout"


class UnsupportedFormatError(IngestError):
    kind = "unsupported_format"


ERROR_KINDS = {cls.kind: cls for cls in (
    IngestError, EmptyFileError, NotAPdfError, CorruptPdfError, EncryptedPdfError,
    NoTextLayerError, ResourceLimitError, ParseTimeoutError, UnsupportedFormatError,
    MissingFileError, NotARegularFileError, NoPagesError, UndecodableTextError,
)}


def check_regular_file(path: Path | str) -> None:
    """Raise MissingFileError / NotARegularFileError unless ``path`` is a regular file (links
    followed): a FIFO would block the reader, /dev/zero never ends, a directory is no paper."""
    path = Path(path)
    if path.is_file():
        return
    if path.is_symlink() and not path.exists():
        raise MissingFileError(path, "dangling symbolic link: its target does not exist")
    if not path.exists():
        raise MissingFileError(path, "no such file")
    what = ("a directory" if path.is_dir() else "a FIFO" if path.is_fifo() else "a socket" if path.is_socket()
            else "a device" if path.is_char_device() or path.is_block_device() else "not a regular file")
    raise NotARegularFileError(path, f"not a regular file ({what}): not read")


def error_from_dict(data: dict) -> IngestError:
    """Rebuild a typed error sent back from the parsing child process."""
    cls = ERROR_KINDS.get(data.get("kind", ""), IngestError)
    return cls(data["file"], data["message"])
