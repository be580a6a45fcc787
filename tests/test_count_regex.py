"""scripts/count_regex.py, run as users run it, on a crafted package whose regular expressions are known."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT

MODULE = r'''
import re
from .grammar import compiled

WORD = re.compile(r"\w+")          # applied to a cell below: text
BUILT = re.compile(rf"{re.escape('x')}:")  # built at run time, never used here: "?"
SUFFIX = re.compile(r"\.json$")    # applied to a path below: other


def read(cell, path):
    if SUFFIX.search(path.name):
        return WORD.findall(cell)
    return re.sub(r"\s+", " ", cell), compiled("<<NUM>>").search(cell)

NOTE = "re.search(r'x', text) in a string is no call"
'''


def test_counts_calls_per_package_and_what_they_read(tmp_path):
    package = tmp_path / "pkg"
    (package / "records").mkdir(parents=True)
    (package / "records" / "mod.py").write_text(MODULE, encoding="utf-8")
    (package / "records" / "rules.jsonl").write_text('{"pattern": "^a$"}\n{"kind": "x"}\n', encoding="utf-8")
    (package / "nlp").mkdir()
    (package / "nlp" / "empty.py").write_text("import re\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "count_regex.py"), "--src", str(package)],
                            capture_output=True, text=True, check=True, timeout=60)
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:]}
    # inline, text, other, ?, as data, compiles: three re.compile (one built from an f-string), one re.sub,
    # one compiled(); one rule as data
    assert rows["records"] == ["5", "3", "1", "1", "1", "1"]
    assert rows["nlp"] == ["0", "0", "0", "0", "0", "0"]


def test_records_read_no_words_in_the_project_itself():
    """The tagger's package is the one home of the words: records hold no regular expression at all."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "count_regex.py"), "--list", "records"],
                            capture_output=True, text=True, check=True, timeout=60)
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if not line.startswith(" ")}
    assert rows["records"][:4] == ["0", "0", "0", "0"], result.stdout
    assert int(rows["nlp"][0]) > 0 and int(rows["nlp"][4]) > 0  # the words are read there, much of it as data
