"""Real publisher PDFs from other fields: extraction runs on each, and a table that only lists
cited studies (designs, another outcome) gives no records."""

from __future__ import annotations

import pytest

from gepnec_extract.ingest.pdf import read_pdf
from gepnec_extract.records import extract_records

from ..conftest import shared_files


@pytest.mark.parametrize("path", shared_files("real", "*.pdf"), ids=lambda p: p.stem)
def test_every_real_paper_extracts(path):
    records = extract_records(read_pdf(path))
    for record in records:  # whatever is found is a well-formed record with evidence
        assert record.study_id and record.evidence


def test_a_table_of_study_designs_is_not_a_table_of_cohorts(shared_corpus):
    # a meta-analysis: "First author (year) | Study type | Incidence (95% CI) | Cancer (chemotherapy) | Dose"
    records = extract_records(read_pdf(shared_corpus / "real" / "real01-seretny2014.pdf"))
    assert records == []


def test_a_review_of_marker_studies_gives_no_survival_record(shared_corpus):
    # a meta-analysis table flattened into text ("OS NR 50 ..."): several figures of one kind and no
    # cohort to give them to are not the whole series' (regression: a figure-less study became a record)
    records = extract_records(read_pdf(shared_corpus / "real" / "real06-li2016.pdf"))
    assert records == []
