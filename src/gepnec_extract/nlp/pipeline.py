"""build_nlp(config): the tagging pipeline, every stage a registered component.

Default: the pipeline that ``config.cfg`` beside this file describes: an English pipeline with
scispaCy's biomedical tokenizer, scispaCy's abbreviation detector and our components. With
``{"base_model": "en_core_sci_sm"}`` and that package installed, the scispaCy model is the base
instead (its tagger/parser come along) and our components are added to it; when it is not
installed the configured pipeline is used and ``nlp.meta["gepnec_base"]`` says so.
``{"overrides": {"components.gepnec_measures.dose_drug_window": 60}}`` changes a component's
setting from the value config.cfg gives it (spaCy's dotted config paths).

``save_pipeline(DIR)`` writes the pipeline to a directory that ``spacy.load(DIR)`` reads back.
"""

from __future__ import annotations

import logging
import warnings
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Span

from . import abbreviations, cell_readings, context, drugs, measures, sentences, study  # noqa: F401  (registers the factories)
from .settings import CONFIG_PATH

log = logging.getLogger(__name__)
# scispaCy's detector warns on every Doc that its optional global matcher is empty.
warnings.filterwarnings("ignore", message=r".*\[W036\].*")

DEFAULT_CONFIG: dict[str, Any] = {
    "base_model": None,  # e.g. "en_core_sci_sm": used when installed, blank + scispaCy tokenizer otherwise
    "abbreviations": True,  # scispaCy AbbreviationDetector
    "max_length": 2_000_000,
    "overrides": {},  # dotted config.cfg paths -> values, e.g. {"components.gepnec_study.surname_max_zipf": 3.5}
}
FACT_COMPONENTS = ("gepnec_abbreviations", "gepnec_drugs", "gepnec_measures", "gepnec_study", "gepnec_context", "gepnec_cells")

if not Span.has_extension("value"):
    Span.set_extension("value", default=None)


@spacy.registry.tokenizers("gepnec.scispacy_tokenizer.v1")
def scispacy_tokenizer():
    """scispaCy's rule tokenizer (biomedical prefixes, suffixes and infixes) for the config."""

    def create(nlp: Language):
        from scispacy.custom_tokenizer import combined_rule_tokenizer

        if not hasattr(nlp, "tokenizer"):
            # scispaCy reads only the default tokenizer's token_match, which is the language's
            # own default: a stand-in that holds it spares building a whole default tokenizer
            # (its special cases and affix regexes: about 0.07 s of every process that tags)
            nlp.tokenizer = SimpleNamespace(token_match=nlp.Defaults.token_match)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # scispaCy's tokenizer regexes trip a re warning
            return combined_rule_tokenizer(nlp)

    return create


def _configured(config: dict) -> Language:
    """The pipeline of config.cfg, without the abbreviation detector when it is switched off."""
    from scispacy.abbreviation import AbbreviationDetector  # noqa: F401  (registers "abbreviation_detector")

    cfg = spacy.util.load_config(CONFIG_PATH, overrides=config["overrides"])
    if not config["abbreviations"]:
        cfg["nlp"]["pipeline"] = [p for p in cfg["nlp"]["pipeline"] if p != "abbreviation_detector"]
        del cfg["components"]["abbreviation_detector"]
    nlp = spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)
    nlp.meta["gepnec_base"] = "blank"
    return nlp


def _component_overrides(config: dict, pipe: str) -> dict:
    """{"components.<pipe>.<key>": value} of the overrides -> {key: value} for nlp.add_pipe."""
    prefix = f"components.{pipe}."
    return {path[len(prefix):]: value for path, value in config["overrides"].items() if path.startswith(prefix)}


def _on_base_model(name: str, config: dict) -> Language:
    """Our components added to an installed scispaCy model (its tokenizer, tagger and parser kept)."""
    nlp = spacy.load(name, exclude=["ner"])
    nlp.meta["gepnec_base"] = name
    first_model_pipe = nlp.pipe_names[0] if nlp.pipe_names else None
    for pipe in ("gepnec_drug_tokens", "gepnec_sentences"):
        settings = _component_overrides(config, pipe)
        nlp.add_pipe(pipe, before=first_model_pipe, config=settings) if first_model_pipe else nlp.add_pipe(pipe, config=settings)
    if config["abbreviations"]:
        from scispacy.abbreviation import AbbreviationDetector  # noqa: F401

        nlp.add_pipe("abbreviation_detector", config={"make_serializable": True})
    for pipe in FACT_COMPONENTS:
        nlp.add_pipe(pipe, config=_component_overrides(config, pipe))
    return nlp


def build_nlp(config: dict | None = None) -> Language:
    config = {**DEFAULT_CONFIG, **(config or {})}
    name = config.get("base_model")
    if name and spacy.util.is_package(name):
        nlp = _on_base_model(name, config)
    else:
        if name:
            log.warning("base model %s is not installed; using the configured pipeline with scispaCy's tokenizer", name)
        nlp = _configured(config)
    nlp.max_length = config["max_length"]
    nlp.meta["gepnec_config"] = config
    return nlp


def save_pipeline(directory: Path | str, nlp: Language | None = None) -> Path:
    """Write the pipeline (config.cfg, tokenizer, meta) to a directory for ``spacy.load``."""
    directory = Path(directory)
    (nlp or build_nlp()).to_disk(directory)
    return directory


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The default pipeline, built once per process."""
    return build_nlp()
