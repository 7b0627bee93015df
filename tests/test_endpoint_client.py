"""The /sparql endpoint of a live `exo-rdf serve`, used through real SPARQL clients: SPARQLWrapper and rdflib's
SPARQLStore (which sends the query over HTTP; nothing is evaluated by rdflib).
"""

from __future__ import annotations

import csv
import io

import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from conftest import ROOT

FIXTURES = ROOT / "tests" / "resources" / "cq"
CQS = sorted((ROOT / "queries" / "cq").glob("cq-*.rq"))


@pytest.fixture(scope="module")
def store(built_copy):
    from exo_rdf.graph import load_store

    return load_store([built_copy.dist_dir / "data" / "exo-data.nt", built_copy.dist_dir / "ontology" / "exo.ttl"])


def _client(live_server, query, fmt):
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def _direct(store, query):
    """Rows of a SELECT run directly on pyoxigraph, as {var: str value}."""
    result = store.query(query)
    names = [v.value for v in result.variables]
    return sorted(tuple((n, sol[n].value) for n in names if sol[n] is not None) for sol in result)


def test_cq01_answer_over_http_matches_the_paper(live_server):
    """CQ-01 through SPARQLWrapper gives the answer the fixture derived from the paper: miR-133b, ref [40]."""
    from SPARQLWrapper import JSON

    fixture = yaml.safe_load((FIXTURES / "cq-01-parkinson-neurite-mirna.yaml").read_text(encoding="utf-8"))
    result = _client(
        live_server, (ROOT / "queries" / "cq" / "cq-01-parkinson-neurite-mirna.rq").read_text(), JSON
    ).queryAndConvert()
    rows = result["results"]["bindings"]
    labels = sorted({r["mirnaLabel"]["value"] for r in rows})
    assert labels == sorted({row[0] for row in fixture["rows"]}) == ["hsa-miR-133b"]
    assert {r["refs"]["value"] for r in rows} == {"40"}


@pytest.mark.parametrize("path", CQS, ids=[p.stem for p in CQS])
def test_every_cq_over_http_equals_the_embedded_store(live_server, store, path):
    from SPARQLWrapper import JSON

    query = path.read_text(encoding="utf-8")
    result = _client(live_server, query, JSON).queryAndConvert()
    got = sorted(
        tuple((k, v["value"]) for k, v in sorted(b.items(), key=lambda kv: result["head"]["vars"].index(kv[0])))
        for b in result["results"]["bindings"]
    )
    assert got == _direct(store, query)


def test_xml_and_csv_results_and_post(live_server, store):
    from SPARQLWrapper import CSV, POST, XML

    query = "PREFIX exo: <https://w3id.org/exo-rdf/ontology/> SELECT ?f WHERE { ?f a exo:Finding } ORDER BY ?f LIMIT 25"
    expected = [row[0][1] for row in _direct(store, query)]
    client = _client(live_server, query, XML)
    client.setMethod(POST)
    doc = client.queryAndConvert()  # an xml.dom.minidom Document
    xml_values = sorted(n.firstChild.data for n in doc.getElementsByTagName("uri"))
    assert xml_values == expected
    text = _client(live_server, query, CSV).queryAndConvert().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["f"] and sorted(r[0] for r in rows[1:]) == expected


def test_construct_through_sparqlwrapper_and_rdflib_sparqlstore(live_server, store):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    from SPARQLWrapper import TURTLE

    finding = "https://w3id.org/exo-rdf/data/finding/s000-kidney-hucmsc-exo-mir146b-irak1-sepsis-aki"
    query = f"CONSTRUCT {{ <{finding}> ?p ?o }} WHERE {{ <{finding}> ?p ?o }}"
    direct = Graph()
    for t in store.query(query):
        direct.parse(data=f"{t.subject} {t.predicate} {t.object} .", format="nt")
    assert len(direct) > 10
    data = _client(live_server, query, TURTLE).queryAndConvert()
    over_http = Graph().parse(data=data, format="turtle")
    assert isomorphic(over_http, direct)

    remote = SPARQLStore(live_server + "/sparql", returnFormat="json")
    graph = Graph(store=remote)
    labels = list(graph.objects(URIRef(finding), URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert len(labels) == 1 and "miR-146b" in str(labels[0])
