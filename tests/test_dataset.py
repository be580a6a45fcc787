"""The evidence dataset (gepnec_extract.dataset), without Prefect.

Inputs are real StudyRecords: the dev papers' gold records, read from ../shared as test data
(stand-ins for the records stage, which is still being built).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from gepnec_extract import dataset
from gepnec_extract.model import StudyRecord

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
DEV = SHARED / "corpus" / "dev"


def _gold(stem: str) -> list[StudyRecord]:
    path = DEV / f"{stem}.gold.jsonl"
    if not path.exists():
        pytest.skip("../shared corpus not present")
    return [StudyRecord.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def gold_by_doc() -> dict[str, list[StudyRecord]]:
    if not DEV.exists():
        pytest.skip("../shared corpus not present")
    stems = sorted(p.name.removesuffix(".gold.jsonl") for p in DEV.glob("*.gold.jsonl"))
    return {stem: _gold(stem) for stem in stems}


def _as_review(record: StudyRecord, **changes) -> StudyRecord:
    """The same study as a review would report it: another document, a citation number, no evidence."""
    return record.model_copy(update={"doc_id": "review", "ref": 7, "evidence": [], **changes})


def test_refresh_adds_every_record_and_round_trips(tmp_path, gold_by_doc):
    db = tmp_path / "evidence.duckdb"
    summary = dataset.refresh(db, gold_by_doc)
    n_gold = sum(len(rs) for rs in gold_by_doc.values())
    assert (summary.added, summary.changed, summary.removed, summary.n_records) == (n_gold, 0, 0, n_gold)
    loaded = {(r.doc_id, r.study_id, r.arm): r for r in dataset.load_records(db)}
    originals = {(r.doc_id, r.study_id, r.arm): r for rs in gold_by_doc.values() for r in rs}
    assert loaded == originals
    # Survival is flattened into typed columns.
    con = duckdb.connect(str(db), read_only=True)
    os_median = con.execute(
        "SELECT os_median FROM records "
        "WHERE doc_id = 'd01-mitry1999' AND cohort_key = 'poorly differentiated'").fetchone()[0]
    n_evidence = con.execute("SELECT count(*) FROM evidence").fetchone()[0]
    con.close()
    assert os_median == originals[("d01-mitry1999", "Mitry1999", "Poorly differentiated")].os_months.median
    assert n_evidence == sum(len(r.evidence) for r in originals.values())


def test_identical_refresh_changes_nothing(tmp_path, gold_by_doc):
    db = tmp_path / "evidence.duckdb"
    dataset.refresh(db, gold_by_doc)
    again = dataset.refresh(db, gold_by_doc)
    assert (again.added, again.changed, again.removed, again.details) == (0, 0, 0, [])
    assert list(dataset.refreshes(db)["refresh_id"]) == [1, 2]


def test_changed_and_removed_records_are_recorded_in_history(tmp_path, gold_by_doc):
    db = tmp_path / "evidence.duckdb"
    dataset.refresh(db, gold_by_doc)
    first, second, third = gold_by_doc["d01-mitry1999"]
    edited = first.model_copy(update={"rr_pct": 40.0, "drugs": ["etoposide", "carboplatin"]})
    summary = dataset.refresh(db, {"d01-mitry1999": [edited, second]})  # `third` is gone

    assert (summary.added, summary.changed, summary.removed) == (0, 1, 1)
    hist = dataset.history(db)
    latest = hist[hist["refresh_id"] == summary.refresh_id]
    changed = latest[latest["change"] == "changed"].set_index("field")
    assert set(changed.index) == {"rr_pct", "drugs"}
    assert json.loads(changed.loc["rr_pct", "old_value"]) == first.rr_pct
    assert json.loads(changed.loc["rr_pct", "new_value"]) == 40.0
    assert json.loads(changed.loc["drugs", "new_value"]) == ["carboplatin", "etoposide"]
    removed = latest[latest["change"] == "removed"]
    assert list(removed["cohort_key"]) == [dataset.cohort_key(third.arm)]
    assert StudyRecord.model_validate_json(removed["old_value"].iloc[0]) == third
    # Documents not given to the refresh are untouched.
    remaining = dataset.load_records(db)
    assert sum(r.doc_id == "d02-hainsworth2006" for r in remaining) == len(gold_by_doc["d02-hainsworth2006"])
    assert sum(r.doc_id == "d01-mitry1999" for r in remaining) == 2


def test_records_with_the_same_key_are_kept_apart(tmp_path):
    okuma = _gold("d08-okuma2014")[0]  # arm null: cohort key ""
    twin = okuma.model_copy(update={"regimen": "EP", "rr_pct": 20.0})
    summary = dataset.refresh(tmp_path / "e.duckdb", {okuma.doc_id: [okuma, twin]})
    assert summary.added == 2
    keys = sorted(d["cohort_key"] for d in summary.details)
    assert keys == ["", "#2"]


def test_conflicts_list_both_values_with_evidence(tmp_path):
    paper = _gold("d08-okuma2014")
    db = tmp_path / "evidence.duckdb"
    review_rr = paper[0].rr_pct + 8
    dataset.refresh(db, {"d08-okuma2014": paper, "review": [_as_review(paper[0], rr_pct=review_rr)]})

    found = dataset.conflicts(db)
    assert set(found["field"]) == {"rr_pct"}
    values = dict(zip(found["doc_id"], found["value"]))
    assert {k: float(v) for k, v in values.items()} == {"d08-okuma2014": paper[0].rr_pct, "review": review_rr}
    paper_evidence = found.set_index("doc_id").loc["d08-okuma2014", "evidence"]
    rr_evidence = [e.text for e in paper[0].evidence if e.field == "rr_pct"]
    assert rr_evidence and all(text in paper_evidence for text in rr_evidence)
    # The same rows straight from the DuckDB view.
    con = duckdb.connect(str(db), read_only=True)
    via_sql = con.execute("SELECT doc_id, value FROM conflicts WHERE field = 'rr_pct' ORDER BY doc_id").fetchall()
    con.close()
    assert via_sql == sorted(values.items())


def test_conflict_rows_are_the_conflicts_view_with_or_without_a_shared_group(tmp_path):
    okuma, bajetta = _gold("d08-okuma2014"), _gold("d07-bajetta2007")
    cases = {
        "disputed": {"d08-okuma2014": okuma, "review": [_as_review(okuma[0], rr_pct=okuma[0].rr_pct + 8)]},
        "one paper, several cohorts": {"d07-bajetta2007": bajetta},
        "two papers, other studies": {"d08-okuma2014": okuma, "d07-bajetta2007": bajetta},
    }
    for number, (name, given) in enumerate(cases.items()):
        db = tmp_path / f"case{number}.duckdb"
        dataset.refresh(db, given)
        con = duckdb.connect(str(db), read_only=True)
        cursor = con.execute("SELECT * FROM conflicts")
        names = [column[0] for column in cursor.description]
        via_view = [dict(zip(names, row)) for row in cursor.fetchall()]
        con.close()
        assert dataset.conflict_rows(db) == via_view, name
        assert bool(via_view) == (name == "disputed"), name


def test_study_view_prefers_the_primary_paper_and_fills_gaps(tmp_path):
    paper = _gold("d09-lu2013")[0]
    gaps = [f for f in ("n_total", "cr_pct", "sd_pct", "pd_pct") if getattr(paper, f) is None]
    if not gaps:
        pytest.skip("the paper's gold record has no empty numeric field to fill")
    review = _as_review(paper, n_patients=paper.n_patients + 3, **{gaps[0]: 99})
    db = tmp_path / "evidence.duckdb"
    # The review also tabulates another study, so the paper (one study) ranks first.
    other = _as_review(_gold("d08-okuma2014")[0])
    dataset.refresh(db, {"d09-lu2013": [paper], "review": [review, other]})

    view = dataset.study_view(db).set_index("study_id")
    row = view.loc[paper.study_id]
    assert row["n_sources"] == 2
    assert list(row["sources"]) == ["d09-lu2013", "review"]
    assert row["n_patients"] == paper.n_patients  # the paper's own figure wins
    assert list(row["conflict_fields"]) == ["n_patients"]
    assert row[gaps[0]] == 99  # only the review gives it
    assert list(view.loc[other.study_id, "conflict_fields"]) == []


def test_multi_cohort_studies_reconcile_per_cohort(tmp_path):
    paper = _gold("d07-bajetta2007")  # three arms
    poorly = next(r for r in paper if r.arm == "Poorly differentiated")
    review = _as_review(poorly, arm="poorly  Differentiated", pfs_months=None)
    db = tmp_path / "evidence.duckdb"
    dataset.refresh(db, {"d07-bajetta2007": paper, "review": [review]})
    view = dataset.study_view(db)
    rows = view[view["study_id"] == poorly.study_id].set_index("group_key")
    assert len(rows) == len(paper)
    assert rows.loc["poorly differentiated", "n_sources"] == 2
    assert rows.loc["poorly differentiated", "pfs_median"] == poorly.pfs_months.median
    assert rows.loc["poorly differentiated", "pfs_not_reached"] == poorly.pfs_months.not_reached  # with its own flags
    assert rows.loc["poorly differentiated", "arm"] == poorly.arm  # the paper's own label, not the review's
    assert dataset.conflicts(db).empty


def test_export_parquet(tmp_path, gold_by_doc):
    db = tmp_path / "evidence.duckdb"
    dataset.refresh(db, gold_by_doc)
    target = dataset.export_parquet(db, tmp_path / "evidence.parquet")
    frame = pd.read_parquet(target)
    assert len(frame) == sum(len(rs) for rs in gold_by_doc.values())
    assert {"doc_id", "study_id", "cohort_key", "rr_pct", "os_median", "os_kind", "evidence"} <= set(frame.columns)
    assert "record_json" not in frame.columns
    assert not list(tmp_path.glob("*.tmp-*"))


def test_open_dataset_creates_an_empty_schema(tmp_path):
    con = dataset.open_dataset(tmp_path / "new.duckdb")
    tables = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert {"records", "evidence", "history", "refreshes", "study_view", "conflicts"} <= tables
    assert dataset.study_view(tmp_path / "new.duckdb").empty



def _schema_of(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                           "ORDER BY table_name, column_name").fetchall()
    finally:
        con.close()


def test_a_new_dataset_is_a_copy_of_the_machines_blank_one(tmp_path, monkeypatch, gold_by_doc):
    monkeypatch.setenv("GEPNEC_CACHE_DIR", str(tmp_path / "derived"))
    dataset.open_dataset(tmp_path / "first.duckdb").close()
    blanks = list((tmp_path / "derived").glob("blank-dataset-*.duckdb"))
    assert len(blanks) == 1 and not list((tmp_path / "derived").glob("*.tmp-*"))
    # the second dataset runs none of the schema's statements: it is the blank one, copied
    monkeypatch.setattr(dataset, "_schema_statements", lambda: pytest.fail("the schema was created again"))
    dataset._write_atomically(tmp_path / "second.duckdb", lambda con: None)
    assert _schema_of(tmp_path / "second.duckdb") == _schema_of(tmp_path / "first.duckdb")
    monkeypatch.undo()
    doc_id, records = next(iter(gold_by_doc.items()))
    dataset.refresh(tmp_path / "second.duckdb", {doc_id: records})
    assert len(dataset.load_records(tmp_path / "second.duckdb")) == len(records)
    assert dataset.study_view(tmp_path / "first.duckdb").empty  # each dataset its own file


@pytest.mark.parametrize("damage", ["garbage", "rows", "old schema"])
def test_a_damaged_or_filled_blank_dataset_is_not_copied(tmp_path, monkeypatch, gold_by_doc, damage):
    monkeypatch.setenv("GEPNEC_CACHE_DIR", str(tmp_path / "derived"))
    dataset.open_dataset(tmp_path / "reference.duckdb").close()
    (blank,) = (tmp_path / "derived").glob("blank-dataset-*.duckdb")
    if damage == "garbage":
        blank.write_bytes(b"not a database" * 100)
    elif damage == "rows":
        doc_id, records = next(iter(gold_by_doc.items()))
        con = duckdb.connect(str(blank))
        dataset._insert_records(con, [dataset._row(doc_id, "s1", "", records[0])], 1)
        con.close()
    else:
        con = duckdb.connect(str(blank))
        con.execute("UPDATE schema_version SET digest = 'made by other code'")
        con.close()
    new = tmp_path / "new.duckdb"
    dataset.open_dataset(new).close()
    assert _schema_of(new) == _schema_of(tmp_path / "reference.duckdb")
    assert dataset.load_records(new) == [] and dataset.study_view(new).empty
    dataset.open_dataset(tmp_path / "next.duckdb").close()  # a good blank dataset is made again
    (remade,) = (tmp_path / "derived").glob("blank-dataset-*.duckdb")
    con = duckdb.connect(str(remade), read_only=True)
    assert dataset._is_blank(con)
    con.close()


def test_a_dataset_is_made_when_the_cache_folder_cannot_hold_a_blank_one(tmp_path, monkeypatch):
    (tmp_path / "a file").write_text("in the way")
    monkeypatch.setenv("GEPNEC_CACHE_DIR", str(tmp_path / "a file" / "derived"))
    con = dataset.open_dataset(tmp_path / "new.duckdb")
    tables = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert {"records", "evidence", "history", "refreshes", "study_view", "conflicts"} <= tables

KILLED_CHILD = r"""
import sys, time
from pathlib import Path
from gepnec_extract import dataset
from gepnec_extract.model import StudyRecord

