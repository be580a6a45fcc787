"""Records from running text, on real inputs: the review (ours) and dev papers read from ../shared."""

from __future__ import annotations

from functools import lru_cache

import pytest

from gepnec_extract.ingest.pdf import read_pdf
from gepnec_extract.model import Document, Dose
from gepnec_extract.records import build_context
from gepnec_extract.records.cohort import Cohort
from gepnec_extract.records.text import records_from_text

from ..conftest import CORPUS, REVIEW_PDF


@lru_cache(maxsize=None)
def _document(path: str) -> Document:
    return read_pdf(path)


@lru_cache(maxsize=None)
def _text_cohorts(path: str) -> tuple[Cohort, ...]:
    return tuple(records_from_text(build_context(_document(path))))


def _dev(name: str) -> str:
    path = CORPUS / "dev" / f"{name}.pdf"
    if not path.exists():
        pytest.skip("../shared/corpus/dev is not beside the repository")
    return str(path)


def _cohort(cohorts, study_id: str, arm: str | None) -> Cohort:
    found = [c for c in cohorts if c.study.study_id == study_id and c.arm == arm]
    assert found, f"no text cohort {study_id} / {arm}: {[(c.study.study_id, c.arm) for c in cohorts]}"
    return found[0]


# --- the review -----------------------------------------------------------------------------------

def test_review_study_reported_only_in_text_gets_one_cohort_per_compared_regimen():
    cohorts = _text_cohorts(str(REVIEW_PDF))
    irinotecan = _cohort(cohorts, "Noda", "cisplatin/irinotecan")
    etoposide = _cohort(cohorts, "Noda", "cisplatin/etoposide")
    assert irinotecan.values["os_months"].median == 12.8
    assert etoposide.values["os_months"].median == 9.4
    assert irinotecan.study.ref == 36  # "[36]" at the end of the paragraph's next sentence
    assert irinotecan.values["drugs"] == ["cisplatin", "irinotecan"]
    assert irinotecan.values["population"] == "SCLC"
    # study-level facts go to the arm-None cohort (assemble spreads them); two arms: randomization unknown
    design = _cohort(cohorts, "Noda", None).values["design"]
    assert (design.prospective, design.phase, design.randomized) == (True, "2", None)
    assert all(e.source == "text" and "Noda et al." in e.text for e in irinotecan.evidence
               if e.field == "os_months")


def test_review_dose_sentence_gives_dose_tuples_to_the_cited_study():
    cohorts = _text_cohorts(str(REVIEW_PDF))
    iwasa = [c for c in cohorts if c.study.study_id == "Iwasa2010"]
    doses = [d for c in iwasa for d in c.values.get("doses", [])]
    assert Dose(drug="cisplatin", amount=80.0, unit="mg/m2", days="1", route="IV", schedule=None) in doses  # "every 3–4 weeks": no one cycle length (spec, review gold)
    assert {d.drug for d in doses} == {"cisplatin", "etoposide"}


def test_review_studies_only_mentioned_without_figures_get_no_record():
    cohorts = _text_cohorts(str(REVIEW_PDF))
    outcome = {"rr_pct", "cr_pct", "pr_pct", "sd_pct", "pd_pct", "os_months", "pfs_months", "toxicities"}
    text_only = {c.study.study_id for c in cohorts if c.study.study_id not in _table_study_ids()}
    for study_id in text_only:
        assert any(outcome & set(c.values) for c in cohorts if c.study.study_id == study_id), study_id


@lru_cache(maxsize=1)
def _table_study_ids() -> frozenset[str]:
    from gepnec_extract.records.tables import records_from_table

    document = _document(str(REVIEW_PDF))
    ctx = build_context(document)
    return frozenset(c.study.study_id for t in document.tables for c in records_from_table(t, ctx))


# --- primary papers ------------------------------------------------------------------------------------

def test_primary_paper_whole_cohort_survival_and_study_facts():
    cohorts = _text_cohorts(_dev("d02-hainsworth2006"))
    assert {c.study.study_id for c in cohorts} == {"Hainsworth2006"}
    whole = _cohort(cohorts, "Hainsworth2006", None)
    assert whole.values["os_months"].median == 14.5
    assert whole.values["pfs_months"].median == 7.5
    assert whole.values["n_patients"] == 78
    assert whole.values["line"] == "first"
    design = whole.values["design"]
    assert (design.prospective, design.randomized, design.phase, design.centers) == (True, False, "2", "multi")


