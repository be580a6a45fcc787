"""The reference index (nlp/references.py) and the citation grammar of cells and prose
(patterns/citation.jsonl): invented references and sentences, plus the dev reviews' own lists."""

from __future__ import annotations

import pytest

from gepnec_extract.ingest.pdf import read_pdf
from gepnec_extract.nlp.references import parse_references, reference_index
from gepnec_extract.nlp.study import read_citation

from ..conftest import shared_files

LIST = ("1. Quill AB, Marsh C, Fenwick D, et al. Drugamab for quill carcinoma: results of 1999 to 2004. "
        "J Drug Stud 2011;12:34-39. 2. van der Zorbel J, Quill AB. Cisplatin again. Ann Drugs 2009;1:2-9. "
        "3. Garcia-Marsh R, Fenwick D. A third title, 40 mg. Drug Res (2004) 5:12. "
        "4. Quill Study Group. Guidance for quill carcinoma. Drugs Today 2015;3:1-4.")


def test_reference_list_entries_number_author_year():
    index = parse_references(LIST)
    assert [(e.number, e.first_author, e.year) for e in index.entries.values()] == [
        (1, "Quill", 2011), (2, "van der Zorbel", 2009), (3, "Garcia-Marsh", 2004), (4, None, 2015)]


def test_entries_are_numbered_in_order():
    # "12. Quill" after entry 1 is not entry 12 of a list, it is a figure in entry 1
    index = parse_references("1. Quill AB. Dose 12. Marsh C et al. J Drugs 2011;1:2. 2. Fenwick D. J X 2010;2:3.")
    assert sorted(index.entries) == [1, 2]


def test_lookup_by_number_and_by_surname():
    index = parse_references(LIST)
    assert index.lookup(None, None, 3).first_author == "Garcia-Marsh"
    assert index.lookup("Garcia-Marsh", None, None).number == 3
    assert index.lookup("Zorbel", None, 1) is None  # the number names another author
    assert index.lookup("Quill", 1990, None) is None  # another year: not this entry
    assert index.lookup("Nobody", None, None) is None


@pytest.mark.parametrize("text,value", [
    ("Quill et al. [5]", ("Quill", None, 5)),
    ("Quill 2011 [5]", ("Quill", 2011, 5)),
    ("Quill et al. 1991 [5]", ("Quill", 1991, 5)),
    ("Quill et al. (2013) [12]", ("Quill", 2013, 12)),
    ("Won (2012)", ("Won", 2012, None)),  # a common word heading a study cell is still a surname
    ("Characteristic", None),
])
def test_cell_citations(text, value):
    found = read_citation(text)
    assert (found and (found["first_author"], found["year"], found["ref"])) == value


def test_year_printed_before_the_name(nlp):
    doc = nlp("In a retrospective series published in 2013, Quill et al. [11] treated 24 patients.")
    values = [s._.value for s in doc.spans["facts"] if s.label_ == "CITATION"]
    assert values == [{"first_author": "Quill", "year": 2013, "ref": 11}]


@pytest.mark.parametrize("path", [p for p in shared_files("dev", "*.pdf") if "review" in p.stem],
                         ids=lambda p: p.stem)
def test_a_review_reference_list_is_indexed(path):
    index = reference_index(read_pdf(path))
    if not index.entries:
        pytest.skip("no numbered reference list in this review")
    assert sorted(index.entries) == list(range(1, len(index) + 1))
    assert all(e.year for e in index.entries.values())
    assert sum(1 for e in index.entries.values() if e.first_author) >= 0.8 * len(index)
