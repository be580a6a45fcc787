"""Whose study a sentence speaks of, and where it names arms (nlp/discourse.py), on made-up sentences."""

from gepnec_extract.nlp import discourse


def test_own_series_chart_reviews_and_designs():
    assert discourse.speaks_of_own_series("In our series, the response rate was 30%.")
    assert not discourse.speaks_of_own_series("Quill et al. reported a response rate of 30%.")
    assert discourse.is_chart_review("We reviewed the medical records of all patients.")
    assert discourse.describes_a_study("In a recent multicentre study, 40 patients ...")
    assert discourse.says_randomized("Patients were randomly assigned to A or B.")
    assert discourse.says_randomized("A randomised phase II trial.")
    assert not discourse.says_randomized("Both were open-label, non-randomised, single-arm studies.")
    assert not discourse.says_randomized("The study was not randomized.")


def test_reference_numbers_and_trial_acronyms():
    text = "Two series [12, 14] and a trial [9-11] reported ..."
    assert discourse.bracket_refs(text) == [(11, "12, 14"), (32, "9-11")]
    assert discourse.bracket_ref_numbers(text) == {12, 14}
    assert discourse.trial_acronym("In the ALPHA-1 trial, drugamab ...") == "ALPHA1"
    assert discourse.trial_acronym("ALPHA 1 showed ...", known=["ALPHA1"]) == "ALPHA1"
    assert discourse.trial_acronym("The response rate was 30%.") is None


def test_line_after_failure_labels_and_clauses():
    assert discourse.after_first_line("patients who had failed ", " therapy")
    assert discourse.after_first_line("patients with ", " platinum had failed")
    assert not discourse.after_first_line("as ", " therapy")
    assert discourse.is_negated_label("No chemotherapy") and not discourse.is_negated_label("Nivolumab")
    assert discourse.complement_of("PD-L1 positive") == "PD-L1 negative"
    assert discourse.complement_of("Pancreas") is None
    assert discourse.clause_starts("A was 30%; B was 10%, whereas C was 5%") == [0, 10, 30]


def test_arms_named_in_a_sentence():
    text = "Response was seen in the Drugamab-high group and in drugamab high patients."
    spans = discourse.arm_spans("Drugamab-high group", text)  # "group": a word of vocab/arm_stop_words.txt
    # the label as printed, and without its stop word (records keep the longer of two that overlap)
    assert sorted(text[a:b].lower() for a, b in spans) == ["drugamab high", "drugamab-high", "drugamab-high group"]
    assert discourse.names_arm("EP", "etoposide-platinum", long_form="Etoposide platinum")
    assert not discourse.names_arm("EP", "irinotecan")
