"""`gepnec-extract ingest` on a mixed batch: the good files are written, each bad one is reported.

Runs the installed console script in a subprocess, as a user would (exit code, stderr lines).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gepnec_extract.ingest.limits import Limits
from gepnec_extract.model import Document

from ..conftest import REVIEW_PDF
from .mutations import Sources, write_corpus

BAD = {  # file in ../shared/corpus/bad -> the error kind its line must carry
    "empty.pdf": "empty_file",
    "not-a-pdf.pdf": "not_a_pdf",
    "encrypted.pdf": "encrypted_pdf",
    "garbage.pdf": "corrupt_pdf",
    "truncated.pdf": "corrupt_pdf",
    "scanned.pdf": "no_text_layer",
}
MUTANTS = {  # mutation -> kind, under the CLI's --timeout 10 --memory-mb 1024
    "5000-pages": "resource_limit",
    "reference-loop": "timeout",  # pdfminer loops forever: the child is killed, the batch goes on
    "review-bitflip-s11": "corrupt_pdf",  # its parser message is full of [brackets]
}


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("gepnec-extract")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gepnec_extract.cli"]


@pytest.fixture(scope="module")
def batch(shared_corpus, tmp_path_factory):
    work = tmp_path_factory.mktemp("batch")
    sources = Sources(paper=(shared_corpus / "dev" / "d01-mitry1999.pdf").read_bytes(), review=REVIEW_PDF.read_bytes())
    mutants = write_corpus(work / "mutants", sources, list(MUTANTS))
    good = [shared_corpus / "dev" / "d05-hentic2012.pdf", work / "review.pdf"]
    shutil.copy(REVIEW_PDF, good[1])
    bad = [shared_corpus / "bad" / name for name in BAD] + list(mutants.values()) + [work / "missing.pdf"]
    files = [bad[0], good[0], *bad[1:4], good[1], *bad[4:]]  # good files in between bad ones
    out = work / "out"
    completed = subprocess.run(_cli() + ["ingest", *map(str, files), "--out", str(out),
                                         "--timeout", "10", "--memory-mb", "1024"],
                               capture_output=True, text=True, timeout=300)
    return completed, good, bad, out


def test_exit_code_is_nonzero_when_any_file_failed(batch):
    completed, *_ = batch
    assert completed.returncode == 1, completed.stderr


def test_one_line_per_bad_file_naming_file_and_kind(batch):
    completed, _good, bad, _out = batch
    error_lines = [line for line in completed.stderr.splitlines() if line.startswith("error ")]
    assert len(error_lines) == len(bad), completed.stderr
    expected_kinds = {**BAD, **{f"{name}.pdf": kind for name, kind in MUTANTS.items()}, "missing.pdf": "missing_file"}
    for path, line in zip(bad, error_lines):
        assert re.match(rf"error {re.escape(str(path))}: \[({expected_kinds[path.name]})\] \S", line), line
    assert "Traceback" not in completed.stderr + completed.stdout


def test_good_files_are_written_whole(batch):
    _completed, good, _bad, out = batch
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{p.stem}.document.json" for p in good)  # no temp files, no bad ones
    for path in good:
        document = Document.load(out / f"{path.stem}.document.json")
        assert document.source == path.name and document.pages >= 2 and len(document.full_text()) > 2000


def _ingest_in_worker(path: str, results) -> None:
    from gepnec_extract.ingest.sandbox import run_sandboxed

    result = run_sandboxed(path, Limits(timeout_s=30, memory_mb=1024))
    results.put("document" if result.document is not None else result.error.kind)


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_sandbox_works_inside_daemonic_workers(shared_corpus, start_method):
    """Dask and Pool workers are daemonic (no children by default) and may be plain forks of a
    process whose fork server already runs: the sandbox must still parse there."""
    import multiprocessing

    from gepnec_extract.ingest.sandbox import run_sandboxed

    paper = str(shared_corpus / "dev" / "d05-hentic2012.pdf")
    assert run_sandboxed(paper, Limits(timeout_s=30)).document is not None  # our server is up
    context = multiprocessing.get_context(start_method)
    results = context.Queue()
    worker = context.Process(target=_ingest_in_worker, args=(paper, results), daemon=True)
    worker.start()
    try:
        assert results.get(timeout=120) == "document"
    finally:
        worker.join(10)
        if worker.is_alive():
            worker.kill()
