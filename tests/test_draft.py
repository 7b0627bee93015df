"""What `exo-rdf draft` takes from a sentence's context: abbreviations the text defines, the disease of the
previous sentence, the section heading's disease (listed, never chosen), and molecule names joined to other
words by a hyphen or a slash. The text below is fixture text written for these tests."""

from __future__ import annotations

import pytest

FIXTURE = """\
# Fixture text for the drafter tests

## Neurological regeneration

Alzheimer’s disease (AD) is the most common cause of dementia [1]. Exosomes improved memory in AD mice [2].

Cardiomyocyte (CMC) proliferation increased after exosome treatment [3].

## Kidney damage repair

Smith et al. treated rats with ischemia-reperfusion injury using MSC exosomes [4]. They found that the exosomes lowered Beclin-1 and NLRP3/caspase-1 levels [4].

MSC exosomes promoted ICAM1-related angiogenesis in vitro [5].

## Liver damage repair

MSC exosomes reduced liver damage in mice [6]. The exosomes were given twice a week [6].

Further work on MSC exosomes is needed [7].
"""


@pytest.fixture(scope="module")
def drafted(tmp_path_factory, term_index):
    from exo_rdf.draft import EntityFinder, draft_source
    from exo_rdf.texts import parse_text

    path = tmp_path_factory.mktemp("draft") / "fixture.md"
    path.write_text(FIXTURE, encoding="utf-8")
    records = draft_source(parse_text(path, "markdown"), EntityFinder(term_index))
    return _ByStart(records)


class _ByStart(dict):
    """The drafted records, looked up by the first words of their quote."""

    def __init__(self, records):
        super().__init__((r.quote, r) for r in records)

    def __getitem__(self, start):
        (rec,) = [r for q, r in self.items() if q.startswith(start)]
        return rec


def _context(rec, curie):
    return next(c.context for c in rec.candidates if c.ids[0][0] == curie)


def test_an_abbreviation_defined_in_the_text_is_read_as_its_long_form(drafted):
    ad = "MONDO:0004975"  # Alzheimer disease
    assert ad in drafted["Alzheimer’s disease"].chosen("disease")
    mice = drafted["Exosomes improved"]
    assert ad in mice.chosen("disease") and _context(mice, ad) == "abbreviation defined as 'Alzheimer’s disease'"
    # "cardiomyocyte (CMC)": CMC is a MONDO synonym of a candidiasis, but here it is the cell
    cmc = drafted["Cardiomyocyte (CMC)"]
    assert "MONDO:0015279" not in {i for c in cmc.candidates for i, _ in c.ids}
    assert "CL:0000746" in cmc.chosen("cell")


def test_the_previous_sentence_of_the_same_paragraph_gives_its_disease(drafted):
    iri = "MONDO:0005203"  # ischemia reperfusion injury, written with a hyphen
    assert iri in drafted["Smith et al."].chosen("disease")
    they = drafted["They found"]
    assert iri in they.chosen("disease") and _context(they, iri) == "previous sentence"
    # a new paragraph starts afresh: the ICAM1 sentence takes no disease from the Smith et al. paragraph
    assert iri not in drafted["MSC exosomes promoted"].chosen("disease")


def test_the_section_heading_disease_is_listed_but_not_chosen(drafted):
    from exo_rdf.draft import HEADING_CONTEXT

    liver = "MONDO:0005154"  # liver disorder: "liver damage" is looked up as the organ's disorder
    assert liver in drafted["MSC exosomes reduced"].chosen("disease")
    further = drafted["Further work"]
    assert _context(further, liver) == HEADING_CONTEXT and liver not in further.chosen("disease")
    icam = drafted["MSC exosomes promoted"]  # "Kidney damage repair" suggests kidney disorder
    assert _context(icam, "MONDO:0005240") == HEADING_CONTEXT and not icam.chosen("disease")


def test_molecules_joined_by_a_hyphen_or_a_slash_are_found_one_by_one(drafted):
    assert {"HGNC:1034", "HGNC:16400", "HGNC:1499"} <= drafted["They found"].chosen("gene")  # BECN1 NLRP3 CASP1
    assert "HGNC:5344" in drafted["MSC exosomes promoted"].chosen("gene")  # ICAM1


