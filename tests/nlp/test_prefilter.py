"""nlp/prefilter: the literal strings every match of a rule holds, so a text without them is not
scanned. A necessary condition only: a text the rule could match is never skipped."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from gepnec_extract.nlp import grammar, prefilter, study
from gepnec_extract.nlp.builders import BUILDERS
from gepnec_extract.nlp.vocab import PATTERN_DIR

from ..conftest import ROOT, SHARED

FAMILIES = sorted(p.stem for p in PATTERN_DIR.glob("*.jsonl") if p.stem != "context")


@pytest.mark.parametrize("pattern, factors", [
    (r"zorbitide \d+ mg", {"zorbitide "}),  # of two literal runs every match holds, the longer
    (r"(?:alpha|beta)gamma", {"gamma"}),  # one string rather than one of two
    (r"(?:alpha|beta)\d", {"alpha", "beta"}),  # an alternation: one of its branches' factors
    (r"(?:alpha|\d)\d", None),  # a branch with no literal: nothing every match must hold...
    (r"(?:wobble)?\d+", None),  # ...nor in an optional part
    (r"(?:wobble)+\d+", {"wobble"}),  # a part repeated at least once is there
    (r"\d+[%‰]", {"%", "‰"}),  # a class of a few literal characters
    (r"\d+[a-z]", None),
    (r"(?i)PERCENT", {"percent"}),  # folded as re.IGNORECASE folds
])
def test_the_factors_of_made_up_patterns(pattern, factors):
    found = prefilter.required_factors(pattern)
    assert found == (frozenset(factors) if factors is not None else None)


@pytest.mark.parametrize("text", ["ıtem", "Kelvın", "İtem", "ſtem", "KELVIN"])
def test_folding_keeps_every_case_insensitive_match(text):
    # re.IGNORECASE takes i for dotless ı and dotted İ, s for long ſ, k for the Kelvin sign K
    for pattern in (r"(?i)item", r"(?i)kelvin", r"(?i)stem"):
        if re.search(pattern, text):
            assert prefilter.may_match(prefilter.required_factors(pattern, re.IGNORECASE), prefilter.fold(text))


def _corpus_texts() -> list[str]:
    texts = (ROOT / "corpus" / "review" / "review.txt").read_text(encoding="utf-8").split("\n\n")
    for paper in sorted((SHARED / "corpus" / "dev").glob("*.txt")):
        texts += paper.read_text(encoding="utf-8").split("\n\n")
    return [t for t in texts if t.strip()]


def _every_rule() -> list[grammar.Rule]:
    rules = [rule for family in FAMILIES for rule in grammar.load_rules(family)]
    rules += [rule for family in study.STUDY_FAMILIES for rule in study._rules(family, 3.0)]
    return rules


def test_no_rule_skips_a_text_it_matches():
    texts, rules = _corpus_texts(), _every_rule()
    assert len(texts) > 200 and len(rules) > 60
    skipped = 0
    for text in texts:
        folded = prefilter.fold(text)
        for rule in rules:
            if not prefilter.may_match(rule.factors, folded):
                skipped += 1
                assert not rule.regex.search(text), (rule.name, text[:120])
    assert skipped > len(texts) * len(rules) // 2  # and it does skip most scans


def test_the_engine_finds_the_same_facts_with_and_without_it(monkeypatch):
    texts = _corpus_texts()[:400]
    rules = [rule for family in FAMILIES for rule in grammar.load_rules(family)]
    usable = [rule for rule in rules if rule.builder in BUILDERS]
    with_it = [grammar.run_rules(text, usable, BUILDERS) for text in texts]
    monkeypatch.setattr(grammar, "may_match", lambda factors, folded: True)
    monkeypatch.setattr(grammar, "_occurs", lambda macro, text, present: True)  # and no vocabulary gate
    without = [grammar.run_rules(text, usable, BUILDERS) for text in texts]
    assert with_it == without and sum(map(len, with_it)) > 100
    assert sum(f.label == "TOXICITY" for facts in with_it for f in facts) > 10  # gated rules found facts


@pytest.mark.parametrize("pattern, gates", [
    (r"\b(?:<<TOX_EVENT>>)\b in (\d+)%", ("TOX_EVENT",)),
    (r"(?:<<TOX_EVENT>> x|y <<TOX_EVENT>>)", ("TOX_EVENT",)),  # each branch holds one
    (r"(?:a<<TOX_EVENT>>){2,}", ("TOX_EVENT",)),
    (r"(?:<<TOX_EVENT>>)?\s*(\d+)%", ()),  # optional
    (r"(?:<<TOX_EVENT>>|grade)", ()),  # one branch without
    (r"(?=\w+ <<TOX_EVENT>>)\w+", ()),  # a look-ahead reads but does not match
    (r"[<<TOX_EVENT>>]", ()),  # a character class is no macro
    (r"(?:<<NUM>>)\s*%", ()),  # no gate macro
    (r"(<<TOX_EVENT>>", ()),  # unreadable: no gate
])
def test_the_gates_of_made_up_patterns(pattern, gates):
    assert prefilter.required_macros(pattern, re.IGNORECASE) == gates


def test_no_gated_rule_skips_a_text_it_matches():
    """A text with none of a gate macro's terms has no match of a rule gated on it, on the review
    and the dev papers; and the gates do skip scans."""
    texts = _corpus_texts()
    gated = [rule for rule in _every_rule() if rule.gates]
    assert len(gated) >= 10
    skipped = 0
    for text in texts:
        present: dict[str, bool] = {}
        for rule in gated:
            if not all(grammar._occurs(name, text, present) for name in rule.gates):
                skipped += 1
                assert not rule.regex.search(text), (rule.name, text[:120])
    assert skipped > len(texts) * len(gated) // 2


def test_factors_are_stored_and_an_ill_typed_store_is_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv("GEPNEC_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(prefilter, "required_factors", prefilter.required_factors.__wrapped__)
    prefilter._stored_factors.cache_clear()
    try:
        assert prefilter.required_factors(r"(?i)zorbitide \d+") == {"zorbitide "}
        stored = prefilter._factors_path()
        assert json.loads(stored.read_text(encoding="utf-8")) == {_key(r"(?i)zorbitide \d+"): ["zorbitide "]}
        stored.write_text(json.dumps({_key(r"(?i)zorbitide \d+"): [1, 2]}), encoding="utf-8")  # not strings
        prefilter._stored_factors.cache_clear()
        assert prefilter.required_factors(r"(?i)zorbitide \d+") == {"zorbitide "}  # read again from the pattern
    finally:
        prefilter._stored_factors.cache_clear()


def _key(pattern: str, flags: int = 0) -> str:
    return hashlib.sha256(f"{flags}:{pattern}".encode("utf-8")).hexdigest()[:32]
