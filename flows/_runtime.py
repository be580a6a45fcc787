"""Prefect runtime defaults and task-runner choice, shared by the flows.

No server is needed: with PREFECT_API_URL unset, Prefect starts a temporary local server for the
run (SQLite under PREFECT_HOME). With PREFECT_API_URL set (e.g. to a `prefect server start`), runs
are recorded there instead. Defaults set here only fill in what the environment leaves unset.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from typing import Iterator

# Before Prefect reads its settings: no phone-home from the temporary server (there is no network
# at run time anyway), and a start-up timeout that tolerates a busy machine (default 20 s).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def task_runner(workers: int = 1, dask_address: str | None = None):
    """Threads for one worker; Prefect's own process pool for ``workers`` > 1 on this machine (spawned
    workers, each loading the NLP once: no Dask scheduler or nanny); the Dask cluster at
    ``dask_address``."""
    if dask_address:
        return dask_task_runner(dask_address)
    if workers > 1:
        from prefect.task_runners import ProcessPoolTaskRunner

        from gepnec_extract.orchestrate import start_worker

        return ProcessPoolTaskRunner(max_workers=workers, initializer=start_worker)
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=1)


def dask_task_runner(dask_address: str):
    import cloudpickle
    from prefect_dask import DaskTaskRunner

    from . import batch as batch_flow

    # Ship the flow modules by value: a remote worker then needs only gepnec_extract installed,
    # not this repository's flows/ folder on its path.
    cloudpickle.register_pickle_by_value(batch_flow)
    # PDF parsing runs in a sandboxed child process per file: the cluster's workers must be
    # non-daemonic (`distributed.worker.daemon: false` or DASK_DISTRIBUTED__WORKER__DAEMON=False)
    return DaskTaskRunner(address=dask_address)


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
    server = _server_class()()  # stopped at exit, and killed by the kernel if we die first
    server.start()
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield server.api_url


PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child, before exec: the kernel sends it SIGKILL when the process that started it dies
    (Linux prctl; elsewhere nothing). A kill -9 of a run then leaves no server of ours behind."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


_SERVER_CLASS = None


def _server_class():
    """Prefect's temporary API server, started so that it dies with this process.

    Prefect starts it with subprocess.Popen and stops it from an atexit hook, which a kill -9
    never runs: the server then lived on (parent pid 1, still listening). The same command
    (Prefect's own, prefect/server/api/server.py) is started here with PR_SET_PDEATHSIG, so the
    kernel ends it when we end.
    """
    global _SERVER_CLASS
    if _SERVER_CLASS is not None:
        return _SERVER_CLASS
    import prefect
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    class ServerThatDiesWithUs(SubprocessASGIServer):
        _instances: dict = {}  # not Prefect's own registry: that instance would have no death signal

        def _run_uvicorn_command(self) -> subprocess.Popen:
            env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                   "PREFECT__SERVER_FINAL": "1", **get_current_settings().to_environment_variables(exclude_unset=True)}
            return subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent), "--factory",
                 "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
                 "--log-level", "error", "--lifespan", "on"],
                env=env, preexec_fn=die_with_parent)

    _SERVER_CLASS = ServerThatDiesWithUs
    return _SERVER_CLASS
