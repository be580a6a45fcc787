"""Score the tagger against an annotated set (tests/data/tag_gold.jsonl), per label.

A predicted span counts as a true positive when a gold span of the same label overlaps it and
their normalized values are equal; each gold span is matched at most once. Boundaries are
allowed to differ (overlap) because the value is what later stages use.
"""

from __future__ import annotations

import json
from pathlib import Path

from spacy.language import Language

from ..evaluate import Counts
from .grammar import FACTS_KEY

LABELS = ("DRUG", "REGIMEN", "DOSE", "RESPONSE", "SURVIVAL", "N_PATIENTS", "TOXICITY", "CITATION", "LINE", "DESIGN", "ARM")


# per-label counts with precision, recall and F1: the same arithmetic as the records scorer
Score = Counts


def load_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def same_value(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(a - b) < 1e-6
    return a == b


def predicted_spans(nlp: Language, text: str) -> list[dict]:
    doc = nlp(text)
    return [{"label": s.label_, "start": s.start_char, "end": s.end_char, "text": s.text, "value": s._.value}
            for s in doc.spans.get(FACTS_KEY, [])]


def score_item(gold: list[dict], predicted: list[dict], scores: dict[str, Score], errors: list | None = None) -> None:
    unmatched = list(gold)
    for pred in predicted:
        match = next((g for g in unmatched if g["label"] == pred["label"] and g["start"] < pred["end"]
                      and pred["start"] < g["end"] and same_value(g["value"], pred["value"])), None)
        score = scores.setdefault(pred["label"], Score())
        if match is not None:
            unmatched.remove(match)
            score.tp += 1
        else:
            score.fp += 1
            if errors is not None:
                errors.append(("FP", pred))
    for missed in unmatched:
        scores.setdefault(missed["label"], Score()).fn += 1
        if errors is not None:
            errors.append(("FN", missed))


def evaluate(nlp: Language, items: list[dict], errors: list | None = None) -> dict[str, Score]:
    scores: dict[str, Score] = {label: Score() for label in LABELS}
    for item in items:
        item_errors: list = []
        score_item(item["spans"], predicted_spans(nlp, item["text"]), scores, item_errors)
        if errors is not None and item_errors:
            errors.append((item["id"], item["text"], item_errors))
    return scores


def format_table(scores: dict[str, Score]) -> str:
    lines = [f"{'label':<11} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for label, s in scores.items():
        lines.append(f"{label:<11} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:4d} {s.fp:4d} {s.fn:4d}")
    return "\n".join(lines)
