"""batch_extract: a folder or manifest of papers -> records, failures and the evidence dataset.

One task per paper, run concurrently by the task runner (threads, or Dask for ``--dask-address`` /
``workers > 1``). Wiring only: every step is a function of ``gepnec_extract.batch``,
``gepnec_extract.cache`` or ``gepnec_extract.dataset`` that runs without Prefect.

Identity. Every paper gets a doc_id unique in the run (``batch.assign_doc_ids``: its safe file
stem, with a suffix and a warning when two papers share one), so no paper overwrites another.

Caching. Not Prefect's result persistence (whose files name their own serializer, pickle
included): our own store (``gepnec_extract.cache``), JSON only, one entry per key = digest of the
file's SHA-256, ``PIPELINE_VERSION`` and the ingest limits, MAC-verified and validated against the
models on read. So a re-run skips unchanged papers, renaming a file is still a hit (identity is
re-applied by ``batch.restamp``), a new PIPELINE_VERSION (a digest of the package's code and
data) or new limits re-extract, and an edited, foreign or invalid entry is a miss: the paper is
extracted again and the run says so. Two papers with the same bytes in one run are read once.

Failures. A typed IngestError (corrupt, encrypted, not a PDF, over a limit, timed out, ...) is a
completed failure payload, cached for these limits: not retried, not re-parsed next time.
Any other exception is taken as transient and retried (``retries``); if it persists the paper is
recorded as failed with kind ``error:<ExceptionType>`` (not cached). The rest of the batch goes on.

Outputs. documents/ and records/ (per paper) first, then the dataset refresh, then everything
derived from the dataset (evidence.parquet, records.jsonl, records.csv), so those always agree
with evidence.duckdb; a paper that fails or gives no records keeps its earlier rows (warned).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import _runtime  # noqa: F401  (Prefect env defaults, before prefect is imported)

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from gepnec_extract import batch, cache, dataset, pipeline
from gepnec_extract.ingest.errors import IngestError
from gepnec_extract.ingest.limits import Limits

RETRIES = 2


def _is_transient(task, task_run, state) -> bool:
    """Retry anything but a typed IngestError: a bad PDF stays bad on the next try."""
    error = state.data  # a Failed state built from an exception carries it as data
    if not isinstance(error, BaseException):
        try:
            error = state.result(raise_on_failure=False)
        except Exception:  # noqa: BLE001 - unreadable state: let the retry policy decide
            return True
    return not isinstance(error, IngestError)


@task(
    name="extract-paper",
    cache_policy=NO_CACHE,  # our own JSON store caches (gepnec_extract.cache), not Prefect
    persist_result=False,
    retries=RETRIES,
    retry_delay_seconds=1,
    retry_condition_fn=_is_transient,
)
def extract_uncached(path: str, sha256: str, limits: dict[str, Any]) -> dict[str, Any]:
    """One paper's payload (see gepnec_extract.batch)."""
    return batch.extract_payload(path, sha256=sha256, limits=Limits(**limits))


@dataclass
class PaperOutcome:
    payload: dict[str, Any]
    cached: bool


@dataclass
class _Job:
    path: Path
    doc_id: str
    payload: dict[str, Any] | None = None  # known before any task: unreadable file, cache hit
    cached: bool = False
    sha256: str | None = None
    key: str | None = None
    future: Any = None
    owner: bool = False  # this job's task result is the one to cache


def _outcome(job: _Job, store: cache.PayloadCache, notes: list[str]) -> PaperOutcome:
    if job.payload is not None:
        return PaperOutcome(job.payload, job.cached)
    job.future.wait()
    state = job.future.state
    if state.is_completed():
        payload = job.future.result()
        if job.owner and cache.cacheable(payload):
            try:
                store.put(job.key, payload)
            except OSError as err:
                notes.append(f"{job.path}: result not cached ({err})")
        return PaperOutcome(payload, cached=not job.owner)
    error = state.result(raise_on_failure=False)
    if not isinstance(error, BaseException):
        error = RuntimeError(state.message or state.name)
    return PaperOutcome(batch.error_payload(job.path, error, job.sha256), cached=False)


def _plan(files: list[Path], doc_ids: dict[str, str], store: cache.PayloadCache, limits: Limits,
          refresh_cache: bool, submit, notes: list[str]) -> list[_Job]:
    """A job per paper: unreadable files and cache hits are answered at once, the rest submitted
    (one task per distinct key: a second copy of the same bytes waits on the first)."""
    jobs, by_key = [], {}
    for path in files:
        job = _Job(path, doc_ids[str(path)])
        jobs.append(job)
        job.payload = batch.unreadable_payload(path)
        if job.payload is not None:
            continue
        try:
            job.sha256 = pipeline.file_sha256(path)
        except OSError as err:
            job.payload = batch.failure_payload(path, "missing_file", f"cannot read: {err}")
            continue
        job.key = cache.cache_key(job.sha256, pipeline.PIPELINE_VERSION, limits)
        if not refresh_cache:
            try:
                job.payload = store.get(job.key, job.sha256, pipeline.PIPELINE_VERSION)
            except cache.CacheMiss as miss:
                notes.append(f"{path}: cache entry ignored ({miss}); extracted again")
            job.cached = job.payload is not None
            if job.cached:
                continue
        if job.key in by_key:
            job.future = by_key[job.key]
            continue
        job.future = by_key[job.key] = submit(path=str(path), sha256=job.sha256, limits=asdict(limits))
        job.owner = True
    return jobs


