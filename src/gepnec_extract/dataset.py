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
``records``   one row per source record, typed columns (DESCRIBE records)::

    doc_id, study_id, cohort_key            VARCHAR   primary key
    first_author, arm, population, regimen, line, design_phase, design_centers, os_kind, pfs_kind  VARCHAR
    year, ref, n_patients, n_total                        BIGINT
    rr_pct .. pd_pct, os_median, os_low, os_high, pfs_median, pfs_low, pfs_high   DOUBLE
    design_prospective, design_randomized, os_not_reached, pfs_not_reached        BOOLEAN
    drugs VARCHAR[]; primary_sites, doses, toxicities, evidence   lists of STRUCTs (sql_type)
    record_json    VARCHAR   the StudyRecord exactly as given (round-trips with model_validate_json)
    refresh_id     BIGINT    the refresh that last added or changed the row

  Nested objects are flattened (os_months.median -> os_median); lists are canonically ordered;
  a missing value is NULL, an empty list too.
``evidence``  one row per Evidence item: doc_id, study_id, cohort_key, field, page, source, text
``history``   refresh_id, doc_id, study_id, cohort_key, change ('added'|'changed'|'removed'),
              field (NULL for added/removed), old_value, new_value (JSON text; whole record for
              added/removed)
``refreshes`` refresh_id, refreshed_at (UTC), docs, added, changed, removed, n_records, note
``papers``    refresh_id, doc_id, file, pages, records, status ('ok'|'no_records'|'failed'), kind,
              message, warnings: every paper of every refresh (view ``paper_status``: the last row of each)
``corrections`` reviewers' verdicts, append-only (gepnec_extract.corrections); view ``curated_records``

Views (persisted in the file, so any DuckDB client sees them)
``record_groups`` records plus ``group_key`` (the cohort they are reconciled under: "" when every
              source gives the study as a single record, else the cohort key) and ``source_rank``
              (1 = the document reporting the fewest studies, i.e. the study's own paper, before a
              review that tabulates many).
``field_values`` one row per (record, compared field) with a non-null value (JSON text).
``conflicts`` fields on which two or more sources of one study group give different non-null
              values: study_id, cohort (= group_key), field, doc_id, cohort_key, arm, value, evidence (that source's evidence
              texts for the field, "p<page> <source>: <text>" joined by " | ").
``study_view`` one row per (study_id, cohort = group_key), with the best source's arm: every compared field taken from the best-ranked
              source that gives it, plus sources (list), n_sources and conflict_fields (list).

Example query (DuckDB CLI or ``duckdb.connect("evidence.duckdb", read_only=True)``)::

    SELECT study_id, field, doc_id, value, evidence
    FROM conflicts
    WHERE field IN ('rr_pct', 'os_months')
    ORDER BY study_id, field, doc_id;

    SELECT study_id, arm, regimen, n_patients, rr_pct, os_median, os_low, os_high
    FROM study_view ORDER BY os_median DESC NULLS LAST;
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Literal, get_args, get_origin

import duckdb
from pydantic import BaseModel

if TYPE_CHECKING:  # the readers return DataFrames; pandas itself is loaded by duckdb's .df() when one is asked for
    import pandas as pd

from . import fields
from .locks import file_lock
from .model import StudyRecord

KEY_COLUMNS = ("doc_id", "study_id", "cohort_key")
# The record's nested objects (fields.py), flattened into columns "<prefix>_<key>" (os_months.median
# -> os_median): a survival field's prefix is its endpoint, any other's its own name.
_ENDPOINT_OF = {name: endpoint for endpoint, name in fields.SURVIVAL_FIELDS.items()}
FLATTENED = {name: (_ENDPOINT_OF.get(name, name), keys) for name, keys in fields.NESTED_FIELDS.items()}
_SQL_TYPES = {str: "VARCHAR", int: "BIGINT", float: "DOUBLE", bool: "BOOLEAN"}


def sql_type(annotation: Any) -> str:
    """The DuckDB type of a model field's annotation, None left out: ``int | None`` -> BIGINT,
    ``Literal["a", "b"]`` -> VARCHAR, ``list[Item]`` -> STRUCT(name VARCHAR, n BIGINT)[]."""
    (kind,) = fields.types_of(annotation)
    if get_origin(kind) is list:
        return sql_type(get_args(kind)[0]) + "[]"
    if get_origin(kind) is Literal:
        return _SQL_TYPES[type(get_args(kind)[0])]
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return "STRUCT(" + ", ".join(f"{name} {sql_type(f.annotation)}" for name, f in kind.model_fields.items()) + ")"
    return _SQL_TYPES[kind]


