"""Table extraction on real PDFs: booktabs (review, journal dev papers), grids (preprint dev
papers), rule-less columns (plain dev papers, caption below), a 400-row table over 9 pages.

Expected counts were read off the rendered pages (pdftoppm) and pdftotext -layout. The dev gold
files' "table:Table N" evidence quotes cells; every quote must come back as cells of one row.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pdfplumber
import pytest

from gepnec_extract.ingest.pdf import WORD_OPTIONS
from gepnec_extract.ingest.tables import TableFragment, find_tables, merge_fragments
from gepnec_extract.model import Table

from ..conftest import CORPUS, REVIEW_PDF, shared_files


@lru_cache(maxsize=None)
def fragments_of(path: str) -> tuple[TableFragment, ...]:
    found: list[TableFragment] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            found += find_tables(page, page.extract_words(**WORD_OPTIONS), number)
            page.close()
    return tuple(found)


def tables_of(path: Path) -> list[Table]:
    return merge_fragments(list(fragments_of(str(path))))


def by_label(path: Path) -> dict[str, Table]:
    return {t.label: t for t in tables_of(path)}


def dev_pdf(stem: str) -> Path:
    path = CORPUS / "dev" / f"{stem}.pdf"
    if not path.exists():
        pytest.skip("../shared/corpus/dev is not beside the repository")
    return path


# --- the review: booktabs, long wrapped cells, rows separated by nothing but cell starts -------

REVIEW_SHAPES = [  # label, columns, body rows, first header cells
    ("Table 1", 9, 5, ["First author (year) [ref]", "Patients with NEC, n (total in study)"]),
    ("Table 2", 11, 2, ["First author (year) [ref]", "Patients, n"]),
    ("Table 3", 11, 7, ["First author (year) [ref]", "Patients, n"]),
    ("Table 4", 11, 4, ["First author (year) [ref]", "Patients, n"]),
    ("Table 5", 11, 4, ["First author (year) [ref]", "Patients, n"]),
]


@pytest.fixture(scope="module")
def review_tables() -> dict[str, Table]:
    if not REVIEW_PDF.exists():
        pytest.skip("corpus/review/review.pdf missing")
    return by_label(REVIEW_PDF)


def test_review_has_exactly_five_tables_in_order(review_tables):
    assert list(review_tables) == ["Table 1", "Table 2", "Table 3", "Table 4", "Table 5"]
    assert [t.page for t in review_tables.values()] == [4, 5, 7, 9, 11]


@pytest.mark.parametrize("label,columns,body_rows,header_start", REVIEW_SHAPES)
def test_review_table_shape(review_tables, label, columns, body_rows, header_start):
    table = review_tables[label]
    assert table.header_rows == 1
    assert all(len(row) == columns for row in table.rows)
    assert len(table.body) == body_rows
    assert table.header[0][: len(header_start)] == header_start
    assert table.caption.startswith(label + " Studies evaluating")
    assert table.footnote and "Abbreviations:" in table.footnote


# (label, row index in body, column, exact text or prefix) from the rendered pages
REVIEW_CELLS = [
    ("Table 1", 0, 4, "Carcinoid WDNET, 0 (CR, 0; PR, 0; stable, 85; PD, 15)", "prefix"),
    ("Table 1", 0, 0, "Moertel (1991) [16]", "exact"),
    ("Table 1", 0, 5, "Carcinoid NET, 10.5 (3–36) Islet NET, 15.5 (4–36.5+) NEC, 19 (5–36+)", "exact"),
    ("Table 1", 2, 5, "19 (0–88)a", "exact"),
    ("Table 1", 4, 6, "4.5 (2–9)", "exact"),
    ("Table 2", 0, 0, "Hainsworth (2006) [32]", "exact"),
    ("Table 2", 0, 1, "78", "exact"),
    ("Table 2", 1, 0, "Deutschbein (2011) [25]", "exact"),
    ("Table 2", 1, 1, "20 (8 on regimen A vs. 12 on regimen B)", "exact"),
    ("Table 2", 1, 9, "Regimen A: Grade 3 diarrhea/nausea (25)", "prefix"),
    ("Table 3", 0, 0, "Yamaguchi (2014) [24]", "exact"),
    ("Table 3", 1, 7, "11.4 months (8.9 months–NE)a", "exact"),
    ("Table 3", 6, 6, "50 (CR, 6.3; PR, 43.7; SD, 18.8; PD, 18.7; NA, 12.5)", "exact"),
    ("Table 4", 1, 0, "Bajetta (2007) [56]", "exact"),
    ("Table 4", 1, 7, "32 (1–44+) PDNEC: 5 (1–44+) WDNET: 40 (3–40+)", "exact"),
    ("Table 4", 3, 6, "PR, 39; SD, 50; PD, 11", "exact"),
    ("Table 5", 0, 5, "R", "exact"),
    ("Table 5", 1, 4, "Second line (n = 10) Third or beyond (n = 7)", "exact"),
    ("Table 5", 3, 8, "2.4 (NA)", "exact"),
]


@pytest.mark.parametrize("label,row,column,text,how", REVIEW_CELLS)
def test_review_cells(review_tables, label, row, column, text, how):
    cell = review_tables[label].body[row][column]
    assert cell.startswith(text) if how == "prefix" else cell == text


def test_review_wrapped_headers_are_one_row(review_tables):
    header = review_tables["Table 3"].header[0]
    assert "Chemotherapy regimen" in header
    assert "Line of treatment" in header
    assert "Median OS (range), mo" in header and "Median PFS (range), mo" in header


def test_review_header_cells_glued_by_overflow_are_cut_apart(review_tables):
    # "(range),(range)," is one pdfplumber word spanning two narrow header cells
    assert review_tables["Table 2"].header[0][7:9] == ["Median OS (range), mo", "Median PFS (range), mo"]


def test_review_footnote_runs_past_the_page_number(review_tables):
    footnote = review_tables["Table 3"].footnote
    assert footnote.startswith("aNo distinction between WDNET and PDNEC. Abbreviations:")
    assert "neuroendocrine carcinoma; GI, gastrointestinal;" in footnote  # page number "7" left out


def test_review_hyphenation_undone_inside_cells(review_tables):
    cells = [c for t in review_tables.values() for row in t.body for c in row]
    text = " ".join(cells)
    assert "Carcinoid" in text and "Carci-" not in text
    assert "thrombocytopenia" in text
    assert "platinum-based" in text  # a real hyphen stays


# --- dev papers: every layout ---------------------------------------------------------------------

DEV_SHAPES = {  # stem: [(label, columns, body rows, header row, a body row)]
    "d01-mitry1999": [("Table 1", 9, 2, None,
                       ["Poorly differentiated", "41 (41)", "4 (9.8)", "13 (31.7)", "14 (34.1)",
                        "10 (24.4)", "41.5", "15 (11.7–25)", "8.9 (6.7–13.4)"])],
    "d02-hainsworth2006": [("Table 1", 5, 3, ["Drug", "Dose", "Route", "Days", "Cycle length"], None),
                           ("Table 2", 6, 3, None, None)],
    "d03-yamaguchi2014": [("Table 1", 4, 3, ["Outcome", "IP (n = 160)", "EP (n = 46)", "P value"], None),
                          ("Table 2", 5, 3, ["Variable", "Comparison", "HR", "95% CI", "P value"], None)],
    "d04-li2017": [("Table 1", 5, 3, None, ["Total", "40", "18 (45.0)", "5.7", "-"])],
    "d05-hentic2012": [("Table 1", 2, 8, ["Characteristic", "Value"], ["Primary tumour site, n", ""])],
    "d06-hadoux2015": [("Table 1", 2, 5, ["Adverse event", "Patients, n (%)"], None)],
    "d07-bajetta2007": [("Table 1", 7, 3, None, None)],
    "d08-okuma2014": [("Table 1", 3, 6, ["Response", "Patients, n", "%"],
                       ["Objective response (CR + PR)", "6", "50.0 (95% CI 25-75)"])],
    "d09-lu2013": [("Table 1", 2, 10, ["Characteristic", "n (%)"], ["Primary site", ""]),
                   ("Table 2", 3, 6, ["Response", "n", "%"], None)],
    "d10-olsen2012": [("Table 1", 2, 6, ["Primary site", "Patients, n"], ["Unknown primary", "6"]),
                      ("Table 2", 4, 6, ["Characteristic", "Subgroup", "Patients, n", "Median OS, months"],
                       ["", "≥50%", "NA", "2.7"])],
}


@pytest.mark.parametrize("stem", sorted(DEV_SHAPES))
def test_dev_tables_shape(stem):
    tables = tables_of(dev_pdf(stem))
    expected = DEV_SHAPES[stem]
    assert [t.label for t in tables] == [e[0] for e in expected]
    for table, (label, columns, body_rows, header, some_row) in zip(tables, expected):
        assert table.header_rows == 1, label
        assert all(len(row) == columns for row in table.rows), label
        assert len(table.body) == body_rows, label
        assert table.caption and table.caption.startswith(label), label
        if header is not None:
            assert table.header[0] == header, label
        if some_row is not None:
            assert some_row in table.body, label


FOOTNOTE_STARTS = {
    "d01-mitry1999": "Percentages are calculated on assessable patients.",
    "d02-hainsworth2006": "Four courses were given",
    "d03-yamaguchi2014": "IP, irinotecan plus cisplatin;",
    "d05-hentic2012": "FOLFIRI, irinotecan",
    "d06-hadoux2015": "Graded according to NCI-CTC version 4.",
    "d09-lu2013": "IP, irinotecan plus cisplatin.",
    "d10-olsen2012": "Values are numbers of patients.",
}


@pytest.mark.parametrize("stem", sorted(FOOTNOTE_STARTS))
def test_dev_first_table_footnote_is_separated(stem):
    table = tables_of(dev_pdf(stem))[0]
    assert table.footnote and table.footnote.startswith(FOOTNOTE_STARTS[stem])
    assert not any(FOOTNOTE_STARTS[stem][:12] in cell for row in table.rows for cell in row)


def gold_table_quotes(stem: str) -> list[tuple[str, str]]:
    quotes = []
    for line in (CORPUS / "dev" / f"{stem}.gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            for evidence in json.loads(line).get("evidence", []):
                if evidence["source"].startswith("table:"):
                    quotes.append((evidence["source"].split(":", 1)[1], evidence["text"]))
    return quotes


def quote_in_row(table: Table, quote: str) -> bool:
    """A gold quote is one cell, or several cells of one row joined by " | " (in order)."""
    parts = quote.split(" | ")
    for row in table.rows:
        if len(parts) == 1 and parts[0] in row:
            return True
        for start in range(len(row) - len(parts) + 1):
            if row[start:start + len(parts)] == parts:
                return True
    return False


@pytest.mark.parametrize("stem", sorted(DEV_SHAPES))
def test_gold_table_evidence_found_as_cells(stem):
    tables = by_label(dev_pdf(stem))
    missing = [(label, quote) for label, quote in gold_table_quotes(stem)
               if label not in tables or not quote_in_row(tables[label], quote)]
    assert not missing


# --- regions: table words leave the body text, body words stay ------------------------------------


def test_regions_cover_table_words_and_spare_the_other_column():
    path = dev_pdf("d10-olsen2012")
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(**WORD_OPTIONS)
        fragments = find_tables(page, words, 1)
    assert [f.label for f in fragments] == ["Table 1"]

    def inside(word, box):
        cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
        return box[0] - 1 <= cx <= box[2] + 1 and box[1] - 1 <= cy <= box[3] + 1

    taken = [w for w in words if any(inside(w, r) for r in fragments[0].regions)]
    taken_text = " ".join(w["text"] for w in taken)
    for piece in ("Table", "Primary", "Esophagus", "Values", "patients."):
        assert piece in taken_text
    assert all(w["x0"] >= 300 for w in taken)  # nothing of the left column's body text
    assert "Response" not in taken_text  # the paragraph right under the footnote stays body text


# --- a table over nine pages -------------------------------------------------------------------


def test_huge_table_merges_into_one_table_of_400_rows():
    path = CORPUS / "bad" / "huge-table.pdf"
    if not path.exists():
        pytest.skip("../shared/corpus/bad is not beside the repository")
    tables = tables_of(path)
    assert len(tables) == 1
    table = tables[0]
    assert table.label == "Table 1" and table.header_rows == 1
    assert len(table.body) == 400
    assert table.pages == list(range(2, 11))
    assert table.header[0][0] == "Differentiation"
    assert [row[0] for row in table.body[:2]] == ["Poorly differentiated (1)", "Well differentiated (2)"]
    assert table.body[-1][0] == "Well differentiated (400)"
    assert table.body[1][7] == "17.6 (8.6–72+)"  # the wrapped cell stays one cell
    assert all(len(row) == 9 for row in table.rows)
    assert table.footnote and table.footnote.startswith("Percentages are calculated")


# --- merging rules ------------------------------------------------------------------------------


def _fragment(page, label, rows, header_rows=1, continued=False, top=100.0):
    return TableFragment(page=page, bbox=(50, top, 500, top + 100), label=label, caption=label,
                         header_rows=header_rows, rows=rows, continued=continued)


def test_merge_joins_continued_and_repeated_header_but_not_other_tables():
    header = ["Group", "n"]
    fragments = [
        _fragment(1, "Table 1", [header, ["A", "1"]]),
        _fragment(2, "Table 1", [header, ["B", "2"]], continued=True),
        _fragment(3, "Table 1", [header, ["C", "3"]]),  # same label, repeated header, no "(continued)"
        _fragment(3, "Table 2", [header, ["D", "4"]], top=400),
        _fragment(5, "Table 3", [header, ["E", "5"]], continued=True),  # a page gap: not a continuation
    ]
    tables = merge_fragments(fragments)
    assert [t.label for t in tables] == ["Table 1", "Table 2", "Table 3"]
    assert tables[0].rows == [header, ["A", "1"], ["B", "2"], ["C", "3"]]
    assert tables[0].pages == [1, 2, 3]
    assert tables[1].rows == [header, ["D", "4"]]


# --- real publisher PDFs: no crash, no unlabelled "tables" ----------------------------------------

REAL_SAMPLE = ["real02-alasiri2016.pdf", "real06-li2016.pdf", "real11-opoku2018.pdf"]


@pytest.mark.parametrize("name", REAL_SAMPLE)
def test_real_pdfs_do_not_crash_and_every_table_has_a_label(name):
    paths = [p for p in shared_files("real", "*.pdf") if p.name == name]
    if not paths:
        pytest.skip("../shared/corpus/real is not beside the repository")
    tables = tables_of(paths[0])
    for table in tables:
        assert table.label and table.label.startswith("Table ")
        assert table.body


def real_pdf(name: str) -> Path:
    paths = [p for p in shared_files("real", "*.pdf") if p.name == name]
    if not paths:
        pytest.skip("../shared/corpus/real is not beside the repository")
    return paths[0]


def test_real_table_without_bottom_rule_continued_in_next_column():
    # BMC layout: the rules frame only the header; the table runs down the column, then on in the
    # next column under "Table 1 ... (Continued)"
    tables = tables_of(real_pdf("real13-beatch2016.pdf"))
    first = tables[0]
    assert first.label == "Table 1" and first.pages == [4]
    assert [t.label for t in tables].count("Table 1") == 1
    assert first.header[0][0] == "Demographics and characteristics"
    assert ["Male", "45 (66.2)", "76 (58.9)"] in first.body
    assert ["Hypertension", "39 (57.4)", "89 (69.0)"] in first.body  # from the continued part
    assert len(first.body) >= 60


def test_real_small_caps_captions_are_found():
    labels = [t.label for t in tables_of(real_pdf("real10-ussher2015.pdf"))]
    assert labels[:4] == ["Table 1", "Table 2", "Table 3", "Table 4"]


# --- the row and column rules on hand-made lines -----------------------------------------------------


def _word(text: str, x0: float, top: float, size: float = 8.0) -> dict:
    width = 0.5 * size * len(text)
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + size,
            "size": size, "fontname": "Regular"}


def _rows(lines_spec: list[list[tuple[str, float]]], header: list[tuple[str, float]] | None = None):
    from gepnec_extract.ingest.table_grid import RowGeometry, find_columns, group_lines, join_cell, segment_rows

    words = [_word(text, x, 10.0 * i) for i, spec in enumerate(lines_spec) for text, x in spec]
    lines = group_lines(words)
    header_lines = group_lines([_word(t, x, -20.0) for t, x in header]) if header else None
    columns = find_columns(lines, min(ln.x0 for ln in lines), max(ln.x1 for ln in lines), header_lines)
    geometry = RowGeometry(columns, max(ln.x1 for ln in lines), space=2.0)
    return [[join_cell(parts) for parts in row] for row in segment_rows(lines, geometry)]


def test_rows_wrapped_value_continues_but_a_new_value_starts_a_row():
    rows = _rows([
        [("Well", 0), ("differentiated", 20), ("17.6", 120), ("2.3", 200)],
        [("(8.6–72+)", 120)],
        [("Poorly", 0), ("differentiated", 28), ("15", 120), ("8.9", 200)],
    ])
    assert rows == [["Well differentiated", "17.6 (8.6–72+)", "2.3"], ["Poorly differentiated", "15", "8.9"]]


def test_rows_blank_first_column_with_fresh_values_is_its_own_row():
    rows = _rows([
        [("Primary", 0), ("site", 30), ("Pancreas", 100), ("7", 200)],
        [("Other", 100), ("sites", 124), ("21", 200)],
    ])
    assert rows == [["Primary site", "Pancreas", "7"], ["", "Other sites", "21"]]


def test_rows_a_column_that_ended_and_restarts_opens_a_new_row():
    rows = _rows([
        [("Moertel", 0), ("18", 60), ("Vomiting", 120)],
        [("(1991)", 0), ("(96),", 120)],
        [("leukopenia", 120)],
        [("Mitry", 0), ("41", 60), ("Grade", 120)],
    ])
    assert [row[0] for row in rows] == ["Moertel (1991)", "Mitry"]
    assert rows[0][2] == "Vomiting (96), leukopenia"


def _cell(text: str, x0: float) -> list[tuple[str, float]]:
    """The words of one cell from x0, one space (2 pt) apart, as _word measures them."""
    words, x = [], x0
    for word in text.split():
        words.append((word, x))
        x += 4.0 * len(word) + 2.0
    return words


def _line(*cells: tuple[str, float]) -> list[tuple[str, float]]:
    return [word for text, x0 in cells for word in _cell(text, x0)]


def test_rows_a_dash_under_a_value_and_slash_values_start_a_row():
    # one row per line: the dash ("not reported") and "0/0/85/15" are fresh values, not wrapped text
    rows = _rows([
        _line(("Poorly differentiated", 0), ("18", 160), ("17/50/33/0", 200), ("11", 280)),
        _line(("Well-differentiated carcinoid", 0), ("–", 160), ("0/0/85/15", 200), ("3", 280)),
    ])
    assert [row[0] for row in rows] == ["Poorly differentiated", "Well-differentiated carcinoid"]
    assert rows[1][1:] == ["–", "0/0/85/15", "3"]


def test_rows_a_label_with_an_open_bracket_goes_on_below():
    rows = _rows([
        _line(("Median PFS, months (95%", 0), ("4.1", 160), ("5.0", 220)),
        _line(("CI)", 0)),
        _line(("Median OS, months", 0), ("12", 160), ("9", 220)),
    ])
    assert [row[0] for row in rows] == ["Median PFS, months (95% CI)", "Median OS, months"]


def test_rows_a_wrapped_heading_in_the_first_cell_ends_at_the_first_data_line():
    rows = _rows([
        _line(("Quill et al. 2004 [3];", 0)),
        _line(("retrospective; 40 patients", 0)),
        _line(("Regimen A", 0), ("Cisplatin", 160), ("8", 220), ("17", 260)),
        _line(("Regimen B", 0), ("Etoposide", 160), ("12", 220), ("20", 260)),
    ])
    assert rows[0] == ["Quill et al. 2004 [3]; retrospective; 40 patients", "", "", ""]
    assert [row[0] for row in rows[1:]] == ["Regimen A", "Regimen B"]


def test_columns_single_spaces_aligned_down_a_column_are_not_gutters():
    # "41 (41)" on every line: the space is aligned but it is a word space, and the header spans it
    rows = _rows([[("Poorly", 0), ("41", 60), ("(41)", 70), ("4", 120)]] * 3 +
                 [[("Well", 0), ("41", 60), ("(41)", 70), ("0", 120)]],
                 header=[("Group", 0), ("Patients", 60), ("(assessable)", 60 + 4 * 8.5), ("CR", 120)])
    assert all(len(row) == 3 for row in rows)
    assert rows[0][1] == "41 (41)"


def test_page_with_repeated_header_but_no_caption_joins_the_table_before():
    path = CORPUS / "bad" / "huge-table.pdf"
    if not path.exists():
        pytest.skip("../shared/corpus/bad is not beside the repository")
    fragments = []
    with pdfplumber.open(path) as pdf:
        for number in (2, 3):
            page = pdf.pages[number - 1]
            words = page.extract_words(**WORD_OPTIONS)
            if number == 3:  # drop the "Table 1 (continued)" line: only the repeated header is left
                caption_top = next(w["top"] for w in words if w["text"] == "Table")
                words = [w for w in words if abs(w["top"] - caption_top) > 2]
            fragments += find_tables(page, words, number)
    assert [f.label for f in fragments] == ["Table 1", None]
    tables = merge_fragments(fragments)
    assert len(tables) == 1 and tables[0].pages == [2, 3]
    assert len(tables[0].body) == sum(len(f.rows) - f.header_rows for f in fragments)
    assert tables[0].header_rows == 1


def test_a_rule_drawn_cell_by_cell_is_one_rule_however_narrow_a_cell():
    """A rule drawn one cell at a time: the piece over a narrow column (under 30 pt) still joins
    its neighbours; a short stroke on its own is no rule."""
    from types import SimpleNamespace

    from gepnec_extract.ingest.tables.rules import _rules

    def rect(x0, x1, top):
        return {"x0": x0, "x1": x1, "top": top, "bottom": top + 0.8, "linewidth": 0.8}

    page = SimpleNamespace(lines=[], curves=[], rects=[rect(72, 375, 100), rect(375, 404, 100), rect(404, 539, 100),
                                                       rect(200, 218, 300)])
    horizontal, _ = _rules(page)
    assert [(round(r.x0), round(r.x1), round(r.y)) for r in horizontal] == [(72, 539, 100)]
