"""Report generation time, whole process, before and after, side by side in one run.

    python benchmarks/bench_report.py [--rounds N] [--before /work/main] [--corpus review|dev ...]

For each corpus (the bundled review; the dev papers of ../shared/corpus/dev) each tree first runs
``gepnec-extract run PAPERS --no-report`` into an out dir of its own (its code's documents/,
records and, for a tree that stores them, the tagged facts); then, in a fresh process each time,
with every child process included (the page pictures are drawn in children), it times
``report.build_report(out_dir, evaluation)``:

    pictures cold   pages/ removed first: every page picture rendered (a first report)
    pictures kept   pages/ left as the last report made it (a re-run's report)

The trees alternate round by round; figures are medians over ``--rounds``, with the machine's load
average (a shared machine inflates everything). ``--before TREE`` is the code to compare with
(PYTHONPATH=TREE/src:TREE); without it only this tree is measured.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_run import BIN, REPO, measure, tree_env  # noqa: E402  (the same whole-process sampler)

CORPORA = {"review": [REPO / "corpus" / "review" / "review.pdf"],
           "dev": [REPO.parent / "shared" / "corpus" / "dev"]}

BUILD = """
import json, sys
from pathlib import Path
from gepnec_extract.report import build_report
out = Path(sys.argv[1])
evaluation = out / "evaluation.json"
build_report(out, json.loads(evaluation.read_text()) if evaluation.exists() else None)
"""


def prepare(papers: list[Path], tree: Path, out: Path) -> None:
    """The out dir a run of ``tree`` leaves before its report."""
    shutil.rmtree(out, ignore_errors=True)
    measure([str(BIN / "gepnec-extract"), "run", *map(str, papers), "--out", str(out), "--no-report"],
            tree_env(tree))


def report_cases(tree: Path, out: Path) -> dict[str, dict[str, float]]:
    env, build = tree_env(tree), [sys.executable, "-c", BUILD, str(out)]
    shutil.rmtree(out / "pages", ignore_errors=True)
    cold = measure(build, env)
    return {"pictures cold": cold, "pictures kept": measure(build, env)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, default=None, help="another tree's code to compare with")
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA), help="default: review and dev")
    args = parser.parse_args()
    trees = [("after", REPO)] + ([("before", args.before.resolve())] if args.before else [])
    runs: dict[tuple[str, str, str], list[dict[str, float]]] = {}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        for corpus in args.corpus or ["review", "dev"]:
            outs = {label: Path(tmp) / f"{corpus}-{label}" for label, _ in trees}
            for label, tree in trees:
                prepare(CORPORA[corpus], tree, outs[label])
            for round_number in range(args.rounds):
                order = trees if round_number % 2 == 0 else trees[::-1]  # alternate who goes first
                for label, tree in order:
                    for case, figure in report_cases(tree, outs[label]).items():
                        runs.setdefault((corpus, case, label), []).append(figure)
                    loads.append(os.getloadavg()[0])
    print(f"report.build_report, whole process with its children: medians of {args.rounds} round(s); "
          f"load average (1 min) {min(loads):.2f}-{max(loads):.2f} on {os.cpu_count()} cores")
    labels = [label for label, _ in trees]
    header = "".join(f"{label + ' s':>10}{label + ' MiB':>12}" for label in labels)
    print(f"{'corpus':<8}{'case':<16}{header}" + (f"{'after/before':>14}" if len(labels) == 2 else ""))
    for corpus, case in dict.fromkeys((c, k) for c, k, _ in runs):
        cells, seconds = "", {}
        for label in labels:
            figures = runs[corpus, case, label]
            seconds[label] = statistics.median(f["s"] for f in figures)
            cells += f"{seconds[label]:>10.2f}{statistics.median(f['largest_mib'] for f in figures):>12.0f}"
        ratio = f"{seconds['after'] / seconds['before']:>14.2f}" if len(labels) == 2 else ""
        print(f"{corpus:<8}{case:<16}{cells}{ratio}")


if __name__ == "__main__":
    main()
