"""The rules' regular expressions compiled once per machine, not once per process.

``re.compile`` of a rule's pattern (thousands of characters once its vocabulary macros are
expanded) runs the standard library's pattern parser and code generator, both written in Python:
for all rules, 0.15-0.4 s of every process that tags, before it can read a word. Their output is a
list of integers that ``_sre.compile`` (C) turns into the Pattern object. This module keeps that
output (the program, its flags and its group names) with the derived vocabularies
(``derived.py``), per pattern, under a key of this module, the interpreter's version and its
regex engine's version, so a later process builds each Pattern in microseconds.

What is stored is data only, checked for its shape when read; ``_sre.compile`` validates a
program before it accepts it (a damaged one raises, and the pattern is then compiled as usual).
The Pattern built is the one ``re.compile`` gives: same pattern, flags and program (Patterns
compare equal on all three; tests/nlp/test_stored_regex.py compares every rule's). Where the
interpreter lacks the internals this needs, patterns are compiled as usual.
"""

from __future__ import annotations

import atexit
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..derived import keyed_path, read_derived, store_derived
from .prefilter import pattern_key

try:
    import _sre

    try:  # Python 3.11+
        import re._compiler as _compiler
        import re._parser as _parser
    except ImportError:  # pragma: no cover - Python 3.10 keeps them under their old names
        import sre_compile as _compiler  # type: ignore[no-redef]
        import sre_parse as _parser  # type: ignore[no-redef]
    _AVAILABLE = all(hasattr(m, a) for m, a in ((_sre, "compile"), (_compiler, "_code"), (_parser, "parse")))
except ImportError:  # pragma: no cover - another interpreter's regex engine
    _AVAILABLE = False

MAX_ENTRIES = 2000  # a table grown past this (patterns edited over time) keeps only what is in use

Entry = list  # [flags, program (list of int), groups, {name: index}, [name or None per group]]


def compile_pattern(pattern: str, flags: int = 0) -> re.Pattern:
    """``re.compile(pattern, flags)``, from the stored program when there is one."""
    if not _AVAILABLE:
        return re.compile(pattern, flags)
    key = pattern_key(pattern, flags)
    table = _table()
    entry = table.get(key)
    built = _from_entry(pattern, entry) if entry is not None else None
    if built is None:
        built, entry = _compiled_with_entry(pattern, flags)
        if entry is None:
            return built
        table[key] = entry
        _changed()
    _used.add(key)
    return built


def _from_entry(pattern: str, entry: Any) -> re.Pattern | None:
    """The Pattern of a stored entry, or None when the entry is not of its shape or the engine
    refuses its program."""
    if not (isinstance(entry, list) and len(entry) == 5):
        return None
    flags, program, groups, groupindex, indexgroup = entry
    if not (isinstance(flags, int) and isinstance(groups, int) and isinstance(program, list)
            and all(type(op) is int for op in program) and isinstance(groupindex, dict)
            and all(isinstance(k, str) and type(v) is int for k, v in groupindex.items())
            and isinstance(indexgroup, list) and all(g is None or isinstance(g, str) for g in indexgroup)):
        return None
    try:
        return _sre.compile(pattern, flags, program, groups, groupindex, tuple(indexgroup))
    except Exception:  # noqa: BLE001 - an invalid program ("invalid SRE code"), a value out of range
        return None


def _compiled_with_entry(pattern: str, flags: int) -> tuple[re.Pattern, Entry | None]:
    """The Pattern, built the way ``re._compiler.compile`` builds it, and what to store of it
    (None, with re.compile's Pattern, if those internals do not behave as expected)."""
    try:
        parsed = _parser.parse(pattern, flags)
        program = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        # opcodes are named int constants: stored (and compared) as the plain ints they are
        entry = [flags | parsed.state.flags, [int(op) for op in program], parsed.state.groups - 1, groupindex, indexgroup]
        built = _from_entry(pattern, entry)
    except Exception:  # noqa: BLE001 - re.compile below raises the pattern's own error, if any
        built = None
    if built is None:
        return re.compile(pattern, flags), None
    return built, entry


def _table_path() -> Path:
    return keyed_path("compiled-patterns", __file__,
                      f"{sys.version}|{getattr(_sre, 'MAGIC', '')}|{getattr(_sre, 'CODESIZE', '')}")


_used: set[str] = set()
_dirty = False


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    data = read_derived(_table_path())
    return data if isinstance(data, dict) else {}


def _changed() -> None:
    """New programs are stored once, when the process ends (a first process compiles dozens of
    patterns, one at a time, and the table is hundreds of kilobytes)."""
    global _dirty
    if not _dirty:
        _dirty = True
        atexit.register(store_table)


def store_table() -> None:
    """Write the table now if it changed (also run at exit)."""
    global _dirty
    if not _dirty:
        return
    table = dict(_table())  # a copy: a thread still tagging may add to the table meanwhile
    kept = table if len(table) <= MAX_ENTRIES else {k: v for k, v in table.items() if k in _used}
    store_derived(_table_path(), kept)
    _dirty = False
