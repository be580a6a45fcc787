"""gepnec_drugs: DRUG and REGIMEN spans, and its settings in config.cfg."""

from __future__ import annotations

import pytest

from .tag_helpers import build_with, facts

GLOSSARY = "Abbreviations: QZ, irinotekan/cisplatin. Patients received QZ every 3 weeks."


def values(doc, label):
    return [s._.value for s in facts(doc, label)]


def test_written_combinations_are_regimens_and_alternatives_are_not(nlp):
    assert values(nlp("They received cisplatin plus etoposide."), "REGIMEN") == [["cisplatin", "etoposide"]]
    assert values(nlp("Agents such as everolimus, sunitinib, and cisplatin exist."), "REGIMEN") == []


def test_a_glossary_acronym_with_a_misspelt_drug_still_names_both_drugs(nlp):
    assert values(nlp(GLOSSARY), "REGIMEN") == [["cisplatin", "irinotecan"], ["cisplatin", "irinotecan"]]


def test_the_fuzzy_cutoff_is_the_configured_setting(nlp):
    assert nlp.get_pipe("gepnec_drugs").settings.fuzzy_cutoff == 0.9  # config.cfg
    strict = build_with({"components.gepnec_drugs.fuzzy_cutoff": 0.95})
    doc = strict(GLOSSARY)
    assert values(doc, "REGIMEN") == [] and values(doc, "DRUG") == ["cisplatin"] * 3


def test_the_review_names_its_platinum_regimens(tagged_review):
    regimens = {tuple(s._.value) for _, s in tagged_review.spans("REGIMEN")}
    assert ("cisplatin", "etoposide") in regimens
    drugs = {s._.value for _, s in tagged_review.spans("DRUG")}
    assert {"cisplatin", "etoposide", "irinotecan"} <= drugs


@pytest.mark.parametrize("sentence, expected", [
    ("Patients received irinotecan combined with cisplatin or carboplatin.",
     [["carboplatin", "cisplatin", "irinotecan"]]),
    ("They were given etoposide in combination with cisplatin.", [["cisplatin", "etoposide"]]),
    # alternatives with no combination around them are no regimen
    ("Either cisplatin or carboplatin was used.", []),
])
def test_written_combinations_with_an_alternative_partner(nlp, sentence, expected):
    assert [s._.value for s in facts(nlp(sentence), "REGIMEN")] == expected


def test_drug_abbreviations_and_formulations_name_the_generic_drug(nlp):
    doc = nlp("Nab-paclitaxel 100 mg/m2, TMZ 150 mg/m2, L-OHP 85 mg/m2 and nal-IRI were given.")
    assert [(s.text, s._.value) for s in doc.spans["facts"] if s.label_ == "DRUG"] == [
        ("Nab-paclitaxel", "paclitaxel"), ("TMZ", "temozolomide"), ("L-OHP", "oxaliplatin"), ("nal-IRI", "irinotecan")]
