"""Made-up papers typeset by headless chromium into real PDFs, in layouts the corpus does not have,
read by the real CLI (`gepnec-extract extract`): how the extractor does on a page it was not
written on. Skipped where chromium is not installed (CI installs it)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gepnec_extract.cli import app

from ..cdp import chromium, print_to_pdf

pytestmark = pytest.mark.skipif(chromium() is None, reason="chromium is not installed")


def _extracted(html: str, folder, stem: str) -> list[dict]:
    """``html`` printed to ``folder/stem.pdf``, read by `gepnec-extract extract`: its records, one dict each."""
    pdf = print_to_pdf(html, folder / f"{stem}.pdf")
    result = CliRunner().invoke(app, ["extract", str(pdf), "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    lines = (folder / "out" / f"{stem}.records.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]

STYLE = """
body { font-family: "DejaVu Serif", serif; font-size: 9.5pt; margin: 1.6cm; }
h1 { font-size: 16pt; margin-bottom: 4pt; } .byline { font-size: 10.5pt; } .cite { font-size: 8pt; }
.cols { column-count: 2; column-gap: 0.8cm; text-align: justify; } h2 { font-size: 10.5pt; }
table { border-collapse: collapse; font-size: 8.5pt; width: 60%; margin-top: 10pt; }
td:first-child, th:first-child { width: 24%; }
th, td { border-top: 1px solid #000; border-bottom: 1px solid #000; padding: 2pt 4pt; text-align: left; }
caption { text-align: left; font-weight: bold; }
"""
# booktabs: a heavy rule over the header, a light one under it, a heavy one under the last row
BOOKTABS = """
thead th { border-top: 1.5px solid #000; border-bottom: 0.8px solid #000; }
tbody td { border: none; } tbody tr:last-child td { border-bottom: 1.5px solid #000; }
"""
FULL_WIDTH = "table { width: 100%; } td:first-child, th:first-child { width: auto; }"

# Two arms named by a letter in two-column running text; under it a full-width table with one ruled
# row per outcome (every row between rules, the values set in the middle of rows whose label
# wraps), an outcome column per arm, adverse events as rows.
TWO_ARM_TRIAL = f"""<html><head><meta charset="utf-8"><style>{STYLE}</style></head><body>
<h1>Oxaliplatin-capecitabine versus irinotecan-capecitabine after platinum-etoposide in neuroendocrine
carcinoma of the digestive tract: a randomised phase II trial</h1>
<div class="byline">Brannoc Vell, Ismay Tarrow, Odo Quellin</div>
<div class="cite">Quill J Oncol 2022;14:201-209</div>
<div class="cols">
<h2>Methods</h2>
<p>Fifty-two patients whose disease had progressed on first-line platinum-etoposide were randomly
assigned to arm A, oxaliplatin 130 mg/m² IV on day 1 plus capecitabine 1000 mg/m² orally twice daily
on days 1–14 every 3 weeks, or arm B, irinotecan 180 mg/m² IV on day 1 plus capecitabine
1000 mg/m² orally twice daily on days 1–14, repeated every 21 days.</p>
<h2>Results</h2>
<p>Twenty-six patients were allocated to each arm. Outcomes are shown in Table 1.</p>
<h2>Discussion</h2>
<p>Both doublets were active; the oxaliplatin doublet gave less diarrhoea.</p>
</div>
<table><caption>Table 1. Outcomes by arm</caption>
<tr><th>Outcome</th><th>Arm A (n = 26)</th><th>Arm B (n = 26)</th></tr>
<tr><td>Complete response, n (%)</td><td>1 (3.8)</td><td>0 (0)</td></tr>
<tr><td>Partial response, n (%)</td><td>6 (23.1)</td><td>5 (19.2)</td></tr>
<tr><td>Stable disease, n (%)</td><td>9 (34.6)</td><td>8 (30.8)</td></tr>
<tr><td>Objective response rate, %</td><td>26.9</td><td>19.2</td></tr>
<tr><td>Median PFS, months (95% CI)</td><td>3.9 (2.7–5.0)</td><td>3.1 (2.2–4.4)</td></tr>
<tr><td>Median OS, months (95% CI)</td><td>8.8 (6.9–10.7)</td><td>7.6 (5.8–9.9)</td></tr>
<tr><td>Grade 3–4 neutropenia, %</td><td>12</td><td>31</td></tr>
<tr><td>Grade 3–4 diarrhoea, %</td><td>8</td><td>23</td></tr>
</table>
</body></html>"""


@pytest.fixture(scope="module")
def two_arm_records(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("printed")
    found = _extracted(TWO_ARM_TRIAL, folder, "vell2022")
    return {r["arm"]: r for r in found}


def test_each_lettered_arm_is_a_record_of_the_papers_own_study(two_arm_records):
    assert set(two_arm_records) == {"Arm A", "Arm B"}
    assert {r["study_id"] for r in two_arm_records.values()} == {"Vell2022"}
    assert [two_arm_records[a]["n_patients"] for a in ("Arm A", "Arm B")] == [26, 26]


def test_each_arm_takes_the_treatment_named_in_its_part_of_the_allocation_sentence(two_arm_records):
    a, b = two_arm_records["Arm A"], two_arm_records["Arm B"]
    assert a["drugs"] == ["capecitabine", "oxaliplatin"] and b["drugs"] == ["capecitabine", "irinotecan"]
    assert sorted(d["drug"] for d in a["doses"]) == ["capecitabine", "oxaliplatin"]
    assert sorted(d["drug"] for d in b["doses"]) == ["capecitabine", "irinotecan"]
    assert a["line"] == b["line"] == "second"


def test_a_wrapped_row_label_keeps_its_values_and_its_percent(two_arm_records):
    """"Complete response, n" / "(%)" wrapped beside values set mid-row: one row, the bracketed percent."""
    a, b = two_arm_records["Arm A"], two_arm_records["Arm B"]
    assert (a["cr_pct"], a["pr_pct"], a["sd_pct"], a["rr_pct"]) == (3.8, 23.1, 34.6, 26.9)
    assert (b["cr_pct"], b["pr_pct"], b["sd_pct"], b["rr_pct"]) == (0.0, 19.2, 30.8, 19.2)
    assert (a["pfs_months"]["median"], a["pfs_months"]["high"], b["os_months"]["median"]) == (3.9, 5.0, 7.6)


def test_adverse_event_rows_of_an_outcomes_table_give_each_arm_its_share(two_arm_records):
    events = {arm: {(t["event"], t["grade"], t["pct"]) for t in r["toxicities"]} for arm, r in two_arm_records.items()}
    assert events["Arm A"] == {("neutropenia", "3-4", 12.0), ("diarrhea", "3-4", 8.0)}
    assert events["Arm B"] == {("neutropenia", "3-4", 31.0), ("diarrhea", "3-4", 23.0)}


# A review by a group: one booktabs table of cited studies, its headers in the abbreviations
# reviews use ("Author (year)", "No. of pts", "Setting", "mPFS, mo", "mOS, mo"), a surname with a
# letter outside Latin-1, a numbered reference list.
REVIEW_TABLE = f"""<html><head><meta charset="utf-8"><style>{STYLE}
{BOOKTABS}{FULL_WIDTH}
</style></head><body>
<h1>Chemotherapy after platinum failure in digestive neuroendocrine carcinoma: a systematic review</h1>
<div class="byline">Quill Carcinoma Evidence Collaborative</div>
<h2>Results</h2>
<p>Four eligible studies were found; their outcomes are listed in Table 2.</p>
<table><caption>Table 2. Studies after first-line platinum-etoposide</caption>
<thead><tr><th>Author (year)</th><th>Design</th><th>No. of pts</th><th>Treatment</th><th>Setting</th>
<th>RR (%)</th><th>mPFS, mo</th><th>mOS, mo</th></tr></thead>
<tbody>
<tr><td>Arvane (2013) [4]</td><td>Retrospective</td><td>33</td><td>FOLFIRI</td><td>2nd line</td><td>21</td><td>3.6</td><td>9.4</td></tr>
<tr><td>Belcourt (2015) [5]</td><td>Phase II</td><td>27</td><td>Temozolomide + capecitabine</td><td>≥2nd line</td><td>26</td><td>4.1</td><td>10.2</td></tr>
<tr><td>Kovač (2019) [6]</td><td>Phase II</td><td>22</td><td>Nivolumab + ipilimumab</td><td>2nd–3rd line</td><td>9</td><td>2.0</td><td>NR</td></tr>
</tbody></table>
<h2>References</h2>
<p>1. Ardel P. Neuroendocrine carcinoma. Quill Rev 2010;1:1-9.<br>2. Bostic L. Platinum. Quill Rev 2011;2:3-8.<br>
3. Corran D. Etoposide. Quill Rev 2012;3:4-7.<br>4. Arvane T, Lind M. FOLFIRI. J Quill 2013;5:11-18.<br>
5. Belcourt S. CAPTEM. J Quill 2015;7:21-29.<br>6. Kovač N, Ruud P. Checkpoints. J Quill 2019;10:41-49.</p>
</body></html>"""


@pytest.fixture(scope="module")
def review_records(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("printed-review")
    found = _extracted(REVIEW_TABLE, folder, "collab2024")
    return {r["study_id"]: r for r in found}


def test_a_review_table_in_other_header_words_gives_every_study_its_figures(review_records):
    assert set(review_records) == {"Arvane2013", "Belcourt2015", "Kovac2019"}
    kovac = review_records["Kovac2019"]
    assert (kovac["first_author"], kovac["ref"], kovac["n_patients"]) == ("Kovač", 6, 22)
    figures = {s: (r["rr_pct"], r["pfs_months"]["median"], r["os_months"]["median"]) for s, r in review_records.items()}
    assert figures["Arvane2013"] == (21.0, 3.6, 9.4) and figures["Belcourt2015"] == (26.0, 4.1, 10.2)
    assert kovac["os_months"]["not_reached"] is True and figures["Kovac2019"][:2] == (9.0, 2.0)


def test_a_setting_of_several_lines_is_mixed(review_records):
    assert {s: r["line"] for s, r in review_records.items()} == {
        "Arvane2013": "second", "Belcourt2015": "mixed", "Kovac2019": "mixed"}


# One arm: a sans-serif page, a banner over a title that wraps at a hyphen ("high-" / "grade"),
# affiliations by superscript, the figures in the abstract, a response table of "n" and "%"
# columns and an adverse-event table of "All grades" and "Grade 3-4" columns.
SINGLE_ARM = f"""<html><head><meta charset="utf-8"><style>{STYLE}
body {{ font-family: "DejaVu Sans", sans-serif; }}
{BOOKTABS}
</style></head><body>
<div style="font-size:8pt">ORIGINAL RESEARCH</div>
<h1>Nab-paclitaxel and carboplatin in refractory high-<br>grade neuroendocrine carcinoma of gastroenteropancreatic origin</h1>
<div class="byline">Ellery Sandoval<sup>1</sup>, Mireille Okonkwo<sup>2</sup>, Tobiah Lindqvist<sup>1,3</sup></div>
<div class="cite"><sup>1</sup>Department of Oncology, Harwick University Hospital; <sup>2</sup>Quill Cancer Centre</div>
<div class="cite">Quill Oncol Rep 2023;9:77-84</div>
<p><b>Abstract.</b> Background: Few options exist after platinum-etoposide. Patients and methods: We
retrospectively reviewed 31 consecutive patients treated at two centres with nab-paclitaxel 100 mg/m² on
days 1, 8 and 15 and carboplatin AUC 5 on day 1 of a 28-day cycle as third-line or later therapy.
Results: The ORR was 16.1%, the mPFS 2.9 months (95% CI 2.1–3.8) and the mOS 6.2 months (95% CI 4.4–8.1).</p>
<table><caption>Table 2. Best response (n = 31)</caption>
<thead><tr><th>Response</th><th>n</th><th>%</th></tr></thead>
<tbody><tr><td>Complete response</td><td>0</td><td>0</td></tr><tr><td>Partial response</td><td>5</td><td>16.1</td></tr>
<tr><td>Stable disease</td><td>11</td><td>35.5</td></tr><tr><td>Progressive disease</td><td>13</td><td>41.9</td></tr>
<tr><td>Not evaluable</td><td>2</td><td>6.5</td></tr></tbody></table>
<table><caption>Table 3. Treatment-related adverse events</caption>
<thead><tr><th>Event</th><th>All grades, n (%)</th><th>Grade 3–4, n (%)</th></tr></thead>
<tbody><tr><td>Neutropenia</td><td>20 (64.5)</td><td>11 (35.5)</td></tr>
<tr><td>Thrombocytopenia</td><td>12 (38.7)</td><td>4 (12.9)</td></tr>
<tr><td>Peripheral neuropathy</td><td>9 (29.0)</td><td>1 (3.2)</td></tr></tbody></table>
</body></html>"""


@pytest.fixture(scope="module")
def single_arm_record(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("printed-single")
    found = _extracted(SINGLE_ARM, folder, "sandoval2023")
    assert len(found) == 1
    return found[0]


def test_a_title_wrapped_at_a_hyphen_is_still_the_title_and_names_the_regimen(single_arm_record):
    record = single_arm_record
    assert (record["study_id"], record["n_patients"], record["line"]) == ("Sandoval2023", 31, "third_plus")
    assert record["drugs"] == ["carboplatin", "paclitaxel"]  # nab-paclitaxel is paclitaxel
    assert sorted(d["drug"] for d in record["doses"]) == ["carboplatin", "paclitaxel"]
    assert record["design"]["prospective"] is False and record["design"]["centers"] == "multi"


def test_response_and_adverse_event_tables_of_a_single_arm(single_arm_record):
    record = single_arm_record
    assert (record["cr_pct"], record["pr_pct"], record["sd_pct"], record["pd_pct"], record["rr_pct"]) == (
        0.0, 16.1, 35.5, 41.9, 16.1)
    assert (record["pfs_months"]["median"], record["os_months"]["median"], record["os_months"]["high"]) == (2.9, 6.2, 8.1)
    grade_3_4 = {(t["event"], t["pct"]) for t in record["toxicities"] if t["grade"] == "3-4"}
    assert grade_3_4 == {("neutropenia", 35.5), ("thrombocytopenia", 12.9), ("peripheral neuropathy", 3.2)}
    any_grade = {(t["event"], t["pct"]) for t in record["toxicities"] if t["grade"] is None}  # spec: null for any grade
    assert any_grade == {("neutropenia", 64.5), ("thrombocytopenia", 38.7), ("peripheral neuropathy", 29.0)}


# A review whose study table gives each outcome cell several figures named by their own terms
# ("ORR 12%; SD 36%", "PFS 2.4 mo; OS 6.0 mo"), a line column of bare ordinals, doses with "bid",
# and rules drawn cell by cell (a narrow column's piece of each rule is short).
LABELLED_CELLS = f"""<html><head><meta charset="utf-8"><style>{STYLE}
{BOOKTABS}{FULL_WIDTH}
tbody td {{ vertical-align: top; }}
</style></head><body>
<h1>Temozolomide-based regimens in poorly differentiated neuroendocrine carcinoma: a narrative review</h1>
<div class="byline">Pell Marrow, Quint Asher</div><div class="cite">Quill Rev Oncol 2024;3:5-15</div>
<h2>Results</h2><p>Studies of temozolomide alone or combined are summarised in Table 1.</p>
<table><caption>Table 1. Temozolomide-containing regimens</caption>
<thead><tr><th>Reference</th><th>Patients (n)</th><th>Regimen and dose</th><th>Line</th><th>Response</th><th>Survival</th></tr></thead>
<tbody>
<tr><td>Orsolya et al., 2012 [8]</td><td>25</td><td>Temozolomide 200 mg/m² d1–5 q4w</td><td>2nd</td><td>ORR 12%; SD 36%</td><td>PFS 2.4 mo; OS 6.0 mo</td></tr>
<tr><td>Pettersen et al., 2014 [9]</td><td>40</td><td>Capecitabine 750 mg/m² bid d1–14 + temozolomide 200 mg/m² d10–14 q4w</td><td>1st–3rd</td><td>ORR 30%; SD 38%</td><td>PFS 3.5 mo; OS 11.9 mo</td></tr>
</tbody></table>
<h2>References</h2>
<p>{"<br>".join(f"{i}. Ardel P. Work {i}. Quill Rev {2000 + i};1:1-9." for i in range(1, 8))}<br>
8. Orsolya K, Vann D. Temozolomide in NEC. J Quill 2012;4:1-7.<br>9. Pettersen L, Ude M. CAPTEM. J Quill 2014;6:8-15.</p>
</body></html>"""


def test_cells_of_figures_named_by_their_terms_and_a_line_column_of_ordinals(tmp_path):
    found = _extracted(LABELLED_CELLS, tmp_path, "marrow2024")
    records = {r["study_id"]: r for r in found}
    assert set(records) == {"Orsolya2012", "Pettersen2014"}
    first, second = records["Orsolya2012"], records["Pettersen2014"]
    assert (first["rr_pct"], first["sd_pct"], first["pfs_months"]["median"], first["os_months"]["median"]) == (12.0, 36.0, 2.4, 6.0)
    assert (second["rr_pct"], second["sd_pct"], second["pfs_months"]["median"], second["os_months"]["median"]) == (30.0, 38.0, 3.5, 11.9)
    assert (first["line"], second["line"]) == ("second", "mixed")
    assert second["regimen"] == "Capecitabine + temozolomide"  # the doses and their "bid d1–14" cut out
    assert {d["drug"]: d["days"] for d in second["doses"]} == {"capecitabine": "1-14", "temozolomide": "10-14"}


# A review table with one column per study (row labels in the first column), "Prior lines" counted,
# a phase Ib trial, figures as bare numbers under "ORR, %" and "Median PFS, mo".
STUDY_COLUMNS = f"""<html><head><meta charset="utf-8"><style>{STYLE}
{BOOKTABS}{FULL_WIDTH}
</style></head><body>
<h1>Checkpoint inhibitors in extrapulmonary high-grade neuroendocrine carcinoma: a review of early trials</h1>
<div class="byline">Neuroendocrine Immunotherapy Working Party</div>
<h2>Results</h2><p>Three trials reported outcomes for carcinoma cohorts (Table 1).</p>
<table><caption>Table 1. Checkpoint inhibitor trials</caption>
<thead><tr><th></th><th>Quenby 2019 [3]</th><th>Rask 2020 [4]</th><th>Sollner 2021 [5]</th></tr></thead>
<tbody>
<tr><td>Design</td><td>Phase II, single arm</td><td>Phase II basket</td><td>Phase Ib</td></tr>
<tr><td>No. of patients</td><td>29</td><td>22</td><td>18</td></tr>
<tr><td>Agent(s)</td><td>Pembrolizumab 200 mg q3w</td><td>Spartalizumab 400 mg q4w</td><td>Nivolumab + ipilimumab</td></tr>
<tr><td>Prior lines</td><td>≥1</td><td>1</td><td>1–2</td></tr>
<tr><td>ORR, %</td><td>3.4</td><td>4.5</td><td>16.7</td></tr>
<tr><td>Median PFS, mo</td><td>2.0</td><td>1.8</td><td>2.6</td></tr>
<tr><td>Median OS, mo</td><td>4.8</td><td>6.1</td><td>8.9</td></tr>
</tbody></table>
<h2>References</h2>
<p>1. Ardel P. One. Quill Rev 2010;1:1-9.<br>2. Bostic L. Two. Quill Rev 2011;2:3-8.<br>3. Quenby T, Lo A. Pembrolizumab.
J Quill 2019;5:11-18.<br>4. Rask S. Spartalizumab. J Quill 2020;7:21-29.<br>5. Sollner N. Nivo-ipi. J Quill 2021;10:41-49.</p>
</body></html>"""


def test_a_table_of_one_column_per_study_counting_prior_lines(tmp_path):
    found = _extracted(STUDY_COLUMNS, tmp_path, "party2022")
    records = {r["study_id"]: r for r in found}
    assert set(records) == {"Quenby2019", "Rask2020", "Sollner2021"}
    assert {s: (r["n_patients"], r["rr_pct"], r["pfs_months"]["median"], r["os_months"]["median"])
            for s, r in records.items()} == {"Quenby2019": (29, 3.4, 2.0, 4.8), "Rask2020": (22, 4.5, 1.8, 6.1),
                                             "Sollner2021": (18, 16.7, 2.6, 8.9)}
    assert {s: r["line"] for s, r in records.items()} == {"Quenby2019": "mixed", "Rask2020": "second", "Sollner2021": "mixed"}
    assert records["Sollner2021"]["design"]["phase"] == "1" and records["Rask2020"]["drugs"] == ["spartalizumab"]


# A full grid whose arm headers span an "n" and a "%" column ("IP (n = 30)" over "n | %").
SPANNING_HEADERS = f"""<html><head><meta charset="utf-8"><style>{STYLE}
table {{ width: auto; }} th, td {{ border: 0.8px solid #000; }} td:first-child, th:first-child {{ width: auto; }}
</style></head><body>
<h1>Irinotecan plus cisplatin versus etoposide plus cisplatin for digestive neuroendocrine carcinoma: a retrospective comparison</h1>
<div class="byline">Hollis Quayle, Dario Venn</div><div class="cite">Quill Gastro Oncol 2019;8:55-63</div>
<h2>Results</h2>
<p>We identified 58 patients who received first-line irinotecan plus cisplatin (IP, n = 30) or etoposide plus
cisplatin (EP, n = 28). Median overall survival was 13.0 months with IP and 7.3 months with EP.</p>
<table><caption>Table 2. Best response by regimen</caption>
<tr><th rowspan="2">Response</th><th colspan="2">IP (n = 30)</th><th colspan="2">EP (n = 28)</th></tr>
<tr><th>n</th><th>%</th><th>n</th><th>%</th></tr>
<tr><td>Complete response</td><td>1</td><td>3.3</td><td>0</td><td>0</td></tr>
<tr><td>Partial response</td><td>12</td><td>40.0</td><td>8</td><td>28.6</td></tr>
<tr><td>Stable disease</td><td>9</td><td>30.0</td><td>10</td><td>35.7</td></tr>
<tr><td>Progressive disease</td><td>8</td><td>26.7</td><td>10</td><td>35.7</td></tr>
</table></body></html>"""


def test_arm_headers_spanning_a_count_and_a_percent_column(tmp_path):
    found = _extracted(SPANNING_HEADERS, tmp_path, "quayle2019")
    records = {r["arm"]: r for r in found}
    assert set(records) == {"IP", "EP"}
    ip, ep = records["IP"], records["EP"]
    assert (ip["n_patients"], ip["cr_pct"], ip["pr_pct"], ip["sd_pct"], ip["pd_pct"]) == (30, 3.3, 40.0, 30.0, 26.7)
    assert (ep["n_patients"], ep["cr_pct"], ep["pr_pct"], ep["sd_pct"], ep["pd_pct"]) == (28, 0.0, 28.6, 35.7, 35.7)
    assert (ip["os_months"]["median"], ep["os_months"]["median"]) == (13.0, 7.3)
    assert ip["drugs"] == ["cisplatin", "irinotecan"] and ep["drugs"] == ["cisplatin", "etoposide"]
