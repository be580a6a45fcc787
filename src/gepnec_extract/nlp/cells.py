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
from ..units import weeks_to_months

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
