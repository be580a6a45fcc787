"""A re-run of `gepnec-extract run` with nothing changed: every paper cached, no output rewritten,
no heavy code loaded; a changed output or gold file re-runs only the stage it belongs to.

Each run is the real CLI in a subprocess (this tree's code), on a copy of the bundled review with
its gold beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from .conftest import REVIEW_PDF, ROOT

# Imported by a run that extracts, tags, scores or writes the report; a fully cached run needs none
# (pydantic neither: its cache entries were checked against the models when stored, cache.py).
HEAVY = ("spacy", "scispacy", "drug_named_entity_recognition", "prefect", "pandas", "pdfplumber", "scipy",
         "pydantic", "gepnec_extract.model", "gepnec_extract.nlp", "gepnec_extract.records",
         "gepnec_extract.evaluate", "gepnec_extract.report")
MARKER = "MODULES-LOADED "
# The CLI as the console script runs it, then the heavy modules it loaded, printed at exit.
WRAPPER = f"""
import atexit, json, sys
heavy = {HEAVY!r}
atexit.register(lambda: print({MARKER!r} + json.dumps(sorted(
    m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy)))))
from gepnec_extract.cli import main
sys.argv = ["gepnec-extract", *sys.argv[1:]]
main()
"""


def _run(papers: Path, out: Path, cache_home: Path) -> tuple[dict[str, int], list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PYTHONPATH=str(ROOT / "src"), GEPNEC_CACHE_DIR=str(cache_home),
               COLUMNS="200")
    done = subprocess.run([sys.executable, "-c", WRAPPER, "run", str(papers), "--out", str(out)], env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.split(MARKER)[-1].strip())
    return _summary_row(done.stderr), loaded


def _summary_row(text: str) -> dict[str, int]:
    """The numbers of the run's summary table (papers, extracted, cached, failed, records, pages)."""
    header = ("papers", "extracted", "cached", "failed", "records", "pages")
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line) if c.strip()]
        if len(cells) == 7 and all(re.fullmatch(r"\d+", c) for c in cells[:6]):
            return dict(zip(header, map(int, cells[:6])))
    raise AssertionError(f"no summary table in:\n{text[-2000:]}")


def _snapshot(out: Path) -> dict[str, tuple[str, int]]:
    """Every file under out: its content digest and modification time."""
    return {str(p.relative_to(out)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("cached-run")
    papers = base / "papers"
    papers.mkdir()
    shutil.copy(REVIEW_PDF, papers / "review.pdf")
    shutil.copy(ROOT / "gold" / "review.gold.jsonl", papers / "review.gold.jsonl")
    out, cache_home = base / "out", base / "user-cache"
    row, loaded = _run(papers, out, cache_home)
    return papers, out, cache_home, row, loaded


def test_the_first_run_extracts_tags_scores_and_reports(first_run):
    _, out, _, row, loaded = first_run
    assert (row["papers"], row["extracted"], row["cached"], row["failed"]) == (1, 1, 0, 0)
    assert row["records"] > 0
    for name in ("records.jsonl", "evidence.duckdb", "evaluation.json", "report.html", "run-state.json"):
        assert (out / name).is_file(), name
    assert {"spacy", "pydantic", "gepnec_extract.evaluate", "gepnec_extract.report"} <= set(loaded)
    assert "prefect" not in loaded  # no PREFECT_API_URL: the library path, no Prefect at all


def test_a_second_run_is_all_cached_writes_nothing_and_loads_no_heavy_code(first_run):
    papers, out, cache_home, first, _ = first_run
    before = _snapshot(out)
    row, loaded = _run(papers, out, cache_home)
    assert (row["papers"], row["cached"], row["failed"], row["records"]) == (1, 1, 0, first["records"])
    assert _snapshot(out) == before  # every byte and every modification time as the first run left them
    assert loaded == []


def test_a_deleted_report_is_written_again_and_nothing_else(first_run):
    papers, out, cache_home, _, _ = first_run
    report = (out / "report.html").read_bytes()
    (out / "report.html").unlink()
    before = _snapshot(out)
    _, loaded = _run(papers, out, cache_home)
    after = _snapshot(out)
    assert (out / "report.html").read_bytes() == report
    changed = {name for name in after if before.get(name) != after[name]}
    assert "report.html" in changed and "run-state.json" in changed
    assert not {"evidence.duckdb", "records.jsonl", "evaluation.json"} & changed
    assert "gepnec_extract.report" in loaded and "gepnec_extract.evaluate" not in loaded


def test_a_changed_gold_file_is_scored_again(first_run):
    papers, out, cache_home, _, _ = first_run
    gold = papers / "review.gold.jsonl"
    lines = gold.read_text(encoding="utf-8").splitlines(keepends=True)
    scored = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    dataset_before = _snapshot(out)["evidence.duckdb"]
    gold.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")  # half the studies: recall rises
    try:
        _, loaded = _run(papers, out, cache_home)
    finally:
        gold.write_text("".join(lines), encoding="utf-8")
    rescored = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert rescored["overall"] != scored["overall"]
    assert _snapshot(out)["evidence.duckdb"] == dataset_before  # the papers did not change: no refresh
    assert "gepnec_extract.evaluate" in loaded


def test_an_edited_output_makes_the_batch_write_its_outputs_again(first_run):
    papers, out, cache_home, _, _ = first_run
    original = (out / "records.csv").read_bytes()
    refreshes = _refreshes(out)
    with (out / "records.csv").open("ab") as fh:
        fh.write(b"an edited line\n")
    row, _ = _run(papers, out, cache_home)
    assert row["cached"] == 1  # the paper is still a cache hit; its outputs are written from the entry
    assert (out / "records.csv").read_bytes() == original
    assert _refreshes(out) == refreshes + 1


def _refreshes(out: Path) -> int:
    con = duckdb.connect(str(out / "evidence.duckdb"), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM refreshes").fetchone()[0]
    finally:
        con.close()


def test_a_deleted_tagged_facts_file_is_written_again_from_the_cache(first_run):
    """The report's input (documents/<doc_id>.tagged.json) is an output of the batch like the others."""
    papers, out, cache_home, _, _ = first_run
    tagged = out / "documents" / "review.tagged.json"
    original = tagged.read_bytes()
    tagged.unlink()
    row, loaded = _run(papers, out, cache_home)
    assert row["cached"] == 1
    assert tagged.read_bytes() == original
    assert "spacy" not in loaded  # written from the cached payload, not by tagging again
