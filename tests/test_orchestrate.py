"""orchestrate: one worker parses the next paper while it tags the current one, and gives the
records a plain paper-by-paper extraction gives, a bad file among the papers included."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from gepnec_extract import batch, orchestrate, pipeline

from .conftest import SHARED

DEV = SHARED / "corpus" / "dev"
PAPERS = ("d01-mitry1999.pdf", "d02-hainsworth2006.pdf", "d03-yamaguchi2014.pdf")


@pytest.fixture(scope="module")
def papers(tmp_path_factory):
    if not all((DEV / name).exists() for name in PAPERS) or not (SHARED / "corpus" / "bad").exists():
        pytest.skip("../shared corpus not present")
    folder = tmp_path_factory.mktemp("papers")
    for name in PAPERS[:2]:
        shutil.copy(DEV / name, folder / name)
    shutil.copy(SHARED / "corpus" / "bad" / "truncated.pdf", folder / "d02b-truncated.pdf")
    shutil.copy(DEV / PAPERS[2], folder / PAPERS[2])
    return folder


def test_the_next_papers_parse_while_this_one_is_read(papers, tmp_path, monkeypatch):
    """Papers parse ahead, PARSES_AT_ONCE at a time (a short paper's parse is one process: two
    use both cores while this process reads another), each once the parse that many papers
    before it has ended."""
    events: list[tuple[str, str]] = []
    lock = threading.Lock()
    parse, read = pipeline.parse_paper, pipeline.read_paper

    def logged_parse(path, limits=None, parts=1):
        with lock:
            events.append(("parse starts", Path(path).name))
        try:
            return parse(path, limits, parts)
        finally:
            with lock:
                events.append(("parse ends", Path(path).name))

    def logged_read(doc):
        with lock:
            events.append(("read starts", doc.doc_id))
        result = read(doc)
        with lock:
            events.append(("read ends", doc.doc_id))
        return result

    monkeypatch.setattr(pipeline, "parse_paper", logged_parse)
    monkeypatch.setattr(pipeline, "read_paper", logged_read)
    executor = orchestrate.InlineExecutor()
    summary = orchestrate.batch_job([str(papers)], str(tmp_path / "out"), executor.submit, cache_dir=str(tmp_path / "cache"))

    assert (summary["ok"], summary["failed"]) == (3, 1)
    assert [f["kind"] for f in summary["failures"]] == ["corrupt_pdf"]
    in_order = sorted(p.name for p in papers.iterdir())
    assert sorted(name for what, name in events if what == "parse starts") == in_order  # each once
    running, most = 0, 0
    for what, _ in events:
        running += {"parse starts": 1, "parse ends": -1}.get(what, 0)
        most = max(most, running)
    assert most == orchestrate.PARSES_AT_ONCE  # side by side, never more
    for earlier, later in zip(in_order, in_order[orchestrate.PARSES_AT_ONCE:]):
        assert events.index(("parse ends", earlier)) < events.index(("parse starts", later))
    # the second paper started parsing before the first was read to its end
    assert events.index(("parse starts", "d02-hainsworth2006.pdf")) < events.index(("read ends", "d01-mitry1999"))


def test_parsing_ahead_gives_the_records_of_one_paper_at_a_time(papers, tmp_path):
    executor = orchestrate.InlineExecutor()
    orchestrate.batch_job([str(papers)], str(tmp_path / "out"), executor.submit, cache_dir=str(tmp_path / "cache"))
    ahead = {p.name: p.read_text() for p in (tmp_path / "out" / "records").iterdir()}
    payloads = [batch.extract_payload(path) for path in sorted(papers.iterdir())]
    batch.write_records_per_doc(tmp_path / "one-by-one", batch.records_of(payloads))
    one_by_one = {p.name: p.read_text() for p in (tmp_path / "one-by-one").iterdir()}
    assert ahead == one_by_one and len(ahead) == 3 and all(ahead.values())


def _kills_its_worker(marks: str, name: str, times: int) -> str:
    """A made-up job: in a pool worker, die by SIGKILL the first ``times`` times it starts (a mark
    file per start); in the run's own process, or after that, give its name."""
    import multiprocessing
    import os
    import signal

    if multiprocessing.parent_process() is not None:
        starts = len(list(Path(marks).glob(f"{name}.*")))
        (Path(marks) / f"{name}.{starts}").touch()
        if starts < times:
            os.kill(os.getpid(), signal.SIGKILL)
    return name