def test_primary_paper_figures_go_to_the_arm_the_sentence_names():
    cohorts = _text_cohorts(_dev("d01-mitry1999"))
    poorly = _cohort(cohorts, "Mitry1999", "Poorly differentiated")
    assert poorly.values["rr_pct"] == 41.5
    assert poorly.values["pfs_months"].median == 8.9  # "Median PFS in this group": the arm carries over
    whole = _cohort(cohorts, "Mitry1999", None)
    assert "rr_pct" not in whole.values
    toxicity = {(t.event, t.grade, t.pct) for t in whole.values["toxicities"]}
    assert ("hematologic toxicity", "3-4", 60.0) in toxicity


def test_primary_paper_doses_take_the_cycle_length_of_the_next_sentence():
    cohorts = _text_cohorts(_dev("d01-mitry1999"))
    doses = _cohort(cohorts, "Mitry1999", None).values["doses"]
    assert Dose(drug="cisplatin", amount=100.0, unit="mg/m2", days="1", route="IV", schedule=21) in doses
    assert Dose(drug="etoposide", amount=100.0, unit="mg/m2/day", days="1-3", route="IV", schedule=21) in doses


def test_primary_paper_does_not_take_figures_quoted_from_cited_work():
    # the Introduction quotes the earlier series' doses (130 and 45 mg/m2) and the Discussion its response rate
    cohorts = _text_cohorts(_dev("d01-mitry1999"))
    assert {c.study.study_id for c in cohorts} == {"Mitry1999"}
    amounts = {d.amount for c in cohorts for d in c.values.get("doses", [])}
    assert amounts == {100.0}
    lu = _text_cohorts(_dev("d09-lu2013"))
    rates = {c.values.get("rr_pct") for c in lu}
    assert 41.5 not in rates  # "the 41.5% response rate ... reported by Mitry et al. [1]"


def test_primary_paper_compared_arms_from_a_vs_sentence():
    cohorts = _text_cohorts(_dev("d03-yamaguchi2014"))
    assert _cohort(cohorts, "Yamaguchi2014", "IP").values["regimen"] == "IP"
    assert _cohort(cohorts, "Yamaguchi2014", "EP").values["drugs"] == ["cisplatin", "etoposide"]
    whole = _cohort(cohorts, "Yamaguchi2014", None)
    assert whole.values["design"].centers == "multi"


def test_review_subgroups_named_in_text_get_their_own_cohorts():
    cohorts = _text_cohorts(str(REVIEW_PDF))
    # "67% of those with PDNECs ..., in contrast to only 7% of patients with WDNET": the PDNEC figure
    # goes to the table's only poorly differentiated arm, the WDNET one to a new subgroup cohort
    wdnet = _cohort(cohorts, "Moertel1991", "WDNET")
    assert wdnet.values["rr_pct"] == 7.0
    assert wdnet.values["population"] == "WDNET"
    assert _cohort(cohorts, "Moertel1991", "NEC").values["rr_pct"] == 67.0
    # "patients with a Ki-67 index >=50% had a shorter median OS compared with ... <50% (2.7 vs. 10.9 months)"
    assert _cohort(cohorts, "Olsen2012", "Ki-67 ≥50%").values["os_months"].median == 2.7
    assert _cohort(cohorts, "Olsen2012", "Ki-67 <50%").values["os_months"].median == 10.9


def test_review_binary_marker_pair_and_study_described_before_its_reference():
    cohorts = _text_cohorts(str(REVIEW_PDF))
    # "A single-institution, retrospective analysis was conducted in 32 patients ... This study found that
    # PD-L1 positive tumors were associated with ... (16 vs. 24.8 months) ... (75% vs. 11.8%) [93]."
    positive = _cohort(cohorts, "Ref93", "PD-L1 positive")
    negative = _cohort(cohorts, "Ref93", "PD-L1 negative")
    assert (positive.values["os_months"].median, positive.values["rr_pct"]) == (16.0, 75.0)
    assert (negative.values["os_months"].median, negative.values["rr_pct"]) == (24.8, 11.8)
    assert positive.values["n_total"] == 32
    design = _cohort(cohorts, "Ref93", None).values["design"]
    assert (design.prospective, design.centers) == (False, "single")


