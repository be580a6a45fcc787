"""The scorer: self-scores, exact counts under controlled mutations, cohort pairing, gold validity, CLI."""

from __future__ import annotations

import itertools
import json
import random
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gepnec_extract.cli import app
from gepnec_extract import evaluate
from gepnec_extract.evaluate import (
    best_assignment,
    evaluate_dirs,
    load_records,
    pair_records,
    record_values,
    score_records,
)
from gepnec_extract.model import StudyRecord

from .conftest import CORPUS, REVIEW_TXT, ROOT

REVIEW_GOLD = ROOT / "gold" / "review.gold.jsonl"
DEV = CORPUS / "dev"


def dev_gold(name: str) -> list[StudyRecord]:
    path = DEV / f"{name}.gold.jsonl"
    if not path.is_file():
        pytest.skip("../shared/corpus/dev is not beside the repository")
    return load_records(path)


def review_gold() -> list[StudyRecord]:
    return load_records(REVIEW_GOLD)


def copy(records: list[StudyRecord]) -> list[StudyRecord]:
    return [r.model_copy(deep=True) for r in records]


def kinds(report) -> list[tuple[str, str]]:
    return sorted((e.kind, e.field) for e in report.errors)


# ------------------------------------------------------------------------------------------
# self-scores
# ------------------------------------------------------------------------------------------


def test_dev_gold_scored_against_itself_is_perfect(tmp_path: Path, shared_corpus: Path) -> None:
    gold_files = sorted((shared_corpus / "dev").glob("*.gold.jsonl"))
    for gold_file in gold_files:
        shutil.copy(gold_file, tmp_path / gold_file.name.replace(".gold.jsonl", ".records.jsonl"))
    report = evaluate_dirs(tmp_path, shared_corpus / "dev")
    assert report.overall.tp > 500
    assert (report.overall.fp, report.overall.fn) == (0, 0)
    assert report.overall.f1 == 1.0
    assert len(report.per_document) == len(gold_files)  # the corpus grows: follow it, do not pin a count
    assert report.errors == []
    assert all(s["found"] == s["gold"] > 0 for s in report.studies.values())


def test_review_gold_scored_against_itself_is_perfect() -> None:
    gold = review_gold()
    report = score_records(copy(gold), gold)
    assert report.overall.f1 == 1.0
    assert report.records["paired"] == len(gold)


# ------------------------------------------------------------------------------------------
# controlled mutations give exact counts
# ------------------------------------------------------------------------------------------


def test_dropped_record_is_missed_record_for_each_of_its_values() -> None:
    gold = dev_gold("d01-mitry1999")
    pred = copy(gold)
    dropped = pred.pop(1)
    report = score_records(pred, gold)
    n_values = len(record_values(dropped))
    assert (report.overall.fn, report.overall.fp) == (n_values, 0)
    assert report.overall.tp == sum(len(record_values(r)) for r in gold) - n_values
    assert {e.kind for e in report.errors} == {"missed_record"}
    assert report.records["missed"] == 1
    # misses carry the gold evidence of their field
    rr_error = next(e for e in report.errors if e.field == "rr_pct")
    assert rr_error.gold == dropped.rr_pct and rr_error.evidence
    assert all(ev["field"] == "rr_pct" for ev in rr_error.evidence)


def test_a_study_counts_as_found_while_one_of_its_cohorts_pairs() -> None:
    gold = review_gold()
    studies = sorted({r.study_id for r in gold})
    lost, kept = studies[0], studies[1]
    pred = [r for r in copy(gold) if r.study_id != lost]
    # one cohort of a multi-cohort study is enough for it to be found
    kept_cohorts = [r for r in pred if r.study_id == kept]
    pred = [r for r in pred if r.study_id != kept] + kept_cohorts[:1]
    report = score_records(pred, gold)
    assert report.studies["review"] == {"gold": len(studies), "found": len(studies) - 1}


