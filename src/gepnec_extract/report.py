"""report.html: what a reviewer reads after a run, built from the run's out dir alone.

Per paper: its records with their evidence, its tagged text (displaCy), its score where gold
exists; across papers: the sources that disagree on a study, and charts of median OS and PFS by
regimen and of response rate by line of therapy. Self-contained: charts are inline SVG, no script.

Everything in the report comes from untrusted papers (text, table cells, file names, doc_ids), so
the template is rendered with autoescape on, and only markup built here is passed as ``|safe``:
the charts (matplotlib escapes its text) and the tagged text (displaCy escapes the tokens; the
span labels, which displaCy does not escape, are escaped before rendering). The page also carries
a Content-Security-Policy that allows no script at all and no fetch, as a second line.
"""

from __future__ import annotations

import html
import io
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: render to SVG strings
import matplotlib.pyplot as plt  # noqa: E402
from jinja2 import Environment, PackageLoader  # noqa: E402

from .model import Document, StudyRecord  # noqa: E402

MAX_TAGGED_PAPERS = 60  # tagging every block again is the slow part of a report


@dataclass
class PaperView:
    doc_id: str
    title: str | None
    pages: int
    warnings: list[str]
    records: list[StudyRecord]
    score: dict | None
    tagged_html: str | None


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def survival_chart(records: list[StudyRecord]) -> str | None:
    """Median OS and PFS (months) by regimen (its drugs): one point per cohort, regimens on the y axis."""
    points = defaultdict(lambda: {"os": [], "pfs": []})
    for r in records:
        name = " + ".join(r.drugs) or r.regimen  # the drugs, so one regimen written two ways is one row
        if not name:
            continue
        for endpoint in ("os", "pfs"):
            survival = getattr(r, f"{endpoint}_months")
            if survival and survival.median is not None:
                points[name[:40]][endpoint].append(survival.median)
    if not points:
        return None
    names = sorted(points, key=lambda n: -max(points[n]["os"] + points[n]["pfs"] + [0]))
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(names) + 1.2))
    for endpoint, marker, color in (("os", "o", "#1f77b4"), ("pfs", "s", "#ff7f0e")):
        xs = [x for i, n in enumerate(names) for x in points[n][endpoint]]
        ys = [i for i, n in enumerate(names) for _ in points[n][endpoint]]
        ax.scatter(xs, ys, marker=marker, color=color, label=f"median {endpoint.upper()}", alpha=0.8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_xlabel("months")
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Median OS and PFS by regimen (one point per cohort)")
    return _svg(fig)


LINE_ORDER = ["first", "second", "third_plus", "mixed", "unknown"]


def response_chart(records: list[StudyRecord]) -> str | None:
    """Objective response rate (%) by line of therapy, one point per cohort."""
    by_line = defaultdict(list)
    for r in records:
        if r.rr_pct is not None:
            by_line[r.line or "unknown"].append(r.rr_pct)
    if not by_line:
        return None
    lines = [line for line in LINE_ORDER if line in by_line]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for i, line in enumerate(lines):
        values = by_line[line]
        ax.scatter([i] * len(values), values, alpha=0.7)
        ax.hlines(sorted(values)[len(values) // 2], i - 0.25, i + 0.25, color="black")
    ax.set_xticks(range(len(lines)), [f"{line}\n(n={len(by_line[line])})" for line in lines], fontsize=8)
    ax.set_ylabel("response rate, %")
    ax.set_title("Response rate by line of therapy (bar: median)")
    ax.grid(axis="y", alpha=0.3)
    return _svg(fig)


def _tagged_html(document: Document) -> str:
    """displaCy markup of the tagged blocks and cells. displaCy escapes token text and we escape
    titles, but it inserts span labels (a fact's value, possibly text from the paper) verbatim:
    they are escaped here before rendering."""
    from spacy import displacy
    from spacy.tokens import Span

    from .nlp import tag_document
    from .nlp.grammar import FACTS_KEY
    from .nlp.render import labelled_copy

    entries = []
    for part in tag_document(document).parts():
        if not len(part.doc.spans.get(FACTS_KEY, [])):
            continue
        where = part.provenance()
        title = f"{where['source']} · page {where.get('page')}"
        if "row" in where:
            title += f" · row {where['row']} col {where['col']}"
        copy = labelled_copy(part.doc, html.escape(title))
        copy.spans[FACTS_KEY] = [Span(copy, s.start, s.end, label=html.escape(s.label_, quote=True))
                                 for s in copy.spans[FACTS_KEY]]
        entries.append(copy)
    if not entries:
        return "<p>No facts.</p>"
    return displacy.render(entries, style="span", options={"spans_key": FACTS_KEY}, page=False, jupyter=False)


def build_report(out_dir: Path | str, eval_report: dict | None = None, conflicts: list[dict] | None = None,
                 tag_text: bool = True) -> Path:
    """Write out_dir/report.html from out_dir's documents/, records.jsonl and failures.jsonl."""
    out_dir = Path(out_dir)
    records = [StudyRecord.model_validate(r) for r in _read_jsonl(out_dir / "records.jsonl")]
    by_doc: dict[str, list[StudyRecord]] = defaultdict(list)
    for record in records:
        by_doc[record.doc_id].append(record)
    scores = (eval_report or {}).get("per_document", {})
    papers = []
    documents = sorted((out_dir / "documents").glob("*.document.json")) if (out_dir / "documents").is_dir() else []
    for i, path in enumerate(documents):
        document = Document.load(path)
        tagged = _tagged_html(document) if tag_text and i < MAX_TAGGED_PAPERS else None
        papers.append(PaperView(document.doc_id, document.metadata.title, document.pages, document.warnings,
                                by_doc.get(document.doc_id, []), scores.get(document.doc_id), tagged))
    # autoescape=True: select_autoescape() would not escape a ".j2" template at all
    env = Environment(loader=PackageLoader("gepnec_extract", "templates"), autoescape=True)
    env.filters["survival"] = _survival_text
    page = env.get_template("report.html.j2").render(
        papers=papers, records=records, failures=_read_jsonl(out_dir / "failures.jsonl"),
        evaluation=eval_report, conflicts=conflicts or [],
        survival_svg=survival_chart(records), response_svg=response_chart(records),
    )
    target = out_dir / "report.html"
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    return target


def _survival_text(value: Any) -> str:
    if not value:
        return ""
    if value.not_reached:
        return "NR"
    text = f"{value.median:g}" if value.median is not None else "?"
    if value.low is not None or value.high is not None:
        low = "" if value.low is None else f"{value.low:g}"
        high = "" if value.high is None else f"{value.high:g}"
        text += f" ({low}–{high}{', CI' if value.kind == 'ci95' else ''})"
    return text
