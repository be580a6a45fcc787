"""What a user waits for: whole-process wall time and peak memory of the main job, side by side.

    python benchmarks/bench_run.py [PDF] [--rounds N] [--before /work/main] [--dev [DIR]] [--pages200]

For one PDF (default: the bundled review) it runs, each in a fresh process through the console
script, with every child process included, every case twice: once for the wall seconds, with
nothing else running, and once for the memory (psutil samples the process tree every 20 ms, which
costs CPU a 2-core machine would otherwise give the command: timed_and_sampled):

    pdfplumber   a bare script: pdfplumber text + tables of every page (the floor for parsing)
    ingest       `gepnec-extract ingest PDF`
    run cold     `gepnec-extract run PDF` into an empty out dir (report included, as a user runs it)
    run no-op    the same command again (every paper a cache hit)
    no-op --no-report   the same without the report

``--before TREE`` also runs every case with TREE's code (PYTHONPATH=TREE/src:TREE), alternating
with this tree's, and prints both side by side. ``--dev`` adds a cold and a no-op run on the
eighteen dev documents (../shared/corpus/dev, or the folder given); ``--pages200`` a cold and a
no-op run on a 200-page PDF made of PDF's pages over and over (for the largest process's memory);
``--skip-review`` leaves out the cases on PDF itself. Figures are medians over ``--rounds``; the machine's
load average is printed with them (a shared machine inflates everything).
"""

from __future__ import annotations

import argparse
import compileall
import functools
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import psutil

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEV = REPO.parent / "shared" / "corpus" / "dev"

PDFPLUMBER = """
import sys, pdfplumber
with pdfplumber.open(sys.argv[1]) as pdf:
    for page in pdf.pages:
        page.extract_text()
        page.extract_tables()
"""


def wall_seconds(cmd: list[str], env: dict[str, str]) -> float:
    """The command's wall seconds, with nothing beside it (see timed_and_sampled); its stderr's
    end when it fails."""
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace")
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{stderr[-2000:]}")
    return time.perf_counter() - started


def measure(cmd: list[str], env: dict[str, str], sample: bool = True) -> dict[str, float]:
    """Wall seconds, peak RSS of the largest single process and peak RSS summed over the tree (MiB);
    ``sample=False``: wall seconds only (wall_seconds)."""
    if not sample:
        return {"s": wall_seconds(cmd, env)}
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


def tree_identity(tree: Path) -> str:
    """The commit a tree's code is at, and whether it has uncommitted changes: a tree edited while
    it is measured gives figures of no one version (a changed file also changes the code digest a
    no-op run checks, so the no-op then redoes the report). Measure a worktree instead:
    ``git worktree add /tmp/after HEAD``."""
    try:
        commit = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no", "--",
                                "src", "flows"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"{tree} (not a git checkout)"
    return f"{tree} at {commit}" + (" WITH UNCOMMITTED CHANGES to src/ or flows/" if dirty else "")


