"""gepnec_cells (nlp/cell_readings.py): each table cell's Doc carries what the cell says, set when
the document is tagged, on the real cells of the review and a dev review, through the real pipeline."""

from __future__ import annotations

import json

import pytest

from gepnec_extract.nlp.headers import classify_header

from ..conftest import shared_files


def _cells(tagged, table: int, header: bool | None = None, col: int | None = None):
    return [c for c in tagged.cells if c.table_index == table and (header is None or c.is_header == header)
            and (col is None or c.col == col)]


def test_the_review_header_cells_carry_their_column_meaning(tagged_review):
    table_2 = [(c.doc._.cell_column.field, c.doc._.cell_column.interval) for c in _cells(tagged_review, 1, header=True)]
    assert table_2 == [("study", None), ("patients", None), ("sites", None), ("regimen", None), ("rr", None),
                       ("line", None), ("design", None), ("os", "range"), ("pfs", "range"), ("tox", None),
                       ("summary", None)]
    assert all(c.doc._.table_cell == "header" for c in _cells(tagged_review, 1, header=True))


def test_each_reading_is_its_rule_on_the_cell_and_running_text_has_none(tagged_review):
    assert tagged_review.cells and all(c.doc._.cell_column == classify_header(c.doc.text) for c in tagged_review.cells)
    assert {c.doc._.table_cell for c in tagged_review.cells} == {"header", "body"}
    assert all(b.doc._.table_cell is None and b.doc._.cell_column is None for b in tagged_review.blocks)


def test_a_text_that_is_no_tagged_cell_is_read_by_the_same_rule(tagged_review):
    header = _cells(tagged_review, 0, header=True, col=5)[0].doc.text  # "Median OS (range), mo"
    assert tagged_review.cell_reading("column", header) == classify_header(header)
    assert tagged_review.cell_reading("column", "") == classify_header("")  # an empty cell has no Doc
    made_up = "Study"  # the header records give a transposed review table's study column
    assert made_up not in tagged_review.cell_docs
    assert tagged_review.cell_reading("column", made_up) == classify_header(made_up)


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in shared_files("dev", "*.pdf") if p.stem == "d17-review-transposed"],
                         ids=lambda p: p.stem)
def test_row_labels_of_a_transposed_dev_review_carry_their_meaning(nlp, path):
    from gepnec_extract.ingest import ingest_file
    from gepnec_extract.nlp import tag_document

    tagged = tag_document(ingest_file(path), nlp)
    labels = {c.doc.text: c.doc._.cell_column for c in _cells(tagged, 0, header=False, col=0)}
    assert labels["Line"].field == "line" and labels["Regimen"].field == "regimen"
    assert (labels["Median PFS, months (95% CI)"].field, labels["Median PFS, months (95% CI)"].interval) == ("pfs", "ci95")


def test_records_read_the_tagged_meaning_not_the_header_words(tagged_review):
    """Blank the meaning of the review's "Line of tx" header on its tagged cell: the records of that
    table lose their line, the words of the header being unchanged."""
    import copy

    from gepnec_extract.nlp.headers import ColumnSpec
    from gepnec_extract.records import extract_records

    def lines(tagged):
        document = copy.deepcopy(tagged.document)
        return {r.study_id: r.line for r in extract_records(document, tagged=tagged)}

    before = lines(tagged_review)
    cell = next(c for c in _cells(tagged_review, 1, header=True) if c.doc._.cell_column.field == "line")
    kept = cell.doc._.cell_column
    try:
        cell.doc._.cell_column = ColumnSpec(field="other", header=kept.header)
        after = lines(tagged_review)
    finally:
        cell.doc._.cell_column = kept
    table_2_studies = {s for s in before if before[s] is not None and after.get(s) is None}
    assert table_2_studies, "no record lost its line: records did not read the tagged header"
    assert all(before[s] == after[s] for s in before if s not in table_2_studies)


