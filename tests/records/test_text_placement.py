"""Placement (records/text_placement.py, arms in text_arms.py) on real sentences of the review and
dev papers, read through the real tagger: which arm of the sentence's study each fact goes to."""

from __future__ import annotations

from gepnec_extract.model import Dose
from gepnec_extract.records.text_sentences import paragraphs

from .text_reading import Reading, dev_context, paragraph_with, review_context, sentence_with


def test_a_review_sentence_comparing_two_regimens_gives_each_its_figure_and_the_study_its_design():
    # "This prospective, phase II trial conducted by Noda et al. reported a median OS of 12.8 months and
    # 9.4 months for cisplatin/irinotecan and cisplatin/etoposide, respectively (p = 0.002)."
    reading = Reading(review_context())
    noda = reading.linker.new_study("Noda", None)
    arm, doses = reading.placer.read_sentence(sentence_with(reading.ctx, "trial conducted by Noda et al."), noda, None, [])
    assert (arm, doses) == (None, [])  # two arms compared: no one arm goes on
    assert [s.median for s in reading.values(noda, "cisplatin/irinotecan")["os_months"]] == [12.8]
    assert [s.median for s in reading.values(noda, "cisplatin/etoposide")["os_months"]] == [9.4]
    whole = reading.values(noda, None)
    assert "os_months" not in whole
    assert [(d["prospective"], d["phase"]) for d in whole["_design"]] == [(True, "2")]
    assert ("REGIMEN", "cisplatin/irinotecan") in whole["_regimen"]


def test_regimens_a_review_compares_keep_the_labels_of_the_tables_arms_given_those_drugs():
    # "The cisplatin/irinotecan and cisplatin/etoposide treatment groups had a median OS of 13 months and
    # 7.3 months, respectively": the tables name Yamaguchi 2014's arms "IP" and "etoposide"
    reading = Reading(review_context())
    tabulated = reading.linker.find("Yamaguchi", 2014, None)
    assert tabulated.from_table and tabulated.table_arms == ["IP", "etoposide"]
    sentence = sentence_with(reading.ctx, "treatment groups had a median OS of 13 months")
    reading.placer.read_sentence(sentence, tabulated, None, [])
    assert [s.median for s in reading.values(tabulated, "IP")["os_months"]] == [13.0]
    assert [s.median for s in reading.values(tabulated, "etoposide")["os_months"]] == [7.3]
    assert "cisplatin/etoposide" not in {f.arm for f in reading.state.found_of(tabulated)}


def test_a_review_dose_sentence_gives_its_doses_to_the_study():
    # "(etoposide 100 mg/m2/day IV on days 1–3 and cisplatin 80 mg/m2 IV on the first day every 3–4 weeks)"
    reading = Reading(review_context(), tables=False)
    study = reading.linker.new_study("Iwasa", 2010)
    _, doses = reading.placer.read_sentence(sentence_with(reading.ctx, "cisplatin 80 mg/m2 IV"), study, None, [])
    assert Dose(drug="cisplatin", amount=80.0, unit="mg/m2", days="1", route="IV", schedule=None) in doses
    assert [d for d, _ in study.doses] == doses and not study.arm_doses
    assert reading.values(study, None)["_n"] == [21]


def test_doses_quoted_from_a_cited_study_are_not_placed():
    # "The etoposide regimen was less than that used by Moertel et al. (100 mg/m2 vs. 130 mg/m2)"
    reading = Reading(review_context(), tables=False)
    study = reading.linker.new_study("Mitry", 1999)
    _, doses = reading.placer.read_sentence(sentence_with(reading.ctx, "less than that used by Moertel"), study, None, [])
    assert doses == [] and study.doses == []


def test_a_cycle_length_of_its_own_is_the_schedule_of_the_doses_before_it():
    # "Each cycle consisted of etoposide 100 mg/m² per day ... and cisplatin 100 mg/m² ..." then
    # "Cycles were repeated every 3 weeks."
    reading = Reading(dev_context("d01-mitry1999"))
    own = reading.state.own
    first, second = paragraph_with(reading.ctx, "Each cycle consisted of etoposide")
    _, doses = reading.placer.read_sentence(first, own, None, [])
    assert {d.drug: d.schedule for d in doses} == {"etoposide": None, "cisplatin": None}
    assert reading.placer.read_sentence(second, own, None, doses) == (None, [])
    assert {d.drug: d.schedule for d, _ in own.doses} == {"etoposide": 21, "cisplatin": 21}


