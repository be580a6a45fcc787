"""Batch throughput: papers/minute and pages/second through flows.run_batch, 1 and 2 workers,
the no-op re-run (everything cached) as a ratio of the first run, and peak memory.

The batch is copies of the review and dev PDFs under new names in a temp dir, each with a unique
PDF comment appended after %%EOF: identical bytes would be cache hits (the cache is keyed by
content), and the point is to measure extraction.

    .venv/bin/python benchmarks/bench_batch.py [--papers 55] [--keep DIR]

"wall" includes Prefect's per-process temporary server start (first run only) and, for 2
workers, starting the Dask LocalCluster; "flow" is the time inside the flow body. "2 thr" is a
thread pool of 2 for comparison (run_batch uses a Dask LocalCluster for workers > 1).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared" / "corpus"
sys.path.insert(0, str(REPO))  # flows/ is a folder of the repository


def make_batch(folder: Path, n_papers: int) -> list[Path]:
    sources = [SHARED / "review" / "review.pdf", *sorted((SHARED / "dev").glob("*.pdf"))]
    folder.mkdir(parents=True, exist_ok=True)
    papers = []
    for i in range(n_papers):
        source = sources[i % len(sources)]
        target = folder / f"p{i:03d}-{source.stem}.pdf"
        target.write_bytes(source.read_bytes() + f"\n%bench copy {i}\n".encode())
        papers.append(target)
    return papers


class PeakMemory:
    """Peak resident memory of this process plus all its descendants, sampled every 0.1 s."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_mb = max(self.peak_mb, total / 2**20)
            self._stop.wait(0.1)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def timed_run(label: str, papers_dir: Path, out_dir: Path, workers: int, threads: bool = False) -> dict:
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows import BatchResult, batch_extract, run_batch

    with PeakMemory() as memory:
        started = time.perf_counter()
        if threads:  # for comparison: a thread pool (each PDF still parses in its own sandbox process)
            runner = batch_extract.with_options(task_runner=ThreadPoolTaskRunner(max_workers=workers))
            result = BatchResult(**runner(paths=[str(papers_dir)], out_dir=str(out_dir)))
        else:
            result = run_batch([papers_dir], out_dir, workers=workers)
        wall = time.perf_counter() - started
    return {"label": label, "workers": f"{workers}{' thr' if threads else ''}", "wall": wall, "flow": result.seconds, "files": result.files,
            "ok": result.ok, "failed": result.failed, "cached": result.cached, "pages": result.pages,
            "peak_mb": memory.peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=55)
    parser.add_argument("--keep", type=Path, default=None, help="work in this dir and keep it")
    args = parser.parse_args()
    if not SHARED.exists():
        sys.exit(f"needs the shared corpus at {SHARED}")

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        make_batch(work / "papers", args.papers)
        runs = [
            timed_run("first run", work / "papers", work / "out-1", workers=1),
            timed_run("no-op re-run", work / "papers", work / "out-1", workers=1),
            timed_run("first run", work / "papers", work / "out-2", workers=2),
            timed_run("first run", work / "papers", work / "out-3", workers=2, threads=True),
        ]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\nbatch of {args.papers} papers (review + dev PDFs, unique copies), {psutil.cpu_count()} CPUs")
    print(f"{'run':<14}{'workers':>8}{'wall s':>9}{'flow s':>9}{'papers/min':>12}{'pages/s':>9}"
          f"{'cached':>8}{'ok':>5}{'failed':>7}{'peak MB':>9}")
    for r in runs:
        print(f"{r['label']:<14}{r['workers']:>8}{r['wall']:>9.1f}{r['flow']:>9.1f}"
              f"{r['files'] / r['flow'] * 60:>12.1f}{r['pages'] / r['flow']:>9.2f}"
              f"{r['cached']:>8}{r['ok']:>5}{r['failed']:>7}{r['peak_mb']:>9.0f}")
    first, noop, parallel, threaded = runs
    print(f"\nno-op re-run / first run: {noop['flow'] / first['flow']:.3f} (flow), {noop['wall'] / first['wall']:.3f} (wall)")
    print(f"flow time vs 1 worker: 2 Dask workers {parallel['flow'] / first['flow']:.2f}, "
          f"2 threads {threaded['flow'] / first['flow']:.2f}")


if __name__ == "__main__":
    main()
