"""gepnec_measures: DOSE, RESPONSE, SURVIVAL, TOXICITY and N_PATIENTS spans, and their settings."""

from __future__ import annotations

import pytest

from .tag_helpers import build_with, facts

FAR_DOSE = "Cisplatin was chosen after a long discussion of the options in our unit, at 80 mg/m2 on day 1."


def test_a_dose_belongs_to_the_drug_before_it(nlp):
    [dose] = facts(nlp("Etoposide 100 mg/m2 on days 1-3 every 3 weeks."), "DOSE")
    assert dose._.value == {"drug": "etoposide", "amount": 100.0, "unit": "mg/m2", "days": "1-3", "route": None,
                            "schedule": 21}


def test_the_dose_drug_window_is_the_configured_setting(nlp):
    assert nlp.get_pipe("gepnec_measures").dose_drug_window == 120  # config.cfg
    assert facts(nlp(FAR_DOSE), "DOSE")[0]._.value["drug"] == "cisplatin"
    near = build_with({"components.gepnec_measures.dose_drug_window": 20})
    assert facts(near(FAR_DOSE), "DOSE")[0]._.value["drug"] is None


def test_the_families_run_are_the_configured_setting():
    survival_only = build_with({"components.gepnec_measures.families": ["survival"]})
    doc = survival_only("Median OS was 9 months; the response rate was 30% and grade 3 neutropenia 12%.")
    assert {s.label_ for s in facts(doc)} == {"SURVIVAL"}


def test_the_review_reports_survival_and_response(tagged_review):
    survival = [s._.value for _, s in tagged_review.spans("SURVIVAL")]
    response = [s._.value for _, s in tagged_review.spans("RESPONSE")]
    assert len(survival) > 20 and len(response) > 20
    assert {v["endpoint"] for v in survival} >= {"os", "pfs"}


# --- subgroups the running text reports on (issue 9): invented sentences ---------------------------------
KI67_PAIR = ("Median overall survival was 11.9 months when the Ki-67 index was under 40% and 3.7 months when it "
             "was 40% or more.")
PS_PAIR = ("Fitness counted too, with medians of 5.5 months for patients with a performance status of 0 and 2.1 "
           "months for those with a performance status of 1–2.")
SUBGROUP_SENTENCES = [
    ("Among the six patients with large-cell NEC, the partial response rate was 33%.",
     [{"label": "Large-cell NEC", "n": 6}]),
    ("Among the eleven patients with poorly differentiated tumours, 30% responded.",
     [{"label": "Poorly differentiated", "n": 11}]),
    ("The 9 patients with a colonic primary survived longer than the 12 with other primaries "
     "(median overall survival 8.0 versus 3.9 months).",
     [{"label": "Colonic primary", "n": 9}, {"label": "Other primaries", "n": 12}]),
    (KI67_PAIR, [{"label": "Ki-67 <40%", "n": None}, {"label": "Ki-67 ≥40%", "n": None}]),
    ("Responses stayed apart among biliary and gastric primaries, where 30% and 10% responded to IP and EP, "
     "respectively.", [{"label": "Biliary and gastric primaries", "n": None}]),
    (PS_PAIR, [{"label": "PS 0", "n": None}, {"label": "PS 1–2", "n": None}]),
    # a whole series described, not a subgroup of it
    ("We treated 30 patients with metastatic disease.", []),
    ("Among all tumours, 5% responded.", []),
]


@pytest.mark.parametrize("sentence, expected", SUBGROUP_SENTENCES, ids=[s[:40] for s, _ in SUBGROUP_SENTENCES])
def test_subgroups_named_in_running_text(nlp, sentence, expected):
    assert [s._.value for s in facts(nlp(sentence), "SUBGROUP")] == expected


def test_a_second_median_after_a_threshold_condition_is_read_too(nlp):
    found = facts(nlp(KI67_PAIR), "SURVIVAL")
    assert [(s._.value["endpoint"], s._.value["median"]) for s in found] == [("os", 11.9), ("os", 3.7)]


def test_medians_take_the_endpoint_the_text_named_just_before(nlp):
    found = facts(nlp("Median overall survival was 11.9 months. " + PS_PAIR), "SURVIVAL")
    assert [(s._.value["endpoint"], s._.value["median"]) for s in found] == [("os", 11.9), ("os", 5.5), ("os", 2.1)]
    assert facts(nlp("The two groups had medians of 5.5 and 3 cycles."), "SURVIVAL") == []  # no endpoint named


