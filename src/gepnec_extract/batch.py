"""Batch helpers with no Prefect in them: find papers, extract one into a JSON payload, write outputs.

The Prefect flows (``flows/batch_extract.py``) are wiring over these; anything here runs and is
tested on its own. A payload is a plain JSON-serializable dict, the unit the flows cache:

    {"status": "ok", "file", "doc_id", "sha256", "pipeline_version", "pages", "warnings",
     "document": {...Document...}, "records": [{...StudyRecord...}, ...],
     "tagged": {...the tagged facts, tagged_view...}}
    {"status": "failed", "file", "doc_id", "sha256", "pipeline_version", "kind", "message"}
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from . import pipeline, tagged_view
from .ingest.errors import IngestError
from .ingest.limits import Limits
from .doc_ids import safe_doc_id

if TYPE_CHECKING:  # pydantic loads where records are built: a run with every paper cached needs none
    from .model import StudyRecord

PAPER_SUFFIXES = (".pdf", ".txt")


def discover_papers(paths: Iterable[Path | str]) -> list[Path]:
    """Files to extract: each path a paper, a folder (its *.pdf and *.txt) or a manifest.

    A manifest is a ``.list``/``.manifest`` text file with one path per line (relative paths are
    relative to the manifest; blank lines and ``#`` comments are skipped).
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # every entry named like a paper, whatever it is: a directory "x.pdf", a FIFO or a dangling
            # link becomes a typed per-file failure (not_regular_file, missing_file), never a silent skip
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in PAPER_SUFFIXES))
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


def doc_id_of(path: Path | str) -> str:
    """The doc_id a paper gets: its file stem (spec), made safe as a file name (model.safe_doc_id)."""
    return safe_doc_id(Path(path).stem)


def assign_doc_ids(paths: Iterable[Path | str]) -> tuple[dict[str, str], dict[str, str]]:
    """A doc_id per path, unique within the run: two papers with one stem (a/paper.pdf and
    b/paper.pdf, or p.pdf and p.txt) would overwrite each other's outputs and dataset rows, so
    the later one gets a suffix ("paper-2") and a warning says so. Returns (str(path) -> doc_id,
    str(path) -> warning for the renamed ones)."""
    assigned: dict[str, str] = {}
    owner: dict[str, str] = {}
    warnings: dict[str, str] = {}
    for path in paths:
        key = str(path)
        if key in assigned:
            continue
        base = doc_id_of(path)
        doc_id, n = base, 1
        while doc_id.casefold() in owner:  # case-insensitive file systems would merge them too
            n += 1
            doc_id = f"{base}-{n}"
        if doc_id != base:
            warnings[key] = (f"{key}: doc_id {base!r} is already taken in this run by {owner[base.casefold()]}; "
                             f"this paper is {doc_id!r}")
        owner[doc_id.casefold()] = key
        assigned[key] = doc_id
    return assigned, warnings


def failure_payload(path: Path | str, kind: str, message: str, sha256: str | None = None,
                    doc_id: str | None = None) -> dict[str, Any]:
    return {"status": "failed", "file": str(path), "doc_id": safe_doc_id(doc_id or Path(path).stem), "sha256": sha256,
            "pipeline_version": pipeline.PIPELINE_VERSION, "kind": kind, "message": message}


def extract_payload(path: Path | str, sha256: str | None = None, limits: Limits | None = None,
                    parsed=None) -> dict[str, Any]:
    """Extract one paper into a payload. A typed IngestError (a bad file, or one over the limits)
    becomes a failure payload; unexpected exceptions propagate. ``parsed``: its parse, when
    started ahead (pipeline.parse_in_background)."""
    path = Path(path)
    try:
        result = pipeline.extract_paper(path, limits, parsed)
    except IngestError as err:
        return failure_payload(path, err.kind, err.message, sha256)
    doc = result.doc
    doc.doc_id = safe_doc_id(doc.doc_id)  # a document.json names its own doc_id: never a path
    return {
        "status": "ok", "file": str(path), "doc_id": doc.doc_id, "sha256": sha256,
        "pipeline_version": pipeline.PIPELINE_VERSION, "pages": doc.pages, "warnings": list(doc.warnings),
        "document": doc.model_dump(mode="json"),
        "records": [{**r.model_dump(mode="json"), "doc_id": doc.doc_id} for r in result.records],
        "tagged": tagged_facts(result.tagged),
    }


