"""Cells rebuilt from the words of ruled and rule-less tables: columns from the gutters, then one
header row and the body rows (``table_grid`` does the geometry)."""

from __future__ import annotations

from statistics import median

from ..table_grid import Line, RowGeometry, find_columns, header_cells, join_cell, segment_rows
from .page import _Page


def _line_cy(line: Line) -> float:
    return (line.top + line.bottom) / 2


def _split_bold_header(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Without a rule under the header, the header is the run of bold lines on top."""
    count = 0
    for line in lines:
        if not line.bold:
            break
        count += 1
    if count == len(lines):
        return [], lines
    return lines[:count], lines[count:]


def _table_size(words: list[dict]) -> float:
    return median(w.get("size", 10.0) for w in words)


def _cells_from_lines(ctx: _Page, header_lines: list[Line], bands: list[list[Line]],
                      x0: float, x1: float) -> tuple[list[list[str]], int] | None:
    """Columns from the body lines' gutters, then one header row and the body rows."""
    body_lines = [ln for band in bands for ln in band]
    basis = body_lines if len(body_lines) >= 2 else header_lines + body_lines
    if not basis:
        return None
    left = min(ln.x0 for ln in header_lines + body_lines)
    right = max(ln.x1 for ln in header_lines + body_lines)
    columns = find_columns(basis, left, right, header_lines if basis is body_lines else None)
    if len(columns) < 2:
        return None  # one column is a text box or an unreadable layout, not a table we can use
    geometry = RowGeometry(columns, right, space=0.3 * median(ln.size for ln in basis))
    rows: list[list[str]] = []
    header_rows = 0
    if header_lines:
        rows.append(header_cells(header_lines, geometry, ctx.splitter, ctx.vocab))
        header_rows = 1
    for band in bands:
        for row in segment_rows(band, geometry, ctx.splitter):
            rows.append([join_cell(parts, ctx.vocab) for parts in row])
    rows = [row for row in rows if any(cell for cell in row)]
    if len(rows) - header_rows < 1:
        return None
    return rows, header_rows
