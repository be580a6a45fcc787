"""The main job (`gepnec-extract run`): batch extraction, evidence dataset, evaluation, report.

Wiring only: extraction and the dataset refresh are ``gepnec_extract.orchestrate.run_batch``;
scoring is ``gepnec_extract.evaluate``; the report is ``gepnec_extract.report``. Gold is looked up
per paper, never by the extractor: ``<doc_id>.gold.jsonl`` beside the paper, or in the project's gold/.

Without PREFECT_API_URL in the environment this module imports no Prefect and starts no server:
the batch runs on the library's executors (in process, or Dask for workers > 1 / an address).
With it, the main job is itself a Prefect flow ("run") on that server, and the batch its
``batch-extract`` subflow with one task run per paper.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import logging
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gepnec_extract import batch, orchestrate, run_state

PROJECT_GOLD = Path(__file__).resolve().parents[1] / "gold"


class RunError(Exception):
    """The run could not happen at all (as opposed to a paper failing, which is recorded)."""


@dataclass
class RunResult:
    batch: Any
    out_dir: Path
    evaluation: dict | None = None
    report: Path | None = None
    gold_documents: list[str] = field(default_factory=list)


def gold_files(papers: list[Path]) -> dict[str, Path]:
    """doc_id -> gold file, for the papers that have one (beside the paper, else in gold/)."""
    found = {}
    doc_ids, _ = batch.assign_doc_ids(papers)  # the doc_ids the batch gives these papers
    for paper in papers:
        for candidate in (paper.with_name(f"{paper.stem}.gold.jsonl"), PROJECT_GOLD / f"{paper.stem}.gold.jsonl"):
            if candidate.is_file():
                found[doc_ids[str(paper)]] = candidate
                break
    return found


def evaluate_against_gold(out_dir: Path, golds: dict[str, Path]) -> dict | None:
    if not golds:
        return None
    from gepnec_extract.evaluate import evaluate_dirs

    with tempfile.TemporaryDirectory() as tmp:
        for doc_id, path in golds.items():
            shutil.copy(path, Path(tmp) / f"{doc_id}.gold.jsonl")
        report = evaluate_dirs(out_dir / "records", Path(tmp))
    text = report.to_json()
    (out_dir / "evaluation.json").write_text(text, encoding="utf-8")
    return json.loads(text)  # what a later run that skips scoring reads back from the file


def conflict_rows(db_path: Path) -> list[dict]:
    """One row per (study, cohort, field) in dispute, with each source's value and evidence."""
    if not db_path.exists():
        return []
    from gepnec_extract import dataset  # not imported by a run that finds nothing new

    rows: dict[tuple, dict] = {}
    for item in dataset.conflict_rows(db_path):
        key = (item["study_id"], item["group_key"], item["field"])
        row = rows.setdefault(key, {"study_id": key[0], "cohort": key[1], "field": key[2], "values": []})
        row["values"].append({"doc_id": item["doc_id"], "value": item["value"], "evidence": item.get("evidence")})
    return list(rows.values())


