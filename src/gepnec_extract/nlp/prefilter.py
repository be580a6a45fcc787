"""Which texts a rule's regular expression cannot match, told without running it.

A rule's pattern is thousands of characters once its macros are expanded, and scanning a block
with it costs about as much whether it matches or not; most blocks match few rules. For each
pattern this module finds a set of literal strings one of which every match must contain (the
"factors" of a sequence, as RE2 and Hyperscan prefilter: "%" or "percent" for a percentage, say),
and a rule is run only on a text that holds one of them. A necessary condition, never a
sufficient one: the rule's own regex still decides, so a text is skipped only when it could not
have matched.

Texts and factors are compared case-folded as ``re.IGNORECASE`` folds them (lower case, plus
the extra equivalences of re._casefix: dotless i, long s, the Kelvin sign...), so folding keeps
every substring a case-insensitive match could have found.
"""

from __future__ import annotations

import hashlib
import re
import sys
from functools import lru_cache
from pathlib import Path

try:  # Python 3.11+
    import re._casefix as _casefix
    import re._constants as _c
    import re._parser as _parser
except ImportError:  # pragma: no cover - older interpreters keep them under their old names
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]
    _casefix = None

from ..derived import keyed_path, read_derived, store_derived

MAX_FACTORS = 40  # a set this large costs more to look for than the scan it would spare

Factors = frozenset[str]


def _fold_table() -> dict[int, int]:
    """Each character re.IGNORECASE takes for another (beyond lower case) -> one of its class."""
    extra = getattr(_casefix, "_EXTRA_CASES", {}) if _casefix is not None else {}
    return {cp: min((cp, *others)) for cp, others in extra.items()}


_FOLD = _fold_table()
# The one character whose str.lower() is two characters (U+0130 -> "i" + a combining dot); re
# lowers it to a plain "i", and so must this
_ONE_TO_ONE = {0x130: 0x69}


def fold(text: str) -> str:
    """The text as re.IGNORECASE compares it (per character, so substrings stay substrings)."""
    return text.translate(_ONE_TO_ONE).lower().translate(_FOLD)


def pattern_key(pattern: str, flags: int = 0) -> str:
    """A pattern's key in a derived table of patterns (its factors here, its program in stored_regex)."""
    return hashlib.sha256(f"{flags}:{pattern}".encode("utf-8")).hexdigest()[:32]


@lru_cache(maxsize=None)
def required_factors(pattern: str, flags: int = 0) -> Factors | None:
    """Literal strings (folded) one of which every match of ``pattern`` contains; None when no
    such set was found (the rule then runs on every text). Reading them off a rule's parsed
    pattern takes milliseconds (a quarter second for all rules), so they are stored with the
    derived vocabularies, per pattern, under a key of this module and the interpreter."""
    key = pattern_key(pattern, flags)
    table = _stored_factors()
    if key not in table:
        table[key] = _read_factors(pattern, flags)
        store_derived(_factors_path(), table)
    found = table[key]
    return frozenset(found) if found is not None else None


def _read_factors(pattern: str, flags: int) -> list[str] | None:
    try:
        parsed = _parser.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - a pattern this parser cannot read is simply not prefiltered
        return None
    found = _sequence(list(parsed))
    return sorted({fold(f) for f in found}) if found else None


def _factors_path() -> Path:
    return keyed_path("rule-factors", __file__, sys.version)  # the stdlib's regex parser reads the patterns


@lru_cache(maxsize=1)
def _stored_factors() -> dict[str, list[str] | None]:
    """The stored table, or an empty one when it is missing or not of its shape (never trusted)."""
    data = read_derived(_factors_path())
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and (v is None or (isinstance(v, list) and all(isinstance(f, str) and f for f in v)))
            for k, v in data.items()):
        return {}
    return data


def may_match(factors: Factors | None, folded_text: str) -> bool:
    return factors is None or any(factor in folded_text for factor in factors)


