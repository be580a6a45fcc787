"""PDF reader on pdfplumber: one pass per page for words and tables, then layout at document level.

Runs in-process and raises typed IngestErrors; ``sandbox.py`` runs it in a child process with
limits, which is how untrusted files should be read (``ingest_file`` does that).
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pdfplumber
from pdfminer.pdftypes import PDFStream, resolve1

from ..model import Document
from . import layout
from .errors import NoPagesError, NoTextLayerError, ResourceLimitError
from .limits import Limits
from .preflight import preflight
from .tables import TableFragment, find_tables, merge_fragments

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
    warnings: list[str] = []
    page_lines: list[layout.PageLines] = []
    fragments: list[TableFragment] = []
    with pdfplumber.open(path) as pdf:
        n_pages = len(pdf.pages)
        if n_pages > limits.max_pages:
            raise ResourceLimitError(path, f"{n_pages} pages, over the limit of {limits.max_pages}")
        if n_pages == 0:
            raise _no_pages_error(path, pdf)
        info = dict(pdf.metadata or {})
        for number, page in enumerate(pdf.pages, start=1):
            # estimate from the content stream first: building a million char objects is the cost to avoid
            shown = shown_text_bytes(page, limits.max_chars_per_page * 2)
            if shown is None:
                warnings.append(f"page {number}: content stream inflates past {CONTENT_BUDGET >> 20} MiB "
                                "(a decompression bomb?); page skipped")
                page.close()
                continue
            n_chars = len(page.chars) if shown <= limits.max_chars_per_page * 2 else shown
            if n_chars > limits.max_chars_per_page:
                warnings.append(f"page {number}: about {n_chars} characters, over the limit of "
                                f"{limits.max_chars_per_page}; page skipped")
                page.close()
                continue
            words = page.extract_words(**WORD_OPTIONS)
            page_tables = find_tables(page, words, number)
            fragments.extend(page_tables)
            excluded = [region for t in page_tables for region in t.regions]
            rotated_chars = [c for c in page.chars if not c.get("upright", True)]
            page_lines.append(layout.page_lines(words, number, page.width, page.height, excluded,
                                                rotated_chars, WORD_OPTIONS))
            page.close()  # drop pdfplumber's per-page caches as we go
    if not any(pl.lines or pl.rotated for pl in page_lines) and not fragments:
        if warnings:  # the pages were skipped over a limit, not found blank
            raise ResourceLimitError(path, f"no page within the limits: {'; '.join(warnings[:3])}")
        raise NoTextLayerError(path, "no text layer: OCR is not supported (scanned or blank PDF)")
    doc = layout.build_document(path.stem, page_lines, n_pages, info)
    doc.source = path.name
    doc.tables = merge_fragments(fragments)
    doc.warnings = warnings + doc.warnings
    return doc
