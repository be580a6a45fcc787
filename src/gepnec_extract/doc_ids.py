"""The one rule for turning a doc_id into a file name, without the models: a run that finds every
paper in its cache names its papers with it and never loads pydantic (model.py re-exports it)."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE_NAME_CHARS = re.compile(r"[^\w.-]+")  # \w: letters, digits, underscore (any script)
MAX_DOC_ID_CHARS = 120


def safe_doc_id(name: str) -> str:
    """A doc_id that is safe as a file name: letters, digits, '_', '.', '-' only (no separator, so
    never a path), no leading dot or dash (no hidden file, no '..', no option), at most 120 chars.

    Every place a doc_id becomes a file name goes through this ("../../x" -> "x", "/etc/y" -> "etc_y").
    """
    cleaned = _UNSAFE_NAME_CHARS.sub("_", unicodedata.normalize("NFKC", str(name)))
    cleaned = cleaned.lstrip("._-")[:MAX_DOC_ID_CHARS].rstrip(".")
    return cleaned or "document"
