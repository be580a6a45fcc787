"""Which arms of a study a sentence names, and the arms the text itself reveals.

An arm is named by its label (the tables' "IP", an allocation sentence's "ALPHA"), by its
treatment (a regimen or drug whose drugs are exactly one arm's), or by a subgroup the sentence
names ("patients with a Ki-67 index >20%"). Allocation sentences ("randomly assigned: 84 to A and
86 to B") add arms and their sizes; a dose sentence about one such arm teaches its treatment.
"""

from __future__ import annotations

from ..nlp import discourse
from ..nlp.phrases import population_of
from .context import DocContext
from .text_sentences import Sentence
from .text_state import StudyState, TextState
from .text_values import doses, subgroups

Mention = tuple[int, str]  # (offset in the sentence, arm label)


class ArmNames:
    def __init__(self, ctx: DocContext, state: TextState) -> None:
        self.ctx = ctx
        self.state = state

    def prepass(self, read: list[list[Sentence]]) -> None:
        """A primary paper's arms named anywhere (allocation, named trials) and the treatment each
        arm's dose sentence gives, known before the abstract's figures are placed ("with drugamab
        alone, ...")."""
        own = self.state.own
        for paragraph in read:
            for sentence in paragraph:
                if not (sentence.framing and not discourse.speaks_of_own_series(sentence.text)) or sentence.kind == "title":
                    self.allocation(sentence, own)
        if not own.text_arms:
            return
        for paragraph in read:
            for sentence in paragraph:
                named = {a for _, a in self.mentions(sentence, own)}
                if len(named) == 1 and doses(sentence):
                    self.learn_treatment(own, named.pop(), sentence)

    def allocation(self, sentence: Sentence, study: StudyState) -> None:
        """ARM facts ("randomly assigned: 84 to A and 86 to B", "29 per arm"): each arm's size. An
        arm is the table's arm of the same drugs or name; with no table arms, the text's own arm."""
        for fact in sentence.of("ARM"):
            value = fact.value if isinstance(fact.value, dict) else {}
            if value.get("each") and value.get("n"):
                if study.arm_each is None:
                    study.arm_each = (value["n"], sentence)
                continue
            arm = self.named(study, value.get("name") or "")
            if arm is None and not study.table_arms and value.get("name"):
                arm = self._add_text_arm(study, value["name"])
            if arm is not None and value.get("n"):
                self.state.add(study, arm, "n_patients", value["n"], sentence)
            if arm is not None:
                study.arm_sentences.setdefault(arm, sentence)
                self._treatment_in_span(study, arm, sentence, fact)

    def _treatment_in_span(self, study: StudyState, arm: str, sentence: Sentence, fact) -> None:
        """An arm named by a letter ("Arm A") whose allocation fact runs over its treatment ("to arm
        A, drugamab 5 mg/m2 plus drugoxel 10 mg/m2 (n = 30), or arm B, ..."): the regimen and drugs
        named inside that span are the arm's, as a dose sentence about one arm would teach them."""
        if self.ctx.drugs_of(arm) or arm in study.arm_treatments:
            return
        inside = [f for f in sentence.of("REGIMEN", "DRUG") if fact.start <= f.start < fact.end]
        if not inside:
            return
        regimens = [f for f in inside if f.label == "REGIMEN"]
        named = [f for f in inside if f.label == "REGIMEN" or not any(r.start <= f.start < r.end for r in regimens)]
        treatments = list(dict.fromkeys(f.text for f in sorted(named, key=lambda f: f.start)))  # a drug in a regimen once
        drugs = sorted({d for t in treatments for d in self.ctx.drugs_of(t)})
        if not drugs:
            return
        regimen = treatments[0] if len(treatments) == 1 else " + ".join(treatments)
        study.arm_treatments[arm] = (regimen[0].upper() + regimen[1:], drugs, sentence)
        study.arm_of_drugs.setdefault(tuple(drugs), arm)

    def _add_text_arm(self, study: StudyState, name: str) -> str:
        """An arm only the text names; its drugs, if its name gives them, name it too."""
        arm = name[0].upper() + name[1:]
        if arm not in study.text_arms:
            study.text_arms.append(arm)
        drugs = self.ctx.drugs_of(arm)
        if drugs:
            study.arm_of_drugs.setdefault(tuple(sorted(drugs)), arm)
        return arm

    def learn_treatment(self, study: StudyState, arm: str, sentence: Sentence) -> None:
        """An arm named by a trial name takes the regimen its dose sentence gives, and its drugs then
        name it in other sentences ("with drugamab alone")."""
        treatments = compared_treatments(sentence)
        drugs = sorted({d for t in treatments for d in self.ctx.drugs_of(t)})
        if not drugs or arm in study.arm_treatments or self.ctx.drugs_of(arm):
            return  # an arm named by its treatment already has it
        regimens = sentence.of("REGIMEN")
        regimen = regimens[0].text if regimens else " + ".join(treatments)
        regimen = regimen[0].upper() + regimen[1:]
        study.arm_treatments[arm] = (regimen, drugs, sentence)
        study.arm_of_drugs.setdefault(tuple(drugs), arm)

    def named(self, study: StudyState, name: str) -> str | None:
        """The study's arm a name stands for: the arm of the same drugs, else of a matching label."""
        drugs = self.ctx.drugs_of(name)
        if drugs and tuple(sorted(drugs)) in study.arm_of_drugs:
            return study.arm_of_drugs[tuple(sorted(drugs))]
        for label in study.arms():
            if discourse.names_arm(label, name, self.ctx.abbreviations.get(label.strip())):
                return label
        return None

    def mentions(self, sentence: Sentence, study: StudyState) -> list[Mention]:
        """The study's arms the sentence names, by position: by treatment and by label, else the
        subgroups it names."""
        mentions, regimens = self._treatment_mentions(sentence, study)
        named = self._label_spans(sentence, study, mentions, regimens)
        for start, end, label in named:
            # "ALPHA" inside "ALPHA 2": the longer name is the arm
            if any(s <= start and end <= e and (e - s) > (end - start) and other != label for s, e, other in named):
                continue
            if (start, label) not in mentions:
                mentions.append((start, label))
        if not mentions:  # subgroups the sentence names ("patients with a Ki-67 index >20%")
            mentions = [(pos, self._table_arm_of_type(study, label)) for pos, label in subgroups(sentence)]
        mentions.sort()
        return mentions

    def _label_spans(self, sentence: Sentence, study: StudyState, mentions: list[Mention],
                     regimens: list) -> list[tuple[int, int, str]]:
        """(start, end, label) of each arm label the sentence spells out (or its long form)."""
        named = []
        for label in study.arms():
            long_form = self.ctx.abbreviations.get(label.strip())
            for start, end in discourse.arm_spans(label, sentence.text, long_form):
                inside = [r for r in regimens if r.start <= start < r.end]
                if inside and all((r.start, label) not in mentions for r in inside) and mentions:
                    continue  # the label's words inside a regimen that is another arm
                named.append((start, end, label))
        return named

    def _treatment_mentions(self, sentence: Sentence, study: StudyState) -> tuple[list[Mention], list]:
        """Arms named by their treatment: a tagged regimen or drug whose drugs are exactly one arm's
        ("drugamab plus drugoxel" is the "Drugamab + drugoxel" arm, and its "drugoxel" is not the
        drugoxel arm). Returns the mentions and the regimen facts."""
        if len(study.arm_of_drugs) < 2:
            return [], []
        regimens = sentence.of("REGIMEN")
        mentions = []
        for fact in regimens + sentence.of("DRUG"):
            if fact.label == "DRUG" and any(r.start <= fact.start < r.end for r in regimens):
                continue
            drugs = fact.value if isinstance(fact.value, list) else [fact.value]
            arm = study.arm_of_drugs.get(tuple(sorted(drugs)))
            if arm is not None:
                mentions.append((fact.start, arm))
        return mentions, regimens

    def _table_arm_of_type(self, study: StudyState, label: str) -> str:
        """"PDNEC" is the table's "NEC" arm when that is the study's only poorly differentiated arm."""
        kind = _tumour_class(label)
        if kind is None:
            return label
        same = [a for a in study.table_arms if _tumour_class(a) == kind]
        return same[0] if len(same) == 1 else label


def compared_treatments(sentence: Sentence) -> list[str]:
    """Regimens and single drugs a sentence names, in order (drugs inside a named regimen not again)."""
    regimens = sentence.of("REGIMEN")
    items = [(f.start, f.text) for f in regimens]
    for drug in sentence.of("DRUG"):
        if not any(r.start <= drug.start < r.end for r in regimens):
            items.append((drug.start, drug.text))
    return list(dict.fromkeys(text for _, text in sorted(items)))


def _tumour_class(label: str) -> str | None:
    return {"PDNEC": "pd", "NEC": "pd", "WDNET": "wd", "NET": "wd"}.get(population_of(label) or "")