def test_changed_number_is_one_wrong_value() -> None:
    gold = dev_gold("d01-mitry1999")
    pred = copy(gold)
    pred[0].rr_pct = 40.0  # gold 41.5
    report = score_records(pred, gold)
    assert (report.overall.fp, report.overall.fn) == (1, 1)
    assert kinds(report) == [("wrong_value", "rr_pct")]
    assert (report.errors[0].gold, report.errors[0].pred) == (41.5, 40.0)


def test_numbers_equal_to_one_decimal_and_cosmetic_string_differences_are_not_errors() -> None:
    gold = dev_gold("d10-olsen2012")
    pred = copy(gold)
    pred[0].rr_pct = 0.04  # 0.0 at one decimal
    pred[0].os_months.median = 3.54  # 3.5
    ki67 = next(r for r in pred if r.arm == "PS 0\u20131")
    ki67.arm = "ps  0-1"  # case, spacing, en dash vs hyphen
    assert score_records(pred, gold).overall.f1 == 1.0


def test_added_drug_is_one_spurious_value() -> None:
    gold = dev_gold("d01-mitry1999")
    pred = copy(gold)
    pred[2].drugs = sorted(pred[2].drugs + ["carboplatin"])
    report = score_records(pred, gold)
    assert (report.overall.fp, report.overall.fn) == (1, 0)
    assert kinds(report) == [("spurious_value", "drugs")]


def test_renamed_arm_is_one_wrong_value_and_the_cohort_still_pairs() -> None:
    gold = dev_gold("d10-olsen2012")
    pred = copy(gold)
    target = next(r for r in pred if r.arm == "Ki-67 <50%")
    target.arm = "low proliferation"
    report = score_records(pred, gold)
    assert kinds(report) == [("wrong_value", "arm")]
    assert report.errors[0].gold == "Ki-67 <50%"
    assert report.records["paired"] == len(gold)


def test_shuffled_record_order_changes_nothing() -> None:
    gold = review_gold()
    pred = copy(gold)
    random.Random(7).shuffle(pred)
    report = score_records(pred, gold)
    assert report.overall.f1 == 1.0 and report.errors == []


def test_study_id_year_typo_is_another_study_but_diacritics_and_case_are_not() -> None:
    gold = dev_gold("d01-mitry1999")
    typo = copy(gold)
    for record in typo:
        record.study_id = "Mitry1998"
    report = score_records(typo, gold)
    assert report.records["paired"] == 0
    assert {e.kind for e in report.errors} == {"missed_record", "spurious_record"}
    n_values = sum(len(record_values(r)) for r in gold)
    # each record's study_id also differs, so every value is both missed and spurious
    assert (report.overall.tp, report.overall.fn, report.overall.fp) == (0, n_values, n_values)

    folded = copy(gold)
    for record in folded:
        record.study_id = "MÎTRY 1999"
    assert score_records(folded, gold).overall.f1 == 1.0


def test_list_items_with_the_same_key_are_wrong_values_not_miss_plus_spurious() -> None:
    gold = dev_gold("d10-olsen2012")
    pred = copy(gold)
    pred[0].toxicities[0].pct = 5.0  # leukopenia grade 3: 4 -> 5
    pred[0].doses[0].schedule = 21  # temozolomide 28 -> 21
    report = score_records(pred, gold)
    assert kinds(report) == [("wrong_value", "doses"), ("wrong_value", "toxicities")]
    assert (report.overall.fp, report.overall.fn) == (2, 2)


def test_not_reached_counts_only_when_true() -> None:
    gold = dev_gold("d08-okuma2014")
    pred = copy(gold)
    pred[0].os_months.not_reached = None  # gold says False: no value either way
    assert score_records(pred, gold).overall.f1 == 1.0
    pred[0].os_months.not_reached = True
    report = score_records(pred, gold)
    assert kinds(report) == [("spurious_value", "os_months.not_reached")]


