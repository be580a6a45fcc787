"""Prefect flows: wiring only, over library functions that run without Prefect.

The folder is ``flows/``; it is installed as the package ``gepnec_flows`` (a bare ``flows`` would
collide with any other distribution that ships one): pyproject.toml maps the name to the folder,
and the editable install of ``make setup`` does the same for a checkout.

    extract_paper      one file -> payload (document + records)        flows/paper.py
    batch_extract      folder/manifest -> out dir, cached per paper     flows/batch.py
    evaluate           predictions vs gold (gepnec_extract.evaluate)    flows/evaluation.py
    refresh_dataset    records.jsonl -> evidence.duckdb + .parquet      flows/refresh.py

The orchestration itself is ``gepnec_extract.orchestrate`` (no Prefect); these flows wrap it.
The CLI (``flows/run.py``) runs them only when PREFECT_API_URL is set, and the library path
otherwise (no Prefect import, no server). Run a flow with ``python -m gepnec_flows.batch DIR``
(``--workers 2`` for Prefect's process pool of two workers, ``--dask-address tcp://host:8786`` for an
existing Dask cluster).

Prefect server: run directly, a flow needs none; without PREFECT_API_URL a temporary local server
is started once per process (SQLite under PREFECT_HOME) and every Dask worker reports to it. To
keep the runs, start one and point the runs at it:

    prefect server start                      # UI and API on http://127.0.0.1:4200
    PREFECT_API_URL=http://127.0.0.1:4200/api python -m gepnec_flows.batch papers/ --workers 2

An existing Dask cluster's workers need gepnec_extract installed (the flow code is shipped by
value), worker processes started non-daemonic (DASK_DISTRIBUTED__WORKER__DAEMON=False: the PDF
sandbox starts child processes) and a PREFECT_API_URL they can reach when they are on other hosts.
The cache is read and written by the flow's own process (gepnec_extract.cache), not the workers.
"""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use, so `python -m gepnec_flows.batch` does not import itself twice.
_EXPORTS = {
    "BatchResult": "batch", "batch_extract": "batch", "run_batch": "batch",
    "evaluate": "evaluation", "extract_paper": "paper", "refresh_dataset": "refresh",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
    return getattr(module, name)
