"""Prefect runtime defaults and task-runner choice, shared by the flows.

No server is needed: with PREFECT_API_URL unset, Prefect starts a temporary local server for the
run (SQLite under PREFECT_HOME). With PREFECT_API_URL set (e.g. to a `prefect server start`), runs
are recorded there instead. Defaults set here only fill in what the environment leaves unset.
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

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


@contextlib.contextmanager
def one_api() -> Iterator[str]:
    """Every process of the run reports to one Prefect API.

    Left to itself, each Dask worker process that finds no PREFECT_API_URL starts its own
    temporary server on the same SQLite file under PREFECT_HOME ("database is locked", runs
    scattered over several servers). So without a configured URL the temporary server is started
    here, once, and its URL put in the settings that Prefect ships to the workers with each task.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance Prefect itself would start; stopped at exit
    server.start()
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield server.api_url
