"""Builders: turn a rule's regex match into (start, end, normalized value) facts.

Each builder reads the named groups its patterns promise (see patterns/*.jsonl) and returns a
list, so one match may yield several facts ("A and B in 33% and 24%, respectively").
"""

from __future__ import annotations

import re

from functools import lru_cache

from ..units import WEEKS_PER_MONTH, cycle_days, daily_unit, is_week_unit, weeks_to_months  # noqa: F401
# (WEEKS_PER_MONTH stays importable here: builders written against it keep the contract's factor)
from .settings import setting
from .vocab import VOCAB_DIR, alternation, parse_number, read_jsonl, term_table
from .word_frequency import zipf_at_least

Facts = list[tuple[int, int, object]]

DASHES = re.compile(r"\s*(?:–|—|‒|−|-|to)\s*")
# A percentage right after these is a marker threshold, not an outcome ("Ki-67 index >20%").
NOT_AN_OUTCOME_BEFORE = re.compile(r"(?:ki-?67|mib-?1|index|labell?ing|[<>≤≥])[\s\w]{0,12}$", re.IGNORECASE)
YEAR_PREPOSITIONS = re.compile(r"\b(?:in|since|from|between|during|until|of|and|to|by|before|after)\s*$", re.IGNORECASE)


def _num(text: str | None) -> float | None:
    return parse_number(text) if text else None


def _key(term: str) -> str:
    return " ".join(term.lower().split())


def _tidy(value: float | None) -> float | None:
    return None if value is None else round(value, 1) if value != int(value) else float(value)


@lru_cache(maxsize=1)
def generic_response_terms() -> frozenset[str]:
    rows = read_jsonl(VOCAB_DIR / "response_terms.jsonl")
    return frozenset(r["term"].lower() for r in rows if r.get("generic"))


def _nearest_response_term(m: re.Match) -> str:
    """The response word closest to the number decides the kind: in 'best overall response was
    partial response in 18 (28%)' it is 'partial response', not 'overall response'."""
    from .grammar import compiled

    terms = list(compiled(r"\b(?:<<RESP_KW>>)\b").finditer(m.group(0)))
    pct_at = m.start("pct") - m.start()
    # A bare "response" yields to a specific term ("stable disease was the best response in 10 (26%)").
    specific = [t for t in terms if _key(t.group()) not in generic_response_terms()]
    terms = specific or terms
    if not terms:
        return m.group("kw")
    nearest = min(terms, key=lambda t: min(abs(t.end() - pct_at), abs(t.start() - pct_at)))
    return nearest.group()


def response(m: re.Match, static: dict) -> Facts:
    if NOT_AN_OUTCOME_BEFORE.search(m.string[max(0, m.start() - 30) : m.start("pct")]):
        return []
    kind = term_table("response_terms", "kind").get(_key(_nearest_response_term(m)))
    pct = _num(m.group("pct"))
    if kind is None or pct is None or pct > 100:
        return []
    return [(m.start(), m.end(), {"kind": kind, "pct": pct})]


def _survival_value(m: re.Match, unit: str | None) -> dict:
    in_weeks = bool(unit) and is_week_unit(unit)
    convert = weeks_to_months if in_weeks else (lambda v: v)
    low = high = kind = None
    paren = m.group("paren")
    if paren:
        # "(range, 3.5 to 17 months; Table 1)", "(median; range 2-41)": the interval is the part
        # of the parenthesis (split at semicolons) that holds two numbers.
        parts = [re.findall(r"\d+(?:[.·]\d+)?", re.sub(r"95\s*%", "", part)) for part in paren.split(";")]
        numbers = next((found for found in parts if len(found) >= 2), [])
        if len(numbers) >= 2:
            low, high = convert(_num(numbers[-2])), convert(_num(numbers[-1]))
        elif parts and len(parts[0]) == 1 and OPEN_BOUND.search(paren.split(";")[0]):
            # "(95% CI 15.0-not reached)": the lower bound only; the upper one is null (spec)
            low = convert(_num(parts[0][0]))
        kind = "ci95" if re.search(r"\bCI\b|confidence", paren, re.I) else "range" if re.search(r"range", paren, re.I) else None
        # A row label may say what the parenthesis holds: "Median OS, months (95% CI): 10.9 (8.2–13.5)".
        label_part = m.string[m.start() : m.start("median")]
        if kind is None and "kw" in m.re.groupindex:
            kind = "ci95" if re.search(r"\bCI\b", label_part) else "range" if re.search(r"\(range\)", label_part, re.I) else None
    return {"median": convert(_num(m.group("median"))), "low": low, "high": high, "kind": kind, "not_reached": False}


