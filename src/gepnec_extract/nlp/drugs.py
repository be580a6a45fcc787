"""DRUG and REGIMEN.

DRUG: any token n-gram found in the drug lexicon (vocab.drug_lexicon) -> lowercase generic name.
REGIMEN -> sorted list of generic drugs, from three sources:
  * acronyms: vocab/regimens.jsonl (FOLFIRI, CAPTEM, XELOX...), unless the document defines the
    acronym as something else;
  * abbreviations the document defines whose long form names drugs ("irinotecan and cisplatin (IP)");
  * written combinations: drug (/ + - plus and with ,) drug ...
Tokens such as "cisplatin/etoposide" are first split so each drug is its own token.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from .grammar import Fact, add_facts, doc_text, facts_of, resolve_overlaps
from .settings import component_settings
from .vocab import MAX_DRUG_TOKENS, VOCAB_DIR, drug_lexicon, regimen_acronyms

JOINED_PARTS = re.compile(r"([/+–-])")
# "oxaliplatin-based", "cisplatin-induced": the drug is named, the suffix qualifies it.
DRUG_SUFFIX = re.compile(r"^(?P<drug>.+?)(?P<dash>[-–])(?P<suffix>based|containing|induced|related|refractory|resistant|pretreated|naive|free|alone)$", re.IGNORECASE)
TIGHT_GAP = re.compile(r"^\s*(?:/|\+|-|–)\s*$")
LOOSE_GAP = re.compile(r"^\s*(?:&|plus|and|with|,|,\s*and|,\s*plus|combined\s+with|in\s+combination\s+with)\s*$",
                       re.IGNORECASE)
# "A combined with B or C": the partner drug is one of two alternatives, and the regimen holds both
ALTERNATIVE_PARTNER = re.compile(r"^\s*or\s*$", re.IGNORECASE)
# "such as everolimus, sunitinib, and interferon" lists alternatives, not a combination.
ALTERNATIVES_BEFORE = re.compile(r"(?:such\s+as|including|like|e\.g\.,?|i\.e\.,?|either|or)\s*(?:[\w()-]+[\s,]+){0,5}$", re.IGNORECASE)
CLASS_WORDS = {
    ln.strip().lower() for ln in (VOCAB_DIR / "drug_class_words.txt").read_text(encoding="utf-8").splitlines()
    if ln.strip() and not ln.startswith("#")
}


@dataclass(frozen=True)
class DrugSettings:
    """The settings of gepnec_drugs (config.cfg): hashable, so the cached look-ups can key on them."""

    # a single-word variant this frequent in English (wordfreq zipf) is left out of the lexicon
    ordinary_word_zipf: float
    # a misspelt drug in a glossary ("zorbiplatine") still names the drug when this close to it
    # (difflib ratio), if the word is at least fuzzy_min_length letters long
    fuzzy_cutoff: float
    fuzzy_min_length: int

    def lexicon(self) -> dict[str, str]:
        return drug_lexicon(self.ordinary_word_zipf)


DEFAULT_SETTINGS = DrugSettings(**component_settings("gepnec_drugs"))


def _known_item(text: str, settings: DrugSettings = DEFAULT_SETTINGS) -> bool:
    return text.lower() in settings.lexicon() or text in regimen_acronyms()


def split_parts(text: str, settings: DrugSettings = DEFAULT_SETTINGS) -> list[str] | None:
    """'cisplatin/etoposide' -> ['cisplatin', '/', 'etoposide']; None unless every part is known.

    Pieces are re-joined where the joined form is itself known ("5-FU/LV" -> '5-FU', '/', 'LV').
    """
    pieces = [p for p in JOINED_PARTS.split(text) if p]
    items: list[str] = []
    i = 0
    while i < len(pieces):
        best = None
        for j in range(len(pieces), i, -1):
            candidate = "".join(pieces[i:j])
            if not JOINED_PARTS.fullmatch(candidate) and _known_item(candidate, settings):
                best = (candidate, j)
                break
        if best:
            items.append(best[0])
            i = best[1]
        elif JOINED_PARTS.fullmatch(pieces[i]):
            items.append(pieces[i])
            i += 1
        else:
            return None
    named = [it for it in items if not JOINED_PARTS.fullmatch(it)]
    return items if len(named) >= 2 else None


def split_drug_and_word(text: str, settings: DrugSettings = DEFAULT_SETTINGS) -> list[str] | None:
    """'oxaliplatin-based' -> ['oxaliplatin', '-', 'based']; 'tx/etoposide' -> ['tx', '/', 'etoposide']."""
    suffixed = DRUG_SUFFIX.match(text)
    if suffixed and _known_item(suffixed.group("drug"), settings):
        return [suffixed.group("drug"), suffixed.group("dash"), suffixed.group("suffix")]
    if text.count("/") == 1:
        left, right = text.split("/")
        if left.isalpha() and right.isalpha() and (_known_item(left, settings) or _known_item(right, settings)):
            return [left, "/", right]
    return None


def split_combined_tokens(doc: Doc, settings: DrugSettings = DEFAULT_SETTINGS) -> None:
    with doc.retokenize() as retokenizer:
        for token in doc:
            if not JOINED_PARTS.search(token.text) or len(token.text) < 5 or _known_item(token.text, settings):
                continue
            parts = split_parts(token.text, settings) or split_drug_and_word(token.text, settings)
            if parts:
                retokenizer.split(token, parts, heads=[(token, i) for i in range(len(parts))])


def find_drugs(doc: Doc, settings: DrugSettings = DEFAULT_SETTINGS) -> list[Fact]:
    """Longest token n-grams found in the lexicon, left to right."""
    lexicon = settings.lexicon()
    lowers = [t.lower_ for t in doc]  # plain lists: Doc slicing per n-gram is slow
    spaces = [t.is_space for t in doc]
    facts: list[Fact] = []
    i = 0
    while i < len(lowers):
        found = None
        for n in range(min(MAX_DRUG_TOKENS, len(lowers) - i), 0, -1):
            if any(spaces[i : i + n]):
                continue
            key = " ".join(lowers[i : i + n])
            if key in lexicon and not (i + n < len(lowers) and lowers[i + n] in CLASS_WORDS):
                last = doc[i + n - 1]
                found = Fact("DRUG", doc[i].idx, last.idx + len(last.text), lexicon[key])
                i += n
                break
        if found:
            facts.append(found)
        else:
            i += 1
    return facts


@lru_cache(maxsize=2)
def _single_word_variants_by_prefix(settings: DrugSettings) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for variant in settings.lexicon():
        if " " not in variant:
            index.setdefault(variant[:3], []).append(variant)
    return index


@lru_cache(maxsize=4096)
def _fuzzy_drug(word: str, settings: DrugSettings) -> str | None:
    lexicon = settings.lexicon()
    candidates = _single_word_variants_by_prefix(settings).get(word[:3], [])
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=settings.fuzzy_cutoff)
    return lexicon[close[0]] if close else None


@lru_cache(maxsize=4096)
def drugs_in_phrase(phrase: str, settings: DrugSettings = DEFAULT_SETTINGS) -> tuple[str, ...]:
    """Generic drugs named in a long form ('5-FU, leucovorin, and irinotecan')."""
    lexicon, acronyms = settings.lexicon(), regimen_acronyms()
    words = [w for w in re.split(r"[\s,;/+()]+|\band\b|\bplus\b|\bwith\b", phrase) if w]
    if any(w.lower() in CLASS_WORDS for w in words):
        return ()
    found: set[str] = set()
    i = 0
    while i < len(words):
        for n in range(min(MAX_DRUG_TOKENS, len(words) - i), 0, -1):
            key = " ".join(words[i : i + n]).lower()
            if key in lexicon:
                found.add(lexicon[key])
                i += n - 1
                break
            if n == 1 and words[i] in acronyms:
                found.update(acronyms[words[i]])
            elif n == 1 and len(words[i]) >= settings.fuzzy_min_length and words[i].isalpha():
                fuzzy = _fuzzy_drug(words[i].lower(), settings)
                if fuzzy:
                    found.add(fuzzy)
        i += 1
    return tuple(sorted(found))


def resolve_short_form(short: str, abbrev_map: dict[str, str], settings: DrugSettings = DEFAULT_SETTINGS) -> list[str] | None:
    """Drugs an acronym stands for: the document's own definition first, then the vocabulary."""
    if short in abbrev_map:
        drugs = drugs_in_phrase(abbrev_map[short], settings)
        return list(drugs) if drugs else None
    return regimen_acronyms().get(short)