db, marker, records_path = map(Path, sys.argv[1:4])
records = [StudyRecord.model_validate_json(l) for l in records_path.read_text().splitlines() if l.strip()]
original_insert = dataset._insert_rows

def insert_then_stall(con, rows, refresh_id):
    original_insert(con, rows, refresh_id)  # the new rows are in the copy now
    marker.write_text("midway")
    time.sleep(120)  # killed here

dataset._insert_rows = insert_then_stall
dataset.refresh(db, {records[0].doc_id: records})
"""


def test_a_killed_refresh_leaves_the_previous_dataset_intact(tmp_path, gold_by_doc):
    db = tmp_path / "evidence.duckdb"
    first_docs = {k: v for k, v in gold_by_doc.items() if k != "d10-olsen2012"}
    dataset.refresh(db, first_docs)
    before = (dataset.load_records(db), dataset.refreshes(db)["refresh_id"].tolist(), db.read_bytes())

    records_path = tmp_path / "olsen.jsonl"
    records_path.write_text("".join(r.model_dump_json() + "\n" for r in gold_by_doc["d10-olsen2012"]))
    marker = tmp_path / "midway"
    child = subprocess.Popen([sys.executable, "-c", KILLED_CHILD, str(db), str(marker), str(records_path)])
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the refresh child exited before reaching the write"
            assert time.monotonic() < deadline, "the refresh child never reached the write"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert list(tmp_path.glob("evidence.duckdb.tmp-*")), "the kill should leave the half-written copy behind"

    assert db.read_bytes() == before[2]
    assert dataset.load_records(db) == before[0]
    assert dataset.refreshes(db)["refresh_id"].tolist() == before[1]
    # The next refresh works (the lock died with the child) and clears the stale copy.
    summary = dataset.refresh(db, {"d10-olsen2012": gold_by_doc["d10-olsen2012"]})
    assert summary.added == len(gold_by_doc["d10-olsen2012"])
    assert not list(tmp_path.glob("evidence.duckdb.tmp-*"))


CONCURRENT_CHILD = r"""
import sys
from pathlib import Path
from gepnec_extract import dataset
from gepnec_extract.model import StudyRecord

