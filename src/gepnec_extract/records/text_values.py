"""Values one sentence gives, and which cohort (arm) each belongs to.

A sentence that names one arm gives its figures to that arm; one that names several arms and
prints as many figures of a kind ("50% vs 28% ... with IP than with EP", "12.8 and 9.4 months
for A and B, respectively") gives them in order; figures that cannot be placed are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import fields
from ..model import Dose, Survival, Toxicity
from ..nlp import clauses
from ..units import daily_unit, is_daily_unit
from .text_sentences import Sentence, TextFact

RESPONSE_FIELDS = fields.RESPONSE_FIELDS  # RESPONSE kind -> record field ("rr" -> "rr_pct")


@dataclass
class Placed:
    arm: str | None
    field: str
    value: object


def survival_of(value: dict) -> Survival:
    """A SURVIVAL fact's value as the record's Survival."""
    return Survival(median=value.get("median"), low=value.get("low"), high=value.get("high"),
                    kind=value.get("kind"), not_reached=bool(value.get("not_reached")))


def outcome_groups(sentence: Sentence) -> dict[str, list[tuple[TextFact, object]]]:
    """Figures of the sentence by field, in order of position."""
    groups: dict[str, list[tuple[TextFact, object]]] = {}
    for fact in sentence.facts:
        value = fact.value if isinstance(fact.value, dict) else {}
        if fact.label == "RESPONSE" and clauses.is_relative_change(sentence.text[fact.start:fact.end + 30]):
            continue  # "a 79% reduction in risk of disease progression"
        if fact.label == "RESPONSE" and value.get("kind") in RESPONSE_FIELDS:
            bracket = clauses.bracketed_percent(fact.text)
            pct = bracket if bracket is not None else float(value["pct"])
            groups.setdefault(RESPONSE_FIELDS[value["kind"]], []).append((fact, pct))
        elif fact.label == "SURVIVAL" and value.get("endpoint") in ("os", "pfs"):
            if value.get("median") is None and not value.get("not_reached"):
                continue
            survival = survival_of(value)
            interval = clauses.interval_after(sentence.text[fact.end:])
            if interval and survival.low is None and survival.median is not None:
                survival.low, survival.high, survival.kind = interval
            groups.setdefault(fields.SURVIVAL_FIELDS[value["endpoint"]], []).append((fact, survival))
    none_seen = clauses.no_responses(sentence.text)
    if none_seen and "rr_pct" not in groups:
        _, end, said = none_seen
        groups["rr_pct"] = [(TextFact("RESPONSE", said, {"kind": "rr", "pct": 0.0}, end, end), 0.0)]
    shares = clauses.shares_responding(sentence.text)
    if shares:
        # "67% of those with X had complete or partial regression, in contrast to only 7% of patients with ..."
        tagged = {v for _, v in groups.get("rr_pct", [])}
        if len(shares) > len(tagged) and tagged <= {pct for _, pct in shares}:
            groups["rr_pct"] = [(TextFact("RESPONSE", said, pct, start, end), pct)
                                for (start, end, said), pct in shares]
    for name, items in comparisons(sentence).items():
        current = {repr(v) for _, v in groups.get(name, [])}
        if len(current) < 2 and current <= {repr(v) for _, v in items}:
            groups[name] = items  # the pair the tagger read only half of
    for _, end, said in clauses.none_responded(sentence.text):
        # placed at the end of the phrase, so the arm it names is the nearest before it
        fact = TextFact("RESPONSE", said, {"kind": "rr", "pct": 0.0}, end, end)
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
                            and clauses.leads_to_cohort(text[fact.end:pos])), None)
                if arm is not None:
                    placed.append(Placed(arm, name, value))
    return placed


def toxicities(sentence: Sentence) -> list[Toxicity]:
    return [tox for _, tox in located_toxicities(sentence)]


def located_toxicities(sentence: Sentence) -> list[tuple[int, Toxicity]]:
    """(position in the sentence, toxicity) of each adverse event the sentence reports."""
    return [(fact.start, tox) for fact, tox in located_toxicity_facts(sentence)]


def located_toxicity_facts(sentence: Sentence) -> list[tuple[TextFact, Toxicity]]:
    """(TOXICITY fact, toxicity) of each adverse event the sentence reports, once each."""
    found: list[tuple[TextFact, Toxicity]] = []
    heading_end, heading_grade = clauses.grade_heading(sentence.text) or (None, None)
    for fact in sentence.of("TOXICITY"):
        value = fact.value if isinstance(fact.value, dict) else {}
        if value.get("pct") is None or not value.get("event"):
            continue
        grade = value.get("grade")
        if grade is None and heading_grade and fact.start >= heading_end:
            grade = heading_grade  # the grade heading a list applies to its items
        tox = Toxicity(event=value["event"], grade=grade, pct=value["pct"])
        if all(tox != other for _, other in found):
            found.append((fact, tox))
    return found


def treatments_given(sentence: Sentence) -> list[TextFact]:
    """The REGIMEN and DRUG facts of the treatment the sentence's patients were given: not one they
    had before (context PRIOR: "after progression on drugoplatin-drugoside"), nor a drug inside it."""
    facts = sentence.of("REGIMEN", "DRUG")
    prior = [f for f in facts if "PRIOR" in f.context]
    return [f for f in facts if not any(p.start <= f.start < p.end for p in prior)]


def doses(sentence: Sentence) -> list[Dose]:
    return [dose for _, dose in placed_doses(sentence)]


def placed_doses(sentence: Sentence) -> list[tuple[int, Dose]]:
    """(offset in the sentence, dose) of each DOSE fact that names its drug and amount."""
    items = []
    for fact in sentence.of("DOSE"):
        value = fact.value if isinstance(fact.value, dict) else {}
        if not value.get("drug") or value.get("amount") is None:
            continue
        items.append((fact.start, Dose(**{k: value.get(k) for k in Dose.model_fields})))
    return items


def cycle_length(sentence: Sentence) -> int | None:
    """"Cycles were repeated every 3 weeks", "Courses were repeated q21d" -> days."""
    return clauses.cycle_length(sentence.text)


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


def studied_count(sentence: Sentence) -> int | None:
    """A cited study's size ("examined 651 patients", "a retrospective review of 81 patients")."""
    for fact in sentence.of("N_PATIENTS"):
        if isinstance(fact.value, int) and fact.value >= 10 and clauses.studied_before(sentence.text[:fact.start]):
            return fact.value
    return None


