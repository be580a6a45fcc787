"""Batch throughput as a user sees it: `gepnec-extract run` on 1, 10 and 40 papers, 1 and 2 workers.

    python benchmarks/bench_batch.py [--sizes 1 10 40] [--workers 1 2] [--before /work/main] [--rounds 1]

Every figure is the whole process, children included (the CLI, its worker processes, the sandboxed
parsers), measured from outside: wall time of the console script and the peak resident memory of
its process tree (largest process, and summed) and the CPU time of the tree and of the main
process, sampled every 50 ms by psutil in a second run of each case (the wall time comes from a
run with no sampler beside it: bench_run.timed_and_sampled). The papers are the
dev PDFs repeated under distinct names, each copy with a PDF comment appended after %%EOF: copies
with identical bytes would be read once (the cache and the batch key papers by content), and the
point is to measure extraction. Every run writes into an empty out dir (no cache hits), with
``--no-report`` (the report is its own stage, measured by bench_run.py).

``--after TREE`` measures TREE's code instead of this tree's (a snapshot, say, while this tree
changes); ``--before TREE`` runs the same cases with TREE's code (PYTHONPATH=TREE/src:TREE), alternating with
this tree's. The records of every N-worker run are compared with the 1-worker run of the same tree
and size (and with the other tree's): "same" or "DIFFER". The load average is printed with the
figures: the machine is shared, so they are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_run import tree_env, tree_identity, wall_seconds  # noqa: E402  (TREE's library and flows)

REPO = Path(__file__).resolve().parents[1]
DEV = REPO / ".." / "shared" / "corpus" / "dev"
BIN = Path(sys.executable).parent
SAMPLE_S = 0.05


def make_batch(folder: Path, n_papers: int) -> tuple[Path, int]:
    """``n_papers`` distinct copies of the dev PDFs in ``folder``; their pages in all."""
    import pypdfium2

    sources = sorted(DEV.glob("*.pdf"))
    pages_of = {s: len(pypdfium2.PdfDocument(str(s))) for s in sources}
    folder.mkdir(parents=True, exist_ok=True)
    pages = 0
    for i in range(n_papers):
        source = sources[i % len(sources)]
        (folder / f"p{i:03d}-{source.stem}.pdf").write_bytes(source.read_bytes() + f"\n%bench copy {i}\n".encode())
        pages += pages_of[source]
    return folder, pages


def _cpu_s(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


def measure(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall seconds; CPU seconds of the whole tree and of the main process alone (the last
    sample of each process: a process's final 50 ms may be missed); peak RSS of the largest
    process and of the whole tree (MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(process.pid)
    peak_one = peak_sum = 0
    cpu: dict[int, float] = {}
    while process.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            procs = []
        total = 0
        for proc in procs:
            try:
                rss = proc.memory_info().rss
                cpu[proc.pid] = _cpu_s(proc)
            except psutil.Error:
                continue
            total += rss
            peak_one = max(peak_one, rss)
        peak_sum = max(peak_sum, total)
        time.sleep(SAMPLE_S)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(cmd)}\n{stderr[-2000:]}")
    return {"s": wall, "cpu_s": sum(cpu.values()), "main_cpu_s": cpu.get(process.pid, 0.0),
            "largest_mib": peak_one / 2**20, "tree_mib": peak_sum / 2**20}




def records_of(out: Path) -> list[str]:
    """The run's records without their file paths (the copies' names differ between runs only
    by folder), sorted: comparable across runs."""
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    return sorted(json.dumps(json.loads(line), sort_keys=True) for line in lines if line.strip())


def one_run(tree: Path, papers: Path, out: Path, workers: int) -> dict[str, float]:
    """The wall seconds of a run with no sampler beside it (bench_run.timed_and_sampled says why),
    the rest from a second, sampled run; each into an empty out dir."""
    cmd = [str(BIN / "gepnec-extract"), "run", str(papers), "--out", str(out), "--no-report", "--workers", str(workers)]
    shutil.rmtree(out, ignore_errors=True)
    seconds = wall_seconds(cmd, tree_env(tree))
    shutil.rmtree(out, ignore_errors=True)
    return {**measure(cmd, tree_env(tree)), "s": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 40])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--before", type=Path, default=None, help="also run this tree's code (e.g. /work/main)")
    parser.add_argument("--after", type=Path, default=REPO, help="the code to measure (default: this tree)")
    parser.add_argument("--rounds", type=int, default=1, help="runs per case (median)")
    args = parser.parse_args()
    if not DEV.is_dir():
        sys.exit(f"needs the shared corpus at {DEV}")
    trees = {"after": args.after.resolve(), **({"before": args.before.resolve()} if args.before else {})}
    for label, tree in trees.items():
        print(f"{label}: {tree_identity(tree)}", file=sys.stderr, flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    rows = []
    try:
        for size in args.sizes:
            papers, pages = make_batch(scratch / f"papers-{size}", size)
            figures: dict[tuple[str, int], list[dict]] = {}
            records: dict[tuple[str, int], list[str]] = {}
            for _ in range(args.rounds):
                for workers in args.workers:
                    for label, tree in trees.items():  # alternating, so load drifts hit both alike
                        out = scratch / f"out-{label}-{size}-{workers}"
                        figures.setdefault((label, workers), []).append(one_run(tree, papers, out, workers))
                        records[(label, workers)] = records_of(out)
            reference = records[("after", args.workers[0])]
            for (label, workers), runs in figures.items():
                wall = statistics.median(r["s"] for r in runs)
                rows.append({"tree": label, "papers": size, "pages": pages, "workers": workers, "s": wall,
                             "cpu": statistics.median(r["cpu_s"] for r in runs),
                             "main_cpu": statistics.median(r["main_cpu_s"] for r in runs),
                             "largest": max(r["largest_mib"] for r in runs), "tree_mib": max(r["tree_mib"] for r in runs),
                             "base": statistics.median(r["s"] for r in figures[(label, args.workers[0])]),
                             "same": records[(label, workers)] == reference})
            print(f"done {size} papers; load average {os.getloadavg()}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report(rows)


def report(rows: list[dict]) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n`gepnec-extract run --no-report`, whole process with children; {psutil.cpu_count()} CPUs; "
          f"load average at the end {load}")
    print(f"{'tree':<7}{'papers':>7}{'pages':>6}{'workers':>8}{'wall s':>8}{'papers/min':>11}{'pages/s':>8}"
          f"{'speed-up':>9}{'CPU s':>7}{'main CPU':>9}{'largest MiB':>12}{'tree MiB':>9}  records")
    for r in sorted(rows, key=lambda r: (r["papers"], r["workers"], r["tree"] != "before")):
        print(f"{r['tree']:<7}{r['papers']:>7}{r['pages']:>6}{r['workers']:>8}{r['s']:>8.1f}"
              f"{r['papers'] / r['s'] * 60:>11.1f}{r['pages'] / r['s']:>8.2f}{r['base'] / r['s']:>8.2f}x"
              f"{r['cpu']:>7.1f}{r['main_cpu']:>9.1f}"
              f"{r['largest']:>12.0f}{r['tree_mib']:>9.0f}  {'same' if r['same'] else 'DIFFER'}")
    print("speed-up: against 1 worker of the same tree and size; records: against this tree's 1-worker run")
    print("CPU s: user+system of every process of the run; main CPU: of the CLI's own process. On a loaded "
          "machine wall time hides parallelism: CPU s / 2 against main CPU bounds what 2 free cores could do")


if __name__ == "__main__":
    main()
