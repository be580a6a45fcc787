"""Placement: which arm of the sentence's study each fact goes to.

Figures go to the arm the sentence names (arms named by the tables, or the regimens the sentence
names when it compares them), else to the arm spoken of in the sentences before, else to the
whole series (arm None). Study-level facts (design, line, regimen mentions, size, doses) go to
the arm-None values, prefixed "_" where the cohort building still has to choose among them.
"""

from __future__ import annotations

from functools import cached_property

from ..model import Dose
from ..nlp import clauses, discourse
from ..nlp.phrases import parse_line, site_name, sites_in_sentence
from .context import DocContext
from .tables import header_texts
from .text_arms import ArmNames, Mention, compared_treatments
from .text_linking import cites_for_comparison
from .text_sentences import Sentence
from .text_state import StudyState, TextState, text_evidence
from .text_values import (
    Placed,
    continuous_drugs,
    cycle_length,
    enrolled_count,
    located_toxicities,
    located_toxicity_facts,
    outcome_groups,
    place,
    placed_doses,
    studied_count,
    subgroup_prefix,
    subgroup_sizes,
    treated_subset,
    treatments_given,
    untreated_subgroups,
)


class Placer:
    def __init__(self, ctx: DocContext, state: TextState, arms: ArmNames) -> None:
        self.ctx = ctx
        self.state = state
        self.arms = arms
        self.primary = state.primary

    def read_sentence(self, sentence: Sentence, study: StudyState, arm: str | None,
                      last_doses: list[Dose]) -> tuple[str | None, list[Dose]]:
        """Place one sentence's facts on ``study``; ``arm`` is the arm the sentences before spoke
        of and ``last_doses`` the doses of the sentence before (a cycle length may follow them).
        Returns the arm spoken of and the doses read, for the next sentence."""
        if self.primary:
            self.arms.allocation(sentence, study)
        mentions = self.arms.mentions(sentence, study)
        if discourse.names_whole_series(sentence.text) and not mentions:
            arm = None  # "in all patients, ...": the series, here and in the sentences after
        placed, mentions = self._figures(sentence, study, arm, mentions)
        self._subset_sizes(sentence, study, placed)
        for item in placed:
            self.state.add(study, item.arm, item.field, item.value, sentence)
            if item.arm is not None:
                study.arm_sentences.setdefault(item.arm, sentence)
        arms_named = list(dict.fromkeys(a for _, a in mentions))
        for named in arms_named:
            study.arm_sentences.setdefault(named, sentence)
        arm = self._arm_spoken_of(study, arms_named, arm)
        self._toxicities(sentence, study, mentions, arms_named)
        self._sites(sentence, study, arms_named)
        self._study_level(sentence, study)
        return arm, self._doses(sentence, study, arms_named, last_doses)

    # --- figures ---------------------------------------------------------------------------------

    def _figures(self, sentence: Sentence, study: StudyState, arm: str | None,
                 mentions: list[Mention]) -> tuple[list[Placed], list[Mention]]:
        """The sentence's outcome figures, each on its arm (``arm`` when it names none), and the
        arms it names (none when the figures are a subgroup's)."""
        # arms compared in a review's text: the regimens the sentence names
        compared = compared_treatments(sentence) if not self.primary else []
        # a treatment the tables name as an arm keeps the table's label ("drugoplatin/drugoside" -> "drugoside")
        compared = [study.arm_of_drugs.get(tuple(self.ctx.drugs_of(t)), t) for t in compared]
        groups = outcome_groups(sentence)
        if any(len(items) == 2 for items in groups.values()):
            mentions = _with_complement(mentions, sentence)
        placed = place(groups, mentions, arm, compared, sentence.text, series_first=self.primary)
        placed = self._series_treatment(study, placed)
        study.untreated_arms |= untreated_subgroups(sentence)
        whole = sentence.of("WHOLE_SERIES")
        if whole and not mentions and study.whole_label is None:
            study.whole_label = whole[0].value  # "in the whole series, ...": the name of the cohort the figures are of
        prefix = subgroup_prefix(sentence) or _compared_within_subgroup(sentence, placed)
        if prefix and prefix not in study.table_arms:
            # figures of a subgroup, per arm when the arms are compared ("HBP: IP")
            for item in placed:
                item.arm = prefix if item.arm is None else f"{prefix}: {item.arm}"
            mentions = []
        if not self.primary and study.from_table:
            # the review's table is the primary source of a tabulated study's figures: the text adds
            # only figures of the arms or subgroups a sentence names
            placed = [p for p in placed if p.arm is not None]
        return placed, mentions

    def _series_treatment(self, study: StudyState, placed: list[Placed]) -> list[Placed]:
        """A paper of one treatment and no arms: "among X-treated patients" is its own series (arm None),
        beside the comparator the sentence names ("... among the 20 who did not receive it")."""
        if not self.primary or study.table_arms or study.text_arms:
            return placed
        for item in placed:
            if item.arm and self.ctx.drugs_of(item.arm) and not item.arm.lower().startswith("no "):
                item.arm = None
        return placed

    def _subset_sizes(self, sentence: Sentence, study: StudyState, placed: list[Placed]) -> None:
        """The size of a subgroup whose figures the sentence gives ("among the six patients with X")."""
        subset = treated_subset(sentence)
        if subset and any(item.arm == subset[1] for item in placed):
            self.state.add(study, subset[1], "n_patients", subset[2], sentence)
        for label, size in subgroup_sizes(sentence).items():
            if any(item.arm == label for item in placed):
                self.state.add(study, label, "n_patients", size, sentence)

    def _arm_spoken_of(self, study: StudyState, arms_named: list[str], arm: str | None) -> str | None:
        """The arm the next sentences speak of: the one arm this sentence names ("this group" in
        the next), none after a comparison of several, else the one spoken of before."""
        if len(arms_named) == 1 and arms_named[0] in study.arms():
            return arms_named[0]
        if len(arms_named) > 1:
            return None
        return arm

    # --- adverse events and sites ---------------------------------------------------------------------

    def _toxicities(self, sentence: Sentence, study: StudyState, mentions: list[Mention],
                    arms_named: list[str]) -> None:
        """Adverse events are the whole series' unless the sentence itself names the arm; a review's
        table that lists a study's adverse events is their source, else its running text is."""
        located = [(at, t) for at, t in located_toxicities(sentence) if t.event not in study.table_events]
        tox = [t for _, t in located]
        if tox and len(arms_named) <= 1 and not (study.from_table and not self.primary and not arms_named
                                                 and self._tabulates_toxicities):
            self.state.add(study, arms_named[0] if arms_named else None, "toxicities", tox, sentence)
        elif tox and len(arms_named) > 1 and not self.primary \
                and not (study.from_table and self._tabulates_toxicities):
            for named, items in _events_per_arm(located, mentions).items():
                self.state.add(study, named, "toxicities", items, sentence)
        elif tox and len(arms_named) == 2 and self.primary and not study.table_events:
            for named, items in _shares_per_arm(sentence, mentions).items():
                self.state.add(study, named, "toxicities", items, sentence)

    @cached_property
    def _tabulates_toxicities(self) -> bool:
        """Do the document's tables list adverse events (a header or a tabulated event)?"""
        return any(s.table_events for s in self.state.studies) or any(
            self.ctx.reading("column", h).field == "tox" for t in self.ctx.document.tables for h in header_texts(t))

    def _sites(self, sentence: Sentence, study: StudyState, arms_named: list[str]) -> None:
        """The sites of the subgroup the sentence names ("Among the 41 poorly differentiated tumours,
        the primary lay in ..."), else of the whole series; an arm named by a site is one of the
        sites listed."""
        sites = sites_in_sentence(sentence.text)
        subgroups = [a for a in arms_named if not site_name(a)]
        if sites and len(subgroups) <= 1 and (self.primary or not study.from_table):
            self.state.add(study, subgroups[0] if subgroups else None, "primary_sites", sites, sentence)

    # --- study-level facts ----------------------------------------------------------------------------

    def _study_level(self, sentence: Sentence, study: StudyState) -> None:
        if "HYPOTHETICAL" not in sentence.context:
            self._designs(sentence, study)
        self._lines(sentence, study)
        for fact in treatments_given(sentence):
            self.state.add(study, None, "_regimen", (fact.label, fact.text), sentence)
        self._size(sentence, study)

    def _designs(self, sentence: Sentence, study: StudyState) -> None:
        for fact in sentence.of("DESIGN"):
            if not self.primary and not _cited_in_clause(sentence, fact.start):
                continue  # "most were retrospective ..., and no design is given for [5]"
            self.state.add(study, None, "_design", fact.value, sentence)
        if self.primary and discourse.speaks_of_own_series(sentence.text) and discourse.is_chart_review(sentence.text):
            self.state.add(study, None, "_design", {"prospective": False}, sentence)
        if discourse.says_randomized(sentence.text):
            self.state.add(study, None, "_design", {"randomized": True}, sentence)

    def _lines(self, sentence: Sentence, study: StudyState) -> None:
        lines = {_after_failure(sentence, f) for f in sentence.of("LINE") if isinstance(f.value, str)}
        said_of_patients = discourse.said_of_patients(sentence.text) or sentence.kind == "title"
        if lines and said_of_patients and "HYPOTHETICAL" not in sentence.context:
            # "second line in 12 patients and third or a later line in 8": several lines are "mixed"
            several = len(lines) > 1 or parse_line(sentence.text) == "mixed"
            self.state.add(study, None, "_line", "mixed" if several else lines.pop(), sentence)
            if len(lines) > 1:
                self._arm_lines(sentence, study)

    def _arm_lines(self, sentence: Sentence, study: StudyState) -> None:
        """"patients with A tumours who had no previous treatment, and patients with B tumours that
        progressed on X": each line of therapy is the line of the cohort named just before it."""
        mentions = self.arms.mentions(sentence, study)
        if len({arm for _, arm in mentions}) < 2:
            return
        for fact in sentence.of("LINE"):
            before = [arm for pos, arm in mentions if pos <= fact.start]
            if before and isinstance(fact.value, str):
                self.state.add(study, before[-1], "line", _after_failure(sentence, fact), sentence)

    def _size(self, sentence: Sentence, study: StudyState) -> None:
        """The number of patients the sentence says were enrolled (a primary paper) or studied (a
        review): one named trial's ("ALPHA enrolled 60 patients"), else the study's."""
        count = enrolled_count(sentence) if self.primary else studied_count(sentence)
        if not count:
            return
        named = list(dict.fromkeys(a for _, a in self.arms.mentions(sentence, study) if a in study.text_arms))
        if len(named) == 1:
            self.state.add(study, named[0], "n_patients", count, sentence)
        else:
            self.state.add(study, None, "_n", count, sentence)

    # --- doses ------------------------------------------------------------------------------------------

    def _doses(self, sentence: Sentence, study: StudyState, arms_named: list[str],
               last_doses: list[Dose]) -> list[Dose]:
        """The sentence's doses, on the arm given those drugs or on the study; a cycle length with no
        doses of its own is the schedule of the doses just before ("... every 21 days")."""
        placed = placed_doses(sentence)
        found_doses = [dose for _, dose in placed]
        cycle = cycle_length(sentence)
        if cites_for_comparison(sentence):
            found_doses = []  # "less than that used by Roe et al. (100 mg/m2 vs. 130 mg/m2)"
        if "doses" in study.table_fields:
            found_doses = []  # the tables print the schedule: they are the source
        if not found_doses:
            if cycle and last_doses:
                _set_schedule(last_doses, cycle)
            return []
        daily = continuous_drugs(sentence)
        _set_schedule([d for d in found_doses if d.drug not in daily], cycle)
        items = [(d, text_evidence("doses", sentence)) for d in found_doses]
        if self._doses_in_arm_spans(sentence, study, [start for start, _ in placed], items):
            return found_doses
        arm = self._arm_of_doses(sentence, study, arms_named, found_doses)
        if arm is not None:
            study.arm_doses.setdefault(arm, []).extend(items)
        else:
            study.doses.extend(items)
        return found_doses

    def _doses_in_arm_spans(self, sentence: Sentence, study: StudyState, starts: list[int], items: list) -> bool:
        """An allocation sentence that gives each arm its treatment in turn ("arm A, drugamab 5
        mg/m2 ... (n = 30), or arm B, drugoxel ..."): each dose goes to the arm whose ARM fact it
        lies in. False (nothing placed) when the sentence has no two such arms."""
        named = [(f, self.arms.named(study, f.value.get("name") or "")) for f in sentence.of("ARM")
                 if isinstance(f.value, dict)]
        spans = [(f.start, f.end, arm) for f, arm in named if arm is not None]
        if len(spans) < 2:
            return False
        for start, item in zip(starts, items):
            arm = next((name for s, e, name in spans if s <= start < e), None)
            if arm is None:
                study.doses.append(item)
            else:
                study.arm_doses.setdefault(arm, []).append(item)
        return True

    def _arm_of_doses(self, sentence: Sentence, study: StudyState, arms_named: list[str],
                      found_doses: list[Dose]) -> str | None:
        """The arm whose doses these are: the arm given those drugs ("In the second arm, A 750 mg/m2
        ... and B 200 mg/m2"), or the one text arm named ("In ALPHA, drugamab 10 mg/kg was infused
        ...", whose treatment it then learns); None for the study's own doses."""
        arm = study.arm_of_drugs.get(tuple(sorted({d.drug for d in found_doses})))
        named_text_arms = [a for a in arms_named if a in study.text_arms]
        if arm is None and len(arms_named) == 1 and named_text_arms:
            arm = named_text_arms[0]
            self.arms.learn_treatment(study, arm, sentence)
        if arm is not None and (named_text_arms or len(study.arm_of_drugs) > 1):
            return arm
        return None


