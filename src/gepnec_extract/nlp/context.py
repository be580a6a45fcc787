"""gepnec_context: whether a fact belongs to the study reported, or is another study's, hypothetical,
negated or historical (ConText-style modifiers; medspacy does not install beside our spaCy pins).

The rules are data: patterns/context.jsonl, one row per trigger::

    {"category": "HYPOTHETICAL", "name": "...", "scope": "sentence", "flags": "i", "regex": "..."}

``scope`` says what the trigger modifies: "sentence" (every fact of the sentence, and the sentence
itself), "before" (a fact whose sentence text before it matches: the regex carries its own end, such
as "no clause break until the fact") or "after" (the sentence text after the fact). Each fact span
gets ``span._.context``: the sorted categories that modify it; each sentence-scope trigger is a span
in ``doc.spans["context"]`` labelled with its category.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from .grammar import FACTS_KEY, doc_text, expand, macros
from .settings import component_settings, patterns_dir
from .vocab import read_jsonl

CONTEXT_KEY = "context"
SCOPES = ("sentence", "before", "after")

if not Span.has_extension("context"):
    Span.set_extension("context", default=())


@dataclass(frozen=True)
class Trigger:
    category: str
    name: str
    scope: str
    regex: re.Pattern


@lru_cache(maxsize=None)
def load_triggers(directory: Path) -> tuple[Trigger, ...]:
    triggers = []
    for row in read_jsonl(Path(directory) / "context.jsonl"):
        if row["scope"] not in SCOPES:
            raise ValueError(f"context rule {row['name']}: scope {row['scope']!r} is not one of {SCOPES}")
        flags = re.IGNORECASE if "i" in row.get("flags", "") else 0
        triggers.append(Trigger(row["category"], row["name"], row["scope"], re.compile(expand(row["regex"], macros()), flags)))
    return tuple(triggers)


def _sentence_text(whole: str, start: int, end: int) -> str:
    # newlines as spaces (same length), as records read a sentence: "need\nfor" is "need for"
    return whole[start:end].replace("\n", " ")


class ContextTagger:
    def __init__(self, patterns: str | None):
        self.triggers = load_triggers(patterns_dir(patterns))

    def __call__(self, doc: Doc) -> Doc:
        found: list[Span] = []
        facts = sorted(doc.spans.get(FACTS_KEY, []), key=lambda s: s.start_char)
        starts = [span.start_char for span in facts]
        sentences = doc.sents if doc.has_annotation("SENT_START") else [doc[:]]
        whole = doc_text(doc)
        for sent in sentences:
            text = _sentence_text(whole, sent.start_char, sent.end_char)
            framing = self._sentence_triggers(doc, sent, text, found)
            # the facts that start in this sentence (facts sorted by start: one slice per sentence)
            for span in facts[bisect_left(starts, sent.start_char):bisect_left(starts, sent.end_char)]:
                span._.context = self._categories(text, span.start_char - sent.start_char,
                                                  span.end_char - sent.start_char, framing)
        doc.spans[CONTEXT_KEY] = found
        return doc

    def _sentence_triggers(self, doc: Doc, sent: Span, text: str, found: list[Span]) -> set[str]:
        """Categories of the sentence-scope triggers in the sentence (their spans added to ``found``)."""
        categories = set()
        for trigger in self.triggers:
            if trigger.scope != "sentence":
                continue
            for match in trigger.regex.finditer(text):
                span = doc.char_span(sent.start_char + match.start(), sent.start_char + match.end(),
                                     label=trigger.category, alignment_mode="expand")
                if span is not None:
                    found.append(span)
                categories.add(trigger.category)
        return categories

    def _categories(self, text: str, start: int, end: int, framing: set[str]) -> tuple[str, ...]:
        categories = set(framing)
        for trigger in self.triggers:
            if trigger.scope == "before" and trigger.regex.search(text[:start]) \
                    or trigger.scope == "after" and trigger.regex.search(text[end:]):
                categories.add(trigger.category)
        return tuple(sorted(categories))


def sentence_context(doc: Doc, start_char: int, end_char: int) -> frozenset[str]:
    """Categories of the sentence-scope triggers inside [start_char, end_char) of a tagged Doc."""
    return frozenset(s.label_ for s in doc.spans.get(CONTEXT_KEY, []) if start_char <= s.start_char < end_char)


@Language.factory("gepnec_context", default_config=component_settings("gepnec_context"))
def make_context(nlp: Language, name: str, patterns: str | None) -> ContextTagger:
    return ContextTagger(patterns)
