"""The batch library (gepnec_extract.batch and .orchestrate, no Prefect) and the Prefect flows in flows/.

The batch tests run twice (the ``run_batch`` fixture): through the library's orchestration, as
`gepnec-extract run` does without PREFECT_API_URL, and through the Prefect flow batch_extract on
Prefect's test harness (a temporary server on a throwaway SQLite database, PREFECT_HOME in a temp
dir); if that server cannot start on a loaded machine the Prefect cases skip rather than fail.

The records stage is still a placeholder that returns no records, so where a test needs records
flowing through the batch it stands in the dev papers' gold records (test data read from
../shared) for the records stage's output; ingest runs for real on real files.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from gepnec_extract import batch, dataset, pipeline
from gepnec_extract.ingest.errors import ParseTimeoutError
from gepnec_extract.model import StudyRecord

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared"
DEV = SHARED / "corpus" / "dev"
BAD = SHARED / "corpus" / "bad"
REVIEW_TXT = REPO / "corpus" / "review" / "review.txt"
PAPER = "d01-mitry1999"

# flows/ is a folder of the repository, installed as the package gepnec_flows (pyproject's
# package-dir; the editable install of `make setup` maps the name to this checkout's folder).


def _need_shared() -> None:
    if not (DEV / f"{PAPER}.pdf").exists() or not BAD.exists():
        pytest.skip("../shared corpus not present")


def _gold(stem: str) -> list[StudyRecord]:
    lines = (DEV / f"{stem}.gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [StudyRecord.model_validate_json(line) for line in lines if line.strip()]


@pytest.fixture
def papers(tmp_path) -> Path:
    """A folder with the review (text), one dev PDF and two malformed PDFs."""
    _need_shared()
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(REVIEW_TXT, folder / "review.txt")
    shutil.copy(DEV / f"{PAPER}.pdf", folder / f"{PAPER}.pdf")
    shutil.copy(BAD / "garbage.pdf", folder / "garbage.pdf")
    shutil.copy(BAD / "not-a-pdf.pdf", folder / "not-a-pdf.pdf")
    return folder


@pytest.fixture
def gold_records_stage(monkeypatch):
    """Stand in the dev paper's gold records for the (placeholder) records stage."""
    _need_shared()
    gold = _gold(PAPER)
    monkeypatch.setattr(pipeline, "extract_records", lambda doc, tagged=None: gold if doc.doc_id == PAPER else [])
    return gold


# ---------------------------------------------------------------------------------------------
# Library, no Prefect
# ---------------------------------------------------------------------------------------------


def test_discover_papers_from_folder_and_manifest(papers, tmp_path):
    found = batch.discover_papers([papers])
    assert [p.name for p in found] == sorted(["review.txt", f"{PAPER}.pdf", "garbage.pdf", "not-a-pdf.pdf"])
    manifest = tmp_path / "papers.list"
    manifest.write_text(f"# two papers\npapers/review.txt\n\n{papers / 'garbage.pdf'}\npapers/review.txt\n")
    assert batch.discover_papers([manifest]) == [papers / "review.txt", papers / "garbage.pdf"]


def test_extract_payload_is_json_and_types_bad_files(papers):
    ok = batch.extract_payload(papers / "review.txt", sha256="abc")
    assert ok["status"] == "ok" and ok["doc_id"] == "review" and ok["pages"] >= 1
    assert json.loads(json.dumps(ok)) == ok  # plain JSON, nothing pickled
    assert "neuroendocrine" in " ".join(b["text"] for b in ok["document"]["blocks"]).lower()
    not_pdf = batch.extract_payload(papers / "not-a-pdf.pdf")
    assert (not_pdf["status"], not_pdf["kind"], not_pdf["file"]) == ("failed", "not_a_pdf", str(papers / "not-a-pdf.pdf"))
    assert batch.extract_payload(papers / "garbage.pdf")["kind"] == "corrupt_pdf"


def test_restamp_gives_a_cached_payload_the_new_file_identity(papers, gold_records_stage):
    payload = batch.extract_payload(papers / f"{PAPER}.pdf")
    assert len(payload["records"]) == len(gold_records_stage)
    moved = batch.restamp(payload, "/elsewhere/renamed.pdf")
    assert moved["doc_id"] == "renamed" and moved["document"]["source"] == "renamed.pdf"
    assert {r["doc_id"] for r in moved["records"]} == {"renamed"}
    assert payload["doc_id"] == PAPER  # the cached original is not mutated


