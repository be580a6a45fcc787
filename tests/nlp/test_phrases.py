"""Phrases with a normalized value (nlp/phrases.py): sites, line, design, populations, citations, Ki-67 bands,
back references, whole-series labels, review titles; made-up labels and sentences."""

import pytest

from gepnec_extract.model import Design, PrimarySite
from gepnec_extract.nlp.phrases import (arm_key, bracketed_cohort, is_backref, is_review_title, parse_citation,
                                        parse_design, parse_line, parse_sites, population_of, single_site,
                                        site_name, sites_in_sentence, study_id)


def test_sites_listed_in_a_sentence_about_the_primary_tumour():
    text = ("The primary tumour arose in the stomach in 9 patients, the small bowel in 4 and the pancreas in two, "
            "and it was unknown in three.")
    assert sites_in_sentence(text) == [PrimarySite(site="stomach", n=9), PrimarySite(site="small intestine", n=4),
                                       PrimarySite(site="pancreas", n=2), PrimarySite(site="unknown primary", n=3)]
    assert sites_in_sentence("Responses were seen in the pancreas in 4 patients.") == []  # not about the primary
    assert sites_in_sentence("The primary site was the rectum in 30% of patients.") == []  # a share, not a count


def test_sites_listed_in_brackets_after_a_count():
    """A bracketed list of sites and counts is the series' primary sites, "primary" said or not."""
    text = "In all, 44 patients were treated (stomach, 20; pancreas, 14; colon and rectum, 6; other, 4)."
    assert sites_in_sentence(text) == [PrimarySite(site="stomach", n=20), PrimarySite(site="pancreas", n=14),
                                       PrimarySite(site="colorectal", n=6), PrimarySite(site="other", n=4)]
    assert [s.n for s in sites_in_sentence("Of 22 patients (pancreas 12, small bowel 4, unknown primary 6) ...")] == [12, 4, 6]
    # not a list of sites and counts alone: responses by site, shares, a range, places
    assert sites_in_sentence("Responses were seen (pancreas, 3 of 10; stomach 2).") == []
    assert sites_in_sentence("The series (pancreas 40%, stomach 20%) was small.") == []
    assert sites_in_sentence("They received a median of 4 cycles (range, 1-12).") == []
    assert sites_in_sentence("Two centres took part (Quillburg, 12; Marshton, 8).") == []


def test_counts_each_with_a_site_primary():
    text = "Of the 30 patients, 21 had a pancreatic primary, 6 a colorectal primary and three an unknown primary."
    assert sites_in_sentence(text) == [PrimarySite(site="pancreas", n=21), PrimarySite(site="colorectal", n=6),
                                       PrimarySite(site="unknown primary", n=3)]
    assert sites_in_sentence("Nine had a gastric primary.") == []  # one site: whose series is it?
    assert sites_in_sentence("The primary endpoint was met in 12 and 4 had a primary endpoint event.") == []


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
    ("≥2nd line", "mixed"), ("2nd–3rd line", "mixed"), ("1st/2nd line", "mixed"), ("Second line or later", "mixed"),
    ("third or fourth line", "third_plus"), ("≥3rd line", "third_plus"), ("2nd line", "second"),
    # the line before, named: the study's is the next
    ("drugamab after progression on first-line chemotherapy", "second"), ("second-line, after first-line EP", "second"),
])
def test_line(text, line):
    assert parse_line(text) == line


def test_design_cells():
    assert parse_design("P; multicenter phase 2 trial") == Design(prospective=True, randomized=False, phase="2",
                                                                 centers="multi")
    assert parse_design("R") == Design(prospective=False, randomized=False)
    assert parse_design("Summary of findings") is None
    assert parse_design("Phase Ib").phase == "1"  # a phase Ib trial is phase 1


@pytest.mark.parametrize("text, population", [
    ("Carcinoid WDNET", "WDNET"), ("PDNEC/Atypical", "PDNEC"), ("NEC", "NEC"),
    ("esophageal neuroendocrine carcinoma", "GEPNEC"), ("colorectal adenocarcinoma", None),
    ("extensive small-cell lung cancer", "SCLC"), ("Regimen A", None),
    ("advanced low- or intermediate-grade pancreatic NETs", "WDNET"), ("intermediate-grade tumours", "WDNET"),
    ("high-grade neuroendocrine neoplasms", "mixed"),
])
def test_population(text, population):
    assert population_of(text) == population


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
    from gepnec_extract.nlp.phrases import grade_population

    assert grade_population(label) == population


def test_back_references_to_the_row_above():
    assert is_backref("Same regimen") and is_backref("as above") and is_backref("Ditto.")
    assert not is_backref("Drugamab") and not is_backref("")


def test_every_spelling_of_the_whole_series_is_one_arm_key():
    assert arm_key("All patients") == arm_key("Total") == arm_key(" whole  cohort ") == arm_key(None) == ""
    assert arm_key("Ki-67 >20%") == "ki67>20%"


def test_review_titles_and_cohorts_named_in_brackets():
    assert is_review_title("Treatment of neuroendocrine carcinoma: a review")
    assert is_review_title("Second-line chemotherapy: a systematic meta-")  # title line broken before "analysis"
    assert not is_review_title("Drugamab in advanced neuroendocrine carcinoma: a phase II trial")
    assert bracketed_cohort("GEP 14, lung 1 (NEC cohort)") == "NEC cohort"
    assert bracketed_cohort("GEP 14 (pancreas 10)") is None


def test_one_cohort_across_columns_and_short_names_of_characteristics():
    from gepnec_extract.nlp.phrases import cohort_key, names_total, short_name

    assert cohort_key("Carcinoid WDNET") == cohort_key("Carcinoid NET") == "carcinoid wd"
    assert cohort_key("NEC") == cohort_key("PDNEC") == "pd"
    assert cohort_key("All patients") == ""
    assert short_name("Performance status", {}) == "PS"
    assert short_name("Ki-67 index", {}) == "Ki-67"
    assert short_name("Drugamab exposure", {"DX": "drugamab exposure"}) == "DX"
    assert names_total("Patients with NEC, n (Total in study)") and not names_total("Patients, n")


def test_study_ids_are_ascii_with_every_letter_transliterated():
    assert study_id("Øvrebø", 2010) == "Ovrebo2010"  # NFKD alone would drop the Ø and ø
    assert study_id("Łukasik-Brand", 2019) == "LukasikBrand2019"
    assert study_id("Kovač", None) == "Kovac"


@pytest.mark.parametrize("cell, line", [("2nd", "second"), ("1st", "first"), ("1st–3rd", "mixed"), ("≥2nd", "mixed"),
                                        ("3rd+", "third_plus"), ("2", None)])
def test_a_line_cell_of_ordinals_alone(cell, line):
    from gepnec_extract.nlp.phrases import parse_line_cell

    assert parse_line_cell(cell) == line


@pytest.mark.parametrize("cell, line", [("0", "first"), ("1", "second"), ("2", "third_plus"), ("≥1", "mixed"),
                                        ("1+", "mixed"), ("1–2", "mixed"), ("≥2", "third_plus"), ("2nd", "second")])
def test_a_prior_lines_cell_counts_the_lines_before(cell, line):
    from gepnec_extract.nlp.phrases import parse_prior_lines

    assert parse_prior_lines(cell) == line


def test_a_site_spelt_as_a_noun_of_its_own():
    assert [site_name(t) for t in ("Colorectum", "Colon or rectum", "Unknown")] == ["colorectal", "colorectal", "unknown primary"]
