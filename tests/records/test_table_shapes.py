"""Review table shapes read by header semantics (records/tables.py, cells.py, columns.py), on invented
tables: studies as columns (transposed), study header rows with cohort rows beneath (grouped),
multi-arm and compound cells, "Same regimen" back-references, weeks and footnote marks.
The studies, surnames and figures are made up."""

from __future__ import annotations

import pytest

from gepnec_extract.model import Design, Document, Dose, Metadata, Survival, Table, Toxicity
from gepnec_extract.records import build_context
from gepnec_extract.records.assemble import assemble
from gepnec_extract.nlp.cells import split_cohorts
from gepnec_extract.nlp.headers import classify_header
from gepnec_extract.records.tables import records_from_table


def cohorts_of(*tables: Table, title: str = "Chemotherapy of neuroendocrine carcinoma: a review"):
    document = Document(doc_id="synthetic", metadata=Metadata(title=title), tables=list(tables))
    ctx = build_context(document)
    cohorts = assemble([c for t in document.tables for c in records_from_table(t, ctx)], ctx)
    return {(c.study.study_id, c.arm): c for c in cohorts}


TRANSPOSED = Table(label="Table 1", page=2, header_rows=1, footnote="a Range. b In weeks.", rows=[
    ["Characteristic", "Quill et al. 2004 [3]", "Brack 2010 [4]", "Zorn 2015 [7]"],
    ["Patients, n", "40", "A 20; B 15", "12"],
    ["Regimen", "Cisplatin + etoposide", "A irinotecan + cisplatin; B etoposide + cisplatin", "Temozolomide"],
    ["ORR, %", "31", "A 31%; B 18%", "8c"],
    ["CR/PR/SD/PD, %", "5/26/40/29", "–", "0/8/50/42"],
    ["Median PFS (95% CI), months", "4.1 (3.0–5.2)", "A 5.0 (4.1–6.3); B 3.2 (2.5–4.0)", "2.4 (1–9)a"],
    ["Median OS, months", "12.5c", "A 14.0; B 9.1", "40 (22–60)b"],
])


def test_studies_as_columns_are_recognised_by_their_header_citations():
    cohorts = cohorts_of(TRANSPOSED)
    quill = cohorts[("Quill2004", None)]
    assert quill.study.ref == 3
    assert quill.values["n_patients"] == 40 and quill.values["rr_pct"] == 31
    assert quill.values["drugs"] == ["cisplatin", "etoposide"]
    assert quill.values["pfs_months"] == Survival(median=4.1, low=3.0, high=5.2, kind="ci95", not_reached=False)
    assert quill.values["os_months"].median == 12.5  # the glued footnote mark "c" is not part of the value


def test_compound_cell_gives_one_field_per_header_part():
    quill = cohorts_of(TRANSPOSED)[("Quill2004", None)]
    assert (quill.values["cr_pct"], quill.values["pr_pct"], quill.values["sd_pct"], quill.values["pd_pct"]) \
        == (5, 26, 40, 29)
    assert classify_header("CR/PR/SD/PD, %").parts == ("cr", "pr", "sd", "pd")
    assert classify_header("Median PFS, mo").parts == ()


def test_multi_arm_cells_give_one_cohort_per_arm():
    cohorts = cohorts_of(TRANSPOSED)
    a, b = cohorts[("Brack2010", "A")], cohorts[("Brack2010", "B")]
    assert (a.values["rr_pct"], b.values["rr_pct"]) == (31, 18)
    assert (a.values["n_patients"], b.values["n_patients"]) == (20, 15)
    assert a.values["pfs_months"].median == 5.0 and b.values["pfs_months"].high == 4.0
    assert b.values["os_months"].median == 9.1


def test_footnote_marks_say_the_interval_kind_and_the_unit():
    zorn = cohorts_of(TRANSPOSED)[("Zorn2015", None)]
    # the row says 95% CI, the cell's mark "a" says range
    assert zorn.values["pfs_months"] == Survival(median=2.4, low=1, high=9, kind="range", not_reached=False)
    # mark "b": weeks, converted as the spec says (weeks / 4.345, one decimal)
    assert zorn.values["os_months"] == Survival(median=9.2, low=5.1, high=13.8, kind="range", not_reached=False)
    assert zorn.values["rr_pct"] == 8 and zorn.values["pd_pct"] == 42


