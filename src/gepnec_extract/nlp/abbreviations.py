"""Document-wide abbreviation map: short form -> long form.

Three sources, the first winning: the definitions scispaCy's AbbreviationDetector finds in this
Doc ("capecitabine and temozolomide (CAPTEM)"), table-footnote glossaries in this Doc
("Abbreviations: CR, complete remission; IP, irinotecan/cisplatin"), and ``doc._.abbrev_context``,
a map the caller sets from the rest of the document before the Doc is processed (how table cells
learn abbreviations defined in the body text).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from .grammar import doc_text

GLOSSARY = re.compile(r"abbreviations?\s*(?:used)?\s*:\s*(?P<body>.+?)(?:\n\s*\n|$)", re.IGNORECASE | re.DOTALL)
GLOSSARY_ENTRY = re.compile(r"^\s*(?P<short>[\w/+\-–]{1,15}(?:\s\w{1,4})?)\s*[,:=]\s*(?P<long>.+?)\s*\.?\s*$", re.DOTALL)

for name in ("abbrev_map", "abbrev_context"):
    if not Doc.has_extension(name):
        Doc.set_extension(name, default=None)


def parse_glossary(text: str) -> dict[str, str]:
    """'Abbreviations: CR, complete remission; NA, not available.' -> {'CR': 'complete remission', ...}"""
    found: dict[str, str] = {}
    for glossary in GLOSSARY.finditer(text):
        body = re.sub(r"-\s*\n\s*", "", glossary.group("body"))
        for entry in re.split(r";\s*|\.\s+(?=[A-Z0-9])", body):
            # Some glossaries slip into commas between entries ("OS, overall survival, NA, not applicable").
            match = GLOSSARY_ENTRY.match(entry)
            if match and any(ch.isupper() or ch.isdigit() for ch in match.group("short")):
                found.setdefault(match.group("short").strip(), " ".join(match.group("long").split()))
    return found


# a phrase break inside a detected long form ("salvage after platinum: A with B" for "(AB)", "AB) or C"
# for "(AC)"): the detector reached back past the phrase the short form stands for
PHRASE_BREAK = re.compile(r"[:;]")


def _well_formed(long_text: str) -> bool:
    return not PHRASE_BREAK.search(long_text) and long_text.count("(") == long_text.count(")")


def abbreviation_map(doc: Doc) -> dict[str, str]:
    mapping: dict[str, str] = {}
    if Doc.has_extension("abbreviations"):
        for short in doc._.abbreviations:
            # scispaCy gives Spans, or plain dicts when built with make_serializable=True.
            short_text, long_text = (
                (short["short_text"], short["long_text"]) if isinstance(short, dict) else (short.text, short._.long_form.text)
            )
            if _well_formed(long_text):
                mapping.setdefault(short_text, " ".join(long_text.split()))
    for short, long in parse_glossary(doc_text(doc)).items():
        mapping.setdefault(short, long)
    for short, long in (doc._.abbrev_context or {}).items():
        mapping.setdefault(short, long)
    return mapping


def set_abbreviation_map(doc: Doc) -> Doc:
    doc._.abbrev_map = abbreviation_map(doc)
    return doc


@Language.factory("gepnec_abbreviations")
def make_abbreviations(nlp: Language, name: str):
    """No settings: the map's three sources are fixed by what a document prints."""
    return set_abbreviation_map
