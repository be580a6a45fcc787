"""What the last run of an out dir was made from, so a re-run with nothing changed writes nothing.

``out/run-state.json`` holds, per stage of the main job ("batch": documents, records and the
dataset; "evaluation"; "report"), a digest of the stage's inputs and the size and modification
time of every file the stage wrote. A stage is skipped when its inputs digest is the same and
every output is still there as it was left; anything else (an input, the code, a deleted or
edited output, a missing or unreadable state file) runs the stage as before. The file holds
digests, sizes and times only: nothing in it is executed or trusted beyond a comparison.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .locks import file_lock

STATE_FILE = "run-state.json"
LOCK_FILE = "run.lock"  # held (flock) by the run writing to the out dir; empty, never rewritten
_TEMPLATES = Path(__file__).resolve().parent / "templates"


def digest(value: Any) -> str:
    """A digest of plain JSON data (sorted keys: the same data gives the same digest)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def code_version() -> str:
    """The pipeline version (the package's code and data) and the report's templates, which the
    pipeline version does not cover."""
    from . import pipeline

    templates = sorted(_TEMPLATES.rglob("*")) if _TEMPLATES.is_dir() else []
    return digest([pipeline.PIPELINE_VERSION] + [[p.name, hashlib.sha256(p.read_bytes()).hexdigest()]
                                                 for p in templates if p.is_file()])


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def fingerprint(out_dir: Path, files: Iterable[Path]) -> dict[str, list[int] | None]:
    """name (relative to out_dir) -> [size, mtime_ns], or None for a file that is not there."""
    found: dict[str, list[int] | None] = {}
    for path in files:
        path = Path(path)
        try:
            stat = path.stat()
            found[relative_name(out_dir, path)] = [stat.st_size, stat.st_mtime_ns]
        except OSError:
            found[relative_name(out_dir, path)] = None
    return found


def relative_name(out_dir: Path, path: Path) -> str:
    try:
        return str(path.relative_to(out_dir))
    except ValueError:
        return str(path)


def load(out_dir: Path) -> dict[str, Any]:
    try:
        state = json.loads((Path(out_dir) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def unchanged(out_dir: Path, stage: str, inputs: str) -> dict[str, Any] | None:
    """The stage's saved entry when its inputs are the same and its outputs untouched, else None."""
    out_dir = Path(out_dir)
    entry = load(out_dir).get(stage)
    if not isinstance(entry, dict) or entry.get("inputs") != inputs:
        return None
    outputs = entry.get("outputs")
    if not isinstance(outputs, dict) or not outputs:
        return None
    current = fingerprint(out_dir, [out_dir / name for name in outputs])
    if current != outputs or any(v is None for v in current.values()):
        return None
    return entry


def record(out_dir: Path, stage: str, inputs: str, outputs: Iterable[Path], **extra: Any) -> None:
    """Save the stage's inputs digest and its outputs' fingerprints (other stages' entries kept).
    Written to a temporary file and renamed; a state that cannot be written only means the next
    run does the stage again. (A run killed while a stage rewrites its outputs needs no clean-up:
    the rewritten files no longer match the saved fingerprints.)"""
    out_dir = Path(out_dir)
    state = load(out_dir)
    state[stage] = {"inputs": inputs, "outputs": fingerprint(out_dir, outputs), **extra}
    target = out_dir / STATE_FILE
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)


_held: dict[str, int] = {}  # out dirs this process holds, and how deep (the main job holds, its batch again)
_held_guard = threading.Lock()


@contextmanager
def exclusive(out_dir: Path | str, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold ``out_dir`` for one run: another process's run on it waits until this one ends (two
    runs would otherwise each write their own failures.jsonl, report.html and run state over the
    other's). ``waiting`` is told so, once, before the wait. The kernel releases the
    hold when the process ends, killed or not. Reentrant within a process."""
    key = str(Path(out_dir).resolve())
    with _held_guard:
        if key in _held:
            _held[key] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
        return
    def say_so() -> None:
        if waiting is not None:
            waiting(f"another run is writing to {out_dir}: waiting for it to end")

    with file_lock(Path(out_dir) / LOCK_FILE, waiting=say_so):
        with _held_guard:
            _held[key] = 1
        try:
            yield
        finally:
            with _held_guard:
                del _held[key]