def test_an_arm_table_of_the_papers_own_study_is_not_transposed_as_studies():
    own = Table(label="Table 2", page=3, header_rows=1, rows=[
        ["Outcome", "Drugamab (n = 30)", "Placebo (n = 28)"],
        ["Response rate, %", "20", "4"], ["Median PFS, months", "5.5", "2.1"]])
    document = Document(doc_id="own", metadata=Metadata(title="Drugamab in carcinoma", first_author="Quill",
                                                        year=2020), tables=[own])
    ctx = build_context(document)
    arms = {c.arm: c for c in records_from_table(own, ctx)}
    assert set(arms) == {"Drugamab", "Placebo"} and arms["Drugamab"].study.study_id == "Quill2020"


GROUPED = Table(label="Table 1", page=2, header_rows=1, footnote="a In weeks. b Range.", rows=[
    ["Study / cohort", "Regimen", "n", "ORR, %", "CR/PR/SD/PD, %", "Median PFS, mo", "Median OS, mo"],
    ["Quill et al. 2004 [3]; retrospective, single centre; 40 patients", "", "", "", "", "", ""],
    ["Poorly differentiated", "Cisplatin + etoposide", "30", "40", "10/30/30/30", "4.1", "25 wk (11–65)"],
    ["Well differentiated", "Same regimen", "10", "10", "0/10/60/30", "8.0", "30.5"],
    ["Brack 2010 [4]; prospective phase II; 25 patients", "", "", "", "", "", ""],
    ["All patients", "Temozolomide", "25", "12", "–", "3.0 (1–7)b", "40a"],
])


def test_study_header_rows_give_their_cohorts_the_study():
    cohorts = cohorts_of(GROUPED)
    pd = cohorts[("Quill2004", "Poorly differentiated")]
    wd = cohorts[("Quill2004", "Well differentiated")]
    assert pd.study.ref == 3 and pd.values["n_patients"] == 30 and wd.values["n_patients"] == 10
    assert (pd.values["cr_pct"], pd.values["pr_pct"], pd.values["sd_pct"], pd.values["pd_pct"]) == (10, 30, 30, 30)
    assert pd.values["os_months"] == Survival(median=5.8, low=2.5, high=15.0, kind="range", not_reached=False)
    # the header row's design and size describe the whole series
    assert pd.values["design"] == Design(prospective=False, randomized=False, centers="single")
    assert cohorts[("Brack2010", None)].values["design"] == Design(prospective=True, randomized=False, phase="2")
    assert wd.values["n_total"] == 40
    assert not any(arm is not None and "Quill" in arm for _, arm in cohorts)  # a header row is not a cohort


def test_same_regimen_inherits_the_regimen_of_the_row_above():
    wd = cohorts_of(GROUPED)[("Quill2004", "Well differentiated")]
    assert wd.values["regimen"] == "Cisplatin + etoposide" and wd.values["drugs"] == ["cisplatin", "etoposide"]


def test_a_study_with_one_cohort_row_is_one_record_without_an_arm():
    brack = cohorts_of(GROUPED)[("Brack2010", None)]
    assert brack.values["n_patients"] == 25 and brack.values["design"].phase == "2"
    assert brack.values["pfs_months"].kind == "range"
    assert brack.values["os_months"].median == 9.2  # footnote a: weeks
    assert ("Brack2010", "All patients") not in cohorts_of(GROUPED)


def test_a_study_description_table_fills_the_cohorts_of_a_results_table():
    schedules = Table(label="Table 2", page=3, header_rows=1, rows=[
        ["Study", "Design", "Regimen and schedule", "Other cohorts or arms"],
        ["Quill et al. 2004 [3]", "Retrospective", "Cisplatin 80 mg/m2 IV d1 + etoposide 120 mg/m2 IV d1–3",
         "Same regimen"],
        ["Vey 2001 [9]", "Prospective", "Etoposide 100 mg/m2 IV d1–3", "None"],
    ])
    cohorts = cohorts_of(GROUPED, schedules)
    for arm in ("Poorly differentiated", "Well differentiated"):
        doses = cohorts[("Quill2004", arm)].values["doses"]
        assert Dose(drug="cisplatin", amount=80, unit="mg/m2", days="1", route="IV") in doses
    assert not any(study == "Vey2001" for study, _ in cohorts)  # described but never reported: no record


def test_grouped_subgroup_rows_of_an_own_study_table():
    subgroups = Table(label="Table 1", page=2, header_rows=1, rows=[
        ["Subgroup", "Patients, n", "Partial response, n (%)"],
        ["Histology", "", ""], ["Small cell", "12", "3 (25)"], ["Large cell", "8", "1 (13)"],
        ["Ki-67 index", "", ""], ["<55%", "9", "2 (22)"], ["≥55%", "11", "2 (18)"]])
    document = Document(doc_id="own", metadata=Metadata(title="Drugamab in carcinoma", first_author="Quill",
                                                        year=2020), tables=[subgroups])
    ctx = build_context(document)
    arms = {c.arm: c for c in records_from_table(subgroups, ctx)}
    assert set(arms) == {"Small cell", "Large cell", "Ki-67 <55%", "Ki-67 ≥55%"}
    assert arms["Ki-67 ≥55%"].values["pr_pct"] == 18


