"""Seed parsing: sections, figure legends that end with their paragraph, citation numbers."""

from __future__ import annotations

from exo_rdf.sources import cited_numbers


def test_sections_of_both_seeds(seeds):
    s0 = seeds["000_ce72def646c3ad8d"]
    titles = [s.title for s in s0.sections if s.kind == "heading"]
    assert titles == [
        "Introduction",
        "Neurological regeneration",
        "Cardiovascular regeneration",
        "Kidney damage repair",
        "Liver damage repair",
        "Repair of articular cartilage",
        "Oral tissue regeneration",
        "Discussion",
        "Conclusions",
    ]
    assert [s.title for s in s0.sections if s.kind == "figure"] == ["Fig. 1", "Fig. 2", "Fig. 3", "Fig. 4"]


def test_text_after_a_figure_legend_returns_to_its_section(seeds):
    s1 = seeds["001_989965261ed955c0"]
    start, _ = s1.find("As well, another study in 30 participants with COPD")
    assert s1.section_at(start).title == "Lung diseases"
    start, _ = s1.find("Exosomes are smaller luminal vesicles (30–100 nm in diameter)")
    assert s1.section_at(start).title == "Fig. 3"
    start, _ = s1.find("Mesenchymal stem/stromal cells (MSCs) are unique cell populations")
    assert s1.section_at(start).title == "Introduction"


def test_cited_numbers():
    assert cited_numbers("text [25] and [21, 22] and [51,52,53]") == {25, 21, 22, 51, 52, 53}
    assert cited_numbers("[33, 48,49,50,51]") == {33, 48, 49, 50, 51}
    assert cited_numbers("no citation (Fig. 1)") == set()
