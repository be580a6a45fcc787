"""Ingest speed and memory: our reader against pdftotext (poppler) and PyMuPDF, on the same PDFs.

    python benchmarks/bench_ingest.py [--repeat N] [PDF ...]     (default: the review + ../shared dev papers)

For each file and tool a fresh worker process imports the tool, extracts the text `repeat` times
and reports the best time; the parent reads the worker's peak resident memory from wait4().
So "pages/s" is extraction only (imports excluded) and "peak MB" is the whole worker process
(interpreter and imports included; pdftotext is a C binary timed as a whole process).
"ours" is the in-process read_pdf (layout, tables); the sandbox's extra cost per document is
measured separately in this process: sandboxed minus in-process time, warm fork server.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DEV = ROOT.parent / "shared" / "corpus" / "dev"
REVIEW = ROOT / "corpus" / "review" / "review.pdf"
PDFTOTEXT = "/usr/bin/pdftotext"
TOOLS = ("ours", "pdftotext", "pymupdf")


# ---------------------------------------------------------------------------------------------
# worker side: one tool, one file
# ---------------------------------------------------------------------------------------------


def extract_ours(path: str) -> tuple[int, int]:
    from gepnec_extract.ingest.limits import Limits
    from gepnec_extract.ingest.pdf import read_pdf

    document = read_pdf(path, Limits())
    chars = len(document.full_text()) + sum(len(c) for t in document.tables for r in t.rows for c in r)
    return document.pages, chars


def extract_pymupdf(path: str) -> tuple[int, int]:
    import pymupdf

    with pymupdf.open(path) as document:
        text = "".join(page.get_text() for page in document)
        return document.page_count, len(text)


def worker(tool: str, path: str, repeat: int) -> None:
    extract = {"ours": extract_ours, "pymupdf": extract_pymupdf}[tool]
    if tool == "pymupdf":
        import pymupdf  # noqa: F401 - import before timing
    else:
        import gepnec_extract.ingest.pdf  # noqa: F401
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        pages, chars = extract(path)
        best = min(best, time.perf_counter() - started)
    print(json.dumps({"seconds": best, "pages": pages, "chars": chars}))


# ---------------------------------------------------------------------------------------------
# parent side
# ---------------------------------------------------------------------------------------------


def run_measured(command: list[str]) -> tuple[str, float, float]:
    """Run a process; return its stdout, wall seconds and peak RSS in MB (from wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stdout = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{command[:3]} exited with {process.returncode}")
    return stdout.decode("utf-8", "replace"), elapsed, usage.ru_maxrss / 1024


def measure(tool: str, path: Path, repeat: int) -> dict:
    if tool == "pdftotext":
        best, peak, chars = float("inf"), 0.0, 0
        for _ in range(repeat):
            text, seconds, peak_mb = run_measured([PDFTOTEXT, "-enc", "UTF-8", str(path), "-"])
            best, peak, chars = min(best, seconds), max(peak, peak_mb), len(text)
        return {"seconds": best, "peak_mb": peak, "chars": chars}
    stdout, _seconds, peak_mb = run_measured([sys.executable, __file__, "--worker", tool, str(path), "--repeat",
                                              str(repeat)])
    result = json.loads(stdout.strip().splitlines()[-1])
    return {**result, "peak_mb": peak_mb}


def sandbox_overhead(paths: list[Path], repeat: int) -> tuple[float, list[float]]:
    """Fork-server start-up (first call) and per-document extra seconds once it runs.

    Best of `repeat` for both the in-process and the sandboxed time, so noise from other
    processes on the machine inflates neither side.
    """
    from gepnec_extract.ingest.limits import Limits
    from gepnec_extract.ingest.pdf import read_pdf
    from gepnec_extract.ingest.sandbox import run_sandboxed

    limits = Limits()
    smallest = min(paths, key=lambda p: p.stat().st_size)
    first_call = run_sandboxed(smallest, limits).elapsed_s - _best(lambda: read_pdf(smallest, limits), repeat)
    extra = []
    for path in paths:
        in_process = _best(lambda: read_pdf(path, limits), repeat)
        sandboxed = min(run_sandboxed(path, limits).elapsed_s for _ in range(repeat))
        extra.append(sandboxed - in_process)
    return first_call, extra


def _best(call, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def default_files() -> list[Path]:
    return [REVIEW] + sorted(SHARED_DEV.glob("*.pdf"))


def print_table(rows: list[dict]) -> None:
    header = (f"{'file':24s} {'pages':>5s} | {'pages/s':>23s} | {'ours/theirs speed':>17s} | "
              f"{'peak MB':>20s} | {'ours/theirs MB':>14s} | {'sandbox':>7s}")
    sub = (f"{'':24s} {'':>5s} | {'ours':>7s} {'poppler':>7s} {'mupdf':>7s} | {'poppler':>8s} {'mupdf':>8s} | "
           f"{'ours':>6s} {'popp.':>6s} {'mupdf':>6s} | {'popp.':>6s} {'mupdf':>7s} | {'+ms':>7s}")
    print(header)
    print(sub)
    print("-" * len(sub))
    for row in rows:
        print(_format_row(row))
    print("-" * len(sub))
    total = {"file": "ALL (pages / total s)", "pages": sum(r["pages"] for r in rows),
             "overhead_ms": statistics.median(r["overhead_ms"] for r in rows)}
    for tool in TOOLS:
        total[tool] = {"seconds": sum(r[tool]["seconds"] for r in rows),
                       "peak_mb": max(r[tool]["peak_mb"] for r in rows)}
    print(_format_row(total) + "   (peak: max; sandbox: median)")


def _format_row(row: dict) -> str:
    pages = row["pages"]
    speed = {tool: pages / row[tool]["seconds"] for tool in TOOLS}
    memory = {tool: row[tool]["peak_mb"] for tool in TOOLS}
    return (f"{row['file'][:24]:24s} {pages:5d} | {speed['ours']:7.1f} {speed['pdftotext']:7.1f} "
            f"{speed['pymupdf']:7.1f} | {speed['ours'] / speed['pdftotext']:8.3f} {speed['ours'] / speed['pymupdf']:8.3f} | "
            f"{memory['ours']:6.0f} {memory['pdftotext']:6.0f} {memory['pymupdf']:6.0f} | "
            f"{memory['ours'] / memory['pdftotext']:6.1f} {memory['ours'] / memory['pymupdf']:7.2f} | "
            f"{row['overhead_ms']:7.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=2, help="runs per tool and file; the best is kept")
    parser.add_argument("--worker", nargs=2, metavar=("TOOL", "PDF"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.repeat)
        return
    files = args.files or default_files()
    files = [path for path in files if path.exists()]
    if not files:
        sys.exit("no PDFs to benchmark (../shared/corpus/dev absent and no files given)")
    rows = []
    for path in files:
        row = {"file": path.stem}
        for tool in TOOLS:
            row[tool] = measure(tool, path, args.repeat)
        row["pages"] = row["ours"]["pages"]
        rows.append(row)
        print(f"measured {path.name}", file=sys.stderr, flush=True)
    first_call, extra = sandbox_overhead(files, args.repeat)
    for row, seconds in zip(rows, extra):
        row["overhead_ms"] = seconds * 1000
    print(f"\nIngest benchmark: {len(files)} PDFs, best of {args.repeat} runs; ratios are ours / theirs "
          f"(speed < 1: we are slower; MB > 1: we use more)\n")
    print_table(rows)
    print(f"\nsandbox: first document +{first_call * 1000:.0f} ms (starts the fork server, which imports pdfplumber); "
          f"then +{statistics.median(extra) * 1000:.0f} ms median per document "
          f"(min {min(extra) * 1000:.0f}, max {max(extra) * 1000:.0f}) over the in-process time")


if __name__ == "__main__":
    main()
