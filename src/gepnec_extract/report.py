"""report.html: what a reviewer reads after a run, built from the run's out dir alone.

Per paper: its records, every value a link to its evidence, which is shown beside the value
(sentence or cell, page) and, on click, on a picture of the page with the evidence's box
highlighted (``evidence_pages``: pictures in ``pages/`` beside report.html); its tagged text
(drawn as displaCy draws spans, from the facts its extraction stored: ``tagged_view``; the report
never loads the tagger) and its score where gold exists. Across papers: the sources that disagree on a study,
and charts of median OS and PFS by regimen and of response rate by line (inline SVG, each point
titled with study, arm and value, shown on hover). No script: the evidence panel opens with the
CSS ``:target`` selector, so the page works offline, from a file, under a policy allowing no
script. ``gepnec-extract review`` serves the same page with a verdict form beside each value.

Everything in the report comes from untrusted papers (text, table cells, file names, doc_ids), so
the template is rendered with autoescape on, and only markup built here is passed as ``|safe``:
the charts (hand-drawn SVG, every string escaped) and the tagged text (``tagged_view`` escapes
tokens, labels and titles). The page also carries
a Content-Security-Policy that allows no script at all and no fetch, as a second line (images
only from the page's own folder; forms only to the review server that served the page).
"""

from __future__ import annotations

import functools
import html
import json
import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import duckdb
from jinja2 import Environment, PackageLoader, Template

from . import dataset, tagged_view
from .model import Document, Evidence, StudyRecord, safe_doc_id
from .pictures_ahead import drawn_ahead, key_and_kept, load_page_pictures

MAX_TAGGED_PAPERS = 60  # the tagged text of more papers would make the page too long to open


@dataclass
class PaperView:
    doc_id: str
    title: str | None
    pages: int
    warnings: list[str]
    records: list[StudyRecord]
    score: dict | None
    tagged: Path | None  # its stored facts (documents/<doc_id>.tagged.json), when the page shows them
    cards: list[dict] = field(default_factory=list)  # one per record: its values with evidence
    panels: list[dict] = field(default_factory=list)  # evidence panels (sentence/cell + page picture)
    status: str | None = None  # from the dataset's papers table: ok / no_records / failed

    def tagged_html(self) -> Iterator[str] | None:
        """The paper's tagged text, drawn block by block as the page is written (a long paper's
        markup is tens of MB) from the facts its extraction stored beside its Document
        (``tagged_view``: no tagger is loaded here); None when the run stored none."""
        tagged = tagged_view.load(self.tagged) if self.tagged is not None else None
        # displaCy titles each block with an <h2>: a block's caption here, not a section of the report
        return tagged_view.fragment_pieces(tagged, heading="h4") if tagged is not None else None


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------
# Values beside their evidence
# ---------------------------------------------------------------------------------------------

LABELS = {
    "first_author": "first author", "year": "year", "arm": "arm / cohort", "population": "population",
    "n_patients": "patients (n)", "n_total": "patients in the study (n)", "primary_sites": "primary sites",
    "regimen": "regimen", "drugs": "drugs", "doses": "doses", "line": "line of therapy",
    "design_prospective": "prospective", "design_randomized": "randomized", "design_phase": "phase",
    "design_centers": "centres", "rr_pct": "response rate, %", "cr_pct": "complete response, %",
    "pr_pct": "partial response, %", "sd_pct": "stable disease, %", "pd_pct": "progressive disease, %",
    "os_median": "median OS, months", "os_low": "OS low", "os_high": "OS high", "os_kind": "OS range kind",
    "os_not_reached": "OS not reached", "pfs_median": "median PFS, months", "pfs_low": "PFS low",
    "pfs_high": "PFS high", "pfs_kind": "PFS range kind", "pfs_not_reached": "PFS not reached",
    "toxicities": "toxicities",
}
SHOWN_FIELDS = [c for c in dataset.DATA_FIELDS if c != "evidence"]