def test_primary_paper_subgroup_figures_per_arm():
    # "In the HBP subgroup, the response rate was 39% with IP compared with 12% with EP"
    cohorts = _text_cohorts(_dev("d03-yamaguchi2014"))
    assert _cohort(cohorts, "Yamaguchi2014", "HBP: IP").values["rr_pct"] == 39.0
    assert _cohort(cohorts, "Yamaguchi2014", "HBP: EP").values["rr_pct"] == 12.0
    # the subgroup's figure is not the arm's: "50% vs 28%" of the whole series stays on IP
    assert _cohort(cohorts, "Yamaguchi2014", "IP").values["rr_pct"] == 50.0


# --- the grammar of results in running text (made-up papers) ----------------------------------------

def _paper(*paragraphs: str, title: str = "A trial in advanced neuroendocrine carcinoma") -> Document:
    from gepnec_extract.model import Block, Metadata

    blocks = [Block(page=1, text=title, kind="title")]
    blocks += [Block(page=1, section="Results", text=text) for text in paragraphs]
    return Document(doc_id="quill2031", metadata=Metadata(title=title, first_author="Quill", year=2031), blocks=blocks)


def _records(document: Document):
    from gepnec_extract.records import extract_records

    return {r.arm: r for r in extract_records(document)}


def _synthetic_review(prose: str, tables=()) -> Document:
    """A made-up review: a title page, then one Results paragraph on page 2 (and its tables)."""
    from gepnec_extract.model import Block, Metadata

    title = "Chemotherapy of carcinoma: a review"
    return Document(doc_id="synthetic", metadata=Metadata(title=title), tables=list(tables),
                    blocks=[Block(page=1, text=title, kind="title"), Block(page=2, section="Results", text=prose)])


def test_allocation_sentence_gives_arms_their_regimen_and_size():
    records = _records(_paper(
        "In total, 120 patients were randomly assigned: 61 to sunitinib and 59 to sunitinib plus everolimus.",
        "Median PFS was 8.2 months in the sunitinib arm and 11.9 months in the sunitinib plus everolimus arm "
        "(HR 0.66; P = .02)."))
    single, combined = records["Sunitinib"], records["Sunitinib plus everolimus"]
    assert (single.n_patients, combined.n_patients) == (61, 59)
    assert single.n_total == combined.n_total == 120
    assert single.drugs == ["sunitinib"] and combined.drugs == ["everolimus", "sunitinib"]
    assert (single.pfs_months.median, combined.pfs_months.median) == (8.2, 11.9)
    assert single.pfs_months.low is None  # the hazard ratio's figures are not the median's interval
    assert single.design.randomized is True


def test_doses_of_each_arm_follow_the_drugs_the_arm_is_given():
    records = _records(_paper(
        "Overall, 80 patients were randomized, 40 to lanreotide and 40 to lanreotide plus everolimus.",
        "In the first arm, lanreotide 120 mg was injected every 28 days. In the second arm, lanreotide 120 mg "
        "every 28 days was combined with everolimus 10 mg orally once daily."))
    single, combined = records["Lanreotide"], records["Lanreotide plus everolimus"]
    assert [d.drug for d in single.doses] == ["lanreotide"]
    assert sorted(d.drug for d in combined.doses) == ["everolimus", "lanreotide"]
    assert next(d for d in combined.doses if d.drug == "everolimus").route == "oral"


