"""The KGX export: well-formed TSV, a closed graph, every finding present, Biolink-valid, stable."""

from __future__ import annotations

import csv
import importlib.resources
import io
import json

import pytest
import yaml
from rdflib import RDF, Graph, Namespace

from conftest import ROOT, SHARED

EXO = Namespace("https://w3id.org/exo-rdf/ontology/")


@pytest.fixture(scope="module")
def outputs(project):
    from exo_rdf.kgx import kgx_outputs

    return kgx_outputs(project, "9.9.9")


def _read(text: str) -> list[dict[str, str]]:
    lines = text.split("\n")
    assert lines[-1] == "" and all(lines[:-1])
    header = lines[0].split("\t")
    for line in lines[1:-1]:
        assert len(line.split("\t")) == len(header), line[:200]
    return list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def nodes(outputs):
    from exo_rdf.kgx import NODES

    return _read(outputs[NODES])


@pytest.fixture(scope="module")
def edges(outputs):
    from exo_rdf.kgx import EDGES

    return _read(outputs[EDGES])


@pytest.fixture(scope="module")
def biolink():
    """The Biolink model schema shipped by the biolink-model package (a real copy of the model)."""
    text = importlib.resources.files("biolink_model").joinpath("schema/biolink_model.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _camel(name: str) -> str:
    return "".join(word[0].upper() + word[1:] for word in name.split())


def _snake(name: str) -> str:
    return name.replace(" ", "_")


def _is_predicate(slots: dict, name: str) -> bool:
    while name:
        if name == "related to":
            return True
        name = slots[name].get("is_a")
    return False


def test_graph_is_closed_and_ids_unique(nodes, edges):
    node_ids = [n["id"] for n in nodes]
    assert len(node_ids) == len(set(node_ids))
    assert len({e["id"] for e in edges}) == len(edges)
    for e in edges:
        assert e["subject"] in node_ids and e["object"] in node_ids, e["id"]
    assert all(n["name"] for n in nodes)
    used = {e["subject"] for e in edges} | {e["object"] for e in edges}
    assert used == set(node_ids)


def test_every_finding_and_effect_is_represented(edges):
    """Counts derived independently from instances/*.ttl with rdflib (triples only, no SPARQL)."""
    from exo_rdf.namespaces import compress

    g = Graph()
    for path in sorted((ROOT / "instances").glob("*.ttl")):
        g.parse(path)
    findings = {compress(str(f)) for f in g.subjects(RDF.type, EXO.Finding)}
    effects = {compress(str(e)) for f in g.subjects(RDF.type, EXO.Finding) for e in g.objects(f, EXO.hasEffect)}
    cargo_pairs = {(f, c) for f in g.subjects(RDF.type, EXO.Finding) for c in g.objects(f, EXO.hasCargo)}
    assert len(findings) == 309
    finding_edges = [e for e in edges if e["xref"]]
    assert {e["xref"] for e in finding_edges} == findings
    assert {e["id"] for e in finding_edges if "/effect/" in e["id"]} == effects
    assert len([e for e in finding_edges if e["predicate"] == "biolink:has_part"]) == len(cargo_pairs)
    for e in finding_edges:
        assert e["knowledge_level"] and e["agent_type"] == "manual_agent"
        assert e["primary_knowledge_source"] == "infores:exo-rdf"
        assert e["supporting_text"] and e["publications"].startswith("exod:source/")


def test_quotes_are_verbatim_in_the_seeds(edges):
    joined = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in sorted((SHARED / "seeds").glob("*.txt")))
    for e in edges:
        for quote in filter(None, e["supporting_text"].split("|")):
            assert quote in joined, quote[:80]


