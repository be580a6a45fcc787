"""Values one sentence gives, and which cohort (arm) each belongs to.

A sentence that names one arm gives its figures to that arm; one that names several arms and
prints as many figures of a kind ("50% vs 28% ... with IP than with EP", "12.8 and 9.4 months
for A and B, respectively") gives them in order; figures that cannot be placed are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import fields
from ..model import Dose, Survival, Toxicity
from ..nlp.builders import normalize_schedule
from ..units import daily_unit, is_daily_unit
from .text_sentences import Sentence, TextFact

RESPONSE_FIELDS = fields.RESPONSE_FIELDS  # RESPONSE kind -> record field ("rr" -> "rr_pct")
# "none of the high-proliferation NETs responded": no response in the group it names
_NONE_RESPONDED = re.compile(r"\bnone of the (?P<who>[^,;.]{1,60}?) (?:responded|had a response)", re.I)
_RESPONSE_WORDS = re.compile(r"\b(?:complete or partial|objective)\s+(?:response|regression|remission)s?\b", re.I)
_SHARE_OF = re.compile(r"(\d+(?:\.\d+)?)\s*%\s+of\s+(?:those|patients|the\s+patients)\b", re.I)
_NOT_A_RATE = re.compile(r"^[^%]*%\s*(?:relative\s+)?(?:reduction|decrease|increase|lower|higher)\b", re.I)
# "No responses were observed in patients with WDNETs"
_NO_RESPONSES = re.compile(r"\bno (?:objective |tumou?r )?responses? (?:was|were) (?:observed|seen|noted|recorded)", re.I)
# "17 of 41 patients (41.5%) had an objective response": the bracketed figure is the percent
_BRACKET_PCT = re.compile(r"\(\s*(\d+(?:\.\d+)?)\s*%\s*\)")
# an interval printed right after a survival figure the tagger left without one
_INTERVAL_AFTER = re.compile(
    r"^\s*\(\s*(?P<kind>range|95\s*%\s*CI|CI)?[,:]?\s*(?P<low>\d+(?:\.\d+)?)\+?\s*(?:months?)?\s*(?:–|-|to)\s*"
    r"(?P<high>\d+(?:\.\d+)?)\+?\s*(?:months?)?\s*\)", re.I)
# "Seventy-eight patients were enrolled", "53 patients were identified", "Twelve patients met the inclusion criteria"
_ENROLLED = re.compile(
    r"^\s*(?:with\s+(?:[\w,-]+\s+){0,8}?[\w-]+\s+)?(?:(?:were|was|had\s+been)\s+(?:enrolled|included|identified|treated|registered|recruited|accrued|"
    r"analy[sz]ed|eligible|entered|randomi[sz]ed|randomly\s+(?:assigned|allocated))|met\s+the\s+(?:inclusion|eligibility)|(?:were|was)\s+(?:found|considered)\s+eligible)",
    re.I)
_Q_DAYS = re.compile(r"\bq\s*(\d+)\s*d\b", re.I)
SCHEDULE_WORDS = re.compile(r"\b(every|repeated|intervals?|cycles?|courses?|q\s*\d+\s*[dw])\b", re.I)


@dataclass
class Placed:
    arm: str | None
    field: str
    value: object


def _survival(value: dict) -> Survival:
    return Survival(median=value.get("median"), low=value.get("low"), high=value.get("high"),
                    kind=value.get("kind"), not_reached=bool(value.get("not_reached")))


def outcome_groups(sentence: Sentence) -> dict[str, list[tuple[TextFact, object]]]:
    """Figures of the sentence by field, in order of position."""
    groups: dict[str, list[tuple[TextFact, object]]] = {}
    for fact in sentence.facts:
        value = fact.value if isinstance(fact.value, dict) else {}
        if fact.label == "RESPONSE" and _NOT_A_RATE.search(sentence.text[fact.start:fact.end + 30]):
            continue  # "a 79% reduction in risk of disease progression"
        if fact.label == "RESPONSE" and value.get("kind") in RESPONSE_FIELDS:
            bracket = _BRACKET_PCT.search(fact.text)
            pct = float(bracket.group(1)) if bracket else float(value["pct"])
            groups.setdefault(RESPONSE_FIELDS[value["kind"]], []).append((fact, pct))
        elif fact.label == "SURVIVAL" and value.get("endpoint") in ("os", "pfs"):
            if value.get("median") is None and not value.get("not_reached"):
                continue
            survival = _survival(value)
            interval = _INTERVAL_AFTER.match(sentence.text[fact.end:])
            if interval and survival.low is None and survival.median is not None:
                survival.low, survival.high = float(interval.group("low")), float(interval.group("high"))
                survival.kind = "range" if (interval.group("kind") or "range").lower() == "range" else "ci95"
            groups.setdefault(fields.SURVIVAL_FIELDS[value["endpoint"]], []).append((fact, survival))
    if _NO_RESPONSES.search(sentence.text) and "rr_pct" not in groups:
        match = _NO_RESPONSES.search(sentence.text)
        fact = TextFact("RESPONSE", match.group(), {"kind": "rr", "pct": 0.0}, match.end(), match.end())
        groups["rr_pct"] = [(fact, 0.0)]
    if _RESPONSE_WORDS.search(sentence.text):
        # "67% of those with PDNECs had complete or partial regression, in contrast to only 7% of patients with ..."
        shares = [m for m in _SHARE_OF.finditer(sentence.text)]
        tagged = {v for _, v in groups.get("rr_pct", [])}
        if len(shares) > len(tagged) and tagged <= {float(m.group(1)) for m in shares}:
            groups["rr_pct"] = [(TextFact("RESPONSE", m.group(), float(m.group(1)), m.start(), m.end()),
                                 float(m.group(1))) for m in shares]
    for name, items in comparisons(sentence).items():
        current = {repr(v) for _, v in groups.get(name, [])}
        if len(current) < 2 and current <= {repr(v) for _, v in items}:
            groups[name] = items  # the pair the tagger read only half of
    for match in _NONE_RESPONDED.finditer(sentence.text):
        # placed at the end of the match, so the arm it names is the nearest before it
        fact = TextFact("RESPONSE", match.group(), {"kind": "rr", "pct": 0.0}, match.end(), match.end())
        groups.setdefault("rr_pct", []).append((fact, 0.0))
    return groups


def place(groups: dict[str, list[tuple[TextFact, object]]], mentions: list[tuple[int, str]],
          default_arm: str | None, compared: list[str] | None = None, text: str | None = None,
          series_first: bool = False) -> list[Placed]:
    """Give each figure its arm: ``mentions`` are (position, arm) of the known arms the sentence
    names; ``compared`` the regimens it names, used only to split several figures of one kind."""
    arms = list(dict.fromkeys(arm for _, arm in mentions))
    compared = list(dict.fromkeys(compared or []))
    placed = []
    for name, items in groups.items():
        values = list(dict.fromkeys(repr(v) for _, v in items))
        if len(values) == 1 and not (len(items) > 1 and len(items) in (len(arms), len(compared))):
            fact, value = items[0]
            if not arms:
                placed.append(Placed(default_arm, name, value))
                continue
            before = [arm for pos, arm in mentions if pos <= fact.start]
            arm = arms[0] if len(arms) == 1 else (before[-1] if before else None)
            if arm is not None:
                placed.append(Placed(arm, name, value))
        elif len(arms) == len(items):
            placed += [Placed(arm, name, value) for arm, (_, value) in zip(arms, items)]
        elif len(compared) == len(items):
            placed += [Placed(arm, name, value) for arm, (_, value) in zip(compared, items)]
        elif series_first and not arms and not compared and default_arm is None \
                and all(f.label == "SURVIVAL" for f, _ in items):
            # "18 months among A-treated patients and 6.8 months among the others", no cohort known:
            # the first median the tagger read is the series' (as when it read only that one)
            placed.append(Placed(default_arm, name, items[0][1]))
        elif arms and text is not None:
            # "18 months (range ...) among A-treated patients and 6.8 months among the others": a figure
            # followed by the cohort it is of; the figures whose cohort is not a known arm are dropped
            for fact, value in items:
                arm = next((a for pos, a in mentions if pos >= fact.end
                            and _COHORT_AFTER.fullmatch(text[fact.end:pos])), None)
                if arm is not None:
                    placed.append(Placed(arm, name, value))
    return placed


_COHORT_AFTER = re.compile(r"\s*(?:in|among|with|for|on)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?", re.I)


# "The commonest grade 3/4 toxicities were ...", "Grade 3–4 events were uncommon: ..."
_GRADE_HEADING = re.compile(
    r"\bgrades?\s*(?P<a>\d)(?:\s*(?:[-–/]|to|or|and)\s*(?P<b>\d))?\s+(?:\w+\s+){0,2}?"
    r"(?:adverse events|toxicit(?:y|ies)|events|side effects|AEs)\b[^:;.]*?(?:were|included|:)", re.I)


def toxicities(sentence: Sentence) -> list[Toxicity]:
    return [tox for _, tox in located_toxicities(sentence)]


def located_toxicities(sentence: Sentence) -> list[tuple[int, Toxicity]]:
    """(position in the sentence, toxicity) of each adverse event the sentence reports."""
    items: list[Toxicity] = []
    where: list[int] = []
    heading = _GRADE_HEADING.search(sentence.text)
    heading_grade = None
    if heading:
        heading_grade = f"{heading.group('a')}-{heading.group('b')}" if heading.group("b") else heading.group("a")
    for fact in sentence.of("TOXICITY"):
        value = fact.value if isinstance(fact.value, dict) else {}
        if value.get("pct") is None or not value.get("event"):
            continue
        grade = value.get("grade")
        if grade is None and heading_grade and fact.start >= heading.end():
            grade = heading_grade  # the grade heading a list applies to its items
        tox = Toxicity(event=value["event"], grade=grade, pct=value["pct"])
        if tox not in items:
            items.append(tox)
            where.append(fact.start)
    return list(zip(where, items))


def doses(sentence: Sentence) -> list[Dose]:
    items = []
    for fact in sentence.of("DOSE"):
        value = fact.value if isinstance(fact.value, dict) else {}
        if not value.get("drug") or value.get("amount") is None:
            continue
        items.append(Dose(**{k: value.get(k) for k in Dose.model_fields}))
    return items


def cycle_length(sentence: Sentence) -> int | None:
    """"Cycles were repeated every 3 weeks", "Courses were repeated q21d" -> days."""
    if not SCHEDULE_WORDS.search(sentence.text):
        return None
    q_days = _Q_DAYS.search(sentence.text)
    if q_days:
        return int(q_days.group(1))
    from ..nlp.builders import schedule_phrase

    phrase = schedule_phrase(sentence.text)
    return normalize_schedule(phrase) if phrase else None


def continuous_drugs(sentence: Sentence) -> set[str]:
    """Drugs the sentence doses every day ("B 40 mg orally once daily"): no cycle length is theirs."""
    from ..nlp.measures import continuous_dose

    return {f.value["drug"] for f in sentence.of("DOSE") if isinstance(f.value, dict) and f.value.get("drug")
            and continuous_dose(f.text, f.value)}


def merge_doses(found: list[Dose]) -> list[Dose]:
    """One dose per drug and amount: attributes printed in different sentences are combined."""
    merged: dict[tuple, Dose] = {}
    daily = {(d.drug, d.amount) for d in found if is_daily_unit(d.unit)}
    for dose in found:
        if daily_unit(dose.unit) != dose.unit and (dose.drug, dose.amount) in daily:
            dose = dose.model_copy(update={"unit": daily_unit(dose.unit)})  # "per day" printed in one sentence only
        key = (dose.drug, dose.amount, dose.unit)
        if key not in merged:
            merged[key] = dose.model_copy()
            continue
        kept = merged[key]
        for name in ("days", "route", "schedule"):
            if getattr(kept, name) is None and getattr(dose, name) is not None:
                setattr(kept, name, getattr(dose, name))
    return list(merged.values())


_STUDIED = re.compile(r"\b(?:examined|evaluating|evaluated|enrolled|included|involving|review of|analysis of|"
                      r"conducted in|study of|trial of|data of|reviewed|analy[sz]ed|treated|studied)\s+$", re.I)


def studied_count(sentence: Sentence) -> int | None:
    """A cited study's size ("examined 651 patients", "a retrospective review of 81 patients")."""
    for fact in sentence.of("N_PATIENTS"):
        if isinstance(fact.value, int) and fact.value >= 10 and _STUDIED.search(sentence.text[:fact.start]):
            return fact.value
    return None