def test_arms_named_by_a_letter_take_their_treatment_size_and_figures_in_turn():
    """"randomly assigned to arm A, <treatment> (n = N), or arm B, ...": each lettered arm takes the
    drugs and doses named inside its part of the sentence, its size, and each later figure the
    sentence names it by ("41% in arm A and 47% in arm B", "..., respectively")."""
    records = _records(_paper(
        "Sixty patients were randomly assigned to arm A, carboplatin AUC 5 IV on day 1 plus etoposide 100 mg/m2 "
        "IV on days 1-3 every 3 weeks (n = 31), or arm B, cisplatin 75 mg/m2 IV on day 1 plus etoposide "
        "100 mg/m2 IV on days 1-3 every 3 weeks (n = 29).",
        "The objective response rate was 40% in arm A and 45% in arm B. Median overall survival was 10.9 months "
        "(95% CI 8.0-13.1) in arm A versus 11.6 months (95% CI 9.2-14.4) in arm B; median PFS was 5.0 and 5.4 "
        "months, respectively.",
        "Grade 3-4 neutropenia occurred in 52% of patients in arm A and 60% in arm B."))
    a, b = records["Arm A"], records["Arm B"]
    assert (a.n_patients, b.n_patients, a.n_total) == (31, 29, 60)
    assert (a.drugs, b.drugs) == (["carboplatin", "etoposide"], ["cisplatin", "etoposide"])
    assert sorted(d.drug for d in a.doses) == ["carboplatin", "etoposide"]
    assert sorted(d.drug for d in b.doses) == ["cisplatin", "etoposide"]  # not arm A's carboplatin
    assert (a.rr_pct, b.rr_pct) == (40.0, 45.0)
    assert (a.os_months.median, a.os_months.high, b.os_months.median) == (10.9, 13.1, 11.6)
    assert (a.pfs_months.median, b.pfs_months.median) == (5.0, 5.4)
    assert [(t.event, t.pct) for t in a.toxicities] == [("neutropenia", 52.0)]
    assert [(t.event, t.pct) for t in b.toxicities] == [("neutropenia", 60.0)]
    assert set(records) == {"Arm A", "Arm B"}  # no third, arm-less cohort


def test_a_lone_letter_is_no_arm_name():
    """An arm "Arm A" is not named by every article "a" of a sentence."""
    from gepnec_extract.nlp.discourse import arm_spans

    text = "a partial response in arm A and a minor one"
    assert arm_spans("Arm A", text) == [(text.index("arm A"), text.index("arm A") + 5)]
    text = "2 patients of group 2"
    assert arm_spans("Group 2", text) == [(text.index("group 2"), len(text))]


def test_toxicity_list_sharing_one_figure_and_x_of_n_responses():
    record = next(iter(_records(_paper(
        # a treatment study (a dose is printed): a paper whose own study names no treatment gives no records
        "Thirty-two patients were enrolled and treated.", "Temozolomide 150 mg/m2 was given orally on days 1–5.",
        "Six of 32 patients (19%) had a partial response, and none of the 32 patients had a complete response.",
        "Grade 3–4 anemia, leukopenia and diarrhea each occurred in 4 patients (13%).",
        "WHO grade 1–2 nephrotoxicity occurred in 11 of 32 patients (34%).")).values()))
    assert (record.pr_pct, record.cr_pct) == (19.0, 0.0)
    events = {(t.event, t.grade, t.pct) for t in record.toxicities}
    assert {("anemia", "3-4", 13.0), ("leukopenia", "3-4", 13.0), ("diarrhea", "3-4", 13.0),
            ("nephrotoxicity", "1-2", 34.0)} <= events


def test_survival_in_weeks_with_an_open_upper_bound_and_line_after_at_least_one_line():
    record = next(iter(_records(_paper(
        "Forty patients who had progressed after at least one line of chemotherapy were enrolled.",
        "Avelumab 10 mg/kg was given intravenously every 2 weeks.",  # a treatment study: a dose is printed
        "Median overall survival was 26.1 weeks (95% CI 17.4–not reached).")).values()))
    assert record.line == "mixed"
    assert (record.os_months.median, record.os_months.low, record.os_months.high) == (6.0, 4.0, None)
    assert record.os_months.kind == "ci95" and not record.os_months.not_reached


def test_a_paper_of_two_named_trials_gives_each_its_treatment_figures_and_size():
    records = _records(_paper(
        "With lanreotide alone, 4 patients (10%) had a partial response.",
        "Both trials were open-label phase II studies. In ORCA, lanreotide 120 mg was injected every 28 days. "
        "In ORCA-2, lanreotide 120 mg every 28 days was combined with everolimus 10 mg orally once daily.",
        "ORCA enrolled 40 patients. Median progression-free survival was 30.4 weeks (95% CI 21.7–39.1).",
        "At the interim analysis, 18 patients had been treated in ORCA-2. Five of the 18 patients (28%) had a "
        "partial response.", title="Lanreotide alone or with everolimus: the phase II ORCA and ORCA-2 trials"))
    first, second = records["ORCA"], records["ORCA-2"]
    assert (first.n_patients, second.n_patients) == (40, 18)
    assert (first.pr_pct, second.pr_pct) == (10.0, 28.0)
    assert first.drugs == ["lanreotide"] and second.drugs == ["everolimus", "lanreotide"]
    assert first.pfs_months.median == 7.0 and second.pfs_months is None
    everolimus = next(d for d in second.doses if d.drug == "everolimus")
    assert everolimus.schedule is None  # "every 28 days" is the other drug's, not a cycle of the regimen
    assert set(records) == {"ORCA", "ORCA-2"}  # no whole-series record of figures


