"""Records from running text: figures linked to their study through citations and context.

- A primary paper's study is the paper itself (``ctx.own_study``). A sentence citing other work
  ("Smith et al. [1]", "[12-16]") and the rest of its paragraph speak of that work, until the
  text speaks of its own series again ("we", "our", "this study"); in the Introduction and
  Discussion only sentences that say so are read at all.
- In a review, a sentence citing a study makes it current for the rest of the paragraph until
  another is cited; "[37]" is resolved through the studies the tables name with that reference,
  "Jones et al." through their surname; studies reported only in the text become new records.
- Figures go to the arm the sentence names (arms named by the tables, or the regimens the
  sentence names when it compares them), else to the whole series (arm None). Study-level facts
  (design, line, regimen, doses, size) go to the arm-None cohort; assemble() spreads them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .. import fields
from ..model import Design, Evidence
from ..nlp import discourse
from ..nlp.references import same_surname
from .cohort import Cohort, StudyRef, arm_key
from .context import DocContext
from ..nlp.phrases import parse_line, population_of, site_name, sites_in_sentence
from ..nlp.headers import classify_header
from .tables import header_texts, records_from_table
from .text_sentences import Sentence, paragraphs
from .text_values import (
    located_toxicities,
    continuous_drugs,
    cycle_length,
    doses,
    enrolled_count,
    merge_doses,
    outcome_groups,
    place,
    studied_count,
    subgroup_prefix,
    subgroup_sizes,
    subgroups,
    untreated_subgroups,
    toxicities,
    treated_subset,
)

OUTCOME_FIELDS = fields.OUTCOME_FIELDS


@dataclass
class StudyState:
    """A study as the text reveals it (a reference number may come after the name)."""

    first_author: str | None
    year: int | None
    ref: int | None = None
    acronym: str | None = None
    from_table: bool = False
    population: str | None = None

    def ref_obj(self) -> StudyRef:
        return StudyRef(self.first_author, self.year, self.ref, self.acronym)


@dataclass
class Found:
    """Values read for one (study, arm), in reading order, each with its sentence."""

    study: StudyState
    arm: str | None
    values: list[tuple[str, object, Evidence]] = field(default_factory=list)


class TextReader:
    def __init__(self, ctx: DocContext, table_cohorts: list[Cohort] | None = None) -> None:
        self.ctx = ctx
        self.table_cohorts = table_cohorts
        self.primary = ctx.own_study is not None
        self.studies: list[StudyState] = []
        self.table_arms: dict[int, list[str]] = {}  # id(study) -> arm labels the tables give
        self.found: dict[tuple[int, str], Found] = {}
        self.study_doses: dict[int, list[tuple[object, Evidence]]] = {}
        self.arm_sentences: dict[tuple[int, str], Sentence] = {}  # first sentence naming each arm
        self.table_arm_values: dict[tuple[int, str], tuple[dict, list]] = {}  # a table arm's values
        self.table_arm_drugs: dict[tuple[int, tuple], str] = {}  # (id(study), drugs) -> arm label
        self.table_fields: dict[int, set[str]] = {}  # id(study) -> fields its table cohorts fill
        self.table_events: dict[int, set[str]] = {}  # id(study) -> toxicity events the tables give
        self.arm_doses: dict[tuple[int, str], list] = {}  # (id(study), arm) -> doses said of that arm
        self.text_arms: dict[int, list[str]] = {}  # id(study) -> arms an allocation sentence names
        self.arm_each: dict[int, tuple[int, Sentence]] = {}  # id(study) -> "N per arm"
        self.text_arm_regimens: dict[tuple[int, str], tuple] = {}  # (id(study), arm) -> (regimen, drugs, sentence)
        self.whole_labels: dict[int, str] = {}  # id(study) -> the name the text gives its whole series
        self.untreated_arms: set[tuple[int, str]] = set()  # (id(study), arm) left without the treatment
        if self.primary:
            own = ctx.own_study
            self.own = self._state(own.first_author, own.year, own.ref, own.acronym)
        self._load_tables()

    # --- studies -------------------------------------------------------------------------------

    def _state(self, author, year, ref=None, acronym=None, from_table=False) -> StudyState:
        state = self._complete(StudyState(author, year, ref, acronym, from_table))
        self.studies.append(state)
        return state

    def _complete(self, state: StudyState) -> StudyState:
        """First author, year and reference number the citation leaves out, from the document's
        reference index ("[7]" -> Quill 2011; "Quill et al." -> [7], 2011)."""
        if state is getattr(self, "own", None):
            return state
        entry = self.ctx.references.lookup(state.first_author, state.year, state.ref)
        if entry is None:
            return state
        if state.first_author is None and entry.first_author:
            state.first_author, state.acronym = entry.first_author, None
        state.year = state.year or entry.year
        state.ref = state.ref or entry.number
        return state

    def _load_tables(self) -> None:
        cohorts = self.table_cohorts
        if cohorts is None:
            cohorts = [c for table in self.ctx.document.tables for c in records_from_table(table, self.ctx)]
        for cohort in cohorts:
            ref = cohort.study
            state = self._find(ref.first_author, ref.year, ref.ref) if ref.first_author else None
            if state is None:
                state = self._state(ref.first_author, ref.year, ref.ref, ref.acronym, from_table=True)
            self.table_fields.setdefault(id(state), set()).update(cohort.values)
            self.table_events.setdefault(id(state), set()).update(
                t.event for t in cohort.values.get("toxicities", []))
            if cohort.arm_key:
                self.table_arm_values[(id(state), cohort.arm)] = (cohort.values, cohort.evidence)
                drugs = cohort.values.get("drugs") or self.ctx.drugs_of(cohort.arm)
                if drugs:
                    self.table_arm_drugs.setdefault((id(state), tuple(sorted(drugs))), cohort.arm)
                arms = self.table_arms.setdefault(id(state), [])
                if cohort.arm not in arms:
                    arms.append(cohort.arm)

    def _find(self, author: str | None, year: int | None, ref: int | None) -> StudyState | None:
        if ref is not None:
            hit = next((s for s in self.studies if s.ref == ref), None)
            if hit is not None:
                return hit
        if author:
            same = [s for s in self.studies if s.first_author and s.first_author.lower() == author.lower()
                    and (year is None or s.year in (None, year))]
            if len(same) == 1:
                return same[0]
        return None

    def cited(self, sentence: Sentence, current: StudyState | None) -> tuple[bool, StudyState | None]:
        """(does the sentence cite anything, the study it is about)."""
        named = [f.value for f in sentence.of("CITATION") if isinstance(f.value, dict)
                 and not _other_work(f)]
        refs = [group for _, group in discourse.bracket_refs(sentence.text)]
        known = [s.acronym for s in self.studies if s.acronym and not s.acronym.startswith("Ref")]
        trial = discourse.trial_acronym(sentence.text, known)
        if not named and not refs and not trial:
            return False, None
        if self.primary:
            return True, None
        single_ref = int(refs[0]) if len(refs) == 1 and refs[0].isdigit() else None
        if named:
            self._fill_leftover_ref(sentence, named)
            first = named[0]
            ref = first.get("ref") or (single_ref if len(named) == 1 else None)
            state = self._find(first["first_author"], first.get("year"), ref)
            if state is not None and state.first_author is None:  # known by its number only so far
                state.first_author, state.acronym = first["first_author"], None
            if state is None:
                state = self._state(first["first_author"], first.get("year"), ref)
            elif state.ref is None and ref is not None:
                state.ref = ref
            if state.year is None and first.get("year"):
                state.year = first["year"]
            return True, self._complete(state)
        if trial:
            state = next((s for s in self.studies if s.acronym == trial), None) \
                or self._state(None, None, single_ref, trial)
            return True, state
        if single_ref is not None:
            state = self._find(None, None, single_ref)
            if state is None and current is not None and current.ref is None \
                    and self._may_be(current, single_ref):
                current.ref = single_ref
                return True, self._complete(current)
            if state is None:
                state = self._state(None, None, single_ref, f"Ref{single_ref}")
            return True, state
        return True, None  # several references at once: no single study

    def _may_be(self, state: StudyState, ref: int) -> bool:
        """Could reference ``ref`` be this study? Not when the reference list names another author."""
        entry = self.ctx.references.get(ref)
        return entry is None or not entry.first_author or not state.first_author \
            or same_surname(entry.first_author, state.first_author)

    def _fill_leftover_ref(self, sentence: Sentence, named: list[dict]) -> None:
        """"Brown et al. ... reported by Smith et al. [36, 38]": the number not Smith's is Brown's."""
        if named[0].get("ref") is not None:
            return
        numbers = discourse.bracket_ref_numbers(sentence.text)
        others = {f.value.get("ref") for f in sentence.of("CITATION") if isinstance(f.value, dict)} - {None}
        others |= {s.ref for s in self.studies if s.first_author and s.first_author != named[0]["first_author"]}
        leftover = numbers - others
        if len(leftover) == 1:
            named[0]["ref"] = leftover.pop()

    def _table_arm_of_type(self, study: StudyState, label: str) -> str:
        """"PDNEC" is the table's "NEC" arm when that is the study's only poorly differentiated arm."""
        kind = _tumour_class(label)
        if kind is None:
            return label
        same = [a for a in self.table_arms.get(id(study), []) if _tumour_class(a) == kind]
        return same[0] if len(same) == 1 else label

    # --- arms --------------------------------------------------------------------------------------

    def _treatment_mentions(self, sentence: Sentence, study: StudyState) -> tuple[list[tuple[int, str]], list]:
        """Arms named by their treatment: a tagged regimen or drug whose drugs are exactly one arm's
        ("capecitabine plus temozolomide" is the "Capecitabine + temozolomide" arm, and its
        "temozolomide" is not the temozolomide arm). Returns the mentions and the regimen facts."""
        if len({drugs for (sid, drugs) in self.table_arm_drugs if sid == id(study)}) < 2:
            return [], []
        regimens = sentence.of("REGIMEN")
        mentions = []
        for fact in regimens + sentence.of("DRUG"):
            if fact.label == "DRUG" and any(r.start <= fact.start < r.end for r in regimens):
                continue
            drugs = fact.value if isinstance(fact.value, list) else [fact.value]
            arm = self.table_arm_drugs.get((id(study), tuple(sorted(drugs))))
            if arm is not None:
                mentions.append((fact.start, arm))
        return mentions, regimens

    def _allocation(self, sentence: Sentence, study: StudyState) -> None:
        """ARM facts ("randomly assigned: 84 to A and 86 to B", "29 per arm"): each arm's size. An
        arm is the table's arm of the same drugs or name; with no table arms, the text's own arm."""
        for fact in sentence.of("ARM"):
            value = fact.value if isinstance(fact.value, dict) else {}
            if value.get("each") and value.get("n"):
                self.arm_each.setdefault(id(study), (value["n"], sentence))
                continue
            arm = self._arm_named(study, value.get("name") or "")
            if arm is None and not self.table_arms.get(id(study)) and value.get("name"):
                name = value["name"]
                arm = name[0].upper() + name[1:]
                arms = self.text_arms.setdefault(id(study), [])
                if arm not in arms:
                    arms.append(arm)
                drugs = self.ctx.drugs_of(arm)
                if drugs:
                    self.table_arm_drugs.setdefault((id(study), tuple(sorted(drugs))), arm)
            if arm is not None and value.get("n"):
                self.add(study, arm, "n_patients", value["n"], sentence)
            if arm is not None:
                self.arm_sentences.setdefault((id(study), arm), sentence)

    def _prepass(self, read: list[list[Sentence]]) -> None:
        """Arms named anywhere (allocation, named trials) and the treatment each arm's dose sentence
        gives, known before the abstract's figures are placed ("with drugamab alone, ...")."""
        for paragraph in read:
            for sentence in paragraph:
                if not (sentence.framing and not discourse.speaks_of_own_series(sentence.text)) or sentence.kind == "title":
                    self._allocation(sentence, self.own)
        if not self.text_arms.get(id(self.own)):
            return
        for paragraph in read:
            for sentence in paragraph:
                named = {a for _, a in self.arm_mentions(sentence, self.own)}
                if len(named) == 1 and doses(sentence):
                    self._learn_arm_treatment(self.own, named.pop(), sentence)

    def _learn_arm_treatment(self, study: StudyState, arm: str, sentence: Sentence) -> None:
        """An arm named by a trial name takes the regimen its dose sentence gives, and its drugs then
        name it in other sentences ("with drugamab alone")."""
        treatments = _compared_treatments(sentence)
        drugs = sorted({d for t in treatments for d in self.ctx.drugs_of(t)})
        if not drugs or (id(study), arm) in self.text_arm_regimens or self.ctx.drugs_of(arm):
            return  # an arm named by its treatment already has it
        regimens = sentence.of("REGIMEN")
        if regimens:
            regimen = regimens[0].text
        else:
            regimen = " + ".join(treatments)
        regimen = regimen[0].upper() + regimen[1:]
        self.text_arm_regimens[(id(study), arm)] = (regimen, drugs, sentence)
        self.table_arm_drugs.setdefault((id(study), tuple(drugs)), arm)

    def _arm_named(self, study: StudyState, name: str) -> str | None:
        drugs = self.ctx.drugs_of(name)
        if drugs and (id(study), tuple(sorted(drugs))) in self.table_arm_drugs:
            return self.table_arm_drugs[(id(study), tuple(sorted(drugs)))]
        for label in self.table_arms.get(id(study), []) + self.text_arms.get(id(study), []):
            if discourse.names_arm(label, name, self.ctx.abbreviations.get(label.strip())):
                return label
        return None

    def arm_mentions(self, sentence: Sentence, study: StudyState) -> list[tuple[int, str]]:
        labels = self.table_arms.get(id(study), []) + self.text_arms.get(id(study), [])
        mentions, regimens = self._treatment_mentions(sentence, study)
        named = []
        for label in labels:
            long_form = self.ctx.abbreviations.get(label.strip())
            for start, end in discourse.arm_spans(label, sentence.text, long_form):
                inside = [r for r in regimens if r.start <= start < r.end]
                if inside and all((r.start, label) not in mentions for r in inside) and mentions:
                    continue  # the label's words inside a regimen that is another arm
                named.append((start, end, label))
        for start, end, label in named:
            # "ALPHA" inside "ALPHA 2": the longer name is the arm
            if any(s <= start and end <= e and (e - s) > (end - start) and other != label for s, e, other in named):
                continue
            if (start, label) not in mentions:
                mentions.append((start, label))
        if not mentions:  # subgroups the sentence names ("patients with a Ki-67 index >20%")
            mentions = [(pos, self._table_arm_of_type(study, label)) for pos, label in subgroups(sentence)]
        mentions.sort()
        return mentions

    # --- reading ----------------------------------------------------------------------------------------

    def read(self) -> None:
        carried: tuple[str | None, str | None] = (None, None)  # (section, arm) at the end of a paragraph
        broken = None  # (study, arm, paragraphs since) of a paragraph cut mid-sentence by a table or page
        read = paragraphs(self.ctx)
        if self.primary:
            self._prepass(read)
        for paragraph in read:
            current = self.own if self.primary else None
            arm: str | None = None
            if self.primary and self.text_arms.get(id(self.own)) and paragraph[0].section == carried[0]:
                arm = carried[1]  # a paper of named trials: the one spoken of goes on in the next paragraph
            current, arm, broken = _resumed(paragraph, current, arm, broken)
            last_doses: list = []
            pending: list[Sentence] = []  # a review's sentences about a study not yet cited
            for sentence in paragraph:
                cites, study = self.cited(sentence, current)
                if cites and study is not None and study is not current and pending and _bare_reference(sentence) \
                        and any(discourse.describes_a_study(p.text) for p in pending):
                    # "A retrospective analysis was conducted in 32 patients. This study found ... [93]."
                    for earlier in pending:
                        self.read_sentence(earlier, study, None, [])
                if cites:
                    pending = []
                if study is not None and not study.from_table and study.population is None and not self.primary:
                    # a study known only from the text: the population its paragraph speaks of
                    study.population = population_of(" ".join(s.text for s in paragraph))
                if study is not None and not self.primary and study.population != "mixed" \
                        and any(s.of("MIXED_SERIES") for s in paragraph[:paragraph.index(sentence) + 1]):
                    # "24 patients with neuroendocrine tumours, nine of them poorly differentiated"
                    study.population = "mixed"
                if cites:
                    if study is not current:
                        arm = None
                    current = study
                elif self.primary and discourse.speaks_of_own_series(sentence.text):
                    current = self.own
                if current is None:
                    if not self.primary:
                        pending.append(sentence)
                    continue
                if self.primary and sentence.framing and not discourse.speaks_of_own_series(sentence.text) \
                        and sentence.kind != "title":
                    continue
                if not self.primary and _several_studies(sentence):
                    continue  # "X et al. and Y et al. used ...": whose figure is it?
                arm, last_doses = self.read_sentence(sentence, current, arm, last_doses)
            carried = (paragraph[-1].section, arm)
            broken = _cut(paragraph, current, arm, broken)

    def _tabulates_toxicities(self) -> bool:
        """Do the document's tables list adverse events (a header or a tabulated event)?"""
        if not hasattr(self, "_tox_tables"):
            self._tox_tables = any(self.table_events.values()) or any(
                classify_header(h).field == "tox" for t in self.ctx.document.tables for h in header_texts(t))
        return self._tox_tables

    def _evidence(self, name: str, sentence: Sentence) -> Evidence:
        return Evidence(field=name, page=sentence.page, source="text", text=sentence.text)

    def add(self, study: StudyState, arm: str | None, name: str, value, sentence: Sentence) -> None:
        key = (id(study), arm_key(arm))
        found = self.found.setdefault(key, Found(study, arm))
        found.values.append((name, value, self._evidence(name, sentence)))

    def read_sentence(self, sentence: Sentence, study: StudyState, arm: str | None, last_doses: list):
        if self.primary:
            self._allocation(sentence, study)
        mentions = self.arm_mentions(sentence, study)
        if discourse.names_whole_series(sentence.text) and not mentions:
            arm = None
        # arms compared in a review's text: the regimens the sentence names
        compared = _compared_treatments(sentence) if not self.primary else []
        # a treatment the tables name as an arm keeps the table's label ("cisplatin/etoposide" -> "etoposide")
        compared = [self.table_arm_drugs.get((id(study), tuple(self.ctx.drugs_of(t))), t) for t in compared]
        groups = outcome_groups(sentence)
        if any(len(items) == 2 for items in groups.values()):
            mentions = _with_complement(mentions, sentence)
        placed = place(groups, mentions, arm, compared, sentence.text, series_first=self.primary)
        placed = self._series_treatment(study, placed)
        self.untreated_arms |= {(id(study), label) for label in untreated_subgroups(sentence)}
        whole = sentence.of("WHOLE_SERIES")
        if whole and not mentions:  # "in the whole series, ...": the name of the cohort the figures are of
            self.whole_labels.setdefault(id(study), whole[0].value)
        prefix = subgroup_prefix(sentence) or _compared_within_subgroup(sentence, placed)
        if prefix and prefix not in self.table_arms.get(id(study), []):
            # figures of a subgroup, per arm when the arms are compared ("HBP: IP")
            for item in placed:
                item.arm = prefix if item.arm is None else f"{prefix}: {item.arm}"
            mentions = []
        if not self.primary and study.from_table:
            # the review's table is the primary source of a tabulated study's figures: the text adds
            # only figures of the arms or subgroups a sentence names
            placed = [p for p in placed if p.arm is not None]
        subset = treated_subset(sentence)
        if subset and any(item.arm == subset[1] for item in placed):
            self.add(study, subset[1], "n_patients", subset[2], sentence)
        for label, size in subgroup_sizes(sentence).items():
            if any(item.arm == label for item in placed):  # "among the six patients with X, ...": X's size
                self.add(study, label, "n_patients", size, sentence)
        for item in placed:
            self.add(study, item.arm, item.field, item.value, sentence)
            if item.arm is not None:
                self.arm_sentences.setdefault((id(study), item.arm), sentence)
        arms_named = list(dict.fromkeys(a for _, a in mentions))
        for named in arms_named:
            self.arm_sentences.setdefault((id(study), named), sentence)
        own_arms = self.table_arms.get(id(study), []) + self.text_arms.get(id(study), [])
        if len(arms_named) == 1 and arms_named[0] in own_arms:
            arm = arms_named[0]  # "this group" in the next sentences
        elif len(arms_named) > 1:
            arm = None
        known_events = self.table_events.get(id(study), set())
        located = [(at, t) for at, t in located_toxicities(sentence) if t.event not in known_events]
        tox = [t for _, t in located]
        if tox and len(arms_named) <= 1 and not (study.from_table and not self.primary and not arms_named
                                                         and self._tabulates_toxicities()):
            # adverse events are the whole series' unless the sentence itself names the arm; a review's
            # table that lists a study's adverse events is their source, else its running text is
            self.add(study, arms_named[0] if arms_named else None, "toxicities", tox, sentence)
        elif tox and len(arms_named) > 1 and not self.primary \
                and not (study.from_table and self._tabulates_toxicities()):
            # "arm A caused X in 76% ..., whereas arm B caused Y in 17%": each event is the arm named before it
            per_arm: dict[str, list] = {}
            for at, item in located:
                before = [a for p, a in mentions if p <= at]
                if not before:
                    per_arm = {}
                    break
                per_arm.setdefault(before[-1], []).append(item)
            for named, items in per_arm.items():
                self.add(study, named, "toxicities", items, sentence)
        sites = sites_in_sentence(sentence.text)
        # the sites of the subgroup the sentence names ("Among the 41 poorly differentiated tumours, the
        # primary lay in ..."), else of the whole series; an arm named by a site is one of the sites listed
        subgroups = [a for a in arms_named if not site_name(a)]
        if sites and len(subgroups) <= 1 and (self.primary or not study.from_table):
            self.add(study, subgroups[0] if subgroups else None, "primary_sites", sites, sentence)
        self._study_level(sentence, study)
        found_doses = doses(sentence)
        cycle = cycle_length(sentence)
        if _cites_for_comparison(sentence):
            found_doses = []  # "less than that used by Smith et al. (100 mg/m2 vs. 130 mg/m2)"
        if "doses" in self.table_fields.get(id(study), set()):
            found_doses = []  # the tables print the schedule: they are the source
        if found_doses:
            daily = continuous_drugs(sentence)
            for dose in found_doses:
                if dose.schedule is None and cycle and dose.drug not in daily:
                    dose.schedule = cycle
            arm_of_doses = self.table_arm_drugs.get((id(study), tuple(sorted({d.drug for d in found_doses}))))
            named_text_arms = [a for a in arms_named if a in self.text_arms.get(id(study), [])]
            if arm_of_doses is None and len(arms_named) == 1 and named_text_arms:
                # "In ALPHA, drugamab 10 mg/kg was infused ...": the named arm's treatment
                arm_of_doses = named_text_arms[0]
                self._learn_arm_treatment(study, arm_of_doses, sentence)
            if arm_of_doses is not None and (named_text_arms or len({k for k in self.table_arm_drugs if k[0] == id(study)}) > 1):
                # "In the second arm, A 750 mg/m2 ... and B 200 mg/m2 ...": the doses of the arm given those drugs
                self.arm_doses.setdefault((id(study), arm_of_doses), []).extend(
                    (d, self._evidence("doses", sentence)) for d in found_doses)
                return arm, found_doses
            self.study_doses.setdefault(id(study), []).extend((d, self._evidence("doses", sentence))
                                                              for d in found_doses)
            return arm, found_doses
        if cycle and last_doses:
            for dose in last_doses:
                if dose.schedule is None:
                    dose.schedule = cycle
        return arm, []

    def _series_treatment(self, study: StudyState, placed: list) -> list:
        """A paper of one treatment and no arms: "among X-treated patients" is its own series (arm None),
        beside the comparator the sentence names ("... among the 20 who did not receive it")."""
        if not self.primary or self.table_arms.get(id(study)) or self.text_arms.get(id(study)):
            return placed
        for item in placed:
            if item.arm and self.ctx.drugs_of(item.arm) and not item.arm.lower().startswith("no "):
                item.arm = None
        return placed

    def _study_level(self, sentence: Sentence, study: StudyState) -> None:
        if "HYPOTHETICAL" not in sentence.context:
            for fact in sentence.of("DESIGN"):
                if not self.primary and not _cited_in_clause(sentence, fact.start):
                    continue  # "most were retrospective ..., and no design is given for [5]"
                self.add(study, None, "_design", fact.value, sentence)
            if self.primary and discourse.speaks_of_own_series(sentence.text) and discourse.is_chart_review(sentence.text):
                self.add(study, None, "_design", {"prospective": False}, sentence)
            if discourse.says_randomized(sentence.text):
                self.add(study, None, "_design", {"randomized": True}, sentence)
        lines = {_after_failure(sentence, f) for f in sentence.of("LINE") if isinstance(f.value, str)}
        said_of_patients = discourse.said_of_patients(sentence.text) or sentence.kind == "title"
        if lines and said_of_patients and "HYPOTHETICAL" not in sentence.context:
            # "second line in 12 patients and third or a later line in 8": several lines are "mixed"
            several = len(lines) > 1 or parse_line(sentence.text) == "mixed"
            self.add(study, None, "_line", "mixed" if several else lines.pop(), sentence)
            if len(lines) > 1:
                self._arm_lines(sentence, study)
        for fact in sentence.of("REGIMEN", "DRUG"):
            self.add(study, None, "_regimen", (fact.label, fact.text), sentence)
        count = enrolled_count(sentence) if self.primary else studied_count(sentence)
        named = list(dict.fromkeys(a for _, a in self.arm_mentions(sentence, study)
                                   if a in self.text_arms.get(id(study), []))) if count else []
        if count and len(named) == 1:
            self.add(study, named[0], "n_patients", count, sentence)  # "ALPHA enrolled 60 patients"
        elif count:
            self.add(study, None, "_n", count, sentence)

    def _arm_lines(self, sentence: Sentence, study: StudyState) -> None:
        """"patients with A tumours who had no previous treatment, and patients with B tumours that
        progressed on X": each line of therapy is the line of the cohort named just before it."""
        mentions = self.arm_mentions(sentence, study)
        if len({arm for _, arm in mentions}) < 2:
            return
        for fact in sentence.of("LINE"):
            before = [arm for pos, arm in mentions if pos <= fact.start]
            if before and isinstance(fact.value, str):
                self.add(study, before[-1], "line", _after_failure(sentence, fact), sentence)

    # --- cohorts -----------------------------------------------------------------------------------------

    def _arms_of(self, study: StudyState) -> list[str]:
        arms = list(self.table_arms.get(id(study), []))
        arms += [f.arm for f in self.found.values() if f.study is study and f.arm and f.arm not in arms]
        return arms

    def _has_figures(self, study: StudyState) -> bool:
        return any(n in OUTCOME_FIELDS for f in self.found.values() if f.study is study for n, _, _ in f.values)

    def cohorts(self) -> list[Cohort]:
        result = []
        for (study_id, key), found in self.found.items():
            study = found.study
            if not study.from_table and study is not getattr(self, "own", None) and not self._has_figures(study):
                continue  # a study the text only mentions: no record
            cohort = Cohort(study=study.ref_obj(), arm=found.arm if key else self.whole_labels.get(id(study)),
                            no_drug_regimen=(id(study), found.arm) in self.untreated_arms)
            if found.values and found.arm and population_of(found.arm) and found.arm not in self.table_arms.get(id(study), []):
                # a subgroup the text names by its tumour type ("patients with WDNETs")
                cohort.set("population", population_of(found.arm), _named(found.values[0][2], "population"))
            if study.population and found.values:
                cohort.set("population", study.population, _named(found.values[0][2], "population"))
            for name, value, evidence in found.values:
                if not name.startswith("_"):
                    cohort.set(name, value, evidence)
            if key == "":
                self._fill_study_level(cohort, found)
            if cohort.values:
                result.append(cohort)
        result += self._arm_totals() + self._arm_regimens() + self._arm_dose_cohorts()
        return result

    def _arm_dose_cohorts(self) -> list[Cohort]:
        result = []
        for state in self.studies:
            for (study_id, arm), (regimen, drugs, sentence) in self.text_arm_regimens.items():
                if study_id == id(state):
                    cohort = Cohort(study=state.ref_obj(), arm=arm)
                    cohort.set("regimen", regimen, self._evidence("regimen", sentence))
                    cohort.set("drugs", drugs, self._evidence("drugs", sentence))
                    result.append(cohort)
        for state in self.studies:
            each = self.arm_each.get(id(state))
            if each is None:
                continue
            for arm in self._arms_of(state):
                cohort = Cohort(study=state.ref_obj(), arm=arm)
                cohort.set("n_patients", each[0], self._evidence("n_patients", each[1]))
                result.append(cohort)
        for state in self.studies:
            for (study_id, arm), items in self.arm_doses.items():
                if study_id != id(state):
                    continue
                cohort = Cohort(study=state.ref_obj(), arm=arm)
                cohort.set("doses", merge_doses([d for d, _ in items]), items[0][1])
                result.append(cohort)
        return result

    INHERITED = ("regimen", "drugs", "population", "n_total")

    def _subgroup_arms(self) -> list[Cohort]:
        """"HBP: IP" is the IP arm of the HBP subgroup: it takes the arm's regimen, drugs, population."""
        result = []
        for found in self.found.values():
            base = found.arm.split(": ", 1)[1] if found.arm and ": " in found.arm else None
            values = self.table_arm_values.get((id(found.study), base)) if base else None
            if values is None:
                continue
            cohort = Cohort(study=found.study.ref_obj(), arm=found.arm)
            for name in self.INHERITED:
                evidence = next((e for e in values[1] if e.field == name), None)
                if name in values[0] and evidence is not None:
                    cohort.set(name, values[0][name], evidence)
            result.append(cohort)
        return result

    def _arm_regimens(self) -> list[Cohort]:
        """Arms named by their regimen ("IP", "EP") take it as their regimen and drugs."""
        result = []
        result += self._subgroup_arms()
        for state in self.studies:
            arms = self._arms_of(state)
            drug_sets = {a: self.ctx.drugs_of(a) for a in arms
                         if not discourse.is_negated_label(a) and ": " not in a}
            if len({tuple(d) for d in drug_sets.values() if d}) < 2:
                continue
            for arm, drugs in drug_sets.items():
                sentence = self.arm_sentences.get((id(state), arm))
                if not drugs or sentence is None:
                    continue
                cohort = Cohort(study=state.ref_obj(), arm=arm)
                cohort.set("regimen", arm.strip(), self._evidence("regimen", sentence))
                cohort.set("drugs", drugs, self._evidence("drugs", sentence))
                result.append(cohort)
        return result

    def _arm_totals(self) -> list[Cohort]:
        """The size of the whole series is each arm's n_total (primary papers with arms)."""
        result = []
        for study in self.studies:
            if study.from_table and not self.primary or (self.primary and study is not self.own):
                continue
            counts = [(v, e) for f in self.found.values() if f.study is study and f.arm is None
                      for n, v, e in f.values if n == "_n"]
            arms = self._arms_of(study)
            whole_has_figures = any(n in OUTCOME_FIELDS for f in self.found.values() if f.study is study
                                    and f.arm is None for n, _, _ in f.values)
            if not counts or not arms or (len(arms) < 2 and whole_has_figures) \
                    or (not study.from_table and not self._has_figures(study)):
                continue
            for arm in arms:
                cohort = Cohort(study=study.ref_obj(), arm=arm)
                cohort.set("n_total", counts[0][0], _named(counts[0][1], "n_total"))
                result.append(cohort)
        return result

    def _fill_study_level(self, cohort: Cohort, found: Found) -> None:
        study = found.study
        own_figures = bool(set(cohort.values) - {"population"})
        designs = [(v, e) for n, v, e in found.values if n == "_design"]
        if designs:
            several_arms = not self.primary and len(self._arms_of(study)) > 1
            cohort.set("design", _combine_designs([v for v, _ in designs], several_arms), _named(designs[0][1], "design"))
        lines = [(v, e) for n, v, e in found.values if n == "_line"]
        if lines:
            cohort.set("line", lines[0][0], _named(lines[0][1], "line"))
        counts = [(v, e) for n, v, e in found.values if n == "_n"]
        arms = self.table_arms.get(id(study), [])
        if counts and (own_figures or not self._arms_of(study)) and (self.primary or not study.from_table):
            cohort.set("n_patients", counts[0][0], _named(counts[0][1], "n_patients"))
        if self.primary and not arms:
            cohort.set("population", self.ctx.population, _named(found.values[0][2], "population"))
        text_arms = [a for a in self._arms_of(study) if a not in self.table_arms.get(id(study), [])]
        if len(text_arms) > 1:
            regimen = None  # the arms compared are the regimens
        else:
            regimen = self._regimen([(v, e) for n, v, e in found.values if n == "_regimen"], study)
        if regimen:
            cohort.set("regimen", regimen[0], regimen[1])
            cohort.set("drugs", self.ctx.drugs_of(regimen[0]), Evidence(field="drugs", page=regimen[1].page,
                                                                         source="text", text=regimen[1].text))
        items = self.study_doses.get(id(study), [])
        if items:
            merged = merge_doses([d for d, _ in items])
            cohort.set("doses", merged, items[0][1])

    def _regimen(self, mentions: list[tuple[tuple[str, str], Evidence]], study: StudyState):
        """The regimen the study's sentences name most often (an acronym counts for its drugs)."""
        arms = self.table_arms.get(id(study), [])
        arm_drugs = {tuple(self.ctx.drugs_of(a)) for a in arms} - {()}
        if len(arm_drugs) > 1 or not mentions:
            return None  # the arms are the regimens
        drug_counts = Counter(d for (label, t), _ in mentions for d in self.ctx.drugs_of(t))
        if not drug_counts:
            return None
        top_drug = drug_counts.most_common(1)[0][0]
        # the regimen: the most named combination holding the most named drug, else that drug
        regimens = [(t, e) for (label, t), e in mentions if label == "REGIMEN" and top_drug in self.ctx.drugs_of(t)]
        pool = regimens or [(t, e) for (label, t), e in mentions if label == "DRUG" and self.ctx.drugs_of(t) == [top_drug]]
        if not pool:
            return None
        counts = Counter(t.lower() for t, _ in pool)
        best, n = counts.most_common(1)[0]
        if not regimens and n < 2:
            return None
        evidence = next(e for t, e in pool if t.lower() == best)
        text = next(t for t, _ in pool if t.lower() == best)
        return text, Evidence(field="regimen", page=evidence.page, source="text", text=evidence.text)


