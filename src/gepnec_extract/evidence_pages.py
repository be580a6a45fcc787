"""Pictures of the pages evidence comes from, with the evidence's box on them.

For each evidence item (page, source, text) of a paper we find where it is printed: the words of
the block (running text) or table (a cell) it belongs to are matched against the evidence text,
letters and digits only (so hyphenation at a line end, ligatures and spacing do not matter), and
each matched line gives one box. When the text is not found word by word, the block's or table's
own box is used (ingest keeps both), so a reviewer still sees where to look. The words and their
boxes come from pypdfium2's text page, and pages with evidence are rendered to JPEG with it.

The PDF is untrusted: locating and rendering run in a child process with an address-space limit
and a wall-clock timeout (``Limits``), and a failure only means the report has no pictures for
that paper.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import unicodedata
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from .interrupts import die_with_parent, shield_children

if TYPE_CHECKING:  # the child imports this module: it loads neither pydantic nor the ingest package
    from .ingest.limits import Limits
    from .model import Document

SCALE = 1.4  # pixels per PDF point of the page pictures (about 100 dpi)
# JPEG at quality 90 with full-resolution colour: as sharp to the eye as PNG on printed text, a
# tenth of PNG's encoding time (which was half of drawing a paper's pictures) and half its size
PICTURE_SUFFIX = ".jpg"
JPEG_OPTIONS = {"format": "JPEG", "quality": 90, "subsampling": 0}
MAX_PAGES_RENDERED = 40  # pictures per paper
PREFIX_CHARS = 40  # a long sentence not found whole is found by its first and last characters


def _norm(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def _container(document: Document, letters: list[tuple[int, list, str]], page: int, source: str, text: str):
    """The bbox of the block or table an evidence item comes from (None when not known).
    ``letters``: (page, bbox, _norm(text)) of each block with a box."""
    if source.startswith("table:"):
        label = source.removeprefix("table:")
        for table in document.tables:
            if table.bbox and (table.label == label or not label) and page in (table.pages or [table.page]):
                return list(table.bbox)
        return None
    wanted = _norm(text)[:PREFIX_CHARS]
    for number, bbox, block_letters in letters:
        if number == page and wanted and wanted in block_letters:
            return bbox
    return None


def plan(document: Document, evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the child process is asked: each distinct evidence place (page, source, text) once,
    in a fixed order, with its container box. The same evidence in another record order asks the
    same, so pictures drawn ahead of the report (``pictures_ahead.draw_ahead``) are the report's own."""
    letters = [(b.page, list(b.bbox), _norm(b.text)) for b in document.blocks if b.bbox]  # once, not per item
    places = sorted({(e.get("page") or 0, e.get("source") or "", e.get("text") or "") for e in evidence})
    return [{"page": page or None, "source": source, "text": text,
             "region": _container(document, letters, page, source, text) if page else None}
            for page, source, text in places]


def place(item: Any) -> tuple[int | None, str, str]:
    """An evidence item's (page, source, text), the key its boxes are kept under."""
    if isinstance(item, dict):
        return item.get("page") or None, item.get("source") or "", item.get("text") or ""
    return item.page or None, item.source or "", item.text or ""


def _letters(words: list[dict]) -> tuple[str, list[int], set[int], set[int]]:
    """The words' letters and digits as one string, the word each letter belongs to, and where
    words start and end in it (built once per page or region: many evidence items share one)."""
    stream, owner, word_start, word_end = [], [], set(), set()
    for i, word in enumerate(words):
        chars = _norm(word["text"])
        if chars:
            word_start.add(len(stream))
            word_end.add(len(stream) + len(chars) - 1)
        stream.extend(chars)
        owner.extend([i] * len(chars))
    return "".join(stream), owner, word_start, word_end


def _boxes(words: list[dict], text: str, letters: tuple | None = None) -> list[list[float]]:
    """Boxes (one per printed line) of the words spelling ``text``, or [] when they do not.
    ``letters`` is ``_letters(words)`` when the caller keeps it."""
    haystack, owner, word_start, word_end = letters or _letters(words)
    needle = _norm(text)
    if not needle:
        return []
    start = haystack.find(needle)
    while start >= 0 and not (start in word_start and start + len(needle) - 1 in word_end):
        start = haystack.find(needle, start + 1)  # whole words only: "0" is not the 0 of "10"
    if start >= 0:
        end = start + len(needle) - 1
    elif len(needle) > 2 * PREFIX_CHARS:
        start = haystack.find(needle[:PREFIX_CHARS])
        tail = haystack.find(needle[-PREFIX_CHARS:], max(start, 0))
        if start < 0 or tail < 0 or tail - start > 3 * len(needle):
            return []
        end = tail + PREFIX_CHARS - 1
    else:
        return []
    chosen = [words[i] for i in sorted(set(owner[start:end + 1]))]
    lines: list[list[float]] = []
    for w in chosen:  # words in reading order: a new line when the word is not beside the last one
        if lines and abs(w["top"] - lines[-1][1]) < 3:
            box = lines[-1]
            box[0], box[2] = min(box[0], w["x0"]), max(box[2], w["x1"])
            box[1], box[3] = min(box[1], w["top"]), max(box[3], w["bottom"])
        else:
            lines.append([w["x0"], w["top"], w["x1"], w["bottom"]])
    return lines