OPEN_BOUND = re.compile(r"(?:–|—|‒|−|-|to)\s*(?:not\s+(?:yet\s+)?reached|NR|NE|not\s+estimable)", re.I)

FOLLOW_ON = re.compile(
    # the cohort the first figure is of may come between ("14.4 months in the drugamab arm and 22.7 months ...",
    # "9.5 months when the Ki-67 index was below 30% and 3.1 months ...")
    r"(?P<filler>\s*(?:in|with|for|on|among)\s+(?:(?!and\b|vs\b|versus\b)[A-Za-z][\w+/-]*\s+){0,5}?(?!and\b|vs\b|versus\b)[A-Za-z][\w+/-]*"
    r"|\s*(?:when|if)\s+(?:[\w-]+\s+){0,4}?(?:was|were|is|are)\s+(?:[a-z]+\s+){0,2}?"
    r"\d+(?:\.\d+)?\s*%(?:\s+or\s+[a-z]+)?)?"
    r"\s*,?\s*(?:vs\.?|versus|and|compared\s+with)\s+(?:(?!median)[A-Za-z][\w-]*\s+){0,3}?,?\s*"
    # "and the 1-year survival rate ...": a number joined to a word by a hyphen names a time point
    r"(?P<median>\d+(?:\.\d+)?)(?![-‐–]\s*[A-Za-z])(?:[a-e](?![a-z]))?(?!\s*%)\s*(?P<unit>months?|mo|weeks?|wks?)?\b\s*"
    r"(?P<paren>\(\s*(?:(?:range|95\s*%\s*CI|CI)\s*[,:]?\s*)?\d+(?:\.\d+)?\s*(?:months?|mo)?\+?\s*(?:–|-|to)\s*\d+(?:\.\d+)?\+?\s*(?:months?|mo)?\s*\))?"
)


# "survival at 6 months was 40%" is a landmark rate, not a median.
LANDMARK = re.compile(r"\b(?:at|after|within|by|beyond|rates?)\b", re.IGNORECASE)
RATIO_BEFORE = re.compile(r"\b(?:HR|hazard|ratio|odds)\b", re.IGNORECASE)


def survival(m: re.Match, static: dict) -> Facts:
    endpoint = term_table("survival_terms", "endpoint").get(_key(m.group("kw")))
    unit, paren = m.group("unit"), m.group("paren")
    # A bare number after a survival word is a value only when printed with a unit or a range.
    if endpoint is None or not (unit or paren):
        return []
    between = m.string[m.end("kw") : m.start("median")]
    if LANDMARK.search(between):
        return []
    # Without a unit, only "median OS 14.5 (9.5-18.5)" or a table label "OS, 14.5 (...)" is a survival
    # time; "survival in group A was 2.32 (95% CI ...)" is a hazard ratio.
    if not unit and not (m.group("median_kw") or re.fullmatch(r"[^\w]*(?:months?|mo)?[^\w]*(?:\((?:95\s*%\s*CI|CI|range)\))?[\s,:]*", between)):
        return []
    if RATIO_BEFORE.search(m.string[max(0, m.start() - 40) : m.start("median")]):
        return []
    facts = [(m.start(), m.end(), {"endpoint": endpoint, **_survival_value(m, unit)})]
    tail = FOLLOW_ON.match(m.string, m.end())
    if tail and (tail.group("unit") or tail.group("paren") or (unit and not tail.group("filler"))):
        value = _survival_value(tail, tail.group("unit") or unit)
        facts.append((tail.start("median"), tail.end(), {"endpoint": endpoint, **value}))
    return facts


