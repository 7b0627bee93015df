"""One place for namespaces: the closed EXO namespace equals the ontology's terms, every .ttl/.rq
declares prefixes that agree with the canonical map, and serialised output has no generated prefixes."""

from __future__ import annotations

import re

import pytest
from rdflib import URIRef

from conftest import ROOT


def test_exo_namespace_is_closed_and_matches_the_ontology(project):
    from exo_rdf.graph import parse_turtle
    from exo_rdf.namespaces import EXO

    g = parse_turtle(project.ontology_file)
    ns = str(EXO._NS)
    declared = {str(s)[len(ns) :] for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(ns)}
    assert declared == set(EXO.__annotations__)
    with pytest.raises(AttributeError):
        EXO.Findng  # noqa: B018 - a typo must be an error, never a new IRI


def test_expand_and_compress_round_trip():
    from exo_rdf.namespaces import compress, expand

    for curie in (
        "CL:0000134",
        "HGNC:4893",
        "cellosaurus:CVCL_0481",
        "mirbase.mature:MIMAT0000770",
        "NCBITaxon:9606",
        "exo:Finding",
        "clinicaltrials:NCT04388982",
    ):
        assert compress(str(expand(curie))) == curie
    assert str(expand("CL:0000134")) == "http://purl.obolibrary.org/obo/CL_0000134"
    with pytest.raises(ValueError, match="unknown prefix"):
        expand("FOO:1")


def _source_files():
    for folder, pattern in (
        ("ontology", "**/*.ttl"),
        ("shapes", "*.ttl"),
        ("instances", "*.ttl"),
        ("queries", "**/*.rq"),
    ):
        yield from sorted((ROOT / folder).glob(pattern))


@pytest.mark.parametrize("path", list(_source_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_declared_prefixes_agree_with_canonical_map(path):
    from exo_rdf.graph import prefix_conflicts

    assert prefix_conflicts(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "path", [p for p in _source_files() if p.suffix == ".ttl"], ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_generated_prefixes(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"@prefix ns\d+:", text)


def test_canonical_turtle_binds_only_canonical_prefixes():
    from rdflib import Graph, Literal, URIRef

    from exo_rdf.rdfio import canonical_turtle

    g = Graph()
    g.add((URIRef("http://purl.obolibrary.org/obo/CL_0000134"), URIRef("http://example.org/p"), Literal("x")))
    text = canonical_turtle(g)
    assert "@prefix CL: <http://purl.obolibrary.org/obo/CL_> ." in text
    assert not re.search(r"@prefix ns\d+:", text)


def test_compress_agrees_with_the_curies_converter_on_every_iri_of_the_project(project):
    """`compress` finds the longest namespace by table look-ups; the answer must be the converter's."""
    import pyoxigraph as ox

    from exo_rdf.graph import data_files
    from exo_rdf.namespaces import PREFIXES, compress, converter

    iris = set()
    for path in data_files(project):
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            iris |= {n.value for n in (t.subject, t.predicate, t.object) if isinstance(n, ox.NamedNode)}
    # the namespaces themselves, one character short of them, and IRIs outside every namespace
    iris |= set(PREFIXES.values()) | {ns[:-1] for ns in PREFIXES.values()} | {"http://example.org/x", "", "urn:x"}
    assert len(iris) > 3000
    conv = converter()
    assert [iri for iri in sorted(iris) if compress(iri) != conv.compress(iri, passthrough=True)] == []
