"""Score extracted study records against hand-curated gold records.

Unit of scoring: one *field value*. A scalar field (``rr_pct``, ``arm`` ...) is one value when
non-null; list fields are one value per item (``drugs`` per drug, ``doses`` per dose tuple,
``toxicities`` per (event, grade, pct), ``primary_sites`` per (site, n)); ``design`` is its four
sub-fields and ``os_months``/``pfs_months`` their sub-fields (median, low, high, kind,
not_reached). ``not_reached`` counts only when true: false is the default every printed median
carries, so scoring it would reward the mere presence of a survival object. ``evidence`` and
``doc_id`` are not scored.

Pairing: records pair by document, then by study (study_id compared case-, diacritic- and
punctuation-insensitively, so ``Sjöberg2001`` = ``sjoberg2001`` but ``Smith1998`` is not
``Smith1999``), then cohort to cohort inside a study by an optimal assignment
(``best_assignment``: exact, as scipy's ``linear_sum_assignment``) over a similarity of arm, population, n_patients, regimen,
drugs and agreement of all field values. Values of an unpaired gold record are false negatives
(``missed_record``); values of an unpaired predicted record are false positives
(``spurious_record``). Inside a pair: equal -> true positive; both present but different ->
``wrong_value`` (one FP and one FN); gold only -> ``missed_value``; predicted only ->
``spurious_value``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Iterable

from . import fields
from .folding import ascii_fold
from .model import StudyRecord, Survival

# the record's fields as the registry (fields.py) gives them: the study id is scored as a value too
SCALAR_FIELDS = ("study_id",) + fields.SCALAR_FIELDS
NUMBER_FIELDS = set(fields.NUMBER_FIELDS)
DESIGN_FIELDS = fields.NESTED_FIELDS["design"]
SURVIVAL_FIELDS = tuple(Survival.model_fields)
LIST_FIELDS = fields.LIST_FIELDS
# list items whose "key" is shared by a gold and a predicted item count as one wrong value
# (e.g. the right drug with the wrong amount) rather than a miss plus a spurious value
LIST_ITEM_KEY = {"doses": 0, "toxicities": 0, "primary_sites": 0}

GOLD_SUFFIX = ".gold.jsonl"
PRED_SUFFIX = ".records.jsonl"

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")


# ------------------------------------------------------------------------------------------
# normalization
# ------------------------------------------------------------------------------------------


def norm_text(value: str) -> str:
    """Case, width, whitespace and dash differences are not errors."""
    text = unicodedata.normalize("NFKC", value).translate(_DASHES).casefold()
    text = re.sub(r"\s*([-/,;:()])\s*", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def fold_key(value: str | None) -> str:
    """ASCII-folded, punctuation-free key: how study ids and surnames are compared."""
    if not value:
        return ""
    return re.sub(r"[^0-9a-z]", "", ascii_fold(value).lower())


def norm_number(value: float | int | None) -> float | None:
    """Numbers are equal when equal to one decimal."""
    return None if value is None else round(float(value) + 0.0, 1)


def norm_scalar(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "study_id" or name == "first_author":
        return fold_key(value)
    if name in NUMBER_FIELDS or isinstance(value, float):
        return norm_number(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return norm_text(value) or None
    return value


# ------------------------------------------------------------------------------------------
# field values of one record
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One scorable value: ``field`` is the scored name (``os_months.median``, ``doses``)."""

    field: str
    value: Any  # normalized, hashable
    shown: Any  # as stored in the record, for the error listing


def record_values(record: StudyRecord) -> list[Value]:
    """Every non-null field value of a record, normalized for comparison."""
    values: list[Value] = []
    for name in SCALAR_FIELDS:
        raw = getattr(record, name)
        normalized = norm_scalar(name, raw)
        if normalized is not None:
            values.append(Value(name, normalized, raw))
    values += [Value("drugs", norm_text(d), d) for d in record.drugs]
    for dose in record.doses:
        key = (norm_text(dose.drug), norm_number(dose.amount), _opt_text(dose.unit), _opt_text(dose.days),
               _opt_text(dose.route), dose.schedule)
        values.append(Value("doses", key, dose.model_dump()))
    for tox in record.toxicities:
        key = (norm_text(tox.event), _opt_text(tox.grade), norm_number(tox.pct))
        values.append(Value("toxicities", key, tox.model_dump()))
    for site in record.primary_sites:
        values.append(Value("primary_sites", (norm_text(site.site), site.n), site.model_dump()))
    if record.design is not None:
        for name in DESIGN_FIELDS:
            raw = getattr(record.design, name)
            if raw is not None:
                values.append(Value(f"design.{name}", norm_scalar(name, raw), raw))
    for survival_name in fields.SURVIVAL_FIELDS.values():
        survival = getattr(record, survival_name)
        if survival is None:
            continue
        for name in SURVIVAL_FIELDS:
            raw = getattr(survival, name)
            if raw is None or (name == "not_reached" and raw is False):
                continue
            values.append(Value(f"{survival_name}.{name}", norm_scalar(name, raw), raw))
    return values


