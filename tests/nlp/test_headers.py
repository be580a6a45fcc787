"""Table header semantics (nlp/headers.py): what a column or a row label holds, on made-up headers."""

from gepnec_extract.nlp.headers import classify_header, classify_row_label, is_whole_header, normalize_header


def test_a_header_names_its_field_interval_unit_and_grade():
    survival = classify_header("Median OS (range), wk")
    assert (survival.field, survival.interval, survival.weeks) == ("os", "range", True)
    assert classify_header("Median PFS (95% CI)b").interval == "ci95"
    assert classify_header("Patients, n (%)").counts_first
    tox = classify_header("Grade 3–4, n (%)")
    assert (tox.field, tox.grade) == ("tox", "3-4")
    assert classify_header("CR/PR/SD/PD, %").parts == ("cr", "pr", "sd", "pd")
    assert classify_header("").field == "other"


def test_median_survival_abbreviations_and_a_bare_survival_header():
    assert [classify_header(h).field for h in ("mPFS, mo", "mOS, mo", "mTTP (months)", "Survival (months)",
                                               "Median survival, mo")] == ["pfs", "os", "pfs", "os", "os"]
    # "mos" is also months: a PFS header in "mos" stays PFS
    assert classify_header("Median PFS (mos)").field == "pfs"
    assert classify_header("Progression-free survival (months)").field == "pfs"


def test_a_wrapped_header_and_its_footnote_mark_are_read_as_printed_words():
    assert normalize_header("Me- dian OSa") == "median os"


def test_whole_series_columns_and_row_labels():
    assert is_whole_header("All patients (n = 8)") and is_whole_header("n (%)") and is_whole_header("(n = 12)")
    assert not is_whole_header("Drugamab arm")
    assert classify_row_label("Response rate, %").field == "rr"
    assert classify_row_label("Country").field == "other"


def test_sizes_and_parts_a_header_or_caption_names():
    from gepnec_extract.nlp.headers import counts_part_only, has_size, is_grade_header, names_carcinoma_part, \
        size_of, without_size

    assert has_size("IP (n = 160)") and size_of("IP (n = 160)") == 160 and without_size("IP (n = 160)") == "IP"
    assert size_of("Outcomes") is None
    assert counts_part_only("Response in evaluable patients (n = 10)") and not counts_part_only("Outcomes (n = 12)")
    assert names_carcinoma_part("Primary site of NEC") and not names_carcinoma_part("Primary site")
    assert is_grade_header(" Grades ") and not is_grade_header("Grade 3–4, n (%)")


def test_a_column_spec_carries_the_size_arm_and_kind_its_header_names():
    arm = classify_header("Drugamab (n = 160)")
    assert (arm.sized, arm.size, arm.arm, arm.whole) == (True, 160, "Drugamab", False)
    assert classify_header("All patients (n = 8)").whole and classify_header("Value").whole
    assert classify_header("Grades").grade_column and not classify_header("Grade 3–4, n (%)").grade_column
    assert classify_header("Primary site of NEC").of_carcinoma and not classify_header("Primary site").of_carcinoma
    assert classify_header("Patients, n (total in study)").names_total and not classify_header("Patients, n").names_total


def test_more_header_words_of_review_tables():
    fields = {h: classify_header(h).field for h in ("Study", "Study (year)", "Phase", "Drugs and doses", "Sample size",
                                                      "Study design", "Study population")}
    assert fields == {"Study": "study", "Study (year)": "study", "Phase": "design", "Drugs and doses": "regimen",
                      "Sample size": "patients", "Study design": "design", "Study population": "population"}


def test_a_survival_rate_at_a_time_point_is_no_median():
    assert {classify_header(h).field for h in ("1-year OS (%)", "2-yr PFS, %", "OS rate at 12 months")} == {"landmark"}
    assert classify_header("Median OS (months)").field == "os"


def test_a_prior_lines_column_is_a_line_column_that_counts():
    spec = classify_header("No. of prior lines")
    assert (spec.field, spec.prior_lines) == ("line", True)
    assert classify_header("Treatment line").prior_lines is False


def test_an_arm_header_keeps_its_name_without_its_kind_of_figure():
    from gepnec_extract.nlp.headers import without_size

    assert without_size("Drugamab (n = 30) n (%)") == "Drugamab"
    assert without_size("Arm B (n = 12), (%)") == "Arm B"
    assert without_size("Drugamab (n = 30)") == "Drugamab"
