"""Table detection on one pdfplumber page (ruled, grid and rule-less tables). STUB: being built."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import BBox, Table


@dataclass
class TableFragment:
    """A table (or the part of one) found on one page."""

    page: int
    bbox: BBox  # the table body region
    label: str | None = None  # "Table 3"
    caption: str | None = None
    header_rows: int = 0
    rows: list[list[str]] = field(default_factory=list)
    footnote: str | None = None
    # every region whose words belong to the table (body, caption, footnote): body text skips them
    regions: list[BBox] = field(default_factory=list)
    continued: bool = False  # e.g. "Table 3 (continued)" or a header repeated on the next page


def find_tables(page, words: list[dict], page_number: int) -> list[TableFragment]:
    """Find the tables on a page. ``words`` come from page.extract_words(extra_attrs=[size, fontname])."""
    return []


def merge_fragments(fragments: list[TableFragment]) -> list[Table]:
    """Join fragments of tables broken across pages into whole tables, in document order."""
    return [
        Table(label=f.label, caption=f.caption, page=f.page, pages=[f.page], header_rows=f.header_rows,
              rows=f.rows, footnote=f.footnote, bbox=f.bbox)
        for f in fragments
    ]
