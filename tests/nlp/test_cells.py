"""Cell grammar (nlp/cells.py) on cells as the review prints them."""

import pytest

from gepnec_extract.model import Survival
from gepnec_extract.nlp.cells import (parse_count_pct, parse_pct, parse_response_breakdown, parse_survival,
                                      split_cohorts, strip_markers)


def test_several_labelled_cohorts_in_one_cell():
    cell = ("Carcinoid WDNET, 0 (CR, 0; PR, 0; stable, 85; PD, 15) Islet WDNET, 14 (CR, 0; PR, 14; stable, 64; "
            "PD, 22) NEC, 67 (CR, 17; PR, 50; stable, 33; PD, 0)")
    segments = split_cohorts(cell)
    assert [s.label for s in segments] == ["Carcinoid WDNET", "Islet WDNET", "NEC"]
    assert [parse_pct(s.text) for s in segments] == [0.0, 14.0, 67.0]
    assert parse_response_breakdown(segments[2].text) == [{"cr": 17.0, "pr": 50.0, "sd": 33.0, "pd": 0.0}]


def test_unlabelled_overall_value_then_labelled_subgroups():
    segments = split_cohorts("32 (1–44+) PDNEC: 5 (1–44+) WDNET: 40 (3–40+)")
    assert [s.label for s in segments] == [None, "PDNEC", "WDNET"]
    assert parse_survival(segments[1].text) == Survival(median=5, low=1, high=44, kind="range", not_reached=False)


def test_arms_compared_with_vs_and_p_values_dropped():
    assert [(s.label, s.text) for s in split_cohorts("IP, 50, vs. etoposide, 28 (p < .001)")] == \
        [("IP", "50"), ("etoposide", "28")]
    assert [s.text for s in split_cohorts("6.7 (3.2–10.0) vs. 6.3 (2.8–26.4)")] == ["6.7 (3.2–10.0)", "6.3 (2.8–26.4)"]


def test_label_carrying_the_measure_name():
    assert [s.label for s in split_cohorts("All RR: 29 (CR, 0; PR, 29) PDNEC: 22.2 (CR, 0; PR, 22.2)")] == ["All", "PDNEC"]


def test_breakdown_per_arm():
    assert parse_response_breakdown("17% (CR, 0 vs. 0; PR, 17 vs. 17; stable, 50 vs. 42; PD, 33 vs. 42)") == [
        {"cr": 0.0, "pr": 17.0, "sd": 50.0, "pd": 33.0}, {"cr": 0.0, "pr": 17.0, "sd": 42.0, "pd": 42.0}]


def test_unassessable_and_not_evaluated_are_not_categories():
    arms = parse_response_breakdown("53 (CR, 15; PR, 37; stable, 29; progression, 9; unassessable, 9)")
    assert arms == [{"cr": 15.0, "pr": 37.0, "sd": 29.0, "pd": 9.0}]


@pytest.mark.parametrize("cell, expected", [
    ("15 (11.7–25)", Survival(median=15, low=11.7, high=25, kind="range", not_reached=False)),
    ("17.6 (8.6–72+)", Survival(median=17.6, low=8.6, high=72, kind="range", not_reached=False)),
    ("12.1a (6.9–17.2)", Survival(median=12.1, low=6.9, high=17.2, kind="range", not_reached=False)),
    ("NRa", Survival(median=None, low=None, high=None, kind=None, not_reached=True)),
    ("11.4 months (8.9 months–NE)a", Survival(median=11.4, low=8.9, high=None, kind="range", not_reached=False)),
    ("9.9 (NA)", Survival(median=9.9, kind=None, not_reached=False)),
    ("14.1 (9.5-18.5)", Survival(median=14.1, low=9.5, high=18.5, kind="range", not_reached=False)),
    ("NA", None),
])
def test_survival_cells(cell, expected):
    assert parse_survival(cell) == expected


def test_survival_printed_in_weeks_is_converted():
    assert parse_survival("43 weeks (30–52)").median == round(43 / 4.345, 1)
    assert parse_survival("20", weeks=True).median == round(20 / 4.345, 1)


def test_interval_kind_comes_from_the_header():
    assert parse_survival("14.1 (9.5-18.5)", interval="ci95").kind == "ci95"