def _sequence(items: list) -> set[str] | None:
    """Every match of the items in a row holds the best of their factor sets."""
    candidates: list[set[str]] = []
    run: list[str] = []  # literal characters in a row: one factor

    def end_run() -> None:
        if run:
            candidates.append({"".join(run)})
            run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        end_run()
        found = _item(op, av)
        if found:
            candidates.append(found)
    end_run()
    return _best(candidates)


def _item(op, av) -> set[str] | None:
    if op is _c.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(list(av))
    if op is _c.BRANCH:
        alternatives = [_sequence(list(branch)) for branch in av[1]]
        if any(not found for found in alternatives):
            return None  # one way through holds no factor
        return _capped(set().union(*alternatives))
    if op in _REPEATS:
        low, _high, body = av
        return _sequence(list(body)) if low >= 1 else None
    if op is _c.IN:
        if all(kind is _c.LITERAL for kind, _ in av):
            return _capped({chr(value) for _, value in av})
        return None  # ranges, classes, negations: any of many characters
    return None  # ANY, NOT_LITERAL, CATEGORY, AT, look-arounds, back references: no literal


_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT} | ({_c.POSSESSIVE_REPEAT} if hasattr(_c, "POSSESSIVE_REPEAT") else set())


def _capped(found: set[str]) -> set[str] | None:
    return found if len(found) <= MAX_FACTORS else None


def _best(candidates: list[set[str]]) -> set[str] | None:
    """The most telling set: its shortest string longest (up to 4 characters), then the fewest strings."""
    if not candidates:
        return None
    return max(candidates, key=lambda found: (min(4, min(len(s.strip()) for s in found)), -len(found)))


# ---------------------------------------------------------------------------------------------
# vocabulary gates: a macro every match passes through
# ---------------------------------------------------------------------------------------------

# The vocabulary macros a rule can be gated on: a text with no match of the macro anywhere is not
# scanned by a rule that every match of which holds one. The toxicity terms: hundreds of them in a
# trie, tried at each place of each text by the rules that read events ("zorbitis in 12%"), and
# most texts with a percentage name no event.
GATE_MACROS = ("TOX_EVENT",)
MACRO = re.compile(r"<<(\w+)>>")  # a vocabulary macro in a rule's pattern (grammar.expand fills it in)
_SENTINEL = 0xE000  # private-use code points stand for the macros while a pattern is parsed


def required_macros(raw_pattern: str, flags: int = 0) -> tuple[str, ...]:
    """Of GATE_MACROS, those every match of ``raw_pattern`` (a rule's regex, macros unexpanded)
    passes through. Each macro is read as one character of its own, so the pattern parses in
    microseconds; a macro that only another macro holds, or one under a look-around, a character
    class or an optional part, is not required (never a gate that could skip a match)."""
    names = sorted(set(MACRO.findall(raw_pattern)))
    if not any(name in GATE_MACROS for name in names) or len(names) > 0x100:
        return ()
    stand_in = {name: chr(_SENTINEL + i) for i, name in enumerate(names)}
    pattern = MACRO.sub(lambda m: f"(?:{stand_in[m.group(1)]})", raw_pattern)
    try:
        parsed = list(_parser.parse(pattern, flags))
    except Exception:  # noqa: BLE001 - a pattern this parser cannot read gets no gate
        return ()
    return tuple(name for name in GATE_MACROS if name in stand_in and _passes(parsed, ord(stand_in[name])))


def _passes(items: list, char: int) -> bool:
    """Whether every match of the parsed sequence matches the literal ``char`` somewhere."""
    return any(_item_passes(op, av, char) for op, av in items)


def _item_passes(op, av, char: int) -> bool:
    if op is _c.LITERAL:
        return av == char
    if op is _c.SUBPATTERN:
        return _passes(list(av[-1]), char)
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _passes(list(av), char)
    if op is _c.BRANCH:
        return all(_passes(list(branch), char) for branch in av[1])
    if op in _REPEATS:
        low, _high, body = av
        return low >= 1 and _passes(list(body), char)
    return False  # classes, look-arounds, back references, conditionals: not a required passage
