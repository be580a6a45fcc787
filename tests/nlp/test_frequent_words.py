"""The tagger's word-frequency questions (nlp.vocab.is_frequent_word) get wordfreq's answers from a
stored table of the frequent words, so a process that tags imports no wordfreq."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from wordfreq import zipf_frequency

from gepnec_extract.nlp import vocab

from ..conftest import REVIEW_TXT


def _review_words() -> set[str]:
    words = set(re.findall(r"[^\W\d_]+", REVIEW_TXT.read_text(encoding="utf-8")))
    made_up = {"Quorvex", "zandiplatin", "Tellmar", "Überlingen", "naïve", "Ωmega", "ſtrong"}  # non-ASCII ask wordfreq
    return words | {w.lower() for w in words} | {w.upper() for w in words} | made_up


@pytest.mark.parametrize("zipf", [vocab.FREQUENT_WORD_FLOOR, 4.3, 4.5, 5.0, 6.5, 3.0, 2.5])
def test_every_word_of_the_review_gets_wordfreqs_answer(zipf: float) -> None:
    words = _review_words()
    assert len(words) > 2500
    wrong = [w for w in words if vocab.is_frequent_word(w, zipf) != (zipf_frequency(w, "en") >= zipf)]
    assert wrong == []
    frequent = sum(vocab.is_frequent_word(w, zipf) for w in words)
    assert 0 < frequent < len(words)  # both answers occur at this threshold


def test_a_damaged_stored_table_is_built_again(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GEPNEC_CACHE_DIR", str(tmp_path))
    vocab.frequent_words.cache_clear()
    try:
        table = vocab.frequent_words()
        stored = list(tmp_path.glob("frequent-words-*.json"))
        assert len(stored) == 1 and json.loads(stored[0].read_text(encoding="utf-8")) == table
        assert table["the"] == zipf_frequency("the", "en") and min(table.values()) >= vocab.FREQUENT_WORD_FLOOR
        for damage in ('{"the": "7.7"}', "[1, 2]", "{}", "not json"):
            stored[0].write_text(damage, encoding="utf-8")
            vocab.frequent_words.cache_clear()
            assert vocab.frequent_words() == table
    finally:
        vocab.frequent_words.cache_clear()


PROBE = """
import json, sys
from gepnec_extract import pipeline
from gepnec_extract.nlp import tag_text
pipeline.load_readers()
doc = tag_text("As Brannick et al. Overall survival was 9 months in 20 patients (Brannick et al., 2014).")
print(json.dumps({"wordfreq": "wordfreq" in sys.modules, "sentences": [s.text for s in doc.sents],
                  "facts": sorted({s.label_ for s in doc.spans["facts"]})}))
"""


def test_a_process_that_tags_imports_no_wordfreq(tmp_path) -> None:
    env = {**os.environ, "GEPNEC_CACHE_DIR": str(tmp_path)}
    for run in ("derives the vocabularies", "reads them"):
        out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=300, env=env)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["wordfreq"] is False
    assert seen["sentences"][0] == "As Brannick et al."  # "Overall" is frequent: it opens a sentence
    assert "CITATION" in seen["facts"]  # "Brannick" is rare: a surname
