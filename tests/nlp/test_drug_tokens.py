"""gepnec_drug_tokens: joined drug names split into tokens before anything else reads them."""

from __future__ import annotations

from .tag_helpers import build_with


def words(nlp, text):
    return [t.text for t in nlp(text)]


def test_joined_drugs_and_drug_suffixes_are_split(nlp):
    assert words(nlp, "cisplatin/etoposide or oxaliplatin-based") == [
        "cisplatin", "/", "etoposide", "or", "oxaliplatin", "-", "based"]


def test_a_joined_pair_of_unknown_words_stays_one_token(nlp):
    assert words(nlp, "zorb/quux was given") == ["zorb/quux", "was", "given"]


def test_the_splitter_reads_the_lexicon_of_gepnec_drugs_threshold(nlp):
    assert nlp.get_pipe("gepnec_drug_tokens").settings == nlp.get_pipe("gepnec_drugs").settings
    # config.cfg interpolates gepnec_drugs' threshold: one value to change, both components follow
    changed = build_with({"components.gepnec_drugs.ordinary_word_zipf": 3.5})
    assert changed.get_pipe("gepnec_drug_tokens").settings.ordinary_word_zipf == 3.5


def test_review_regimens_written_with_slashes_reach_the_tagger_as_separate_drugs(tagged_review):
    slashed = [s for _, s in tagged_review.spans("REGIMEN") if "/" in s.text]
    assert slashed
    for span in slashed:
        assert all(t.text == "/" or "/" not in t.text for t in span), span.text


def test_the_kept_text_of_a_doc_is_its_text_after_the_splits(nlp):
    """grammar.doc_text keeps a Doc's text once read; the tokens split here keep that text true."""
    from gepnec_extract.nlp.grammar import doc_text

    doc = nlp.make_doc("cisplatin/etoposide 4 cycles,\noxaliplatin-based  zorb/quux")
    before = doc_text(doc)
    doc = nlp.get_pipe("gepnec_drug_tokens")(doc)
    assert len(doc) > len(nlp.make_doc(doc.text))  # joined drugs were split
    assert doc_text(doc) == before == doc.text
    doc.user_data[("gepnec", "text")] = "kept"
    assert doc_text(doc) == "kept"  # read from the kept copy, not rebuilt