def value_text(column: str, value: Any) -> str:
    """A dataset column's value as a reader reads it ("" for none)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if column == "drugs":
        return ", ".join(value)
    if column == "doses":
        return "; ".join(" ".join(str(x) for x in (d["drug"], _num(d.get("amount")), d.get("unit"), d.get("days"),
                                                   d.get("route"), f"q{d['schedule']}d" if d.get("schedule") else None)
                                  if x not in (None, "")) for d in value)
    if column == "toxicities":
        return "; ".join(f"{t['event']}{' g' + t['grade'] if t.get('grade') else ''}"
                         f"{' ' + _num(t['pct']) + '%' if t.get('pct') is not None else ''}" for t in value)
    if column == "primary_sites":
        return "; ".join(f"{p['site']}{' ' + str(p['n']) if p.get('n') is not None else ''}" for p in value)
    return str(value)


def _num(value: Any) -> str | None:
    return None if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _pictures(page_info: dict | None, evidence: list[Evidence]) -> list[dict | None]:
    """Per evidence item: its page picture and boxes in % of the page (None: no picture)."""
    if not page_info:
        return [None] * len(evidence)
    from .evidence_pages import place

    boxes_at = {place(found): found.get("boxes") or [] for found in page_info.get("located", [])}
    out = []
    for item in evidence:
        page = page_info.get("pages", {}).get(str(item.page))
        boxes_of = boxes_at.get(place(item))
        if page is None or boxes_of is None:
            out.append(None)
            continue
        w, h = page["width"], page["height"]
        boxes = [{"left": 100 * x0 / w, "top": 100 * top / h, "width": 100 * (x1 - x0) / w,
                  "height": 100 * (bottom - top) / h} for x0, top, x1, bottom in boxes_of]
        out.append({"image": f"pages/{page['image']}", "boxes": boxes, "found": bool(boxes)})
    return out


def record_cards(doc_id: str, records: list[StudyRecord], page_info: dict | None,
                 verdicts: dict | None = None) -> tuple[list[dict], list[dict]]:
    """Cards (one per record: each value with its evidence) and the evidence panels they link to."""
    keys = [row["cohort_key"] for row in dataset.record_rows(doc_id, records)]
    all_evidence = [e for r in records for e in r.evidence]
    pictures = iter(_pictures(page_info, all_evidence))
    cards, panels = [], []
    for n, (record, key) in enumerate(zip(records, keys)):
        pics = [next(pictures) for _ in record.evidence]
        values = dataset.flat_values(record)
        mine = (verdicts or {}).get((doc_id, record.study_id, key), {})
        rows = []
        for column in SHOWN_FIELDS:
            value = values.get(column)
            verdict = mine.get(column)
            if value is None and verdict is None:
                continue
            source_field = dataset.field_path(column)[0]
            items = [(e, pic) for e, pic in zip(record.evidence, pics) if e.field == source_field]
            panel_id = None
            if items:
                panel_id = f"ev-{safe_doc_id(doc_id)}-{n}-{column}"
                panels.append({"id": panel_id, "title": f"{record.study_id} · {record.arm or 'whole study'} · "
                               f"{LABELS.get(column, column)} = {value_text(column, value)}",
                               "items": [{"evidence": e, "picture": pic} for e, pic in items]})
            corrected = None
            if verdict is not None and verdict["verdict"] == "wrong":
                raw = verdict["corrected_value"]
                corrected = value_text(column, json.loads(raw)) if raw is not None else "(no value)"
            rows.append({"column": column, "label": LABELS.get(column, column), "text": value_text(column, value),
                         "evidence": [e for e, _ in items], "panel": panel_id, "verdict": verdict,
                         "corrected": corrected})
        missing = [c for c in SHOWN_FIELDS if values.get(c) is None and c not in mine]
        cards.append({"id": f"rec-{safe_doc_id(doc_id)}-{n}", "record": record, "cohort_key": key, "rows": rows,
                      "missing": missing})
    return cards, panels


# ---------------------------------------------------------------------------------------------
# Charts: hand-drawn SVG, every point titled (shown on hover), every string escaped
# ---------------------------------------------------------------------------------------------

OS_COLOR, PFS_COLOR = "#1f77b4", "#e8710a"


def median(values: list[float]) -> float:
    """The median: the middle value, or the mean of the two middle values for an even count."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("median of no values")
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _point_label(record: StudyRecord, what: str, value: float) -> str:
    return f"{record.study_id} · {record.arm or 'whole study'} · {what} {value:g}"