def _columns_of(name: str) -> dict[str, str]:
    """A record field's columns and their types: one, or one per key of a flattened object."""
    annotation = StudyRecord.model_fields[name].annotation
    if name not in FLATTENED:
        return {name: sql_type(annotation)}
    prefix, keys = FLATTENED[name]
    (model,) = fields.types_of(annotation)
    return {f"{prefix}_{key}": sql_type(model.model_fields[key].annotation) for key in keys}


# Column order of the records table, Parquet and CSV: the record's field order, nested objects
# flattened; each column's type read from model.py, so a field added there gets its column.
COLUMN_TYPES = {column: kind for name in fields.DATA_FIELDS + (fields.EVIDENCE_FIELD,)
                for column, kind in _columns_of(name).items()}
DATA_FIELDS = tuple(COLUMN_TYPES)
LIST_FIELDS = tuple(c for c, kind in COLUMN_TYPES.items() if kind.endswith("[]"))
TEXT_FIELDS = tuple(c for c, kind in COLUMN_TYPES.items() if kind == "VARCHAR")
# Fields whose disagreement between sources is a conflict. Left out: the identity (doc, study,
# arm label as worded by each source), the citation number (differs by construction between a
# review and the paper itself) and the evidence (always differs).
COMPARED_FIELDS = tuple(f for f in DATA_FIELDS if f not in {"arm", "ref", "evidence"})
# Groups of columns study_view takes together from one source (a median with its own range).
PICKED_TOGETHER = {prefix: tuple(f"{prefix}_{k}" for k in keys) for prefix, keys in FLATTENED.values()}

SCHEMA_SQL = [
    "CREATE TABLE IF NOT EXISTS records ("
    + ", ".join(
        [f"{c} VARCHAR NOT NULL" for c in KEY_COLUMNS]
        + [f"{c} {COLUMN_TYPES[c]}" for c in DATA_FIELDS]
        + ["record_json VARCHAR NOT NULL", "refresh_id BIGINT", "PRIMARY KEY (doc_id, study_id, cohort_key)"]
    )
    + ")",
    "CREATE TABLE IF NOT EXISTS evidence (doc_id VARCHAR, study_id VARCHAR, cohort_key VARCHAR,"
    " field VARCHAR, page BIGINT, source VARCHAR, text VARCHAR)",
    "CREATE TABLE IF NOT EXISTS history (refresh_id BIGINT, doc_id VARCHAR, study_id VARCHAR,"
    " cohort_key VARCHAR, change VARCHAR, field VARCHAR, old_value VARCHAR, new_value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS refreshes (refresh_id BIGINT PRIMARY KEY, refreshed_at TIMESTAMP, docs BIGINT,"
    " added BIGINT, changed BIGINT, removed BIGINT, n_records BIGINT, note VARCHAR)",
    # every paper named in every refresh, read or not: status 'ok' | 'no_records' | 'failed'
    "CREATE TABLE IF NOT EXISTS papers (refresh_id BIGINT, doc_id VARCHAR, file VARCHAR, pages BIGINT,"
    " records BIGINT, status VARCHAR, kind VARCHAR, message VARCHAR, warnings VARCHAR[])",
    # the curated source: reviewers' verdicts on extracted values, appended, never updated
    "CREATE TABLE IF NOT EXISTS corrections (correction_id BIGINT, doc_id VARCHAR, study_id VARCHAR,"
    " cohort_key VARCHAR, field VARCHAR, verdict VARCHAR, extracted_value VARCHAR, corrected_value VARCHAR,"
    " reviewer VARCHAR, corrected_at TIMESTAMP, note VARCHAR)",
]