def _review(table_rows, *paragraphs: str):
    return {r.study_id: r for r in _review_records(table_rows, *paragraphs)}


def _review_records(table_rows, *paragraphs: str):
    from gepnec_extract.model import Block, Metadata, Table
    from gepnec_extract.records import extract_records

    title = "Chemotherapy of neuroendocrine carcinoma: a review"
    blocks = [Block(page=1, text=title, kind="title")]
    blocks += [Block(page=1, section="Results", text=text) for text in paragraphs]
    table = Table(label="Table 1", page=2, header_rows=1, rows=table_rows)
    document = Document(doc_id="synthetic", metadata=Metadata(title=title), blocks=blocks, tables=[table])
    return extract_records(document)


def test_review_text_gives_the_adverse_events_of_a_tabulated_study_when_no_table_lists_them():
    rows = [["Study", "Regimen", "Patients, n", "ORR, %"], ["Quill et al. 2019 [3]", "Cisplatin + etoposide", "30", "40"],
            ["Brack 2010 [4]", "Temozolomide", "12", "8"]]
    text = ("Quill et al. [3] treated 30 patients with cisplatin and etoposide. Grade 3 rash and grade 4 "
            "neutropenia were noted in 10% and 20% of patients, respectively, and febrile neutropenia in 5%.")
    quill = _review(rows, text)["Quill2019"]
    assert {(t.event, t.grade, t.pct) for t in quill.toxicities} == {
        ("rash", "3", 10.0), ("neutropenia", "4", 20.0), ("febrile neutropenia", None, 5.0)}
    # a review whose table lists adverse events: the table is their source, the text adds none
    with_tox = [rows[0] + ["Grade 3–4 toxicity"], rows[1] + ["Neutropenia (20%)"], rows[2] + ["–"]]
    quill = _review(with_tox, text)["Quill2019"]
    assert {(t.event, t.pct) for t in quill.toxicities} == {("neutropenia", 20.0)}


def test_review_series_only_part_of_which_is_poorly_differentiated_is_mixed():
    rows = [["Study", "Regimen", "Patients, n", "ORR, %"], ["Brack 2010 [4]", "Temozolomide", "12", "8"],
            ["Zorn 2015 [7]", "Temozolomide", "10", "10"]]
    quill = _review(rows, "In a retrospective series, Quill et al. (2019) [3] treated 40 patients with neuroendocrine "
                          "neoplasms, 12 of them poorly differentiated, with capecitabine and oxaliplatin. The "
                          "response rate was 25% and median overall survival 14.2 months.")["Quill2019"]
    assert quill.population == "mixed" and quill.rr_pct == 25.0


@pytest.mark.parametrize("label, population", [
    ("NET of any grade (4 NEC)", "mixed"), ("progressive high-grade neuroendocrine neoplasms", "mixed"),
    ("neutropenia of any grade in NEC", "NEC"), ("high-grade neuroendocrine carcinoma", "NEC")])
def test_populations_that_span_both_differentiations(label, population):
    from gepnec_extract.nlp.phrases import population_of

    assert population_of(label) == population



def test_review_sentence_comparing_two_regimens_gives_each_the_adverse_events_named_after_it():
    rows = [["Study / cohort", "Regimen", "n", "ORR, %"], ["Quill et al. 2019 [3]; retrospective", "", "", ""],
            ["Regimen A", "Cisplatin + etoposide", "16", "40"], ["Regimen B", "Carboplatin + etoposide", "14", "20"],
            ["Brack 2010 [4]; retrospective", "", "", ""], ["All patients", "Temozolomide", "12", "8"]]
    records = _review_records(
        rows, "Quill et al. [3] compared two regimens. Regimen A caused grade 3–4 neutropenia in 60% of patients, whereas regimen B caused grade 3 fatigue "
              "in 15% and grade 2 renal failure in 5%.")
    quill = {r.arm: r for r in records if r.study_id == "Quill2019"}
    events = {arm: {(t.event, t.grade, t.pct) for t in r.toxicities} for arm, r in quill.items()}
    assert events["Regimen A"] == {("neutropenia", "3-4", 60.0)}
    assert events["Regimen B"] == {("fatigue", "3", 15.0), ("renal failure", "2", 5.0)}