def _page_words(page: Any) -> list[dict]:
    """The words printed on a pypdfium2 page, in the order the PDF draws them, as
    {"text", "x0", "top", "x1", "bottom"} with ``top`` measured down from the page's top (the
    coordinates ingest's boxes use). A word ends at a space, a line break, or where the next
    character starts a new line; each character's box is its font's box (pdfium's loose box, as
    tall as a line of that font), so a word's box spans the line like the ingested blocks do."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    left, _, _, page_top = page.get_mediabox()
    text_page = page.get_textpage()
    words: list[dict] = []
    word: list[str] = []  # the characters of the word being read; its box in x0, top, x1, bottom
    x0 = top = x1 = bottom = 0.0
    # pdfium's own calls on one reused box, and plain numbers until a word ends: pypdfium2's
    # get_charbox (a new box and its wrapper's work) and a dict per character were most of a
    # page's time (the words of a 13-page paper took 0.18 s)
    raw, rect = text_page.raw, pdfium_c.FS_RECTF()
    unicode_of, loose_box = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_GetLooseCharBox
    try:
        for index in range(text_page.count_chars()):
            char = chr(unicode_of(raw, index) or 32)
            if char.isspace() or not char.isprintable():
                if word:
                    words.append({"text": "".join(word), "x0": x0, "top": top, "x1": x1, "bottom": bottom})
                    word = []
                continue
            if not loose_box(raw, index, rect):
                raise pypdfium2.PdfiumError("Failed to get charbox.")  # as get_charbox does
            char_x0, char_top = rect.left - left, page_top - rect.top
            char_x1, char_bottom = rect.right - left, page_top - rect.bottom
            if word and abs(char_top - top) < 3 and char_x0 >= x1 - 3:
                word.append(char)
                x1, bottom = max(x1, char_x1), max(bottom, char_bottom)
            else:
                if word:
                    words.append({"text": "".join(word), "x0": x0, "top": top, "x1": x1, "bottom": bottom})
                word, x0, top, x1, bottom = [char], char_x0, char_top, char_x1, char_bottom
        if word:
            words.append({"text": "".join(word), "x0": x0, "top": top, "x1": x1, "bottom": bottom})
    finally:
        text_page.close()
    return words


def _inside(words: list[dict], region: tuple | None) -> list[dict]:
    """The words whose middle lies in ``region`` (a little margin around it), all without one."""
    if not region:
        return words
    x0, top, x1, bottom = region
    return [w for w in words if x0 - 2 <= (w["x0"] + w["x1"]) / 2 <= x1 + 2
            and top - 2 <= (w["top"] + w["bottom"]) / 2 <= bottom + 2]


def read_ahead(pdf_path: str) -> dict[str, Any]:
    """In a child started before its paper's evidence is known (``PictureChild``): the PDF's
    digest and the words of its first MAX_PAGES_RENDERED pages, read while the paper is tagged."""
    import pypdfium2

    digest = hashlib.sha256(Path(pdf_path).read_bytes()).hexdigest()
    document = pypdfium2.PdfDocument(pdf_path)
    try:
        words = {}
        for number in range(1, min(len(document), MAX_PAGES_RENDERED) + 1):
            page = document[number - 1]
            words[number] = _page_words(page)
            page.close()
    finally:
        document.close()
    return {"sha256": digest, "words": words}


def locate_and_render(pdf_path: str, items: list[dict[str, Any]], out_dir: str, stem: str,
                      ahead: dict[str, Any] | None = None) -> dict[str, Any]:
    """In the child: boxes for each item, and a picture (JPEG) per page that has one. Returns
    {"pages": {page: {"image": name, "width": pt, "height": pt}}, "boxes": [[box...] per item]},
    with the PDF's "sha256" when its words were read ahead (``ahead``: ``read_ahead``'s).
    Words come from pdfium's text page (C code, milliseconds a page), not pdfplumber's layout
    analysis, which took most of a report's time."""
    import pypdfium2

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"pages": {}, "boxes": []}
    words_ahead = ahead["words"] if ahead else {}
    if ahead:
        result["sha256"] = ahead["sha256"]
    document = pypdfium2.PdfDocument(pdf_path)
    try:
        pages_needed = [n for n in sorted({i["page"] for i in items if i.get("page")})[:MAX_PAGES_RENDERED]
                        if 1 <= n <= len(document)]
        words_by_page = {}
        for number in pages_needed:
            page = document[number - 1]
            words_by_page[number] = words_ahead[number] if number in words_ahead else _page_words(page)
            width, height = page.get_size()
            name = f"{stem}-p{number}{PICTURE_SUFFIX}"
            page.render(scale=SCALE).to_pil().save(out / name, **JPEG_OPTIONS)
            result["pages"][str(number)] = {"image": name, "width": width, "height": height}
            page.close()
    finally:
        document.close()
    searched: dict[tuple, tuple[list[dict], tuple]] = {}  # (page, region) -> its words and letters
    for item in items:
        words = words_by_page.get(item.get("page"))
        if words is None:
            result["boxes"].append([])
            continue
        region = item.get("region")
        key = (item["page"], tuple(region) if region else None)
        if key not in searched:
            inside = _inside(words, key[1])
            searched[key] = inside, _letters(inside)
        inside, letters = searched[key]
        boxes = _boxes(inside, item["text"], letters)
        if not boxes and region:
            boxes = [list(region)]
        result["boxes"].append(boxes)
    return result