@lru_cache(maxsize=1)
def _survival_terms() -> re.Pattern:
    return re.compile(rf"\b(?:{alternation(term_table('survival_terms', 'endpoint').keys())})\b", re.IGNORECASE)


def survival_named_before(m: re.Match, static: dict) -> Facts:
    """"with medians of 5.5 months for patients with A and 2.1 months for those with B": medians whose
    endpoint the text named just before (the last survival term within the preceding sentences)."""
    lead = m.string[max(0, m.start() - 300): m.start()]
    terms = list(_survival_terms().finditer(lead))
    endpoint = term_table("survival_terms", "endpoint").get(_key(terms[-1].group())) if terms else None
    if endpoint is None:
        return []
    convert = weeks_to_months if is_week_unit(m.group("unit")) else (lambda v: v)
    empty = {"low": None, "high": None, "kind": None, "not_reached": False}
    facts = [(m.start(), m.end("unit"), {"endpoint": endpoint, "median": convert(_num(m.group("median"))), **empty})]
    if m.group("median2"):
        facts.append((m.start("median2"), m.end("unit2"),
                      {"endpoint": endpoint, "median": convert(_num(m.group("median2"))), **empty}))
    return facts


def subgroup_status(m: re.Match, static: dict) -> Facts:
    """"patients with a performance status of 0–1", "those with an ECOG performance status of 2": "PS 0–1"."""
    return [(m.start(), m.end(), {"label": f"PS {m.group('ps')}", "n": None})]


def survival_pair(m: re.Match, static: dict) -> Facts:
    """'median PFS and OS were 4.2 and 10.1 months(, respectively)'."""
    endpoints = term_table("survival_terms", "endpoint")
    first, second = endpoints.get(_key(m.group("kw"))), endpoints.get(_key(m.group("kw2")))
    if first is None or second is None or first == second:
        return []
    convert = weeks_to_months if is_week_unit(m.group("unit")) else (lambda v: v)
    empty = {"low": None, "high": None, "kind": None, "not_reached": False}
    return [
        (m.start(), m.end("v1"), {"endpoint": first, "median": convert(_num(m.group("v1"))), **empty}),
        (m.start("v2"), m.end(), {"endpoint": second, "median": convert(_num(m.group("v2"))), **empty}),
    ]


def survival_nr(m: re.Match, static: dict) -> Facts:
    endpoint = term_table("survival_terms", "endpoint").get(_key(m.group("kw")))
    if endpoint is None:
        return []
    value = {"endpoint": endpoint, "median": None, "low": None, "high": None, "kind": None, "not_reached": True}
    return [(m.start(), m.end(), value)]


def n_patients(m: re.Match, static: dict) -> Facts:
    count = _num(m.group("n"))
    if count is None or count != int(count) or count <= 0:
        return []
    looks_like_year = 1950 <= count <= 2035 and YEAR_PREPOSITIONS.search(m.string[max(0, m.start() - 12) : m.start()])
    if looks_like_year:
        return []
    return [(m.start(), m.end(), int(count))]


def mixed_series(m: re.Match, static: dict) -> Facts:
    """"treated 40 patients with neuroendocrine neoplasms, 12 of them poorly differentiated": a series
    of which only part is of one differentiation is a mixed one (value: the series size and the part)."""
    whole, part = _count(m.group("n")), _count(m.group("m"))
    if whole is None or part is None or not 0 < part < whole:
        return []
    return [(m.start(), m.end(), {"n": whole, "part": part})]


def _count(text: str | None) -> int | None:
    value = _num(text)
    return int(value) if value is not None and value == int(value) and value > 0 else None


# the head noun after a subgroup's defining words names no part of its label ("poorly differentiated tumours")
SUBGROUP_HEAD = re.compile(r"\s+(?:tumou?rs?|disease|cancers?|neoplasms?)$", re.IGNORECASE)
THRESHOLD_OPS = {"below": "<", "under": "<", "less than": "<", "lower than": "<", "above": ">", "over": ">",
                 "greater than": ">", "higher than": ">", "more than": ">", "at least": "≥", "or higher": "≥",
                 "or more": "≥", "or above": "≥", "or greater": "≥", "or lower": "≤", "or less": "≤",
                 "or below": "≤"}


