"""evaluate: score predicted records against gold (gepnec_extract.evaluate, built separately)."""

from __future__ import annotations

from typing import Any

from . import _runtime  # noqa: F401  (Prefect env defaults, before prefect is imported)

from prefect import flow


@flow(name="evaluate")
def evaluate(pred_dir: str, gold_dir: str) -> dict[str, Any]:
    """Score ``<doc_id>.records.jsonl`` in pred_dir (batch_extract writes them to out/records/)
    against ``<doc_id>.gold.jsonl`` in gold_dir; the report as JSON."""
    from gepnec_extract import evaluate as evaluation  # lazy: the scoring code only when evaluating

    return evaluation.evaluate_dirs(pred_dir, gold_dir).to_dict()


if __name__ == "__main__":
    import sys

    import json

    print(json.dumps(evaluate(sys.argv[1], sys.argv[2])["overall"], indent=1))