def enrolled_count(sentence: Sentence) -> int | None:
    """The size of the series from an enrolment sentence ("Forty patients were enrolled and treated",
    "the trial enrolled 60 patients")."""
    for fact in sentence.of("N_PATIENTS"):
        if isinstance(fact.value, int) and clauses.enrolment(sentence.text[:fact.start], sentence.text[fact.end:]):
            return fact.value
    return None


# --- figures compared between cohorts ------------------------------------------------------------

def comparisons(sentence: Sentence) -> dict[str, list[tuple[TextFact, object]]]:
    """Pairs of figures of one endpoint ("OS ... (9.3 months vs. 10.2 months"), for the cohorts compared."""
    found: dict[str, list[tuple[TextFact, object]]] = {}
    for name, (_, _, said), figures in clauses.compared_pairs(sentence.text):
        found[name] = [(TextFact("COMPARISON", said, value, start, end),
                        value if name == "rr_pct" else Survival(median=value, not_reached=False))
                       for value, start, end in figures]
    return found


# --- subgroups a sentence names ---------------------------------------------------------------------

def subgroup_prefix(sentence: Sentence) -> str | None:
    """The subgroup a sentence's figures are restricted to ("In the XY subgroup, ...")."""
    return clauses.subgroup_prefix(sentence.text)


def treated_subset(sentence: Sentence) -> tuple[int, str, int] | None:
    """(position, label, size) of a treated subset the sentence's figures are about."""
    return clauses.treated_subset(sentence.text)


def subgroups(sentence: Sentence) -> list[tuple[int, str]]:
    """(position, label) of the patient subgroups a sentence names ("patients with a Ki-67 index >20%")."""
    found = []
    subset = treated_subset(sentence)
    if subset:
        found.append(subset[:2])
    found += clauses.subgroup_mentions(sentence.text)
    for fact, label, _ in _tagged_subgroups(sentence, found):
        found.append((fact.start, label))
    return sorted(found)


def subgroup_sizes(sentence: Sentence) -> dict[str, int]:
    """label -> size of the subgroups the tagger read with a count ("among the six patients with X")."""
    return {label: n for _, label, n in _tagged_subgroups(sentence, _regex_subgroups(sentence)) if n}


def _regex_subgroups(sentence: Sentence) -> list[tuple[int, str]]:
    return clauses.subgroup_mentions(sentence.text, all_of_them=True)


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
