"""One registry of the StudyRecord's fields, derived from model.py (docs/study-record.md).

Dataset, evaluation, cohorts, text and tables read their field lists here rather than keeping
copies: a field added to the model, or marked an outcome there (``Outcome``), reaches them all.

    RECORD_FIELDS    every field, in the model's order
    KEY_FIELDS       what names a record (doc_id, study_id)
    EVIDENCE_FIELD   the provenance list; every field of DATA_FIELDS may have evidence
    DATA_FIELDS      the values a record extracts (neither key nor evidence), each with provenance
    LIST_FIELDS      values that are lists (primary sites, drugs, doses, toxicities)
    NESTED_FIELDS    values that are objects -> their sub-fields (design, os_months, pfs_months)
    SCALAR_FIELDS    single values (text, numbers)
    NUMBER_FIELDS    single values that are numbers
    OUTCOME_FIELDS   the figures a study reports of its own patients (Outcome in the model)
    RESPONSE_FIELDS  response kind -> field ("rr" -> "rr_pct")
    SURVIVAL_FIELDS  survival endpoint -> field ("os" -> "os_months")
    SCORED_FIELDS    the fields the evaluation compares with gold (all but doc_id and evidence)
"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from .model import Outcome, StudyRecord

_FIELDS = StudyRecord.model_fields


def _outcome(name: str) -> Outcome | None:
    return next((m for m in _FIELDS[name].metadata if isinstance(m, Outcome)), None)


def types_of(annotation: Any) -> tuple:
    """The types an annotation allows, None left out: ``float | None`` -> (float,)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(a for a in get_args(annotation) if a is not type(None))
    return (annotation,)


def _model_of(name: str) -> type[BaseModel] | None:
    found = [t for t in types_of(_FIELDS[name].annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
    return found[0] if found else None


RECORD_FIELDS = tuple(_FIELDS)
KEY_FIELDS = ("doc_id", "study_id")
EVIDENCE_FIELD = "evidence"
DATA_FIELDS = tuple(n for n in RECORD_FIELDS if n not in KEY_FIELDS and n != EVIDENCE_FIELD)
LIST_FIELDS = tuple(n for n in DATA_FIELDS if get_origin(_FIELDS[n].annotation) is list)
NESTED_FIELDS = {n: tuple(_model_of(n).model_fields) for n in DATA_FIELDS if _model_of(n) is not None}
SCALAR_FIELDS = tuple(n for n in DATA_FIELDS if n not in LIST_FIELDS and n not in NESTED_FIELDS)
NUMBER_FIELDS = tuple(n for n in SCALAR_FIELDS if set(types_of(_FIELDS[n].annotation)) <= {int, float})
OUTCOME_FIELDS = frozenset(n for n in DATA_FIELDS if _outcome(n) is not None)
RESPONSE_FIELDS = {_outcome(n).key: n for n in DATA_FIELDS if _outcome(n) and _outcome(n).kind == "response"}
SURVIVAL_FIELDS = {_outcome(n).key: n for n in DATA_FIELDS if _outcome(n) and _outcome(n).kind == "survival"}
SCORED_FIELDS = ("study_id",) + DATA_FIELDS
