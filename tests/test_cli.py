"""The command line over the library: extract writes records per paper; run refuses to run on nothing."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gepnec_extract.cli import app

runner = CliRunner()


def test_run_with_no_paper_to_read_is_an_error(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "missing.pdf"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no papers found" in result.output


def test_extract_writes_records_and_reports_bad_files(tmp_path, shared_corpus):
    paper, bad = shared_corpus / "dev" / "d08-okuma2014.pdf", shared_corpus / "bad" / "not-a-pdf.pdf"
    result = runner.invoke(app, ["extract", str(paper), str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 1  # one file failed; the other was still extracted
    assert "not-a-pdf.pdf" in result.output and "not_a_pdf" in result.output
    records = [json.loads(line) for line in (tmp_path / "d08-okuma2014.records.jsonl").read_text().splitlines()]
    assert records and all(r["doc_id"] == "d08-okuma2014" and r["study_id"] == "Okuma2014" for r in records)
    assert not (tmp_path / "not-a-pdf.records.jsonl").exists()
