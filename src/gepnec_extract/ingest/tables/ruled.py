"""Ruled (booktabs) tables: a top rule, a rule under the header and a bottom rule next to the
caption; and booktabs tables with no caption at all (three rules of booktabs weights)."""

from __future__ import annotations

from ..table_grid import Line, group_lines, line_gap
from .fragment import TableFragment
from .captions import _Caption
from .notes import _caption_block_below, _footnote_text, _footnote_words, _fragment, _pad
from .rules import _Rule, _bbox, _cx, _rule_run, _words_in
from .page import _Page
from .cells import _cells_from_lines, _line_cy, _split_bold_header, _table_size
from .ruleless import _looks_tabular


_MAX_UNANCHORED_RULES = 300


def _ruled_table(ctx: _Page, caption: _Caption) -> TableFragment | None:
    candidates = [r for r in ctx.h_rules if r.x0 - 8 <= caption.x0 <= r.x1 and r.x1 - r.x0 >= 60]
    stops = ctx.caption_tops(caption)
    below = [r for r in candidates if caption.bottom - 1 <= r.y <= caption.bottom + 45]
    above = [r for r in candidates if caption.top - 30 <= r.y <= caption.top + 1]
    if below:
        run = _rule_run(min(below, key=lambda r: r.y), candidates, 1, stops, ctx.words)
        caption_below = False
    elif above:
        run = _rule_run(max(above, key=lambda r: r.y), candidates, -1, stops, ctx.words)
        caption_below = True
    else:
        return None
    if len(run) < 2:
        return None
    top, bottom, inner = run[0], run[-1], run[1:-1]
    x0, x1 = top.x0, top.x1
    if _has_vertical_rules(ctx, x0, x1, top.y, bottom.y):
        return None  # a full grid: pdfplumber reads those better
    caption_words, pre_header = [], []
    if caption_below and not inner:
        pre_header = _header_above(ctx, x0, x1, top.y, _table_size(_words_in(ctx.words, (x0, top.y, x1, bottom.y))
                                                                   or caption.words))
    if not caption_below:
        between = [w for w in _words_in(ctx.words, (x0, caption.top - 1, x1, top.y)) if w["x0"] >= x0 - 2]
        caption_words = _caption_lines(between, caption)
        taken = {id(w) for w in caption_words}
        pre_header = [w for w in between if id(w) not in taken]
    body_box = (x0, top.y, x1, bottom.y)
    table_words = _words_in(ctx.words, body_box)
    if not table_words:
        return None
    if pre_header:  # header set between the caption and the first rule (no top rule)
        header_lines, bands = group_lines(pre_header), _ruled_parts(table_words, top, [top] + inner, bottom)[1]
        body_box = (x0, min(w["top"] for w in pre_header) - 0.5, x1, bottom.y)
    else:
        header_lines, bands = _ruled_parts(table_words, top, inner, bottom)
    if not caption_below and not pre_header and not inner and len(group_lines(table_words)) <= 3:
        # two rules framing the header only: the body runs on below without a bottom rule
        below = _lines_below(ctx, x0, x1, bottom.y, _table_size(table_words))
        if below:
            header_lines, bands = group_lines(table_words), [below]
            body_box = (x0, top.y, x1, max(ln.bottom for ln in below) + 0.5)
    cells = _cells_from_lines(ctx, header_lines, bands, x0, x1)
    if cells is None:
        return None
    rows, header_rows = cells
    if caption_below:
        caption_words = _caption_block_below(ctx, caption, x0, x1)
        foot_words = _footnote_words(ctx, caption_words, x0, x1, _table_size(table_words))
    else:
        caption_words = caption_words or caption.words
        foot_words = _footnote_words(ctx, [{"top": body_box[3], "bottom": body_box[3], "size": 0}], x0, x1,
                                     _table_size(table_words))
    return _fragment(ctx, caption, body_box, caption_words, foot_words, rows, header_rows)


def _uncaptioned_tables(ctx: _Page, found: list[TableFragment]) -> list[TableFragment]:
    """Booktabs tables without a caption: the next page of a broken table repeats only its header.

    Without a caption to vouch for them, only the full booktabs pattern counts (a heavy top rule,
    lighter rule(s) under the header, a heavy bottom rule) with tabular text in between, so figure
    axes and boxes stay out. ``merge_fragments`` joins such a part to the table before it.
    """
    if len(ctx.h_rules) > _MAX_UNANCHORED_RULES:
        return []  # a drawing, not a table page; and the search below is quadratic in rules
    taken = [f.bbox for f in found]
    stops = [c.top for c in ctx.captions]
    out: list[TableFragment] = []
    for rule in ctx.h_rules:
        if rule.x1 - rule.x0 < 100 or any(b[1] - 2 <= rule.y <= b[3] + 2 and b[0] - 5 <= rule.x0 <= b[2]
                                          for b in taken):
            continue
        run = _rule_run(rule, ctx.h_rules, 1, stops, ctx.words)
        if len(run) < 3 or not _booktabs_weights(run):
            continue
        fragment = _uncaptioned_fragment(ctx, run)
        if fragment is not None:
            out.append(fragment)
            taken.append(fragment.bbox)
    return out


