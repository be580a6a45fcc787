"""Cost of the gepnec_cells component: nlp.tag_document over the review and the dev papers with the
whole pipeline, and with gepnec_cells switched off (runs interleaved, best kept). Prints figures
and the load average only; nothing here asserts a speed.

    .venv/bin/python benchmarks/bench_cells.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import time

from bench_tag import DEV_DIR, REVIEW


def load_documents() -> list:
    from gepnec_extract.ingest import ingest_file

    papers = [REVIEW] + (sorted(DEV_DIR.glob("*.pdf")) if DEV_DIR.is_dir() else [])
    return [ingest_file(paper, sandbox=False) for paper in papers]


def tag_all(nlp, documents: list, disable: list[str]) -> float:
    from gepnec_extract.nlp import tag_document

    with nlp.select_pipes(disable=disable):
        start = time.perf_counter()
        for document in documents:
            tag_document(document, nlp)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from gepnec_extract.nlp import build_nlp

    nlp = build_nlp()
    nlp("Warm-up: median OS was 9 months with cisplatin 80 mg/m2.")
    documents = load_documents()
    n_cells = sum(1 for d in documents for t in d.tables for r in t.rows for c in r if c.strip())
    print(f"corpus: {len(documents)} papers, {n_cells} table cells; load {os.getloadavg()}")
    timings = {"with gepnec_cells": [], "without": []}
    for _ in range(args.repeat):
        timings["with gepnec_cells"].append(tag_all(nlp, documents, []))
        timings["without"].append(tag_all(nlp, documents, ["gepnec_cells"]))
    for name, seconds in timings.items():
        print(f"{name:<18} best {min(seconds):6.2f} s, runs {[round(s, 2) for s in seconds]}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
