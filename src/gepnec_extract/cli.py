"""Command-line interface: thin typer commands over the library functions the flows also call."""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape  # file names and parser messages may contain [brackets]

from . import cache
from .ingest import IngestError, Limits, ingest_file
from .interrupts import interrupted, note_ctrl_c

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Extract GEPNEC study records from papers.",
                  context_settings={"help_option_names": ["-h", "--help"]})
console = Console(stderr=True, soft_wrap=True)  # one line per message, even when piped


def _fail(message: str, code: int = 2) -> None:
    """One line on stderr naming what is wrong, then exit non-zero (2: the command could not run)."""
    console.print(f"[red]error[/red] {escape(message)}")
    raise typer.Exit(code=code)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"gepnec-extract {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="print the version and exit")) -> None:
    """Extract GEPNEC study records from papers."""


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        _fail(f"--out {out} is a file, not a directory")

BUNDLED_REVIEW = Path(__file__).resolve().parents[2] / "corpus" / "review" / "review.pdf"
# One worker keeps about this many cores busy: it tags a paper while its sandboxed children parse
# the next ones (1.4-1.8 cores measured on 40 papers, docs/performance.md). More workers than the
# cores allow for only share the same cores.
CORES_PER_WORKER = 2


def _limits(timeout: Optional[float], memory_mb: Optional[int], max_pages: Optional[int]) -> Limits:
    return Limits.from_env(timeout_s=timeout, memory_mb=memory_mb, max_pages=max_pages)


@app.command()
def ingest(
    files: list[Path] = typer.Argument(..., help="PDF or .txt files"),
    out: Path = typer.Option(Path("out"), "--out", help="directory for <doc_id>.document.json"),
    timeout: Optional[float] = typer.Option(None, help="seconds allowed per PDF"),
    memory_mb: Optional[int] = typer.Option(None, help="memory limit of the parsing process"),
    max_pages: Optional[int] = typer.Option(None, help="refuse PDFs with more pages"),
) -> None:
    """Read each file into DIR/<doc_id>.document.json; a bad file is reported and the rest go on."""
    _check_out_dir(out)
    limits = _limits(timeout, memory_mb, max_pages)
    failures = 0
    taken: set[str] = set()
    from .ingest.sandbox import parts_for_one_paper

    for path in files:
        try:
            doc = ingest_file(path, limits, parts=parts_for_one_paper())
        except IngestError as err:
            failures += 1
            console.print(f"[red]error[/red] {escape(str(path))}: {escape(f'[{err.kind}] {err.message}')}")
            continue
        # the doc_id becomes the file name: safe (a document.json may say "../../x") and unique here
        doc.doc_id = _unique(doc.doc_id, taken, path)
        target = doc.save(out)
        for warning in doc.warnings:
            console.print(f"[yellow]warning[/yellow] {escape(path.name)}: {escape(warning)}")
        console.print(f"{path.name}: {doc.pages} pages, {len(doc.blocks)} blocks, {len(doc.tables)} tables -> {target}")
    if failures:
        raise typer.Exit(code=1)


def _unique(doc_id: str, taken: set[str], path: Path) -> str:
    from .model import safe_doc_id

    base = candidate = safe_doc_id(doc_id)
    n = 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{base}-{n}"
    if candidate != base:
        console.print(f"[yellow]warning[/yellow] {escape(str(path))}: doc_id {escape(repr(base))} is already "
                      f"taken in this run; written as {escape(repr(candidate))}")
    taken.add(candidate.casefold())
    return candidate


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="papers (PDF/.txt), folders or .list manifests"),
    out: Path = typer.Option(Path("out"), "--out", help="directory for <doc_id>.records.jsonl"),
) -> None:
    """Extract study records: DIR/<doc_id>.records.jsonl per paper; a bad file is reported, the rest go on."""
    from . import batch
    from .model import StudyRecord

    failed = 0
    _check_out_dir(out)
    papers = batch.discover_papers(paths)
    if not papers:
        _fail(f"no papers (.pdf or .txt) found in {', '.join(str(p) for p in paths)}")
    out.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    for path in papers:
        payload = batch.unreadable_payload(path) or batch.extract_payload(path)
        if payload["status"] == "failed":
            failed += 1
            reason = f"[{payload['kind']}] {payload['message']}"
            console.print(f"[red]error[/red] {escape(str(path))}: {escape(reason)}")
            continue
        for warning in payload.get("warnings", []):
            console.print(f"[yellow]warning[/yellow] {escape(path.name)}: {escape(warning)}")
        doc_id = _unique(payload["doc_id"], taken, path)  # safe and unique: it is the file name
        records = [StudyRecord.model_validate({**r, "doc_id": doc_id}) for r in payload["records"]]
        target = batch.write_records_jsonl(out / f"{doc_id}.records.jsonl", records)
        console.print(f"{escape(path.name)}: {len(records)} records -> {escape(str(target))}")
    if failed:
        raise typer.Exit(code=1)