def _subgroup_label(text: str) -> str | None:
    words = re.sub(r"^(?:an?|the)\s+", "", text.strip(), flags=re.IGNORECASE)
    words = SUBGROUP_HEAD.sub("", words) or words
    return words[:1].upper() + words[1:] if words else None


def subgroup(m: re.Match, static: dict) -> Facts:
    """"among the six patients with large-cell NEC", "the 9 patients with a colonic primary ... than the 12
    with other primaries", "among biliary and gastric primaries, ...": each subgroup the phrase names (label
    as printed, article and head noun dropped) and its size."""
    facts = []
    for k in ("1", "2"):
        if f"x{k}" not in m.re.groupindex or m.group(f"x{k}") is None:
            continue
        label = _subgroup_label(m.group(f"x{k}"))
        count = m.groupdict().get(f"n{k}")
        if label:
            start = m.start() if k == "1" or count is None else m.start(f"n{k}")
            facts.append((start, m.end(f"x{k}"), {"label": label, "n": _count(count)}))
    return facts


def subgroup_without(m: re.Match, static: dict) -> Facts:
    """"among the 14 patients who did not receive it / drug X": the comparator of patients left untreated,
    labelled "No <treatment>"; for "it", the records stage names the treatment the sentence named before."""
    treatment = m.group("x1")
    label = f"No {treatment}" if treatment else None
    return [(m.start(), m.end(), {"label": label, "n": _count(m.group("n1")), "untreated": True})]


def subgroup_threshold(m: re.Match, static: dict) -> Facts:
    """"when the Ki-67 index was under 40% and ... when it was 40% or more": a marker's subgroups
    ("Ki-67 <40%", "Ki-67 ≥40%"), one fact per condition."""
    marker = "Ki-67"
    facts = []
    for k in ("1", "2"):
        if m.group(f"c{k}") is None:
            continue
        value = m.group(f"v{k}") or m.group(f"v{k}b")  # the operator before the figure, or after it
        op = THRESHOLD_OPS.get(re.sub(r"\s+", " ", (m.group(f"op{k}") or m.group(f"op{k}b") or "").lower()))
        if op is not None and value:
            facts.append((m.start(f"c{k}"), m.end(f"c{k}"), {"label": f"{marker} {op}{value}%", "n": None}))
    return facts


# "Response was assessed in 31 patients in the A arm and 30 in the B arm": evaluable counts, not arm sizes
NOT_ALLOCATION_BEFORE = re.compile(r"\b(?:assessed|assessable|evaluable|evaluated|analy[sz]ed|measured|responses?|"
                                   r"died|deaths?|progressed|discontinued)\b[^.;]*$", re.IGNORECASE)


def allocation(m: re.Match, static: dict) -> Facts:
    """"randomly assigned: 84 to A and 86 to B", "59 in the A arm and 67 in the B arm": each arm (as
    named) and its size, one fact each (the first runs from the match's start)."""
    n1, n2 = _count(m.group("n1")), _count(m.group("n2"))
    if n1 is None or n2 is None or NOT_ALLOCATION_BEFORE.search(m.string[max(0, m.start() - 60): m.start()]):
        return []
    return [(m.start(), m.end("x1"), {"name": m.group("x1").strip(), "n": n1, "each": False}),
            (m.start("n2"), m.end(), {"name": m.group("x2").strip(), "n": n2, "each": False})]


ARM_LABEL = re.compile(r"\b(?P<noun>arm|group)\s+(?P<mark>[A-D]|[1-4]|I{1,3}|IV)\b", re.I)
ARM_SIZE = re.compile(r"\(\s*n\s*=\s*(?P<n>\d+)\s*\)|\bn\s*=\s*(?P<n_bare>\d+)\b", re.I)


