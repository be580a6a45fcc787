"""Records from running text: figures linked to their study through citations and context.

The reading is three steps over one ``TextState`` (``text_state.py``):

- study linking (``text_linking.py``): which study each sentence speaks of. A primary paper's
  study is the paper itself; in a review a citation makes its study current for the rest of the
  paragraph until another is cited;
- placement (``text_placement.py``, arms in ``text_arms.py``): which arm of that study each of
  the sentence's facts goes to;
- cohort building (``text_cohorts.py``): one cohort per (study, arm) the text gives values for.
"""

from __future__ import annotations

from ..nlp import discourse
from .cohort import Cohort
from .context import DocContext
from .text_arms import ArmNames
from .text_cohorts import CohortBuilder
from .text_linking import Broken, StudyLinker, back_reference, cut, resumed, several_studies
from .text_placement import Placer
from .text_sentences import Sentence, paragraphs
from .text_state import StudyState, TextState


class TextReader:
    def __init__(self, ctx: DocContext, table_cohorts: list[Cohort] | None = None) -> None:
        self.ctx = ctx
        self.primary = ctx.own_study is not None
        self.state = TextState(primary=self.primary)
        self.linker = StudyLinker(ctx, self.state)
        self.linker.learn_tables(table_cohorts)
        self.arms = ArmNames(ctx, self.state)
        self.placer = Placer(ctx, self.state, self.arms)

    def read(self) -> None:
        carried: tuple[str | None, str | None] = (None, None)  # (section, arm) at the end of a paragraph
        broken: Broken = None
        read = paragraphs(self.ctx)
        if self.primary:
            self.arms.prepass(read)
        for paragraph in read:
            current = self.state.own
            arm: str | None = None
            if self.primary and self.state.own.text_arms and paragraph[0].section == carried[0]:
                arm = carried[1]  # a paper of named trials: the one spoken of goes on in the next paragraph
            current, arm, broken = resumed(paragraph, current, arm, broken)
            current, arm = self._read_paragraph(paragraph, current, arm)
            carried = (paragraph[-1].section, arm)
            broken = cut(paragraph, current, arm, broken)

    def _read_paragraph(self, paragraph: list[Sentence], current: StudyState | None,
                        arm: str | None) -> tuple[StudyState | None, str | None]:
        """Link and place each sentence; returns the study and arm spoken of at the end."""
        last_doses: list = []
        pending: list[Sentence] = []  # a review's sentences about a study not yet cited
        for sentence in paragraph:
            cites, study = self.linker.cited(sentence, current)
            if back_reference(sentence, study, current, pending):
                for earlier in pending:
                    self.placer.read_sentence(earlier, study, None, [])
            if cites:
                pending = []
            if study is not None:
                self.linker.describe_population(study, paragraph, sentence)
            if cites:
                if study is not current:
                    arm = None
                current = study
            elif self.primary and discourse.speaks_of_own_series(sentence.text):
                current = self.state.own
            if current is None:
                if not self.primary:
                    pending.append(sentence)
                continue
            if self._skipped(sentence):
                continue
            arm, last_doses = self.placer.read_sentence(sentence, current, arm, last_doses)
        return current, arm

    def _skipped(self, sentence: Sentence) -> bool:
        """A primary paper's framing sentence that does not speak of its own series (the
        Introduction's other work), or a review's sentence citing several studies at once ("X et
        al. and Y et al. used ...": whose figure is it?)."""
        if self.primary:
            return sentence.framing and not discourse.speaks_of_own_series(sentence.text) and sentence.kind != "title"
        return several_studies(sentence)

    def cohorts(self) -> list[Cohort]:
        return CohortBuilder(self.ctx, self.state).cohorts()


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
