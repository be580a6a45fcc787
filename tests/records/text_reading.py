"""Shared helpers for the study-linking and placement tests: a real document read through the real
tagger (build_context), its running text as paragraphs, and the reading's state objects."""

from __future__ import annotations

from functools import lru_cache

import pytest

from gepnec_extract.ingest.pdf import read_pdf
from gepnec_extract.records import build_context
from gepnec_extract.records.context import DocContext
from gepnec_extract.records.text_arms import ArmNames
from gepnec_extract.records.text_linking import StudyLinker
from gepnec_extract.records.text_placement import Placer
from gepnec_extract.records.text_sentences import Sentence, paragraphs
from gepnec_extract.records.text_state import TextState

from ..conftest import CORPUS, REVIEW_PDF


@lru_cache(maxsize=None)
def _context(path: str) -> DocContext:
    return build_context(read_pdf(path))


def review_context() -> DocContext:
    return _context(str(REVIEW_PDF))


def dev_context(name: str) -> DocContext:
    path = CORPUS / "dev" / f"{name}.pdf"
    if not path.exists():
        pytest.skip("../shared/corpus/dev is not beside the repository")
    return _context(str(path))


class Reading:
    """A fresh state, linker, arm namer and placer over one document (the tables' studies known)."""

    def __init__(self, ctx: DocContext, tables: bool = True) -> None:
        self.ctx = ctx
        self.state = TextState(primary=ctx.own_study is not None)
        self.linker = StudyLinker(ctx, self.state)
        if tables:
            self.linker.learn_tables(None)
        self.arms = ArmNames(ctx, self.state)
        self.placer = Placer(ctx, self.state, self.arms)

    def values(self, study, arm: str | None) -> dict[str, list]:
        """The values found for (study, arm), by field."""
        by_field: dict[str, list] = {}
        for found in self.state.found_of(study):
            if found.arm == arm:
                for name, value, _ in found.values:
                    by_field.setdefault(name, []).append(value)
        return by_field


def paragraph_with(ctx: DocContext, words: str) -> list[Sentence]:
    """The paragraph holding a sentence with these words."""
    found = [p for p in paragraphs(ctx) if any(words in s.text for s in p)]
    assert len(found) == 1, f"{len(found)} paragraphs hold {words!r}"
    return found[0]


def sentence_with(ctx: DocContext, words: str) -> Sentence:
    return next(s for s in paragraph_with(ctx, words) if words in s.text)
