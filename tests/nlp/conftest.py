"""Shared fixtures for the tagging tests: one pipeline per session (it takes seconds to build)."""

from __future__ import annotations

import pytest
from .tag_helpers import REVIEW_PDF


@pytest.fixture(scope="session")
def nlp():
    from gepnec_extract.nlp import get_nlp

    return get_nlp()


@pytest.fixture(scope="session")
def tagged_review(nlp):
    from gepnec_extract.ingest import ingest_file
    from gepnec_extract.nlp import tag_document

    return tag_document(ingest_file(REVIEW_PDF), nlp)

