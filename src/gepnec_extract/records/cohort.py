"""A cohort record under construction: values arrive from table cells and sentences, each with
its evidence; the first source of a field wins and a later disagreeing one is kept as a conflict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .. import fields
from ..model import Evidence, StudyRecord
from ..nlp.phrases import arm_key
from ..nlp.phrases import study_id

LIST_FIELDS = set(fields.LIST_FIELDS)
# the figures that make a cohort evidence (rather than a mention of a study): the model's outcomes
OWN_FIGURES = set(fields.OUTCOME_FIELDS)


@dataclass(frozen=True)
class StudyRef:
    first_author: str | None
    year: int | None
    ref: int | None = None
    acronym: str | None = None

    @property
    def study_id(self) -> str:
        return study_id(self.first_author, self.year, self.acronym)


@dataclass
class Conflict:
    field: str
    kept: Any
    other: Any
    evidence: Evidence


@dataclass
class Cohort:
    study: StudyRef
    arm: str | None
    values: dict[str, Any] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)  # "table" / "text": where values came from
    # a table row with no figures (design, regimen and doses, sites of a study): it describes the
    # study's cohorts found elsewhere and is never a record of its own
    study_level: bool = False
    describes: str | None = None  # such a row's regimen, naming which of the study's cohorts it is about
    for_arm: str | None = None  # or the arm it names ("A: ..." for the cohort "Regimen A")
    no_drug_regimen: bool = False  # an arm whose own regimen cell names no drug ("B no chemotherapy")

    @property
    def arm_key(self) -> str:
        return arm_key(self.arm)

    def set(self, name: str, value: Any, evidence: Evidence) -> None:
        """Set a field once; a later different value is a conflict (the first source wins)."""
        if value is None or value == [] or value == "":
            return
        self.sources.add("table" if evidence.source.startswith("table") else "text")
        if name in LIST_FIELDS:
            current = self.values.setdefault(name, [])
            added = [item for item in value if item not in current]
            if added:
                current.extend(added)
                self.evidence.append(evidence)
            return
        current = self.values.get(name)
        if current is None:
            self.values[name] = value
            self.evidence.append(evidence)
        elif current != value and not self._completes(name, current, value, evidence):
            self.conflicts.append(Conflict(name, current, value, evidence))

    def _completes(self, name: str, current: Any, value: Any, evidence: Evidence) -> bool:
        """A later value that agrees on everything the first one says and adds the rest (a median
        first printed alone, then with its range) fills the gaps instead of conflicting."""
        if not isinstance(current, BaseModel) or type(current) is not type(value):
            return False
        mine, theirs = current.model_dump(), value.model_dump()
        if any(mine[k] is not None and theirs[k] is not None and mine[k] != theirs[k] for k in mine):
            return False
        if name in fields.SURVIVAL_FIELDS.values() and mine.get("median") != theirs.get("median"):
            return False
        self.values[name] = type(current)(**{k: mine[k] if mine[k] is not None else theirs[k] for k in mine})
        self.evidence.append(evidence)
        return True

    def merge(self, other: "Cohort") -> None:
        by_field = {}
        for ev in other.evidence:
            by_field.setdefault(ev.field, ev)
        for name, value in other.values.items():
            ev = by_field.get(name) or Evidence(field=name, source="text", text="")
            self.set(name, value, ev)
        self.conflicts.extend(other.conflicts)
        self.sources |= other.sources
        if self.arm is None and other.arm and not arm_key(other.arm):
            self.arm = other.arm  # the whole series as the text names it ("Whole series")
        self.no_drug_regimen = self.no_drug_regimen or other.no_drug_regimen

    def to_record(self, doc_id: str) -> StudyRecord:
        values = {k: v for k, v in self.values.items() if k in StudyRecord.model_fields}
        return StudyRecord(
            doc_id=doc_id, study_id=self.study.study_id, first_author=self.study.first_author,
            year=self.study.year, ref=self.study.ref, arm=self.arm, evidence=self.evidence, **values)