def find_acronyms(doc: Doc, drug_facts: list[Fact], settings: DrugSettings = DEFAULT_SETTINGS) -> list[Fact]:
    abbrev_map = doc._.abbrev_map or {}
    inside_drug = {(f.start, f.end) for f in drug_facts}
    facts = []
    for token in doc:
        text = token.text
        if not (text[:1].isupper() or text[:1].isdigit()) or (token.idx, token.idx + len(text)) in inside_drug:
            continue
        drugs = resolve_short_form(text, abbrev_map, settings)
        if not drugs:
            continue
        label, value = ("REGIMEN", drugs) if len(drugs) >= 2 else ("DRUG", drugs[0])
        facts.append(Fact(label, token.idx, token.idx + len(text), value))
    return facts


def _drugs_of(fact: Fact) -> list[str]:
    return fact.value if isinstance(fact.value, list) else [fact.value]


def _chain(text: str, items: list[Fact], gap: re.Pattern) -> list[list[Fact]]:
    """Group items (in text order) whose gaps match; a link between two multi-drug units is refused
    ("cisplatin/irinotecan and cisplatin/etoposide" are two regimens, "FOLFIRI plus bevacizumab" one)."""
    chains: list[list[Fact]] = []
    for item in sorted(items, key=lambda f: f.start):
        last = chains[-1] if chains else None
        if last and gap.match(text[last[-1].end : item.start]):
            multi_units = sum(1 for f in last + [item] if len(_drugs_of(f)) > 1)
            if multi_units <= 1:
                last.append(item)
                continue
        chains.append([item])
    return chains


