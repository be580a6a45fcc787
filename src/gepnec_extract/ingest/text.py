"""Plain-text reader: a .txt file becomes a Document whose blocks are its paragraphs.

Text is as untrusted as a PDF and goes through the same limits (``ingest_file`` also runs this
reader in the sandbox child, for time and memory): only a regular file is opened (a FIFO would
block, a link to /dev/zero never ends), its size is checked before it is read, it must decode as
text (UTF-8, or UTF-16 with a byte-order mark, with a warning; NUL bytes or mostly invalid bytes
are an ``undecodable_text`` error), at most ``max_text_chars`` characters, and a paragraph over
``max_chars_per_page`` characters is skipped with a warning, as an over-long PDF page is (the
tagger could not take it).
"""

from __future__ import annotations

import codecs
import re
import statistics
from pathlib import Path

from ..model import Block, Document
from .errors import EmptyFileError, ResourceLimitError, UndecodableTextError
from .limits import Limits
from .normalize import join_hyphenated, normalize_text, word_counts
from .preflight import text_preflight

MAX_INVALID_FRACTION = 0.01  # more undecodable bytes than this: not text
MAX_JUNK_FRACTION = 0.3  # control characters, private-use and replacement characters: at most this share
_JUNK = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")

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


def decode_text(path: Path, data: bytes) -> tuple[str, list[str]]:
    """The file's text and warnings, or UndecodableTextError: never a silent success on binary."""
    warnings = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise UndecodableTextError(path, f"undecodable text: broken UTF-16 ({err.reason})") from None
        warnings.append("text file is UTF-16 (decoded from its byte-order mark), not UTF-8")
    elif b"\x00" in data:
        raise UndecodableTextError(path, f"undecodable text: {data.count(0)} NUL bytes "
                                         "(binary data, or UTF-16 without a byte-order mark)")
    else:
        text = data.decode("utf-8", errors="replace")
        invalid = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
        if invalid > MAX_INVALID_FRACTION * max(len(text), 1):
            raise UndecodableTextError(path, f"undecodable text: {invalid} of {len(data)} bytes are not UTF-8 "
                                             "(binary data, or another encoding)")
        if invalid:
            warnings.append(f"{invalid} bytes are not UTF-8 and were replaced")
        text = text.removeprefix("\ufeff")
    junk = len(_JUNK.findall(text))
    if junk > MAX_JUNK_FRACTION * len(text):
        raise UndecodableTextError(path, f"undecodable text: {junk} of {len(text)} characters are control, "
                                         "private-use or replacement characters (binary data?)")
    return text, warnings


def read_text(path: Path, limits: Limits | None = None) -> Document:
    path = Path(path)
    limits = limits or Limits()
    size = text_preflight(path, limits)
    with path.open("rb") as fh:
        data = fh.read(size + 1)  # the size read above, not whatever the file has grown to since
    raw, warnings = decode_text(path, data)
    if len(raw) > limits.max_text_chars:
        raise ResourceLimitError(path, f"text of {len(raw)} characters, over the limit of {limits.max_text_chars}")
    if not raw.strip():
        raise EmptyFileError(path, "empty file: no text")
    paragraphs = [[ln.strip() for ln in para.splitlines() if ln.strip()] for para in _BLANK_LINE.split(normalize_text(raw))]
    paragraphs = [lines for lines in paragraphs if lines]
    kept = []
    for number, lines in enumerate(paragraphs, start=1):
        n_chars = sum(len(ln) for ln in lines)
        if n_chars > limits.max_chars_per_page:
            warnings.append(f"paragraph {number}: {n_chars} characters, over the limit of "
                            f"{limits.max_chars_per_page}; paragraph skipped")
        else:
            kept.append(lines)
    if not kept:
        raise ResourceLimitError(path, "every paragraph is over the limit of "
                                       f"{limits.max_chars_per_page} characters: " + "; ".join(warnings[-3:]))
    paragraphs = kept
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
    doc = Document(doc_id=Path(path).stem, source=Path(path).name, pages=1, blocks=blocks, warnings=warnings)
    doc.assign_offsets()
    return doc
