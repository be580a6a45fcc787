"""Phrases with a normalized value: primary sites, population, line of therapy, design, study
citations, back references to the row above ("same regimen"). Records ask this module (the tagger's
package: the one home of the words) what a label, a cell or a sentence names; the vocabularies are
data files in vocab/; the grammar here is general."""

from __future__ import annotations

import re
from functools import lru_cache

from ..folding import ascii_fold
from ..model import Design, PrimarySite
from .cells import NUMBER, strip_markers
from .vocab import VOCAB_DIR, read_jsonl


@lru_cache(maxsize=None)
def _vocab(name: str, key: str) -> list[tuple[str, re.Pattern]]:
    return [(row[key], re.compile(row["pattern"], re.I)) for row in read_jsonl(VOCAB_DIR / f"{name}.jsonl")]


def site_name(text: str) -> str | None:
    term = re.sub(r"\s+", " ", text.strip(" .,;:").lower())
    return next((site for site, pattern in _vocab("sites", "site") if pattern.search(term)), None)


# "Foregut carcinoids", "Endocrine pancreatic tumours", "Gastric NEC": a site and the tumour it bears
_TUMOUR_NOUN = re.compile(r"\s+(?:(?:neuro)?endocrine\s+)?(?:tumou?rs?|carcinoids?|carcinomas?|neoplasms?|cancers?|"
                          r"nets?|necs?|primar(?:y|ies)|origin)$", re.I)
_TUMOUR_ADJ = re.compile(r"^(?:(?:neuro)?endocrine|primary|well[- ]differentiated|poorly[- ]differentiated)\s+", re.I)


def label_site(label: str) -> str | None:
    """The primary site a cohort label names, bare or with its tumour noun ("Pancreas", "Foregut
    carcinoids", "Endocrine pancreatic tumours")."""
    site = site_name(label)
    if site:
        return site
    term = label.strip(" .,;:")
    bare = _TUMOUR_ADJ.sub("", _TUMOUR_NOUN.sub("", term))
    return site_name(bare) if bare and bare != term else None


_SITE_ITEM = re.compile(
    rf"(?P<name>[A-Za-z][A-Za-z/\- ]*?)\s*(?:\(\s*(?:n\s*=\s*)?(?P<n1>{NUMBER})\s*%?\s*[);,]|,\s*(?P<n2>\d+)\b"
    rf"|\s(?P<n3>{NUMBER})(?P<pct>\s*%)?(?=\s*(?:[,;()]|$)))")  # "Pancreas 10, colon 4", "pancreas 52%"


def parse_sites(text: str) -> list[PrimarySite]:
    """"GEP (14); lung (1); UPS (3)", "Esophagus (n = 85), stomach (n = 70)", "pancreas, 10, ColR, 5"."""
    sites: list[PrimarySite] = []
    seen: set[str] = set()
    text = strip_markers(text)
    items = [m for m in _SITE_ITEM.finditer(text) if not _is_group(text, m)]
    percentages = any("." in (m.group("n1") or m.group("n2") or m.group("n3") or "") or m.group("pct")
                      for m in items)  # "pancreas (37.5)", "pancreas 52%"
    for match in items:
        words = re.split(r"[\s\-]+", match.group("name").strip())
        # the site name is the tail of the phrase ("and pancreas", "Total GEP")
        name = None
        for start in range(len(words)):
            name = site_name(" ".join(words[start:]))
            if name:
                break
        count = match.group("n1") or match.group("n2") or match.group("n3")
        if name and name not in seen:
            seen.add(name)
            sites.append(PrimarySite(site=name, n=int(count) if count and not percentages else None))
    return sites


_PRIMARY_TALK = re.compile(r"\bprimary\s+(?:tumou?rs?|sites?|lesions?|disease|origin)\b", re.I)
_SITE_IN_N = re.compile(r"(?P<site>[A-Za-z][A-Za-z/\- ]{1,40}?)\s+in\s+(?P<n>\d+|[a-z]+(?:-[a-z]+)?)\b(?!\s*%)")
_SITE_FILLER = {"tract", "region", "system", "site", "sites", "organ", "organs", "the", "a", "an", "was", "were",
                "it", "and", "or", "located", "lay", "at", "of", "patients", "cases"}