def run(paths: list[Path], out_dir: Path, workers: int = 1, dask_address: str | None = None,
        report: bool = True, console: Console | None = None, refresh_cache: bool = False) -> RunResult:
    """The main job; a Prefect flow run when PREFECT_API_URL is set, plain calls otherwise."""
    papers = batch.discover_papers(paths)
    if not any(paper.is_file() for paper in papers):  # a missing paper among others is a failure; none at all is no run
        raise RunError(f"no papers found in {', '.join(str(p) for p in paths)}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RunError(f"cannot write to {out_dir}: {err}") from err
    console = console or Console(stderr=True)
    # one run at a time writes to an out dir: a second one waits for the first to end
    hold = contextlib.ExitStack()
    try:
        hold.enter_context(run_state.exclusive(out_dir, waiting=lambda message: console.print(
            f"[yellow]{escape(message)}[/yellow]")))
    except OSError as err:  # no lock file can be made there
        raise RunError(f"cannot write to {out_dir}: {err}") from err
    with hold:
        if not orchestrate.prefect_configured():
            return _main_job(papers, out_dir, workers, dask_address, report, console, refresh_cache)
        global _console
        _console = console  # no flow parameter: Prefect validates and records parameters
        try:
            return _main_job_flow()(papers=[str(p) for p in papers], out_dir=str(out_dir), workers=workers,
                                    dask_address=dask_address, report=report, refresh_cache=refresh_cache)
        finally:
            _console = None


_console: Console | None = None
_FLOW = None


def _main_job_flow():
    """The main job as the Prefect flow "run" (built on first use: importing Prefect costs seconds)."""
    global _FLOW
    if _FLOW is None:
        from . import _runtime  # noqa: F401  (Prefect env defaults, before prefect is imported)
        from prefect import flow

        @flow(name="run", persist_result=False, validate_parameters=False)
        def main_job(papers: list[str], out_dir: str, workers: int = 1, dask_address: str | None = None,
                     report: bool = True, refresh_cache: bool = False) -> RunResult:
            return _main_job([Path(p) for p in papers], Path(out_dir), workers, dask_address, report,
                             _console or Console(stderr=True), refresh_cache)

        _FLOW = main_job
    return _FLOW


def _main_job(papers: list[Path], out_dir: Path, workers: int, dask_address: str | None, report: bool,
              console: Console, refresh_cache: bool) -> RunResult:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[last]}"))
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("extracting", total=len(papers), last="starting ...")

        def advance(payload: dict) -> None:  # called in this process, never shipped to a worker
            mark = "ok" if payload["status"] == "ok" else f"failed: {payload['kind']}"
            bar.update(task, advance=1, last=f"{Path(payload['file']).name} ({mark})")

        golds = gold_files(papers)
        summary = orchestrate.run_batch(papers, out_dir, workers=workers, dask_address=dask_address,
                                        progress=advance, refresh_cache=refresh_cache,
                                        meanwhile=later_stages(bool(golds), report),
                                        extracted=functools.partial(pictures_ahead, out_dir) if report else None,
                                        parsed=functools.partial(pictures_prepared, out_dir) if report else None)
    if report:
        _end_prepared_pictures()
    result = RunResult(batch=summary, out_dir=out_dir, gold_documents=sorted(golds))
    with console.status("scoring against gold ..."):
        result.evaluation = scored_against_gold(out_dir, golds)
    if report:
        with console.status("writing report.html ..."):
            result.report = written_report(out_dir, result.evaluation)
    return result


def later_stages(scoring: bool, report: bool) -> list[Callable[[], Any]]:
    """The imports of the stages after the batch, and the report's template compiled, for the
    batch to make while its first paper parses (orchestrate.InlineExecutor)."""
    modules = (["gepnec_extract.evaluate"] if scoring else []) + (["gepnec_extract.report"] if report else [])
    steps = [functools.partial(importlib.import_module, name) for name in modules]
    return steps + ([_compile_report_template] if report else [])


def _compile_report_template() -> None:
    from gepnec_extract.report import report_template

    report_template()


def pictures_ahead(out_dir: Path, payload: dict) -> None:
    """Each paper's page pictures start drawing when the paper is extracted (pictures_ahead.draw_ahead),
    on the cores the batch leaves idle, so the report that ends the run finds them drawn."""
    from gepnec_extract.pictures_ahead import draw_ahead

    try:
        draw_ahead(out_dir, payload)
    except Exception as error:  # noqa: BLE001 - the report draws them itself, and says what fails
        logging.getLogger(__name__).debug("drawing %s's pictures ahead failed: %s", payload.get("file"), error)


def pictures_prepared(out_dir: Path, path: str) -> None:
    """A paper's picture child starts once its parse is done (pictures_ahead.prepare_ahead): it loads and
    reads the PDF's words while the paper is tagged, and draws once the paper is extracted."""
    from gepnec_extract.pictures_ahead import prepare_ahead  # light: it waits for no import of the report

    try:
        prepare_ahead(out_dir, path)
    except Exception as error:  # noqa: BLE001 - draw_ahead draws the pictures itself
        logging.getLogger(__name__).debug("preparing %s's pictures failed: %s", path, error)


