"""Cohorts from what the running text revealed: one per (study, arm) the text gives values for,
plus what each arm takes from the study's text (its regimen, size and doses).

Study-level values read as "_design", "_line", "_n" and "_regimen" are combined here into the
arm-None cohort's design, line, size and regimen; assemble() spreads them over the arms.
"""

from __future__ import annotations

from collections import Counter

from ..model import Design, Evidence
from ..nlp import discourse
from ..nlp.phrases import population_of
from .cohort import Cohort
from .context import DocContext
from .text_state import OUTCOME_FIELDS, Found, StudyState, TextState, text_evidence
from .text_values import merge_doses

# what a subgroup's arm ("Subgroup: Arm") takes from the tables' arm of that name
INHERITED = ("regimen", "drugs", "population", "n_total")


class CohortBuilder:
    def __init__(self, ctx: DocContext, state: TextState) -> None:
        self.ctx = ctx
        self.state = state
        self.primary = state.primary

    def cohorts(self) -> list[Cohort]:
        result = []
        for (_, key), found in self.state.found.items():
            cohort = self._found_cohort(found, key)
            if cohort is not None:
                result.append(cohort)
        result += self._arm_totals()
        result += self._subgroup_arms() + self._arm_regimens()
        result += self._arm_treatments() + self._arm_sizes() + self._arm_doses()
        return result

    def _found_cohort(self, found: Found, key: str) -> Cohort | None:
        """The cohort of one (study, arm)'s values; None for a study the text only mentions."""
        study = found.study
        if not study.from_table and study is not self.state.own and not self.state.has_figures(study):
            return None
        cohort = Cohort(study=study.ref_obj(), arm=found.arm if key else study.whole_label,
                        no_drug_regimen=found.arm in study.untreated_arms)
        if found.values and found.arm and population_of(found.arm) and found.arm not in study.table_arms:
            # a subgroup the text names by its tumour type ("patients with WDNETs")
            cohort.set("population", population_of(found.arm), _named(found.values[0][2], "population"))
        if study.population and found.values:
            cohort.set("population", study.population, _named(found.values[0][2], "population"))
        for name, value, evidence in found.values:
            if not name.startswith("_"):
                cohort.set(name, value, evidence)
        if key == "":
            self._fill_study_level(cohort, found)
        return cohort if cohort.values else None

    # --- what each arm takes -----------------------------------------------------------------------

    def _arm_treatments(self) -> list[Cohort]:
        """The regimen and drugs an arm's dose sentence taught (an arm named by a trial name)."""
        result = []
        for study in self.state.studies:
            for arm, (regimen, drugs, sentence) in study.arm_treatments.items():
                cohort = Cohort(study=study.ref_obj(), arm=arm)
                cohort.set("regimen", regimen, text_evidence("regimen", sentence))
                cohort.set("drugs", drugs, text_evidence("drugs", sentence))
                result.append(cohort)
        return result

    def _arm_sizes(self) -> list[Cohort]:
        """"29 per arm": each arm's size."""
        result = []
        for study in self.state.studies:
            if study.arm_each is None:
                continue
            size, sentence = study.arm_each
            for arm in self.state.arms_of(study):
                cohort = Cohort(study=study.ref_obj(), arm=arm)
                cohort.set("n_patients", size, text_evidence("n_patients", sentence))
                result.append(cohort)
        return result

    def _arm_doses(self) -> list[Cohort]:
        """The doses said of one arm, merged."""
        result = []
        for study in self.state.studies:
            for arm, items in study.arm_doses.items():
                cohort = Cohort(study=study.ref_obj(), arm=arm)
                cohort.set("doses", merge_doses([d for d, _ in items]), items[0][1])
                result.append(cohort)
        return result

    def _subgroup_arms(self) -> list[Cohort]:
        """"HBP: IP" is the IP arm of the HBP subgroup: it takes the arm's regimen, drugs, population."""
        result = []
        for found in self.state.found.values():
            base = found.arm.split(": ", 1)[1] if found.arm and ": " in found.arm else None
            values = found.study.table_arm_values.get(base) if base else None
            if values is None:
                continue
            cohort = Cohort(study=found.study.ref_obj(), arm=found.arm)
            for name in INHERITED:
                evidence = next((e for e in values[1] if e.field == name), None)
                if name in values[0] and evidence is not None:
                    cohort.set(name, values[0][name], evidence)
            result.append(cohort)
        return result

    def _arm_regimens(self) -> list[Cohort]:
        """Arms named by their regimen ("IP", "EP") take it as their regimen and drugs."""
        result = []
        for study in self.state.studies:
            drug_sets = {a: self.ctx.drugs_of(a) for a in self.state.arms_of(study)
                         if not discourse.is_negated_label(a) and ": " not in a}
            if len({tuple(d) for d in drug_sets.values() if d}) < 2:
                continue
            for arm, drugs in drug_sets.items():
                sentence = study.arm_sentences.get(arm)
                if not drugs or sentence is None:
                    continue
                cohort = Cohort(study=study.ref_obj(), arm=arm)
                cohort.set("regimen", arm.strip(), text_evidence("regimen", sentence))
                cohort.set("drugs", drugs, text_evidence("drugs", sentence))
                result.append(cohort)
        return result

    def _arm_totals(self) -> list[Cohort]:
        """The size of the whole series is each arm's n_total (primary papers with arms)."""
        result = []
        for study in self.state.studies:
            if study.from_table and not self.primary or (self.primary and study is not self.state.own):
                continue
            whole = [f for f in self.state.found_of(study) if f.arm is None]
            counts = [(v, e) for f in whole for n, v, e in f.values if n == "_n"]
            arms = self.state.arms_of(study)
            whole_has_figures = any(n in OUTCOME_FIELDS for f in whole for n, _, _ in f.values)
            if not counts or not arms or (len(arms) < 2 and whole_has_figures) \
                    or (not study.from_table and not self.state.has_figures(study)):
                continue
            for arm in arms:
                cohort = Cohort(study=study.ref_obj(), arm=arm)
                cohort.set("n_total", counts[0][0], _named(counts[0][1], "n_total"))
                result.append(cohort)
        return result

    # --- the study-level values ----------------------------------------------------------------------

    def _fill_study_level(self, cohort: Cohort, found: Found) -> None:
        """The arm-None cohort's design, line, size, population, regimen and doses."""
        study = found.study
        own_figures = bool(set(cohort.values) - {"population"})
        designs = _values_named(found, "_design")
        if designs:
            several_arms = not self.primary and len(self.state.arms_of(study)) > 1
            cohort.set("design", _combine_designs([v for v, _ in designs], several_arms), _named(designs[0][1], "design"))
        lines = _values_named(found, "_line")
        if lines:
            cohort.set("line", lines[0][0], _named(lines[0][1], "line"))
        counts = _values_named(found, "_n")
        if counts and (own_figures or not self.state.arms_of(study)) and (self.primary or not study.from_table):
            cohort.set("n_patients", counts[0][0], _named(counts[0][1], "n_patients"))
        if self.primary and not study.table_arms:
            cohort.set("population", self.ctx.population, _named(found.values[0][2], "population"))
        self._fill_regimen(cohort, found)
        if study.doses:
            cohort.set("doses", merge_doses([d for d, _ in study.doses]), study.doses[0][1])

    def _fill_regimen(self, cohort: Cohort, found: Found) -> None:
        study = found.study
        text_arms = [a for a in self.state.arms_of(study) if a not in study.table_arms]
        arm_treatments = {tuple(drugs) for _, drugs, _ in study.arm_treatments.values()}
        if len(text_arms) > 1 or len(arm_treatments) > 1:
            return  # the arms compared are the regimens
        regimen = self._regimen(_values_named(found, "_regimen"), study)
        if regimen:
            text, evidence = regimen
            cohort.set("regimen", text, evidence)
            cohort.set("drugs", self.ctx.drugs_of(text), Evidence(field="drugs", page=evidence.page,
                                                                  source="text", text=evidence.text))

    def _regimen(self, mentions: list[tuple[tuple[str, str], Evidence]], study: StudyState):
        """The regimen the study's sentences name most often (an acronym counts for its drugs)."""
        arm_drugs = {tuple(self.ctx.drugs_of(a)) for a in study.table_arms} - {()}
        if len(arm_drugs) > 1 or not mentions:
            return None  # the arms are the regimens
        drug_counts = Counter(d for (label, t), _ in mentions for d in self.ctx.drugs_of(t))
        if not drug_counts:
            return None
        top_drug = drug_counts.most_common(1)[0][0]
        # the regimen: the most named combination holding the most named drug, else that drug
        regimens = [(t, e) for (label, t), e in mentions if label == "REGIMEN" and top_drug in self.ctx.drugs_of(t)]
        pool = regimens or [(t, e) for (label, t), e in mentions if label == "DRUG" and self.ctx.drugs_of(t) == [top_drug]]
        if not pool:
            return None
        counts = Counter(t.lower() for t, _ in pool)
        best, n = counts.most_common(1)[0]
        dosed = {dose.drug for dose, _ in study.doses}
        if not regimens and n < 2 and set(self.ctx.drugs_of(best)) != dosed:
            return None  # a drug named once, and not the one drug dosed: perhaps only in passing
        evidence = next(e for t, e in pool if t.lower() == best)
        text = next(t for t, _ in pool if t.lower() == best)
        return text, Evidence(field="regimen", page=evidence.page, source="text", text=evidence.text)


def _values_named(found: Found, name: str) -> list[tuple[object, Evidence]]:
    return [(v, e) for n, v, e in found.values if n == name]


def _named(evidence: Evidence, name: str) -> Evidence:
    return evidence.model_copy(update={"field": name})


def _combine_designs(values: list[dict], several_arms: bool = False) -> Design:
    combined = {"prospective": None, "randomized": None, "phase": None, "centers": None}
    for value in values:
        for key in combined:
            if combined[key] is None and value.get(key) is not None:
                combined[key] = value[key]
    if combined["prospective"] is None and combined["phase"]:
        combined["prospective"] = True  # a phase 1-3 trial is prospective
    # a single-regimen prospective study is evidently not randomized; two arms may be either way
    if combined["prospective"] is not None and combined["randomized"] is None and not several_arms:
        combined["randomized"] = False
    return Design(**combined)
