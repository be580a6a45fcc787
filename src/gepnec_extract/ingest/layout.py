"""Page layout: words -> lines -> columns -> reading order -> paragraphs (Blocks).

Journal pages are read column by column, with full-width elements (title, abstract) kept whole
in their vertical place. Running headers, footers and page numbers are recognised because they
repeat at the page edges across pages. Paragraph breaks come from vertical gaps, first-line
indents and style changes; a paragraph broken by a column or page break is joined again.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from pdfplumber.utils import extract_words

from ..model import BBox, Block, Document, Metadata
from .metadata import read_front_matter
from .normalize import (collapse_spaces, count_undecodable, join_hyphenated, normalize_text,
                        strip_undecodable, word_counts)

SPANNING = -1  # column id of a full-width line


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    page: int
    column: int = 0
    col_left: float = 0.0
    col_right: float = 0.0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class PageLines:
    page: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    rotated: list[str] = field(default_factory=list)  # text of non-upright lines (watermarks, rotated tables)


def _inside(word: dict, region: BBox) -> bool:
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return region[0] - 1 <= cx <= region[2] + 1 and region[1] - 1 <= cy <= region[3] + 1


def _is_bold(fontname: str) -> bool:
    name = fontname.split("+")[-1].lower()
    return any(tag in name for tag in ("bold", "black", "heavy", "semibold", "cmbx", "-bx", "medi"))


def _group_rows(words: list[dict]) -> list[list[dict]]:
    """Words on one baseline share a row; smaller raised or lowered words (superscript footnote
    markers, m², citation numbers) join the row they sit on.

    Baselines, not bounding-box overlap: some fonts declare boxes taller than the leading, and
    overlap would then merge adjacent lines into one.
    """
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["bottom"], w["x0"])):
        size = w.get("size", 10.0)
        if rows and abs(w["bottom"] - _row_bottom(rows[-1])) <= 0.3 * size:
            rows[-1].append(w)
        else:
            rows.append([w])
    return _attach_scripts(rows)


def _row_bottom(row: list[dict]) -> float:
    return statistics.median(w["bottom"] for w in row)


def _row_size(row: list[dict]) -> float:
    return max(Counter(round(w.get("size", 10.0), 1) for w in row).items(), key=lambda kv: (kv[1], kv[0]))[0]


def _attach_scripts(rows: list[list[dict]]) -> list[list[dict]]:
    """Merge a row of smaller type into the neighbouring row whose band it falls inside."""
    kept: list[list[dict]] = []
    absorbed: set[int] = set()  # rows already merged into another: not hosts any more
    for i, row in enumerate(rows):
        size = _row_size(row)
        top, bottom = min(w["top"] for w in row), max(w["bottom"] for w in row)
        host = None
        for j in (i + 1, i - 1):
            if 0 <= j < len(rows) and j not in absorbed:
                other = rows[j]
                o_size = _row_size(other)
                o_top, o_bottom = min(w["top"] for w in other), max(w["bottom"] for w in other)
                if size < 0.85 * o_size and top >= o_top - 0.5 * o_size and bottom <= o_bottom + 0.4 * o_size \
                        and not _overlaps_x(row, other):
                    host = other
                    break
        if host is not None:
            host.extend(row)
            absorbed.add(i)
        else:
            kept.append(row)
    return kept


def _overlaps_x(a: list[dict], b: list[dict]) -> bool:
    return any(min(w["x1"], v["x1"]) - max(w["x0"], v["x0"]) > 0.5 for w in a for v in b)


def _split_fragments(row: list[dict], page: int) -> list[Line]:
    """Split a row at gaps wider than normal word spacing (the gutter between columns)."""
    row = sorted(row, key=lambda w: w["x0"])
    sizes = [w.get("size", 10.0) for w in row]
    size = statistics.median(sizes)
    gap_limit = max(1.4 * size, 9.0)
    pieces: list[list[dict]] = [[row[0]]]
    for prev, w in zip(row, row[1:]):
        if w["x0"] - prev["x1"] > gap_limit:
            pieces.append([w])
        else:
            pieces[-1].append(w)
    return [_make_line(piece, page) for piece in pieces]


def _make_line(words: list[dict], page: int) -> Line:
    text_parts = []
    prev = None
    body_size = Counter(round(w.get("size", 10.0), 1) for w in words).most_common(1)[0][0]
    for w in words:
        if prev is not None and w["x0"] - prev["x1"] > 0.12 * body_size:
            text_parts.append(" ")
        text_parts.append(w["text"])
        prev = w
    chars = sum(len(w["text"]) for w in words)
    bold_chars = sum(len(w["text"]) for w in words if _is_bold(w.get("fontname", "")))
    return Line(
        text=normalize_text("".join(text_parts)),
        x0=min(w["x0"] for w in words), x1=max(w["x1"] for w in words),
        top=min(w["top"] for w in words), bottom=max(w["bottom"] for w in words),
        size=body_size, bold=bold_chars > 0.6 * chars, page=page,
    )


def _find_gutter(lines: list[Line], width: float) -> float | None:
    """x of the gap between two text columns, or None for a single-column page."""
    if len(lines) < 8:
        return None
    best, best_score = None, None
    for x in range(int(width * 0.35), int(width * 0.65) + 1):
        left = sum(1 for ln in lines if ln.x1 <= x)
        right = sum(1 for ln in lines if ln.x0 >= x)
        crossing = len(lines) - left - right
        if min(left, right) < 0.2 * len(lines) or crossing > 0.35 * len(lines):
            continue
        score = (crossing, -min(left, right))
        if best_score is None or score < best_score:
            best, best_score = x, score
    return float(best) if best is not None else None


def _assign_columns(lines: list[Line], width: float) -> list[Line]:
    """Label lines with a column and return them in reading order."""
    gutter = _find_gutter(lines, width)
    if gutter is None:
        for ln in lines:
            ln.column = 0
        ordered = sorted(lines, key=lambda ln: (ln.top, ln.x0))
    else:
        for ln in lines:
            ln.column = 0 if ln.x1 <= gutter else 1 if ln.x0 >= gutter else SPANNING
        _single_flow_zones(lines)
        ordered = []
        band: list[Line] = []
        for ln in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
            if ln.column == SPANNING:
                ordered += sorted(band, key=lambda b: (b.column, b.top, b.x0)) + [ln]
                band = []
            else:
                band.append(ln)
        ordered += sorted(band, key=lambda b: (b.column, b.top, b.x0))
    _set_column_bounds(ordered)
    return ordered


def _single_flow_zones(lines: list[Line]) -> None:
    """Between two full-width lines, a zone with no right-column line is single-column flow
    (a short title line or the 'Abstract' label sits left of the gutter but is not column text)."""
    zone: list[Line] = []
    for ln in sorted(lines, key=lambda ln: ln.top) + [None]:
        if ln is None or ln.column == SPANNING:
            if zone and not any(z.column == 1 for z in zone):
                for z in zone:
                    z.column = SPANNING
            zone = []
        else:
            zone.append(ln)


def _set_column_bounds(lines: list[Line]) -> None:
    """Left edge = the most common x0 of a column's lines (indented first lines are the minority)."""
    by_col: dict[int, list[Line]] = {}
    for ln in lines:
        by_col.setdefault(ln.column, []).append(ln)
    for col_lines in by_col.values():
        left = Counter(round(ln.x0) for ln in col_lines).most_common(1)[0][0]
        left = min((ln.x0 for ln in col_lines if abs(ln.x0 - left) < 2), default=left)
        right = max(ln.x1 for ln in col_lines)
        for ln in col_lines:
            ln.col_left, ln.col_right = left, right


