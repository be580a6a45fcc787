"""What the running text has revealed so far: the studies, each study's arms, and the values found.

Every fact about one study lives on that study's own ``StudyState`` (the arms its tables and its
sentences name, the arm a drug combination stands for, the doses said of it), and the values read
for a (study, arm) are a ``Found`` kept in reading order by ``TextState``. A study is known by the
object itself: two citations that look alike ("Smith et al." twice, years apart) stay two studies
until the linking says they are one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from .. import fields
from ..model import Dose, Evidence
from .cohort import Cohort, StudyRef, arm_key
from .text_sentences import Sentence

OUTCOME_FIELDS = fields.OUTCOME_FIELDS

DrugKey = tuple[str, ...]  # the sorted drugs of a treatment: the key of the arm it stands for
DoseItems = list[tuple[Dose, Evidence]]


@dataclass(eq=False)  # identity is the study: equal fields may still be two studies
class StudyState:
    """A study as the text reveals it (a reference number may come after the name)."""

    first_author: str | None
    year: int | None
    ref: int | None = None
    acronym: str | None = None
    from_table: bool = False
    population: str | None = None
    # --- what the tables say of it
    table_arms: list[str] = field(default_factory=list)  # arm labels, in table order
    table_fields: set[str] = field(default_factory=set)  # fields its table cohorts fill
    table_events: set[str] = field(default_factory=set)  # toxicity events the tables give
    table_arm_values: dict[str, tuple[dict, list[Evidence]]] = field(default_factory=dict)  # arm -> its values
    # --- what the tables and the text say of its arms
    arm_of_drugs: dict[DrugKey, str] = field(default_factory=dict)  # the first arm given those drugs
    text_arms: list[str] = field(default_factory=list)  # arms an allocation sentence names
    arm_each: tuple[int, Sentence] | None = None  # "N per arm" and its sentence
    arm_treatments: dict[str, tuple[str, list[str], Sentence]] = field(default_factory=dict)  # arm -> (regimen, drugs, sentence)
    arm_sentences: dict[str, Sentence] = field(default_factory=dict)  # the first sentence naming each arm
    arm_doses: dict[str, DoseItems] = field(default_factory=dict)  # doses said of one arm
    untreated_arms: set[str] = field(default_factory=set)  # arms left without the treatment
    whole_label: str | None = None  # the name the text gives its whole series
    # --- what the text says of the whole study
    doses: DoseItems = field(default_factory=list)

    def ref_obj(self) -> StudyRef:
        return StudyRef(self.first_author, self.year, self.ref, self.acronym)

    def arms(self) -> list[str]:
        """The arms the tables name, then those the text's allocation sentences add."""
        return self.table_arms + self.text_arms

    def learn_table_cohort(self, cohort: Cohort, drugs: list[str] | None) -> None:
        """What one table cohort says of this study: the fields and events it fills and, for an arm,
        its label, values and the drugs that name it in the text."""
        self.table_fields.update(cohort.values)
        self.table_events.update(t.event for t in cohort.values.get("toxicities", []))
        if not cohort.arm_key:
            return
        self.table_arm_values[cohort.arm] = (cohort.values, cohort.evidence)
        if drugs:
            self.arm_of_drugs.setdefault(tuple(sorted(drugs)), cohort.arm)
        if cohort.arm not in self.table_arms:
            self.table_arms.append(cohort.arm)


@dataclass
class Found:
    """Values read for one (study, arm), in reading order, each with its sentence."""

    study: StudyState
    arm: str | None
    values: list[tuple[str, object, Evidence]] = field(default_factory=list)


@dataclass
class TextState:
    """The studies a document's text speaks of and the values read for each (study, arm)."""

    primary: bool  # a primary paper (its own study) rather than a review
    studies: list[StudyState] = field(default_factory=list)
    own: StudyState | None = None  # a primary paper's own study
    found: dict[tuple[StudyState, str], Found] = field(default_factory=dict)  # (study, arm key) -> values

    def add(self, study: StudyState, arm: str | None, name: str, value, sentence: Sentence) -> None:
        found = self.found.setdefault((study, arm_key(arm)), Found(study, arm))
        found.values.append((name, value, text_evidence(name, sentence)))

    def found_of(self, study: StudyState) -> Iterator[Found]:
        return (f for f in self.found.values() if f.study is study)

    def arms_of(self, study: StudyState) -> list[str]:
        """The tables' arms, then the arms the text gave values for."""
        arms = list(study.table_arms)
        arms += [f.arm for f in self.found_of(study) if f.arm and f.arm not in arms]
        return arms

    def has_figures(self, study: StudyState) -> bool:
        return any(n in OUTCOME_FIELDS for f in self.found_of(study) for n, _, _ in f.values)


def text_evidence(name: str, sentence: Sentence) -> Evidence:
    return Evidence(field=name, page=sentence.page, source="text", text=sentence.text)
