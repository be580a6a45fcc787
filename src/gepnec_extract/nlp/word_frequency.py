"""How frequent a word is in English, on wordfreq's zipf scale, for the tagger's questions: is a
capitalised word a surname (below [components.gepnec_study] surname_max_zipf), does it open a
sentence after "et al." ([components.gepnec_sentences] opener_zipf)?

Importing wordfreq and its first lookup cost a process about a quarter second (its imports: ftfy,
langcodes, regex; then its 320,000-word list). A word of Latin letters only, which wordfreq reads
as one token keyed by its NFC case fold, is answered from a table of the zipf of every such word
of TABLE_FLOOR or more, derived from wordfreq once and stored in the cache folder (``derived``).
Any other word (digits, apostrophes, other scripts) or a lower threshold is asked of wordfreq
itself, so every answer is wordfreq's. (Ingest asks wordfreq directly: its fork server loads it
once for every parser child, and the words it asks about, broken at a line's hyphen, often hold
digits.)
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..derived import keyed_path, read_derived, store_derived

TABLE_FLOOR = 4.0  # about 7,000 words; the tagger's thresholds (4.0, 4.5) lie at or above it
LATIN_END = 0x250  # Basic Latin to Latin Extended-B: letters wordfreq keeps whole in one token


def zipf_at_least(word: str, zipf: float) -> bool:
    """Whether ``wordfreq.zipf_frequency(word, "en") >= zipf``."""
    key = _one_token_key(word)
    if key is not None and zipf >= TABLE_FLOOR:
        return _zipf_table().get(key, 0.0) >= zipf
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= zipf


def _one_token_key(word: str) -> str | None:
    """wordfreq's key for a word of Latin letters only, else None."""
    word = unicodedata.normalize("NFC", word)
    if word.isalpha() and all(ord(c) < LATIN_END for c in word):
        return word.casefold()
    return None


def _stored_path() -> Path:
    """Under a key of this module and wordfreq's version: either changing gives a new table."""
    try:
        version = metadata.version("wordfreq")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return keyed_path("frequent-words", __file__, f"{TABLE_FLOOR}:wordfreq={version}")


@lru_cache(maxsize=1)
def _zipf_table() -> dict[str, float]:
    """Every one-token word wordfreq gives a zipf of TABLE_FLOOR or more -> that zipf."""
    path = _stored_path()
    table = read_derived(path)
    if not (isinstance(table, dict) and table and all(
            isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) for k, v in table.items())):
        table = _build_zipf_table(TABLE_FLOOR)
        store_derived(path, table)
    return table


def _build_zipf_table(floor: float) -> dict[str, float]:
    """From wordfreq's frequency bands, most frequent first: every word of a band has the band's
    frequency, so one lookup per band gives all its words' zipf, and the first band below the
    floor ends the table."""
    from wordfreq import get_frequency_list, zipf_frequency

    table = {}
    for band in get_frequency_list("en"):
        words = [w for w in band if _one_token_key(w) == w]
        if not words:
            continue
        zipf = zipf_frequency(words[0], "en")
        if zipf < floor:
            break
        table.update(dict.fromkeys(words, zipf))
    return table