def _opt_text(value: str | None) -> str | None:
    return None if value is None else norm_text(value)


def top_field(scored_field: str) -> str:
    """``os_months.median`` -> ``os_months``: the record field whose evidence explains it."""
    return scored_field.split(".", 1)[0]


# ------------------------------------------------------------------------------------------
# comparison of two paired records
# ------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """Matched values and the leftovers of one comparison, before they become counts/errors."""

    matched: list[Value] = field(default_factory=list)
    wrong: list[tuple[Value, Value]] = field(default_factory=list)  # (gold, pred)
    missed: list[Value] = field(default_factory=list)
    spurious: list[Value] = field(default_factory=list)


def _grouped(items: Iterable, key) -> dict:
    """Items by key, in first-seen order of the keys."""
    groups: dict = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def compare_values(gold_values: list[Value], pred_values: list[Value]) -> Outcome:
    """Multiset match per field; leftovers of single-valued fields (or list items sharing a key) are wrong values."""
    outcome = Outcome()
    gold_by_field = _grouped(gold_values, lambda v: v.field)
    pred_by_field = _grouped(pred_values, lambda v: v.field)
    for name in list(dict.fromkeys([*gold_by_field, *pred_by_field])):
        gold_left = list(gold_by_field.get(name, []))
        pred_left = []
        for value in pred_by_field.get(name, []):
            twin = next((g for g in gold_left if g.value == value.value), None)
            if twin is None:
                pred_left.append(value)
            else:
                gold_left.remove(twin)
                outcome.matched.append(twin)
        _pair_leftovers(name, gold_left, pred_left, outcome)
    return outcome


def _pair_leftovers(name: str, gold_left: list[Value], pred_left: list[Value], outcome: Outcome) -> None:
    if name in LIST_FIELDS:
        key_index = LIST_ITEM_KEY.get(name)
        for gold in list(gold_left):
            twin = None
            if key_index is not None:
                twin = next((p for p in pred_left if p.value[key_index] == gold.value[key_index]), None)
            if twin is not None:
                pred_left.remove(twin)
                gold_left.remove(gold)
                outcome.wrong.append((gold, twin))
    else:  # a single-valued field: a differing value is wrong, not missed + spurious
        while gold_left and pred_left:
            outcome.wrong.append((gold_left.pop(0), pred_left.pop(0)))
    outcome.missed += gold_left
    outcome.spurious += pred_left


# ------------------------------------------------------------------------------------------
# pairing
# ------------------------------------------------------------------------------------------


def _text_similarity(a: str | None, b: str | None) -> float:
    if a is None and b is None:
        return 1.0
    if a is None or b is None:
        return 0.3
    return SequenceMatcher(None, norm_text(a), norm_text(b)).ratio()


def _same(a: Any, b: Any) -> float:
    if a is None and b is None:
        return 1.0
    if a is None or b is None:
        return 0.3
    return 1.0 if a == b else 0.0


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    set_a, set_b = {norm_text(x) for x in a}, {norm_text(x) for x in b}
    if not set_a and not set_b:
        return 1.0
    return len(set_a & set_b) / len(set_a | set_b)


def cohort_similarity(gold: StudyRecord, pred: StudyRecord, gold_values: list | None = None,
                      pred_values: list | None = None) -> float:
    """How likely two records of one study describe the same cohort (0..1).

    The cohort's identity (arm label, population, size, regimen) counts for 60%, agreement of
    all values for 40%: with two arms of one regimen the labels decide, with an arm renamed the
    figures still recognise it. ``gold_values``/``pred_values``: their record_values, when known.
    """
    identity = (
        0.30 * _text_similarity(gold.arm, pred.arm)
        + 0.10 * _same(norm_scalar("population", gold.population), norm_scalar("population", pred.population))
        + 0.10 * _same(gold.n_patients, pred.n_patients)
        + 0.05 * _text_similarity(gold.regimen, pred.regimen)
        + 0.05 * _jaccard(gold.drugs, pred.drugs)
    )
    gold_values = record_values(gold) if gold_values is None else gold_values
    pred_values = record_values(pred) if pred_values is None else pred_values
    outcome = compare_values(gold_values, pred_values)
    agreement = len(outcome.matched) / max(len(gold_values), len(pred_values), 1)
    return identity + 0.40 * agreement


