"""The outcome table of the hostile-input corpus (tests/ingest/mutations.py), end to end.

    python benchmarks/mutation_table.py [--timeout 10] [--memory-mb 1024] [--json OUT.json] [NAME ...]

Each case goes through what `gepnec-extract extract` does for one file (the non-regular-file
check, ingest in the sandbox, the tagger, records: ``batch.extract_payload``) in one long-lived
worker process (spaCy loaded once). The parent samples the resident memory of the worker's
whole process tree (worker, fork server, parser child) every 20 ms and classes each case as

    document        a Document (and records) came back
    typed:<kind>    a typed per-file failure (ingest/errors.py)
    traceback       an exception escaped extract_payload, or the worker died
    hang            no answer within timeout + 60 s (the worker is killed and restarted)
    over-limit      (flag) slower than timeout + 15 s, or a parser child above the memory limit + 10%

and prints one row per case, then counts per outcome with the slowest case and the largest
process-tree peak of each. Needs ../shared (a dev paper) beside the repository.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_PAPER = ROOT.parent / "shared" / "corpus" / "dev" / "d01-mitry1999.pdf"
REVIEW = ROOT / "corpus" / "review" / "review.pdf"
HANG_GRACE_S = 60
OVER_TIME_GRACE_S = 15
SAMPLE_S = 0.02


def _worker(connection, limits_dict: dict) -> None:
    from gepnec_extract import batch
    from gepnec_extract.ingest.limits import Limits

    limits = Limits(**limits_dict)
    batch.extract_payload(ROOT / "corpus" / "review" / "review.txt", limits=limits)  # load spaCy, warm up
    connection.send("ready")
    while True:
        path = connection.recv()
        if path is None:
            return
        try:
            payload = batch.unreadable_payload(path) or batch.extract_payload(path, limits=limits)
            answer = {"status": payload["status"], "kind": payload.get("kind"),
                      "records": len(payload.get("records") or []), "message": payload.get("message", "")}
        except BaseException as err:  # noqa: BLE001 - that is exactly what the table counts
            answer = {"status": "traceback", "kind": type(err).__name__,
                      "message": "".join(traceback.format_exception_only(err)).strip()[:200]}
        connection.send(answer)


class Worker:
    def __init__(self, limits_dict: dict):
        import psutil

        context = multiprocessing.get_context("spawn")
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_worker, args=(child_end, limits_dict), daemon=False)
        self.process.start()
        if not self.connection.poll(600) or self.connection.recv() != "ready":
            raise RuntimeError("worker did not start")
        self.ps = psutil.Process(self.process.pid)

    def tree_rss_mb(self) -> tuple[float, float]:
        """(whole tree, largest single descendant) resident MB."""
        import psutil

        total, largest = 0.0, 0.0
        try:
            procs = [self.ps, *self.ps.children(recursive=True)]
        except psutil.Error:
            return 0.0, 0.0
        for proc in procs:
            try:
                rss = proc.memory_info().rss / 2**20
            except psutil.Error:
                continue
            total += rss
            if proc.pid != self.ps.pid:
                largest = max(largest, rss)
        return total, largest

    def run(self, path: Path, hang_s: float) -> tuple[dict, float, float, float]:
        started = time.perf_counter()
        self.connection.send(str(path))
        tree, child = 0.0, 0.0
        while True:
            t, c = self.tree_rss_mb()
            tree, child = max(tree, t), max(child, c)
            if self.connection.poll(SAMPLE_S):
                try:
                    answer = self.connection.recv()
                except EOFError:
                    answer = {"status": "traceback", "kind": "worker died", "message": ""}
                break
            if not self.process.is_alive():
                answer = {"status": "traceback", "kind": f"worker died ({self.process.exitcode})", "message": ""}
                break
            if time.perf_counter() - started > hang_s:
                answer = {"status": "hang", "kind": None, "message": f"no answer in {hang_s:.0f} s"}
                break
        return answer, time.perf_counter() - started, tree, child

    def stop(self, kill: bool = False) -> None:
        import psutil

        if kill:
            for proc in [*self.ps.children(recursive=True), self.ps]:
                try:
                    proc.kill()
                except psutil.Error:
                    pass
        else:
            try:
                self.connection.send(None)
            except OSError:
                pass
        self.process.join(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from gepnec_extract.ingest.limits import Limits
    from tests.ingest.mutations import MUTATIONS, Sources, write_corpus

    if not DEV_PAPER.exists():
        print(f"needs {DEV_PAPER}", file=sys.stderr)
        return 2
    limits = Limits(timeout_s=args.timeout, memory_mb=args.memory_mb)
    limits_dict = {k: getattr(limits, k) for k in limits.__dataclass_fields__}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(Path(tmp), Sources(DEV_PAPER.read_bytes(), REVIEW.read_bytes()), args.names or None)
        by_name = {m.name: m for m in MUTATIONS}
        worker = Worker(limits_dict)
        try:
            for name, path in corpus.items():
                answer, seconds, tree_mb, child_mb = worker.run(path, args.timeout + HANG_GRACE_S)
                if answer["status"] in {"hang", "traceback"}:
                    worker.stop(kill=True)
                    worker = Worker(limits_dict)
                outcome = {"ok": "document", "failed": f"typed:{answer['kind']}"}.get(answer["status"], answer["status"])
                over = seconds > args.timeout + OVER_TIME_GRACE_S or child_mb > 1.1 * args.memory_mb
                got = "document" if outcome == "document" else answer["kind"]
                rows.append({"name": name, "file": path.name, "outcome": outcome, "over_limit": over,
                             "expected": got in by_name[name].expect, "seconds": round(seconds, 2),
                             "tree_peak_mb": round(tree_mb), "child_peak_mb": round(child_mb),
                             "records": answer.get("records"), "message": answer.get("message", "")[:90]})
                print(f"{name:<34} {outcome:<26} {seconds:7.2f} s  tree {tree_mb:6.0f} MB  child {child_mb:6.0f} MB"
                      f"{'  OVER-LIMIT' if over else ''}{'' if rows[-1]['expected'] else '  UNEXPECTED'}", flush=True)
        finally:
            worker.stop()
    _print_table(rows, args)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0 if all(r["expected"] and not r["over_limit"] and r["outcome"] not in {"hang", "traceback"}
                    for r in rows) else 1


def _print_table(rows: list[dict], args) -> None:
    print(f"\n{len(rows)} crafted inputs, limits: timeout {args.timeout:g} s, memory {args.memory_mb} MB per parser child\n")
    print("| outcome | cases | slowest (s) | largest process-tree peak (MB) |")
    print("|---|---:|---|---|")
    groups: dict[str, list[dict]] = {}
    for row in rows:
        key = row["outcome"] if row["outcome"].startswith(("document", "typed:")) else row["outcome"]
        groups.setdefault(key, []).append(row)
    for name in ("hang", "traceback"):
        groups.setdefault(name, [])
    groups["over-limit"] = [r for r in rows if r["over_limit"]]
    for key in sorted(groups, key=lambda k: (not k.startswith("document"), not k.startswith("typed"), k)):
        members = groups[key]
        if not members:
            print(f"| {key} | 0 | – | – |")
            continue
        slow = max(members, key=lambda r: r["seconds"])
        big = max(members, key=lambda r: r["tree_peak_mb"])
        print(f"| {key} | {len(members)} | {slow['seconds']:.2f} ({slow['name']}) | {big['tree_peak_mb']} ({big['name']}) |")
    slow = max(rows, key=lambda r: r["seconds"])
    big = max(rows, key=lambda r: r["child_peak_mb"])
    print(f"\nslowest: {slow['name']} {slow['seconds']:.2f} s; largest parser child: {big['name']} {big['child_peak_mb']} MB; "
          f"unexpected outcomes: {sum(not r['expected'] for r in rows)}")


if __name__ == "__main__":
    sys.exit(main())
