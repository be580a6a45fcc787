"""Cell grammar: the values inside one table cell.

A cell may hold one value ("15 (11.7–25)", "4 (9.8)", "NRa"), several cohorts each with a label
("Carcinoid WDNET, 0 (CR, 0; PR, 0; stable, 85; PD, 15) Islet WDNET, 14 (...)", "PDNEC: 5 (1–44+)"),
or arms compared with "vs." ("IP, 50, vs. etoposide, 28 (p < .001)", "6.7 (3.2–10.0) vs. 6.3 (2.8–26.4)").
Footnote markers ("12.1a", "NRa", "(0–88)a") are not numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Survival
from ..units import cycle_days, weeks_to_months

NUMBER = r"\d+(?:\.\d+)?"
_DASH = r"\s*(?:–|—|-|to)\s*"
# "NA", "NRa", "–": nothing printed (a footnote marker is one lowercase letter: "R" or "P" is a value)
_MISSING = re.compile(r"^\s*(NA|N/A|NE|NR|ND|NS|not (reported|available|evaluable|applicable)|–|-|—|\.\.\.)?\s*(?-i:[a-z*†‡§])?\s*$", re.I)
_NOT_REACHED = re.compile(r"\b(NR|not reached)\b", re.I)
# a footnote marker: one lowercase letter or symbol glued to the end of a number or of NR/NA
_MARKER = re.compile(r"(?<=[\d)A-Z%+])([a-f]|[*†‡§¶]+)(?=[\s,;)(]|$)")
_PVALUE = re.compile(r"\(?\s*p\s*[<=>≤≥]\s*0?\.\d+\s*\)?", re.I)

RESPONSE_KEYS = {
    "cr": "cr", "complete": "cr", "complete response": "cr", "complete remission": "cr",
    "pr": "pr", "partial": "pr", "partial response": "pr",
    "sd": "sd", "stable": "sd", "stable disease": "sd", "stabilization": "sd",
    "pd": "pd", "progression": "pd", "progressive disease": "pd", "progressive": "pd",
    "ne": None, "na": None, "unassessable": None, "not evaluable": None, "nd": None,
    "rr": "rr", "orr": "rr", "dcr": "dcr",
}
_NOT_A_LABEL = set(RESPONSE_KEYS) | {"vs", "vs.", "p", "and", "or", "n"}


def strip_markers(text: str) -> str:
    """Drop footnote markers and p-values: "12.1a (6.9–17.2)" -> "12.1 (6.9–17.2)"."""
    return _MARKER.sub("", _PVALUE.sub("", text)).strip()


def is_missing(text: str) -> bool:
    return bool(_MISSING.match(text or ""))


def first_number(text: str) -> float | None:
    match = re.search(NUMBER, strip_markers(text))
    return float(match.group()) if match else None


# --- one value ----------------------------------------------------------------------------------

_SURVIVAL = re.compile(
    rf"^(?P<median>{NUMBER}|NR|not reached)\s*(?:months?|mo|weeks?|wk)?\s*"
    rf"(?:[\(\[]\s*(?:(?:range|95%\s*CI|CI)[:,]?\s*)?(?P<low>{NUMBER}|NE|NR|NA)\+?\s*(?:months?|mo|weeks?)?"
    rf"{_DASH}(?P<high>{NUMBER}|NE|NR|NA)(?P<open>\+)?\s*(?:months?|mo|weeks?)?\s*[\)\]])?", re.I)


def parse_survival(text: str, interval: str | None = None, weeks: bool = False) -> Survival | None:
    """"15 (11.7–25)", "17.6 (8.6–72+)", "NR", "11.4 months (8.9 months–NE)", "9.9 (NA)" -> Survival."""
    text = strip_markers(text)
    if not text or is_missing(text) and not _NOT_REACHED.search(text):
        return None
    if re.search(r"\bweeks?\b|\bwk\b", text, re.I):
        weeks = True
    match = _SURVIVAL.match(text)
    if not match:
        return None
    median_text = match.group("median")
    not_reached = bool(_NOT_REACHED.fullmatch(median_text))
    convert = weeks_to_months if weeks else (lambda v: v)

    def bound(name: str) -> float | None:
        value = match.group(name)
        return convert(float(value)) if value and re.fullmatch(NUMBER, value) else None

    low, high = bound("low"), bound("high")
    return Survival(
        median=None if not_reached else convert(float(median_text)),
        low=low, high=high,
        kind=(interval or "range") if (low is not None or high is not None) else None,
        not_reached=not_reached,
    )


_COUNT_PCT = re.compile(rf"^(?P<n>{NUMBER})\s*(?:(?:/|\bof\b)\s*(?P<of>\d+))?\s*(?:\(\s*(?P<pct>{NUMBER})\s*%?\s*\))?")


def parse_count_pct(text: str) -> tuple[int | None, float | None]:
    """"4 (9.8)" -> (4, 9.8); "3 of 8 (38)" -> (3, 38.0); "0" -> (0, 0.0); "13" -> (13, None). Printed values only."""
    match = _COUNT_PCT.match(strip_markers(text))
    if not match:
        return None, None
    n = int(float(match.group("n")))
    pct = float(match.group("pct")) if match.group("pct") else (0.0 if n == 0 else None)
    return n, pct


def parse_pct(text: str) -> float | None:
    """A percent cell: "53", "17%", "41.5", "53 (CR, ...)" -> the leading number."""
    text = strip_markers(text)
    if is_missing(text):
        return None
    match = re.match(rf"^\s*({NUMBER})\s*%?", text)
    return float(match.group(1)) if match else None


# --- response breakdown "(CR, 0; PR, 14; stable, 64; PD, 22)" -----------------------------------------

_RESPONSE_PAIR = re.compile(
    rf"(?P<key>complete response|complete remission|partial response|stable disease|progressive disease|"
    rf"not evaluable|unassessable|progression|stabilization|complete|partial|stable|progressive|"
    rf"\bCR\b|\bPR\b|\bSD\b|\bPD\b|\bNE\b|\bNA\b|\bORR\b|\bRR\b|\bDCR\b)\s*[,:=]?\s*"
    rf"(?P<values>(?:{NUMBER}|NA|NE)%?(?:\s*vs\.?\s*(?:{NUMBER}|NA|NE)%?)*)", re.I)


def parse_response_breakdown(text: str) -> list[dict[str, float | None]]:
    """Response categories per arm: one dict per arm ("CR, 0 vs. 0; PR, 17 vs. 17" gives two)."""
    arms: list[dict[str, float | None]] = []
    for match in _RESPONSE_PAIR.finditer(strip_markers(text)):
        key = RESPONSE_KEYS.get(match.group("key").lower())
        if key is None:
            continue
        values = re.split(r"\s*vs\.?\s*", match.group("values"))
        for i, value in enumerate(values):
            while len(arms) <= i:
                arms.append({})
            number = re.match(NUMBER, value)
            arms[i].setdefault(key, float(number.group()) if number else None)
    return arms


# --- several cohorts in one cell -----------------------------------------------------------------

@dataclass
class Segment:
    label: str | None  # cohort label as written, None when the value stands alone
    text: str  # the value text of this cohort
    extras: dict = field(default_factory=dict)


_LABEL = re.compile(
    r"(?:(?<=^)|(?<=[\s);]))(?P<label>[A-Za-z][\w/+\-<>≥≤%]*(?:\s+[A-Za-z][\w/+\-<>≥≤%]*){0,3})\s*(?:[,:])\s*"
    r"(?=\d|NR|NA|NE|CR\b|PR\b|SD\b|PD\b|[a-z]+,)")


def _depths(text: str) -> list[int]:
    depth, out = 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        out.append(depth)
        if ch in ")]":
            depth = max(0, depth - 1)
    return out


def _label_starts(text: str) -> list[tuple[int, int, str]]:
    depths = _depths(text)
    starts = []
    for match in _LABEL.finditer(text):
        label = match.group("label").strip()
        if depths[match.start("label")] != 0 or label.lower().rstrip(".") in _NOT_A_LABEL:
            continue
        words = label.split()
        if words[0].lower() in {"vs", "vs.", "and"}:
            words = words[1:]
        if len(words) > 1 and words[-1].lower() in RESPONSE_KEYS:  # "All RR: 29" labels the cohort "All"
            words = words[:-1]
        if not words:
            continue
        label = " ".join(words)
        starts.append((match.start("label"), match.end(), label))
    return starts


_SPACED_LABEL = re.compile(
    r"^(?P<label>[A-Za-z][\w/+\-<>≥≤]*(?:\s+[A-Za-z][\w/+\-<>≥≤]*){0,2})\s+(?P<value>(?:\d|NR\b|NE\b).*|[–—-])$")


def _spaced_segments(text: str) -> list[Segment]:
    """"A 31%; B 18%": cohorts separated by ";", each a label and its value with no colon."""
    depths = _depths(text)
    cuts = [i for i, ch in enumerate(text) if ch == ";" and depths[i] == 0]
    if not cuts:
        return []
    parts = [text[a + 1:b].strip() for a, b in zip([-1] + cuts, cuts + [len(text)])]
    segments = []
    for part in parts:
        match = _SPACED_LABEL.match(part)
        if not match or match.group("label").lower() in _NOT_A_LABEL:
            return []
        segments.append(Segment(match.group("label"), match.group("value").strip()))
    return segments


def split_cohorts(text: str) -> list[Segment]:
    """Split a cell into cohort segments: labelled ones, and unlabelled values joined by "vs."."""
    text = re.sub(r"\s+", " ", _PVALUE.sub("", text)).strip()
    spaced = _spaced_segments(text)
    if spaced:
        return spaced
    starts = _label_starts(text)
    segments: list[Segment] = []
    head_end = starts[0][0] if starts else len(text)
    head = text[:head_end].strip(" ,;")
    if head:
        segments += [Segment(None, part) for part in _split_vs(head)]
    for i, (_, value_start, label) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        value = text[value_start:end].strip(" ,;")
        value = re.sub(r",?\s*vs\.?$", "", value).strip(" ,;")
        segments.append(Segment(label, value))
    return segments


def _split_vs(text: str) -> list[str]:
    """"6.7 (3.2–10.0) vs. 6.3 (2.8–26.4)" -> two values; a "vs." inside brackets stays put."""
    depths = _depths(text)
    parts, last = [], 0
    for match in re.finditer(r"\s*\bvs\.?\s*", text):
        if depths[match.start()] == 0:
            parts.append(text[last:match.start()])
            last = match.end()
    parts.append(text[last:])
    return [p.strip(" ,;") for p in parts if p.strip(" ,;")]


# --- footnotes: a mark glued to a cell or header says what its interval or unit is -----------------

# "a Range.", "c) In weeks", and marks glued to their note: "cIn weeks. d95% CI."
_FOOTNOTE = re.compile(r"(?:^|(?<=[.;]\s)|(?<=\n))(?P<mark>[a-f]|[*†‡§¶]+)(?:[\s,:)]+|(?=[A-Z\d]))"
                       r"(?P<text>(?:\d+(?:\.\d+)?%|[^.;\n])*)")
_MARK_AT_END = re.compile(r"(?<=[\d)A-Z%+\]])(?P<mark>[a-f]|[*†‡§¶]+)(?=[\s,;)(]|$)")
# "FOLFIRI, 5-fluorouracil, leucovorin and irinotecan; ...": a footnote glossary item
_GLOSSARY_ITEM = re.compile(r"(?:^|(?<=[;.]\s))(?P<short>[A-Z][A-Z0-9\-]{1,11}),\s+(?P<long>[^;]+?)(?=;|\.\s|\.?$)")


def footnotes(footnote: str | None) -> dict[str, str]:
    """A table's footnotes by mark, each lower-cased: {"b": "in weeks", "c": "95% ci"}."""
    return {m.group("mark"): m.group("text").strip().lower() for m in _FOOTNOTE.finditer(footnote or "")}


