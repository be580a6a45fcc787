"""One run at a time writes to an out dir: a second `gepnec-extract run` on it waits for the first."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from gepnec_extract import run_state

from .conftest import ROOT

BIN = Path(sys.executable).parent
HOLD = """
import sys, time
from gepnec_extract import run_state
with run_state.exclusive(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_second_run_on_an_out_dir_waits_for_the_first(tmp_path):
    out = tmp_path / "out"
    paper = tmp_path / "paper.txt"
    paper.write_text("Drugamab gave a response rate of 40% in 20 patients with carcinoma.\n", encoding="utf-8")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out), "6"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    run = subprocess.Popen([str(BIN / "gepnec-extract"), "run", str(paper), "--out", str(out), "--no-report"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(3)
    assert run.poll() is None and not (out / "records.jsonl").exists()  # waiting, nothing written
    assert holder.wait(timeout=30) == 0
    _, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    assert "another run is writing to" in stderr and "waiting for it to end" in stderr
    assert (out / "records.jsonl").exists()


PROBE = """
import fcntl, sys
with open(sys.argv[1], "a") as lock:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        print("free")
    except BlockingIOError:
        print("busy")
"""


def _probe(out) -> str:
    return subprocess.run([sys.executable, "-c", PROBE, str(out / run_state.LOCK_FILE)], capture_output=True,
                          text=True, timeout=60, check=True).stdout.strip()


def test_the_hold_is_reentrant_in_a_process_and_released_at_its_end(tmp_path):
    with run_state.exclusive(tmp_path):
        with run_state.exclusive(tmp_path):  # the main job holds it, and its batch again
            assert _probe(tmp_path) == "busy"
        assert _probe(tmp_path) == "busy"  # still the outer hold's
    assert _probe(tmp_path) == "free"
