"""What a sentence says around a tagged fact (nlp/clauses.py), on made-up sentences."""

from gepnec_extract.nlp import clauses


def test_a_relative_change_is_no_rate_and_a_bracketed_percent_wins():
    assert clauses.is_relative_change("a 79% reduction in the risk of progression")
    assert not clauses.is_relative_change("a 79% response rate")
    assert clauses.bracketed_percent("17 of 41 patients (41.5%)") == 41.5
    assert clauses.bracketed_percent("41.5%") is None


def test_zero_responses_said_in_words():
    start, end, said = clauses.no_responses("No objective responses were observed in patients with WDNETs.")
    assert said == "No objective responses were observed" and end == len(said)
    assert clauses.no_responses("Responses were observed in 4 patients.") is None
    text = "Two of the pancreatic tumours responded, but none of the gastric tumours responded."
    assert [said for _, _, said in clauses.none_responded(text)] == ["none of the gastric tumours responded"]


def test_shares_of_patients_count_only_in_a_sentence_about_objective_response():
    text = "67% of those with PDNECs had complete or partial regression, against 7% of patients with WDNETs."
    assert [pct for _, pct in clauses.shares_responding(text)] == [67.0, 7.0]
    assert clauses.shares_responding("67% of patients were men and 7% of patients were smokers.") == []


def test_interval_printed_after_a_median():
    assert clauses.interval_after(" (range 2–41 months) in the") == (2.0, 41.0, "range")
    assert clauses.interval_after(" (95% CI, 5.1-9.0)") == (5.1, 9.0, "ci95")
    assert clauses.interval_after(" in the drugamab arm") is None


def test_a_grade_heading_over_a_list_of_events():
    text = "The commonest grade 3/4 toxicities were neutropenia (20%) and nausea (5%)."
    end, grade = clauses.grade_heading(text)
    assert grade == "3-4" and text[end:].startswith(" neutropenia")
    assert clauses.grade_heading("Neutropenia occurred in 20%.") is None


def test_cycle_length_and_the_cohort_a_figure_is_of():
    assert clauses.cycle_length("Courses were repeated q21d until progression.") == 21
    assert clauses.cycle_length("Cycles were repeated every 3 weeks.") == 21
    assert clauses.cycle_length("Patients were followed up for 3 weeks.") is None
    assert clauses.leads_to_cohort(" among the ") and not clauses.leads_to_cohort(", whereas ")


def test_enrolment_and_study_verbs_around_a_count():
    assert clauses.enrolment("", " were enrolled between 2001 and 2005")  # after "Forty patients"
    assert clauses.enrolment("The trial enrolled ", " patients")
    assert not clauses.enrolment("Of the ", " were enrolled")
    assert clauses.studied_before("a retrospective review of ")
    assert not clauses.studied_before("a response in ")


def test_pairs_of_figures_compared_by_endpoint():
    text = "Median overall survival was longer with A than with B (9.3 months vs. 10.2 months)."
    [(name, _, figures)] = clauses.compared_pairs(text)
    assert name == "os_months" and [value for value, _, _ in figures] == [9.3, 10.2]
    assert text[figures[1][1]:figures[1][2]] == "10.2"
    [(name, _, _)] = clauses.compared_pairs("The response rate was 75% vs. 11.8% in the two arms.")
    assert name == "rr_pct"


def test_subgroups_a_sentence_names():
    text = "Among patients with a Ki-67 index >55%, the response rate was 42%."
    assert clauses.subgroup_mentions(text) == [(22, "Ki-67 >55%")]
    prevalence = "Only 17% had a Ki-67 index >20%."
    assert clauses.subgroup_mentions(prevalence) == []
    assert clauses.subgroup_mentions(prevalence, all_of_them=True) == [(15, "Ki-67 >20%")]
    assert clauses.subgroup_prefix("In the HBP subgroup, the response rate was 30%.") == "HBP"
    subset = clauses.treated_subset("Of 100 patients who received second-line therapy, 51% responded.")
    assert subset == (0, "second-line therapy", 100)
