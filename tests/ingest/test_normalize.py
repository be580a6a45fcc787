"""Unicode folding and end-of-line hyphenation (ingest/normalize.py)."""

from collections import Counter

import pytest

from gepnec_extract.ingest.normalize import (count_undecodable, join_hyphenated, keeps_hyphen, normalize_text,
                                             strip_undecodable)


def test_ligatures_and_odd_spaces_fold():
    assert normalize_text("\ufb01rst \ufb02uid e\ufb00ect\u00a0and\u2009more") == "first fluid effect and more"


def test_meaningful_symbols_survive():
    text = "range 3\u201336, \u226520%, mg/m\u00b2, 5 \u00b5g, p \u2264 .05"
    assert normalize_text(text) == text


def test_math_italic_letters_become_plain():
    assert normalize_text("\U0001d443 < 0.05 and \U0001d712\u00b2") == "P < 0.05 and \u03c7\u00b2"


def test_undecodable_glyphs_are_counted_and_dropped():
    assert count_undecodable("126(cid:3)7 and (cid:12)") == 2
    assert strip_undecodable("126(cid:3)7") == "1267"


@pytest.mark.parametrize("lines, expected", [
    (["first-line chemo-", "therapy was given"], "first-line chemotherapy was given"),
    (["the platinum-", "based doublet"], "the platinum-based doublet"),
    (["a Ki-", "67 index"], "a Ki-67 index"),
    (["neutro-", "penia (82)"], "neutropenia (82)"),
    # "highgrade" is a listed word, but far rarer than "high" and "grade": a compound keeps its hyphen
    (["refractory high-", "grade carcinoma"], "refractory high-grade carcinoma"),
    (["a short-", "term effect of chemo-", "therapy"], "a short-term effect of chemotherapy"),
    (["range 3\u2013", "36 months"], "range 3\u201336 months"),
    (["two", "  lines  "], "two lines"),
])
def test_join_hyphenated(lines, expected):
    assert join_hyphenated(lines) == expected


def test_the_document_decides_first():
    # "GEP-" + "NECs" is not a known word anywhere but the document writes GEPNECs whole
    vocab = Counter({"gepnecs": 5})
    assert not keeps_hyphen("GEP", "NECs", vocab)
    assert join_hyphenated(["treated in GEP-", "NECs"], vocab) == "treated in GEPNECs"
    # and a compound the document writes with its hyphen stays hyphenated
    assert keeps_hyphen("dose", "limiting", Counter({"dose-limiting": 2}))