def test_missing_prediction_file_makes_every_gold_value_a_miss(tmp_path: Path) -> None:
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    shutil.copy(REVIEW_GOLD, gold_dir / "review.gold.jsonl")
    (tmp_path / "pred").mkdir()
    report = evaluate_dirs(tmp_path / "pred", gold_dir)
    assert report.overall.tp == 0 and report.overall.recall == 0.0
    assert report.records["missed"] == len(review_gold())


def test_error_kinds_lists_the_most_common_kind_field_pairs() -> None:
    gold = review_gold()
    pred = copy(gold)
    for record in pred:
        record.toxicities = []
    pred[0].line = "second"
    report = score_records(pred, gold)
    top = report.error_kinds(3)
    assert top[0][:2] == ("missed_value", "toxicities")
    assert top[0][2] == sum(len(r.toxicities) for r in gold)
    assert ("spurious_value", "line", 1) in top


# ------------------------------------------------------------------------------------------
# pairing
# ------------------------------------------------------------------------------------------


def test_pairing_finds_each_cohort_among_several_without_arm_labels() -> None:
    gold = [r for r in review_gold() if r.study_id == "Moertel1991"]
    assert len(gold) == 5
    pred = copy(gold)
    for record in pred:
        record.arm = None  # only the figures tell the cohorts apart
    random.Random(3).shuffle(pred)
    pairs, missed, spurious = pair_records(gold, pred)
    assert not missed and not spurious
    for gold_record, pred_record in pairs:
        assert pred_record.model_dump(exclude={"arm"}) == gold_record.model_dump(exclude={"arm"})


def test_pairing_prefers_the_arm_label_when_figures_are_wrong() -> None:
    gold = [r for r in review_gold() if r.study_id == "Deutschbein2011"]
    pred = copy(gold)
    first, second = pred  # outcome figures swapped between the arms, labels kept
    for name in ("sd_pct", "pd_pct", "pfs_months", "toxicities"):
        swapped = getattr(second, name), getattr(first, name)
        setattr(first, name, swapped[0])
        setattr(second, name, swapped[1])
    pairs, _, _ = pair_records(gold, pred)
    assert sorted((g.arm, p.arm) for g, p in pairs) == [("Regimen A", "Regimen A"), ("Regimen B", "Regimen B")]


def _best_total_by_trying_every_assignment(scores: list[list[float]]) -> float:
    rows, cols = len(scores), len(scores[0])
    if rows <= cols:
        return max(sum(scores[r][c] for r, c in enumerate(chosen)) for chosen in itertools.permutations(range(cols), rows))
    return max(sum(scores[r][c] for c, r in enumerate(chosen)) for chosen in itertools.permutations(range(rows), cols))


