"""Front matter (ingest/metadata.py): bylines as publishers print them, group bylines, and the
fallbacks that still name a paper's own study when the byline cannot be read. Invented names."""

from __future__ import annotations

import pytest

from gepnec_extract.ingest.metadata import (citation_line_author, parse_byline, read_front_matter,
                                            running_head_author, surname, title_acronym)
from gepnec_extract.nlp.phrases import study_id

BYLINES = [  # (byline, first author, group, truncated)
    ("A. B. Quillström, C. Marsh and D. Fenwick", "Quillström", None, False),
    ("Quillström AB, Marsh C, Fenwick D", "Quillström", None, False),
    ("Anna Quill1,2*, Bo Marsh3 and Cai Fenwick2", "Quill", None, False),
    ("Zeno L. Quill a,⇑, Bo Marsh b, Cai Fenwick a", "Quill", None, False),
    ("Zeno Quill1,* Bo Marsh1,* Cai Fenwick2,*", "Quill", None, False),
    ("M. L. Quillström, et al.", "Quillström", None, True),
    ("A. van der Quill, B. Marsh, for the Drugamab Study Group", "van der Quill", "Drugamab Study Group", False),
    ("Quill A, van der Marsh B, on behalf of the Zorbel Trial Investigators", "Quill", "Zorbel Trial Investigators", False),
    ("J.-P. Quill, Y.-Z. Marsh", "Quill", None, False),
    ("Zoran Kovač, Ana Dvořák, Łucja Ptaś", "Kovač", None, False),  # Latin Extended-A letters
    ("Şahinoğlu A, Quill B", "Şahinoğlu", None, False),
]


@pytest.mark.parametrize("text,author,group,truncated", BYLINES, ids=[b[0][:30] for b in BYLINES])
def test_byline_et_al_keeps_first_author(text, author, group, truncated):
    byline = parse_byline(text)
    assert byline is not None
    assert byline.first_author == author
    assert byline.group == group
    assert byline.truncated is truncated


@pytest.mark.parametrize("text", ["Evidence Drafting Panel", "Zorbel Guideline Committee", "Quill Neuroendocrine Working Group"])
def test_a_group_byline_has_no_author(text):
    byline = parse_byline(text)
    assert byline is not None and byline.group == text and byline.names == [] and byline.first_author is None


@pytest.mark.parametrize("text", [
    "Original article", "Open Access", "Research Letter",
    "Background Drugamab is the accepted first-line treatment of quill carcinoma",
    "1Department of Oncology, Quill University Hospital, Somewhere 12345, Nowhere",
    "Journal of Drug Studies 2011;12:34-39", "ABSTRACT",
])
def test_text_that_is_not_a_byline(text):
    assert parse_byline(text) is None


def test_study_id_is_ascii_folded_first_author_as_printed():
    byline = parse_byline("M. Quillström, B. Marsh")
    assert byline.first_author == "Quillström"
    assert study_id(byline.first_author, 2001) == "Quillstrom2001"
    assert surname("van der Quill J") == "van der Quill"
    assert surname("Anna Maria de Quill") == "de Quill"


def test_running_head_and_citation_line():
    assert running_head_author(["J Drugs 2001;3:1-9", "M. L. Quillström et al.", "12", "M. L. Quillström et al."]) == "Quillström"
    assert running_head_author(["Quill et al. J Drugs (2015) 16:58", "Page 2 of 8"]) == "Quill"
    assert running_head_author(["Drug Evidence Reviews 2025", "Page 3"]) is None
    assert citation_line_author(["Cite this article as: Quill AB, Marsh C: Drugamab. J Drugs 2012, 3:14"]) == "Quill"
    assert citation_line_author(["Quill et al. BMC Drugs 2012, 12:560"]) == "Quill"


def test_title_acronym():
    assert title_acronym("Drugamab versus placebo in quill carcinoma (ZORBEL-2): a randomised trial") == "ZORBEL2"
    assert title_acronym("Drugamab in quill carcinoma: the phase II QUILLAB trial") == "QUILLAB"
    assert title_acronym("Drugamab in neuroendocrine carcinoma (NEC) and (GEP-NEC)") is None


@pytest.mark.parametrize("headers,front,title,author,acronym,says", [
    (["M. Quill et al."], [], "Drugamab in quill carcinoma", "Quill", None, "running head"),
    ([], ["Quill et al. J Drugs 2012, 3:14"], "Drugamab in quill carcinoma", "Quill", None, "citation line"),
    ([], [], "Drugamab in quill carcinoma (ZORBEL-2)", None, "ZORBEL2", "trial acronym"),
    ([], [], "Drugamab in quill carcinoma", None, None, "no author"),
])
def test_unreadable_byline_falls_back_and_warns(headers, front, title, author, acronym, says):
    meta, warnings = read_front_matter(title, ["Received 1 May; accepted 2 June"], headers, front, {})
    assert meta.first_author == author and meta.acronym == acronym
    assert len(warnings) == 1 and says in warnings[0]


