"""The batch's orchestration, with no Prefect in it: plan, submit, collect, outputs, dataset.

``batch_job`` is the whole of ``batch_extract`` (the Prefect flow in flows/batch.py is a thin
wrapper over it). It takes an executor-like ``submit(fn, **kwargs) -> future`` whose future has
``.result()`` (returning fn's value or raising its exception), so one body runs

* in this process, one paper at a time (``InlineExecutor``: the default for one worker),
* in this process and N-1 spawned worker processes for ``--workers N`` (``ProcessPoolJobs``),
* on the Dask cluster at ``--dask-address`` (``DaskExecutor``),
* as Prefect tasks (flows/batch.py adapts Prefect's task submission).

Only ``extract_job`` (a module-level function: pickled by reference, so a Dask worker needs
gepnec_extract installed and nothing else) and its plain-JSON arguments travel to a worker. The
progress callback, the cache and the dataset stay in the calling process.

``run_batch`` is what the CLI calls: without PREFECT_API_URL in the environment it runs the
library path above and never imports Prefect (no temporary server, no Prefect import); with it,
it runs the Prefect flow (gepnec_flows.batch.run_batch) so that the run is recorded on that server.

Retries. A typed IngestError (a bad file stays bad) is never retried; any other exception is
taken as transient and retried ``RETRIES`` times inside ``extract_job``, on whichever executor
runs it (the Prefect task has no retries of its own: this is their one home).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from . import batch, cache, pipeline, run_state
from .ingest.errors import IngestError
from .ingest.limits import Limits
from .interrupts import die_with_parent, interrupted, shield_children

RETRIES = 2
RETRY_DELAY_S = 1.0

Progress = Callable[[dict[str, Any]], None]


class Future(Protocol):
    def result(self) -> Any: ...


Submit = Callable[..., Future]  # submit(fn, **kwargs) -> Future


def is_transient(error: BaseException) -> bool:
    """Retry anything but a typed IngestError: a bad PDF stays bad on the next try."""
    return not isinstance(error, IngestError)


def extract_job(path: str, sha256: str, limits: dict[str, Any], retries: int = RETRIES,
                retry_delay_s: float = RETRY_DELAY_S, parsed: Future | None = None) -> dict[str, Any]:
    """One paper's payload (batch.extract_payload), transient errors retried; the last one raised.
    ``parsed``: the paper's parse started ahead (InlineExecutor); a retry parses again."""
    attempt = 0
    while True:
        try:
            return batch.extract_payload(path, sha256=sha256, limits=Limits(**limits), parsed=parsed)
        except Exception as error:  # noqa: BLE001 - classified just below
            if attempt >= retries or not is_transient(error):
                raise
            attempt += 1
            parsed = None
            time.sleep(retry_delay_s)


# ---------------------------------------------------------------------------------------------
# Executors
# ---------------------------------------------------------------------------------------------


class _Deferred:
    """A future that runs its call when its result is first asked for (and keeps the outcome)."""

    def __init__(self, fn: Callable[..., Any], kwargs: dict[str, Any], before: Callable[[], None] | None = None):
        self._call = (fn, kwargs)
        self._before = before  # run first, when the result is asked for
        self._value: Any = None
        self._error: BaseException | None = None

    def result(self) -> Any:
        if self._before is not None:
            self._before()
            self._before = None
        if self._call is not None:
            fn, kwargs = self._call
            self._call = None
            try:
                self._value = fn(**kwargs)
            except Exception as error:  # noqa: BLE001 - re-raised to whoever asks, as a future does
                self._error = error
        if self._error is not None:
            raise self._error
        return self._value


PARSES_AT_ONCE = 2  # papers whose parse runs at the same time (InlineExecutor)


