"""Tagging stage: a spaCy pipeline that marks every fact a study record needs.

Facts live in ``doc.spans["facts"]``; each span has ``span.label_`` (DRUG, REGIMEN, DOSE, RESPONSE,
SURVIVAL, N_PATIENTS, TOXICITY, CITATION, LINE, DESIGN, ARM: an arm and its
size from an allocation sentence) and ``span._.value`` (JSON-serializable).
"""

from .spacy_import import install as _lean_spacy

_lean_spacy()  # before anything here imports spaCy

from .grammar import FACTS_KEY  # noqa: E402
from .pipeline import DEFAULT_CONFIG, build_nlp, get_nlp, save_pipeline  # noqa: E402
from .document import BlockDoc, CellDoc, TaggedDocument, facts_in_order, span_record, tag_document, tag_text  # noqa: E402

__all__ = [
    "FACTS_KEY", "DEFAULT_CONFIG", "build_nlp", "get_nlp", "save_pipeline", "tag_document", "tag_text", "TaggedDocument",
    "BlockDoc", "CellDoc", "facts_in_order", "span_record",
]
