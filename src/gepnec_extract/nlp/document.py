"""Tag a whole Document: one spaCy Doc per body block and per table cell, with provenance.

The reference index (citation number -> first author, year) is read from the reference list once
per document (references.py). Abbreviations are document-wide: a first light pass over every block
(and table captions and footnotes) collects the document's definitions; the rest of the pipeline
then gives that map to every Doc (``doc._.abbrev_context``), so "IP" defined on page 2 resolves
on page 9 and inside table cells. A block's Doc of the first pass goes on through the rest of the
pipeline, so its tokens, sentences and detected definitions are made once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..model import Document
from .abbreviations import parse_glossary
from .cell_readings import read, reading
from .grammar import FACTS_KEY, doc_text
from .pipeline import get_nlp
from .references import ReferenceIndex, reference_index

DEFINITION_PIPES = ("gepnec_drug_tokens", "gepnec_sentences", "abbreviation_detector", "gepnec_abbreviations")


@dataclass
class BlockDoc:
    block_index: int
    page: int
    section: str | None
    doc: Doc

    def provenance(self) -> dict:
        return {"source": "text", "block": self.block_index, "page": self.page, "section": self.section}


@dataclass
class CellDoc:
    table_index: int
    table_label: str | None
    page: int
    row: int
    col: int
    is_header: bool
    doc: Doc

    def provenance(self) -> dict:
        label = self.table_label or f"table {self.table_index + 1}"
        return {"source": f"table:{label}", "table": self.table_index, "row": self.row, "col": self.col,
                "page": self.page, "header": self.is_header}


@dataclass
class TaggedDocument:
    document: Document
    blocks: list[BlockDoc] = field(default_factory=list)
    cells: list[CellDoc] = field(default_factory=list)
    abbreviations: dict[str, str] = field(default_factory=dict)
    references: ReferenceIndex = field(default_factory=ReferenceIndex)  # citation number -> first author, year

    def parts(self) -> Iterator[BlockDoc | CellDoc]:
        yield from self.blocks
        yield from self.cells

    def spans(self, label: str | None = None) -> Iterator[tuple[BlockDoc | CellDoc, Span]]:
        for part in self.parts():
            for span in facts_in_order(part.doc):
                if label is None or span.label_ == label:
                    yield part, span

    @cached_property
    def cell_docs(self) -> dict[str, Doc]:
        """Each tagged cell's Doc by its text (built once, after tagging; a reading depends on the
        text alone, so cells of one text read alike)."""
        return {part.doc.text: part.doc for part in self.cells}

    def cell_reading(self, name: str, text: str):
        """What a table cell says (cell_readings.READERS: column, citation, line, design, sites,
        population), as gepnec_cells set it on the tagged cell of that text. A text that is no
        tagged cell is read by the same rule here: an empty cell (no Doc is made for it), a cell's
        part (a cohort's segment), a footnote's clause, or a header the records make up (the
        "Study" column of a transposed review table, a header of several rows joined)."""
        doc = self.cell_docs.get(text)
        return reading(doc, name) if doc is not None else read(name, text)

    def records(self) -> list[dict]:
        """Every fact as a JSON-ready dict: span_record plus where it was found."""
        return [{**span_record(span), **part.provenance()} for part, span in self.spans()]


def facts_in_order(doc: Doc) -> list[Span]:
    """The fact spans of a Doc by position (components add them label by label)."""
    return sorted(doc.spans.get(FACTS_KEY, []), key=lambda s: (s.start_char, -s.end_char, s.label_))


def span_record(span: Span) -> dict:
    sentence = span.sent.text if span.doc.has_annotation("SENT_START") else span.doc.text
    return {"label": span.label_, "text": span.text, "start": span.start_char, "end": span.end_char,
            "sentence": " ".join(sentence.split()), "value": span._.value}


def tag_text(text: str, nlp: Language | None = None) -> Doc:
    return (nlp or get_nlp())(text)


def _definition_texts(document: Document) -> list[str]:
    """The texts abbreviations are defined in: the body blocks first, in order, then the tables'
    captions and footnotes."""
    texts = [b.text for b in document.blocks]
    return texts + [t for table in document.tables for t in (table.caption, table.footnote) if t]


def _definition_pass(nlp: Language, texts: list[str]) -> list[Doc]:
    with nlp.select_pipes(enable=[p for p in DEFINITION_PIPES if p in nlp.pipe_names]):
        return list(nlp.pipe(texts))


def _abbreviations_of(definition_docs: list[Doc]) -> dict[str, str]:
    """The document's abbreviations: what the definition pipes found in each text, then the
    texts' glossaries (the first definition of a short form wins)."""
    mapping: dict[str, str] = {}
    for doc in definition_docs:
        for short, long in (doc._.abbrev_map or {}).items():
            mapping.setdefault(short, long)
    for doc in definition_docs:
        for short, long in parse_glossary(doc_text(doc)).items():
            mapping.setdefault(short, long)
    return mapping


def _resumable(nlp: Language) -> bool:
    """Whether the pipeline begins with the definition pipes and nothing between them (the
    configured pipeline; an installed base model puts its own pipes there): a Doc of the
    definition pass is then the full pass's Doc up to the abbreviations, the only pipe of those
    that reads the document's context."""
    present = [p for p in DEFINITION_PIPES if p in nlp.pipe_names]
    return nlp.pipe_names[:len(present)] == present and present[-1:] == ["gepnec_abbreviations"]


def _resumed(nlp: Language, docs: list[Doc], context: dict[str, str]) -> list[Doc]:
    """The definition pass's Docs through the rest of the pipeline, from the abbreviations on,
    with the document's context: tokens, sentences and detected definitions are not made twice."""
    for doc in docs:
        doc._.abbrev_context = context
    with nlp.select_pipes(enable=nlp.pipe_names[nlp.pipe_names.index("gepnec_abbreviations"):]):
        return list(nlp.pipe(docs))  # all of them before the pipes are enabled again


def _with_context(nlp: Language, texts: list[str], context: dict[str, str],
                  roles: list[str] | None = None) -> Iterator[Doc]:
    """Docs of the texts, each given the document's abbreviations and, for a table cell, its role
    ("header" / "body": gepnec_cells reads what a cell says only on Docs so marked)."""
    docs = []
    for index, text in enumerate(texts):
        doc = nlp.make_doc(text)
        doc._.abbrev_context = context
        doc._.table_cell = roles[index] if roles else None
        docs.append(doc)
    return nlp.pipe(docs)


def tag_document(document: Document, nlp: Language | None = None) -> TaggedDocument:
    nlp = nlp or get_nlp()
    definitions = _definition_pass(nlp, _definition_texts(document))
    context = _abbreviations_of(definitions)
    tagged = TaggedDocument(document=document, abbreviations=context, references=reference_index(document))
    if _resumable(nlp):
        block_docs = _resumed(nlp, definitions[:len(document.blocks)], context)
    else:
        block_docs = _with_context(nlp, [b.text for b in document.blocks], context)
    for index, (block, doc) in enumerate(zip(document.blocks, block_docs)):
        tagged.blocks.append(BlockDoc(index, block.page, block.section, doc))
    cells = [
        (t_index, table, r_index, c_index, cell)
        for t_index, table in enumerate(document.tables)
        for r_index, row in enumerate(table.rows)
        for c_index, cell in enumerate(row)
        if cell and cell.strip()
    ]
    roles = ["header" if r_index < table.header_rows else "body" for _, table, r_index, _, _ in cells]
    cell_docs = _with_context(nlp, [c[4] for c in cells], context, roles)
    for (t_index, table, r_index, c_index, _), doc, role in zip(cells, cell_docs, roles):
        tagged.cells.append(CellDoc(t_index, table.label, table.page, r_index, c_index, role == "header", doc))
    return tagged
