"""exo-rdf build: every file parses with real parsers and says the same thing in every format; the
full release holds the HermiT-inferred hierarchy; the TriG/N-Quads named graphs partition the N-Triples
dump exactly; the VoID counts match counts made independently; the pyLODE page documents our classes;
a rebuild in another process (other hash seed) is byte-identical; the version is stamped; a failed
build (bad input, no Java) leaves the previous dist/ untouched.

One build per session (HermiT, pyLODE and the serialisers take a while): the `built` fixture builds a
copy of the project, plus one test-only import module with defined classes that HermiT classifies,
once in this process and once more in a subprocess.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL, RDF, RDFS

from conftest import RESOURCES, ROOT, SHARED

VERSION = "9.9.9"
EX = Namespace("https://example.org/build-test/")
EXO = Namespace("https://w3id.org/exo-rdf/ontology/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
RELEASE = f"https://w3id.org/exo-rdf/releases/{VERSION}/"
DEFINED_MODULE = "zz-build-test_import.ttl"


def _snapshot(dist):
    return {str(p.relative_to(dist)): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the project (ontology + one test-only defined-class module, instances, LICENSE-DATA),
    built here, then rebuilt in a subprocess with another hash seed; returns the project, the first
    build's files and the second build's files."""
    from exo_rdf.build import build
    from exo_rdf.project import Project

    root = tmp_path_factory.mktemp("b") / "proj"
    for name in ("ontology", "instances"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "LICENSE-DATA", root / "LICENSE-DATA")
    shutil.copy(RESOURCES / "build" / "defined_import.ttl", root / "ontology" / "imports" / DEFINED_MODULE)
    os.environ.setdefault("EXO_RDF_SHARED", str(SHARED))  # the SSSOM set reads the shared MONDO-DOID mappings
    project = Project.at(root)
    first = build(project, version=VERSION)
    snapshot = _snapshot(first.dist)
    code = (
        "from exo_rdf.build import build; from exo_rdf.project import Project; "
        f"build(Project.at({str(root)!r}), version={VERSION!r})"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return project, snapshot, _snapshot(project.dist_dir), first


def _dist(built):
    return built[0].dist_dir


# ---------------------------------------------------------------------------------------------
# the release as a whole


EXPECTED_FILES = {
    "SHA256SUMS",
    "context.jsonld",
    "void.ttl",
    "void.jsonld",
    "docs/ontology.html",
    *(f"ontology/{stem}.{ext}" for stem in ("exo-base", "exo") for ext in ("ttl", "owl", "jsonld")),
    *(f"data/exo-data.{ext}" for ext in ("ttl", "nt", "jsonld", "trig", "nq")),
}


def test_every_expected_file_is_there(built):
    project, snapshot, _, result = built
    assert EXPECTED_FILES <= set(snapshot)
    assert set(result.files) == set(snapshot)
    assert oct(project.dist_dir.stat().st_mode & 0o777) == "0o755"


def test_rebuild_in_another_process_is_byte_identical(built):
    _, first, second, _ = built
    assert set(first) == set(second)
    different = sorted(rel for rel in first if first[rel] != second[rel])
    assert not different


RDF_FILES = [
    ("ontology/exo-base.ttl", "turtle", ox.RdfFormat.TURTLE),
    ("ontology/exo-base.owl", "xml", ox.RdfFormat.RDF_XML),
    ("ontology/exo-base.jsonld", "json-ld", ox.RdfFormat.JSON_LD),
    ("ontology/exo.ttl", "turtle", ox.RdfFormat.TURTLE),
    ("ontology/exo.owl", "xml", ox.RdfFormat.RDF_XML),
    ("ontology/exo.jsonld", "json-ld", ox.RdfFormat.JSON_LD),
    ("data/exo-data.ttl", "turtle", ox.RdfFormat.TURTLE),
    ("data/exo-data.nt", "nt", ox.RdfFormat.N_TRIPLES),
    ("data/exo-data.jsonld", "json-ld", ox.RdfFormat.JSON_LD),
    ("data/exo-data.trig", "trig", ox.RdfFormat.TRIG),
    ("data/exo-data.nq", "nquads", ox.RdfFormat.N_QUADS),
    ("void.ttl", "turtle", ox.RdfFormat.TURTLE),
    ("void.jsonld", "json-ld", ox.RdfFormat.JSON_LD),
]


@pytest.mark.parametrize("rel,rdflib_format,ox_format", RDF_FILES, ids=[r[0] for r in RDF_FILES])
def test_every_rdf_file_parses_with_rdflib_and_pyoxigraph(built, rel, rdflib_format, ox_format):
    path = _dist(built) / rel
    if rdflib_format in ("trig", "nquads"):
        n_rdflib = len(Dataset().parse(path, format=rdflib_format))
    else:
        n_rdflib = len(Graph().parse(path, format=rdflib_format))
    n_ox = len(set(ox.parse(path=str(path), format=ox_format)))
    assert n_rdflib == n_ox > 0
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\bns\d+:", text), "generated ns1:-style prefixes"
    assert VERSION in text, f"{rel} does not carry the version"


def test_checksums_cover_every_file(built):
    dist = _dist(built)
    lines = (dist / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in lines}
    files = {str(p.relative_to(dist)) for p in dist.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    for rel, digest in listed.items():
        assert hashlib.sha256((dist / rel).read_bytes()).hexdigest() == digest


# ---------------------------------------------------------------------------------------------
# ontology


@pytest.mark.parametrize("stem", ["ontology/exo-base", "ontology/exo"])
def test_ontology_formats_agree(built, stem):
    dist = _dist(built)
    ttl = Graph().parse(dist / f"{stem}.ttl")
    owl = Graph().parse(dist / f"{stem}.owl", format="xml")
    jsonld = Graph().parse(dist / f"{stem}.jsonld", format="json-ld")
    assert isomorphic(ttl, owl) and isomorphic(ttl, jsonld)
    from exo_rdf.namespaces import ONTOLOGY_IRI as onto

    assert str(ttl.value(onto, OWL.versionInfo)) == VERSION
    assert str(ttl.value(onto, OWL.versionIRI)) == RELEASE + stem.split("/")[1] + ".owl"


def test_full_release_holds_the_inferred_hierarchy(built):
    from exo_rdf.graph import parse_files

    project, _, _, result = built
    sources = parse_files([project.ontology_file, *project.import_files()])
    # Why HermiT must infer it: ex:QuotedThing is "has some exo:hasQuote" and exo:hasQuote has the
    # domain exo:Statement; nothing in the sources says ex:QuotedThing rdfs:subClassOf exo:Statement.
    assert (EXO.hasQuote, RDFS.domain, EXO.Statement) in sources
    assert (EX.QuotedThing, RDFS.subClassOf, EXO.Statement) not in sources
    assert not list(sources.objects(EX.QuotedThing, RDFS.subClassOf))

    full = Graph().parse(_dist(built) / "ontology" / "exo.ttl")
    expected = {(EX.QuotedThing, EXO.Statement), (EX.QuotedFinding, EXO.Finding), (EX.QuotedFinding, EX.QuotedThing)}
    for sub, sup in expected:
        assert (sub, RDFS.subClassOf, sup) in full
        annotated = [
            a
            for a in full.subjects(OWL.annotatedSource, sub)
            if (a, OWL.annotatedTarget, sup) in full and (a, RDF.type, OWL.Axiom) in full
        ]
        assert len(annotated) == 1 and (annotated[0], OBOINOWL.is_inferred, Literal("true")) in full
    assert {(URIRef(s), URIRef(o)) for s, o in result.inferred_axioms} == expected
    # entailed but redundant: QuotedFinding < Finding < Statement, QuotedThing < Statement < IAO:0000030
    assert (EX.QuotedFinding, RDFS.subClassOf, EXO.Statement) not in full
    assert (EX.QuotedThing, RDFS.subClassOf, URIRef("http://purl.obolibrary.org/obo/IAO_0000030")) not in full
    base = Graph().parse(_dist(built) / "ontology" / "exo-base.ttl")
    assert not list(base.subjects(OBOINOWL.is_inferred, None))


def test_non_redundant_keeps_one_edge_per_path():
    from exo_rdf.reason import non_redundant

    asserted = {("F", "S"), ("S", "ICE")}
    inferred = [("QF", "F"), ("QF", "QT"), ("QF", "S"), ("QT", "ICE"), ("QT", "S"), ("A", "B"), ("B", "A")]
    assert non_redundant(asserted, inferred) == [("A", "B"), ("B", "A"), ("QF", "F"), ("QF", "QT"), ("QT", "S")]


def test_missing_java_is_a_clear_error_and_keeps_dist(built, no_java):
    from exo_rdf.build import build
    from exo_rdf.errors import ExoError
    from exo_rdf.reason import JAVA_MISSING

    project, snapshot, _, _ = built
    before = _snapshot(project.dist_dir)
    with pytest.raises(ExoError) as info:
        build(project, version=VERSION)
    assert str(info.value) == JAVA_MISSING
    assert _snapshot(project.dist_dir) == before
    assert not list(project.root.glob(".dist-*"))


# ---------------------------------------------------------------------------------------------
# data


def _header(version=VERSION):
    from exo_rdf.describe import DATA_DATASET

    return [
        (DATA_DATASET, OWL.versionInfo, Literal(version)),
        (DATA_DATASET, DCAT.version, Literal(version)),
        (DATA_DATASET, RDFS.seeAlso, URIRef(RELEASE + "void.ttl")),
        (DATA_DATASET, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")),
        (DATA_DATASET, RDF.type, VOID.Dataset),
    ]


def test_data_dumps_are_the_sources_plus_the_version_header(built):
    from exo_rdf.graph import parse_files

    project = built[0]
    dist = _dist(built)
    source = parse_files(project.instance_files())
    nt = Graph().parse(dist / "data" / "exo-data.nt", format="nt")
    for triple in _header():
        assert triple in nt
    header = {t for t in nt if t[0] == _header()[0][0]}
    expected = Graph()
    for t in [*source, *header]:
        expected.add(t)
    assert len(nt) == len(source) + len(header)
    for name, fmt in (("exo-data.ttl", "turtle"), ("exo-data.nt", "nt"), ("exo-data.jsonld", "json-ld")):
        assert isomorphic(Graph().parse(dist / "data" / name, format=fmt), expected), name
    for name, fmt in (("exo-data.trig", "trig"), ("exo-data.nq", "nquads")):
        ds = Dataset().parse(dist / "data" / name, format=fmt)
        union = Graph()
        for s, p, o, g in ds.quads((None, None, None, None)):
            if getattr(g, "identifier", g) != DATASET_DEFAULT_GRAPH_ID:
                union.add((s, p, o))
        assert isomorphic(union, expected), name


def _quads(dist):
    return list(ox.parse(path=str(dist / "data" / "exo-data.nq"), format=ox.RdfFormat.N_QUADS))


def test_named_graph_union_equals_the_ntriples_dump_exactly(built):
    dist = _dist(built)
    nt = {q.triple for q in ox.parse(path=str(dist / "data" / "exo-data.nt"), format=ox.RdfFormat.N_TRIPLES)}
    named = [q for q in _quads(dist) if not isinstance(q.graph_name, ox.DefaultGraph)]
    union = {q.triple for q in named}
    assert union == nt
    assert len(named) == len(nt), "a triple sits in two named graphs"
    trig = {q for q in ox.parse(path=str(dist / "data" / "exo-data.trig"), format=ox.RdfFormat.TRIG)}
    assert trig == set(_quads(dist))


def test_named_graphs_follow_provenance_and_are_described(built):
    dist = _dist(built)
    quads = _quads(dist)
    derived_from = ox.NamedNode(str(PROV.wasDerivedFrom))
    graph_of = {}
    per_graph = defaultdict(int)
    default = defaultdict(dict)
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            default[q.subject.value][q.predicate.value] = q.object
        else:
            graph_of.setdefault(q.subject, set()).add(q.graph_name.value)
            per_graph[q.graph_name.value] += 1
    assert all(len(g) == 1 for g in graph_of.values()), "a subject is split over graphs"
    # every graph is described in the default graph with its triple count and source
    assert set(default) == set(per_graph)
    sources = set()
    for g, n in per_graph.items():
        assert g.startswith("https://w3id.org/exo-rdf/data/graph/")
        assert int(default[g][str(VOID.triples)].value) == n
        assert default[g][str(DCTERMS.isPartOf)].value == "https://w3id.org/exo-rdf/data"
        src = default[g].get(str(PROV.wasDerivedFrom))
        if src is not None:
            sources.add(src.value)
    assert len(sources) == 2 and len(per_graph) == 3  # two review papers + the shared graph
    source_graph = {
        default[g][str(PROV.wasDerivedFrom)].value: g for g in per_graph if str(PROV.wasDerivedFrom) in default[g]
    }
    # every statement sits in the graph of the paper it was derived from, and so do its quotes
    n_statements = 0
    for q in quads:
        if q.predicate == derived_from and not isinstance(q.graph_name, ox.DefaultGraph):
            n_statements += 1
            assert q.graph_name.value == source_graph[q.object.value]
            quote = ox.NamedNode(q.subject.value + "/quote")
            if quote in graph_of:
                assert graph_of[quote] == {q.graph_name.value}
    assert n_statements >= 472
    # the paper itself goes to its own graph; the dataset header and a shared preparation to the shared one
    for src, g in source_graph.items():
        assert graph_of[ox.NamedNode(src)] == {g}
    shared = set(per_graph) - set(source_graph.values())
    assert graph_of[ox.NamedNode("https://w3id.org/exo-rdf/data")] == shared


def test_assign_sources_rules():
    from exo_rdf.build import assign_sources

    def n(x):
        return ox.NamedNode("https://w3id.org/exo-rdf/data/" + x)

    p, derived, rdf_type = n("p"), ox.NamedNode(str(PROV.wasDerivedFrom)), ox.NamedNode(str(RDF.type))
    b = ox.BlankNode("b1")
    triples = [
        ox.Triple(n("source/A"), rdf_type, ox.NamedNode(str(EXO.SourceDocument))),
        ox.Triple(n("source/A/reference/1"), p, ox.Literal("x")),
        ox.Triple(n("finding/f"), derived, n("source/B")),
        ox.Triple(n("finding/f"), derived, n("source/A")),
        ox.Triple(n("finding/f/quote"), p, b),
        ox.Triple(b, p, ox.Literal("sel")),
        ox.Triple(n("finding/g"), derived, n("source/B")),
        ox.Triple(n("preparation/x"), p, ox.Literal("shared")),
        ox.Triple(n("header"), p, n("finding/f")),
    ]
    owner = assign_sources(triples, shared_subjects={n("header").value})
    A, B = n("source/A").value, n("source/B").value
    assert owner[n("source/A")] == A and owner[n("source/A/reference/1")] == A
    assert owner[n("finding/f")] == A  # two sources: the smallest IRI
    assert owner[n("finding/f/quote")] == A and owner[b] == A
    assert owner[n("finding/g")] == B
    assert owner[n("preparation/x")] is None and owner[n("header")] is None


# ---------------------------------------------------------------------------------------------
# VoID / DCAT


def _void(built):
    return Graph().parse(_dist(built) / "void.ttl")


def _independent_counts(triples, uri_space):
    """VoID counts by plain iteration over parsed triples (no SPARQL)."""
    subjects, objects, predicates, classes = set(), set(), defaultdict(int), defaultdict(set)
    for s, p, o in triples:
        subjects.add(s)
        objects.add(o)
        predicates[p] += 1
        if p == RDF.type:
            classes[o].add(s)
    return (
        {
            VOID.triples: len(triples),
            VOID.entities: len({s for s in subjects if isinstance(s, URIRef) and str(s).startswith(uri_space)}),
            VOID.classes: len(classes),
            VOID.properties: len(predicates),
            VOID.distinctSubjects: len(subjects),
            VOID.distinctObjects: len(objects),
        },
        {c: len(members) for c, members in classes.items()},
        dict(predicates),
    )


@pytest.mark.parametrize(
    "dataset,dump,uri_space",
    [
        ("https://w3id.org/exo-rdf/data", "data/exo-data.nt", "https://w3id.org/exo-rdf/data/"),
        ("https://w3id.org/exo-rdf/ontology", "ontology/exo.ttl", "https://w3id.org/exo-rdf/ontology/"),
    ],
)
def test_void_counts_match_independent_counts(built, dataset, dump, uri_space):
    void = _void(built)
    ds = URIRef(dataset)
    triples = Graph().parse(_dist(built) / dump)
    totals, class_entities, property_triples = _independent_counts(triples, uri_space)
    for prop, n in totals.items():
        assert void.value(ds, prop).toPython() == n, prop
    assert str(void.value(ds, VOID.uriSpace)) == uri_space
    partitions = {
        void.value(part, VOID["class"]): void.value(part, VOID.entities).toPython()
        for part in void.objects(ds, VOID.classPartition)
    }
    assert partitions == class_entities
    partitions = {
        void.value(part, VOID.property): void.value(part, VOID.triples).toPython()
        for part in void.objects(ds, VOID.propertyPartition)
    }
    assert partitions == property_triples


def test_void_examples_are_findings(built):
    void = _void(built)
    data = Graph().parse(_dist(built) / "data" / "exo-data.nt", format="nt")
    examples = sorted(void.objects(URIRef("https://w3id.org/exo-rdf/data"), VOID.exampleResource))
    findings = sorted(data.subjects(RDF.type, EXO.Finding))
    assert examples == findings[:3]


MEDIA = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".trig": "application/trig",
    ".jsonld": "application/ld+json",
    ".owl": "application/rdf+xml",
    ".html": "text/html",
    ".tsv": "text/tab-separated-values",
}


def test_every_file_is_a_distribution_with_size_and_checksum(built):
    dist = _dist(built)
    void = _void(built)
    data_ds, onto_ds = URIRef("https://w3id.org/exo-rdf/data"), URIRef("https://w3id.org/exo-rdf/ontology")
    described = set()
    for ds in (data_ds, onto_ds):
        for url in void.objects(ds, DCAT.distribution):
            assert str(url).startswith(RELEASE)
            rel = str(url)[len(RELEASE) :]
            described.add(rel)
            blob = (dist / rel).read_bytes()
            assert (url, RDF.type, DCAT.Distribution) in void
            assert void.value(url, DCAT.downloadURL) == url
            assert void.value(url, DCAT.byteSize).toPython() == len(blob)
            checksum = void.value(url, SPDX.checksum)
            assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
            assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(blob).hexdigest()
            suffix = "." + rel.rsplit(".", 1)[1]
            if suffix in MEDIA:
                assert str(void.value(url, DCAT.mediaType)) == MEDIA[suffix]
    files = {str(p.relative_to(dist)) for p in dist.rglob("*") if p.is_file()}
    assert described == files - {"SHA256SUMS", "void.ttl", "void.jsonld"}
    dumps = {str(u)[len(RELEASE) :] for ds in (data_ds, onto_ds) for u in void.objects(ds, VOID.dataDump)}
    assert {f"data/exo-data.{e}" for e in ("ttl", "nt", "jsonld", "trig", "nq")} <= dumps
    assert {f"ontology/exo.{e}" for e in ("ttl", "owl", "jsonld")} <= dumps


def test_void_catalog_licences_versions_and_endpoint(built):
    project = built[0]
    void = _void(built)
    catalog = next(void.subjects(RDF.type, DCAT.Catalog))
    datasets = set(void.objects(catalog, DCAT.dataset))
    assert datasets == {URIRef("https://w3id.org/exo-rdf/data"), URIRef("https://w3id.org/exo-rdf/ontology")}
    licence_text = (project.root / "LICENSE-DATA").read_text(encoding="utf-8")
    onto = Graph().parse(project.ontology_file)
    for ds in datasets:
        assert (ds, RDF.type, VOID.Dataset) in void and (ds, RDF.type, DCAT.Dataset) in void
        assert str(void.value(ds, OWL.versionInfo)) == VERSION == str(void.value(ds, DCAT.version))
        assert str(void.value(ds, VOID.sparqlEndpoint)) == "https://w3id.org/exo-rdf/sparql"
        assert void.value(ds, DCTERMS.title) is not None
        licence = void.value(ds, DCTERMS.license)
        assert str(licence) in licence_text
    assert void.value(URIRef("https://w3id.org/exo-rdf/ontology"), DCTERMS.license) == onto.value(
        URIRef("https://w3id.org/exo-rdf/ontology"), DCTERMS.license
    )
    assert isomorphic(void, Graph().parse(_dist(built) / "void.jsonld", format="json-ld"))


# ---------------------------------------------------------------------------------------------
# documentation


def test_docs_page_documents_our_classes(built):
    project = built[0]
    html = (_dist(built) / "docs" / "ontology.html").read_text(encoding="utf-8")
    onto = Graph().parse(project.ontology_file)
    label = str(onto.value(EXO.Finding, RDFS.label))
    definition = str(onto.value(EXO.Finding, URIRef("http://purl.obolibrary.org/obo/IAO_0000115")))
    assert re.search(r'<div class="property entity" id="finding">\s*<h3>' + re.escape(label), html)
    assert definition in html
    assert "https://w3id.org/exo-rdf/ontology/Finding" in html
    for cls in onto.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef) and str(cls).startswith(str(EXO)):
            assert f"<code>{cls}</code>" in html, cls
    assert VERSION in html


def test_docs_page_is_the_same_in_another_process():
    from exo_rdf.docs import ontology_html

    turtle = (ROOT / "ontology" / "exo.ttl").read_text(encoding="utf-8")
    here = ontology_html(turtle)
    code = "import sys; from exo_rdf.docs import ontology_html; sys.stdout.write(ontology_html(sys.stdin.read()))"
    there = subprocess.run(
        [sys.executable, "-c", code],
        input=turtle,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "7"},
        timeout=300,
    )
    assert there.returncode == 0, there.stderr[-2000:]
    assert there.stdout == here


