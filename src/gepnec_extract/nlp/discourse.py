"""Whose study a sentence speaks of, and how: the paper's own series ("we", "our"), a study it cites
(bracketed reference numbers, a trial acronym), a chart review, a randomized design; and where arms
are named in it. (Whether a fact is another study's or a trial someone should run is the
gepnec_context component's: patterns/context.jsonl.) Records ask these questions of a sentence's text; the words are read here only.
Examples in comments are made up.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .vocab import VOCAB_DIR

# the text speaks of its own series
_OWN_MARKER = re.compile(r"\b(we|our|us|this (study|series|trial|analysis|cohort)|the present (study|series)|"
                         r"in (the|this) (current|present) )\b", re.I)
_BRACKET_REFS = re.compile(r"\[(\d+(?:\s*[,–-]\s*\d+)*)\]")
_REF_SEPARATOR = re.compile(r"\s*,\s*")
_WHOLE_SERIES = re.compile(r"\b(all (\d+ )?patients|whole (series|population|cohort|group)|entire (cohort|series|population)|"
                           r"overall population|across the whole)\b", re.I)
# a line of therapy said of the patients treated, not of treatment in general
_TREATED = re.compile(r"\b(patients?|received|treated|pre-?treated|given|enrolled|eligible|included|response to|"
                      r"permitted|allowed)\b", re.I)
# "had failed first-line etoposide-platinum": the treatment studied comes after that line
_AFTER_FIRST_LINE = re.compile(r"\b(failed|after|progress\w*\s+(?:on|after|during)|following|refractory to|resistant to|"
                               r"previous|prior)\s+(?:\w+\s+){0,2}$", re.I)
_FAILED_AFTER = re.compile(r"^[\w\s–-]{0,40}?\b(?:had|has|have)\s+failed\b")
# "We reviewed the records of all patients", "we searched our institutional database": a retrospective series
_CHART_REVIEW = re.compile(r"\b(reviewed|searched|screened)\s+(?:the\s+|our\s+)?(?:\w+\s+){0,2}?"
                           r"(records|charts|database|files|registry)\b", re.I)
# a sentence describing one study it does not name yet
_A_STUDY = re.compile(r"\b(?:a|one|another)\s+(?:[\w,-]+\s+){0,3}?(?:study|trial|analysis|series|review)\b", re.I)
# "randomized", not "non-randomised" / "not randomized" (a study said not to be randomized)
_RANDOMIZED = re.compile(r"(?<!non-)(?<!not )\brandomi[sz]ed\b|\brandomly (assigned|allocated)\b", re.I)
# "the ALPHA-1 trial", "Beta 032 trial", "GAMMA 010, a study that ..."
_TRIAL_ACRONYM = re.compile(r"\b(?P<name>[A-Z][A-Za-z]*[A-Z][A-Za-z]*)[\s-]?(?P<num>\d{1,3})\b(?=,?\s+(?:an?\s+)?"
                            r"(?:[\w-]+\s+){0,3}?(?:trial|study)\b)")
_ACRONYM_PARTS = re.compile(r"(\D+)(\d*)")
_NEGATED_LABEL = re.compile(r"\s*(no|non|not)\b", re.I)
_BINARY = re.compile(r"^(?P<marker>.+) (?P<state>positive|negative)$")
_COMPARISON_WORD = re.compile(r"\b(compared (?:with|to)|than|versus|vs\.?)\b", re.I)
_CLAUSE_BREAK = re.compile(r";|,\s+(?:and|but|whereas|while)\s+", re.I)
_DASHES = re.compile(r"[-‐–]")
_BRACKETED = re.compile(r"\(.*?\)")


def speaks_of_own_series(text: str) -> bool:
    return bool(_OWN_MARKER.search(text))


def bracket_refs(text: str) -> list[tuple[int, str]]:
    """(position, "12, 14") of each bracketed reference group ("[12, 14]")."""
    return [(m.start(), m.group(1)) for m in _BRACKET_REFS.finditer(text)]


def bracket_ref_numbers(text: str) -> set[int]:
    """The single reference numbers of the bracketed groups ("[36, 38]" -> {36, 38}; ranges left out)."""
    return {int(part) for _, refs in bracket_refs(text) for part in _REF_SEPARATOR.split(refs) if part.isdigit()}


def names_whole_series(text: str) -> bool:
    return bool(_WHOLE_SERIES.search(text))


def said_of_patients(text: str) -> bool:
    return bool(_TREATED.search(text))


def after_first_line(before: str, after: str) -> bool:
    """"patients who had failed first-line X", "after first-line X": the line named is past."""
    return bool(_AFTER_FIRST_LINE.search(before) or _FAILED_AFTER.match(after))


def is_chart_review(text: str) -> bool:
    return bool(_CHART_REVIEW.search(text))


def describes_a_study(text: str) -> bool:
    return bool(_A_STUDY.search(text))


def says_randomized(text: str) -> bool:
    return bool(_RANDOMIZED.search(text))


def trial_acronym(text: str, known: list[str] = ()) -> str | None:
    """"the ALPHA-1 trial" -> "ALPHA1"; else a known acronym the text names ("ALPHA 1")."""
    trial = _TRIAL_ACRONYM.search(text)
    if trial:
        return f"{trial.group('name')}{trial.group('num')}"
    for acronym in known:
        name, num = _ACRONYM_PARTS.match(acronym).groups()
        hit = re.search(rf"\b(?P<name>{re.escape(name)})[\s-]?(?P<num>{num})\b", text)
        if hit:
            return f"{hit.group('name')}{hit.group('num')}"
    return None


def is_negated_label(label: str) -> bool:
    """"No chemotherapy", "non-responders", "not treated": a label naming what a cohort lacks."""
    return bool(_NEGATED_LABEL.match(label))


def complement_of(label: str) -> str | None:
    """"PD-L1 positive" -> "PD-L1 negative" (and back); None for a label of no binary marker."""
    match = _BINARY.match(label)
    if not match:
        return None
    return f"{match.group('marker')} {'negative' if match.group('state') == 'positive' else 'positive'}"


def names_comparison(text: str) -> bool:
    return bool(_COMPARISON_WORD.search(text))


def clause_starts(text: str) -> list[int]:
    """Where each clause of a sentence starts (after ";" or ", and / but / whereas / while")."""
    return [0] + [m.end() for m in _CLAUSE_BREAK.finditer(text)]


# --- arms named in a sentence -----------------------------------------------------------------------

@lru_cache(maxsize=1)
def arm_stop_words() -> frozenset[str]:
    """Words an arm label may go without in the text (vocab/arm_stop_words.txt)."""
    lines = (VOCAB_DIR / "arm_stop_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def fold_dashes(text: str) -> str:
    """Lower case, dashes as spaces (same length: positions stay valid)."""
    return _DASHES.sub(" ", text.lower())


def _arm_patterns(label: str, long_form: str | None) -> list[re.Pattern]:
    text = fold_dashes(_BRACKETED.sub("", label).strip())
    words = text.split()
    variants = {text}
    trimmed = [w for w in words if w not in arm_stop_words()]
    # "Arm A" goes without "arm" only as a longer name: a bare "a" or "2" is any article or number
    if trimmed and len(trimmed) < len(words) and len(" ".join(trimmed)) > 2:
        variants.add(" ".join(trimmed))
    if long_form:
        variants.add(fold_dashes(long_form))
    return [re.compile(r"(?<![\w])" + r"\s+".join(map(re.escape, v.split())) + r"s?(?![\w])") for v in variants if v]


def arm_spans(label: str, text: str, long_form: str | None = None) -> list[tuple[int, int]]:
    """(start, end) of each place the text names an arm label: its words (dashes as spaces, a plural
    "s" allowed), without its stop words ("ALPHA group" -> "alpha"), or its long form."""
    folded = fold_dashes(text)
    return [(m.start(), m.end()) for p in _arm_patterns(label, long_form) for m in p.finditer(folded)]


def names_arm(label: str, name: str, long_form: str | None = None) -> bool:
    """Is ``name`` as a whole the arm label (or its long form)?"""
    folded = fold_dashes(name)
    return any(p.fullmatch(folded) for p in _arm_patterns(label, long_form))
