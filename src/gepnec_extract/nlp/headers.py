"""Table header semantics: what a column (or a row label) holds, read from its header text.

The tagger's package reads a header cell's words here, as it reads every other cell and sentence;
records only ask for the ColumnSpec. The vocabulary is data (vocab/headers.jsonl, first match wins), written for the way clinical
tables name their columns in general ("Median OS (range), mo", "RR, %", "Patients, n",
"Line of tx"), not for one table's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .cells import grade_named
from .phrases import names_total
from .vocab import VOCAB_DIR, read_jsonl

OUTCOME_FIELDS = {"rr", "cr", "pr", "sd", "pd", "dcr", "os", "pfs"}
RESPONSE_FIELDS = {"rr", "cr", "pr", "sd", "pd", "dcr"}


@dataclass(frozen=True)
class ColumnSpec:
    field: str  # study, patients, sites, regimen, line, design, rr, cr, ..., os, pfs, tox, group, other
    header: str
    weeks: bool = False  # survival printed in weeks
    interval: str | None = None  # "range" / "ci95": what the bracketed pair in a cell means
    counts_first: bool = False  # "n (%)": the bare number is a count, the bracketed one a percent
    parts: tuple[str, ...] = ()  # "CR/PR/SD/PD, %": one cell holds these fields, "/"-separated, in order
    grade: str | None = None  # "Grade 3–4, n (%)": the toxicity grade every cell of the column has
    notes: tuple[tuple[str, str], ...] = ()  # the table's footnotes by mark, read for marks in cells
    sized: bool = False  # "IP (n = 160)": the header gives its column's size
    size: int | None = None  # that size, 160
    arm: str = ""  # the header without its size, "IP": the arm a column of a transposed table is
    whole: bool = False  # a value column naming no arm ("Value", "All patients (n = 8)", "n (%)")
    grade_column: bool = False  # "Grade": the column holds each row's toxicity grade
    of_carcinoma: bool = False  # "Primary site of NEC": said of the carcinoma cohort only
    names_total: bool = False  # "Patients with NEC, n (total in study)": the bracketed count is the whole study's
    prior_lines: bool = False  # "Prior lines": the cells count the lines before the study's ("≥1": a mix)


@lru_cache(maxsize=1)
def _header_patterns() -> list[tuple[str, re.Pattern]]:
    return [(row["field"], re.compile(row["pattern"], re.I)) for row in read_jsonl(VOCAB_DIR / "headers.jsonl")]


# a footnote mark glued to a header: "ORRa", "Median OS (95% CI)b", "Quill 2012 [5]c"
_HEADER_MARK = re.compile(r"(?<=[A-Z)\]%])(?:[a-f]|[*†‡§¶]+)(?=[\s,;:]|$)")


def normalize_header(text: str) -> str:
    text = re.sub(r"(\w)- (\w)", r"\1\2", text)  # "Me- dian" left by a wrapped header cell
    text = _HEADER_MARK.sub("", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def _compound_parts(header: str) -> tuple[str, ...]:
    """"cr/pr/sd/pd, %" -> ("cr", "pr", "sd", "pd"): a header naming several response fields with "/"."""
    head = re.split(r"[,(]", header)[0].strip()
    names = [n.strip() for n in head.split("/")]
    if len(names) < 2:
        return ()
    fields = []
    for name in names:
        field = next((f for f, pattern in _header_patterns() if pattern.search(name)), None)
        if field not in RESPONSE_FIELDS:
            return ()
        fields.append(field)
    return tuple(fields)


def classify_header(text: str) -> ColumnSpec:
    header = normalize_header(text)
    field = next((name for name, pattern in _header_patterns() if pattern.search(header)), "other")
    if not header:
        field = "other"
    interval = "ci95" if re.search(r"\bci\b|confidence", header) else "range" if "range" in header else None
    weeks = bool(re.search(r"\b(weeks?|wk)\b", header))
    counts_first = bool(re.search(r"\bn\s*\(\s*%\s*\)", header))
    parts = _compound_parts(header)
    grade_text = grade_named(header)
    if grade_text and field in {"group", "other", "patients", "pct"}:  # "Grade 3–4, n (%)": a toxicity column
        field = "tox"
    return ColumnSpec(field=field, header=text, weeks=weeks, interval=interval, counts_first=counts_first,
                      parts=parts, grade=grade_text, sized=has_size(text), size=size_of(text),
                      arm=without_size(text), whole=is_whole_header(text), grade_column=is_grade_header(text),
                      of_carcinoma=names_carcinoma_part(text), names_total=names_total(text),
                      prior_lines=field == "line" and bool(_PRIOR_LINES.search(header)))


_PRIOR_LINES = re.compile(r"\b(?:prior|previous)\b.*\blines?\b|\blines?\b.*\b(?:prior|previous)\b")


@lru_cache(maxsize=1)
def _whole_patterns() -> list[re.Pattern]:
    return [re.compile(row["pattern"], re.I) for row in read_jsonl(VOCAB_DIR / "whole_headers.jsonl")]


_SIZE = re.compile(r"[(\[]\s*n\s*=\s*\d+\s*[)\]]|,\s*n\s*=\s*\d+\s*$", re.I)


def is_whole_header(text: str) -> bool:
    """A value column whose header names no arm: a generic word ("Value", "Result"), the whole series
    ("All patients (n = 8)", "Total") or only the kind of figure ("n (%)", "%")."""
    header = normalize_header(_SIZE.sub("", text)).strip(" ,:;")
    return bool(header) and any(p.match(header) for p in _whole_patterns()) or \
        (not header and bool(_SIZE.search(text)))


def classify_row_label(text: str) -> ColumnSpec:
    """Row labels of a transposed table ("Response rate, %", "Median PFS, months", "Complete response")."""
    return as_row_label(classify_header(text))


def as_row_label(spec: ColumnSpec) -> ColumnSpec:
    """A header's meaning as a row label: only the fields a row of a transposed table can hold."""
    return spec if spec.field in OUTCOME_FIELDS | {"patients", "tox", "sites", "regimen", "line"} else \
        ColumnSpec(field="other", header=spec.header)