def _resumed(paragraph: list[Sentence], current, arm, broken):
    """A paragraph that opens in lower case goes on with the study of the paragraph a table or
    page cut mid-sentence ("... Among the 18 patients" | table | "with ... was 67%"); a table
    footnote may sit in between. Returns (current, arm, broken)."""
    if broken is None:
        return current, arm, None
    if paragraph[0].text[:1].islower():
        return broken[0], broken[1], None
    return current, arm, (None if broken[2] >= 1 else (broken[0], broken[1], broken[2] + 1))


def _cut(paragraph: list[Sentence], current, arm, broken):
    """(study, arm, 0) when the paragraph ends mid-sentence, else what was pending."""
    if paragraph[-1].kind == "paragraph" and paragraph[-1].text.rstrip()[-1:] not in ".!?:;":
        return (current, arm, 0)
    return broken


def _other_work(fact) -> bool:
    """A citation the sentence compares with ("similar to that reported by X"): other work (gepnec_context)."""
    return "OTHER_STUDY" in fact.context


def _cites_for_comparison(sentence: Sentence) -> bool:
    return any(_other_work(f) for f in sentence.of("CITATION"))


def _with_complement(mentions: list[tuple[int, str]], sentence: Sentence) -> list[tuple[int, str]]:
    """A pair of figures and one side of a binary marker named ("PD-L1 positive tumors were associated
    with ... (16 vs. 24.8 months)"): the other side is the other cohort, first when the named side
    comes after "compared with"."""
    labels = list(dict.fromkeys(label for _, label in mentions))
    other = discourse.complement_of(labels[0]) if len(labels) == 1 else None
    if other is None:
        return mentions
    position = mentions[0][0]
    named_second = discourse.names_comparison(sentence.text[:position])
    return sorted(mentions + [(-1 if named_second else len(sentence.text), other)])


