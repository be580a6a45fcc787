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
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from ..model import BBox, Table
from .normalize import word_counts
from .table_grid import (
    Line,
    WordBox,
    RowGeometry,
    WordSplitter,
    chars_splitter,
    find_columns,
    group_lines,
    header_cells,
    join_cell,
    line_gap,
    segment_rows,
)

log = logging.getLogger(__name__)


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


# --- captions ------------------------------------------------------------------------------------

_TABLE_WORD = re.compile(r"^(Table|TABLE|table)$")
_TABLE_NUMBER = re.compile(r"^([0-9]{1,3}|[IVXL]{1,5})([.:]?)$")
_CONTINUED = re.compile(r"\(\s*cont(inued|'d|d|\.)?\s*\.?\s*\)|\bcontinued\b", re.I)
_MAX_GRID_EDGES = 2500
_MAX_UNANCHORED_RULES = 300
_NOTE_START = re.compile(r"^([a-z*†‡§¶#]\s?[A-Z(]|[*†‡§¶#]|(Abbreviations?|Notes?|Data are|Values are|"
                         r"Percentages|Source|[A-Z]{2,}[a-z]?[,:] ))")  # pages drawn with thousands of segments are plots, not tables


@dataclass
class _Caption(WordBox):
    label: str
    words: list[dict]  # the caption's first line, from "Table" rightwards in its column
    continued: bool

    @property
    def size(self) -> float:
        return self.words[0].get("size", 10.0)


def _same_line(a: dict, b: dict) -> bool:
    return abs(a["top"] - b["top"]) <= max(2.0, 0.4 * a.get("size", 10.0))


def _find_captions(words: list[dict]) -> list[_Caption]:
    """Lines that begin with "Table N": the word before (if any) must be far away (other column).

    A lower-case "table N" (small-caps styles) counts only when set in another font than the
    body text, since running text may wrap "... see\ntable 2" onto a line start.
    """
    body_font = Counter(w.get("fontname", "") for w in words).most_common(1)[0][0] if words else ""
    captions = []
    for word in words:
        if not _TABLE_WORD.match(word["text"]):
            continue
        if word["text"] == "table" and word.get("fontname", "") == body_font:
            continue
        line = sorted((w for w in words if _same_line(word, w)), key=lambda w: w["x0"])
        size = word.get("size", 10.0)
        if any(word["x0"] - 1.5 * size < w["x1"] <= word["x0"] + 0.5 for w in line if w is not word):
            continue  # "... in Table 2": a reference inside a sentence
        following = _contiguous_right(word, line, size)
        if len(following) < 2:
            continue
        number = _TABLE_NUMBER.match(following[1]["text"])
        if not number:
            continue
        text = " ".join(w["text"] for w in following)
        captions.append(_Caption(f"Table {number.group(1)}", following, bool(_CONTINUED.search(text))))
    return captions


def _contiguous_right(start: dict, line: list[dict], size: float) -> list[dict]:
    """The words from ``start`` rightwards until a gap as wide as a column gutter."""
    out = [start]
    for word in line:
        if word["x0"] <= start["x0"]:
            continue
        if word["x0"] - out[-1]["x1"] > max(6.0, 1.0 * size):
            break
        out.append(word)
    return out


# --- rules ---------------------------------------------------------------------------------------


@dataclass
class _Rule:
    x0: float
    x1: float
    y: float
    weight: float


def _rules(page) -> tuple[list[_Rule], list[_Rule]]:
    """Horizontal and vertical rules drawn as lines or as thin filled rectangles."""
    horizontal: list[_Rule] = []
    vertical: list[_Rule] = []
    straight_curves = [c for c in page.curves if c["bottom"] - c["top"] <= 1.0 or c["x1"] - c["x0"] <= 1.0]
    for obj in list(page.lines) + list(page.rects) + straight_curves:
        width, height = obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]
        weight = obj.get("linewidth") or min(width, height) or 0.4
        if height <= 2.0 and width >= 30:
            horizontal.append(_Rule(obj["x0"], obj["x1"], (obj["top"] + obj["bottom"]) / 2, weight))
        elif width <= 2.0 and height >= 8:
            vertical.append(_Rule(obj["top"], obj["bottom"], (obj["x0"] + obj["x1"]) / 2, weight))
    return _join_collinear(horizontal), vertical


def _join_collinear(rules: list[_Rule]) -> list[_Rule]:
    """Rules drawn as abutting segments (one per column) count as one rule."""
    joined: list[_Rule] = []
    for rule in sorted(rules, key=lambda r: (round(r.y), r.x0)):
        last = joined[-1] if joined else None
        if last and abs(rule.y - last.y) <= 0.6 and rule.x0 <= last.x1 + 3:
            last.x1 = max(last.x1, rule.x1)
            last.weight = max(last.weight, rule.weight)
        else:
            joined.append(_Rule(rule.x0, rule.x1, rule.y, rule.weight))
    joined.sort(key=lambda r: r.y)
    return joined


