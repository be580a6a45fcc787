"""What a user waits for: whole-process wall time and peak memory of the main job, side by side.

    python benchmarks/bench_run.py [PDF] [--rounds N] [--before /work/main]

For one PDF (default: the bundled review) it runs, each in a fresh process through the console
script, with every child process included (psutil samples the process tree every 20 ms):

    pdfplumber   a bare script: pdfplumber text + tables of every page (the floor for parsing)
    ingest       `gepnec-extract ingest PDF`
    run cold     `gepnec-extract run PDF` into an empty out dir (report included, as a user runs it)
    run no-op    the same command again (every paper a cache hit)
    no-op --no-report   the same without the report (which today tags every document again)

``--before TREE`` also runs ingest/run with TREE's code (PYTHONPATH=TREE/src:TREE), alternating
with this tree's, for a before/after table. Figures are medians over ``--rounds``; the machine's
load average is printed with them (a shared machine inflates everything).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

PDFPLUMBER = """
import sys, pdfplumber
with pdfplumber.open(sys.argv[1]) as pdf:
    for page in pdf.pages:
        page.extract_text()
        page.extract_tables()
"""


def measure(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall seconds, peak RSS of the largest single process and peak RSS summed over the tree (MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = psutil.Process(process.pid)
    peak_one = peak_sum = 0
    while process.poll() is None:
        total = 0
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            procs = []
        for proc in procs:
            try:
                rss = proc.memory_info().rss
            except psutil.Error:
                continue
            total += rss
            peak_one = max(peak_one, rss)
        peak_sum = max(peak_sum, total)
        time.sleep(0.02)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(cmd)}")
    return {"s": wall, "largest_mib": peak_one / 2**20, "tree_mib": peak_sum / 2**20}


def tree_env(tree: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PYTHONPATH"] = os.pathsep.join([str(tree / "src"), str(tree)])
    return env


def cases(pdf: Path, tree: Path, scratch: Path, label: str) -> dict[str, dict[str, float]]:
    env, cli = tree_env(tree), str(BIN / "gepnec-extract")
    out = scratch / f"run-{label}"
    shutil.rmtree(out, ignore_errors=True)
    results = {
        f"ingest ({label})": measure([cli, "ingest", str(pdf), "--out", str(scratch / f"ingest-{label}")], env),
        f"run cold ({label})": measure([cli, "run", str(pdf), "--out", str(out)], env),
        f"run no-op ({label})": measure([cli, "run", str(pdf), "--out", str(out)], env),
        f"no-op --no-report ({label})": measure([cli, "run", str(pdf), "--out", str(out), "--no-report"], env),
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", default=str(REPO / "corpus" / "review" / "review.pdf"))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--before", type=Path, default=None, help="another tree's code to compare with")
    args = parser.parse_args()
    pdf = Path(args.pdf).resolve()
    runs: dict[str, list[dict[str, float]]] = {}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        scratch = Path(tmp)
        for _ in range(args.rounds):
            trees = [("after", REPO)] + ([("before", args.before.resolve())] if args.before else [])
            for label, tree in trees:
                for name, figure in cases(pdf, tree, scratch, label).items():
                    runs.setdefault(name, []).append(figure)
                loads.append(os.getloadavg()[0])
            figure = measure([sys.executable, "-c", PDFPLUMBER, str(pdf)], tree_env(REPO))
            runs.setdefault("pdfplumber text+tables", []).append(figure)
            loads.append(os.getloadavg()[0])

    def median(name: str, key: str) -> float:
        return statistics.median(f[key] for f in runs[name])

    floor = median("pdfplumber text+tables", "s")
    print(f"{pdf.name}: medians of {args.rounds} round(s); load average (1 min) during the runs "
          f"{min(loads):.2f}-{max(loads):.2f} on {os.cpu_count()} cores")
    print(f"{'case':<26}{'seconds':>9}{'x pdfplumber':>14}{'x ingest':>10}{'largest MiB':>13}{'tree MiB':>10}")
    for name in runs:
        label = name[name.find("(") + 1:-1] if "(" in name else "after"
        ingest = median(f"ingest ({label})", "s") if f"ingest ({label})" in runs else float("nan")
        s = median(name, "s")
        print(f"{name:<26}{s:>9.2f}{s / floor:>14.2f}{s / ingest:>10.2f}"
              f"{median(name, 'largest_mib'):>13.0f}{median(name, 'tree_mib'):>10.0f}")
    for label in ("after", "before"):
        if f"run cold ({label})" in runs:
            ratio = median(f"run no-op ({label})", "s") / median(f"run cold ({label})", "s")
            print(f"no-op / cold ({label}): {ratio:.3f}")


if __name__ == "__main__":
    main()
