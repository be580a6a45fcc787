"""Corrections (the curated source) and the review server, down to a real headless Chromium:
open a record, see its evidence on the page picture, correct a value, see the dataset change."""

from __future__ import annotations

import json
import os
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from gepnec_extract import batch, corrections, dataset
from gepnec_extract.cli import app
from gepnec_extract.evaluate import load_records
from gepnec_extract.review_server import make_server

from . import cdp

PAPER = "d01-mitry1999"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, shared_corpus):
    """An out dir as `run` leaves it, for one dev paper (records, documents, dataset with papers)."""
    out = tmp_path_factory.mktemp("run")
    payloads = [batch.extract_payload(shared_corpus / "dev" / f"{PAPER}.pdf")]
    batch.write_outputs(out, payloads)
    dataset.refresh(out / "evidence.duckdb", batch.records_of(payloads), papers=dataset.paper_rows(payloads))
    return out


@pytest.fixture
def out_dir(run_dir, tmp_path):
    """A fresh copy per test, so each starts with no corrections."""
    copy = tmp_path / "out"
    shutil.copytree(run_dir, copy)
    return copy


def _poorly(out: Path):
    records = load_records(out / "records.jsonl")
    record = next(r for r in records if r.arm == "Poorly differentiated")
    return record, dataset.cohort_key(record.arm)


def _extracted_rr(db: Path, key: str) -> float:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT rr_pct FROM records WHERE doc_id = ? AND cohort_key = ?", [PAPER, key]).fetchone()[0]
    finally:
        con.close()


def test_verdicts_are_a_curated_source_with_history(out_dir):
    db = out_dir / "evidence.duckdb"
    record, key = _poorly(out_dir)
    wrong = corrections.Correction(PAPER, record.study_id, key, "rr_pct", "wrong", "44.5", reviewer="Quill")
    right = corrections.Correction(PAPER, record.study_id, key, "os_median", "right", reviewer="Quill")
    drugs = corrections.Correction(PAPER, record.study_id, key, "drugs", "wrong", "drugamab, cisplatin", reviewer="Vell")
    assert corrections.record(db, [wrong, right, drugs]) == [1, 2, 3]
    again = corrections.Correction(PAPER, record.study_id, key, "rr_pct", "wrong", "45", reviewer="Vell")
    assert corrections.record(db, [again]) == [4]

    history = corrections.history(db)
    assert list(history["reviewer"]) == ["Quill", "Quill", "Vell", "Vell"]
    assert list(history["extracted_value"])[0] == json.dumps(record.rr_pct)
    assert list(history["corrected_value"]) == ["44.5", json.dumps(record.os_months.median), '["cisplatin", "drugamab"]',
                                                "45.0"]
    assert history["corrected_at"].notna().all()
    # extracted values untouched; the curated view applies the latest verdict
    assert _extracted_rr(db, key) == record.rr_pct
    con = duckdb.connect(str(db), read_only=True)
    curated = con.execute("SELECT rr_pct, drugs, os_median, corrected_fields, confirmed_fields FROM curated_records "
                          "WHERE doc_id = ? AND cohort_key = ?", [PAPER, key]).fetchone()
    con.close()
    assert curated == (45.0, ["cisplatin", "drugamab"], record.os_months.median, ["drugs", "rr_pct"], ["os_median"])
    # gold export: the reviewed paper's curated records, readable as gold
    written = corrections.export_gold(db, out_dir / "gold")
    assert [p.name for p in written] == [f"{PAPER}.gold.jsonl"]
    gold = {r.arm: r for r in load_records(written[0])}
    assert gold[record.arm].rr_pct == 45.0 and gold[record.arm].drugs == ["cisplatin", "drugamab"]
    assert len(gold) == len(load_records(out_dir / "records.jsonl"))
    # a refresh keeps the verdicts
    dataset.refresh(db, {PAPER: load_records(out_dir / "records.jsonl")})
    assert len(corrections.history(db)) == 4


def test_bad_verdicts_are_refused_whole(out_dir):
    db = out_dir / "evidence.duckdb"
    record, key = _poorly(out_dir)
    good = corrections.Correction(PAPER, record.study_id, key, "rr_pct", "wrong", "40")
    for bad, message in [(corrections.Correction(PAPER, record.study_id, key, "rr_pct", "wrong", "forty"), "double"),
                         (corrections.Correction(PAPER, "Nobody2000", key, "rr_pct", "right"), "no record"),
                         (corrections.Correction(PAPER, record.study_id, key, "evidence", "right"), "not a field that can be corrected"),
                         (corrections.Correction(PAPER, record.study_id, key, "rr_pct", "maybe"), "verdict")]:
        with pytest.raises(corrections.CorrectionError, match=message):
            corrections.record(db, [good, bad])
    assert corrections.history(db).empty


def test_apply_corrections_replays_a_saved_file(out_dir, tmp_path):
    db = out_dir / "evidence.duckdb"
    record, key = _poorly(out_dir)
    corrections.record(db, [corrections.Correction(PAPER, record.study_id, key, "pfs_median", "wrong", "9.5", "Quill"),
                            corrections.Correction(PAPER, record.study_id, key, "line", "right", None, "Quill")])
    saved = tmp_path / "corrections.jsonl"
    saved.write_text(corrections.to_file_lines(db), encoding="utf-8")
    fresh = tmp_path / "fresh"
    shutil.copytree(out_dir, fresh)
    (fresh / "evidence.duckdb").unlink()
    shutil.copy(out_dir / "evidence.duckdb", fresh / "evidence.duckdb")
    con = duckdb.connect(str(fresh / "evidence.duckdb"))
    con.execute("DELETE FROM corrections")
    con.close()
    result = CliRunner().invoke(app, ["apply-corrections", str(saved), "--out", str(fresh), "--gold", str(tmp_path / "g")])
    assert result.exit_code == 0, result.output
    assert "2 corrections written" in result.output
    replayed = corrections.history(fresh / "evidence.duckdb")
    assert list(replayed["field"]) == ["pfs_median", "line"] and list(replayed["reviewer"]) == ["Quill", "Quill"]
    gold = {r.arm: r for r in load_records(tmp_path / "g" / f"{PAPER}.gold.jsonl")}
    assert gold[record.arm].pfs_months.median == 9.5
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "x"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["apply-corrections", str(bad), "--out", str(fresh)])
    assert result.exit_code == 1 and "line 1: missing study_id, field, verdict" in result.output


