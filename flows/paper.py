"""extract_paper: one file, ingest -> tag -> records (gepnec_extract.pipeline.extract_paper)."""

from __future__ import annotations

from typing import Any

from . import _runtime  # noqa: F401  (Prefect env defaults, before prefect is imported)

from prefect import flow

from gepnec_extract import batch, pipeline


@flow(name="extract-paper")
def extract_paper(path: str) -> dict[str, Any]:
    """The paper's JSON payload (document, records) or a failure payload naming the error kind."""
    try:
        return batch.extract_payload(path, sha256=pipeline.file_sha256(path))
    except Exception as error:  # noqa: BLE001 - a flow over one file reports, it does not crash
        return batch.error_payload(path, error)


if __name__ == "__main__":
    import json
    import sys

    result = extract_paper(sys.argv[1])
    print(json.dumps({k: v for k, v in result.items() if k != "document"}, indent=1))