def labelled_allocation(m: re.Match, static: dict) -> Facts:
    """"randomly assigned to arm A, drugamab ... (n = 34), or arm B, drugoxel ... (n = 30)": arms
    named by a letter or numeral ("Arm A", "Group 2"), each with the size that follows its label
    before the next one ("(n = 34)"), one fact each, from its label to the next."""
    text = m.group(0)
    labels = [(lm.start(), lm.end(), f"{lm.group('noun').capitalize()} {lm.group('mark').upper()}")
              for lm in ARM_LABEL.finditer(text)]
    names = list(dict.fromkeys(name for _, _, name in labels))
    if len(names) < 2 or len(names) != len(labels):  # two or more arms, each named once
        return []
    facts = []
    for k, (start, end, name) in enumerate(labels):
        stop = labels[k + 1][0] if k + 1 < len(labels) else len(text)
        size = ARM_SIZE.search(text, end, stop)
        n = int(size.group("n") or size.group("n_bare")) if size else None
        facts.append((m.start() + start, m.start() + stop, {"name": name, "n": n, "each": False}))
    return facts


def allocation_names(m: re.Match, static: dict) -> Facts:
    """"the phase II ALPHA and BETA-2 trials": one paper reporting two named trials (or cohorts), each an
    arm whose size the text gives elsewhere."""
    return [(m.start(), m.end("x1"), {"name": m.group("x1"), "n": None, "each": False}),
            (m.start("x2"), m.end(), {"name": m.group("x2"), "n": None, "each": False})]


def allocation_each(m: re.Match, static: dict) -> Facts:
    """"29 per arm", "72 to each arm": every arm's size."""
    n = _count(m.group("n"))
    return [(m.start(), m.end(), {"name": None, "n": n, "each": True})] if n else []


def normalize_grade(text: str | None) -> str | None:
    if not text:
        return None
    digits = re.findall(r"\d", text)
    open_ended = re.search(r"or\s+(higher|greater|above|worse)", text)
    if open_ended:  # as printed (spec): "grade 2 or higher" -> "2 or higher"
        return f"{digits[0]} or {open_ended.group(1)}"
    if re.search(r"≥|>=", text):
        return f"≥{digits[0]}"
    if len(digits) >= 2:
        return f"{digits[0]}-{digits[-1]}"
    return digits[0] if digits else None


def _event(term: str) -> str | None:
    return term_table("toxicities", "event").get(_key(term))


def toxicity(m: re.Match, static: dict) -> Facts:
    event, pct = _event(m.group("event")), _num(m.group("pct"))
    if event is None or pct is None or pct > 100 or RESPECTIVE_TAIL.match(m.string, m.end()):
        return []  # the first figure of a "respectively" list is not this event's unless the list pairs it
    return [(m.start(), m.end(), {"event": event, "grade": normalize_grade(m.group("grade")), "pct": pct})]


def toxicity_fatal(m: re.Match, static: dict) -> Facts:
    """"two patients (3%) died of febrile neutropenia", "pneumonia was fatal in 2%": a death from an event
    is the event "fatal <event as printed>", with no grade."""
    pct = _num(m.group("pct"))
    if _event(m.group("event")) is None or pct is None or pct > 100:
        return []
    event = "fatal " + re.sub(r"\s+", " ", m.group("event").lower())
    return [(m.start(), m.end(), {"event": event, "grade": None, "pct": pct})]


def toxicity_pair(m: re.Match, static: dict) -> Facts:
    grade = normalize_grade(m.group("grade"))
    first, second = _event(m.group("event")), _event(m.group("event2"))
    pct1, pct2 = _num(m.group("pct")), _num(m.group("pct2"))
    if None in (first, second, pct1, pct2):
        return []
    return [
        (m.start(), m.end("event"), {"event": first, "grade": grade, "pct": pct1}),
        (m.start("event2"), m.end(), {"event": second, "grade": grade, "pct": pct2}),
    ]


