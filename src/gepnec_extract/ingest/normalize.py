"""Text normalization shared by the PDF and plain-text readers.

Ligatures, odd spaces and math-alphanumeric letters are folded to plain text, while the
characters that carry meaning in results (en dash ranges, >=, superscript 2, micro sign) are kept:
so this is a targeted fold, not a blanket NFKC.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from wordfreq import zipf_frequency

# a line-end hyphen between two common words ("high-" / "grade") stays when the joined word, though
# listed, is this many zipf steps (powers of ten) rarer than the rarer part
COMPOUND_PART_ZIPF = 3.5
COMPOUND_RARITY = 3.0

_CHAR_MAP = {
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st",
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2004": " ", "\u2005": " ", "\u2006": " ",
    "\u2007": " ", "\u2008": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u205f": " ",
    "\u3000": " ", "\t": " ",
    "\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
    "\u2010": "-", "\u2011": "-",  # hyphen and non-breaking hyphen: plain hyphen
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
}
_TRANSLATE = str.maketrans(_CHAR_MAP)
_MATH_ALNUM = re.compile("[\U0001d400-\U0001d7ff]")  # mathematical italic/bold letters and digits
_SPACES = re.compile(r"[ ]{2,}")
_CID = re.compile(r"\(cid:\d+\)")


def normalize_text(text: str) -> str:
    """Fold ligatures, exotic spaces and math-italic letters; keep en dash, >=, superscripts, micro."""
    text = text.translate(_TRANSLATE)
    text = _MATH_ALNUM.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return text


def count_undecodable(text: str) -> int:
    """Glyphs without a Unicode mapping, as pdfminer prints them: ``(cid:N)``."""
    return len(_CID.findall(text))


def strip_undecodable(text: str) -> str:
    return _CID.sub("", text)


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# --- end-of-line hyphenation -------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z\-]*[A-Za-z]|[A-Za-z]")
_TAIL = re.compile(r"([A-Za-z][A-Za-z0-9]*)-$")
_HEAD = re.compile(r"^([A-Za-z0-9]+)")


def word_counts(lines: Iterable[str]) -> Counter:
    """Words (case-folded) written whole somewhere in a document: the document's own dictionary."""
    counts: Counter = Counter()
    for line in lines:
        for token in _WORD.findall(line.rstrip("-")):
            counts[token.lower()] += 1
    return counts


def keeps_hyphen(left: str, right: str, vocab: Counter | None = None) -> bool:
    """Decide whether ``left-`` at a line end + ``right`` at the next start is a real hyphen.

    The document itself is the best judge (``chemotherapy`` or ``platinum-based`` written whole
    elsewhere); then the word-frequency list; then: two known words stay hyphenated.
    """
    joined, hyphenated = (left + right).lower(), f"{left}-{right}".lower()
    if vocab:
        if vocab.get(hyphenated, 0) > vocab.get(joined, 0):
            return True
        if vocab.get(joined, 0) > 0:
            return False
    if right[:1].isdigit() or left[-1:].isdigit():
        return True  # Ki-67, G3-4, 5-FU
    if right[:1].isupper() and not right.isupper():
        return True  # "non-" + "Hodgkin"
    joined_zipf = zipf_frequency(joined, "en")
    if joined_zipf > 0:
        # "highgrade" is in the list, but a thousand times rarer than "high" or "grade": a compound
        parts = [zipf_frequency(p.lower(), "en") for p in (left, right)]
        return min(parts) >= COMPOUND_PART_ZIPF and joined_zipf < min(parts) - COMPOUND_RARITY
    return all(len(p) >= 2 and zipf_frequency(p.lower(), "en") >= 2.5 for p in (left, right))


def join_hyphenated(lines: list[str], vocab: Counter | None = None) -> str:
    """Join the lines of one paragraph, undoing end-of-line hyphenation."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        tail = _TAIL.search(out)
        head = _HEAD.match(line)
        if tail and head and not out.endswith("--"):
            if keeps_hyphen(tail.group(1), head.group(1), vocab):
                out += line
            else:
                out = out[:-1] + line
        elif out.endswith(("\u2013", "/")):  # a range (3–) or a combination (cisplatin/) broken at the line end
            out += line
        else:
            out += " " + line
    return collapse_spaces(out)
