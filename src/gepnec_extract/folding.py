"""Names in ASCII, one way for the whole package: study ids are built with it (records) and
compared with it (the scorer, the reference index)."""

from __future__ import annotations

from text_unidecode import unidecode


def ascii_fold(text: str) -> str:
    """"Quillström" -> "Quillstrom", "Øvquill" -> "Ovquill", "Łuquill" -> "Luquill": letters that Unicode
    does not decompose (Ø, Ł, ß) are transliterated, not dropped as NFKD + ASCII would."""
    return unidecode(text)
