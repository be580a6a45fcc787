"""What a sentence says around the facts the tagger marked: the words records need to place a
figure (its interval printed after it, a relative change rather than a rate, a grade heading over a
list, the cohort named after a figure, a subgroup, an enrolment verb, a pair of figures compared).

Each function takes sentence text (or the text before / after a fact) and returns a normalized value
or positions; records never read the words themselves. Examples in comments are made up.
"""

from __future__ import annotations

import re

from .builders import normalize_schedule, schedule_phrase

# --- response figures -------------------------------------------------------------------------------

# "none of the high-proliferation NETs responded": no response in the group it names
_NONE_RESPONDED = re.compile(r"\bnone of the (?P<who>[^,;.]{1,60}?) (?:responded|had a response)", re.I)
_RESPONSE_WORDS = re.compile(r"\b(?:complete or partial|objective)\s+(?:response|regression|remission)s?\b", re.I)
_SHARE_OF = re.compile(r"(\d+(?:\.\d+)?)\s*%\s+of\s+(?:those|patients|the\s+patients)\b", re.I)
_NOT_A_RATE = re.compile(r"^[^%]*%\s*(?:relative\s+)?(?:reduction|decrease|increase|lower|higher)\b", re.I)
# "No responses were observed in patients with X"
_NO_RESPONSES = re.compile(r"\bno (?:objective |tumou?r )?responses? (?:was|were) (?:observed|seen|noted|recorded)", re.I)
# "17 of 41 patients (41.5%) had an objective response": the bracketed figure is the percent
_BRACKET_PCT = re.compile(r"\(\s*(\d+(?:\.\d+)?)\s*%\s*\)")

Found = tuple[int, int, str]  # (start, end, text) of a phrase in the sentence


def is_relative_change(text: str) -> bool:
    """"79% reduction in risk ...": a percentage of change (the text from the figure on), not a rate."""
    return bool(_NOT_A_RATE.search(text))


def bracketed_percent(text: str) -> float | None:
    bracket = _BRACKET_PCT.search(text)
    return float(bracket.group(1)) if bracket else None


def no_responses(text: str) -> Found | None:
    """"No responses were observed": a response rate of 0 said in words."""
    match = _NO_RESPONSES.search(text)
    return (match.start(), match.end(), match.group()) if match else None


def none_responded(text: str) -> list[Found]:
    """"none of the X responded": each such phrase (a zero response rate of the group it names)."""
    return [(m.start(), m.end(), m.group()) for m in _NONE_RESPONDED.finditer(text)]


def shares_responding(text: str) -> list[tuple[Found, float]]:
    """"67% of those with X had complete or partial regression, against 7% of patients with Y": the
    shares of patients, in a sentence that speaks of objective response (else none)."""
    if not _RESPONSE_WORDS.search(text):
        return []
    return [((m.start(), m.end(), m.group()), float(m.group(1))) for m in _SHARE_OF.finditer(text)]


# --- survival figures -------------------------------------------------------------------------------

# an interval printed right after a survival figure the tagger left without one
_INTERVAL_AFTER = re.compile(
    r"^\s*\(\s*(?P<kind>range|95\s*%\s*CI|CI)?[,:]?\s*(?P<low>\d+(?:\.\d+)?)\+?\s*(?:months?)?\s*(?:–|-|to)\s*"
    r"(?P<high>\d+(?:\.\d+)?)\+?\s*(?:months?)?\s*\)", re.I)


def interval_after(text: str) -> tuple[float, float, str] | None:
    """"(range 2-41) ..." at the start of text -> (2.0, 41.0, "range"); a CI gives "ci95"."""
    interval = _INTERVAL_AFTER.match(text)
    if not interval:
        return None
    kind = "range" if (interval.group("kind") or "range").lower() == "range" else "ci95"
    return float(interval.group("low")), float(interval.group("high")), kind


# --- which cohort a figure is of --------------------------------------------------------------------

_COHORT_AFTER = re.compile(r"\s*(?:in|among|with|for|on)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?", re.I)


def leads_to_cohort(text: str) -> bool:
    """The words between a figure and a cohort name say the figure is that cohort's ("... among the")."""
    return bool(_COHORT_AFTER.fullmatch(text))


# --- toxicity ---------------------------------------------------------------------------------------

# "The commonest grade 3/4 toxicities were ...", "Grade 3–4 events were uncommon: ..."
_GRADE_HEADING = re.compile(
    r"\bgrades?\s*(?P<a>\d)(?:\s*(?:[-–/]|to|or|and)\s*(?P<b>\d))?\s+(?:\w+\s+){0,2}?"
    r"(?:adverse events|toxicit(?:y|ies)|events|side effects|AEs)\b[^:;.]*?(?:were|included|:)", re.I)


def grade_heading(text: str) -> tuple[int, str] | None:
    """(end, grade) of a grade heading a list of events follows ("grade 3/4 toxicities were" -> "3-4")."""
    heading = _GRADE_HEADING.search(text)
    if not heading:
        return None
    grade = f"{heading.group('a')}-{heading.group('b')}" if heading.group("b") else heading.group("a")
    return heading.end(), grade