def test_write_outputs(papers, gold_records_stage, tmp_path):
    payloads = [batch.extract_payload(p) for p in batch.discover_papers([papers])]
    paths = batch.write_outputs(tmp_path / "out", payloads)
    lines = paths["records_jsonl"].read_text().splitlines()
    assert [StudyRecord.model_validate_json(line) for line in lines] == gold_records_stage
    assert "records_csv" not in paths and not (tmp_path / "out" / "records.csv").exists()  # the dataset's export
    failures = [json.loads(line) for line in paths["failures_jsonl"].read_text().splitlines()]
    assert sorted(f["kind"] for f in failures) == ["corrupt_pdf", "not_a_pdf"]
    assert (tmp_path / "out" / "documents" / f"{PAPER}.document.json").exists()
    per_doc = {p.name: p.read_text().count("\n") for p in (tmp_path / "out" / "records").iterdir()}
    assert per_doc == {f"{PAPER}.records.jsonl": len(gold_records_stage), "review.records.jsonl": 0}


# ---------------------------------------------------------------------------------------------
# Flows (Prefect test harness)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    saved = {k: os.environ.get(k) for k in ("PREFECT_HOME", "PREFECT_SERVER_ANALYTICS_ENABLED")}
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from prefect.testing.utilities import prefect_test_harness

    harness = prefect_test_harness(server_startup_timeout=180)
    try:
        harness.__enter__()
    except Exception as error:  # noqa: BLE001 - a server that will not start is the machine's problem
        pytest.skip(f"Prefect test server did not start: {error}")
    yield
    harness.__exit__(None, None, None)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(params=["library", "prefect"])
def run_batch(request):
    """The batch as the CLI runs it without PREFECT_API_URL (gepnec_extract.orchestrate, no Prefect)
    and as the Prefect flow batch_extract (on the test server)."""
    if request.param == "library":
        from gepnec_extract.orchestrate import run_library_batch

        return run_library_batch
    request.getfixturevalue("prefect_server")
    from gepnec_flows import run_batch as prefect_run_batch

    return prefect_run_batch


