"""Vocabularies the components share, read from the data files in vocab/ (never written in code).

Drug names come from the maintained drug-named-entity-recognition dictionary (DrugBank / MeSH /
MedlinePlus synonyms, shipped inside the package, read offline), filtered of ordinary English
words, plus the small oncology additions in vocab/drugs_extra.jsonl (which take precedence).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from ..derived import keyed_path, read_derived, store_derived
from .settings import setting
from .word_frequency import zipf_at_least

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"
PATTERN_DIR = Path(__file__).resolve().parent / "patterns"

# A single alphabetic variant this frequent in English (wordfreq zipf) is a word first and a drug
# second ("today", "indicators"); oncology drug names sit far below it. Set in config.cfg
# ([components.gepnec_drugs] ordinary_word_zipf).
ORDINARY_WORD_ZIPF = setting("gepnec_drugs", "ordinary_word_zipf")
MAX_DRUG_TOKENS = 4


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _read_list(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#")}


def _is_ordinary_word(variant: str, ordinary_word_zipf: float) -> bool:
    return variant.isalpha() and zipf_at_least(variant, ordinary_word_zipf)


def _lexicon_path(ordinary_word_zipf: float = ORDINARY_WORD_ZIPF) -> Path:
    """Where the filtered lexicon is stored, under a key of what it is derived from: this module,
    its data files, its threshold and the versions of the two packages it reads. Any change gives
    a new key, so a stale stored lexicon is never read."""
    inputs: list[str | bytes] = [f"ordinary_word_zipf={ordinary_word_zipf}"]
    inputs += [(VOCAB_DIR / name).read_bytes() for name in ("drug_stoplist.txt", "drugs_extra.jsonl")]
    for package in ("drug-named-entity-recognition", "wordfreq"):
        try:
            inputs.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            inputs.append(package)
    return keyed_path("drug-lexicon", __file__, *inputs)


def _read_stored_lexicon(path: Path) -> dict[str, str] | None:
    """The stored lexicon, or None when it is missing or not a plain str -> str JSON object."""
    data = read_derived(path)
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return None
    return data


@lru_cache(maxsize=2)
def drug_lexicon(ordinary_word_zipf: float = ORDINARY_WORD_ZIPF) -> dict[str, str]:
    """lowercase variant (as tokens joined by single spaces) -> lowercase generic name.

    Building it reads the whole drug dictionary (seconds, some 400 MB); the result is stored as
    JSON in cache_dir() under a key of everything it derives from, so later processes load it
    in tens of milliseconds."""
    stored = _lexicon_path(ordinary_word_zipf)
    lexicon = _read_stored_lexicon(stored)
    if lexicon is None:
        lexicon = build_drug_lexicon(ordinary_word_zipf)
        store_derived(stored, lexicon)
    return lexicon


def build_drug_lexicon(ordinary_word_zipf: float = ORDINARY_WORD_ZIPF) -> dict[str, str]:
    """The lexicon from its sources: the drug dictionary filtered, plus vocab/drugs_extra.jsonl."""
    from drug_named_entity_recognition import drugs_finder

    stoplist = _read_list(VOCAB_DIR / "drug_stoplist.txt")
    records = drugs_finder.drug_canonical_to_data
    lexicon: dict[str, str] = {}
    for variant, canonicals in drugs_finder.drug_variant_to_canonical.items():
        variant = " ".join(variant.lower().split())
        # MeSH-only concepts (drug classes, receptors, proteins: "immune checkpoint inhibitors",
        # "chromogranin a") have neither a DrugBank nor a MedlinePlus id; real drugs have one.
        record = records.get(canonicals[0], {}) if canonicals else {}
        if not (record.get("drugbank_id") or record.get("medline_plus_id")):
            continue
        if variant in stoplist or len(variant) < 4 or variant.count(" ") >= MAX_DRUG_TOKENS:
            continue
        if _is_ordinary_word(variant, ordinary_word_zipf):
            continue
        lexicon[variant] = canonicals[0].lower()
    for row in read_jsonl(VOCAB_DIR / "drugs_extra.jsonl"):
        lexicon[row["variant"].lower()] = row["drug"].lower()
    return lexicon


@lru_cache(maxsize=1)
def regimen_acronyms() -> dict[str, list[str]]:
    return {row["name"]: sorted(row["drugs"]) for row in read_jsonl(VOCAB_DIR / "regimens.jsonl")}


@lru_cache(maxsize=None)  # one per table: with room for one, the builders' alternate calls read the files again and again
def term_table(name: str, key: str) -> dict[str, str]:
    """term (lowercase) -> normalized value, from vocab/<name>.jsonl."""
    return {row["term"].lower(): row[key] for row in read_jsonl(VOCAB_DIR / f"{name}.jsonl")}


@lru_cache(maxsize=1)
def number_words() -> dict[str, int]:
    """'one'..'ninety-nine' -> int."""
    data = json.loads((VOCAB_DIR / "numbers.json").read_text(encoding="utf-8"))
    words = dict(data["units"])
    for tens_word, tens in data["tens"].items():
        words[tens_word] = tens
        for unit_word, unit in data["units"].items():
            if 0 < unit < 10:
                words[f"{tens_word}-{unit_word}"] = tens + unit
                words[f"{tens_word} {unit_word}"] = tens + unit
    for unit_word, unit in data["units"].items():
        if 0 < unit < 10:
            words[f"{unit_word} hundred"] = unit * 100
    return words


def parse_number(text: str) -> float | None:
    """'41', '2,000', '41.5', 'Forty', 'thirty-nine' -> number; None when it is neither."""
    cleaned = text.strip().lower().replace("·", ".")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return number_words().get(cleaned)


def alternation(terms: Iterable[str]) -> str:
    """A regex alternation of literal terms (a space matches any run of spaces) in which, at any
    place, the longest term is tried first, so the longest term wins.

    It is written as a trie: terms that begin alike share that beginning ("ab(?:cd|x)?" for
    "abcd", "abx" and "ab"), so a scan tests a few first letters at each place instead of every
    term (a flat alternation of a hundred terms was most of the rules' scanning time). It matches
    what the flat alternation, longest first, matches: where a place's branches could meet the same
    letter (two cases of one letter, say), that place's endings are written flat, longest first."""
    trie: dict = {}
    for term in set(terms):
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[_END] = {}
    return _trie_pattern(trie)


_END = ""  # the key that marks a term ending at a trie node (no term char is empty)


def _char_pattern(char: str) -> str:
    return r"\s+" if char == " " else re.escape(char)


def _may_meet(a: str, b: str) -> bool:
    """Could two different term chars match one text char (case-insensitive rules, spaces)?"""
    if a.isspace() or b.isspace():
        return a.isspace() and b.isspace()  # a space is \s+, which meets any other space
    return a.lower() == b.lower() or a.upper() == b.upper() or a.casefold() == b.casefold()


def _endings(node: dict) -> list[str]:
    """The terms' endings below a trie node, longest first (ties: as strings)."""
    found = [""] if _END in node else []
    found += [char + rest for char, child in node.items() if char != _END for rest in _endings(child)]
    return sorted(found, key=lambda t: (-len(t), t))


def _trie_pattern(node: dict) -> str:
    chars = sorted(char for char in node if char != _END)
    if any(_may_meet(a, b) for i, a in enumerate(chars) for b in chars[i + 1:]):
        return "(?:" + "|".join("".join(map(_char_pattern, ending)) for ending in _endings(node)) + ")"
    branches = [_char_pattern(char) + _trie_pattern(node[char]) for char in chars]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END not in node:
        return body
    return (body if len(branches) > 1 else f"(?:{body})") + "?"  # greedy: the longer terms first