def _rule_run(first: _Rule, rules: list[_Rule], direction: int, stops: list[float],
              words: list[dict]) -> list[_Rule]:
    """Rules of the same width stacked from ``first`` (down: 1, up: -1), top to bottom.

    The run ends at another table's caption or where the text between two rules is not table
    text (a wide vertical gap), so a table never swallows the next one.
    """
    same = [r for r in rules if abs(r.x0 - first.x0) <= 4 and abs(r.x1 - first.x1) <= 4]
    same.sort(key=lambda r: r.y * direction)
    run = [first]
    for rule in same:
        if rule.y * direction <= first.y * direction + 0.5:
            continue
        lo, hi = sorted((run[-1].y, rule.y))
        if any(lo < s < hi for s in stops):
            break
        if not _tight_text_between(words, first.x0, first.x1, lo, hi):
            break
        run.append(rule)
    run.sort(key=lambda r: r.y)
    return _cut_at_bottom_rule(run) if direction > 0 else run


def _tight_text_between(words: list[dict], x0: float, x1: float, lo: float, hi: float) -> bool:
    inside = [w for w in words if x0 - 1 <= _cx(w) <= x1 + 1 and lo < _cy(w) < hi]
    if not inside:
        return hi - lo < 60
    lines = group_lines(inside)
    edges = [lo] + [v for line in lines for v in (line.top, line.bottom)] + [hi]
    gaps = [edges[i + 1] - edges[i] for i in range(0, len(edges) - 1, 2)]
    size = median(line.size for line in lines)
    return max(gaps) <= 3.5 * size


def _cut_at_bottom_rule(run: list[_Rule]) -> list[_Rule]:
    """Booktabs draws heavy top and bottom rules around lighter inner ones: stop at the bottom."""
    top = run[0]
    seen_lighter = False
    for index, rule in enumerate(run[1:], start=1):
        if rule.weight < top.weight - 0.05:
            seen_lighter = True
        elif seen_lighter:
            return run[: index + 1]
    return run


def _cx(word: dict) -> float:
    return (word["x0"] + word["x1"]) / 2


def _cy(word: dict) -> float:
    return (word["top"] + word["bottom"]) / 2


def _bbox(words: list[dict], pad: float = 0.5) -> BBox:
    return (min(w["x0"] for w in words) - pad, min(w["top"] for w in words) - pad,
            max(w["x1"] for w in words) + pad, max(w["bottom"] for w in words) + pad)


def _words_in(words: list[dict], box: BBox) -> list[dict]:
    x0, top, x1, bottom = box
    return [w for w in words if x0 - 1 <= _cx(w) <= x1 + 1 and top < _cy(w) < bottom]


# --- page context --------------------------------------------------------------------------------


@dataclass
class _Page:
    """What every detector needs from one page, computed once."""

    page: object
    number: int
    words: list[dict]
    vocab: Counter
    captions: list[_Caption]
    h_rules: list[_Rule]
    v_rules: list[_Rule]
    _splitter: WordSplitter | None = None
    _body_size: float | None = None
    _grids: list | None = None

    def grids(self) -> list:
        """pdfplumber's ruled-grid tables of the page, found once."""
        if self._grids is None:
            self._grids = list(self.page.find_tables(_GRID_SETTINGS))
        return self._grids

    @property
    def body_size(self) -> float:
        """The type size most of the page's text is set in."""
        if self._body_size is None:
            sizes = Counter()
            for word in self.words:
                sizes[round(word.get("size", 10.0) * 2) / 2] += len(word["text"])
            total = sum(sizes.values())
            # tables can outweigh the running text on a page: take the largest common size
            common = [size for size, count in sizes.items() if count >= 0.15 * total]
            self._body_size = max(common) if common else 10.0
        return self._body_size

    @property
    def splitter(self) -> WordSplitter:
        if self._splitter is None:
            self._splitter = chars_splitter(list(self.page.chars))
        return self._splitter

    @property
    def width(self) -> float:
        return float(self.page.width)

    @property
    def height(self) -> float:
        return float(self.page.height)

    def caption_tops(self, other_than: _Caption) -> list[float]:
        return [c.top for c in self.captions if c is not other_than]


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


# --- ruled (booktabs) tables ---------------------------------------------------------------------


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


# --- captions, footnotes -------------------------------------------------------------------------


def _caption_block_below(ctx: _Page, caption: _Caption, x0: float, x1: float) -> list[dict]:
    """A caption under its table: the "Table N" line and the lines set like it right after."""
    words = [w for w in ctx.words if x0 - 3 <= _cx(w) <= x1 + 3 and w["top"] >= caption.top - 1]
    lines = group_lines(words)
    block: list[dict] = []
    previous: Line | None = None
    for line in lines:
        if previous is None:
            if not any(w is caption.words[0] for w in line.words):
                continue
            block.extend(w for w in line.words if w["x0"] >= caption.x0 - 2)
            previous = line
            continue
        if line_gap(previous, line) > 0.6 * caption.size or abs(line.size - caption.size) > 0.3:
            break
        block.extend(line.words)
        previous = line
    return block or caption.words


