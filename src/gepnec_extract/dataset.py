"""The evidence dataset: study records from every source document in one embedded DuckDB file.

Library functions (no Prefect): ``open_dataset``, ``refresh``, ``export_parquet``, ``study_view``,
``conflicts``, ``history``, ``load_records``. The flows in ``flows/`` call these.

Identity. One row per (doc_id, study_id, cohort_key). ``cohort_key`` is the record's arm label,
Unicode-normalized, case-folded and whitespace-collapsed ("" when the arm is null: the study's
only cohort). Two records of one document with the same key get "#2", "#3" appended, in input
order, so no record is silently dropped.

Refresh semantics. ``refresh(db, {doc_id: [records]})`` replaces the record set of every document
it is given (upsert by key; a key the document no longer yields is removed) and leaves documents
it is not given untouched. Every refresh appends one row to ``refreshes`` and one row per change
to ``history``. The write is atomic: the current file is copied beside itself, the copy is
changed and checkpointed, then ``os.replace``-d over the original, so a run killed at any
point leaves the previous dataset whole (a stale ``*.tmp-<pid>`` copy is removed next time).
A lock file (``<db>.lock``) serializes concurrent refreshes.

Schema
------
``records``   one row per source record::

    doc_id, study_id, cohort_key            VARCHAR   primary key
    first_author, arm, population, regimen, line          VARCHAR
    year, ref, n_patients, n_total                        BIGINT
    rr_pct, cr_pct, pr_pct, sd_pct, pd_pct                DOUBLE
    primary_sites, drugs, doses, design, os_months,
    pfs_months, toxicities, evidence                      VARCHAR (canonical JSON: sorted keys,
                                                          lists sorted, so equal values compare equal)
    record_json    VARCHAR   the StudyRecord exactly as given (round-trips with model_validate_json)
    refresh_id     BIGINT    the refresh that last added or changed the row

``evidence``  one row per Evidence item: doc_id, study_id, cohort_key, field, page, source, text
``history``   refresh_id, doc_id, study_id, cohort_key, change ('added'|'changed'|'removed'),
              field (NULL for added/removed), old_value, new_value (JSON text; whole record for
              added/removed)
``refreshes`` refresh_id, refreshed_at (UTC), docs, added, changed, removed, n_records, note

Views (persisted in the file, so any DuckDB client sees them)
``record_groups`` records plus ``group_key`` (the cohort they are reconciled under: "" when every
              source gives the study as a single record, else the cohort key) and ``source_rank``
              (1 = the document reporting the fewest studies, i.e. the study's own paper, before a
              review that tabulates many).
``field_values`` one row per (record, compared field) with a non-null value (JSON text).
``conflicts`` fields on which two or more sources of one study group give different non-null
              values: study_id, group_key, field, doc_id, value, evidence (that source's evidence
              texts for the field, "p<page> <source>: <text>" joined by " | ").
``study_view`` one row per (study_id, group_key): every compared field taken from the best-ranked
              source that gives it, plus sources (list), n_sources and conflict_fields (list).

Example query (DuckDB CLI or ``duckdb.connect("evidence.duckdb", read_only=True)``)::

    SELECT study_id, field, doc_id, value, evidence
    FROM conflicts
    WHERE field IN ('rr_pct', 'os_months')
    ORDER BY study_id, field, doc_id;

    SELECT study_id, regimen, n_patients, rr_pct,
           json_extract(os_months, '$.median')::DOUBLE AS os_median
    FROM study_view ORDER BY os_median DESC NULLS LAST;
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from .model import StudyRecord

KEY_COLUMNS = ("doc_id", "study_id", "cohort_key")
TEXT_FIELDS = ("first_author", "arm", "population", "regimen", "line")
INT_FIELDS = ("year", "ref", "n_patients", "n_total")
FLOAT_FIELDS = ("rr_pct", "cr_pct", "pr_pct", "sd_pct", "pd_pct")
JSON_FIELDS = ("primary_sites", "drugs", "doses", "design", "os_months", "pfs_months", "toxicities", "evidence")
DATA_FIELDS = TEXT_FIELDS + INT_FIELDS + FLOAT_FIELDS + JSON_FIELDS
# Fields whose disagreement between sources is a conflict. Left out: the identity (doc, study,
# arm label as worded by each source), the citation number (differs by construction between a
# review and the paper itself) and the evidence (always differs).
COMPARED_FIELDS = tuple(f for f in DATA_FIELDS if f not in {"arm", "ref", "evidence"})

SCHEMA_SQL = [
    "CREATE TABLE IF NOT EXISTS records ("
    + ", ".join(
        [f"{c} VARCHAR NOT NULL" for c in KEY_COLUMNS]
        + [f"{c} VARCHAR" for c in TEXT_FIELDS]
        + [f"{c} BIGINT" for c in INT_FIELDS]
        + [f"{c} DOUBLE" for c in FLOAT_FIELDS]
        + [f"{c} VARCHAR" for c in JSON_FIELDS]
        + ["record_json VARCHAR NOT NULL", "refresh_id BIGINT", "PRIMARY KEY (doc_id, study_id, cohort_key)"]
    )
    + ")",
    "CREATE TABLE IF NOT EXISTS evidence (doc_id VARCHAR, study_id VARCHAR, cohort_key VARCHAR,"
    " field VARCHAR, page BIGINT, source VARCHAR, text VARCHAR)",
    "CREATE TABLE IF NOT EXISTS history (refresh_id BIGINT, doc_id VARCHAR, study_id VARCHAR,"
    " cohort_key VARCHAR, change VARCHAR, field VARCHAR, old_value VARCHAR, new_value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS refreshes (refresh_id BIGINT PRIMARY KEY, refreshed_at TIMESTAMP, docs BIGINT,"
    " added BIGINT, changed BIGINT, removed BIGINT, n_records BIGINT, note VARCHAR)",
]


def _views_sql() -> list[str]:
    """The reconciliation views, generated from the field lists so they follow the model."""
    unpivot_selects = " UNION ALL ".join(
        f"SELECT doc_id, study_id, cohort_key, group_key, source_rank, '{f}' AS field, "
        f"{_json_text(f)} AS value FROM record_groups WHERE {f} IS NOT NULL"
        for f in COMPARED_FIELDS
    )
    picks = ",\n  ".join(
        f"arg_min({f}, source_rank) FILTER (WHERE {f} IS NOT NULL) AS {f}" for f in COMPARED_FIELDS
    )
    return [
        """CREATE OR REPLACE VIEW record_groups AS
        WITH per_doc AS (
          SELECT *, count(*) OVER (PARTITION BY study_id, doc_id) AS n_in_doc,
                 count(DISTINCT study_id) OVER (PARTITION BY doc_id) AS studies_in_doc
          FROM records),
        ranked AS (
          SELECT *, max(n_in_doc) OVER (PARTITION BY study_id) AS max_in_doc,
                 dense_rank() OVER (PARTITION BY study_id ORDER BY studies_in_doc, doc_id) AS source_rank
          FROM per_doc)
        SELECT * EXCLUDE (n_in_doc, studies_in_doc, max_in_doc),
               CASE WHEN max_in_doc = 1 THEN '' ELSE cohort_key END AS group_key
        FROM ranked""",
        f"CREATE OR REPLACE VIEW field_values AS {unpivot_selects}",
        """CREATE OR REPLACE VIEW conflicts AS
        WITH disputed AS (
          SELECT study_id, group_key, field FROM field_values
          GROUP BY ALL HAVING count(DISTINCT value) > 1),
        ev AS (
          SELECT doc_id, study_id, cohort_key, field,
                 string_agg(concat('p', coalesce(CAST(page AS VARCHAR), '?'), ' ', source, ': ', text), ' | ') AS evidence
          FROM evidence GROUP BY ALL)
        SELECT v.study_id, v.group_key, v.field, v.doc_id, v.cohort_key, v.value, ev.evidence
        FROM field_values v
        JOIN disputed d USING (study_id, group_key, field)
        LEFT JOIN ev ON ev.doc_id = v.doc_id AND ev.study_id = v.study_id
                     AND ev.cohort_key = v.cohort_key AND ev.field = v.field
        ORDER BY v.study_id, v.group_key, v.field, v.source_rank""",
        f"""CREATE OR REPLACE VIEW study_view AS
        WITH picked AS (
          SELECT study_id, group_key,
                 list(DISTINCT doc_id ORDER BY doc_id) AS sources,
                 count(DISTINCT doc_id) AS n_sources,
                 {picks}
          FROM record_groups GROUP BY study_id, group_key),
        disputed AS (
          SELECT study_id, group_key, list(DISTINCT field ORDER BY field) AS conflict_fields
          FROM conflicts GROUP BY ALL)
        SELECT picked.*, coalesce(disputed.conflict_fields, []) AS conflict_fields
        FROM picked LEFT JOIN disputed USING (study_id, group_key)
        ORDER BY study_id, group_key""",
    ]


def _json_text(column: str) -> str:
    """SQL turning a column into JSON text, so values of every type compare in one column."""
    if column in JSON_FIELDS:
        return column
    if column in TEXT_FIELDS:
        return f"to_json({column})::VARCHAR"
    return f"CAST({column} AS VARCHAR)"  # numbers: '41.5', '53'


@dataclass
class RefreshSummary:
    refresh_id: int
    added: int = 0
    changed: int = 0  # records with at least one changed field
    removed: int = 0
    n_records: int = 0  # rows in the dataset after the refresh
    details: list[dict[str, Any]] = field(default_factory=list)  # the history rows written
    kept: dict[str, int] = field(default_factory=dict)  # doc_id -> rows kept although it gave none
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"refresh_id": self.refresh_id, "added": self.added, "changed": self.changed,
                "removed": self.removed, "n_records": self.n_records, "kept": self.kept,
                "details": self.details, "warnings": self.warnings}


# ---------------------------------------------------------------------------------------------
# Row building
# ---------------------------------------------------------------------------------------------


def cohort_key(arm: str | None) -> str:
    if not arm:
        return ""
    return " ".join(unicodedata.normalize("NFKC", arm).casefold().split())


def _canonical(value: Any) -> Any:
    """Order-insensitive form of a nested value: sorted lists, so equal content compares equal."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(_canonical(value), sort_keys=True, ensure_ascii=False)


