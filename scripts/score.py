"""Every extraction figure in one table set: per document, pooled per group, chosen fields per group.

    python scripts/score.py OUT_DIR --gold gold --gold ../shared/corpus/dev \
        --group 'd01-d10=^d(0[1-9]|10)-' --group 'd11-d18=^d1[1-8]-' --fields toxicities,line,drugs,doses

OUT_DIR is the out dir of `gepnec-extract run` (its records/ holds <doc_id>.records.jsonl). Gold
files are <doc_id>.gold.jsonl in the --gold dirs. A group is a name and a regular expression over
doc_ids; "all" (every scored document) is always printed. `make score` runs this after the run.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from rich.console import Console
from rich.table import Table

from gepnec_extract.evaluate import GOLD_SUFFIX, PRED_SUFFIX, load_dir, score_records


def _group(spec: str) -> tuple[str, re.Pattern]:
    name, _, pattern = spec.partition("=")
    if not pattern:
        raise argparse.ArgumentTypeError(f"--group wants NAME=REGEX, got {spec!r}")
    return name, re.compile(pattern)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--gold", type=Path, action="append", required=True, help="dir of *.gold.jsonl (repeatable)")
    parser.add_argument("--group", type=_group, action="append", default=[], help="NAME=REGEX over doc_ids")
    parser.add_argument("--fields", default="", help="comma-separated record fields to show per group")
    args = parser.parse_args()

    gold = [r for directory in args.gold if directory.is_dir() for r in load_dir(directory, GOLD_SUFFIX)]
    scored_docs = {r.doc_id for r in gold}
    pred = [r for r in load_dir(args.out_dir / "records", PRED_SUFFIX) if r.doc_id in scored_docs]
    report = score_records(pred, gold)
    console = Console(width=140)

    per_doc = Table(title="per document")
    for column in ("document", "P", "R", "F1", "studies found"):
        per_doc.add_column(column, justify="left" if column == "document" else "right")
    for doc_id, counts in sorted(report.per_document.items()):
        studies = report.studies[doc_id]
        per_doc.add_row(doc_id, f"{counts.precision:.3f}", f"{counts.recall:.3f}", f"{counts.f1:.3f}",
                        f"{studies['found']}/{studies['gold']}")
    console.print(per_doc)

    fields = [f for f in args.fields.split(",") if f]
    groups = [*args.group, ("all", re.compile(""))]
    pooled = Table(title="pooled per group")
    for column in ("group", "documents", "P", "R", "F1", "studies found", "min doc F1", *fields):
        pooled.add_column(column, justify="left" if column == "group" else "right")
    for name, pattern in groups:
        docs = {d for d in scored_docs if pattern.search(d)}
        if not docs:
            continue
        sub = score_records([r for r in pred if r.doc_id in docs], [r for r in gold if r.doc_id in docs])
        found = sum(s["found"] for s in sub.studies.values())
        total = sum(s["gold"] for s in sub.studies.values())
        by_field = sub.per_field_group()
        field_f1 = [f"{by_field[f].f1:.3f}" if f in by_field else "-" for f in fields]
        o = sub.overall
        pooled.add_row(name, str(len(docs)), f"{o.precision:.3f}", f"{o.recall:.3f}", f"{o.f1:.3f}",
                       f"{found}/{total}", f"{min(c.f1 for c in sub.per_document.values()):.3f}", *field_f1)
    console.print(pooled)


if __name__ == "__main__":
    main()