def test_batch_extract_outputs_failures_and_cache(run_batch, papers, gold_records_stage, tmp_path, monkeypatch):
    out = tmp_path / "out"
    seen = []  # the progress display hears of every paper as the flow collects it
    first = run_batch([papers], out, progress=lambda payload: seen.append((payload["doc_id"], payload["status"])))
    assert (first.files, first.ok, first.failed, first.cached) == (4, 2, 2, 0)
    assert sorted(status for _, status in seen) == ["failed", "failed", "ok", "ok"]
    assert sorted((Path(f["file"]).name, f["kind"]) for f in first.failures) == [
        ("garbage.pdf", "corrupt_pdf"), ("not-a-pdf.pdf", "not_a_pdf")]
    assert first.records == len(gold_records_stage)
    assert first.refresh["added"] == len(gold_records_stage)
    for name in ("records.jsonl", "records.csv", "failures.jsonl", "evidence.duckdb", "evidence.parquet"):
        assert (out / name).is_file(), name
    con = duckdb.connect(str(out / "evidence.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM records WHERE doc_id = ?", [PAPER]).fetchone()[0] == len(gold_records_stage)
    assert con.execute(f"SELECT count(*) FROM '{out / 'evidence.parquet'}'").fetchone()[0] == len(gold_records_stage)
    con.close()

    # Unchanged files: every paper (failures included) comes from the cache; the dataset is unchanged.
    second = run_batch([papers], out)
    assert (second.cached, second.ok, second.failed, second.records) == (4, 2, 2, first.records)
    assert (second.refresh["added"], second.refresh["changed"], second.refresh["removed"]) == (0, 0, 0)

    # Same bytes under a new name: still a cache hit, under the new file's identity.
    shutil.copy(papers / f"{PAPER}.pdf", papers / "renamed-copy.pdf")
    third = run_batch([papers], out)
    assert (third.files, third.cached) == (5, 5)
    jsonl = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert sum(r["doc_id"] == "renamed-copy" for r in jsonl) == len(gold_records_stage)

    # A new pipeline version re-extracts everything; only the renamed copy, run after the file it
    # copies (one worker, sorted order), hits the entry that file has just written.
    monkeypatch.setattr(pipeline, "PIPELINE_VERSION", pipeline.PIPELINE_VERSION + "-changed")
    fourth = run_batch([papers], out)
    assert (fourth.files, fourth.cached, fourth.ok) == (5, 1, 3)


def test_transient_errors_are_retried_ingest_errors_are_not(run_batch, papers, tmp_path, monkeypatch):
    from gepnec_extract import orchestrate

    calls: dict[str, int] = {}
    real_extract = pipeline.extract_paper
    flaky = papers / "flaky.txt"
    shutil.copy(REVIEW_TXT, flaky)
    (papers / "broken.txt").write_text("a paper whose reads always fail\n")
    (papers / "slow.txt").write_text("a paper whose parse times out\n")

    def extract_with_faults(path, limits=None, parsed=None):
        name = Path(path).name
        calls[name] = calls.get(name, 0) + 1
        if name == "broken.txt" or (name == "flaky.txt" and calls[name] == 1):
            raise OSError(f"simulated I/O error reading {name}")
        if name == "slow.txt":  # a typed IngestError that is raised, not cached: still no retry
            raise ParseTimeoutError(path, "simulated: parse took longer than the limit")
        return real_extract(path, limits, parsed)

    monkeypatch.setattr(pipeline, "extract_paper", extract_with_faults)
    monkeypatch.setattr(orchestrate, "RETRY_DELAY_S", 0.01)
    names = ["flaky.txt", "broken.txt", "slow.txt", "garbage.pdf"]
    result = run_batch([papers / n for n in names], tmp_path / "out")

    assert calls == {"flaky.txt": 2, "broken.txt": 1 + orchestrate.RETRIES, "slow.txt": 1, "garbage.pdf": 1}
    assert (result.ok, result.failed) == (1, 3)
    kinds = {Path(f["file"]).name: f["kind"] for f in result.failures}
    assert kinds == {"broken.txt": "error:OSError", "slow.txt": "timeout", "garbage.pdf": "corrupt_pdf"}


@pytest.mark.slow
def test_two_worker_processes_give_the_outcomes_of_one_and_keep_the_progress_home(papers, tmp_path):
    """``workers=2`` without an address: a pool of worker processes. Bad files fail per document
    with their kinds, the records equal one worker's, and the progress callback (which holds a
    lock, as rich's display does) stays in this process."""
    import threading

    from gepnec_extract.orchestrate import run_library_batch

    lock, seen = threading.RLock(), []

    def progress(payload):
        with lock:
            seen.append(payload["doc_id"])

    two = run_library_batch([papers], tmp_path / "two", workers=2, progress=progress)
    one = run_library_batch([papers], tmp_path / "one")
    assert (two.files, two.ok, two.failed, two.cached) == (4, 2, 2, 0)
    assert sorted((Path(f["file"]).name, f["kind"]) for f in two.failures) == [
        ("garbage.pdf", "corrupt_pdf"), ("not-a-pdf.pdf", "not_a_pdf")]
    assert sorted(seen) == sorted(batch.assign_doc_ids(batch.discover_papers([papers]))[0].values())
    records = [(tmp_path / name / "records.jsonl").read_text().splitlines() for name in ("one", "two")]
    assert records[0] and sorted(records[0]) == sorted(records[1])


def test_batch_on_a_dask_cluster_shares_the_cache(run_batch, papers, tmp_path):
    from distributed import LocalCluster

    out = tmp_path / "out"
    # one in-process worker thread: two threads would share one NLP pipeline, and scispaCy's
    # abbreviation detector is not thread-safe (KeyError from its shared matcher)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        on_dask = run_batch([papers], out, dask_address=cluster.scheduler_address)
    assert (on_dask.files, on_dask.ok, on_dask.failed, on_dask.cached) == (4, 2, 2, 0)
    on_threads = run_batch([papers], out)  # results written by the Dask workers are cache hits here
    assert on_threads.cached == 4


def test_extract_paper_flow(prefect_server, papers):
    from gepnec_flows import extract_paper

    ok = extract_paper(str(papers / "review.txt"))
    assert (ok["status"], ok["doc_id"]) == ("ok", "review")
    failed = extract_paper(str(papers / "not-a-pdf.pdf"))
    assert (failed["status"], failed["kind"]) == ("failed", "not_a_pdf")


def test_refresh_dataset_flow(prefect_server, tmp_path):
    _need_shared()
    from gepnec_flows import refresh_dataset

    sources = [str(DEV / f"{stem}.gold.jsonl") for stem in (PAPER, "d09-lu2013")]
    expected = len(_gold(PAPER)) + len(_gold("d09-lu2013"))
    db = tmp_path / "evidence.duckdb"
    first = refresh_dataset(sources, str(db))
    assert (first["added"], first["n_records"]) == (expected, expected)
    assert Path(first["parquet"]).is_file()
    again = refresh_dataset(sources, str(db))
    assert (again["added"], again["changed"], again["removed"]) == (0, 0, 0)


def test_evaluate_flow_scores_batch_style_predictions(prefect_server, tmp_path):
    _need_shared()
    from gepnec_flows import evaluate

    gold = _gold(PAPER)
    pred_dir, gold_dir = tmp_path / "records", tmp_path / "gold"
    gold_dir.mkdir()
    shutil.copy(DEV / f"{PAPER}.gold.jsonl", gold_dir)
    # The per-document files batch_extract writes, here holding the gold with one value wrong.
    wrong = [gold[0].model_copy(update={"rr_pct": (gold[0].rr_pct or 0) + 10}), *gold[1:]]
    batch.write_records_per_doc(pred_dir, {PAPER: wrong})
    report = evaluate(str(pred_dir), str(gold_dir))
    assert json.loads(json.dumps(report)) == report
    assert report["overall"]["fp"] == 1 and report["overall"]["fn"] == 1
    assert report["overall"]["f1"] < 1.0


# ---------------------------------------------------------------------------------------------
# The cache is data only; hostile entries are misses, never code
# ---------------------------------------------------------------------------------------------


class _WritesMarker:
    """Unpickling this opens (creates) the marker file: a stand-in for any code in a pickle."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _prefect_pickle_record(marker: Path) -> bytes:
    """A result file as Prefect writes it, naming the pickle serializer and holding code."""
    from prefect._internal.result_records import ResultRecord, ResultRecordMetadata
    from prefect.serializers import PickleSerializer

    metadata = ResultRecordMetadata(serializer=PickleSerializer(), storage_key="x", expiration=None)
    return ResultRecord(metadata=metadata, result=_WritesMarker(marker)).serialize()


def _ok_payload(sha: str) -> dict:
    from gepnec_extract.model import Block, Document

    doc = Document(doc_id="p", source="p.txt", pages=1, blocks=[Block(page=1, text="Quill et al. treated 12 patients.")])
    record = StudyRecord(doc_id="p", study_id="Quill2001", n_patients=12)
    return {"status": "ok", "file": "p.txt", "doc_id": "p", "sha256": sha, "pipeline_version": pipeline.PIPELINE_VERSION,
            "pages": 1, "warnings": [], "document": doc.model_dump(mode="json"), "records": [record.model_dump(mode="json")]}


def test_cache_entries_are_data_only_keyed_and_verified(tmp_path):
    from gepnec_extract import cache
    from gepnec_extract.ingest.limits import Limits

    store, sha = cache.PayloadCache(tmp_path / "cache"), "ab" * 32
    key = cache.cache_key(sha, pipeline.PIPELINE_VERSION, Limits())
    assert key != cache.cache_key(sha, pipeline.PIPELINE_VERSION, Limits(timeout_s=1))  # keyed to the limits
    assert store.get(key, sha, pipeline.PIPELINE_VERSION) is None
    store.put(key, _ok_payload(sha))
    assert store.get(key, sha, pipeline.PIPELINE_VERSION)["records"][0]["n_patients"] == 12
    assert json.loads(store.path(key).read_text())["checked"] is True  # checked against the models once, when stored

    path = store.path(key)
    edited = path.read_text().replace('"n_patients":12', '"n_patients":999')
    assert edited != path.read_text()
    path.write_text(edited)
    with pytest.raises(cache.CacheMiss, match="modified"):
        store.get(key, sha, pipeline.PIPELINE_VERSION)

    # Control: Prefect itself runs the code in such a file (so the check below can fail) ...
    control, marker = tmp_path / "control-marker", tmp_path / "marker"
    from prefect._internal.result_records import ResultRecord

    ResultRecord.deserialize(_prefect_pickle_record(control))
    assert control.exists()
    # ... our cache does not, whether the file is Prefect's record or a bare pickle.
    import pickle

    for hostile in (_prefect_pickle_record(marker), pickle.dumps(_WritesMarker(marker))):
        path.write_bytes(hostile)
        with pytest.raises(cache.CacheMiss):
            store.get(key, sha, pipeline.PIPELINE_VERSION)
        assert not marker.exists()

    # A correctly signed entry whose record breaks the model (an unknown field) is a miss too.
    bad = _ok_payload(sha)
    bad["records"][0]["drugz"] = ["x"]
    store.put(key, bad)
    assert "checked" not in json.loads(store.path(key).read_text())
    with pytest.raises(cache.CacheMiss, match="models"):
        store.get(key, sha, pipeline.PIPELINE_VERSION)
    # ... and cannot skip that check by claiming it was made: the claim is signed with the payload
    claimed = json.loads(store.path(key).read_text())
    store.path(key).write_text(json.dumps({**claimed, "checked": True}))
    with pytest.raises(cache.CacheMiss, match="modified"):
        store.get(key, sha, pipeline.PIPELINE_VERSION)
    store.put(key, _ok_payload("cd" * 32))
    with pytest.raises(cache.CacheMiss, match="another file"):  # an entry never serves other bytes
        store.get(key, sha, pipeline.PIPELINE_VERSION)


@pytest.fixture
def one_record_per_paper(monkeypatch):
    """A records stage that gives each paper one record named after the paper's first word."""
    def records(doc, tagged=None):
        word = doc.full_text().split()[0].strip(".").capitalize() if doc.blocks else "None"
        return [StudyRecord(doc_id=doc.doc_id, study_id=f"{word}2001", n_patients=len(doc.full_text()))]

    monkeypatch.setattr(pipeline, "extract_records", records)


def test_poisoned_cache_entries_are_misses_and_the_papers_are_extracted_again(run_batch, tmp_path,
                                                                               one_record_per_paper):
    folder, out = tmp_path / "papers", tmp_path / "out"
    folder.mkdir()
    (folder / "quill.txt").write_text("Quill et al. treated twelve patients with drugamab.\n")
    (folder / "vash.txt").write_text("Vash et al. treated nine patients with drugamab.\n")
    first = run_batch([folder], out)
    assert (first.ok, first.cached) == (2, 0)
    entries = sorted((out / "cache").glob("*.payload.json"))
    assert len(entries) == 2
    marker = tmp_path / "marker"
    entries[0].write_bytes(_prefect_pickle_record(marker))  # code, naming its own serializer
    data = json.loads(entries[1].read_text())  # a signed entry whose record breaks the schema
    from gepnec_extract import cache

    data["payload"]["records"][0]["n_patients"] = "many"
    cache.PayloadCache(out / "cache").put(data["key"], data["payload"])

    second = run_batch([folder], out)
    assert not marker.exists()
    assert (second.ok, second.failed, second.cached) == (2, 0, 0)  # both extracted again, none failed
    assert sum("cache entry ignored" in w for w in second.warnings) == 2
    assert sorted(r.n_patients for r in dataset.load_records(out / "evidence.duckdb")) == sorted(
        len((folder / n).read_text().strip()) for n in ("quill.txt", "vash.txt"))
    third = run_batch([folder], out)  # the entries were replaced by good ones
    assert third.cached == 2 and not third.warnings


def test_same_stems_get_unique_doc_ids_and_outputs_agree_with_the_dataset(run_batch, tmp_path,
                                                                          one_record_per_paper):
    for sub, word in (("a", "Quill"), ("b", "Vash")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "paper.txt").write_text(f"{word} et al. treated patients with drugamab.\n")
    (tmp_path / "a" / "paper.pdf").write_bytes((BAD / "garbage.pdf").read_bytes() if BAD.exists() else b"%PDF-1.4 junk")
    out = tmp_path / "out"
    result = run_batch([tmp_path / "a", tmp_path / "b"], out)
    ids = sorted(json.loads(line)["doc_id"] for line in (out / "records.jsonl").read_text().splitlines())
    assert ids == ["paper-2", "paper-3"]  # a/paper.pdf (first, failed) is "paper"; the two texts follow
    assert len([w for w in result.warnings if "already taken" in w]) == 2
    assert result.records == 2 == len(dataset.load_records(out / "evidence.duckdb"))
    assert result.failed == 1 and result.failures[0]["kind"] == "corrupt_pdf"
    assert not list(out.glob("*.tmp*")) and not list(out.glob("*/*.tmp*"))  # no temporary file left

    # The good paper is replaced by an undecodable file: its record is kept, and the run says so.
    (tmp_path / "b" / "paper.txt").write_bytes(bytes(range(256)) * 40)
    again = run_batch([tmp_path / "a", tmp_path / "b"], out)
    kinds = sorted(f["kind"] for f in again.failures)
    assert kinds == ["corrupt_pdf", "undecodable_text"]
    assert any("earlier record(s) are kept" in w for w in again.warnings)
    rows = dataset.load_records(out / "evidence.duckdb")
    assert len(rows) == 2
    assert len((out / "records.jsonl").read_text().splitlines()) == len(rows)  # records.jsonl = the dataset


# ---------------------------------------------------------------------------------------------
# kill -9 of `gepnec-extract run` at several moments (slow: each is a real run in a subprocess)
# ---------------------------------------------------------------------------------------------


def _run_command(papers: Path, out: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "gepnec_extract.cli", "run", str(papers), "--out", str(out), "--no-report", *options]


def _ended_by_ctrl_c(returncode: int) -> bool:
    """The run's exit after Ctrl-C: 130 from cli.main, or death by SIGINT once its cleanup ran (a
    shell reports both as 130). Under ``python -m`` CPython 3.11 ends a process by SIGINT whenever
    a KeyboardInterrupt went through code run by exec() of a string, even one caught later: a
    Ctrl-C while a module defines a dataclass (whose methods dataclasses builds with exec) does
    that. A KeyboardInterrupt that no one caught prints a traceback, which the tests check for."""
    import signal

    return returncode in (130, -signal.SIGINT)


def _run_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(home), PYTHONPATH=str(REPO / "src"))
    return env


