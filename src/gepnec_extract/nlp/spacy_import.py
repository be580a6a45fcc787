"""spaCy without its command line, for processes that only tag.

``import spacy`` runs ``from .cli.info import info`` (to offer ``spacy.info()``), which imports
the package spacy.cli: every spaCy command's module, weasel, httpx, jinja2. That is about a
third of spaCy's import time (0.1-0.3 s here), in every process that tags, and none of it is
used. ``install()``, called before spaCy's first import, registers a stand-in for
``spacy.cli.info``: its ``info`` and every other name import the real module on first use, so
``spacy.info()`` and ``from spacy.cli.info import ...`` still work, only later.
"""

from __future__ import annotations

import importlib
import sys
import types

_INFO = "spacy.cli.info"


class _StandIn(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__"):  # the import system asks for __path__, __spec__...: a plain module's answer
            raise AttributeError(name)
        return getattr(_real_info(), name)


def _real_info() -> types.ModuleType:
    if isinstance(sys.modules.get(_INFO), _StandIn):
        del sys.modules[_INFO]
    return importlib.import_module(_INFO)


def _info(*args, **kwargs):
    return _real_info().info(*args, **kwargs)


def install() -> None:
    """Register the stand-in, unless spaCy (or its info module) is already imported."""
    if "spacy" in sys.modules or _INFO in sys.modules:
        return
    stand_in = _StandIn(_INFO, "spacy.cli.info, imported on first use (gepnec_extract.nlp.spacy_import)")
    stand_in.info = _info
    sys.modules[_INFO] = stand_in
