"""A process that tags does not import spaCy's command line (nlp.spacy_import), and spaCy's
info is still there when asked for."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from gepnec_extract import pipeline
from gepnec_extract.nlp import tag_text
pipeline.load_readers()
doc = tag_text("Median overall survival was 11 months (range, 2-30).")
loaded = sorted(m for m in ("spacy.cli", "weasel", "httpx") if m in sys.modules)
import spacy
from spacy.cli.info import info_spacy
facts = [s.label_ for s in doc.spans["facts"]]
print(json.dumps({"loaded": loaded, "facts": facts, "version": info_spacy()["spaCy version"],
                  "info": spacy.info.__module__, "cli_after": "spacy.cli" in sys.modules}))
"""


def test_tagging_leaves_spacy_cli_unimported_and_its_info_still_works():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["loaded"] == []
    assert "SURVIVAL" in seen["facts"]
    import spacy

    assert seen["version"] == spacy.__version__ and seen["info"].startswith("gepnec_extract")
    assert seen["cli_after"]  # asked for, the real module was imported