class InlineExecutor:
    """One worker, this process: each job runs when the batch collects it (so progress is live).

    Papers are parsed ahead, PARSES_AT_ONCE side by side: when a paper's job is collected, the
    next papers start parsing in their sandboxed children (pipeline.parse_in_background; one per
    core, each its share of the pages, a short paper read by one), each once the parse that many
    papers before it has ended, while this process tags the current one, so parsing and tagging
    share the cores (one short paper's parse at a time left a core idle: 40 dev papers took 14.0 s
    with one, 9.5 s with two). The
    first paper parses while the readers load; what is left of that wait goes to ``meanwhile``:
    calls that prepare the batch's later stages (imports, an empty dataset), each made at most
    once, one after another on a thread of their own, each only while the parse is still running.
    They change no result: whatever they would have done is done when its stage comes anyway (an
    import waits for the thread's, the dataset's lock for its creation). ``parsed`` is called
    with the path of each paper this process reads, once its parse is done (a later stage's head
    start on that paper, such as the report's picture child, which then loads while the paper is
    tagged, on the core tagging leaves idle; not before, when the parse has both cores)."""

    def __init__(self, meanwhile: Iterable[Callable[[], Any]] = (),
                 parsed: Callable[[str], Any] | None = None) -> None:
        self._papers: list[dict[str, Any]] = []  # extract_job's kwargs in batch order; "parsed" once started
        self._meanwhile = list(meanwhile)
        self._preparing: threading.Thread | None = None
        self._parsed = parsed

    def submit(self, fn: Callable[..., Any], **kwargs: Any) -> Future:
        if fn is not extract_job:
            return _Deferred(fn, kwargs)
        at = len(self._papers)
        self._papers.append(kwargs)
        return _Deferred(fn, kwargs, before=lambda: self._parse_ahead(at))

    def _parse_ahead(self, at: int) -> None:
        """Start paper ``at``'s parse (unless started) and the next PARSES_AT_ONCE papers', each
        after the parse PARSES_AT_ONCE before it; then load the readers and prepare later stages
        while paper ``at`` parses."""
        from .ingest.sandbox import parts_for_one_paper

        for index in range(at, min(at + 1 + PARSES_AT_ONCE, len(self._papers))):
            kwargs = self._papers[index]
            if kwargs.get("parsed") is None:
                before = self._papers[index - PARSES_AT_ONCE]["parsed"] if index >= PARSES_AT_ONCE else None
                kwargs["parsed"] = pipeline.parse_in_background(kwargs["path"], Limits(**kwargs["limits"]), before,
                                                                parts=parts_for_one_paper())
        parsing = self._papers[at]["parsed"]
        if self._parsed is not None:
            parsing.add_done_callback(functools.partial(self._after_parse, self._papers[at]["path"]))
        pipeline.load_readers()
        if self._preparing is None and self._meanwhile and not parsing.done():  # one thread, for the first paper
            # on a thread of its own, so that the paper's reading starts the moment its parse is
            # done, not when a preparation started just before that ends (the dataset's creation
            # takes about 0.15 s, mostly in DuckDB, which lets go of the interpreter lock)
            self._preparing = threading.Thread(target=self._prepare, args=(parsing,), name="prepare later stages",
                                               daemon=True)
            self._preparing.start()

    def _after_parse(self, path: str, parsing: Future) -> None:
        """On the thread that ends the parse (or this one, if it had ended): ``parsed`` for a paper
        parsed whole."""
        if not parsing.cancelled() and parsing.exception() is None:
            self._parsed(path)

    def _prepare(self, parsing: Future) -> None:
        while self._meanwhile and not parsing.done():
            prepare = self._meanwhile.pop(0)
            try:
                prepare()
            except Exception as error:  # noqa: BLE001 - its stage does the work again, and says what fails
                logging.getLogger(__name__).debug("preparing %s failed: %s", prepare, error)

    def close(self) -> None:
        if self._preparing is not None:
            self._preparing.join()  # long done, as a rule: the batch's own stages came after it


class DaskExecutor:
    """Jobs on the Dask cluster at ``address`` (``--dask-address``). Its workers need gepnec_extract
    installed and non-daemonic processes (DASK_DISTRIBUTED__WORKER__DAEMON=False): each PDF is
    parsed in a child process."""

    def __init__(self, address: str):
        from distributed import Client

        self._client = Client(address)

    def submit(self, fn: Callable[..., Any], **kwargs: Any) -> Future:
        return self._client.submit(fn, pure=False, **kwargs)

    def close(self) -> None:
        self._client.close()