_PAREN_GROUP = re.compile(r"\(([^()]{4,300})\)")
_SITE_LIST_GLUE = re.compile(r"[\s,;:]*(?:and\s+)?")


def site_list_in_parentheses(text: str) -> list[PrimarySite]:
    """"57 patients (quillum, 21; pancreas, 15; other, 9)": a bracketed list of two or more sites
    with their counts and nothing else in it, primary tumour or not spoken of."""
    for group in _PAREN_GROUP.finditer(text):
        inner = strip_markers(group.group(1))
        items = list(_SITE_ITEM.finditer(inner))
        if len(items) < 2:
            continue
        bounds = [0, *(i for m in items for i in m.span()), len(inner)]
        glue = [inner[start:end] for start, end in zip(bounds[::2], bounds[1::2])]  # what lies between the items
        if any(_SITE_LIST_GLUE.fullmatch(part) is None for part in glue):
            continue
        sites = parse_sites(inner)
        if len(sites) == len(items) and all(site.n is not None for site in sites):  # every item a site
            return sites
    return []


# "19 had a quillic primary", "four patients a gastric primary", "2 had primaries in the colon"
_N_SITE_PRIMARY = re.compile(r"\b(?P<n>\d+|[A-Za-z]+(?:-[a-z]+)?)\s+(?:(?:of\s+them|patients|cases)\s+)?(?:had\s+)?"
                             r"(?:an?\s+)?(?P<site>[A-Za-z-]+(?:\s+[A-Za-z-]+)?)\s+primar(?:y|ies)\b(?!\s+(?:end|out|aim|tumou?r\s+size))")


def counts_with_a_site_primary(text: str) -> list[PrimarySite]:
    """"Of the 25 patients, 19 had a quillic primary, 4 a colorectal primary and 2 a gastric primary":
    two or more sites, each a count and the site's adjective before "primary"."""
    from .vocab import parse_number

    sites: list[PrimarySite] = []
    for match in _N_SITE_PRIMARY.finditer(text):
        n = parse_number(match.group("n"))
        words = match.group("site").lower().split()
        name = site_name(" ".join(words) + " primary") or site_name(" ".join(words)) or site_name(words[-1])
        if name and n is not None and n == int(n) and all(s.site != name for s in sites):
            sites.append(PrimarySite(site=name, n=int(n)))
    return sites if len(sites) >= 2 else []


def sites_in_sentence(text: str) -> list[PrimarySite]:
    """"The primary tumour was located in the lung in 10 patients, the pancreas in 15 ... and it was
    unknown in one" -> sites with counts, in a sentence that speaks of the primary tumour; else a
    bracketed list of sites and counts (site_list_in_parentheses)."""
    from .vocab import parse_number

    if not _PRIMARY_TALK.search(text):
        return counts_with_a_site_primary(text) or site_list_in_parentheses(text)
    sites: list[PrimarySite] = []
    for match in _SITE_IN_N.finditer(text):
        n = parse_number(match.group("n"))
        words = [w for w in re.split(r"[\s\-]+", match.group("site").lower()) if w]
        while words and words[-1] in _SITE_FILLER:
            words.pop()
        name = None
        for start in range(len(words)):
            name = site_name(" ".join(words[start:]))
            if name:
                break
        if name and n is not None and n == int(n) and all(s.site != name for s in sites):
            sites.append(PrimarySite(site=name, n=int(n)))
    return sites


def single_site(text: str) -> str | None:
    """The one site a cell names without counts ("Esophageal NEC", "NETs of the stomach"), else None."""
    words = [re.sub(r"(?<=.{2})(necs?|nets?)$", "", w) for w in re.findall(r"[A-Za-z]+", text.lower())]  # "CRCNECs"
    found = {site_name(w) for w in words} | {site_name(f"{a} {b}") for a, b in zip(words, words[1:])}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _is_group(text: str, match: re.Match) -> bool:
    """"GEP (21; pancreas, 10; ...)", "GEPNEC, 17 (pancreas, 10, ...)": a total whose parts follow."""
    after = text[match.end():]
    if match.group("n1"):
        return match.group(0).rstrip().endswith((";", ",")) and bool(re.match(r"\s*[A-Za-z]", after))
    return bool(re.match(r"\s*\(\s*[A-Za-z][^()]*\d", after))  # "(NEC cohort)" names a cohort, not parts


