"""pipeline: one paper ingested, tagged once, and its records read from that tagging."""

from __future__ import annotations

import collections

from gepnec_extract import batch
from gepnec_extract.nlp import get_nlp
from gepnec_extract.nlp.render import fact_view
from gepnec_extract.nlp.document import tag_document
from gepnec_extract.records import extract_records

from .conftest import REVIEW_PDF


def test_a_paper_is_tagged_once_and_its_records_and_stored_facts_come_from_that_tagging(monkeypatch):
    nlp = get_nlp()
    texts_made = collections.Counter()
    make_doc = nlp.make_doc

    def counting(text):
        texts_made[text] += 1
        return make_doc(text)

    monkeypatch.setattr(nlp, "make_doc", counting)
    payload = batch.extract_payload(REVIEW_PDF)
    assert payload["status"] == "ok" and payload["records"]
    paragraphs = [b["text"] for b in payload["document"]["blocks"] if b["kind"] == "paragraph"]
    # each body block's Doc is made once: the pass reading abbreviation definitions goes on into the
    # full tagging (records and the stored facts used to tag it twice more, each on its own)
    assert paragraphs and collections.Counter(texts_made[t] for t in paragraphs) == {1: len(paragraphs)}

    # the same records and stored facts as a tagging of its own: the records steps leave the
    # tagged Doc as the tagger left it (a citation they complete is completed in a copy)
    monkeypatch.undo()
    from gepnec_extract.model import Document

    document = Document.model_validate(payload["document"])
    fresh = tag_document(document)
    assert fact_view(fresh) == payload["tagged"]
    again = [{**r.model_dump(mode="json"), "doc_id": document.doc_id} for r in extract_records(document)]
    assert again == payload["records"]
