"""Reviewers' corrections: the curated source of the evidence dataset.

A reviewer looks at one extracted value (a dataset column of one record: ``rr_pct``,
``os_median``, ``drugs`` ...) and says it is right, or wrong with the right value. Each verdict is
appended to the ``corrections`` table of ``evidence.duckdb`` with who, what and when (reviewer,
field, the value as extracted, the value given, UTC time). Nothing else is changed: the extracted
rows stay as they are, and the ``curated_records`` view shows each record with the latest verdict
per field applied (``corrected_fields`` / ``confirmed_fields`` say which). A later verdict on the
same value supersedes an earlier one; both stay in the table, so the history is complete.

A correction is written like a refresh (under the dataset's lock, to a copy that is renamed over
the file), so a reader never sees half of it. ``export_gold`` writes the curated records of every
reviewed paper as ``<doc_id>.gold.jsonl``, the form ``gepnec-extract evaluate --gold`` reads.

A corrections file (``apply-corrections FILE``) is JSON lines, one verdict a line::

    {"doc_id": "d01", "study_id": "Quill2001", "cohort_key": "", "field": "rr_pct",
     "verdict": "wrong", "value": "41.5", "reviewer": "ann", "note": "Table 2"}

``value`` is text as a reviewer types it (a number, "yes"/"no", drugs separated by commas, JSON for
a list of doses or toxicities, empty for "no value"); ``cohort_key`` may be replaced by ``arm``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from pydantic import TypeAdapter, ValidationError

from . import dataset
from .model import Dose, PrimarySite, StudyRecord, Toxicity

CORRECTABLE = tuple(f for f in dataset.DATA_FIELDS if f != "evidence")
VERDICTS = ("right", "wrong")
MAX_VALUE_CHARS = 4000
_ITEM_MODELS = {"doses": Dose, "toxicities": Toxicity, "primary_sites": PrimarySite}
_TRUE, _FALSE = {"yes", "true", "1", "y"}, {"no", "false", "0", "n"}


class CorrectionError(ValueError):
    """A verdict that cannot be recorded (unknown record or field, a value of the wrong type)."""


@dataclass
class Correction:
    doc_id: str
    study_id: str
    cohort_key: str
    field: str
    verdict: str  # "right" | "wrong"
    value: str | None = None  # the right value as typed (verdict "wrong")
    reviewer: str = "anonymous"
    note: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Correction":
        if not isinstance(data, dict):
            raise CorrectionError("a correction is a JSON object")
        key = data.get("cohort_key")
        if key is None:
            key = dataset.cohort_key(data.get("arm"))
        missing = [k for k in ("doc_id", "study_id", "field", "verdict") if not data.get(k)]
        if missing:
            raise CorrectionError(f"missing {', '.join(missing)}")
        value = data.get("value")
        if value is not None and not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False)
        return cls(str(data["doc_id"]), str(data["study_id"]), str(key), str(data["field"]), str(data["verdict"]),
                   value, str(data.get("reviewer") or "anonymous"), str(data.get("note") or ""))


def parse_value(field: str, text: str | None) -> Any:
    """A typed value for a dataset column from what a reviewer typed (None: no value)."""
    if field not in CORRECTABLE:
        raise CorrectionError(f"{field!r} is not a field that can be corrected")
    text = (text or "").strip()
    if len(text) > MAX_VALUE_CHARS:
        raise CorrectionError(f"value longer than {MAX_VALUE_CHARS} characters")
    if not text:
        return None
    kind = dataset.COLUMN_TYPES[field]
    try:
        if kind == "DOUBLE":
            return float(text.replace(",", "."))
        if kind == "BIGINT":
            return int(text)
        if kind == "BOOLEAN":
            if text.casefold() in _TRUE | _FALSE:
                return text.casefold() in _TRUE
            raise ValueError("yes or no")
        if kind == "VARCHAR":
            return text
        if field == "drugs":
            items = json.loads(text) if text.startswith("[") else [d.strip() for d in text.replace(";", ",").split(",")]
            return sorted(str(d) for d in items if str(d).strip()) or None
        items = TypeAdapter(list[_ITEM_MODELS[field]]).validate_json(text)
        return dataset._canonical([item.model_dump(mode="json") for item in items]) or None
    except (ValueError, ValidationError) as err:
        message = str(err).splitlines()[0]
        raise CorrectionError(f"{field}: {text[:60]!r} is not a {kind.lower()} value ({message})") from None


def apply_to_record(record: StudyRecord, fixes: dict[str, Any]) -> StudyRecord:
    """The record with each corrected column's value put in place (os_median -> os_months.median)."""
    data = record.model_dump(mode="json")
    for column, value in fixes.items():
        name, key = dataset.field_path(column)
        if key is None:
            data[name] = value if value is not None or name not in ("drugs", "doses", "toxicities",
                                                                      "primary_sites") else []
        else:
            nested = dict(data.get(name) or {})
            nested[key] = value
            data[name] = nested if any(v is not None for v in nested.values()) else None
    return StudyRecord.model_validate(data)


