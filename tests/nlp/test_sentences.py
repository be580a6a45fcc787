"""gepnec_sentences: sentence starts for scientific prose, and its setting in config.cfg."""

from __future__ import annotations

from .tag_helpers import build_with

AFTER_ET_AL = "Quill et al. Overall, the regimen was active. Thorne et al. Zorbimab was given."


def sentences(nlp, text):
    return [s.text for s in nlp(text).sents]


def test_a_frequent_capitalised_word_after_et_al_opens_a_sentence_and_a_surname_does_not(nlp):
    assert sentences(nlp, "Thorne et al. Overall, the regimen was active.") == [
        "Thorne et al.", "Overall, the regimen was active."]
    assert sentences(nlp, "As Thorne et al. Quill reported, the regimen was active.") == [
        "As Thorne et al. Quill reported, the regimen was active."]


def test_periods_inside_sentences_end_nothing(nlp):
    text = "Drug X 50 mg/m2 vs. 40 mg/m2, p = .02 (Table 2). Toxicity was mild."
    assert sentences(nlp, text) == ["Drug X 50 mg/m2 vs. 40 mg/m2, p = .02 (Table 2).", "Toxicity was mild."]


def test_the_opener_threshold_is_the_configured_setting(nlp):
    assert nlp.get_pipe("gepnec_sentences").opener_zipf == 4.5  # config.cfg
    # no English word is this frequent: after "et al." nothing opens a sentence any more
    strict = build_with({"components.gepnec_sentences.opener_zipf": 9.0})
    assert sentences(strict, "Thorne et al. Overall, the regimen was active.") == [
        "Thorne et al. Overall, the regimen was active."]


def test_every_sentence_of_the_review_ends_at_a_terminal_or_a_blank_line(tagged_review):
    long_blocks = [b.doc for b in tagged_review.blocks if len(b.doc.text) > 300]
    assert len(long_blocks) > 10
    assert sum(len(list(doc.sents)) for doc in long_blocks) > 3 * len(long_blocks)
    for doc in long_blocks:
        sents = list(doc.sents)
        for sent, following in zip(sents, sents[1:]):
            words = [t for t in sent if not t.is_space]
            blank_line = "\n\n" in doc.text[words[-1].idx : following.start_char] if words else True
            assert blank_line or words[-1].text in (".", "!", "?") or words[-1].lower_ == "al.", sent.text
