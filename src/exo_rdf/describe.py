"""VoID and DCAT description of a release: what dist/ holds, how big it is, where to get it.

:func:`statistics` counts a dump with SPARQL on a pyoxigraph store (triples, entities, classes,
properties, distinct subjects and objects, one partition per class and per property, a few example
resources). :func:`void_graph` turns those counts and the bytes of every release file into one RDF
graph: a ``dcat:Catalog`` holding two ``void:Dataset``/``dcat:Dataset`` nodes, the curated data and
the ontology, each with its distributions (download URL under the release folder, media type, size
and SHA-256 checksum). :func:`data_header` gives the few triples that stamp the version into the data
dumps themselves.

IRIs used here: the data dataset is ``https://w3id.org/exo-rdf/data`` (beside the ontology IRI
``https://w3id.org/exo-rdf/ontology``), the catalog is the project IRI ``https://w3id.org/exo-rdf/``,
files are published under ``https://w3id.org/exo-rdf/releases/<version>/<path in dist>`` and the
SPARQL endpoint is ``https://w3id.org/exo-rdf/sparql``. All are built from ``namespaces.BASE``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL

from .errors import ExoError
from .namespaces import BASE, EXO, EXOD, ONTOLOGY_IRI, bind_prefixes, expand
from .project import Project
from .rdfio import media_type

if TYPE_CHECKING:
    pass

__all__ = [
    "CATALOG",
    "DATA_DATASET",
    "N_EXAMPLES",
    "SPARQL_ENDPOINT",
    "VOID_FILE",
    "VOID_JSONLD_FILE",
    "DatasetStats",
    "OntologyHeader",
    "data_header",
    "data_license",
    "release_url",
    "statistics",
    "void_graph",
]

#: The curated instance data as a dataset (mirrors ONTOLOGY_IRI; the data namespace is EXOD).
DATA_DATASET = URIRef(BASE + "data")
#: The catalog of everything the project publishes.
CATALOG = URIRef(BASE)
#: Where the local server (and the published service) answers SPARQL.
SPARQL_ENDPOINT = URIRef(BASE + "sparql")

VOID_FILE = "void.ttl"
VOID_JSONLD_FILE = "void.jsonld"

#: How many findings are named as void:exampleResource.
N_EXAMPLES = 3

#: Files that are RDF dumps of a dataset (void:dataDump); everything else is only a dcat:Distribution.
_DUMP_SUFFIXES = (".ttl", ".nt", ".nq", ".trig", ".jsonld", ".owl")
_DUMP_FOLDERS = ("data/", "ontology/")
#: dist/ folders whose files are about the ontology; all other files belong to the data dataset.
_ONTOLOGY_FOLDERS = ("ontology/", "docs/", "mappings/")


def _v(local: str) -> URIRef:
    return expand(f"void:{local}")


def _dcat(local: str) -> URIRef:
    return expand(f"dcat:{local}")


def _dct(local: str) -> URIRef:
    return expand(f"dcterms:{local}")


def release_url(version: str, rel: str = "") -> URIRef:
    """The published address of a release file (``rel`` is its path inside dist/)."""
    return URIRef(f"{BASE}releases/{version}/{rel}")


# --------------------------------------------------------------------------------------------------
# Licences and the data header


def data_license(project: Project, ontology_license: URIRef | None) -> URIRef:
    """The data licence: the first URL in LICENSE-DATA, else the ontology's dcterms:license.

    Raises :class:`ExoError` when neither names a licence (a release must say how it may be reused).
    """
    path = project.root / "LICENSE-DATA"
    if path.is_file():
        m = re.search(r"https?://[^\s)>\]]+", path.read_text(encoding="utf-8"))
        if m:
            return URIRef(m.group(0))
    if ontology_license is not None:
        return ontology_license
    raise ExoError(
        f"no data licence: {path} names no licence URL and {project.ontology_file} has no "
        "dcterms:license; add one of them"
    )


def data_header(version: str, license_iri: URIRef) -> list[tuple[Any, Any, Any]]:
    """Triples that stamp the release version into every data dump (about :data:`DATA_DATASET`)."""
    ds = DATA_DATASET
    return [
        (ds, RDF.type, _v("Dataset")),
        (ds, RDF.type, _dcat("Dataset")),
        (ds, _dct("title"), Literal("exo-rdf data", lang="en")),
        (ds, _dct("license"), license_iri),
        (ds, OWL.versionInfo, Literal(version)),
        (ds, _dcat("version"), Literal(version)),
        (ds, RDFS.seeAlso, release_url(version, VOID_FILE)),
    ]


# --------------------------------------------------------------------------------------------------
# Counting


@dataclass(frozen=True)
class DatasetStats:
    """VoID counts of one dump. Partitions are sorted by IRI."""

    triples: int
    entities: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int
    #: (class IRI, number of distinct instances)
    class_partitions: tuple[tuple[str, int], ...]
    #: (property IRI, number of triples)
    property_partitions: tuple[tuple[str, int], ...]
    #: IRIs of a few example resources, sorted
    examples: tuple[str, ...]


_XSD_STRING = str(XSD.string)


def statistics(
    ntriples: bytes, uri_space: str, example_class: str | None = None, n_examples: int = N_EXAMPLES
) -> DatasetStats:
    """Count an N-Triples dump.

    ``entities`` are the distinct IRI subjects inside ``uri_space`` (the dataset's void:uriSpace);
    a class partition counts the distinct subjects typed with the class; examples are the first
    ``n_examples`` instances of ``example_class`` by IRI. Terms are told apart as written (two
    spellings of one number are two terms), and orders are by the string value, as SPARQL's
    ``ORDER BY STR(...)`` gives them. One pass over the parsed triples, in Python: loading a store
    for a few counts took most of the time at a million triples.
    """
    import pyoxigraph as ox

    rdf_type = str(expand("rdf:type"))
    triples: set[str] = set()
    subjects: set[str] = set()
    objects: set[str] = set()
    entities: set[str] = set()
    instances: dict[str, set[str]] = {}
    class_value: dict[str, str] = {}
    properties: dict[str, int] = {}
    examples: set[str] = set()
    for t in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES):
        s, p, o = t.subject, t.predicate.value, t.object
        key = str(t.triple)
        if key in triples:
            continue
        triples.add(key)
        s_key, o_key = str(s), str(o)
        subjects.add(s_key)
        objects.add(o_key)
        is_iri = type(s) is ox.NamedNode
        if is_iri and s.value.startswith(uri_space):
            entities.add(s.value)
        properties[p] = properties.get(p, 0) + 1
        if p == rdf_type:
            instances.setdefault(o_key, set()).add(s_key)
            class_value[o_key] = _str_value(o)
            if is_iri and example_class is not None and type(o) is ox.NamedNode and o.value == example_class:
                examples.add(s.value)
    classes = tuple(sorted((class_value[c], len(members)) for c, members in instances.items()))
    return DatasetStats(
        triples=len(triples),
        entities=len(entities),
        classes=len(classes),
        properties=len(properties),
        distinct_subjects=len(subjects),
        distinct_objects=len(objects),
        class_partitions=classes,
        property_partitions=tuple(sorted(properties.items())),
        examples=tuple(sorted(examples)[: int(n_examples)]) if example_class else (),
    )


def _str_value(term: Any) -> str:
    """What the counts name a term by: an IRI's text, a typed literal's N-Triples form (as distinct as
    written: the store would keep "01"^^xsd:integer and "1"^^xsd:integer as one value)."""
    import pyoxigraph as ox

    if type(term) is ox.Literal and term.language is None and term.datatype.value != _XSD_STRING:
        return str(term)
    return str(term.value)


# --------------------------------------------------------------------------------------------------
# The VoID/DCAT graph


@dataclass(frozen=True)
class OntologyHeader:
    """What the ontology says about itself (read from ontology/exo.ttl)."""

    title: Literal | None
    description: Literal | None
    license: URIRef | None

    @classmethod
    def of(cls, graph: Graph) -> "OntologyHeader":
        def one(p: URIRef) -> Any:
            return graph.value(ONTOLOGY_IRI, p)

        return cls(one(_dct("title")), one(_dct("description")), one(_dct("license")))


def _dataset_of(rel: str) -> URIRef:
    return ONTOLOGY_IRI if rel.startswith(_ONTOLOGY_FOLDERS) else DATA_DATASET


def _add_stats(g: Graph, ds: URIRef, stats: DatasetStats) -> None:
    def integer(n: int) -> Literal:
        return Literal(n, datatype=XSD.integer)

    g.add((ds, _v("triples"), integer(stats.triples)))
    g.add((ds, _v("entities"), integer(stats.entities)))
    g.add((ds, _v("classes"), integer(stats.classes)))
    g.add((ds, _v("properties"), integer(stats.properties)))
    g.add((ds, _v("distinctSubjects"), integer(stats.distinct_subjects)))
    g.add((ds, _v("distinctObjects"), integer(stats.distinct_objects)))
    for cls, n in stats.class_partitions:
        part = BNode()
        g.add((ds, _v("classPartition"), part))
        g.add((part, _v("class"), URIRef(cls)))
        g.add((part, _v("entities"), integer(n)))
    for prop, n in stats.property_partitions:
        part = BNode()
        g.add((ds, _v("propertyPartition"), part))
        g.add((part, _v("property"), URIRef(prop)))
        g.add((part, _v("triples"), integer(n)))
    for example in stats.examples:
        g.add((ds, _v("exampleResource"), URIRef(example)))


def _add_distribution(g: Graph, version: str, rel: str, blob: bytes) -> None:
    url = release_url(version, rel)
    ds = _dataset_of(rel)
    # The distribution is named by its download address: one IRI per published file.
    g.add((ds, _dcat("distribution"), url))
    if rel.endswith(_DUMP_SUFFIXES) and rel.startswith(_DUMP_FOLDERS):
        g.add((ds, _v("dataDump"), url))
    g.add((url, RDF.type, _dcat("Distribution")))
    g.add((url, _dct("title"), Literal(rel)))
    g.add((url, _dcat("downloadURL"), url))
    g.add((url, _dcat("accessURL"), url))
    g.add((url, _dcat("mediaType"), Literal(media_type(rel))))
    g.add((url, _dcat("byteSize"), Literal(len(blob), datatype=XSD.nonNegativeInteger)))
    checksum = BNode()
    g.add((url, expand("spdx:checksum"), checksum))
    g.add((checksum, RDF.type, expand("spdx:Checksum")))
    g.add((checksum, expand("spdx:algorithm"), expand("spdx:checksumAlgorithm_sha256")))
    g.add((checksum, expand("spdx:checksumValue"), Literal(hashlib.sha256(blob).hexdigest(), datatype=XSD.hexBinary)))


def void_graph(
    *,
    version: str,
    files: Mapping[str, bytes],
    data: DatasetStats,
    ontology: DatasetStats,
    header: OntologyHeader,
    license_iri: URIRef,
) -> Graph:
    """The VoID + DCAT description of a release.

    ``files`` maps each release file (path inside dist/) to its bytes; each becomes a distribution of
    the data or the ontology dataset. Blank nodes (partitions, checksums) are left for the caller to
    canonicalise.
    """
    g = Graph()
    bind_prefixes(g)
    ver = Literal(version)

    g.add((CATALOG, RDF.type, _dcat("Catalog")))
    g.add((CATALOG, _dct("title"), Literal("exo-rdf release catalog", lang="en")))
    g.add(
        (
            CATALOG,
            _dct("description"),
            Literal(
                "The exo-rdf ontology of MSC-derived exosomes and the findings curated from review articles, "
                f"release {version}.",
                lang="en",
            ),
        )
    )
    g.add((CATALOG, OWL.versionInfo, ver))
    g.add((CATALOG, _dcat("version"), ver))
    g.add((CATALOG, _dct("license"), license_iri))

    for s, p, o in data_header(version, license_iri):
        g.add((s, p, o))
    g.add(
        (
            DATA_DATASET,
            _dct("description"),
            Literal(
                "Findings and facts about mesenchymal stem/stromal cell-derived exosomes curated from review "
                "articles, each with its verbatim quote, source section and evidence; one named graph per "
                "source paper in the TriG and N-Quads dumps.",
                lang="en",
            ),
        )
    )
    g.add((DATA_DATASET, _v("uriSpace"), Literal(str(EXOD))))
    g.add((DATA_DATASET, _v("vocabulary"), URIRef(str(EXO._NS))))
    g.add((DATA_DATASET, _dct("conformsTo"), ONTOLOGY_IRI))
    _add_stats(g, DATA_DATASET, data)

    onto = ONTOLOGY_IRI
    g.add((onto, RDF.type, _v("Dataset")))
    g.add((onto, RDF.type, _dcat("Dataset")))
    if header.title is not None:
        g.add((onto, _dct("title"), header.title))
    if header.description is not None:
        g.add((onto, _dct("description"), header.description))
    g.add((onto, _dct("license"), header.license or license_iri))
    g.add((onto, OWL.versionInfo, ver))
    g.add((onto, _dcat("version"), ver))
    g.add((onto, _v("uriSpace"), Literal(str(EXO._NS))))
    _add_stats(g, onto, ontology)

    for ds in (DATA_DATASET, onto):
        g.add((CATALOG, _dcat("dataset"), ds))
        g.add((ds, _v("sparqlEndpoint"), SPARQL_ENDPOINT))
        g.add((ds, _dct("isPartOf"), CATALOG))
    for rel in sorted(files):
        _add_distribution(g, version, rel, files[rel])
    return g
