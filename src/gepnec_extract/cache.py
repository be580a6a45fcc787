"""The per-paper result cache: data only, keyed, verified, validated.

One JSON file per entry under the cache directory, ``<key>.payload.json``::

    {"format": "gepnec-extract-cache/1", "key": "<hex>", "mac": "<hex>", "payload": {...}}

* The key is a digest of what the result depends on: the file's SHA-256, PIPELINE_VERSION and
  the ingest limits it was read under (a limit failure is cached too, for those limits only).
* Reading never runs code: the file is parsed as JSON (our code picks the decoder; nothing in the
  file can choose another), and the payload is validated against the pydantic models
  (``Document``, ``StudyRecord``), the tagged facts against their shape (``tagged_view.check``)
  and the payload's own shape before it is used.
* ``mac`` is an HMAC-SHA256 of the key and the canonical payload JSON under a secret of this user
  (``GEPNEC_CACHE_SECRET``, else a random key kept in ``~/.cache/gepnec-extract/cache.key``, mode
  0600), so an edited entry, or one copied from another key, is detected.
* The models are checked once per entry: ``put`` validates an "ok" payload against them and, when
  it passes, signs the entry as checked (``"checked": true``, inside the MAC). ``get`` trusts the
  models' check of a signed-as-checked entry and still checks the rest; any other entry, say one
  of an older build, is validated as it is read. The key holds PIPELINE_VERSION, a digest of this
  package's code (model.py included), so a checked entry was checked by these very models; a run
  whose every paper is a hit then never loads pydantic (0.1 s of a no-op re-run's 0.25).
  pydantic's own version is not in the key: the models' fields are plain JSON types (strings,
  numbers, lists, literals, and models of them, no validators), which every pydantic 2 validates alike.
* Any entry that is unreadable, too big, of another format or key, edited, or invalid is a cache
  miss (with the reason, so the run can say so): the paper is extracted again and the entry is
  replaced. A bad entry never fails the batch.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import tagged_view
from .ingest.errors import ERROR_KINDS
from .ingest.limits import Limits

FORMAT = "gepnec-extract-cache/1"
SUFFIX = ".payload.json"
MAX_ENTRY_BYTES = 256 * 1024 * 1024  # a bigger file is not read at all
SECRET_ENV = "GEPNEC_CACHE_SECRET"


def holds_payloads(directory: Path) -> bool:
    """Whether a cache folder holds any payload (a run into a new out dir finds none: it parses
    every paper)."""
    return any(Path(directory).glob(f"*{SUFFIX}"))


class CacheMiss(Exception):
    """An entry that exists but cannot be used; the message says why."""


def cache_key(sha256: str, pipeline_version: str, limits: Limits) -> str:
    basis = json.dumps({"sha256": sha256, "pipeline_version": pipeline_version, "limits": asdict(limits)},
                       sort_keys=True)
    return hashlib.sha256(basis.encode()).hexdigest()


def _secret() -> bytes:
    configured = os.environ.get(SECRET_ENV)
    if configured:
        return configured.encode()
    path = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gepnec-extract" / "cache.key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    try:
        os.link(tmp, path)  # first writer wins; a concurrent run reads the same key
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return bytes.fromhex(path.read_text().strip())


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _mac(key: str, payload: dict[str, Any], checked: bool = False) -> str:
    signed = {"key": key, "payload": payload, **({"checked": True} if checked else {})}
    return hmac.new(_secret(), _canonical(signed), hashlib.sha256).hexdigest()


def validate_payload(payload: Any, sha256: str, pipeline_version: str, models: bool = True) -> dict[str, Any]:
    """The payload rebuilt from validated models, or CacheMiss naming what is wrong. ``models=False``:
    everything but the models (the document and records are taken as they are), for an entry whose
    models this code checked when it stored it."""
    if not isinstance(payload, dict):
        raise CacheMiss("payload is not an object")
    if payload.get("sha256") != sha256 or payload.get("pipeline_version") != pipeline_version:
        raise CacheMiss("payload is for another file or pipeline version")
    status = payload.get("status")
    base = {k: payload.get(k) for k in ("file", "doc_id")}
    if not all(isinstance(v, str) for v in base.values()):
        raise CacheMiss("file or doc_id is not a string")
    base.update(sha256=sha256, pipeline_version=pipeline_version, status=status)
    if status == "failed":
        kind, message = payload.get("kind"), payload.get("message")
        if kind not in ERROR_KINDS or not isinstance(message, str):
            raise CacheMiss(f"failure of unknown kind {kind!r}")
        return {**base, "kind": kind, "message": message}
    if status != "ok":
        raise CacheMiss(f"unknown status {status!r}")
    document, records = _checked_models(payload) if models else _as_stored(payload)
    pages, warnings = payload.get("pages"), payload.get("warnings")
    if not isinstance(pages, int) or not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise CacheMiss("pages or warnings of the wrong type")
    tagged = payload.get("tagged")  # optional: a payload without them gives a report without tagged text
    try:
        tagged = None if tagged is None else tagged_view.check(tagged)
    except ValueError as err:
        raise CacheMiss(str(err)) from None
    return {**base, "pages": pages, "warnings": warnings, "document": document, "records": records, "tagged": tagged}


def _checked_models(payload: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The document and records rebuilt from the models they must validate against."""
    from pydantic import ValidationError  # here: a run whose entries are all checked never loads pydantic

    from .model import Document, StudyRecord

    try:
        document = Document.model_validate(payload.get("document"))
        records = [StudyRecord.model_validate(r) for r in payload.get("records")]
    except (ValidationError, TypeError) as err:
        raise CacheMiss(f"payload does not match the models: {str(err).splitlines()[0]}") from None
    return document.model_dump(mode="json"), [r.model_dump(mode="json") for r in records]


