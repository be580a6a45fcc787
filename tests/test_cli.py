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


def _hostile_document(folder, name: str, doc_id: str):
    from gepnec_extract.model import Block, Document

    doc = Document(doc_id=doc_id, source="x.pdf", pages=1,
                   blocks=[Block(page=1, text="Quill et al. gave drugamab to 12 patients.")])
    path = folder / f"{name}.document.json"
    path.write_text(doc.model_dump_json(), encoding="utf-8")
    return path


def test_doc_ids_never_write_outside_the_out_dir(tmp_path):
    inputs, out = tmp_path / "in" / "deep" / "er", tmp_path / "in" / "deep" / "er" / "out"
    inputs.mkdir(parents=True)
    escape_to = tmp_path / "escaped"
    files = [_hostile_document(inputs, "a", "../../x"), _hostile_document(inputs, "b", str(escape_to / "y")),
             _hostile_document(inputs, "c", ".hidden"), _hostile_document(inputs, "d", "../../x")]
    before = {p for p in tmp_path.rglob("*")}
    for command in ("ingest", "extract"):
        target = out / command
        result = runner.invoke(app, [command, *map(str, files), "--out", str(target)])
        assert result.exit_code == 0, result.output
        written = sorted(p.name for p in target.iterdir())
        suffix = ".document.json" if command == "ingest" else ".records.jsonl"
        # sanitised ("../../x" -> "x"), unique (the second "../../x" is "x-2", with a warning), no dot files
        assert written == sorted(f"{stem}{suffix}" for stem in ("x", "x-2", "hidden", escape_to.as_posix().lstrip("/").replace("/", "_") + "_y"))
        assert "already taken" in result.output
    new = {p for p in tmp_path.rglob("*")} - before
    assert all(out in p.parents or p == out for p in new), sorted(map(str, new))
    assert not escape_to.exists()


def test_files_that_are_not_regular_are_typed_failures(tmp_path):
    import os

    (tmp_path / "folder.pdf").mkdir()
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "dangling.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    result = runner.invoke(app, ["extract", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("error")]
    kinds = {line.split(": ")[0].rsplit("/", 1)[-1]: line.split("[")[1].split("]")[0] for line in lines}
    assert kinds == {"folder.pdf": "not_regular_file", "pipe.txt": "not_regular_file",
                     "dangling.pdf": "missing_file", "zero.txt": "not_regular_file"}
    assert "Traceback" not in result.output


def test_extract_names_a_plain_text_papers_own_study(tmp_path):
    """A primary paper as plain text: its byline and citation line name its records' study."""
    paper = tmp_path / "quill.txt"
    paper.write_text(
        "Irinotecan for refractory quill carcinoma: a single-centre phase II study\n\n"
        "Zeno Quill, Bo Marsh and Cai Fenwick\n\n"
        "Quill Oncol 2018;4:1-8\n\n"
        "Results\n"
        "Thirty patients received irinotecan 50 mg/m2 on days 1-3 every 21 days as second-line treatment. "
        "The objective response rate was 20% and the median overall survival was 8.5 months (range 2-19).\n",
        encoding="utf-8")
    result = runner.invoke(app, ["extract", str(paper), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (tmp_path / "out" / "quill.records.jsonl").read_text().splitlines()]
    assert [(r["study_id"], r["first_author"], r["year"]) for r in records] == [("Quill2018", "Quill", 2018)]
    assert records[0]["rr_pct"] == 20.0 and records[0]["os_months"]["median"] == 8.5
