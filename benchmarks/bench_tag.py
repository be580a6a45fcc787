"""Tagging benchmark: pipeline load time, nlp.pipe throughput (1 and 2 processes), gold-set scores.

Throughput is measured over the body blocks and table cells of the review and the dev papers
(../shared/corpus/dev, skipped when absent), read with gepnec_extract.ingest.ingest_file.
Prints figures only; nothing here asserts a speed.

    .venv/bin/python benchmarks/bench_tag.py [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REVIEW = REPO / "corpus" / "review" / "review.pdf"
DEV_DIR = REPO / ".." / "shared" / "corpus" / "dev"
GOLD = REPO / "tests" / "data" / "tag_gold.jsonl"


def load_texts() -> tuple[list[str], list[str]]:
    from gepnec_extract.ingest import ingest_file

    papers = [REVIEW] + (sorted(DEV_DIR.glob("*.pdf")) if DEV_DIR.is_dir() else [])
    texts = []
    for paper in papers:
        document = ingest_file(paper, sandbox=False)  # no parser child processes left behind before nlp.pipe forks
        texts += [b.text for b in document.blocks]
        texts += [cell for table in document.tables for row in table.rows for cell in row if cell.strip()]
    return texts, [p.name for p in papers]


def time_pipe(nlp, texts: list[str], n_process: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _doc in nlp.pipe(texts, n_process=n_process, batch_size=64):
            pass
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per setting; the best is kept")
    args = parser.parse_args()

    start = time.perf_counter()
    from gepnec_extract.nlp import build_nlp

    import_seconds = time.perf_counter() - start
    start = time.perf_counter()
    nlp = build_nlp()
    nlp("Warm-up: median OS was 9 months with cisplatin 80 mg/m2.")  # loads the drug vocabulary
    build_seconds = time.perf_counter() - start
    print(f"pipeline: {' -> '.join(nlp.pipe_names)}")
    print(f"load time: import {import_seconds:.2f} s + build and first call {build_seconds:.2f} s "
          f"= {import_seconds + build_seconds:.2f} s")

    texts, papers = load_texts()
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(papers)} papers, {len(texts)} texts (blocks + table cells), {words} words")
    # The corpus alone takes under a second; repeated 10 times, worker start-up no longer dominates.
    for scale in (1, 10):
        for n_process in (1, 2):
            seconds = time_pipe(nlp, texts * scale, n_process, args.repeat)
            print(f"corpus x{scale:<2} nlp.pipe n_process={n_process}: {seconds:6.2f} s, {words * scale / seconds:,.0f} words/s")

    from gepnec_extract.nlp.evaluate import evaluate, format_table, load_gold

    gold = load_gold(GOLD)
    print(f"\ngold set: {len(gold)} sentences and cells, {sum(len(i['spans']) for i in gold)} spans")
    print(format_table(evaluate(nlp, gold)))


if __name__ == "__main__":
    main()
