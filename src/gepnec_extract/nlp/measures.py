"""DOSE, RESPONSE, SURVIVAL, TOXICITY and N_PATIENTS from the pattern files, plus the steps that
need more than one match: which drug a dose belongs to, a cycle length printed once for the whole
regimen, and a toxicity grade shared along a list ("grade 3-4 neutropenia (58) and diarrhea (17)").
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..units import is_daily_unit
from .builders import BUILDERS, _route, normalize_grade, normalize_schedule
from .grammar import Fact, add_facts, compiled, doc_text, facts_of, load_rules, run_rules
from .settings import component_settings, patterns_dir

# config.cfg ([components.gepnec_measures]): the pattern families run, and how far back (characters)
# a dose looks for the drug it belongs to
MEASURE_FAMILIES = tuple(component_settings("gepnec_measures")["families"])
DOSE_DRUG_WINDOW = component_settings("gepnec_measures")["dose_drug_window"]
DRUG_AFTER_DOSE = re.compile(r"^\s*(?:of|for)\s+$", re.IGNORECASE)
GRADE_SHARED_GAP = re.compile(r"^\)?[\s,]*(?:and|or)?\s*$", re.IGNORECASE)
# "The most frequent grade 3 events were fatigue (12%), ..." / "Grade 3-4 adverse events occurred in
# 38%, mainly neutropenia (21%)": a grade heading a list of events later in the same sentence.
GRADE_HEADING = re.compile(
    r"(?P<grade><<GRADE>>)\s+(?:\w+\s+){0,2}?(?:events?|toxicit(?:y|ies)|adverse\s+events|AEs|side\s+effects)\b(?P<rest>[^;]*)$",
    re.IGNORECASE,
)


# "Grade 1–2: nausea (12.5), paresthesias (12.5)": a grade labelling the list that follows its colon.
GRADE_LABEL = re.compile(r"(?P<grade><<GRADE>>)\s*:", re.IGNORECASE)


def _sentence_of(doc: Doc, char: int) -> Span | None:
    token = doc.char_span(char, char + 1, alignment_mode="expand")
    return token.sent if token is not None and len(token) else None


def attach_drugs(doc: Doc, facts: list[Fact], window: int = DOSE_DRUG_WINDOW) -> None:
    drugs = facts_of(doc, "DRUG")
    text = doc_text(doc)
    for fact in (f for f in facts if f.label == "DOSE"):
        sentence = _sentence_of(doc, fact.start)
        floor = max(fact.start - window, sentence.start_char if sentence is not None else 0)
        before = [d for d in drugs if floor <= d.start_char and d.end_char <= fact.start]
        after = [d for d in drugs if d.start_char >= fact.end and DRUG_AFTER_DOSE.match(text[fact.end : d.start_char])]
        chosen = after[0] if after else before[-1] if before else None
        fact.value["drug"] = chosen._.value if chosen is not None else None


CONTINUOUS = re.compile(r"\b(?:once|twice)?\s*daily\b|\bper\s+day\b|\bcontinuous(?:ly)?\b", re.IGNORECASE)


def continuous_dose(text: str, value: dict) -> bool:
    """"B 40 mg orally once daily" (no days): taken every day, so a cycle printed for another drug of
    the sentence is not its schedule."""
    return value.get("days") is None and bool(CONTINUOUS.search(text)) and not is_daily_unit(value.get("unit"))


def spread_schedule(doc: Doc, facts: list[Fact]) -> None:
    """A cycle length stated once in a sentence applies to every dose of that sentence."""
    schedule_regex = compiled("<<SCHEDULE>>")
    for sentence in doc.sents:
        doses = [f for f in facts if f.label == "DOSE" and sentence.start_char <= f.start < sentence.end_char]
        if not doses:
            continue
        found = [m for m in schedule_regex.finditer(sentence.text)]
        if not found:
            continue
        cycle = normalize_schedule(found[0].group())
        for fact in doses:
            if fact.value["schedule"] is None and not continuous_dose(doc_text(doc)[fact.start:fact.end], fact.value):
                fact.value["schedule"] = cycle


def spread_route(doc: Doc, facts: list[Fact]) -> None:
    """A route printed once for the whole regimen, after its doses ("A 100 mg/m2 on days 1-3 and
    B 45 mg/m2 on days 2 and 3, both as continuous intravenous infusions") applies to the doses
    of that sentence that print none. A route inside another dose's span is that dose's own."""
    route_regex = compiled(r"\b(?:<<ROUTE>>)")
    for sentence in doc.sents:
        doses = [f for f in facts if f.label == "DOSE" and sentence.start_char <= f.start < sentence.end_char]
        if not doses or all(f.value["route"] for f in doses):
            continue
        last = max(f.end for f in doses)
        free = [m for m in route_regex.finditer(doc_text(doc), last, sentence.end_char)]
        if not free:
            continue
        route = _route(free[0].group())
        for fact in doses:
            if fact.value["route"] is None:
                fact.value["route"] = route


# "A 25 mg/m2 and B 100 mg/m2 on day 1": nothing but "and" and the next drug between two doses
COORDINATED_GAP = re.compile(r"^\s*(?:,\s*)?(?:and\s+|plus\s+|\+\s*)?(?:[\w-]+\s+){1,3}$", re.IGNORECASE)


def spread_coordinated_attributes(doc: Doc, facts: list[Fact]) -> None:
    """Two doses joined by "and" whose days and route are printed once, after the second ("A 25 mg/m2
    and B 100 mg/m2, both given intravenously on day 1"), share them: the first takes what it lacks."""
    text = doc_text(doc)
    doses = sorted((f for f in facts if f.label == "DOSE"), key=lambda f: f.start)
    for first, second in reversed(list(zip(doses, doses[1:]))):
        if first.value["days"] is not None or first.value["route"] is not None:
            continue  # the first prints attributes of its own: the second's are its own too
        if not COORDINATED_GAP.match(text[first.end:second.start]):
            continue
        first.value["days"] = second.value["days"]
        first.value["route"] = second.value["route"]


# a death from an event ("pneumonia was fatal in 2%") has no grade to share or take
UNGRADED_RULES = {"count_pct_died_of_event", "event_fatal_in_pct"}


def share_grades(doc: Doc, facts: list[Fact]) -> None:
    toxicities = sorted((f for f in facts if f.label == "TOXICITY" and f.rule not in UNGRADED_RULES),
                        key=lambda f: f.start)
    text = doc_text(doc)
    heading = compiled(GRADE_HEADING.pattern)
    labelled = compiled(GRADE_LABEL.pattern)
    for fact in toxicities:  # "Grade 1–2: nausea (12.5), ... Grade 3–4: asthenia (7.5)"
        if fact.value["grade"] is None:
            sentence = _sentence_of(doc, fact.start)
            lead = text[sentence.start_char if sentence is not None else 0 : fact.start]
            labels = list(labelled.finditer(lead))
            if labels and not re.search(r"\bgrade\b|\bG\d", lead[labels[-1].end():], re.IGNORECASE):
                fact.value["grade"] = normalize_grade(labels[-1].group("grade"))
    if toxicities and toxicities[0].value["grade"] is None:
        sentence = _sentence_of(doc, toxicities[0].start)
        lead = text[sentence.start_char if sentence is not None else 0 : toxicities[0].start]
        found = heading.search(lead)
        if found and not re.search(r"\bgrade\b|\bG\d", found.group("rest"), re.IGNORECASE):
            toxicities[0].value["grade"] = normalize_grade(found.group("grade"))
    count_first = compiled(r"(?:<<COUNT>>)\b")
    for previous, current in zip(toxicities, toxicities[1:]):
        gap = text[previous.end : current.start]
        # "..., and three patients (25%) developed X": a clause with its own subject is not the list
        own_subject = count_first.match(text, current.start)
        # "A and B in 5% and 6%, respectively, and C in 7%": a closed list shares nothing further
        closed = text[previous.start : previous.end].rstrip().lower().endswith("respectively")
        if current.value["grade"] is None and previous.value["grade"] and GRADE_SHARED_GAP.match(gap) \
                and not own_subject and not closed:
            current.value["grade"] = previous.value["grade"]


class MeasureTagger:
    """gepnec_measures: DOSE, RESPONSE, SURVIVAL, TOXICITY and N_PATIENTS spans."""

    def __init__(self, families: list[str], dose_drug_window: int, patterns: str | None = None):
        folder = patterns_dir(patterns)
        self.rules = [rule for family in families for rule in load_rules(family, folder)]
        self.dose_drug_window = dose_drug_window

    def __call__(self, doc: Doc) -> Doc:
        return tag_measures(doc, self.rules, self.dose_drug_window)


@Language.factory("gepnec_measures", default_config=component_settings("gepnec_measures"))
def make_measures(nlp: Language, name: str, families: list[str], dose_drug_window: int,
                  patterns: str | None) -> MeasureTagger:
    return MeasureTagger(families, dose_drug_window, patterns)


def tag_measures(doc: Doc, rules: list, window: int = DOSE_DRUG_WINDOW) -> Doc:
    facts = run_rules(doc_text(doc), rules, BUILDERS)
    attach_drugs(doc, facts, window)
    spread_schedule(doc, facts)
    spread_route(doc, facts)
    spread_coordinated_attributes(doc, facts)
    share_grades(doc, facts)
    add_facts(doc, facts)
    return doc
