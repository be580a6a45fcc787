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

from ..model import Block, Document, Metadata
from .errors import EmptyFileError, ResourceLimitError, UndecodableTextError
from .limits import Limits
from .metadata import parse_byline, read_front_matter
from .normalize import join_hyphenated, normalize_text, word_counts
from .preflight import text_preflight

MAX_INVALID_FRACTION = 0.01  # more undecodable bytes than this: not text
MAX_JUNK_FRACTION = 0.3  # control characters, private-use and replacement characters: at most this share
_JUNK = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")

_BLANK_LINE = re.compile(r"\n\s*\n")
_TERMINAL = (".", ",", ";", ":", "-", "\u2013", ")")
TITLE_MAX_LINES = 4  # a plain text's title: its first paragraph, of at most this many lines
TITLE_WORDS = (3, 50)  # and between this many words
BYLINE_WITHIN = 4  # the byline is one of the paragraphs after the title, as in a PDF's front matter
FRONT_MATTER_LINES = 12  # the lines where a citation line (journal, year) is looked for


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


def _front_matter(paragraphs: list[list[str]]) -> tuple[Metadata, list[str], int | None]:
    """A plain text's title and byline, read by the PDF's grammar (metadata.py): a first paragraph
    shaped like a title ("Drugamab in quill carcinoma: a phase II study") and, among the next
    paragraphs, a byline ("Quill A, Marsh B"). A text has no type sizes to tell a title from a
    heading, so without a byline nothing is taken: a review that opens with a short line is not
    a paper of no author. Returns the metadata, the front matter's warnings and the byline's
    paragraph index (None when no front matter was read)."""
    first = paragraphs[0]
    title = " ".join(first)
    if (len(first) > TITLE_MAX_LINES or not TITLE_WORDS[0] <= len(title.split()) <= TITLE_WORDS[1]
            or title.endswith(".") or len(paragraphs) < 2):
        return Metadata(), [], None
    candidates = [" ".join(lines) for lines in paragraphs[1:1 + BYLINE_WITHIN]]
    byline_at = next((i for i, text in enumerate(candidates, start=1) if parse_byline(text)), None)
    if byline_at is None:
        return Metadata(), [], None
    front_lines = [ln for lines in paragraphs for ln in lines][:FRONT_MATTER_LINES]
    meta, warnings = read_front_matter(title, candidates, [], front_lines, {})
    return meta, warnings, byline_at


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
    meta, front_warnings, byline_at = _front_matter(paragraphs)
    warnings += front_warnings
    blocks: list[Block] = []
    section = None
    for number, lines in enumerate(paragraphs):
        if byline_at is not None and number == 0:
            blocks.append(Block(page=1, text=join_hyphenated(lines, vocab), kind="title"))
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
