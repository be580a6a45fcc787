"""Front matter: whose paper it is (byline, running head, citation line, trial acronym), its
journal and year.

The byline grammar reads what publishers print:

    "A. B. Quill, C. Marsh and D. Fenwick"          initials before the surname
    "Quill AB, Marsh C, Fenwick D"                   initials after
    "Anna Quill1,2*, Bo Marsh3 and Cai Fenwick2"     affiliation digits and marks glued to names
    "M. Quillström, et al."                          truncated list; diacritics kept as printed
    "A. van der Quill, for the Drugamab Study Group" a particle; a group the authors write for
    "Evidence Synthesis Panel"                       a group only: no author, never a study

When the byline cannot be read, the paper's own study is still named: from the running head
("Quill et al."), then the citation line of the first page ("Quill et al. J Drugs 2012, 3:14"),
then a trial acronym in the title; each fallback is said in a warning. Vocabulary (group words,
particles, marks) is data: data/byline.json.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from wordfreq import zipf_frequency

from ..model import Metadata

DATA = Path(__file__).resolve().parent / "data" / "byline.json"
MAX_LINE = 200  # a running head or citation line is one short line; longer text is not read as one


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {
        "group_words": tuple(sorted(data["group_words"], key=len, reverse=True)),
        "particles": frozenset(data["particles"]),
        "marks": data["marks"],
        "front_matter_words": frozenset(data["front_matter_words"]),
    }


_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
# "British Journal of Cancer 1999;81:1351-1355", "Cancer Sci 2014; 105: 1176", "Lancet 2015;386:2059–68"
_CITATION_LINE = re.compile(
    r"(?P<journal>[A-Z][A-Za-z&.\- ]{2,80}?)[,.]?\s+(?P<year>(19[5-9]\d|20[0-4]\d))(\s*[;,]\s*\d+|\s*$)")
_JOURNAL_WORD = re.compile(r"^([A-Z][\w.\-]*|of|and|the|de|&|in|for)$")
_SURNAME_WORD = r"[A-ZÀ-ÞĀ-ž][A-Za-zÀ-ÿĀ-ž'’\-]*[a-zà-ÿĀ-ž][A-Za-zÀ-ÿĀ-ž'’\-]*"
_INITIALS = re.compile(r"^[A-ZÀ-ÞĀ-ž]\.?(?:-?[A-ZÀ-ÞĀ-ž]\.?){0,3}$")
_ET_AL = re.compile(r",?\s*\bet\s*al\b\.?", re.I)
_GROUP_SUFFIX = re.compile(r"[,;]?\s*\b(?:for|on behalf of)\s+(?:the\s+)?(?P<group>[^,;]+)$", re.I)
_SPLIT = re.compile(r",|;|\band\b|&")


def _particle_pattern() -> str:
    words = sorted(vocabulary()["particles"], key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


@lru_cache(maxsize=1)
def _running_head() -> re.Pattern:
    """"M. L. Quill et al.", "Quill et al. J Drugs (2015) 16:58", "Quill and Marsh J Drugs 2016"."""
    particles = _particle_pattern()
    return re.compile(
        rf"^\s*(?:[A-ZÀ-ÞĀ-ž]\.\s*(?:-?[A-ZÀ-ÞĀ-ž]\.\s*){{0,3}})?(?P<surname>(?:(?:{particles})\s+){{0,2}}{_SURNAME_WORD})"
        rf"\s+(?:et\s*al\b\.?|and\s+{_SURNAME_WORD}\b)")


@dataclass
class Byline:
    names: list[str] = field(default_factory=list)  # each name as printed, marks stripped
    group: str | None = None  # "Drugamab Study Group": a group the authors write for, or the only author
    truncated: bool = False  # the list ends in "et al."

    @property
    def first_author(self) -> str | None:
        return surname(self.names[0]) if self.names else None


def _strip_marks(item: str) -> str:
    """"Quill1,2*" -> "Quill"; "Anna Quill a" (an affiliation letter) -> "Anna Quill"."""
    marks = re.escape(vocabulary()["marks"])
    text = re.sub(rf"[{marks}]+", " ", item)
    text = re.sub(r"(?<=[a-zà-ÿĀ-ž])\s+[a-h](?:\s+[a-h])*\s*$", "", text.strip())
    text = re.sub(r"\s+", " ", text).strip(" ,;")
    if text.endswith(".") and not _INITIALS.match(text.split()[-1]):
        text = text[:-1].strip()
    return text


def _is_common(word: str) -> bool:
    return zipf_frequency(word.lower(), "en") >= 4.0


def _name_tokens(item: str) -> list[str] | None:
    """The tokens of a personal name, or None: initials, capitalised words, surname particles."""
    vocab = vocabulary()
    tokens = item.split()
    if not 2 <= len(tokens) <= 6:
        return None
    words = []
    for tok in tokens:
        if _is_initial(tok) or tok in ("II", "III"):
            continue
        if tok.lower() in vocab["particles"]:
            continue
        if not re.fullmatch(_SURNAME_WORD, tok) or tok.lower() in vocab["front_matter_words"]:
            return None
        words.append(tok)
    if not words:
        return None
    initials = len(words) < len(tokens)
    if not initials and all(_is_common(w) for w in words):
        return None  # "Open Access", "Research Letter": ordinary words, not a name
    return tokens


def _is_initial(token: str) -> bool:
    return bool(_INITIALS.match(token)) or token.rstrip(".") in ("Jr", "Sr")


def surname(name: str) -> str:
    """The surname of a name as printed: after the initials ("M. L. Quillström"), before them
    ("Quillström ML", "van der Quill J"), else the last word with its particles ("Anna van der Quill")."""
    particles = vocabulary()["particles"]
    tokens = name.split()
    initial = [_is_initial(t) for t in tokens]
    first = next((i for i, v in enumerate(initial) if v), None)
    if first and all(initial[first:]):
        return " ".join(tokens[:first])
    end = len(tokens)
    while end > 1 and initial[end - 1]:
        end -= 1
    start = end - 1
    while start > 0 and tokens[start - 1].lower() in particles:
        start -= 1
    return " ".join(tokens[start:end])


def _group_name(text: str) -> str | None:
    """A group, panel or committee name: a short Title Case phrase ending in a group word."""
    words = text.split()
    if not 1 <= len(words) <= 10 or re.search(r"\d", text):
        return None
    lowered = text.lower()
    if not any(lowered.endswith(" " + g) or lowered == g for g in vocabulary()["group_words"]):
        return None
    if not all(w[:1].isupper() or w.lower() in ("of", "for", "and", "the", "on", "in", "&", "-") for w in words):
        return None
    return text.strip()


def parse_byline(text: str) -> Byline | None:
    """The names (or group) of a byline, or None when the text is not one."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text or len(text) > 1200:
        return None
    group_only = _group_name(_strip_marks(text))
    if group_only:
        return Byline(group=group_only)
    byline = Byline()
    suffix = _GROUP_SUFFIX.search(text)
    if suffix and _group_name(_strip_marks(suffix.group("group"))):
        byline.group = _strip_marks(suffix.group("group"))
        text = text[:suffix.start()]
    if _ET_AL.search(text):
        byline.truncated = True
        text = _ET_AL.sub(",", text)
    items = [_strip_marks(i) for i in _SPLIT.split(text)]
    items = [i for i in items if i]
    if not items:
        return None
    names = [i for i in items if _name_tokens(i)]
    if not names or len(names) < 0.6 * len(items) or all(n.isupper() for n in names):
        return None
    byline.names = names[:50]
    return byline


