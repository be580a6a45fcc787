"""Section semantics (nlp/sections.py): back matter, framing sections, stray reference-list entries."""

from gepnec_extract.nlp.sections import is_back_matter, is_bibliography_entry, is_framing_section


def test_back_matter_and_framing_sections():
    assert is_back_matter("References") and is_back_matter("Conflict of interest")
    assert not is_back_matter("Results") and not is_back_matter(None)
    assert is_framing_section("1. Introduction") and is_framing_section("Discussion")
    assert not is_framing_section("Patients and methods")


def test_a_reference_list_entry_is_told_from_a_sentence():
    assert is_bibliography_entry("[8] Quill AB, Smith CD. Drugamab in carcinoma. J Onc 2001;3:1-9.")
    assert not is_bibliography_entry("Quill and colleagues treated 40 patients with drugamab.")
