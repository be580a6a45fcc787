"""Prefect flows: wiring only, over library functions that run without Prefect.

    extract_paper      one file -> payload (document + records)        flows/paper.py
    batch_extract      folder/manifest -> out dir, cached per paper     flows/batch.py
    evaluate           predictions vs gold (gepnec_extract.evaluate)    flows/evaluation.py
    refresh_dataset    records.jsonl -> evidence.duckdb + .parquet      flows/refresh.py

``run_batch`` is the entry point for the CLI. Run a flow with ``python -m flows.batch DIR``.
No Prefect server is needed (a temporary one is started per run); set PREFECT_API_URL to record
runs on a `prefect server start` instead.
"""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use, so `python -m flows.batch` does not import itself twice.
_EXPORTS = {
    "BatchResult": "batch", "batch_extract": "batch", "run_batch": "batch",
    "evaluate": "evaluation", "extract_paper": "paper", "refresh_dataset": "refresh",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'flows' has no attribute {name!r}")
    module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
    return getattr(module, name)
