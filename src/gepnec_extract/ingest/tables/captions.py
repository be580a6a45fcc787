"""Captions ("Table 3 ...", "TABLE 3.", "Table 3 (continued)"): every table is anchored on one."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..table_grid import WordBox


_TABLE_WORD = re.compile(r"^(Table|TABLE|table)$")
_TABLE_NUMBER = re.compile(r"^([0-9]{1,3}|[IVXL]{1,5})([.:]?)$")
_CONTINUED = re.compile(r"\(\s*cont(inued|'d|d|\.)?\s*\.?\s*\)|\bcontinued\b", re.I)


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
