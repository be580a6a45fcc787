"""report.html built from a real out dir (a dev paper, a bad PDF), and looked at in headless Chromium."""

from __future__ import annotations

import importlib.util
import re
import shutil

import pytest

from gepnec_extract import batch
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
    return build_report(out, evaluation, conflicts)


def test_report_holds_records_scores_charts_and_failures(report_html):
    page = report_html.read_text(encoding="utf-8")
    assert "Mitry1999" in page and "Poorly differentiated" in page
    assert re.search(r"F1 <strong>0\.\d{3}</strong>", page)  # the paper's score against its gold
    assert page.count("<svg") >= 2  # OS/PFS by regimen, RR by line
    assert "garbage.pdf" in page and "corrupt_pdf" in page
    assert "table:Table 1" in page  # evidence of values
    assert "displacy" in page or "spans" in page  # the tagged text
    assert "forty percent" in page  # each source's value and evidence in the disagreement table
    assert "<script" not in page  # self-contained, nothing to fetch or run


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_report_renders_in_headless_chromium(report_html, tmp_path):
    screenshot = _screenshot_module()
    png = screenshot.screenshot(report_html, tmp_path / "report.png", height=2000)
    assert png.stat().st_size > 20_000
    dom = screenshot.rendered_text(report_html)
    assert "Mitry1999" in dom and "Response rate by line of therapy" in dom
