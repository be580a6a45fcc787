"""The pipeline itself: stages by name, config switch, sentence rules, value types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gepnec_extract.nlp import build_nlp

from .tag_helpers import facts

STAGES = ["gepnec_drug_tokens", "gepnec_sentences", "abbreviation_detector", "gepnec_abbreviations",
          "gepnec_drugs", "gepnec_measures", "gepnec_study", "gepnec_context", "gepnec_cells"]


def test_pipe_names_show_the_stages(nlp):
    assert nlp.pipe_names == STAGES
    assert type(nlp.tokenizer).__name__ == "Tokenizer" and nlp.meta["gepnec_base"] == "blank"



def test_the_tokenizer_is_scispacys_on_spacys_default_english(nlp):
    """Built without spaCy's default tokenizer (scispaCy reads only its token_match), it splits
    text exactly as scispaCy's own tokenizer on a blank English pipeline does."""
    import spacy
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    reference = combined_rule_tokenizer(spacy.blank("en"))
    text = (Path(__file__).parents[2] / "corpus" / "review" / "review.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    assert len(paragraphs) > 100
    for paragraph in paragraphs:
        assert [t.text for t in nlp.tokenizer(paragraph)] == [t.text for t in reference(paragraph)]

def test_model_switch_falls_back_to_blank_when_the_model_is_missing():
    nlp = build_nlp({"base_model": "en_core_sci_sm_not_installed_here"})
    assert nlp.meta["gepnec_base"] == "blank"
    assert nlp.pipe_names == STAGES
    doc = nlp("Median OS was 9 months.")
    assert [s.label_ for s in facts(doc)] == ["SURVIVAL"]


def test_abbreviation_detector_can_be_switched_off():
    nlp = build_nlp({"abbreviations": False})
    assert "abbreviation_detector" not in nlp.pipe_names


def test_sentences_survive_biomedical_periods(nlp):
    text = ("Moertel et al. (1991) gave etoposide 130 mg/m2/day vs. 100 mg/m2/day in other series, p = .002 (Table 3). "
            "Toxicity was high. The Mitry et al. study confirmed it.")
    sentences = [s.text for s in nlp(text).sents]
    assert sentences == [
        "Moertel et al. (1991) gave etoposide 130 mg/m2/day vs. 100 mg/m2/day in other series, p = .002 (Table 3).",
        "Toxicity was high.",
        "The Mitry et al. study confirmed it.",
    ]


def test_blank_line_ends_a_sentence(nlp):
    assert len(list(nlp("Results\n\nMedian OS was 9 months").sents)) == 2


def test_values_are_plain_json(nlp):
    doc = nlp("In a randomized phase III trial, 120 patients received cisplatin/etoposide (cisplatin 80 mg/m2 IV on day 1 "
              "every 3 weeks); the response rate was 44% and median OS 10.2 months (95% CI, 8.1–12.0) [12].")
    labels = {s.label_ for s in facts(doc)}
    assert {"DESIGN", "N_PATIENTS", "REGIMEN", "DRUG", "DOSE", "RESPONSE", "SURVIVAL"} <= labels
    for span in facts(doc):
        assert json.loads(json.dumps(span._.value)) == span._.value


def test_weeks_become_months_only_when_printed_in_weeks(nlp):
    weeks = facts(nlp("The median survival was 30 weeks."), "SURVIVAL")[0]._.value
    months = facts(nlp("The median survival was 30 months."), "SURVIVAL")[0]._.value
    assert weeks["median"] == round(30 / 4.345, 1) and months["median"] == 30


def test_not_outcomes_are_not_tagged(nlp):
    doc = nlp("Tumours with a Ki-67 index >20% responded (p < .001). In 2012 patients were screened; a total of 1200 patients.")
    labels = [s.label_ for s in facts(doc)]
    assert "RESPONSE" not in labels and "SURVIVAL" not in labels
    assert [s._.value for s in facts(doc, "N_PATIENTS")] == [1200]


def test_docs_serialize_for_multiprocessing(nlp):
    # nlp.pipe(n_process=2) ships Docs between processes as bytes: abbreviations must be plain data.
    doc = nlp("Capecitabine and temozolomide (CAPTEM) was given; CAPTEM gave a response rate of 30%.")
    assert doc._.abbrev_map["CAPTEM"] == "Capecitabine and temozolomide"
    restored = type(doc)(nlp.vocab).from_bytes(doc.to_bytes())
    assert [s.text for s in restored.spans["facts"]] == [s.text for s in doc.spans["facts"]]


CELLS = [
    ("Carcinoid WDNET, 0 (CR, 0; PR, 0; stable, 85; PD, 15)",
     [("RESPONSE", {"kind": k, "pct": p}) for k, p in [("cr", 0.0), ("pr", 0.0), ("sd", 85.0), ("pd", 15.0)]]),
    ("IP, 50, vs. etoposide, 28 (p < .001)", [("REGIMEN", ["cisplatin", "irinotecan"]), ("DRUG", "etoposide")]),
    ("12.1a (6.9–17.2)", []),  # a bare number: its column header gives the meaning (records stage)
    ("PFS, 12.1a (6.9–17.2)", [("SURVIVAL", {"endpoint": "pfs", "median": 12.1, "low": 6.9, "high": 17.2, "kind": None,
                                             "not_reached": False})]),
    ("NRa", []),
    ("OS, NRa", [("SURVIVAL", {"endpoint": "os", "median": None, "low": None, "high": None, "kind": None, "not_reached": True})]),
    ("18 (45.0)", []),
    ("PR, 18 (45.0)", [("RESPONSE", {"kind": "pr", "pct": 45.0})]),
    ("Grade 3–4 neutropenia (64), grade 1–2 nephrotoxicity (53)",
     [("TOXICITY", {"event": "neutropenia", "grade": "3-4", "pct": 64.0}),
      ("TOXICITY", {"event": "nephrotoxicity", "grade": "1-2", "pct": 53.0})]),
]


@pytest.mark.parametrize("cell, expected", CELLS, ids=[c for c, _ in CELLS])
def test_table_cell_sub_patterns(nlp, cell, expected):
    assert [(s.label_, s._.value) for s in facts(nlp(cell))] == expected


LOAD_AND_TAG = """
import json, sys
import spacy

nlp = spacy.load(sys.argv[1])  # before anything of ours is imported: the entry points must do it
from gepnec_extract.model import Document
from gepnec_extract.nlp import tag_document

document = Document.model_validate_json(open(sys.argv[2], encoding="utf-8").read())
print(json.dumps({"pipe_names": nlp.pipe_names, "tokenizer": type(nlp.tokenizer).__name__,
                  "facts": tag_document(document, nlp).records()}))
"""


@pytest.mark.slow
def test_a_saved_pipeline_loads_with_spacy_load_and_tags_the_review_alike(tmp_path):
    import subprocess
    import sys

    from gepnec_extract.ingest import ingest_file
    from gepnec_extract.nlp import save_pipeline, tag_document

    from ..conftest import REVIEW_PDF

    nlp = build_nlp()
    save_pipeline(tmp_path / "pipeline", nlp)
    assert (tmp_path / "pipeline" / "config.cfg").is_file()
    document = ingest_file(REVIEW_PDF)
    (tmp_path / "review.document.json").write_text(document.model_dump_json(), encoding="utf-8")
    loaded = subprocess.run([sys.executable, "-c", LOAD_AND_TAG, str(tmp_path / "pipeline"),
                             str(tmp_path / "review.document.json")],
                            capture_output=True, text=True, check=True, timeout=300)
    result = json.loads(loaded.stdout)
    expected = tag_document(document, nlp).records()
    assert result["pipe_names"] == STAGES
    assert len(expected) > 500
    assert result["facts"] == json.loads(json.dumps(expected))


def test_a_short_cycle_after_a_dose_list_gives_every_dose_its_length(nlp):
    # a table cell printing the schedule: "..., q3w" / "..., q2w"
    doses = facts(nlp("Drugamab 80 mg/m2 IV d1 + cisplatin 60 mg/m2 IV d1–3, q3w"), "DOSE")
    assert [d._.value["schedule"] for d in doses] == [21, 21]
    assert facts(nlp("Irinotecan 100 mg/m2 IV d1, q2w"), "DOSE")[0]._.value["schedule"] == 14


def test_a_range_of_cycle_lengths_is_no_one_cycle_length(nlp):
    # spec: schedule is the normalized cycle length in days; "every 3–4 weeks" names none
    doses = facts(nlp("Drugamab 90 mg/m2 IV on day 1 and zorbicin 40 mg/m2 IV on days 1–3 every 3–4 weeks."), "DOSE")
    assert [d._.value["schedule"] for d in doses] == [None, None]
    assert [d._.value["days"] for d in doses] == ["1", "1-3"]
    doses = facts(nlp("Drugamab 90 mg/m2 IV on day 1 every 3 weeks."), "DOSE")
    assert doses[0]._.value["schedule"] == 21


# --- toxicities of a review's running text (issue 9): invented sentences ---------------------------------
PROSE_TOXICITIES = [
    # a "respectively" list: the n-th event takes the n-th figure, the trailing grade is every event's
    ("Fatigue, rash, anaemia and neutropenia of grade 3 or higher were seen in 12%, 8%, 5.5% and 30%, respectively.",
     [("fatigue", "3 or higher", 12.0), ("rash", "3 or higher", 8.0), ("anemia", "3 or higher", 5.5),
      ("neutropenia", "3 or higher", 30.0)]),
    # each event its own grade; the closed list lends its grade to nothing after it
    ("Grade 1 rash and grade 2 fatigue were noted in 10% and 20%, respectively, and febrile neutropenia in 5%.",
     [("rash", "1", 10.0), ("fatigue", "2", 20.0), ("febrile neutropenia", None, 5.0)]),
    # a second clause without its verb: "and grade 3 fatigue 15%"
    ("Grade 2 mucositis affected 40% of patients and grade 3 fatigue 15%.",
     [("mucositis", "2", 40.0), ("fatigue", "3", 15.0)]),
    # toxicity of a grade, with no event named
    ("Grade 4 toxicity occurred in 12% of patients and grade 3 toxicity in 30%.",
     [("toxicity", "4", 12.0), ("toxicity", "3", 30.0)]),
    # each item its own grade, one figure for all ("each")
    ("Grade 3 rash and grade 4 neutropenia each affected 6% of patients.",
     [("rash", "3", 6.0), ("neutropenia", "4", 6.0)]),
    # adverse events by class keep their printed name (American spelling)
    ("Grade 3–4 haematological adverse events occurred in 20% of patients and grade 3–4 "
     "non-haematological adverse events in 9%.",
     [("hematological adverse events", "3-4", 20.0), ("non-hematological adverse events", "3-4", 9.0)]),
    # a death from an event: "fatal <event>", never graded, not even by the list it closes
    ("Two patients (3%) died of febrile neutropenia.", [("fatal febrile neutropenia", None, 3.0)]),
    ("Grade 3–4 anaemia occurred in 12%, and infection was fatal in 2%.",
     [("anemia", "3-4", 12.0), ("fatal infection", None, 2.0)]),
    # counts that differ from the figures: no pairing is guessed
    ("Rash, fatigue and anaemia were seen in 12% and 8%, respectively.", []),
]


@pytest.mark.parametrize("sentence, expected", PROSE_TOXICITIES, ids=[s[:40] for s, _ in PROSE_TOXICITIES])
def test_toxicities_of_running_text(nlp, sentence, expected):
    found = [(s._.value["event"], s._.value["grade"], s._.value["pct"]) for s in facts(nlp(sentence), "TOXICITY")]
    assert found == expected


@pytest.mark.parametrize("sentence, expected", [
    ("Quill et al. [3] treated 40 patients with neuroendocrine neoplasms, 12 of them poorly differentiated.",
     [{"n": 40, "part": 12}]),
    ("Brack enrolled 30 patients with digestive tumours, ten of whom were well-differentiated.", [{"n": 30, "part": 10}]),
    ("Zorn treated 30 patients, 30 of them poorly differentiated.", []),  # the whole series: not a mix
])
def test_a_series_only_part_of_which_is_of_one_differentiation(nlp, sentence, expected):
    assert [s._.value for s in facts(nlp(sentence), "MIXED_SERIES")] == expected