def toxicity_shared(m: re.Match, static: dict) -> Facts:
    """"grade 3 leukopenia and thrombocytopenia (4)": two events, one grade and one figure. A pair
    that is itself one event ("nausea and vomiting") is left to the single-event rules."""
    joined = m.string[m.start("event"): m.end("event2")]
    first, second, pct = _event(m.group("event")), _event(m.group("event2")), _num(m.group("pct"))
    if _event(joined) is not None or None in (first, second, pct) or pct > 100 or first == second:
        return []
    grade = normalize_grade(m.group("grade"))
    return [
        (m.start(), m.end("event"), {"event": first, "grade": grade, "pct": pct}),
        (m.start("event2"), m.end(), {"event": second, "grade": grade, "pct": pct}),
    ]


def toxicity_respectively(m: re.Match, static: dict) -> Facts:
    """"grade 1 A, grade 2 B and C of grade 3 or higher were recorded in 5%, 6% and 7%, respectively":
    the n-th event takes the n-th figure; an event's own grade, else the list's trailing ("of grade
    ...") or leading grade. Lists whose counts differ, or that hold one event twice, give nothing."""
    from .grammar import compiled

    shared = normalize_grade(m.group("grade") or m.group("lead"))
    base = m.start("events")
    items = list(compiled(r"(?:(?P<g><<GRADE>>)\s+)?(?<![/-])\b(?P<e><<TOX_EVENT>>)\b").finditer(m.group("events")))
    pcts = [_num(p.group(1)) for p in compiled(r"(<<NUM>>)\s*%").finditer(m.group("pcts"))]
    if len(items) < 2 or len(items) != len(pcts) or None in pcts or max(pcts) > 100:
        return []
    events = [_event(i.group("e")) for i in items]
    if None in events or len(set(zip(events, (i.group("g") for i in items)))) < len(events):
        return []
    facts = []
    for i, (item, event, pct) in enumerate(zip(items, events, pcts)):
        grade = normalize_grade(item.group("g")) if item.group("g") else shared
        start = m.start() if i == 0 else base + item.start()
        end = m.end() if i == len(items) - 1 else base + item.end()
        facts.append((start, end, {"event": event, "grade": grade, "pct": pct}))
    return facts


RESPECTIVE_TAIL = re.compile(r"\s*(?:,\s*|\s+and\s+)[\d.]+\s*%[^.;]*?\brespectively", re.IGNORECASE)


def toxicity_list(m: re.Match, static: dict) -> Facts:
    """"grade 3-4 anemia, leukopenia and diarrhea each occurred in 3 patients (10%)": every event of
    the list takes the grade and the figure. Each event is one fact (the last one runs to the figure)."""
    from .grammar import compiled

    grade, pct = normalize_grade(m.group("grade")), _num(m.group("pct"))
    if pct is None or pct > 100 or RESPECTIVE_TAIL.match(m.string, m.end()):
        return []  # "A, B and C in 5% and 6%, respectively": figures per event, not one for all
    base = m.start("events")
    found = list(compiled(r"\b(?:<<TOX_EVENT>>)\b").finditer(m.group("events")))
    if len(found) < 2:
        return []
    events = [(base + f.start(), base + f.end(), _event(f.group())) for f in found]
    if None in [e for _, _, e in events] or len({e for _, _, e in events}) < len(events):
        return []
    joined = m.string[events[-2][0]: events[-1][1]]
    if _event(joined) is not None:  # "nausea and vomiting" is one event
        return []
    facts = []
    for i, (start, end, event) in enumerate(events):
        start = m.start() if i == 0 else start
        end = m.end() if i == len(events) - 1 else end
        facts.append((start, end, {"event": event, "grade": grade, "pct": pct}))
    return facts


def response_kind(m: re.Match, static: dict) -> Facts:
    """A response figure whose kind the rule fixes ("7 of 14 patients (50%) responded")."""
    pct = _num(m.groupdict().get("pct")) if m.groupdict().get("pct") is not None else static.get("pct")
    if pct is None or pct > 100:
        return []
    kind = static.get("kind")
    if m.groupdict().get("kw"):
        kind = term_table("response_terms", "kind").get(_key(m.group("kw")), kind)
    return [(m.start(), m.end(), {"kind": kind, "pct": float(pct)})]