def test_a_dead_worker_fails_only_the_paper_it_dies_on(tmp_path):
    import time

    jobs = orchestrate.ProcessPoolJobs(workers=2)  # this process and one pool worker
    try:
        # alone in the batch, a paper whose worker dies once is done by the next worker
        once = jobs.submit(_kills_its_worker, marks=str(tmp_path), name="once", times=1)
        time.sleep(1)  # sent to the pool (else this process takes it, and it lives)
        assert once.result() == "once"
        assert len(list(tmp_path.glob("once.*"))) == 2
        # one under which every worker dies fails after WORKER_DEATHS, and alone
        submitted = {name: jobs.submit(_kills_its_worker, marks=str(tmp_path), name=name, times=times)
                     for name, times in (("always", 99), ("second", 0), ("third", 0))}
        time.sleep(1)  # the pool has the first in hand; this process may take the others
        with pytest.raises(orchestrate.WorkerDied, match="died while it extracted this paper, 2 times"):
            submitted["always"].result()
        assert [submitted[name].result() for name in ("second", "third")] == ["second", "third"]
        assert len(list(tmp_path.glob("always.*"))) == orchestrate.WORKER_DEATHS  # each time in a worker
        # and the pool goes on
        assert jobs.submit(_kills_its_worker, marks=str(tmp_path), name="after", times=0).result() == "after"
    finally:
        jobs.close()
    assert "pool sender" not in [thread.name for thread in threading.enumerate()]


def _one_paper(papers: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(papers / PAPERS[0], folder / PAPERS[0])
    return folder


def test_the_wait_for_the_first_parse_prepares_later_stages(papers, tmp_path, monkeypatch):
    folder = _one_paper(papers, tmp_path)
    parsed = pipeline.parse_paper(folder / PAPERS[0])
    release = threading.Event()
    done: list[str] = []

    def slow_parse(path, limits=None, parts=1):  # a parse that lasts until the last preparation has run
        assert release.wait(60)
        return parsed

    def broken() -> None:
        raise OSError("a preparation that fails")

    monkeypatch.setattr(pipeline, "parse_paper", slow_parse)
    executor = orchestrate.InlineExecutor([lambda: done.append("first"), broken,
                                           lambda: (done.append("last"), release.set())])
    summary = orchestrate.batch_job([str(folder)], str(tmp_path / "out"), executor.submit, cache_dir=str(tmp_path / "cache"))
    assert done == ["first", "last"]  # each once, the failing one passed over
    assert summary["ok"] == 1 and summary["records"] > 0


def test_a_papers_reading_does_not_wait_for_a_preparation_still_running(papers, tmp_path, monkeypatch):
    """The preparations run on a thread of their own: one that is still running when the parse
    ends does not hold back the paper's reading (the run's dataset creation took 0.15 s)."""
    folder = _one_paper(papers, tmp_path)
    parsed = pipeline.parse_paper(folder / PAPERS[0])
    preparing, reading = threading.Event(), threading.Event()
    seen: list[bool] = []
    read_paper = pipeline.read_paper

    def slow_parse(path, limits=None, parts=1):  # ends once the preparation has begun
        assert preparing.wait(60)
        return parsed

    def reads(doc):
        if doc.doc_id != "warm-up":
            reading.set()
        return read_paper(doc)

    def preparation() -> None:  # lasts until the paper is being read
        preparing.set()
        seen.append(reading.wait(20))

    monkeypatch.setattr(pipeline, "parse_paper", slow_parse)
    monkeypatch.setattr(pipeline, "read_paper", reads)
    executor = orchestrate.InlineExecutor([preparation])
    summary = orchestrate.batch_job([str(folder)], str(tmp_path / "out"), executor.submit, cache_dir=str(tmp_path / "cache"))
    executor.close()  # joins the preparing thread
    assert seen == [True] and summary["ok"] == 1


def test_nothing_is_prepared_once_the_parse_is_done(papers, tmp_path, monkeypatch):
    folder = _one_paper(papers, tmp_path)
    parsed = pipeline.parse_paper(folder / PAPERS[0])
    load_readers = pipeline.load_readers
    done: list[str] = []

    def slow_load() -> None:  # the readers take longer to load than the paper to parse
        time.sleep(1.0)
        load_readers()

    monkeypatch.setattr(pipeline, "parse_paper", lambda path, limits=None, parts=1: parsed)
    monkeypatch.setattr(pipeline, "load_readers", slow_load)
    executor = orchestrate.InlineExecutor([lambda: done.append("too late")])
    summary = orchestrate.batch_job([str(folder)], str(tmp_path / "out"), executor.submit, cache_dir=str(tmp_path / "cache"))
    assert done == [] and summary["ok"] == 1


def test_the_made_up_warm_up_paper_changes_no_record(papers, tmp_path):
    """The readers read a made-up paper when they load: a paper's records are the same as in a
    process that never read it."""
    import json
    import subprocess
    import sys

    paper = papers / PAPERS[0]
    cold = subprocess.run([sys.executable, "-c", (
        "import json, sys\n"
        "from gepnec_extract import pipeline\n"
        "result = pipeline.read_paper(pipeline.parse_paper(sys.argv[1]))\n"
        "assert not pipeline._readers_warm\n"
        "print(json.dumps([r.model_dump(mode='json') for r in result.records]))\n"), str(paper)],
        capture_output=True, text=True, check=True)
    pipeline.load_readers()
    warm = pipeline.read_paper(pipeline.parse_paper(paper))
    assert json.loads(cold.stdout) == [r.model_dump(mode="json") for r in warm.records]
    assert warm.records