def _views_sql() -> list[str]:
    """The reconciliation views, generated from the field lists so they follow the model."""
    unpivot_selects = " UNION ALL ".join(
        f"SELECT doc_id, study_id, cohort_key, arm, group_key, source_rank, '{f}' AS field, "
        f"{_json_text(f)} AS value FROM record_groups WHERE {f} IS NOT NULL"
        for f in COMPARED_FIELDS
    )
    together = {c for group in PICKED_TOGETHER.values() for c in group}
    picks = [f"arg_min({f}, source_rank) FILTER (WHERE {f} IS NOT NULL) AS {f}"
             for f in COMPARED_FIELDS if f not in together]
    for prefix, group in PICKED_TOGETHER.items():  # a median comes with its own range and kind
        packed = ", ".join(f"{c.removeprefix(prefix + '_')} := {c}" for c in group)
        given = " OR ".join(f"{c} IS NOT NULL" for c in group)
        picks.append(f"arg_min(struct_pack({packed}), source_rank) FILTER (WHERE {given}) AS _{prefix}")
    group_of = {c: prefix for prefix, group in PICKED_TOGETHER.items() for c in group}
    view_columns = ", ".join(f"picked._{group_of[f]}.{f.removeprefix(group_of[f] + '_')} AS {f}" if f in group_of
                             else f"picked.{f}" for f in COMPARED_FIELDS)
    curated = ",\n  ".join(
        f"CASE WHEN map_contains(c.fixes, '{f}') THEN {_from_json_text(f, f'c.fixes[{_sql_str(f)}]')} "
        f"ELSE r.{f} END AS {f}" for f in DATA_FIELDS if f != "evidence")
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
        SELECT v.study_id, v.group_key AS cohort, v.group_key, v.field, v.doc_id, v.cohort_key, v.arm,
               v.value, ev.evidence
        FROM field_values v
        JOIN disputed d USING (study_id, group_key, field)
        LEFT JOIN ev ON ev.doc_id = v.doc_id AND ev.study_id = v.study_id
                     AND ev.field = v.field AND ev.cohort_key = v.cohort_key
        ORDER BY v.study_id, v.group_key, v.field, v.source_rank""",
        f"""CREATE OR REPLACE VIEW study_view AS
        WITH picked AS (
          SELECT study_id, group_key,
                 arg_min(arm, source_rank) FILTER (WHERE arm IS NOT NULL) AS arm,
                 list(DISTINCT doc_id ORDER BY doc_id) AS sources,
                 count(DISTINCT doc_id) AS n_sources,
                 {", ".join(picks)}
          FROM record_groups GROUP BY study_id, group_key),
        disputed AS (
          SELECT study_id, group_key, list(DISTINCT field ORDER BY field) AS conflict_fields
          FROM conflicts GROUP BY ALL)
        SELECT picked.study_id, picked.group_key AS cohort, picked.arm, {view_columns},
               picked.sources, picked.n_sources, coalesce(disputed.conflict_fields, []) AS conflict_fields,
               picked.group_key
        FROM picked LEFT JOIN disputed USING (study_id, group_key)
        ORDER BY study_id, group_key""",
        """CREATE OR REPLACE VIEW paper_status AS
        SELECT p.* FROM papers p
        QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY refresh_id DESC) = 1""",
        """CREATE OR REPLACE VIEW latest_corrections AS
        SELECT * FROM corrections
        QUALIFY row_number() OVER (PARTITION BY doc_id, study_id, cohort_key, field
                                   ORDER BY correction_id DESC) = 1""",
        f"""CREATE OR REPLACE VIEW curated_records AS
        WITH c AS (
          SELECT doc_id, study_id, cohort_key,
                 map_from_entries(list((field, corrected_value)) FILTER (WHERE verdict = 'wrong')) AS fixes,
                 list(field ORDER BY field) FILTER (WHERE verdict = 'wrong') AS corrected_fields,
                 list(field ORDER BY field) FILTER (WHERE verdict = 'right') AS confirmed_fields
          FROM latest_corrections GROUP BY ALL)
        SELECT r.doc_id, r.study_id, r.cohort_key,
          {curated},
          coalesce(c.corrected_fields, []) AS corrected_fields,
          coalesce(c.confirmed_fields, []) AS confirmed_fields
        FROM records r LEFT JOIN c USING (doc_id, study_id, cohort_key)""",
    ]


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _from_json_text(column: str, expr: str) -> str:
    """SQL reading JSON text ``expr`` as the column's type (JSON null -> NULL)."""
    if COLUMN_TYPES[column] == "VARCHAR":
        return f"(CAST({expr} AS JSON) ->> '$')"
    return f"CAST(CAST({expr} AS JSON) AS {COLUMN_TYPES[column]})"