def test_toxicity_columns_carry_their_grade():
    adverse = Table(label="Table 3", page=4, header_rows=1, rows=[
        ["Adverse event", "Grade 1–2, n (%)", "Grade 3–4, n (%)"],
        ["Nausea", "10 (50)", "–"], ["Neutropenia", "2 (10)", "4 (20)"]])
    document = Document(doc_id="own", metadata=Metadata(title="Drugamab in carcinoma", first_author="Quill",
                                                        year=2020), tables=[adverse])
    ctx = build_context(document)
    [cohort] = records_from_table(adverse, ctx)
    assert cohort.values["toxicities"] == [
        Toxicity(event="nausea", grade="1-2", pct=50), Toxicity(event="neutropenia", grade="1-2", pct=10),
        Toxicity(event="neutropenia", grade="3-4", pct=20)]


@pytest.mark.parametrize("cell, labels", [
    ("A 31%; B 18%", ["A", "B"]), ("IP 50; EP 28", ["IP", "EP"]), ("CR 5; PR 30", [None]), ("31", [None]),
])
def test_multi_arm_cell_segments(cell, labels):
    assert [seg.label for seg in split_cohorts(cell)] == labels


def test_header_footnote_marks_do_not_hide_the_field():
    assert classify_header("ORRa").field == "rr"
    assert classify_header("Median OS (95% CI)b").field == "os"
    assert classify_header("Grade 3–4, n (%)").grade == "3-4"


def test_a_table_footnote_glossary_says_which_drugs_a_regimen_abbreviation_holds():
    table = Table(label="Table 1", page=2, header_rows=1,
                  footnote="VEXA, vinorelbine, etoposide and oxaliplatin; ORR, objective response rate.", rows=[
                      ["Study", "Regimen", "Patients, n", "ORR, %"],
                      ["Quill et al. 2004 [3]", "VEXA", "20", "25"], ["Brack 2010 [4]", "VEXA", "11", "18"]])
    cohorts = cohorts_of(table)
    assert cohorts[("Quill2004", None)].values["drugs"] == ["etoposide", "oxaliplatin", "vinorelbine"]


@pytest.mark.parametrize("cell, same", [
    ("Same regimen", True), ("As above", True), ("same", True), ("Same as above.", True),
    ("Etoposide + cisplatin", False), ("None", False), ("Regimen B", False),
])
def test_back_reference_cells(cell, same):
    from gepnec_extract.records.tables import _is_backref
    assert _is_backref(cell) is same


@pytest.mark.parametrize("header", ["Value", "Result", "n (%)", "All patients (n = 8)", "Total"])
def test_one_generic_value_column_is_the_whole_cohort_of_the_own_study(header):
    """Rows of fields and ONE value column with a generic header: the header is no arm label, and the
    table's cohort is the paper's whole series, one record with the text's figures of the same study."""
    own = Table(label="Table 1", page=2, header_rows=1, rows=[
        ["Outcome", header], ["Complete response, n (%)", "1 (12.5)"], ["Partial response, n (%)", "4 (50)"],
        ["Median PFS, months (range)", "4.5 (2–9)"]])
    document = Document(doc_id="own", metadata=Metadata(title="Drugamab in carcinoma", first_author="Quill",
                                                        year=2020), tables=[own])
    ctx = build_context(document)
    table_cohorts = records_from_table(own, ctx)
    assert [c.arm for c in table_cohorts] == [None]
    assert table_cohorts[0].values["pr_pct"] == 50
    if "n = 8" in header:
        assert table_cohorts[0].values["n_patients"] == 8
    from gepnec_extract.model import Evidence
    from gepnec_extract.records.cohort import Cohort
    text_cohort = Cohort(study=ctx.own_study, arm=None)
    text_cohort.set("rr_pct", 62.5, Evidence(field="rr_pct", source="text", text="a response rate of 62.5%"))
    merged = assemble(table_cohorts + [text_cohort], ctx)
    assert len(merged) == 1 and merged[0].arm is None
    assert merged[0].values["rr_pct"] == 62.5 and merged[0].values["pr_pct"] == 50


