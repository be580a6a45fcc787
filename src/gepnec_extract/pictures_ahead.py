"""Page pictures drawn ahead of the report: each paper's picture child starts once its parse is
done (``prepare_ahead``) and draws once its records are known (``draw_ahead``), so the report
that ends the run finds them drawn (``report.page_pictures`` takes them).

Apart from the report module: the parse's thread starts a paper's child the moment the parse
ends, and importing the report (DuckDB, jinja2, the models) on that thread, or waiting for the
batch's preparations to import it, held the child back while the paper was tagged (0.55 s in a
traced run on a busy host). This module needs only the standard library and evidence_pages.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .doc_ids import safe_doc_id

if TYPE_CHECKING:
    from .model import Document

AHEAD_NICENESS = 5  # how much lower than the run the children drawing pictures ahead run


def key_and_kept(previous: dict[str, Any], source: Path, document: Document, evidence: list[dict[str, Any]],
                 stem: str, pages_dir: Path) -> tuple[str, dict | None]:
    """A paper's picture key, and the pictures an earlier report kept under it (None if not)."""
    from .evidence_pages import kept_pictures, picture_key

    key = picture_key(source, document, evidence, stem)
    return key, kept_pictures(previous.get(document.doc_id), key, pages_dir)


# (pages folder, stem) -> the key and Future of a paper's pictures being drawn ahead of the report
drawn_ahead: dict[tuple[Path, str], tuple[str, Future]] = {}
_ahead_turn = threading.Lock()
# (pages folder, the paper's file) -> what a prepared picture child is to draw: (document,
# evidence, stem) once draw_ahead knows it, None to end it unused; and the Future of its pictures
_prepared: dict[tuple[Path, str], tuple[Future, Future]] = {}


def prepare_ahead(out_dir: Path | str, path: Path | str) -> None:
    """Start the picture child of a paper once its parse is done (``evidence_pages.PictureChild``):
    it loads its libraries and reads the PDF's words while the paper is tagged, on the core that
    tagging leaves idle, and draws as soon as ``draw_ahead`` gives it the paper's evidence. On a
    thread of its own, which starts the child, hands it the evidence and waits for its pictures
    (the child ends with that thread)."""
    source = Path(path)
    slot = (Path(out_dir) / "pages", str(source))
    if source.suffix.lower() != ".pdf" or not source.is_file() or slot in _prepared:
        return
    if _prepared or _ahead_turn.locked():
        # the pictures lag behind the batch: this paper's are drawn after its records, as without
        # a head start (a child waiting per paper would pile up, 50-70 MB each); so at most one
        # child waits for its evidence while another draws
        return
    asked, drawing = Future(), Future()

    def prepare_and_draw() -> None:
        from .evidence_pages import PictureChild
        from .ingest.limits import Limits

        try:
            child = PictureChild(source, Limits.from_env(), nice=AHEAD_NICENESS)
        except Exception:  # noqa: BLE001 - no child: the drawing starts one as usual
            child = None
        job = asked.result()
        if job is None:
            if child is not None:
                child.cancel()
            return
        document, evidence, stem = job
        _draw(drawing, source, document, evidence, slot[0], stem, child)

    _prepared[slot] = asked, drawing
    # a daemon: a run that stops early does not wait for pictures nobody will show
    threading.Thread(target=prepare_and_draw, name=f"pictures of {source.name}", daemon=True).start()


def draw_ahead(out_dir: Path | str, payload: dict[str, Any]) -> None:
    """Start drawing the page pictures of a paper just extracted (its batch payload) on a thread
    of their own, while the batch goes on; a report in this process then waits for them instead of
    drawing them. A head start only: the report takes them when its own key for the paper is the
    same (the same PDF, evidence places and code), and draws anew otherwise. The children are
    niced, so they take the cores the batch leaves idle (the parse of the next paper goes first)."""
    source = Path(payload.get("file") or "")
    pages_dir = Path(out_dir) / "pages"
    prepared = _prepared.pop((pages_dir, str(source)), None)  # a child prepare_ahead started
    if payload.get("status") != "ok" or not payload.get("records") or not source.is_file():
        _end_unused(prepared)
        return
    from .model import Document  # loaded already: the batch built this paper's records

    document = Document.model_validate(payload["document"])
    evidence = [e for r in payload["records"] for e in r.get("evidence", [])]
    stem = safe_doc_id(document.doc_id)
    key, kept = key_and_kept(load_page_pictures(Path(out_dir)), source, document, evidence, stem, pages_dir)
    if kept or (pages_dir, stem) in drawn_ahead:  # a paper is drawn ahead once a run
        _end_unused(prepared)
        return
    if prepared is not None:
        asked, drawing = prepared
        asked.set_result((document, evidence, stem))
        drawn_ahead[pages_dir, stem] = key, drawing
        return
    drawing: Future = Future()
    drawn_ahead[pages_dir, stem] = key, drawing
    # a daemon: a run that stops early does not wait for pictures nobody will show
    threading.Thread(target=_draw, args=(drawing, source, document, evidence, pages_dir, stem),
                     name=f"pictures {stem}", daemon=True).start()


def _draw(drawing: Future, source: Path, document: Document, evidence: list[dict[str, Any]], pages_dir: Path,
          stem: str, prepared=None) -> None:
    """A paper's pictures drawn ahead into ``drawing`` (by its ``prepared`` child, if any), one
    paper at a time however fast papers come."""
    from .evidence_pages import render_evidence

    try:
        with _ahead_turn:
            drawing.set_result(render_evidence(source, document, evidence, pages_dir, stem, parts=1,
                                               nice=AHEAD_NICENESS, prepared=prepared))
    except BaseException as error:  # noqa: BLE001 - the report raises it when it takes the pictures
        drawing.set_exception(error)


def _end_unused(prepared: tuple[Future, Future] | None) -> None:
    if prepared is not None:
        prepared[0].set_result(None)


def end_prepared() -> None:
    """End every prepared picture child no paper's evidence came to (a paper that failed, say)."""
    while _prepared:
        _end_unused(_prepared.pop(next(iter(_prepared))))


def load_page_pictures(out_dir: Path) -> dict[str, dict]:
    index = out_dir / "pages" / "index.json"
    try:
        found = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
