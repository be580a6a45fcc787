"""Horizontal and vertical rules of a page, runs of rules that frame a table, and word geometry."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from ...model import BBox
from ..table_grid import group_lines


MIN_RULE = 30  # points: a horizontal rule shorter than this is an underline or a stroke, not a table's
MIN_SEGMENT = 4  # a piece of a rule drawn one cell at a time (a narrow column's piece may be under 30)


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
        if height <= 2.0 and width >= MIN_SEGMENT:
            horizontal.append(_Rule(obj["x0"], obj["x1"], (obj["top"] + obj["bottom"]) / 2, weight))
        elif width <= 2.0 and height >= 8:
            vertical.append(_Rule(obj["top"], obj["bottom"], (obj["x0"] + obj["x1"]) / 2, weight))
    # a rule drawn cell by cell has a short segment over a narrow column: joined first, then judged
    return [r for r in _join_collinear(horizontal) if r.x1 - r.x0 >= MIN_RULE], vertical


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
