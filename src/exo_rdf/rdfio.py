"""RDF input and output: every file format, media type and serialiser, and the one way files are written.

One table per question a caller asks ("which pyoxigraph format reads this suffix?", "which media type
does the endpoint send for this result key?"), so that adding a format is one edit here. The tables
hold names (strings), never parser objects, so importing this module stays cheap (the command line
imports it to list its choices); the serialisers import rdflib, pyoxigraph and the prefix map when called.

Every file the package writes goes through :func:`atomic_write` (one file), :func:`atomic_write_many`
(several files that replace their old versions together) or :func:`atomic_folder` (a whole folder,
such as ``dist/``): the content goes to a temporary file beside the target, which then replaces it, so a
failure leaves what was there before. Written files are mode 0644 and folders 0755 whatever the umask
(``tempfile`` would leave them 0600 and 0700): they are sources and release files, meant to be read.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any, Union

from .errors import ExoError

__all__ = [
    "DIR_MODE",
    "DOC_OFFERS",
    "DOC_TYPES",
    "FILE_MODE",
    "FORMAT_PARAM",
    "GRAPH_OFFERS",
    "GRAPH_TYPES",
    "MEDIA_TYPES",
    "MERGE_OUTPUT_FORMATS",
    "OX_DOC_FORMATS",
    "OX_EXTERNAL_FORMATS",
    "OX_GRAPH_FORMATS",
    "OX_QUERY_GRAPH_FORMATS",
    "OX_QUERY_TABLE_FORMATS",
    "OX_TABLE_FORMATS",
    "QUERY_FORMATS",
    "QUERY_GRAPH_FORMATS",
    "QUERY_TABLE_FORMATS",
    "RDF_SUFFIXES",
    "sorted_prefix_lines",
    "REPORT_FORMATS",
    "SOURCE_FORMATS",
    "TABLE_OFFERS",
    "TABLE_TYPES",
    "Content",
    "atomic_folder",
    "atomic_write",
    "atomic_write_many",
    "canonical_graph",
    "canonical_jsonld",
    "canonical_turtle",
    "fast_jsonld",
    "fast_sorted_ntriples",
    "fast_turtle",
    "has_blank_nodes",
    "ox_triple",
    "rdflib_graph",
    "rdflib_term",
    "http_media_type",
    "jsonld_context",
    "media_type",
    "merge_output_format",
    "rdfxml",
    "serialiser_prefixes",
    "sorted_ntriples",
    "store_format",
    "used_prefixes",
]

# ---------------------------------------------------------------------------------------------
# Writing files
# ---------------------------------------------------------------------------------------------

#: Mode of every file the package writes, and of every folder it creates for its outputs.
FILE_MODE = 0o644
DIR_MODE = 0o755

#: What a writer is given: text (written as UTF-8 with ``\n`` line ends), bytes, or a function that
#: writes into the open binary file (for serialisers that stream, such as ``pyoxigraph.Store.dump``).
Content = Union[str, bytes, Callable[[IO[bytes]], Any]]


def _write_temp(target: Path, content: Content) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(content, str):
                fh.write(content.encode("utf-8"))
            elif isinstance(content, bytes):
                fh.write(content)
            else:
                content(fh)
        os.chmod(tmp, FILE_MODE)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def atomic_write_many(files: Iterable[tuple[Path, Content]]) -> list[Path]:
    """Write every ``(target, content)``; no target changes unless all contents were written.

    Each content goes to a temporary file in its target's folder (which must exist); only when all are
    written do they replace their targets. ``OSError`` propagates (after the temporary files are
    removed) so that the caller can say what it was writing. Returns the targets.
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for target, content in files:
            target = Path(target)
            temps.append((_write_temp(target, content), target))
        for tmp, target in temps:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    return [target for _, target in temps]


def atomic_write(target: Path, content: Content) -> Path:
    """Write one file atomically, mode 0644 (see :func:`atomic_write_many`)."""
    return atomic_write_many([(Path(target), content)])[0]


