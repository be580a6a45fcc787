"""A table, or the part of one, found on one page: what every detector returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model import BBox


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