def _merge(chain: list[Fact]) -> Fact:
    drugs = sorted({d for f in chain for d in _drugs_of(f)})
    return Fact("REGIMEN" if len(drugs) > 1 else chain[0].label, chain[0].start, chain[-1].end, drugs if len(drugs) > 1 else chain[0].value)


def find_combinations(doc: Doc, items: list[Fact]) -> list[Fact]:
    """Written combinations: first units joined tightly ('/', '+', '-'), then those units joined by
    'plus', 'and', 'with' or commas; comma lists after 'such as' are alternatives, not regimens."""
    text = doc_text(doc)
    units = [_merge(c) for c in _chain(text, items, TIGHT_GAP)]
    facts = [u for u in units if u.label == "REGIMEN" and u not in items]
    for chain in _chain(text, units, LOOSE_GAP):
        if len(chain) < 2:
            continue
        listed = "," in text[chain[0].start : chain[-1].end]
        if listed and ALTERNATIVES_BEFORE.search(text[max(0, chain[0].start - 40) : chain[0].start]):
            continue
        chain = chain + _alternative_partner(text, chain, units)
        merged = _merge(chain)
        if merged.label == "REGIMEN":
            facts.append(merged)
    return facts


def _alternative_partner(text: str, chain: list[Fact], units: list[Fact]) -> list[Fact]:
    """The single drug after "or" that ends a written combination ("drug X with Y or Z"): either
    partner may have been given, so both belong to the regimen."""
    following = [u for u in units if u.start >= chain[-1].end]
    if not following or len(_drugs_of(following[0])) != 1 or len(_drugs_of(chain[-1])) != 1:
        return []
    return [following[0]] if ALTERNATIVE_PARTNER.match(text[chain[-1].end:following[0].start]) else []


class DrugTokens:
    """gepnec_drug_tokens: runs right after the tokenizer, before sentence boundaries are set."""

    def __init__(self, settings: DrugSettings):
        self.settings = settings

    def __call__(self, doc: Doc) -> Doc:
        split_combined_tokens(doc, self.settings)
        return doc


class DrugTagger:
    """gepnec_drugs: DRUG and REGIMEN spans."""

    def __init__(self, settings: DrugSettings):
        self.settings = settings

    def __call__(self, doc: Doc) -> Doc:
        return tag_drugs(doc, self.settings)


# The token splitter reads the same lexicon as the tagger: config.cfg gives it gepnec_drugs' threshold.
@Language.factory("gepnec_drug_tokens", default_config=component_settings("gepnec_drug_tokens"))
def make_drug_tokens(nlp: Language, name: str, ordinary_word_zipf: float) -> DrugTokens:
    return DrugTokens(DrugSettings(ordinary_word_zipf, DEFAULT_SETTINGS.fuzzy_cutoff, DEFAULT_SETTINGS.fuzzy_min_length))


@Language.factory("gepnec_drugs", default_config=component_settings("gepnec_drugs"))
def make_drugs(nlp: Language, name: str, ordinary_word_zipf: float, fuzzy_cutoff: float, fuzzy_min_length: int) -> DrugTagger:
    return DrugTagger(DrugSettings(ordinary_word_zipf, fuzzy_cutoff, fuzzy_min_length))


def tag_drugs(doc: Doc, settings: DrugSettings = DEFAULT_SETTINGS) -> Doc:
    drug_facts = find_drugs(doc, settings)
    acronym_facts = find_acronyms(doc, drug_facts, settings)
    drug_facts += [f for f in acronym_facts if f.label == "DRUG"]
    regimen_facts = [f for f in acronym_facts if f.label == "REGIMEN"]
    regimen_facts += find_combinations(doc, drug_facts + regimen_facts)
    add_facts(doc, resolve_overlaps(drug_facts) + resolve_overlaps(regimen_facts))
    return doc


def drug_spans(doc: Doc) -> list[Span]:
    return facts_of(doc, "DRUG")