def test_a_read_byline_needs_no_warning():
    meta, warnings = read_front_matter("Drugamab", ["A. Quill, B. Marsh"], ["J Drugs 2011;12:34-39"], [], {})
    assert (meta.first_author, meta.authors, meta.year, meta.journal) == ("Quill", ["A. Quill", "B. Marsh"], 2011, "J Drugs")
    assert warnings == []
    meta, warnings = read_front_matter("Drugamab: a review", ["Evidence Drafting Panel"], [], [], {})
    assert meta.group == "Evidence Drafting Panel" and meta.first_author is None and warnings == []


# --- a plain text's front matter (ingest/text.py) ------------------------------------------------

PLAIN_PAPER = """Drugamab with quillcitabine as second-line therapy in quill carcinoma: a phase II trial

Quillström AB, Marsh C, Fenwick D

J Drug Stud 2011;12:34-39

Methods
Patients with quill carcinoma received drugamab 100 mg/m2 on day 1 every 3 weeks.
"""


def _plain(tmp_path, text: str):
    from gepnec_extract.ingest.text import read_text

    path = tmp_path / "paper.txt"
    path.write_text(text, encoding="utf-8")
    return read_text(path)


def test_a_plain_text_paper_is_read_with_the_pdf_grammar(tmp_path):
    doc = _plain(tmp_path, PLAIN_PAPER)
    meta = doc.metadata
    assert meta.title.startswith("Drugamab with quillcitabine") and meta.first_author == "Quillström"
    assert meta.authors[:2] == ["Quillström AB", "Marsh C"] and (meta.journal, meta.year) == ("J Drug Stud", 2011)
    assert [b.kind for b in doc.blocks][:2] == ["title", "paragraph"]  # the title is no body text
    assert doc.blocks[-1].section == "Methods"


PLAIN_AS_EXTRACTED = """Preprint, not peer reviewed. Published version: Quill Oncology 2016;21:5-9

Z. Quill et al.

Drugamab and quillcitabine for advanced quill carcinoma: a
multicentre phase II trial of the Quill Research
Network
Z. Quill, B. Marsh, C. Fenwick, D. Amberly, E. Brookfield, F.
Castellan, G. Dunmore
Abstract
Background: Quill carcinoma has no standard treatment.
"""


def test_a_title_and_byline_in_one_paragraph_as_text_extractors_print_them(tmp_path):
    """A PDF's text as pdftotext prints it: a banner and a running head before the title, the title
    running straight into a byline that wraps, the first section right after."""
    doc = _plain(tmp_path, PLAIN_AS_EXTRACTED)
    meta = doc.metadata
    assert meta.title == ("Drugamab and quillcitabine for advanced quill carcinoma: a multicentre phase II "
                          "trial of the Quill Research Network")
    assert meta.first_author == "Quill" and meta.year == 2016 and meta.group is None  # not "Quill Research Network"
    assert meta.authors[-2:] == ["F. Castellan", "G. Dunmore"]  # the byline's second line
    title = next(b for b in doc.blocks if b.kind == "title")
    assert title.text == meta.title
    assert not any(b.section and "Marsh" in b.section for b in doc.blocks)  # the byline names no section


@pytest.mark.parametrize("opening", [
    "Treatment of quill carcinoma\n\nThe drugamab regimens of six studies are compared here.\n",  # no byline
    "ABSTRACT\n\nQuill A, Marsh B\n",  # a heading, not a title
    "Quill carcinoma is rare and the studies of it are few.\n\nQuill A, Marsh B\n",  # a sentence
])
def test_a_plain_text_without_title_and_byline_has_no_front_matter(tmp_path, opening):
    doc = _plain(tmp_path, opening + "\nResults\nNine of 30 patients responded to drugamab.\n")
    assert doc.metadata.title is None and doc.metadata.first_author is None
    assert "title" not in [b.kind for b in doc.blocks]


def test_the_review_text_keeps_no_front_matter():
    """review.txt (the founding review, once extracted) opens with its abstract: still a text of
    cited studies, not a paper with a study of its own."""
    from pathlib import Path

    from gepnec_extract.ingest.text import read_text

    review = Path(__file__).parents[2] / "corpus" / "review" / "review.txt"
    assert read_text(review).metadata.title is None
