"""Prefect runtime defaults and task-runner choice, shared by the flows.

No server is needed: with PREFECT_API_URL unset, Prefect starts a temporary local server for the
run (SQLite under PREFECT_HOME). With PREFECT_API_URL set (e.g. to a `prefect server start`), runs
are recorded there instead. Defaults set here only fill in what the environment leaves unset.
"""

from __future__ import annotations

import os

# Before Prefect reads its settings: no phone-home from the temporary server (there is no network
# at run time anyway), and a start-up timeout that tolerates a busy machine (default 20 s).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def task_runner(workers: int = 1, dask_address: str | None = None):
    """Threads for one worker; a Dask cluster (existing at ``dask_address``, else a LocalCluster of
    ``workers`` processes) for parallelism."""
    if dask_address or workers > 1:
        return dask_task_runner(workers, dask_address)
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=1)


def dask_task_runner(workers: int, dask_address: str | None):
    import cloudpickle
    import dask
    from prefect_dask import DaskTaskRunner

    from . import batch as batch_flow

    # Ship the flow modules by value: a remote worker then needs only gepnec_extract installed,
    # not this repository's flows/ folder on its path.
    cloudpickle.register_pickle_by_value(batch_flow)
    if dask_address:
        return DaskTaskRunner(address=dask_address)
    # PDF parsing runs in a sandboxed child process per file; daemonic Dask worker processes may
    # not start children, so local workers are started non-daemonic. (An existing cluster needs
    # the same: `distributed.worker.daemon: false` in its config or DASK_DISTRIBUTED__WORKER__DAEMON=False.)
    dask.config.set({"distributed.worker.daemon": False})
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None})
