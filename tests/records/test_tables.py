"""Tables become cohorts (records/tables.py + assemble.py), on the review's and dev papers' real tables."""

from __future__ import annotations

from functools import lru_cache

import pytest

from gepnec_extract.ingest.pdf import read_pdf
from gepnec_extract.model import Dose, PrimarySite, Survival, Toxicity
from gepnec_extract.records import build_context
from gepnec_extract.records.assemble import assemble
from gepnec_extract.nlp.headers import classify_header
from gepnec_extract.records.tables import records_from_table

from ..conftest import CORPUS, REVIEW_PDF


@lru_cache(maxsize=None)
def table_cohorts(path: str):
    """Cohorts from the tables alone (no text), assembled, keyed by (study_id, arm)."""
    document = read_pdf(path)
    ctx = build_context(document)
    cohorts = assemble([c for t in document.tables for c in records_from_table(t, ctx)], ctx)
    return {(c.study.study_id, c.arm): c for c in cohorts}


def review():
    return table_cohorts(str(REVIEW_PDF))


def dev(name: str):
    path = CORPUS / "dev" / f"{name}.pdf"
    if not path.exists():
        pytest.skip("../shared/corpus/dev is not beside the repository")
    return table_cohorts(str(path))


@pytest.mark.parametrize("header, field", [
    ("First author (year) [ref]", "study"), ("Patients with NEC, n (total in study)", "patients"),
    ("Primary site of NEC (n)", "sites"), ("Chemotherapy regimen", "regimen"), ("RR, %", "rr"),
    ("Median OS (range), mo", "os"), ("Median PFS (range), mo", "pfs"), ("Toxicities (%)", "tox"),
    ("Line of tx", "line"), ("Type of study", "design"), ("CR, n (%)", "cr"), ("Partial response, n (%)", "pr"),
    ("Overall response, n (%)", "rr"), ("Median OS, months (95% CI)", "os"), ("Adverse event", "tox"),
    ("Cycle length", "schedule"), ("P value", "p_value"), ("IP (n = 160)", "other"), ("Subgroup", "group"),
])
def test_header_semantics(header, field):
    assert classify_header(header).field == field


def test_header_units_and_intervals():
    assert classify_header("Median OS, months (95% CI)").interval == "ci95"
    assert classify_header("Median PFS (range), mo").interval == "range"
    assert classify_header("Median OS, weeks").weeks
    assert classify_header("CR, n (%)").counts_first


def test_review_study_row_with_three_labelled_cohorts():
    cohorts = review()
    nec = cohorts[("Moertel1991", "NEC")]
    assert nec.values["rr_pct"] == 67 and nec.values["cr_pct"] == 17 and nec.values["pd_pct"] == 0
    assert nec.values["os_months"] == Survival(median=19, low=5, high=36, kind="range", not_reached=False)
    assert nec.values["population"] == "PDNEC"  # "NEC" beside well-differentiated cohorts
    assert nec.values["n_patients"] == 18 and nec.values["n_total"] == 45
    assert [s.site for s in nec.values["primary_sites"]] == ["gastroenteropancreatic", "lung", "unknown primary"]
    islet = cohorts[("Moertel1991", "Islet WDNET")]  # OS column says "Islet NET": the same cohort
    assert islet.values["os_months"].median == 15.5 and islet.values["rr_pct"] == 14
    whole = cohorts[("Moertel1991", "All patients")]
    assert whole.values["n_patients"] == 45 and whole.values["population"] == "mixed"
    assert Toxicity(event="nephrotoxicity", grade=None, pct=66.0) in whole.values["toxicities"]
    assert "toxicities" not in nec.values  # study-wide toxicities belong to the whole series
    assert nec.study.ref == 16 and nec.values["drugs"] == ["cisplatin", "etoposide"]


def test_review_arms_named_by_the_regimen_cell():
    cohorts = review()
    a, b = cohorts[("Deutschbein2011", "Regimen A")], cohorts[("Deutschbein2011", "Regimen B")]
    assert (a.values["n_patients"], b.values["n_patients"]) == (8, 12)
    assert a.values["regimen"] == "carboplatin/paclitaxel/etoposide" and b.values["drugs"] == ["etoposide", "paclitaxel"]
    assert a.values["rr_pct"] == b.values["rr_pct"] == 17  # printed once for both arms
    assert (a.values["sd_pct"], b.values["sd_pct"]) == (50, 42)
    assert (a.values["pfs_months"].median, b.values["pfs_months"].median) == (6.7, 6.3)
    assert Toxicity(event="infection", grade="3", pct=17.0) in b.values["toxicities"]
    assert not any(t.event == "infection" for t in a.values["toxicities"])
    assert ("Deutschbein2011", "All patients") not in cohorts


def test_review_arms_named_in_outcome_cells_get_their_own_regimen():
    cohorts = review()
    ip, ep = cohorts[("Yamaguchi2014", "IP")], cohorts[("Yamaguchi2014", "etoposide")]
    assert (ip.values["rr_pct"], ep.values["rr_pct"]) == (50, 28)
    assert (ip.values["os_months"].median, ep.values["pfs_months"].median) == (13, 4.0)
    assert ip.values["drugs"] == ["cisplatin", "irinotecan"] and ep.values["drugs"] == ["cisplatin", "etoposide"]
    assert ip.values["n_total"] == 258 and "n_patients" not in ip.values  # "258 (of whom 206 ...)"


