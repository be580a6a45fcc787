"""Table detection on one pdfplumber page (ruled, grid and rule-less tables).

Every table is anchored on its caption ("Table 3 ...", "TABLE 3.", "Table 3 (continued)"):
a caption keeps figure axes, boxed abstracts and plot gridlines from being read as tables.
From the caption we look for, in turn:

1. horizontal rules (booktabs: top rule, rule under the header, bottom rule) just below the
   caption, or just above it when the caption sits under the table;
2. a full grid of ruled cells (pdfplumber's own ``find_tables`` on the lines);
3. a block of column-aligned lines next to the caption, set off from the body text.

Cells of ruled and rule-less tables are rebuilt from the words with ``table_grid``: columns
from the gutters, rows from how cells start and stop, wrapped cell lines joined and
de-hyphenated. ``merge_fragments`` then stitches tables broken across pages.

One module per table kind (``ruled``, ``grid``, ``ruleless``), beside what they share: ``captions``
(the anchors), ``rules`` (the page's rules and word geometry), ``page`` (the page context),
``cells`` (cells rebuilt from lines), ``notes`` (caption and footnote text, the fragment built) and
``merge`` (tables across pages).
"""

from __future__ import annotations

import logging

from ...model import BBox
from ..normalize import word_counts
from ..table_grid import group_lines
from .fragment import TableFragment
from .captions import _find_captions
from .rules import _rules
from .page import _Page
from .ruled import _ruled_table, _uncaptioned_tables
from .grid import _grid_table
from .ruleless import _ruleless_table
from .merge import merge_fragments

log = logging.getLogger(__name__)

__all__ = ["TableFragment", "find_tables", "merge_fragments"]


def find_tables(page, words: list[dict], page_number: int) -> list[TableFragment]:
    """Find the tables on a page. ``words`` come from page.extract_words(extra_attrs=[size, fontname])."""
    try:
        return _find_tables(page, words, page_number)
    except Exception:  # noqa: BLE001 - a table we cannot read must not sink the whole document
        log.exception("page %d: table detection failed; page read as plain text", page_number)
        return []


def _find_tables(page, words: list[dict], page_number: int) -> list[TableFragment]:
    upright = [w for w in words if w.get("upright", True) and w["text"].strip()]
    captions = _find_captions(upright)
    if not captions and len(page.lines) + len(page.rects) + len(page.curves) < 3:
        return []
    h_rules, v_rules = _rules(page)
    vocab = word_counts(line.text for line in group_lines(upright))
    ctx = _Page(page, page_number, upright, vocab, captions, h_rules, v_rules)
    fragments: list[TableFragment] = []
    for caption in captions:
        fragment = _ruled_table(ctx, caption) or _grid_table(ctx, caption) or _ruleless_table(ctx, caption)
        if fragment and not any(_overlaps(fragment.bbox, f.bbox) for f in fragments):
            fragments.append(fragment)
    fragments += _uncaptioned_tables(ctx, fragments)
    fragments.sort(key=lambda f: (f.bbox[1], f.bbox[0]))
    return fragments


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