def marks_at_end(text: str) -> list[str]:
    """The footnote marks glued to a cell's or header's figures ("12.1a (6.9–17.2)b" -> ["a", "b"])."""
    return [m.group("mark") for m in _MARK_AT_END.finditer(text)]


def footnote_glossary(footnote: str | None) -> dict[str, str]:
    """Abbreviations a table's footnote spells out: "EP, etoposide and cisplatin; ..." -> {"EP": ...}."""
    return {m.group("short"): m.group("long").strip() for m in _GLOSSARY_ITEM.finditer(footnote or "")}


# --- words of a cell --------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_NOT_REACHED_LEAD = re.compile(r"^\s*(NR|not reached)", re.I)
_WORD_LEAD = re.compile(r"^\s*[A-Za-z]")
_LETTER = re.compile(r"[A-Za-z]")
_TWO_LETTERS = re.compile(r"[A-Za-z]{2}")
_LOWER_WORD = re.compile(r"[a-z]+")


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text)


def says_not_reached(text: str) -> bool:
    """"NR", "not reached (12.1–NR)": a survival cell whose median is not reached."""
    return bool(_NOT_REACHED_LEAD.match(strip_markers(text)))


def starts_with_word(text: str) -> bool:
    """"Stable disease 40" rather than "40 (CR, 5; ...)": the cell leads with a word, not a figure."""
    return bool(_WORD_LEAD.match(strip_markers(text)))


