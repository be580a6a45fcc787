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


def test_tag_html_escapes_markup_in_text_and_in_span_labels(tmp_path):
    # a regimen acronym defined as markup: its value becomes the span's label
    text = ("Patients received <img src=x onerror=alert(1)> cisplatin 75 mg/m2 on day 1. "
            "The regimen <b>ZQX</b> (cisplatin and etoposide) gave grade 3 neutropenia in 20%.")
    path = tmp_path / "hostile.txt"
    path.write_text(text, encoding="utf-8")
    html = tmp_path / "out.html"
    result = runner.invoke(app, ["tag", str(path), "--html", str(html)])
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    assert "DOSE" in page and "TOXICITY" in page
    assert "<img" not in page and "<b>" not in page
    assert "&lt;" in page and "onerror" in page  # shown as text


def test_span_labels_are_escaped_when_drawn(nlp):
    from gepnec_extract.nlp.document import BlockDoc, TaggedDocument
    from gepnec_extract.nlp.grammar import FACTS_KEY
    from gepnec_extract.nlp.render import render_fragment

    doc = nlp("Median OS was 9 months.")
    [span] = doc.spans[FACTS_KEY]
    span._.value = {"median": "<svg onload=alert(1)>"}
    tagged = TaggedDocument(document=Document(doc_id="t", source="t.txt", pages=1))
    tagged.blocks.append(BlockDoc(0, 1, None, doc))
    markup = render_fragment(tagged)
    assert "<svg" not in markup and "&lt;svg onload=alert(1)&gt;" in markup