# A phrase that runs every pipeline component once (drug dictionary, measures, study facts), so
# a worker has built its lazy vocabularies before its first paper arrives.
_WARM_UP_TEXT = "Patients received drugamab 80 mg/m2 on day 1; response rate was 31% (9/29)."

# How many times a worker may die with a paper in hand before the paper fails for good: a worker
# killed once under it (say by the kernel's OOM killer, which may pick any process) is replaced
# and the paper tried again; a paper under which workers die twice is taken as what kills them.
WORKER_DEATHS = 2


class WorkerDied(RuntimeError):
    """Pool workers died WORKER_DEATHS times while they had this paper in hand."""


def start_worker() -> None:
    """In each pool worker, before its first job: die with the run, and load what every job needs.

    Ctrl-C is the run's to handle: the terminal sends it to every process of the group, and a
    worker (or its fork server, which inherits the setting) would print its own traceback; the
    run stops taking papers and the pool finishes the ones in hand. The parser's fork server is
    started next (its imports run in its own process, beside the NLP load here), then the NLP
    pipeline is built and run once.
    """
    import signal

    from .ingest import sandbox
    from .nlp import get_nlp

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    sandbox.start_fork_server()
    get_nlp()(_WARM_UP_TEXT)


class ProcessPoolJobs:
    """``--workers N`` on this machine: this process and N-1 worker processes (spawned: nothing of
    the parent is copied), each worker loading the NLP once and parsing through its own sandboxed
    fork server. No Dask scheduler, nanny or comms; jobs and payloads travel by pickle between
    this process and the workers it started, never from files.

    The pool holds one job per worker at a time (a sender thread gives it the next job in batch
    order as one comes back), so the jobs in the pool are the ones in hand. This process is one
    of the N: while the paper it collects next is still with the pool, it takes the last paper
    not yet sent and extracts it here (the pool works from the head of the batch, this process
    from the tail), so no paper waits for a worker to start up.

    A worker that dies (killed, out of memory) breaks the pool: a new pool is started, the papers
    the old one held count a death each and go back to the head of the queue; one that reaches
    WORKER_DEATHS fails alone (WorkerDied) and the batch goes on. (With more than one pool worker
    the papers in the other workers' hands count a death too: the pool does not say whose died.)
    """

    def __init__(self, workers: int):
        import multiprocessing
        from collections import deque

        self._workers = workers - 1
        self._context = multiprocessing.get_context("spawn")
        self._changed = threading.Condition()  # guards what follows; notified when any of it changes
        self._pool = self._new_pool()  # None while a broken one is replaced
        self._in_pool: set[_PoolJob] = set()
        self._in_hand_at_break: set[_PoolJob] | None = None  # what the pool held when it broke
        self._to_send: deque[_PoolJob] = deque()  # in batch order
        self._jobs: list[_PoolJob] = []
        self._closing = False
        self._sender = threading.Thread(target=self._send, name="pool sender", daemon=True)
        self._sender.start()

    def _new_pool(self):
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(max_workers=self._workers, mp_context=self._context, initializer=start_worker)

    def submit(self, fn: Callable[..., Any], **kwargs: Any) -> Future:
        job = _PoolJob(self, fn, kwargs)
        with self._changed:
            self._jobs.append(job)
            self._to_send.append(job)
            self._changed.notify_all()
        return job

    def _send(self) -> None:
        """The sender thread: keep one job per pool worker in the pool, in batch order (the pool
        starts its workers from this thread: they never see Ctrl-C, which is the run's)."""
        shield_children()
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._closing or (
                    self._pool is not None and self._in_hand_at_break is None
                    and self._to_send and len(self._in_pool) < self._workers))
                if self._closing:
                    return
                job = self._to_send.popleft()
                job.send(self._pool)
                self._in_pool.add(job)
                self._changed.notify_all()
            job.future.add_done_callback(lambda future, job=job: self._came_back(job, future))

    def _came_back(self, job: _PoolJob, future) -> None:
        from concurrent.futures.process import BrokenProcessPool

        with self._changed:
            broke = not future.cancelled() and isinstance(future.exception(), BrokenProcessPool)
            if broke and job.pool is self._pool and self._in_hand_at_break is None:
                self._in_hand_at_break = set(self._in_pool)  # the first to say so: the sender stops
            self._in_pool.discard(job)
            self._changed.notify_all()

    def take_one(self) -> bool:
        """Extract here the last job not sent to the pool; False when there is none. A job a worker
        died with is left to the pool: it could kill this process too."""
        with self._changed:
            fresh = [job for job in self._to_send if not job.deaths]
            if not fresh:
                return False
            self._to_send.remove(fresh[-1])
        fresh[-1].run_here()
        return True

    def wait_sent(self, job: _PoolJob) -> None:
        with self._changed:
            self._changed.wait_for(lambda: job.future is not None or job.taken_here)

    def replace_broken_pool(self, broken) -> None:
        """After a worker died: unless done already for this pool, start a new one; every job the
        broken pool held when it broke counts a death, and every job it did not finish goes back
        to the head of the queue, in order, unless it has reached WORKER_DEATHS."""
        with self._changed:
            if broken is not self._pool:
                return  # replaced while another job was collected
            self._pool = None
        broken.shutdown(wait=True)  # its thread fails what it held (and takes the lock to say so)
        with self._changed:
            in_hand = self._in_hand_at_break
            again = []
            for job in [job for job in self._jobs if job.lost_with(broken)]:
                job.deaths += in_hand is None or job in in_hand  # not those sent as it broke
                if job.deaths < WORKER_DEATHS:
                    job.future = None  # to be sent again; a job that has reached it keeps its broken future
                    again.append(job)
            self._to_send.extendleft(reversed(again))
            self._in_pool.clear()
            self._in_hand_at_break = None
            self._pool = self._new_pool()
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closing = True
            pool, self._pool = self._pool, None
            self._changed.notify_all()
        self._sender.join()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


