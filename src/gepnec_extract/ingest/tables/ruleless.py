"""Rule-less tables: a block of column-aligned lines next to the caption, set off from the body text."""

from __future__ import annotations

from ..table_grid import Line, find_columns, group_lines, line_gap
from .fragment import TableFragment
from .captions import _Caption, _same_line
from .notes import _caption_block_below, _footnote_words, _fragment
from .rules import _bbox, _cx
from .page import _Page
from .cells import _cells_from_lines, _split_bold_header, _table_size


def _ruleless_table(ctx: _Page, caption: _Caption) -> TableFragment | None:
    x0, x1 = _column_range(ctx, caption)
    in_column = [w for w in ctx.words if x0 <= _cx(w) <= x1]
    caption_below_words = _caption_block_below(ctx, caption, x0, x1)
    caption_ids = {id(w) for w in caption_below_words}
    others = [w for w in in_column if id(w) not in caption_ids]
    lines = group_lines(others)
    above = _aligned_block(ctx, [ln for ln in lines if ln.bottom <= caption.top + 1][::-1], caption.top, -1)
    below = _aligned_block(ctx, [ln for ln in lines if ln.top >= max(w["bottom"] for w in caption_below_words) - 1],
                           max(w["bottom"] for w in caption_below_words), 1)
    if above is not None:
        block, caption_words = above, caption_below_words
    elif below is not None:
        block, caption_words = below, caption_below_words
    else:
        return None
    block_words = [w for ln in block for w in ln.words]
    header_lines, body_lines = _split_bold_header(block)
    if not body_lines:
        return None
    left, right = min(ln.x0 for ln in block), max(ln.x1 for ln in block)
    cells = _cells_from_lines(ctx, header_lines, [body_lines], left, right)
    if cells is None:
        return None
    rows, header_rows = cells
    body_box = _bbox(block_words)
    last = caption_words if above is not None else block_words
    foot_words = _footnote_words(ctx, last, x0, x1, _table_size(block_words))
    return _fragment(ctx, caption, body_box, caption_words, foot_words, rows, header_rows)


def _column_range(ctx: _Page, caption: _Caption) -> tuple[float, float]:
    """The x-range of the text column the caption sits in, bounded by other text on its line."""
    middle = ctx.width / 2
    line = [w for w in ctx.words if _same_line(caption.words[0], w)]
    own = {id(w) for w in caption.words}
    left = [w["x1"] for w in line if id(w) not in own and w["x1"] <= caption.x0 - 1]
    right = [w["x0"] for w in line if id(w) not in own and w["x0"] >= caption.x1 + 1]
    x0 = max(left) + 2 if left else 0.0
    x1 = min(right) - 2 if right else ctx.width
    if caption.x0 >= middle - 20:
        x0 = max(x0, middle - 15)
    return x0, x1


def _aligned_block(ctx: _Page, lines: list[Line], edge: float, direction: int) -> list[Line] | None:
    """Lines next to the caption, in a smaller or equal type, that fall into aligned columns."""
    if not lines:
        return None
    first = lines[0]
    if first.size > ctx.body_size - 0.3:
        return None  # without rules, only small print tells a table from the running text
    first_gap = (edge - first.bottom) if direction < 0 else (first.top - edge)
    if first_gap > 2.5 * first.size:
        return None
    block = [first]
    caption_tops = {round(c.top) for c in ctx.captions}
    for line in lines[1:]:
        upper, lower = (line, block[-1]) if direction < 0 else (block[-1], line)
        if line_gap(upper, lower) > 2.2 * first.size or abs(line.size - first.size) > 0.6:
            break
        if round(line.top) in caption_tops:
            break
        block.append(line)
    if direction < 0:
        block.reverse()
    if len(block) < 2:
        return None
    return block if _looks_tabular(block) else None


def _looks_tabular(block: list[Line]) -> bool:
    header, body = _split_bold_header(block)
    body = body or block
    columns = find_columns(body, min(ln.x0 for ln in block), max(ln.x1 for ln in block), header)
    if len(columns) < 2:
        return False
    multi = 0
    for line in body:
        starts = {sum(1 for c in columns if w["x0"] >= c - 1.0) for w in line.words}
        multi += len(starts) >= 2
    return multi >= max(2, 0.5 * len(body))