def test_subgroups_only_the_running_text_reports_become_cohorts_of_the_tabulated_study():
    """A review's table gives a study's whole series; its prose adds subgroups ("among the four patients
    with X", a Ki-67 threshold, "the 9 patients with X ... than the 12 with Y"): each a cohort with
    its own figures and size, the study's regimen and the whole series' population."""
    from gepnec_extract.model import Table
    from gepnec_extract.records import extract_records

    table = Table(label="Table 1", page=2, header_rows=1, rows=[
        ["Characteristic", "Quill et al. 2014 [3]", "Brack et al. 2011 [4]"],
        ["Patients, n", "21", "30"],
        ["Regimen", "Temozolomide", "Cisplatin + etoposide"],
        ["Tumour type", "NEC", "NEC"],
        ["ORR, %", "10", "40"],
        ["Median OS, months", "6.0", "11.0"],
    ])
    prose = ("Quill et al. [3] gave temozolomide to 21 patients. Median overall survival was 11.9 months when the "
             "Ki-67 index was under 40% and 3.7 months when it was 40% or more. The 9 patients with a colonic "
             "primary survived longer than the 12 with other primaries (median overall survival 8.0 versus 3.9 "
             "months). Fitness counted too, with medians of 5.5 months for patients with a performance status of 0 "
             "and 2.1 months for those with a performance status of 1–2. "
             "Brack et al. [4] treated 30 patients with cisplatin and etoposide. Among the four patients with "
             "small-cell histology, the partial response rate was 25%.")
    document = _synthetic_review(prose, tables=[table])
    records = {(r.study_id, r.arm): r for r in extract_records(document)}
    low, high = records[("Quill2014", "Ki-67 <40%")], records[("Quill2014", "Ki-67 ≥40%")]
    assert (low.os_months.median, high.os_months.median) == (11.9, 3.7)
    assert low.regimen == "Temozolomide" and low.n_total == 21 and low.population == "NEC"
    gastric, other = records[("Quill2014", "Colonic primary")], records[("Quill2014", "Other primaries")]
    assert (gastric.n_patients, gastric.os_months.median) == (9, 8.0)
    assert (other.n_patients, other.os_months.median) == (12, 3.9)
    assert (records[("Quill2014", "PS 0")].os_months.median, records[("Quill2014", "PS 1–2")].os_months.median) \
        == (5.5, 2.1)
    small = records[("Brack2011", "Small-cell histology")]
    assert (small.n_patients, small.pr_pct) == (4, 25.0) and small.drugs == ["cisplatin", "etoposide"]
    assert records[("Quill2014", "All patients")].os_months.median == 6.0  # the table's whole series keeps its own


def test_arms_compared_within_a_subgroup_the_prose_names_are_that_subgroup_of_each_arm():
    """"among biliary and gastric primaries, the response rates were 30% and 10% with IP and EP,
    respectively": the subgroup of each tabulated arm, with the arm's regimen."""
    from gepnec_extract.model import Table
    from gepnec_extract.records import extract_records

    table = Table(label="Table 1", page=2, header_rows=1, rows=[
        ["Study / cohort", "Regimen", "n", "ORR, %", "Median OS, mo"],
        ["Quill et al. 2014 [3]; retrospective, multicentre; 120 patients", "", "", "", ""],
        ["IP", "Irinotecan + cisplatin", "80", "45", "12.0"],
        ["EP", "Etoposide + cisplatin", "40", "25", "8.0"],
    ])
    prose = ("Quill et al. [3] compared irinotecan plus cisplatin (IP) with etoposide plus cisplatin (EP) in 120 "
             "patients. Responses stayed apart among biliary and gastric primaries, where the response rates "
             "were 30% and 10% with IP and EP, respectively.")
    document = _synthetic_review(prose, tables=[table])
    records = {(r.study_id, r.arm): r for r in extract_records(document)}
    ip, ep = (records[("Quill2014", f"Biliary and gastric primaries: {arm}")] for arm in ("IP", "EP"))
    assert (ip.rr_pct, ep.rr_pct) == (30.0, 10.0)
    assert ip.drugs == ["cisplatin", "irinotecan"] and ep.drugs == ["cisplatin", "etoposide"]
    assert records[("Quill2014", "IP")].rr_pct == 45  # the arm itself keeps the table's figure