def atomic_folder(target: Path, files: Mapping[str, str | bytes], label: str = "folder") -> Path:
    """Replace the folder ``target`` by one holding exactly ``files`` (relative path -> content).

    The new folder is written beside the old one and switched in by :func:`exo_rdf.atomic.replace_folder`
    (one atomic exchange; a killed run leaves the previous or the new folder, and the next run clears
    the leftovers). Files are 0644 and folders 0755. ``label`` names the switch for fault injection.
    """
    from .atomic import fault_point, replace_folder

    def fill(tmp: Path) -> None:
        for rel, content in sorted(files.items()):
            path = tmp / rel
            for folder in reversed(path.relative_to(tmp).parents[:-1]):
                if not (tmp / folder).is_dir():
                    (tmp / folder).mkdir()
                    os.chmod(tmp / folder, DIR_MODE)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
            os.chmod(path, FILE_MODE)
            fault_point(label)

    return replace_folder(Path(target), fill, label)


# ---------------------------------------------------------------------------------------------
# Reading RDF files into pyoxigraph
# ---------------------------------------------------------------------------------------------

#: RDF file suffix -> (pyoxigraph ``RdfFormat`` attribute, holds quads).
RDF_SUFFIXES: Mapping[str, tuple[str, bool]] = {
    ".nt": ("N_TRIPLES", False),
    ".ttl": ("TURTLE", False),
    ".n3": ("N3", False),
    ".owl": ("RDF_XML", False),
    ".rdf": ("RDF_XML", False),
    ".jsonld": ("JSON_LD", False),
    ".nq": ("N_QUADS", True),
    ".trig": ("TRIG", True),
}
#: The SPARQL endpoint loads exactly the files whose suffix it knows.
SOURCE_FORMATS = RDF_SUFFIXES

#: Formats that :mod:`exo_rdf.extformats` recognises by content and pyoxigraph parses.
OX_EXTERNAL_FORMATS: Mapping[str, str] = {
    "rdfxml": "RDF_XML",
    "turtle": "TURTLE",
    "ntriples": "N_TRIPLES",
    "jsonld": "JSON_LD",
}


def sorted_prefix_lines(text: str) -> str:
    """Sort the leading @prefix lines (their order comes from a hash map inside pyoxigraph)."""
    lines = text.splitlines(keepends=True)
    n = next((i for i, line in enumerate(lines) if not line.startswith("@prefix ")), len(lines))
    return "".join(sorted(lines[:n])) + "".join(lines[n:])


def store_format(path: Path) -> tuple[str, bool]:
    """(pyoxigraph format name, holds quads) of a file for the project store: by suffix, else Turtle."""
    return RDF_SUFFIXES.get(Path(path).suffix.lower(), ("TURTLE", False))


# ---------------------------------------------------------------------------------------------
# Output formats of the command line
# ---------------------------------------------------------------------------------------------

#: ``exo-rdf query --format``: tabular results (SELECT, ASK) and graph results (CONSTRUCT, DESCRIBE).
QUERY_TABLE_FORMATS = ("table", "csv", "tsv", "json", "xml")
QUERY_GRAPH_FORMATS = ("table", "ttl", "nt", "jsonld", "json")
QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")
#: ``--format`` value -> pyoxigraph ``QueryResultsFormat`` / ``RdfFormat`` attribute.
OX_QUERY_TABLE_FORMATS: Mapping[str, str] = {"csv": "CSV", "tsv": "TSV", "json": "JSON", "xml": "XML"}
OX_QUERY_GRAPH_FORMATS: Mapping[str, str] = {
    "ttl": "TURTLE",
    "nt": "N_TRIPLES",
    "jsonld": "JSON_LD",
    "json": "JSON_LD",
}

#: ``exo-rdf validate --format`` of the report graph -> rdflib serialiser name.
REPORT_FORMATS: Mapping[str, str] = {"ttl": "turtle", "json": "json-ld"}

