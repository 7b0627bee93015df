"""The validation store: data, ontology and imports in one pyoxigraph store, with re-typed literals kept.

Oxigraph normalises some literals when it stores them: ``"5"^^xsd:nonNegativeInteger`` (and the other
types derived from ``xsd:integer``) becomes ``"5"^^xsd:integer``, ``xsd:dateTimeStamp`` becomes
``xsd:dateTime``, and valid lexical forms are canonicalised (``"007"^^xsd:integer`` -> ``"7"``)
(oxigraph/oxigraph#526). ``sh:datatype`` must see the datatype as written, so
:func:`load_validation_store` also records each such literal in a side named graph per original
datatype (:data:`FOLDED_GRAPH_PREFIX`), and the datatype checks of :mod:`exo_rdf.shacl.compiler`
consult it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import ExoError, InputError, oversized_term
from ..namespaces import EXOSH

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = [
    "FOLDED",
    "FOLDED_GRAPH_PREFIX",
    "INT_RANGES",
    "ValidationStore",
    "load_validation_store",
    "ox_term",
    "rdflib_term",
]

#: Named graphs holding the literals that Oxigraph re-typed on load, one graph per original datatype.
FOLDED_GRAPH_PREFIX = str(EXOSH) + "original-datatype/"

# Datatypes that Oxigraph's store folds into another one, with the value range that the original
# datatype allows (checked on the folded value).
INT_RANGES: dict[str, tuple[int | None, int | None]] = {
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}
FOLDED: dict[URIRef, URIRef] = {XSD[k]: XSD.integer for k in INT_RANGES}
FOLDED[XSD.dateTimeStamp] = XSD.dateTime


@dataclass
class ValidationStore:
    """Data, ontology and imports in one store, with what the runner needs to know of it."""

    store: object  # pyoxigraph.Store
    data_triples: int
    folded: frozenset = field(default_factory=frozenset)  # original datatypes recorded in side graphs


# ---------------------------------------------------------------------------------------------------------
# Loading


def ox_term(term: Any) -> Any:
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    raise ExoError(f"cannot store the RDF term {term!r} in Oxigraph")


def rdflib_term(term: Any) -> Any:
    """An rdflib term for a pyoxigraph term (``None`` stays ``None``)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value) if dt == str(XSD.string) else Literal(term.value, datatype=URIRef(dt))
    raise ExoError(f"unsupported RDF term in a validation result: {term!r}")


#: A typed literal of one of the folded datatypes, as written in Turtle or N-Triples ("xsd:int", "...#int").
_FOLDED_RE = re.compile(rb"[#:](" + b"|".join(str(dt).rsplit("#", 1)[1].encode() for dt in FOLDED) + rb")(?![\w-])")


def _with_side_quads(quads, side: list, folded: set):
    """Pass quads through, collecting (per original datatype) the literals that the store will re-type."""
    import pyoxigraph as ox

    names = {str(dt): dt for dt in FOLDED}
    graphs: dict[str, object] = {}
    for q in quads:
        yield q
        o = q.object
        if type(o) is ox.Literal and o.datatype.value in names:
            dt = o.datatype.value
            g = graphs.get(dt)
            if g is None:
                g = graphs[dt] = ox.NamedNode(FOLDED_GRAPH_PREFIX + dt.rsplit("#", 1)[1])
                folded.add(names[dt])
            side.append(ox.Quad(q.subject, q.predicate, o, g))


def _needs_scan(path: Path) -> bool:
    import mmap

    with path.open("rb") as fh:
        try:
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                return _FOLDED_RE.search(mm) is not None
        except ValueError:  # an empty file cannot be mapped
            return False


_FOLDED_NT_RE = re.compile(
    rb"\^\^<"
    + re.escape(str(XSD).encode())
    + rb"(?:"
    + b"|".join(str(dt).rsplit("#", 1)[1].encode() for dt in FOLDED)
    + rb")>"
)