def no_response(m: re.Match, static: dict) -> Facts:
    """"No complete response was observed", "none of the 12 patients had a complete or partial
    response": 0% of each kind named (spec: cr_pct / rr_pct 0 when the paper says none occurred).
    Several kinds split the match, one fact each."""
    kinds = {"complete": "cr", "partial": "pr", "objective": "rr"}
    words = list(re.finditer(r"complete|partial|objective", m.group("kinds"), re.I))
    facts = []
    for i, word in enumerate(words):
        start = m.start() if i == 0 else m.start("kinds") + word.start()
        end = m.end() if i == len(words) - 1 else m.start("kinds") + words[i + 1].start()
        facts.append((start, end, {"kind": kinds[word.group().lower()], "pct": 0.0}))
    return facts


UNIT_FORMS = [
    (re.compile(r"mg\s*/\s*m\s*[2²]\s*(?:/\s*d(?:ay)?|per\s+day|daily|a\s+day)", re.I), "mg/m2/day"),
    (re.compile(r"mg\s*/\s*m\s*[2²]", re.I), "mg/m2"),
    (re.compile(r"mg\s*/\s*kg", re.I), "mg/kg"),
    (re.compile(r"g\s*/\s*m\s*[2²]", re.I), "g/m2"),
    (re.compile(r"gbq", re.I), "GBq"),
    (re.compile(r"mci", re.I), "mCi"),
    (re.compile(r"auc", re.I), "AUC"),
    (re.compile(r"mg", re.I), "mg"),
]
ROUTE_ORAL = re.compile(r"\boral(?:ly)?\b|by\s+mouth|\bp\.o\.|\bPO\b", re.I)
ROUTE_IV = re.compile(r"intravenous|\bi\.v\.|\bIV\b|infus|bolus", re.I)
# A route printed before the amount ("a 5-FU bolus of 400 mg/m2", "oral capecitabine 1000 mg/m2"),
# looked for back to the previous clause or dose.
ROUTE_BEFORE_WINDOW = 40
CLAUSE_BREAK = re.compile(r"[,;(]|\.\s|\band\b|\bplus\b|mg|AUC", re.I)  # a sentence end breaks too
DAYS_LIST = re.compile(r"(?:days?|\bd)\s*(\d+(?:\s*(?:–|-|to|and|,)\s*\d+)*)", re.I)
DAYS_COUNT = re.compile(r"(?<!every )(?<!of )(?<!each )\b(\d+|three|five|seven|ten|fourteen)\s+(?:consecutive\s+)?days", re.I)
FIRST_DAY = re.compile(r"first\s+day", re.I)
SCHEDULE_PARTS = re.compile(r"(\d+|two|three|four|five|six)(?:\s*(?:–|-|to)\s*\d+)?[\s-]*(weeks?|wks?|w\b|weekly|days?)", re.I)
SCHEDULE_Q = re.compile(r"q\s*(\d)\s*w", re.I)


def normalize_unit(text: str) -> str:
    return next(unit for form, unit in UNIT_FORMS if form.search(text))


def normalize_days(text: str) -> str | None:
    if FIRST_DAY.search(text):
        return "1"
    listed = DAYS_LIST.search(text)
    if listed:
        return DASHES.sub("-", listed.group(1)) if " and " not in listed.group(1) else " ".join(listed.group(1).split())
    counted = DAYS_COUNT.search(text)
    if counted:
        return f"1-{int(parse_number(counted.group(1)))}"
    return None


def schedule_phrase(text: str) -> str | None:
    """The first cycle-length phrase in text ("every 3 weeks"), by the SCHEDULE macro."""
    from .grammar import compiled

    found = compiled("<<SCHEDULE>>").search(text)
    return found.group() if found else None


def normalize_schedule(text: str) -> int | None:
    """Cycle length in days: 'every 3 weeks' -> 21, 'every 28 days' -> 28, 'q2w' -> 14."""
    quick = SCHEDULE_Q.search(text)
    if quick:
        return cycle_days(int(quick.group(1)), "weeks")
    found = SCHEDULE_PARTS.search(text)
    if not found:
        return None
    count = parse_number(found.group(1))
    return cycle_days(count, found.group(2))


