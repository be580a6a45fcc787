"""What every records step needs to know about the document: its own study (a primary paper),
its abbreviations, its default population, and the tagger to read a phrase with them."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ..model import Document
from ..nlp.cell_readings import read
from ..nlp.document import TaggedDocument
from ..nlp.references import ReferenceIndex
from .cohort import StudyRef
from ..nlp.phrases import population_of


@dataclass(frozen=True)
class Fact:
    label: str
    text: str
    value: object
    start: int
    end: int


@dataclass
class DocContext:
    document: Document
    nlp: Language
    abbreviations: dict[str, str] = field(default_factory=dict)
    own_study: StudyRef | None = None  # the paper's own study (None for a review)
    population: str | None = None  # the population the paper is about
    references: ReferenceIndex = field(default_factory=ReferenceIndex)  # citation number -> first author, year
    tagged: TaggedDocument | None = None  # the document as the tagger read it: block and cell Docs
    known: dict[str, tuple[Fact, ...]] = field(default_factory=dict)  # facts of the tagged cells, by text

    @cached_property
    def abbreviation_key(self) -> tuple:
        """The abbreviations as a hashable cache key, built once per document."""
        return tuple(sorted(self.abbreviations.items()))

    def facts(self, text: str) -> list[Fact]:
        """Facts of a phrase: a table cell as the tagger read it, else the phrase tagged alone
        (a part of a cell, a header with a made-up count) with the document's abbreviations."""
        known = self.known.get(text)
        return list(known if known is not None else _tag(self, text))

    def reading(self, name: str, text: str):
        """What a table cell says (cell_readings.READERS: its meaning as a header or row label, the
        study it cites, line, design, primary sites, population), as the tagger set it on the cell (TaggedDocument.cell_reading says which texts are read anew, and why)."""
        return self.tagged.cell_reading(name, text) if self.tagged is not None else read(name, text)

    def drugs_of(self, text: str) -> list[str]:
        """Generic drug names a phrase names, regimen acronyms and document abbreviations expanded."""
        drugs: set[str] = set()
        for fact in self.facts(text):
            if fact.label == "REGIMEN":
                drugs.update(fact.value)
            elif fact.label == "DRUG":
                drugs.add(fact.value)
        return sorted(drugs)


def _tag(ctx: DocContext, text: str) -> tuple[Fact, ...]:
    return _cached_tag(ctx.nlp, ctx.abbreviation_key, text)


@lru_cache(maxsize=8192)
def _cached_tag(nlp: Language, abbreviations: tuple, text: str) -> tuple[Fact, ...]:
    """Facts of a phrase: they depend on the pipeline, the abbreviations and the text alone."""
    doc = nlp.make_doc(text)
    doc._.abbrev_context = dict(abbreviations)
    return facts_of(nlp(doc))


def facts_of(doc: Doc, copy_values: bool = False) -> tuple[Fact, ...]:
    return tuple(Fact(s.label_, s.text, copy.deepcopy(s._.value) if copy_values else s._.value, s.start_char,
                      s.end_char) for s in doc.spans.get("facts", []))


def cell_facts(tagged: TaggedDocument) -> dict[str, tuple[Fact, ...]]:
    """Each tagged cell's facts by its text (a text's facts depend on it and the document alone);
    values copied, so what records do with them never reaches the tagged Doc the report draws."""
    return {part.doc.text: facts_of(part.doc, copy_values=True) for part in tagged.cells}


def document_population(document: Document) -> str | None:
    """The population of a paper, from its title, then its abstract."""
    texts = [document.metadata.title or ""] + [b.text for b in document.blocks[:6]]
    found = [p for p in (population_of(text) for text in texts) if p]
    if not found:
        return None
    if found[0] == "NET" and "WDNET" in found:
        return "WDNET"  # "neuroendocrine tumours" in the title, "low- or intermediate-grade" in the abstract
    return found[0]
