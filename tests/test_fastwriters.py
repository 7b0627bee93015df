"""The fast writers of exo_rdf.rdfio and graph.read_triples against rdflib, on awkward data.

Each writer's output, parsed back by rdflib, must be isomorphic to the source graph; where rdflib's own
writer is deterministic (no two objects of one predicate that rdflib cannot order), the bytes must be
rdflib's. read_triples must read what rdflib reads, and hand anything the fast writers cannot reproduce
(blank nodes, explicit xsd:string, capitalised language tags) to rdflib.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from exo_rdf.errors import InputError
from exo_rdf.graph import parse_files, read_triples
from exo_rdf.namespaces import bind_prefixes
from exo_rdf.rdfio import (
    _no_generated_prefixes,
    _QNames,
    canonical_graph,
    canonical_jsonld,
    canonical_turtle,
    fast_jsonld,
    fast_sorted_ntriples,
    fast_turtle,
    has_blank_nodes,
    ox_triple,
    rdflib_graph,
    rdflib_term,
    sorted_ntriples,
)

PREFIXES = """\
@prefix ex: <http://example.org/> .
@prefix exo: <https://w3id.org/exo-rdf/ontology/> .
@prefix exod: <https://w3id.org/exo-rdf/data/> .
@prefix GO: <http://purl.obolibrary.org/obo/GO_> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""

# One predicate per kind of awkward value, so that rdflib's writer orders every object list totally.
AWKWARD = (
    PREFIXES
    + r'''
exod:finding\/a rdfs:label "Hello"@en-gb, "Grüezi"@de-ch-1996, "hi"@en ;
    exo:count 01, "007"^^xsd:integer, 42 ;
    exo:ratio 1.50, "2.0"^^xsd:decimal, -0.5 ;
    exo:big 1e3, "-2.5E-3"^^xsd:double ;
    exo:flag true ;
    exo:day "2020-01-01"^^xsd:date ;
    exo:odd "abc"^^xsd:integer ;
    exo:custom "x y"^^ex:myType ;
    exo:quote "line one\nline two", "a \"quoted\" word", "back\\slash", "tab\there", "cr\rhere",
        "non-BMP \U0001F600 and é ß 中", """ends with a quote\"""", "ends\nwith a quote\"",
        "three \"\"\" quotes\nin a long string", "", "   ", "word (in brackets); a, b." ;
    exo:long """A long string
over several lines, with "quotes", a backslash \\ and a tab	too.
""" ;
    exo:iri <http://example.org/a%20b>, <http://example.org/ü>, <http://example.org/x(1)>,
        <http://example.org/x.>, <http://example.org/#frag>, <urn:isbn:0-306-40615-2>,
        <http://example.org/a_b-c.d>, <http://example.org/?q=1&r=2>, GO:0001525, ex:, ex:b .
ex:b a rdfs:Class ; skos:prefLabel "B"@en ; ex:c exod:finding\/a, ex:b .
<http://example.org/with%7Bbraces%7D> rdfs:seeAlso ex:b ; ex:ref ex:a0 .
ex:a0 rdfs:label "used twice as an object"@en .
ex:c ex:ref ex:a0 .
'''
    + "ex:c exo:long "
    + json.dumps("x" * 5000 + " end")
    + " .\n"
)


@pytest.fixture
def awkward(tmp_path) -> Path:
    path = tmp_path / "awkward.ttl"
    path.write_text(AWKWARD, encoding="utf-8")
    return path


def rdflib_set(triples) -> set:
    return {tuple(rdflib_term(x) for x in (t.subject, t.predicate, t.object)) for t in triples}


def parsed(text: str, fmt: str) -> Graph:
    return Graph().parse(data=text, format=fmt)


def test_read_triples_reads_what_rdflib_reads(awkward):
    triples = read_triples([awkward])
    assert isinstance(triples, list) and not has_blank_nodes(triples)
    assert rdflib_set(triples) == set(parse_files([awkward]))


def test_read_triples_normalises_like_rdflib(awkward):
    values = {str(t.object) for t in read_triples([awkward])}
    # rdflib's forms: leading zeros dropped, so 01 and "007" are 1 and 7
    assert '"1"^^<http://www.w3.org/2001/XMLSchema#integer>' in values
    assert '"7"^^<http://www.w3.org/2001/XMLSchema#integer>' in values
    assert '"01"^^<http://www.w3.org/2001/XMLSchema#integer>' not in values


def test_read_triples_drops_duplicates_across_files(tmp_path, awkward):
    again = tmp_path / "again.ttl"
    again.write_text(PREFIXES + 'ex:b skos:prefLabel "B"@en .\n', encoding="utf-8")
    triples = read_triples([awkward, again])
    assert len(triples) == len(set(parse_files([awkward, again])))


@pytest.mark.parametrize(
    "body",
    [
        'ex:a ex:p [ ex:q "blank" ] .',
        'ex:a ex:p "typed as a string"^^xsd:string .',
        'ex:a rdfs:label "Capital"@en-GB .',
    ],
    ids=["blank-node", "xsd-string", "capitalised-language-tag"],
)
def test_read_triples_hands_to_rdflib_what_the_fast_writers_cannot_reproduce(tmp_path, body):
    path = tmp_path / "x.ttl"
    path.write_text(PREFIXES + body + "\n", encoding="utf-8")
    graph = read_triples([path])
    assert isinstance(graph, Graph)
    assert isomorphic(graph, parse_files([path]))


