"""Build the release files into dist/, atomically and byte-identically for the same sources.

Everything is written into a fresh temporary folder beside dist/ and swapped in only when complete:
a failed build leaves the previous dist/ as it was. Output is deterministic: canonical Turtle,
sorted N-Triples with canonical blank-node labels, and the version stamped from the package.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import ExoError
from .graph import bind_prefixes, canonical_turtle, parse_files
from .namespaces import BASE, ONTOLOGY_IRI, PREFIXES
from .project import Project


@dataclass
class BuildResult:
    dist: Path
    files: dict[str, int] = field(default_factory=dict)   # relative path -> size in bytes
    ontology_triples: int = 0
    full_triples: int = 0
    data_triples: int = 0


def _stamp(graph, version: str, name: str) -> None:
    from rdflib import Literal, URIRef
    from rdflib.namespace import OWL

    graph.set((ONTOLOGY_IRI, OWL.versionInfo, Literal(version)))
    graph.set((ONTOLOGY_IRI, OWL.versionIRI, URIRef(f"{BASE}releases/{version}/{name}")))


def _canonical(graph):
    """A copy of ``graph`` with canonical blank-node labels (stable across runs)."""
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    canon = Graph()
    bind_prefixes(canon)
    # insertion order decides serialisation order: sort so that output does not depend on hashing
    for triple in sorted(to_canonical_graph(graph), key=lambda t: tuple(x.n3() for x in t)):
        canon.add(triple)
    return canon


def _sorted_ntriples(graph) -> str:
    canon = _canonical(graph)
    lines = canon.serialize(format="nt").splitlines()
    return "\n".join(sorted(line for line in lines if line.strip())) + "\n"


def jsonld_context() -> dict:
    """The published @context: the canonical prefix map. OBO prefixes end in '_', so JSON-LD 1.1 needs
    them (and any namespace not ending in a JSON-LD gen-delim) flagged with "@prefix": true."""
    ctx = {}
    for prefix, ns in sorted(PREFIXES.items()):
        ctx[prefix] = ns if ns[-1] in ":/?#[]@" else {"@id": ns, "@prefix": True}
    return {"@version": 1.1, **ctx}


def _jsonld(graph) -> str:
    """Compact, deterministic JSON-LD: subjects, properties and values sorted; canonical blank nodes."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import RDF, XSD

    from .namespaces import compress

    canon = _canonical(graph)
    nodes: dict[str, dict] = {}

    def ref(term) -> str:
        return f"_:{term}" if isinstance(term, BNode) else compress(str(term))

    for s, p, o in canon:
        node = nodes.setdefault(ref(s), {"@id": ref(s)})
        if p == RDF.type and isinstance(o, URIRef):
            node.setdefault("@type", []).append(ref(o))
            continue
        if isinstance(o, Literal):
            if o.language:
                value = {"@value": str(o), "@language": o.language}
            elif o.datatype and o.datatype != XSD.string:
                value = {"@value": str(o), "@type": compress(str(o.datatype))}
            else:
                value = str(o)
        else:
            value = {"@id": ref(o)}
        node.setdefault(compress(str(p)), []).append(value)
    key = lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False)  # noqa: E731
    graph_list = []
    for sid in sorted(nodes):
        node = nodes[sid]
        graph_list.append({k: (sorted(v, key=key) if isinstance(v, list) else v) for k, v in sorted(node.items())})
    doc = {"@context": jsonld_context(), "@graph": graph_list}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def build(project: Project, version: str | None = None) -> BuildResult:
    version = version or __version__
    ontology = parse_files([project.ontology_file])
    imports = parse_files(project.import_files())
    data_files = project.instance_files()
    if not data_files:
        raise ExoError(f"no instance data in {project.instances_dir}: run exo-rdf curate first")
    data = parse_files(data_files)

    base = ontology
    _stamp(base, version, "exo-base.owl")
    full = parse_files([project.ontology_file, *project.import_files()])
    _stamp(full, version, "exo.owl")

    outputs: dict[str, str | bytes] = {
        "ontology/exo-base.ttl": canonical_turtle(base),
        "ontology/exo-base.owl": _rdfxml(base),
        "ontology/exo-base.jsonld": _jsonld(base),
        "ontology/exo.ttl": canonical_turtle(full),
        "ontology/exo.owl": _rdfxml(full),
        "ontology/exo.jsonld": _jsonld(full),
        "data/exo-data.ttl": canonical_turtle(data),
        "data/exo-data.nt": _sorted_ntriples(data),
        "data/exo-data.jsonld": _jsonld(data),
        "context.jsonld": json.dumps({"@context": jsonld_context()}, indent=1) + "\n",
    }
    dist = project.dist_dir
    dist.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dist-", dir=dist.parent))
    try:
        sums = []
        for rel, content in sorted(outputs.items()):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            blob = content.encode("utf-8") if isinstance(content, str) else content
            path.write_bytes(blob)
            sums.append(f"{hashlib.sha256(blob).hexdigest()}  {rel}")
        (tmp / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
        old = dist.with_name(".dist-old")
        if old.exists():
            shutil.rmtree(old)
        if dist.exists():
            dist.rename(old)
        tmp.rename(dist)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result = BuildResult(dist, ontology_triples=len(base), full_triples=len(full), data_triples=len(data))
    for path in sorted(dist.rglob("*")):
        if path.is_file():
            result.files[str(path.relative_to(dist))] = path.stat().st_size
    return result


def _rdfxml(graph) -> str:
    """RDF/XML for Protégé and the OWL API, deterministic.

    rdflib's RDF/XML writers iterate hash-ordered sets (output changes between runs) and "pretty-xml"
    drops triples about rdf:List nodes; so the sorted canonical N-Triples go through pyoxigraph, which
    writes in the order given and keeps blank-node labels.
    """
    import pyoxigraph as ox

    triples = ox.parse(_sorted_ntriples(graph).encode("utf-8"), ox.RdfFormat.N_TRIPLES)
    prefixes = {**{k: v for k, v in PREFIXES.items() if v[-1] in "/#"}, "obo": "http://purl.obolibrary.org/obo/"}
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=prefixes).decode("utf-8")
