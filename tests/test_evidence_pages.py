"""Evidence boxes on the review's page pictures, checked against an independent reader.

The boxes come from pypdfium2's text page (``evidence_pages``); pdfplumber, which reads the same
PDF with its own code, must find every letter and digit of each evidence text inside its boxes.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

import pdfplumber
import pytest

from gepnec_extract import batch
from gepnec_extract.evaluate import load_records
from gepnec_extract.evidence_pages import SCALE, picture_key, plan, render_evidence
from gepnec_extract.model import Document

from .conftest import CORPUS, REVIEW_PDF

DEV = CORPUS / "dev"


def _letters(text: str) -> Counter:
    return Counter(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


@pytest.fixture(scope="module")
def review_pictures(tmp_path_factory):
    out = tmp_path_factory.mktemp("review")
    batch.write_outputs(out, [batch.extract_payload(REVIEW_PDF)])
    document = Document.load(out / "documents" / "review.document.json")
    evidence = [e.model_dump(mode="json") for r in load_records(out / "records.jsonl") for e in r.evidence]
    info = render_evidence(REVIEW_PDF, document, evidence, out / "pages", "review")
    assert info is not None
    return out, plan(document, evidence), info


def test_every_evidence_page_is_drawn(review_pictures):
    out, items, info = review_pictures
    from PIL import Image

    assert set(info["pages"]) == {str(i["page"]) for i in items if i["page"]}
    for page in info["pages"].values():
        with Image.open(out / "pages" / page["image"]) as picture:
            width, height = picture.size  # pdfium rounds a fractional pixel up
            assert abs(width - page["width"] * SCALE) <= 1 and abs(height - page["height"] * SCALE) <= 1


def test_each_box_holds_the_words_of_its_evidence(review_pictures):
    _, items, info = review_pictures
    assert [(i["page"], i["source"], i["text"]) for i in items] == \
        [(i["page"], i["source"], i["text"]) for i in info["located"]]
    assert len(items) > 100
    located = 0
    with pdfplumber.open(REVIEW_PDF) as pdf:
        chars = {i["page"]: pdf.pages[i["page"] - 1].chars for i in items if i["page"]}
        for item, boxes in zip(items, (found["boxes"] for found in info["located"])):
            assert boxes, item  # every item shows somewhere: its own lines or its block / table
            if item["region"] and boxes == [item["region"]]:
                continue  # not found word by word: the container's box
            located += 1
            inside = "".join(c["text"] for c in chars[item["page"]] if any(
                x0 - 1 <= (c["x0"] + c["x1"]) / 2 <= x1 + 1 and top - 1 <= (c["top"] + c["bottom"]) / 2 <= bottom + 1
                for x0, top, x1, bottom in boxes))
            assert not _letters(item["text"]) - _letters(inside), item
            if item["region"]:  # a cell's or a sentence's lines lie in its table or block
                rx0, rtop, rx1, rbottom = item["region"]
                assert all(rx0 - 3 <= b[0] and b[2] <= rx1 + 3 and rtop - 3 <= b[1] and b[3] <= rbottom + 3
                           for b in boxes), item
    # nearly every item is found word by word (with pdfplumber's words: 487 of 544 on the review)
    assert located >= 0.95 * len(items)


def test_a_papers_pages_split_among_children_give_the_same_boxes(review_pictures, tmp_path):
    out, items, info = review_pictures
    document = Document.load(out / "documents" / "review.document.json")
    evidence = [e.model_dump(mode="json") for r in load_records(out / "records.jsonl") for e in r.evidence]
    split = render_evidence(REVIEW_PDF, document, evidence, tmp_path, "review", parts=3)
    assert split == info
    assert sorted(p.name for p in tmp_path.glob("*.jpg")) == sorted(p["image"] for p in info["pages"].values())


def test_the_same_evidence_in_another_order_asks_the_same(review_pictures):
    out, items, _ = review_pictures
    document = Document.load(out / "documents" / "review.document.json")
    evidence = [e.model_dump(mode="json") for r in load_records(out / "records.jsonl") for e in r.evidence]
    assert len(items) < len(evidence)  # each place once, however many values it is the evidence of
    assert plan(document, evidence[::-1]) == items
    assert picture_key(REVIEW_PDF, document, evidence[::-1], "review") == \
        picture_key(REVIEW_PDF, document, evidence, "review")


def _words_by_public_api(page) -> list[dict]:
    """The page's words as pypdfium2's public calls give them (one get_charbox per character)."""
    import pypdfium2.raw as pdfium_c

    left, _, _, page_top = page.get_mediabox()
    text_page = page.get_textpage()
    words, current = [], None
    for index in range(text_page.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(text_page.raw, index) or 32)
        if char.isspace() or not char.isprintable():
            current = None
            continue
        x0, y0, x1, y1 = text_page.get_charbox(index, loose=True)
        box = {"x0": x0 - left, "top": page_top - y1, "x1": x1 - left, "bottom": page_top - y0}
        if current is not None and abs(box["top"] - current["top"]) < 3 and box["x0"] >= current["x1"] - 3:
            current["text"] += char
            current["x1"], current["bottom"] = max(current["x1"], box["x1"]), max(current["bottom"], box["bottom"])
        else:
            current = {"text": char, **box}
            words.append(current)
    text_page.close()
    return words


@pytest.mark.parametrize("pdf", [REVIEW_PDF, DEV / "d04-li2017.pdf", DEV / "d17-review-transposed.pdf"],
                         ids=lambda p: p.stem)
def test_page_words_are_those_of_pypdfium2s_public_calls(pdf):
    import pypdfium2

    from gepnec_extract.evidence_pages import _page_words

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        for number in range(len(document)):
            page = document[number]
            words = _page_words(page)
            assert words and [list(w) for w in words] == [["text", "x0", "top", "x1", "bottom"]] * len(words)
            assert words == _words_by_public_api(page), f"page {number + 1}"
    finally:
        document.close()


def _same_pictures(a: dict, b: dict, a_dir, b_dir) -> bool:
    return a["located"] == b["located"] and {k: {**v, "image": (a_dir / v["image"]).read_bytes()} for k, v in a["pages"].items()} \
        == {k: {**v, "image": (b_dir / v["image"]).read_bytes()} for k, v in b["pages"].items()}


def test_a_child_prepared_ahead_draws_what_a_child_started_with_the_evidence_draws(review_pictures, tmp_path):
    """A picture child started before the evidence is known (it reads the words meanwhile) gives
    the same pictures and boxes, once given the evidence."""
    import threading

    from gepnec_extract.evidence_pages import PictureChild
    from gepnec_extract.ingest import Limits

    out, items, info = review_pictures
    document = Document.load(out / "documents" / "review.document.json")
    evidence = [e.model_dump(mode="json") for r in load_records(out / "records.jsonl") for e in r.evidence]
    answers = {}

    def prepared_drawing():  # on a thread of its own, as pictures_ahead.prepare_ahead does: the child ends with it
        child = PictureChild(REVIEW_PDF, Limits())
        answers["prepared"] = render_evidence(REVIEW_PDF, document, evidence, tmp_path / "pages", "review",
                                              prepared=child)
        answers["exit"] = child.process.returncode

    thread = threading.Thread(target=prepared_drawing)
    thread.start()
    thread.join(60)
    assert answers["exit"] == 0 and _same_pictures(answers["prepared"], info, tmp_path / "pages", out / "pages")


def test_a_prepared_child_of_another_file_or_cancelled_draws_nothing(review_pictures, tmp_path):
    import shutil

    from gepnec_extract.evidence_pages import PictureChild
    from gepnec_extract.ingest import Limits

    out, _, info = review_pictures
    document = Document.load(out / "documents" / "review.document.json")
    evidence = [e.model_dump(mode="json") for r in load_records(out / "records.jsonl") for e in r.evidence]
    unused = PictureChild(REVIEW_PDF, Limits())
    unused.cancel()  # ended unused: it exits without drawing
    assert unused.process.returncode == 0 and not (tmp_path / "pages").exists()
    # prepared for another file: ended, and a new child draws
    other = PictureChild(DEV / "d04-li2017.pdf", Limits())
    drawn = render_evidence(REVIEW_PDF, document, evidence, tmp_path / "a", "review", prepared=other)
    assert other.process.returncode == 0 and _same_pictures(drawn, info, tmp_path / "a", out / "pages")
    # a child that read the file before it changed: its answer (the old file's words) is not taken
    copy = tmp_path / "paper.pdf"
    shutil.copyfile(DEV / "d04-li2017.pdf", copy)
    stale = PictureChild(copy, Limits())
    _wait_until_idle(stale.process.pid)  # the words are read; it waits for the evidence
    shutil.copyfile(REVIEW_PDF, copy)
    drawn = render_evidence(copy, document, evidence, tmp_path / "b", "review", prepared=stale)
    assert stale.process.returncode == 0
    assert drawn is not None and _same_pictures(drawn, info, tmp_path / "b", out / "pages")


def _wait_until_idle(pid: int) -> None:
    """Until the process has used no CPU for half a second (it waits on its input)."""
    import time

    import psutil

    process, last, deadline = psutil.Process(pid), -1.0, time.monotonic() + 60
    while time.monotonic() < deadline:
        used = sum(process.cpu_times()[:2])
        if used == last and used > 0:
            return
        last = used
        time.sleep(0.5)