# --- schedule ---------------------------------------------------------------------------------------

_Q_DAYS = re.compile(r"\bq\s*(\d+)\s*d\b", re.I)
_SCHEDULE_WORDS = re.compile(r"\b(every|repeated|intervals?|cycles?|courses?|q\s*\d+\s*[dw])\b", re.I)


def cycle_length(text: str) -> int | None:
    """"Cycles were repeated every 3 weeks", "Courses were repeated q21d" -> days."""
    if not _SCHEDULE_WORDS.search(text):
        return None
    q_days = _Q_DAYS.search(text)
    if q_days:
        return int(q_days.group(1))
    phrase = schedule_phrase(text)
    return normalize_schedule(phrase) if phrase else None


# --- patient counts ---------------------------------------------------------------------------------

_STUDIED = re.compile(r"\b(?:examined|evaluating|evaluated|enrolled|included|involving|review of|analysis of|"
                      r"conducted in|study of|trial of|data of|reviewed|analy[sz]ed|treated|studied|"
                      r"series of|cohort of|recruited|accrued|reported on|(?:was|were)\s+given\s+to|administered\s+to|"
                      r"(?:gave|administered|offered)\s+(?:[\w+/-]+\s+){1,4}to)\s+$", re.I)  # "gave drugamab to"
# "Seventy-eight patients were enrolled", "53 patients were identified", "Twelve patients met the inclusion criteria"
_ENROLLED = re.compile(
    r"^\s*(?:with\s+(?:[\w,-]+\s+){0,8}?[\w-]+\s+)?(?:(?:were|was|had\s+been)\s+(?:enrolled|included|identified|treated|registered|recruited|accrued|"
    r"analy[sz]ed|eligible|entered|randomi[sz]ed|randomly\s+(?:assigned|allocated))|met\s+the\s+(?:inclusion|eligibility)|(?:were|was)\s+(?:found|considered)\s+eligible)",
    re.I)
_ENROLLED_BEFORE = re.compile(r"\b(?:enrolled|included|recruited|accrued)\s+$", re.I)
_SUBSET_BEFORE = re.compile(r"\b(these|those|of the|among the)\s*$", re.I)


def studied_before(before: str) -> bool:
    """The words before a count say a study examined that many ("a retrospective review of")."""
    return bool(_STUDIED.search(before))


def enrolment(before: str, after: str) -> bool:
    """The words around a count say the series enrolled that many ("the trial enrolled N patients",
    "N patients were included"), and not a subset of it ("of the N patients")."""
    if _SUBSET_BEFORE.search(before):
        return False
    return bool(_ENROLLED.match(after) or _ENROLLED_BEFORE.search(before))


# --- figures compared between cohorts ---------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?"
_ENDPOINTS = [
    ("pfs_months", re.compile(r"progression[- ]free survival|\bPFS\b|time to (?:tumou?r )?progression|\bTTP\b", re.I)),
    ("os_months", re.compile(r"overall survival|\bOS\b|median survival|survival", re.I)),
    ("rr_pct", re.compile(r"response rates?|\bO?RR\b|objective response|response", re.I)),
]
_DIGIT = re.compile(r"\d")
_OPEN_BRACKET_END = re.compile(r"\(\s*$")
# "(9.3 months vs. 10.2 months", "(16 vs. 24.8 months", "of 5.8 and 5.2 months, respectively", "(75% vs. 11.8%"
# the cohort named after a figure: "with drugamab", "in arm A", "for the B group" (up to three words)
_PAIR_COHORT = r"(?:(?:with|in|for|on)\s+(?:the\s+)?[\w/-]+(?:\s+(?!and\b|vs\b|versus\b)[\w/-]+){0,2}\s*)?"
_PAIR = re.compile(
    rf"(?P<a>{_NUM})\s*(?P<u1>%|months?|mo\b)?\s*{_PAIR_COHORT}"
    rf"(?:vs?\.?|versus|and|compared\s+(?:with|to))\s*{_PAIR_COHORT}(?P<b>{_NUM})\s*(?P<u2>%|months?|mo\b)"
    rf"(?P<resp>,?\s*respectively)?")


# what follows an event's share when a second cohort's share comes next: "[X occurred in 56%] of
# patients in arm A and 62% in arm B", "[... 20%] with drugamab versus 35% with drugoxel"
_SECOND_SHARE = re.compile(
    rf"\s*(?:of\s+(?:the\s+)?(?:patients|cases)\s*)?{_PAIR_COHORT}(?:vs?\.?|versus|and|compared\s+(?:with|to))\s*"
    rf"{_PAIR_COHORT}(?P<b>{_NUM})\s*%")


def second_share(after: str) -> tuple[float, int, int] | None:
    """(value, start, end) in ``after`` of a second cohort's share right after a figure, or None."""
    match = _SECOND_SHARE.match(after)
    return (float(match.group("b")), match.start("b"), match.end()) if match else None