def _end_prepared_pictures() -> None:
    """Picture children prepared for papers whose evidence never came (a paper that failed). Only
    a run that parsed a paper imported pictures_ahead: a run whose papers all came from the cache
    does not import it for this."""
    if "gepnec_extract.pictures_ahead" in sys.modules:
        from gepnec_extract.pictures_ahead import end_prepared

        end_prepared()


def _code() -> list[str]:
    """The package's code and templates, and this module's (which finds the gold and wires the stages)."""
    return [run_state.code_version(), run_state.file_digest(Path(__file__)) or ""]


def scored_against_gold(out_dir: Path, golds: dict[str, Path]) -> dict | None:
    """The evaluation, or the last run's evaluation.json when neither the records nor the gold nor
    the code changed since it was written (a no-op re-run loads no scoring code)."""
    if not golds:
        return None
    inputs = run_state.digest({
        "code": _code(),
        "gold": {doc_id: run_state.file_digest(path) for doc_id, path in sorted(golds.items())},
        "records": run_state.fingerprint(out_dir, sorted((out_dir / "records").glob("*.records.jsonl"))),
    })
    target = out_dir / "evaluation.json"
    if run_state.unchanged(out_dir, "evaluation", inputs) is not None:
        try:
            return json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    evaluation = evaluate_against_gold(out_dir, golds)
    run_state.record(out_dir, "evaluation", inputs, [target])
    return evaluation


def written_report(out_dir: Path, evaluation: dict | None) -> Path:
    """report.html, rebuilt unless nothing it is made from changed since it was written."""
    inputs = run_state.digest({"code": _code(), "evaluation": evaluation,
                               "files": run_state.fingerprint(out_dir, _report_sources(out_dir))})
    target = out_dir / "report.html"
    if run_state.unchanged(out_dir, "report", inputs) is not None:
        return target
    from gepnec_extract.report import build_report

    built = build_report(out_dir, evaluation, conflict_rows(out_dir / "evidence.duckdb"))
    pictures = sorted((out_dir / "pages").glob("*")) if (out_dir / "pages").is_dir() else []
    run_state.record(out_dir, "report", inputs, [built, *pictures])
    return built


def _report_sources(out_dir: Path) -> list[Path]:
    """Every file of out_dir the report may read (records, failures, documents, the dataset, which
    names each paper's file for the page pictures): all of them but its own outputs, the run state
    and the payload cache, so a new input of the report is covered without being listed here."""
    own = {"report.html", run_state.STATE_FILE, run_state.LOCK_FILE}
    skipped_dirs = {"pages", "cache"}
    return sorted(p for p in out_dir.rglob("*") if p.is_file() and p.name not in own
                  and p.relative_to(out_dir).parts[0] not in skipped_dirs)


def print_summary(result: RunResult, console: Console) -> None:
    summary = result.batch
    table = Table(title="gepnec-extract run")
    for column in ("papers", "extracted", "cached", "failed", "records", "pages", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(str(summary.files), str(summary.ok), str(summary.cached), str(summary.failed),
                  str(summary.records), str(summary.pages), f"{summary.seconds:.1f}")
    console.print(table)
    if result.evaluation:
        scores = Table(title="against gold")
        for column in ("document", "P", "R", "F1"):
            scores.add_column(column, justify="right")
        for doc_id, s in result.evaluation["per_document"].items():
            scores.add_row(doc_id, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}")
        o = result.evaluation["overall"]
        scores.add_row("all", f"{o['precision']:.3f}", f"{o['recall']:.3f}", f"{o['f1']:.3f}", style="bold")
        console.print(scores)
    for warning in getattr(summary, "warnings", []):
        console.print("[yellow]warning[/yellow] " + escape(warning))
    for failure in summary.failures:
        console.print("[yellow]failed[/yellow] " + escape(f"{failure['file']}: [{failure['kind']}] {failure['message']}"))
    outputs = ", ".join(sorted(Path(p).name for p in summary.outputs.values()))
    console.print(f"outputs in {result.out_dir}/: {outputs}" + (", report.html" if result.report else ""))