@lru_cache(maxsize=1)
def _population_rules() -> list[tuple[str, re.Pattern, re.Pattern | None]]:
    rows = read_jsonl(VOCAB_DIR / "populations.jsonl")
    return [(row["population"], re.compile(row["pattern"], re.I),
             re.compile(row["requires"], re.I) if row.get("requires") else None) for row in rows]


# a cohort label naming a Ki-67 band ("Ki-67 <2%", "Ki-67 2–20%", "Ki-67 >20%", "Ki-67 ≥50%")
_KI67_BAND = re.compile(r"^\s*Ki-?67(?:\s+index)?\s*(?:(?P<op>[<>≤≥])\s*(?P<bound>\d+(?:\.\d+)?)|"
                        r"(?P<low>\d+(?:\.\d+)?)\s*[–-]\s*(?P<high>\d+(?:\.\d+)?))\s*%\s*$", re.I)
WHO_G3_KI67 = 20.0  # Ki-67 above 20% is grade 3 (WHO): a carcinoma; at most 20%, a well-differentiated tumour


def grade_population(label: str) -> str | None:
    """The population a Ki-67 band names: wholly at or below 20% WDNET, wholly above it NEC, else none."""
    band = _KI67_BAND.match(label or "")
    if band is None:
        return None
    op = band.group("op")
    if op:
        bound = float(band.group("bound"))
        low, high = (bound, None) if op in ">≥" else (None, bound)
    else:
        low, high = float(band.group("low")), float(band.group("high"))
    if high is not None and high <= WHO_G3_KI67:
        return "WDNET"
    if low is not None and (low > WHO_G3_KI67 or (low == WHO_G3_KI67 and op == ">")):
        return "NEC"
    return None


def population_of(text: str) -> str | None:
    """The cohort type a label or title names (first rule that matches wins: subtypes first)."""
    for population, pattern, requires in _population_rules():
        if pattern.search(text) and (requires is None or requires.search(text)):
            return population
    return None


_LINES = [
    ("third_plus", re.compile(r"\b(third|3rd|fourth|later|beyond|salvage)\b", re.I)),
    ("second", re.compile(r"\b(second|2nd)[- ]line\b|\bsecond\b|\bafter (failure|progression)\b|\bpreviously treated\b|\brefractory\b", re.I)),
    ("first", re.compile(r"\b(first|1st)[- ]line\b|\bfirst\b|\bfront[- ]line\b|\btreatment[- ]na[iï]ve\b|\bchemo(therapy)?[- ]na[iï]ve\b|\buntreated\b|\bno (previous|prior) (systemic )?(therapy|treatment|chemotherapy)\b", re.I)),
]
_ORDINAL = r"(?:1st|2nd|3rd|4th|first|second|third|fourth)"
# several lines: "prior therapy permitted", "any line", "≥2nd line", "second line or later", "2nd–3rd line",
# "1st/2nd" ("third or fourth" is third_plus all the same)
_MIXED = re.compile(r"\bprior (tx|therapy|treatment|chemotherapy)[^.;]*permitted\b|\bany line\b|\bregardless of (prior|previous)\b"
                    rf"|[≥>]\s*(?:1st|2nd|first|second)\b|\b(?:1st|2nd|first|second)[- ]line\s+(?:or|and)\s+(?:later|beyond|more)\b"
                    rf"|\b(?:1st|2nd|first|second)\s*(?:[-–/]|\s(?:or|and|to)\s)\s*{_ORDINAL}\b", re.I)
_PRETREATED = re.compile(r"\b(pretreated|previously treated|prior (tx|therapy|treatment|chemotherapy))\b", re.I)


