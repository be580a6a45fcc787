"""Generator of the hostile-input mutation corpus (written to a pytest tmp dir, never committed).

Most cases are plain bytes: mutations of real rendered papers (a dev paper and the review,
read from ../shared), minimal PDFs written by hand with ``build_pdf``, and plain-text papers
(``.txt``: encodings, binary data, over-long lines, over-size files); a few are file-system
objects named like papers (FIFOs, directories, links to devices or to nothing). Each case names
the outcomes it may end in: ``DOCUMENT`` or error kinds from ``ingest/errors.py``.
"""

from __future__ import annotations

import os
import random
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

DOCUMENT = "document"
TYPED_ERRORS = frozenset({"empty_file", "not_a_pdf", "corrupt_pdf", "encrypted_pdf", "no_text_layer",
                          "resource_limit", "timeout", "unsupported_format", "missing_file",
                          "not_regular_file", "no_pages", "undecodable_text"})
ANY = TYPED_ERRORS | {DOCUMENT}
DAMAGED = frozenset({DOCUMENT, "corrupt_pdf", "no_text_layer"})  # partial recovery, or a clean refusal

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def text_page(number: int) -> bytes:
    """A content stream with a few lines of body text in mid-page (not running-header territory)."""
    lines = [b"Cohort %d: patients with neuroendocrine carcinoma received cisplatin and etoposide." % number,
             b"The response rate and the median overall survival were recorded for cohort %d." % number,
             b"Toxicity was graded for every cycle given to the patients of cohort %d." % number]
    shows = b" 0 -14 Td ".join(b"(%s) Tj" % line for line in lines)
    return b"BT /F1 11 Tf 72 %d Td %s ET" % (500 - 20 * number, shows)


TEXT_PAGE = text_page(0)


@dataclass(frozen=True)
class Sources:
    """The real PDFs the mutations start from."""

    paper: bytes  # a rendered dev paper (journal layout)
    review: bytes  # the founding review


@dataclass(frozen=True)
class Mutation:
    name: str
    build: Callable[[Sources], bytes] | None
    expect: frozenset[str]
    why: str
    suffix: str = ".pdf"  # the file is written as <name><suffix>
    create: Callable[[Path], None] | None = None  # makes a non-regular file (FIFO, link, folder) instead


# ---------------------------------------------------------------------------------------------
# a minimal PDF writer
# ---------------------------------------------------------------------------------------------


def stream(data: bytes, extra: bytes = b"", length: int | None = None) -> bytes:
    declared = len(data) if length is None else length
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (declared, extra, data)


def build_pdf(objects: dict[int, bytes], root: int = 1, trailer_extra: bytes = b"",
              header: bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n") -> bytes:
    """Serialise numbered objects with a correct classic xref table and trailer."""
    out = bytearray(header)
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    size = max(objects) + 1
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer_extra, xref_at)
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# mutations of real files
# ---------------------------------------------------------------------------------------------


def bit_flips(data: bytes, seed: int, flips: int) -> bytes:
    """Flip `flips` random bits after the header (seeded, so every run builds the same file)."""
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(flips):
        position = rng.randrange(16, len(out))
        out[position] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


def last_object_start(data: bytes) -> int:
    """Offset of the last `N 0 obj` (pdfTeX writes its xref stream last)."""
    return [m.start() for m in re.finditer(rb"\d+ 0 obj", data)][-1]


def without_xref(data: bytes) -> bytes:
    """Blank out the xref stream object but keep startxref pointing at it."""
    start = last_object_start(data)
    end = data.index(b"endobj", start) + len(b"endobj")
    return data[:start] + b" " * (end - start) + data[end:]


def without_trailer(data: bytes) -> bytes:
    return data[: data.rindex(b"startxref")]