_ENROLLED_BEFORE = re.compile(r"\b(?:enrolled|included|recruited|accrued)\s+$", re.I)


def enrolled_count(sentence: Sentence) -> int | None:
    """The size of the series from an enrolment sentence ("Forty patients were enrolled and treated",
    "the trial enrolled 60 patients")."""
    for fact in sentence.of("N_PATIENTS"):
        subset = re.search(r"\b(these|those|of the|among the)\s*$", sentence.text[:fact.start], re.I)
        if isinstance(fact.value, int) and not subset and (_ENROLLED.match(sentence.text[fact.end:])
                                                          or _ENROLLED_BEFORE.search(sentence.text[:fact.start])):
            return fact.value
    return None


# --- figures compared between cohorts ------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?"
_ENDPOINTS = [
    ("pfs_months", r"progression[- ]free survival|\bPFS\b|time to (?:tumou?r )?progression|\bTTP\b"),
    ("os_months", r"overall survival|\bOS\b|median survival|survival"),
    ("rr_pct", r"response rates?|\bO?RR\b|objective response|response"),
]
# "(9.3 months vs. 10.2 months", "(16 vs. 24.8 months", "of 5.8 and 5.2 months, respectively", "(75% vs. 11.8%"
_PAIR = re.compile(
    rf"(?P<a>{_NUM})\s*(?P<u1>%|months?|mo\b)?\s*(?:(?:with|in|for|on)\s+[\w/-]+\s*)?"
    rf"(?:vs\.?|versus|and|compared\s+(?:with|to))\s*(?:(?:with|in|for|on)\s+[\w/-]+\s*)?(?P<b>{_NUM})\s*(?P<u2>%|months?|mo\b)"
    rf"(?P<resp>,?\s*respectively)?")