class _PoolJob:
    """A job of the batch: sent to the pool, or taken and run by this process; a future either way."""

    def __init__(self, jobs: ProcessPoolJobs, fn: Callable[..., Any], kwargs: dict[str, Any]):
        self._jobs, self._call = jobs, (fn, kwargs)
        self.deaths = 0  # times a worker died with this job in hand
        self.pool = self.future = None  # the pool it was last sent to, and its future there
        self._here: _Deferred | None = None

    @property
    def taken_here(self) -> bool:
        return self._here is not None

    def send(self, pool) -> None:
        from concurrent.futures import Future as PoolFuture
        from concurrent.futures.process import BrokenProcessPool

        fn, kwargs = self._call
        self.pool = pool
        try:
            self.future = pool.submit(fn, **kwargs)
        except BrokenProcessPool as error:  # broke since it was last sent to: collected as lost with it
            self.future = PoolFuture()
            self.future.set_exception(error)

    def run_here(self) -> None:
        self._here = _Deferred(*self._call)
        try:
            self._here.result()  # runs it now
        except Exception:  # noqa: BLE001 - kept in _here: raised to whoever collects this job
            pass

    def lost_with(self, pool) -> bool:
        """Whether this job was in the broken ``pool`` and did not finish there."""
        from concurrent.futures.process import BrokenProcessPool

        if self.pool is not pool or self.taken_here:
            return False
        return not self.future.done() or isinstance(self.future.exception(), BrokenProcessPool)

    def result(self) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        while True:
            while not self.taken_here and not (self.future is not None and self.future.done()) and self._jobs.take_one():
                pass
            self._jobs.wait_sent(self)
            if self.taken_here:
                return self._here.result()
            try:
                return self.future.result()
            except BrokenProcessPool as error:
                self._jobs.replace_broken_pool(self.pool)
                if self.deaths >= WORKER_DEATHS:
                    raise WorkerDied(f"a worker process died while it extracted this paper, {self.deaths} times "
                                     "(killed, or out of memory?); the other papers went on") from error


