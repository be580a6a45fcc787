"""What a table column (or a row label) holds: the ColumnSpec the tables step works with.

The header's words are read by the tagger's package (``nlp/headers.py``, vocabulary in
``nlp/vocab/headers.jsonl``); records take the spec and never read a header themselves.
"""

from __future__ import annotations

from ..nlp.headers import (OUTCOME_FIELDS, RESPONSE_FIELDS, ColumnSpec, classify_header, classify_row_label,
                           is_whole_header, normalize_header)

__all__ = ["OUTCOME_FIELDS", "RESPONSE_FIELDS", "ColumnSpec", "classify_header", "classify_row_label",
           "is_whole_header", "normalize_header"]
