"""The annotated set (tests/data/tag_gold.jsonl) scored per label: the issue's bar is F1 >= 0.90.

The set: sentences of the review (source "review"), cells of the review's tables as
``pdftotext -layout`` shows them ("table"), and sentences written in the dev papers' style with
other numbers, plus traps ("written"). Annotation conventions, fixed before the rules were tuned:
  DRUG every drug mention, also inside a combination (not classes: "platinum", "somatostatin analogs");
  REGIMEN acronyms and written combinations of two or more drugs (a list after "such as" is not one);
  DOSE amount + unit with the attributes printed with it; its cycle length may be printed once per sentence;
  N_PATIENTS every "<number> (adjectives) patients" and "n = N" (the records stage picks the cohort);
  RESPONSE/SURVIVAL/TOXICITY only where a label word and a number are printed together
  (a bare number in a cell is the records stage's job, via the column header);
  CITATION author + "et al."/"and colleagues"/year/reference number; LINE and DESIGN every mention;
  SUBGROUP (added with that label, issue 9) a subgroup the figures are restricted to ("among the N patients with X").
Scoring (gepnec_extract.nlp.evaluate): same label, overlapping span, equal normalized value.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from gepnec_extract.nlp.evaluate import LABELS, evaluate, format_table, load_gold

from .tag_helpers import GOLD

MIN_F1 = 0.90


@pytest.fixture(scope="module")
def gold():
    return load_gold(GOLD)


def test_gold_set_is_large_and_covers_every_label(gold):
    assert len(gold) >= 150
    assert {item["source"] for item in gold} == {"review", "table", "written"}
    per_label = Counter(span["label"] for item in gold for span in item["spans"])
    assert all(per_label[label] >= 10 for label in LABELS), per_label
    for item in gold:
        for span in item["spans"]:
            assert item["text"][span["start"] : span["end"]] == span["text"]
            json.dumps(span["value"])  # plain JSON values only


def test_every_label_reaches_the_f1_bar(nlp, gold):
    scores = evaluate(nlp, gold)
    print("\n" + format_table(scores))
    weak = {label: round(s.f1, 3) for label, s in scores.items() if s.f1 < MIN_F1}
    assert not weak, f"labels under F1 {MIN_F1}: {weak}\n{format_table(scores)}"