# "after progression on first-line chemotherapy" names the line before: the study's is the second
_AFTER_FIRST_LINE = re.compile(r"\b(?:after|following|upon)\s+(?:(?:the\s+)?(?:failure|progression|relapse|intolerance)\s+"
                               r"(?:on|of|after|with|under|to)\s+)?(?:(?:the|a|standard|prior)\s+)?(?:1st|first)[- ]line\b", re.I)


def parse_line(text: str) -> str | None:
    """first / second / third_plus / mixed (several lines, or prior therapy permitted).

    A line named outright wins over a mention of pretreatment ("First line (pretreated with SSAs)");
    pretreatment alone means a mix of lines."""
    text = _AFTER_FIRST_LINE.sub(" second-line ", text)
    found = {name for name, pattern in _LINES if pattern.search(text)}
    if _MIXED.search(text) or len(found) > 1:
        return "mixed"
    if found:
        return found.pop()
    return "mixed" if _PRETREATED.search(text) else None


# a line cell printed as its ordinals alone: "2nd", "≥2nd", "1st–3rd", "3rd+"
_BARE_ORDINALS = re.compile(rf"^\s*(?:[≥>]\s*)?{_ORDINAL}(?:\s*(?:[-–/]|\s(?:or|and|to)\s)\s*{_ORDINAL})?\s*\+?\s*$", re.I)


def parse_line_cell(text: str) -> str | None:
    """A table's line cell: as parse_line, and the ordinals alone under a Line header ("2nd", "1st–3rd")."""
    cell = text.strip()
    if _BARE_ORDINALS.match(cell):
        return parse_line(f"{cell[:-1]} line or later" if cell.endswith("+") else f"{cell} line")
    return parse_line(text)


_PRIOR_COUNT = re.compile(r"^\s*(?P<more>[≥>]\s*)?(?P<n>\d)(?:\s*(?P<plus>\+)|\s*(?:[-–]|to)\s*(?P<m>\d))?\s*$")


def parse_prior_lines(text: str) -> str | None:
    """A "Prior lines" cell: how many lines came before the study's. "0" -> first, "1" -> second,
    "2" -> third_plus; "≥1", "1+", "1–2", "0–3" (more than one line number) -> mixed; "≥2" -> third_plus.
    Anything else is read as a line cell ("2nd", "pretreated")."""
    match = _PRIOR_COUNT.match(text)
    if not match:
        return parse_line_cell(text)
    least = int(match.group("n")) + (1 if (match.group("more") or "").strip() == ">" else 0)
    if least >= 2:
        return "third_plus"  # two or more lines before: the third line or later, however many
    if match.group("m") or match.group("more") or match.group("plus"):
        return "mixed"  # "1–2", "≥1": more than one line number
    return ("first", "second")[least]


def parse_design(text: str) -> Design | None:
    """"P; multicenter phase 2 trial", "R; single-center analysis", "retrospective", "phase II"."""
    t = " " + text.lower() + " "
    design = Design()
    if re.search(r"\bretrospective\b|(^|[\s;(])r([;,)\s])", t):
        design.prospective = False
    elif re.search(r"\bprospective\b|(^|[\s;(])p([;,)\s])|\bphase\b|\btrial\b", t):
        design.prospective = True
    if re.search(r"\brandomi[sz]ed\b|\brandom(ly)? assigned\b", t):
        design.randomized = True
    elif design.prospective is not None:
        design.randomized = False
    phase = re.search(r"\bphase\s*(i{1,3}|[123])[ab]?\b", t)  # "phase Ib" is a phase 1 trial
    if phase:
        design.phase = {"i": "1", "ii": "2", "iii": "3"}.get(phase.group(1), phase.group(1))
    if re.search(r"\bmulti[- ]?(center|centre|institution|institutional)\w*|\b\d+ (institutions|centers|centres|hospitals)\b", t):
        design.centers = "multi"
    elif re.search(r"\bsingle[- ]?(center|centre|institution)\w*|\bone (center|centre|institution)\b|\bour (institution|center|centre|department)\b", t):
        design.centers = "single"
    return design if design != Design() else None


# --- study citations ------------------------------------------------------------------------------

