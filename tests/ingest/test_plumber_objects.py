"""``plumber_objects.lean_objects`` builds the page objects pdfplumber builds: every char, line,
rect, curve and image of real pages, with the same keys in the same order and equal values, on the
review and on PDFs of other layouts and publishers (images, colour spaces, curves, form rules)."""

from __future__ import annotations

import pdfplumber
import pytest
from pdfminer.pdftypes import PDFObjRef, PDFStream

from gepnec_extract.ingest.plumber_objects import lean_objects, process_object

from ..conftest import REVIEW_PDF, shared_files


def _comparable(value):
    """A value with the PDF's stream and reference objects (equal only to themselves, and each
    file is opened twice) replaced by what identifies them."""
    if isinstance(value, PDFStream):
        return ("stream", value.objid, _comparable(value.attrs), value.rawdata)
    if isinstance(value, PDFObjRef):
        return ("ref", value.objid)
    if isinstance(value, dict):
        return [(key, _comparable(item)) for key, item in value.items()]  # a list: order counts too
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_comparable(item) for item in value])
    return value


def _objects(path, lean: bool) -> list[dict]:
    with pdfplumber.open(path) as pdf:
        pages = []
        for page in pdf.pages:
            if lean:
                lean_objects(page)
            pages.append(page.objects)
            page.close()
        return pages


def _same(ours: dict, theirs: dict) -> bool:
    """Same keys in the same order, equal values (streams and references by what identifies them)."""
    return list(ours) == list(theirs) and (ours == theirs or _comparable(ours) == _comparable(theirs))


PDFS = [REVIEW_PDF, *shared_files("dev", "d0[1-3]-*.pdf"), *shared_files("real", "real0[36]-*.pdf")]


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_lean_objects_are_pdfplumbers_objects(path):
    lean, plumbers = _objects(path, lean=True), _objects(path, lean=False)
    assert sum(len(objects) for page in lean for objects in page.values()) > 1000  # real pages were read
    assert [{kind: len(objects) for kind, objects in page.items()} for page in lean] == \
        [{kind: len(objects) for kind, objects in page.items()} for page in plumbers]
    for number, (ours, theirs) in enumerate(zip(lean, plumbers), start=1):
        assert list(ours) == list(theirs)
        for kind in ours:
            different = [i for i, (a, b) in enumerate(zip(ours[kind], theirs[kind])) if not _same(a, b)]
            assert not different, f"page {number}, {kind} {different[0]}: {ours[kind][different[0]]} != {theirs[kind][different[0]]}"


def test_the_lean_page_reads_through_its_own_process_object(monkeypatch):
    """The page built by lean_objects calls process_object above, not pdfplumber's (which the
    comparison above could not tell apart)."""
    calls = []

    def counted(page, obj):
        calls.append(obj)
        return process_object(page, obj)

    monkeypatch.setattr("gepnec_extract.ingest.plumber_objects.process_object", counted)
    with pdfplumber.open(REVIEW_PDF) as pdf:
        page = lean_objects(pdf.pages[0])
        assert len(calls) == 0
        chars = page.chars
    assert len(chars) > 1000 and len(calls) >= len(chars)