def _bare_reference(sentence: Sentence) -> bool:
    refs = discourse.bracket_refs(sentence.text)
    return not sentence.of("CITATION") and len(refs) == 1 and refs[0][1].isdigit()


def _cited_in_clause(sentence: Sentence, position: int) -> bool:
    """Does the clause holding ``position`` cite a study (or the sentence cite none at all)? A design
    word in another clause than the citation describes other studies."""
    cites = [f.start for f in sentence.of("CITATION")] + [at for at, _ in discourse.bracket_refs(sentence.text)]
    if not cites:
        return True
    breaks = discourse.clause_starts(sentence.text) + [len(sentence.text) + 1]
    clause = next(i for i in range(len(breaks) - 1) if breaks[i] <= position < breaks[i + 1])
    return any(breaks[clause] <= at < breaks[clause + 1] for at in cites)


def _several_studies(sentence: Sentence) -> bool:
    authors = {f.value.get("first_author") for f in sentence.of("CITATION") if isinstance(f.value, dict)
               and not _other_work(f)}
    return len(authors) > 1


def _compared_within_subgroup(sentence: Sentence, placed: list) -> str | None:
    """"among biliary and gastric primaries, ... 30% and 10% with IP and EP": arms compared within the
    one subgroup the tagger names (with no size of its own: a part of each arm, not a new series)."""
    named = [f.value for f in sentence.of("SUBGROUP") if isinstance(f.value, dict) and f.value.get("label")]
    arms = {item.arm for item in placed}
    if len(named) != 1 or named[0].get("n") or len(arms) < 2 or None in arms:
        return None
    return named[0]["label"]


