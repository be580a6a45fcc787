"""What a section heading or a block says about the text under it: back matter (references,
acknowledgements...), a framing section (introduction, discussion: other work unless "we"/"our"),
or a reference-list entry that strayed outside its section ("[8] Surname AB, Other CD, ...")."""

from __future__ import annotations

import re

_BACK_MATTER = re.compile(r"\b(references?|bibliography|acknowledg\w*|funding|conflicts? of interest|disclosures?|"
                          r"author contributions?|abbreviations)\b", re.I)
_FRAMING_SECTIONS = re.compile(r"\b(introduction|background|discussion|conclusions?)\b", re.I)
_BIBLIOGRAPHY_ENTRY = re.compile(r"^\s*(?:\[\d+\]|\d+\.)?\s*[A-Z][\w'’-]+\s+[A-Z]{1,3}[,.]\s+[A-Z][\w'’-]+\s+[A-Z]{1,3}\b")


def is_back_matter(section: str | None) -> bool:
    return bool(section and _BACK_MATTER.search(section))


def is_framing_section(section: str | None) -> bool:
    """Introduction, background, discussion, conclusions: sections that speak of other work."""
    return bool(section and _FRAMING_SECTIONS.search(section))


def is_bibliography_entry(text: str) -> bool:
    return bool(_BIBLIOGRAPHY_ENTRY.match(text))
