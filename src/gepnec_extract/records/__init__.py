"""Records: tagged tables and text become StudyRecords (spec/study-record.md), one per cohort.

    extract_records(document) -> list[StudyRecord]

Tables give most figures (tables.py); the running text adds studies reported only there and
fills what tables leave out (text.py); assemble.py merges the two per study and cohort. Cited
studies take their first author, year and reference number from the document's reference index
(nlp/references.py) when the citation itself does not print them. A document that yields no
record, or whose own study is unnamed, says so in ``Document.warnings``.
"""

from __future__ import annotations

import dataclasses

from ..model import Document, StudyRecord
from .assemble import assemble
from .cohort import Cohort, StudyRef
from ..nlp.phrases import is_review_title
from ..nlp.cell_readings import read
from .context import DocContext, cell_facts, document_population
from .tables import header_texts, records_from_table

__all__ = ["extract_records", "build_context", "is_review", "own_study"]



def is_review(document: Document, tagged=None) -> bool:
    """A review tabulates other studies: a study column in a table, a review title, or a byline
    that is only a group, panel or committee (no authors of its own). ``tagged``: the document's
    tagged cells, whose column meanings are read (else the headers are read here)."""
    meta = document.metadata
    if meta.group and not meta.authors and not meta.first_author:
        return True
    column = (lambda text: tagged.cell_reading("column", text)) if tagged is not None else (lambda text: read("column", text))
    study_tables = any(column(h).field == "study" for t in document.tables for h in header_texts(t))
    return study_tables or is_review_title(meta.title)


def own_study(document: Document, tagged=None) -> StudyRef | None:
    """A primary paper's own study: its first author and year, else its trial acronym (first
    author and year null, as the spec names a trial known by its acronym), else an unnamed study
    (the paper's records are kept; ingest warned that the byline was not read). None for a review,
    and for a text with no front matter at all (extract_records warns)."""
    if is_review(document, tagged):
        return None
    meta = document.metadata
    if meta.first_author:
        return StudyRef(meta.first_author, meta.year)
    if meta.acronym or meta.title:
        return StudyRef(None, None, acronym=meta.acronym)
    return None  # no front matter at all (a plain text): paper or review cannot be told, read as a review


def build_context(document: Document, nlp=None, tagged=None) -> DocContext:
    """What the records steps share; ``tagged`` is the document as the tagger read it
    (nlp.tag_document), tagged here when not given."""
    from ..nlp import get_nlp
    from ..nlp.document import tag_document

    nlp = nlp or get_nlp()
    tagged = tagged if tagged is not None else tag_document(document, nlp)
    return DocContext(document=document, nlp=nlp, abbreviations=tagged.abbreviations,
                      own_study=own_study(document, tagged), population=document_population(document),
                      references=tagged.references, tagged=tagged, known=cell_facts(tagged))


def resolve_study(study: StudyRef, ctx: DocContext) -> StudyRef:
    """A cited study completed from the reference index: "[7]" gets its first author and year,
    "Quill et al." its reference number and year, when the index agrees on the surname."""
    if ctx.own_study is not None and study == ctx.own_study:
        return study
    entry = ctx.references.lookup(study.first_author, study.year, study.ref)
    if entry is None:
        return study
    return dataclasses.replace(study, first_author=study.first_author or entry.first_author,
                               year=study.year or entry.year, ref=study.ref or entry.number,
                               acronym=None if (study.first_author or entry.first_author) else study.acronym)


def _resolved(cohort: Cohort, ctx: DocContext) -> Cohort:
    cohort.study = resolve_study(cohort.study, ctx)
    return cohort


def _unread(ctx: DocContext, table_cohorts: list[Cohort], text_cohorts: list[Cohort]) -> str:
    """What the extractor could not find, in words (a warning for a document with no record)."""
    document = ctx.document
    kind = "review" if ctx.own_study is None else "primary paper"
    missing = []
    if ctx.own_study is None and not is_review(document, ctx.tagged):
        missing.append("no byline or own study")
    if not document.tables:
        missing.append("no table")
    elif not table_cohorts:
        missing.append(f"no study table ({len(document.tables)} table(s) with no cohort figures)")
    if not text_cohorts:
        body = [b for b in document.blocks if b.kind == "paragraph"]
        missing.append("no body text" if not body else "no result sentences (response, survival, toxicity) "
                       + ("for its own study" if kind == "primary paper" else "about a cited study"))
    return f"no study records: read as a {kind}; " + ", ".join(missing)


def _treatment_study(records: list[StudyRecord], ctx: DocContext) -> list[StudyRecord]:
    """A primary paper whose own study names no treatment in any record (no regimen, drug or
    dose: a prognostic or epidemiological series) is not a treatment study: its records go."""
    own = ctx.own_study.study_id if ctx.own_study is not None else None
    mine = [r for r in records if r.study_id == own]
    if not mine or any(r.regimen or r.drugs or r.doses for r in mine):
        return records
    ctx.document.warnings.append(f"the paper's own study names no treatment: {len(mine)} record(s) of '{own}' dropped")
    return [r for r in records if r.study_id != own]


def extract_records(document: Document, nlp=None, tagged=None) -> list[StudyRecord]:
    """All study records of one document, each value with its evidence; ``tagged`` is the
    document's nlp.TaggedDocument when the caller has tagged it already (the pipeline does)."""
    ctx = build_context(document, nlp, tagged)
    from .text import records_from_text

    table_cohorts = [_resolved(c, ctx) for table in document.tables for c in records_from_table(table, ctx)]
    # rows that only describe a study (design, regimen, doses) are not cohorts the text can report on
    text_cohorts = records_from_text(ctx, [c for c in table_cohorts if not c.study_level])
    records = [c.to_record(document.doc_id) for c in assemble(table_cohorts + text_cohorts, ctx)]
    records = _treatment_study(records, ctx)
    meta = document.metadata
    if ctx.own_study is None and not (meta.title or meta.first_author or meta.group):
        document.warnings.append("no front matter (title, byline): read as a review of cited studies")
    if not records:
        document.warnings.append(_unread(ctx, table_cohorts, text_cohorts))
    elif ctx.own_study is not None and ctx.own_study.first_author is None:
        document.warnings.append(f"the paper's own study has no author: records named '{ctx.own_study.study_id}'")
    return records
