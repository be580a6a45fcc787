"""displaCy rendering of a tagged document, for a reviewer's browser.

Each block and each table cell that holds a fact is drawn with displaCy's span style; a span's
label shows its normalized value ("RESPONSE rr 53"), so the reviewer checks values, not only spans.
"""

from __future__ import annotations

import html
import json

from spacy import displacy
from spacy.tokens import Doc, Span

from .document import TaggedDocument
from .grammar import FACTS_KEY

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


def labelled_copy(doc: Doc, title: str) -> Doc:
    """A copy of doc (same tokens and spacing) whose fact spans are labelled with their values.

    displaCy escapes token text but writes labels as they are, and a value is text of the paper
    (a regimen named '<b>X</b>' would be markup): labels are HTML-escaped here."""
    copy = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    copy.spans[FACTS_KEY] = [Span(copy, s.start, s.end, label=html.escape(short_value(s), quote=True))
                             for s in doc.spans.get(FACTS_KEY, [])]
    copy.user_data["title"] = title
    return copy


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
    """The displaCy markup of every block and cell that holds a fact (no page around it)."""
    entries = []
    for part in tagged.parts():
        if not len(part.doc.spans.get(FACTS_KEY, [])):
            continue
        where = part.provenance()
        title = f"{where['source']} · page {where.get('page')}"
        if "row" in where:
            title += f" · row {where['row']} col {where['col']}"
        entries.append(labelled_copy(part.doc, html.escape(title)))
    if not entries:
        return "<p>No facts.</p>"
    return displacy.render(entries, style="span", options={"spans_key": FACTS_KEY}, page=False, jupyter=False)
