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
from collections import Counter
from pathlib import Path

from ..model import Block, Document, Metadata
from .errors import EmptyFileError, ResourceLimitError, UndecodableTextError
from .limits import Limits
from .metadata import is_citation_line, parse_byline, read_front_matter
from .normalize import join_hyphenated, normalize_text, word_counts
from .preflight import text_preflight

MAX_INVALID_FRACTION = 0.01  # more undecodable bytes than this: not text
MAX_JUNK_FRACTION = 0.3  # control characters, private-use and replacement characters: at most this share
_JUNK = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")

_BLANK_LINE = re.compile(r"\n\s*\n")
_TERMINAL = (".", ",", ";", ":", "-", "\u2013", ")")
FRONT_MAX_LINES = 25  # a plain text's front matter: its lines before the first section, at most this many
TITLE_MAX_LINES = 4  # a title runs over at most this many lines
TITLE_WORDS = (3, 50)  # of between this many words in all
TITLE_LINE_MAX_WORDS = 20
# the first section of a paper: where its front matter ends
_FRONT_END = re.compile(r"^(?:\d+\.?\s+)?(?:abstract|summary|background|introduction|methods?|key\s*words?)\b", re.I)


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


Front = tuple[Metadata, list[str], tuple[int, int] | None, int | None]


def _front_matter(paragraphs: list[list[str]], vocab: Counter | None = None) -> Front:
    """A plain text's title and byline, read by the PDF's grammar (metadata.py), from the lines
    before its first section: a byline ("Quill A, Marsh B", "Z. Quill, B. Marsh and C. Fenwick")
    right after title-shaped lines ("Drugamab in quill carcinoma: a phase II study"), in the same
    paragraph or the one before; banner, journal and running-head lines around them are passed
    over. A text has no type sizes to tell a title from a heading, so without a byline nothing
    is taken: a review that opens with a short line is not a paper of no author.

    Returns the metadata, the front matter's warnings, where the title is ((paragraph, lines of
    it)) and the byline's paragraph; the last two None when no front matter was read."""
    front = _front_lines(paragraphs)
    for i, (number, line) in enumerate(front):
        byline = _byline_from(front, i)
        if byline is None:
            continue
        title_at = _title_before(paragraphs, front, i)
        if title_at is None:
            continue  # a running head ("Z. Quill et al.") over the title: the byline is further on
        t_number, t_lines = title_at
        title = join_hyphenated(paragraphs[t_number][:t_lines], vocab)  # as its block is joined
        front_text = [ln for _, ln in front]
        meta, warnings = read_front_matter(title, [byline], [], front_text, {})
        return meta, warnings, title_at, number
    return Metadata(), [], None, None


def _front_lines(paragraphs: list[list[str]]) -> list[tuple[int, str]]:
    """(paragraph number, line) of every line before the first section, at most FRONT_MAX_LINES."""
    front: list[tuple[int, str]] = []
    for number, lines in enumerate(paragraphs):
        for line in lines:
            if _FRONT_END.match(line) or len(front) >= FRONT_MAX_LINES:
                return front
            front.append((number, line))
    return front


def _byline_from(front: list[tuple[int, str]], i: int) -> str | None:
    """The byline that starts at front line i, or None: names that wrap onto the next line of its
    paragraph are taken in; a group's name followed there by a byline of names is a title's end
    ("... of the Quill Research Network" over "Z. Quill, B. Marsh"), not a byline."""
    number, line = front[i]
    byline = parse_byline(line)
    if byline is None:
        return None
    if i + 1 < len(front) and front[i + 1][0] == number:
        following = parse_byline(front[i + 1][1])
        if not byline.names and following is not None and following.names:
            return None
        longer = parse_byline(f"{line} {front[i + 1][1]}")
        if longer is not None and longer.first_author == byline.first_author and len(longer.names) > len(byline.names):
            return f"{line} {front[i + 1][1]}"
    return line


def _title_before(paragraphs: list[list[str]], front: list[tuple[int, str]], i: int) -> tuple[int, int] | None:
    """(paragraph, its first n lines) of the title the byline at front line i follows: the lines of
    the byline's paragraph before it, or the whole paragraph before, when they are title-shaped."""
    number, line = front[i]
    lines = paragraphs[number]
    at = lines.index(line)
    if at:
        return (number, at) if _title_shaped(lines[:at]) else None
    if number and _title_shaped(paragraphs[number - 1]):
        return number - 1, len(paragraphs[number - 1])
    return None


def _title_shaped(lines: list[str]) -> bool:
    words = " ".join(lines).split()
    return (len(lines) <= TITLE_MAX_LINES and TITLE_WORDS[0] <= len(words) <= TITLE_WORDS[1]
            and not lines[-1].endswith(".") and all(len(ln.split()) <= TITLE_LINE_MAX_WORDS for ln in lines)
            and not any(_names_authors(ln) or is_citation_line(ln) for ln in lines) and not _FRONT_END.match(lines[0]))


def _names_authors(line: str) -> bool:
    """A byline of names (a group's name may end a title: "... of the Quill Research Network")."""
    byline = parse_byline(line)
    return byline is not None and bool(byline.names)


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
    meta, front_warnings, title_at, byline_at = _front_matter(paragraphs, vocab)
    warnings += front_warnings
    blocks: list[Block] = []
    section = None
    for number, lines in enumerate(paragraphs):
        if title_at is not None and number == title_at[0]:
            blocks.append(Block(page=1, text=join_hyphenated(lines[:title_at[1]], vocab), kind="title"))
            lines = lines[title_at[1]:]
            if not lines:
                continue
        # a byline is as short as a heading, and no section's name
        n_heading = 0 if number == byline_at else _heading_lines(lines, typical)
        if n_heading:
            section = join_hyphenated(lines[:n_heading], vocab)
            blocks.append(Block(page=1, text=section, kind="heading"))
        if lines[n_heading:]:
            blocks.append(Block(page=1, section=section, text=join_hyphenated(lines[n_heading:], vocab)))
    doc = Document(doc_id=Path(path).stem, source=Path(path).name, pages=1, metadata=meta, blocks=blocks,
                   warnings=warnings)
    doc.assign_offsets()
    return doc