def _x_axis(x0: float, width: float, top: float, bottom: float, max_value: float, unit: str) -> list[str]:
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200) if max_value / s <= 8)
    parts = []
    for k in range(0, int(max_value // step) + 2):
        x = x0 + width * k * step / (max_value or 1)
        if x > x0 + width + 1:
            break
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#ddd"/>'
                     f'<text x="{x:.1f}" y="{bottom + 14}" font-size="11" text-anchor="middle">{k * step}</text>')
    parts.append(f'<text x="{x0 + width / 2:.1f}" y="{bottom + 30}" font-size="12" text-anchor="middle">{_e(unit)}</text>')
    return parts


def survival_chart(records: list[StudyRecord]) -> str | None:
    """Median OS and PFS (months) by regimen (its drugs): one titled point per cohort, a tick at
    each regimen's median of the points."""
    points: dict[str, dict[str, list[tuple[float, str]]]] = defaultdict(lambda: {"os": [], "pfs": []})
    for r in records:
        name = " + ".join(r.drugs) or r.regimen  # the drugs, so one regimen written two ways is one row
        if not name:
            continue
        for endpoint in ("os", "pfs"):
            survival = getattr(r, f"{endpoint}_months")
            if survival and survival.median is not None:
                points[name[:48]][endpoint].append((survival.median, _point_label(r, f"median {endpoint.upper()}",
                                                                                    survival.median)))
    if not points:
        return None
    names = sorted(points, key=lambda n: -max([v for v, _ in points[n]["os"] + points[n]["pfs"]] + [0]))
    top_value = max(v for n in names for e in ("os", "pfs") for v, _ in points[n][e])
    left, width, row = 300, 560, 22
    height = row * len(names) + 80
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{left + width + 30}" height="{height}" '
             f'viewBox="0 0 {left + width + 30} {height}" role="img" aria-label="Median OS and PFS by regimen">',
             f'<text x="10" y="18" font-size="14" font-weight="600">Median OS and PFS by regimen '
             f'(one point per cohort; bar: median of the points)</text>']
    plot_top, plot_bottom = 34, 34 + row * len(names)
    parts += _x_axis(left, width, plot_top, plot_bottom, top_value, "months")
    for i, name in enumerate(names):
        y = plot_top + row * i + row / 2
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{_e(name)}</text>')
        for endpoint, color, dy in (("os", OS_COLOR, -4), ("pfs", PFS_COLOR, 4)):
            values = points[name][endpoint]
            for value, label in values:
                x = left + width * value / top_value
                shape = (f'<circle cx="{x:.1f}" cy="{y + dy:.1f}" r="5" fill="{color}" fill-opacity="0.75">'
                         if endpoint == "os" else
                         f'<rect x="{x - 4.5:.1f}" y="{y + dy - 4.5:.1f}" width="9" height="9" fill="{color}" '
                         f'fill-opacity="0.75">')
                parts.append(f'<g class="point">{shape}<title>{_e(label)}</title>'
                             f'{"</circle>" if endpoint == "os" else "</rect>"}</g>')
            if len(values) > 1:
                m = median([v for v, _ in values])
                x = left + width * m / top_value
                parts.append(f'<line x1="{x:.1f}" y1="{y + dy - 7:.1f}" x2="{x:.1f}" y2="{y + dy + 7:.1f}" '
                             f'stroke="{color}" stroke-width="2"><title>{_e(name)} · median {endpoint.upper()} of '
                             f'{len(values)} cohorts {m:g}</title></line>')
    legend_y = height - 12
    parts.append(f'<circle cx="{left}" cy="{legend_y - 4}" r="5" fill="{OS_COLOR}"/><text x="{left + 10}" '
                 f'y="{legend_y}" font-size="11">median OS</text><rect x="{left + 100}" y="{legend_y - 8.5}" '
                 f'width="9" height="9" fill="{PFS_COLOR}"/><text x="{left + 114}" y="{legend_y}" '
                 f'font-size="11">median PFS</text>')
    parts.append("</svg>")
    return "".join(parts)


