"""Field normalization from text (records/normalize.py): sites, line, design, populations, citations."""

import pytest

from gepnec_extract.model import Design, PrimarySite
from gepnec_extract.records.normalize import (parse_citation, parse_design, parse_line, parse_sites, population_of,
                                              single_site, sites_in_sentence, study_id)


def test_sites_listed_in_a_sentence_about_the_primary_tumour():
    text = ("The primary tumour arose in the stomach in 9 patients, the small bowel in 4 and the pancreas in two, "
            "and it was unknown in three.")
    assert sites_in_sentence(text) == [PrimarySite(site="stomach", n=9), PrimarySite(site="small intestine", n=4),
                                       PrimarySite(site="pancreas", n=2), PrimarySite(site="unknown primary", n=3)]
    assert sites_in_sentence("Responses were seen in the pancreas in 4 patients.") == []  # not about the primary
    assert sites_in_sentence("The primary site was the rectum in 30% of patients.") == []  # a share, not a count


def test_site_cells():
    assert parse_sites("GEP (14); lung (1); UPS (3)") == [
        PrimarySite(site="gastroenteropancreatic", n=14), PrimarySite(site="lung", n=1),
        PrimarySite(site="unknown primary", n=3)]
    # a total whose parts follow in brackets is not a site of its own
    assert [s.site for s in parse_sites("GEP (21; pancreas, 10; gallbladder, 8)")] == ["pancreas", "gallbladder"]
    # figures with decimals are percentages: sites kept, counts not
    assert parse_sites("Lung (25), pancreas (37.5)") == [PrimarySite(site="lung"), PrimarySite(site="pancreas")]
    assert single_site("Esophageal NEC") == "esophagus"
    assert single_site("NETs of the stomach") == "stomach"
    assert single_site("Pancreas and liver") is None


@pytest.mark.parametrize("text, line", [
    ("First line", "first"), ("Second line (previously failed platinum)", "second"),
    ("Prior tx permitted", "mixed"), ("Second line (n = 10) Third or beyond (n = 7)", "mixed"),
    ("First line (pretreated with SSAs)", "first"), ("41% of patients were pretreated", "mixed"), ("R", None),
])
def test_line(text, line):
    assert parse_line(text) == line


def test_design_cells():
    assert parse_design("P; multicenter phase 2 trial") == Design(prospective=True, randomized=False, phase="2",
                                                                 centers="multi")
    assert parse_design("R") == Design(prospective=False, randomized=False)
    assert parse_design("Summary of findings") is None


@pytest.mark.parametrize("text, population", [
    ("Carcinoid WDNET", "WDNET"), ("PDNEC/Atypical", "PDNEC"), ("NEC", "NEC"),
    ("esophageal neuroendocrine carcinoma", "GEPNEC"), ("colorectal adenocarcinoma", None),
    ("extensive small-cell lung cancer", "SCLC"), ("Regimen A", None),
    ("advanced low- or intermediate-grade pancreatic NETs", "WDNET"), ("intermediate-grade tumours", "WDNET"),
    ("high-grade neuroendocrine neoplasms", "mixed"),
])
def test_population(text, population):
    assert population_of(text) == population


def test_a_papers_generic_net_title_is_refined_by_the_grade_its_abstract_names():
    from gepnec_extract.model import Block, Document, Metadata
    from gepnec_extract.records.context import document_population

    def paper(abstract: str) -> Document:
        return Document(doc_id="p", metadata=Metadata(title="Drugamab for advanced neuroendocrine tumours"),
                        blocks=[Block(page=1, section="Abstract", text=abstract)])

    assert document_population(paper("We enrolled patients with low-grade pancreatic NETs.")) == "WDNET"
    assert document_population(paper("We enrolled patients with pancreatic NETs.")) == "NET"


def test_citations_and_study_ids():
    assert parse_citation("Smith (1991) [16]") == ("Smith", 1991, 16)
    assert parse_citation("Jones et al. 2006 [32, 33]") == ("Jones", 2006, 32)
    assert study_id("Sjöberg", 2001) == "Sjoberg2001"
    assert study_id(None, None, "CheckMate 032") == "CheckMate032"


@pytest.mark.parametrize("label, population", [
    ("Ki-67 <2%", "WDNET"), ("Ki-67 2–20%", "WDNET"), ("Ki-67 ≤20%", "WDNET"),
    ("Ki-67 >20%", "NEC"), ("Ki-67 ≥50%", "NEC"),
    ("Ki-67 <50%", None), ("Ki-67 10–30%", None),  # a band across the grade 3 threshold names no type
    ("Pancreatic", None),
])
def test_a_ki67_band_names_its_tumour_grade(label, population):
    from gepnec_extract.records.normalize import grade_population

    assert grade_population(label) == population


def test_subgroups_by_ki67_band_of_both_grades_make_the_series_and_its_site_subgroups_mixed():
    from gepnec_extract.model import Document, Metadata, Table
    from gepnec_extract.records import build_context
    from gepnec_extract.records.tables import records_from_table

    table = Table(label="Table 1", page=2, header_rows=1, rows=[
        ["Subgroup", "Patients, n", "Partial response, n (%)"],
        ["Primary site", "", ""], ["Pancreatic", "12", "3 (25)"], ["Other", "10", "1 (10)"],
        ["Ki-67 index", "", ""], ["<3%", "6", "1 (17)"], ["3–20%", "11", "2 (18)"], [">20%", "5", "1 (20)"],
        ["All patients", "22", "4 (18)"],
    ])
    document = Document(doc_id="own", metadata=Metadata(title="Drugamab for neuroendocrine tumours",
                                                        first_author="Quill", year=2016), tables=[table])
    arms = {c.arm: c.values["population"] for c in records_from_table(table, build_context(document))}
    assert arms["Ki-67 <3%"] == "WDNET" and arms["Ki-67 3–20%"] == "WDNET" and arms["Ki-67 >20%"] == "NEC"
    assert arms["Pancreatic"] == arms["Other"] == arms["All patients"] == "mixed"