def _endpoint_before(lead: str, percent: bool) -> str | None:
    """The endpoint named last before the figures (with no other figure in between)."""
    best = None
    for name, pattern in _ENDPOINTS:
        if percent != (name == "rr_pct"):
            continue
        for hit in pattern.finditer(lead):
            if _DIGIT.search(lead[hit.end():]) and not _OPEN_BRACKET_END.search(lead):
                continue
            if best is None or hit.end() > best[1]:
                best = (name, hit.end())
    return best[0] if best else None


def compared_pairs(text: str) -> list[tuple[str, Found, list[tuple[float, int, int]]]]:
    """Pairs of figures of one endpoint ("OS ... (9.3 months vs. 10.2 months"): (record field, the
    pair's phrase, [(value, start, end)] of its two figures); the first pair of each endpoint."""
    found: dict[str, tuple[str, Found, list[tuple[float, int, int]]]] = {}
    for match in _PAIR.finditer(text):
        if match.group("u1") and match.group("u1") != match.group("u2"):
            continue
        name = _endpoint_before(text[max(0, match.start() - 120):match.start()], match.group("u2") == "%")
        if name is None or name in found:
            continue
        figures = [(float(match.group(g)), match.start(g), match.end(g)) for g in ("a", "b")]
        found[name] = (name, (match.start(), match.end(), match.group()), figures)
    return list(found.values())


# --- subgroups a sentence names ---------------------------------------------------------------------

_SUBGROUPS = [
    (re.compile(r"Ki-?67(?:\s+(?:index|labell?ing index|proliferation index))?\s*(?:of\s*)?(?P<op>[<>≤≥])\s*(?P<n>\d+(?:\.\d+)?)\s*%"),
     lambda m: f"Ki-67 {m.group('op')}{m.group('n')}%"),
    (re.compile(r"PD-?L1[- ](?P<x>positive|negative)", re.I), lambda m: f"PD-L1 {m.group('x').lower()}"),
    (re.compile(r"\bpatients with (?:a |an )?(?:(?P<wd>well)|(?P<pd>poorly))[- ]differentiated|"
                r"\b(?:patients|those) with (?:(?P<wdnet>WDNETs?)|(?P<pdnec>PDNECs?))\b"),
     lambda m: "WDNET" if (m.group("wd") or m.group("wdnet")) else "PDNEC"),
]
# "20 patients with PDNECs" describes a study's series; "in the 7 patients with ..." a subgroup
_COUNT_BEFORE = re.compile(r"\d+\s+(?:\w+\s+){0,2}$")
_SUBGROUP_COUNT_BEFORE = re.compile(r"\b(?:in|among|for) the\s+\d+\s+$", re.I)
# "only 17% had a Ki-67 index >20%": how common the trait is, not a cohort's figures
_PREVALENCE_BEFORE = re.compile(r"%\s+(?:of\s+(?:the\s+)?patients\s+)?(?:had|have|has|showed)\s+(?:an?\s+)?$", re.I)
_SUBGROUP_PREFIX = [
    re.compile(r"\b[Ii]n the (?P<label>[A-Z][A-Za-z0-9-]{1,12}) (?:subgroup|subset|stratum)\b"),
    re.compile(r"\bpatients with [\w\s-]{0,40}?\((?P<label>[A-Z]{2,6})\)\s*(?:NECs?|NETs?|tumou?rs|carcinomas?)\b"),
]
# "of 100 patients who received second-line therapy, 51% achieved ...": a subgroup and its size
_TREATED_SUBSET = re.compile(r"\b(?:of|among|in)\s+(?:the\s+)?(?P<n>\d+)\s+patients\s+who\s+(?:received|underwent|were given)\s+"
                             r"(?P<what>[\w\s/-]{3,40}?),", re.I)


def subgroup_mentions(text: str, all_of_them: bool = False) -> list[tuple[int, str]]:
    """(position, label) of the patient subgroups a sentence names ("patients with a Ki-67 index >20%");
    a trait said of a study's series or of how many had it is left out unless ``all_of_them``."""
    found = []
    for pattern, label in _SUBGROUPS:
        for match in pattern.finditer(text):
            before = text[:match.start()]
            if not all_of_them and (_PREVALENCE_BEFORE.search(before) or (
                    _COUNT_BEFORE.search(before) and not _SUBGROUP_COUNT_BEFORE.search(before))):
                continue
            found.append((match.start(), label(match)))
    return found


def subgroup_prefix(text: str) -> str | None:
    """The subgroup a sentence's figures are restricted to ("In the XY subgroup, ...")."""
    for pattern in _SUBGROUP_PREFIX:
        match = pattern.search(text)
        if match:
            return match.group("label")
    return None


def treated_subset(text: str) -> tuple[int, str, int] | None:
    """(position, label, size) of a treated subset the sentence's figures are about."""
    match = _TREATED_SUBSET.search(text)
    if match is None:
        return None
    return match.start(), match.group("what").strip(), int(match.group("n"))
