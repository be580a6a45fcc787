"""batch_extract: a folder or manifest of papers -> records, failures and the evidence dataset.

One task per paper, run concurrently by the task runner (threads, or Dask for ``--dask-address`` /
``workers > 1``). Wiring only: every step is a function of ``gepnec_extract.batch`` or
``gepnec_extract.dataset`` that runs without Prefect.

Caching. ``extract_cached`` is keyed by its inputs minus the path, i.e. by the file's SHA-256 and
``PIPELINE_VERSION`` (cache policy ``INPUTS - "path"``; Prefect's DEFAULT policy would add the
task source and the flow-run id, so it never hits across runs). Results persist as JSON (no
pickles) under ``cache_dir``, which also holds the cache records. So a re-run skips unchanged
papers, renaming a file is still a hit (identity is re-applied by ``batch.restamp``), and a new
PIPELINE_VERSION (a digest of the package's code and data, so any edit) re-extracts everything.

Failures. A typed IngestError tied to the file's bytes (corrupt, encrypted, not a PDF, ...) is a
completed, cached failure payload: not retried, not re-parsed next time. Limit/timeout errors are
raised so they are never cached, and are not retried either. Any other exception is taken as
transient and retried (``retries``); if it persists the paper is recorded as failed with kind
``error:<ExceptionType>``. Either way the rest of the batch goes on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import _runtime  # noqa: F401  (Prefect env defaults, before prefect is imported)

from prefect import flow, task
from prefect.cache_policies import INPUTS

from gepnec_extract import batch, dataset, pipeline
from gepnec_extract.ingest.errors import IngestError

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
    cache_policy=INPUTS - "path",
    persist_result=True,
    result_serializer="json",
    retries=RETRIES,
    retry_delay_seconds=1,
    retry_condition_fn=_is_transient,
)
def extract_cached(path: str, sha256: str, pipeline_version: str) -> dict[str, Any]:
    """One paper's payload (see gepnec_extract.batch); cached by (sha256, pipeline_version)."""
    return batch.extract_payload(path, sha256=sha256)


@dataclass
class PaperOutcome:
    payload: dict[str, Any]
    cached: bool


def _outcome(future, path: Path, sha256: str) -> PaperOutcome:
    future.wait()
    state = future.state
    if state.is_completed():
        return PaperOutcome(batch.restamp(future.result(), path), cached=state.name == "Cached")
    error = state.result(raise_on_failure=False)
    if not isinstance(error, BaseException):
        error = RuntimeError(state.message or state.name)
    return PaperOutcome(batch.error_payload(path, error, sha256), cached=False)


@flow(name="batch-extract")
def batch_extract(paths: list[str], out_dir: str, cache_dir: str | None = None,
                  refresh_cache: bool = False) -> dict[str, Any]:
    """Extract every paper under ``paths`` into ``out_dir``; returns a JSON summary."""
    started = time.perf_counter()
    out = Path(out_dir)
    cache = Path(cache_dir) if cache_dir else out / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    files = batch.discover_papers(paths)
    extract = extract_cached.with_options(
        result_storage=cache.resolve(), refresh_cache=refresh_cache or None)

    submitted = []
    for path in files:
        if not path.is_file():
            submitted.append((path, None, None))
            continue
        sha256 = pipeline.file_sha256(path)
        submitted.append((path, sha256, extract.submit(path=str(path), sha256=sha256,
                                                       pipeline_version=pipeline.PIPELINE_VERSION)))
    outcomes = []
    for path, sha256, future in submitted:
        outcomes.append(PaperOutcome(batch.failure_payload(path, "missing_file", "no such file"), False)
                        if future is None else _outcome(future, path, sha256))
        if _progress is not None:
            _progress(outcomes[-1].payload)
    payloads = [o.payload for o in outcomes]

    outputs = {k: str(v) for k, v in batch.write_outputs(out, payloads).items()}
    summary = dataset.refresh(out / "evidence.duckdb", batch.records_of(payloads),
                              note=f"batch_extract {pipeline.PIPELINE_VERSION}")
    outputs["evidence_duckdb"] = str(out / "evidence.duckdb")
    outputs["evidence_parquet"] = str(dataset.export_parquet(out / "evidence.duckdb", out / "evidence.parquet"))
    return {
        "files": len(files),
        "ok": sum(p["status"] == "ok" for p in payloads),
        "failed": sum(p["status"] == "failed" for p in payloads),
        "cached": sum(o.cached for o in outcomes),
        "pages": sum(p.get("pages", 0) for p in payloads if p["status"] == "ok"),
        "records": sum(len(p["records"]) for p in payloads if p["status"] == "ok"),
        "failures": [{k: p[k] for k in ("file", "kind", "message")} for p in payloads if p["status"] == "failed"],
        "refresh": {k: v for k, v in summary.to_dict().items() if k != "details"},
        "outputs": outputs,
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
