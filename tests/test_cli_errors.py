"""Each command line mistake gives one clear line and a non-zero exit; --version, -h; run's limits.

Run through the real console script (a subprocess, as a user types it) where the behaviour is
the process's (exit code, stderr), and through typer's CliRunner where a pipeline run is needed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gepnec_extract import __version__
from gepnec_extract.cli import app

from .conftest import ROOT

SCRIPT = Path(sys.executable).with_name("gepnec-extract")


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "gepnec_extract.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=300, env=env, cwd=cwd)


def _one_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_extract_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    result = _cli("extract", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert _one_line(result) == f"error no papers (.pdf or .txt) found in {tmp_path / 'empty'}"


def test_evaluate_without_its_folders(tmp_path):
    (tmp_path / "pred").mkdir()
    (tmp_path / "pred" / "a.records.jsonl").write_text("", encoding="utf-8")
    result = _cli("evaluate", "--pred", "/nonexistent", "--gold", str(ROOT / "gold"))
    assert result.returncode == 2 and _one_line(result) == "error --pred /nonexistent: no such directory"
    result = _cli("evaluate", "--pred", str(tmp_path / "pred"), "--gold", "/nope")
    assert result.returncode == 2 and _one_line(result) == "error --gold /nope: no such directory"
    result = _cli("evaluate", "--pred", str(tmp_path), "--gold", str(ROOT / "gold"))  # a folder of no records
    assert result.returncode == 2 and "holds no *.records.jsonl file" in _one_line(result)


def test_ingest_into_a_file(tmp_path):
    paper = tmp_path / "quill.txt"
    paper.write_text("Drugamab gave a response rate of 40% in 20 patients.\n", encoding="utf-8")
    existing = tmp_path / "existing_file"
    existing.write_text("keep me", encoding="utf-8")
    result = _cli("ingest", str(paper), "--out", str(existing))
    assert result.returncode == 2
    assert _one_line(result) == f"error --out {existing} is a file, not a directory"
    assert existing.read_text(encoding="utf-8") == "keep me"


def test_tag_text_writes_the_html_file(tmp_path):
    target = tmp_path / "x.html"
    result = _cli("tag", "--text", "Drugamab gave a response rate of 40% in 20 patients.", "--html", str(target))
    assert result.returncode == 0, result.stderr
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Drugamab" in page and "RESPONSE" in page
    assert "response rate of 40%" in result.stdout  # the facts are still printed


def test_tag_a_missing_file_keeps_the_error_kind(tmp_path):
    result = _cli("tag", str(tmp_path / "missing.pdf"))
    assert result.returncode == 1
    assert _one_line(result) == f"error {tmp_path / 'missing.pdf'}: [missing_file] no such file"


def test_run_refuses_zero_workers(tmp_path):
    result = _cli("run", "--workers", "0", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert _one_line(result) == "error --workers 0: at least 1 (one paper at a time)"
    assert not (tmp_path / "out").exists()


def test_version_and_short_help():
    result = _cli("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"gepnec-extract {__version__}")
    result = _cli("-h")
    assert result.returncode == 0 and "Usage" in result.stdout and "review" in result.stdout
    result = _cli("run", "-h")
    assert result.returncode == 0
    for option in ("--timeout", "--memory-mb", "--max-pages", "--max-file-mb"):
        assert option in result.stdout


def test_run_takes_the_ingest_limits_as_options(tmp_path, shared_corpus, monkeypatch):
    """--max-pages 1 makes a two-page paper a typed limit failure, and the run says so."""
    for name in ("GEPNEC_MAX_PAGES", "GEPNEC_TIMEOUT_S", "GEPNEC_MEMORY_MB", "GEPNEC_MAX_FILE_BYTES"):
        monkeypatch.setenv(name, "")  # unset for Limits.from_env; restored after the test
    paper = shared_corpus / "dev" / "d01-mitry1999.pdf"
    result = CliRunner().invoke(app, ["run", str(paper), "--out", str(tmp_path / "out"), "--no-report",
                                      "--max-pages", "1", "--timeout", "60", "--memory-mb", "2048"])
    assert result.exit_code == 0, result.output
    failures = (tmp_path / "out" / "failures.jsonl").read_text(encoding="utf-8")
    assert "d01-mitry1999.pdf" in failures and '"kind": "resource_limit"' in failures
    assert os.environ["GEPNEC_MAX_PAGES"] == "1" and os.environ["GEPNEC_TIMEOUT_S"] == "60.0"


def test_the_readme_lists_every_limit_with_its_variable():
    from dataclasses import fields

    from gepnec_extract.ingest.limits import Limits

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for f in fields(Limits):
        assert f"GEPNEC_{f.name.upper()}" in readme, f.name
    for option in ("--timeout", "--memory-mb", "--max-pages", "--max-file-mb"):
        assert option in readme


@pytest.mark.parametrize("args", [["review", "/nonexistent-run"], ["export-gold", "/nonexistent-run", "--to", "/tmp/x"]])
def test_review_commands_need_a_run(args):
    result = _cli(*args)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1


SWALLOWED_CTRL_C = """
import os, signal, sys, time
from gepnec_extract import cli

def swallowing(path):  # as an import that turns a KeyboardInterrupt into something it ignores
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)
    except KeyboardInterrupt:
        pass
    return False

cli.cache.holds_payloads = swallowing
sys.argv = ["gepnec-extract", "run", sys.argv[1], "--out", sys.argv[2]]
try:
    cli.main()
except SystemExit as stop:
    print("exit", stop.code)
"""


def test_a_ctrl_c_swallowed_before_the_run_starts_still_stops_it(tmp_path):
    """A Ctrl-C that lands in the arguments' parsing or an import, and that code swallows, stops
    the run before it reads a paper: main() notes every SIGINT from its start."""
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", SWALLOWED_CTRL_C, str(ROOT / "corpus" / "review" / "review.pdf"),
                           str(out)], capture_output=True, text=True, timeout=300)
    assert "exit 130" in done.stdout, done.stdout + done.stderr
    assert not (out / "records.jsonl").exists() and "Traceback" not in done.stderr