db, records_path = map(Path, sys.argv[1:3])
records = [StudyRecord.model_validate_json(l) for l in records_path.read_text().splitlines() if l.strip()]
for _ in range(3):  # several rounds to make overlapping copy-and-replace cycles likely
    dataset.refresh(db, {records[0].doc_id: records})
    dataset.refresh(db, {records[0].doc_id: []})
dataset.refresh(db, {records[0].doc_id: records})
"""


def test_concurrent_refreshes_do_not_lose_each_others_records(tmp_path, gold_by_doc):
    db = tmp_path / "evidence.duckdb"
    stems = ["d02-hainsworth2006", "d10-olsen2012"]
    children = []
    for stem in stems:
        records_path = tmp_path / f"{stem}.jsonl"
        records_path.write_text("".join(r.model_dump_json() + "\n" for r in gold_by_doc[stem]))
        children.append(subprocess.Popen([sys.executable, "-c", CONCURRENT_CHILD, str(db), str(records_path)]))
    assert [child.wait(timeout=300) for child in children] == [0, 0]
    loaded = dataset.load_records(db)
    assert sorted(r.doc_id for r in loaded) == sorted(s for s in stems for _ in gold_by_doc[s])
    assert len(dataset.refreshes(db)) == 14


# ---------------------------------------------------------------------------------------------
# Typed columns, the CSV/Parquet exports, papers, and the README's own SQL
# ---------------------------------------------------------------------------------------------


def test_columns_are_typed_and_missing_is_null(tmp_path, gold_by_doc):
    db = tmp_path / "evidence.duckdb"
    dataset.refresh(db, gold_by_doc)
    con = duckdb.connect(str(db), read_only=True)
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = 'records'").fetchall())
    for prefix in ("os", "pfs"):
        assert types[f"{prefix}_median"] == types[f"{prefix}_low"] == types[f"{prefix}_high"] == "DOUBLE"
        assert (types[f"{prefix}_kind"], types[f"{prefix}_not_reached"]) == ("VARCHAR", "BOOLEAN")
    assert types["drugs"] == "VARCHAR[]"
    assert types["doses"].startswith("STRUCT(") and types["doses"].endswith(")[]")
    assert types["toxicities"].startswith("STRUCT(") and types["toxicities"].endswith(")[]")
    assert "os_months" not in types and "design" not in types
    # no empty list anywhere: a record without toxicities has NULL
    for column in dataset.LIST_FIELDS:
        assert con.execute(f"SELECT count(*) FROM records WHERE len({column}) = 0").fetchone()[0] == 0
    records = [r for rs in gold_by_doc.values() for r in rs]
    no_tox = sum(not r.toxicities for r in records)
    assert con.execute("SELECT count(*) FROM records WHERE toxicities IS NULL").fetchone()[0] == no_tox
    # struct fields query like columns
    grade3 = con.execute("SELECT count(*) FROM records, unnest(toxicities) AS t(tox) "
                         "WHERE tox.grade IS NOT NULL").fetchone()[0]
    con.close()
    assert grade3 == sum(t.grade is not None for r in records for t in r.toxicities)


def test_csv_and_parquet_have_the_same_columns(tmp_path, gold_by_doc):
    import csv

    db = tmp_path / "evidence.duckdb"
    dataset.refresh(db, gold_by_doc)
    parquet = pd.read_parquet(dataset.export_parquet(db, tmp_path / "evidence.parquet"))
    with dataset.export_csv(db, tmp_path / "records.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(parquet.columns)
    assert len(rows) == len(parquet)
    first = next(r for rs in gold_by_doc.values() for r in rs if r.drugs and r.os_months)
    row = next(r for r in rows if r["doc_id"] == first.doc_id and r["study_id"] == first.study_id
               and r["cohort_key"] == dataset.cohort_key(first.arm))
    assert row["drugs"].split("; ") == sorted(first.drugs)
    assert float(row["os_median"]) == first.os_months.median
    assert list(parquet.loc[(parquet.doc_id == first.doc_id) & (parquet.study_id == first.study_id)
                            & (parquet.cohort_key == dataset.cohort_key(first.arm)), "drugs"].iloc[0]) == sorted(first.drugs)


def test_papers_lists_every_paper_of_every_refresh(tmp_path):
    paper = _gold("d08-okuma2014")
    db = tmp_path / "evidence.duckdb"
    payloads = [
        {"status": "ok", "doc_id": "d08-okuma2014", "file": "a/d08-okuma2014.pdf", "pages": 6,
         "records": [r.model_dump(mode="json") for r in paper], "warnings": []},
        {"status": "ok", "doc_id": "blank", "file": "a/blank.pdf", "pages": 2, "records": [],
         "warnings": ["page 1: text layer could not be decoded"]},
        {"status": "failed", "doc_id": "broken", "file": "a/broken.pdf", "kind": "corrupt_pdf", "message": "no xref"},
    ]
    dataset.refresh(db, {"d08-okuma2014": paper, "blank": [], "broken": []}, papers=dataset.paper_rows(payloads))
    dataset.refresh(db, {"d08-okuma2014": paper})  # a later run with one paper only
    every = dataset.papers(db)
    assert len(every) == 4 and list(every["refresh_id"]) == [1, 1, 1, 2]
    latest = dataset.papers(db, latest=True).set_index("doc_id")
    assert latest.loc["blank", "status"] == "no_records" and list(latest.loc["blank", "warnings"]) == [
        "page 1: text layer could not be decoded"]
    assert (latest.loc["broken", "status"], latest.loc["broken", "kind"]) == ("failed", "corrupt_pdf")
    assert (latest.loc["d08-okuma2014", "records"], latest.loc["d08-okuma2014", "refresh_id"]) == (len(paper), 2)


def test_study_view_and_conflicts_carry_arm_and_cohort(tmp_path):
    paper = _gold("d07-bajetta2007")
    poorly = next(r for r in paper if r.arm == "Poorly differentiated")
    review = _as_review(poorly, arm="poorly  Differentiated", rr_pct=(poorly.rr_pct or 0) + 5)
    db = tmp_path / "evidence.duckdb"
    dataset.refresh(db, {"d07-bajetta2007": paper, "review": [review]})
    view = dataset.study_view(db)
    rows = view[view["study_id"] == poorly.study_id]
    assert sorted(rows["arm"]) == sorted(r.arm for r in paper)  # rows of one regimen told apart
    assert {"cohort", "arm"} <= set(view.columns)
    found = dataset.conflicts(db)
    assert set(found["field"]) == {"rr_pct"}
    assert dict(zip(found["doc_id"], found["arm"])) == {"d07-bajetta2007": poorly.arm, "review": review.arm}
    assert set(found["cohort"]) == {"poorly differentiated"}


def test_a_dataset_with_json_text_columns_is_migrated(tmp_path, gold_by_doc):
    """A file written by the earlier layout (nested fields as JSON text) is rebuilt from record_json."""
    db = tmp_path / "old.duckdb"
    paper = gold_by_doc["d01-mitry1999"]
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE records (doc_id VARCHAR NOT NULL, study_id VARCHAR NOT NULL, cohort_key VARCHAR NOT NULL,"
                " os_months VARCHAR, record_json VARCHAR NOT NULL, refresh_id BIGINT)")
    for record in paper:
        con.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?, 1)",
                    [record.doc_id, record.study_id, dataset.cohort_key(record.arm),
                     record.os_months.model_dump_json() if record.os_months else None, record.model_dump_json()])
    con.close()
    summary = dataset.refresh(db, {"d01-mitry1999": paper})
    assert (summary.added, summary.changed, summary.removed) == (0, 0, 0)
    assert sorted(dataset.load_records(db), key=lambda r: r.arm or "") == sorted(paper, key=lambda r: r.arm or "")
    medians = dataset.study_view(db).set_index("arm")["os_median"]
    assert all(medians[r.arm] == r.os_months.median for r in paper if r.os_months and r.os_months.median)


def _readme_sql() -> list[str]:
    """Every SQL statement of the README's dataset examples (indented blocks after `duckdb ...`)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    statements, current = [], []
    for line in readme.splitlines():
        stripped = line.strip()
        if line.startswith("    ") and (current or stripped.upper().startswith(("SELECT", "WITH", "DESCRIBE"))):
            current.append(stripped)
            if stripped.endswith(";"):
                statements.append(" ".join(current))
                current = []
        elif current and not stripped:
            continue
        else:
            current = []
    return statements