def page_lines(words: list[dict], page: int, width: float, height: float,
               excluded: list[BBox], rotated_chars: list[dict] | None = None,
               word_options: dict | None = None) -> PageLines:
    """The body lines of one page in reading order (table regions excluded).

    Rotated text (sideways tables, vertical running heads, watermarks) is turned upright and laid
    out in its own frame, so it reads as words and lines rather than a column of single letters.
    """
    result = PageLines(page=page, width=width, height=height)
    upright = [w for w in words if w.get("upright", True) and w["text"].strip()
               and not any(_inside(w, r) for r in excluded)]
    result.lines = _lines_of(upright, page, width)
    for frame in _upright_frames(rotated_chars or [], width, height):
        frame_words = extract_words(frame["chars"], **(word_options or {}))
        lines = _lines_of(frame_words, page, frame["width"])
        if lines:
            result.rotated.append("\n".join(ln.text for ln in lines))
    return result


def _lines_of(words: list[dict], page: int, width: float) -> list[Line]:
    fragments = [frag for row in _group_rows(words) for frag in _split_fragments(row, page)]
    return _assign_columns(fragments, width)


def _upright_frames(chars: list[dict], width: float, height: float) -> list[dict]:
    """Rotated characters mapped into an upright frame, one frame per rotation direction."""
    ccw = [c for c in chars if c["matrix"][1] > 0]  # reads bottom to top
    cw = [c for c in chars if c["matrix"][1] < 0]  # reads top to bottom
    frames = []
    if ccw:
        frames.append({"width": height, "chars": [
            _moved(c, height - c["bottom"], height - c["top"], c["x0"], c["x1"]) for c in ccw]})
    if cw:
        frames.append({"width": height, "chars": [
            _moved(c, c["top"], c["bottom"], width - c["x1"], width - c["x0"]) for c in cw]})
    return frames


