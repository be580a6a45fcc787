"""Plain-text reader: a .txt file becomes a Document whose blocks are its paragraphs."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from ..model import Block, Document
from .errors import EmptyFileError
from .normalize import join_hyphenated, normalize_text, word_counts

_BLANK_LINE = re.compile(r"\n\s*\n")
_TERMINAL = (".", ",", ";", ":", "-", "\u2013", ")")


def _heading_lines(lines: list[str], typical_length: float) -> int:
    """How many leading lines of a paragraph are its heading: a short line with no closing
    punctuation, or up to two Title Case lines, before a capitalised line (or alone)."""
    if _is_short_heading(lines[0], typical_length) and (len(lines) == 1 or lines[1][:1].isupper()):
        return 1
    count = 0
    while count < min(2, len(lines)) and _is_title_case(lines[count]):
        count += 1
    if count and (count == len(lines) or lines[count][:1].isupper()):
        return count
    return 0


def _is_short_heading(line: str, typical_length: float) -> bool:
    return (len(line) < 0.6 * typical_length and not line.endswith(_TERMINAL) and line[:1].isupper()
            and len(line.split()) <= 12)


def _is_title_case(line: str) -> bool:
    words = [w for w in line.split() if len(w) > 3]
    return (bool(words) and not line.endswith(_TERMINAL) and line[:1].isupper()
            and sum(w[:1].isupper() for w in words) >= 0.7 * len(words))


def read_text(path: Path) -> Document:
    raw = Path(path).read_text(encoding="utf-8", errors="replace")
    if not raw.strip():
        raise EmptyFileError(path, "empty file: no text")
    paragraphs = [[ln.strip() for ln in para.splitlines() if ln.strip()] for para in _BLANK_LINE.split(normalize_text(raw))]
    paragraphs = [lines for lines in paragraphs if lines]
    all_lines = [ln for lines in paragraphs for ln in lines]
    vocab = word_counts(all_lines)
    typical = statistics.quantiles([len(ln) for ln in all_lines], n=10)[-1] if len(all_lines) > 1 else 80  # a full line
    blocks: list[Block] = []
    section = None
    for lines in paragraphs:
        n_heading = _heading_lines(lines, typical)
        if n_heading:
            section = join_hyphenated(lines[:n_heading], vocab)
            blocks.append(Block(page=1, text=section, kind="heading"))
        if lines[n_heading:]:
            blocks.append(Block(page=1, section=section, text=join_hyphenated(lines[n_heading:], vocab)))
    doc = Document(doc_id=Path(path).stem, source=Path(path).name, pages=1, blocks=blocks)
    doc.assign_offsets()
    return doc