def _set_schedule(found_doses: list[Dose], cycle: int | None) -> None:
    """A cycle length is the schedule of the doses that give none."""
    if not cycle:
        return
    for dose in found_doses:
        if dose.schedule is None:
            dose.schedule = cycle


def _events_per_arm(located: list, mentions: list[Mention]) -> dict[str, list]:
    """"arm A caused X in 76% ..., whereas arm B caused Y in 17%": each event is the arm named
    before it; none when an event comes before any arm is named."""
    per_arm: dict[str, list] = {}
    for at, item in located:
        before = [a for p, a in mentions if p <= at]
        if not before:
            return {}
        per_arm.setdefault(before[-1], []).append(item)
    return per_arm


def _shares_per_arm(sentence: Sentence, mentions: list[Mention]) -> dict[str, list]:
    """"X occurred in 56% of patients in arm A and 62% in arm B": an event's two shares, each the
    arm named after it; events with one share and no arm of their own are left out."""
    per_arm: dict[str, list] = {}
    for fact, tox in located_toxicity_facts(sentence):
        second = clauses.second_share(sentence.text[fact.end:])
        if second is None:
            continue
        value, start, _ = second
        first_arm = next((a for p, a in mentions if fact.start <= p < fact.end + start), None)
        second_arm = next((a for p, a in mentions if p >= fact.end + start and a != first_arm), None)
        if first_arm is None or second_arm is None:
            continue
        per_arm.setdefault(first_arm, []).append(tox)
        per_arm.setdefault(second_arm, []).append(tox.model_copy(update={"pct": value}))
    return per_arm