def _nt_folded_lines(path: Path) -> bytes | None:
    """The N-Triples lines holding a literal of a folded datatype, or None if one has a blank-node subject
    (Oxigraph's loader renames blank nodes, so such a line could not be matched to its triple)."""
    import mmap

    lines, seen = [], set()
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for m in _FOLDED_NT_RE.finditer(mm):
            start = mm.rfind(b"\n", 0, m.start()) + 1
            if start in seen:
                continue
            seen.add(start)
            end = mm.find(b"\n", m.end())
            line = mm[start : end if end >= 0 else len(mm)]
            if line.lstrip().startswith(b"_:"):
                return None
            lines.append(line)
    return b"\n".join(lines)


def _load_file(store, path: Path, side: list, folded: set) -> None:
    """Load one Turtle (or N-Triples) file into the default graph, noting literals the store re-types."""
    import pyoxigraph as ox

    from ..graph import line_of, load_store

    nt_lines = _nt_folded_lines(path) if path.suffix == ".nt" and _needs_scan(path) else None
    if nt_lines is not None:  # N-Triples: load, then parse only the lines with folded literals
        try:
            store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
            for _ in _with_side_quads(ox.parse(nt_lines, ox.RdfFormat.N_TRIPLES), side, folded):
                pass  # the generator records the side quads
        except SyntaxError as exc:
            line = getattr(exc, "lineno", None) or line_of(str(exc))
            column = getattr(exc, "offset", None) if getattr(exc, "lineno", None) else None
            raise InputError(
                path, f"N-Triples syntax error: {' '.join(str(exc).split())[:400]}", line, column
            ) from None
        except MemoryError as exc:
            raise oversized_term(path, exc) or exc from None
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc}") from None
        return
    if not _needs_scan(path):  # the fast path: Oxigraph's own loader, no Python per triple
        try:
            store.load(
                path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri(), to_graph=ox.DefaultGraph()
            )
        except SyntaxError:
            load_store([path])  # re-raises the parse error as InputError with file and line
            raise
        except MemoryError as exc:
            raise oversized_term(path, exc) or exc from None
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc}") from None
        return
    try:
        # A first pass in Python finds the literals to record; Oxigraph's own loader (faster than feeding
        # it quads from Python) then loads the file. If such a literal hangs off a blank node, whose label
        # the loader would rename, the quads of that single pass are loaded instead.
        base = path.resolve().as_uri()
        found: list = []
        found_types: set = set()
        for _ in _with_side_quads(
            ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base), found, found_types
        ):
            pass
        if any(isinstance(q.subject, ox.BlankNode) for q in found):
            quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base)
            store.bulk_extend(_with_side_quads(quads, side, folded))
            return
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base, to_graph=ox.DefaultGraph())
        side.extend(found)
        folded.update(found_types)
    except SyntaxError as exc:
        line = getattr(exc, "lineno", None) or line_of(str(exc))
        column = getattr(exc, "offset", None) if getattr(exc, "lineno", None) else None
        raise InputError(path, f"Turtle syntax error: {' '.join(str(exc).split())[:400]}", line, column) from None
    except MemoryError as exc:
        raise oversized_term(path, exc) or exc from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc}") from None


def load_validation_store(
    data_files: Iterable[Path], ontology_files: Iterable[Path] = (), *, ontology_graph: Graph | None = None
) -> ValidationStore:
    """Load the data files, then the ontology (files and/or an rdflib graph), into one pyoxigraph store.

    ``data_triples`` counts the distinct triples of the data files alone. Literals whose datatype the
    store rewrites are also recorded in side graphs (see the module docstring). Parse errors raise
    :class:`~exo_rdf.errors.InputError` with the file and line.
    """
    import pyoxigraph as ox

    store = ox.Store()
    side: list = []
    folded: set = set()
    for path in data_files:
        _load_file(store, Path(path), side, folded)
    n_data = len(store)
    for path in ontology_files:
        _load_file(store, Path(path), side, folded)
    if ontology_graph is not None:
        quads = (ox.Quad(ox_term(s), ox_term(p), ox_term(o)) for s, p, o in ontology_graph)
        store.bulk_extend(_with_side_quads(quads, side, folded))
    if side:
        store.bulk_extend(side)
    return ValidationStore(store, n_data, frozenset(folded))
