"""Where a cold `gepnec-extract run` spends its time: a timeline of named functions in every process.

    python benchmarks/trace_run.py [PDF] [--functions mod:func,mod:Class.method,...] [--rounds N]

Runs the console script on PDF (default: the bundled review) into an empty out dir with a
``sitecustomize`` hook on PYTHONPATH. In the CLI and in every process it starts (the parsers' fork
server and its children, the picture child), the hook wraps each named function when its module is
first imported and logs the wall-clock start and end of every call, relative to the moment this
script started the command. The timeline prints one line per call: start, end, seconds, process,
thread, function. A name that no process ever called is listed at the end (renamed, say). A
function is wrapped where its module holds it: one called by a reference taken before (a typer
command, a call in its own module's import) is not seen.

A traced run is a little slower than a plain one (a wrapper per call of the functions named, and
each child's log written as it goes): read the timeline for order and proportions, and take
seconds from bench_run.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

STAGES = ",".join([
    "gepnec_extract.ingest.sandbox:_start_fork_server",
    "gepnec_extract.ingest.sandbox:_parse_part", "gepnec_extract.ingest.sandbox:_assemble_parts",
    "gepnec_extract.pipeline:load_tagger", "gepnec_extract.pipeline:load_readers",
    "gepnec_extract.pipeline:parse_paper", "gepnec_extract.pipeline:tag", "gepnec_extract.pipeline:extract_records",
    "gepnec_extract.orchestrate:InlineExecutor._prepare", "gepnec_extract.orchestrate:_create_dataset",
    "gepnec_extract.cache:PayloadCache.put", "gepnec_extract.orchestrate:_write_batch_outputs",
    "gepnec_extract.batch:write_paper_outputs", "gepnec_extract.dataset:refresh",
    "gepnec_extract.batch:write_dataset_exports", "gepnec_flows.run:scored_against_gold",
    "gepnec_flows.run:written_report", "gepnec_flows.run:conflict_rows", "gepnec_extract.report:build_report",
    "gepnec_extract.pictures_ahead:prepare_ahead", "gepnec_extract.pictures_ahead:draw_ahead",
])

# The hook: wraps the named functions as their modules load, logs (name, thread, start, end).
HOOK = r'''
import atexit, functools, importlib._bootstrap as bootstrap, os, sys, threading, time

T0 = float(os.environ["GEPNEC_TRACE_T0"])
SPECS = [s.split(":", 1) for s in os.environ["GEPNEC_TRACE"].split(",") if s]
LOG_DIR = os.environ["GEPNEC_TRACE_DIR"]
rows, patched, pid = [], set(), os.getpid()


def flush():
    if rows:
        with open(os.path.join(LOG_DIR, f"{os.getpid()}.log"), "a") as log:
            log.writelines("%s\t%s\t%.4f\t%.4f\n" % row for row in rows)
        rows.clear()


def wrap(name, function):
    @functools.wraps(function)
    def traced(*args, **kwargs):
        start = time.time() - T0
        try:
            return function(*args, **kwargs)
        finally:
            rows.append((name, threading.current_thread().name, start, time.time() - T0))
            if os.getpid() != pid:  # a forked child may never reach atexit
                flush()
    return traced


def patch(module_name):
    module = sys.modules.get(module_name)
    for wanted, attribute in SPECS:
        key = f"{wanted}:{attribute}"
        if wanted != module_name or key in patched:
            continue
        owner, parts = module, attribute.split(".")
        for part in parts[:-1]:
            owner = getattr(owner, part, None)
        if owner is not None and hasattr(owner, parts[-1]):
            setattr(owner, parts[-1], wrap(key, getattr(owner, parts[-1])))
            patched.add(key)


original = bootstrap._load_unlocked


def load(spec):
    module = original(spec)
    patch(spec.name)
    return module


bootstrap._load_unlocked = load
now = time.time() - T0
rows.append(("process start", "", now, now))
atexit.register(lambda: (rows.append(("process exit", "", time.time() - T0, time.time() - T0)), flush()))
'''


def traced_run(pdf: Path, functions: str, scratch: Path) -> tuple[float, list[tuple]]:
    hook_dir, log_dir, out = scratch / "hook", scratch / "logs", scratch / "out"
    for folder in (hook_dir, log_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    shutil.rmtree(out, ignore_errors=True)
    (hook_dir / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    started = time.time()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")},
           "PYTHONPATH": os.pathsep.join(filter(None, [str(hook_dir), os.environ.get("PYTHONPATH")])),
           "GEPNEC_TRACE": functions, "GEPNEC_TRACE_DIR": str(log_dir), "GEPNEC_TRACE_T0": repr(started)}
    subprocess.run([str(BIN / "gepnec-extract"), "run", str(pdf), "--out", str(out)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.time() - started
    # a hook on PYTHONPATH reaches every child, and a child that sets its own limits may fail with
    # it: say what the traced run wrote, so a timeline of a broken run is seen as one
    records_file = out / "records.jsonl"
    records = records_file.read_text(encoding="utf-8").count("\n") if records_file.exists() else 0
    pictures = len(list((out / "pages").glob("*.jpg"))) if (out / "pages").is_dir() else 0
    print(f"traced run wrote {records} records, {pictures} page pictures"
          + ("" if (out / "report.html").is_file() else ", no report.html"))
    calls = []
    for log in log_dir.glob("*.log"):
        for line in log.read_text(encoding="utf-8").splitlines():
            name, thread, start, end = line.split("\t")
            calls.append((float(start), float(end), log.stem, thread, name))
    return wall, sorted(calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", default=str(REPO / "corpus" / "review" / "review.pdf"))
    parser.add_argument("--functions", default=STAGES, help="module:function or module:Class.method, comma-separated")
    parser.add_argument("--rounds", type=int, default=1, help="traced runs, each printed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trace-run-") as tmp:
        for round_ in range(1, args.rounds + 1):
            wall, calls = traced_run(Path(args.pdf).resolve(), args.functions, Path(tmp))
            print(f"round {round_}: {wall:.2f} s wall (cold run of {Path(args.pdf).name}, traced)")
            print(f"{'start':>7} {'end':>7} {'s':>6}  {'process':>8} {'thread':<22} function")
            for start, end, process, thread, name in calls:
                print(f"{start:7.3f} {end:7.3f} {end - start:6.3f}  {process:>8} {thread[:22]:<22} {name}")
            called = {name for *_, name in calls}
            missing = [name for name in args.functions.split(",") if name and name not in called]
            if missing:
                print("never called: " + ", ".join(missing))


if __name__ == "__main__":
    main()
