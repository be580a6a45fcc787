"""build_nlp(config): the tagging pipeline, every stage a registered component.

Default: spacy.blank("en") with scispaCy's biomedical tokenizer. With ``{"base_model":
"en_core_sci_sm"}`` and that package installed, the scispaCy model is the base instead (its
tagger/parser come along); when it is not installed the blank base is used and
``nlp.meta["gepnec_base"]`` says so.
"""

from __future__ import annotations

import logging
import warnings
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Span

from . import abbreviations, drugs, measures, sentences, study  # noqa: F401  (registers the factories)

log = logging.getLogger(__name__)
# scispaCy's detector warns on every Doc that its optional global matcher is empty.
warnings.filterwarnings("ignore", message=r".*\[W036\].*")

DEFAULT_CONFIG: dict[str, Any] = {
    "base_model": None,  # e.g. "en_core_sci_sm": used when installed, blank + scispaCy tokenizer otherwise
    "abbreviations": True,  # scispaCy AbbreviationDetector
    "max_length": 2_000_000,
}
FACT_COMPONENTS = ("gepnec_abbreviations", "gepnec_drugs", "gepnec_measures", "gepnec_study")

if not Span.has_extension("value"):
    Span.set_extension("value", default=None)


def _base(config: dict) -> Language:
    name = config.get("base_model")
    if name and spacy.util.is_package(name):
        nlp = spacy.load(name, exclude=["ner"])
        nlp.meta["gepnec_base"] = name
        return nlp
    if name:
        log.warning("base model %s is not installed; using spacy.blank('en') with scispaCy's tokenizer", name)
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    nlp = spacy.blank("en")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # scispaCy's tokenizer regexes trip a re warning
        nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.meta["gepnec_base"] = "blank"
    return nlp


def build_nlp(config: dict | None = None) -> Language:
    config = {**DEFAULT_CONFIG, **(config or {})}
    nlp = _base(config)
    nlp.max_length = config["max_length"]
    first_model_pipe = nlp.pipe_names[0] if nlp.pipe_names else None
    for name in ("gepnec_drug_tokens", "gepnec_sentences"):
        nlp.add_pipe(name, before=first_model_pipe) if first_model_pipe else nlp.add_pipe(name)
    if config["abbreviations"]:
        from scispacy.abbreviation import AbbreviationDetector  # noqa: F401  (registers "abbreviation_detector")

        # Serializable output (plain dicts) so Docs can cross process boundaries in nlp.pipe(n_process=2).
        nlp.add_pipe("abbreviation_detector", config={"make_serializable": True})
    for name in FACT_COMPONENTS:
        nlp.add_pipe(name)
    nlp.meta["gepnec_config"] = config
    return nlp


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The default pipeline, built once per process."""
    return build_nlp()
