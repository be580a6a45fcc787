"""The drug lexicon is built once from the drug dictionary and stored as JSON; later loads read it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gepnec_extract.nlp import vocab


@pytest.fixture()
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GEPNEC_CACHE_DIR", str(tmp_path))
    vocab.drug_lexicon.cache_clear()
    yield tmp_path
    vocab.drug_lexicon.cache_clear()


def stored_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("drug-lexicon-*.json"))


def test_the_stored_lexicon_is_the_built_one(fresh_cache: Path) -> None:
    built = vocab.drug_lexicon()
    [stored] = stored_files(fresh_cache)
    assert json.loads(stored.read_text(encoding="utf-8")) == built == vocab.build_drug_lexicon()
    assert built["cisplatin"] == "cisplatin"
    vocab.drug_lexicon.cache_clear()
    # a second process reads the file: edit it and the edit shows, proving it was read, not rebuilt
    stored.write_text(json.dumps({"zorbiplatin": "zorbiplatin"}), encoding="utf-8")
    assert vocab.drug_lexicon() == {"zorbiplatin": "zorbiplatin"}


@pytest.mark.parametrize("content", ["", "{not json", "[1, 2]", '{"a": 1}', "\u0000" * 8])
def test_an_unreadable_or_ill_typed_store_is_rebuilt(fresh_cache: Path, content: str) -> None:
    stored = vocab._lexicon_path()
    assert stored.parent == fresh_cache
    stored.write_text(content, encoding="utf-8")
    lexicon = vocab.drug_lexicon()
    assert lexicon["etoposide"] == "etoposide"
    assert json.loads(stored.read_text(encoding="utf-8")) == lexicon


def test_an_unwritable_cache_folder_still_gives_the_lexicon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("GEPNEC_CACHE_DIR", str(blocker / "below"))  # a folder under a file cannot exist
    vocab.drug_lexicon.cache_clear()
    try:
        assert vocab.drug_lexicon()["etoposide"] == "etoposide"
    finally:
        vocab.drug_lexicon.cache_clear()
