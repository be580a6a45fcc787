"""The running text as paragraphs of sentences, each sentence with the tagger's facts.

The body blocks' Docs come from the tagged document (``nlp.tag_document``: tagged once, with the
document-wide abbreviations); headings, furniture and back matter (references,
acknowledgements, stray reference-list entries) are left out.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from ..nlp import facts_in_order
from ..nlp.context import sentence_context
from ..nlp.sections import is_back_matter, is_bibliography_entry, is_framing_section
from .context import DocContext

SKIPPED_KINDS = {"heading", "furniture"}


@dataclass(frozen=True)
class TextFact:
    label: str
    text: str
    value: object
    start: int  # offsets inside the sentence text
    end: int
    context: tuple[str, ...] = ()  # what modifies the fact (gepnec_context): OTHER_STUDY, HYPOTHETICAL, ...


@dataclass
class Sentence:
    text: str
    page: int
    section: str | None
    kind: str
    facts: list[TextFact] = field(default_factory=list)
    context: frozenset[str] = frozenset()  # categories of the sentence-wide context triggers (HYPOTHETICAL...)

    def of(self, *labels: str) -> list[TextFact]:
        return [f for f in self.facts if f.label in labels]

    @property
    def framing(self) -> bool:
        return is_framing_section(self.section)


def paragraphs(ctx: DocContext) -> list[list[Sentence]]:
    """Body paragraphs (and the title) in reading order, each a list of tagged sentences."""
    docs = [part.doc for part in ctx.tagged.blocks]
    result = []
    for block, doc in zip(ctx.document.blocks, docs):
        if block.kind in SKIPPED_KINDS or is_back_matter(block.section) or is_bibliography_entry(block.text):
            continue
        spans = facts_in_order(doc)
        sentences = []
        for sent in doc.sents:
            text = sent.text.strip()
            if not text:
                continue
            offset = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            # a copy of each value: the records steps complete values (a citation's reference number)
            # and the tagged Doc stays as the tagger left it (the report draws it)
            facts = [TextFact(s.label_, s.text, copy.deepcopy(s._.value), s.start_char - offset, s.end_char - offset,
                              s._.context)
                     for s in spans if sent.start_char <= s.start_char < sent.end_char and not _said_not_to_be(s)]
            # newlines become spaces (same length: fact offsets stay valid)
            sentences.append(Sentence(text.replace("\n", " "), block.page, block.section, block.kind, facts,
                                      sentence_context(doc, sent.start_char, sent.end_char)))
        if sentences:
            result.append(sentences)
    return result


# a design or line the sentence says does not exist ("no randomized trial has compared them", "no
# standard second-line treatment") describes no study; a negated regimen ("did not receive X") still
# names a comparator, and a negated response ("no complete responses") is a figure of 0
NEGATABLE = frozenset({"DESIGN", "LINE"})


def _said_not_to_be(span) -> bool:
    return span.label_ in NEGATABLE and "NEGATED" in span._.context