def tagged_facts(tagged) -> dict[str, Any] | None:
    """The tagged document's facts as data (``tagged_view``), kept with its payload so the report
    draws them from the cache and never loads the tagger again (None when nothing was tagged)."""
    if tagged is None:
        return None
    from .nlp.render import fact_view

    return fact_view(tagged)


def unreadable_payload(path: Path | str, doc_id: str | None = None) -> dict[str, Any] | None:
    """The failure payload of a path that is no regular file (missing, dangling link, directory,
    FIFO, device), or None when it is one: checked before anything opens or hashes it."""
    from .ingest.errors import check_regular_file

    try:
        check_regular_file(path)
    except IngestError as err:
        return failure_payload(path, err.kind, err.message, doc_id=doc_id)
    return None


def restamp(payload: dict[str, Any], path: Path | str, doc_id: str | None = None,
            warnings: Iterable[str] = ()) -> dict[str, Any]:
    """The payload as if extracted from ``path`` as ``doc_id`` (default: its safe stem): a cache hit
    may come from a file with the same bytes under another name, and a run gives each paper a
    unique doc_id, so identity is re-applied. ``warnings`` are added to the paper's own."""
    path = Path(path)
    doc_id = safe_doc_id(doc_id or path.stem)
    warnings = list(warnings)
    stamped = {**payload, "file": str(path), "doc_id": doc_id}
    if warnings and payload.get("status") == "ok":
        stamped["warnings"] = list(payload.get("warnings", [])) + warnings
    if warnings and payload.get("document") is not None:
        stamped["document"] = {**payload["document"], "warnings": list(payload["document"].get("warnings", [])) + warnings}
    if stamped.get("document") is not None:
        stamped["document"] = {**stamped["document"], "doc_id": doc_id, "source": path.name}
    if payload.get("records") is not None:
        stamped["records"] = [{**r, "doc_id": doc_id} for r in payload["records"]]
    return stamped


def error_payload(path: Path | str, error: BaseException, sha256: str | None = None,
                  doc_id: str | None = None) -> dict[str, Any]:
    """A failure payload for an exception that escaped (after retries, for transient ones)."""
    if isinstance(error, IngestError):
        return failure_payload(path, error.kind, error.message, sha256, doc_id)
    return failure_payload(path, f"error:{type(error).__name__}", str(error) or repr(error), sha256, doc_id)


def records_of(payloads: list[dict[str, Any]]) -> dict[str, list[StudyRecord]]:
    """Records by doc_id of the papers that were read (a paper with no records maps to [])."""
    from .model import StudyRecord

    return {p["doc_id"]: [StudyRecord.model_validate(r) for r in p["records"]]
            for p in payloads if p["status"] == "ok"}


# ---------------------------------------------------------------------------------------------
# Output files (each written to a temp name and renamed, so readers never see half a file)
# ---------------------------------------------------------------------------------------------


_TEMPORARY = re.compile(r"\.tmp-(\d+)(?:\.wal)?$")


def remove_stale_temporaries(out_dir: Path | str) -> list[Path]:
    """Delete the ``*.tmp-<pid>`` files a killed run left in out_dir (and documents/, records/):
    only those of processes that are gone, so a concurrent run's files in progress stay."""
    removed = []
    out_dir = Path(out_dir)
    for folder in (out_dir, out_dir / "documents", out_dir / "records", out_dir / "cache"):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            match = _TEMPORARY.search(path.name)
            if match and not _alive(int(match.group(1))) and path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_text(target: Path, text: str) -> Path:
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target