def _with_complement(mentions: list[Mention], sentence: Sentence) -> list[Mention]:
    """A pair of figures and one side of a binary marker named ("marker-positive tumours were
    associated with ... (16 vs. 24.8 months)"): the other side is the other cohort, first when the
    named side comes after "compared with"."""
    labels = list(dict.fromkeys(label for _, label in mentions))
    other = discourse.complement_of(labels[0]) if len(labels) == 1 else None
    if other is None:
        return mentions
    position = mentions[0][0]
    named_second = discourse.names_comparison(sentence.text[:position])
    return sorted(mentions + [(-1 if named_second else len(sentence.text), other)])


def _cited_in_clause(sentence: Sentence, position: int) -> bool:
    """Does the clause holding ``position`` cite a study (or the sentence cite none at all)? A design
    word in another clause than the citation describes other studies."""
    cites = [f.start for f in sentence.of("CITATION")] + [at for at, _ in discourse.bracket_refs(sentence.text)]
    if not cites:
        return True
    breaks = discourse.clause_starts(sentence.text) + [len(sentence.text) + 1]
    clause = next(i for i in range(len(breaks) - 1) if breaks[i] <= position < breaks[i + 1])
    return any(breaks[clause] <= at < breaks[clause + 1] for at in cites)


def _compared_within_subgroup(sentence: Sentence, placed: list[Placed]) -> str | None:
    """"among biliary and gastric primaries, ... 30% and 10% with A and B": arms compared within the
    one subgroup the tagger names (with no size of its own: a part of each arm, not a new series)."""
    named = [f.value for f in sentence.of("SUBGROUP") if isinstance(f.value, dict) and f.value.get("label")]
    arms = {item.arm for item in placed}
    if len(named) != 1 or named[0].get("n") or len(arms) < 2 or None in arms:
        return None
    return named[0]["label"]


def _after_failure(sentence: Sentence, fact) -> str:
    """"first line" said of the treatment after a first line failed is the second line."""
    if fact.value == "first" and discourse.after_first_line(sentence.text[:fact.start], sentence.text[fact.end:]):
        return "second"
    return fact.value
