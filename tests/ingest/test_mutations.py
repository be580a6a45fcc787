"""The mutation corpus (mutations.py): every hostile PDF ends in a Document or a typed error, in time.

Each case runs in the sandbox with small limits; elapsed time and the child's peak resident
memory are recorded and printed at the end of the session (slowest case, largest peak).
"""

from __future__ import annotations

import json
from pathlib import Path

import psutil
import pytest

from gepnec_extract.ingest.errors import IngestError
from gepnec_extract.ingest.limits import Limits
from gepnec_extract.ingest.sandbox import run_sandboxed

from ..conftest import REVIEW_PDF
from .mutations import DOCUMENT, MUTATIONS, Sources, write_corpus

LIMITS = Limits(timeout_s=10, memory_mb=1024, max_pages=500, max_chars_per_page=250_000)
GRACE_S = 15  # child start-up, kill and reap on a busy 2-core machine
BY_NAME = {mutation.name: mutation for mutation in MUTATIONS}


@pytest.fixture(scope="session")
def corpus(shared_corpus, tmp_path_factory) -> dict[str, Path]:
    sources = Sources(paper=(shared_corpus / "dev" / "d01-mitry1999.pdf").read_bytes(),
                      review=REVIEW_PDF.read_bytes())
    return write_corpus(tmp_path_factory.mktemp("mutations"), sources)


@pytest.fixture(scope="session")
def costs(request, tmp_path_factory) -> dict[str, dict]:
    """name -> outcome, seconds, peak MB; summarised when the session ends."""
    recorded: dict[str, dict] = {}

    def summarise() -> None:
        if not recorded:
            return
        slowest = max(recorded.items(), key=lambda item: item[1]["seconds"])
        hungriest = max(recorded.items(), key=lambda item: item[1]["peak_mb"])
        report = tmp_path_factory.getbasetemp() / "mutation-costs.json"
        report.write_text(json.dumps(recorded, indent=1))
        reporter = request.config.pluginmanager.getplugin("terminalreporter")
        capture = request.config.pluginmanager.getplugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():  # teardown output is captured otherwise
                reporter.write_line(
                    f"\nmutation corpus: {len(recorded)} cases; slowest {slowest[0]} {slowest[1]['seconds']:.2f} s; "
                    f"largest peak {hungriest[0]} {hungriest[1]['peak_mb']:.0f} MB; details in {report}")

    request.addfinalizer(summarise)
    return recorded


def test_corpus_is_big_enough():
    assert len(MUTATIONS) >= 80
    assert len(BY_NAME) == len(MUTATIONS), "mutation names must be unique"


@pytest.mark.parametrize("name", list(BY_NAME))
def test_mutation_ends_in_document_or_typed_error(name, corpus, costs):
    mutation = BY_NAME[name]
    result = run_sandboxed(corpus[name], LIMITS)
    outcome = DOCUMENT if result.document is not None else result.error.kind
    costs[name] = {"outcome": outcome, "seconds": round(result.elapsed_s, 3), "peak_mb": round(result.peak_rss_mb, 1)}

    assert result.elapsed_s < LIMITS.timeout_s + GRACE_S
    if result.error is not None:
        assert isinstance(result.error, IngestError) and type(result.error) is not IngestError
        assert corpus[name].name in str(result.error)
    assert outcome in mutation.expect, f"{name} ({mutation.why}): {result.error or 'a Document'}"
    _check_specific(name, result)


def _check_specific(name: str, result) -> None:
    """What particular cases must show beyond their outcome kind."""
    if name == "5000-pages":
        assert "5000 pages" in result.error.message and str(LIMITS.max_pages) in result.error.message
    if name == "flate-bomb":  # the bomb page is measured with a bounded inflate and skipped; page 1 stays
        assert any("decompression bomb" in w and "page 2" in w for w in result.document.warnings)
        assert "cisplatin" in result.document.full_text()
    if name == "double-flate-bomb" and result.error.kind != "timeout":  # a busy machine may time out first
        # two Flate layers are inflated by pdfminer: the memory limit stops it
        assert f"memory limit of {LIMITS.memory_mb} MB exceeded" in result.error.message
    if name == "paper-in-zip":
        assert "ZIP" in result.error.message
    if name == "handmade-truncated":
        assert result.document.pages == 3 and len(result.document.blocks) == 3
        assert any("incomplete" in warning for warning in result.document.warnings)
    if name in {"circular-form", "mutual-forms"}:  # pdfminer refuses the loop; the page text stays
        assert "cisplatin" in result.document.full_text()
        # pdfminer's log warning reached the Document as one summary, not the terminal
        assert any(w.startswith("PDF parser reported 1 problem") for w in result.document.warnings)
    if result.error is not None and result.error.kind == "timeout":  # the runaway child is gone
        assert _gone(result.child_pid)
    if name == "zero-pages":
        assert "no pages" in result.error.message
    if name in {"only-crowded-page", "only-bomb-page"}:
        assert "scanned" not in result.error.message and "limit" in result.error.message
    if name == "text-utf16-bom":
        assert "drugamab" in result.document.full_text() and any("UTF-16" in w for w in result.document.warnings)
    if name == "text-few-bad-bytes":
        assert any("not UTF-8" in w for w in result.document.warnings)
    if name == "text-one-long-paragraph":
        assert any("paragraph 2" in w and "skipped" in w for w in result.document.warnings)
        assert "drugamab" in result.document.full_text()
    if name == "text-markup":
        assert "<script>" in result.document.full_text()  # text stays text (the report escapes it)
    if name == "million-chars-page":
        assert any("characters" in warning and "skipped" in warning for warning in result.document.warnings)
        assert "cisplatin" in result.document.full_text()  # page 1 survives


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


TEXT_AND_FILE_CASES = [m.name for m in MUTATIONS if m.suffix == ".txt" or m.create is not None]


@pytest.mark.parametrize("name", TEXT_AND_FILE_CASES)
def test_text_and_file_cases_end_in_a_payload_through_the_whole_pipeline(name, corpus):
    """What `extract` does per file (the tagger included, where spaCy's E088 used to surface):
    a payload, never an exception."""
    from gepnec_extract import batch

    path = corpus[name]
    payload = batch.unreadable_payload(path) or batch.extract_payload(path, limits=LIMITS)
    outcome = DOCUMENT if payload["status"] == "ok" else payload["kind"]
    assert outcome in BY_NAME[name].expect, payload.get("message")
    assert payload["doc_id"] and "/" not in payload["doc_id"] and not payload["doc_id"].startswith(".")
