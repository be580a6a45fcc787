"""Shared test paths. ../shared (review, dev papers, real and bad PDFs) sits beside the repo in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
REVIEW_PDF = ROOT / "corpus" / "review" / "review.pdf"
REVIEW_TXT = ROOT / "corpus" / "review" / "review.txt"


def shared_files(folder: str, pattern: str) -> list[Path]:
    """Files under ../shared/corpus/<folder>, or [] when ../shared is absent (tests then skip)."""
    return sorted((CORPUS / folder).glob(pattern))


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the repository")
    return CORPUS