def executor_for(workers: int = 1, dask_address: str | None = None, meanwhile: Iterable[Callable[[], Any]] = (),
                 parsed: Callable[[str], Any] | None = None):
    """In this process for one worker, a process pool for ``--workers N``, Dask for an address.
    ``meanwhile`` and ``parsed``: InlineExecutor's preparations (the other executors read papers
    elsewhere and have no wait to fill)."""
    if dask_address:
        return DaskExecutor(dask_address)
    if workers > 1:
        return ProcessPoolJobs(workers)
    return InlineExecutor(meanwhile, parsed)


# ---------------------------------------------------------------------------------------------
# The batch
# ---------------------------------------------------------------------------------------------


@dataclass
class PaperOutcome:
    payload: dict[str, Any]
    cached: bool


@dataclass
class _Job:
    path: Path
    doc_id: str
    payload: dict[str, Any] | None = None  # known before any job: unreadable file, cache hit
    cached: bool = False
    sha256: str | None = None
    key: str | None = None
    future: Any = None
    owner: bool = False  # this job's result is the one to cache


def plan(files: list[Path], doc_ids: dict[str, str], store: cache.PayloadCache, limits: Limits,
         refresh_cache: bool, submit: Submit, notes: list[str]) -> list[_Job]:
    """A job per paper: unreadable files and cache hits are answered at once, the rest submitted
    (one job per distinct key: a second copy of the same bytes waits on the first)."""
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
        job.future = by_key[job.key] = submit(extract_job, path=str(path), sha256=job.sha256, limits=asdict(limits))
        job.owner = True
    return jobs


def outcome(job: _Job, store: cache.PayloadCache, notes: list[str]) -> PaperOutcome:
    if job.payload is not None:
        return PaperOutcome(job.payload, job.cached)
    try:
        payload = job.future.result()
    except Exception as error:  # noqa: BLE001 - the paper failed (after retries); the batch goes on
        if interrupted():  # Ctrl-C that an import turned into another error: no failure of the paper's
            raise KeyboardInterrupt from error
        return PaperOutcome(batch.error_payload(job.path, error, job.sha256), cached=False)
    if job.owner and cache.cacheable(payload):
        try:
            store.put(job.key, payload)
        except OSError as err:
            notes.append(f"{job.path}: result not cached ({err})")
    return PaperOutcome(payload, cached=not job.owner)


def _batch_inputs(jobs: list[_Job], outcomes: list[PaperOutcome], notes: list[str]) -> str | None:
    """A digest of everything the batch's outputs are made from: the code, and each paper's path,
    doc_id, cache key and, for a file that cannot be read, its failure. A paper extracted now has
    the key its cache entry is stored under, so the next run, all hits, computes the same digest.
    None when a paper's result was not cached (an unexpected error): that run will extract again."""
    papers = []
    for job, done in zip(jobs, outcomes):
        if job.key is not None and not done.cached and not cache.cacheable(done.payload):
            return None
        papers.append([str(job.path), job.doc_id, job.key, None if job.key else done.payload])
    return run_state.digest({"code": pipeline.PIPELINE_VERSION, "papers": papers, "notes": notes})


def _skippable(out: Path, inputs: str | None, outcomes: list[PaperOutcome], jobs: list[_Job]) -> dict | None:
    """The last run's batch entry when no paper was extracted now and nothing changed since."""
    if inputs is None or not all(done.cached or job.key is None for job, done in zip(jobs, outcomes)):
        return None
    saved = run_state.unchanged(out, "batch", inputs)
    well_formed = (saved is not None and isinstance(saved.get("names"), dict) and isinstance(saved.get("refresh"), dict)
                   and isinstance(saved.get("warnings"), list))
    return saved if well_formed else None