def has_letters(text: str) -> bool:
    return bool(_LETTER.search(text))


def has_word(text: str) -> bool:
    """At least two letters in a row: "PS 0–1" names something, "0–1" and "<50%" are bare values."""
    return bool(_TWO_LETTERS.search(text))


def has_digit(text: str) -> bool:
    return any(ch.isdecimal() for ch in text)


def lower_words(text: str) -> list[str]:
    """The alphabetic words of a label, lower-cased ("Carcinoid WDNET-2" -> ["carcinoid", "wdnet"])."""
    return _LOWER_WORD.findall(text.lower())


# --- regimen cells ----------------------------------------------------------------------------------

_REMARK_START = re.compile(r"[;(]")
_FIRST_BRACKET = re.compile(r"\(([^)]*)\)")
_TRAILING_BRACKET = re.compile(r"\s*\([^)]*\)\s*$")
_ALTERNATIVES = re.compile(r"\s+vs\.?\s+|\s+or\s+")
_VERSUS = re.compile(r"\s+vs\.?\s+")
_ARM_NAME_LEAD = re.compile(r"^(?i:(regimen|arm|group)\s+\w+)\s*,\s*")
_ARM_NAME = re.compile(r"^\s*((?:regimen|arm|group|cohort)\s+\w+)", re.I)
_ARM_WORD = re.compile(r"(?i)(regimen|arm|group|cohort)\b")
# "A: carboplatin + etoposide 100 mg/m2": an arm letter (or short name) and its cell text
_ARM_PREFIX = re.compile(r"^\s*(?P<arm>[A-Z][\w\-]{0,3})\s*:\s*(?P<text>\S.*)$")
_ARM_AT_END = re.compile(r"\(\s*([A-Z][\w\-]{0,3})\s*\)\s*$")