def _wait_for(condition, process, limit_s: float = 600.0) -> bool:
    """Poll until condition() holds or the process ends (a generous bound, not a timing claim)."""
    import time

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and process.poll() is None:
        if condition():
            return True
        time.sleep(0.01)
    return False


def _dataset_rows(out: Path) -> int:
    con = duckdb.connect(str(out / "evidence.duckdb"), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM records").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def kill_papers(tmp_path_factory) -> Path:
    _need_shared()
    folder = tmp_path_factory.mktemp("kill-papers")
    shutil.copy(DEV / f"{PAPER}.pdf", folder / f"{PAPER}.pdf")
    for word in ("Quill", "Vash", "Orrin"):
        (folder / f"{word.lower()}.txt").write_text(
            f"{word} et al. treated 20 patients with drugamab 100 mg/m2 on day 1 every 3 weeks.\n\n"
            "The response rate was 30% and the median overall survival was 9 months.\n")
    return folder


def _cmdline(process) -> str:
    import psutil

    try:
        return " ".join(process.cmdline())
    except psutil.Error:  # gone, or a zombie already
        return ""


MOMENTS = {  # without PREFECT_API_URL there is no Prefect server: the first moment is the parser's
    "parser-up": lambda out, tree: any("forkserver" in _cmdline(p) for p in tree()),
    "first-cache-entry": lambda out, tree: any((out / "cache").glob("*.payload.json")),
    "dataset-refresh": lambda out, tree: any(out.glob("evidence.duckdb.tmp-*")) or (out / "records.jsonl").exists(),
}


def _kill_run_at(moment: str, papers: Path, out: Path, env: dict[str, str], *options: str) -> list[str]:
    """Start `gepnec-extract run`, kill -9 it (its main process only) when ``moment`` is reached,
    and check that none of its processes lives on and that the dataset reopens; the command lines
    of the processes it had started."""
    import signal
    import subprocess

    import psutil

    process = subprocess.Popen(_run_command(papers, out, *options), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    parent = psutil.Process(process.pid)
    seen: dict[int, psutil.Process] = {}
    lines: dict[int, str] = {}  # pid -> its latest command line seen alive (after an exec, the new one)

    def tree() -> list[psutil.Process]:
        try:
            for child in parent.children(recursive=True):
                seen.setdefault(child.pid, child)
                lines[child.pid] = _cmdline(child) or lines.get(child.pid, "")
        except psutil.Error:
            pass
        return list(seen.values())

    reached = _wait_for(lambda: MOMENTS[moment](out, tree), process)
    tree()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert reached or process.returncode == 0, f"the run ended before {moment}"
    # No process of ours outlives the run (the fork server, parser children), and none was a
    # Prefect server (the run has no PREFECT_API_URL: it starts none).
    _gone, alive = psutil.wait_procs(list(seen.values()), timeout=60)
    assert not alive, (moment, [_cmdline(p) for p in alive])
    command_lines = list(lines.values())
    assert not any("uvicorn" in line or "prefect" in line for line in command_lines)
    if (out / "evidence.duckdb").exists():
        _dataset_rows(out)  # reopens
    return command_lines


@pytest.mark.slow
def test_kill_9_leaves_no_process_and_a_consistent_out_dir(kill_papers, tmp_path):
    """kill -9 at each moment in turn (into one out dir, a paper changed between the kills so each
    run has work to do), then one normal run: its outputs agree with the dataset."""
    import subprocess

    out, env = tmp_path / "out", _run_env(tmp_path / "prefect-home")
    for number, moment in enumerate(MOMENTS):
        with (kill_papers / "quill.txt").open("a") as fh:
            fh.write(f"\nA further {number} patients were treated.\n")
        _kill_run_at(moment, kill_papers, out, env)

    done = subprocess.run(_run_command(kill_papers, out), env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = _dataset_rows(out)
    assert rows > 0
    assert len((out / "records.jsonl").read_text().splitlines()) == rows
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM '{out / 'evidence.parquet'}'").fetchone()[0] == rows
    leftovers = [p.name for p in out.rglob("*") if ".tmp" in p.name]
    assert not leftovers, leftovers


@pytest.mark.slow
def test_kill_9_of_a_two_worker_run_leaves_no_worker_behind(kill_papers, tmp_path):
    """`run --workers 2` killed once a paper is cached: its worker processes (spawned, each with a
    fork server and parser children) end with it; the next run finishes the batch."""
    import subprocess

    out, env = tmp_path / "out", _run_env(tmp_path / "prefect-home")
    started = _kill_run_at("first-cache-entry", kill_papers, out, env, "--workers", "2")
    assert sum("multiprocessing.spawn" in line for line in started) >= 1, started  # the pool's workers
    assert not any("dask" in line or "distributed" in line for line in started)  # no cluster for local workers
    done = subprocess.run(_run_command(kill_papers, out, "--workers", "2"), env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _dataset_rows(out) == len((out / "records.jsonl").read_text().splitlines()) > 0


@pytest.mark.slow
def test_ctrl_c_of_a_two_worker_run_exits_130_with_no_traceback_and_no_process_left(kill_papers, tmp_path):
    """Ctrl-C as a terminal sends it (SIGINT to the run's whole process group) while the pool's
    workers start and this process extracts: exit 130, no traceback from the run or its workers,
    none of its processes left; the next run finishes the batch."""
    import signal
    import subprocess

    import psutil

    out, env = tmp_path / "out", _run_env(tmp_path / "prefect-home")
    with (tmp_path / "stderr.txt").open("w+") as stderr:
        process = subprocess.Popen(_run_command(kill_papers, out, "--workers", "2"), env=env,
                                   stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        parent, seen = psutil.Process(process.pid), {}

        def tree() -> list:
            try:
                for child in parent.children(recursive=True):
                    seen.setdefault(child.pid, child)
            except psutil.Error:
                pass
            return list(seen.values())

        assert _wait_for(lambda: MOMENTS["parser-up"](out, tree), process), "the run ended before its parser started"
        tree()
        os.killpg(process.pid, signal.SIGINT)
        assert _ended_by_ctrl_c(process.wait(timeout=300)), process.returncode
        stderr.seek(0)
        said = stderr.read()
    assert "Traceback" not in said, said[-3000:]
    _gone, alive = psutil.wait_procs(list(seen.values()), timeout=60)
    assert seen and not alive, [_cmdline(p) for p in alive]
    done = subprocess.run(_run_command(kill_papers, out, "--workers", "2"), env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _dataset_rows(out) == len((out / "records.jsonl").read_text().splitlines()) > 0


@pytest.mark.slow
def test_ctrl_c_while_pictures_are_drawn_ahead_leaves_no_picture_process_and_a_whole_next_report(kill_papers,
                                                                                               tmp_path):
    """Ctrl-C while a paper's page pictures are drawn ahead of the report (as the batch goes on):
    exit 130 with no traceback, the picture process ends with the run (it dies with the thread
    that waits for it), and the next run's report shows every picture whole."""
    import json
    import signal
    import subprocess
    import time

    import psutil
    from PIL import Image

    out, env = tmp_path / "out", _run_env(tmp_path / "prefect-home")
    command = [c for c in _run_command(kill_papers, out) if c != "--no-report"]
    with (tmp_path / "stderr.txt").open("w+") as stderr:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        parent, pictures = psutil.Process(process.pid), []

        def drawing() -> bool:
            try:
                pictures[:] = [p for p in parent.children(recursive=True) if "evidence_pages" in _cmdline(p)]
            except psutil.Error:
                pass
            return bool(pictures)

        assert _wait_for(drawing, process), "the run ended before it drew a picture"
        os.killpg(process.pid, signal.SIGINT)
        assert _ended_by_ctrl_c(process.wait(timeout=300)), process.returncode
        stderr.seek(0)
        said = stderr.read()
    assert "Traceback" not in said, said[-3000:]
    deadline = time.monotonic() + 60

    def ended(p) -> bool:
        try:
            return p.status() == psutil.STATUS_ZOMBIE
        except psutil.Error:
            return True

    while time.monotonic() < deadline and not all(ended(p) for p in pictures):
        time.sleep(0.05)
    assert all(ended(p) for p in pictures), [_cmdline(p) for p in pictures]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    index = json.loads((out / "pages" / "index.json").read_text(encoding="utf-8"))
    names = [page["image"] for paper in index.values() for page in paper["pages"].values()]
    assert names and all(f'src="pages/{name}"' in (out / "report.html").read_text(encoding="utf-8") for name in names)
    for name in names:
        with Image.open(out / "pages" / name) as picture:
            picture.load()  # a picture cut short by the stop would fail here


def _rss_mib(process) -> float:
    import psutil

    try:
        return process.memory_info().rss / 2**20
    except psutil.Error:
        return 0.0


@pytest.mark.slow
def test_the_parsers_fork_server_never_takes_ctrl_c(kill_papers, tmp_path):
    """The parser's fork server, started from a shielded thread, has SIGINT blocked from its
    first instruction: a SIGINT while it still imports the PDF readers (as a terminal's Ctrl-C
    reaches every process of the group) changes nothing, and the run ends as usual. (Before, the
    resource tracker's start unblocked SIGINT in that thread, and the server printed a
    KeyboardInterrupt traceback.)"""
    import signal
    import subprocess

    import psutil

    out, env = tmp_path / "out", _run_env(tmp_path / "prefect-home")
    with (tmp_path / "stderr.txt").open("w+") as stderr:
        process = subprocess.Popen(_run_command(kill_papers, out), env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        parent, servers = psutil.Process(process.pid), []

        def importing() -> bool:  # past the interpreter's start, still importing pdfplumber
            try:
                servers[:] = [p for p in parent.children(recursive=True)
                              if "forkserver" in _cmdline(p) and _rss_mib(p) > 20]
            except psutil.Error:
                pass
            return bool(servers)

        assert _wait_for(importing, process), "the run ended before its parser started"
        servers[0].send_signal(signal.SIGINT)
        assert process.wait(timeout=600) == 0
        stderr.seek(0)
        said = stderr.read()
    assert "Traceback" not in said and "KeyboardInterrupt" not in said, said[-3000:]
    assert _dataset_rows(out) == len((out / "records.jsonl").read_text().splitlines()) > 0


def test_limit_failures_are_cached_for_the_limits_used(run_batch, tmp_path, monkeypatch):
    folder, out = tmp_path / "papers", tmp_path / "out"
    folder.mkdir()
    (folder / "one-line.txt").write_bytes(b"word " * 60_000)  # one paragraph of 300 000 characters
    first = run_batch([folder], out)
    assert [f["kind"] for f in first.failures] == ["resource_limit"] and first.cached == 0
    assert run_batch([folder], out).cached == 1  # not paid again
    monkeypatch.setenv("GEPNEC_MAX_CHARS_PER_PAGE", "400000")  # other limits: read again, and now it fits
    third = run_batch([folder], out)
    assert (third.cached, third.ok) == (0, 1)


@pytest.mark.slow
def test_with_prefect_api_url_the_main_job_and_each_paper_are_recorded(prefect_server, tmp_path):
    """`gepnec-extract run` with PREFECT_API_URL: the main job is the flow "run", the batch its
    subflow with one task run per paper, all on that server (here the test harness's)."""
    import subprocess

    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterId
    from prefect.settings import PREFECT_API_URL

    folder, out = tmp_path / "papers", tmp_path / "out"
    folder.mkdir()
    for word in ("Quill", "Vash"):
        (folder / f"{word.lower()}.txt").write_text(f"{word} et al. treated 20 patients with drugamab.\n")
    env = {**_run_env(tmp_path / "prefect-home"), "PREFECT_API_URL": PREFECT_API_URL.value()}
    done = subprocess.run(_run_command(folder, out), env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(p.name for p in (out / "records").iterdir()) == ["quill.records.jsonl", "vash.records.jsonl"]

    with get_client(sync_client=True) as client:
        def runs_of(name: str):
            return [r for r in client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[name])))
                    if r.parameters.get("out_dir") == str(out)]

        (main,), (batch_run,) = runs_of("run"), runs_of("batch-extract")
        assert main.state.is_completed() and batch_run.state.is_completed()
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[batch_run.id])))
        assert len(tasks) == 2 and all(t.name.startswith("extract-paper") for t in tasks)
        assert all(t.state.is_completed() for t in tasks)
        parent = client.read_task_run(batch_run.parent_task_run_id)  # the subflow's place in the main job
        assert parent.flow_run_id == main.id


@pytest.mark.slow
def test_prefect_flow_on_two_worker_processes_keeps_the_progress_callback_home(prefect_server, papers, tmp_path):
    """The progress callback holds a lock (as rich's display does): it must never travel to a worker."""
    import threading

    from gepnec_flows import run_batch

    lock, seen = threading.RLock(), []

    def progress(payload):
        with lock:
            seen.append(payload["doc_id"])

    result = run_batch([papers], tmp_path / "out", workers=2, progress=progress)
    assert (result.files, result.ok, result.failed) == (4, 2, 2)
    assert sorted(seen) == sorted(batch.assign_doc_ids(batch.discover_papers([papers]))[0].values())