@app.command()
def run(
    paths: list[Path] = typer.Argument(None, help="papers (PDF/.txt), folders or .list manifests; default: the bundled review"),
    out: Path = typer.Option(Path("out"), "--out", help="output directory"),
    workers: int = typer.Option(1, "--workers", help="papers extracted in parallel (>1: this process and N-1 worker processes, each loading the tagger once)"),
    dask_address: Optional[str] = typer.Option(None, "--dask-address", help="run on an existing Dask cluster"),
    report: bool = typer.Option(True, "--report/--no-report", help="write report.html"),
    refresh_cache: bool = typer.Option(False, "--refresh-cache", help="extract every paper again (cached failures too)"),
    timeout: Optional[float] = typer.Option(None, "--timeout", min=0.1, help="seconds allowed per paper (GEPNEC_TIMEOUT_S)"),
    memory_mb: Optional[int] = typer.Option(None, "--memory-mb", min=64, help="memory limit of the parsing process, MB (GEPNEC_MEMORY_MB)"),
    max_pages: Optional[int] = typer.Option(None, "--max-pages", min=1, help="refuse PDFs with more pages (GEPNEC_MAX_PAGES)"),
    max_file_mb: Optional[int] = typer.Option(None, "--max-file-mb", min=1, help="refuse bigger files, MB (GEPNEC_MAX_FILE_BYTES)"),
) -> None:
    """The main job: extract every paper, refresh the evidence dataset, score against gold where it
    exists, and write records.jsonl/.csv, evidence.duckdb/.parquet, failures.jsonl and report.html."""
    if workers < 1:
        _fail(f"--workers {workers}: at least 1 (one paper at a time)")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # when Prefect runs: the summary table says what happened
    # the limits travel as the environment every worker reads (Limits.from_env), flags over variables
    for name, value in (("TIMEOUT_S", timeout), ("MEMORY_MB", memory_mb), ("MAX_PAGES", max_pages),
                        ("MAX_FILE_BYTES", None if max_file_mb is None else max_file_mb * 1024 * 1024)):
        if value is not None:
            os.environ[f"GEPNEC_{name}"] = str(value)
    try:
        Limits.from_env()
    except ValueError as err:
        _fail(f"bad limit in the environment: {err}")
    if out.exists() and not out.is_dir():
        _fail(f"--out {out} is a file, not a directory")
    if dask_address is None:
        _note_too_few_cores(workers)
    if dask_address is None and not cache.holds_payloads(out / "cache"):
        # a first run into `out` parses every paper here: the parsers' fork server starts now, its
        # imports (half a second) beside the rest of the run's
        from .ingest.sandbox import start_fork_server_in_background

        start_fork_server_in_background()
    from gepnec_flows import run as runner  # the main job: batch, scoring, report (Prefect only with PREFECT_API_URL)

    paths = list(paths or [BUNDLED_REVIEW])
    note_ctrl_c()  # main() did already, unless the command was called without it (a CliRunner)
    if interrupted():  # a Ctrl-C that an import of the arguments' parsing or of the run swallowed
        raise KeyboardInterrupt
    try:
        result = runner.run(paths, out, workers=workers, dask_address=dask_address, report=report, console=console,
                            refresh_cache=refresh_cache)
    except runner.RunError as err:
        console.print(f"[red]could not run[/red]: {escape(str(err))}")
        raise typer.Exit(code=2)
    if interrupted():  # a Ctrl-C that some stage's import swallowed still stops the run: 130
        raise KeyboardInterrupt
    runner.print_summary(result, console)