def test_draft_yaml_says_where_a_context_candidate_comes_from(drafted):
    import datetime as dt

    import yaml

    from exo_rdf.draft import draft_yaml
    from exo_rdf.sources import Seed

    they = drafted["They found"]
    doc = yaml.safe_load(draft_yaml(Seed("fixture", None, ""), [they], None, dt.date(2026, 12, 4)))  # type: ignore[arg-type]
    diseases = doc["statements"][0]["candidates"]["disease"]
    assert {
        "text": "ischemia-reperfusion injury",
        "id": "MONDO:0005203",
        "label": "ischemia reperfusion injury",
        "from": "previous sentence",
    } in diseases


TUMOUR_FIXTURE = """\
# Fixture text for the tumour rule of the drafter

## Tumour growth

MSC exosomes suppressed tumour growth in mice [1].

Exosomes were reported to carry no risk of tumor formation after injection [2].

MiR-145 acts as a tumor suppressor and slowed prostate cancer growth in vitro [3].

Exosomes slowed the growth of breast cancer cells and of other tumors [4].
"""


@pytest.fixture(scope="module")
def tumour_drafted(tmp_path_factory, term_index):
    from exo_rdf.draft import EntityFinder, draft_source
    from exo_rdf.texts import parse_text

    path = tmp_path_factory.mktemp("draft-tumour") / "fixture.md"
    path.write_text(TUMOUR_FIXTURE, encoding="utf-8")
    return _ByStart(draft_source(parse_text(path, "markdown"), EntityFinder(term_index))), term_index


def _labels(index, ids):
    return {index.label(i) for i in ids}


def test_a_tumour_is_recorded_as_cancer_not_as_neoplasm(tumour_drafted):
    drafted, index = tumour_drafted
    assert _labels(index, drafted["MSC exosomes suppressed"].chosen("disease")) == {"cancer"}


def test_a_tumour_named_as_a_risk_or_as_a_molecule_role_is_no_disease(tumour_drafted):
    drafted, index = tumour_drafted
    assert not drafted["Exosomes were reported"].chosen("disease")
    assert _labels(index, drafted["MiR-145 acts"].chosen("disease")) == {"prostate cancer"}


def test_a_named_cancer_replaces_cancer_in_general(tumour_drafted):
    drafted, index = tumour_drafted
    labels = _labels(index, drafted["Exosomes slowed"].chosen("disease"))
    assert "cancer" not in labels and "breast cancer" in labels


def test_a_family_name_lists_its_member_gene_without_choosing_it(term_index):
    from exo_rdf.draft import FAMILY_CONTEXT, EntityFinder

    finder = EntityFinder(term_index)
    # fixture sentence: a family written without its member, and named members
    found = finder.find("MSC exosomes inhibited NF-κB signalling and lowered TGF-β1 and CD29 levels [1].")
    by_text = {c.text: c for c in found if c.kind == "gene"}
    assert term_index.label(by_text["NF-κB"].ids[0][0]) == "NFKB1" and by_text["NF-κB"].context == FAMILY_CONTEXT
    assert term_index.label(by_text["TGF-β1"].ids[0][0]) == "TGFB1" and by_text["TGF-β1"].context is None
    assert term_index.label(by_text["CD29"].ids[0][0]) == "ITGB1" and by_text["CD29"].context is None
    assert finder.family_member("IL-1", by_text["TGF-β1"].ids[0][0]) is False


def test_a_greek_letter_is_read_as_the_latin_capital_of_the_symbol(term_index):
    from exo_rdf.draft import EntityFinder

    # fixture sentence
    found = EntityFinder(term_index).find("The exosomes lowered IL-1β and IFN-γ and raised HIF-1α [2].")
    assert {term_index.label(c.ids[0][0]) for c in found if c.kind == "gene" and not c.context} >= {
        "IL1B",
        "IFNG",
        "HIF1A",
    }


def test_fibrosis_and_ischaemia_of_an_organ_are_the_organ_disease(term_index):
    from exo_rdf.draft import EntityFinder

    # fixture sentence
    found = EntityFinder(term_index).find(
        "MSC exosomes reduced liver fibrosis and protected the ischemic myocardium [1]."
    )
    assert {term_index.label(c.ids[0][0]) for c in found if c.kind == "disease"} == {
        "fibrotic liver disease",
        "myocardial ischemia",
    }


def test_the_organ_a_disease_is_named_after_is_a_tissue_too(term_index):
    from exo_rdf.draft import EntityFinder

    # fixture sentence
    found = EntityFinder(term_index).find("MSC exosomes reduced liver fibrosis in mice [1].")
    assert "liver" in {term_index.label(c.ids[0][0]) for c in found if c.kind == "tissue"}
