"""Batch helpers with no Prefect in them: find papers, extract one into a JSON payload, write outputs.

The Prefect flows (``flows/batch_extract.py``) are wiring over these; anything here runs and is
tested on its own. A payload is a plain JSON-serializable dict, the unit the flows cache:

    {"status": "ok", "file", "doc_id", "sha256", "pipeline_version", "pages", "warnings",
     "document": {...Document...}, "records": [{...StudyRecord...}, ...]}
    {"status": "failed", "file", "doc_id", "sha256", "pipeline_version", "kind", "message"}
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any, Iterable

from . import pipeline
from .ingest.errors import IngestError, ParseTimeoutError, ResourceLimitError
from .ingest.limits import Limits
from .model import StudyRecord

PAPER_SUFFIXES = (".pdf", ".txt")
# Failures that depend on the machine or on configured limits rather than on the file's bytes:
# they are raised (and so never cached) instead of being returned as a failure payload.
UNCACHEABLE_ERRORS = (ParseTimeoutError, ResourceLimitError)


def discover_papers(paths: Iterable[Path | str]) -> list[Path]:
    """Files to extract: each path a paper, a folder (its *.pdf and *.txt) or a manifest.

    A manifest is a ``.list``/``.manifest`` text file with one path per line (relative paths are
    relative to the manifest; blank lines and ``#`` comments are skipped).
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in PAPER_SUFFIXES and p.is_file()))
        elif path.suffix.lower() in {".list", ".manifest"}:
            found.extend(read_manifest(path))
        else:
            found.append(path)
    return list(dict.fromkeys(found))  # keep order, drop repeats


def read_manifest(manifest: Path) -> list[Path]:
    entries = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entry = Path(line)
            entries.append(entry if entry.is_absolute() else manifest.parent / entry)
    return entries


def failure_payload(path: Path | str, kind: str, message: str, sha256: str | None = None) -> dict[str, Any]:
    return {"status": "failed", "file": str(path), "doc_id": Path(path).stem, "sha256": sha256,
            "pipeline_version": pipeline.PIPELINE_VERSION, "kind": kind, "message": message}


def extract_payload(path: Path | str, sha256: str | None = None, limits: Limits | None = None) -> dict[str, Any]:
    """Extract one paper into a payload. A typed IngestError tied to the file's bytes becomes a
    failure payload; limit/timeout errors and unexpected exceptions propagate."""
    path = Path(path)
    try:
        result = pipeline.extract_paper(path, limits)
    except UNCACHEABLE_ERRORS:
        raise
    except IngestError as err:
        return failure_payload(path, err.kind, err.message, sha256)
    doc = result.doc
    return {
        "status": "ok", "file": str(path), "doc_id": doc.doc_id, "sha256": sha256,
        "pipeline_version": pipeline.PIPELINE_VERSION, "pages": doc.pages, "warnings": list(doc.warnings),
        "document": doc.model_dump(mode="json"),
        "records": [r.model_dump(mode="json") for r in result.records],
    }


def restamp(payload: dict[str, Any], path: Path | str) -> dict[str, Any]:
    """The payload as if extracted from ``path``: a cache hit may come from a file with the same
    bytes under another name, and doc_id is the file stem (spec), so identity is re-applied."""
    path = Path(path)
    doc_id = path.stem
    stamped = {**payload, "file": str(path), "doc_id": doc_id}
    if payload.get("document") is not None:
        stamped["document"] = {**payload["document"], "doc_id": doc_id, "source": path.name}
    if payload.get("records") is not None:
        stamped["records"] = [{**r, "doc_id": doc_id} for r in payload["records"]]
    return stamped


def error_payload(path: Path | str, error: BaseException, sha256: str | None = None) -> dict[str, Any]:
    """A failure payload for an exception that escaped (after retries, for transient ones)."""
    if isinstance(error, IngestError):
        return failure_payload(path, error.kind, error.message, sha256)
    return failure_payload(path, f"error:{type(error).__name__}", str(error) or repr(error), sha256)


def records_of(payloads: list[dict[str, Any]]) -> dict[str, list[StudyRecord]]:
    """Records by doc_id of the papers that were read (a paper with no records maps to [])."""
    return {p["doc_id"]: [StudyRecord.model_validate(r) for r in p["records"]]
            for p in payloads if p["status"] == "ok"}


# ---------------------------------------------------------------------------------------------
# Output files (each written to a temp name and renamed, so readers never see half a file)
# ---------------------------------------------------------------------------------------------


def _write_text(target: Path, text: str) -> Path:
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target


def write_records_jsonl(target: Path, records: list[StudyRecord]) -> Path:
    return _write_text(target, "".join(r.model_dump_json() + "\n" for r in records))


def write_records_csv(target: Path, records: list[StudyRecord]) -> Path:
    """One row per record; nested fields (lists, objects) as JSON strings."""
    columns = list(StudyRecord.model_fields)
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for record in records:
            data = record.model_dump(mode="json")
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                             for k, v in data.items()})
    os.replace(tmp, target)
    return target


def write_failures(target: Path, payloads: list[dict[str, Any]]) -> Path:
    failures = [{"file": p["file"], "kind": p["kind"], "message": p["message"]}
                for p in payloads if p["status"] == "failed"]
    return _write_text(target, "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in failures))


def write_documents(directory: Path, payloads: list[dict[str, Any]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for payload in payloads:
        if payload["status"] == "ok" and payload.get("document") is not None:
            _write_text(directory / f"{payload['doc_id']}.document.json", json.dumps(payload["document"]))


def write_records_per_doc(directory: Path, by_doc: dict[str, list[StudyRecord]]) -> None:
    """``<doc_id>.records.jsonl`` per document read (empty when it gave none): evaluate's input."""
    directory.mkdir(parents=True, exist_ok=True)
    for doc_id, records in by_doc.items():
        write_records_jsonl(directory / f"{doc_id}.records.jsonl", records)


def write_outputs(out_dir: Path | str, payloads: list[dict[str, Any]]) -> dict[str, Path]:
    """records.jsonl, records.csv, failures.jsonl, records/ and documents/ for one batch."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_doc = records_of(payloads)
    records = [r for rs in by_doc.values() for r in rs]
    write_documents(out_dir / "documents", payloads)
    write_records_per_doc(out_dir / "records", by_doc)
    return {
        "records_jsonl": write_records_jsonl(out_dir / "records.jsonl", records),
        "records_csv": write_records_csv(out_dir / "records.csv", records),
        "failures_jsonl": write_failures(out_dir / "failures.jsonl", payloads),
    }