LOAD_AND_READ = """
import json, sys
import spacy

nlp = spacy.load(sys.argv[1])  # before anything of ours is imported: the entry points must do it
from gepnec_extract.model import Document
from gepnec_extract.nlp import tag_document

document = Document.model_validate_json(open(sys.argv[2], encoding="utf-8").read())
from gepnec_extract.nlp.cell_readings import READERS

tagged = tag_document(document, nlp)
print(json.dumps([[c.doc.text, repr([getattr(c.doc._, "cell_" + n) for n in READERS])] for c in tagged.cells]))
"""


@pytest.mark.slow
def test_a_pipeline_loaded_with_spacy_load_reads_the_review_cells_alike(nlp, tagged_review, tmp_path):
    import subprocess
    import sys

    from gepnec_extract.nlp import save_pipeline

    save_pipeline(tmp_path / "pipeline", nlp)
    (tmp_path / "review.document.json").write_text(tagged_review.document.model_dump_json(), encoding="utf-8")
    loaded = subprocess.run([sys.executable, "-c", LOAD_AND_READ, str(tmp_path / "pipeline"),
                             str(tmp_path / "review.document.json")],
                            capture_output=True, text=True, check=True, timeout=300)
    from gepnec_extract.nlp.cell_readings import READERS

    expected = [[c.doc.text, repr([getattr(c.doc._, "cell_" + n) for n in READERS])] for c in tagged_review.cells]
    assert len(expected) > 250 and json.loads(loaded.stdout) == expected


def _row_of(tagged, table: int, first_author: str) -> dict:
    """The cells of a study row, by column, found by the study its first cell cites."""
    first = next(c for c in _cells(tagged, table, header=False, col=0)
                 if (c.doc._.cell_citation or (None,))[0] == first_author)
    return {c.col: c.doc for c in _cells(tagged, table, header=False) if c.row == first.row}


def test_a_review_study_row_carries_citation_line_design_and_population(tagged_review):
    row = _row_of(tagged_review, 1, "Hainsworth")  # Table 2's first study
    author, year, ref = row[0]._.cell_citation
    assert isinstance(year, int) and isinstance(ref, int)
    assert row[5]._.cell_line == "first"  # "First line"
    design = row[6]._.cell_design  # "P; multicenter phase 2 trial"
    assert (design.prospective, design.randomized, design.phase, design.centers) == (True, False, "2", "multi")
    assert row[2]._.cell_population == "PDNEC" and row[2]._.cell_sites == []
    assert all(row[col]._.cell_citation is None for col in row if col != 0)


def test_a_site_list_cell_reads_its_sites_and_a_reading_is_the_records_own_copy(tagged_review):
    listed = next(c.doc for c in tagged_review.cells if len(c.doc._.cell_sites or []) >= 3)
    sites = tagged_review.cell_reading("sites", listed.text)
    assert sites == listed._.cell_sites and all(s.site for s in sites)
    sites[0].n = -1  # what records do with a reading never reaches the tagged Doc
    assert listed._.cell_sites[0].n != -1


def test_records_read_the_tagged_line_of_a_cell(tagged_review):
    """The "First line" cells of the review, read as "second" on their tagged Doc: the records whose
    line the tables give follow the tag."""
    import copy

    from gepnec_extract.records import extract_records

    def lines(tagged):
        return [r.line for r in extract_records(copy.deepcopy(tagged.document), tagged=tagged)]

    doc = tagged_review.cell_docs["First line"]
    before = lines(tagged_review)
    try:
        doc._.cell_line = "second"
        after = lines(tagged_review)
    finally:
        doc._.cell_line = "first"
    assert after.count("second") > before.count("second") and after.count("first") < before.count("first")


def test_a_review_header_cell_says_its_bracketed_count_is_the_whole_study(tagged_review):
    """Table 1's "Patients with NEC, n (total in study)": the tagged header says so, records read
    the bracketed count as the study's total from the tag."""
    patients = _cells(tagged_review, 0, header=True, col=1)[0].doc._.cell_column
    assert (patients.field, patients.names_total, patients.sized) == ("patients", True, False)
    assert not any(c.doc._.cell_column.names_total for c in _cells(tagged_review, 1, header=True))
