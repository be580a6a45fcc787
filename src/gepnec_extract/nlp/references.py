"""The reference index of a document: citation number -> (first author, year), read from its
numbered reference list ("7. Quill AB, Marsh C, et al. Drugamab in ... J Drugs 2011;12:34-9.").

The tagger reads the words (patterns/reference.jsonl: entry starts and the year of an entry);
records look numbers and surnames up (``ReferenceIndex.lookup``), so a study cited as "[7]" or as
"Quill et al." gets its first author, year and reference number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from ..folding import ascii_fold
from ..model import Document
from .grammar import Fact, load_rules, run_rules

REFERENCE_SECTION = re.compile(r"^\s*(?:\d+\.?\s*)?(?:references?(?:\s+cited)?|bibliography|literature(?:\s+cited)?)\b", re.I)


@dataclass(frozen=True)
class Reference:
    number: int
    first_author: str | None  # surname as printed; None for a group author
    year: int | None
    text: str


@dataclass
class ReferenceIndex:
    entries: dict[int, Reference] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, number: int | None) -> Reference | None:
        return self.entries.get(number) if number is not None else None

    def lookup(self, author: str | None, year: int | None = None, ref: int | None = None) -> Reference | None:
        """The entry of a citation: by its number when the surname (if any) agrees, else the one
        entry with that surname (and year, when printed)."""
        if ref is not None:
            entry = self.entries.get(ref)
            if entry is not None and (author is None or same_surname(author, entry.first_author)) \
                    and (year is None or entry.year in (None, year)):
                return entry
            return None
        if not author:
            return None
        same = [e for e in self.entries.values() if same_surname(author, e.first_author)
                and (year is None or e.year in (None, year))]
        return same[0] if len(same) == 1 else None


def fold(name: str | None) -> str:
    return re.sub(r"[^a-z]", "", ascii_fold(name or "").lower())


def same_surname(a: str | None, b: str | None) -> bool:
    return bool(a and b) and fold(a) == fold(b)


def _entry(m: re.Match, static: dict) -> list[tuple[int, int, object]]:
    number = m.groupdict().get("num") or m.groupdict().get("num2")
    author = m.groupdict().get("author")
    return [(m.start(), m.end(), {"number": int(number), "first_author": author.strip() if author else None})]


def _year(m: re.Match, static: dict) -> list[tuple[int, int, object]]:
    return [(m.start("year"), m.end("year"), int(m.group("year")[:4]))]


BUILDERS = {"entry": _entry, "year": _year}


def reference_text(document: Document) -> str:
    """The reference list as one text: the blocks of a References section (a heading glued to its
    first entry, "References 1. Quill A, ...", starts one too)."""
    parts: list[str] = []
    for block in document.blocks:
        if block.kind in ("heading", "title"):
            continue
        if (block.section and REFERENCE_SECTION.match(block.section)) or REFERENCE_SECTION.match(block.text):
            parts.append(REFERENCE_SECTION.sub("", block.text, count=1) if REFERENCE_SECTION.match(block.text)
                         else block.text)
    return " ".join(" ".join(p.split()) for p in parts)


def _sequential(starts: Iterable[Fact]) -> list[Fact]:
    """Entry starts numbered 1, 2, 3 ... in order (a page number or a dose "2. Quill" is not one)."""
    kept: list[Fact] = []
    for fact in sorted(starts, key=lambda f: f.start):
        number = fact.value["number"]
        if (not kept and number <= 3) or (kept and number == kept[-1].value["number"] + 1):
            kept.append(fact)
    return kept


def parse_references(text: str) -> ReferenceIndex:
    index = ReferenceIndex()
    facts = run_rules(text, load_rules("reference"), BUILDERS)
    starts = _sequential(f for f in facts if f.label == "REFERENCE")
    years = [f for f in facts if f.label == "REF_YEAR"]
    for here, after in zip(starts, starts[1:] + [None]):
        end = after.start if after is not None else len(text)
        inside = [y for y in years if here.end <= y.start < end]
        # the year of the journal citation ("2011;12:34") before any other year of the entry
        best = max(inside, key=lambda y: (y.priority, -y.start), default=None)
        index.entries[here.value["number"]] = Reference(here.value["number"], here.value["first_author"],
                                                        best.value if best else None, text[here.start:end].strip())
    return index


def reference_index(document: Document) -> ReferenceIndex:
    text = reference_text(document)
    return parse_references(text) if text else ReferenceIndex()