def before_remark(text: str) -> str:
    """"Cisplatin/etoposide; 41.6% were pretreated" -> "Cisplatin/etoposide" (up to ";" or "(")."""
    return _REMARK_START.split(text)[0]


def first_bracketed(text: str) -> str | None:
    """"Colorectal (oxaliplatin)" -> "oxaliplatin"."""
    bracket = _FIRST_BRACKET.search(text)
    return bracket.group(1) if bracket else None


def without_trailing_bracket(text: str) -> str:
    """"Pancreas (n = 12)" -> "Pancreas": a qualifier in brackets at the end left out."""
    return _TRAILING_BRACKET.sub("", text)


def before_first_comma(text: str) -> str:
    """The regimen's drug names of a cell whose schedule follows a comma, spaces collapsed."""
    return collapse_spaces(text).split(",")[0].strip()


def alternatives(text: str) -> list[str]:
    """"A vs. B", "A or B" -> ["A", "B"] (empty parts left out)."""
    return [p.strip(" ,") for p in _ALTERNATIVES.split(text) if p.strip(" ,")]


def without_arm_name(regimen: str) -> str:
    """"Regimen A, cisplatin + etoposide" -> "cisplatin + etoposide"."""
    return _ARM_NAME_LEAD.sub("", regimen)


def arm_names_compared(text: str) -> list[str]:
    """"Regimen A, carboplatin/... vs. regimen B, ..." -> ["Regimen A", "Regimen B"]; [] otherwise."""
    parts = _VERSUS.split(text)
    names = [_ARM_NAME.match(p) for p in parts]
    if len(parts) > 1 and all(names):
        return [m.group(1)[:1].upper() + m.group(1)[1:] for m in names]
    return []


