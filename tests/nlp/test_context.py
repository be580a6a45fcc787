"""gepnec_context (nlp/context.py, rules in patterns/context.jsonl): what modifies each fact, on
made-up sentences, through the whole pipeline as records run it."""

from __future__ import annotations

import json

from gepnec_extract.nlp.context import CONTEXT_KEY, ContextTagger, sentence_context

from .tag_helpers import facts


def _context_of(doc, label):
    return [span._.context for span in facts(doc, label)]


def test_a_citation_after_a_comparison_word_is_another_study(nlp):
    doc = nlp("Our response rate was similar to that reported by Quill et al. [5].")
    assert _context_of(doc, "CITATION") == [("OTHER_STUDY",)]
    # a clause break between the comparison and the citation ends its reach
    doc = nlp("Our response rate was higher than expected; Quill et al. [5] treated 40 patients.")
    assert _context_of(doc, "CITATION") == [()]


def test_a_trial_someone_should_run_is_hypothetical_for_the_whole_sentence(nlp):
    doc = nlp("A randomized phase III trial is needed. We ran a randomized phase III trial.")
    first, second = list(doc.sents)
    assert _context_of(doc, "DESIGN") == [("HYPOTHETICAL",), ()]
    assert sentence_context(doc, first.start_char, first.end_char) == {"HYPOTHETICAL"}
    assert sentence_context(doc, second.start_char, second.end_char) == frozenset()
    assert [(s.label_, s.text) for s in doc.spans[CONTEXT_KEY]] == [("HYPOTHETICAL", "needed")]


def test_a_treatment_the_patients_had_before_is_prior(nlp):
    doc = nlp("Patients received FOLFIRI after progression on cisplatin-etoposide.")
    assert [(s.text, s._.context) for s in facts(doc, "REGIMEN")] == [("FOLFIRI", ()), ("cisplatin-etoposide", ("PRIOR",))]
    doc = nlp("Those refractory to first-line temozolomide, or previously treated with CAPTEM, were excluded.")
    assert _context_of(doc, "DRUG") == [("PRIOR",)] and _context_of(doc, "REGIMEN") == [("PRIOR",)]
    doc = nlp("Temozolomide was given after a median of two cycles of CAPTEM.")  # no earlier treatment said
    assert _context_of(doc, "REGIMEN") == [()]


def test_negated_and_historical_facts(nlp):
    doc = nlp("There was no grade 4 neutropenia (0%). Historically, response rates of 40% were reported.")
    assert _context_of(doc, "TOXICITY") == [("NEGATED",)]
    assert _context_of(doc, "RESPONSE") == [("HISTORICAL",)]
    plain = nlp("Grade 4 neutropenia occurred in 12% of patients.")
    assert _context_of(plain, "TOXICITY") == [()]


def test_the_rules_are_data_another_folder_holds_its_own(nlp, tmp_path):
    rule = {"category": "HYPOTHETICAL", "name": "would", "scope": "after", "flags": "i", "regex": "\\bwould\\b"}
    (tmp_path / "context.jsonl").write_text(json.dumps(rule) + "\n", encoding="utf-8")
    tagger = ContextTagger(str(tmp_path))
    doc = tagger(nlp("A randomized trial would be needed."))
    assert _context_of(doc, "DESIGN") == [("HYPOTHETICAL",)]  # "would" after the design words
    doc = tagger(nlp("Would a randomized trial be needed?"))
    assert _context_of(doc, "DESIGN") == [()]  # "needed" is no trigger of this folder
    assert [t.name for t in tagger.triggers] == ["would"]


LOAD_AND_READ_CONTEXT = """
import json, sys
import spacy
nlp = spacy.load(sys.argv[1])
doc = nlp(sys.argv[2])
print(json.dumps([[s.label_, s.text, list(s._.context)] for s in doc.spans["facts"]]))
"""


def test_a_pipeline_loaded_with_spacy_load_marks_the_same_context(nlp, tmp_path):
    import subprocess
    import sys

    from gepnec_extract.nlp import save_pipeline

    text = ("Our response rate was similar to that reported by Quill et al. [5], with no grade 4 neutropenia (0%). "
            "A randomized phase III trial is needed.")
    save_pipeline(tmp_path / "pipeline", nlp)
    loaded = subprocess.run([sys.executable, "-c", LOAD_AND_READ_CONTEXT, str(tmp_path / "pipeline"), text],
                            capture_output=True, text=True, check=True, timeout=300)
    doc = nlp(text)
    expected = [[s.label_, s.text, list(s._.context)] for s in doc.spans["facts"]]
    assert json.loads(loaded.stdout) == expected
    assert {tuple(c) for _, _, c in expected} >= {("OTHER_STUDY",), ("NEGATED",), ("HYPOTHETICAL",)}