#: ``exo-rdf merge --output`` suffix -> pyoxigraph ``RdfFormat`` attribute.
MERGE_OUTPUT_FORMATS: Mapping[str, str] = {
    ".ttl": "TURTLE",
    ".nt": "N_TRIPLES",
    ".owl": "RDF_XML",
    ".rdf": "RDF_XML",
    ".xml": "RDF_XML",
    ".jsonld": "JSON_LD",
}


def merge_output_format(path: Path) -> str:
    """The pyoxigraph format name for a merge output's suffix, or :class:`ExoError` listing the known ones."""
    name = MERGE_OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if name is None:
        raise ExoError(
            f"{path}: cannot tell the output format from the suffix "
            f"'{Path(path).suffix}'; use one of {', '.join(MERGE_OUTPUT_FORMATS)}"
        )
    return name


# ---------------------------------------------------------------------------------------------
# Media types: release files, the site's documents
# ---------------------------------------------------------------------------------------------

#: IANA media type of a file, by suffix (release files in DCAT, downloads over HTTP).
MEDIA_TYPES: Mapping[str, str] = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".trig": "application/trig",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
    ".owl": "application/rdf+xml",
    ".rdf": "application/rdf+xml",
    ".html": "text/html",
    ".css": "text/css",
    ".tsv": "text/tab-separated-values",
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".txt": "text/plain",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".gz": "application/gzip",
    ".xz": "application/x-xz",
    ".zip": "application/zip",
}


def media_type(rel: str | Path) -> str:
    """The media type of a file from its suffix (``application/octet-stream`` when unknown)."""
    return MEDIA_TYPES.get(Path(rel).suffix.lower(), "application/octet-stream")


def http_media_type(path: str | Path) -> str:
    """The ``Content-Type`` of a file served over HTTP: text types say their UTF-8 charset."""
    path = Path(path)
    if path.name == "SHA256SUMS":
        return "text/plain; charset=utf-8"
    media = media_type(path)
    return media + "; charset=utf-8" if media.startswith("text/") else media


#: Document formats of a resource description on the site: suffix -> media type.
DOC_TYPES: Mapping[str, str] = {
    "html": "text/html; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
}
#: Media types a client may ask the site for, and the document each one means (order = preference on ties).
DOC_OFFERS = (
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdf"),
    ("application/n-triples", "nt"),
)
#: Site document suffix -> pyoxigraph ``RdfFormat`` attribute.
OX_DOC_FORMATS: Mapping[str, str] = {"ttl": "TURTLE", "jsonld": "JSON_LD", "rdf": "RDF_XML", "nt": "N_TRIPLES"}

# ---------------------------------------------------------------------------------------------
# The SPARQL endpoint: result formats, media ranges, format= values, source files
# ---------------------------------------------------------------------------------------------

