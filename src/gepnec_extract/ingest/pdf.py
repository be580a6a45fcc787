"""PDF reader on pdfplumber: one pass per page for words and tables, then layout at document level.

Runs in-process and raises typed IngestErrors; ``sandbox.py`` runs it in a child process with
limits, which is how untrusted files should be read (``ingest_file`` does that).
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any, Callable

import pdfplumber
from pdfminer.pdftypes import PDFStream, resolve1

from ..model import Document
from . import layout
from .errors import NoPagesError, ResourceLimitError
from .limits import Limits
from .pages import PageRead, assemble, info_text
from .plumber_objects import lean_objects
from .preflight import preflight
from .tables import find_tables

WORD_OPTIONS = dict(x_tolerance=1.5, x_tolerance_ratio=0.15, y_tolerance=2.5, keep_blank_chars=False, use_text_flow=False,
                    extra_attrs=["size", "fontname"])


_LITERAL = re.compile(rb"\((?:\\.|[^\\)])*\)")
_HEX = re.compile(rb"<([0-9A-Fa-f\s]+)>")


CONTENT_BUDGET = 64 * 1024 * 1024  # inflated content bytes read per page before giving up on it


def shown_text_bytes(page, cap: int) -> int | None:
    """Bytes of text a page's content streams show (string operands), read without laying the page
    out; counting stops past ``cap``. None when the content inflates past CONTENT_BUDGET."""
    total = 0
    budget = CONTENT_BUDGET
    contents = page.page_obj.contents or []
    for ref in contents if isinstance(contents, list) else [contents]:
        data = _bounded_data(resolve1(ref), budget)
        if data is None:
            return None
        budget -= len(data)
        total += sum(len(m.group()) - 2 for m in _LITERAL.finditer(data))
        total += sum(len(m.group(1)) // 2 for m in _HEX.finditer(data))
        if total > cap:
            return total
    return total


def _bounded_data(stream, budget: int) -> bytes | None:
    """A content stream's bytes, inflating at most ``budget`` bytes (None when it would inflate more)."""
    if not isinstance(stream, PDFStream):
        return b""
    filters = [f for f, _ in stream.get_filters()]
    if all(getattr(f, "name", f) in {"FlateDecode", "Fl"} for f in filters) and len(filters) <= 1:
        if not filters:
            return stream.rawdata[:budget] if stream.rawdata is not None else stream.get_data()[:budget]
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(stream.rawdata or b"", budget)
        except zlib.error:
            return b""
        return None if inflater.unconsumed_tail else data
    data = stream.get_data()
    return None if len(data) > budget else data


def _no_pages_error(path: Path, pdf) -> Exception:
    """No page read: a page tree that says it is empty ("no pages"), or one that cannot be read
    (a garbled xref, scrambled object streams: a damaged file)."""
    from .errors import CorruptPdfError

    try:
        tree = resolve1(pdf.doc.catalog.get("Pages"))
        declared_empty = isinstance(tree, dict) and resolve1(tree.get("Count")) == 0 and not resolve1(tree.get("Kids"))
    except Exception:  # noqa: BLE001 - an unreadable catalog is damage too
        declared_empty = False
    if declared_empty:
        return NoPagesError(path, "no pages: the PDF's page tree is empty")
    return CorruptPdfError(path, "corrupt PDF: no page could be read (damaged page tree, objects or xref)")


def read_pdf(path: Path | str, limits: Limits | None = None) -> Document:
    path = Path(path)
    limits = limits or Limits()
    preflight(path, limits)
    with pdfplumber.open(path) as pdf:
        n_pages, info = _opened(path, pdf, limits)
        read = [read_page(page, number, limits) for number, page in enumerate(pdf.pages, start=1)]
    return assemble(path, read, n_pages, info)


def read_pdf_pages(path: Path | str, limits: Limits, claim: Callable[[int], int | None]) -> dict[str, Any]:
    """The pages of a PDF that ``claim(page count)`` hands out, one number (1-based) at a time until
    it gives None: children reading one PDF together draw from one counter, so a child takes the
    next unread page whenever it is free and a run of heavy table pages is shared by whoever is
    ready. {"pages": n, "info": {...}, "read": [PageRead...]}: ``assemble`` makes the Document of
    every child's pages."""
    path = Path(path)
    preflight(path, limits)
    with pdfplumber.open(path) as pdf:
        n_pages, info = _opened(path, pdf, limits)
        read = []
        while (number := claim(n_pages)) is not None:
            read.append(read_page(pdf.pages[number - 1], number, limits))
    return {"pages": n_pages, "info": info, "read": read}


def _opened(path: Path, pdf, limits: Limits) -> tuple[int, dict[str, str]]:
    """The page count (within the limit, at least one) and what the document info gives ingest."""
    n_pages = len(pdf.pages)
    if n_pages > limits.max_pages:
        raise ResourceLimitError(path, f"{n_pages} pages, over the limit of {limits.max_pages}")
    if n_pages == 0:
        raise _no_pages_error(path, pdf)
    return n_pages, info_text(dict(pdf.metadata or {}))


def read_page(page, number: int, limits: Limits) -> PageRead:
    """One page's lines, table fragments and warnings (a page over a limit is skipped, with a warning)."""
    lean_objects(page)
    try:
        # estimate from the content stream first: building a million char objects is the cost to avoid
        shown = shown_text_bytes(page, limits.max_chars_per_page * 2)
        if shown is None:
            return PageRead(number, warnings=[f"page {number}: content stream inflates past {CONTENT_BUDGET >> 20} "
                                              "MiB (a decompression bomb?); page skipped"])
        n_chars = len(page.chars) if shown <= limits.max_chars_per_page * 2 else shown
        if n_chars > limits.max_chars_per_page:
            return PageRead(number, warnings=[f"page {number}: about {n_chars} characters, over the limit of "
                                              f"{limits.max_chars_per_page}; page skipped"])
        words = page.extract_words(**WORD_OPTIONS)
        page_tables = find_tables(page, words, number)
        excluded = [region for t in page_tables for region in t.regions]
        rotated_chars = [c for c in page.chars if not c.get("upright", True)]
        lines = layout.page_lines(words, number, page.width, page.height, excluded, rotated_chars, WORD_OPTIONS)
        return PageRead(number, lines, page_tables)
    finally:
        page.close()  # drop pdfplumber's per-page caches as we go