def is_arm_word_label(label: str) -> bool:
    """"Regimen A", "Arm 2", "Group B", "Cohort 1": a label that names an arm by the word arm."""
    return bool(_ARM_WORD.match(label))


def arm_prefix(text: str) -> tuple[str, str] | None:
    """"A: carboplatin + etoposide" -> ("A", "carboplatin + etoposide")."""
    match = _ARM_PREFIX.match(text)
    return (match.group("arm"), match.group("text")) if match else None


def arm_at_end(text: str) -> str | None:
    """"Second (A)" -> "A": the arm a cell names in brackets at its end."""
    match = _ARM_AT_END.search(text)
    return match.group(1) if match else None


def label_colon_spans(label: str, text: str) -> tuple[int, int] | None:
    """(start, end) of "Regimen A:" in "Regimen A: Grade 3 ... Regimen B: ..." (case ignored)."""
    match = re.search(rf"(?i)\b{re.escape(label)}\s*:", text)
    return (match.start(), match.end()) if match else None


# --- patients cells ---------------------------------------------------------------------------------

_LEAD_COUNT = re.compile(r"^\s*(\d+)")
_BRACKET_COUNT = re.compile(r"^\s*\d+\s*\(\s*(\d+)\b")
_OF_WHOM = re.compile(r"^\s*\d+\s*\(\s*of whom\b")
_INNER = re.compile(r"\((.*)\)")
_LABELLED_COUNT = re.compile(r"(\d+)\s+(?:on\s+|with\s+)?([A-Za-z][\w\- ]*?)(?=[;,)]|\s+vs\.?|$)"
                             r"|([A-Za-z][\w\- ]*?),\s*(\d+)")


def leading_count(text: str) -> int | None:
    """"18 (45)" -> 18."""
    lead = _LEAD_COUNT.match(text)
    return int(lead.group(1)) if lead else None


def bracketed_count(text: str) -> int | None:
    """"18 (45)" -> 45: the count in brackets after the leading one."""
    bracket = _BRACKET_COUNT.match(text)
    return int(bracket.group(1)) if bracket else None


def says_of_whom(text: str) -> bool:
    """"258 (of whom 206 ...)": the leading count is the series, of which the bracket names parts."""
    return bool(_OF_WHOM.match(text))


def labelled_counts(text: str) -> list[tuple[int, str]] | None:
    """"20 (8 on regimen A vs. 12 on regimen B)", "29 (NEC, 5)" -> [(8, "regimen A"), (12, "regimen B")];
    None when the cell has no bracket."""
    inner = _INNER.search(text)
    if inner is None:
        return None
    return [(int(m.group(1) or m.group(4)), (m.group(2) or m.group(3)).strip())
            for m in _LABELLED_COUNT.finditer(inner.group(1))]


# --- toxicity and dose cells ------------------------------------------------------------------------