def pair_cohorts(gold: list[StudyRecord], pred: list[StudyRecord]) -> list[tuple[int, int]]:
    """Optimal one-to-one assignment of the cohorts of one study: (gold index, pred index) pairs."""
    if not gold or not pred:
        return []
    gold_values, pred_values = [record_values(g) for g in gold], [record_values(p) for p in pred]  # once each
    return best_assignment([[cohort_similarity(g, p, gv, pv) for p, pv in zip(pred, pred_values)]
                            for g, gv in zip(gold, gold_values)])


EXACT_ASSIGNMENT_MAX = 10  # the shorter side's length up to which best_assignment needs no scipy


def best_assignment(scores: list[list[float]]) -> list[tuple[int, int]]:
    """(row, column) pairs of a one-to-one assignment with the greatest total score, every index of
    the shorter side paired (what ``scipy.optimize.linear_sum_assignment`` gives on the negated
    scores), in row order.

    A study has a handful of cohorts, so this is solved exactly by dynamic programming over which
    of the shorter side's indices are taken, one longer-side index after another (2**short states).
    Importing scipy.optimize costs a scoring run about 0.2 s, several times the scoring itself;
    beyond EXACT_ASSIGNMENT_MAX it does the work. Of equally good assignments the first found
    is kept, as scipy also keeps one of them."""
    if not scores or not scores[0]:
        return []
    transposed = len(scores) > len(scores[0])
    short = [list(column) for column in zip(*scores)] if transposed else scores  # short[s][l]
    if len(short) > EXACT_ASSIGNMENT_MAX:
        return _scipy_assignment(scores)
    full = (1 << len(short)) - 1
    best: dict[int, float] = {0: 0.0}  # taken short indices (bits) -> best total so far
    choices: list[dict[int, tuple[int, int]]] = []  # per long index: new mask -> (old mask, short index or -1)
    for long_index in range(len(short[0])):
        reached: dict[int, float] = {}
        came_from: dict[int, tuple[int, int]] = {}
        for mask, total in best.items():
            for s in [-1, *(s for s in range(len(short)) if not mask >> s & 1)]:
                new_mask = mask if s < 0 else mask | 1 << s
                value = total if s < 0 else total + short[s][long_index]
                if new_mask not in reached or value > reached[new_mask]:
                    reached[new_mask], came_from[new_mask] = value, (mask, s)
        best = reached
        choices.append(came_from)
    pairs, mask = [], full
    for long_index in range(len(choices) - 1, -1, -1):
        mask, s = choices[long_index][mask]
        if s >= 0:
            pairs.append((long_index, s) if transposed else (s, long_index))
    return sorted(pairs)


def _scipy_assignment(scores: list[list[float]]) -> list[tuple[int, int]]:
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(-np.array(scores))
    return [(int(r), int(c)) for r, c in zip(rows, cols)]


def pair_records(gold: list[StudyRecord], pred: list[StudyRecord]) -> tuple[list[tuple[StudyRecord, StudyRecord]], list[StudyRecord], list[StudyRecord]]:
    """(pairs, unpaired gold, unpaired pred) for the records of one document."""
    gold_by_study: dict[str, list[StudyRecord]] = defaultdict(list)
    pred_by_study: dict[str, list[StudyRecord]] = defaultdict(list)
    for record in gold:
        gold_by_study[fold_key(record.study_id)].append(record)
    for record in pred:
        pred_by_study[fold_key(record.study_id)].append(record)
    pairs, missed, spurious = [], [], []
    for study in dict.fromkeys([*gold_by_study, *pred_by_study]):
        gold_cohorts, pred_cohorts = gold_by_study.get(study, []), pred_by_study.get(study, [])
        assignment = pair_cohorts(gold_cohorts, pred_cohorts)
        pairs += [(gold_cohorts[g], pred_cohorts[p]) for g, p in assignment]
        paired_gold = {g for g, _ in assignment}
        paired_pred = {p for _, p in assignment}
        missed += [r for i, r in enumerate(gold_cohorts) if i not in paired_gold]
        spurious += [r for i, r in enumerate(pred_cohorts) if i not in paired_pred]
    return pairs, missed, spurious


# ------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else (1.0 if not self.fp else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


ERROR_KINDS = ("missed_record", "spurious_record", "missed_value", "wrong_value", "spurious_value")


@dataclass
class EvalError:
    kind: str  # one of ERROR_KINDS
    doc_id: str
    study_id: str
    arm: str | None
    field: str
    gold: Any = None
    pred: Any = None
    evidence: list[dict] = field(default_factory=list)  # gold evidence for misses, predicted otherwise


