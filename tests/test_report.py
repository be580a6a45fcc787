"""report.html built from a real out dir (a dev paper, a bad PDF), and looked at in headless Chromium."""

from __future__ import annotations

import importlib.util
import re
import shutil

import pytest

from gepnec_extract import batch, dataset
from gepnec_extract.evaluate import load_records, score_records
from gepnec_extract.report import build_report

from .conftest import ROOT


def _screenshot_module():
    spec = importlib.util.spec_from_file_location("screenshot_report", ROOT / "scripts" / "screenshot_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report_html(tmp_path_factory, shared_corpus):
    out = tmp_path_factory.mktemp("run")
    paper, bad = shared_corpus / "dev" / "d01-mitry1999.pdf", shared_corpus / "bad" / "garbage.pdf"
    payloads = [batch.extract_payload(paper), batch.extract_payload(bad)]
    batch.write_outputs(out, payloads)
    evaluation = score_records(load_records(out / "records.jsonl"),
                               load_records(shared_corpus / "dev" / "d01-mitry1999.gold.jsonl")).to_dict()
    conflicts = [{"study_id": "Mitry1999", "cohort": "", "field": "rr_pct",
                  "values": [{"doc_id": "a", "value": "41.5", "evidence": "p2 table:Table 1: 41.5"},
                             {"doc_id": "b", "value": "40", "evidence": "p1 text: forty percent"}]}]
    return build_report(out, evaluation, conflicts, sources={"d01-mitry1999": paper})


def test_report_holds_records_scores_charts_and_failures(report_html):
    page = report_html.read_text(encoding="utf-8")
    assert "Mitry1999" in page and "Poorly differentiated" in page
    assert re.search(r"F1 <strong>0\.\d{3}</strong>", page)  # the paper's score against its gold
    assert page.count("<svg") >= 2  # OS/PFS by regimen, RR by line
    assert "garbage.pdf" in page and "corrupt_pdf" in page
    assert "table:Table 1" in page  # evidence of values
    assert "displacy" in page or "spans" in page  # the tagged text
    tagged = page[page.index('<details class="tagged">'):]
    assert "<h4" in tagged and "<h2" not in tagged[:tagged.index("</details>")]  # block captions, not sections
    assert "forty percent" in page  # each source's value and evidence in the disagreement table
    assert "<script" not in page  # self-contained, nothing to fetch or run


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_report_renders_in_headless_chromium(report_html, tmp_path):
    screenshot = _screenshot_module()
    png = screenshot.screenshot(report_html, tmp_path / "report.png", height=2000)
    assert png.stat().st_size > 20_000
    dom = screenshot.rendered_text(report_html)
    assert "Mitry1999" in dom and "Response rate by line of therapy" in dom


# ---------------------------------------------------------------------------------------------
# Hostile text: nothing from a paper is rendered as markup or run as script
# ---------------------------------------------------------------------------------------------

# Each payload, if it ran, would mark the page's body (data-xss="...") where the DOM dump shows it.
PAYLOADS = ["<script>document.body.dataset.xss='script'</script>",
            "<img src=x onerror=\"document.body.dataset.xss='img'\">",
            "<svg onload=\"document.body.dataset.xss='svg'\"></svg>"]
FILE_PAYLOAD = "<svg onload=document.body.dataset.xss=1>"  # a file name holds no '/'


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    """A report whose every extracted string holds a live payload: body text and a file name of a
    crafted paper run through the pipeline, and a table cell, doc_id, record fields, evidence,
    warnings and a failure written into the out dir as a run would."""
    from gepnec_extract.model import Document, Evidence, StudyRecord, Survival, Table, Toxicity

    papers, out = tmp_path_factory.mktemp("hostile-papers"), tmp_path_factory.mktemp("hostile-out")
    body = " ".join(PAYLOADS)
    paper = papers / f"{FILE_PAYLOAD}.txt"
    paper.write_text(f"Results {body}\n\nDrugamab gave a response rate of 40% in 20 patients {body}.\n", encoding="utf-8")
    payloads = [batch.extract_payload(paper), batch.failure_payload(papers / f"{FILE_PAYLOAD}.pdf", "corrupt_pdf", body)]
    assert payloads[0]["status"] == "ok"
    batch.write_outputs(out, payloads)
    evil = PAYLOADS[1]
    doc = Document(doc_id=evil, source=evil, pages=1, warnings=[body],
                   tables=[Table(label=evil, caption=body, page=1, header_rows=1, rows=[["Arm", "n"], [body, "20"]])])
    doc.metadata.title = body
    (out / "documents" / "hostile.document.json").write_text(doc.model_dump_json(), encoding="utf-8")
    record = StudyRecord(doc_id=evil, study_id=evil, arm=body, population=body, regimen=body, drugs=[evil],
                         line=evil, os_months=Survival(median=7.5, low=1, high=20, kind="range"),
                         toxicities=[Toxicity(event=evil, grade=evil, pct=10)],
                         evidence=[Evidence(field="regimen", page=1, source=evil, text=body)])
    with (out / "records.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(record.model_dump_json() + "\n")
    conflicts = [{"study_id": evil, "cohort": evil, "field": evil,
                  "values": [{"doc_id": evil, "value": body, "evidence": body}]}]
    return build_report(out, None, conflicts)


def test_hostile_text_is_escaped_in_the_html(hostile_report):
    page = hostile_report.read_text(encoding="utf-8")
    assert not re.findall(r"<(?:script|img|iframe|object)\b", page)
    assert "&lt;script&gt;document.body.dataset.xss" in page  # shown as text, not dropped
    assert "&lt;img src=x onerror=" in page
    # every <svg is one of ours (the charts), never a paper's
    assert page.count("<svg") == page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert policy and "script-src 'none'" in policy.group(1) and "default-src 'none'" in policy.group(1)
    assert page.index("Content-Security-Policy") < page.index("<body")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_no_script_from_a_paper_runs_in_chromium(hostile_report, tmp_path):
    screenshot = _screenshot_module()
    # The check can fail: the same payloads in a page without escaping or policy do run.
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><head><title>c</title></head><body><p>{PAYLOADS[1]}</p></body></html>")
    assert 'data-xss="img"' in screenshot.rendered_text(control)
    dom = screenshot.rendered_text(hostile_report)
    assert "Drugamab" in dom and "gepnec-extract report" in dom  # the page rendered
    assert "data-xss" not in dom  # no payload ran
    assert "<title>gepnec-extract report</title>" in dom


# ---------------------------------------------------------------------------------------------
# Values beside their evidence, on the page picture; charts
# ---------------------------------------------------------------------------------------------


def test_every_value_links_to_its_evidence_on_a_page_picture(report_html):
    from gepnec_extract.model import Document

    page = report_html.read_text(encoding="utf-8")
    out = report_html.parent
    records = load_records(out / "records.jsonl")
    linked = re.findall(r'<td class="value"><a href="#(ev-[^"]+)"', page)
    assert len(linked) == len(set(linked)) > 0
    # every value whose field has evidence is a link, and every link has its panel
    expected = sum(1 for r in records for column, value in dataset.flat_values(r).items()
                   if value is not None and column != "evidence"
                   and any(e.field == dataset.field_path(column)[0] for e in r.evidence))
    assert len(linked) == expected
    for panel in linked:
        assert f'<section class="panel" id="{panel}">' in page
    # the complete-response cell of the poorly differentiated cohort: its picture and box
    poorly = next(i for i, r in enumerate(records) if r.arm == "Poorly differentiated")
    panel = page[page.index(f'id="ev-d01-mitry1999-{poorly}-cr_pct"'):]
    panel = panel[:panel.index("</section>")]
    cell = next(e for e in records[poorly].evidence if e.field == "cr_pct")
    assert cell.text in panel and f"p. {cell.page}" in panel
    picture = re.search(r'<img src="(pages/[^"]+\.jpg)"', panel).group(1)
    assert (out / picture).stat().st_size > 10_000
    left, top, width, height = map(float, re.search(
        r'left: ([\d.]+)%; top: ([\d.]+)%; width: ([\d.]+)%; height: ([\d.]+)%', panel).groups())
    document = Document.load(out / "documents" / "d01-mitry1999.document.json")
    table = next(t for t in document.tables if t.label == cell.source.removeprefix("table:"))
    page_w, page_h = 595.276, 841.89  # A4, the paper's page size
    x0, y0, x1, y1 = table.bbox
    # the box is a cell: inside the table, far smaller than it
    assert x0 / page_w * 100 - 1 <= left and left + width <= x1 / page_w * 100 + 1
    assert y0 / page_h * 100 - 1 <= top and top + height <= y1 / page_h * 100 + 1
    assert width < (x1 - x0) / page_w * 100 / 4


def test_the_chart_median_of_an_even_count_is_the_mean_of_the_middle_two():
    from gepnec_extract.model import StudyRecord
    from gepnec_extract.report import median, response_chart

    assert median([57.1, 29]) == 43.05 and median([3, 1, 2]) == 2 and median([4, 1, 3, 2]) == 2.5
    records = [StudyRecord(doc_id="x", study_id="Quill2001", arm=arm, line="mixed", rr_pct=v)
               for arm, v in (("drugamab", 29.0), ("drugamab high dose", 57.1))]
    svg = response_chart(records)
    assert "mixed · median of 2 cohorts 43.05" in svg
    # every point titled with study, arm and value (the browser shows the title on hover)
    assert "<title>Quill2001 · drugamab · response rate % 29</title>" in svg
    assert "<title>Quill2001 · drugamab high dose · response rate % 57.1</title>" in svg


def test_survival_points_are_labelled(report_html):
    page = report_html.read_text(encoding="utf-8")
    records = load_records(report_html.parent / "records.jsonl")
    for r in records:
        if r.os_months and r.os_months.median is not None:
            assert f"<title>{r.study_id} · {r.arm or 'whole study'} · median OS {r.os_months.median:g}</title>" in page


def test_page_pictures_of_a_bad_or_greedy_pdf_are_skipped(report_html, shared_corpus, tmp_path):
    from gepnec_extract.evidence_pages import render_evidence
    from gepnec_extract.ingest.limits import Limits
    from gepnec_extract.model import Document

    out = report_html.parent
    document = Document.load(out / "documents" / "d01-mitry1999.document.json")
    evidence = [e.model_dump() for r in load_records(out / "records.jsonl") for e in r.evidence]
    good = shared_corpus / "dev" / "d01-mitry1999.pdf"
    assert render_evidence(good, document, evidence, tmp_path / "ok", "d01")["pages"]
    assert render_evidence(shared_corpus / "bad" / "garbage.pdf", document, evidence, tmp_path / "bad", "bad") is None
    # the child process is held to the memory limit: far too little and it gives up, nothing else
    assert render_evidence(good, document, evidence, tmp_path / "tiny", "d01", Limits(memory_mb=40)) is None
    assert not list((tmp_path / "tiny").glob("*.jpg"))


# ---------------------------------------------------------------------------------------------
# The report draws the facts the extraction stored: it never loads spaCy or tags again
# ---------------------------------------------------------------------------------------------

# Run in a child process: any import of spaCy (or of our tagging pipeline) raises, and the
# report is built from the run's out dir alone.
NO_TAGGER = """
import sys
from importlib.abc import MetaPathFinder

class NoTagger(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("spacy", "scispacy", "thinc") or name.startswith("gepnec_extract.nlp"):
            raise ImportError(f"the report imported {name}")
        return None

sys.meta_path.insert(0, NoTagger())
import json
from pathlib import Path
from gepnec_extract.report import build_report

out = Path(sys.argv[1])
build_report(out, json.loads((out / "evaluation.json").read_text()))
print(sorted(m for m in sys.modules if m.split(".")[0] in ("spacy", "thinc")))
"""


@pytest.fixture(scope="module")
def review_run(tmp_path_factory):
    """The review through the real CLI, as a user runs it, without the report."""
    import os
    import subprocess
    import sys

    from .conftest import REVIEW_PDF

    out = tmp_path_factory.mktemp("review-run")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-m", "gepnec_extract.cli", "run", str(REVIEW_PDF), "--out", str(out),
                           "--no-report"], capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def _displacy_markup(document) -> str:
    """The tagged text as the report drew it when it tagged the document again and passed each
    block and cell to displaCy: the reference the stored facts must reproduce."""
    import html as html_module

    from spacy import displacy
    from spacy.tokens import Doc, Span

    from gepnec_extract.nlp import tag_document
    from gepnec_extract.nlp.grammar import FACTS_KEY
    from gepnec_extract.nlp.render import short_value

    entries = []
    for part in tag_document(document).parts():
        if not len(part.doc.spans.get(FACTS_KEY, [])):
            continue
        where = part.provenance()
        title = f"{where['source']} · page {where.get('page')}"
        if "row" in where:
            title += f" · row {where['row']} col {where['col']}"
        copy = Doc(part.doc.vocab, words=[t.text for t in part.doc], spaces=[bool(t.whitespace_) for t in part.doc])
        copy.spans[FACTS_KEY] = [Span(copy, s.start, s.end, label=html_module.escape(short_value(s), quote=True))
                                 for s in part.doc.spans[FACTS_KEY]]
        copy.user_data["title"] = html_module.escape(title)
        entries.append(copy)
    markup = displacy.render(entries, style="span", options={"spans_key": FACTS_KEY}, page=False, jupyter=False)
    return markup.replace("<h2", "<h4").replace("</h2>", "</h4>")


def test_the_report_never_loads_the_tagger_and_shows_the_same_tagged_text(review_run):
    import os
    import subprocess
    import sys

    from gepnec_extract.model import Document

    assert (review_run / "documents" / "review.tagged.json").is_file()  # stored by the extraction
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-c", NO_TAGGER, str(review_run)], capture_output=True, text=True,
                          env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
    page = (review_run / "report.html").read_text(encoding="utf-8")
    tagged = page[page.index('<details class="tagged"><summary>Tagged text</summary>'):]
    tagged = tagged[tagged.index("</summary>") + len("</summary>"):tagged.index("</details>")]
    assert tagged.count("<h4") > 50 and "RESPONSE" in tagged  # the highlighted facts are there ...
    # ... exactly as displaCy drew them from a fresh tagging of the same Document
    assert tagged == _displacy_markup(Document.load(review_run / "documents" / "review.document.json"))


def test_stored_tagged_facts_are_checked_before_they_are_drawn(review_run, tmp_path):
    import json

    from gepnec_extract import tagged_view

    stored = json.loads((review_run / "documents" / "review.tagged.json").read_text(encoding="utf-8"))
    assert tagged_view.check(stored) is stored
    part = next(p for p in stored["parts"] if p["source"] == "text")
    part["facts"][0]["end_token"] = len(part["tokens"]) + 5  # outside its part
    bad = tmp_path / "bad.tagged.json"
    bad.write_text(json.dumps(stored), encoding="utf-8")
    assert tagged_view.load(bad) is None
    with pytest.raises(ValueError, match="offsets"):
        tagged_view.check(stored)
    # a fact's tag is text of the paper: drawn escaped
    part["facts"][0].update(start_token=0, end_token=1, tag="<img src=x onerror=alert(1)>")
    markup = tagged_view.render_fragment(tagged_view.check(stored))
    assert "<img" not in markup and "&lt;img src=x onerror=alert(1)&gt;" in markup


def test_a_second_report_reuses_the_page_pictures_until_what_they_show_changes(report_html, shared_corpus,
                                                                               tmp_path):
    import json

    out = tmp_path / "run"
    shutil.copytree(report_html.parent, out)  # the module's report stays as it was built
    first = report_html.read_text(encoding="utf-8")
    pictures = sorted((out / "pages").glob("*.jpg"))
    assert pictures
    stamps = {p: p.stat().st_mtime_ns for p in pictures}
    paper = shared_corpus / "dev" / "d01-mitry1999.pdf"
    again = build_report(out, None, None, sources={"d01-mitry1999": paper})
    assert {p: p.stat().st_mtime_ns for p in pictures} == stamps  # nothing rendered again
    assert re.findall(r'<img src="pages/[^"]+"', again.read_text(encoding="utf-8")) == \
        re.findall(r'<img src="pages/[^"]+"', first)
    # an index that no longer matches (another PDF, other evidence, other code) is rendered anew
    index = out / "pages" / "index.json"
    kept = json.loads(index.read_text(encoding="utf-8"))
    kept["d01-mitry1999"]["key"] = "0" * 64
    index.write_text(json.dumps(kept), encoding="utf-8")
    build_report(out, None, None, sources={"d01-mitry1999": paper})
    assert all(p.stat().st_mtime_ns != stamps[p] for p in pictures)
    assert json.loads(index.read_text(encoding="utf-8"))["d01-mitry1999"]["key"] != "0" * 64


def test_a_payload_without_tagged_facts_leaves_no_earlier_facts_behind(review_run, tmp_path):
    from gepnec_extract.model import Document

    out = tmp_path / "out"
    shutil.copytree(review_run / "documents", out / "documents")
    document = Document.load(out / "documents" / "review.document.json")
    payload = {"status": "ok", "file": "review.pdf", "doc_id": "review", "sha256": None, "pipeline_version": "x",
               "pages": document.pages, "warnings": [], "document": document.model_dump(mode="json"), "records": []}
    batch.write_documents(out / "documents", [payload])
    assert not (out / "documents" / "review.tagged.json").exists()
    page = build_report(out).read_text(encoding="utf-8")
    assert '<details class="tagged">' not in page  # no tagged text, rather than another run's


def test_the_report_is_streamed_to_disk_and_a_failed_one_keeps_the_last(report_html, shared_corpus, tmp_path,
                                                                       monkeypatch):
    from gepnec_extract import report, tagged_view

    out = tmp_path / "out"
    shutil.copytree(report_html.parent, out)
    sources = {"d01-mitry1999": shared_corpus / "dev" / "d01-mitry1999.pdf"}
    written = build_report(out, None, None, sources=sources).read_text(encoding="utf-8")
    # the file written piece by piece is the page render_page gives whole
    assert written == report.render_page(out, None, None, sources=sources)
    # the tagged text goes to the page a block at a time, and joins to the one fragment
    stored = tagged_view.load(out / "documents" / "d01-mitry1999.tagged.json")
    pieces = list(tagged_view.fragment_pieces(stored, heading="h4"))
    assert len(pieces) > 10 and "".join(pieces) == tagged_view.render_fragment(stored, heading="h4")
    assert "".join(pieces) in written

    def broken(*args, **kwargs):  # a paper's markup that cannot be drawn, half-way through the page
        yield "<p>a piece"
        raise RuntimeError("simulated: drawing failed")

    monkeypatch.setattr(tagged_view, "fragment_pieces", broken)
    with pytest.raises(RuntimeError, match="simulated"):
        build_report(out, None, None, sources=sources)
    assert (out / "report.html").read_text(encoding="utf-8") == written  # the last report, whole
    assert not list(out.glob("report.html.tmp-*"))



def test_pictures_prepared_once_a_paper_is_parsed_are_the_ones_the_report_shows(shared_corpus, tmp_path,
                                                                                monkeypatch):
    """With ``parsed`` (the main job's), a paper's picture child starts once its parse is done and
    reads the words while the paper is tagged; given the evidence, it draws what a child started
    then draws. A paper whose parse fails prepares none; one prepared and never given its
    evidence is ended (its child exits), and while it waits no other paper's child starts."""
    import functools
    import threading

    from gepnec_extract import evidence_pages, orchestrate, pictures_ahead

    paper, bad = shared_corpus / "dev" / "d01-mitry1999.pdf", shared_corpus / "bad" / "truncated.pdf"
    finished, started = [], []
    finish, child_init = evidence_pages.PictureChild.finish, evidence_pages.PictureChild.__init__
    monkeypatch.setattr(evidence_pages.PictureChild, "finish",
                        lambda self, *a: finished.append(self.pdf) or finish(self, *a))
    monkeypatch.setattr(evidence_pages.PictureChild, "__init__",
                        lambda self, pdf, *a, **k: started.append(str(pdf)) or child_init(self, pdf, *a, **k))
    ahead, plain = tmp_path / "ahead", tmp_path / "plain"
    orchestrate.run_library_batch([paper, bad], ahead,
                                  extracted=functools.partial(pictures_ahead.draw_ahead, ahead),
                                  parsed=functools.partial(pictures_ahead.prepare_ahead, ahead))
    _, drawing = pictures_ahead.drawn_ahead[ahead / "pages", "d01-mitry1999"]
    assert drawing.result()["pages"] and started == finished == [str(paper)]
    shutil.copytree(ahead, plain, ignore=shutil.ignore_patterns("pages"))
    page = build_report(ahead).read_text(encoding="utf-8")
    assert build_report(plain).read_text(encoding="utf-8") == page
    pictures = sorted(p.name for p in (ahead / "pages").glob("*.jpg"))
    assert pictures and all((ahead / "pages" / n).read_bytes() == (plain / "pages" / n).read_bytes() for n in pictures)

    unused = tmp_path / "unused"
    pictures_ahead.prepare_ahead(unused, paper)
    waited = 0
    while len(started) < 2 and waited < 600:  # the child starts on a thread of its own
        threading.Event().wait(0.05)
        waited += 1
    # one child waits at most
    pictures_ahead.prepare_ahead(unused, shared_corpus / "dev" / "d02-hainsworth2006.pdf")
    assert list(pictures_ahead._prepared) == [(unused / "pages", str(paper))]
    children = [t for t in threading.enumerate() if t.name == f"pictures of {paper.name}"]
    pictures_ahead.end_prepared()
    for thread in children:
        thread.join(30)
    assert len(started) == 2 and not any(t.is_alive() for t in children) and not (unused / "pages").exists()


def test_pictures_drawn_ahead_are_the_ones_the_report_shows(shared_corpus, tmp_path, monkeypatch):
    """The main job starts each paper's pictures as the batch extracts it
    (pictures_ahead.draw_ahead); the report waits for those and draws nothing itself, and its
    page and pictures are those of a report that draws them. Pictures started for other evidence
    are not taken."""
    import functools
    import json

    from gepnec_extract import evidence_pages, orchestrate, pictures_ahead

    paper = shared_corpus / "dev" / "d01-mitry1999.pdf"
    ahead, plain = tmp_path / "ahead", tmp_path / "plain"
    orchestrate.run_library_batch([paper], ahead, extracted=functools.partial(pictures_ahead.draw_ahead, ahead))
    shutil.copytree(ahead, plain, ignore=shutil.ignore_patterns("pages"))  # the same run, nothing drawn
    _, drawing = pictures_ahead.drawn_ahead[ahead / "pages", "d01-mitry1999"]
    assert drawing.result()["pages"]  # (done before render_evidence is counted below)
    drawn = []
    render_evidence = evidence_pages.render_evidence
    monkeypatch.setattr(evidence_pages, "render_evidence",
                        lambda *args, **kwargs: drawn.append(args[0]) or render_evidence(*args, **kwargs))
    page = build_report(ahead).read_text(encoding="utf-8")
    assert drawn == []
    assert build_report(plain).read_text(encoding="utf-8") == page and drawn == [paper]
    pictures = sorted(p.name for p in (ahead / "pages").glob("*.jpg"))
    assert pictures and pictures == sorted(p.name for p in (plain / "pages").glob("*.jpg"))
    assert all((ahead / "pages" / name).read_bytes() == (plain / "pages" / name).read_bytes() for name in pictures)

    other = tmp_path / "other"  # pictures ahead for fewer records than the report shows
    shutil.copytree(plain, other, ignore=shutil.ignore_patterns("pages"))
    records = [json.loads(line) for line in (other / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    document = json.loads((other / "documents" / "d01-mitry1999.document.json").read_text(encoding="utf-8"))
    pictures_ahead.draw_ahead(other, {"status": "ok", "file": str(paper), "document": document,
                                      "records": records[:-1]})
    _, drawing = pictures_ahead.drawn_ahead[other / "pages", "d01-mitry1999"]
    drawing.result()
    assert len(records) > 1 and drawn == [paper, paper]  # the report's, and the one ahead
    assert build_report(other).read_text(encoding="utf-8") == page
    assert drawn == [paper, paper, paper]  # the report drew its own, once the one ahead was done
    assert not pictures_ahead.drawn_ahead
