"""One paper end to end: ingest -> tag -> records. The flows and the CLI both call this."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .ingest import Limits, ingest_file
from .model import Document, StudyRecord
from .records import extract_records

# Bump when extraction output can change for the same input: cache keys include it.
PIPELINE_VERSION = f"{__version__}+records0"


@dataclass
class PaperResult:
    doc: Document
    records: list[StudyRecord] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def extract_paper(path: Path | str, limits: Limits | None = None) -> PaperResult:
    """Ingest and extract one paper; raises a typed IngestError for a bad file."""
    doc = ingest_file(Path(path), limits)
    return PaperResult(doc=doc, records=extract_records(doc))
