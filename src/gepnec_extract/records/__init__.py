"""Records: tagged tables and text become StudyRecords (spec/study-record.md). Being built."""

from __future__ import annotations

from ..model import Document, StudyRecord


def extract_records(doc: Document) -> list[StudyRecord]:
    """All study records of one document. Placeholder until the records stage lands: none."""
    return []
