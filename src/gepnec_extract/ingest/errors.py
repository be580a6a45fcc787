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
)}


def error_from_dict(data: dict) -> IngestError:
    """Rebuild a typed error sent back from the parsing child process."""
    cls = ERROR_KINDS.get(data.get("kind", ""), IngestError)
    return cls(data["file"], data["message"])
