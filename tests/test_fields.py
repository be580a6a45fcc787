"""fields: the registry derived from model.py agrees with the contract and with its users."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from gepnec_extract import dataset, evaluate, fields
from gepnec_extract.records import cohort

from .conftest import ROOT


def contract_fields() -> list[str]:
    """Field names of the table in docs/study-record.md, in order ("cr_pct, pr_pct" rows split)."""
    names = []
    for line in (ROOT / "docs" / "study-record.md").read_text(encoding="utf-8").splitlines():
        cell = line.split("|")[1].strip() if line.startswith("| ") else ""
        if re.fullmatch(r"[a-z_]+(?:, [a-z_]+)*", cell) and cell != "field":
            names += cell.split(", ")
    return names


def test_the_registry_lists_the_contract_fields_in_order():
    assert list(fields.RECORD_FIELDS) == contract_fields()


def test_outcomes_lists_and_nesting_come_from_the_model():
    assert fields.OUTCOME_FIELDS == {"rr_pct", "cr_pct", "pr_pct", "sd_pct", "pd_pct", "os_months", "pfs_months", "toxicities"}
    assert fields.RESPONSE_FIELDS == {"rr": "rr_pct", "cr": "cr_pct", "pr": "pr_pct", "sd": "sd_pct", "pd": "pd_pct"}
    assert fields.SURVIVAL_FIELDS == {"os": "os_months", "pfs": "pfs_months"}
    assert fields.LIST_FIELDS == ("primary_sites", "drugs", "doses", "toxicities")
    assert set(fields.NESTED_FIELDS) == {"design", "os_months", "pfs_months"}


def test_the_dataset_columns_flatten_the_registry():
    assert dataset.DATA_FIELDS[:8] == ("first_author", "year", "ref", "arm", "population", "n_patients", "n_total",
                                       "primary_sites")
    assert "os_median" in dataset.DATA_FIELDS and "design_phase" in dataset.DATA_FIELDS
    assert dataset.DATA_FIELDS[-1] == "evidence"
    assert set(dataset.COLUMN_TYPES) == set(dataset.DATA_FIELDS)  # every column has its DuckDB type


def test_evaluation_and_cohorts_read_the_registry():
    assert evaluate.SCALAR_FIELDS[0] == "study_id" and set(evaluate.SCALAR_FIELDS[1:]) == set(fields.SCALAR_FIELDS)
    assert cohort.OWN_FIGURES == fields.OUTCOME_FIELDS and cohort.LIST_FIELDS == set(fields.LIST_FIELDS)


def test_column_types_are_read_from_the_model():
    class Item(BaseModel):  # a made-up nested model
        name: str
        n: int | None = None
        kind: Literal["x", "y"] | None = None
        share: float | None = None
        flagged: bool | None = None

    assert dataset.sql_type(list[Item]) == "STRUCT(name VARCHAR, n BIGINT, kind VARCHAR, share DOUBLE, flagged BOOLEAN)[]"
    assert dataset.sql_type(int | None) == "BIGINT" and dataset.sql_type(list[str]) == "VARCHAR[]"
    types = dataset.COLUMN_TYPES
    assert types["os_kind"] == "VARCHAR" and types["os_median"] == "DOUBLE" and types["n_total"] == "BIGINT"
    assert types["design_randomized"] == "BOOLEAN" and types["drugs"] == "VARCHAR[]"
    assert types["doses"] == ("STRUCT(drug VARCHAR, amount DOUBLE, unit VARCHAR, days VARCHAR, route VARCHAR, "
                              "schedule BIGINT)[]")
    assert set(dataset.LIST_FIELDS) == set(fields.LIST_FIELDS) | {"evidence"}
