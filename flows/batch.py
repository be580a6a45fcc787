"""batch_extract: a folder or manifest of papers -> records, failures and the evidence dataset.

A thin Prefect wrapper: the orchestration (plan, one job per distinct paper, collect, cache,
outputs, dataset refresh, exports) is ``gepnec_extract.orchestrate.batch_job``, which runs without
Prefect too (the CLI's path when PREFECT_API_URL is unset). Here each job is a Prefect task,
submitted to the flow's task runner (threads, or Dask for ``--dask-address`` / ``workers > 1``),
so every paper is recorded on the Prefect server.

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
Any other exception is taken as transient and retried (``orchestrate.RETRIES``, inside the job:
the task has no Prefect retries of its own); if it persists the paper is recorded as failed with
kind ``error:<ExceptionType>`` (not cached). The rest of the batch goes on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from . import _runtime  # noqa: F401  (Prefect env defaults, before prefect is imported)

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from gepnec_extract import orchestrate
from gepnec_extract.orchestrate import RETRIES, BatchResult, PaperOutcome  # noqa: F401  (re-exported)


@task(
    name="extract-paper",
    cache_policy=NO_CACHE,  # our own JSON store caches (gepnec_extract.cache), not Prefect
    persist_result=False,
)
def extract_uncached(path: str, sha256: str, limits: dict[str, Any]) -> dict[str, Any]:
    """One paper's payload (see gepnec_extract.batch), transient errors retried by the job itself."""
    return orchestrate.extract_job(path, sha256=sha256, limits=limits)


_TASKS = {orchestrate.extract_job: extract_uncached}


class _TaskFuture:
    """A Prefect future as the library's future: ``result()`` waits, returns or raises."""

    def __init__(self, future):
        self._future = future

    def result(self) -> Any:
        return self._future.result(raise_on_failure=True)


def submit_task(fn: Callable[..., Any], **kwargs: Any) -> _TaskFuture:
    """The library's submit(fn, **kwargs) as a Prefect task run of the task wrapping ``fn``."""
    return _TaskFuture(_TASKS[fn].submit(**kwargs))


@flow(name="batch-extract")
def batch_extract(paths: list[str], out_dir: str, cache_dir: str | None = None,
                  refresh_cache: bool = False) -> dict[str, Any]:
    """Extract every paper under ``paths`` into ``out_dir``; returns a JSON summary."""
    return orchestrate.batch_job(paths, out_dir, submit_task, cache_dir=cache_dir, refresh_cache=refresh_cache,
                                 progress=orchestrate.flow_progress())


def run_batch(paths: list[Path | str], out_dir: Path | str, workers: int = 1, dask_address: str | None = None,
              cache_dir: Path | str | None = None, refresh_cache: bool = False,
              progress: Callable[[dict[str, Any]], None] | None = None) -> BatchResult:
    """batch_extract as a Prefect flow run, with the right task runner; its summary.

    Writes records.jsonl, records.csv, failures.jsonl, documents/, evidence.duckdb and
    evidence.parquet into ``out_dir``; the cache defaults to ``out_dir/cache``. ``progress`` is
    called with each paper's payload (status, file, doc_id ...) as it is collected.
    """
    runner = _runtime.task_runner(workers, dask_address)
    configured = batch_extract.with_options(task_runner=runner)
    with orchestrate.flow_progress_hook(progress), _runtime.one_api():
        summary = configured(paths=[str(p) for p in paths], out_dir=str(out_dir),
                             cache_dir=str(cache_dir) if cache_dir else None, refresh_cache=refresh_cache)
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
