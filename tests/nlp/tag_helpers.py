"""Helpers shared by the tagging tests (a uniquely named module: tests/ has no packages)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REVIEW_PDF = REPO / "corpus" / "review" / "review.pdf"
GOLD = REPO / "tests" / "data" / "tag_gold.jsonl"


def facts(doc, label=None):
    from gepnec_extract.nlp import facts_in_order

    return [s for s in facts_in_order(doc) if label is None or s.label_ == label]


def build_with(overrides: dict):
    """The configured pipeline with some of config.cfg's settings changed (dotted paths)."""
    from gepnec_extract.nlp import build_nlp

    return build_nlp({"overrides": overrides})
