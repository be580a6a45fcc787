"""Plain-text reader: a .txt file becomes a Document whose blocks are its paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Block, Document
from .errors import EmptyFileError
from .normalize import join_hyphenated, normalize_text

_BLANK_LINE = re.compile(r"\n\s*\n")


def read_text(path: Path) -> Document:
    raw = Path(path).read_text(encoding="utf-8", errors="replace")
    if not raw.strip():
        raise EmptyFileError(path, "empty file: no text")
    blocks = []
    for para in _BLANK_LINE.split(normalize_text(raw)):
        lines = [ln.strip() for ln in para.splitlines() if ln.strip()]
        if lines:
            blocks.append(Block(page=1, text=join_hyphenated(lines)))
    doc = Document(doc_id=Path(path).stem, source=Path(path).name, pages=1, blocks=blocks)
    doc.assign_offsets()
    return doc