def test_counts_and_percents_as_printed():
    assert parse_count_pct("4 (9.8)") == (4, 9.8)
    assert parse_count_pct("0") == (0, 0.0)
    assert parse_count_pct("3 of 8 (38)") == (3, 38.0)  # "x of N (%)": the evaluable denominator printed
    assert parse_count_pct("13") == (13, None)  # no percent printed: none computed


def test_footnote_markers_are_not_numbers():
    assert strip_markers("(0–88)a") == "(0–88)"
    assert strip_markers("NRa") == "NR"
    assert parse_pct("19a") == 19.0


def test_footnotes_marks_and_glossaries_of_a_table():
    from gepnec_extract.nlp.cells import footnote_glossary, footnotes, marks_at_end

    assert footnotes("a Range. b In weeks.") == {"a": "range", "b": "in weeks"}
    assert marks_at_end("12.1a (6.9–17.2)b") == ["a", "b"]
    assert footnote_glossary("EP, etoposide and cisplatin; NR, not reached.") == \
        {"EP": "etoposide and cisplatin", "NR": "not reached"}


def test_regimen_and_arm_cells():
    from gepnec_extract.nlp import cells

    assert cells.before_remark("Drugamab/etoposide; 41% were pretreated") == "Drugamab/etoposide"
    assert cells.first_bracketed("Colorectal (drugamab)") == "drugamab"
    assert cells.alternatives("A + B vs. C or D") == ["A + B", "C", "D"]
    assert cells.without_arm_name("Regimen A, drugamab + etoposide") == "drugamab + etoposide"
    assert cells.arm_names_compared("Regimen A, drugamab vs. regimen B, etoposide") == ["Regimen A", "Regimen B"]
    assert cells.arm_names_compared("drugamab vs. etoposide") == []
    assert cells.arm_prefix("A: drugamab 100 mg") == ("A", "drugamab 100 mg")
    assert cells.arm_at_end("Second (A)") == "A"
    assert cells.label_colon_spans("Regimen B", "Regimen A: x; regimen b: y") == (14, 24)


def test_patients_toxicity_and_dose_cells():
    from gepnec_extract.nlp import cells

    assert (cells.leading_count("18 (45)"), cells.bracketed_count("18 (45)")) == (18, 45)
    assert cells.says_of_whom("258 (of whom 206 had NEC)")
    assert cells.labelled_counts("20 (8 on regimen A vs. 12 on regimen B)") == [(8, "regimen A"), (12, "regimen B")]
    assert cells.labelled_counts("20") is None
    assert cells.grade_cell("3–4a") == "3-4" and cells.grade_cell("All") is None
    assert cells.grade_named("Grade 3 – 4 adverse events") == "3-4"
    assert (cells.route("IV"), cells.route("intravenously"), cells.route("Orally"), cells.route("SC")) == \
        ("IV", "IV", "oral", None)
    # dotted abbreviations, alone or before more words (a word boundary after the dot never matched)
    assert (cells.route("i.v."), cells.route("I.V. bolus"), cells.route("p.o."), cells.route("p.o. daily")) == \
        ("IV", "IV", "oral", "oral")
    assert (cells.route("ivory"), cells.route("poorly")) == (None, None)
    assert cells.days("1 – 3") == "1-3" and cells.days("daily") is None
    assert cells.cycle_length("3 weeks") == 21 and cells.cycle_length("28 d") == 28


def test_one_grade_reader_for_captions_headers_and_row_labels():
    """headers.classify_header reads a column's grade with cells.grade_named (one rule, no second copy)."""
    from gepnec_extract.nlp import cells
    from gepnec_extract.nlp.headers import classify_header

    assert cells.grade_named("Grades 3 or 4 adverse events") == "3-4"
    assert cells.grade_named("Grade 3+ toxicities") == "3+"
    assert cells.grade_named("Upgrade 3 of the schedule") is None  # "grade" as a word only
    # a caption says "or" as a header does (the caption reader read "Grades 3 or 4" as "3")
    assert [(classify_header(h).field, classify_header(h).grade) for h in ("Grades 3 or 4, n (%)", "Grade 3+", "Grade")] == \
        [("tox", "3-4"), ("tox", "3+"), ("group", None)]
