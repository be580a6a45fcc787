"""Parse an untrusted PDF (or plain-text paper) in a child process with wall-clock and memory limits.

Fuzzed or hostile PDFs make pdfminer loop forever, recurse without bound or inflate streams to
gigabytes. ``read_pdf`` therefore runs in a child process that

* caps its own address space (``RLIMIT_AS`` = ``Limits.memory_mb``) before touching the file,
  and its CPU time and file size as backstops (an orphaned child cannot run forever),
* is killed (SIGKILL) once ``Limits.timeout_s`` of wall-clock time has passed,
* sends back either the Document as JSON or a typed error dict (``IngestError.to_dict``),
* writes its stderr to a scratch file, so pdfminer/library noise never reaches the terminal.

Start method: ``forkserver`` with ``gepnec_extract.ingest.pdf`` preloaded. Measured on the
2-core dev box (Python 3.11): fork 5 ms per child, forkserver 7 ms per child after a one-off
0.35 s server start, spawn 260 ms per child (it re-imports pdfplumber every time). Plain fork is
as cheap but copies whatever the parent holds: the pipeline's parent may have loaded spaCy models
(hundreds of MB) and started threads (BLAS, tokenizers), and forking a multi-threaded process can
deadlock the child on a lock some other thread held. The fork server is a clean single-threaded
process that only imported pdfplumber, so each child is a cheap fork of that.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import psutil

from ..interrupts import die_with_parent, shield_children
from .errors import (CorruptPdfError, EncryptedPdfError, IngestError, NoTextLayerError, ParseTimeoutError,
                     ResourceLimitError, error_from_dict)
from .limits import Limits

if TYPE_CHECKING:  # imported where used: a run starts the fork server before it loads pydantic
    from ..model import Document

_START_LOCK = threading.Lock()  # threads (a thread task runner) may parse PDFs at the same time
_server_started = False
START_METHOD = "forkserver"
PRELOAD_MODULES = ["gepnec_extract.ingest.pdf", "gepnec_extract.ingest.sandbox"]
WARM_UP_FLAG = "GEPNEC_SANDBOX_WARM_UP"  # set only while the fork server starts: it then warms up
POLL_INTERVAL_S = 0.05  # how often the parent samples the child's memory while waiting
MEMORY_EXIT_CODE = 3  # the child ran out of memory even while reporting it
UNEXPECTED_EXIT_CODE = 4  # the child's own reporting failed (a bug here, not in the PDF)
CPU_MARGIN_S = 10  # RLIMIT_CPU = timeout + this: CPU time never outruns wall time, so the timeout acts first
STDERR_MAX_BYTES = 1 << 20  # RLIMIT_FSIZE of the child, whose only file is its stderr capture
MAX_DETAIL_CHARS = 120  # error details copied from library exceptions are cut to this length


@dataclass
class SandboxResult:
    """What one sandboxed parse produced, with its cost (used by tests and benchmarks)."""

    document: Document | None
    error: IngestError | None
    elapsed_s: float  # wall clock in the parent, child start-up included
    peak_rss_mb: float  # largest resident set of the child seen (sampled + the child's own maxrss)
    child_pid: int | None = None  # None when preflight refused the file without a child


def parse_pdf_sandboxed(path: Path, limits: Limits, parts: int = 1) -> Document:
    """Read a PDF in a limited child process (``parts`` of them at once: ``run_sandboxed``);
    raise a typed IngestError naming the file."""
    result = run_sandboxed(path, limits, parts)
    if result.error is not None:
        raise result.error
    assert result.document is not None
    return result.document


def parse_text_sandboxed(path: Path, limits: Limits) -> Document:
    """Read a .txt paper in a limited child process (the same limits as a PDF)."""
    return parse_pdf_sandboxed(path, limits)


def is_text(path: Path) -> bool:
    return path.suffix.lower() in {".txt", ".text"}


def run_sandboxed(path: Path | str, limits: Limits, parts: int = 1) -> SandboxResult:
    """Like parse_pdf_sandboxed, but returns the outcome with elapsed time and peak memory.
    A .txt/.text path is read by the text reader, anything else as a PDF: with ``parts`` > 1 by
    that many children at once, each reading its share of the pages, and one more that assembles
    their pages into the Document (``pages``; the same Document as one child reading them all).
    Each child is held to the limits (the assembly to what is left of the readers' timeout)."""
    from .preflight import preflight, text_preflight

    path = Path(path)
    started = time.perf_counter()
    try:
        # missing, not a regular file, empty, too big, not a PDF: no need for a child at all
        text_preflight(path, limits) if is_text(path) else preflight(path, limits)
    except IngestError as err:
        return SandboxResult(None, err, time.perf_counter() - started, 0.0)
    if parts > 1 and not is_text(path):
        payload, peak_rss_mb, child_pid = _run_in_parts(path, limits, parts)
    else:
        payload, peak_rss_mb, child_pid = _run_child(path, limits)
    elapsed = time.perf_counter() - started
    peak_rss_mb = max(peak_rss_mb, payload.get("maxrss_mb", 0.0))
    if payload.get("ok"):
        from ..model import Document

        document = Document.model_validate_json(payload["document"])
        return SandboxResult(document, None, elapsed, peak_rss_mb, child_pid)
    return SandboxResult(None, error_from_dict(payload["error"]), elapsed, peak_rss_mb, child_pid)


# ---------------------------------------------------------------------------------------------
# parent side
# ---------------------------------------------------------------------------------------------


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        context.set_forkserver_preload(PRELOAD_MODULES)  # no effect once the server runs
        _start_fork_server()
    return context


PARTS_ENV = "GEPNEC_PARSE_PARTS"  # how many children read one PDF at once (default: the cores, at most MAX_PARTS)
MAX_PARTS = 4
MIN_PAGES_PER_PART = 4


def parts_for_one_paper() -> int:
    """How many children should read a PDF that has this machine to itself (a lone paper, or the
    one a single worker parses while it tags another): one per core, at most MAX_PARTS, or
    $GEPNEC_PARSE_PARTS. Workers of a pool or a cluster read theirs with one child each."""
    configured = os.environ.get(PARTS_ENV, "").strip()
    if configured.isdigit() and int(configured) >= 1:
        return int(configured)
    return max(1, min(MAX_PARTS, len(os.sched_getaffinity(0))))


def start_fork_server() -> None:
    """Start this process's fork server now rather than at the first parse (a pool worker does so
    while it loads the NLP, so the two overlap)."""
    _context()


def start_fork_server_in_background() -> None:
    """Start the fork server from a thread of its own, as every starter of parser processes, with
    SIGINT blocked (a Ctrl-C reaches the run, not the parsers); the server's imports then run in
    it while this process goes on."""
    def start() -> None:
        shield_children()
        try:
            _context()
        except Exception:  # noqa: BLE001 - the first parse starts it again, and says what fails
            pass

    threading.Thread(target=start, name="start the parsers' fork server", daemon=True).start()


def _start_fork_server() -> None:
    """Start the server once, with the warm-up flag in its environment only."""
    global _server_started
    from multiprocessing import forkserver

    with _START_LOCK:
        if _server_started:
            forkserver.ensure_running()  # restarts a server that died; cheap otherwise
            return
        os.environ[WARM_UP_FLAG] = "1"
        try:
            forkserver.ensure_running()
        finally:
            os.environ.pop(WARM_UP_FLAG, None)
        _server_started = True


def _forget_inherited_server() -> None:
    """After a plain fork (a fork-based Pool worker, say), the copy must start its own server.

    multiprocessing's client state names the parent's server, which the copy cannot wait on
    (ensure_running fails with ChildProcessError); clear it, and any lock a parent thread held.
    """
    global _server_started, _START_LOCK
    from multiprocessing import forkserver

    server = forkserver._forkserver
    if getattr(server, "_forkserver_pid", None) is not None:
        try:
            os.close(server._forkserver_alive_fd)  # our copy only; the parent keeps its own
        except (OSError, TypeError):
            pass
        server._forkserver_alive_fd = server._forkserver_pid = server._forkserver_address = None
    _server_started = False
    _START_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_inherited_server)