def picture_key(pdf_path: Path, document: Document, evidence: list[dict[str, Any]], stem: str) -> str:
    """A digest of everything a paper's pictures and boxes depend on: the PDF's bytes, what is
    asked of the child (``plan``), the picture's name and scale, and this module's code. Pictures
    kept under the same key are reused, so a re-run's report renders nothing again."""
    digest = hashlib.sha256()
    with pdf_path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    digest.update(json.dumps([plan(document, evidence), stem, SCALE, MAX_PAGES_RENDERED], sort_keys=True).encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def kept_pictures(previous: dict[str, Any] | None, key: str, out_dir: Path) -> dict[str, Any] | None:
    """The pictures an earlier report made under ``key``, when every one of them is still there."""
    if not isinstance(previous, dict) or previous.get("key") != key:
        return None
    pages = previous.get("pages")
    if not isinstance(pages, dict) or not all(isinstance(p, dict) and (out_dir / str(p.get("image"))).is_file()
                                              for p in pages.values()):
        return None
    return previous


def _page_groups(items: list[dict[str, Any]], parts: int) -> list[list[int]]:
    """The items' indexes split into at most ``parts`` groups by page (pages dealt in turn), for
    as many children; items on no page, or past the pages drawn, are in no group (no box)."""
    pages = sorted({i["page"] for i in items if i.get("page")})[:MAX_PAGES_RENDERED]
    group_of = {page: n % max(1, parts) for n, page in enumerate(pages)}
    groups: list[list[int]] = [[] for _ in range(min(max(1, parts), len(pages)))]
    for index, item in enumerate(items):
        if item.get("page") in group_of:
            groups[group_of[item["page"]]].append(index)
    return groups


_CHILD = [sys.executable, "-m", "gepnec_extract.evidence_pages"]


def _child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}


def _answer(returncode: int | None, stdout: str) -> dict[str, Any] | None:
    """A child's answer: the JSON of its last line, or None when it failed or said nothing readable."""
    if returncode != 0:
        return None
    try:
        return json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def _run_child(request: dict[str, Any], limits: Limits) -> dict[str, Any] | None:
    """One limited child's answer, or None when it fails, is killed or says nothing readable."""
    shield_children()  # a pool thread: the child must not print a traceback of the run's Ctrl-C
    try:  # no preexec_fn: the parent may run threads (a task runner); the child limits itself first
        done = subprocess.run(_CHILD, input=json.dumps(request), capture_output=True, text=True,
                              timeout=limits.timeout_s, env=_child_env())
    except subprocess.TimeoutExpired:
        return None
    return _answer(done.returncode, done.stdout)


