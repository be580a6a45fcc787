"""The tagger's word frequencies (nlp.word_frequency) are wordfreq's answers, read from a table
derived from it once, so a process that tags imports no wordfreq."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import unicodedata

import pytest
from wordfreq import iter_wordlist, zipf_frequency

from gepnec_extract.nlp import word_frequency

from ..conftest import REVIEW_TXT


def _words() -> list[str]:
    """The review's words, a sample of wordfreq's list (its accented words and its rarest too), each
    in four cases and decomposed, and made-up words; with digits, apostrophes or other scripts
    wordfreq itself answers."""
    words = set(re.findall(r"[^\W\d_]+", REVIEW_TXT.read_text(encoding="utf-8")))
    listed = list(iter_wordlist("en"))
    words |= set(random.Random(5).sample(listed, 3000)) | set(listed[-1000:])
    words |= {w for w in listed[:60000] if not w.isascii() and w.isalpha()}
    words |= {"Quorvex", "zandiplatin", "Tellmar", "Überlingen", "naïve", "Ωmega", "ſtrong", "Straße", "co2", "don't"}
    variants = set()
    for w in words:
        variants |= {w, w.lower(), w.upper(), w.capitalize(), unicodedata.normalize("NFD", w.capitalize())}
    return sorted(variants)


@pytest.fixture(scope="module")
def words() -> list[str]:
    return _words()


@pytest.mark.parametrize("zipf", [4.0, 4.3, 4.5, 5.0, 6.5, 2.5, 3.0, 3.99, 1.5])
def test_zipf_at_least_is_wordfreqs_answer_for_every_word(words: list[str], zipf: float) -> None:
    wrong = [w for w in words if word_frequency.zipf_at_least(w, zipf) != (zipf_frequency(w, "en") >= zipf)]
    assert wrong == []
    frequent = sum(word_frequency.zipf_at_least(w, zipf) for w in words)
    assert 0 < frequent < len(words)  # both answers occur at this threshold


def test_a_damaged_stored_table_is_built_again(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GEPNEC_CACHE_DIR", str(tmp_path))
    word_frequency._zipf_table.cache_clear()
    try:
        table = word_frequency._zipf_table()
        stored = list(tmp_path.glob("frequent-words-*.json"))
        assert len(stored) == 1 and json.loads(stored[0].read_text(encoding="utf-8")) == table
        assert table["the"] == zipf_frequency("the", "en") and min(table.values()) >= word_frequency.TABLE_FLOOR
        assert 5000 < len(table) < 10000
        for damage in ('{"the": "7.7"}', "[1, 2]", "{}", "not json"):
            stored[0].write_text(damage, encoding="utf-8")
            word_frequency._zipf_table.cache_clear()
            assert word_frequency._zipf_table() == table
    finally:
        word_frequency._zipf_table.cache_clear()


TAGGER_PROBE = """
import json, sys
from gepnec_extract import pipeline
from gepnec_extract.nlp import tag_text
pipeline.load_readers()
doc = tag_text("As Brannick et al. Overall survival was 9 months in 20 patients (Brannick et al., 2014).")
print(json.dumps({"wordfreq": "wordfreq" in sys.modules, "sentences": [s.text for s in doc.sents],
                  "facts": sorted({s.label_ for s in doc.spans["facts"]})}))
"""

def _probe(script: str, env: dict, *args: str) -> dict:
    for run in ("derives the tables", "reads them"):
        out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True,
                             timeout=300, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_process_that_tags_imports_no_wordfreq(tmp_path) -> None:
    seen = _probe(TAGGER_PROBE, {**os.environ, "GEPNEC_CACHE_DIR": str(tmp_path)})
    assert seen["wordfreq"] is False
    assert seen["sentences"][0] == "As Brannick et al."  # "Overall" is frequent: it opens a sentence
    assert "CITATION" in seen["facts"]  # "Brannick" is rare: a surname