def running_head_author(lines: list[str]) -> str | None:
    """The surname the running heads repeat ("Quill et al."), or None."""
    found = Counter()
    for line in lines:
        match = _running_head().match(line) if len(line) <= MAX_LINE else None
        if match and _is_name_like(match.group("surname")):
            found[match.group("surname")] += 1
    return found.most_common(1)[0][0] if found else None


def _is_name_like(word: str) -> bool:
    return word.lower() not in vocabulary()["front_matter_words"] and zipf_frequency(word.lower(), "en") < 5.0


def citation_line_author(lines: list[str]) -> str | None:
    """"Quill et al. J Drugs 2012, 3:14" or "Cite this article as: Quill AB, ..." on the first page."""
    for line in lines:
        line = re.sub(r"^\s*(?:please\s+)?cite\s+this\s+article\s+as\s*:?\s*", "", line, flags=re.I)
        if len(line) > MAX_LINE or not _YEAR.search(line):
            continue
        match = _running_head().match(line)
        if match and _is_name_like(match.group("surname")):
            return match.group("surname")
        vancouver = re.match(rf"^\s*(?P<surname>{_SURNAME_WORD})\s+[A-Z]{{1,3}}\s*,\s*{_SURNAME_WORD}\s+[A-Z]{{1,3}}\b", line)
        if vancouver and _is_name_like(vancouver.group("surname")):
            return vancouver.group("surname")
    return None