def _route(text: str) -> str | None:
    return "oral" if ROUTE_ORAL.search(text) else "IV" if ROUTE_IV.search(text) else None


def _clause_before(text: str, start: int) -> str:
    window = text[max(0, start - ROUTE_BEFORE_WINDOW) : start]
    breaks = list(CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def dose(m: re.Match, static: dict) -> Facts:
    amount = _num(m.group("amount"))
    if amount is None:
        return []
    attrs = m.group("attrs") or ""
    unit = normalize_unit(m.group("unit"))
    # "mg/m2 per day" may sit in the attributes when the unit was printed without it.
    if re.match(r"\s*(?:per\s+day|daily|/\s*day)", attrs, re.I):
        unit = daily_unit(unit)
    route = _route(attrs) or _route(_clause_before(m.string, m.start()))
    value = {"drug": None, "amount": amount, "unit": unit, "days": normalize_days(attrs), "route": route,
             "schedule": normalize_schedule(schedule_phrase(attrs) or "")}
    end = m.end("attrs") if attrs.strip() else m.end("unit") if m.start("unit") > m.start("amount") else m.end("amount")
    return [(m.start(), end, value)]


def _is_surname(word: str, surname_max_zipf: float) -> bool:
    return not zipf_at_least(word.lower(), surname_max_zipf)


def citation(m: re.Match, static: dict) -> Facts:
    """static: check_surname (from the rule) and surname_max_zipf (gepnec_study's setting, which the
    component passes; config.cfg's value for rules run without it)."""
    author = m.group("author")
    threshold = static.get("surname_max_zipf", setting("gepnec_study", "surname_max_zipf"))
    if static.get("check_surname") and not _is_surname(author, threshold):
        return []
    year = m.groupdict().get("year") or m.groupdict().get("bare_year")
    refs = m.groupdict().get("refs")
    ref = int(re.search(r"\d+", refs).group()) if refs else None
    value = {"first_author": author, "year": int(year[:4]) if year else None, "ref": ref}
    return [(m.start(), m.end(), value)]


def static(m: re.Match, static: dict) -> Facts:
    return [(m.start(), m.end(), static["value"])]


EMPTY_DESIGN = {"prospective": None, "randomized": None, "phase": None, "centers": None}
ROMAN = {"I": "1", "II": "2", "III": "3"}


def design(m: re.Match, static: dict) -> Facts:
    return [(m.start(), m.end(), {**EMPTY_DESIGN, static["key"]: static["value"]})]


def design_phase(m: re.Match, static: dict) -> Facts:
    phases = [ROMAN.get(p.upper(), p) for p in (m.group("phase"), m.group("phase2")) if p]
    return [(m.start(), m.end(), {**EMPTY_DESIGN, "phase": "/".join(phases)})]


def design_letter(m: re.Match, static: dict) -> Facts:
    """Tables abbreviate the design as 'P; multicenter' or 'R; single center'."""
    return [(m.start(), m.end(), {**EMPTY_DESIGN, "prospective": m.group("letter") == "P"})]


BUILDERS = {
    "response": response,
    "survival": survival,
    "survival_nr": survival_nr,
    "survival_pair": survival_pair,
    "survival_named_before": survival_named_before,
    "n_patients": n_patients,
    "toxicity": toxicity,
    "toxicity_pair": toxicity_pair,
    "toxicity_fatal": toxicity_fatal,
    "toxicity_shared": toxicity_shared,
    "toxicity_list": toxicity_list,
    "toxicity_respectively": toxicity_respectively,
    "mixed_series": mixed_series,
    "subgroup": subgroup,
    "subgroup_threshold": subgroup_threshold,
    "subgroup_status": subgroup_status,
    "subgroup_without": subgroup_without,
    "response_kind": response_kind,
    "allocation": allocation,
    "allocation_each": allocation_each,
    "allocation_names": allocation_names,
    "labelled_allocation": labelled_allocation,
    "no_response": no_response,
    "dose": dose,
    "citation": citation,
    "static": static,
    "design": design,
    "design_phase": design_phase,
    "design_letter": design_letter,
}
