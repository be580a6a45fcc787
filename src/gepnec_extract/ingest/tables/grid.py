"""Grid tables: a full grid of ruled cells (pdfplumber's own ``find_tables`` on the lines)."""

from __future__ import annotations

from ..table_grid import group_lines, join_cell
from .fragment import TableFragment
from .captions import _Caption
from .notes import _caption_block_below, _footnote_words, _fragment
from .rules import _words_in
from .page import _Page
from .cells import _table_size


_MAX_GRID_EDGES = 2500  # pages drawn with thousands of segments are plots, not tables


def _grid_table(ctx: _Page, caption: _Caption) -> TableFragment | None:
    if len(ctx.v_rules) < 2 or len(ctx.v_rules) + len(ctx.h_rules) > _MAX_GRID_EDGES:
        return None
    found = _grid_near(ctx, caption)
    if found is None:
        return None
    table, caption_below = found
    x0, top, x1, bottom = table.bbox
    rows, header_rows = _grid_cells(ctx, table)
    if len(rows) - header_rows < 1:
        return None
    if caption_below:
        caption_words = _caption_block_below(ctx, caption, x0, x1)
        foot_words = _footnote_words(ctx, caption_words, x0, x1, _table_size(_words_in(ctx.words, table.bbox)))
    else:
        caption_words = [w for w in _words_in(ctx.words, (x0, caption.top - 1, x1, top))
                         if w["x0"] >= caption.x0 - 2] or caption.words
        foot_words = _footnote_words(ctx, [{"bottom": bottom}], x0, x1,
                                     _table_size(_words_in(ctx.words, table.bbox) or caption.words))
    return _fragment(ctx, caption, tuple(table.bbox), caption_words, foot_words, rows, header_rows)


def _grid_near(ctx: _Page, caption: _Caption):
    """The ruled grid starting just under the caption (or ending just over it)."""
    tables = ctx.grids()
    best = None
    for table in tables:
        x0, top, x1, bottom = table.bbox
        if len(table.rows) < 2 or not (x0 - 8 <= caption.x0 <= x1):
            continue
        if caption.bottom - 2 <= top <= caption.bottom + 40:
            distance, below = top - caption.bottom, False
        elif caption.top - 30 <= bottom <= caption.top + 2:
            distance, below = caption.top - bottom, True
        else:
            continue
        if best is None or distance < best[0]:
            best = (distance, table, below)
    return (best[1], best[2]) if best else None


def _grid_cells(ctx: _Page, table) -> tuple[list[list[str]], int]:
    rows: list[list[str]] = []
    bold_rows: list[bool] = []
    for row in table.rows:
        texts, bold = [], True
        for cell in row.cells:
            if cell is None:
                texts.append("")
                continue
            words = _words_in(ctx.words, cell)
            lines = group_lines(words)
            texts.append(join_cell([ln.text for ln in lines], ctx.vocab))
            bold = bold and all(ln.bold for ln in lines)
        if any(texts):
            rows.append(texts)
            bold_rows.append(bold and any(texts))
    header_rows = 0
    for is_bold_row in bold_rows:
        if not is_bold_row:
            break
        header_rows += 1
    if header_rows == len(rows):
        header_rows = min(1, len(rows))
    return rows, header_rows