@pytest.mark.parametrize("verb", ["retrospectively reviewed", "analysed", "treated"])
def test_a_cited_study_reported_only_in_prose_takes_the_size_it_studied(verb):
    from gepnec_extract.records import extract_records

    prose = (f"Quill et al. (2009) [4] {verb} 33 patients with small-cell carcinoma given topotecan. "
             "The response rate was 15%.")
    document = _synthetic_review(prose)
    record = next(r for r in extract_records(document) if r.study_id == "Quill2009")
    assert record.n_patients == 33 and record.rr_pct == 15


def test_a_whole_series_the_prose_names_keeps_that_name_and_a_one_cohort_study_none():
    from gepnec_extract.records import extract_records

    prose = ("Quill et al. [3] gave drugamab to 40 patients with neuroendocrine tumours, 10 of them poorly "
             "differentiated. In the whole series the response rate was 30%. Among the ten patients with poorly "
             "differentiated tumours, the response rate reached 20%. Brack et al. [4] gave cisplatin and etoposide "
             "to 25 patients. For the whole series, the response rate was 44%.")
    document = _synthetic_review(prose)
    records = {(r.study_id, r.arm): r for r in extract_records(document)}
    assert records[("Quill", "Whole series")].rr_pct == 30
    assert records[("Quill", "PDNEC")].rr_pct == 20
    assert records[("Brack", None)].rr_pct == 44  # one cohort: the study itself, arm null


def test_design_words_of_another_clause_than_the_citation_describe_other_studies():
    from gepnec_extract.records import extract_records

    prose = ("Most were retrospective chart reviews from a single centre, and no design is given for [5]. "
             "Quill et al. [5] treated 40 patients with etoposide and cisplatin; the "
             "response rate was 50%. Brack et al. [6] reported a retrospective, single-centre series of 30 patients "
             "given etoposide and cisplatin, with a response rate of 30%.")
    document = _synthetic_review(prose)
    records = {r.study_id: r for r in extract_records(document)}
    quill = records["Quill"].design
    assert records["Quill"].rr_pct == 50 and (quill is None or (quill.prospective, quill.centers) == (None, None))
    assert records["Brack"].design.prospective is False and records["Brack"].design.centers == "single"


def test_an_untreated_comparator_takes_none_of_the_treated_arms_regimen_or_line_from_the_text():
    from gepnec_extract.model import Table
    from gepnec_extract.records import extract_records

    table = Table(label="Table 1", page=2, header_rows=1, rows=[
        ["Characteristic", "Quill 2012 [5]", "Brack 2015 [6]"],
        ["Patients", "A 22; B 19", "26"],
        ["Regimen", "A FOLFIRI; B no chemotherapy (unfit)", "FOLFOX"],
        ["ORR", "A 28%; B –", "24%"],
        ["Median OS, months", "A 15; B 5.2", "8.1"],
    ])
    prose = ("Quill et al. [5] followed 41 patients after first-line platinum. Twenty-two of them received "
             "FOLFIRI (group A); the remaining 19 were unfit and had no chemotherapy (group B).")
    document = _synthetic_review(prose, tables=[table])
    records = {r.arm: r for r in extract_records(document) if r.study_id == "Quill2012"}
    assert records["A"].drugs == ["fluorouracil", "irinotecan", "leucovorin"]
    assert records["B"].drugs == [] and records["B"].line is None and records["B"].os_months.median == 5.2


def test_a_papers_untreated_comparator_the_prose_reports_is_a_cohort_without_the_treatment():
    """"OS was 15 months among FOLFOX-treated patients and 5.2 months among the 17 patients who did not
    receive it": the paper's own series (the treated) and a comparator "No FOLFOX", of the same design,
    with no drugs."""
    from gepnec_extract.model import Block, Document, Metadata
    from gepnec_extract.records import extract_records

    texts = ["We retrospectively reviewed 40 patients with NEC treated at a single centre. Twenty-three received "
             "FOLFOX after platinum failure.",
             "The objective response rate was 26%. Median OS was 15 months (range 9–22) among FOLFOX-treated "
             "patients and 5.2 months (range 1.1–14) among the 17 patients who did not receive it."]
    document = Document(doc_id="p", metadata=Metadata(title="FOLFOX after platinum in neuroendocrine carcinoma",
                                                      first_author="Quill", year=2014),
                        blocks=[Block(page=1, section="Results", text=t) for t in texts])
    records = {r.arm: r for r in extract_records(document)}
    comparator = records["No FOLFOX"]
    assert (comparator.n_patients, comparator.os_months.median, comparator.os_months.low) == (17, 5.2, 1.1)
    assert comparator.drugs == [] and comparator.design.centers == "single"
    treated = next(r for arm, r in records.items() if arm != "No FOLFOX")
    assert treated.os_months.median == 15 and treated.rr_pct == 26 and "oxaliplatin" in treated.drugs


