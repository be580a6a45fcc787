"""A PDF's pages as read one by one, and the Document assembled from them.

Reading a page (its lines, table fragments and warnings: ``pdf.read_page``) depends on that page
alone; what spans pages (running headers, paragraphs that go on overleaf, tables continued on
the next page, the front matter) is settled by ``assemble`` over all of them. So the pages of one
PDF can be read by several sandboxed children at once (``sandbox``), each sending its pages back
as JSON, and one Document made of them: the same Document as reading the pages in turn.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..model import Document
from . import layout
from .errors import NoTextLayerError, ResourceLimitError
from .tables import TableFragment, merge_fragments


@dataclass
class PageRead:
    """What one page gave: its lines (None when the page was skipped over a limit), its table
    fragments and its warnings."""

    page: int
    lines: layout.PageLines | None = None
    fragments: list[TableFragment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageRead:
        lines = data.get("lines")
        if lines is not None:
            lines = layout.PageLines(**{**lines, "lines": [layout.Line(**line) for line in lines["lines"]]})
        fragments = [TableFragment(**{**f, "bbox": tuple(f["bbox"]), "regions": [tuple(r) for r in f["regions"]]})
                     for f in data.get("fragments", [])]
        return cls(int(data["page"]), lines, fragments, [str(w) for w in data.get("warnings", [])])


def info_text(info: dict) -> dict[str, str]:
    """The document info entries ingest reads (the title and subject), as text: a title only when
    it is set. (pdfminer's values may be objects of its own, which do not travel as JSON.)"""
    found = {"Title": str(info["Title"])} if info.get("Title") else {}
    if "Subject" in info:
        found["Subject"] = str(info["Subject"])
    return found


def assemble(path: Path, read: list[PageRead], n_pages: int, info: dict[str, str]) -> Document:
    """The Document of a PDF's pages (``read``, in any order); raises NoTextLayerError when no page
    has text, ResourceLimitError when every page with text was skipped over a limit."""
    read = sorted(read, key=lambda r: r.page)
    warnings = [w for r in read for w in r.warnings]
    page_lines = [r.lines for r in read if r.lines is not None]
    fragments = [f for r in read for f in r.fragments]
    if not any(pl.lines or pl.rotated for pl in page_lines) and not fragments:
        if warnings:  # the pages were skipped over a limit, not found blank
            raise ResourceLimitError(path, f"no page within the limits: {'; '.join(warnings[:3])}")
        raise NoTextLayerError(path, "no text layer: OCR is not supported (scanned or blank PDF)")
    doc = layout.build_document(path.stem, page_lines, n_pages, info)
    doc.source = path.name
    doc.tables = merge_fragments(fragments)
    doc.warnings = warnings + doc.warnings
    return doc