# "(DRUGAMAB-3)", "the phase II QUILLTRIAL study", "(ACRONYM 1)": an acronym named as the study
_TITLE_ACRONYM = re.compile(
    r"\((?P<paren>[A-Z][A-Z0-9]*(?:[-\s]?[A-Z0-9]+){0,3})\)|\b(?:the\s+)?(?:phase\s+[IV\d]+[a-b]?\s+)?"
    r"(?P<named>[A-Z][A-Z0-9]{2,}(?:[-\s]?[A-Z0-9]+)?)\s+(?:and\s+[A-Z][A-Z0-9-]+\s+)?(?:trials?|study|studies)\b")


def title_acronym(title: str | None) -> str | None:
    """A trial acronym the title names as its study; a parenthesised one needs a
    number ("(QUILL-2)"), so a defined term ("(NEC)") is not taken for a trial."""
    if len(title or "") > 4 * MAX_LINE:
        return None  # not a title (a page of text in the title's type): no trial is named there
    for match in _TITLE_ACRONYM.finditer(title or ""):
        name = match.group("paren") or match.group("named")
        if match.group("paren") and not re.search(r"\d", name):
            continue
        if sum(c.isupper() for c in name) < 3:
            continue
        return re.sub(r"[\s\-]", "", name)
    return None


def _looks_like_journal(name: str) -> bool:
    words = name.split()
    return 1 <= len(words) <= 8 and all(_JOURNAL_WORD.match(w) for w in words) and words[0][:1].isupper()


def is_citation_line(text: str) -> bool:
    """Does the text hold a journal's citation ("Quill Oncol 2011;12:34-39")?"""
    citation = _CITATION_LINE.search(text)
    return bool(citation and _looks_like_journal(citation.group("journal")))


def journal_and_year(headers: list[str], front_matter: list[str], info: dict) -> tuple[str | None, int | None]:
    for text in headers + front_matter + [str(info.get("Subject", ""))]:
        citation = _CITATION_LINE.search(text)
        if citation and _looks_like_journal(citation.group("journal")):
            return citation.group("journal").strip(), int(citation.group("year"))
    years = [int(m.group()) for text in headers for m in _YEAR.finditer(text)]
    return None, (Counter(years).most_common(1)[0][0] if years else None)


def read_front_matter(title: str | None, candidates: list[str], headers: list[str], front_matter: list[str],
                      info: dict) -> tuple[Metadata, list[str]]:
    """Metadata of a paper and the warnings of how its own study was named.

    ``candidates``: the paragraphs after the title, in order (the byline is the first that parses);
    ``headers``: running heads and footers; ``front_matter``: lines of the first page.
    """
    meta = Metadata(title=title)
    warnings: list[str] = []
    meta.journal, meta.year = journal_and_year(headers, front_matter, info)
    byline = next((b for b in map(parse_byline, candidates) if b is not None), None)
    head = running_head_author(headers)
    if byline is not None and byline.group and not byline.names:
        meta.group = byline.group  # a group's own document (a review): no author, no study of its own
        return meta, warnings
    if byline is not None:
        meta.authors = byline.names
        meta.group = byline.group
        meta.first_author = byline.first_author
        if head and meta.first_author != head and head in byline.names[0].split():
            meta.first_author = head  # the running head says which of the first name's words is the surname
        return meta, warnings
    if head:
        meta.first_author = head
        warnings.append(f"byline not read: first author '{head}' taken from the running head")
        return meta, warnings
    cited = citation_line_author(front_matter)
    if cited:
        meta.first_author = cited
        warnings.append(f"byline not read: first author '{cited}' taken from the citation line")
        return meta, warnings
    meta.acronym = title_acronym(title)
    if meta.acronym:
        warnings.append(f"byline not read: the study is named by the trial acronym '{meta.acronym}' of the title")
    else:
        warnings.append("byline not read: no author, running head, citation line or trial acronym names the paper's study")
    return meta, warnings
