"""Normalized record fields (primary sites, population, line, design, study citations and ids).

The words are read by the tagger's package (``nlp/phrases.py``, vocabularies in ``nlp/vocab/``):
one home for each rule. Records import the readers from here by their old names.
"""

from __future__ import annotations

from ..nlp.phrases import (WHO_G3_KI67, arm_key, ascii_fold, bracketed_cohort, grade_population, is_backref, label_site, parse_citation,
                           parse_design, parse_line, parse_sites, population_of, single_site, site_name,
                           sites_in_sentence, study_id)

__all__ = ["WHO_G3_KI67", "arm_key", "ascii_fold", "bracketed_cohort", "grade_population", "is_backref", "label_site", "parse_citation",
           "parse_design", "parse_line", "parse_sites", "population_of", "single_site", "site_name",
           "sites_in_sentence", "study_id"]
