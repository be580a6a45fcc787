"""Record fields normalized from a document: its population, and populations given to table subgroups."""

def test_a_papers_generic_net_title_is_refined_by_the_grade_its_abstract_names():
    from gepnec_extract.model import Block, Document, Metadata
    from gepnec_extract.records.context import document_population

    def paper(abstract: str) -> Document:
        return Document(doc_id="p", metadata=Metadata(title="Drugamab for advanced neuroendocrine tumours"),
                        blocks=[Block(page=1, section="Abstract", text=abstract)])

    assert document_population(paper("We enrolled patients with low-grade pancreatic NETs.")) == "WDNET"
    assert document_population(paper("We enrolled patients with pancreatic NETs.")) == "NET"


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