LINE_ORDER = ["first", "second", "third_plus", "mixed", "unknown"]


def response_chart(records: list[StudyRecord]) -> str | None:
    """Objective response rate (%) by line of therapy: one titled point per cohort, a bar at the
    line's true median."""
    by_line: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for r in records:
        if r.rr_pct is not None:
            by_line[r.line or "unknown"].append((r.rr_pct, _point_label(r, "response rate %", r.rr_pct)))
    if not by_line:
        return None
    lines = [line for line in LINE_ORDER if line in by_line] + sorted(set(by_line) - set(LINE_ORDER))
    column, left, plot_top, plot_h = 120, 50, 34, 260
    width = left + column * len(lines) + 20
    height = plot_top + plot_h + 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="Response rate by line of therapy">',
             '<text x="10" y="18" font-size="14" font-weight="600">Response rate by line of therapy '
             '(bar: median)</text>']
    for pct in range(0, 101, 20):
        y = plot_top + plot_h * (1 - pct / 100)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{pct}</text>')
    parts.append(f'<text x="12" y="{plot_top + plot_h / 2}" font-size="12" transform="rotate(-90 12 '
                 f'{plot_top + plot_h / 2})" text-anchor="middle">response rate, %</text>')
    for i, line in enumerate(lines):
        cx = left + column * i + column / 2
        values = by_line[line]
        for k, (value, label) in enumerate(sorted(values)):
            x = cx + ((k % 5) - 2) * 7  # spread equal values a little
            y = plot_top + plot_h * (1 - min(value, 100) / 100)
            parts.append(f'<g class="point"><circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{OS_COLOR}" '
                         f'fill-opacity="0.7"><title>{_e(label)}</title></circle></g>')
        m = median([v for v, _ in values])
        y = plot_top + plot_h * (1 - min(m, 100) / 100)
        parts.append(f'<line x1="{cx - 30:.1f}" y1="{y:.1f}" x2="{cx + 30:.1f}" y2="{y:.1f}" stroke="black" '
                     f'stroke-width="2"><title>{_e(line)} · median of {len(values)} cohorts {m:g}</title></line>')
        parts.append(f'<text x="{cx:.1f}" y="{plot_top + plot_h + 16}" font-size="11" text-anchor="middle">'
                     f'{_e(line)}</text><text x="{cx:.1f}" y="{plot_top + plot_h + 30}" font-size="11" '
                     f'text-anchor="middle">(n={len(values)}, median {m:g})</text>')
    parts.append("</svg>")
    return "".join(parts)


def paper_sources(out_dir: Path, rows: list[dict] | None = None) -> dict[str, Path]:
    """doc_id -> the file each paper was read from, from the dataset's papers table (``rows``:
    its ``_paper_rows``, when the caller has read them)."""
    rows = _paper_rows(out_dir / "evidence.duckdb") if rows is None else rows
    return {row["doc_id"]: Path(row["file"]) for row in rows if row.get("file")}


