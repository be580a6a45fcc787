"""Whose study it is (records/__init__.py): the own study of a paper and its fallbacks, group
bylines, cited studies completed from the reference index, and documents that say what was
missing. Invented documents, plus the dev corpus and real PDFs read from ../shared."""

from __future__ import annotations

import pytest

from gepnec_extract.ingest.pdf import read_pdf
from gepnec_extract.model import Block, Document, Metadata
from gepnec_extract.records import extract_records, is_review, own_study

from ..conftest import shared_files


def _doc(metadata: Metadata, *texts: str, references: str | None = None) -> Document:
    blocks = [Block(page=1, section="Results", text=t) for t in texts]
    if references:
        blocks += [Block(page=2, text="References", kind="heading"),
                   Block(page=2, section="References", text=references)]
    doc = Document(doc_id="invented", pages=2, metadata=metadata, blocks=blocks)
    doc.assign_offsets()
    return doc


PAPER = ("We treated 20 patients with cisplatin and etoposide. The objective response rate was 35%, "
         "and the median overall survival was 11.2 months (range 2-30).")


def test_a_group_byline_is_a_review_with_no_study_of_its_own():
    doc = _doc(Metadata(title="Chemotherapy for quill carcinoma", group="Evidence Drafting Panel"), PAPER)
    assert is_review(doc) and own_study(doc) is None


def test_own_study_from_author_then_acronym_then_unnamed():
    assert own_study(_doc(Metadata(first_author="Quillström", year=2001))).study_id == "Quillstrom2001"
    by_acronym = own_study(_doc(Metadata(acronym="ZORBEL2", year=2019)))
    assert (by_acronym.study_id, by_acronym.first_author, by_acronym.year) == ("ZORBEL2", None, None)
    assert own_study(_doc(Metadata(title="Cisplatin in quill carcinoma"))).study_id == "unknown"


def test_an_unread_byline_never_drops_the_papers_records():
    doc = _doc(Metadata(title="Cisplatin and etoposide in quill carcinoma"), PAPER)
    records = extract_records(doc)
    assert records and {r.study_id for r in records} == {"unknown"}
    assert records[0].rr_pct == 35
    assert any("own study has no author" in w for w in doc.warnings)


def test_a_cited_study_takes_year_and_author_from_the_reference_list():
    refs = ("1. Marsh C, Fenwick D. Something else. J Drugs 2009;1:2-9. "
            "2. Quill AB, Marsh C, et al. Cisplatin in quill carcinoma. Ann Drugs 2011;12:34-39.")
    doc = _doc(Metadata(title="Chemotherapy for quill carcinoma: a review", group="Evidence Drafting Panel"),
               "Quill et al. treated 20 patients with cisplatin and etoposide; the objective response rate was 35% "
               "and the median overall survival was 11.2 months.",
               "In another series [1], 30 patients received irinotecan; the response rate was 20%.",
               references=refs)
    records = {r.study_id: r for r in extract_records(doc)}
    assert records["Quill2011"].ref == 2 and records["Quill2011"].year == 2011
    assert records["Quill2011"].rr_pct == 35
    assert records["Marsh2009"].first_author == "Marsh" and records["Marsh2009"].ref == 1


def test_a_document_with_nothing_to_read_says_what_was_missing():
    doc = _doc(Metadata(first_author="Quill", year=2011), "Quill carcinoma is rare and little is known about it.")
    assert extract_records(doc) == []
    warning = doc.warnings[-1]
    assert warning.startswith("no study records") and "no table" in warning and "no result sentences" in warning


@pytest.mark.parametrize("path", [p for p in shared_files("dev", "*.pdf") if "review" in p.stem],
                         ids=lambda p: p.stem)
def test_review_studies_carry_year_and_ref(path):
    records = extract_records(read_pdf(path))
    assert records
    for record in records:  # every cited study: author, year and reference number
        assert record.first_author and record.year and record.ref, record.study_id
        assert record.study_id == f"{record.first_author}{record.year}"


@pytest.mark.parametrize("path", shared_files("real", "*.pdf"), ids=lambda p: p.stem)
def test_a_real_paper_gives_only_treatment_studies(path):
    records = extract_records(read_pdf(path))
    studies = {r.study_id for r in records}
    for study in studies:  # a record belongs to a study that names a treatment
        assert any(r.regimen or r.drugs or r.doses for r in records if r.study_id == study), study


def test_a_paragraph_cut_by_a_table_keeps_its_study():
    # the sentence about Quill's study breaks off, a table footnote lands in between, the text resumes
    doc = _doc(Metadata(title="Chemotherapy for quill carcinoma: a review", group="Evidence Drafting Panel"),
               "Quill et al. [2] treated 20 patients with cisplatin and etoposide. Among the 20",
               "IV, intravenous; EP, etoposide plus cisplatin.",
               "patients the objective response rate was 35% and the median overall survival 11.2 months.",
               references="1. Marsh C. Other. J Drugs 2009;1:2-9. 2. Quill AB. Cisplatin. Ann Drugs 2011;12:34-39.")
    records = {r.study_id: r for r in extract_records(doc)}
    assert records["Quill2011"].rr_pct == 35