class PictureChild:
    """A paper's picture child started before its evidence is known: it loads its libraries and
    reads the PDF's words (``read_ahead``) while the paper is tagged, then locates and draws once
    ``render_evidence(prepared=...)`` gives it the evidence. It ends with the thread that started
    it (``die_with_parent``), so that thread is the one to finish or cancel it."""

    def __init__(self, pdf_path: Path, limits: Limits, nice: int = 0):
        shield_children()
        self.pdf = str(pdf_path)
        self.process = subprocess.Popen(_CHILD, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, env=_child_env())
        head = {"pdf": self.pdf, "ahead": True, "memory_bytes": limits.memory_mb * 1024 * 1024, "nice": nice}
        try:
            self.process.stdin.write(json.dumps(head) + "\n")
            self.process.stdin.flush()
        except OSError:  # it died at once: finish() says None
            pass

    def finish(self, request: dict[str, Any], limits: Limits) -> dict[str, Any] | None:
        """The child's answer to the rest of the request (items, out, stem), within the limits'
        time, or None when it fails or is killed."""
        try:
            stdout, _ = self.process.communicate(json.dumps(request) + "\n", timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            return None
        except OSError:  # it died before reading the request
            self.process.kill()
            self.process.wait()
            return None
        return _answer(self.process.returncode, stdout)

    def cancel(self) -> None:
        """End the child unused: its stdin closed, it exits without drawing."""
        try:
            self.process.communicate(timeout=5)
        except (subprocess.TimeoutExpired, OSError):
            self.process.kill()
            self.process.wait()


def _prepared_answer(prepared: PictureChild, requests: list[dict[str, Any]], pdf_path: Path,
                     limits: Limits) -> dict[str, Any] | None:
    """The prepared child's answer to the one request, when it read this very file; None (the
    child ended) for no request or several, a failure, or a file that changed since it was read."""
    if len(requests) != 1 or prepared.pdf != str(pdf_path):
        prepared.cancel()
        return None
    answer = prepared.finish({k: v for k, v in requests[0].items() if k in ("items", "out", "stem")}, limits)
    if answer is None or answer.get("sha256") != hashlib.sha256(pdf_path.read_bytes()).hexdigest():
        return None
    return answer


def render_evidence(pdf_path: Path, document: Document, evidence: list[dict[str, Any]], out_dir: Path,
                    stem: str, limits: Limits | None = None, parts: int = 1, nice: int = 0,
                    prepared: PictureChild | None = None) -> dict[str, Any] | None:
    """Page pictures and evidence boxes of one paper, computed in limited child processes: its
    pages split among ``parts`` children run at once (a lone paper uses every core), each lowered
    by ``nice`` (pictures drawn ahead take the cores the batch leaves idle), or by the
    ``prepared`` child that read the paper's words ahead (ended here in any case). Returns
    {"pages": {page: {"image", "width", "height"}}, "located": [{"page", "source", "text",
    "boxes"} per ``plan`` item]}; None when the paper is no PDF or any child fails."""
    from .ingest.limits import Limits

    if pdf_path.suffix.lower() != ".pdf" or not pdf_path.is_file() or not evidence:
        if prepared is not None:
            prepared.cancel()
        return None
    limits = limits or Limits.from_env()
    items = plan(document, evidence)
    groups = _page_groups(items, parts)
    requests = [{"pdf": str(pdf_path), "items": [items[i] for i in group], "out": str(out_dir), "stem": stem,
                 "memory_bytes": limits.memory_mb * 1024 * 1024, "nice": nice} for group in groups]
    answer = _prepared_answer(prepared, requests, pdf_path, limits) if prepared is not None else None
    if answer is not None:
        answers = [answer]
    elif len(requests) == 1:  # on the calling thread: a daemon's child ends with the run (die_with_parent)
        answers = [_run_child(requests[0], limits)]
    else:
        with ThreadPoolExecutor(max_workers=max(1, len(requests))) as pool:
            answers = list(pool.map(lambda request: _run_child(request, limits), requests))
    if any(answer is None for answer in answers):
        return None
    boxes: list[list] = [[] for _ in items]
    pages: dict[str, Any] = {}
    for group, answer in zip(groups, answers):
        pages.update(answer["pages"])
        for index, found in zip(group, answer["boxes"]):
            boxes[index] = found
    return {"pages": pages, "located": [{"page": item["page"], "source": item["source"], "text": item["text"],
                                         "boxes": found} for item, found in zip(items, boxes)]}


def _child_main() -> None:
    """The request is one JSON line (or all of stdin); a child started ahead (``PictureChild``) reads
    the PDF's words, then the rest of its request as a second line, and ends without drawing at
    end of input."""
    die_with_parent()  # a run that stops, stops its picture children too
    job = json.loads(sys.stdin.readline())
    limit = int(job["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # before the PDF libraries are loaded
    os.nice(int(job.get("nice", 0)))
    ahead = None
    if job.get("ahead"):
        ahead = read_ahead(job["pdf"])
        rest = sys.stdin.readline()
        if not rest.strip():
            return  # cancelled: the paper's pictures are not wanted
        job.update(json.loads(rest))
    print(json.dumps(locate_and_render(job["pdf"], job["items"], job["out"], job["stem"], ahead)))


if __name__ == "__main__":
    _child_main()
