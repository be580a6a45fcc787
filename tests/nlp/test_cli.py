"""`gepnec-extract tag`: --text, FILE (.txt / document.json) with --json, and --html."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gepnec_extract.cli import app
from gepnec_extract.model import Block, Document, Table

runner = CliRunner()
KEYS = {"label", "text", "start", "end", "sentence", "value"}


def test_tag_text_json():
    result = runner.invoke(app, ["tag", "--text", "Median OS was 11.6 months (range, 2–30) with FOLFOX.", "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["label"] for r in records] == ["SURVIVAL", "REGIMEN"]
    assert all(KEYS <= set(r) for r in records)
    assert records[0]["value"]["median"] == 11.6 and records[0]["value"]["high"] == 30


def test_tag_txt_file(tmp_path):
    path = tmp_path / "paper.txt"
    path.write_text("Methods\n\nForty patients received FOLFIRI as second-line therapy.\n", encoding="utf-8")
    result = runner.invoke(app, ["tag", str(path), "--json"])
    assert result.exit_code == 0, result.output
    labels = {r["label"]: r["value"] for r in json.loads(result.stdout)}
    assert labels["N_PATIENTS"] == 40 and labels["LINE"] == "second"


def test_tag_document_json_with_table_and_html(tmp_path):
    document = Document(doc_id="d", source="d.pdf", blocks=[Block(page=1, text="Median PFS was 4 months.")],
                        tables=[Table(label="Table 2", page=2, rows=[["Toxicities (%)"], ["Grade 3–4 neutropenia (35)"]], header_rows=1)])
    path = document.save(tmp_path)
    html = tmp_path / "out.html"
    result = runner.invoke(app, ["tag", str(path), "--json", "--html", str(html)])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    tox = next(r for r in records if r["label"] == "TOXICITY")
    assert tox["value"] == {"event": "neutropenia", "grade": "3-4", "pct": 35.0} and tox["source"] == "table:Table 2"
    page = html.read_text(encoding="utf-8")
    assert "TOXICITY" in page and "neutropenia" in page and "<html" in page


def test_tag_needs_file_or_text():
    assert runner.invoke(app, ["tag"]).exit_code != 0