def comparisons(sentence: Sentence) -> dict[str, list[tuple[TextFact, object]]]:
    """Pairs of figures of one endpoint ("OS ... (9.3 months vs. 10.2 months"), for the cohorts compared."""
    found: dict[str, list[tuple[TextFact, object]]] = {}
    text = sentence.text
    for match in _PAIR.finditer(text):
        percent = match.group("u2") == "%"
        if (match.group("u1") or match.group("u2")) != match.group("u2") and match.group("u1"):
            continue
        lead = text[max(0, match.start() - 120):match.start()]
        # the endpoint named last before the figures (with no other figure in between)
        best = None
        for name, pattern in _ENDPOINTS:
            if percent != (name == "rr_pct"):
                continue
            for hit in re.finditer(pattern, lead, re.I):
                if re.search(r"\d", lead[hit.end():]) and not re.search(r"\(\s*$", lead):
                    continue
                if best is None or hit.end() > best[1]:
                    best = (name, hit.end())
        if best is None or best[0] in found:
            continue
        name = best[0]
        values = [float(match.group("a")), float(match.group("b"))]
        items = []
        for value, group in zip(values, ("a", "b")):
            fact = TextFact("COMPARISON", match.group(), value, match.start(group), match.end(group))
            items.append((fact, value if name == "rr_pct" else Survival(median=value, not_reached=False)))
        found[name] = items
    return found


