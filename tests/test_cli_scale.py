"""`gepnec-extract run` as users run it: the console script, the progress bar on, one worker,
``--workers 2`` and ``--dask-address`` on a real `dask scheduler` + `dask worker` on 127.0.0.1.

Each parallel run must give the same records as one worker, and the same per-document failure
for a corrupt PDF among the papers. Without PREFECT_API_URL no Prefect
is imported and no Prefect server started. Slow: real PDFs in subprocesses; every process the
test starts is killed in a finally.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEV = REPO / ".." / "shared" / "corpus" / "dev"
BAD = REPO / ".." / "shared" / "corpus" / "bad"
BIN = Path(sys.executable).parent
STEMS = ("d01-mitry1999", "d07-bajetta2007", "d09-lu2013")  # three short dev PDFs

pytestmark = pytest.mark.slow


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PYTHONPATH=str(REPO / "src"),
               TTY_COMPATIBLE="1", TTY_INTERACTIVE="1",  # rich draws the progress bar though stderr is a pipe
               **extra)
    return env


@pytest.fixture(scope="module")
def papers(tmp_path_factory) -> Path:
    if not all((DEV / f"{stem}.pdf").exists() for stem in STEMS) or not (BAD / "garbage.pdf").exists():
        pytest.skip("../shared corpus not present")
    folder = tmp_path_factory.mktemp("papers")
    for stem in STEMS:
        shutil.copy(DEV / f"{stem}.pdf", folder / f"{stem}.pdf")
    shutil.copy(BAD / "garbage.pdf", folder / "garbage.pdf")  # fails on its own, whichever process reads it
    return folder


def _run(papers: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    done = subprocess.run([str(BIN / "gepnec-extract"), "run", str(papers), "--out", str(out), "--no-report", *options],
                          env=_env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "extracting" in done.stderr  # the progress bar was drawn
    assert "cannot pickle" not in done.stderr
    return done


def _plain(stderr: str) -> str:
    """What the terminal shows, without rich's colour and cursor codes."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stderr)


def _records(out: Path) -> list[dict]:
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    return sorted((json.loads(line) for line in lines), key=lambda r: json.dumps(r, sort_keys=True))


def _failures(out: Path) -> list[tuple[str, str]]:
    lines = (out / "failures.jsonl").read_text(encoding="utf-8").splitlines()
    return sorted((Path(f["file"]).name, f["kind"]) for f in map(json.loads, lines))


@pytest.fixture(scope="module")
def one_worker(papers, tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("one-worker")
    _run(papers, out)
    records = _records(out)
    assert {r["doc_id"] for r in records} == set(STEMS)  # every paper gave records
    assert _failures(out) == [("garbage.pdf", "corrupt_pdf")]
    return records


def test_one_worker_imports_no_prefect(papers, tmp_path):
    """The same main job in a process that reports what it imported."""
    script = ("import sys\nfrom gepnec_extract.cli import main\n"
              f"sys.argv = ['gepnec-extract', 'run', {str(papers / (STEMS[2] + '.pdf'))!r}, '--out', "
              f"{str(tmp_path / 'out')!r}, '--no-report']\n"
              "try:\n    main()\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
              "print(sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'prefect_dask', 'distributed', 'uvicorn'}))\n")
    done = subprocess.run([sys.executable, "-c", script], env=_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "records.jsonl").is_file()


def test_parser_children_do_not_import_the_cli_again(papers, tmp_path):
    """multiprocessing makes a child import its parent's main module first (for the console
    script: the CLI and all it imports). The parser children need none of it: with Python's
    import profiling on, the CLI module is imported once in the whole run, by the CLI itself."""
    done = subprocess.run([str(BIN / "gepnec-extract"), "run", str(papers), "--out", str(tmp_path / "out"),
                           "--no-report"], env={**_env(), "PYTHONPROFILEIMPORTTIME": "1"},
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    # "import time: self | cumulative | <nesting>module", one per module and process (found
    # anywhere: the progress bar's redraws share stderr with the children's lines)
    imports = re.findall(r"import time:\s+\d+ \|\s+\d+ \| *([\w.]+)", done.stderr)
    # the profile reaches the parser's processes: the fork server imports the sandbox too
    assert imports.count("gepnec_extract.ingest.sandbox") >= 2
    assert imports.count("gepnec_extract.cli") == 1


def test_two_workers_give_the_records_of_one(papers, one_worker, tmp_path):
    done = _run(papers, tmp_path / "out", "--workers", "2")
    assert _records(tmp_path / "out") == one_worker
    assert _failures(tmp_path / "out") == [("garbage.pdf", "corrupt_pdf")]
    # on fewer than 4 cores two workers only share what one keeps busy, and the run says so
    from gepnec_extract.cli import CORES_PER_WORKER

    too_few = len(os.sched_getaffinity(0)) < 2 * CORES_PER_WORKER
    plain = _plain(done.stderr)
    assert ("note: --workers 2 on" in plain) == too_few, plain[-2000:]


def test_workers_on_one_core_are_noted_before_any_work(tmp_path):
    """The note comes from the real console script, pinned to one core, before any paper is read."""
    paper = tmp_path / "paper.txt"
    paper.write_text("A made-up note: nothing of a study in it.\n", encoding="utf-8")
    done = subprocess.run([str(BIN / "gepnec-extract"), "run", str(paper), "--out", str(tmp_path / "out"),
                           "--no-report", "--workers", "3"], env=_env(), capture_output=True, text=True,
                          timeout=600, preexec_fn=lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}))
    assert done.returncode == 0, done.stderr[-3000:]
    plain = _plain(done.stderr)
    assert "note: --workers 3 on 1 core(s)" in plain, plain[-2000:]
    assert "more than 1 worker(s) will not be faster here" in plain
    assert plain.index("note: --workers 3") < plain.index("extracting")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)  # the worker's nanny and its worker process too
    process.wait(timeout=60)


def test_dask_address_gives_the_records_of_one_worker(papers, one_worker, tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = []
    try:
        started.append(subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        # non-daemonic worker processes: the PDF sandbox starts children
        started.append(subprocess.Popen(
            [str(BIN / "dask"), "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--nworkers", "1",
             "--no-dashboard"],
            env=_env(DASK_DISTRIBUTED__WORKER__DAEMON="False"), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True))
        from distributed import Client

        deadline = time.monotonic() + 300  # a bound for a loaded machine, not a timing claim
        while True:
            try:
                with Client(address, timeout=10) as client:
                    client.wait_for_workers(1, timeout=300)
                break
            except OSError:
                if time.monotonic() > deadline or any(p.poll() is not None for p in started):
                    raise
                time.sleep(1)
        _run(papers, tmp_path / "out", "--dask-address", address)
        assert _records(tmp_path / "out") == one_worker
        assert _failures(tmp_path / "out") == [("garbage.pdf", "corrupt_pdf")]
        # the papers were extracted on the cluster, and a re-run is served by this machine's cache
        again = _run(papers, tmp_path / "out", "--dask-address", address)
        plain = _plain(again.stderr)
        assert re.search(r"│ +4 │ +3 │ +4 │ +1 │", plain), plain[-2000:]  # papers, extracted, cached, failed
    finally:
        for process in reversed(started):
            _stop(process)