def _as_stored(payload: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The document and records of an entry whose models were checked when it was stored; only
    their outer shape is looked at here (an object, a list of objects)."""
    document, records = payload.get("document"), payload.get("records")
    if not isinstance(document, dict) or not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise CacheMiss("payload does not match the models: document or records of the wrong type")
    return document, records


class PayloadCache:
    """Payloads by key in ``directory`` (see the module docstring)."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        if not (len(key) == 64 and all(c in "0123456789abcdef" for c in key)):
            raise ValueError(f"not a cache key: {key!r}")
        return self.directory / f"{key}{SUFFIX}"

    def get(self, key: str, sha256: str, pipeline_version: str) -> dict[str, Any] | None:
        """The cached payload, None when there is no entry; CacheMiss when an entry is unusable."""
        path = self.path(key)
        try:
            if not path.is_file() or path.is_symlink():
                if path.exists() or path.is_symlink():
                    raise CacheMiss("entry is not a regular file")
                return None
            if path.stat().st_size > MAX_ENTRY_BYTES:
                raise CacheMiss("entry is over the size limit")
            entry = json.loads(path.read_bytes())
        except CacheMiss:
            raise
        except (OSError, ValueError, RecursionError) as err:
            raise CacheMiss(f"entry is not readable JSON ({type(err).__name__})") from None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
            raise CacheMiss("entry is not of this cache's format or key")
        payload, checked = entry.get("payload"), entry.get("checked") is True
        if not isinstance(entry.get("mac"), str) or not hmac.compare_digest(entry["mac"], _mac(key, payload, checked)):
            raise CacheMiss("entry was modified (its MAC does not match)")
        return validate_payload(payload, sha256, pipeline_version, models=not checked)

    def put(self, key: str, payload: dict[str, Any]) -> Path:
        """Write an entry atomically (temp file + rename), signed as checked when its payload
        passes the models (a payload that does not is stored as it is, and fails when read)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path(key)
        checked = _passes_models(payload)
        entry = {"format": FORMAT, "key": key, "mac": _mac(key, payload, checked), "payload": payload,
                 **({"checked": True} if checked else {})}
        tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
        try:
            tmp.write_bytes(_canonical(entry))
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return target


def _passes_models(payload: dict[str, Any]) -> bool:
    """Whether an "ok" payload's document and records are exactly what the models make of them,
    so that reading them as stored gives what validating them would (2 ms for a 13-page paper)."""
    if not isinstance(payload, dict) or payload.get("status") != "ok":
        return False
    try:
        checked = validate_payload(payload, payload.get("sha256"), payload.get("pipeline_version"))
    except CacheMiss:
        return False
    return checked["document"] == payload.get("document") and checked["records"] == payload.get("records")


def cacheable(payload: dict[str, Any]) -> bool:
    """Results tied to the file's bytes (and limits): a Document, or a typed ingest failure.
    An unexpected exception (``error:<Type>``) may be transient, so it is not kept."""
    return payload.get("status") == "ok" or payload.get("kind") in ERROR_KINDS