def test_every_sql_example_of_the_readme_runs(tmp_path, gold_by_doc):
    statements = _readme_sql()
    assert len(statements) >= 4, statements
    db = tmp_path / "evidence.duckdb"
    review = _as_review(gold_by_doc["d07-bajetta2007"][0], rr_pct=1.0)
    dataset.refresh(db, {**gold_by_doc, "review": [review]})
    from gepnec_extract import corrections

    first = gold_by_doc["d07-bajetta2007"][0]
    corrections.record(db, [corrections.Correction(doc_id=first.doc_id, study_id=first.study_id,
                                                   cohort_key=dataset.cohort_key(first.arm), field="rr_pct",
                                                   verdict="wrong", value="12.5", reviewer="Quill")])
    con = duckdb.connect(str(db), read_only=True)
    try:
        for sql in statements:
            rows = con.execute(sql).fetchall()
            assert rows, f"README example returns nothing on the dev gold: {sql}"
    finally:
        con.close()


def test_an_empty_or_failed_reextraction_keeps_the_rows_and_says_so(tmp_path, gold_by_doc):
    db = tmp_path / "evidence.duckdb"
    doc_id = next(iter(gold_by_doc))
    dataset.refresh(db, {doc_id: gold_by_doc[doc_id]})
    before = len(gold_by_doc[doc_id])
    kept = dataset.refresh(db, {doc_id: []})  # the paper was replaced by an unreadable file
    assert kept.kept == {doc_id: before} and kept.removed == 0
    assert any(doc_id in w and f"{before} earlier" in w for w in kept.warnings)
    assert sum(r.doc_id == doc_id for r in dataset.load_records(db)) == before
    dropped = dataset.refresh(db, {doc_id: []}, drop_empty=True)  # a caller that means it
    assert dropped.removed == before and not dropped.warnings
    assert not dataset.load_records(db)


def _tables_and_views(db) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()


def test_a_refresh_creates_the_schema_only_when_the_code_changed_it(tmp_path, gold_by_doc):
    db = tmp_path / "evidence.duckdb"
    dataset.refresh(db, gold_by_doc)
    con = duckdb.connect(str(db))
    con.execute("DROP VIEW study_view")  # a view missing while schema_version says it is current
    con.close()
    dataset.refresh(db, gold_by_doc)
    assert "study_view" not in _tables_and_views(db)  # the schema was taken as current, not made again

    con = duckdb.connect(str(db))
    con.execute("UPDATE schema_version SET digest = 'an older schema'")
    con.close()
    dataset.refresh(db, gold_by_doc)
    assert {"study_view", "conflicts", "records"} <= _tables_and_views(db)
    assert not dataset.study_view(db).empty