# --- sizes and parts a header or caption names ------------------------------------------------------

_SIZE_MARK = re.compile(r"\(n\s*=")
_BRACKETED_SIZE = re.compile(r"\(\s*n\s*=\s*(\d+)\s*\)")
_PART_ONLY = re.compile(r"\b(?:assessable|evaluable|evaluated|assessed|responders?|responding)\b", re.I)
_OF_CARCINOMA = re.compile(r"\bof (nec|pdnec)\b", re.I)


def has_size(header: str) -> bool:
    """"IP (n = 160)": the header gives its column's size."""
    return bool(_SIZE_MARK.search(header))


def size_of(text: str | None) -> int | None:
    """"IP (n = 160)" -> 160; "Outcomes (n = 12)" -> 12."""
    size = _BRACKETED_SIZE.search(text or "")
    return int(size.group(1)) if size else None


_UNIT_SUFFIX = re.compile(r"[\s,]*(?:n\s*\(\s*%\s*\)|\(\s*%\s*\))\s*$", re.I)


def without_size(header: str) -> str:
    """"IP (n = 160)" -> "IP"; "IP (n = 160) n (%)" -> "IP" (the kind of figure is no part of the arm's name)."""
    return _UNIT_SUFFIX.sub("", _BRACKETED_SIZE.sub("", header)).strip()


def counts_part_only(caption: str | None) -> bool:
    """"Response in evaluable patients (n = 10)": the caption's size is a part of the series."""
    return bool(_PART_ONLY.search(caption or ""))


def names_carcinoma_part(header: str) -> bool:
    """"Primary site of NEC": the column is said of the carcinoma cohort only."""
    return bool(_OF_CARCINOMA.search(header))


def is_grade_header(header: str) -> bool:
    """"Grade", "Grades": a column holding each row's toxicity grade."""
    return header.strip().lower() in ("grade", "grades")