def test_wan_pyroptosis_finding(nodes, edges):
    """Seed 000, kidney section: "Wan et al. found that MSC-Exos alleviate acute kidney injury by inhibiting
    pyroptosis in rats and NRK-52E cells [54]." -> MSC exosomes decrease pyroptosis (GO:0070269) and
    treat AKI (MONDO:0002492), in rat, citing reference 54."""
    sentence = (
        "Wan et al. found that MSC-Exos alleviate acute kidney injury by inhibiting pyroptosis in rats "
        "and NRK-52E cells [54]."
    )
    names = {n["id"]: n for n in nodes}
    mine = [e for e in edges if e["supporting_text"] == sentence]
    assert mine
    by_object = {e["object"]: e for e in mine}
    pyro = by_object["GO:0070269"]
    assert names[pyro["subject"]]["name"] == "MSC exosomes"
    assert names[pyro["subject"]]["category"] == "biolink:ComplexMolecularMixture"
    assert pyro["predicate"] == "biolink:affects" and pyro["object_direction_qualifier"] == "decreased"
    assert pyro["original_predicate"] == "exo:Inhibits"
    assert pyro["species_context_qualifier"] == "NCBITaxon:10116"
    assert "exod:source/000_ce72def646c3ad8d/reference/54" in pyro["publications"].split("|")
    assert pyro["has_evidence"] == "ECO:0000304"
    aki = by_object["MONDO:0002492"]
    assert aki["predicate"] == "biolink:treats_or_applied_or_studied_to_treat"
    assert names["MONDO:0002492"]["category"] == "biolink:Disease"
    assert names["GO:0070269"]["name"] == "pyroptotic inflammatory response"


def test_no_effect_is_a_negated_edge(edges):
    negated = [e for e in edges if e["negated"] == "True"]
    assert negated and all(e["original_predicate"] == "exo:NoEffect" for e in negated)


def test_categories_predicates_and_enums_exist_in_biolink(nodes, edges, outputs, biolink):
    from exo_rdf.kgx import METADATA

    classes = {_camel(name): c for name, c in biolink["classes"].items()}
    slots = {_snake(name): name for name in biolink["slots"]}
    enums = {name: set((e.get("permissible_values") or {})) for name, e in biolink["enums"].items()}
    for row in [*nodes, *edges]:
        for cat in filter(None, row.get("category", "").split("|")):
            prefix, name = cat.split(":")
            assert prefix == "biolink" and name in classes, cat
            assert not classes[name].get("deprecated") and not classes[name].get("mixin"), cat
    for column in [*nodes[0], *edges[0]]:
        assert column in slots, column
    for e in edges:
        slot = slots[e["predicate"].split(":")[1]]
        assert _is_predicate(biolink["slots"], slot), e["predicate"]
        assert not biolink["slots"][slot].get("deprecated")
        assert e["knowledge_level"] in enums["KnowledgeLevelEnum"]
        assert e["agent_type"] in enums["AgentTypeEnum"]
        if e["object_direction_qualifier"]:
            assert e["object_direction_qualifier"] in enums["DirectionQualifierEnum"]
        if e["object_aspect_qualifier"]:
            assert e["object_aspect_qualifier"] in enums["GeneOrGeneProductOrChemicalEntityAspectEnum"]
    meta = json.loads(outputs[METADATA])
    assert meta["edge_count"] == len(edges) and meta["node_count"] == len(nodes)
    for row in meta["predicate_mapping"]:
        assert _is_predicate(biolink["slots"], slots[row["biolink_predicate"].split(":")[1]])


def test_predicate_mapping_ro_ids_exist(term_index):
    from exo_rdf.kgx import predicate_table

    for row in predicate_table():
        if row["ro"]:
            term = term_index.get(row["ro"])
            assert term is not None and not term.obsolete, row


def test_external_node_ids_exist_and_keep_their_curies(nodes, term_index):
    for n in nodes:
        if not n["id"].startswith("exod:"):
            assert n["id"] in term_index, n["id"]


def test_cells_cannot_break_rows_or_lists():
    from exo_rdf.kgx import _tsv

    text = _tsv(("id", "supporting_text"), [{"id": "x:1", "supporting_text": ['a\tb\nc|d "e"', "f"]}])
    rows = _read(text)
    assert rows == [{"id": "x:1", "supporting_text": 'a b c\N{BROKEN BAR}d "e"|f'}]


def test_output_is_deterministic(project, outputs):
    from exo_rdf.kgx import kgx_outputs

    assert kgx_outputs(project, "9.9.9") == outputs
