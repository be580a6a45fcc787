"""Text layers side by side: pdfplumber (what ingest reads today) against pypdfium2's text page.

    python benchmarks/bench_textlayer.py [PDF_OR_DIR ...] [--rounds N]

Default PDFs: the bundled review, ../shared/corpus/dev and ../shared/corpus/real. For each PDF,
in this process, best of ``--rounds`` (each round opens the file again, so nothing is cached):

    plumber chars   pdfplumber: every page's chars (pdfminer's parse; tables and layout need them)
    plumber words   pdfplumber: the chars plus extract_words with ingest's WORD_OPTIONS
    pdfium text     pypdfium2: every page's text page and get_text_range
    pdfium chars    pypdfium2: the same plus each char's box, font size and font name read one by
                    one from Python (what ingest reads from a word)

in ms per page, and the text fidelity of each reader that yields words against ``pdftotext`` (poppler, a third reader):
word tokens (letters and digits, NFKC, case folded) as multisets, shared = 2|A∩B| / (|A|+|B|).
Prints a table and the load average (a shared machine inflates every figure).

``--chars`` prints instead, per PDF, how pypdfium2's characters agree with pdfplumber's on what
ingest reads from them (each pdfplumber char paired with the pdfium char of the same text nearest
to it): the share paired, of equal font size and of equal font name, and how far the boxes' top
and bottom edges lie apart (pdfium's loose box against pdfplumber's) in points.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from gepnec_extract.ingest.pdf import WORD_OPTIONS  # noqa: E402  (ingest's own word settings)

DEFAULT = [REPO / "corpus" / "review" / "review.pdf", REPO.parent / "shared" / "corpus" / "dev",
           REPO.parent / "shared" / "corpus" / "real"]


def tokens(text: str) -> Counter:
    return Counter(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))


def shared(a: Counter, b: Counter) -> float:
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0


def plumber_chars(pdf_path: Path) -> tuple[int, None]:
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            len(page.chars)
            page.close()
        return len(pdf.pages), None  # chars carry no word breaks: no fidelity figure


def plumber_words(pdf_path: Path) -> tuple[int, str]:
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        texts = []
        for page in pdf.pages:
            texts.append(" ".join(w["text"] for w in page.extract_words(**WORD_OPTIONS)))
            page.close()
        return len(pdf.pages), " ".join(texts)


def pdfium_text(pdf_path: Path) -> tuple[int, str]:
    return _pdfium(pdf_path, with_chars=False)


def pdfium_chars(pdf_path: Path) -> tuple[int, None]:
    return _pdfium(pdf_path, with_chars=True)[0], None  # the same text as pdfium text


def _pdfium(pdf_path: Path, with_chars: bool) -> tuple[int, str]:
    import ctypes

    import pypdfium2
    import pypdfium2.raw as pdfium_c

    document = pypdfium2.PdfDocument(pdf_path)
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    texts = []
    try:
        for index in range(len(document)):
            page = document[index]
            text_page = page.get_textpage()
            texts.append(text_page.get_text_range())
            for char in range(text_page.count_chars() if with_chars else 0):  # what ingest reads
                text_page.get_charbox(char, loose=True)
                pdfium_c.FPDFText_GetFontSize(text_page.raw, char)
                pdfium_c.FPDFText_GetFontInfo(text_page.raw, char, name, 128, flags)
            text_page.close()
            page.close()
        return len(document), " ".join(texts)
    finally:
        document.close()


READERS = {"plumber chars": plumber_chars, "plumber words": plumber_words, "pdfium text": pdfium_text,
           "pdfium chars": pdfium_chars}


def _pdfium_chars_by_text(text_page, page_top: float) -> dict[str, list[tuple]]:
    """text -> [(x0, top, bottom, font size, font name)] of a pypdfium2 text page's characters."""
    import pypdfium2.raw as pdfium_c

    name, flags, found = ctypes.create_string_buffer(256), ctypes.c_int(), {}
    for index in range(text_page.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(text_page.raw, index))
        if pdfium_c.FPDFText_IsGenerated(text_page.raw, index) or char.isspace():
            continue
        pdfium_c.FPDFText_GetFontInfo(text_page.raw, index, name, 256, flags)
        x0, y0, _, y1 = text_page.get_charbox(index, loose=True)
        found.setdefault(char, []).append((x0, page_top - y1, page_top - y0,
                                           pdfium_c.FPDFText_GetFontSize(text_page.raw, index),
                                           name.value.decode("latin-1")))
    return found