def _json_text(column: str) -> str:
    """SQL turning a column into JSON text, so values of every type compare in one column."""
    if column in LIST_FIELDS or column in TEXT_FIELDS:
        return f"to_json({column})::VARCHAR"
    return f"CAST({column} AS VARCHAR)"  # numbers: '41.5', '53'; booleans: 'true'


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


def flat_values(record: StudyRecord) -> dict[str, Any]:
    """The record as the dataset's columns: nested objects flattened (os_months.median ->
    os_median), lists canonically ordered, an empty list None (missing is NULL, never [])."""
    data = record.model_dump(mode="json")
    values: dict[str, Any] = {}
    for name in DATA_FIELDS:
        if name in data:
            value = data[name]
            if name in LIST_FIELDS:
                value = _canonical(value) or None
            values[name] = value
    for name, (prefix, keys) in FLATTENED.items():
        nested = data.get(name) or {}
        for key in keys:
            values[f"{prefix}_{key}"] = nested.get(key)
    return values


def field_path(column: str) -> tuple[str, str | None]:
    """Where a dataset column lives in a StudyRecord: ("os_months", "median") for os_median."""
    for name, (prefix, keys) in FLATTENED.items():
        for key in keys:
            if column == f"{prefix}_{key}":
                return name, key
    return column, None


def record_rows(doc_id: str, records: list[StudyRecord]) -> list[dict[str, Any]]:
    """Table rows for one document's records, keyed and de-duplicated (see module docstring)."""
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for record in records:
        base_key = cohort_key(record.arm)
        count = seen.get((record.study_id, base_key), 0) + 1
        seen[(record.study_id, base_key)] = count
        key = base_key if count == 1 else f"{base_key}#{count}"
        rows.append(_row(doc_id, record.study_id, key, record))
    return rows


def _row(doc_id: str, study_id: str, key: str, record: StudyRecord) -> dict[str, Any]:
    return {"doc_id": doc_id, "study_id": study_id, "cohort_key": key, **flat_values(record),
            "record_json": record.model_dump_json()}


def _evidence_rows(row: dict[str, Any]) -> list[tuple]:
    items = row["evidence"] or []
    return [(row["doc_id"], row["study_id"], row["cohort_key"], e["field"], e.get("page"), e["source"], e["text"])
            for e in items]


def _value_text(row: dict[str, Any], name: str) -> str | None:
    """A field's value as canonical JSON text, the form history stores old and new values in."""
    value = row[name]
    if value is None:
        return None
    return json.dumps(_canonical(value), sort_keys=True, ensure_ascii=False)


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
    """The tables and views, unless the dataset has this code's already (schema_version holds a
    digest of the statements): re-creating every view took a fifth of each refresh."""
    if _schema_is_current(con):
        return
    _migrate_json_layout(con)
    for statement in _schema_statements():
        con.execute(statement)
    con.execute("CREATE OR REPLACE TABLE schema_version AS SELECT ? AS digest", [_schema_digest()])


def _schema_statements() -> list[str]:
    return SCHEMA_SQL + _views_sql()


@functools.lru_cache(maxsize=1)
def _schema_digest() -> str:
    return hashlib.sha256("\n".join(_schema_statements()).encode()).hexdigest()


def _schema_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        row = con.execute("SELECT digest FROM schema_version").fetchone()
    except duckdb.CatalogException:  # made before schema_version (or new): create it all
        return False
    return row is not None and row[0] == _schema_digest()


def _migrate_json_layout(con: duckdb.DuckDBPyConnection) -> None:
    """A dataset written before the typed columns (nested fields as JSON text in ``os_months``...)
    gets its records table rebuilt from each row's record_json, keys and refresh ids kept."""
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'records'").fetchall()}
    if not columns or "os_months" not in columns:
        return
    old = con.execute("SELECT doc_id, study_id, cohort_key, record_json, refresh_id FROM records").fetchall()
    for view in ("study_view", "conflicts", "field_values", "record_groups", "curated_records"):
        con.execute(f"DROP VIEW IF EXISTS {view}")
    con.execute("DROP TABLE records")
    con.execute(SCHEMA_SQL[0])
    for refresh_id in sorted({r[4] for r in old}, key=lambda x: (x is None, x)):
        rows = [_row(d, st, k, StudyRecord.model_validate_json(j)) for d, st, k, j, rid in old if rid == refresh_id]
        _insert_records(con, rows, refresh_id)