# --- subgroups a sentence names ---------------------------------------------------------------------

_SUBGROUPS = [
    (re.compile(r"Ki-?67(?:\s+(?:index|labell?ing index|proliferation index))?\s*(?:of\s*)?(?P<op>[<>≤≥])\s*(?P<n>\d+(?:\.\d+)?)\s*%"),
     lambda m: f"Ki-67 {m.group('op')}{m.group('n')}%"),
    (re.compile(r"PD-?L1[- ](?P<x>positive|negative)", re.I), lambda m: f"PD-L1 {m.group('x').lower()}"),
    (re.compile(r"\bpatients with (?:a |an )?(?:(?P<wd>well)|(?P<pd>poorly))[- ]differentiated|"
                r"\b(?:patients|those) with (?:(?P<wdnet>WDNETs?)|(?P<pdnec>PDNECs?))\b"),
     lambda m: "WDNET" if (m.group("wd") or m.group("wdnet")) else "PDNEC"),
]


_SUBGROUP_PREFIX = [
    re.compile(r"\b[Ii]n the (?P<label>[A-Z][A-Za-z0-9-]{1,12}) (?:subgroup|subset|stratum)\b"),
    re.compile(r"\bpatients with [\w\s-]{0,40}?\((?P<label>[A-Z]{2,6})\)\s*(?:NECs?|NETs?|tumou?rs|carcinomas?)\b"),
]


