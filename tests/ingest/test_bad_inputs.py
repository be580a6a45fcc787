"""The malformed PDFs of ../shared/corpus/bad (see its README): each gets its typed outcome.

Every file goes through the sandbox (child process, time and memory limits), as `ingest` does.
The timeout here is the "never a hang" check: an outcome other than `timeout` came back in time.
"""

from __future__ import annotations

import re

import pytest

from gepnec_extract.ingest import ingest_file
from gepnec_extract.ingest.errors import (CorruptPdfError, EmptyFileError, EncryptedPdfError, IngestError,
                                          NoTextLayerError, NotAPdfError)
from gepnec_extract.ingest.limits import Limits
from gepnec_extract.ingest.sandbox import classify_exception, run_sandboxed

LIMITS = Limits(timeout_s=20, memory_mb=1024)

# file -> (error class, words the message must contain), from ../shared/corpus/bad/README.md
EXPECTED_ERRORS = {
    "empty.pdf": (EmptyFileError, ["empty"]),
    "truncated.pdf": (CorruptPdfError, ["corrupt", "truncated"]),
    "not-a-pdf.pdf": (NotAPdfError, ["not a PDF", "%PDF"]),
    "encrypted.pdf": (EncryptedPdfError, ["encrypted", "password required"]),
    "scanned.pdf": (NoTextLayerError, ["no text layer", "OCR"]),
    "garbage.pdf": (CorruptPdfError, ["corrupt"]),
    "zero-text.pdf": (NoTextLayerError, ["no text layer"]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
def test_bad_file_gets_typed_error_naming_it(shared_corpus, name):
    error_class, words = EXPECTED_ERRORS[name]
    path = shared_corpus / "bad" / name
    with pytest.raises(IngestError) as caught:
        ingest_file(path, LIMITS)
    error = caught.value
    assert type(error) is error_class, f"{name}: got [{error.kind}] {error}"
    assert name in str(error)
    assert error.to_dict()["file"] == str(path)
    for word in words:
        assert word.lower() in error.message.lower(), error.message


def test_huge_table_succeeds_with_all_400_rows(shared_corpus):
    result = run_sandboxed(shared_corpus / "bad" / "huge-table.pdf", LIMITS)
    assert result.error is None, result.error
    document = result.document
    texts = [block.text for block in document.blocks]
    texts += [cell for table in document.tables for row in table.rows for cell in row]
    row_labels = {int(n) for text in texts for n in re.findall(r"differentiated\s*\((\d+)\)", text)}
    assert row_labels == set(range(1, 401))


def test_encrypted_file_is_not_opened_with_guessed_passwords(shared_corpus, monkeypatch):
    """The only password tried is the empty one (PDF's default user password)."""
    import pdfplumber

    tried = []
    real_open = pdfplumber.open

    def spy(path, *args, password=None, **kwargs):
        tried.append(password)
        return real_open(path, *args, password=password, **kwargs)

    monkeypatch.setattr(pdfplumber, "open", spy)
    path = shared_corpus / "bad" / "encrypted.pdf"
    with pytest.raises(Exception) as caught:
        ingest_file(path, LIMITS, sandbox=False)  # in-process, so the spy sees the calls
    assert type(classify_exception(path, caught.value)) is EncryptedPdfError
    assert tried and set(tried) <= {None, ""}


def test_in_process_reader_errors_are_mapped_the_same_way(shared_corpus):
    """read_pdf in-process raises pdfplumber's wrapper; classify_exception types it."""
    from gepnec_extract.ingest.pdf import read_pdf

    for name, expected in (("encrypted.pdf", EncryptedPdfError), ("garbage.pdf", CorruptPdfError),
                           ("truncated.pdf", CorruptPdfError)):
        path = shared_corpus / "bad" / name
        with pytest.raises(Exception) as caught:
            read_pdf(path, LIMITS)
        assert type(classify_exception(path, caught.value)) is expected


def test_missing_file_and_directory_are_errors_not_tracebacks(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        ingest_file(tmp_path / "absent.pdf", LIMITS)
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    with pytest.raises(IngestError, match="not a regular file"):
        ingest_file(folder, LIMITS)


def test_bad_corpus_readme_lists_every_file_tested(shared_corpus):
    """A file added to ../shared/corpus/bad without an expectation here fails loudly."""
    on_disk = {p.name for p in (shared_corpus / "bad").glob("*.pdf")}
    assert on_disk == set(EXPECTED_ERRORS) | {"huge-table.pdf"}


def test_a_reader_that_dies_is_named_by_what_it_was_reading(tmp_path):
    """A child that exits without a word: a PDF is reported corrupt, a text file is no PDF at all."""
    from gepnec_extract.ingest.sandbox import _death_payload

    limits = Limits()
    as_text = _death_payload(tmp_path / "notes.txt", limits, 1, "")["error"]
    as_pdf = _death_payload(tmp_path / "paper.pdf", limits, 1, "")["error"]
    assert as_text["kind"] == "ingest_error" and "text reader" in as_text["message"] and "PDF" not in as_text["message"]
    assert as_pdf["kind"] == "corrupt_pdf" and as_pdf["message"].startswith("corrupt PDF")