def record_rows(doc_id: str, records: list[StudyRecord]) -> list[dict[str, Any]]:
    """Table rows for one document's records, keyed and de-duplicated (see module docstring)."""
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for record in records:
        data = record.model_dump(mode="json")
        base_key = cohort_key(record.arm)
        count = seen.get((record.study_id, base_key), 0) + 1
        seen[(record.study_id, base_key)] = count
        key = base_key if count == 1 else f"{base_key}#{count}"
        row = {"doc_id": doc_id, "study_id": record.study_id, "cohort_key": key}
        for name in TEXT_FIELDS + INT_FIELDS + FLOAT_FIELDS:
            row[name] = data[name]
        for name in JSON_FIELDS:
            row[name] = _json(data[name])
        row["record_json"] = record.model_dump_json()
        rows.append(row)
    return rows


def _evidence_rows(row: dict[str, Any]) -> list[tuple]:
    items = json.loads(row["evidence"] or "[]")
    return [(row["doc_id"], row["study_id"], row["cohort_key"], e["field"], e.get("page"), e["source"], e["text"])
            for e in items]


def _value_text(row: dict[str, Any], name: str) -> str | None:
    """A field's value as JSON text, the form history stores old and new values in."""
    value = row[name]
    if value is None or name in JSON_FIELDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    changes = []
    for name in DATA_FIELDS:
        old_value, new_value = _value_text(old, name), _value_text(new, name)
        if old_value != new_value:
            changes.append((name, old_value, new_value))
    return changes


