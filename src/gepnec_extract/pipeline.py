"""One paper end to end: ingest -> tag -> records. The flows and the CLI both call this."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .ingest.errors import ResourceLimitError
from .ingest.limits import Limits
from .interrupts import shield_children

if TYPE_CHECKING:
    from .model import Document, StudyRecord

# The readers and the tagger (spaCy, the drug lexicon) and the models (pydantic) are imported by
# extract_paper, not here: a run whose papers are all cached needs PIPELINE_VERSION and
# file_sha256 only, and loads none of them.


def _code_fingerprint() -> str:
    """A digest of the package's own code and data files: any change to extraction logic,
    patterns or vocabularies changes it, so cached results of older code are not reused."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".jsonl", ".json", ".txt", ".cfg"} and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# Cache keys include it: a re-run skips unchanged papers only while the pipeline is unchanged.
PIPELINE_VERSION = f"{__version__}+{_code_fingerprint()}"


@dataclass
class PaperResult:
    doc: Document
    records: list[StudyRecord] = field(default_factory=list)
    tagged: Any = None  # the nlp.TaggedDocument the records were read from (tagged once per paper)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_tagger_limits(path: Path, doc: Document, limits: Limits) -> None:
    """No block or cell longer than the per-page character limit reaches the tagger: a document.json
    (or any reader) could hold one, and spaCy would fail on it with a traceback (E088)."""
    longest = max([len(b.text) for b in doc.blocks] + [len(c) for t in doc.tables for r in t.rows for c in r] + [0])
    if longest > limits.max_chars_per_page:
        raise ResourceLimitError(path, f"a block of {longest} characters, over the limit of {limits.max_chars_per_page}")


def tag(doc: Document):
    """The tagging stage (nlp.tag_document), imported on first use: it loads spaCy and the drug
    lexicon. The paper is tagged once: records read these Docs and the report their facts."""
    from .nlp import tag_document

    return tag_document(doc)


def extract_records(doc: Document, tagged=None) -> list[StudyRecord]:
    """The records stage (gepnec_extract.records) over the tagged document, imported on first use."""
    from .records import extract_records as records_of_document

    return records_of_document(doc, tagged=tagged)


def parse_paper(path: Path | str, limits: Limits | None = None, parts: int = 1) -> Document:
    """The parsing step: ingest (a PDF or .txt in a sandboxed child process, or a PDF in
    ``parts`` of them) and the tagger's limits."""
    from .ingest import ingest_file

    limits = limits or Limits.from_env()
    doc = ingest_file(Path(path), limits, parts=parts)
    check_tagger_limits(Path(path), doc, limits)
    return doc


def parse_in_background(path: Path | str, limits: Limits | None = None, after: Future | None = None,
                        parts: int = 1) -> Future:
    """Start parsing a paper on a thread of its own, once ``after`` (an earlier paper's parse) is
    done: the thread only waits for the sandboxed parser children, so the parse runs in them
    while this process loads the tagger or tags the papers before, in ``parts`` children."""
    parsed: Future = Future()

    def parse() -> None:
        shield_children()  # the parser's fork server may start from this thread
        if after is not None:
            wait([after])
        try:
            parsed.set_result(parse_paper(path, limits, parts))
        except BaseException as error:  # noqa: BLE001 - raised to whoever takes the result
            parsed.set_exception(error)

    # a daemon: Ctrl-C or an error does not wait for a parse nobody will read (the child is
    # held to its own time limit)
    threading.Thread(target=parse, name=f"parse {Path(path).name}", daemon=True).start()
    return parsed


# A made-up paper read once when the readers load (its records are thrown away): what the tagger
# and the record readers load on first use (word frequencies, patterns compiled when first
# needed, the records package) loads then, while the first real paper parses, and not after.
_WARM_UP_PAPER = {
    "doc_id": "warm-up", "pages": 1,
    "blocks": [
        {"page": 1, "kind": "title", "text": "Quorvex plus zandiplatin in neuroendocrine carcinoma"},
        {"page": 1, "text": "Methods. Tellmar et al. Overall, 24 patients with poorly differentiated "
         "neuroendocrine carcinoma (NEC) received cisplatin 75 mg/m2 on day 1 and etoposide (EP) 100 mg/m2 "
         "on days 1-3 every 21 days as first-line treatment in a prospective phase II study [3]. The response "
         "rate was 31% (CR 4%, PR 27%, SD 20%); median overall survival was 11.2 months (95% CI, 8.1-14.0) "
         "and median progression-free survival 5.3 months (range 1-20). Grade 3-4 neutropenia occurred in 40%."},
    ],
    "tables": [{"label": "Table 1", "caption": "Studies of EP", "page": 1, "header_rows": 1,
                "rows": [["Study", "n", "Regimen", "Line", "RR (%)", "Median OS (months)", "Grade 3-4 toxicity"],
                         ["Tellmar et al. [3]", "24", "EP", "First", "31", "11.2 (8.1-14.0)", "Neutropenia 40%"]]}],
}


def load_tagger() -> None:
    """Load spaCy, the drug lexicon and the pipeline now (once per process)."""
    from .nlp import get_nlp

    get_nlp()


_readers_warm = False


def load_readers() -> None:
    """Load the tagger and the record readers and read a made-up paper with them (once per
    process), so that a real paper's reading starts with nothing left to load."""
    global _readers_warm
    load_tagger()
    if not _readers_warm:
        from .model import Document

        read_paper(Document.model_validate(_WARM_UP_PAPER))
        _readers_warm = True


def read_paper(doc: Document) -> PaperResult:
    """The reading steps over a parsed paper: tag it once, then assemble its records."""
    tagged = tag(doc)
    return PaperResult(doc=doc, records=extract_records(doc, tagged), tagged=tagged)


def extract_paper(path: Path | str, limits: Limits | None = None, parsed: Future | None = None) -> PaperResult:
    """Ingest and extract one paper; raises a typed IngestError for a bad file. The paper parses
    while the tagger loads; ``parsed`` is its parse when a batch started it ahead."""
    limits = limits or Limits.from_env()
    parsed = parsed or parse_in_background(path, limits)
    load_readers()
    return read_paper(parsed.result())
