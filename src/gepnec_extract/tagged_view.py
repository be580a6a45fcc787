"""A paper's tagged facts as stored data, and their markup for a reviewer, without spaCy.

At extraction time (``nlp.render.fact_view``) every block and table cell that holds a fact is
kept as plain JSON beside the paper's Document: where it is (source, page, block or table cell),
its tokens, and its facts (label, normalized value, character and token offsets, and the tag a
reviewer reads, "RESPONSE rr=53"). The report and ``tag --html`` draw that data here, so a report
never loads spaCy or the tagging pipeline again.

The markup is the one displaCy's span style draws (spacy.displacy.render, style="span"; its
templates are copied below), so the tagged text looks as it did when displaCy drew it; a test
compares the two on the review. Everything stored is text of an untrusted paper and is escaped
here when drawn.

Stored shape (``FORMAT``)::

    {"format": "gepnec-tagged/1",
     "parts": [{"source": "text" | "table:<label>", "page": 3, "block": 12}      # a block
               | {..., "table": 0, "row": 2, "col": 1, "header": false},         # a table cell
               "tokens": ["Response", "rate", "was", "53", "%"],
               "facts": [{"label": "RESPONSE", "value": {...}, "start": 18, "end": 22,
                          "start_token": 3, "end_token": 5, "tag": "RESPONSE rr=53"}]}]}
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Iterator

FORMAT = "gepnec-tagged/1"
SUFFIX = ".tagged.json"

# displaCy's span style (spacy/displacy/templates.py and render.py, spaCy 3.8), left to right
TPL_TITLE = """
<h2 style="margin: 0">{title}</h2>
"""
TPL_SPANS = """
<div class="spans" style="line-height: 2.5; direction: {dir}">{content}</div>
"""
TPL_SPAN = """
<span style="font-weight: bold; display: inline-block; position: relative; height: {total_height}px;">
    {text}
    {span_slices}
    {span_starts}
</span>
"""
TPL_SPAN_SLICE = """
<span style="background: {bg}; top: {top_offset}px; height: 4px; left: -1px; width: calc(100% + 2px); position: absolute;">
</span>
"""
TPL_SPAN_START = """
<span style="background: {bg}; top: {top_offset}px; height: 4px; border-top-left-radius: 3px; border-bottom-left-radius: 3px; left: -1px; width: calc(100% + 2px); position: absolute;">
    <span style="background: {bg}; z-index: 10; color: #000; top: -0.5em; padding: 2px 3px; position: absolute; font-size: 0.6em; font-weight: bold; line-height: 1; border-radius: 3px">
        {label}{kb_link}
    </span>
</span>

"""
SPAN_COLOR = "#ddd"  # displaCy's colour for a label it has none for (every "LABEL value" tag)
TOP_OFFSET, LABEL_OFFSET, OFFSET_STEP = 40, 20, 17  # displaCy's span defaults, in px


def load(path: Path | str) -> dict[str, Any] | None:
    """The stored facts of one paper, None when there are none (or they are not of this format)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return check(data)
    except (OSError, ValueError):
        return None


def check(data: Any) -> dict[str, Any]:
    """``data`` when it has the stored shape; ValueError naming what is wrong otherwise (a cache
    entry or a file in an out dir is read, never trusted)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("parts"), list):
        raise ValueError("tagged facts of another format")
    for part in data["parts"]:
        if not isinstance(part, dict) or not isinstance(part.get("source"), str):
            raise ValueError("a tagged part without its source")
        tokens, facts = part.get("tokens"), part.get("facts")
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens) or not isinstance(facts, list):
            raise ValueError("a tagged part without tokens or facts")
        for fact in facts:
            if not (isinstance(fact, dict) and isinstance(fact.get("tag"), str) and isinstance(fact.get("label"), str)
                    and _offsets_fit(fact, len(tokens))):
                raise ValueError("a fact without its tag or with offsets outside its part")
    return data


def _offsets_fit(fact: dict, n_tokens: int) -> bool:
    start, end = fact.get("start_token"), fact.get("end_token")
    return (isinstance(start, int) and isinstance(end, int) and not isinstance(start, bool)
            and not isinstance(end, bool) and 0 <= start < end <= n_tokens)


def part_title(part: dict[str, Any]) -> str:
    """The heading of a block or cell: "text · page 3", "table:Table 2 · page 4 · row 2 col 1"."""
    title = f"{part['source']} · page {part.get('page')}"
    if "row" in part:
        title += f" · row {part['row']} col {part.get('col')}"
    return title


def render_fragment(tagged: dict[str, Any] | None, heading: str = "h2") -> str:
    """The markup of every stored block and cell with a fact (no page around it), each titled
    with a ``heading`` element (displaCy's h2; a page with headings of its own asks for another)."""
    return "".join(fragment_pieces(tagged, heading))


def fragment_pieces(tagged: dict[str, Any] | None, heading: str = "h2") -> Iterator[str]:
    """render_fragment's markup a block or cell at a time (a long paper's whole markup is tens of
    MB), stripped at both ends as the whole would be."""
    parts = [p for p in (tagged or {}).get("parts", []) if p.get("facts")]
    if not parts:
        yield "<p>No facts.</p>"
        return
    last = len(parts) - 1
    for i, part in enumerate(parts):
        piece = _render_part(part, heading)
        if i == 0:
            piece = piece.lstrip()
        yield piece.rstrip() if i == last else piece


def _render_part(part: dict[str, Any], heading: str = "h2") -> str:
    spans = sorted(({"start_token": f["start_token"], "end_token": f["end_token"],
                     "label": html.escape(f["tag"], quote=True)} for f in part["facts"]),
                   key=lambda s: (s["start_token"], -(s["end_token"] - s["start_token"]), s["label"]))
    markup = "".join(_token_markup(token, _entities_at(i, spans)) for i, token in enumerate(part["tokens"]))
    title = TPL_TITLE.format(title=html.escape(part_title(part)))
    if heading != "h2":
        title = title.replace("<h2", f"<{heading}", 1).replace("</h2>", f"</{heading}>", 1)
    return title + TPL_SPANS.format(content=markup, dir="ltr")


def _entities_at(index: int, spans: list[dict]) -> list[dict]:
    """The spans covering token ``index``, each in its vertical slot (displaCy's stacking: a span
    starting here sits one slot above the last span already open at this token)."""
    entities, open_here = [], []
    for span in spans:
        if span["start_token"] <= index < span["end_token"]:
            is_start = index == span["start_token"]
            if is_start:
                span["slot"] = (open_here[-1]["slot"] if open_here else 0) + 1
            open_here.append(span)
            entities.append({"label": span["label"], "is_start": is_start, "slot": span["slot"]})
        else:
            span["slot"] = 0
    return entities


def _token_markup(token: str, entities: list[dict]) -> str:
    if not entities or not token.strip():
        return _escape(token + " ")
    slices = "".join(TPL_SPAN_SLICE.format(bg=SPAN_COLOR, top_offset=_top(e)) for e in entities)
    starts = "".join(TPL_SPAN_START.format(bg=SPAN_COLOR, top_offset=_top(e), label=e["label"], kb_link="")
                     for e in entities if e["is_start"])
    height = TOP_OFFSET + LABEL_OFFSET + OFFSET_STEP * (len(entities) - 1)
    return TPL_SPAN.format(text=_escape(token), span_slices=slices, span_starts=starts, total_height=height)


def _top(entity: dict) -> int:
    return TOP_OFFSET + OFFSET_STEP * (entity["slot"] - 1)


def _escape(text: str) -> str:
    """displaCy's escaping of token text (spacy.util.escape_html)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