def _compared_treatments(sentence: Sentence) -> list[str]:
    """Regimens and single drugs a sentence names, in order (drugs inside a named regimen not again)."""
    regimens = sentence.of("REGIMEN")
    items = [(f.start, f.text) for f in regimens]
    for drug in sentence.of("DRUG"):
        if not any(r.start <= drug.start < r.end for r in regimens):
            items.append((drug.start, drug.text))
    return list(dict.fromkeys(text for _, text in sorted(items)))


def _tumour_class(label: str) -> str | None:
    return {"PDNEC": "pd", "NEC": "pd", "WDNET": "wd", "NET": "wd"}.get(population_of(label) or "")


def _after_failure(sentence: Sentence, fact) -> str:
    if fact.value == "first" and discourse.after_first_line(sentence.text[:fact.start], sentence.text[fact.end:]):
        return "second"
    return fact.value


def _named(evidence: Evidence, name: str) -> Evidence:
    return evidence.model_copy(update={"field": name})


def _combine_designs(values: list[dict], several_arms: bool = False) -> Design:
    combined = {"prospective": None, "randomized": None, "phase": None, "centers": None}
    for value in values:
        for key in combined:
            if combined[key] is None and value.get(key) is not None:
                combined[key] = value[key]
    if combined["prospective"] is None and combined["phase"]:
        combined["prospective"] = True  # a phase 1-3 trial is prospective
    # a single-regimen prospective study is evidently not randomized; two arms may be either way
    if combined["prospective"] is not None and combined["randomized"] is None and not several_arms:
        combined["randomized"] = False
    return Design(**combined)


def records_from_text(ctx: DocContext, table_cohorts: list[Cohort] | None = None) -> list[Cohort]:
    """One cohort per (study, arm) the text gives values for; ``table_cohorts`` (the tables' cohorts,
    read again when not given) say which studies and arms the tables already name."""
    reader = TextReader(ctx, table_cohorts)
    reader.read()
    merged: dict[tuple[str, str], Cohort] = {}
    for cohort in reader.cohorts():
        key = (cohort.study.study_id.lower(), cohort.arm_key)
        if key in merged:
            merged[key].merge(cohort)
        else:
            merged[key] = cohort
    return list(merged.values())