#: Result formats of SELECT and ASK: key -> reply content type.
TABLE_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
#: Result formats of CONSTRUCT, DESCRIBE and the service description: key -> reply content type.
GRAPH_TYPES = {
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
# Media ranges the endpoint answers, in the server's order of preference (the first is the default).
# Generic aliases (application/json, application/xml, text/plain) come last.
TABLE_OFFERS = (
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
)
GRAPH_OFFERS = (
    ("text/turtle", "ttl"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/x-turtle", "ttl"),
    ("application/json", "jsonld"),
    ("application/xml", "rdfxml"),
    ("text/plain", "nt"),
)
#: ``format=`` (or ``output=``) values: name -> (table format, graph format).
FORMAT_PARAM = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "ttl": (None, "ttl"),
    "turtle": (None, "ttl"),
    "nt": (None, "nt"),
    "ntriples": (None, "nt"),
    "n-triples": (None, "nt"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
}
for _mt, _key in TABLE_OFFERS:
    FORMAT_PARAM.setdefault(_mt, (_key, None))
for _mt, _key in GRAPH_OFFERS:
    FORMAT_PARAM[_mt] = (FORMAT_PARAM.get(_mt, (None, None))[0], _key)

#: SPARQL endpoint result key -> pyoxigraph ``QueryResultsFormat`` / ``RdfFormat`` attribute.
OX_TABLE_FORMATS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
OX_GRAPH_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD", "rdfxml": "RDF_XML"}


# ---------------------------------------------------------------------------------------------
# Serialisers
# ---------------------------------------------------------------------------------------------


def serialiser_prefixes(fmt: str = "TURTLE") -> dict[str, str]:
    """Prefixes for pyoxigraph's writers; RDF/XML needs namespaces that end in ``/`` or ``#``."""
    from .namespaces import OBO, PREFIXES

    if fmt == "RDF_XML":
        return {**{k: v for k, v in PREFIXES.items() if v[-1] in "/#"}, "obo": str(OBO)}
    return dict(PREFIXES)


def used_prefixes(triples: Iterable[Any]) -> dict[str, str]:
    """The canonical prefixes that some IRI of the pyoxigraph triples falls under (pyoxigraph's writers
    declare every prefix they are given, so Turtle stays short only with the ones used)."""
    import pyoxigraph as ox

    from .namespaces import PREFIXES

    prefix_of = {ns: name for name, ns in PREFIXES.items()}
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if type(term) is ox.NamedNode:
                iris.add(term.value)
            elif type(term) is ox.Literal:
                iris.add(term.datatype.value)
    used = {}
    for iri in iris:
        # Every canonical namespace ends in / # _ or =: try the cuts from the right, longest namespace first.
        end = len(iri)
        while end > 0:
            cut = max(iri.rfind(c, 0, end) for c in "/#_=")
            if cut < 0:
                break
            name = prefix_of.get(iri[: cut + 1])
            if name is not None:
                used[name] = iri[: cut + 1]
                break
            end = cut
    return dict(sorted(used.items()))


def canonical_turtle(graph: Any) -> str:
    """Serialise an rdflib graph as canonical Turtle: canonical prefixes, only those used, sorted."""
    import io

    import rdflib

    from .namespaces import bind_prefixes

    out = rdflib.Graph()
    bind_prefixes(out)
    for triple in graph:
        out.add(triple)
    buf = io.BytesIO()
    _no_generated_prefixes()(out).serialize(buf, encoding="utf-8")
    return _drop_unused_prefixes(buf.getvalue().decode("utf-8"))


def _drop_unused_prefixes(text: str) -> str:
    lines = text.splitlines(keepends=True)
    body = "".join(line for line in lines if not line.startswith("@prefix"))
    kept = []
    for line in lines:
        if line.startswith("@prefix"):
            name = line.split()[1][:-1]
            if re.search(rf"(?<![\w.-]){re.escape(name)}:", body):
                kept.append(line)
    return "".join(kept) + body


def canonical_graph(graph: Any) -> Any:
    """A copy of an rdflib ``graph`` with canonical blank-node labels (stable across runs)."""
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    from .namespaces import bind_prefixes

    canon = Graph()
    bind_prefixes(canon)
    # insertion order decides serialisation order: sort so that output does not depend on hashing
    for triple in sorted(to_canonical_graph(graph), key=lambda t: tuple(x.n3() for x in t)):
        canon.add(triple)
    return canon


def sorted_ntriples(canon: Any) -> str:
    """Sorted N-Triples of an rdflib graph (from :func:`canonical_graph` for stable blank nodes)."""
    lines = canon.serialize(format="nt").splitlines()
    return "\n".join(sorted(line for line in lines if line.strip())) + "\n"


def jsonld_context() -> dict[str, Any]:
    """The published @context: the canonical prefix map. OBO prefixes end in '_', so JSON-LD 1.1 needs
    them (and any namespace not ending in a JSON-LD gen-delim) flagged with "@prefix": true."""
    from .namespaces import PREFIXES

    ctx: dict[str, Any] = {}
    for prefix, ns in sorted(PREFIXES.items()):
        ctx[prefix] = ns if ns[-1] in ":/?#[]@" else {"@id": ns, "@prefix": True}
    return {"@version": 1.1, **ctx}


def canonical_jsonld(graph: Any, *, canonical: bool = False) -> str:
    """Compact, deterministic JSON-LD: subjects, properties and values sorted; canonical blank nodes."""
    import json

    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import RDF, XSD

    from .namespaces import compress

    canon = graph if canonical else canonical_graph(graph)
    nodes: dict[str, dict[str, Any]] = {}

    def ref(term: Any) -> str:
        return f"_:{term}" if isinstance(term, BNode) else compress(str(term))

    for s, p, o in canon:
        node = nodes.setdefault(ref(s), {"@id": ref(s)})
        if p == RDF.type and isinstance(o, URIRef):
            node.setdefault("@type", []).append(ref(o))
            continue
        value: Any
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

    def key(v: Any) -> str:
        return json.dumps(v, sort_keys=True, ensure_ascii=False)

    graph_list = []
    for sid in sorted(nodes):
        node = nodes[sid]
        graph_list.append({k: (sorted(v, key=key) if isinstance(v, list) else v) for k, v in sorted(node.items())})
    doc = {"@context": jsonld_context(), "@graph": graph_list}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def rdfxml(ntriples: str) -> str:
    """RDF/XML for Protégé and the OWL API, deterministic.

    rdflib's RDF/XML writers iterate hash-ordered sets (output changes between runs) and "pretty-xml"
    drops triples about rdf:List nodes; so the sorted canonical N-Triples go through pyoxigraph, which
    writes in the order given and keeps blank-node labels.
    """
    import pyoxigraph as ox

    triples = ox.parse(ntriples.encode("utf-8"), ox.RdfFormat.N_TRIPLES)
    written = ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=serialiser_prefixes("RDF_XML"))
    assert written is not None  # serialize returns the bytes when given no output
    return written.decode("utf-8")


# ---------------------------------------------------------------------------------------------
# Fast writers: the same bytes as the rdflib writers above, for graphs without blank nodes
# ---------------------------------------------------------------------------------------------
#
# They take pyoxigraph triples whose literals read as rdflib reads them (see
# :func:`exo_rdf.graph.read_triples`) and write what ``sorted_ntriples``, ``canonical_turtle`` and
# ``canonical_jsonld`` write for the same graph, in linear time plus one sort. A graph without blank
# nodes is its own canonical form, so no canonicalisation is needed; graphs with blank nodes (the
# ontology's OWL restrictions) keep the rdflib writers.

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
_RDFS_CLASS = "http://www.w3.org/2000/01/rdf-schema#Class"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def has_blank_nodes(triples: Iterable[Any]) -> bool:
    """Whether a subject or object of the pyoxigraph triples is a blank node."""
    import pyoxigraph as ox

    bnode = ox.BlankNode
    return any(type(t.subject) is bnode or type(t.object) is bnode for t in triples)


def ox_triple(triple: Any) -> Any:
    """The pyoxigraph triple of an rdflib triple without blank nodes."""
    import pyoxigraph as ox
    from rdflib import Literal

    def term(t: Any) -> Any:
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype))) if t.datatype else ox.Literal(str(t))
        if type(t).__name__ == "BNode":
            raise ValueError(f"the fast writers take no blank nodes: {t}")
        return ox.NamedNode(str(t))

    return ox.Triple(*(term(t) for t in triple))