def _paper_rows(db: Path) -> list[dict]:
    """Each paper's latest row of the dataset's papers table; none without a dataset."""
    if not db.exists():
        return []
    try:
        return dataset.paper_status_rows(db)
    except duckdb.Error:  # a dataset of an earlier version, before its next refresh
        return []


def page_pictures(out_dir: Path, documents: list[Document], by_doc: dict[str, list[StudyRecord]],
                  sources: dict[str, Path]) -> dict[str, dict]:
    """doc_id -> pictures of its evidence pages with boxes (``evidence_pages``), kept in
    out_dir/pages/ with an index, so the review server reuses them. Pictures an earlier report
    made under the same key are kept, and those being drawn ahead under it (``draw_ahead``) are
    waited for; the others are drawn by child processes, as many at once as there are cores: one
    per paper, or with fewer papers than cores each paper's pages split among several (each child
    is held to the parsing limits)."""
    from .evidence_pages import render_evidence

    pages_dir = out_dir / "pages"
    previous = load_page_pictures(out_dir)
    found, to_draw, ahead = {}, [], []
    for document in documents:
        records = by_doc.get(document.doc_id, [])
        source = sources.get(document.doc_id)
        if not records or source is None or not Path(source).is_file():
            continue
        evidence = [e.model_dump(mode="json") for r in records for e in r.evidence]
        stem = safe_doc_id(document.doc_id)
        key, kept = key_and_kept(previous, Path(source), document, evidence, stem, pages_dir)
        drawn_for, drawing = drawn_ahead.pop((pages_dir, stem), (None, None))
        if drawing is not None and drawn_for != key:
            drawing.exception()  # drawn for other evidence: done with the files, before they are drawn again
        if kept:
            found[document.doc_id] = kept
        elif drawn_for == key:
            ahead.append((document.doc_id, key, drawing))
        else:
            to_draw.append((document, Path(source), evidence, stem, key))
    cores = os.cpu_count() or 1
    parts = max(1, cores // max(1, len(to_draw)))  # fewer papers than cores: each paper's pages are split
    with ThreadPoolExecutor(max_workers=max(1, min(len(to_draw), cores))) as pool:
        drawn = pool.map(lambda job: render_evidence(job[1], job[0], job[2], pages_dir, job[3], parts=parts),
                         to_draw)
        for (document, *_, key), info in zip(to_draw, drawn):
            if info:
                found[document.doc_id] = {**info, "key": key}
    for doc_id, key, drawing in ahead:
        info = drawing.result()
        if info:
            found[doc_id] = {**info, "key": key}
    if found:
        _write_json(pages_dir / "index.json", found)
    return found


def _write_json(target: Path, data: Any) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(target)


def ensure_page_pictures(out_dir: Path | str) -> dict[str, dict]:
    """The page pictures of a run, rendered now when the run wrote no report."""
    out_dir = Path(out_dir)
    found = load_page_pictures(out_dir)
    if found:
        return found
    records = [StudyRecord.model_validate(r) for r in _read_jsonl(out_dir / "records.jsonl")]
    by_doc: dict[str, list[StudyRecord]] = defaultdict(list)
    for record in records:
        by_doc[record.doc_id].append(record)
    documents = [Document.load(p) for p in sorted((out_dir / "documents").glob("*.document.json"))]
    return page_pictures(out_dir, documents, by_doc, paper_sources(out_dir))


def policy(review: bool) -> str:
    """The page's Content-Security-Policy: no script, no fetch; images from its own folder; forms
    only back to the review server."""
    return ("default-src 'none'; script-src 'none'; object-src 'none'; style-src 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'none'; connect-src 'none'; frame-src 'none'; base-uri 'none'; "
            "form-action " + ("'self'" if review else "'none'"))


def render_page(out_dir: Path | str, eval_report: dict | None = None, conflicts: list[dict] | None = None,
                tag_text: bool = True, sources: dict[str, Path] | None = None, pictures: bool = True,
                review: dict | None = None) -> str:
    """The report's HTML. ``review`` (from the review server): {"verdicts": corrections.latest(),
    "history": rows, "reviewer": name, "message": text} adds a verdict form beside each value."""
    return "".join(render_chunks(out_dir, eval_report, conflicts, tag_text, sources, pictures, review))


def render_chunks(out_dir: Path | str, eval_report: dict | None = None, conflicts: list[dict] | None = None,
                  tag_text: bool = True, sources: dict[str, Path] | None = None, pictures: bool = True,
                  review: dict | None = None) -> Iterator[str]:
    """The report's HTML (as render_page) piece by piece, for a writer that never holds it whole."""
    out_dir = Path(out_dir)
    records = [StudyRecord.model_validate(r) for r in _read_jsonl(out_dir / "records.jsonl")]
    by_doc: dict[str, list[StudyRecord]] = defaultdict(list)
    for record in records:
        by_doc[record.doc_id].append(record)
    scores = (eval_report or {}).get("per_document", {})
    documents_dir = out_dir / "documents"
    documents = [Document.load(p) for p in sorted(documents_dir.glob("*.document.json"))] if documents_dir.is_dir() else []
    paper_rows = _paper_rows(out_dir / "evidence.duckdb")
    if pictures and review is None:
        found_sources = {**paper_sources(out_dir, paper_rows), **{k: Path(v) for k, v in (sources or {}).items()}}
        picture_info = page_pictures(out_dir, documents, by_doc, found_sources)
    else:
        picture_info = load_page_pictures(out_dir) if pictures else {}
    status = {r["doc_id"]: r["status"] for r in paper_rows}
    verdicts = (review or {}).get("verdicts")
    papers = []
    for i, document in enumerate(documents):
        tagged = documents_dir / f"{safe_doc_id(document.doc_id)}{tagged_view.SUFFIX}" \
            if tag_text and i < MAX_TAGGED_PAPERS else None
        mine = by_doc.get(document.doc_id, [])
        cards, panels = record_cards(document.doc_id, mine, picture_info.get(document.doc_id), verdicts)
        papers.append(PaperView(document.doc_id, document.metadata.title, document.pages, document.warnings,
                                mine, scores.get(document.doc_id), tagged, cards, panels,
                                status.get(document.doc_id)))
    return report_template().generate(
        papers=papers, records=records, failures=_read_jsonl(out_dir / "failures.jsonl"),
        evaluation=eval_report, conflicts=conflicts or [], policy=policy(review is not None), review=review,
        survival_svg=survival_chart(records), response_svg=response_chart(records),
        fields=SHOWN_FIELDS, labels=LABELS,
    )


@functools.lru_cache(maxsize=1)
def report_template() -> Template:
    """The page's template, compiled once a process (about 45 ms: a run compiles it while its first
    paper parses, flows.run.later_stages)."""
    # autoescape=True: select_autoescape() would not escape a ".j2" template at all
    env = Environment(loader=PackageLoader("gepnec_extract", "templates"), autoescape=True)
    env.filters["survival"] = _survival_text
    return env.get_template("report.html.j2")


def build_report(out_dir: Path | str, eval_report: dict | None = None, conflicts: list[dict] | None = None,
                 tag_text: bool = True, sources: dict[str, Path] | None = None) -> Path:
    """Write out_dir/report.html (and out_dir/pages/ with the evidence pages) from out_dir's
    documents/, records.jsonl, failures.jsonl and evidence.duckdb (which names each paper's file;
    ``sources`` adds or overrides doc_id -> file)."""
    out_dir = Path(out_dir)
    target = out_dir / "report.html"
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("w", encoding="utf-8") as page:  # streamed: a long paper's page is tens of MB
            page.writelines(render_chunks(out_dir, eval_report, conflicts, tag_text=tag_text, sources=sources))
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)  # the last report stays whole
        raise
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
