"""gepnec_study: CITATION, LINE and DESIGN spans, and their settings in config.cfg."""

from __future__ import annotations

import pytest

import json

from gepnec_extract.nlp.study import read_citation

from .tag_helpers import build_with, facts

CITING = "Thorne et al. (2011) reported a prospective, multicenter phase II trial in second-line patients [4]."


def test_citation_line_and_merged_design(nlp):
    doc = nlp(CITING)
    assert [s._.value for s in facts(doc, "CITATION")] == [{"first_author": "Thorne", "year": 2011, "ref": None}]
    assert [s._.value for s in facts(doc, "LINE")] == ["second"]
    [design] = facts(doc, "DESIGN")
    assert design._.value["prospective"] is True and design._.value["phase"] == "2"


def test_the_surname_threshold_is_the_configured_setting(nlp):
    # without "et al." a capitalised word cites a study only if rare enough in English to be a surname:
    # "Thorne" (wordfreq zipf 3.3) is one under 4.0 (config.cfg), a word under 3.0
    bare = "A phase II trial by Thorne [4] was reported."
    assert [s._.value for s in facts(nlp(bare), "CITATION")] == [{"first_author": "Thorne", "year": None, "ref": 4}]
    strict = build_with({"components.gepnec_study.surname_max_zipf": 3.0})
    assert facts(strict(bare), "CITATION") == []
    assert len(facts(strict(CITING), "CITATION")) == 1  # "et al." names a study whatever the word
    assert read_citation("Thorne et al. (2011) [4]") == {"first_author": "Thorne", "year": 2011, "ref": 4}


def test_a_saved_pipeline_keeps_a_changed_setting(tmp_path):
    import spacy

    from gepnec_extract.nlp import save_pipeline

    save_pipeline(tmp_path / "pipeline", build_with({"components.gepnec_study.surname_max_zipf": 3.0}))
    assert spacy.load(tmp_path / "pipeline").config["components"]["gepnec_study"]["surname_max_zipf"] == 3.0


def test_the_review_cites_studies_with_years(tagged_review):
    citations = [s._.value for _, s in tagged_review.spans("CITATION")]
    assert len(citations) > 20
    assert sum(1 for c in citations if c["year"]) > 10


def test_a_configured_patterns_folder_replaces_the_packages_family_files(nlp, tmp_path):
    rule = {"label": "LINE", "name": "made_up", "regex": r"\bzorbiline\b", "builder": "static", "flags": "i",
            "static": {"value": "first"}}
    (tmp_path / "line.jsonl").write_text(json.dumps(rule) + "\n", encoding="utf-8")
    text = "Patients had zorbiline therapy in the second-line setting."
    assert [s._.value for s in facts(nlp(text), "LINE")] == ["second"]
    own = build_with({"components.gepnec_study.patterns": str(tmp_path), "components.gepnec_study.families": ["line"]})
    assert [s._.value for s in facts(own(text), "LINE")] == ["first"]


# --- line of therapy: prose that permits or reports earlier lines (issue 9): invented sentences ----------
EARLIER_LINES = [
    ("All had measurable disease and previous treatment with at least one taxane-containing regimen.", ["mixed"]),
    ("Quill et al. [4] pooled 30 drugamab-treated patients; there was no restriction on prior lines.", ["mixed"]),
    ("In Brack's cohort 55% of patients had received no prior chemotherapy.", ["mixed"]),
    ("Vey gave drugamab to 22 patients, previous therapy being permitted.", ["mixed"]),
    ("Zorn reported 31 patients, two thirds of whom had received some earlier therapy.", ["mixed"]),
    ("Drugamab was started after at least one previous taxane-based regimen.", ["mixed"]),
    ("Response was assessed after at least one cycle of chemotherapy.", []),
    # no earlier therapy at all is the first line, and a plain mention of therapy says no line
    ("All patients had no previous chemotherapy.", ["first"]),
    ("Earlier therapy was recorded for every patient.", []),
]


@pytest.mark.parametrize("sentence, expected", EARLIER_LINES, ids=[s[:40] for s, _ in EARLIER_LINES])
def test_earlier_lines_permitted_or_partly_received_are_a_mix(nlp, sentence, expected):
    assert [s._.value for s in facts(nlp(sentence), "LINE")] == expected


def test_an_author_year_citation_in_brackets_after_the_figures(nlp):
    doc = nlp("The response rate was 29% (Thorne and Wick, 2015). It was 31% in another series (Marlow, 2012; Ebb, 2013).")
    assert [s._.value for s in facts(doc, "CITATION")] == [
        {"first_author": "Thorne", "year": 2015, "ref": None}, {"first_author": "Marlow", "year": 2012, "ref": None},
        {"first_author": "Ebb", "year": 2013, "ref": None}]