def rdflib_graph(triples: Iterable[Any]) -> Any:
    """An rdflib Graph (canonical prefixes bound) of pyoxigraph triples."""
    from rdflib import BNode, Graph

    from .namespaces import bind_prefixes

    graph = Graph()
    bind_prefixes(graph)

    def term(x: Any) -> Any:
        return BNode(x.value) if type(x).__name__ == "BlankNode" else rdflib_term(x)

    for t in triples:
        graph.add((term(t.subject), term(t.predicate), term(t.object)))
    return graph


def _nt_quote(text: str) -> str:
    # rdflib's N-Triples escaping: backslash, newline, double quote and carriage return
    return '"%s"' % text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")


def _nt_term(term: Any) -> str:
    import pyoxigraph as ox

    if type(term) is ox.NamedNode:
        return f"<{term.value}>"
    if type(term) is ox.Literal:
        if term.language:
            return f"{_nt_quote(term.value)}@{term.language}"
        dt = term.datatype.value
        return _nt_quote(term.value) if dt == _XSD_STRING else f"{_nt_quote(term.value)}^^<{dt}>"
    raise ValueError(f"the fast writers take no blank nodes: {term}")


def fast_sorted_ntriples(triples: Iterable[Any]) -> str:
    """Sorted N-Triples of pyoxigraph triples without blank nodes, as :func:`sorted_ntriples` writes them.

    Lines are split at the newline only (rdflib's writer leaves U+2028 and other line separators raw, and
    :func:`sorted_ntriples` would cut a literal holding one; no release file has one).
    """
    import pyoxigraph as ox

    iris: dict[str, str] = {}

    def term(t: Any) -> str:
        if type(t) is not ox.NamedNode:
            return _nt_term(t)
        found = iris.get(t.value)
        if found is None:
            found = iris[t.value] = f"<{t.value}>"
        return found

    lines = sorted(f"{term(t.subject)} {term(t.predicate)} {term(t.object)} ." for t in triples)
    return "\n".join(lines) + "\n"


