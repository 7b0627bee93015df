"""Reading the project's RDF: parsing with clear errors, and the fast embedded store.

rdflib parses and serialises the small hand-edited sources (it gives sorted, readable Turtle);
every SPARQL query runs on a pyoxigraph store, never on rdflib's evaluator.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .errors import InputError, decode_utf8, oversized_term
from .namespaces import PREFIXES, bind_prefixes
from .project import Project
from .rdfio import store_format

if TYPE_CHECKING:
    from pyoxigraph import QuerySolutions, Store
    from rdflib import Graph

__all__ = [
    "data_files",
    "line_of",
    "load_store",
    "ontology_files",
    "parse_files",
    "parse_turtle",
    "prefix_conflicts",
    "prefix_declarations",
    "project_store",
    "read_source",
    "select_rows",
]

_LINE_RE = re.compile(r"line (\d+)|:(\d+):\d+|at line (\d+)|position (\d+):")


def select_rows(store: Store, query: str) -> QuerySolutions:
    """The rows of a SELECT query on a pyoxigraph store (a TypeError for an ASK or CONSTRUCT query)."""
    import pyoxigraph as ox

    result = store.query(query)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {query[:80]!r}")
    return result


def line_of(message: str) -> int | None:
    m = _LINE_RE.search(message)
    if not m:
        return None
    return int(next(g for g in m.groups() if g))


def _clean(message: str) -> str:
    message = " ".join(message.split())
    return message[:400]


def read_source(path: Path) -> str:
    """The UTF-8 text of a source file (newlines as ``\\n``), or :class:`InputError` naming the file and
    the problem: a byte that is not UTF-8 is named by its line and column."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
    return decode_utf8(path, data).replace("\r\n", "\n").replace("\r", "\n")


def _turtle_error(path: Path, text: str, exc: Exception) -> InputError:
    """The :class:`InputError` for a Turtle file rdflib cannot parse, at the line and column of the error.

    rdflib's messages give a line at best (and some, such as an IndexError on a cut file, nothing), so
    the text is parsed again with Oxigraph, whose errors carry line and column; when Oxigraph accepts
    the text, rdflib's own message is reported.
    """
    import pyoxigraph as ox

    msg = str(exc)
    hint = ""
    if "Prefix" in msg and ("not bound" in msg or "not defined" in msg):
        hint = " (declare it with @prefix; the canonical prefixes are in exo_rdf.namespaces)"
    try:
        for _ in ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as ox_exc:
        line = getattr(ox_exc, "lineno", None)
        column = getattr(ox_exc, "offset", None)
        detail = _clean(str(ox_exc))
        if re.search(r"unexpected end", detail, re.I):
            hint += " (the file ends in the middle of a statement: it looks truncated; restore or complete it)"
        return InputError(path, f"Turtle syntax error: {detail}{hint}", line, column)
    return InputError(path, f"Turtle syntax error: {_clean(msg)}{hint}", line_of(msg))


