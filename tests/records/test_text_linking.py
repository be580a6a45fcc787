"""Study linking (records/text_linking.py) on real sentences of the review and dev papers, read
through the real tagger: which study each sentence speaks of."""

from __future__ import annotations

from gepnec_extract.records.text_linking import (
    back_reference,
    bare_reference,
    cites_for_comparison,
    cut,
    resumed,
    several_studies,
)

from .text_reading import Reading, dev_context, paragraph_with, review_context, sentence_with

NODA_TRIAL = "trial conducted by Noda et al."
NODA_BACK_REFERENCE = "whereas the cisplatin/irinotecan group had more frequent diarrhea"


def _link(reading: Reading, paragraph, current=None):
    """Each sentence's (cites, study) as the reader links them, the current study carried along."""
    linked = []
    for sentence in paragraph:
        cites, study = reading.linker.cited(sentence, current)
        if cites:
            current = study
        linked.append((sentence, cites, study))
    return linked


def test_an_author_citation_without_a_number_takes_the_bare_reference_of_the_next_sentence():
    # "... trial conducted by Noda et al. reported ..." then "... than the cisplatin/etoposide group [36]."
    reading = Reading(review_context())
    linked = _link(reading, paragraph_with(reading.ctx, NODA_TRIAL))
    noda = next(study for sentence, _, study in linked if NODA_TRIAL in sentence.text)
    back = next(study for sentence, _, study in linked if NODA_BACK_REFERENCE in sentence.text)
    assert (noda.first_author, noda.from_table) == ("Noda", False)
    assert back is noda and noda.ref == 36
    assert noda in reading.state.studies and not noda.table_arms


def test_a_bare_reference_with_no_study_before_it_is_a_study_known_by_its_number():
    reading = Reading(review_context())
    cites, study = reading.linker.cited(sentence_with(reading.ctx, NODA_BACK_REFERENCE), None)
    assert cites and (study.first_author, study.ref, study.acronym) == (None, 36, "Ref36")
    assert bare_reference(sentence_with(reading.ctx, NODA_BACK_REFERENCE))
    assert not bare_reference(sentence_with(reading.ctx, NODA_TRIAL))


def test_the_number_left_over_by_the_other_citation_is_the_first_authors():
    # "A phase III clinical trial by Lara et al. ... reported by Noda et al. [36, 38]": 38 is Lara's
    reading = Reading(review_context())
    linked = _link(reading, paragraph_with(reading.ctx, NODA_TRIAL))
    lara = next(study for sentence, _, study in linked if "trial by Lara et al." in sentence.text)
    noda = reading.linker.find("Noda", None, None)
    assert (lara.first_author, lara.ref) == ("Lara", 38)
    assert noda is not lara and noda.ref == 36
    assert reading.linker.find(None, None, 38) is lara


def test_a_sentence_citing_two_studies_is_of_neither():
    ctx = review_context()
    assert several_studies(sentence_with(ctx, "Although the Lara et al. and Noda et al. studies"))
    assert not several_studies(sentence_with(ctx, NODA_TRIAL))


def test_a_citation_of_a_tabulated_study_links_to_the_tables_study():
    # "... led Moertel et al. (1991) to conduct the first study ... [16]": the tables' Moertel 1991, ref 16
    reading = Reading(review_context())
    tabulated = reading.linker.find("Moertel", 1991, None)
    assert tabulated is not None and tabulated.from_table and tabulated.ref == 16
    assert "NEC" in tabulated.table_arms
    count = len(reading.state.studies)
    cites, study = reading.linker.cited(sentence_with(reading.ctx, "led Moertel et al. (1991) to conduct"), None)
    assert cites and study is tabulated
    assert len(reading.state.studies) == count  # no new study


def test_without_the_tables_the_same_citation_is_a_new_study_completed_from_the_reference_list():
    reading = Reading(review_context(), tables=False)
    assert reading.state.studies == []
    cites, study = reading.linker.cited(sentence_with(reading.ctx, "led Moertel et al. (1991) to conduct"), None)
    assert (study.first_author, study.year, study.from_table) == ("Moertel", 1991, False)
    assert reading.state.studies == [study]


def test_a_study_described_before_its_reference_takes_the_sentences_before_it():
    # "A single-institution, retrospective analysis was conducted in 32 patients ..." then
    # "This study found that ... (75% vs. 11.8%; p = .02) [93]."
    reading = Reading(review_context())
    paragraph = paragraph_with(reading.ctx, "retrospective analysis was conducted in 32 patients")
    described = next(s for s in paragraph if "conducted in 32 patients" in s.text)
    found = next(s for s in paragraph if "This study found" in s.text)
    assert reading.linker.cited(described, None) == (False, None)
    _, study = reading.linker.cited(found, None)
    assert study.ref == 93
    assert back_reference(found, study, None, [described])
    assert not back_reference(found, study, study, [described])  # already the current study
    assert not back_reference(found, study, None, [])


def test_a_citation_compared_with_is_other_work():
    # "The etoposide regimen was less than that used by Moertel et al. (100 mg/m2 vs. 130 mg/m2)"
    ctx = review_context()
    assert cites_for_comparison(sentence_with(ctx, "less than that used by Moertel et al."))
    assert not cites_for_comparison(sentence_with(ctx, NODA_TRIAL))


def test_a_primary_papers_own_study_is_known_first_and_its_citations_are_other_work():
    # "... such as the 41.5% response rate ... reported by Mitry et al. [1]." in the paper's Discussion
    reading = Reading(dev_context("d09-lu2013"))
    own = reading.state.own
    assert own is reading.state.studies[0] and (own.first_author, own.year) == ("Lu", 2013)
    citing = sentence_with(reading.ctx, "reported by Mitry et al. [1]")
    assert reading.linker.cited(citing, own) == (True, None)
    assert reading.linker.find("Mitry", None, 1) is None  # no study of its own


def test_a_paragraph_ending_mid_sentence_goes_on_in_the_next_lower_case_one():
    reading = Reading(review_context())
    study = reading.linker.new_study("Noda", None)
    ended = paragraph_with(reading.ctx, NODA_TRIAL)
    assert cut(ended, study, "IP", None) is None  # it ends with a full stop
    broken = (study, "IP", 0)
    opens_lower = [_retexted(ended[0], "with a median OS of 9 months.")]
    assert resumed(opens_lower, None, None, broken) == (study, "IP", None)
    # an upper-case paragraph (a table footnote) may sit in between, but only one
    current, arm, pending = resumed(ended, None, None, broken)
    assert (current, arm, pending) == (None, None, (study, "IP", 1))
    assert resumed(ended, None, None, pending)[2] is None


def _retexted(sentence, text: str):
    from dataclasses import replace

    return replace(sentence, text=text)