def test_review_site_counts_that_are_percentages_lose_their_n():
    whole = review()[("Bajetta2007", "All patients")]
    assert PrimarySite(site="lung", n=None) in whole.values["primary_sites"]


def test_cohort_rows_of_a_primary_paper():
    cohorts = dev("d01-mitry1999")
    poor = cohorts[("Mitry1999", "Poorly differentiated")]
    assert poor.values["population"] == "PDNEC"
    assert (poor.values["cr_pct"], poor.values["pr_pct"], poor.values["rr_pct"]) == (9.8, 31.7, 41.5)
    assert poor.values["os_months"] == Survival(median=15, low=11.7, high=25, kind="range", not_reached=False)
    well = cohorts[("Mitry1999", "Well differentiated")]
    assert well.values["cr_pct"] == 0 and well.values["population"] == "WDNET"


def test_arms_as_columns():
    cohorts = dev("d03-yamaguchi2014")
    ip, ep = cohorts[("Yamaguchi2014", "IP")], cohorts[("Yamaguchi2014", "EP")]
    assert (ip.values["n_patients"], ep.values["n_patients"]) == (160, 46)
    assert (ip.values["rr_pct"], ep.values["pfs_months"].median, ep.values["os_months"].median) == (50, 4.0, 7.3)


def test_dose_schedule_table():
    whole = dev("d02-hainsworth2006")[("Hainsworth2006", "All patients")]
    doses = whole.values["doses"]
    assert Dose(drug="carboplatin", amount=6.0, unit="AUC", days="1", route="IV", schedule=21) in doses
    assert Dose(drug="etoposide", amount=100.0, unit="mg", days="1-10", route="oral", schedule=21) in doses


def test_subgroup_rows_named_with_their_characteristic():
    cohorts = dev("d10-olsen2012")
    assert cohorts[("Olsen2012", "PS 0–1")].values["os_months"].median == 4.5
    assert cohorts[("Olsen2012", "Ki-67 ≥50%")].values["os_months"].median == 2.7
    pancreas = cohorts[("Olsen2012", "Pancreas")]
    assert pancreas.values["primary_sites"] == [PrimarySite(site="pancreas", n=7)]
    assert pancreas.values["population"] != "GEPNEC"  # a site is not a tumour type


def test_response_and_toxicity_lists_fill_the_whole_cohort():
    okuma = dev("d08-okuma2014")[("Okuma2014", None)]
    assert okuma.values["pr_pct"] == 50.0
    hadoux = dev("d06-hadoux2015")[("Hadoux2015", None)]
    assert Toxicity(event="neutropenia", grade="3-4", pct=35.0) in hadoux.values["toxicities"]


def test_subgroup_heading_rows_are_not_cohorts_and_name_their_subgroups():
    cohorts = dev("d13-ramirez2016")
    arms = {arm for _, arm in cohorts}
    assert not arms & {"Primary site", "Ki-67 index"}  # heading rows of the subgroup table
    assert {"Pancreatic", "Nonpancreatic", "Ki-67 <2%", "Ki-67 2–20%", "Ki-67 >20%"} <= arms
    whole = next(c for (_, arm), c in cohorts.items() if arm == "All patients")
    grades = {(t.event, t.grade) for t in whole.values["toxicities"]}
    assert ("nausea", "1-2") in grades and ("diarrhea", "3-4") in grades  # the grade is the column's


def test_study_header_rows_with_cohort_rows_beneath():
    cohorts = dev("d18-review-grouped")
    studies = {study for study, _ in cohorts}
    assert len(studies) == 9
    assert not any(arm and " et al." in arm for _, arm in cohorts)  # a study header row is not a cohort
    by_study = {}
    for (study, arm), cohort in cohorts.items():
        by_study.setdefault(study, []).append(cohort)
    # a study with one cohort row is one record; one with several keeps one per row
    assert max(len(group) for group in by_study.values()) >= 3
    assert min(len(group) for group in by_study.values()) == 1
    weeks = [c for c in cohorts.values() if any("wk" in e.text for e in c.evidence if e.field == "os_months")]
    assert weeks and all(c.values["os_months"].median < 10 for c in weeks)  # weeks became months


def test_studies_as_columns_become_one_record_group_per_column():
    cohorts = dev("d17-review-transposed")
    studies = {study for study, _ in cohorts}
    assert len(studies) >= 5
    two_arms = [group for group in ({a for s, a in cohorts if s == study} for study in studies) if len(group) > 1]
    assert two_arms  # a column whose cells hold "A ...; B ..." gives two cohorts
    compound = [c for c in cohorts.values() if any("/" in e.text for e in c.evidence if e.field == "sd_pct")]
    assert compound and all(c.values.get("pr_pct") is not None for c in compound)
