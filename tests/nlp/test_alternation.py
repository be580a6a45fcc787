"""vocab.alternation writes a vocabulary as a trie; it must match exactly what the flat
alternation, longest term first, matches: the same spans and the same groups, also where the
rest of a rule fails and the engine backtracks into a shorter term."""

from __future__ import annotations

import re

import pytest

from gepnec_extract.nlp import grammar, vocab

from ..conftest import REVIEW_TXT


def flat_alternation(terms) -> str:
    """The alternation as it was written before the trie: every term, longest first."""
    ordered = sorted(set(terms), key=lambda t: (-len(t), t))
    return "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in ordered)


def matches(pattern: str, text: str, flags: int) -> list[tuple]:
    return [(m.span(), m.groups()) for m in re.finditer(pattern, text, flags)]


# made-up vocabularies: a chain of prefixes, shared beginnings, one letter in two cases, spaces
# (also a no-break space, which \s matches), and characters the regex syntax reserves
VOCABULARIES = [
    ["zorb", "zorbel", "zorbel fenn", "zorbelite", "zo"],
    ["Kelp", "kelpo", "KELPOX", "kel"],
    ["mip dar", "mip\u00a0dor", "mip d", "mip", "mipdar"],
    ["a+b (c)", "a+b", "x.y", "x.yz", "[q]"],
]
TEXTS = [
    "zorbel  fenn; zorbelite zorbe zo zorb.", "Kelpox KELPO kelp KEL kelpOX", "mip\u00a0dor mip   dar mipdar mip",
    "a+b (c) a+b x.yz x.y [q] ab c", "",
]
# the term, then a context the shorter terms may be needed for: the engine backtracks into them
CONTEXTS = ["(?:{})", r"\b(?P<t>{})\b", r"(?P<t>{})\w*?\s+(?:fenn|dar|o\w+)", r"(?:{})(?:\s*\(c\))?\s*[.;x]"]


@pytest.mark.parametrize("terms", VOCABULARIES)
@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
def test_the_trie_matches_what_the_flat_alternation_matches(terms, flags):
    for context in CONTEXTS:
        for text in TEXTS + [" ".join(terms), "".join(terms).upper()]:
            trie, flat = context.format(vocab.alternation(terms)), context.format(flat_alternation(terms))
            assert matches(trie, text, flags) == matches(flat, text, flags), (context, text)


def test_terms_that_begin_alike_share_their_beginning():
    assert vocab.alternation(["zorbel", "zorbex", "zorb"]) == "zorb(?:e(?:l|x))?"
    assert vocab.alternation([]) == ""


def test_every_rule_matches_the_same_on_the_review_with_the_vocabularies_flat():
    """The package's rules with the trie macros against the same rules with the vocabulary
    macros written flat, over the plain text of the review."""
    text = REVIEW_TXT.read_text(encoding="utf-8")
    trie_macros = dict(grammar.macros())
    flat_macros = dict(trie_macros, **{
        "RESP_KW": flat_alternation(vocab.term_table("response_terms", "kind")),
        "SURV_KW": flat_alternation(vocab.term_table("survival_terms", "endpoint")),
        "TOX_EVENT": flat_alternation(vocab.term_table("toxicities", "event")),
        "NUMWORD": flat_alternation(vocab.number_words()),
    })
    assert flat_macros != trie_macros
    compared = found = 0
    for family in sorted(vocab.PATTERN_DIR.glob("*.jsonl")):
        for row in vocab.read_jsonl(family):
            flags = re.IGNORECASE if "i" in row.get("flags", "") else 0
            trie = matches(grammar.expand(row["regex"], trie_macros), text, flags)
            assert trie == matches(grammar.expand(row["regex"], flat_macros), text, flags), row.get("name")
            compared += 1
            found += len(trie)
    assert compared > 50 and found > 300