def open_dataset(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the dataset; a missing file is created empty (atomically) first."""
    path = Path(path)
    if not path.exists():
        with _locked(path):
            if not path.exists():
                _write_atomically(path, lambda con: None)
    return duckdb.connect(str(path), read_only=read_only)


def _locked(db_path: Path):
    """The dataset's lock (``<db>.lock``), held while a refresh or a correction writes it."""
    return file_lock(db_path.with_name(db_path.name + ".lock"))


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
    else:
        con = _new_dataset(tmp_path)
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


def _new_dataset(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to a new dataset at ``path``: a copy of the machine's blank dataset when it has
    one that opens, holds this code's schema and no rows, else an empty file (the schema is then
    created by the caller)."""
    blank = _blank_dataset()
    if blank is not None:
        try:
            shutil.copyfile(blank, path)
        except OSError:  # this folder's trouble, not the blank's: the caller meets it again
            _remove_file_and_wal(path)
            return duckdb.connect(str(path))
        try:
            con = duckdb.connect(str(path))
        except duckdb.Error:
            con = None
        if con is not None and _is_blank(con):
            return con
        if con is not None:
            con.close()
        _remove_file_and_wal(path)
        _remove_file_and_wal(blank)  # damaged, or made by other code: made again next time
    return duckdb.connect(str(path))


def _blank_dataset() -> Path | None:
    """The machine's blank dataset (this code's tables and views, no rows), made once per schema
    and DuckDB version in the derived-tables folder: creating the schema costs about 0.1 s of
    CPU, a copy of the made file a millisecond. None when that folder cannot hold one."""
    from .derived import keyed_path

    path = keyed_path("blank-dataset", __file__, duckdb.__version__, _schema_digest()).with_suffix(".duckdb")
    if path.exists():
        return path
    made = path.with_name(f"{path.name}.tmp-{uuid.uuid4().hex}")  # processes and threads each make their own
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(made))
        try:
            _create_schema(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        made.with_name(made.name + ".wal").unlink(missing_ok=True)
        os.replace(made, path)
    except (OSError, duckdb.Error):
        _remove_file_and_wal(made)
        return None
    return path


def _is_blank(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the dataset holds this code's schema and no row in any table but schema_version."""
    if not _schema_is_current(con):
        return False
    tables = [row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name <> 'schema_version'").fetchall()]
    return all(con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == 0 for name in tables)


def _remove_file_and_wal(path: Path) -> None:
    for stale in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(OSError):
            stale.unlink(missing_ok=True)


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
            drop_empty: bool = False, papers: list[dict[str, Any]] | None = None) -> RefreshSummary:
    """Merge each given document's records into the dataset (upsert + removal), with history.

    A document given with no records (a failed or empty re-extraction) that has rows in the
    dataset keeps them, with a warning in the summary (``kept``, ``warnings``): a paper replaced by
    an unreadable file must not lose its records silently. ``drop_empty=True`` removes them
    (recorded in history as removals), for a caller that knows the paper has no records now.

    ``papers`` (``paper_rows(payloads)``) says how each paper of the run went; without it each
    document given is listed as read, with its record count. Either way every paper of the refresh
    gets a row in ``papers``.
    """
    db_path = Path(db_path)
    new_rows = {doc_id: record_rows(doc_id, records) for doc_id, records in records_by_doc.items()}
    if papers is None:
        papers = [{"doc_id": doc_id, "records": len(records), "status": "ok" if records else "no_records"}
                  for doc_id, records in records_by_doc.items()]

    def change(con):
        summary = _apply_refresh(con, new_rows, note, drop_empty)
        _insert_papers(con, summary.refresh_id, papers)
        return summary

    with _locked(db_path):
        return _write_atomically(db_path, change)


PAPER_COLUMNS = ("doc_id", "file", "pages", "records", "status", "kind", "message", "warnings")