def parse_turtle(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file into ``graph`` (a new rdflib Graph by default).

    An unreadable file, a syntax error or an undeclared prefix raises :class:`InputError` with the
    file and line. Undeclared prefixes are always errors: they never turn into new IRIs.
    """
    import rdflib

    path = Path(path)
    if graph is None:
        graph = rdflib.Graph()
        bind_prefixes(graph)
    text = read_source(path)
    try:
        graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises several unrelated exception types for bad syntax
        raise _turtle_error(path, text, exc) from None
    return graph


def parse_files(paths: Iterable[Path]) -> Graph:
    """Parse several Turtle files into one rdflib Graph."""
    import rdflib

    graph = rdflib.Graph()
    bind_prefixes(graph)
    for path in paths:
        parse_turtle(path, graph)
    return graph


def ontology_files(project: Project) -> list[Path]:
    return [project.ontology_file, *project.import_files()]


def data_files(project: Project) -> list[Path]:
    """Ontology, imports and instance data: everything the knowledge graph is built from."""
    return [*ontology_files(project), *project.instance_files()]


def load_store(paths: Iterable[Path]) -> Store:
    """Load RDF files into a new in-memory pyoxigraph Store (default graph; TriG/N-Quads keep their graphs).

    The format follows the suffix (.ttl and anything else: Turtle; .nt, .owl/.rdf RDF/XML, .jsonld, .nq, .trig).
    Parse errors raise :class:`InputError` with the file and line.
    """
    import pyoxigraph as ox

    store = ox.Store()
    for path in paths:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc}") from None
        decode_utf8(path, data)  # every format read here is UTF-8; a bad byte is named by line and column
        name, _ = store_format(path)
        fmt = getattr(ox.RdfFormat, name)
        try:
            if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
                store.bulk_load(data, fmt, base_iri=path.resolve().as_uri())
            else:
                store.bulk_load(data, fmt, base_iri=path.resolve().as_uri(), to_graph=ox.DefaultGraph())
        except SyntaxError as exc:
            line = getattr(exc, "lineno", None) or line_of(str(exc))
            column = getattr(exc, "offset", None) if getattr(exc, "lineno", None) else None
            raise InputError(path, f"{fmt.name} syntax error: {_clean(str(exc))}", line, column) from None
        except MemoryError as exc:
            error = oversized_term(path, exc, data)
            if error is None:
                raise
            raise error from None
    return store


def project_store(project: Project, *, include_instances: bool = True) -> Store:
    """The project's knowledge graph (ontology, imports and, by default, instances) in a store."""
    files = data_files(project) if include_instances else ontology_files(project)
    return load_store(files)


def prefix_declarations(text: str) -> dict[str, str]:
    """Return the ``@prefix``/``PREFIX`` declarations of a Turtle or SPARQL text."""
    found = {}
    for m in re.finditer(r"(?im)^\s*@?prefix\s+([\w.-]*):\s*<([^>]*)>", text):
        found[m.group(1)] = m.group(2)
    return found


def prefix_conflicts(text: str) -> list[str]:
    """Prefix declarations that disagree with the canonical map (same name, other namespace)."""
    problems = []
    for name, ns in prefix_declarations(text).items():
        if name in PREFIXES and PREFIXES[name] != ns:
            problems.append(f"prefix {name}: declared <{ns}>, canonical <{PREFIXES[name]}>")
        elif name not in PREFIXES and ns in PREFIXES.values():
            canon = next(p for p, n in PREFIXES.items() if n == ns)
            problems.append(f"prefix {name}: <{ns}> is canonically '{canon}'")
    return problems


_XSD_STRING_NAMES = ("XMLSchema#string", "xsd:string")
#: A language tag with a capital letter: rdflib keeps its case, pyoxigraph lower-cases it.
_UPPER_CASE_TAG = re.compile(r"[\"']@[a-z0-9-]*[A-Z]")


def read_triples(paths: Iterable[Path]) -> list[Any] | Graph:
    """The triples of several Turtle files as pyoxigraph triples, read as :func:`parse_files` reads them.

    pyoxigraph parses (fast); each literal then takes rdflib's normal form (rdflib writes ``"01"^^xsd:integer``
    as ``1``, lower-cases language tags ...), duplicates across files are dropped, and the order is the
    files' order. Returns the rdflib Graph of :func:`parse_files` instead when the fast writers of
    :mod:`exo_rdf.rdfio` cannot reproduce rdflib's output: when a file has blank nodes, or names the
    ``xsd:string`` datatype (rdflib keeps it on a literal, RDF 1.1 and pyoxigraph drop it), or a language
    tag with a capital letter (rdflib keeps the case, pyoxigraph lower-cases it). A syntax
    error is reported by :func:`parse_files`, with its file and line.
    """
    import pyoxigraph as ox

    paths = [Path(p) for p in paths]
    seen: dict[Any, None] = {}
    for path in paths:
        text = read_source(path)
        if any(name in text for name in _XSD_STRING_NAMES) or _UPPER_CASE_TAG.search(text):
            return parse_files(paths)
        try:
            parsed = ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
            for t in parsed:
                if type(t.subject) is ox.BlankNode or type(t.object) is ox.BlankNode:
                    return parse_files(paths)
                seen[t.triple] = None  # pyoxigraph parses into quads (default graph)
        except SyntaxError:
            return parse_files(paths)  # raises InputError with rdflib's message, file and line
    return _as_rdflib_reads(list(seen))


def _as_rdflib_reads(triples: list[Any]) -> list[Any]:
    """The triples with each literal in the form rdflib gives it when it parses the same Turtle."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    xsd_string = "http://www.w3.org/2001/XMLSchema#string"
    lang_string = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
    forms: dict[tuple[str, str], Any] = {}
    out = []
    changed = False
    for t in triples:
        o = t.object
        if type(o) is ox.Literal and o.datatype.value != xsd_string:
            dt = o.datatype.value
            key = (o.value, o.language or dt)
            form = forms.get(key)
            if form is None:
                if dt == lang_string:
                    lit = Literal(o.value, lang=o.language)
                    form = ox.Literal(str(lit), language=lit.language)
                else:
                    lit = Literal(o.value, datatype=URIRef(dt))
                    form = ox.Literal(str(lit), datatype=ox.NamedNode(str(lit.datatype)))
                form = o if form == o else form
                forms[key] = form
            if form is not o:
                t = ox.Triple(t.subject, t.predicate, form)
                changed = True
        out.append(t)
    if changed:  # two spellings of one value ("1" and "01") are one rdflib literal
        out = list(dict.fromkeys(out))
    return out
