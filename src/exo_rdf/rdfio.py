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
import shutil
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


def atomic_folder(target: Path, files: Mapping[str, str | bytes]) -> Path:
    """Replace the folder ``target`` by one holding exactly ``files`` (relative path -> content).

    The new folder is built beside the old one and swapped in by two renames; on failure the old folder
    is left as it was. Files are 0644 and folders 0755.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        os.chmod(tmp, DIR_MODE)
        for rel, content in sorted(files.items()):
            path = tmp / rel
            for folder in reversed(path.relative_to(tmp).parents[:-1]):
                if not (tmp / folder).is_dir():
                    (tmp / folder).mkdir()
                    os.chmod(tmp / folder, DIR_MODE)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
            os.chmod(path, FILE_MODE)
        old = target.with_name(f".{target.name}-old")
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            target.rename(old)
        tmp.rename(target)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


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
    from rdflib.plugins.serializers.turtle import TurtleSerializer

    from .namespaces import bind_prefixes

    class _NoGeneratedPrefixes(TurtleSerializer):
        """rdflib invents ns1:, ns2: ... for namespaces it does not know; write full IRIs instead."""

        def get_pname(self, uri: Any, gen_prefix: bool = True) -> Any:
            return super().get_pname(uri, gen_prefix=False)

    out = rdflib.Graph()
    bind_prefixes(out)
    for triple in graph:
        out.add(triple)
    buf = io.BytesIO()
    _NoGeneratedPrefixes(out).serialize(buf, encoding="utf-8")
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