@dataclass
class EvalReport:
    overall: Counts = field(default_factory=Counts)
    per_field: dict[str, Counts] = field(default_factory=dict)
    per_document: dict[str, Counts] = field(default_factory=dict)
    errors: list[EvalError] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=lambda: {"gold": 0, "pred": 0, "paired": 0, "missed": 0, "spurious": 0})
    unscored_documents: list[str] = field(default_factory=list)  # predicted docs without gold
    # per document: gold studies, and those of them with at least one paired cohort
    studies: dict[str, dict[str, int]] = field(default_factory=dict)

    def error_kinds(self, top: int = 10) -> list[tuple[str, str, int]]:
        """The most common (kind, field) error pairs."""
        counter = Counter((e.kind, e.field) for e in self.errors)
        return [(kind, name, n) for (kind, name), n in counter.most_common(top)]

    def per_field_group(self) -> dict[str, Counts]:
        """Counts per record field (``os_months.median`` and ``os_months.low`` -> ``os_months``)."""
        groups: dict[str, Counts] = {}
        for name, counts in self.per_field.items():
            group = groups.setdefault(top_field(name), Counts())
            group.tp, group.fp, group.fn = group.tp + counts.tp, group.fp + counts.fp, group.fn + counts.fn
        return groups

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "records": self.records,
            "per_field": {k: v.as_dict() for k, v in sorted(self.per_field.items())},
            "per_field_group": {k: v.as_dict() for k, v in sorted(self.per_field_group().items())},
            "per_document": {k: v.as_dict() for k, v in sorted(self.per_document.items())},
            "error_kinds": [{"kind": k, "field": f, "count": n} for k, f, n in self.error_kinds(top=1000)],
            "errors": [asdict(e) for e in self.errors],
            "unscored_documents": self.unscored_documents,
            "studies": self.studies,
        }

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=str)

    # -- bookkeeping -----------------------------------------------------------------------
    def _count(self, doc_id: str, scored_field: str, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        for counts in (self.overall, self.per_field.setdefault(scored_field, Counts()),
                       self.per_document.setdefault(doc_id, Counts())):
            counts.tp += tp
            counts.fp += fp
            counts.fn += fn


def _evidence_for(record: StudyRecord, scored_field: str) -> list[dict]:
    wanted = top_field(scored_field)
    return [e.model_dump() for e in record.evidence if e.field == wanted]


def _add_record_errors(report: EvalReport, record: StudyRecord, kind: str) -> None:
    """Every value of an unpaired record is one FN (missed_record) or FP (spurious_record)."""
    for value in record_values(record):
        is_miss = kind == "missed_record"
        report._count(record.doc_id, value.field, fn=int(is_miss), fp=int(not is_miss))
        report.errors.append(EvalError(kind, record.doc_id, record.study_id, record.arm, value.field,
                                       gold=value.shown if is_miss else None,
                                       pred=None if is_miss else value.shown,
                                       evidence=_evidence_for(record, value.field)))


def _add_pair(report: EvalReport, gold: StudyRecord, pred: StudyRecord) -> None:
    outcome = compare_values(record_values(gold), record_values(pred))
    doc_id = gold.doc_id
    for value in outcome.matched:
        report._count(doc_id, value.field, tp=1)
    for gold_value, pred_value in outcome.wrong:
        report._count(doc_id, gold_value.field, fp=1, fn=1)
        report.errors.append(EvalError("wrong_value", doc_id, gold.study_id, gold.arm, gold_value.field,
                                       gold=gold_value.shown, pred=pred_value.shown,
                                       evidence=_evidence_for(pred, gold_value.field)))
    for value in outcome.missed:
        report._count(doc_id, value.field, fn=1)
        report.errors.append(EvalError("missed_value", doc_id, gold.study_id, gold.arm, value.field,
                                       gold=value.shown, evidence=_evidence_for(gold, value.field)))
    for value in outcome.spurious:
        report._count(doc_id, value.field, fp=1)
        report.errors.append(EvalError("spurious_value", doc_id, gold.study_id, gold.arm, value.field,
                                       pred=value.shown, evidence=_evidence_for(pred, value.field)))


def score_records(pred: list[StudyRecord], gold: list[StudyRecord]) -> EvalReport:
    """Score predicted records against gold records (any number of documents).

    Predicted records of documents that have no gold record cannot be judged: they are listed
    in ``unscored_documents`` and left out of the counts.
    """
    report = EvalReport()
    gold_docs = _grouped(gold, lambda r: r.doc_id)
    pred_docs = _grouped(pred, lambda r: r.doc_id)
    report.unscored_documents = sorted(set(pred_docs) - set(gold_docs))
    for doc_id, gold_records in gold_docs.items():
        pred_records = pred_docs.get(doc_id, [])
        report.per_document.setdefault(doc_id, Counts())
        pairs, missed, spurious = pair_records(gold_records, pred_records)
        for gold_record, pred_record in pairs:
            _add_pair(report, gold_record, pred_record)
        for record in missed:
            _add_record_errors(report, record, "missed_record")
        for record in spurious:
            _add_record_errors(report, record, "spurious_record")
        report.records["gold"] += len(gold_records)
        report.records["pred"] += len(pred_records)
        report.records["paired"] += len(pairs)
        report.records["missed"] += len(missed)
        report.records["spurious"] += len(spurious)
        gold_studies = {fold_key(r.study_id) for r in gold_records}
        found = {fold_key(g.study_id) for g, _ in pairs}
        report.studies[doc_id] = {"gold": len(gold_studies), "found": len(found & gold_studies)}
    return report


# ------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------


def load_records(path: Path) -> list[StudyRecord]:
    """Records of one JSON Lines file; each line is validated against the StudyRecord contract."""
    records = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                records.append(StudyRecord.model_validate_json(line))
            except ValueError as err:
                raise ValueError(f"{path}:{number}: not a valid StudyRecord: {err}") from err
    return records


def load_dir(directory: Path, suffix: str) -> list[StudyRecord]:
    """All records of ``<doc_id><suffix>`` files in a directory (or one such file)."""
    directory = Path(directory)
    files = [directory] if directory.is_file() else sorted(directory.glob(f"*{suffix}"))
    return [record for path in files for record in load_records(path)]


def evaluate_dirs(pred_dir: Path, gold_dir: Path) -> EvalReport:
    """Score ``<doc_id>.records.jsonl`` files in pred_dir against ``<doc_id>.gold.jsonl`` in gold_dir."""
    gold = load_dir(Path(gold_dir), GOLD_SUFFIX)
    if not gold:
        raise FileNotFoundError(f"no *{GOLD_SUFFIX} files in {gold_dir}")
    return score_records(load_dir(Path(pred_dir), PRED_SUFFIX), gold)


# ------------------------------------------------------------------------------------------
# terminal rendering
# ------------------------------------------------------------------------------------------


def render(report: EvalReport, console: Any, max_errors: int = 60) -> None:
    """Rich tables: overall, per field, per document, top error kinds, the errors themselves."""
    from rich.table import Table as RichTable

    def counts_table(title: str, rows: dict[str, Counts], key_name: str) -> RichTable:
        table = RichTable(title=title, show_lines=False)
        for column in (key_name, "TP", "FP", "FN", "P", "R", "F1"):
            table.add_column(column, justify="left" if column == key_name else "right")
        for key, c in rows.items():
            table.add_row(key, str(c.tp), str(c.fp), str(c.fn), f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}")
        return table

    console.print(counts_table("Overall", {"all values": report.overall}, "scope"))
    console.print(f"records: {report.records}")
    console.print(counts_table("Per field", dict(sorted(report.per_field.items())), "field"))
    console.print(counts_table("Per document", dict(sorted(report.per_document.items())), "document"))
    kinds = RichTable(title="Most common error kinds")
    for column in ("kind", "field", "count"):
        kinds.add_column(column)
    for kind, name, n in report.error_kinds():
        kinds.add_row(kind, name, str(n))
    console.print(kinds)
    errors = RichTable(title=f"Errors (first {min(max_errors, len(report.errors))} of {len(report.errors)})", show_lines=True)
    for column in ("kind", "doc", "study / arm", "field", "gold", "pred", "evidence"):
        errors.add_column(column, overflow="fold")
    for error in report.errors[:max_errors]:
        evidence = "; ".join(f"[{e.get('source')} p{e.get('page')}] {e.get('text')}" for e in error.evidence[:2])
        errors.add_row(error.kind, error.doc_id, f"{error.study_id} / {error.arm}", error.field,
                       _short(error.gold), _short(error.pred), _short(evidence, 160))
    console.print(errors)
    if report.unscored_documents:
        console.print(f"[yellow]no gold for[/yellow] {', '.join(report.unscored_documents)}")


def _short(value: Any, limit: int = 60) -> str:
    text = "" if value is None else (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "Counts", "EvalError", "EvalReport", "compare_values", "evaluate_dirs", "load_dir",
    "load_records", "pair_records", "record_values", "render", "score_records",
]