@pytest.fixture
def server(out_dir):
    srv = make_server(out_dir, reviewer="Quill")
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=10)


def _request(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_the_server_is_local_and_takes_posts_from_its_own_page_only(server):
    base = server.origin
    assert server.server_address[0] == "127.0.0.1"
    status, body = _request(base + "/")
    assert status == 200 and b'action="/correct"' in body and b"<script" not in body
    form = b"doc_id=d01-mitry1999&study_id=Mitry1999&cohort_key=&field=rr_pct&verdict=right"
    assert _request(base + "/correct", form, {"Origin": "http://evil.example"})[0] == 403
    assert _request(base + "/correct", form)[0] == 403  # no Origin, no Referer
    assert _request(base + "/", headers={"Host": "evil.example"})[0] == 403  # DNS rebinding
    assert _request(base + "/pages/..%2Fevidence.duckdb")[0] == 404
    assert _request(base + "/correct", b"x" * (70 * 1024), {"Origin": base})[0] == 413
    assert corrections.history(server.db).empty


SHOTS = os.environ.get("GEPNEC_SHOTS_DIR")  # set to keep the screenshots (e.g. /tmp/review-shots)


@pytest.mark.skipif(cdp.chromium() is None, reason="Debian's chromium is not installed")
def test_a_correction_round_trip_in_chromium(server, out_dir, tmp_path):
    record, key = _poorly(out_dir)
    records = load_records(out_dir / "records.jsonl")
    n = records.index(record)
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    with cdp.Browser(server.origin + "/") as browser:
        browser.wait_for("document.readyState === 'complete' && !!document.querySelector('form.verdict')")
        # open the record's complete-response value: its evidence panel shows the page with the cell boxed
        card = f"rec-{PAPER}-{n}"
        link = f"#{card} a[href='#ev-{PAPER}-{n}-cr_pct']"
        browser.eval(f"document.querySelector(\"{link}\").click()")
        panel = f"document.getElementById('ev-{PAPER}-{n}-cr_pct')"
        assert browser.wait_for(f"getComputedStyle({panel}).display === 'block'")
        assert browser.wait_for(f"{panel}.querySelector('img').complete && {panel}.querySelector('img').naturalWidth > 500")
        cell = next(e for e in record.evidence if e.field == "cr_pct")
        assert cell.text in browser.eval(f"{panel}.innerText")
        box = browser.eval(f"(() => {{ const b = {panel}.querySelector('.box').getBoundingClientRect();"
                           f" const i = {panel}.querySelector('img').getBoundingClientRect();"
                           " return [b.width, b.height, i.width, b.left >= i.left, b.right <= i.right]; })()")
        assert 0 < box[0] < box[2] / 5 and box[1] > 0 and box[3] and box[4]  # a cell-sized box on the picture
        browser.eval(f"document.getElementById('{card}').scrollIntoView()")
        browser.screenshot(shots / "review-page.png")

        # correct the response rate: type the right value, press "wrong"
        form = f"#{card} form.verdict:has(input[name=field][value=rr_pct])"
        browser.eval(f"document.querySelector(\"{form} input[name=value]\").value = '44.5'")
        browser.eval(f"document.querySelector(\"{form} button[value=wrong]\").click()")
        message = browser.wait_for("document.readyState === 'complete' && location.search.includes('saved') "
                                   "&& document.getElementById('message')?.innerText")
        assert "correction 1 saved" in message and "rr_pct" in message
        # the page now shows the curated value and who gave it
        shown = browser.wait_for(f"document.querySelector(\"{form}\").closest('tr').innerText")
        assert "44.5" in shown and "wrong" in shown and "Quill" in shown
        # and confirm another value as right
        other = f"#{card} form.verdict:has(input[name=field][value=n_patients])"
        browser.eval(f"document.querySelector(\"{other} button[value=right]\").click()")
        browser.wait_for("location.search.includes('saved') && document.getElementById('message')"
                         "?.innerText.includes('correction 2')")
        # what the reviewer sees now: the corrected row, its evidence open beside it
        browser.eval(f"location.hash = 'ev-{PAPER}-{n}-rr_pct'")
        browser.wait_for(f"getComputedStyle(document.getElementById('ev-{PAPER}-{n}-rr_pct')).display === 'block'")
        browser.eval(f"document.querySelector(\"{form}\").closest('tr').scrollIntoView({{block: 'center'}})")
        browser.screenshot(shots / "review-after-correction.png")

    history = corrections.history(server.db)
    assert list(zip(history["field"], history["verdict"], history["reviewer"])) == [
        ("rr_pct", "wrong", "Quill"), ("n_patients", "right", "Quill")]
    assert history.loc[0, "corrected_value"] == "44.5"
    assert _extracted_rr(server.db, key) == record.rr_pct  # never overwritten
    curated = {r.arm: r for r in corrections.curated_records(server.db)}
    assert curated[record.arm].rr_pct == 44.5
    status, body = _request(server.origin + "/gold")
    assert status == 200 and {json.loads(line)["rr_pct"] for line in body.decode().splitlines()} >= {44.5}
