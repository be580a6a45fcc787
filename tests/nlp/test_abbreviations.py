"""Abbreviations resolve document-wide: on the review, and from body text into table cells."""

from __future__ import annotations

import pytest

from gepnec_extract.model import Block, Document, Table
from gepnec_extract.nlp import tag_document
from gepnec_extract.nlp.drugs import resolve_short_form

from .tag_helpers import facts

REVIEW_DEFINITIONS = {
    # short form: words its long form must contain (body-text definitions and table-footnote glossaries)
    "CAPTEM": ["capecitabine", "temozolomide"],
    "XELOX": ["capecitabine", "oxaliplatin"],
    "FOLFIRI": ["leucovorin", "irinotecan"],
    "IP": ["cisplatin"],
    "PDNEC": ["poorly differentiated neuroendocrine"],
    "WDNET": ["well", "differentiated neuroendocrine"],
}
REVIEW_REGIMENS = {
    "CAPTEM": ["capecitabine", "temozolomide"],
    "XELOX": ["capecitabine", "oxaliplatin"],
    "FOLFIRI": ["fluorouracil", "irinotecan", "leucovorin"],
    "IP": ["cisplatin", "irinotecan"],  # the glossary prints "irinotechan/cisplatin": matched despite the typo
}


@pytest.mark.slow
def test_review_definitions_are_found(tagged_review):
    abbreviations = tagged_review.abbreviations
    print({k: abbreviations.get(k) for k in REVIEW_DEFINITIONS})
    for short, words in REVIEW_DEFINITIONS.items():
        assert short in abbreviations, short
        assert all(w in abbreviations[short].lower() for w in words), (short, abbreviations[short])


@pytest.mark.slow
def test_review_regimen_acronyms_resolve_in_text_and_table_cells(tagged_review):
    seen: dict[str, set] = {}
    for part, span in tagged_review.spans("REGIMEN"):
        if span.text in REVIEW_REGIMENS:
            assert span._.value == REVIEW_REGIMENS[span.text], (span.text, span._.value)
            seen.setdefault(span.text, set()).add("cell" if hasattr(part, "row") else "text")
    assert {"CAPTEM", "XELOX", "FOLFIRI", "IP"} <= set(seen)
    assert "cell" in seen["IP"]  # IP is only ever defined in a footnote, used in cells


def test_ep_resolves_from_the_vocabulary_unless_the_document_says_otherwise():
    # The review never prints EP; the regimen vocabulary knows it, and a document's own definition wins.
    assert resolve_short_form("EP", {}) == ["cisplatin", "etoposide"]
    assert resolve_short_form("EP", {"EP": "etoposide and carboplatin"}) == ["carboplatin", "etoposide"]
    assert resolve_short_form("EP", {"EP": "extrapulmonary"}) is None


def test_definition_in_body_text_reaches_table_cells(nlp):
    document = Document(
        doc_id="synthetic",
        blocks=[
            Block(page=1, text="Patients received etoposide and carboplatin (EP) or capecitabine and temozolomide (CAPTEM)."),
            Block(page=2, text="Later, EP was stopped in 4 patients."),
        ],
        tables=[Table(label="Table 1", page=3, header_rows=1, rows=[["Regimen", "RR, %"], ["EP", "40 (CR, 5; PR, 35)"]])],
    )
    tagged = tag_document(document, nlp)
    cell = next(c for c in tagged.cells if c.row == 1 and c.col == 0)
    assert [(s.label_, s._.value) for s in facts(cell.doc)] == [("REGIMEN", ["carboplatin", "etoposide"])]
    later_block = tagged.blocks[1].doc
    assert ("REGIMEN", ["carboplatin", "etoposide"]) in [(s.label_, s._.value) for s in facts(later_block)]
    responses = [s._.value for _, s in tagged.spans("RESPONSE")]
    assert responses == [{"kind": "cr", "pct": 5.0}, {"kind": "pr", "pct": 35.0}]
    record = next(r for r in tagged.records() if r["label"] == "REGIMEN" and r["source"].startswith("table"))
    assert record["source"] == "table:Table 1" and (record["row"], record["col"]) == (1, 0)


def test_a_detected_long_form_running_past_a_phrase_break_is_no_definition(nlp):
    """"Salvage options after platinum: doublets ... with irinotecan (FOLFIRI) or with oxaliplatin
    (FOLFOX)": the detector's long forms run past a colon or hold a bracket of another definition; the
    regimen acronyms then keep their vocabulary drugs."""
    doc = nlp("Salvage options after platinum: doublets of a fluoropyrimidine with irinotecan (FOLFIRI) or with "
              "oxaliplatin (FOLFOX). Later, FOLFOX was given to 20 patients.")
    assert "FOLFIRI" not in doc._.abbrev_map and "FOLFOX" not in doc._.abbrev_map
    regimens = [s._.value for s in facts(doc, "REGIMEN") if s.text == "FOLFOX"]
    assert regimens and all(value == ["fluorouracil", "leucovorin", "oxaliplatin"] for value in regimens)
    assert nlp("Patients received capecitabine plus temozolomide (CAPTEM).")._.abbrev_map["CAPTEM"] \
        == "capecitabine plus temozolomide"


def _everything_tagged(tagged) -> list:
    """Every Doc's tokens, sentences, abbreviation map and facts with their values."""
    return [([t.text for t in part.doc], [s.text for s in part.doc.sents], part.doc._.abbrev_map,
             [(s.label_, s.start_char, s.end_char, s._.value) for s in facts(part.doc)]) for part in tagged.parts()]


@pytest.mark.parametrize("name", ["review", "d09-lu2013", "d18-review-grouped"])
def test_blocks_resumed_from_the_definition_pass_are_tagged_as_from_scratch(nlp, monkeypatch, name):
    """The body blocks' Docs of the definition pass go on through the rest of the pipeline; every
    Doc, sentence, map and fact is what tagging each block from its text gives."""
    import gepnec_extract.nlp.document as tagging
    from gepnec_extract.ingest import ingest_file

    from .tag_helpers import REPO, REVIEW_PDF

    source = REVIEW_PDF if name == "review" else REPO.parent / "shared" / "corpus" / "dev" / f"{name}.pdf"
    document = ingest_file(source)
    made = []
    monkeypatch.setattr(nlp, "make_doc", lambda text, made_doc=nlp.make_doc: made.append(text) or made_doc(text))
    resumed = _everything_tagged(tag_document(document, nlp))
    assert made.count(document.blocks[0].text) == 1  # each block's Doc is made once
    monkeypatch.setattr(tagging, "_resumable", lambda nlp: False)
    assert resumed == _everything_tagged(tag_document(document, nlp))


def test_a_pipeline_with_other_pipes_among_the_definition_pipes_is_not_resumed(nlp):
    import spacy

    import gepnec_extract.nlp.document as tagging

    assert tagging._resumable(nlp)
    other = spacy.blank("en")
    for pipe in ("gepnec_drug_tokens", "sentencizer", "gepnec_sentences", "gepnec_abbreviations"):
        other.add_pipe(pipe)
    assert not tagging._resumable(other)