@pytest.mark.parametrize("seed", range(4))
def test_best_assignment_finds_the_greatest_total_pairing_every_index_of_the_shorter_side(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(150):
        rows, cols = rng.randint(1, 6), rng.randint(1, 6)
        step = rng.choice([0.25, 0.5, None])  # coarse steps make many equally good assignments
        scores = [[round(rng.random() / step) * step if step else rng.random() for _ in range(cols)] for _ in range(rows)]
        pairs = best_assignment(scores)
        assert len(pairs) == min(rows, cols)
        assert len({r for r, _ in pairs}) == len({c for _, c in pairs}) == len(pairs)
        assert pairs == sorted(pairs)
        assert sum(scores[r][c] for r, c in pairs) == pytest.approx(_best_total_by_trying_every_assignment(scores))


def test_best_assignment_agrees_with_scipy_beyond_its_exact_size() -> None:
    rng = random.Random(7)
    size = evaluate.EXACT_ASSIGNMENT_MAX + 2
    scores = [[rng.random() for _ in range(size + 1)] for _ in range(size)]
    pairs = best_assignment(scores)  # scipy's
    exact = evaluate.EXACT_ASSIGNMENT_MAX
    small = [row[:exact + 1] for row in scores[:exact]]
    assert len(pairs) == size
    assert sum(scores[r][c] for r, c in best_assignment(small)) == pytest.approx(
        sum(small[r][c] for r, c in evaluate._scipy_assignment(small)))


def test_scoring_the_review_imports_no_scipy(tmp_path: Path) -> None:
    """The run's scoring stage costs what it scores, not scipy.optimize's import (about 0.2 s)."""
    pred = tmp_path / "pred"
    pred.mkdir()
    records = review_gold()
    for record in records[::3]:
        record.arm = None
    (pred / "review.records.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    shutil.copy(REVIEW_GOLD, tmp_path / "review.gold.jsonl")
    script = ("import sys; from pathlib import Path; from gepnec_extract.evaluate import evaluate_dirs; "
              f"report = evaluate_dirs(Path({str(pred)!r}), Path({str(tmp_path)!r})); "
              "print(report.to_json()[:0] + str(len(report.errors)), 'scipy.optimize' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out[1] == "False"
    assert int(out[0]) > 0  # the arms taken away are found wrong: the scoring did run


# ------------------------------------------------------------------------------------------
# the review gold itself
# ------------------------------------------------------------------------------------------


def _flat(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^0-9a-z]", "", text)


def test_review_gold_validates_and_every_value_has_evidence_found_in_the_review() -> None:
    lines = [line for line in REVIEW_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [StudyRecord.model_validate(json.loads(line)) for line in lines]
    assert len(records) == len(lines) >= 60
    assert {r.doc_id for r in records} == {"review"}
    keys = [(r.study_id, r.arm) for r in records]
    assert len(keys) == len(set(keys))
    review_text = REVIEW_TXT.read_text(encoding="utf-8")
    flat_review = _flat(review_text.replace("-\n", ""))
    for record in records:
        fields_with_evidence = {e.field for e in record.evidence}
        for name, value in record.model_dump(exclude={"doc_id", "study_id", "evidence"}).items():
            if value not in (None, []):
                assert name in fields_with_evidence, (record.study_id, record.arm, name)
        for evidence in record.evidence:
            assert evidence.page is not None and 1 <= evidence.page <= 13
            assert evidence.source == "text" or re.fullmatch(r"table:Table [1-5]", evidence.source)
            if evidence.source == "text":  # the sentence is in the review (a table may interrupt it)
                flat_sentence = _flat(evidence.text)
                assert flat_sentence[:40] in flat_review or flat_sentence[-40:] in flat_review, evidence.text
            else:  # every figure of the cell is printed in the review
                for number in re.findall(r"\d+(?:\.\d+)?", evidence.text):
                    assert number in review_text, (record.study_id, evidence.text, number)


# ------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------


def test_cli_evaluate_writes_json_report(tmp_path: Path) -> None:
    pred_dir, gold_dir = tmp_path / "pred", tmp_path / "gold"
    pred_dir.mkdir()
    gold_dir.mkdir()
    shutil.copy(REVIEW_GOLD, gold_dir / "review.gold.jsonl")
    pred = copy(review_gold())
    pred[0].rr_pct = 99.0
    (pred_dir / "review.records.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in pred[1:] + pred[:1]))
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["evaluate", "--pred", str(pred_dir), "--gold", str(gold_dir), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "Per field" in result.output
    report = json.loads(out.read_text())
    assert (report["overall"]["fp"], report["overall"]["fn"]) == (1, 1)
    assert report["per_field"]["rr_pct"]["fp"] == 1
    assert report["per_field_group"]["os_months"]["tp"] == sum(v["tp"] for k, v in report["per_field"].items() if k.startswith("os_months."))
    assert report["per_document"]["review"]["f1"] < 1.0
    assert report["errors"][0]["kind"] == "wrong_value" and report["errors"][0]["pred"] == 99.0
    assert report["error_kinds"][0] == {"kind": "wrong_value", "field": "rr_pct", "count": 1}
