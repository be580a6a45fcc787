"""A small rule engine: regular-expression patterns kept as data, values built by named builders.

patterns/macros.json holds reusable pieces (``<<NUM>>``, ``<<DASH>>``...); vocabulary macros
(``<<RESP_KW>>``, ``<<TOX_EVENT>>``...) are built from vocab/*.jsonl. Each line of
patterns/<family>.jsonl is one rule::

    {"label": "RESPONSE", "name": "kw_then_pct", "regex": "...", "builder": "response",
     "flags": "i", "priority": 2, "static": {"kind": "rr"}}

A builder turns a match into zero or more ``(start, end, value)`` facts; the engine keeps, per
label, the longest non-overlapping facts (ties: higher priority, then earlier rule).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from spacy.tokens import Doc, Span

from .prefilter import MACRO, fold, may_match, required_factors, required_macros
from .stored_regex import compile_pattern
from .vocab import PATTERN_DIR, alternation, number_words, read_jsonl, term_table

FACTS_KEY = "facts"
_TEXT_KEY = ("gepnec", "text")  # user_data keys of extensions are ("._.", name, start, end)
Builder = Callable[[re.Match, dict], list[tuple[int, int, Any]]]


@dataclass
class Rule:
    label: str
    name: str
    regex: re.Pattern
    builder: str
    priority: int = 0
    static: dict = field(default_factory=dict)
    # vocabulary macros every match passes through (prefilter.required_macros): a text where none
    # of the macro's terms occurs is not scanned
    gates: tuple[str, ...] = ()
    # literal strings one of which every match holds (prefilter.required_factors): a text with
    # none of them is not scanned
    factors: frozenset[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.factors = required_factors(self.regex.pattern, self.regex.flags)


@dataclass
class Fact:
    label: str
    start: int
    end: int
    value: Any
    priority: int = 0
    rule: str = ""


@lru_cache(maxsize=1)
def macros() -> dict[str, str]:
    table = json.loads((PATTERN_DIR / "macros.json").read_text(encoding="utf-8"))
    # "progression" is a response term, "progression-free" the start of a survival one
    table["RESP_KW"] = f"(?:{alternation(term_table('response_terms', 'kind').keys())})(?![- ]free)"
    table["SURV_KW"] = alternation(term_table("survival_terms", "endpoint").keys())
    table["TOX_EVENT"] = alternation(term_table("toxicities", "event").keys())
    table["NUMWORD"] = alternation(number_words().keys())
    return table


def expand(pattern: str, table: dict[str, str], depth: int = 0) -> str:
    """Replace <<NAME>> by its macro, recursively (macros may use macros)."""
    if depth > 8:
        raise ValueError(f"macro recursion too deep in {pattern[:60]}")
    expanded = MACRO.sub(lambda m: f"(?:{table[m.group(1)]})", pattern)
    return expanded if expanded == pattern else expand(expanded, table, depth + 1)


@lru_cache(maxsize=None)
def compiled(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern:
    """A macro pattern compiled once per process (its program stored once per machine)."""
    return compile_pattern(expand(pattern, macros()), flags)


@lru_cache(maxsize=None)
def load_rules(family: str, directory: Path = PATTERN_DIR) -> tuple[Rule, ...]:
    """The rules of <directory>/<family>.jsonl (the package's patterns unless a component's config
    names another folder); their macros are always the package's."""
    rules = []
    for row in read_jsonl(Path(directory) / f"{family}.jsonl"):
        flags = re.IGNORECASE if "i" in row.get("flags", "") else 0
        regex = compile_pattern(expand(row["regex"], macros()), flags)
        rules.append(Rule(row["label"], row["name"], regex, row["builder"], row.get("priority", 0), row.get("static", {}),
                          required_macros(row["regex"], flags)))
    return tuple(rules)


def run_rules(text: str, rules: Iterable[Rule], builders: dict[str, Builder]) -> list[Fact]:
    facts = []
    folded = fold(text)
    present: dict[str, bool] = {}  # gate macro -> whether any of its terms occurs in the text
    for order, rule in enumerate(rules):
        if not may_match(rule.factors, folded):
            continue  # no match could be in this text
        if rule.gates and not all(_occurs(name, text, present) for name in rule.gates):
            continue  # every match holds one of the macro's terms, and the text has none
        for match in rule.regex.finditer(text):
            for start, end, value in builders[rule.builder](match, rule.static):
                if value is not None and end > start:
                    facts.append(Fact(rule.label, start, end, value, rule.priority * 1000 - order, rule.name))
    return resolve_overlaps(facts)


def _occurs(macro: str, text: str, present: dict[str, bool]) -> bool:
    """Whether any term of the vocabulary macro occurs in the text (case-insensitive, so also for
    a rule that is not: a necessary condition either way); asked once per text and macro."""
    if macro not in present:
        present[macro] = compiled(f"(?:<<{macro}>>)").search(text) is not None
    return present[macro]


def resolve_overlaps(facts: list[Fact]) -> list[Fact]:
    """Per label, keep the longest facts that do not overlap (ties: rule priority)."""
    kept: list[Fact] = []
    ranked = sorted(facts, key=lambda f: (-(f.end - f.start), -f.priority, f.start))
    for fact in ranked:
        clash = any(k.label == fact.label and k.start < fact.end and fact.start < k.end for k in kept)
        if not clash:
            kept.append(fact)
    return sorted(kept, key=lambda f: (f.start, f.label))


def doc_text(doc: Doc) -> str:
    """The Doc's text, kept in its user_data once read: ``Doc.text`` joins every token's text again
    on each access, and the components read it 8-10 times a Doc (a tenth of the review's tagging
    time, measured). Splitting or merging tokens keeps a Doc's text, so the kept copy stays true."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def add_facts(doc: Doc, facts: Iterable[Fact]) -> list[Span]:
    """Turn char-offset facts into token-aligned spans of doc.spans[FACTS_KEY]."""
    group = doc.spans[FACTS_KEY] if FACTS_KEY in doc.spans else []
    added = []
    for fact in facts:
        span = doc.char_span(fact.start, fact.end, label=fact.label, alignment_mode="expand")
        if span is None or not span.text.strip():
            continue
        span._.value = fact.value
        added.append(span)
    doc.spans[FACTS_KEY] = list(group) + added
    return added


def facts_of(doc: Doc, label: str) -> list[Span]:
    return [s for s in doc.spans.get(FACTS_KEY, []) if s.label_ == label]
