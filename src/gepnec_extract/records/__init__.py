"""Records: tagged tables and text become StudyRecords (spec/study-record.md), one per cohort.

    extract_records(document) -> list[StudyRecord]

Tables give most figures (tables.py); the running text adds studies reported only there and
fills what tables leave out (text.py); assemble.py merges the two per study and cohort.
"""

from __future__ import annotations

import re

from ..model import Document, StudyRecord
from .assemble import assemble
from .cohort import StudyRef
from .columns import classify_header
from .context import DocContext, document_population
from .tables import header_texts, records_from_table

__all__ = ["extract_records", "build_context"]

_REVIEW_TITLE = re.compile(r"\b(review|meta-analysis|overview|treatment options)\b", re.I)


def is_review(document: Document) -> bool:
    """A review tabulates other studies: a study column in a table, or a review title."""
    study_tables = any(classify_header(h).field == "study" for t in document.tables for h in header_texts(t))
    return study_tables or bool(_REVIEW_TITLE.search(document.metadata.title or ""))


def build_context(document: Document, nlp=None) -> DocContext:
    from ..nlp import get_nlp
    from ..nlp.document import document_abbreviations

    nlp = nlp or get_nlp()
    own = None
    if not is_review(document) and document.metadata.first_author:
        own = StudyRef(document.metadata.first_author, document.metadata.year)
    return DocContext(document=document, nlp=nlp, abbreviations=document_abbreviations(document, nlp),
                      own_study=own, population=document_population(document))


def extract_records(document: Document, nlp=None) -> list[StudyRecord]:
    """All study records of one document, each value with its evidence."""
    ctx = build_context(document, nlp)
    from .text import records_from_text

    table_cohorts = [c for table in document.tables for c in records_from_table(table, ctx)]
    # rows that only describe a study (design, regimen, doses) are not cohorts the text can report on
    cohorts = table_cohorts + records_from_text(ctx, [c for c in table_cohorts if not c.study_level])
    return [c.to_record(document.doc_id) for c in assemble(cohorts, ctx)]