# ---------------------------------------------------------------------------------------------
# failures


def test_failed_build_leaves_previous_dist_intact(built):
    from exo_rdf.build import build
    from exo_rdf.errors import InputError

    project = built[0]
    before = _snapshot(project.dist_dir)
    bad = project.instances_dir / "zz-broken.ttl"
    bad.write_text("@prefix exo: <https://w3id.org/exo-rdf/ontology/> .\nexo:a exo:b .\n", encoding="utf-8")
    try:
        with pytest.raises(InputError, match="zz-broken.ttl:2"):
            build(project, version=VERSION)
    finally:
        bad.unlink()
    assert _snapshot(project.dist_dir) == before
    assert not list(project.root.glob(".dist-*"))


def test_context_is_the_prefix_map(built):
    from exo_rdf.namespaces import PREFIXES

    ctx = json.loads((_dist(built) / "context.jsonld").read_text())["@context"]
    for prefix, ns in PREFIXES.items():
        assert ctx[prefix] in (ns, {"@id": ns, "@prefix": True})


def test_statistics_keep_literals_as_written():
    """Oxigraph's store keeps numbers by value ("01" becomes "1", nonNegativeInteger becomes integer);
    the counts must still see four distinct objects and four triples here."""
    from exo_rdf.describe import statistics

    xsd = "http://www.w3.org/2001/XMLSchema#"
    nt = "".join(
        f'<https://w3id.org/exo-rdf/data/s> <https://example.org/p> "{v}"^^<{xsd}{d}> .\n'
        for v, d in (("1", "integer"), ("01", "integer"), ("1", "nonNegativeInteger"), ("1", "boolean"))
    )
    stats = statistics(nt.encode("utf-8"), "https://w3id.org/exo-rdf/data/")
    assert (stats.triples, stats.distinct_objects, stats.distinct_subjects, stats.entities) == (4, 4, 1, 1)
    assert stats.property_partitions == (("https://example.org/p", 4),)


def test_interop_files_are_released_with_checksums_and_distributions(built):
    """build writes the KGX export and the SSSOM set (their content is tested in test_kgx / test_sssom),
    lists them in SHA256SUMS and as DCAT distributions, and carries the version in them."""
    project, files, _, _ = built
    for rel in ("kgx/exo-rdf_nodes.tsv", "kgx/exo-rdf_edges.tsv", "mappings/exo-rdf.sssom.tsv"):
        assert rel in files, rel
        assert f"  {rel}\n" in files["SHA256SUMS"].decode("utf-8")
        assert rel in files["void.ttl"].decode("utf-8")
    assert f"mapping_set_version: {VERSION}" in files["mappings/exo-rdf.sssom.tsv"].decode("utf-8")


def test_interop_paths_outside_dist_are_refused(monkeypatch):
    import exo_rdf.build as build_module
    import exo_rdf.kgx as kgx
    from exo_rdf.errors import ExoError

    monkeypatch.setattr(kgx, "kgx_outputs", lambda project, version: {"../escape.tsv": ""})
    with pytest.raises(ExoError, match="escape.tsv"):
        build_module._interop_outputs({}, None, VERSION)