def _ttl_quote(text: str) -> str:
    # rdflib's Literal._quote_encode: long strings (with a newline) in triple quotes
    if "\n" in text:
        encoded = text.replace("\\", "\\\\")
        if '"""' in text:
            encoded = encoded.replace('"""', '\\"\\"\\"')
        if encoded[-1] == '"' and encoded[-2] != "\\":
            encoded = encoded[:-1] + "\\" + '"'
        return '"""%s"""' % encoded.replace("\r", "\\r")
    return '"%s"' % text.replace("\n", "\\n").replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")


def rdflib_term(term: Any) -> Any:
    """The rdflib term for a pyoxigraph IRI or literal (literals as rdflib reads them from Turtle)."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    if type(term) is ox.NamedNode:
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return Literal(term.value) if dt == _XSD_STRING else Literal(term.value, datatype=URIRef(dt))


def fast_turtle(triples: Iterable[Any]) -> str:
    """Turtle of pyoxigraph triples without blank nodes, byte for byte what :func:`canonical_turtle` writes.

    rdflib's writer is followed step by step: subjects of ``a rdfs:Class`` first, then the others by
    (times used as an object, IRI); ``a`` and ``rdfs:label`` first, then the predicates by IRI; objects
    sorted as rdflib sorts them; prefixed names from the serialiser's own namespace table (so that the
    same IRIs are shortened, and the same prefixes declared, as by rdflib).
    """
    import pyoxigraph as ox
    import rdflib
    from rdflib import URIRef

    from .namespaces import bind_prefixes

    graph = rdflib.Graph()
    bind_prefixes(graph)
    serializer = _no_generated_prefixes()(graph)
    serializer.reset()
    qname = _QNames(graph)
    pnames: dict[str, str] = {}
    written: set[str] = set()  # prefixes that some prefixed name in the body uses

    def pname(iri: str, emit: bool = True) -> str:
        """The IRI as written; ``emit=False`` only declares its namespace, as rdflib's reading pass does."""
        found = pnames.get(iri)
        if found is None:
            if iri == _RDF_NIL:
                found = "()"
            else:
                parts = qname(iri)
                if parts is None:
                    found = URIRef(iri).n3()
                else:
                    prefix = serializer.addNamespace(parts[0], URIRef(parts[1]))
                    found = f"{prefix}:{parts[2]}"
            pnames[iri] = found
        if emit and not found.startswith(("<", "(")):
            written.add(found.split(":", 1)[0])
        return found

    typed: dict[tuple[str, str], str] = {}

    def callback(dt: Any) -> Any:
        found = pname(str(dt))
        return None if found.startswith("<") else found

    def literal(lit: Any) -> str:
        if lit.language:
            return f"{_ttl_quote(lit.value)}@{lit.language}"
        dt = lit.datatype.value
        if dt == _XSD_STRING:
            return _ttl_quote(lit.value)
        key = (lit.value, dt)
        found = typed.get(key)
        if found is None:
            pname(dt, emit=False)  # a number written bare still declares xsd:, which is then dropped
            found = typed[key] = rdflib_term(lit)._literal_n3(use_plain=True, qname_callback=callback)
        return found

    def label(term: Any) -> str:
        return pname(term.value) if type(term) is ox.NamedNode else literal(term)

    subjects: dict[str, dict[str, list[Any]]] = {}
    refs: dict[str, int] = {}
    classes = []
    for t in triples:
        s, p, o = t.subject, t.predicate.value, t.object
        if type(s) is not ox.NamedNode or type(o) is ox.BlankNode:
            raise ValueError(f"the fast writers take no blank nodes: {t}")
        subjects.setdefault(s.value, {}).setdefault(p, []).append(o)
        if type(o) is ox.NamedNode:
            refs[o.value] = refs.get(o.value, 0) + 1
            if p == _RDF_TYPE and o.value == _RDFS_CLASS:
                classes.append(s.value)
        # the names the serialiser registers while it reads the graph, in every position but the verb ``a``
        pname(s.value)
        if p != _RDF_TYPE:
            pname(p)
        label(o)
    top = sorted(set(classes))
    seen = set(top)
    rest = sorted((refs.get(s, 0), s) for s in subjects if s not in seen)
    order = top + [s for _, s in rest]

    out = []
    for s in order:
        props = subjects[s]
        preds = [p for p in (_RDF_TYPE, _RDFS_LABEL) if p in props]
        preds += sorted(p for p in props if p != _RDF_TYPE and p != _RDFS_LABEL)
        out.append("\n" + pname(s))
        for k, p in enumerate(preds):
            out.append((" " if k == 0 else " ;\n    ") + ("a" if p == _RDF_TYPE else pname(p)))
            objects = props[p]
            if len(objects) == 1:
                out.append(" " + label(objects[0]))
                continue
            if all(type(o) is ox.NamedNode for o in objects):
                labels = [pname(v) for v in sorted(o.value for o in objects)]
            else:
                # rdflib orders literals by value within a datatype, stably from its insertion order
                # (canonical_graph inserts by N3 form): let it sort them the same way
                ordered = sorted(sorted((rdflib_term(o) for o in objects), key=lambda x: x.n3()))
                labels = [
                    pname(str(o)) if isinstance(o, URIRef) else o._literal_n3(use_plain=True, qname_callback=callback)
                    for o in ordered
                ]
            out.append(" " + ",\n        ".join(labels))
        out.append(" .\n")
    body = "".join(out) + "\n"
    head = "".join(
        f"@prefix {prefix}: <{ns}> .\n"
        for prefix, ns in sorted(serializer.namespaces.items())
        if prefix in written or _prefix_used(prefix, body)
    )
    return head + body