def _footnote_words(ctx: _Page, above: list[dict], x0: float, x1: float, table_size: float) -> list[dict]:
    """Notes under a table: small-print lines starting right under it, until a wider gap."""
    limit = max(w["bottom"] for w in above)
    words = [w for w in ctx.words if x0 - 3 <= _cx(w) <= x1 + 3 and w["top"] > limit - 0.5]
    caption_starts = {id(c.words[0]) for c in ctx.captions}
    set_like_body = table_size >= ctx.body_size - 0.3
    notes: list[dict] = []
    last_bottom = limit
    for index, line in enumerate(group_lines(words)):
        first_gap = line.top - last_bottom
        allowed = 2.5 * line.size if index == 0 else 0.8 * line.size
        if first_gap > allowed or line.size > table_size + 0.6:
            break
        if any(id(w) in caption_starts for w in line.words):
            break
        if index == 0 and set_like_body and not _NOTE_START.match(line.text):
            break  # small print is how notes differ from body text; without it, ask for a note cue
        # a page number printed into the last note lines is in another size: leave it out
        notes.extend(w for w in line.words if abs(w.get("size", line.size) - line.size) <= 0.6)
        last_bottom = line.bottom
    return notes


def _footnote_text(words: list[dict], vocab: Counter) -> str | None:
    if not words:
        return None
    return join_cell([line.text for line in group_lines(words)], vocab) or None


def _fragment(ctx: _Page, caption: _Caption, body_box: BBox, caption_words: list[dict],
              foot_words: list[dict], rows: list[list[str]], header_rows: int) -> TableFragment:
    regions = [body_box, _bbox(caption_words)]
    if foot_words:
        regions.append(_bbox(foot_words))
    caption_text = join_cell([line.text for line in group_lines(caption_words)], ctx.vocab)
    return TableFragment(
        page=ctx.number, bbox=body_box, label=caption.label, caption=caption_text or None,
        header_rows=header_rows, rows=_pad(rows), footnote=_footnote_text(foot_words, ctx.vocab),
        regions=regions, continued=caption.continued or bool(_CONTINUED.search(caption_text)),
    )


def _pad(rows: list[list[str]]) -> list[list[str]]:
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


# --- grid tables ---------------------------------------------------------------------------------

_GRID_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                  "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3}


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


# --- rule-less tables ----------------------------------------------------------------------------


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


# --- merging across pages ------------------------------------------------------------------------


def merge_fragments(fragments: list[TableFragment]) -> list[Table]:
    """Join fragments of tables broken across pages into whole tables, in document order."""
    tables: list[Table] = []
    heads = {(f.page, f.label) for f in fragments if not f.continued}

    def reading_order(f: TableFragment):
        # a "(continued)" part in the next column of its head's page comes after the head
        return (f.page, f.continued and (f.page, f.label) in heads, f.bbox[1], f.bbox[0])

    for fragment in sorted(fragments, key=reading_order):
        earlier = _table_continued_by(tables, fragment)
        if earlier is not None:
            _append(earlier, fragment)
            continue
        tables.append(Table(
            label=fragment.label, caption=fragment.caption, page=fragment.page, pages=[fragment.page],
            header_rows=fragment.header_rows, rows=[list(r) for r in fragment.rows],
            footnote=fragment.footnote, bbox=fragment.bbox,
        ))
    return tables


def _table_continued_by(tables: list[Table], fragment: TableFragment) -> Table | None:
    """The table a fragment carries on: the last one, or for "(continued)" the last of its label."""
    if not tables:
        return None
    if _continues(tables[-1], fragment):
        return tables[-1]
    if fragment.continued and fragment.label:
        same = [t for t in tables if t.label == fragment.label]
        if same and _continues(same[-1], fragment):
            return same[-1]
    return None


def _continues(previous: Table, fragment: TableFragment) -> bool:
    """"Table N (continued)" on the same or the next page, or the same header on the next page."""
    if fragment.page < previous.pages[-1] or fragment.page > previous.pages[-1] + 1:
        return False
    if fragment.label and previous.label and fragment.label != previous.label:
        return False
    if fragment.continued:
        return True  # also a second column of the same page
    if fragment.page == previous.pages[-1]:
        return False
    header = fragment.rows[: fragment.header_rows]
    return bool(header) and header == previous.header and fragment.label in (None, previous.label)


def _append(table: Table, fragment: TableFragment) -> None:
    body = fragment.rows[fragment.header_rows:]
    width = max(table.n_columns, max((len(r) for r in body), default=0))
    table.rows = [r + [""] * (width - len(r)) for r in table.rows + body]
    if fragment.page not in table.pages:
        table.pages.append(fragment.page)
    if fragment.footnote:
        table.footnote = fragment.footnote if not table.footnote else (
            table.footnote if fragment.footnote == table.footnote else f"{table.footnote} {fragment.footnote}")