@contextmanager
def _children_allowed():
    """Let a daemonic process (a Dask or Pool worker) start the parser child.

    multiprocessing refuses children in daemonic processes so that none outlive their parent;
    ours never do: it is killed or reaped in ``_run_child`` and has an RLIMIT_CPU backstop.
    """
    config = multiprocessing.current_process()._config
    with _START_LOCK:
        daemonic = config.get("daemon", False)
        config["daemon"] = False
        try:
            yield
        finally:
            config["daemon"] = daemonic


@contextmanager
def _no_main_module_in_children():
    """Start a child that does not run this process's ``__main__`` again.

    multiprocessing tells each spawned or fork-server child to import the parent's main module
    first (the console script, a ``dask worker``, a benchmark script), which for the CLI means
    importing the CLI and everything it imports, once per paper. The parser's target lives in
    this module, which the fork server preloads, so the child needs no main module: the
    preparation data goes without it while we start ours (under _START_LOCK: the only starter
    of processes in a worker; the main-module keys are only read by the child being started).
    """
    from multiprocessing import spawn

    prepare = spawn.get_preparation_data

    def without_main(name):
        data = prepare(name)
        data.pop("init_main_from_name", None)
        data.pop("init_main_from_path", None)
        return data

    spawn.get_preparation_data = without_main
    try:
        yield
    finally:
        spawn.get_preparation_data = prepare


