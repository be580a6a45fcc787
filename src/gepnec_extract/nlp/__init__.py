"""Tagging stage: a spaCy pipeline that marks every fact a study record needs.

Facts live in ``doc.spans["facts"]``; each span has ``span.label_`` (DRUG, REGIMEN, DOSE, RESPONSE,
SURVIVAL, N_PATIENTS, TOXICITY, CITATION, LINE, DESIGN) and ``span._.value`` (JSON-serializable).
"""

from .grammar import FACTS_KEY
from .pipeline import DEFAULT_CONFIG, build_nlp, get_nlp, save_pipeline
from .document import BlockDoc, CellDoc, TaggedDocument, facts_in_order, span_record, tag_document, tag_text

__all__ = [
    "FACTS_KEY", "DEFAULT_CONFIG", "build_nlp", "get_nlp", "save_pipeline", "tag_document", "tag_text", "TaggedDocument",
    "BlockDoc", "CellDoc", "facts_in_order", "span_record",
]
