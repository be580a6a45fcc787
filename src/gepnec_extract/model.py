"""The data contracts every stage shares: Document (ingest output) and StudyRecord (spec).

Data flows one way: PDF/.txt -> Document -> tagged spaCy Doc -> StudyRecord -> dataset/report.
All models round-trip through JSON (``model_dump_json`` / ``model_validate_json``).
"""

from __future__ import annotations

import os
from pathlib import Path
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .doc_ids import MAX_DOC_ID_CHARS, safe_doc_id  # noqa: F401  (part of the models' contract)

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, top-left origin


class Metadata(BaseModel):
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    first_author: str | None = None  # surname as printed (diacritics kept)
    year: int | None = None
    journal: str | None = None
    group: str | None = None  # a group the byline names ("for the X Study Group"), or its only author
    acronym: str | None = None  # the trial acronym of the title, when no author names the study


class Block(BaseModel):
    """One paragraph (or heading) of body text, in reading order."""

    page: int  # 1-based page number where the block starts
    section: str | None = None  # nearest heading above the block
    text: str
    kind: Literal["paragraph", "heading", "title", "rotated", "furniture"] = "paragraph"
    bbox: BBox | None = None
    start: int = 0  # offset of this block in Document.full_text()


class Table(BaseModel):
    """One table: header rows first in ``rows``; every cell a single string."""

    label: str | None = None  # "Table 3"
    caption: str | None = None
    page: int
    pages: list[int] = Field(default_factory=list)  # every page the table spans
    header_rows: int = 0
    rows: list[list[str]] = Field(default_factory=list)
    footnote: str | None = None
    bbox: BBox | None = None

    @property
    def header(self) -> list[list[str]]:
        return self.rows[: self.header_rows]

    @property
    def body(self) -> list[list[str]]:
        return self.rows[self.header_rows :]

    @property
    def n_columns(self) -> int:
        return max((len(r) for r in self.rows), default=0)




class Document(BaseModel):
    doc_id: str
    source: str | None = None  # file name it was read from
    pages: int = 0
    metadata: Metadata = Field(default_factory=Metadata)
    blocks: list[Block] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    # running headers, footers, page numbers and watermarks: kept out of the body, not thrown away
    furniture: list[Block] = Field(default_factory=list)

    BLOCK_SEPARATOR: str = Field(default="\n\n", exclude=True)

    def full_text(self) -> str:
        """Body text, blocks joined by a blank line; Block.start indexes into it."""
        return self.BLOCK_SEPARATOR.join(b.text for b in self.blocks)

    def assign_offsets(self) -> None:
        offset = 0
        for block in self.blocks:
            block.start = offset
            offset += len(block.text) + len(self.BLOCK_SEPARATOR)

    def block_at(self, offset: int) -> Block | None:
        """The block holding a character offset of full_text()."""
        found = None
        for block in self.blocks:
            if block.start <= offset:
                found = block
            else:
                break
        return found

    def save(self, out_dir: Path) -> Path:
        """Write ``<doc_id>.document.json`` atomically (temp file + rename), always inside out_dir:
        the doc_id (which a crafted document.json may set to "../../x") is made a safe name first."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.doc_id = safe_doc_id(self.doc_id)
        target = out_dir / f"{self.doc_id}.document.json"
        tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
        tmp.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        tmp.replace(target)
        return target

    @classmethod
    def load(cls, path: Path) -> "Document":
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Study records (spec/study-record.md)
# ---------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PrimarySite(_Strict):
    site: str
    n: int | None = None


class Dose(_Strict):
    drug: str
    amount: float | None = None
    unit: str | None = None  # mg/m2, mg/m2/day, mg/kg, mg, AUC, g/m2, GBq
    days: str | None = None
    route: str | None = None  # IV / oral
    schedule: int | None = None  # cycle length in days


class Design(_Strict):
    prospective: bool | None = None
    randomized: bool | None = None
    phase: str | None = None  # "1" / "2" / "3"
    centers: str | None = None  # single / multi


class Survival(_Strict):
    median: float | None = None
    low: float | None = None
    high: float | None = None
    kind: Literal["range", "ci95"] | None = None
    not_reached: bool | None = None


class Toxicity(_Strict):
    event: str
    grade: str | None = None
    pct: float | None = None


class Evidence(_Strict):
    field: str
    page: int | None = None
    source: str  # "table:<label>" or "text"
    text: str


@dataclass(frozen=True)
class Outcome:
    """Marks a StudyRecord field as a figure the study reports of its own patients (fields.py reads
    it): ``kind`` response / survival / toxicity, ``key`` the response kind or survival endpoint the
    tagger names it by (RESPONSE kind "rr", SURVIVAL endpoint "os")."""

    kind: str
    key: str | None = None


class StudyRecord(_Strict):
    doc_id: str
    study_id: str
    first_author: str | None = None
    year: int | None = None
    ref: int | None = None
    arm: str | None = None
    population: str | None = None
    n_patients: int | None = None
    n_total: int | None = None
    primary_sites: list[PrimarySite] = Field(default_factory=list)
    regimen: str | None = None
    drugs: list[str] = Field(default_factory=list)
    doses: list[Dose] = Field(default_factory=list)
    line: str | None = None
    design: Design | None = None
    rr_pct: Annotated[float | None, Outcome("response", "rr")] = None
    cr_pct: Annotated[float | None, Outcome("response", "cr")] = None
    pr_pct: Annotated[float | None, Outcome("response", "pr")] = None
    sd_pct: Annotated[float | None, Outcome("response", "sd")] = None
    pd_pct: Annotated[float | None, Outcome("response", "pd")] = None
    os_months: Annotated[Survival | None, Outcome("survival", "os")] = None
    pfs_months: Annotated[Survival | None, Outcome("survival", "pfs")] = None
    toxicities: Annotated[list[Toxicity], Outcome("toxicity")] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