def wrong_startxref(data: bytes) -> bytes:
    at = data.rindex(b"startxref")
    return data[:at] + b"startxref\n%d\n%%%%EOF\n" % (len(data) // 3)


def broken_object_streams(data: bytes) -> bytes:
    """Scramble the compressed bytes of every /ObjStm (fonts, page dicts live in them)."""
    out = bytearray(data)
    rng = random.Random(7)
    for match in re.finditer(rb"/Type\s*/ObjStm", data):
        begin = data.index(b"stream", match.end()) + len(b"stream\n")
        end = data.index(b"endstream", begin)
        for position in range(begin + 2, end, 3):
            out[position] = rng.randrange(256)
    return bytes(out)


def wrong_lengths(data: bytes, delta: int) -> bytes:
    return re.sub(rb"/Length (\d+)", lambda m: b"/Length %d" % max(0, int(m.group(1)) + delta), data)


def junk_encrypt(data: bytes, encrypt: bytes) -> bytes:
    """Add an /Encrypt entry to the xref stream dictionary (the trailer of a PDF 1.5 file)."""
    at = data.index(b"/Type /XRef", last_object_start(data))
    return data[:at] + b"/Encrypt " + encrypt + b" " + data[at:]


def stored_zip(name: bytes, payload: bytes) -> bytes:
    """A one-member ZIP archive (method 0, stored), so the PDF sits at offset 30 + len(name)."""
    crc = zlib.crc32(payload)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(payload), len(payload),
                        len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc, len(payload),
                          len(payload), len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(payload), 0)
    return local + payload + central + end


# ---------------------------------------------------------------------------------------------
# hand-built hostile PDFs
# ---------------------------------------------------------------------------------------------


