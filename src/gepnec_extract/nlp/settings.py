"""Settings of the tagging components, read from config.cfg (their one home).

Each component's block of config.cfg (``[components.gepnec_drugs]``...) lists its settings; the
factories take them as their default config, so ``build_nlp()``, a pipeline added onto a base model
and ``spacy.load(DIR)`` of a saved pipeline all run with the same values, and the module functions
that also serve outside a pipeline (a table cell's citation, a long form's drugs) default to them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

CONFIG_PATH = Path(__file__).resolve().parent / "config.cfg"


@lru_cache(maxsize=1)
def _components() -> dict[str, dict[str, Any]]:
    from spacy.util import load_config

    return load_config(CONFIG_PATH, interpolate=True)["components"]


def component_settings(name: str) -> dict[str, Any]:
    """The settings of one component as config.cfg states them (its factory name left out)."""
    return {key: value for key, value in _components()[name].items() if key != "factory"}


def setting(component: str, key: str) -> Any:
    return component_settings(component)[key]


def patterns_dir(configured: str | None) -> Path:
    """A component's patterns folder: the configured one, else the package's patterns/."""
    return Path(configured) if configured else CONFIG_PATH.parent / "patterns"
