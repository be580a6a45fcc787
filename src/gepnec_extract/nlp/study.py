"""CITATION, LINE and DESIGN: what study a passage talks about and how it was run.

Design words next to each other ("a prospective, multicenter phase II trial") merge into one
DESIGN span whose value holds every attribute they state.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from .builders import BUILDERS
from .grammar import Fact, Rule, add_facts, doc_text, load_rules, run_rules
from .settings import component_settings, patterns_dir

# config.cfg ([components.gepnec_study]): the pattern families run, and the wordfreq zipf from which a
# capitalised word is too common in English to be a surname when no "et al." follows it ("Long
# (2012)" in running text is no citation). Not gepnec_drugs' ordinary_word_zipf: surnames of zipf 3-4 ("Thorne", 3.3) must
# stay surnames while drug-dictionary variants of zipf 3-4 ("indicators", 3.8) must not stay drugs.
STUDY_FAMILIES = tuple(component_settings("gepnec_study")["families"])
SURNAME_MAX_ZIPF = component_settings("gepnec_study")["surname_max_zipf"]
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


def read_citation(text: str, surname_max_zipf: float = SURNAME_MAX_ZIPF) -> dict | None:
    """The first study a short text cites (a table cell: "Quill et al. (2011) [7]", "Quill 2011
    [7]", "Quill et al. [7]"), by the same CITATION rules as the running text; None if none."""
    facts = [f for f in run_rules(text, _rules("citation", surname_max_zipf), BUILDERS) if f.label == "CITATION"]
    if facts:
        return facts[0].value
    # a cell that starts with a citation names a study even if its surname is a common word ("Won (2012)")
    lead = len(text) - len(text.lstrip())
    facts = [f for f in run_rules(text, _cell_rules(), BUILDERS) if f.label == "CITATION" and f.start == lead]
    return facts[0].value if facts else None


@lru_cache(maxsize=None)
def _rules(family: str, surname_max_zipf: float, folder: Path | None = None) -> tuple[Rule, ...]:
    """A family's rules, the surname threshold given to those that check surnames."""
    rules = load_rules(family, folder or patterns_dir(None))
    return tuple(dataclasses.replace(r, static={**r.static, "surname_max_zipf": surname_max_zipf}) for r in rules)


@lru_cache(maxsize=1)
def _cell_rules() -> tuple:
    return tuple(dataclasses.replace(r, static={**r.static, "check_surname": False}) for r in load_rules("citation"))


class StudyTagger:
    """gepnec_study: CITATION, LINE and DESIGN spans."""

    def __init__(self, families: list[str], surname_max_zipf: float, patterns: str | None = None):
        folder = patterns_dir(patterns)
        self.rules = [rule for family in families for rule in _rules(family, surname_max_zipf, folder)]

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        facts = run_rules(text, self.rules, BUILDERS)
        add_facts(doc, merge_design(text, facts))
        return doc


@Language.factory("gepnec_study", default_config=component_settings("gepnec_study"))
def make_study(nlp: Language, name: str, families: list[str], surname_max_zipf: float,
               patterns: str | None) -> StudyTagger:
    return StudyTagger(families, surname_max_zipf, patterns)