def zero_bomb(n_bytes: int) -> bytes:
    """A valid zlib stream inflating to `n_bytes` zeros, built in well under a second.

    With Z_FULL_FLUSH every 16 MiB block compresses to identical bytes, so one block is
    repeated; the Adler-32 of n zeros is (n mod 65521) << 16 | 1.
    """
    block = 1 << 24
    assert n_bytes % block == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush(zlib.Z_FINISH)
    adler = ((n_bytes % 65521) << 16) | 1
    return b"\x78\xda" + piece * (n_bytes // block) + tail + adler.to_bytes(4, "big")


def flate_bomb(_: Sources) -> bytes:
    """Page 2's content stream inflates to 2 GiB (from 2 MB)."""
    return with_raw_content(1, zero_bomb(2 << 30), b"/Filter /FlateDecode")


def double_flate_bomb(_: Sources) -> bytes:
    """2 GiB behind two Flate layers: a 4 KB file."""
    bomb = zlib.compress(zero_bomb(2 << 30), 9)
    return with_raw_content(1, bomb, b"/Filter [/FlateDecode /FlateDecode]")


def with_raw_content(page_index: int, data: bytes, extra: bytes) -> bytes:
    """Text pages up to `page_index`, whose content stream is `data` with dictionary entries `extra`."""
    objects = simple_objects([TEXT_PAGE] * (page_index + 1))
    objects[11 + 2 * page_index] = stream(data, extra)
    return build_pdf(objects)


def simple_objects(contents: list[bytes], resources: bytes = b"<< /Font << /F1 3 0 R >> >>") -> dict[int, bytes]:
    """Catalog 1, page tree 2, font 3; page i is object 10+2i with its content stream at 11+2i."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: FONT}
    kids = []
    for index, content in enumerate(contents):
        kids.append(b"%d 0 R" % (10 + 2 * index))
        objects[10 + 2 * index] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s "
                                   b"/Contents %d 0 R >>" % (resources, 11 + 2 * index))
        objects[11 + 2 * index] = stream(content)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    return objects


def circular_form(_: Sources) -> bytes:
    """Form XObject /Fx draws text and then itself."""
    form = stream(b"BT /F1 9 Tf 72 600 Td (inside the form) Tj ET /Fx Do",
                  b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources 5 0 R")
    resources = b"5 0 R"
    objects = simple_objects([TEXT_PAGE + b" /Fx Do"], resources)
    objects[4] = form
    objects[5] = b"<< /Font << /F1 3 0 R >> /XObject << /Fx 4 0 R >> >>"
    return build_pdf(objects)


def mutual_forms(_: Sources) -> bytes:
    """Form A draws form B, which draws A."""
    objects = simple_objects([TEXT_PAGE + b" /FxA Do"], b"5 0 R")
    objects[4] = stream(b"/FxB Do", b"/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Resources 5 0 R")
    objects[6] = stream(b"/FxA Do", b"/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Resources 5 0 R")
    objects[5] = b"<< /Font << /F1 3 0 R >> /XObject << /FxA 4 0 R /FxB 6 0 R >> >>"
    return build_pdf(objects)


def fan_out_forms(_: Sources) -> bytes:
    """A billion-laughs of forms: each level draws the next one ten times, 9 levels deep."""
    objects = simple_objects([TEXT_PAGE + b" /F0 Do"], b"5 0 R")
    names = b" ".join(b"/F%d %d 0 R" % (level, 20 + level) for level in range(10))
    objects[5] = b"<< /Font << /F1 3 0 R >> /XObject << %s >> >>" % names
    for level in range(10):
        body = b"BT /F1 9 Tf 72 500 Td (x) Tj ET" if level == 9 else b" ".join([b"/F%d Do" % (level + 1)] * 10)
        objects[20 + level] = stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources 5 0 R")
    return build_pdf(objects)


def deep_array_in_info(_: Sources) -> bytes:
    """Document info holds an array nested 100 000 deep: recursive resolvers must not crash."""
    depth = 100_000
    objects = simple_objects([TEXT_PAGE])
    objects[4] = b"<< /Title (t) /Keywords " + b"[" * depth + b"]" * depth + b" >>"
    return build_pdf(objects, trailer_extra=b"/Info 4 0 R")


def deep_dict_in_page(_: Sources) -> bytes:
    depth = 50_000
    objects = simple_objects([TEXT_PAGE])
    objects[10] = objects[10][:-2] + b" /Annots [" + b"<< /A " * depth + b"1" + b" >>" * depth + b"] >>"
    return build_pdf(objects)


def deep_content_nesting(_: Sources) -> bytes:
    """Content stream with 200 000 nested arrays and 100 000 unbalanced `q` operators."""
    content = TEXT_PAGE + b" " + b"[" * 200_000 + b"]" * 200_000 + b" pop " + b"q " * 100_000
    return build_pdf(simple_objects([content]))


def many_pages(_: Sources) -> bytes:
    """5000 pages in one flat /Kids array, all sharing one content stream."""
    n = 5000
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: FONT, 4: stream(TEXT_PAGE)}
    kids = b" ".join(b"%d 0 R" % (10 + i) for i in range(n))
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n)
    for i in range(n):
        objects[10 + i] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                           b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>")
    return build_pdf(objects)


def deep_page_tree(_: Sources) -> bytes:
    """A page tree 3000 levels deep (each /Pages node has one kid) ending in one page."""
    depth = 3000
    objects = {1: b"<< /Type /Catalog /Pages 10 0 R >>", 3: FONT, 4: stream(TEXT_PAGE)}
    for level in range(depth):
        parent = b"/Parent %d 0 R " % (9 + level) if level else b""
        objects[10 + level] = b"<< /Type /Pages %s/Kids [%d 0 R] /Count 1 >>" % (parent, 11 + level)
    objects[10 + depth] = (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
                           b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>" % (9 + depth))
    return build_pdf(objects)


def page_tree_loop(_: Sources) -> bytes:
    """The page tree lists itself among its kids, and claims a billion pages."""
    objects = simple_objects([TEXT_PAGE])
    objects[2] = b"<< /Type /Pages /Kids [10 0 R 2 0 R 2 0 R] /Count 1000000000 >>"
    return build_pdf(objects)


def million_chars(_: Sources) -> bytes:
    """Page 1 is ordinary; page 2 shows one million characters (1 MB of content, 1 KB zipped)."""
    line = b"(" + b"W" * 1000 + b") Tj 0 -1 Td "
    crowded = b"BT /F1 1 Tf 0 792 Td " + line * 1000 + b"ET"
    return with_raw_content(1, zlib.compress(crowded, 9), b"/Filter /FlateDecode")


def huge_image(_: Sources) -> bytes:
    """An image XObject declaring 10^6 x 10^6 pixels with 3 bytes of data, drawn on a text page."""
    objects = simple_objects([TEXT_PAGE + b" q 100 0 0 100 72 72 cm /Im Do Q"], b"5 0 R")
    objects[4] = stream(b"\x00\x01\x02", b"/Type /XObject /Subtype /Image /Width 1000000 /Height 1000000 "
                                         b"/ColorSpace /DeviceRGB /BitsPerComponent 8")
    objects[5] = b"<< /Font << /F1 3 0 R >> /XObject << /Im 4 0 R >> >>"
    return build_pdf(objects)


def huge_inline_image(_: Sources) -> bytes:
    content = TEXT_PAGE + b" q BI /W 1000000 /H 1000000 /CS /RGB /BPC 8 ID \x00\x00\x00 EI Q"
    return build_pdf(simple_objects([content]))


def reference_loop(_: Sources) -> bytes:
    """/Contents points at object 20, which is `21 0 R`, which is `20 0 R`."""
    objects = simple_objects([TEXT_PAGE])
    objects[10] = objects[10].replace(b"/Contents 11 0 R", b"/Contents 20 0 R")
    objects[20], objects[21] = b"21 0 R", b"20 0 R"
    return build_pdf(objects)


def absurd_numbers(_: Sources) -> bytes:
    """MediaBox of 1e308-sized numbers, a font size of 10^30, a huge xref /Size."""
    content = b"BT /F1 1000000000000000000000000000000 Tf 72 720 Td (huge text) Tj ET " + TEXT_PAGE
    objects = simple_objects([content])
    objects[10] = objects[10].replace(b"[0 0 612 792]", b"[-1e308 0 1e308 99999999999999999999999]")
    pdf = build_pdf(objects)
    return pdf.replace(b"trailer\n<< /Size 12", b"trailer\n<< /Size 2147483647")


def filter_chain(_: Sources) -> bytes:
    """A content stream claiming 2000 stacked filters, then one with an unknown filter."""
    filters = b"[" + b"/ASCIIHexDecode /RunLengthDecode /LZWDecode " * 666 + b"/FlateDecode]"
    objects = simple_objects([TEXT_PAGE, TEXT_PAGE])
    objects[11] = stream(b"4142434445>", b"/Filter " + filters)
    objects[13] = stream(b"garbage", b"/Filter /NoSuchDecode")
    return build_pdf(objects)


def broken_tounicode(_: Sources) -> bytes:
    cmap = b"/CIDInit /ProcSet findresource begin 1 begincodespacerange <00> <FF> " + b"beginbfrange " * 5000
    objects = simple_objects([TEXT_PAGE])
    objects[3] = FONT[:-2] + b" /ToUnicode 4 0 R /FirstChar 0 /LastChar 2000000000 /Widths [1 2 3] >>"
    objects[4] = stream(cmap)
    return build_pdf(objects)


def leading_junk(sources: Sources) -> bytes:
    """900 bytes of junk before %PDF (still inside the 1024 bytes readers search): offsets shift."""
    return b"\x00junk " * 150 + sources.paper


def truncated_handmade(_: Sources) -> bytes:
    """Three text pages whose xref table is gone and whose end (startxref, %%EOF) is cut off.

    pdfminer needs a trailer, so this keeps the trailer dictionary; it recovers the objects by
    scanning, and the result must say it may be incomplete.
    """
    pdf = build_pdf(simple_objects([text_page(i) for i in (1, 2, 3)]))
    trailer = pdf[pdf.rindex(b"trailer"): pdf.rindex(b"startxref")]
    return pdf[: pdf.rindex(b"xref")] + trailer


def bad_xref_entries(_: Sources) -> bytes:
    """Every xref offset points to the middle of nowhere."""
    pdf = build_pdf(simple_objects([TEXT_PAGE]))
    return re.sub(rb"\d{10} 00000 n", b"0000000003 00000 n", pdf)


def zero_pages(_: Sources) -> bytes:
    """A valid catalog whose page tree has no kids."""
    return build_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [] /Count 0 >>"})


def only_crowded_page(_: Sources) -> bytes:
    """The only page shows a million characters: over the limit, which is not "scanned or blank"."""
    line = b"(" + b"W" * 1000 + b") Tj 0 -1 Td "
    crowded = b"BT /F1 1 Tf 0 792 Td " + line * 1000 + b"ET"
    objects = simple_objects([b""])
    objects[11] = stream(zlib.compress(crowded, 9), b"/Filter /FlateDecode")
    return build_pdf(objects)


def only_bomb_page(_: Sources) -> bytes:
    """The only page's content stream inflates to 2 GiB: over the limit, not blank."""
    objects = simple_objects([b""])
    objects[11] = stream(zero_bomb(2 << 30), b"/Filter /FlateDecode")
    return build_pdf(objects)


def garbled_xref_blank(_: Sources) -> bytes:
    """Every xref offset and the trailer garbled, page objects unreadable: damaged, not a scan."""
    pdf = build_pdf(simple_objects([TEXT_PAGE]))
    pdf = re.sub(rb"\d{10} 00000 n", b"0000000003 00000 n", pdf)
    return pdf.replace(b"/Type /Page ", b"/Type /Pag\xff ").replace(b"BT", b"B\x00")


def form_text_flood(_: Sources) -> bytes:
    """Two million characters drawn through one Form XObject (the page stream itself is tiny)."""
    line = b"(" + b"W" * 1000 + b") Tj 0 -1 Td "
    body = zlib.compress(b"BT /F1 1 Tf 0 792 Td " + line * 2000 + b"ET", 9)
    objects = simple_objects([TEXT_PAGE + b" /Fx Do"], b"5 0 R")
    objects[4] = stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources 5 0 R /Filter /FlateDecode")
    objects[5] = b"<< /Font << /F1 3 0 R >> /XObject << /Fx 4 0 R >> >>"
    return build_pdf(objects)


def script_text(_: Sources) -> bytes:
    """Body text holding markup and script: read as text like any other."""
    content = (b"BT /F1 11 Tf 72 600 Td (<script>document.title=1</script> <img src=x onerror=alert(1)>) Tj ET "
               + TEXT_PAGE)
    return build_pdf(simple_objects([content]))


# plain text (.txt) cases

PROSE = ("Quill et al. treated 24 patients with drugamab and cisplatin. The response rate was 40%, "
         "median overall survival 11 months.\n\n")


def text_bytes(text: str, encoding: str = "utf-8") -> Callable[[Sources], bytes]:
    return lambda _: text.encode(encoding)


def random_bytes(seed: int, n: int) -> Callable[[Sources], bytes]:
    return lambda _: random.Random(seed).randbytes(n)


def sparse(n_bytes: int) -> Callable[[Path], None]:
    """A file of n_bytes zeros that takes no disk space (its size is what must be refused)."""
    def make(path: Path) -> None:
        with path.open("wb") as fh:
            fh.truncate(n_bytes)
    return make


def fifo(path: Path) -> None:
    os.mkfifo(path)


def folder(path: Path) -> None:
    path.mkdir()


def link_to(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def _text_cases() -> list[Mutation]:
    one = frozenset({DOCUMENT})
    return [
        Mutation("text-plain", text_bytes(PROSE * 20), one, "ordinary prose", ".txt"),
        Mutation("text-markup", text_bytes("<script>document.title=1</script>\n\n<svg onload=alert(1)>\n\n" + PROSE),
                 one, "markup in text is text", ".txt"),
        Mutation("text-utf8-bom", lambda _: b"\xef\xbb\xbf" + PROSE.encode(), one, "UTF-8 with BOM", ".txt"),
        Mutation("text-utf16-bom", text_bytes(PROSE * 5, "utf-16"), one, "UTF-16 with BOM: decoded, warned", ".txt"),
        Mutation("text-utf16-no-bom", text_bytes(PROSE * 5, "utf-16-le"), frozenset({"undecodable_text"}),
                 "UTF-16 without BOM: NUL bytes", ".txt"),
        Mutation("text-nul-filled", lambda _: bytes(100_000), frozenset({"undecodable_text"}), "only NUL bytes", ".txt"),
        Mutation("text-random-bytes", random_bytes(3, 200_000), frozenset({"undecodable_text"}), "random bytes", ".txt"),
        Mutation("text-random-small", random_bytes(4, 64), frozenset({"undecodable_text"}), "64 random bytes", ".txt"),
        Mutation("text-latin1-accents", text_bytes(("Caf\u00e9 r\u00e9sum\u00e9 " * 10 + PROSE) * 3, "latin-1"),
                 frozenset({"undecodable_text", DOCUMENT}), "Latin-1, not UTF-8", ".txt"),
        Mutation("text-few-bad-bytes", lambda _: (PROSE * 30).encode() + b"\xff\xfe\x80", one,
                 "three stray bytes: replaced, warned", ".txt"),
        Mutation("text-control-chars", lambda _: bytes(range(1, 32)) * 2000, frozenset({"undecodable_text"}),
                 "control characters only", ".txt"),
        Mutation("text-pdf-bytes", lambda s: s.paper, frozenset({"undecodable_text"}), "a PDF named .txt", ".txt"),
        Mutation("text-zip-bytes", lambda s: stored_zip(b"p.pdf", s.paper[:5000]), frozenset({"undecodable_text"}),
                 "a ZIP named .txt", ".txt"),
        Mutation("text-empty", lambda _: b"", frozenset({"empty_file"}), "0 bytes", ".txt"),
        Mutation("text-whitespace", lambda _: b" \n\t\n  \r\n" * 100, frozenset({"empty_file"}), "only blanks", ".txt"),
        Mutation("text-10mb-line", lambda _: b"word " * 2_000_000, frozenset({"resource_limit"}),
                 "10 MB on one line (spaCy E088 territory)", ".txt"),
        Mutation("text-one-long-paragraph", lambda _: (PROSE + "x" * 300_000 + "\n\n" + PROSE).encode(), one,
                 "one paragraph over the limit: skipped, warned; the rest kept", ".txt"),
        Mutation("text-over-char-limit", lambda _: (PROSE * 40_000).encode(), frozenset({"resource_limit"}),
                 "about 5 M characters in short paragraphs", ".txt"),
        Mutation("text-100mb-sparse", None, frozenset({"resource_limit"}), "100 MB: refused before reading", ".txt",
                 sparse(100 << 20)),
        Mutation("text-many-lines", lambda _: ("a b c\n" * 200_000).encode(), frozenset({DOCUMENT, "resource_limit"}),
                 "200 000 short lines in one paragraph", ".txt"),
        Mutation("text-bidi-zero-width", text_bytes("\u202e\u200b\u2066" * 1000 + "\n\n" + PROSE), one,
                 "bidi overrides and zero-width characters", ".txt"),
        Mutation("text-emoji-astral", text_bytes("\U0001F600\U00010348 " * 2000 + "\n\n" + PROSE),
                 frozenset({DOCUMENT, "undecodable_text"}), "astral-plane characters", ".txt"),
    ]


def _file_kind_cases() -> list[Mutation]:
    nothing = frozenset({"not_regular_file"})
    return [
        Mutation("fifo-txt", None, nothing, "a FIFO named .txt (a read would block forever)", ".txt", fifo),
        Mutation("fifo-pdf", None, nothing, "a FIFO named .pdf", ".pdf", fifo),
        Mutation("dir-pdf", None, nothing, "a directory named .pdf", ".pdf", folder),
        Mutation("dir-txt", None, nothing, "a directory named .txt", ".txt", folder),
        Mutation("link-dev-zero-txt", None, nothing, "a link to /dev/zero named .txt", ".txt", link_to("/dev/zero")),
        Mutation("link-dev-zero-pdf", None, nothing, "a link to /dev/zero named .pdf", ".pdf", link_to("/dev/zero")),
        Mutation("link-dev-urandom-txt", None, nothing, "a link to /dev/urandom", ".txt", link_to("/dev/urandom")),
        Mutation("link-dangling-pdf", None, frozenset({"missing_file"}), "a link to nothing", ".pdf",
                 link_to("/nonexistent/gepnec/none.pdf")),
        Mutation("link-dangling-txt", None, frozenset({"missing_file"}), "a link to nothing", ".txt",
                 link_to("/nonexistent/gepnec/none.txt")),
        Mutation("link-to-dir", None, nothing, "a link to a directory", ".pdf", link_to("/tmp")),
    ]


# ---------------------------------------------------------------------------------------------
# the corpus
# ---------------------------------------------------------------------------------------------


def _cases() -> list[Mutation]:
    cases: list[Mutation] = []
    for seed, flips in ((1, 3), (2, 3), (3, 10), (4, 10), (5, 200), (6, 200)):
        cases.append(Mutation(f"paper-bitflip-s{seed}-{flips}", lambda s, seed=seed, flips=flips:
                              bit_flips(s.paper, seed, flips), ANY, f"{flips} random bit flips in the paper"))
    for seed in (11, 12):
        cases.append(Mutation(f"review-bitflip-s{seed}", lambda s, seed=seed: bit_flips(s.review, seed, 400),
                              ANY, "400 random bit flips in the review"))
    for fraction in (0.02, 0.1, 0.3, 0.5, 0.75, 0.9, 0.99):
        cases.append(Mutation(f"paper-truncated-{int(fraction * 100):02d}",
                              lambda s, fraction=fraction: truncate(s.paper, fraction), DAMAGED,
                              "the first part of the paper only"))
    cases.append(Mutation("review-truncated-60", lambda s: truncate(s.review, 0.6), DAMAGED, "review cut at 60%"))
    cases.append(Mutation("handmade-truncated", truncated_handmade, frozenset({DOCUMENT}),
                          "no xref, no %%EOF: recovered, flagged incomplete"))
    cases += [
        Mutation("paper-no-xref", lambda s: without_xref(s.paper), DAMAGED, "xref stream blanked out"),
        Mutation("paper-no-trailer", lambda s: without_trailer(s.paper), DAMAGED, "startxref and %%EOF cut off"),
        Mutation("paper-wrong-startxref", lambda s: wrong_startxref(s.paper), DAMAGED, "startxref points mid-file"),
        Mutation("paper-broken-objstm", lambda s: broken_object_streams(s.paper), DAMAGED,
                 "object streams scrambled"),
        Mutation("paper-length-short", lambda s: wrong_lengths(s.paper, -100), DAMAGED, "every /Length 100 short"),
        Mutation("paper-length-long", lambda s: wrong_lengths(s.paper, 100_000), DAMAGED, "every /Length too long"),
        Mutation("paper-encrypt-junk-dict", lambda s: junk_encrypt(s.paper, b"<< /Filter /Junk /V 99 /R 1 >>"),
                 frozenset({"encrypted_pdf", "corrupt_pdf"}), "/Encrypt with an unknown handler"),
        Mutation("paper-encrypt-std-junk",
                 lambda s: junk_encrypt(s.paper, b"<< /Filter /Standard /V 2 /R 3 /O (x) /U (y) /P -1 >>"),
                 frozenset({"encrypted_pdf", "corrupt_pdf"}), "/Encrypt Standard with junk /O /U"),
        Mutation("paper-encrypt-not-dict", lambda s: junk_encrypt(s.paper, b"42"),
                 frozenset({"encrypted_pdf", "corrupt_pdf", DOCUMENT}), "/Encrypt is a number"),
        Mutation("paper-in-zip", lambda s: stored_zip(b"paper.pdf", s.paper), frozenset({"not_a_pdf"}),
                 "the paper stored in a ZIP archive, renamed .pdf"),
        Mutation("paper-leading-junk", leading_junk, DAMAGED, "900 junk bytes before %PDF"),
        Mutation("flate-bomb", flate_bomb, frozenset({DOCUMENT}),
                 "a content stream inflating to 2 GiB"),
        Mutation("double-flate-bomb", double_flate_bomb, frozenset({"resource_limit", "timeout"}),
                 "2 GiB behind two Flate layers"),
        Mutation("circular-form", circular_form, frozenset({DOCUMENT, "corrupt_pdf"}), "a form that draws itself"),
        Mutation("mutual-forms", mutual_forms, frozenset({DOCUMENT, "corrupt_pdf"}), "forms drawing each other"),
        Mutation("fan-out-forms", fan_out_forms, frozenset({DOCUMENT, "corrupt_pdf", "resource_limit", "timeout"}),
                 "10^9 form draws from 10 objects"),
        Mutation("deep-array-info", deep_array_in_info, frozenset({DOCUMENT, "corrupt_pdf"}), "array nested 100k deep"),
        Mutation("deep-dict-annots", deep_dict_in_page, frozenset({DOCUMENT, "corrupt_pdf"}), "dict nested 50k deep"),
        Mutation("deep-content-nesting", deep_content_nesting, frozenset({DOCUMENT, "corrupt_pdf"}),
                 "nested operands and 100k unbalanced q"),
        Mutation("5000-pages", many_pages, frozenset({"resource_limit"}), "over max_pages"),
        Mutation("deep-page-tree", deep_page_tree, frozenset({DOCUMENT, "corrupt_pdf"}), "page tree 3000 deep"),
        Mutation("page-tree-loop", page_tree_loop, frozenset({DOCUMENT, "corrupt_pdf"}), "/Kids lists itself"),
        Mutation("million-chars-page", million_chars, frozenset({DOCUMENT}),
                 "a page over max_chars_per_page: skipped with a warning, page 1 kept"),
        Mutation("huge-image", huge_image, frozenset({DOCUMENT}), "10^12-pixel image declared"),
        Mutation("huge-inline-image", huge_inline_image, frozenset({DOCUMENT, "corrupt_pdf"}),
                 "10^12-pixel inline image declared"),
        Mutation("reference-loop", reference_loop, frozenset({"corrupt_pdf", "no_text_layer", "timeout"}),
                 "indirect references in a cycle (pdfminer 20260107 loops forever on it)"),
        Mutation("absurd-numbers", absurd_numbers, frozenset({DOCUMENT, "corrupt_pdf"}), "1e308 MediaBox etc."),
        Mutation("filter-chain", filter_chain, frozenset({"corrupt_pdf", "no_text_layer"}),
                 "2000 stacked filters, an unknown filter"),
        Mutation("broken-tounicode", broken_tounicode, frozenset({DOCUMENT, "corrupt_pdf"}), "junk ToUnicode CMap"),
        Mutation("bad-xref-offsets", bad_xref_entries, DAMAGED, "every xref offset wrong"),
        Mutation("zero-pages", zero_pages, frozenset({"no_pages"}), "a page tree with no page"),
        Mutation("only-crowded-page", only_crowded_page, frozenset({"resource_limit"}),
                 "the only page is over max_chars_per_page: a limit, not 'scanned or blank'"),
        Mutation("only-bomb-page", only_bomb_page, frozenset({"resource_limit"}),
                 "the only page is a decompression bomb: a limit, not 'scanned or blank'"),
        Mutation("garbled-xref-blank", garbled_xref_blank, frozenset({"corrupt_pdf"}),
                 "garbled xref and objects, nothing readable: damaged, not 'scanned or blank'"),
        Mutation("form-text-flood", form_text_flood, frozenset({DOCUMENT, "resource_limit", "timeout"}),
                 "2 M characters through a Form XObject: bounded by the child's limits"),
        Mutation("script-in-pdf-text", script_text, frozenset({DOCUMENT}), "markup in the text layer"),
        Mutation("<img src=x onerror=alert(1)>", lambda s: s.paper, frozenset({DOCUMENT}),
                 "a paper whose file name is markup"),
        Mutation("..-dots-name", lambda s: s.paper, frozenset({DOCUMENT}), "a file name starting with dots"),
    ]
    for seed in (21, 22, 23):
        cases.append(Mutation(f"paper-bitflip-s{seed}-50", lambda s, seed=seed: bit_flips(s.paper, seed, 50),
                              ANY, "50 random bit flips in the paper"))
    cases += _text_cases() + _file_kind_cases()
    return cases


MUTATIONS = _cases()


def write_corpus(out_dir: Path, sources: Sources, names: list[str] | None = None) -> dict[str, Path]:
    """Write the chosen mutations (default: all) as <name>.pdf; return name -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for mutation in MUTATIONS:
        if names is None or mutation.name in names:
            path = out_dir / f"{mutation.name}{mutation.suffix}"
            if mutation.create is not None:
                mutation.create(path)
            else:
                path.write_bytes(mutation.build(sources))
            written[mutation.name] = path
    return written