_GRADE_LEAD = re.compile(r"^[≥>]?\s*\d")
_GRADE_RANGE_DASH = re.compile(r"\s*[–-]\s*")
# "Grade 3–4", "grades 3 or 4", "grade 3+": the grade a caption, a header or a row label names
_GRADE_NAMED = re.compile(r"\bgrades?\s*(\d(?:\s*(?:–|-|or)\s*\d)?\+?)", re.I)
_GRADE_JOIN = re.compile(r"\s*(?:–|-|or)\s*", re.I)
# a word boundary after "i.v." / "p.o." would need a letter after the last dot: none before a space
_IV = re.compile(r"\b(?:iv|intravenous(?:ly)?)\b|\bi\.v\.")
_ORAL = re.compile(r"\b(?:oral(?:ly)?|po|by mouth)\b|\bp\.o\.")
_DAYS = re.compile(r"\d+(-\d+)?( and \d+)?")
_CYCLE = re.compile(r"(\d+)\s*(days?|d\b|weeks?|wk)")


def grade_cell(text: str) -> str | None:
    """A grade column's cell: "3–4" -> "3-4", "≥3" -> "≥3"; None for a cell that is no grade."""
    grade = strip_markers(text)
    return _GRADE_RANGE_DASH.sub("-", grade) if _GRADE_LEAD.match(grade) else None


_UNIT_WORDS = {"n": "n", "no.": "n", "no": "n", "%": "%", "(%)": "%", "pct": "%", "percent": "%"}


def unit_word(text: str) -> str | None:
    """A header cell that only names the kind of figure under it: "n", "No." -> "n"; "%", "(%)" -> "%"."""
    return _UNIT_WORDS.get(text.strip().lower())


_ANY_GRADE = re.compile(r"^\s*(?:all|any)[- ]grades?\b", re.I)


def names_any_grade(header: str) -> bool:
    """"All grades, n (%)", "Any grade": a column of adverse events of every grade (spec: grade null)."""
    return bool(_ANY_GRADE.match(header))


_PERCENT_LABEL = re.compile(r"(?:,\s*|\(\s*)%\s*\)?\s*$")


_UNIT_SUFFIX = re.compile(r"\s*(?:,\s*)?(?:n\s*)?\(?\s*%\s*\)?\s*$|\s*,\s*n\s*$")


def without_unit(text: str) -> str:
    """A row label without its unit: "Grade 3-4 quillitis, n (%)" -> "Grade 3-4 quillitis"."""
    return _UNIT_SUFFIX.sub("", text)


def percent_label(text: str) -> bool:
    """"Grade 3-4 quillitis, %", "Response rate (%)": the row's bare figures are percents (not "n (%)")."""
    return bool(_PERCENT_LABEL.search(text)) and not re.search(r"\bn\s*\(\s*%", text)


def grade_named(text: str) -> str | None:
    """"Grade 3–4 adverse events" -> "3-4", "Grades 3 or 4, n (%)" -> "3-4", "Grade 3+" -> "3+": the
    grade a caption or header names (headers.classify_header reads a column's grade here too)."""
    grade = _GRADE_NAMED.search(text)
    return _GRADE_JOIN.sub("-", grade.group(1)) if grade else None


def route(text: str) -> str | None:
    """"IV", "intravenously", "p.o." -> "IV" / "oral"."""
    lowered = text.strip().lower()
    if _IV.search(lowered):
        return "IV"
    if _ORAL.search(lowered):
        return "oral"
    return None


def days(text: str) -> str | None:
    """"1–3" -> "1-3", "1 and 8" -> "1 and 8": the treatment days a cell gives."""
    text = _GRADE_RANGE_DASH.sub("-", text.strip())
    return text if _DAYS.fullmatch(text) else None


def cycle_length(text: str) -> int | None:
    """"21 days", "3 weeks", "q21d" -> days."""
    match = _CYCLE.search(text.lower())
    if not match:
        return None
    return cycle_days(int(match.group(1)), match.group(2))


_DESIGN_LETTER = re.compile(r"\b[PR]\b")


def has_design_letter(text: str) -> bool:
    """"Second; P" / "R, single centre": a line cell that also gives the design by its letter."""
    return bool(_DESIGN_LETTER.search(text))