class _QNames:
    """rdflib's ``NamespaceManager.compute_qname(uri, generate=False)`` for the bound namespaces, without
    its cache and trie (both grow with every IRI and make it quadratic on a large graph).

    The IRI is split where rdflib splits it (:func:`rdflib.namespace.split_uri`); the namespace is then
    the longest bound namespace that extends the split point and starts the IRI, else the split point.
    Returns (prefix, namespace, local name) with rdflib's escapes, or None when rdflib writes the IRI whole.
    """

    def __init__(self, graph: Any) -> None:
        self.bound: dict[str, str] = {}
        for _, ns in graph.namespaces():
            self.bound[str(ns)] = graph.store.prefix(ns)

    def __call__(self, iri: str) -> tuple[str, str, str] | None:
        from rdflib.namespace import split_uri

        try:
            namespace, _ = split_uri(iri)
        except ValueError:
            namespace = iri
            if not self.bound.get(iri):
                return None
        for k in range(len(iri), len(namespace), -1):
            if iri[:k] in self.bound:
                namespace = iri[:k]
                break
        prefix = self.bound.get(namespace)
        if prefix is None:
            return None
        local = iri[len(namespace) :].replace("(", "\\(").replace(")", "\\)")
        local = _PERCENT_NOT_HEX.sub("\\\\%", local)
        if local.endswith("."):
            return None
        return prefix, namespace, local