def _write_batch_outputs(out: Path, payloads: list[dict[str, Any]]) -> tuple[dict[str, str], dict, list[str], list[Path]]:
    """documents/, records/, failures.jsonl, the dataset refresh and its exports; (outputs, refresh
    counts, the refresh's warnings, every file written: the named outputs and each paper's)."""
    from . import dataset  # DuckDB: imported by the batch's preparations, or here; a run with nothing new needs none

    named, paper_files = batch.write_paper_outputs(out, payloads)
    outputs = {k: str(v) for k, v in named.items()}
    # a failed paper is named too, with no records: its earlier rows are kept, and said to be
    given = {**{p["doc_id"]: [] for p in payloads if p["status"] == "failed"}, **batch.records_of(payloads)}
    summary = dataset.refresh(out / "evidence.duckdb", given, note=f"batch_extract {pipeline.PIPELINE_VERSION}",
                              papers=dataset.paper_rows(payloads))
    outputs["evidence_duckdb"] = str(out / "evidence.duckdb")
    outputs.update({k: str(v) for k, v in batch.write_dataset_exports(out, out / "evidence.duckdb").items()})
    refresh = {k: v for k, v in summary.to_dict().items() if k not in ("details", "warnings")}
    return outputs, refresh, list(summary.warnings), [*map(Path, outputs.values()), *paper_files]


def batch_job(paths: Iterable[str], out_dir: str, submit: Submit, cache_dir: str | None = None,
              refresh_cache: bool = False, progress: Progress | None = None,
              extracted: Progress | None = None) -> dict[str, Any]:
    """Extract every paper under ``paths`` into ``out_dir`` through ``submit``; a JSON summary.
    ``progress`` is called with each paper's payload as it is collected, ``extracted`` with those
    extracted by this run (not served from the cache), both in this process.
    Another process's run on ``out_dir`` is waited for (run_state.exclusive)."""
    with run_state.exclusive(out_dir, waiting=lambda message: logging.getLogger(__name__).warning(message)):
        return _batch_job(paths, out_dir, submit, cache_dir, refresh_cache, progress, extracted)