def subgroup_prefix(sentence: Sentence) -> str | None:
    """The subgroup a sentence's figures are restricted to ("In the HBP subgroup, ...")."""
    for pattern in _SUBGROUP_PREFIX:
        match = pattern.search(sentence.text)
        if match:
            return match.group("label")
    return None


# "of 100 patients who received second-line therapy, 51% achieved ...": a subgroup and its size
_TREATED_SUBSET = re.compile(r"\b(?:of|among|in)\s+(?:the\s+)?(?P<n>\d+)\s+patients\s+who\s+(?:received|underwent|were given)\s+"
                             r"(?P<what>[\w\s/-]{3,40}?),", re.I)


def treated_subset(sentence: Sentence) -> tuple[int, str, int] | None:
    """(position, label, size) of a treated subset the sentence's figures are about."""
    match = _TREATED_SUBSET.search(sentence.text)
    if match is None:
        return None
    return match.start(), match.group("what").strip(), int(match.group("n"))


def subgroups(sentence: Sentence) -> list[tuple[int, str]]:
    """(position, label) of the patient subgroups a sentence names ("patients with a Ki-67 index >20%")."""
    found = []
    subset = treated_subset(sentence)
    if subset:
        found.append(subset[:2])
    for pattern, label in _SUBGROUPS:
        for match in pattern.finditer(sentence.text):
            before = sentence.text[:match.start()]
            # "20 patients with PDNECs" describes a study's series; "in the 7 patients with ..." a subgroup
            if re.search(r"\d+\s+(?:\w+\s+){0,2}$", before) and not re.search(r"\b(?:in|among|for) the\s+\d+\s+$", before, re.I):
                continue
            if re.search(r"%\s+(?:of\s+(?:the\s+)?patients\s+)?(?:had|have|has|showed)\s+(?:an?\s+)?$", before, re.I):
                continue  # "only 17% had a Ki-67 index >20%": how common the trait is, not a cohort's figures
            found.append((match.start(), label(match)))
    for fact, label, _ in _tagged_subgroups(sentence, found):
        found.append((fact.start, label))
    return sorted(found)


def subgroup_sizes(sentence: Sentence) -> dict[str, int]:
    """label -> size of the subgroups the tagger read with a count ("among the six patients with X")."""
    return {label: n for _, label, n in _tagged_subgroups(sentence, _regex_subgroups(sentence)) if n}


def _regex_subgroups(sentence: Sentence) -> list[tuple[int, str]]:
    return [(m.start(), label(m)) for pattern, label in _SUBGROUPS for m in pattern.finditer(sentence.text)]


def _tagged_subgroups(sentence: Sentence, named: list[tuple[int, str]]) -> list[tuple[TextFact, str, int | None]]:
    """SUBGROUP facts as (fact, label, size); a subgroup already named inside the fact keeps that name."""
    result = []
    for fact in sentence.of("SUBGROUP"):
        value = fact.value if isinstance(fact.value, dict) else {}
        inside = [label for pos, label in named if fact.start <= pos < fact.end]
        label = inside[0] if inside else value.get("label") or _untreated_label(sentence, fact, value)
        if label:
            result.append((fact, label, value.get("n")))
    return result


def untreated_subgroups(sentence: Sentence) -> set[str]:
    """Labels of the subgroups the tagger read as left without the treatment ("... who did not receive it")."""
    return {label for fact, label, _ in _tagged_subgroups(sentence, [])
            if isinstance(fact.value, dict) and fact.value.get("untreated")}


def _untreated_label(sentence: Sentence, fact: TextFact, value: dict) -> str | None:
    """"... who did not receive it": "No" and the treatment the sentence named last before it (a drug,
    a regimen, or the treated subgroup: "among X-treated patients")."""
    if not value.get("untreated"):
        return None
    named = [(f.end, f.text) for f in sentence.of("REGIMEN", "DRUG") if f.end <= fact.start]
    named += [(f.end, f.value["label"]) for f in sentence.of("SUBGROUP") if f.end <= fact.start
              and isinstance(f.value, dict) and f.value.get("label") and not f.value.get("untreated")]
    return f"No {max(named)[1]}" if named else None