def test_two_named_value_columns_stay_two_arms():
    own = Table(label="Table 1", page=2, header_rows=1, rows=[
        ["Outcome", "Drugamab", "Total"], ["Partial response, n (%)", "4 (50)", "6 (40)"],
        ["Median PFS, months", "4.5", "4.0"]])
    document = Document(doc_id="own", metadata=Metadata(title="Drugamab in carcinoma", first_author="Quill",
                                                        year=2020), tables=[own])
    arms = [c.arm for c in records_from_table(own, build_context(document))]
    assert "Drugamab" in arms and len(arms) == 2


SITE_ROWS = Table(label="Table 1", page=2, header_rows=1, rows=[
    ["Tumour group", "Patients, n", "Responders, n (%)", "Median response duration, months"],
    ["Hindgut carcinoids", "12", "6 (50)", "7"],
    ["Pancreatic tumours", "9", "3 of 8 (38)", "11"],
    ["Midgut tumours", "2", "–", "–"],
])


def _own_paper(*tables: Table):
    document = Document(doc_id="own", metadata=Metadata(title="Drugamab in carcinoid tumours", first_author="Quill",
                                                        year=2020), tables=list(tables))
    return build_context(document)


def test_a_duration_column_is_no_response_rate_and_responders_are():
    ctx = _own_paper(SITE_ROWS)
    assert classify_header("Median response duration, months").field not in {"rr", "cr", "pr"}
    assert classify_header("Duration of response (months)").field not in {"rr", "cr", "pr"}
    assert classify_header("Responders, n (%)").field == "rr"
    arms = {c.arm: c for c in records_from_table(SITE_ROWS, ctx)}
    assert arms["Hindgut carcinoids"].values["rr_pct"] == 50
    assert arms["Pancreatic tumours"].values["rr_pct"] == 38


def test_a_row_with_only_its_size_is_no_cohort_but_its_site_counts_in_the_whole_series():
    ctx = _own_paper(SITE_ROWS)
    cohorts = records_from_table(SITE_ROWS, ctx)
    arms = {c.arm: c for c in cohorts}
    assert "Midgut tumours" not in arms
    assert arms["Hindgut carcinoids"].values["primary_sites"][0].site == "hindgut"
    whole = arms[None]
    assert [(s.site, s.n) for s in whole.values["primary_sites"]] == [("hindgut", 12), ("pancreas", 9), ("midgut", 2)]
    assert not set(whole.values) - {"primary_sites"}  # the breakdown only: kept only beside figures of its own


def test_alternating_amounts_of_one_drug_share_their_days_and_route():
    """"oral X 25 mg alternating with 75 mg d1–7": two amounts of one drug, one set of attributes."""
    table = Table(label="Table 1", page=2, header_rows=1, rows=[
        ["Study [ref]", "Regimen", "n", "ORR, %"],
        ["Quill et al. 2004 [3]", "Cisplatin 60 mg/m2 IV d1 + oral etoposide 25 mg alternating with 75 mg d1–7, q4w",
         "20", "30"]])
    cohort = cohorts_of(table)[("Quill2004", None)]
    doses = {(d.drug, d.amount): d for d in cohort.values["doses"]}
    assert (doses[("cisplatin", 60.0)].days, doses[("cisplatin", 60.0)].route) == ("1", "IV")
    for amount in (25.0, 75.0):
        dose = doses[("etoposide", amount)]
        assert (dose.days, dose.route, dose.schedule) == ("1-7", "oral", 28)


def test_the_whole_series_takes_the_doses_its_table_cohorts_agree_on_over_the_text():
    """Tables first: the prose's dose sentence of a study whose table rows all print one dosing of the
    same drugs does not give the whole series a second, worse-read dosing."""
    from gepnec_extract.model import Evidence
    from gepnec_extract.records.cohort import Cohort, StudyRef

    document = Document(doc_id="synthetic", metadata=Metadata(title="Chemotherapy of carcinoma: a review"))
    ctx = build_context(document)
    study = StudyRef("Quill", 2004)
    table_doses = [Dose(drug="cisplatin", amount=60, unit="mg/m2", days="1", route="IV", schedule=21)]
    text_doses = [Dose(drug="cisplatin", amount=60, unit="mg/m2", days=None, route=None, schedule=21)]
    arms = []
    for arm, rr in (("Unknown primary", 30), ("Known primary", 20)):
        cohort = Cohort(study=study, arm=arm)
        cohort.set("doses", list(table_doses), Evidence(field="doses", source="table:Table 1", text="Cisplatin 60 mg/m2"))
        cohort.set("rr_pct", rr, Evidence(field="rr_pct", source="table:Table 1", text=str(rr)))
        arms.append(cohort)
    whole = Cohort(study=study, arm=None)
    whole.set("doses", list(text_doses), Evidence(field="doses", source="text", text="cisplatin 60 mg/m2 ..."))
    whole.set("rr_pct", 25, Evidence(field="rr_pct", source="text", text="25%"))
    merged = {c.arm: c for c in assemble(arms + [whole], ctx)}
    assert merged["All patients"].values["doses"] == table_doses
    other = Cohort(study=study, arm=None)  # text naming other drugs keeps its own
    other.set("doses", [Dose(drug="etoposide", amount=100, unit="mg/m2")], Evidence(field="doses", source="text", text="e"))
    other.set("rr_pct", 25, Evidence(field="rr_pct", source="text", text="25%"))
    arms2 = [Cohort(study=study, arm=a.arm) for a in arms]
    for a, b in zip(arms, arms2):
        b.set("doses", list(table_doses), Evidence(field="doses", source="table:Table 1", text="Cisplatin 60 mg/m2"))
        b.set("rr_pct", a.values["rr_pct"], Evidence(field="rr_pct", source="table:Table 1", text="x"))
    merged = {c.arm: c for c in assemble(arms2 + [other], ctx)}
    assert merged["All patients"].values["doses"][0].drug == "etoposide"


