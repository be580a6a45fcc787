"""A tagged document as data for a reviewer's browser, and its markup.

``fact_view`` keeps, for each block and table cell that holds a fact, its tokens and its facts
with their normalized values (``tagged_view`` describes the shape); it is computed once, when the
paper is extracted, and stored with the paper's cached payload. Drawing it (``tagged_view``,
displaCy's span style) needs no spaCy: a span's label shows its normalized value
("RESPONSE rr 53"), so the reviewer checks values, not only spans.
"""

from __future__ import annotations

import html
import json
from typing import Any

from spacy.tokens import Span

from .. import tagged_view
from .document import TaggedDocument, facts_in_order

MAX_LABEL_CHARS = 80


def short_value(span: Span) -> str:
    value = span._.value
    if isinstance(value, dict):
        # None is "not stated"; False is a statement ("prospective=False"), except for not_reached.
        value = " ".join(f"{k}={v}" for k, v in value.items() if v is not None and not (k == "not_reached" and v is False))
    elif isinstance(value, list):
        value = "+".join(value)
    text = f"{span.label_} {value}"
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def fact_view(tagged: TaggedDocument) -> dict[str, Any]:
    """Every block and cell with a fact: where it is, its tokens, its facts (JSON-ready)."""
    parts = []
    for part in tagged.parts():
        spans = facts_in_order(part.doc)
        if spans:
            parts.append({**part.provenance(), "tokens": [t.text for t in part.doc],
                          "facts": [_fact(span) for span in spans]})
    return {"format": tagged_view.FORMAT, "parts": parts}


def _fact(span: Span) -> dict[str, Any]:
    # the value through JSON now, so what is stored is what a later reader gets
    value = json.loads(json.dumps(span._.value, default=str))
    return {"label": span.label_, "value": value, "start": span.start_char, "end": span.end_char,
            "start_token": span.start, "end_token": span.end, "tag": short_value(span)}


def render_html(tagged: TaggedDocument) -> str:
    body = render_fragment(tagged)
    glossary = html.escape(json.dumps(tagged.abbreviations, ensure_ascii=False, indent=1))
    name = html.escape(tagged.document.source or tagged.document.doc_id)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Tagged: {name}</title></head>"
        f"<body style='font-family: sans-serif; max-width: 60em; margin: auto'>"
        f"<h1>Tagged facts: {name}</h1>{body}<h2>Abbreviations</h2><pre>{glossary}</pre></body></html>"
    )


def render_fragment(tagged: TaggedDocument) -> str:
    """The markup of every block and cell that holds a fact (no page around it)."""
    return tagged_view.render_fragment(fact_view(tagged))