_PERCENT_NOT_HEX = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _prefix_used(name: str, body: str) -> bool:
    # the test of _drop_unused_prefixes, for one prefix
    return re.search(rf"(?<![\w.-]){re.escape(name)}:", body) is not None


def _no_generated_prefixes() -> Any:
    from rdflib.plugins.serializers.turtle import TurtleSerializer

    class _NoGeneratedPrefixes(TurtleSerializer):
        """rdflib invents ns1:, ns2: ... for namespaces it does not know; write full IRIs instead."""

        def get_pname(self, uri: Any, gen_prefix: bool = True) -> Any:
            return super().get_pname(uri, gen_prefix=False)

    return _NoGeneratedPrefixes


def fast_jsonld(triples: Iterable[Any]) -> str:
    """JSON-LD of pyoxigraph triples without blank nodes, byte for byte what :func:`canonical_jsonld` writes."""
    import json

    import pyoxigraph as ox

    from .namespaces import compress

    enc = json.encoder.encode_basestring  # what json.dumps writes for a string with ensure_ascii=False
    short: dict[str, str] = {}

    def ref(iri: str) -> str:
        found = short.get(iri)
        if found is None:
            found = short[iri] = compress(iri)
        return found

    # node id -> property -> [(sort key, rendered value at list depth)]
    nodes: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for t in triples:
        s, p, o = t.subject, t.predicate.value, t.object
        if type(s) is not ox.NamedNode or type(o) is ox.BlankNode:
            raise ValueError(f"the fast writers take no blank nodes: {t}")
        sid = ref(s.value)
        node = nodes.get(sid)
        if node is None:
            node = nodes[sid] = {}
        if type(o) is ox.NamedNode:
            if p == _RDF_TYPE:
                text = enc(ref(o.value))
                node.setdefault("@type", []).append((text, text))
                continue
            oid = enc(ref(o.value))
            value = ('{"@id": ' + oid + "}", '{\n     "@id": ' + oid + "\n    }")
        elif o.language:
            v, lang = enc(o.value), enc(o.language)
            value = (
                '{"@language": ' + lang + ', "@value": ' + v + "}",
                '{\n     "@value": ' + v + ',\n     "@language": ' + lang + "\n    }",
            )
        elif o.datatype.value != _XSD_STRING:
            v, dt = enc(o.value), enc(ref(o.datatype.value))
            value = (
                '{"@type": ' + dt + ', "@value": ' + v + "}",
                '{\n     "@value": ' + v + ',\n     "@type": ' + dt + "\n    }",
            )
        else:
            text = enc(o.value)
            value = (text, text)
        node.setdefault(ref(p), []).append(value)

    blocks = []
    for sid in sorted(nodes):
        props = nodes[sid]
        entries = [("@id", '   "@id": ' + enc(sid))]
        for key, values in props.items():
            items = ",\n".join("    " + v for _, v in sorted(values))
            entries.append((key, "   " + enc(key) + ": [\n" + items + "\n   ]"))
        entries.sort()
        blocks.append("  {\n" + ",\n".join(text for _, text in entries) + "\n  }")
    head = json.dumps({"@context": jsonld_context(), "@graph": []}, indent=1, ensure_ascii=False)
    if not blocks:
        return head + "\n"
    assert head.endswith('"@graph": []\n}')
    return head[: -len("[]\n}")] + "[\n" + ",\n".join(blocks) + "\n ]\n}\n"