def paper_rows(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One ``papers`` row per batch payload (gepnec_extract.batch): read, read with no records, or failed."""
    rows = []
    for p in payloads:
        failed = p.get("status") == "failed"
        n = 0 if failed else len(p.get("records") or [])
        rows.append({"doc_id": p["doc_id"], "file": p.get("file"), "pages": p.get("pages"), "records": n,
                     "status": "failed" if failed else ("ok" if n else "no_records"),
                     "kind": p.get("kind"), "message": p.get("message"), "warnings": list(p.get("warnings") or [])})
    return rows


def _insert_papers(con: duckdb.DuckDBPyConnection, refresh_id: int, papers: list[dict[str, Any]]) -> None:
    _insert_many(con, "papers", ["refresh_id", *PAPER_COLUMNS],
                 [[refresh_id] + [p.get(c) if c != "warnings" else (p.get(c) or None) for c in PAPER_COLUMNS]
                  for p in papers])


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


HISTORY_COLUMNS = ("refresh_id", "doc_id", "study_id", "cohort_key", "change", "field", "old_value", "new_value")


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
    _insert_many(con, "history", list(HISTORY_COLUMNS), [list(h) for h in history_rows])
    summary.n_records = con.execute("SELECT count(*) FROM records").fetchone()[0]
    con.execute(
        "INSERT INTO refreshes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [refresh_id, datetime.now(timezone.utc).replace(tzinfo=None), len(new_rows), summary.added,
         summary.changed, summary.removed, summary.n_records, note],
    )
    summary.details = [dict(zip(HISTORY_COLUMNS, h)) for h in history_rows]
    return summary


def _delete_keys(con: duckdb.DuckDBPyConnection, keys: list[tuple]) -> None:
    if not keys:
        return
    # one statement per table, the keys as three parallel lists (a DELETE a key took a second a paper)
    doc_ids, study_ids, cohort_keys = ([k[i] for k in keys] for i in range(3))
    for table in ("records", "evidence"):
        con.execute(f"DELETE FROM {table} WHERE (doc_id, study_id, cohort_key) IN "
                    "(SELECT (unnest(?), unnest(?), unnest(?)))", [doc_ids, study_ids, cohort_keys])


def _insert_many(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: list[list],
                 placeholders: list[str] | None = None) -> None:
    """Insert rows with one statement: each column travels as one list parameter, the lists
    unnested side by side. (executemany ran one statement a row, seconds for a review's records and
    evidence; a multi-row VALUES statement binds every cell, 0.1 s for its 60 records' casts.)
    ``placeholders`` (default "?") wraps a column's value in SQL, e.g. a cast from JSON text."""
    if not rows:
        return
    lists = [f"unnest(?) AS v{i}" for i in range(len(columns))]
    values = [(placeholder or "?").replace("?", f"v{i}") for i, placeholder in enumerate(placeholders or [None] * len(columns))]
    con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM (SELECT {', '.join(lists)})",
                [list(column) for column in zip(*rows)])


def _insert_records(con: duckdb.DuckDBPyConnection, rows: list[dict], refresh_id: int | None) -> None:
    """Insert typed rows: every value travels as JSON text and is cast to its column's type in SQL."""
    columns = list(KEY_COLUMNS) + list(DATA_FIELDS) + ["record_json", "refresh_id"]
    casts = [_from_json_text(c, "?") if c in COLUMN_TYPES else "?" for c in columns]
    params = [[json.dumps(r[c], ensure_ascii=False) if c in COLUMN_TYPES else r.get(c, refresh_id)
               for c in columns[:-1]] + [refresh_id] for r in rows]
    _insert_many(con, "records", columns, params, casts)


EVIDENCE_COLUMNS = ["doc_id", "study_id", "cohort_key", "field", "page", "source", "text"]


def _insert_rows(con: duckdb.DuckDBPyConnection, rows: list[dict], refresh_id: int) -> None:
    _insert_records(con, rows, refresh_id)
    _insert_many(con, "evidence", EVIDENCE_COLUMNS, [list(e) for r in rows for e in _evidence_rows(r)])


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


@contextlib.contextmanager
def reading(db_path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the dataset (created empty first when missing), for several
    reads in a row: each connection costs DuckDB about 15 ms."""
    if not Path(db_path).exists():
        open_dataset(db_path).close()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _rows(db_path: Path | str, sql: str, unless_none: str | None = None,
          con: duckdb.DuckDBPyConnection | None = None) -> list[dict[str, Any]]:
    """The query's rows as dicts, without pandas (which takes a second to import); none, without
    running it, when the query ``unless_none`` finds no row. ``con``: a connection of ``reading``."""
    if con is None:
        with reading(db_path) as con:
            return _rows(db_path, sql, unless_none, con)
    if unless_none is not None and con.execute(unless_none).fetchone() is None:
        return []
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


# A dispute needs two records in one study and cohort group; the conflicts view unpivots every
# field of every record to find out (a quarter second on a one-paper dataset, with no answer).
_TWO_IN_A_GROUP = "SELECT 1 FROM record_groups GROUP BY study_id, group_key HAVING count(*) > 1 LIMIT 1"


def conflict_rows(db_path: Path | str) -> list[dict[str, Any]]:
    """``conflicts`` as a list of dicts (the report's input), one per source, value and evidence."""
    return _rows(db_path, "SELECT * FROM conflicts", unless_none=_TWO_IN_A_GROUP)


def study_view(db_path: Path | str) -> pd.DataFrame:
    """One reconciled row per study (and cohort, when sources split it), with conflict_fields."""
    return _query(db_path, "SELECT * FROM study_view")


def conflicts(db_path: Path | str) -> pd.DataFrame:
    """Every (study, field) on which sources disagree: one row per source, value and evidence."""
    return _query(db_path, "SELECT * FROM conflicts")


def history(db_path: Path | str) -> pd.DataFrame:
    """Every change ever merged, oldest first."""
    return _query(db_path, "SELECT * FROM history ORDER BY refresh_id, doc_id, study_id, cohort_key, field")


def papers(db_path: Path | str, latest: bool = False) -> pd.DataFrame:
    """Every paper of every refresh (``latest``: each paper's last row), with status and warnings."""
    table = "paper_status" if latest else "papers"
    return _query(db_path, f"SELECT * FROM {table} ORDER BY refresh_id, doc_id")


def paper_status_rows(db_path: Path | str) -> list[dict[str, Any]]:
    """Each paper's last row of ``papers`` (as ``papers(latest=True)``), as dicts: no pandas."""
    return _rows(db_path, "SELECT * FROM paper_status ORDER BY refresh_id, doc_id")


def refreshes(db_path: Path | str) -> pd.DataFrame:
    return _query(db_path, "SELECT * FROM refreshes ORDER BY refresh_id")


def load_records(db_path: Path | str, con: duckdb.DuckDBPyConnection | None = None) -> list[StudyRecord]:
    """The records as StudyRecords, exactly as they were merged."""
    rows = _rows(db_path, "SELECT record_json FROM records ORDER BY doc_id, study_id, cohort_key", con=con)
    return [StudyRecord.model_validate_json(row["record_json"]) for row in rows]  # no DataFrame: no pandas


EXPORT_COLUMNS = list(KEY_COLUMNS) + list(DATA_FIELDS) + ["refresh_id"]


def _export(db_path: Path | str, target: Path | str, select: str, options: str,
            con: duckdb.DuckDBPyConnection | None = None) -> Path:
    if con is None:
        with reading(db_path) as con:
            return _export(db_path, target, select, options, con)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    con.execute(f"COPY ({select} FROM records ORDER BY doc_id, study_id, cohort_key) "
                f"TO '{_sql_path(tmp_path)}' ({options})")
    os.replace(tmp_path, target)
    return target


def export_parquet(db_path: Path | str, parquet_path: Path | str, con: duckdb.DuckDBPyConnection | None = None) -> Path:
    """Write the records table (typed columns, without record_json) to Parquet, atomically."""
    return _export(db_path, parquet_path, f"SELECT {', '.join(EXPORT_COLUMNS)}", "FORMAT parquet", con)


def export_csv(db_path: Path | str, csv_path: Path | str, con: duckdb.DuckDBPyConnection | None = None) -> Path:
    """The same columns as the Parquet file, flattened for a spreadsheet: drugs joined by "; ",
    the other lists (sites, doses, toxicities, evidence) as JSON text; missing is an empty cell."""
    def cell(column: str) -> str:
        if column == "drugs":
            return "array_to_string(drugs, '; ') AS drugs"
        if column in LIST_FIELDS:
            return f"to_json({column})::VARCHAR AS {column}"
        return column
    return _export(db_path, csv_path, f"SELECT {', '.join(cell(c) for c in EXPORT_COLUMNS)}",
                   "FORMAT csv, HEADER true", con)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