@pytest.mark.parametrize("sentence, expected", [
    # days and route printed once after two coordinated doses are both doses'
    ("The doublet was oxaliplatin 85 mg/m2 and irinotecan 150 mg/m2, both given intravenously on day 1 every 2 weeks.",
     [("oxaliplatin", "1", "IV"), ("irinotecan", "1", "IV")]),
    ("Quill gave docetaxel 60 mg/m2 and carboplatin 300 mg/m2 on day 1 every three weeks.",
     [("docetaxel", "1", None), ("carboplatin", "1", None)]),
    # a first dose with attributes of its own keeps them, and lends nothing
    ("Etoposide 110 mg/m2 IV on days 1-3 and cisplatin 70 mg/m2 on day 1.",
     [("etoposide", "1-3", "IV"), ("cisplatin", "1", None)]),
])
def test_coordinated_doses_share_the_days_and_route_printed_after_them(nlp, sentence, expected):
    found = [(s._.value["drug"], s._.value["days"], s._.value["route"]) for s in facts(nlp(sentence), "DOSE")]
    assert found == expected


@pytest.mark.parametrize("sentence, expected", [
    ("For the whole series, the response rate was 20%.", ["Whole series"]),
    ("Neutropenia was common across the whole series of 60 patients.", ["Whole series"]),
    ("Median PFS was 6.1 months for the series as a whole.", ["Whole series"]),
    ("The whole series was small.", []),  # the series spoken of, not figures restricted to it
])
def test_the_whole_series_named_in_running_text(nlp, sentence, expected):
    assert [s._.value for s in facts(nlp(sentence), "WHOLE_SERIES")] == expected


@pytest.mark.parametrize("sentence, expected", [
    ("OS was 15 months among FOLFOX-treated patients and 5 months among the 17 patients who did not receive it.",
     [{"label": "FOLFOX", "n": None}, {"label": None, "n": 17, "untreated": True}]),
    ("Among the 14 patients who did not receive docetaxel, 10% responded.",
     [{"label": "No docetaxel", "n": 14, "untreated": True}]),
])
def test_a_treated_series_and_its_untreated_comparator(nlp, sentence, expected):
    assert [s._.value for s in facts(nlp(sentence), "SUBGROUP")] == expected


@pytest.mark.parametrize("sentence, route", [
    ("Drugamab 80 mg/m2 i.v. on day 1 every 3 weeks.", "IV"),  # "i.v." before more words
    ("Zorbicin 200 mg/m2 p.o. on days 1-5.", "oral"),
    ("Drugamab 80 mg/m2 i.v.", "IV"),  # at the end of the text
])
def test_a_dotted_route_is_read_before_a_space_and_at_the_end(nlp, sentence, route):
    assert [s._.value["route"] for s in facts(nlp(sentence), "DOSE")] == [route]


def test_a_dose_taken_bid_keeps_its_days(nlp):
    [dose] = facts(nlp("Capecitabine 750 mg/m2 bid d1-14 was given."), "DOSE")
    assert (dose._.value["amount"], dose._.value["days"]) == (750.0, "1-14")
    assert facts(nlp("A bidirectional 5 mg/m2 test."), "DOSE")[0].text == "5 mg/m2"  # "bid" as a word only


def test_a_time_point_after_a_median_is_no_second_median(nlp):
    doc = nlp("The median overall survival was 7.3 months (95% CI 5.2-9.9) and the 1-year survival rate was 28%.")
    assert [s._.value["median"] for s in facts(doc, "SURVIVAL")] == [7.3]
    doc = nlp("Median OS was 9.1 months in arm A and 11.4 months in arm B.")  # a second median still is one
    assert [s._.value["median"] for s in facts(doc, "SURVIVAL")] == [9.1, 11.4]


def test_a_survival_term_with_median_in_brackets(nlp):
    [survival] = facts(nlp("Overall survival (median) was 11 months."), "SURVIVAL")
    assert (survival._.value["endpoint"], survival._.value["median"]) == ("os", 11.0)


def test_progression_free_is_no_progression_response(nlp):
    doc = nlp("FOLFOX achieved a response rate of 29% with a median progression-free survival of 4.5 months.")
    assert [s._.value for s in facts(doc, "RESPONSE")] == [{"kind": "rr", "pct": 29.0}]
