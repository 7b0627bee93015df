"""Build the release files into dist/, atomically and byte-identically for the same sources.

Everything is written into a fresh temporary folder beside dist/ and swapped in only when complete:
a failed build leaves the previous dist/ as it was. Output is deterministic: canonical Turtle,
sorted N-Triples/N-Quads with canonical blank-node labels, and the version stamped from the package.

What dist/ holds::

    ontology/exo-base.{ttl,owl,jsonld}   ontology/exo.ttl alone
    ontology/exo.{ttl,owl,jsonld}        full release: exo.ttl + import modules + the subclass axioms
                                         HermiT infers over them (non-redundant, each also marked by an
                                         owl:Axiom annotation oboInOwl:is_inferred "true")
    data/exo-data.{ttl,nt,jsonld}        instance data
    data/exo-data.{trig,nq}              the same triples in named graphs: one per source paper (the
                                         seed a statement is prov:wasDerivedFrom), one for shared nodes;
                                         the default graph describes each named graph
    data/exo-nanopubs.trig               the same triples, one nanopublication per statement (head,
                                         assertion, provenance and publication-info graphs; nanopub.py)
    docs/ontology.html                   pyLODE page of the base ontology
    void.ttl, void.jsonld                VoID + DCAT description of the release (counts, checksums)
    context.jsonld                       the JSON-LD @context (canonical prefix map)
    kgx/..., mappings/...                the Biolink KGX export and the SSSOM mapping set
    SHA256SUMS                           SHA-256 of every other file

How the version is stamped (one approach for every file that can carry RDF):

* ontology files: ``owl:versionInfo "<version>"`` and ``owl:versionIRI <.../releases/<version>/<file>>``
  on the ontology IRI (the base and full releases name their own .owl file);
* data dumps (ttl, nt, jsonld, trig, nq): a dataset header node, ``describe.DATA_DATASET``
  (https://w3id.org/exo-rdf/data) with ``owl:versionInfo``, ``dcat:version``, licence and
  ``rdfs:seeAlso`` the release's void.ttl. It is part of the data: in TriG/N-Quads it sits in the
  shared named graph, so the union of the named graphs is exactly the N-Triples dump;
* void.ttl/void.jsonld: ``owl:versionInfo`` and ``dcat:version`` on the catalog and both datasets,
  and every download URL under .../releases/<version>/;
* docs/ontology.html: rendered from the stamped base ontology, so it shows the version;
* context.jsonld (a prefix map), the interop TSV files and SHA256SUMS carry no RDF; they are tied to
  the version through their checksums in void.ttl (which is itself listed in SHA256SUMS).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from . import __version__
from .errors import ExoError, InputError
from .examples import EXAMPLES_FILE, examples_graph
from .graph import parse_files, read_triples
from .namespaces import BASE, EXO, EXOD, ONTOLOGY_IRI, PREFIXES, PROV, expand
from .nanopub import nanopub_outputs
from .project import Project
from .rdfio import (
    atomic_folder,
    canonical_graph,
    canonical_jsonld,
    canonical_turtle,
    fast_jsonld,
    fast_sorted_ntriples,
    fast_turtle,
    has_blank_nodes,
    jsonld_context,
    ox_triple,
    rdflib_graph,
    rdfxml,
    sorted_ntriples,
    sorted_prefix_lines,
)
from .reason import add_inferred_axioms, non_redundant

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = [
    "SHARED_GRAPH",
    "BuildResult",
    "assign_sources",
    "build",
    "graph_for_source",
    "inferred_subclass_axioms",
    "named_graph_quads",
]


@dataclass
class BuildResult:
    dist: Path
    files: dict[str, int] = field(default_factory=dict)  # relative path -> size in bytes
    ontology_triples: int = 0
    full_triples: int = 0
    data_triples: int = 0
    #: (sub, super) IRIs of the inferred, non-redundant subclass axioms added to the full release
    inferred_axioms: list[tuple[str, str]] = field(default_factory=list)
    #: named graph IRI -> number of triples in it (TriG/N-Quads dumps)
    named_graphs: dict[str, int] = field(default_factory=dict)
    #: the interop modules (kgx, sssom) that added files
    interop: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# The entry point


def build(project: Project, version: str | None = None) -> BuildResult:
    """Write every release file into ``project.dist_dir``; see the module docstring for the list."""
    from .describe import DATA_DATASET, OntologyHeader, data_header, data_license
    from .release import check_released, refuse_drafts

    version = version or __version__
    refuse_drafts(project)
    sources = _read_sources(project)
    check_released(project, sources.data, sources.base)
    inferred = inferred_subclass_axioms(project, sources.full)

    header = OntologyHeader.of(sources.base)
    license_iri = data_license(project, header.license)
    data = sources.data
    header_triples = data_header(version, license_iri)
    if isinstance(data, list):
        data = list(dict.fromkeys([*data, *(ox_triple(t) for t in header_triples)]))
    else:
        for triple in header_triples:
            data.add(triple)

    outputs: dict[str, str] = {}
    ontology_nt = _ontology_outputs(outputs, sources.base, sources.full, inferred, version)
    data_nt = _data_outputs(outputs, data)
    named = _named_graph_outputs(outputs, data_nt, shared_subjects={str(DATA_DATASET)})
    outputs.update(nanopub_outputs(data_nt))
    outputs["context.jsonld"] = json.dumps({"@context": jsonld_context()}, indent=1) + "\n"
    outputs.update(_docs_outputs(outputs["ontology/exo-base.ttl"]))
    interop = _interop_outputs(outputs, project, version)
    outputs[EXAMPLES_FILE] = canonical_turtle(canonical_graph(examples_graph(project)))
    outputs.update(_description_outputs(outputs, data_nt, ontology_nt, header, license_iri, version))

    dist = _write_dist(project.dist_dir, outputs)
    result = BuildResult(
        dist,
        ontology_triples=len(sources.base),
        full_triples=len(sources.full),
        data_triples=len(data),
        inferred_axioms=inferred,
        named_graphs=named,
        interop=interop,
    )
    for path in sorted(dist.rglob("*")):
        if path.is_file():
            result.files[str(path.relative_to(dist))] = path.stat().st_size
    return result


def _require_ontology_header(path: Path, base: Graph) -> None:
    """Refuse an ontology file without triples or without its owl:Ontology header, before anything is built."""
    from rdflib.namespace import OWL, RDF

    restore = f"restore it (git checkout -- {path.parent.name}/{path.name}) or write the ontology into it"
    if len(base) == 0:
        raise InputError(path, f"the ontology file holds no triples (only prefixes, comments or nothing); {restore}")
    if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in base:
        raise InputError(
            path,
            f"no ontology header: the file does not declare <{ONTOLOGY_IRI}> a owl:Ontology (with its title, "
            f"description and dcterms:license, which the release and its documentation are made from); {restore}",
        )


@dataclass
class _Sources:
    base: object  # rdflib Graph of ontology/exo.ttl
    full: object  # ontology/exo.ttl + import modules
    #: instance data: pyoxigraph triples for the fast writers, or an rdflib Graph (graph.read_triples)
    data: Any


def _read_sources(project: Project) -> _Sources:
    base = parse_files([project.ontology_file])
    _require_ontology_header(project.ontology_file, base)
    imports = project.import_files()
    data_files = project.instance_files()
    if not data_files:
        raise ExoError(f"no instance data in {project.instances_dir}: run exo-rdf curate first")
    data = read_triples(data_files)
    full = parse_files([project.ontology_file, *imports])
    return _Sources(base, full, data)


# --------------------------------------------------------------------------------------------------
# Ontology: base and full release, with the inferred hierarchy


def inferred_subclass_axioms(project: Project, full: Graph) -> list[tuple[str, str]]:
    """Run HermiT over ontology + imports and return the inferred subclass axioms worth adding.

    :func:`exo_rdf.reason.reason` gives the subsumptions between named classes that do not follow
    from the asserted hierarchy; of those, the ones implied by the others (and the asserted ones) are
    dropped, so the full release gains a transitive reduction. Sorted; raises :class:`ExoError` when
    Java is missing or the ontology is inconsistent or has unsatisfiable classes.
    """
    from .reason import asserted_edges, reason

    report = reason(project, include_instances=False)
    if not report.consistent:
        raise ExoError(
            "HermiT: the ontology with its imports is inconsistent; run `exo-rdf reason "
            "--no-instances` for likely causes and fix ontology/exo.ttl"
        )
    if report.unsatisfiable:
        names = ", ".join(t.iri for t in report.unsatisfiable[:10])
        raise ExoError(f"HermiT: unsatisfiable classes in the ontology: {names}; fix ontology/exo.ttl")
    return non_redundant(asserted_edges(full), report.inferred_subclass_axioms)


def _stamp(graph, version: str, name: str) -> None:
    from rdflib import Literal, URIRef
    from rdflib.namespace import OWL

    graph.set((ONTOLOGY_IRI, OWL.versionInfo, Literal(version)))
    graph.set((ONTOLOGY_IRI, OWL.versionIRI, URIRef(f"{BASE}releases/{version}/{name}")))


def _ontology_outputs(outputs: dict, base, full, inferred, version: str) -> str:
    """Add the base and full ontology files; return the full release as sorted N-Triples."""
    _stamp(base, version, "exo-base.owl")
    add_inferred_axioms(full, inferred)
    _stamp(full, version, "exo.owl")
    full_nt = ""
    for stem, graph in (("exo-base", base), ("exo", full)):
        canon = canonical_graph(graph)
        nt = sorted_ntriples(canon)
        outputs[f"ontology/{stem}.ttl"] = canonical_turtle(canon)
        outputs[f"ontology/{stem}.owl"] = rdfxml(nt)
        outputs[f"ontology/{stem}.jsonld"] = canonical_jsonld(canon, canonical=True)
        full_nt = nt
    return full_nt


# --------------------------------------------------------------------------------------------------
# Data: triples, and named graphs with provenance


def _data_outputs(outputs: dict, data) -> str:
    """Add the data dumps in Turtle, N-Triples and JSON-LD; return the N-Triples text.

    Data without blank nodes (pyoxigraph triples from graph.read_triples) is its own canonical form and
    goes through the fast writers, which write rdflib's bytes; an rdflib Graph is canonicalised first.
    """
    if isinstance(data, list) and not has_blank_nodes(data):
        nt = fast_sorted_ntriples(data)
        outputs["data/exo-data.ttl"] = fast_turtle(data)
        outputs["data/exo-data.nt"] = nt
        outputs["data/exo-data.jsonld"] = fast_jsonld(data)
        return nt
    if isinstance(data, list):
        data = rdflib_graph(data)
    canon = canonical_graph(data)
    nt = sorted_ntriples(canon)
    outputs["data/exo-data.ttl"] = canonical_turtle(canon)
    outputs["data/exo-data.nt"] = nt
    outputs["data/exo-data.jsonld"] = canonical_jsonld(canon, canonical=True)
    return nt


SHARED_GRAPH = EXOD["graph/shared"]


def graph_for_source(source: str) -> str:
    """The named graph IRI for the statements derived from ``source`` (under the data namespace)."""
    data_ns = str(EXOD)
    local = (
        source[len(data_ns) :]
        if source.startswith(data_ns)
        else "external/" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
    )
    return str(EXOD[f"graph/{local}"])


def assign_sources(triples: Iterable[Any], shared_subjects: frozenset[str] = frozenset()) -> dict[Any, Any]:
    """Map each subject of ``triples`` (pyoxigraph terms) to the IRI of its source paper, or ``None``.

    A subject belongs to a source when it is the source (typed exo:SourceDocument or the object of a
    prov:wasDerivedFrom), when it is prov:wasDerivedFrom the source (the smallest IRI if several),
    or when its IRI is nested under such a subject's IRI (``.../finding/x/quote`` under
    ``.../finding/x``; ``.../source/s/reference/1`` under ``.../source/s``). A blank node goes with
    the first subject (in sorted order) that points at it. Everything else, and ``shared_subjects``,
    is shared (``None``).
    """
    import pyoxigraph as ox

    derived_from = ox.NamedNode(str(PROV.wasDerivedFrom))
    rdf_type = ox.NamedNode(str(expand("rdf:type")))
    source_class = ox.NamedNode(str(EXO.SourceDocument))
    derived: dict[str, set[str]] = defaultdict(set)
    sources: set[str] = set()
    pointed: dict = defaultdict(list)
    for t in triples:
        if t.predicate == derived_from and isinstance(t.object, ox.NamedNode) and isinstance(t.subject, ox.NamedNode):
            derived[t.subject.value].add(t.object.value)
            sources.add(t.object.value)
        elif t.predicate == rdf_type and t.object == source_class and isinstance(t.subject, ox.NamedNode):
            sources.add(t.subject.value)
        if isinstance(t.object, ox.BlankNode):
            pointed[t.object].append(t.subject)
    anchors = {s: min(srcs) for s, srcs in derived.items()}
    anchors.update({s: s for s in sources})
    for s in shared_subjects:
        anchors[s] = None

    def of_iri(iri: str):
        probe = iri
        while True:
            if probe in anchors:
                return anchors[probe]
            if "/" not in probe.rstrip("/"):
                return None
            probe = probe.rstrip("/").rsplit("/", 1)[0]

    owner: dict = {}

    def of(term, seen=()):
        if term in owner:
            return owner[term]
        if isinstance(term, ox.NamedNode):
            found = of_iri(term.value)
        else:
            parents = sorted((p for p in pointed.get(term, ()) if p not in seen), key=str)
            found = of(parents[0], (*seen, term)) if parents else None
        owner[term] = found
        return found

    return {t.subject: of(t.subject) for t in triples}


def named_graph_quads(nt: str, shared_subjects: frozenset[str] = frozenset()) -> tuple[list[Any], dict[str, int]]:
    """Quads of the N-Triples dump ``nt`` in their named graphs, with a description of each graph
    in the default graph; sorted (default graph first). Also returns graph IRI -> triple count."""
    import pyoxigraph as ox

    from .describe import DATA_DATASET

    triples = list(ox.parse(nt.encode("utf-8"), ox.RdfFormat.N_TRIPLES))
    owner = assign_sources(triples, shared_subjects)
    label = ox.NamedNode(str(expand("rdfs:label")))
    labels = {
        t.subject.value: t.object.value for t in triples if t.predicate == label and isinstance(t.subject, ox.NamedNode)
    }
    quads, counts, origin = [], defaultdict(int), {}
    for t in triples:
        src = owner[t.subject]
        g = graph_for_source(src) if src else str(SHARED_GRAPH)
        origin[g] = src
        counts[g] += 1
        quads.append(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)))

    def node(iri):
        return ox.NamedNode(str(iri))

    default = ox.DefaultGraph()
    described = []
    for g, n in counts.items():
        src = origin[g]
        text = (
            f"exo-rdf data derived from {labels.get(src, src)}"
            if src
            else "exo-rdf data shared by all sources (agents, cargo, preparations ...) and the dataset header"
        )
        facts = [
            (node(expand("rdf:type")), node(expand("void:Dataset"))),
            (label, ox.Literal(text, language="en")),
            (node(expand("void:triples")), ox.Literal(str(n), datatype=node(expand("xsd:integer")))),
            (node(expand("dcterms:isPartOf")), node(DATA_DATASET)),
        ]
        if src:
            facts.append((node(PROV.wasDerivedFrom), node(src)))
        described += [ox.Quad(node(g), p, o, default) for p, o in facts]
    ordered = sorted(described, key=str) + sorted(quads, key=lambda q: (q.graph_name.value, str(q.triple)))
    return ordered, dict(sorted(counts.items()))


def _named_graph_outputs(outputs: dict, nt: str, shared_subjects) -> dict[str, int]:
    import pyoxigraph as ox

    quads, counts = named_graph_quads(nt, shared_subjects)
    outputs["data/exo-data.nq"] = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    # exod: is left out: pyoxigraph escapes the '/' of data IRIs in prefixed names (exod:finding\/x)
    prefixes = {k: v for k, v in PREFIXES.items() if k != "exod"}
    trig = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes).decode("utf-8")
    outputs["data/exo-data.trig"] = sorted_prefix_lines(trig)
    return counts


# --------------------------------------------------------------------------------------------------
# Documentation, interop files, the VoID/DCAT description


def _docs_outputs(base_turtle: str) -> dict[str, str]:
    from .docs import DOCS_FILE, ontology_html

    return {DOCS_FILE: ontology_html(base_turtle)}


def _interop_outputs(outputs: dict, project: Project, version: str) -> list[str]:
    """Add the Biolink KGX export (kgx.py) and the SSSOM mapping set (sssom.py)."""
    from .kgx import kgx_outputs
    from .sssom import sssom_outputs

    used = []
    for module, make in (("kgx", kgx_outputs), ("sssom", sssom_outputs)):
        for rel, text in sorted(make(project, version).items()):
            path = Path(rel)
            if path.is_absolute() or ".." in path.parts or rel in outputs or rel == "SHA256SUMS":
                raise ExoError(f"exo_rdf.{module} returned an unusable dist path: {rel!r}")
            outputs[rel] = text
        used.append(module)
    return used


def _description_outputs(
    outputs: dict, data_nt: str, ontology_nt: str, header, license_iri, version: str
) -> dict[str, str]:
    from .describe import VOID_FILE, VOID_JSONLD_FILE, statistics, void_graph

    files = {rel: (text.encode("utf-8") if isinstance(text, str) else text) for rel, text in outputs.items()}
    graph = void_graph(
        version=version,
        files=files,
        data=statistics(files["data/exo-data.nt"], str(EXOD), str(EXO.Finding)),
        ontology=statistics(ontology_nt.encode("utf-8"), str(EXO._NS)),
        header=header,
        license_iri=license_iri,
    )
    canon = canonical_graph(graph)
    return {VOID_FILE: canonical_turtle(canon), VOID_JSONLD_FILE: canonical_jsonld(canon, canonical=True)}


# --------------------------------------------------------------------------------------------------
# Writing dist/


def _write_dist(dist: Path, outputs: dict) -> Path:
    """Replace dist/ by the outputs plus SHA256SUMS (atomically: the previous dist/ survives a failure)."""
    files = {
        rel: (content.encode("utf-8") if isinstance(content, str) else content)
        for rel, content in sorted(outputs.items())
    }
    sums = [f"{hashlib.sha256(blob).hexdigest()}  {rel}" for rel, blob in files.items()]
    return atomic_folder(dist, {**files, "SHA256SUMS": "\n".join(sums) + "\n"}, "build")