def test_figures_of_a_subgroup_compared_by_arm_go_to_that_subgroup_of_each_arm():
    # "In the HBP subgroup, the response rate was 39% with IP compared with 12% with EP (P = 0.034)."
    reading = Reading(dev_context("d03-yamaguchi2014"))
    own = reading.state.own
    assert own.table_arms == ["IP", "EP"]
    reading.placer.read_sentence(sentence_with(reading.ctx, "In the HBP subgroup"), own, None, [])
    assert reading.values(own, "HBP: IP")["rr_pct"] == [39.0]
    assert reading.values(own, "HBP: EP")["rr_pct"] == [12.0]
    assert "rr_pct" not in reading.values(own, "IP") and "rr_pct" not in reading.values(own, None)


def test_the_whole_series_the_prose_names_keeps_its_figures_on_the_series():
    # "Across the whole series, 11 of 40 patients (27.5%) had an objective response; median PFS was 18 months"
    reading = Reading(dev_context("d07-bajetta2007"))
    own = reading.state.own
    arm, _ = reading.placer.read_sentence(sentence_with(reading.ctx, "Across the whole series"), own, "Well differentiated", [])
    assert arm is None
    whole = reading.values(own, None)
    assert whole["rr_pct"] == [27.5] and [s.median for s in whole["pfs_months"]] == [18.0]
    assert own.whole_label == "Whole series"
    assert not reading.values(own, "Well differentiated")


def test_an_allocation_sentence_sizes_the_tables_arms_and_a_dose_sentence_gives_an_arms_doses():
    # "... 144 patients were randomly assigned ...: 72 to temozolomide and 72 to capecitabine plus temozolomide."
    # "In arm B, capecitabine 750 mg/m2 ... and temozolomide 200 mg/m2 ... of each 28-day cycle (Table 1)."
    reading = Reading(dev_context("d11-kunz2023"))
    own = reading.state.own
    assert own.table_arms == ["Temozolomide", "Capecitabine + temozolomide"]
    reading.placer.read_sentence(sentence_with(reading.ctx, "72 to temozolomide and 72"), own, None, [])
    assert reading.values(own, "Temozolomide")["n_patients"] == [72]
    assert reading.values(own, "Capecitabine + temozolomide")["n_patients"] == [72]
    assert {"randomized": True} in reading.values(own, None)["_design"]
    reading.placer.read_sentence(sentence_with(reading.ctx, "In arm B, capecitabine"), own, None, [])
    assert {(d.drug, d.amount) for d, _ in own.arm_doses["Capecitabine + temozolomide"]} == {
        ("capecitabine", 750.0), ("temozolomide", 200.0)}
    assert own.doses == []  # the arm's doses are not the study's


def test_arms_named_only_by_trial_names_learn_their_treatment_from_their_dose_sentences():
    # the title names two trials (AVENEC, CABOAVENEC); "In AVENEC, avelumab 10 mg/kg was infused ..."
    reading = Reading(dev_context("d12-weber2023"))
    own = reading.state.own
    assert own.table_arms == []
    reading.arms.prepass(paragraphs(reading.ctx))
    assert own.text_arms == ["AVENEC", "CABOAVENEC"]
    assert own.arm_treatments["AVENEC"][:2] == ("Avelumab", ["avelumab"])
    assert own.arm_treatments["CABOAVENEC"][:2] == ("Avelumab + cabozantinib", ["avelumab", "cabozantinib"])
    arm, _ = reading.placer.read_sentence(sentence_with(reading.ctx, "In AVENEC, avelumab"), own, None, [])
    assert arm == "AVENEC"  # "this trial" in the next sentences
    assert [(d.drug, d.amount) for d, _ in own.arm_doses["AVENEC"]] == [("avelumab", 10.0)]
    # the learnt drugs name the arm elsewhere
    assert reading.arms.named(own, "avelumab") == "AVENEC"
