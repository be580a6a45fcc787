"""CITATION, LINE and DESIGN: what study a passage talks about and how it was run.

Design words next to each other ("a prospective, multicenter phase II trial") merge into one
DESIGN span whose value holds every attribute they state.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from .builders import BUILDERS
from .grammar import Fact, add_facts, load_rules, run_rules

STUDY_FAMILIES = ("citation", "line", "design")
DESIGN_GAP = re.compile(r"^[\s,;]*(?:and\s+)?(?:(?:open-label|open|label|controlled|clinical|,)\s*)*[\s,;]*$", re.IGNORECASE)


def merge_design(text: str, facts: list[Fact]) -> list[Fact]:
    merged: list[Fact] = []
    for fact in sorted(facts, key=lambda f: f.start):
        last = merged[-1] if merged else None
        if fact.label == "DESIGN" and last is not None and last.label == "DESIGN" and DESIGN_GAP.match(text[last.end : fact.start]):
            conflict = any(last.value[k] is not None and v is not None and last.value[k] != v for k, v in fact.value.items())
            if not conflict:
                last.value = {k: last.value[k] if last.value[k] is not None else v for k, v in fact.value.items()}
                last.end = fact.end
                continue
        merged.append(fact)
    return merged


def read_citation(text: str) -> dict | None:
    """The first study a short text cites (a table cell: "Quill et al. (2011) [7]", "Quill 2011
    [7]", "Quill et al. [7]"), by the same CITATION rules as the running text; None if none."""
    facts = [f for f in run_rules(text, load_rules("citation"), BUILDERS) if f.label == "CITATION"]
    if facts:
        return facts[0].value
    # a cell that starts with a citation names a study even if its surname is a common word ("Won (2012)")
    lead = len(text) - len(text.lstrip())
    facts = [f for f in run_rules(text, _cell_rules(), BUILDERS) if f.label == "CITATION" and f.start == lead]
    return facts[0].value if facts else None


@lru_cache(maxsize=1)
def _cell_rules() -> tuple:
    return tuple(dataclasses.replace(r, static={**r.static, "check_surname": False}) for r in load_rules("citation"))


@Language.component("gepnec_study")
def gepnec_study(doc: Doc) -> Doc:
    rules = [rule for family in STUDY_FAMILIES for rule in load_rules(family)]
    facts = run_rules(doc.text, rules, BUILDERS)
    add_facts(doc, merge_design(doc.text, facts))
    return doc
