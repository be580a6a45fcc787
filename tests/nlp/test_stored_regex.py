"""The rules' patterns built from stored programs (nlp.stored_regex) are the Patterns re.compile
gives, a damaged table only costs a compile, and a later process compiles none of them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from gepnec_extract.nlp import grammar, stored_regex
from gepnec_extract.nlp.vocab import PATTERN_DIR, read_jsonl


def _rule_patterns() -> list[tuple[str, int]]:
    """Every rule's pattern as load_rules compiles it, macros expanded."""
    patterns = []
    for path in sorted(PATTERN_DIR.glob("*.jsonl")):
        for row in read_jsonl(path):
            if "regex" in row:
                flags = re.IGNORECASE if "i" in row.get("flags", "") else 0
                patterns.append((grammar.expand(row["regex"], grammar.macros()), flags))
    return patterns


# made-up patterns for what the rules use little: named and numbered groups, look-arounds, back
# references, flags set inside the pattern, Unicode classes, lazy repeats, case-folding oddities
EDGE_PATTERNS = [
    (r"(?P<drug>[A-Z]\w+)\s+(?P<dose>\d+(?:\.\d+)?)\s*mg", 0),
    (r"(?i)(?<![/-])\bzorb(?:ex)?\b(?=\s*\()", 0),
    (r"(\w+) and \1", re.IGNORECASE),
    (r"(?x) \d+ \s* % # a percentage", 0),
    (r"[^\W\d_]{2,}?", 0),
    (r"(?s)start.*?end", re.MULTILINE),
    (r"ſtrong|ǅ|\u0130stanbul", re.IGNORECASE),
]


@pytest.fixture
def fresh_table(tmp_path, monkeypatch):
    """An empty stored table in a folder of this test's own."""
    monkeypatch.setenv("GEPNEC_CACHE_DIR", str(tmp_path))
    stored_regex._table.cache_clear()
    monkeypatch.setattr(stored_regex, "_dirty", False)
    yield tmp_path
    stored_regex._table.cache_clear()


def test_every_rule_pattern_built_from_its_stored_program_is_re_compiles(fresh_table):
    patterns = _rule_patterns() + EDGE_PATTERNS
    assert len(patterns) > 50
    first = [stored_regex.compile_pattern(p, f) for p, f in patterns]  # compiled, entries kept
    stored_regex.store_table()
    stored_regex._table.cache_clear()
    stored = json.loads(stored_regex._table_path().read_text(encoding="utf-8"))
    assert len(stored) == len(set(patterns))
    again = [stored_regex.compile_pattern(p, f) for p, f in patterns]  # built from the file
    for (pattern, flags), one, two in zip(patterns, first, again):
        expected = re.compile(pattern, flags)
        assert one == expected and two == expected  # same pattern, flags and program
        assert two.groupindex == expected.groupindex and two.groups == expected.groups
    drug_dose = again[len(patterns) - len(EDGE_PATTERNS)]
    assert drug_dose.match("Zandiplatin 75 mg").group("dose") == "75"


def test_a_damaged_table_only_costs_a_compile(fresh_table):
    pattern, flags = r"(?P<n>\d+) patients", re.IGNORECASE
    key = next(iter(_keys_after(pattern, flags)))
    path = stored_regex._table_path()
    good = json.loads(path.read_text(encoding="utf-8"))[key]
    damaged = [
        [good[0], [9999, 1, 2, 3], *good[2:]],  # a program the engine refuses
        [good[0], good[1][:-3], *good[2:]],  # a program cut short
        ["flags", *good[1:]],
        good[:3],
        "not an entry",
    ]
    for entry in damaged:
        path.write_text(json.dumps({key: entry}), encoding="utf-8")
        stored_regex._table.cache_clear()
        built = stored_regex.compile_pattern(pattern, flags)
        assert built == re.compile(pattern, flags) and built.search("In all, 12 Patients").group("n") == "12"
    path.write_text("{not json", encoding="utf-8")
    stored_regex._table.cache_clear()
    assert stored_regex.compile_pattern(pattern, flags) == re.compile(pattern, flags)


def _keys_after(pattern: str, flags: int) -> set[str]:
    stored_regex.compile_pattern(pattern, flags)
    stored_regex.store_table()
    return set(json.loads(stored_regex._table_path().read_text(encoding="utf-8")))


PROBE = """
import json, sys
from gepnec_extract.nlp import stored_regex
parsed = []
real = stored_regex._compiled_with_entry
def counted(pattern, flags):
    parsed.append(pattern[:40])
    return real(pattern, flags)
stored_regex._compiled_with_entry = counted
from gepnec_extract import pipeline
pipeline.load_readers()
print(json.dumps({"parsed": len(parsed), "used": len(stored_regex._used)}))
"""


def test_a_later_process_that_tags_compiles_no_rule(tmp_path):
    env = {**os.environ, "GEPNEC_CACHE_DIR": str(tmp_path)}

    def probe() -> dict:
        out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                             check=True, timeout=300)
        return json.loads(out.stdout.strip().splitlines()[-1])

    first, second = probe(), probe()
    assert first["parsed"] > 50 and first["parsed"] == first["used"]
    assert second == {"parsed": 0, "used": first["used"]}
