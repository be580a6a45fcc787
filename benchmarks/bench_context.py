"""Cost of the gepnec_context component: nlp.pipe over the review's and the dev papers' blocks and
cells with the whole pipeline, and with gepnec_context switched off (runs interleaved, best kept).
Prints figures and the load average only; nothing here asserts a speed.

    .venv/bin/python benchmarks/bench_context.py [--repeat N] [--scale N]
"""

from __future__ import annotations

import argparse
import os
import time

from bench_tag import load_texts


def best_of(nlp, texts: list[str], repeat: int, disable: list[str]) -> float:
    best = float("inf")
    for _ in range(repeat):
        with nlp.select_pipes(disable=disable):
            start = time.perf_counter()
            for _doc in nlp.pipe(texts, batch_size=64):
                pass
            best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=3, help="the corpus repeated this many times")
    args = parser.parse_args()
    from gepnec_extract.nlp import build_nlp

    nlp = build_nlp()
    nlp("Warm-up: median OS was 9 months with cisplatin 80 mg/m2.")
    texts, papers = load_texts()
    texts = texts * args.scale
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(papers)} papers x{args.scale}, {len(texts)} texts, {words} words; load {os.getloadavg()}")
    timings = {"with gepnec_context": [], "without": []}
    for _ in range(args.repeat):
        timings["with gepnec_context"].append(best_of(nlp, texts, 1, []))
        timings["without"].append(best_of(nlp, texts, 1, ["gepnec_context"]))
    for name, seconds in timings.items():
        print(f"{name:<20} best {min(seconds):6.2f} s ({words / min(seconds):,.0f} words/s), runs {[round(s, 2) for s in seconds]}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
