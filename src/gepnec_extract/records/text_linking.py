"""Study linking: which study a sentence of the running text speaks of.

- A primary paper's study is the paper itself; a sentence citing other work speaks of that work
  (its figures are not read), and the text returns to its own series when it says so ("we", "our").
- In a review, a citation makes its study current for the rest of the paragraph until another is
  cited. "[37]" is resolved through the studies the tables name with that number, "Jones et al."
  through the surname, and both are completed from the document's reference list; a study
  reported only in the text becomes a new study.
- A paragraph cut mid-sentence by a table or a page goes on in the next one that opens in lower case.
"""

from __future__ import annotations

from ..nlp import discourse
from ..nlp.phrases import population_of
from ..nlp.references import same_surname
from .cohort import Cohort
from .context import DocContext
from .tables import records_from_table
from .text_sentences import Sentence
from .text_state import StudyState, TextState

# (study, arm, paragraphs since) of a paragraph cut mid-sentence, or None
Broken = tuple[StudyState | None, str | None, int] | None


class StudyLinker:
    def __init__(self, ctx: DocContext, state: TextState) -> None:
        self.ctx = ctx
        self.state = state
        own = ctx.own_study
        if own is not None:
            # completed from the reference list like any study: the linking knows no own study yet
            state.own = self.new_study(own.first_author, own.year, own.ref, own.acronym)

    # --- the studies known ---------------------------------------------------------------------

    def new_study(self, author, year, ref=None, acronym=None, from_table=False) -> StudyState:
        study = self.complete(StudyState(author, year, ref, acronym, from_table))
        self.state.studies.append(study)
        return study

    def complete(self, study: StudyState) -> StudyState:
        """First author, year and reference number the citation leaves out, from the document's
        reference index ("[7]" -> Roe 2011; "Roe et al." -> [7], 2011)."""
        if study is self.state.own:
            return study
        entry = self.ctx.references.lookup(study.first_author, study.year, study.ref)
        if entry is None:
            return study
        if study.first_author is None and entry.first_author:
            study.first_author, study.acronym = entry.first_author, None
        study.year = study.year or entry.year
        study.ref = study.ref or entry.number
        return study

    def learn_tables(self, table_cohorts: list[Cohort] | None) -> None:
        """The studies and arms the tables name (the tables' cohorts, read again when not given)."""
        cohorts = table_cohorts
        if cohorts is None:
            cohorts = [c for table in self.ctx.document.tables for c in records_from_table(table, self.ctx)]
        for cohort in cohorts:
            ref = cohort.study
            study = self.find(ref.first_author, ref.year, ref.ref) if ref.first_author else None
            if study is None:
                study = self.new_study(ref.first_author, ref.year, ref.ref, ref.acronym, from_table=True)
            drugs = (cohort.values.get("drugs") or self.ctx.drugs_of(cohort.arm)) if cohort.arm_key else None
            study.learn_table_cohort(cohort, drugs)

    def find(self, author: str | None, year: int | None, ref: int | None) -> StudyState | None:
        """The known study of that reference number, else the only one of that first author."""
        if ref is not None:
            hit = next((s for s in self.state.studies if s.ref == ref), None)
            if hit is not None:
                return hit
        if author:
            same = [s for s in self.state.studies if s.first_author and s.first_author.lower() == author.lower()
                    and (year is None or s.year in (None, year))]
            if len(same) == 1:
                return same[0]
        return None

    def may_be(self, study: StudyState, ref: int) -> bool:
        """Could reference ``ref`` be this study? Not when the reference list names another author."""
        entry = self.ctx.references.get(ref)
        return entry is None or not entry.first_author or not study.first_author \
            or same_surname(entry.first_author, study.first_author)

    # --- the study a sentence cites -------------------------------------------------------------

    def cited(self, sentence: Sentence, current: StudyState | None) -> tuple[bool, StudyState | None]:
        """(does the sentence cite anything, the study it is about)."""
        named = [f.value for f in sentence.of("CITATION") if isinstance(f.value, dict) and not other_work(f)]
        refs = [group for _, group in discourse.bracket_refs(sentence.text)]
        known = [s.acronym for s in self.state.studies if s.acronym and not s.acronym.startswith("Ref")]
        trial = discourse.trial_acronym(sentence.text, known)
        if not named and not refs and not trial:
            return False, None
        if self.state.primary:
            return True, None  # a primary paper's citations are other work
        single_ref = int(refs[0]) if len(refs) == 1 and refs[0].isdigit() else None
        if named:
            return True, self._named_study(sentence, named, single_ref)
        if trial:
            return True, self._trial_study(trial, single_ref)
        if single_ref is not None:
            return True, self._numbered_study(single_ref, current)
        return True, None  # several references at once: no single study

    def _named_study(self, sentence: Sentence, named: list[dict], single_ref: int | None) -> StudyState:
        """The study of the sentence's first author citation ("Roe et al. [7]"), known or new."""
        self._fill_leftover_ref(sentence, named)
        first = named[0]
        ref = first.get("ref") or (single_ref if len(named) == 1 else None)
        study = self.find(first["first_author"], first.get("year"), ref)
        if study is not None and study.first_author is None:  # known by its number only so far
            study.first_author, study.acronym = first["first_author"], None
        if study is None:
            study = self.new_study(first["first_author"], first.get("year"), ref)
        elif study.ref is None and ref is not None:
            study.ref = ref
        if study.year is None and first.get("year"):
            study.year = first["year"]
        return self.complete(study)

    def _trial_study(self, trial: str, single_ref: int | None) -> StudyState:
        """The study a trial name stands for ("the ALPHA trial")."""
        return next((s for s in self.state.studies if s.acronym == trial), None) \
            or self.new_study(None, None, single_ref, trial)

    def _numbered_study(self, ref: int, current: StudyState | None) -> StudyState:
        """A bare "[12]": the study of that number, else the current study when the number may be
        its own (cited by name before), else a study known by its number only."""
        study = self.find(None, None, ref)
        if study is None and current is not None and current.ref is None and self.may_be(current, ref):
            current.ref = ref
            return self.complete(current)
        if study is None:
            study = self.new_study(None, None, ref, f"Ref{ref}")
        return study

    def _fill_leftover_ref(self, sentence: Sentence, named: list[dict]) -> None:
        """"Doe et al. ... reported by Roe et al. [36, 38]": the number not Roe's is Doe's."""
        if named[0].get("ref") is not None:
            return
        numbers = discourse.bracket_ref_numbers(sentence.text)
        others = {f.value.get("ref") for f in sentence.of("CITATION") if isinstance(f.value, dict)} - {None}
        others |= {s.ref for s in self.state.studies if s.first_author and s.first_author != named[0]["first_author"]}
        leftover = numbers - others
        if len(leftover) == 1:
            named[0]["ref"] = leftover.pop()

    # --- a review's paragraph ----------------------------------------------------------------------

    def describe_population(self, study: StudyState, paragraph: list[Sentence], sentence: Sentence) -> None:
        """The population of a review's study known only from the text: the one its paragraph speaks
        of, "mixed" once the paragraph says only part of the series is poorly differentiated."""
        if self.state.primary:
            return
        if not study.from_table and study.population is None:
            study.population = population_of(" ".join(s.text for s in paragraph))
        if study.population != "mixed" and any(s.of("MIXED_SERIES") for s in paragraph[:paragraph.index(sentence) + 1]):
            # "24 patients with neuroendocrine tumours, nine of them poorly differentiated"
            study.population = "mixed"