def _run_child(path: Path, limits: Limits, job: tuple = ("document",)) -> tuple[dict, float, int | None]:
    """Start the child, wait for its payload until the deadline, and always reap it. ``job``:
    ("document",) reads the whole file; ("part", k, n, counter) and ("assemble", parts_json) are
    the two steps of a reading in parts (``_run_in_parts``)."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    stderr_fd, stderr_path = tempfile.mkstemp(prefix="gepnec-pdf-", suffix=".stderr")
    os.close(stderr_fd)
    process = context.Process(target=_child_main, args=(str(path), limits, sender, stderr_path, job),
                              name=f"pdf-sandbox:{path.name}", daemon=True)
    peak = [0.0]
    try:
        try:
            with _children_allowed(), _no_main_module_in_children():
                process.start()
        except OSError as exc:  # no processes or memory left on this machine
            error = ResourceLimitError(path, f"could not start the parser process: {exc}")
            return {"ok": False, "error": error.to_dict()}, 0.0, None
        finally:
            sender.close()  # our copy: the child's exit must read as EOF on `receiver`
        payload = _await_payload(process, receiver, path, limits, peak)
        if payload is None:
            process.join(5)
            payload = _death_payload(path, limits, process.exitcode, _last_line(stderr_path))
        return payload, peak[0], process.pid
    finally:
        receiver.close()
        if process.pid is not None:  # started
            if process.is_alive():
                process.kill()
            process.join()
        Path(stderr_path).unlink(missing_ok=True)


def _run_in_parts(path: Path, limits: Limits, parts: int) -> tuple[dict, float, int | None]:
    """Read a PDF with ``parts`` children at once, all started together, each taking the next
    unread page from one shared counter whenever it is free (so no child waits on the page count
    and none is left holding the heavy pages), as many reading as the PDF is long enough for
    (``parts_reading``: a short paper is read by part 0 alone, whose Document is taken as it is).
    Each waits on a daemon thread of its own (a stopped run does not wait for them). Their pages
    are assembled in one more child within what is left of the timeout. Of failed parts, the
    error of the earliest page is the Document's (what one child reading the pages in order meets
    first; a part that failed before any page, or timed out, after those)."""
    started = time.monotonic()
    answers: dict[int, tuple] = {}
    counter = _context().Value("i", 0)  # the last page number handed out

    def run(part: int) -> None:
        shield_children()
        try:
            answers[part] = _run_child(path, limits, ("part", part, parts, counter))
        except BaseException as exc:  # noqa: BLE001 - reported as this part's failure
            error = IngestError(path, f"the parser could not be started: {type(exc).__name__}: {exc}")
            answers[part] = ({"ok": False, "error": error.to_dict()}, 0.0, None)

    threads = [threading.Thread(target=run, args=(part,), name=f"pdf part {part}", daemon=True) for part in range(parts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    in_order = [answers[part] for part in range(parts)]
    peak = max(answer[1] for answer in in_order)
    maxrss = max(answer[0].get("maxrss_mb", 0.0) for answer in in_order)
    if "document" in in_order[0][0]:  # a PDF part 0 read alone: the others read nothing
        payload, _, pid = in_order[0]
        return {**payload, "maxrss_mb": maxrss}, peak, pid
    failed = [(payload.get("failed_page", float("inf")), part) for part, (payload, _, _) in enumerate(in_order)
              if not payload.get("ok")]
    if failed:
        payload, _, pid = in_order[min(failed)[1]]
        return {**payload, "maxrss_mb": maxrss}, peak, pid
    remaining = max(1.0, limits.timeout_s - (time.monotonic() - started))
    pages = json.dumps([payload for payload, _, _ in in_order])
    payload, assembly_peak, pid = _run_child(path, dataclasses.replace(limits, timeout_s=remaining),
                                             ("assemble", pages))
    return {**payload, "maxrss_mb": max(maxrss, payload.get("maxrss_mb", 0.0))}, max(peak, assembly_peak), pid


def parts_reading(n_pages: int, parts: int) -> int:
    """How many of ``parts`` children read a PDF of ``n_pages`` pages: at least
    MIN_PAGES_PER_PART pages each (a part's own opening of the file, its start and the assembly
    cost about a page's reading), so a two-page paper is read by one."""
    return max(1, min(parts, n_pages // MIN_PAGES_PER_PART))


def _await_payload(process, receiver: Connection, path: Path, limits: Limits, peak: list[float]) -> dict | None:
    """The child's payload, a timeout error payload, or None when the child died silently."""
    deadline = time.monotonic() + limits.timeout_s
    watched = _psutil_process(process.pid)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            process.kill()
            error = ParseTimeoutError(path, f"timeout: parsing took longer than {limits.timeout_s:g} s; "
                                            "parser process killed")
            return {"ok": False, "error": error.to_dict()}
        peak[0] = max(peak[0], _rss_mb(watched))
        if receiver.poll(min(POLL_INTERVAL_S, remaining)):
            try:
                return json.loads(receiver.recv_bytes())
            except EOFError:
                return None


def _psutil_process(pid: int | None) -> psutil.Process | None:
    try:
        return psutil.Process(pid) if pid else None
    except psutil.Error:
        return None


def _rss_mb(process: psutil.Process | None) -> float:
    if process is None:
        return 0.0
    try:
        return process.memory_info().rss / 2**20
    except psutil.Error:  # already gone
        return 0.0


def _death_payload(path: Path, limits: Limits, exitcode: int | None, stderr_tail: str) -> dict:
    """Explain a child that exited without sending anything."""
    detail = f"; last stderr line: {stderr_tail}" if stderr_tail else ""
    if exitcode is not None and exitcode < 0:
        name = _signal_name(-exitcode)
        error: IngestError = ResourceLimitError(
            path, f"memory limit of {limits.memory_mb} MB exceeded (parser process killed by {name}){detail}")
    elif exitcode == MEMORY_EXIT_CODE:
        error = ResourceLimitError(path, f"memory limit of {limits.memory_mb} MB exceeded")
    elif is_text(path):  # a text file is no PDF: say which reader died, not "corrupt PDF"
        error = IngestError(path, f"the text reader process exited with code {exitcode}{detail}")
    else:
        error = CorruptPdfError(path, f"corrupt PDF: parser process exited with code {exitcode}{detail}")
    return {"ok": False, "error": error.to_dict()}


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _last_line(stderr_path: str) -> str:
    try:
        with open(stderr_path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 4096))
            lines = fh.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1][:MAX_DETAIL_CHARS] if lines else ""


# ---------------------------------------------------------------------------------------------
# child side
# ---------------------------------------------------------------------------------------------


class _WarningCollector(logging.Handler):
    """Counts library log warnings so they become one Document warning, not terminal spam: in
    all, and per page once pages are read (``page``), so that the pages of a reading in parts
    give the count and the first message one child reading them in order would."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.first: str | None = None
        self.pages: list[list] = []  # [page number, count, first message] of each page, as read
        self._at_open: tuple[int, str | None] = (0, None)  # count and first message when the first page began

    def page(self, number: int) -> None:
        """The warnings from now on are page ``number``'s."""
        if not self.pages:
            self._at_open = (self.count, self.first)
        self.pages.append([number, 0, None])

    @property
    def at_open(self) -> tuple[int, str | None]:
        """The count and first message of the warnings before any page (the file's own)."""
        return self._at_open if self.pages else (self.count, self.first)

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        page = self.pages[-1] if self.pages else None
        if page is not None:
            page[1] += 1
        if self.first is not None and (page is None or page[2] is not None):
            return
        try:
            message = record.getMessage()[:MAX_DETAIL_CHARS]
        except Exception:  # a malformed log call must not break parsing
            message = str(record.msg)[:MAX_DETAIL_CHARS]
        self.first = self.first or message
        if page is not None and page[2] is None:
            page[2] = message


def _child_main(path_str: str, limits: Limits, sender: Connection, stderr_path: str,
                job: tuple = ("document",)) -> None:
    die_with_parent()
    _redirect_stderr(stderr_path)
    _apply_limits(limits)
    try:
        collector = _quiet_libraries()
        if job[0] == "part":
            payload = _parse_part(Path(path_str), limits, collector, *job[1:])
        elif job[0] == "assemble":
            payload = _assemble_parts(Path(path_str), limits, collector, job[1])
        else:
            payload = _parse(Path(path_str), limits, collector)
        sender.send_bytes(json.dumps(payload).encode("utf-8"))
        sender.close()
    except MemoryError:
        os._exit(MEMORY_EXIT_CODE)  # no traceback printing: it would need memory too
    except BaseException:  # noqa: BLE001 - the parent reports a silent exit as a corrupt file
        os._exit(UNEXPECTED_EXIT_CODE)


def _redirect_stderr(stderr_path: str) -> None:
    fd = os.open(stderr_path, os.O_WRONLY | os.O_TRUNC)
    os.dup2(fd, 2)
    os.close(fd)


def _apply_limits(limits: Limits) -> None:
    """Address space for memory; CPU seconds and file size as backstops the parent cannot enforce.

    The CPU limit lies beyond the wall-clock timeout, so it only ends a child orphaned by a
    parent that died; the file-size limit keeps a flood of library output from filling the disk.
    """
    _set_limit(resource.RLIMIT_AS, int(limits.memory_mb) * 2**20)
    _set_limit(resource.RLIMIT_CPU, int(limits.timeout_s) + CPU_MARGIN_S)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails instead of killing us
    _set_limit(resource.RLIMIT_FSIZE, STDERR_MAX_BYTES)


def _set_limit(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


def _quiet_libraries() -> _WarningCollector:
    warnings.simplefilter("ignore")
    collector = _WarningCollector()
    for name in ("pdfminer", "pdfplumber"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [collector]
        logger.setLevel(logging.WARNING)  # the fork server's warm-up ran with ERROR
        logger.propagate = False
    return collector


def _parse(path: Path, limits: Limits, collector: _WarningCollector) -> dict:
    """Run the reader and turn every outcome into a JSON-able payload (never raises)."""
    from .pdf import read_pdf
    from .text import read_text

    document, error = _guarded(path, limits, lambda: read_text(path, limits) if is_text(path) else read_pdf(path, limits))
    return _document_payload(path, document, error, collector.count, collector.first)


def _parse_part(path: Path, limits: Limits, collector: _WarningCollector, part: int, parts: int,
                counter) -> dict:
    """One part of a reading in parts (``pdf.read_pdf_pages``): the pages this child claims from
    ``counter`` (shared by every part: the last page number handed out), with the parser's
    problems counted before any page (every part opens the file and reports those) and per page.
    A PDF too short to share (``parts_reading``) part 0 reads whole, and sends its Document."""
    from .pages import assemble
    from .pdf import read_pdf_pages

    def claim(n_pages: int) -> int | None:
        if part >= parts_reading(n_pages, parts):
            return None  # not needed for a PDF this short
        with counter.get_lock():
            if counter.value >= n_pages:
                return None
            counter.value += 1
            number = counter.value
        collector.page(number)
        return number

    read, error = _guarded(path, limits, lambda: read_pdf_pages(path, limits, claim))
    if error is None and part == 0 and parts_reading(read["pages"], parts) == 1:
        document, error = _guarded(path, limits, lambda: assemble(path, read["read"], read["pages"], read["info"]))
        return _document_payload(path, document, error, collector.count, collector.first)
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if error is not None:  # the page it was reading, or 0: it failed opening the file
        failed_page = collector.pages[-1][0] if collector.pages else 0
        return {"ok": False, "error": error.to_dict(), "failed_page": failed_page, "maxrss_mb": maxrss_mb}
    read["read"] = [r.to_json() for r in read["read"]]
    problems_at_open, first_at_open = collector.at_open
    return {"ok": True, "part": read, "problems_at_open": problems_at_open, "first_at_open": first_at_open,
            "page_problems": collector.pages, "maxrss_mb": maxrss_mb}


def _assemble_parts(path: Path, limits: Limits, collector: _WarningCollector, parts_json: str) -> dict:
    """The Document of a reading in parts, from the parts' payloads (``_parse_part``): as one
    child reading the whole file in page order would give it, the file's own problems (which
    every part met on opening it) counted once, from part 0."""
    from .pages import PageRead, assemble

    parts = json.loads(parts_json)
    first = parts[0]
    pages = sorted(page for p in parts for page in p["page_problems"])
    count = first["problems_at_open"] + sum(n for _, n, _ in pages) + collector.count
    first_problem = first["first_at_open"] or next((message for _, _, message in pages if message), collector.first)
    document, error = _guarded(path, limits, lambda: assemble(
        path, [PageRead.from_json(r) for p in parts for r in p["part"]["read"]], first["part"]["pages"],
        first["part"]["info"]))
    return _document_payload(path, document, error, count, first_problem)


def _guarded(path: Path, limits: Limits, read: Callable[[], Any]) -> tuple[Any, IngestError | None]:
    """read()'s result, or the typed error of whatever it raised (never raises)."""
    error: IngestError | None = None
    out_of_memory = False
    try:
        return read(), None
    except MemoryError:
        out_of_memory = True  # allocate nothing here: the traceback still pins the big objects
    except BaseException as exc:  # noqa: BLE001 - a hostile file may raise anything
        error = classify_exception(path, exc, limits.memory_mb)
    if out_of_memory:
        gc.collect()  # the except block has ended, so its frames can go now
        error = ResourceLimitError(path, f"memory limit of {limits.memory_mb} MB exceeded")
    return None, error


def _document_payload(path: Path, document: Document | None, error: IngestError | None, problems: int,
                      first_problem: str | None) -> dict:
    """The child's payload: the Document with its integrity warnings, or the error. ``problems``:
    how many warnings the PDF parser logged, ``first_problem`` the first of them."""
    if isinstance(error, NoTextLayerError) and problems:
        # no text *and* the parser reported damage (a garbled xref, broken objects): a damaged
        # file, not a scan or a blank page
        error = CorruptPdfError(path, f"corrupt PDF: no text recovered; the parser reported {problems} "
                                      f"problem(s), e.g. {first_problem!r}")
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if error is not None:
        return {"ok": False, "error": error.to_dict(), "maxrss_mb": maxrss_mb}
    assert document is not None
    if not is_text(path):
        document.warnings.extend(_integrity_warnings(path, problems, first_problem))
    return {"ok": True, "document": document.model_dump_json(), "maxrss_mb": maxrss_mb}


def _integrity_warnings(path: Path, problems: int, first_problem: str | None) -> list[str]:
    """Flag a Document read from a damaged file: pdfminer may have recovered only part of it.

    A file cut short before its end marker is flagged "incomplete"; library warnings (one line
    for all of them) are reported as they are, since many are harmless.
    """
    found = []
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        found.append("file has no %%EOF marker at its end (truncated?): extraction may be incomplete")
    if problems:
        found.append(f"PDF parser reported {problems} problem(s), e.g. {first_problem!r}: "
                     "some content may be missing")  # often benign (colour spaces), so no stronger claim
    return found


# ---------------------------------------------------------------------------------------------
# exception mapping
# ---------------------------------------------------------------------------------------------


def classify_exception(path: Path, exc: BaseException, memory_mb: int | None = None) -> IngestError:
    """Map whatever pdfminer/pdfplumber raised to a typed IngestError."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.psexceptions import PSEOF

    if isinstance(exc, IngestError):
        return exc
    cause = _unwrap(exc)
    if isinstance(cause, PDFPasswordIncorrect):  # we only try the empty password; never guess
        return EncryptedPdfError(path, "encrypted: password required")
    if isinstance(cause, PDFEncryptionError):
        detail = str(cause)[:MAX_DETAIL_CHARS] or type(cause).__name__
        return EncryptedPdfError(path, f"encrypted: unsupported or damaged encryption ({detail})")
    if isinstance(cause, MemoryError):
        return ResourceLimitError(path, f"memory limit of {memory_mb} MB exceeded")
    if isinstance(cause, RecursionError):
        return CorruptPdfError(path, "corrupt PDF: objects nested too deeply (recursion limit)")
    if isinstance(cause, (PSEOF, EOFError)):
        return CorruptPdfError(path, "corrupt PDF: unexpected end of file (truncated?)")
    detail = str(cause)[:MAX_DETAIL_CHARS] or "no detail"
    return CorruptPdfError(path, f"corrupt PDF: {type(cause).__name__}: {detail}")


def _unwrap(exc: BaseException) -> BaseException:
    """pdfplumber wraps pdfminer errors in PdfminerException(original): find the original."""
    seen = 0
    while seen < 10:
        seen += 1
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        inner = inner or exc.__cause__
        if inner is None or inner is exc:
            return exc
        exc = inner
    return exc


# ---------------------------------------------------------------------------------------------
# fork-server warm-up
# ---------------------------------------------------------------------------------------------

WARM_UP_PDF = (  # one page, three lines of text in Helvetica: enough to run every reader stage
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >> endobj\n"
    b"4 0 obj << >> stream\nBT /F1 11 Tf 72 500 Td (Warm-up text for the parser, with a hyphen-) Tj "
    b"0 -14 Td (ated word and a second line of ordinary prose.) Tj 0 -14 Td (A third line.) Tj ET\n"
    b"endstream endobj\n5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def _warm_up() -> None:
    """Fill lazy caches (word frequency lists, compiled patterns) once, in the fork server.

    Every child is a fork of the server, so each would otherwise load them again (about
    100 ms per document when measured); forked, they share the server's copy.
    """
    from .pdf import read_pdf

    fd, path = tempfile.mkstemp(suffix=".pdf")
    try:
        os.write(fd, WARM_UP_PDF)
        os.close(fd)
        logging.getLogger("pdfminer").setLevel(logging.ERROR)
        read_pdf(Path(path), Limits())
    except Exception:  # noqa: BLE001 - a failed warm-up only costs speed
        pass
    finally:
        Path(path).unlink(missing_ok=True)


def _abandoned_start(kind: type, tb) -> bool:
    """Whether an error is a child failing to read what its requester sent to start it (a shared
    page counter whose semaphore is gone, a request cut short): the requester has ended, or has
    given up on that child, so nobody waits for it."""
    if not issubclass(kind, (FileNotFoundError, EOFError, ConnectionError)):
        return False
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "_main" and Path(code.co_filename).name == "spawn.py" \
                and Path(code.co_filename).parent.name == "multiprocessing":
            return True
        tb = tb.tb_next
    return False


def _quiet_abandoned_starts() -> None:
    """In the fork server: a child that cannot start because its run was interrupted (Ctrl-C
    between a part's request and its start) exits without printing multiprocessing's traceback on
    the user's terminal, where the run has just said it was interrupted. Any other error is
    printed as Python prints it."""
    printing = sys.excepthook

    def hook(kind, error, tb):
        if not _abandoned_start(kind, tb):
            printing(kind, error, tb)

    sys.excepthook = hook


if os.environ.get(WARM_UP_FLAG) == "1" and multiprocessing.parent_process() is None:
    _warm_up()  # we are the fork server, importing its preload modules
    _quiet_abandoned_starts()
    # The imported modules and warmed caches are what every child starts with: frozen, they stay
    # out of the children's garbage collections, which otherwise walk them again and again while a
    # parse allocates its hundreds of thousands of objects (about 6% of a parse, measured).
    gc.freeze()
