"""The caption and footnote text around a table body, and the fragment built from them."""

from __future__ import annotations

import re
from collections import Counter

from ...model import BBox
from ..table_grid import Line, group_lines, join_cell, line_gap
from .fragment import TableFragment
from .captions import _CONTINUED, _Caption
from .rules import _bbox, _cx
from .page import _Page


# a footnote's first line: a note mark, "Abbreviations", "Data are ...", an abbreviation and its colon
_NOTE_START = re.compile(r"^([a-z*†‡§¶#]\s?[A-Z(]|[*†‡§¶#]|(Abbreviations?|Notes?|Data are|Values are|"
                         r"Percentages|Source|[A-Z]{2,}[a-z]?[,:] ))")


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
