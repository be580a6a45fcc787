"""The values inside one table cell, as the records steps use them.

The cell grammar (numbers, footnote marks, survival with its interval, counts and percents, response
breakdowns, cohorts sharing a cell) is the tagger package's: ``nlp/cells.py``. It is imported here so
that records name one vocabulary of cell readers and no cell is read twice.
"""

from __future__ import annotations

from ..nlp.cells import (NUMBER, RESPONSE_KEYS, Segment, first_number, is_missing, parse_count_pct, parse_pct,
                         parse_response_breakdown, parse_survival, split_cohorts, strip_markers)

__all__ = ["NUMBER", "RESPONSE_KEYS", "Segment", "first_number", "is_missing", "parse_count_pct", "parse_pct",
           "parse_response_breakdown", "parse_survival", "split_cohorts", "strip_markers"]