def test_a_schedule_row_of_the_same_drugs_outranks_the_prose_doses():
    """A study's description row printing route and days ("IV d1") is the source of its doses over
    a prose sentence dosing the same drugs without them; prose of other drugs keeps its own."""
    from gepnec_extract.model import Block
    from gepnec_extract.records import extract_records

    outcomes = Table(label="Table 1", page=2, header_rows=1, rows=[
        ["Study / cohort", "Regimen", "n", "ORR, %", "Median PFS, mo"],
        ["Brack et al. 2010 [4]; retrospective; 25 patients", "", "", "", ""],
        ["All patients", "Cisplatin + etoposide", "25", "12", "3.0"],
        ["Vey et al. 2001 [9]; retrospective; 14 patients", "", "", "", ""],
        ["All patients", "Temozolomide", "14", "20", "5.5"],
    ])
    schedules = Table(label="Table 2", page=3, header_rows=1, rows=[
        ["Study [ref]", "Design", "Regimen and dose schedule", "Other cohorts or arms"],
        ["Brack 2010 [4]", "Retrospective", "Cisplatin 75 mg/m2 IV d1 + etoposide 110 mg/m2/day IV d1–3, q3w", "None"],
        ["Vey 2001 [9]", "Retrospective", "Capecitabine 750 mg/m2 oral d1–14 + temozolomide", "None"],
    ])
    prose = ("Brack et al. [4] treated 25 patients with cisplatin 75 mg/m2 on day 1 and etoposide "
             "110 mg/m2/day on days 1–3 every 3 weeks. Vey et al. [9] gave temozolomide 150 mg/m2 on days 1–5 "
             "every 4 weeks to 14 patients.")
    document = Document(doc_id="synthetic", metadata=Metadata(title="Chemotherapy of carcinoma: a review"),
                        blocks=[Block(page=1, text="Chemotherapy of carcinoma: a review", kind="title"),
                                Block(page=2, section="Results", text=prose)],
                        tables=[outcomes, schedules])
    records = {r.study_id: r for r in extract_records(document)}
    brack = {d.drug: d for d in records["Brack2010"].doses}
    assert (brack["cisplatin"].days, brack["cisplatin"].route, brack["cisplatin"].schedule) == ("1", "IV", 21)
    assert (brack["etoposide"].days, brack["etoposide"].route) == ("1-3", "IV")
    assert [e.source for e in records["Brack2010"].evidence if e.field == "doses"] == ["table:Table 2"]
    # the schedule row doses other drugs than the prose: the prose's temozolomide dose stays
    assert any(d.drug == "temozolomide" and d.amount == 150 for d in records["Vey2001"].doses)


@pytest.mark.parametrize("caption, size", [
    ("Table 1. Outcomes of treatment (n = 9)", 9),
    ("Table 2. Response in evaluable patients (n = 7)", None),  # part of the series, not its size
])
def test_a_whole_series_table_caption_gives_the_series_size(caption, size):
    table = Table(label="Table 1", page=2, header_rows=1, caption=caption, rows=[
        ["Outcome", "Value"], ["Partial response, n (%)", "3 (33)"], ["Median OS, months (range)", "11.2 (4.0–19)"]])
    cohorts = records_from_table(table, _own_paper(table))
    whole = next(c for c in cohorts if c.arm is None)
    assert whole.values.get("n_patients") == size
    assert whole.values["pr_pct"] == 33 and whole.values["os_months"].median == 11.2
