"""refresh_dataset: merge records.jsonl files into the evidence dataset (DuckDB + Parquet export)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import _runtime  # noqa: F401  (Prefect env defaults, before prefect is imported)

from prefect import flow

from gepnec_extract import dataset
from gepnec_extract.model import StudyRecord


def read_records_by_doc(jsonl_paths: list[str]) -> dict[str, list[StudyRecord]]:
    """Records grouped by doc_id; every document named in the files is refreshed as a whole."""
    by_doc: dict[str, list[StudyRecord]] = {}
    for path in jsonl_paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = StudyRecord.model_validate_json(line)
                by_doc.setdefault(record.doc_id, []).append(record)
    return by_doc


@flow(name="refresh-dataset")
def refresh_dataset(records_jsonl: list[str], db_path: str, parquet_path: str | None = None) -> dict[str, Any]:
    """Upsert the records into ``db_path`` (atomically, with history) and export Parquet."""
    summary = dataset.refresh(db_path, read_records_by_doc(records_jsonl), note="refresh_dataset flow")
    target = parquet_path or str(Path(db_path).with_suffix(".parquet"))
    dataset.export_parquet(db_path, target)
    return {**summary.to_dict(), "parquet": target}


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Merge records.jsonl files into the evidence dataset.")
    parser.add_argument("records_jsonl", nargs="+")
    parser.add_argument("--db", default="out/evidence.duckdb")
    args = parser.parse_args()
    result = refresh_dataset(args.records_jsonl, args.db)
    print(json.dumps({k: v for k, v in result.items() if k != "details"}, indent=1))