def test_read_triples_reports_syntax_errors_with_file_and_line(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text(PREFIXES + "ex:a ex:p ex:q .\nex:a ex:p .\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_triples([path])
    assert "broken.ttl" in str(err.value) and err.value.line == 9


def test_fast_ntriples_is_rdflibs_and_parses_back(awkward):
    triples = read_triples([awkward])
    text = fast_sorted_ntriples(triples)
    assert text == sorted_ntriples(canonical_graph(parse_files([awkward])))
    assert isomorphic(parsed(text, "nt"), parse_files([awkward]))


def test_fast_ntriples_keeps_a_line_separator_inside_its_literal(tmp_path):
    path = tmp_path / "sep.ttl"
    path.write_text(PREFIXES + 'ex:a ex:p "one\\u2028two\\u0085three" .\n', encoding="utf-8")
    text = fast_sorted_ntriples(read_triples([path]))
    assert text.count("\n") == 1
    assert isomorphic(parsed(text, "nt"), parse_files([path]))


def test_fast_turtle_is_rdflibs_and_parses_back(awkward):
    text = fast_turtle(read_triples([awkward]))
    assert text == canonical_turtle(canonical_graph(parse_files([awkward])))
    assert isomorphic(parsed(text, "turtle"), parse_files([awkward]))


def test_fast_turtle_orders_subjects_and_predicates_as_rdflib(awkward):
    text = fast_turtle(read_triples([awkward]))
    # subjects typed rdfs:Class first, then by how often they are objects (0, 0, 1, 2), then by IRI
    starts = [text.index("\n<http://example.org/" + s) for s in ("b> a rdfs:Class", "c>", "with%7Bbraces%7D>", "a0>")]
    starts.insert(3, text.index("\n<https://w3id.org/exo-rdf/data/finding/a> rdfs:label"))
    assert starts == sorted(starts)


def test_fast_turtle_with_ties_rdflib_cannot_order_still_parses_back(tmp_path):
    # "5"^^xsd:int and 5 are equal values for rdflib, NaN equals nothing: its order follows hashing,
    # the fast writer's is fixed; the graph is the same.
    path = tmp_path / "ties.ttl"
    path.write_text(PREFIXES + 'ex:a ex:p "5"^^xsd:int, 5, "NaN"^^xsd:float, "x"@en, "x", ex:b .\n', encoding="utf-8")
    triples = read_triples([path])
    text = fast_turtle(triples)
    assert text == fast_turtle(list(reversed(triples)))
    assert isomorphic(parsed(text, "turtle"), parse_files([path]))


def test_fast_jsonld_is_rdflibs_and_parses_back(awkward):
    text = fast_jsonld(read_triples([awkward]))
    assert text == canonical_jsonld(parse_files([awkward]))
    assert isomorphic(parsed(text, "json-ld"), parse_files([awkward]))


def test_fast_writers_on_an_empty_graph():
    empty = Graph()
    bind_prefixes(empty)
    assert fast_sorted_ntriples([]) == sorted_ntriples(empty)
    assert fast_turtle([]) == canonical_turtle(empty)
    assert fast_jsonld([]) == canonical_jsonld(empty)


def test_fast_writers_refuse_blank_nodes(tmp_path):
    import pyoxigraph as ox

    bnode = [ox.Triple(ox.BlankNode("b0"), ox.NamedNode("http://example.org/p"), ox.Literal("x"))]
    for writer in (fast_sorted_ntriples, fast_turtle, fast_jsonld):
        with pytest.raises(ValueError, match="blank nodes"):
            writer(bnode)


def test_qnames_match_rdflibs_prefixed_names(awkward):
    graph = parse_files([awkward])
    iris = sorted({str(x) for t in graph for x in t if isinstance(x, URIRef)})
    iris += [
        "http://purl.obolibrary.org/obo/GO_0001525",
        "http://purl.obolibrary.org/obo/UBERON_0002107",
        "https://w3id.org/exo-rdf/ontology/Finding",
        "http://www.w3.org/2001/XMLSchema#decimal",
        "http://mirbase.org/cgi-bin/mature.pl?mature_acc=MIMAT0000062",
        "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:1100",
        "http://purl.org/dc/terms/",
        "https://w3id.org/exo-rdf/data/",
    ]
    for iri in iris:
        g = Graph()
        bind_prefixes(g)
        serializer = _no_generated_prefixes()(g)
        expected = serializer.get_pname(URIRef(iri), gen_prefix=False)
        parts = _QNames(g)(iri)
        assert (None if parts is None else f"{parts[0]}:{parts[2]}") == expected, iri


def test_round_trip_throughrdflib_terms(awkward):
    triples = read_triples([awkward])
    graph = rdflib_graph(triples)
    assert set(graph) == set(parse_files([awkward]))
    assert [ox_triple(t) for t in sorted(graph)] == [ox_triple(t) for t in sorted(parse_files([awkward]))]


@pytest.mark.parametrize(
    "body",
    [
        "ex:a exo:ratio 30.0, 1e3 ; exo:count 7 ; exo:flag false .",
        'ex:a rdfs:comment "mentions xsd: in text" ; exo:count 7 .',
    ],
    ids=["bare-numbers-only", "prefix-named-in-a-literal"],
)
def test_fast_turtle_declares_the_prefixes_rdflib_keeps(tmp_path, body):
    # numbers written bare make rdflib declare xsd: and then drop it unless "xsd:" appears in the text
    path = tmp_path / "numbers.ttl"
    path.write_text(PREFIXES + body + "\n", encoding="utf-8")
    text = fast_turtle(read_triples([path]))
    assert text == canonical_turtle(canonical_graph(parse_files([path])))
    assert ("@prefix xsd:" in text) == ("xsd: in text" in body)