def record(db_path: Path | str, items: list[Correction], at: datetime | None = None) -> list[int]:
    """Append the verdicts to the dataset (all or none); returns their correction ids."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise CorrectionError(f"no dataset at {db_path}")
    at = (at or datetime.now(timezone.utc)).replace(tzinfo=None)

    def change(con: duckdb.DuckDBPyConnection) -> list[int]:
        next_id = con.execute("SELECT coalesce(max(correction_id), 0) + 1 FROM corrections").fetchone()[0]
        rows = []
        for offset, item in enumerate(items):
            rows.append(_row(con, next_id + offset, item, at))
        con.executemany("INSERT INTO corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return [r[0] for r in rows]

    with dataset._locked(db_path):
        return dataset._write_atomically(db_path, change)


def _row(con: duckdb.DuckDBPyConnection, correction_id: int, item: Correction, at: datetime) -> tuple:
    if item.verdict not in VERDICTS:
        raise CorrectionError(f"verdict must be one of {', '.join(VERDICTS)}, not {item.verdict!r}")
    if item.field not in CORRECTABLE:
        raise CorrectionError(f"{item.field!r} is not a field that can be corrected")
    found = con.execute(f"SELECT {item.field}, record_json FROM records WHERE doc_id = ? AND study_id = ? "
                        "AND cohort_key = ?", [item.doc_id, item.study_id, item.cohort_key]).fetchone()
    if found is None:
        raise CorrectionError(f"no record {item.doc_id} / {item.study_id} / {item.cohort_key!r} in the dataset")
    extracted = dataset._value_text({item.field: found[0]}, item.field)
    if item.verdict == "right":
        corrected = extracted
    else:
        value = parse_value(item.field, item.value)
        apply_to_record(StudyRecord.model_validate_json(found[1]), {item.field: value})  # validates
        corrected = dataset._value_text({item.field: value}, item.field)
    return (correction_id, item.doc_id, item.study_id, item.cohort_key, item.field, item.verdict, extracted,
            corrected, item.reviewer[:200], at, item.note[:1000])


def history(db_path: Path | str) -> pd.DataFrame:
    """Every verdict ever given, oldest first."""
    return _nulls(dataset._query(db_path, "SELECT * FROM corrections ORDER BY correction_id"))


def _nulls(frame: pd.DataFrame) -> pd.DataFrame:
    """NULL as None (pandas would give NaN in a text column that has no value)."""
    return frame.astype(object).where(frame.notna(), None)


def latest(db_path: Path | str) -> dict[tuple[str, str, str], dict[str, dict[str, Any]]]:
    """(doc_id, study_id, cohort_key) -> field -> its latest verdict (a dict of the table's row)."""
    frame = _nulls(dataset._query(db_path, "SELECT * FROM latest_corrections ORDER BY correction_id"))
    found: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}
    for row in frame.to_dict("records"):
        found.setdefault((row["doc_id"], row["study_id"], row["cohort_key"]), {})[row["field"]] = row
    return found


def curated_records(db_path: Path | str, reviewed_only: bool = False) -> list[StudyRecord]:
    """The dataset's records with the latest corrections applied (``reviewed_only``: of the papers
    that have at least one verdict)."""
    verdicts = latest(db_path)
    reviewed_docs = {key[0] for key in verdicts}
    frame = dataset._query(db_path, "SELECT doc_id, study_id, cohort_key, record_json FROM records "
                                    "ORDER BY doc_id, study_id, cohort_key")
    out = []
    for row in frame.to_dict("records"):
        if reviewed_only and row["doc_id"] not in reviewed_docs:
            continue
        record_ = StudyRecord.model_validate_json(row["record_json"])
        fixes = {f: json.loads(v["corrected_value"]) if v["corrected_value"] is not None else None
                 for f, v in verdicts.get((row["doc_id"], row["study_id"], row["cohort_key"]), {}).items()
                 if v["verdict"] == "wrong"}
        out.append(apply_to_record(record_, fixes) if fixes else record_)
    return out


def export_gold(db_path: Path | str, out_dir: Path | str) -> list[Path]:
    """``<doc_id>.gold.jsonl`` in out_dir for every reviewed paper: its curated records."""
    from .model import safe_doc_id

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_doc: dict[str, list[StudyRecord]] = {}
    for r in curated_records(db_path, reviewed_only=True):
        by_doc.setdefault(r.doc_id, []).append(r)
    written = []
    for doc_id, records in sorted(by_doc.items()):
        target = out_dir / f"{safe_doc_id(doc_id)}.gold.jsonl"
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
        tmp.replace(target)
        written.append(target)
    return written


def read_file(path: Path | str) -> list[Correction]:
    """The verdicts of a corrections file (JSON lines; see the module docstring)."""
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(Correction.from_dict(json.loads(line)))
        except json.JSONDecodeError as err:
            raise CorrectionError(f"line {number}: not JSON ({err.msg})") from None
        except CorrectionError as err:
            raise CorrectionError(f"line {number}: {err}") from None
    return items


def to_file_lines(db_path: Path | str) -> str:
    """The dataset's corrections as a corrections file (replayable with apply-corrections)."""
    lines = []
    for row in history(db_path).to_dict("records"):
        value = None if row["corrected_value"] is None else json.loads(row["corrected_value"])
        item = Correction(row["doc_id"], row["study_id"], row["cohort_key"], row["field"], row["verdict"],
                          None if row["verdict"] == "right" else _as_typed_text(row["field"], value),
                          row["reviewer"], row["note"] or "")
        lines.append(json.dumps({**asdict(item), "at": str(row["corrected_at"])}, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def _as_typed_text(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field == "drugs":
        return ", ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return f"{value:g}" if isinstance(value, float) else str(value)
