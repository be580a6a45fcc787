"""Sentence boundaries for scientific prose.

A rule-based splitter rather than spaCy's sentencizer, because biomedical text is full of periods
that end nothing: "et al.", "vs.", "p = .002", decimals, "mg/m2/day", "(Table 3)".
A boundary needs a terminal token (. ! ?) followed by a token that can open a sentence; a blank
line (a block separator) always ends one.
"""

from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Token

from .grammar import doc_text
from .settings import component_settings
from .vocab import VOCAB_DIR
from .word_frequency import zipf_at_least

TERMINALS = {".", "!", "?"}
NON_TERMINAL = {
    line.strip() for line in (VOCAB_DIR / "abbreviations_nonterminal.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
}
# After "et al." a new sentence begins only with an ordinary capitalised word ("Overall, ..."): one at
# least this frequent in English (wordfreq zipf), set in config.cfg ([components.gepnec_sentences]).
OPENER_ZIPF = component_settings("gepnec_sentences")["opener_zipf"]


def _opens_sentence(token: Token) -> bool:
    first = token.text[:1]
    return first.isupper() or first.isdigit() or first in "([\"'“‘"


def _common_word(token: Token, opener_zipf: float) -> bool:
    return zipf_at_least(token.lower_, opener_zipf)


def _ends_sentence(prev: Token, token: Token, gap: str, opener_zipf: float = OPENER_ZIPF) -> bool:
    if "\n\n" in gap:
        return True
    if not _opens_sentence(token):
        return False
    if prev.text in TERMINALS:
        return True
    if prev.lower_ == "al." and token.is_title and _common_word(token, opener_zipf):
        return True
    return False


class SentenceSplitter:
    """gepnec_sentences: sets every token's sentence start."""

    def __init__(self, opener_zipf: float):
        self.opener_zipf = opener_zipf

    def __call__(self, doc: Doc) -> Doc:
        return set_sentence_starts(doc, self.opener_zipf)


@Language.factory("gepnec_sentences", default_config=component_settings("gepnec_sentences"))
def make_sentences(nlp: Language, name: str, opener_zipf: float) -> SentenceSplitter:
    return SentenceSplitter(opener_zipf)


def set_sentence_starts(doc: Doc, opener_zipf: float = OPENER_ZIPF) -> Doc:
    starts = []  # 1 opens a sentence, -1 does not (spaCy's SENT_START encoding)
    text = doc_text(doc)
    last_word = None
    for token in doc:
        if token.is_space:
            starts.append(1 if token.i == 0 else -1)
            continue
        if last_word is None:
            starts.append(1)
        else:
            gap = text[last_word.idx + len(last_word) : token.idx]
            starts.append(1 if _ends_sentence(last_word, token, gap, opener_zipf) else -1)
        last_word = token
    if starts:
        # One array write: setting token.is_sent_start one by one rescans the Doc each time.
        doc.from_array([SENT_START], numpy.array(starts, dtype="int32").reshape(-1, 1).astype("uint64"))
    return doc
