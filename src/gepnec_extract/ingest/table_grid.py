"""Layout geometry for tables drawn without vertical rules: text lines, column gutters, rows.

Works on pdfplumber word dicts (``x0, x1, top, bottom, text, size, fontname``). Columns are found
from the whitespace that every text line leaves at the same x ("gutters"); rows from how cells
start and stop line by line, because many tables separate rows by nothing but a new cell start.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median

from .normalize import join_hyphenated, normalize_text


class WordBox:
    """The bounding box of a run of words (``self.words``)."""

    words: list[dict]

    @property
    def top(self) -> float:
        return min(w["top"] for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w["bottom"] for w in self.words)

    @property
    def x0(self) -> float:
        return min(w["x0"] for w in self.words)

    @property
    def x1(self) -> float:
        return max(w["x1"] for w in self.words)


@dataclass
class Line(WordBox):
    """Words sharing one baseline (within a tolerance), sorted left to right."""

    words: list[dict] = field(default_factory=list)

    @property
    def size(self) -> float:
        return median(w.get("size", 10.0) for w in self.words)

    @property
    def bold(self) -> bool:
        return all(is_bold(w.get("fontname", "")) for w in self.words)

    @property
    def text(self) -> str:
        return join_words(self.words)


def join_words(words: list[dict]) -> str:
    """Words of one line as text; words that touch (a font change inside "≥50%") get no space."""
    out = ""
    previous: dict | None = None
    for word in words:
        touching = previous is not None and word["x0"] - previous["x1"] < 0.12 * word.get("size", 10.0)
        out += word["text"] if (touching or previous is None) else " " + word["text"]
        previous = word
    return out


def is_bold(fontname: str) -> bool:
    name = fontname.split("+")[-1].lower()
    return any(tag in name for tag in ("bold", "black", "heavy", "semibold", "cmbx", "-bx", "medi"))


def group_lines(words: list[dict]) -> list[Line]:
    """Cluster words into lines by their top edge; cells of one row may sit a point or two apart."""
    lines: list[Line] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        tolerance = max(2.0, 0.4 * word.get("size", 10.0))
        if lines and abs(word["top"] - lines[-1].words[0]["top"]) <= tolerance:
            lines[-1].words.append(word)
        else:
            lines.append(Line([word]))
    for line in lines:
        line.words.sort(key=lambda w: w["x0"])
    return lines


def line_gap(upper: Line, lower: Line) -> float:
    return lower.top - upper.bottom


# --- columns -------------------------------------------------------------------------------------

_BIN = 0.5  # points per coverage bin


def find_columns(lines: list[Line], x_lo: float, x_hi: float,
                 header: list[Line] | None = None) -> list[float]:
    """Left edges of the columns, found two ways.

    1. Gutters: whitespace wider than a word space that every line leaves at the same x.
    2. Aligned starts (only with a header to confirm them): several lines start a word at the
       same x, hardly any line prints just left of it, and no header word runs across it.
       Narrow LaTeX columns need this: a long word may overflow into the next column
       ("Lindqvistin" = "Lindqvist" + "in"), closing the gutter on a line or two.
    """
    if not lines:
        return [x_lo]
    size = median(line.size for line in lines)
    coverage = _coverage(lines, x_lo, x_hi)
    min_gutter = max(4.0, 0.55 * size)
    starts = _gutter_ends(coverage, x_lo, min_gutter)
    if header:
        starts += _aligned_starts(lines, header, coverage, x_lo, min_gutter)
    columns = [x_lo]
    for start in sorted(starts):
        if start - columns[-1] >= 6.0:
            columns.append(_snap_to_word_start(lines, start))
    return columns


def _gutter_ends(coverage: list[int], x_lo: float, min_gutter: float) -> list[float]:
    ends = []
    b, n_bins = 0, len(coverage)
    while b < n_bins:
        if coverage[b]:
            b += 1
            continue
        run_start = b
        while b < n_bins and not coverage[b]:
            b += 1
        if run_start > 0 and b < n_bins and (b - run_start) * _BIN >= min_gutter:
            ends.append(x_lo + b * _BIN)
    return ends


def _gutter_somewhere(starting: list[Line], x: float, min_gutter: float) -> bool:
    """Some line starting a word at x has real whitespace (not one word space) before it."""
    for line in starting:
        before = [w["x1"] for w in line.words if w["x1"] <= x - 0.3]
        if not before or x - max(before) >= min_gutter:
            return True
    return False


def _aligned_starts(lines: list[Line], header: list[Line], coverage: list[int], x_lo: float,
                    min_gutter: float) -> list[float]:
    xs = sorted({round(w["x0"], 1) for line in lines for w in line.words})
    blocked_limit = max(2, int(0.05 * len(lines)))
    found = []
    for x in xs:
        if x - x_lo < 6.0 or (found and x - found[-1] < 6.0):
            continue
        starting = [line for line in lines if any(abs(w["x0"] - x) <= 1.2 for w in line.words)]
        if len(starting) < 3 or not _gutter_somewhere(starting, x, min_gutter):
            continue
        lo, hi = int((x - 1.5 - x_lo) / _BIN), int((x - 0.3 - x_lo) / _BIN)
        if max(coverage[max(0, lo):max(lo + 1, hi)], default=0) > blocked_limit:
            continue
        if any(w["x0"] < x - 1.5 and w["x1"] > x + 0.5 for line in header for w in line.words):
            continue
        found.append(x)
    return found


def _snap_to_word_start(lines: list[Line], edge: float) -> float:
    """The column start: the leftmost word start just right of the gutter."""
    near = [w["x0"] for line in lines for w in line.words if edge - 1.0 <= w["x0"] <= edge + 1.0]
    return min(near) if near else edge


def _coverage(lines: list[Line], x_lo: float, x_hi: float) -> list[int]:
    """For each 0.5 pt slice of the x-range, how many lines print something there."""
    n_bins = max(1, int((x_hi - x_lo) / _BIN) + 1)
    coverage = [0] * n_bins
    for line in lines:
        covered = bytearray(n_bins)
        for word in line.words:
            lo = max(0, int((word["x0"] - x_lo) / _BIN))
            hi = min(n_bins - 1, int((word["x1"] - x_lo) / _BIN))
            covered[lo:hi + 1] = b"\x01" * (hi + 1 - lo)
        for index in range(n_bins):
            coverage[index] += covered[index]
    return coverage


# --- cells ---------------------------------------------------------------------------------------

WordSplitter = Callable[[dict], "list[tuple[float, str]] | None"]


def column_of(x: float, columns: list[float]) -> int:
    index = 0
    for k, start in enumerate(columns):
        if x >= start - 1.0:
            index = k
    return index


def split_line(line: Line, columns: list[float], splitter: WordSplitter | None = None,
               by_centre: bool = False) -> dict[int, str]:
    """Text of each column on one line; a word made of two cells' text is cut between them.

    Body words go to the column their left edge is in; header words (``by_centre``) to the one
    their middle is in, since headers are often centred over left-aligned columns.
    """
    parts: dict[int, list[dict]] = {}
    for word in line.words:
        for col, text in _cut_word(word, columns, splitter, by_centre):
            if text:
                parts.setdefault(col, []).append(dict(word, text=text))
    return {col: join_words(words) for col, words in parts.items()}


def _cut_word(word: dict, columns: list[float], splitter: WordSplitter | None,
              by_centre: bool = False) -> list[tuple[int, str]]:
    col = column_of(word["x0"], columns)
    if splitter is None or column_of(word["x1"] - 0.5, columns) == col:
        return [(col, word["text"])]
    runs = splitter(word)
    if not runs or len(runs) < 2:
        if by_centre:
            col = column_of((word["x0"] + word["x1"]) / 2, columns)
        return [(col, word["text"])]
    pieces: list[tuple[int, str]] = []
    for x0, text in runs:
        run_col = column_of(x0, columns)
        if pieces and pieces[-1][0] == run_col:
            pieces[-1] = (run_col, pieces[-1][1] + text)
        else:
            pieces.append((run_col, text))
    return pieces


def chars_splitter(chars: list[dict]) -> WordSplitter:
    """Cut a word into the runs of characters that were drawn separately.

    When a cell's text runs into the next column, pdfplumber glues the two cells' characters
    into one word ("Lindqvistin"); the content stream still draws each cell on its own, so
    consecutive characters of one run are neighbours in ``page.chars``.
    """
    buckets: dict[int, list[tuple[int, dict]]] = {}
    for index, char in enumerate(chars):  # by 10 pt bands of height, for quick lookups
        buckets.setdefault(int(char["top"] // 10), []).append((index, char))

    def split(word: dict) -> list[tuple[float, str]] | None:
        nearby = [item for band in range(int((word["top"] - 1) // 10), int((word["bottom"] + 1) // 10) + 1)
                  for item in buckets.get(band, [])]
        inside = sorted((i, c) for i, c in nearby
                        if c["x0"] >= word["x0"] - 0.5 and c["x1"] <= word["x1"] + 0.5
                        and c["top"] >= word["top"] - 1.0 and c["bottom"] <= word["bottom"] + 1.0
                        and c["text"].strip())
        if len(inside) < 2:
            return None
        runs: list[list[tuple[int, dict]]] = [[inside[0]]]
        for index, char in inside[1:]:
            prev_index, prev_char = runs[-1][-1]
            if index == prev_index + 1 and char["x0"] >= prev_char["x0"] - 0.5:
                runs[-1].append((index, char))
            else:
                runs.append([(index, char)])
        runs.sort(key=lambda run: run[0][1]["x0"])
        return [(run[0][1]["x0"], "".join(c["text"] for _, c in run)) for run in runs]

    return split


# --- rows ----------------------------------------------------------------------------------------

_VALUE = re.compile(r"^[<>≤≥~]?\s*\d[\d.,]*\s*%?\s*(\([^()]*\))?[a-z*†‡§+]?$|^(NA|NR|NE|ND|–|-|—)$"
                    r"|^(\d[\d.,]*|–)(\s*/\s*(\d[\d.,]*|–))+\s*%?[a-z*†‡§]?$")  # "17/50/33/0", "12.5/42/–/–"
_VALUE_START = re.compile(r"^([<>≤≥~]?\d|NA\b|NR\b|NE\b|ND\b|–$|-$|—$)")
_OPEN_END = re.compile(r"([-–/(,;:&+]|\b(and|or|of|with|the|in|to|vs\.?|for|a|an|on|by|at|per|from))$")
_CONT_START = re.compile(r"^[a-z(\[{+–\-,;:%).\]]")


@dataclass
class RowGeometry:
    """What the row splitter needs to know about the columns of one table."""

    columns: list[float]
    right_edge: float
    space: float = 2.5


def _fits_on_previous(prev_line_end: float, word_width: float, col: int, geo: RowGeometry) -> bool:
    limit = geo.columns[col + 1] - 3.0 if col + 1 < len(geo.columns) else geo.right_edge
    return prev_line_end + geo.space + word_width <= limit


def _judge(prev_text: str, prev_end: float, text: str, first_width: float, col: int,
           geo: RowGeometry) -> str:
    """'cont' if ``text`` reads as the wrapped rest of ``prev_text``, 'fresh' if as a new cell."""
    if _OPEN_END.search(prev_text) or prev_text.count("(") > prev_text.count(")"):
        return "cont"  # "Median PFS, months (95%" goes on with "CI)"
    if _VALUE.match(prev_text) and _VALUE_START.match(text):
        return "fresh"  # two values, a dash for "not reported" among them
    if _CONT_START.match(text):
        return "cont"
    return "fresh" if _fits_on_previous(prev_end, first_width, col, geo) else "cont"


@dataclass
class _Frag:
    text: str
    end: float  # x1 of the fragment's last word on its line
    first_width: float  # width of its first word


def _fragments(line: Line, geo: RowGeometry, splitter: WordSplitter | None) -> dict[int, _Frag]:
    texts = split_line(line, geo.columns, splitter)
    frags: dict[int, _Frag] = {}
    for col, text in texts.items():
        in_col = [w for w in line.words if column_of(w["x0"], geo.columns) == col]
        end = max((w["x1"] for w in in_col), default=geo.columns[col])
        width = (in_col[0]["x1"] - in_col[0]["x0"]) if in_col else 10.0
        frags[col] = _Frag(text, end, width)
    return frags


def segment_rows(lines: list[Line], geo: RowGeometry,
                 splitter: WordSplitter | None = None) -> list[list[list[str]]]:
    """Group table lines into rows; each row is, per column, the list of its line fragments.

    A new row starts when a column that had already ended its cell gets text again, after a
    clear vertical gap, or when the new line's cells read as fresh values rather than the
    wrapped rest of the cells above them (two numbers in a column; a capitalised word that
    would have fitted on the line above).
    """
    n_cols = len(geo.columns)
    big_gap = max(3.0, 0.5 * (median(line.size for line in lines) if lines else 10.0))
    rows: list[list[list[str]]] = []
    state: list[str] = []
    last: dict[int, _Frag] = {}
    around_values: set[int] = set()  # columns closed only by a line of the row's other, fresh cells
    previous: Line | None = None
    for line in lines:
        frags = _fragments(line, geo, splitter)
        if not frags:
            continue
        new_row = previous is None or (not _wraps_around_values(frags, last, around_values)
                                       and (_starts_row(frags, state, last, geo) or _after_heading_row(rows[-1], frags)))
        if previous is not None and line_gap(previous, line) > big_gap:
            new_row = True
        if new_row:
            rows.append([[] for _ in range(n_cols)])
            state = ["unused"] * n_cols
            last = {}
            around_values = set()
        fresh_only = all(state[col] == "unused" for col in frags)
        closing = {col for col, s in enumerate(state) if s == "open" and col not in frags}
        around_values = (around_values | closing) if fresh_only else set()
        for col, frag in frags.items():
            rows[-1][col].append(frag.text)
            last[col] = frag
        state = [("open" if col in frags else ("closed" if s != "unused" else "unused"))
                 for col, s in enumerate(state)]
        previous = line
    return rows


def _after_heading_row(row: list[list[str]], frags: dict[int, _Frag]) -> bool:
    """A heading row held in the first cell alone, wrapped over two lines or more ("Quill et al. 2004
    [3]; retrospective; / 40 patients"), ends where a line fills two other columns: that line is the
    first data row below the heading, not more of the heading."""
    return len(row[0]) >= 2 and not any(row[1:]) and sum(col > 0 for col in frags) >= 2


def _starts_row(frags: dict[int, _Frag], state: list[str], last: dict[int, _Frag],
                geo: RowGeometry) -> bool:
    if any(state[col] == "closed" for col in frags):
        return True
    votes = Counter(
        _judge(last[col].text, last[col].end, frag.text, frag.first_width, col, geo)
        for col, frag in frags.items() if state[col] == "open"
    )
    if votes["fresh"] <= votes["cont"]:
        return False
    # one fresh-looking fragment alone starts a row only in the first column (a section label)
    return votes["fresh"] >= 2 or 0 in frags


def _wraps_around_values(frags: dict[int, _Frag], last: dict[int, _Frag], around_values: set[int]) -> bool:
    """Cells that wrap, beside one-line cells set in the middle of the row: the wrapped cells' next
    lines come below the row's values ("Quill (2013)" | "Drugamab +" / "Phase II | 27 | 21" /
    "[4]" | "drugoxel"). The line continues the row when each of its cells was cut off only by that
    line of values and reads as more of the cell above it."""
    return bool(frags) and set(frags) <= around_values and all(_reads_on(last[col].text, frag.text)
                                                               for col, frag in frags.items())


def _reads_on(prev: str, text: str) -> bool:
    """Does ``text`` read as the rest of ``prev`` ("(2015) [5]" after "Quill", "drugoxel" after "Drugamab +")?"""
    return bool(_CONT_START.match(text) or _OPEN_END.search(prev) or prev.count("(") > prev.count(")"))


def join_cell(fragments: list[str], vocab: Counter | None = None) -> str:
    """One cell's line fragments as one string, end-of-line hyphenation undone."""
    if not fragments:
        return ""
    return join_hyphenated([normalize_text(f) for f in fragments], vocab)


def header_cells(lines: list[Line], geo: RowGeometry, splitter: WordSplitter | None,
                 vocab: Counter | None = None) -> list[str]:
    """All header lines folded into ONE row: each column's fragments joined top to bottom."""
    per_col: list[list[str]] = [[] for _ in geo.columns]
    for line in lines:
        for col, text in split_line(line, geo.columns, splitter, by_centre=True).items():
            per_col[col].append(text)
    return [join_cell(parts, vocab) for parts in per_col]