def _batch_job(paths: Iterable[str], out_dir: str, submit: Submit, cache_dir: str | None,
               refresh_cache: bool, progress: Progress | None, extracted: Progress | None) -> dict[str, Any]:
    started = time.perf_counter()
    out = Path(out_dir)
    batch.remove_stale_temporaries(out)  # left by a killed run
    store = cache.PayloadCache(Path(cache_dir) if cache_dir else out / "cache")
    files = batch.discover_papers(paths)
    doc_ids, renamed = batch.assign_doc_ids(files)
    notes = list(renamed.values())
    jobs = plan(files, doc_ids, store, Limits.from_env(), refresh_cache, submit, notes)

    outcomes = []
    for job in jobs:
        done = outcome(job, store, notes)
        note = renamed.get(str(job.path))
        done.payload = batch.restamp(done.payload, job.path, job.doc_id, [note] if note else [])
        outcomes.append(done)
        if progress is not None:
            progress(done.payload)
        if extracted is not None and not done.cached:
            extracted(done.payload)
    payloads = [o.payload for o in outcomes]

    inputs = _batch_inputs(jobs, outcomes, notes)
    saved = _skippable(out, inputs, outcomes, jobs)
    if saved is not None:  # nothing changed since the last run: its outputs and dataset stand as written
        outputs = {name: str(out / relative) for name, relative in saved["names"].items()}
        refresh = {**saved["refresh"], "added": 0, "changed": 0, "removed": 0, "unchanged": True}
        notes.extend(saved["warnings"])
    else:
        outputs, refresh, warnings, written = _write_batch_outputs(out, payloads)
        notes.extend(warnings)
        if inputs is not None:
            names = {name: run_state.relative_name(out, Path(path)) for name, path in outputs.items()}
            run_state.record(out, "batch", inputs, written, names=names, refresh=refresh, warnings=warnings)
    return {
        "files": len(files),
        "ok": sum(p["status"] == "ok" for p in payloads),
        "failed": sum(p["status"] == "failed" for p in payloads),
        "cached": sum(o.cached for o in outcomes),
        "pages": sum(p.get("pages", 0) for p in payloads if p["status"] == "ok"),
        "records": sum(len(p["records"]) for p in payloads if p["status"] == "ok"),
        "failures": [{k: p[k] for k in ("file", "kind", "message")} for p in payloads if p["status"] == "failed"],
        "refresh": refresh,
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


# The Prefect wrapper's progress callback. A callable is no flow parameter (Prefect validates and
# records parameters), and it must not be a global of flows/batch.py either: that module is
# shipped to Dask workers by value, globals included, and a progress display holds locks
# ("cannot pickle '_thread.RLock'"). Kept here, it stays in the calling process.
_flow_progress: Progress | None = None


@contextlib.contextmanager
def flow_progress_hook(progress: Progress | None) -> Iterator[None]:
    global _flow_progress
    _flow_progress = progress
    try:
        yield
    finally:
        _flow_progress = None


def flow_progress() -> Progress | None:
    return _flow_progress


def prefect_configured() -> bool:
    """Whether runs are to be recorded on a Prefect server: PREFECT_API_URL in the environment.
    (A URL kept only in a Prefect profile is not looked up: that would mean importing Prefect.)"""
    return bool(os.environ.get("PREFECT_API_URL"))


def _create_dataset(db_path: Path) -> None:
    """The empty dataset with its schema (a preparation: the refresh then only inserts)."""
    from . import dataset

    dataset.open_dataset(db_path).close()


def run_library_batch(paths: list[Path | str], out_dir: Path | str, workers: int = 1, dask_address: str | None = None,
                      cache_dir: Path | str | None = None, refresh_cache: bool = False,
                      progress: Progress | None = None, meanwhile: Iterable[Callable[[], Any]] = (),
                      extracted: Progress | None = None, parsed: Callable[[str], Any] | None = None) -> BatchResult:
    """The batch without Prefect: in this process for one worker, else on a pool or Dask.
    ``meanwhile``: the caller's preparations for after the batch (InlineExecutor), after the
    batch's own (an empty dataset with its schema, so that the refresh only inserts);
    ``extracted``: called with each payload this run extracted (batch_job); ``parsed``: with
    the path of each paper this process reads, once its parse is done (InlineExecutor)."""
    db_path = Path(out_dir) / "evidence.duckdb"
    executor = executor_for(workers, dask_address, [functools.partial(_create_dataset, db_path), *meanwhile],
                            parsed)
    try:
        summary = batch_job([str(p) for p in paths], str(out_dir), executor.submit,
                            cache_dir=str(cache_dir) if cache_dir else None, refresh_cache=refresh_cache,
                            progress=progress, extracted=extracted)
    finally:
        executor.close()
    return BatchResult(**summary)


def run_batch(paths: list[Path | str], out_dir: Path | str, workers: int = 1, dask_address: str | None = None,
              cache_dir: Path | str | None = None, refresh_cache: bool = False,
              progress: Progress | None = None, meanwhile: Iterable[Callable[[], Any]] = (),
              extracted: Progress | None = None, parsed: Callable[[str], Any] | None = None) -> BatchResult:
    """The CLI's entry point. Writes records.jsonl, records.csv, failures.jsonl, documents/,
    records/, evidence.duckdb and evidence.parquet into ``out_dir`` (cache: ``out_dir/cache``);
    ``progress`` is called in this process with each paper's payload as it is collected, and
    ``extracted`` with each one this run extracted, ``parsed`` with each paper's path once its
    parse here is done (head starts for later stages: ``meanwhile``, ``extracted`` and
    ``parsed`` change no result, and the Prefect flow does without them).
    With PREFECT_API_URL set, the Prefect flow batch_extract runs it (recorded on that server)."""
    if prefect_configured():
        from gepnec_flows.batch import run_batch as run_prefect_batch

        return run_prefect_batch(paths, out_dir, workers=workers, dask_address=dask_address, cache_dir=cache_dir,
                                 refresh_cache=refresh_cache, progress=progress)
    return run_library_batch(paths, out_dir, workers=workers, dask_address=dask_address, cache_dir=cache_dir,
                             refresh_cache=refresh_cache, progress=progress, meanwhile=meanwhile,
                             extracted=extracted, parsed=parsed)