def _booktabs_weights(run: list[_Rule]) -> bool:
    top, bottom, inner = run[0], run[-1], run[1:-1]
    return min(r.weight for r in inner) < top.weight - 0.05 and bottom.weight >= top.weight - 0.05


def _uncaptioned_fragment(ctx: _Page, run: list[_Rule]) -> TableFragment | None:
    top, bottom, inner = run[0], run[-1], run[1:-1]
    x0, x1 = top.x0, top.x1
    if _has_vertical_rules(ctx, x0, x1, top.y, bottom.y):
        return None
    body_box = (x0, top.y, x1, bottom.y)
    table_words = _words_in(ctx.words, body_box)
    if not table_words:
        return None
    header_lines, bands = _ruled_parts(table_words, top, inner, bottom)
    if not header_lines or not bands:
        return None
    cells = _cells_from_lines(ctx, header_lines, bands, x0, x1)
    if cells is None:
        return None
    rows, header_rows = cells
    foot_words = _footnote_words(ctx, [{"bottom": bottom.y}], x0, x1, _table_size(table_words))
    regions = [body_box] + ([_bbox(foot_words)] if foot_words else [])
    return TableFragment(page=ctx.number, bbox=body_box, header_rows=header_rows, rows=_pad(rows),
                         footnote=_footnote_text(foot_words, ctx.vocab), regions=regions)


def _lines_below(ctx: _Page, x0: float, x1: float, rule_y: float, table_size: float) -> list[Line]:
    """Table rows under a header rule when no bottom rule closes the table: lines in the table's
    type, packed closely, up to a wider gap, a change of type or another caption."""
    words = [w for w in ctx.words if x0 - 1 <= _cx(w) <= x1 + 1 and w["top"] >= rule_y - 0.5]
    caption_ids = {id(c.words[0]) for c in ctx.captions}
    rows: list[Line] = []
    edge = rule_y
    for line in group_lines(words):
        if line.top - edge > 1.5 * line.size or abs(line.size - table_size) > 0.6:
            break
        if any(id(w) in caption_ids for w in line.words):
            break
        rows.append(line)
        edge = line.bottom
    return rows if len(rows) >= 2 and _looks_tabular(rows) else []


def _header_above(ctx: _Page, x0: float, x1: float, rule_y: float, table_size: float) -> list[dict]:
    """Small-print lines sitting right on a rule that only underlines the header (no top rule)."""
    if table_size >= ctx.body_size - 0.3:
        return []  # set like the body text: the lines above could be a paragraph
    above = [w for w in ctx.words if x0 - 1 <= _cx(w) <= x1 + 1 and w["bottom"] <= rule_y + 0.5]
    caption_ids = {id(c.words[0]) for c in ctx.captions}
    header: list[dict] = []
    edge = rule_y
    for line in reversed(group_lines(above)):
        gap = edge - line.bottom
        if gap > (1.5 if not header else 0.8) * line.size or abs(line.size - table_size) > 0.6:
            break
        if any(id(w) in caption_ids for w in line.words):
            break
        header = line.words + header
        edge = line.top
    return header


def _caption_lines(words: list[dict], caption: _Caption) -> list[dict]:
    """The caption line and the lines that carry on in its type, without column gaps."""
    block: list[dict] = []
    previous: Line | None = None
    for line in group_lines(words):
        if previous is None:
            if any(w is caption.words[0] for w in line.words):
                block.extend(w for w in line.words if w["x0"] >= caption.x0 - 2)
                previous = line
            continue
        if (line_gap(previous, line) > 0.6 * caption.size or abs(line.size - caption.size) > 0.3
                or _has_column_gap(line)):
            break
        block.extend(line.words)
        previous = line
    return block


def _has_column_gap(line: Line) -> bool:
    gaps = [b["x0"] - a["x1"] for a, b in zip(line.words, line.words[1:])]
    return any(gap > max(6.0, line.size) for gap in gaps)


def _has_vertical_rules(ctx: _Page, x0: float, x1: float, top: float, bottom: float) -> bool:
    """Column rules inside the table's frame: a grid, not a booktabs table."""
    inside = [v for v in ctx.v_rules
              if x0 - 3 <= v.y <= x1 + 3 and v.x0 < bottom - 2 and v.x1 > top + 2]
    return len(inside) >= 3


def _ruled_parts(table_words: list[dict], top: _Rule, inner: list[_Rule], bottom: _Rule):
    """Header lines (above the first inner rule) and the body bands between further rules."""
    lines = group_lines(table_words)
    if inner:
        header = [ln for ln in lines if _line_cy(ln) < inner[0].y]
        cuts = [r.y for r in inner[1:]] + [bottom.y]
        bands: list[list[Line]] = []
        lower = inner[0].y
        for cut in cuts:
            band = [ln for ln in lines if lower < _line_cy(ln) < cut]
            if band:
                bands.append(band)
            lower = cut
        return header, bands
    header, body = _split_bold_header(lines)
    return header, [body] if body else []
