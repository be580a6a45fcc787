"""Ctrl-C is the run's to handle, not its children's.

A terminal sends SIGINT to every process of the run's group. A child still importing its
modules (a spawned pool worker, the parser's fork server, a page-picture process) has not yet
set SIGINT aside and prints its own KeyboardInterrupt traceback. A thread that starts children
calls ``shield_children()`` first: SIGINT is blocked in that thread, and a child inherits the
blocked signal (across exec too), so it never sees it. The run's main thread, where Python
handles signals, keeps it: the run still stops, and its children end with it.
"""

from __future__ import annotations

import signal
import threading


def shield_children() -> None:
    """Block SIGINT in this (non-main) thread, so processes it starts never receive it."""
    if threading.current_thread() is threading.main_thread():
        return  # the main thread is where Ctrl-C must arrive
    # multiprocessing's resource tracker first: its start (which a fork server's or a pool's start
    # makes) blocks SIGINT in the calling thread, spawns the tracker, then unblocks it, undoing
    # this shield for every child started after it (the fork server printed Ctrl-C tracebacks)
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def die_with_parent() -> None:
    """SIGKILL from the kernel when the thread that started this process ends (with the run).
    A parser's parent is the fork server, which ends when the run does (a pool worker calls this
    too); a page-picture process's parent is the thread that waits for it. A killed or stopped run
    leaves none of them behind (RLIMIT_CPU stays as the parser's backstop elsewhere)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


_interrupted = threading.Event()


def _on_sigint(signum, frame) -> None:
    _interrupted.set()
    signal.default_int_handler(signum, frame)  # KeyboardInterrupt, as always


def note_ctrl_c() -> None:
    """From the main thread: remember every SIGINT, then raise KeyboardInterrupt as usual. A
    KeyboardInterrupt that lands inside an import can come out as another error (numpy turns it
    into "RuntimeError: Unable to configure default ndarray.__str__"); ``interrupted()`` still
    tells it was Ctrl-C, so it is not taken for a paper's failure."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_sigint)


def interrupted() -> bool:
    return _interrupted.is_set()
