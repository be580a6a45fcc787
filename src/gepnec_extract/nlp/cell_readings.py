"""gepnec_cells: what a table cell says, read once, when the cell is tagged.

``tag_document`` marks each table cell's Doc before the pipeline runs (``doc._.table_cell``:
"header" or "body"; a block of running text stays None and is left alone). This component then
sets on the cell's Doc each reading records assemble a table from, as a Doc extension:

- ``doc._.cell_column``: the cell as a column header or row label (headers.classify_header: field,
  interval, unit, grade, parts);
- ``doc._.cell_citation``: the study it cites, (first author, year, reference number)
  (phrases.parse_citation);
- ``doc._.cell_line``, ``doc._.cell_design``, ``doc._.cell_sites``, ``doc._.cell_population``: line of
  therapy, design, primary sites and population as a cell of that column says them
  (phrases.parse_line, parse_design, parse_sites, population_of);
- ``doc._.cell_single_site`` (the one site a cell names, "Esophageal NEC": phrases.single_site) and
  ``doc._.cell_site`` (a site-list row's label, "Pancreas": phrases.site_name).

The rules stay where they are (one home each: the reader functions named above); this component
only runs them on every cell, so records read the tagged cell and no words of their own. A reading
depends on the cell's text alone (no abbreviations, no neighbours), so ``read(name, text)`` gives a
text that was not tagged as a cell (a part of a cell, a footnote clause) the same value.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, Callable

from spacy.language import Language
from spacy.tokens import Doc

from .grammar import doc_text
from .headers import classify_header
from .phrases import (parse_citation, parse_design, parse_line_cell, parse_prior_lines, parse_sites, population_of,
                      single_site, site_name)
from .settings import component_settings

CELL_ROLES = ("header", "body")
READERS: dict[str, Callable[[str], Any]] = {
    "column": classify_header,
    "citation": parse_citation,
    "line": parse_line_cell,
    "prior_lines": parse_prior_lines,
    "design": parse_design,
    "sites": parse_sites,
    "single_site": single_site,
    "site": site_name,
    "population": population_of,
}

if not Doc.has_extension("table_cell"):
    Doc.set_extension("table_cell", default=None)
for _name in READERS:
    if not Doc.has_extension(f"cell_{_name}"):
        Doc.set_extension(f"cell_{_name}", default=None)


def read(name: str, text: str) -> Any:
    """One reading of a text by its rule (what the component sets on a cell of that text)."""
    return READERS[name](text)


def reading(doc: Doc, name: str) -> Any:
    """A tagged cell's reading, copied: a value records complete (sites, design) is theirs, and the
    tagged Doc stays the tagger's."""
    return copy.deepcopy(getattr(doc._, f"cell_{name}"))


@lru_cache(maxsize=4096)
def _readings(text: str) -> tuple[Any, ...]:
    """Every reading of a cell's text, in READERS' order, made once per text: cells repeat within a
    table and across papers (a dash, "NR", a regimen down a column; a fifth of one review's cells).
    Cells of one text share these objects, which records only ever take copies of (``reading``)."""
    return tuple(read(name, text) for name in READERS)


class CellReader:
    def __call__(self, doc: Doc) -> Doc:
        if doc._.table_cell not in CELL_ROLES:
            return doc
        for name, value in zip(READERS, _readings(doc_text(doc))):
            setattr(doc._, f"cell_{name}", value)
        return doc


@Language.factory("gepnec_cells", default_config=component_settings("gepnec_cells"))
def make_cell_reader(nlp: Language, name: str) -> CellReader:
    return CellReader()
