"""A PDF read by several sandboxed children at once (each taking the next unread page from a
shared counter, one more assembling them: ``sandbox.run_sandboxed(parts=N)``) is the Document one
child reading it gives: on real layouts, on a file whose parser problems every child sees at
opening, and on bad files."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import psutil
import pytest

from gepnec_extract.ingest.limits import Limits
from gepnec_extract.ingest import sandbox
from gepnec_extract.ingest.sandbox import MIN_PAGES_PER_PART, PARTS_ENV, parts_for_one_paper, run_sandboxed

from ..conftest import REVIEW_PDF

LIMITS = Limits(timeout_s=60, memory_mb=1024)


def _read(path, parts: int) -> str:
    result = run_sandboxed(path, LIMITS, parts)
    return result.document.model_dump_json() if result.document else f"{type(result.error).__name__}: {result.error}"


@pytest.mark.parametrize("name", ["review", "real/real06", "real/real05", "bad/huge-table", "dev/d17"])
def test_a_pdf_read_in_parts_is_the_document_one_child_reads(shared_corpus, name):
    folder, _, stem = name.rpartition("/")
    path = REVIEW_PDF if name == "review" else next((shared_corpus / folder).glob(f"{stem}*.pdf"))
    whole = _read(path, 1)
    assert whole.startswith("{"), whole
    pages = json.loads(whole)["pages"]
    # long enough to be shared by two parts, but d17 (read whole by the first part)
    assert (pages >= 2 * MIN_PAGES_PER_PART) == (name != "dev/d17"), pages
    assert _read(path, 2) == whole
    if name == "review":  # three parts, fewer pages to each
        assert pages >= 3 * MIN_PAGES_PER_PART and _read(path, 3) == whole


def test_the_parsers_problems_are_counted_once_however_many_children_open_the_file(shared_corpus):
    """Each child opens the file and its parser reports the file's own damage again: the
    Document's warning counts it once, as one child reading every page does."""
    path = shared_corpus / "real" / "real05-burbach2015.pdf"
    warnings = [w for w in run_sandboxed(path, LIMITS, 3).document.warnings if "PDF parser reported" in w]
    assert warnings == [w for w in run_sandboxed(path, LIMITS, 1).document.warnings if "PDF parser reported" in w]
    assert warnings


@pytest.mark.parametrize("name", ["empty", "truncated", "not-a-pdf", "encrypted", "scanned", "garbage", "zero-text"])
def test_a_bad_file_read_in_parts_gets_the_error_one_child_gives(shared_corpus, name):
    path = shared_corpus / "bad" / f"{name}.pdf"
    whole = _read(path, 1)
    assert not whole.startswith("{")
    assert _read(path, 2) == whole


def test_the_timeout_holds_for_the_whole_reading_in_parts(shared_corpus):
    # 11 pages of a 400-row table: two parts read them in about 0.5 s each, five times 0.1 s
    limits = Limits(timeout_s=0.1, memory_mb=1024)
    started = time.monotonic()
    result = run_sandboxed(shared_corpus / "bad" / "huge-table.pdf", limits, 2)
    assert result.error is not None and result.error.kind == "timeout", result.error
    assert time.monotonic() - started < limits.timeout_s + 15  # the children are killed, not waited for
    servers = [p for p in psutil.Process().children() if "forkserver import main" in " ".join(p.cmdline())]
    assert servers  # the parsers are its children (forks of it), and none is left
    assert not [p for server in servers for p in server.children() if p.status() != psutil.STATUS_ZOMBIE]


def test_one_child_per_core_unless_configured(monkeypatch):
    monkeypatch.delenv(PARTS_ENV, raising=False)
    assert 1 <= parts_for_one_paper() <= 4
    monkeypatch.setenv(PARTS_ENV, "1")
    assert parts_for_one_paper() == 1


def test_the_parts_share_the_pages_between_them_each_page_read_once():
    """Started together, two parts draw every page of the review from one counter: each reads
    some, none reads a page twice, and the slower part is not left with a fixed half."""
    counter = sandbox._context().Value("i", 0)
    answers = {}

    def run(part):
        answers[part] = sandbox._run_child(REVIEW_PDF, LIMITS, ("part", part, 2, counter))[0]

    threads = [threading.Thread(target=run, args=(part,)) for part in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    read = {part: [r["page"] for r in answers[part]["part"]["read"]] for part in (0, 1)}
    pages = answers[0]["part"]["pages"]
    assert sorted(read[0] + read[1]) == list(range(1, pages + 1))
    assert read[0] and read[1]
    assert all(numbers == sorted(numbers) for numbers in read.values())  # each takes the next unread page
    assert [n for n, _, _ in answers[0]["page_problems"]] == read[0]  # problems are kept per page read


ABANDONED_START = """
import _multiprocessing, os, sys
from multiprocessing import resource_tracker
from gepnec_extract.ingest import sandbox

sandbox.start_fork_server()
context = sandbox._context()
counter = context.Value("i", 0)
name = counter.get_lock()._semlock.name
_multiprocessing.sem_unlink(name)  # as an interrupted run's exit removes it, before the child reads it
resource_tracker.unregister(name, "semaphore")
starter = context.Process(target=len, args=(counter,))
starter.start()
starter.join(30)
print("exit", starter.exitcode, flush=True)
sys.stderr.flush()
os._exit(0)  # the counter's finalizer would remove the semaphore again, and say so
"""


def test_a_child_abandoned_by_an_interrupted_run_dies_without_a_traceback():
    """A part whose run ended before it started (Ctrl-C: the run's exit removes the page counter's
    semaphore) cannot read its start data; the fork server lets it exit quietly rather than print
    multiprocessing's traceback on the user's terminal."""
    out = subprocess.run([sys.executable, "-c", ABANDONED_START], capture_output=True, text=True, timeout=120)
    assert "exit 1" in out.stdout, out.stdout + out.stderr  # the child failed to start, as intended
    assert "Traceback" not in out.stderr and "FileNotFoundError" not in out.stderr, out.stderr