def other_work(fact) -> bool:
    """A citation the sentence compares with ("similar to that reported by X"): other work (gepnec_context)."""
    return "OTHER_STUDY" in fact.context


def cites_for_comparison(sentence: Sentence) -> bool:
    return any(other_work(f) for f in sentence.of("CITATION"))


def bare_reference(sentence: Sentence) -> bool:
    """A sentence citing one number and no author ("... in 32 patients [93].")."""
    refs = discourse.bracket_refs(sentence.text)
    return not sentence.of("CITATION") and len(refs) == 1 and refs[0][1].isdigit()


def back_reference(sentence: Sentence, study: StudyState | None, current: StudyState | None,
                   pending: list[Sentence]) -> bool:
    """Does a bare reference name the study the uncited sentences before it describe? ("A
    retrospective analysis was conducted in 32 patients. This study found ... [93].")"""
    return study is not None and study is not current and bool(pending) and bare_reference(sentence) \
        and any(discourse.describes_a_study(p.text) for p in pending)


def several_studies(sentence: Sentence) -> bool:
    """"X et al. and Y et al. used ...": a figure of several studies at once."""
    authors = {f.value.get("first_author") for f in sentence.of("CITATION") if isinstance(f.value, dict)
               and not other_work(f)}
    return len(authors) > 1


def resumed(paragraph: list[Sentence], current, arm, broken: Broken):
    """A paragraph that opens in lower case goes on with the study of the paragraph a table or
    page cut mid-sentence ("... Among the 18 patients" | table | "with ... was 67%"); a table
    footnote may sit in between. Returns (current, arm, broken)."""
    if broken is None:
        return current, arm, None
    if paragraph[0].text[:1].islower():
        return broken[0], broken[1], None
    return current, arm, (None if broken[2] >= 1 else (broken[0], broken[1], broken[2] + 1))


def cut(paragraph: list[Sentence], current, arm, broken: Broken) -> Broken:
    """(study, arm, 0) when the paragraph ends mid-sentence, else what was pending."""
    if paragraph[-1].kind == "paragraph" and paragraph[-1].text.rstrip()[-1:] not in ".!?:;":
        return (current, arm, 0)
    return broken
