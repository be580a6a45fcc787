"""gepnec_measures: DOSE, RESPONSE, SURVIVAL, TOXICITY and N_PATIENTS spans, and their settings."""

from __future__ import annotations

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