def parse_citation(text: str) -> tuple[str, int | None, int | None] | None:
    """"Quill (1991) [16]" -> ("Quill", 1991, 16); "Quill et al. [16]" -> ("Quill", None, 16):
    the tagger's CITATION grammar, the same that reads the running text."""
    from .study import read_citation

    value = read_citation(text)
    if not value or not value.get("first_author"):
        return None
    return value["first_author"], value.get("year"), value.get("ref")


def study_id(first_author: str | None, year: int | None, acronym: str | None = None) -> str:
    """"Müller-Graf", 2012 -> "MullerGraf2012": the ASCII letters of the name, then the year."""
    if first_author:
        letters = "".join(ch for ch in ascii_fold(first_author) if ch.isascii() and ch.isalpha())
        return letters + (str(year) if year else "")
    return "".join(ch for ch in (acronym or "unknown") if not (ch.isspace() or ch == "-"))


def is_backref(text: str) -> bool:
    """A cell that repeats the row above: "Same regimen", "as above", "ditto" (vocab/cells.jsonl)."""
    cleaned = strip_markers(text).strip(" .").lower()
    return bool(cleaned) and any(p.search(cleaned) for _, p in _vocab("cells", "kind"))


# --- cohort labels and titles ----------------------------------------------------------------------

_WHOLE_SERIES = re.compile(r"^(all( patients| cases)?|total|overall|whole (cohort|group|series)|entire (cohort|population))$",
                           re.I)


def arm_key(arm: str | None) -> str:
    """Comparable form of an arm label; every "all patients" spelling is the whole cohort ("")."""
    if arm is None:
        return ""
    text = re.sub(r"\s+", " ", arm.strip().lower())
    if _WHOLE_SERIES.match(text):
        return ""
    return re.sub(r"[^a-z0-9<>≥≤%+]", "", text)


# "a meta-" ending a title line broken before "analysis" still says meta-analysis
_REVIEW_TITLE = re.compile(r"\b(?:review|overview|treatment options|meta-?\s*analys[ie]s)\b|\bmeta-\s*$", re.I)


def is_review_title(title: str | None) -> bool:
    return bool(_REVIEW_TITLE.search(title or ""))


_COHORT_IN_BRACKETS = re.compile(r"\(([^()]*\bcohort)\)", re.I)


def bracketed_cohort(text: str | None) -> str | None:
    """"GEP 14, lung 1 (NEC cohort)" -> "NEC cohort": the cohort a cell names in brackets."""
    bracket = _COHORT_IN_BRACKETS.search(text or "")
    return bracket.group(1) if bracket else None


@lru_cache(maxsize=1)
def _cohort_class_words() -> frozenset[str]:
    lines = (VOCAB_DIR / "cohort_class_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


_LOWER_WORD = re.compile(r"[a-z]+")
_CLASS = {"WDNET": "wd", "NET": "wd", "PDNEC": "pd", "NEC": "pd"}


def cohort_key(label: str | None) -> str:
    """Labels of one cohort across columns ("Carcinoid WDNET" / "Carcinoid NET", "NEC" / "PDNEC"): the
    label's words without those that only name its tumour class, then the class (wd / pd)."""
    key = arm_key(label)
    if not key:
        return ""
    klass = _CLASS.get(population_of(label or ""), "")
    words = [w for w in _LOWER_WORD.findall((label or "").lower()) if w not in _cohort_class_words()]
    return " ".join(words + [klass]).strip() or key


def short_name(name: str, abbreviations: dict[str, str]) -> str:
    """The short name of a characteristic: its abbreviation in the document, else one word as printed,
    else the initials ("Performance status" -> "PS")."""
    for short, long in abbreviations.items():
        if long.lower() == name.lower():
            return short
    words = name.split()
    if len(words) == 1 or any(ch.isdecimal() or ch == "-" for ch in words[0]):
        return words[0]
    return "".join(w[0].upper() for w in words)


def names_total(header: str) -> bool:
    """"Patients with NEC, n (total in study)": the header's bracketed count is the whole study."""
    return "total" in header.lower()
