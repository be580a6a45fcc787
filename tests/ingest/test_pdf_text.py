"""Body text of real PDFs: reading order, paragraphs, running matter, hyphenation, coverage.

Paragraph presence on the review is measured against review.txt (the text once extracted from the
original PDF): every body paragraph of it must be found, whitespace, case and hyphenation
normalized, inside one Block. Coverage on the dev and real PDFs is measured against pdftotext.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from functools import lru_cache

import pytest

from gepnec_extract.ingest.normalize import normalize_text
from gepnec_extract.ingest.pdf import read_pdf
from gepnec_extract.ingest.text import read_text
from gepnec_extract.nlp.phrases import ascii_fold

from ..conftest import REVIEW_PDF, REVIEW_TXT, shared_files

TOKEN = re.compile(r"[^\W_]+")


def squash(text: str) -> str:
    """Compare text ignoring case, spacing, punctuation and hyphenation choices."""
    return re.sub(r"[^a-z0-9]", "", normalize_text(text).lower())


@lru_cache(maxsize=None)
def review_doc():
    return read_pdf(REVIEW_PDF)


def body_paragraphs_of_review_txt(tmp_path) -> list[str]:
    """review.txt paragraphs of running text. Its tables run from a "Table N." line to the end of
    their "Abbreviations:" paragraph: those lines are cut before the paragraphs are read."""
    kept, in_table = [], False
    for line in REVIEW_TXT.read_text(encoding="utf-8").splitlines():
        if re.match(r"^Table \d+\.", line):
            in_table, footnote = True, False
        if not in_table:
            kept.append(line)
        elif line.startswith("Abbreviations:"):
            footnote = True
        elif footnote and not line.strip():
            in_table = False
    body_txt = tmp_path / "review-body.txt"
    body_txt.write_text("\n".join(kept), encoding="utf-8")
    return [b.text for b in read_text(body_txt).blocks if b.kind == "paragraph" and len(b.text.split()) >= 8]


def test_review_metadata():
    meta = review_doc().metadata
    assert meta.title == "Current Treatment Options in Gastroenteropancreatic Neuroendocrine Carcinoma"
    assert meta.first_author == "Thomas"
    assert meta.year == 2019
    assert meta.journal == "The Oncologist"
    assert review_doc().pages == 13


def test_every_review_body_paragraph_is_one_block(tmp_path):
    blocks = [squash(b.text) for b in review_doc().blocks]
    paragraphs = body_paragraphs_of_review_txt(tmp_path)
    assert len(paragraphs) > 40
    # review.txt's abstract carries the journal line of the original PDF: trim what follows the last sentence
    missing = [p[:80] for p in paragraphs
               if not any(squash(re.sub(r" The Oncologist.*$", "", p)) in b for b in blocks)]
    assert missing == []


def test_review_sections_follow_headings():
    doc = review_doc()
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    for expected in ("1 INTRODUCTION", "2 FIRST-LINE CHEMOTHERAPY IN GEPNECS", "3 Cisplatin/Carboplatin + Etoposide",
                     "7 SECOND-LINE CHEMOTHERAPY IN GEPNECS", "10 CONCLUSION"):
        assert expected in headings
    moertel = next(b for b in doc.blocks if "led Moertel et al. (1991)" in b.text)
    assert moertel.section == "3 Cisplatin/Carboplatin + Etoposide" and moertel.page == 2


def test_running_headers_and_page_numbers_leave_the_body():
    doc = review_doc()
    assert not any("The Oncologist 2019;24:1-13" in b.text for b in doc.blocks)
    assert not any(re.fullmatch(r"\d{1,3}", b.text) for b in doc.blocks)
    furniture = [b.text for b in doc.furniture]
    assert furniture.count("The Oncologist 2019;24:1-13") == 13
    # page numbers are kept aside; on page 7 the overfull Table 3 footnote is printed over the number
    numbers = {b.page for b in doc.furniture if b.text == str(b.page)}
    assert numbers >= set(range(1, 14)) - {7}


def test_line_end_hyphens_undone_real_ones_kept():
    text = " ".join(b.text for b in review_doc().blocks)
    leftovers = re.findall(r"\b[a-z]+- (?!and\b|or\b|to\b|vs\b)[a-z]+", text)
    assert leftovers == []
    for word in ("chemotherapy", "platinum-based", "progression-free", "neutropenia", "first-line"):
        assert word in text
    assert "chemo- therapy" not in text and "chemotherapy-" not in text


def test_two_column_reading_order():
    text = " ".join(b.text for b in review_doc().blocks)
    # left column of page 2 ends mid-sentence and the right column continues it
    assert "Fjallskog et al. (2001), however, showed that clinical behavior may be a greater prognosticator" in text


# --- coverage against pdftotext ------------------------------------------------------------------

def words(text: str) -> Counter:
    return Counter(t.lower() for t in TOKEN.findall(text))


def document_words(doc) -> Counter:
    parts = [b.text for b in doc.blocks + doc.furniture]
    for table in doc.tables:
        parts += [table.caption or "", table.footnote or ""] + [cell for row in table.rows for cell in row]
    return words("\n".join(parts))


def pdftotext_words(path) -> Counter:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return words(re.sub(r"(\w)-\n(\w)", r"\1\2", normalize_text(text)))


def coverage(path) -> float:
    ours, theirs = document_words(read_pdf(path)), pdftotext_words(path)
    return sum(min(ours[w], n) for w, n in theirs.items()) / sum(theirs.values())


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext not installed")


@needs_pdftotext
@pytest.mark.parametrize("path", shared_files("real", "*.pdf"), ids=lambda p: p.stem)
def test_real_pdfs_keep_95_percent_of_pdftotext_words(path):
    assert coverage(path) >= 0.95


@needs_pdftotext
@pytest.mark.parametrize("path", shared_files("dev", "*.pdf") + [REVIEW_PDF], ids=lambda p: p.stem)
def test_dev_pdfs_keep_their_words(path):
    assert coverage(path) >= 0.98


@pytest.mark.parametrize("path", shared_files("dev", "*.pdf"), ids=lambda p: p.stem)
def test_dev_pdfs_title_block(path):
    doc = read_pdf(path)
    meta = doc.metadata
    named = re.match(r"d\d+-([a-z]+)(\d{4})$", path.stem)
    if named:  # a paper: its first author (ASCII-folded in the file name) and year
        author, year = named.groups()
        assert ascii_fold(meta.first_author or "").lower() == author
        assert meta.year == int(year)
        first_page = " ".join(b.text for b in doc.blocks if b.page == 1)
        assert meta.first_author in first_page  # as printed, diacritics kept
    else:  # a review whose byline is a group: no author, no study of its own
        assert meta.group and not meta.first_author and not meta.authors
    assert meta.title and meta.journal


def test_defects_are_reported_as_warnings(shared_corpus):
    seretny = read_pdf(shared_corpus / "real" / "real01-seretny2014.pdf")
    assert any("no Unicode mapping" in w for w in seretny.warnings)
    assert not any("(cid:" in b.text for b in seretny.blocks)
    alasiri = read_pdf(shared_corpus / "real" / "real02-alasiri2016.pdf")
    assert any("rotated text" in w for w in alasiri.warnings)
    rotated = " ".join(b.text for b in alasiri.blocks if b.kind == "rotated")
    assert "ovarian ablation" in rotated  # the sideways Table 1 reads as words, not letters