def tree_env(tree: Path) -> dict[str, str]:
    """An environment that runs TREE's code: its library from TREE/src and its flows/ folder as the
    package gepnec_flows (a copy under a folder of its own: the installed gepnec_flows would be
    another checkout's flows), both compiled to bytecode first, as `make setup` leaves this tree
    (where PYTHONDONTWRITEBYTECODE is set, a tree without it would compile on every run)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PYTHONPATH"] = os.pathsep.join(map(str, _code_roots(tree)))
    return env


@functools.cache
def _code_roots(tree: Path) -> tuple[Path, Path]:
    """TREE/src and the copy of its flows, compiled once per benchmark run (the tree is not edited
    while it is measured: tree_identity)."""
    roots = (tree / "src", _flows_root(tree))
    for root in roots:
        compileall.compile_dir(str(root), quiet=1)
    return roots


@functools.cache
def _flows_root(tree: Path) -> Path:
    root = Path(tempfile.gettempdir()) / "gepnec-bench-flows" / hashlib.sha256(str(tree.resolve()).encode()).hexdigest()[:12]
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(tree / "flows", root / "gepnec_flows", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def timed_and_sampled(measured: Callable[..., dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """The cases run twice: the seconds from a pass with no memory sampler, the memory from a pass
    with one. Sampling the process tree every 20 ms (psutil walks /proc) takes CPU: on 2 cores it
    measured 1.17-1.24 s -> 1.34-1.40 s for bare pdfplumber (one core) and 1.77-1.84 s -> 2.2-2.3 s
    for a cold run (both cores), so sampled seconds overstate whatever uses more than one core."""
    timed, sampled = measured(sample=False), measured(sample=True)
    return {name: {**sampled[name], "s": figure["s"]} for name, figure in timed.items()}


def run_cases(paths: list[Path], tree: Path, out: Path, label: str, prefix: str = "",
              options: tuple[str, ...] = (), sample: bool = True) -> dict[str, dict[str, float]]:
    """A cold run into an empty out dir (report included, as a user runs it), then the same
    command again (every paper a cache hit)."""
    env, cli = tree_env(tree), str(BIN / "gepnec-extract")
    shutil.rmtree(out, ignore_errors=True)
    command = [cli, "run", *map(str, paths), "--out", str(out), *options]
    figures = {f"{prefix}run cold ({label})": measure(command, env, sample)}
    failures = (out / "failures.jsonl").read_text(encoding="utf-8").strip() if (out / "failures.jsonl").exists() else ""
    if failures:  # the figures then measure a failed paper, not its extraction
        print(f"warning: {prefix}run cold ({label}) failed papers:\n{failures}", file=sys.stderr)
    figures[f"{prefix}run no-op ({label})"] = measure(command, env, sample)
    return figures


def cases(pdf: Path, tree: Path, scratch: Path, label: str, sample: bool = True) -> dict[str, dict[str, float]]:
    env, cli = tree_env(tree), str(BIN / "gepnec-extract")
    out = scratch / f"run-{label}"
    results = {f"ingest ({label})": measure([cli, "ingest", str(pdf), "--out", str(scratch / f"ingest-{label}")],
                                            env, sample)}
    results.update(run_cases([pdf], tree, out, label, sample=sample))
    results[f"no-op --no-report ({label})"] = measure([cli, "run", str(pdf), "--out", str(out), "--no-report"],
                                                      env, sample)
    return results


def pages200(pdf: Path, target: Path, pages: int = 200) -> Path:
    """A PDF of ``pages`` pages: the given one's pages again and again (pypdfium2, installed with pdfplumber)."""
    import pypdfium2

    source = pypdfium2.PdfDocument(str(pdf))
    combined = pypdfium2.PdfDocument.new()
    try:
        while len(combined) < pages:
            count = min(len(source), pages - len(combined))
            combined.import_pages(source, list(range(count)))
        combined.save(str(target))
    finally:
        combined.close()
        source.close()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", default=str(REPO / "corpus" / "review" / "review.pdf"))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--before", type=Path, default=None, help="another tree's code to compare with")
    parser.add_argument("--dev", type=Path, nargs="?", const=DEV, default=None,
                        help=f"also a cold and a no-op run on a folder of papers (default {DEV})")
    parser.add_argument("--pages200", action="store_true", help="also a cold run on a 200-page PDF made from PDF")
    parser.add_argument("--skip-review", action="store_true", help="only the --dev / --pages200 cases")
    args = parser.parse_args()
    pdf = Path(args.pdf).resolve()
    runs: dict[str, list[dict[str, float]]] = {}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        scratch = Path(tmp)
        big = pages200(pdf, scratch / "pages200.pdf") if args.pages200 else None
        trees = [("after", REPO)] + ([("before", args.before.resolve())] if args.before else [])
        for label, tree in trees:
            print(f"{label}: {tree_identity(tree)}", file=sys.stderr, flush=True)
        for _ in range(args.rounds):
            for label, tree in trees:  # alternating, so a change of load falls on both
                figures = {} if args.skip_review else timed_and_sampled(
                    functools.partial(cases, pdf, tree, scratch, label))
                if args.dev:
                    figures.update(timed_and_sampled(functools.partial(
                        run_cases, [args.dev], tree, scratch / f"dev-{label}", label, "dev ")))
                if big:
                    # a generous time limit: on a busy machine 200 pages may take longer than the default 120 s,
                    # and a paper over the limit would measure a failure, not a run
                    figures.update(timed_and_sampled(functools.partial(
                        run_cases, [big], tree, scratch / f"big-{label}", label, "200 pages ", ("--timeout", "3600"))))
                for name, figure in figures.items():
                    runs.setdefault(name, []).append(figure)
                loads.append(os.getloadavg()[0])
            if not args.skip_review:
                figure = timed_and_sampled(lambda sample: {"pdfplumber": measure(
                    [sys.executable, "-c", PDFPLUMBER, str(pdf)], tree_env(REPO), sample)})["pdfplumber"]
                runs.setdefault("pdfplumber text+tables", []).append(figure)
                loads.append(os.getloadavg()[0])
    report(runs, pdf, args.rounds, loads, [label for label, _ in trees])


def report(runs: dict[str, list[dict[str, float]]], pdf: Path, rounds: int, loads: list[float],
           labels: list[str]) -> None:
    """One line per case, each tree's figures side by side; ratios to ingest and to the cold run."""
    def median(name: str, key: str) -> float:
        return statistics.median(f[key] for f in runs[name]) if name in runs else float("nan")

    floor = median("pdfplumber text+tables", "s")
    print(f"{pdf.name}: medians of {rounds} round(s); load average (1 min) during the runs "
          f"{min(loads):.2f}-{max(loads):.2f} on {os.cpu_count()} cores")
    cases = list(dict.fromkeys(name.rsplit(" (", 1)[0] for name in runs))
    head = f"{'case':<26}" + "".join(f"{'s ' + l:>11}{'x ingest':>10}{'MiB ' + l:>12}{'tree MiB':>10}" for l in labels)
    print(head + f"{'x pdfplumber':>14}")
    for case in cases:
        line = f"{case:<26}"
        for label in labels:
            name = f"{case} ({label})" if f"{case} ({label})" in runs else case
            s = median(name, "s")
            per_ingest = s / median(f"ingest ({label})", "s") if name.startswith("run ") or name.startswith("ingest") \
                or name.startswith("no-op") else float("nan")  # the review's ingest: no yardstick for others
            line += (f"{s:>11.2f}{per_ingest:>10.2f}"
                     f"{median(name, 'largest_mib'):>12.0f}{median(name, 'tree_mib'):>10.0f}")
        print(line + f"{median(f'{case} ({labels[0]})', 's') / floor:>14.2f}")
    for prefix in ("", "dev ", "200 pages "):
        for label in labels:
            if f"{prefix}run cold ({label})" in runs:
                ratio = median(f"{prefix}run no-op ({label})", "s") / median(f"{prefix}run cold ({label})", "s")
                print(f"{prefix}no-op / cold ({label}): {ratio:.3f}")


if __name__ == "__main__":
    main()