def _moved(char: dict, x0: float, x1: float, top: float, bottom: float) -> dict:
    moved = dict(char, x0=x0, x1=x1, top=top, bottom=bottom, doctop=top, upright=True)
    moved["y0"], moved["y1"] = -bottom, -top
    return moved


# --- running headers and footers ---------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$|^[ivxlc]{1,6}$", re.I)


def _edge_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def remove_running_matter(pages: list[PageLines]) -> list[Line]:
    """Take headers, footers and page numbers out of the page lines; return them."""
    edge_keys: Counter = Counter()
    for pl in pages:
        keys = {_edge_key(ln.text) for ln in pl.lines if _at_edge(ln, pl)}
        edge_keys.update(keys)
    repeated = {k for k, n in edge_keys.items() if len(pages) >= 2 and n >= max(2, 0.4 * len(pages))}
    removed = []
    for pl in pages:
        kept = []
        for ln in pl.lines:
            if _at_edge(ln, pl) and (_edge_key(ln.text) in repeated or _PAGE_NUMBER.match(ln.text.strip())):
                removed.append(ln)
            else:
                kept.append(ln)
        pl.lines = kept
    return removed


def _at_edge(ln: Line, pl: PageLines) -> bool:
    return ln.top < 0.09 * pl.height or ln.bottom > 0.91 * pl.height


# --- paragraphs --------------------------------------------------------------------------------

_HEADING_NUMBER = re.compile(r"^(\d+(\.\d+)*\.?|[IVX]+\.)\s+[A-Z]")
_SENTENCE_END = re.compile(r"[.!?:]['\")\]]?$")


@dataclass
class _Para:
    lines: list[Line]
    kind: str = "paragraph"


def _body_style(lines: list[Line]) -> tuple[float, float]:
    """(body font size, typical baseline pitch) weighted by text length."""
    sizes = Counter()
    for ln in lines:
        sizes[round(ln.size, 1)] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    pitches = [b.top - a.top for a, b in zip(lines, lines[1:])
               if a.page == b.page and a.column == b.column and 0 < b.top - a.top < 3 * body
               and abs(a.size - body) < 0.6 and abs(b.size - body) < 0.6]
    pitch = statistics.median(pitches) if pitches else 1.2 * body
    return body, pitch


def _is_heading(ln: Line, body: float) -> bool:
    text = ln.text.strip()
    if len(text) > 120 or len(text.split()) > 14 or text.endswith("."):
        return False
    if ln.size > body * 1.12:
        return True
    if ln.bold and len(text.split()) <= 12 and not text[:1].islower():
        return True
    return bool(_HEADING_NUMBER.match(text)) and (ln.bold or text.split(" ", 1)[-1].isupper())


def _indented(ln: Line, body: float) -> bool:
    return 0.6 * body < ln.x0 - ln.col_left < 5 * body