def _note_too_few_cores(workers: int) -> None:
    """Say so when --workers N asks for more than this machine's cores can give: the run is then
    no faster than with fewer workers, and often slower (their pipelines load on the same cores)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if workers > 1 and cores < CORES_PER_WORKER * workers:
        useful = max(1, cores // CORES_PER_WORKER)
        console.print(f"[yellow]note[/yellow]: --workers {workers} on {cores} core(s): one worker keeps about "
                      f"{CORES_PER_WORKER} cores busy (it tags one paper while its children parse the next), so "
                      f"more than {useful} worker(s) will not be faster here")


@app.command()
def evaluate(
    pred: Path = typer.Option(..., "--pred", help="directory of <doc_id>.records.jsonl (extractor output)"),
    gold: Path = typer.Option(..., "--gold", help="directory of <doc_id>.gold.jsonl (e.g. gold/ or ../shared/corpus/dev)"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="also write the full report as JSON"),
    max_errors: int = typer.Option(60, help="errors listed in the terminal"),
) -> None:
    """Score extracted records against gold: precision/recall/F1 per field and document, every error."""
    from rich.console import Console as StdoutConsole

    from .evaluate import evaluate_dirs, render

    for option, folder, pattern in (("--pred", pred, "*.records.jsonl"), ("--gold", gold, "*.gold.jsonl")):
        if not folder.is_dir():
            _fail(f"{option} {folder}: no such directory")
        if not any(folder.glob(pattern)):
            _fail(f"{option} {folder}: holds no {pattern} file")
    report = evaluate_dirs(pred, gold)
    render(report, StdoutConsole(), max_errors=max_errors)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(report.to_json(), encoding="utf-8")
        console.print(f"report written to {json_out}")


@app.command()
def tag(
    file: Optional[Path] = typer.Argument(None, help="a PDF, .txt or <doc_id>.document.json"),
    text: Optional[str] = typer.Option(None, "--text", help="tag this text instead of a file"),
    as_json: bool = typer.Option(False, "--json", help="print a JSON list of {label, text, start, end, sentence, value}"),
    html_out: Optional[Path] = typer.Option(None, "--html", help="write a displaCy rendering of the tagged document"),
) -> None:
    """Tag the facts a study record needs (drugs, doses, response, survival...) in a text or a paper."""
    from .nlp import facts_in_order, get_nlp, span_record, tag_document

    if (file is None) == (text is None):
        raise typer.BadParameter("give either FILE or --text")
    if html_out is not None and html_out.is_dir():
        _fail(f"--html {html_out} is a directory")
    if text is not None:
        doc = get_nlp()(text)  # the Doc must outlive its span group
        records = [span_record(span) for span in facts_in_order(doc)]
        if html_out is not None:
            from .model import Block, Document

            tagged = tag_document(Document(doc_id="text", source="--text", pages=1, blocks=[Block(page=1, text=text)]))
    else:
        try:
            tagged = tag_document(ingest_file(file))
        except IngestError as err:
            console.print(f"[red]error[/red] {escape(f'{file}: [{err.kind}] {err.message}')}")
            raise typer.Exit(code=1)
        records = tagged.records()
    if html_out is not None:
        from .nlp.render import render_html

        html_out.parent.mkdir(parents=True, exist_ok=True)
        html_out.write_text(render_html(tagged), encoding="utf-8")
        console.print(f"rendering written to {escape(str(html_out))}")
    if as_json:
        print(json.dumps(records, ensure_ascii=False, indent=1))
    elif html_out is None or text is not None:
        for record in records:
            print(f"{record['label']:<11} {record['text']!r:<50} {json.dumps(record['value'], ensure_ascii=False)}")


@app.command()
def review(
    out_dir: Path = typer.Argument(..., help="the out dir of a run (evidence.duckdb, records.jsonl, documents/)"),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="port on 127.0.0.1 (0: any free port)"),
    reviewer: str = typer.Option(os.environ.get("USER") or "reviewer", "--reviewer", help="name kept with each verdict"),
) -> None:
    """Serve the review page on 127.0.0.1: mark each value right, or wrong with the right value."""
    from .review_server import load_evaluation, make_server

    try:
        server = make_server(out_dir, reviewer, port, load_evaluation(out_dir))
    except (FileNotFoundError, OSError) as err:
        console.print(f"[red]error[/red] {escape(str(err))}")
        raise typer.Exit(code=2)
    console.print(f"reviewing {escape(str(out_dir))} as {escape(reviewer)} at {server.origin}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@app.command("apply-corrections")
def apply_corrections(
    file: Path = typer.Argument(..., help="a corrections file (JSON lines, e.g. the review page's corrections.jsonl)"),
    out: Path = typer.Option(Path("out"), "--out", help="the run's out dir, whose evidence.duckdb takes the verdicts"),
    gold: Optional[Path] = typer.Option(None, "--gold", help="also write <doc_id>.gold.jsonl of the reviewed papers here"),
) -> None:
    """Write a saved corrections file into the dataset as the curated source (with who and when)."""
    from . import corrections

    db = out / "evidence.duckdb"
    try:
        if not db.is_file():
            raise corrections.CorrectionError(f"no dataset at {db}")
        items = corrections.read_file(file)
        ids = corrections.record(db, items)
    except (OSError, corrections.CorrectionError) as err:
        console.print(f"[red]error[/red] {escape(str(file))}: {escape(str(err))}")
        raise typer.Exit(code=1)
    console.print(f"{len(ids)} corrections written into {escape(str(db))}")
    if gold is not None:
        written = corrections.export_gold(db, gold)
        console.print(f"gold of {len(written)} reviewed papers written to {escape(str(gold))}")


@app.command("export-gold")
def export_gold(
    out: Path = typer.Argument(..., help="the run's out dir"),
    to: Path = typer.Option(..., "--to", help="directory for <doc_id>.gold.jsonl (the curated records of reviewed papers)"),
) -> None:
    """Export the reviewed papers' curated records as gold files (evaluate --gold reads them)."""
    from . import corrections

    db = out / "evidence.duckdb"
    if not db.is_file():
        console.print(f"[red]error[/red] no dataset at {escape(str(db))}")
        raise typer.Exit(code=1)
    written = corrections.export_gold(db, to)
    console.print(f"gold of {len(written)} reviewed papers written to {escape(str(to))}")


def main() -> None:
    note_ctrl_c()  # from the start: a Ctrl-C that an import swallows is still known to the run
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        # The work is done: the interpreter's last garbage collections would walk every object of
        # the NLP pipeline and the batch (0.3-0.4 s of a review run, measured). Frozen objects are
        # left out of them; they are still freed as the modules are torn down, and every output
        # was written (and renamed into place) before this point.
        gc.freeze()


if __name__ == "__main__":
    main()
