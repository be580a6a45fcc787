"""pdfplumber's page objects (chars, lines, rects, curves) built with less work per object.

pdfplumber turns each pdfminer layout object into a dict in ``Page.process_object``: it filters the
object's attributes through a set, resolves every value recursively (``resolve_all``: a chain of
isinstance tests even for a float), and derives the object's kind from its class name with a
regular expression. On a journal page of a few thousand characters that conversion costs more than
pdfminer's own interpretation of the content stream (about 50 of 85 ms a page on the review).

``lean_objects(page)`` gives ``page`` a ``process_object`` that builds the same dicts (the same
keys in the same order, equal values: tests/ingest/test_plumber_objects.py compares every object
of the review, three dev papers and two real PDFs with pdfplumber's own) and takes the short way for
what almost every value is: a number, a string, a bool, None, or a tuple of numbers. Anything else
(an indirect reference, a list, a dict, a PDF name) goes through pdfplumber's ``resolve_all`` as
before, and the branches for curves, byte-encoded font names and Unicode normalization are
pdfplumber's code unchanged.
"""

from __future__ import annotations

import re
from functools import lru_cache
from types import MethodType
from typing import Any
from unicodedata import normalize as normalize_unicode

from pdfminer.layout import LTChar, LTCurve, LTItem, LTTextContainer
from pdfplumber.page import ALL_ATTRS, Page, fix_fontname_bytes, lt_pat
from pdfplumber.utils import resolve_all, resolve_and_decode

_PLAIN = frozenset({float, int, bool, str, type(None)})
_NUMBERS = frozenset({float, int})


@lru_cache(maxsize=64)
def _kind(cls: type) -> str:
    """"char" for LTChar, "rect" for LTRect...: pdfplumber's name for a layout class."""
    return re.sub(lt_pat, "", cls.__name__).lower()


@lru_cache(maxsize=256)
def _colour_space(name: Any) -> Any:
    """A colour space's name decoded as pdfplumber decodes it (a PDF has a handful)."""
    return resolve_and_decode(name)


def _resolved(value: Any) -> Any:
    """``resolve_all(value)`` of a value that is no number, string, bool or None: a tuple of numbers
    (a char's matrix) as it is, without resolve_all's tests of each number."""
    if type(value) is tuple and _NUMBERS.issuperset(map(type, value)):
        return value
    return resolve_all(value)


def process_object(page: Page, obj: LTItem) -> dict[str, Any]:
    """``Page.process_object`` (pdfplumber 0.11), the same dict built with fewer steps."""
    attr = {k: v if type(v) in _PLAIN else _resolved(v) for k, v in obj.__dict__.items() if k in ALL_ATTRS}
    attr["object_type"] = _kind(obj.__class__)
    attr["page_number"] = page.page_number
    for cs in ("ncs", "scs"):
        if hasattr(obj, cs):
            name = getattr(obj, cs).name
            attr[cs] = _colour_space(name) if type(name) is str else resolve_and_decode(name)
    if isinstance(obj, (LTChar, LTTextContainer)):
        text = obj.get_text()
        attr["text"] = normalize_unicode(page.pdf.unicode_norm, text) if page.pdf.unicode_norm is not None else text
    if isinstance(obj, LTChar):
        gs = obj.graphicstate
        attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
        attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
        if isinstance(attr["fontname"], bytes):  # rare byte-encoded font names
            attr["fontname"] = fix_fontname_bytes(attr["fontname"])
    elif isinstance(obj, LTCurve):
        attr["pts"] = list(map(page.point2coord, attr["pts"]))
        attr["path"] = [(cmd, *map(page.point2coord, pts)) for cmd, *pts in obj.original_path]
        attr["dash"] = obj.dashing_style
    mb_x0, mb_top = page.mediabox[:2]
    if "y0" in attr:
        attr["top"] = (page.height - attr["y1"]) + mb_top
        attr["bottom"] = (page.height - attr["y0"]) + mb_top
        attr["doctop"] = page.initial_doctop + attr["top"]
    if "x0" in attr and mb_x0 != 0:
        attr["x0"] = attr["x0"] + mb_x0
        attr["x1"] = attr["x1"] + mb_x0
    return attr


def lean_objects(page: Page) -> Page:
    """``page``, its objects to be built by ``process_object`` above (before they are first read)."""
    page.process_object = MethodType(process_object, page)
    return page