def write_records_jsonl(target: Path, records: list[StudyRecord]) -> Path:
    return _write_text(target, "".join(r.model_dump_json() + "\n" for r in records))


def write_failures(target: Path, payloads: list[dict[str, Any]]) -> Path:
    failures = [{"file": p["file"], "kind": p["kind"], "message": p["message"]}
                for p in payloads if p["status"] == "failed"]
    return _write_text(target, "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in failures))


def write_documents(directory: Path, payloads: list[dict[str, Any]]) -> list[Path]:
    """``<doc_id>.document.json`` and, beside it, ``<doc_id>.tagged.json`` (the report's input);
    the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for payload in payloads:
        if payload["status"] != "ok":
            continue
        stem = safe_doc_id(payload["doc_id"])
        if payload.get("document") is not None:
            written.append(_write_text(directory / f"{stem}.document.json", json.dumps(payload["document"])))
        tagged = directory / f"{stem}{tagged_view.SUFFIX}"
        if payload.get("tagged") is not None:
            written.append(_write_text(tagged, json.dumps(payload["tagged"])))
        else:  # an earlier run's facts would be another reading of this paper
            tagged.unlink(missing_ok=True)
    return written


def write_records_per_doc(directory: Path, by_doc: dict[str, list[StudyRecord]]) -> list[Path]:
    """``<doc_id>.records.jsonl`` per document read (empty when it gave none): evaluate's input;
    the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    return [write_records_jsonl(directory / f"{safe_doc_id(doc_id)}.records.jsonl", records)
            for doc_id, records in by_doc.items()]


def write_paper_outputs(out_dir: Path | str, payloads: list[dict[str, Any]]) -> tuple[dict[str, Path], list[Path]]:
    """documents/, records/ (one file per paper read) and failures.jsonl for one batch: the named
    outputs, and every file of documents/ and records/ written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = write_documents(out_dir / "documents", payloads)
    files += write_records_per_doc(out_dir / "records", records_of(payloads))
    return {"failures_jsonl": write_failures(out_dir / "failures.jsonl", payloads)}, files


def write_outputs(out_dir: Path | str, payloads: list[dict[str, Any]]) -> dict[str, Path]:
    """records.jsonl, failures.jsonl, records/ and documents/ for one batch, without a dataset.
    records.csv and evidence.parquet are the dataset's exports (write_dataset_exports): one CSV
    shape, the Parquet file's columns, whichever way a batch is run."""
    outputs, _ = write_paper_outputs(out_dir, payloads)
    records = [r for rs in records_of(payloads).values() for r in rs]
    return {"records_jsonl": write_records_jsonl(Path(out_dir) / "records.jsonl", records), **outputs}


def write_dataset_exports(out_dir: Path | str, db_path: Path | str) -> dict[str, Path]:
    """Everything derived from the dataset, written after a refresh so it agrees with it:
    evidence.parquet, and records.jsonl / records.csv (every record the dataset holds)."""
    from . import dataset

    out_dir = Path(out_dir)
    if not Path(db_path).exists():
        dataset.open_dataset(db_path).close()  # created under the lock, which is not re-entrant
    # under the dataset's lock: a concurrent run's refresh cannot fall between reading and writing;
    # one connection for the three (each costs DuckDB about 15 ms)
    with dataset._locked(Path(db_path)), dataset.reading(db_path) as con:
        parquet = dataset.export_parquet(db_path, out_dir / "evidence.parquet", con)
        records_jsonl = write_records_jsonl(out_dir / "records.jsonl", dataset.load_records(db_path, con))
        # records.csv: the Parquet file's columns, flattened (dataset.export_csv)
        records_csv = dataset.export_csv(db_path, out_dir / "records.csv", con)
    return {"records_jsonl": records_jsonl, "records_csv": records_csv, "evidence_parquet": parquet}