def _split_paragraphs(lines: list[Line], body: float, pitch: float) -> list[_Para]:
    paras: list[_Para] = []
    uses_indent = sum(1 for ln in lines if _indented(ln, body)) >= 3
    for ln in lines:
        heading = _is_heading(ln, body)
        kind = "heading" if heading else "paragraph"
        if not paras:
            paras.append(_Para([ln], kind))
            continue
        cur = paras[-1]
        prev = cur.lines[-1]
        same_flow = prev.page == ln.page and prev.column == ln.column and ln.top >= prev.top
        if kind != cur.kind:
            new = True
        elif heading:  # a wrapped heading continues; a numbered one or a change of style starts anew
            new = not (same_flow and ln.top - prev.bottom < 0.8 * ln.size and abs(ln.size - prev.size) < 0.6
                       and ln.bold == prev.bold and not _HEADING_NUMBER.match(ln.text))
        elif same_flow:
            gap = ln.top - prev.top
            new = (gap > 1.45 * pitch or _indented(ln, body) or abs(ln.size - prev.size) > 0.6
                   or (not uses_indent and prev.x1 < prev.col_right - 3 * body and _SENTENCE_END.search(prev.text)))
        else:  # column or page break: continue a paragraph that was cut mid-flow
            if _indented(ln, body):
                new = True
            elif uses_indent:
                new = abs(ln.size - prev.size) > 0.6
            else:
                new = bool(_SENTENCE_END.search(prev.text)) or abs(ln.size - prev.size) > 0.6
        if new:
            paras.append(_Para([ln], kind))
        else:
            cur.lines.append(ln)
    return paras


def _bbox(lines: list[Line]) -> BBox:
    return (min(ln.x0 for ln in lines), min(ln.top for ln in lines),
            max(ln.x1 for ln in lines), max(ln.bottom for ln in lines))


# --- metadata ----------------------------------------------------------------------------------

def _metadata(paras: list[_Para], headers: list[str], info: dict, body: float,
              vocab: Counter | None = None) -> tuple[Metadata, list[str]]:
    """The title is the largest type of page 1, its lines joined as its block's are (so the block is
    known as the title); the byline grammar and its fallbacks (running head, citation line, title
    acronym) are in metadata.py."""
    first_page = [p for p in paras if p.lines[0].page == 1]
    titled = [p for p in first_page if p.lines[0].size > body * 1.25]
    title, candidates = None, []
    if titled:
        title_para = max(titled, key=lambda p: p.lines[0].size)
        title = join_hyphenated([ln.text for ln in title_para.lines], vocab)
        idx = paras.index(title_para)
        candidates = [" ".join(ln.text for ln in para.lines) for para in paras[idx + 1: idx + 5]]
    else:
        candidates = [" ".join(ln.text for ln in para.lines) for para in first_page[:8]]
    if not title and info.get("Title"):
        title = str(info["Title"])
    front_matter = [ln.text for p in first_page[:12] for ln in p.lines]
    return read_front_matter(title, candidates, headers, front_matter, info)


# --- document ----------------------------------------------------------------------------------

def build_document(doc_id: str, pages: list[PageLines], n_pages: int, info: dict) -> Document:
    furniture = remove_running_matter(pages)
    headers = [ln.text for ln in furniture]
    lines = [ln for pl in pages for ln in pl.lines]
    warnings = []
    undecodable = sum(count_undecodable(ln.text) for ln in lines)
    if undecodable:
        warnings.append(f"{undecodable} glyphs have no Unicode mapping (printed as (cid:N)) and were dropped")
        for ln in lines:
            ln.text = strip_undecodable(ln.text)
    body, pitch = _body_style(lines)
    paras = _split_paragraphs(lines, body, pitch)
    vocab = word_counts(ln.text for ln in lines)
    blocks: list[Block] = []
    section = None
    meta, byline_warnings = _metadata(paras, headers, info, body, vocab)
    warnings += byline_warnings
    for para in paras:
        text = join_hyphenated([ln.text for ln in para.lines], vocab)
        if not text:
            continue
        kind = para.kind
        if kind == "heading":
            if meta.title and text == meta.title:
                kind = "title"
            else:
                section = text
        blocks.append(Block(page=para.lines[0].page, section=section if kind == "paragraph" else None,
                            text=text, kind=kind, bbox=_bbox(para.lines)))
    for pl in pages:
        for text in pl.rotated:
            blocks.append(Block(page=pl.page, text=collapse_spaces(text), kind="rotated"))
            warnings.append(f"page {pl.page}: rotated text (watermark or rotated table) kept as a separate block")
    doc = Document(doc_id=doc_id, pages=n_pages, metadata=meta, blocks=blocks, warnings=warnings,
                   furniture=[Block(page=ln.page, text=ln.text, kind="furniture", bbox=(ln.x0, ln.top, ln.x1, ln.bottom))
                              for ln in furniture])
    doc.assign_offsets()
    return doc
