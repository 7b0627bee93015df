"""The term index of the shared tables: merging, hierarchy, ancestors and search."""

from __future__ import annotations

import pytest

# --- merging the tables -------------------------------------------------------------------------


def test_placeholder_stub_never_hides_the_real_stanza(term_index):
    # pr-subset-union.obo holds a label-less placeholder for human; the NCBITaxon slim has the real stanza
    human = term_index.get("NCBITaxon:9606")
    assert human.label == "Homo sapiens"
    assert human.parents == ("NCBITaxon:9605",)
    assert human.source.startswith("ncbitaxon-slim")


def test_relations_are_indexed_as_properties(term_index):
    part_of = term_index.get("BFO:0000050")
    assert (part_of.label, part_of.kind) == ("part of", "property")
    assert term_index.get("RO:0002213").label == "positively regulates"
    assert term_index.get("RO:0002213").kind == "property"


def test_bfo_classes_come_from_bfo_2020(term_index):
    material = term_index.get("BFO:0000040")
    assert material.label == "material entity"
    assert material.source == "bfo-2020-core.owl.xz"
    assert material.parents == ("BFO:0000004",)


def test_iao_annotation_properties_are_known(term_index):
    definition = term_index.get("IAO:0000115")
    assert (definition.label, definition.kind) == ("definition", "annotation")
    assert term_index.label("IAO:0100001") == "term replaced by"


def test_curie_forms_are_normalised(term_index):
    assert term_index.label("cellosaurus:CVCL_0481") == term_index.label("CVCL_0481") == "PC12"
    assert term_index.label("mirbase.mature:MIMAT0000076") == "hsa-miR-21-5p"
    assert "HGNC:5464" in term_index and term_index.label("HGNC:5464") == "IGF1"


# --- is_a or part_of -------------------------------------------------------------------------------


def test_uberon_direct_ancestors_are_sorted_into_is_a_and_part_of(term_index):
    marrow = term_index.get("UBERON:0002371")
    assert marrow.parents == ("UBERON:0000479",)  # tissue
    assert "UBERON:0002390" in marrow.part_of  # hematopoietic system
    assert not set(marrow.parents) & set(marrow.part_of)


def test_uberon_parent_without_explicit_relation_is_broader_not_guessed(term_index):
    # bone element: its link to skeletal system is not stated in the OBO subset
    bone = term_index.get("UBERON:0001474")
    assert "UBERON:0001434" in bone.broader
    assert "UBERON:0001434" not in bone.parents + bone.part_of


def test_cl_direct_ancestors_are_is_a_except_part_of_from_cl_edit(term_index):
    assert term_index.get("CL:0002570").parents == ("CL:0000134",)
    opc = term_index.get("CL:0002453")
    assert opc.part_of == ("CL:0000125",)
    assert "CL:0000125" not in opc.parents


# --- ancestors ------------------------------------------------------------------------------------


def test_ancestors_of_a_cl_term_use_the_closure(term_index):
    ancestors = term_index.ancestors("CL:0002570")
    assert {"CL:0000134", "CL:0000000"} <= set(ancestors)
    assert ancestors == tuple(sorted(ancestors))
    assert "CL:0002570" not in ancestors


def test_ancestors_include_part_of(term_index):
    assert {"UBERON:0002390", "UBERON:0000479", "UBERON:0001062"} <= set(term_index.ancestors("UBERON:0002371"))


def test_ancestors_walk_parents_outside_cellxgene_tables(term_index):
    taxa = set(term_index.ancestors("NCBITaxon:9606"))
    assert "NCBITaxon:9605" in taxa and "NCBITaxon:9606" not in taxa
    assert "NCBITaxon:1" in taxa  # root of the slim
    assert "BFO:0000015" in term_index.ancestors("COB:0000082")  # planned process -> process


def test_ancestors_of_unknown_or_flat_ids_are_empty(term_index):
    assert term_index.ancestors("CL:9999999") == ()
    assert term_index.ancestors("HGNC:5464") == ()


# --- search ---------------------------------------------------------------------------------------


def test_search_exact_label_first_then_substrings(term_index):
    hits = term_index.search("Mesenchymal Stem Cell", limit=5)
    assert hits[0].curie == "CL:0000134" and hits[0].match == "label"
    assert all(h.match.endswith("substring") for h in hits[1:])
    assert len(hits) == 5


def test_search_exact_synonym_beats_substring(term_index):
    hits = term_index.search("hsa-miR-21", prefixes=["mirbase.mature"], limit=3)
    assert (hits[0].curie, hits[0].label, hits[0].match) == ("MIMAT0000076", "hsa-miR-21-5p", "synonym")
    assert all(h.curie.startswith("MIMAT") for h in hits)


def test_search_restricts_id_spaces(term_index):
    hits = term_index.search("kidney", prefixes=("UBERON",), limit=10)
    assert hits and all(h.curie.startswith("UBERON:") for h in hits)
    assert hits[0].curie == "UBERON:0002113"
    assert [h.curie for h in term_index.search("IL6", prefixes="HGNC", limit=1)] == ["HGNC:6018"]


def test_search_leaves_out_obsolete_terms_unless_asked(term_index):
    label = "obsolete coronary heart disease"
    assert all(h.curie != "MONDO:0000016" for h in term_index.search(label, prefixes=["MONDO"]))
    hits = term_index.search(label, prefixes=["MONDO"], include_obsolete=True)
    assert hits[0].curie == "MONDO:0000016" and hits[0].obsolete


def test_search_by_id_and_edge_cases(term_index):
    hit = term_index.search("CL:0000134")[0]
    assert (hit.curie, hit.match, hit.label) == ("CL:0000134", "id", "mesenchymal stem cell")
    assert term_index.search("   ") == []
    assert term_index.search("kidney", limit=0) == []
    assert term_index.search("no term is called this xyzzy") == []


def test_missing_shared_folder_is_a_plain_error(tmp_path):
    from exo_rdf.errors import ExoError
    from exo_rdf.terms import load_index

    with pytest.raises(ExoError, match="shared ontology folder not found"):
        load_index(tmp_path / "missing", tmp_path / "cache")


def test_second_load_comes_from_the_cache(project, term_index, monkeypatch):
    from exo_rdf import terms

    def no_rebuild(_):
        raise AssertionError("the cached index was rebuilt")

    monkeypatch.setattr(terms, "_build", no_rebuild)
    again = terms.project_index(project)
    assert len(again) == len(term_index)