# ---------------------------------------------------------------------------------------------
# Files: open, lock, atomic replace
# ---------------------------------------------------------------------------------------------


def _create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in SCHEMA_SQL + _views_sql():
        con.execute(statement)


def open_dataset(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the dataset; a missing file is created empty (atomically) first."""
    path = Path(path)
    if not path.exists():
        with _locked(path):
            if not path.exists():
                _write_atomically(path, lambda con: None)
    return duckdb.connect(str(path), read_only=read_only)


@contextlib.contextmanager
def _locked(db_path: Path) -> Iterator[None]:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with open(db_path.with_name(db_path.name + ".lock"), "a+") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # released by the kernel even on kill -9
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _remove_stale_copies(db_path: Path) -> None:
    for stale in db_path.parent.glob(db_path.name + ".tmp-*"):
        stale.unlink(missing_ok=True)


def _write_atomically(db_path: Path, change) -> Any:
    """Copy the dataset, apply ``change(con)`` to the copy, then swap the copy in.

    Callers hold the lock. The original is never opened for writing, so a crash anywhere before
    ``os.replace`` leaves it exactly as it was; ``os.replace`` itself is atomic on POSIX.
    """
    _remove_stale_copies(db_path)
    tmp_path = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
    if db_path.exists():
        shutil.copyfile(db_path, tmp_path)
    con = duckdb.connect(str(tmp_path))
    try:
        _create_schema(con)
        result = change(con)
        con.execute("CHECKPOINT")  # fold the WAL into the file before it is moved
    finally:
        con.close()
    tmp_path.with_name(tmp_path.name + ".wal").unlink(missing_ok=True)
    with open(tmp_path, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp_path, db_path)
    _fsync_dir(db_path.parent)
    return result


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# Refresh
# ---------------------------------------------------------------------------------------------


def refresh(db_path: Path | str, records_by_doc: dict[str, list[StudyRecord]], note: str = "",
            drop_empty: bool = False) -> RefreshSummary:
    """Merge each given document's records into the dataset (upsert + removal), with history.

    A document given with no records (a failed or empty re-extraction) that has rows in the
    dataset keeps them, with a warning in the summary (``kept``, ``warnings``): a paper replaced by
    an unreadable file must not lose its records silently. ``drop_empty=True`` removes them
    (recorded in history as removals), for a caller that knows the paper has no records now.
    """
    db_path = Path(db_path)
    new_rows = {doc_id: record_rows(doc_id, records) for doc_id, records in records_by_doc.items()}
    with _locked(db_path):
        return _write_atomically(db_path, lambda con: _apply_refresh(con, new_rows, note, drop_empty))


def _keep_empty(con: duckdb.DuckDBPyConnection, new_rows: dict[str, list[dict]]) -> dict[str, int]:
    """doc_id -> existing row count, for the documents given with no rows that have some."""
    empty = [doc_id for doc_id, rows in new_rows.items() if not rows]
    if not empty:
        return {}
    found = con.execute("SELECT doc_id, count(*) FROM records WHERE doc_id IN (SELECT unnest(?)) GROUP BY doc_id",
                        [empty]).fetchall()
    return {doc_id: n for doc_id, n in found}


def _existing_rows(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> dict[tuple, dict[str, Any]]:
    if not doc_ids:
        return {}
    columns = list(KEY_COLUMNS) + list(DATA_FIELDS)
    result = con.execute(
        f"SELECT {', '.join(columns)} FROM records WHERE doc_id IN (SELECT unnest(?))", [doc_ids]
    ).fetchall()
    return {tuple(r[:3]): dict(zip(columns, r)) for r in result}


def _apply_refresh(con: duckdb.DuckDBPyConnection, new_rows: dict[str, list[dict]], note: str,
                   drop_empty: bool = False) -> RefreshSummary:
    refresh_id = con.execute("SELECT coalesce(max(refresh_id), 0) + 1 FROM refreshes").fetchone()[0]
    summary = RefreshSummary(refresh_id=refresh_id)
    if not drop_empty:
        summary.kept = _keep_empty(con, new_rows)
        new_rows = {doc_id: rows for doc_id, rows in new_rows.items() if doc_id not in summary.kept}
        summary.warnings = [f"{doc_id}: no records this time (failed or empty extraction); its {n} earlier "
                            "record(s) are kept in the dataset" for doc_id, n in summary.kept.items()]
    old_by_key = _existing_rows(con, list(new_rows))
    new_by_key = {tuple(r[c] for c in KEY_COLUMNS): r for rows in new_rows.values() for r in rows}

    history_rows: list[tuple] = []
    upserts: list[dict] = []
    for key, row in new_by_key.items():
        old = old_by_key.get(key)
        if old is None:
            summary.added += 1
            upserts.append(row)
            history_rows.append((refresh_id, *key, "added", None, None, row["record_json"]))
            continue
        changes = _field_changes(old, row)
        if changes:
            summary.changed += 1
            upserts.append(row)
            history_rows.extend((refresh_id, *key, "changed", name, old_value, new_value)
                                for name, old_value, new_value in changes)
    removed_keys = [key for key in old_by_key if key not in new_by_key]
    for key in removed_keys:
        summary.removed += 1
        old_json = con.execute(
            "SELECT record_json FROM records WHERE doc_id = ? AND study_id = ? AND cohort_key = ?", list(key)
        ).fetchone()[0]
        history_rows.append((refresh_id, *key, "removed", None, old_json, None))

    _delete_keys(con, removed_keys + [tuple(r[c] for c in KEY_COLUMNS) for r in upserts])
    _insert_rows(con, upserts, refresh_id)
    if history_rows:
        con.executemany("INSERT INTO history VALUES (?, ?, ?, ?, ?, ?, ?, ?)", history_rows)
    summary.n_records = con.execute("SELECT count(*) FROM records").fetchone()[0]
    con.execute(
        "INSERT INTO refreshes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [refresh_id, datetime.now(timezone.utc).replace(tzinfo=None), len(new_rows), summary.added,
         summary.changed, summary.removed, summary.n_records, note],
    )
    columns = ("refresh_id", "doc_id", "study_id", "cohort_key", "change", "field", "old_value", "new_value")
    summary.details = [dict(zip(columns, h)) for h in history_rows]
    return summary


def _delete_keys(con: duckdb.DuckDBPyConnection, keys: list[tuple]) -> None:
    if not keys:
        return
    for table in ("records", "evidence"):
        con.executemany(f"DELETE FROM {table} WHERE doc_id = ? AND study_id = ? AND cohort_key = ?",
                        [list(k) for k in keys])


def _insert_rows(con: duckdb.DuckDBPyConnection, rows: list[dict], refresh_id: int) -> None:
    if not rows:
        return
    columns = list(KEY_COLUMNS) + list(DATA_FIELDS) + ["record_json", "refresh_id"]
    frame = pd.DataFrame([{**r, "refresh_id": refresh_id} for r in rows], columns=columns)
    con.register("incoming", frame)
    try:
        con.execute(f"INSERT INTO records ({', '.join(columns)}) SELECT {', '.join(columns)} FROM incoming")
    finally:
        con.unregister("incoming")
    evidence = [e for r in rows for e in _evidence_rows(r)]
    if evidence:
        con.executemany("INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?)", evidence)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _query(db_path: Path | str, sql: str) -> pd.DataFrame:
    if not Path(db_path).exists():
        open_dataset(db_path).close()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def study_view(db_path: Path | str) -> pd.DataFrame:
    """One reconciled row per study (and cohort, when sources split it), with conflict_fields."""
    return _query(db_path, "SELECT * FROM study_view")


def conflicts(db_path: Path | str) -> pd.DataFrame:
    """Every (study, field) on which sources disagree: one row per source, value and evidence."""
    return _query(db_path, "SELECT * FROM conflicts")


def history(db_path: Path | str) -> pd.DataFrame:
    """Every change ever merged, oldest first."""
    return _query(db_path, "SELECT * FROM history ORDER BY refresh_id, doc_id, study_id, cohort_key, field")


def refreshes(db_path: Path | str) -> pd.DataFrame:
    return _query(db_path, "SELECT * FROM refreshes ORDER BY refresh_id")


def load_records(db_path: Path | str) -> list[StudyRecord]:
    """The records as StudyRecords, exactly as they were merged."""
    frame = _query(db_path, "SELECT record_json FROM records ORDER BY doc_id, study_id, cohort_key")
    return [StudyRecord.model_validate_json(text) for text in frame["record_json"]]


def export_parquet(db_path: Path | str, parquet_path: Path | str) -> Path:
    """Write the records table (without record_json) to Parquet, atomically."""
    parquet_path = Path(parquet_path)
    parquet_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = parquet_path.with_name(f"{parquet_path.name}.tmp-{os.getpid()}")
    if not Path(db_path).exists():
        open_dataset(db_path).close()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        con.execute(
            "COPY (SELECT * EXCLUDE (record_json) FROM records ORDER BY doc_id, study_id, cohort_key) "
            f"TO '{_sql_path(tmp_path)}' (FORMAT parquet)"
        )
    finally:
        con.close()
    os.replace(tmp_path, parquet_path)
    return parquet_path


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