def char_agreement(pdf_path: Path) -> str:
    import statistics

    import pdfplumber
    import pypdfium2

    total, paired, same_size, same_font, tops, bottoms = 0, 0, 0, 0, [], []
    document = pypdfium2.PdfDocument(pdf_path)
    with pdfplumber.open(pdf_path) as pdf:
        for index, page in enumerate(pdf.pages):
            text_page = document[index].get_textpage()
            by_text = _pdfium_chars_by_text(text_page, document[index].get_mediabox()[3])
            for char in page.chars:
                if char["text"].isspace():
                    continue
                total += 1
                near = [c for c in by_text.get(char["text"], [])
                        if abs(c[0] - char["x0"]) < 1.5 and abs(c[1] - char["top"]) < 4]
                if not near:
                    continue
                x0, top, bottom, size, font = min(near, key=lambda c: abs(c[0] - char["x0"]) + abs(c[1] - char["top"]))
                paired += 1
                same_size += abs(size - char["size"]) < 0.05
                same_font += font in (char["fontname"], char["fontname"].split("+")[-1])
                tops.append(abs(top - char["top"]))
                bottoms.append(abs(bottom - char["bottom"]))
            page.close()
    document.close()
    if not paired:
        return f"{pdf_path.name}: no chars paired"
    return (f"{pdf_path.name}: paired {paired / total:.3f} of {total}; size equal {same_size / paired:.3f}; "
            f"font name equal {same_font / paired:.3f}; |top| median {statistics.median(tops):.2f} "
            f"max {max(tops):.2f}; |bottom| median {statistics.median(bottoms):.2f} max {max(bottoms):.2f}")


def pdftotext(pdf_path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdfs(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        found.extend(sorted(path.glob("*.pdf")) if path.is_dir() else [path])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--chars", action="store_true", help="per-char agreement instead of timings")
    args = parser.parse_args()
    if args.chars:
        for pdf_path in pdfs(args.paths or DEFAULT):
            print(char_agreement(pdf_path))
        return
    loads = [os.getloadavg()[0]]
    rows, totals = [], {name: [0.0, 0] for name in READERS}
    for pdf_path in pdfs(args.paths or DEFAULT):
        reference = tokens(pdftotext(pdf_path))
        row = [pdf_path.name]
        for name, reader in READERS.items():
            best = float("inf")
            for _ in range(args.rounds):
                start = time.perf_counter()
                n_pages, text = reader(pdf_path)
                best = min(best, time.perf_counter() - start)
            totals[name][0] += best
            totals[name][1] += n_pages
            row += [f"{best * 1000 / n_pages:.1f}", "-" if text is None else f"{shared(tokens(text), reference):.3f}"]
        rows.append([row[0], str(n_pages)] + row[1:])
        loads.append(os.getloadavg()[0])
    print(f"text layers: ms/page (best of {args.rounds}) and word overlap with pdftotext; "
          f"load average (1 min) {min(loads):.2f}-{max(loads):.2f} on {os.cpu_count()} cores")
    header = ["pdf", "pages"] + [f"{n} {what}" for n in READERS for what in ("ms/p", "words")]
    header = [h.replace("plumber ", "pl ").replace("pdfium ", "pdfium-") for h in header]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for line in [header] + rows:
        print("  ".join(cell.rjust(width) if i else cell.ljust(width) for i, (cell, width) in enumerate(zip(line, widths))))
    print("all pages: " + ", ".join(f"{n} {t / max(p, 1) * 1000:.1f} ms/page" for n, (t, p) in totals.items()))


if __name__ == "__main__":
    main()