@pytest.mark.parametrize("sentence, randomized", [
    ("", {None}), (" The study was randomized.", {True}),
    (" The study was not randomized.", {None}),  # the DESIGN fact is NEGATED (gepnec_context): no design
])
def test_a_design_the_paper_says_its_study_is_not_gives_no_design(sentence, randomized):
    """A sentence added to a real paper's methods (d10, whose design the text does not give): "was
    randomized" sets it, "was not randomized" does not (it did before: the negated fact and the word)."""
    from gepnec_extract.records import extract_records

    document = _document(_dev("d10-olsen2012")).model_copy(deep=True)
    methods = next(b for b in document.blocks if b.kind == "paragraph" and "Methods" in (b.section or ""))
    methods.text += sentence
    assert {r.design.randomized if r.design else None for r in extract_records(document)} == randomized


def test_a_review_sentence_gives_the_treatment_given_not_the_one_before_and_the_size_treated():
    """"a series of N patients who received X after progression on Y": X is the study's regimen, Y
    the patients' earlier treatment; "gave X to N patients" and "a series of N" are its size; a
    single drug named once is the regimen when it is the one drug dosed."""
    from gepnec_extract.records import extract_records

    records = {r.study_id: r for r in extract_records(_synthetic_review(
        "Quill et al. (2013) reported a retrospective series of 45 patients who received FOLFOX after progression "
        "on cisplatin-etoposide; the response rate was 22% and the median overall survival was 9.8 months. "
        "Marsh et al. (2015) treated 30 patients with temozolomide 200 mg/m2 on days 1-5 every 4 weeks, "
        "observing an objective response in 18%. Later, Fenwick et al. (2018) gave CAPTEM to 21 patients: "
        "partial responses were seen in 6 (29%)."))}
    quill, marsh, fenwick = records["Quill2013"], records["Marsh2015"], records["Fenwick2018"]
    assert (quill.regimen, quill.drugs, quill.n_patients) == ("FOLFOX", ["fluorouracil", "leucovorin", "oxaliplatin"], 45)
    assert (marsh.regimen, marsh.drugs, marsh.n_patients) == ("temozolomide", ["temozolomide"], 30)
    assert (fenwick.regimen, fenwick.n_patients, fenwick.pr_pct) == ("CAPTEM", 21, 29.0)


def test_author_year_citations_in_brackets_after_their_figures_each_take_their_own():
    """"<figures> (Quill and Marsh, 2015)": each sentence's figures go to the study its closing
    bracket cites, not to the study of the sentence before."""
    from gepnec_extract.records import extract_records

    records = {r.study_id: r for r in extract_records(_synthetic_review(
        "FOLFIRI gave a response rate of 31% and a median overall survival of 18 months (Quarry et al., 2012). "
        "In a retrospective analysis of 20 patients, FOLFOX achieved a response rate of 29% with a median "
        "progression-free survival of 4.5 months (Tillman and Rose, 2015). Capecitabine plus temozolomide was "
        "given to 25 patients, with a response rate of 32% (Vorn, 2016)."))}
    assert set(records) == {"Quarry2012", "Tillman2015", "Vorn2016"}
    quarry, tillman, vorn = records["Quarry2012"], records["Tillman2015"], records["Vorn2016"]
    assert (quarry.rr_pct, quarry.os_months.median, quarry.pfs_months, quarry.n_patients) == (31.0, 18.0, None, None)
    assert (tillman.rr_pct, tillman.pfs_months.median, tillman.pd_pct, tillman.n_patients) == (29.0, 4.5, None, 20)
    assert (vorn.rr_pct, vorn.n_patients, vorn.regimen) == (32.0, 25, "Capecitabine plus temozolomide")