@flow(name="batch-extract")
def batch_extract(paths: list[str], out_dir: str, cache_dir: str | None = None,
                  refresh_cache: bool = False) -> dict[str, Any]:
    """Extract every paper under ``paths`` into ``out_dir``; returns a JSON summary."""
    started = time.perf_counter()
    out = Path(out_dir)
    batch.remove_stale_temporaries(out)  # left by a killed run
    store = cache.PayloadCache(Path(cache_dir) if cache_dir else out / "cache")
    files = batch.discover_papers(paths)
    doc_ids, renamed = batch.assign_doc_ids(files)
    notes = list(renamed.values())
    jobs = _plan(files, doc_ids, store, Limits.from_env(), refresh_cache, extract_uncached.submit, notes)

    outcomes = []
    for job in jobs:
        outcome = _outcome(job, store, notes)
        note = renamed.get(str(job.path))
        outcome.payload = batch.restamp(outcome.payload, job.path, job.doc_id, [note] if note else [])
        outcomes.append(outcome)
        if _progress is not None:
            _progress(outcome.payload)
    payloads = [o.payload for o in outcomes]

    outputs = {k: str(v) for k, v in batch.write_paper_outputs(out, payloads).items()}
    # a failed paper is named too, with no records: its earlier rows are kept, and said to be
    given = {**{p["doc_id"]: [] for p in payloads if p["status"] == "failed"}, **batch.records_of(payloads)}
    summary = dataset.refresh(out / "evidence.duckdb", given, note=f"batch_extract {pipeline.PIPELINE_VERSION}",
                              papers=dataset.paper_rows(payloads))
    notes.extend(summary.warnings)
    outputs["evidence_duckdb"] = str(out / "evidence.duckdb")
    outputs.update({k: str(v) for k, v in batch.write_dataset_exports(out, out / "evidence.duckdb").items()})
    return {
        "files": len(files),
        "ok": sum(p["status"] == "ok" for p in payloads),
        "failed": sum(p["status"] == "failed" for p in payloads),
        "cached": sum(o.cached for o in outcomes),
        "pages": sum(p.get("pages", 0) for p in payloads if p["status"] == "ok"),
        "records": sum(len(p["records"]) for p in payloads if p["status"] == "ok"),
        "failures": [{k: p[k] for k in ("file", "kind", "message")} for p in payloads if p["status"] == "failed"],
        "refresh": {k: v for k, v in summary.to_dict().items() if k not in ("details", "warnings")},
        "outputs": outputs,
        "warnings": notes,
        "seconds": round(time.perf_counter() - started, 3),
    }


@dataclass
class BatchResult:
    files: int
    ok: int
    failed: int
    cached: int  # papers served from the cache (not re-extracted)
    pages: int
    records: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    refresh: dict[str, Any] = field(default_factory=dict)  # dataset refresh counts
    outputs: dict[str, str] = field(default_factory=dict)  # name -> path
    warnings: list[str] = field(default_factory=list)  # doc_id collisions, ignored cache entries, kept rows
    seconds: float = 0.0


# Called with each paper's payload as the flow collects it (a callable is no flow parameter:
# Prefect validates and records parameters, so the progress display is hooked in here instead).
_progress: Callable[[dict[str, Any]], None] | None = None


def run_batch(paths: list[Path | str], out_dir: Path | str, workers: int = 1, dask_address: str | None = None,
              cache_dir: Path | str | None = None, refresh_cache: bool = False,
              progress: Callable[[dict[str, Any]], None] | None = None) -> BatchResult:
    """The CLI's entry point: run batch_extract with the right task runner and return its summary.

    Writes records.jsonl, records.csv, failures.jsonl, documents/, evidence.duckdb and
    evidence.parquet into ``out_dir``; the cache defaults to ``out_dir/cache``. ``progress`` is
    called with each paper's payload (status, file, doc_id ...) as it is collected.
    """
    global _progress
    runner = _runtime.task_runner(workers, dask_address)
    configured = batch_extract.with_options(task_runner=runner)
    _progress = progress
    try:
        with _runtime.one_api():
            summary = configured(paths=[str(p) for p in paths], out_dir=str(out_dir),
                                 cache_dir=str(cache_dir) if cache_dir else None, refresh_cache=refresh_cache)
    finally:
        _progress = None
    return BatchResult(**summary)


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Extract a folder or manifest of papers.")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--out", default="out")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--dask-address", default=None)
    args = parser.parse_args()
    result = run_batch(args.paths, args.out, workers=args.workers, dask_address=args.dask_address)
    print(json.dumps(result.__dict__, indent=1, default=str))
