"""Set-based SHACL validation on pyoxigraph: one SPARQL SELECT per constraint, over all focus nodes at once.

pySHACL walks focus node by focus node in Python (and runs each ``sh:sparql`` query once per focus
node); that is what makes it slow on a large graph. Here each constraint of each shape is compiled
into a SPARQL 1.1 SELECT whose rows are the validation results of *every* focus node, and the
queries run on an embedded Oxigraph store holding the data, the ontology and its imports (so
``sh:targetClass`` and ``sh:class`` see subclasses, and paths such as
``exo:hasDisease/rdfs:subClassOf*`` climb the imported hierarchy). The results are the same as
pySHACL's (``tests/test_shaclsparql.py``); ``benchmarks/validate_bench.py`` records the speed.

What keeps it fast in Oxigraph: target classes are expanded to their subclasses once (``VALUES``);
``FILTER NOT EXISTS`` (evaluated row by row) is replaced by ``MINUS`` (an anti-join); the cardinalities of
all property shapes of a node shape are counted in one query; value conditions on the same path share
one scan, whose rows are then kept only for the focus nodes; node-level ``sh:and``/``sh:or``/``sh:not``/
``sh:xone``/``sh:node`` combine the violating focus nodes of their member shapes as sets. Only value-level
nested shapes (``sh:node``/``sh:or`` ... on a property shape) are correlated ``EXISTS`` expressions.

Supported (the SHACL Core subset that ``shapes/*.ttl`` uses, plus what was cheap):

* targets: ``sh:targetClass`` (subclass-aware), implicit class targets, ``sh:targetNode``,
  ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``;
* paths: predicate IRIs, sequences, ``sh:alternativePath``, ``sh:inversePath``, ``sh:zeroOrMorePath``,
  ``sh:oneOrMorePath``, ``sh:zeroOrOnePath``;
* ``sh:minCount``, ``sh:maxCount``, ``sh:datatype`` (with well-formedness of the lexical form),
  ``sh:class``, ``sh:nodeKind``, ``sh:pattern`` (+ ``sh:flags``), ``sh:in``, ``sh:hasValue``,
  ``sh:minInclusive``/``maxInclusive``/``minExclusive``/``maxExclusive``, ``sh:minLength``/``maxLength``,
  ``sh:languageIn``, ``sh:lessThan``/``sh:lessThanOrEquals``, ``sh:not``, ``sh:and``, ``sh:or``,
  ``sh:xone``, ``sh:node``, ``sh:property`` (on node shapes), ``sh:severity``, ``sh:message``,
  ``sh:deactivated`` and SPARQL-based constraints (``sh:sparql`` with ``sh:select``, ``$this``,
  ``$PATH``, ``$currentShape``, ``sh:prefixes``/``sh:declare``, ``{?var}`` message templates).

Anything else found on a shape (``sh:closed``, ``sh:uniqueLang``, ``sh:qualifiedValueShape``,
``sh:equals``, ``sh:disjoint``, SHACL-AF rules and targets, custom constraint components ...) raises
:class:`~exo_rdf.errors.ExoError` naming the shape and the feature: a constraint is never skipped
silently.

Oxigraph normalises some literals when it stores them: ``"5"^^xsd:nonNegativeInteger`` (and the other
types derived from ``xsd:integer``) becomes ``"5"^^xsd:integer``, ``xsd:dateTimeStamp`` becomes
``xsd:dateTime``, and valid lexical forms are canonicalised (``"007"^^xsd:integer`` -> ``"7"``)
(oxigraph/oxigraph#526). ``sh:datatype`` must see the datatype as written, so
:func:`load_validation_store` also records each such literal in a side named graph per original
datatype, and the datatype checks consult it. Constraints on the lexical form of *numeric* literals
(``sh:pattern``/``sh:minLength`` on a number) see the canonical form; lexical forms that XSD rejects
but Python accepts (``"1e3"^^xsd:decimal``) are ill-typed here and not in pySHACL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Iterable, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from .errors import ExoError, InputError
from .namespaces import EXOSH, compress

#: Named graphs holding the literals that Oxigraph re-typed on load, one graph per original datatype.
FOLDED_GRAPH_PREFIX = str(EXOSH) + "original-datatype/"

# Datatypes that Oxigraph's store folds into another one, with the value range that the original
# datatype allows (checked on the folded value).
_INT_RANGES: dict[str, tuple[int | None, int | None]] = {
    "nonNegativeInteger": (0, None), "positiveInteger": (1, None), "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1), "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1), "byte": (-2**7, 2**7 - 1), "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 2**8 - 1),
}
FOLDED: dict[URIRef, URIRef] = {XSD[k]: XSD.integer for k in _INT_RANGES}
FOLDED[XSD.dateTimeStamp] = XSD.dateTime

_INT = r"[+-]?[0-9]+"
_DEC = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_FLT = r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)"
_TZ = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_DATE = r"-?([1-9][0-9]{4,}|[0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
#: Lexical spaces (XSD 1.1) of the datatypes whose ill-typed literals SHACL must report.
LEXICAL: dict[URIRef, str] = {
    XSD.integer: _INT, XSD.decimal: _DEC, XSD.float: _FLT, XSD.double: _FLT,
    XSD.boolean: r"(true|false|1|0)", XSD.date: _DATE + _TZ, XSD.time: _TIME + _TZ,
    XSD.dateTime: _DATE + "T" + _TIME + _TZ,
}

_COMPONENT_PARAMS = {
    SH["class"]: "Class", SH.datatype: "Datatype", SH.nodeKind: "NodeKind", SH.minCount: "MinCount",
    SH.maxCount: "MaxCount", SH.minExclusive: "MinExclusive", SH.minInclusive: "MinInclusive",
    SH.maxExclusive: "MaxExclusive", SH.maxInclusive: "MaxInclusive", SH.minLength: "MinLength",
    SH.maxLength: "MaxLength", SH.pattern: "Pattern", SH.languageIn: "LanguageIn", SH.lessThan: "LessThan",
    SH.lessThanOrEquals: "LessThanOrEquals", SH["not"]: "Not", SH["and"]: "And", SH["or"]: "Or",
    SH.xone: "Xone", SH.node: "Node", SH.hasValue: "HasValue", SH["in"]: "In",
}
#: Predicates of a shape that are not constraints and need no evaluation (or are read with their constraint).
_NON_VALIDATING = {
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path, SH.message, SH.severity,
    SH.deactivated, SH.flags, SH.name, SH.description, SH.order, SH.group, SH.defaultValue, SH.property, SH.sparql,
}
_SPARQL_CONSTRAINT_KEYS = {SH.select, SH.prefixes, SH.message, SH.deactivated, SH.severity}
_SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)
_SHAPE_REFS = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_SHAPE_LISTS = (SH["or"], SH["and"], SH.xone)
_CMP = {SH.minInclusive: ">=", SH.minExclusive: ">", SH.maxInclusive: "<=", SH.maxExclusive: "<"}
_NODE_KIND = {
    SH.IRI: "!isIRI({v})", SH.BlankNode: "!isBlank({v})", SH.Literal: "!isLiteral({v})",
    SH.BlankNodeOrIRI: "isLiteral({v})", SH.BlankNodeOrLiteral: "isIRI({v})", SH.IRIOrLiteral: "isBlank({v})",
}


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SPARQL SELECT whose rows are its validation results.

    Rows bind ``?this`` (the focus node) and, for value-based constraints, ``?value``; SPARQL-based
    constraints may bind ``?path`` and any variable their message templates use. When ``focus`` is set,
    the query looks at every node with the path (cheaper than joining the focus nodes in each query)
    and the runner keeps the rows whose ``?this`` is among the focus nodes that ``focus`` selects.
    A node-level ``sh:and``/``sh:or``/``sh:not``/``sh:xone``/``sh:node`` has no query but ``logic``:
    the operator and, per member shape, the checks whose violating focus nodes are combined as sets.
    """

    shape: object                  # the shape node in the shapes graph (URIRef or BNode)
    component: URIRef              # e.g. sh:MinCountConstraintComponent
    query: str | None
    path: object | None            # the sh:path node of a property shape
    severity: URIRef
    messages: tuple[Literal, ...]  # the shape's sh:message (plus the SPARQL constraint's own)
    generic: str                   # message used when there is none; {focus}, {value} are filled in
    value_is_focus: bool = False   # a node-shape constraint: sh:value is the focus node
    source_constraint: object | None = None
    templated: bool = False        # messages carry {?var} templates (SPARQL-based constraints)
    focus: str | None = None       # SELECT ?this of the focus nodes, when rows must be filtered by it
    logic: tuple | None = None     # (operator, focus query, ((member checks), ...))
    scan: str | None = None        # with ``cond``: the query is ``scan FILTER(cond)``; the runner
    cond: str | None = None        # batches the conditions of all checks that share a scan
    count: tuple | None = None     # (variable, operator, bound): rows of ``query`` (one per focus node,
                                   # counting the values of each path) whose count violates the bound


@dataclass(frozen=True)
class ShaclResult:
    """One validation result, as rdflib terms (focus and value from the data, the rest from the shapes)."""

    focus: object
    value: object | None
    path: object | None
    component: URIRef
    severity: URIRef
    shape: object
    message: str
    source_constraint: object | None = None


@dataclass
class ValidationStore:
    """A store holding data, ontology and imports, with what :func:`validate_store` needs to know of it."""

    store: object                  # pyoxigraph.Store
    data_triples: int
    folded: frozenset = field(default_factory=frozenset)  # original datatypes recorded in side graphs


# ---------------------------------------------------------------------------------------------------------
# Loading


def _ox_term(term):
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


def rdflib_term(term):
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


_FOLDED_NT_RE = re.compile(rb"\^\^<" + re.escape(str(XSD).encode()) + rb"(?:"
                           + b"|".join(str(dt).rsplit("#", 1)[1].encode() for dt in FOLDED) + rb")>")


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
            line = mm[start:end if end >= 0 else len(mm)]
            if line.lstrip().startswith(b"_:"):
                return None
            lines.append(line)
    return b"\n".join(lines)


def _load_file(store, path: Path, side: list, folded: set) -> None:
    """Load one Turtle (or N-Triples) file into the default graph, noting literals the store re-types."""
    import pyoxigraph as ox

    from .graph import _line_of, load_store

    nt_lines = _nt_folded_lines(path) if path.suffix == ".nt" and _needs_scan(path) else None
    if nt_lines is not None:  # N-Triples: load, then parse only the lines with folded literals
        try:
            store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
            for _ in _with_side_quads(ox.parse(nt_lines, ox.RdfFormat.N_TRIPLES), side, folded):
                pass  # the generator records the side quads
        except SyntaxError as exc:
            line = getattr(exc, "lineno", None) or _line_of(str(exc))
            raise InputError(path, f"N-Triples syntax error: {' '.join(str(exc).split())[:400]}", line) from None
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc}") from None
        return
    if not _needs_scan(path):  # the fast path: Oxigraph's own loader, no Python per triple
        try:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri(),
                       to_graph=ox.DefaultGraph())
        except SyntaxError:
            load_store([path])  # re-raises the parse error as InputError with file and line
            raise
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
        for _ in _with_side_quads(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base),
                                  found, found_types):
            pass
        if any(isinstance(q.subject, ox.BlankNode) for q in found):
            quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base)
            store.bulk_extend(_with_side_quads(quads, side, folded))
            return
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base, to_graph=ox.DefaultGraph())
        side.extend(found)
        folded.update(found_types)
    except SyntaxError as exc:
        line = getattr(exc, "lineno", None) or _line_of(str(exc))
        raise InputError(path, f"Turtle syntax error: {' '.join(str(exc).split())[:400]}", line) from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc}") from None


def load_validation_store(data_files: Iterable[Path], ontology_files: Iterable[Path] = (), *,
                          ontology_graph=None) -> ValidationStore:
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
        quads = (ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o)) for s, p, o in ontology_graph)
        store.bulk_extend(_with_side_quads(quads, side, folded))
    if side:
        store.bulk_extend(side)
    return ValidationStore(store, n_data, frozenset(folded))


# ---------------------------------------------------------------------------------------------------------
# Compiling shapes into SPARQL


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))


def _sparql_term(term, where: str) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        body = f'"{_escape(str(term))}"'
        if term.language:
            return f"{body}@{term.language}"
        return f"{body}^^<{term.datatype}>" if term.datatype else body
    raise ExoError(f"{where}: a blank node cannot be used as a constant value here")


class ShapesCompiler:
    """Compile a SHACL shapes graph (rdflib) into :class:`Check` queries.

    ``folded`` names the original datatypes recorded in the store's side graphs (see
    :func:`load_validation_store`); the datatype checks consult only those graphs. With ``store``,
    each target class is expanded to its subclasses once (``VALUES``) instead of by a property path
    in every query.
    """

    def __init__(self, shapes: Graph, *, folded: Iterable[URIRef] = (), store=None):
        self.sg = shapes
        self.folded = frozenset(folded)
        self.store = store  # when given, target classes are expanded to their subclasses up front
        self._vars = count()
        self._subclass_cache: dict = {}
        for cc in shapes.subjects(RDF.type, SH.ConstraintComponent):
            raise self._unsupported(cc, "a custom constraint component (sh:ConstraintComponent)")
        self.shapes = self._find_shapes()
        for s in sorted(self.shapes, key=str):
            self._check_supported(s)

    # -- discovery and feature checks -------------------------------------------------------------------

    def _find_shapes(self) -> set:
        sg = self.sg
        found = set()
        for t in _SHAPE_TYPES:
            found.update(sg.subjects(RDF.type, t))
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.path):
            found.update(sg.subjects(p, None))
        for p in _SHAPE_REFS:
            found.update(sg.objects(None, p))
        for p in _SHAPE_LISTS:
            for lst in sg.objects(None, p):
                found.update(Collection(sg, lst))
        return found

    def name(self, shape) -> str:
        """The shape's CURIE, or for a blank node the nearest named shape it belongs to (and its path)."""
        if not isinstance(shape, BNode):
            return compress(str(shape))
        owner, seen = shape, set()
        while isinstance(owner, BNode) and owner not in seen:
            seen.add(owner)
            owner = next(iter(self.sg.subjects(None, owner)), None)
        path = self.sg.value(shape, SH.path)
        where = f" in {compress(str(owner))}" if isinstance(owner, URIRef) else ""
        return f"a blank-node shape{where}" + (f" (path {self.path_text(path)})" if path is not None else "")

    def path_text(self, path) -> str:
        from .validate import _path_text

        return _path_text(self.sg, path)

    def _unsupported(self, shape, feature: str, why: str = "") -> ExoError:
        return ExoError(f"SHACL shape {self.name(shape)}: {feature} is not supported by the oxigraph validation "
                        f"engine{': ' + why if why else ''}. Validate with --engine pyshacl, or rewrite the "
                        "shape with supported SHACL Core features.")

    def _check_supported(self, shape) -> None:
        if self.sg.value(shape, SH.deactivated) == Literal(True):
            return
        for p, o in self.sg.predicate_objects(shape):
            if not str(p).startswith(str(SH)):
                continue
            if p in _COMPONENT_PARAMS or p in _NON_VALIDATING:
                continue
            if p in (SH.closed, SH.uniqueLang) and o == Literal(False):
                continue
            raise self._unsupported(shape, compress(str(p)))
        for pattern in self.sg.objects(shape, SH.pattern):
            self._check_regex(shape, pattern)
        for c in self.sg.objects(shape, SH.sparql):
            if self.sg.value(c, SH.deactivated) == Literal(True):
                continue
            for p in set(self.sg.predicates(c)):
                if str(p).startswith(str(SH)) and p not in _SPARQL_CONSTRAINT_KEYS:
                    raise self._unsupported(shape, f"{compress(str(p))} in a SPARQL-based constraint")
            if self.sg.value(c, SH.select) is None:
                raise self._unsupported(shape, "a SPARQL-based constraint without sh:select")
        if self.sg.value(shape, SH.property) is not None and self.sg.value(shape, SH.path) is not None:
            raise self._unsupported(shape, "sh:property on a property shape")

    def _check_regex(self, shape, pattern) -> None:
        """Oxigraph's regex dialect lacks some features (look-around, back-references): fail loudly."""
        import pyoxigraph as ox

        flags = self.sg.value(shape, SH.flags)
        fl = f', "{_escape(str(flags))}"' if flags is not None else ""
        q = f'SELECT (REGEX("", "{_escape(str(pattern))}"{fl}) AS ?ok) WHERE {{}}'
        try:
            ok = next(iter(ox.Store().query(q)))["ok"]
        except (SyntaxError, ValueError, OSError):
            ok = None
        if ok is None:
            raise self._unsupported(shape, f"the sh:pattern {str(pattern)!r}",
                                    "Oxigraph cannot compile this regular expression")

    # -- helpers -----------------------------------------------------------------------------------------

    def _var(self, stem: str = "v") -> str:
        return f"?{stem}{next(self._vars)}"

    def _list(self, node) -> list:
        return list(Collection(self.sg, node))

    def _active(self, node) -> bool:
        return self.sg.value(node, SH.deactivated) != Literal(True)

    def path(self, shape, path=None) -> str:
        """The SPARQL property path of a SHACL path node."""
        sg = self.sg
        path = sg.value(shape, SH.path) if path is None else path
        if isinstance(path, URIRef):
            return f"<{path}>"
        if isinstance(path, BNode):
            if sg.value(path, RDF.first) is not None:
                items = self._list(path)
                if len(items) < 2:
                    raise self._unsupported(shape, "a sequence path with fewer than two members")
                return "(" + "/".join(self.path(shape, p) for p in items) + ")"
            for key, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                             (SH.zeroOrOnePath, "{}?")):
                inner = sg.value(path, key)
                if inner is not None:
                    return "(" + fmt.format(self.path(shape, inner)) + ")"
            alt = sg.value(path, SH.alternativePath)
            if alt is not None:
                return "(" + "|".join(self.path(shape, p) for p in self._list(alt)) + ")"
        raise self._unsupported(shape, f"the path {path!r}")

    def _split_path(self, shape):
        """(SPARQL path before the last predicate or None, last predicate IRI) when the path ends in one."""
        path = self.sg.value(shape, SH.path)
        if isinstance(path, URIRef):
            return None, path
        if isinstance(path, BNode) and self.sg.value(path, RDF.first) is not None:
            items = self._list(path)
            if isinstance(items[-1], URIRef):
                rest = items[:-1]
                head = "/".join(self.path(shape, p) for p in rest)
                return (f"({head})" if len(rest) > 1 else head), items[-1]
        return None, None

    def _subclasses(self, cls) -> list[str] | None:
        if self.store is None or not isinstance(cls, URIRef):
            return None
        import pyoxigraph as ox

        if cls not in self._subclass_cache:
            q = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}"
            found = sorted(sol["c"].value for sol in self.store.query(q) if isinstance(sol["c"], ox.NamedNode))
            self._subclass_cache[cls] = found or [str(cls)]
        return self._subclass_cache[cls]

    def targets(self, shape, var: str = "?this") -> str | None:
        """A group pattern binding ``var`` to the focus nodes of a shape (possibly repeated), or None."""
        sg = self.sg
        parts = []
        classes = set(sg.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in sg or (shape, RDF.type, OWL.Class) in sg:
            classes.add(shape)
        for c in sorted(classes, key=str):
            subs = self._subclasses(c)
            if subs is None:
                parts.append(f"{var} <{RDF.type}>/<{RDFS.subClassOf}>* {_sparql_term(c, self.name(shape))} .")
            else:
                cv = self._var("c")
                parts.append(f"VALUES {cv} {{ {' '.join(f'<{x}>' for x in subs)} }} {var} <{RDF.type}> {cv} .")
        nodes = sorted(sg.objects(shape, SH.targetNode), key=str)
        if nodes:
            parts.append(f"VALUES {var} {{ {' '.join(_sparql_term(n, self.name(shape)) for n in nodes)} }}")
        for p in sorted(sg.objects(shape, SH.targetSubjectsOf), key=str):
            parts.append(f"{var} <{p}> {self._var('t')} .")
        for p in sorted(sg.objects(shape, SH.targetObjectsOf), key=str):
            parts.append(f"{self._var('t')} <{p}> {var} .")
        if not parts:
            return None
        if len(parts) == 1:
            return "{ " + parts[0] + " }"
        return "{ " + " UNION ".join("{ " + p + " }" for p in parts) + " }"

    # -- value conditions (true when a value violates; never raise a SPARQL error) ------------------------

    def _datatype_cond(self, shape, dt, v: str, mid: str | None, last) -> str:
        if not isinstance(dt, URIRef):
            raise self._unsupported(shape, f"sh:datatype {dt!r}")
        if dt == RDFS.Literal:
            return f"!isLiteral({v})"
        if dt == RDF.langString:
            return f'!(isLiteral({v}) && lang({v}) != "")'
        if dt == XSD.string:
            return f'!(isLiteral({v}) && sameTerm(datatype({v}), <{XSD.string}>))'
        folded_into = {t for o, t in FOLDED.items() if o in self.folded}
        involved = dt in FOLDED or dt in folded_into
        if involved and mid is None and (dt in self.folded or dt in folded_into):
            raise self._unsupported(shape, f"sh:datatype {compress(str(dt))} on a path that does not end in a "
                                    "predicate", "Oxigraph re-types such literals and only a final predicate "
                                    "lets the check find what was written")
        lex = LEXICAL.get(dt)
        well_formed = f' && REGEX(STR({v}), "^\\\\s*{_escape(lex)}\\\\s*$")' if lex else ""
        if dt in FOLDED:
            # Oxigraph keeps such a literal as written only when it cannot read it, i.e. when it is ill-formed.
            if dt not in self.folded:
                return "true"
            return f"NOT EXISTS {{ {self._folded_ok(dt, v, mid, last)} }}"
        cond = f"isLiteral({v}) && sameTerm(datatype({v}), <{dt}>){well_formed}"
        sources = sorted((o for o, t in FOLDED.items() if t == dt and o in self.folded), key=str)
        if sources:
            graphs = " ".join(f"<{FOLDED_GRAPH_PREFIX}{str(o).rsplit('#', 1)[1]}>" for o in sources)
            g = self._var("g")
            cond += f" && NOT EXISTS {{ VALUES {g} {{ {graphs} }} GRAPH {g} {{ {mid} <{last}> {v} }} }}"
        return f"!({cond})"

    def _instance_of(self, v: str, cls, shape) -> str:
        subs = self._subclasses(cls)
        if subs is None:
            return f"{v} <{RDF.type}>/<{RDFS.subClassOf}>* {_sparql_term(cls, self.name(shape))} ."
        cv = self._var("c")
        return f"VALUES {cv} {{ {' '.join(f'<{x}>' for x in subs)} }} {v} <{RDF.type}> {cv} ."

    def _folded_ok(self, dt, v: str, mid: str, last) -> str:
        """A pattern matching the values that were written with the folded datatype ``dt`` and are valid."""
        graph = FOLDED_GRAPH_PREFIX + str(dt).rsplit("#", 1)[1]
        local = str(dt).rsplit("#", 1)[1]
        if local in _INT_RANGES:
            lo, hi = _INT_RANGES[local]
            facet = "".join([f" && COALESCE({v} >= {lo}, false)" if lo is not None else "",
                             f" && COALESCE({v} <= {hi}, false)" if hi is not None else ""])
        else:  # xsd:dateTimeStamp requires a timezone
            facet = f' && COALESCE(tz({v}) != "", false)'
        return (f"GRAPH <{graph}> {{ {mid} <{last}> {v} }} "
                f"FILTER(isLiteral({v}) && sameTerm(datatype({v}), <{FOLDED[dt]}>){facet})")

    def _value_cond(self, shape, param, arg, v: str, mid: str | None = None, last=None, stack=()) -> str:
        """A SPARQL expression, true when the value ``v`` violates the constraint ``param arg``."""
        where = self.name(shape)
        if param == SH.datatype:
            return self._datatype_cond(shape, arg, v, mid, last)
        if param == SH["class"]:
            return f"NOT EXISTS {{ {self._instance_of(v, arg, shape)} }}"
        if param == SH.nodeKind:
            if arg not in _NODE_KIND:
                raise self._unsupported(shape, f"sh:nodeKind {arg!r}")
            return _NODE_KIND[arg].format(v=v)
        if param == SH.pattern:
            flags = self.sg.value(shape, SH.flags)
            fl = f', "{_escape(str(flags))}"' if flags is not None else ""
            return f'(isBlank({v}) || !REGEX(STR({v}), "{_escape(str(arg))}"{fl}))'
        if param == SH["in"]:
            members = self._list(arg)
            if not members:
                return "true"
            return "!(" + " || ".join(f"sameTerm({v}, {_sparql_term(m, where)})" for m in members) + ")"
        if param in _CMP:
            return f"!COALESCE({v} {_CMP[param]} {_sparql_term(arg, where)}, false)"
        if param in (SH.minLength, SH.maxLength):
            op = "<" if param == SH.minLength else ">"
            return f"(isBlank({v}) || STRLEN(STR({v})) {op} {int(arg)})"
        if param == SH.languageIn:
            langs = [str(x) for x in self._list(arg)]
            ok = " || ".join(f'langMatches(lang({v}), "{_escape(x)}")' for x in langs) or "false"
            return f'!(isLiteral({v}) && lang({v}) != "" && ({ok}))'
        if param == SH["not"]:
            return f"!({self.violates(arg, v, stack)})"
        if param == SH["or"]:
            return "(" + " && ".join(f"({self.violates(s, v, stack)})" for s in self._list(arg)) + ")" \
                if self._list(arg) else "true"
        if param == SH["and"]:
            return "(" + " || ".join(f"({self.violates(s, v, stack)})" for s in self._list(arg)) + ")" \
                if self._list(arg) else "false"
        if param == SH.xone:
            terms = " + ".join(f"IF({self.violates(s, v, stack)}, 0, 1)" for s in self._list(arg)) or "0"
            return f"(({terms}) != 1)"
        if param == SH.node:
            return f"({self.violates(arg, v, stack)})"
        raise self._unsupported(shape, compress(str(param)))

    _VALUE_PARAMS = {SH.datatype, SH["class"], SH.nodeKind, SH.pattern, SH["in"], *_CMP, SH.minLength,
                     SH.maxLength, SH.languageIn, SH["not"], SH["or"], SH["and"], SH.xone, SH.node}

    def _params(self, shape):
        """The (parameter, value) constraint pairs of a shape, in a stable order."""
        out = []
        for p in sorted(set(self.sg.predicates(shape)), key=str):
            if p in _COMPONENT_PARAMS:
                for o in sorted(self.sg.objects(shape, p), key=str):
                    out.append((p, o))
        return out

    # -- nested conformance ------------------------------------------------------------------------------

    def violates(self, shape, x: str, stack=()) -> str:
        """A SPARQL expression, true when the node bound to variable ``x`` does not conform to ``shape``."""
        if shape in stack:
            raise self._unsupported(shape, "a recursive shape reference")
        stack = (*stack, shape)
        if not self._active(shape):
            return "false"
        if self.sg.value(shape, SH.sparql) is not None:
            raise self._unsupported(shape, "sh:sparql in a shape that the values of a property must conform to",
                                    "set-based evaluation runs SPARQL constraints only on focus nodes")
        is_prop = self.sg.value(shape, SH.path) is not None
        parts = []
        path = self.path(shape) if is_prop else None
        for param, arg in self._params(shape):
            if param in self._VALUE_PARAMS:
                if is_prop:
                    v = self._var()
                    mid, last, pattern = self._value_pattern(shape, x, v, need_last=param == SH.datatype)
                    cond = self._value_cond(shape, param, arg, v, mid, last, stack)
                    parts.append(f"EXISTS {{ {pattern} FILTER({cond}) }}")
                else:
                    parts.append(self._value_cond(shape, param, arg, x, stack=stack))
            elif param == SH.minCount:
                self._need_path(shape, param)
                n = int(arg)
                if n > 0:
                    vs = [self._var() for _ in range(n)]
                    triples = " . ".join(f"{x} {path} {v}" for v in vs)
                    parts.append(f"NOT EXISTS {{ {triples} {self._distinct(vs)} }}")
            elif param == SH.maxCount:
                self._need_path(shape, param)
                vs = [self._var() for _ in range(int(arg) + 1)]
                triples = " . ".join(f"{x} {path} {v}" for v in vs)
                parts.append(f"EXISTS {{ {triples} {self._distinct(vs)} }}")
            elif param == SH.hasValue:
                val = _sparql_term(arg, self.name(shape))
                parts.append(f"NOT EXISTS {{ {x} {path} {val} }}" if is_prop else f"!sameTerm({x}, {val})")
            elif param in (SH.lessThan, SH.lessThanOrEquals):
                self._need_path(shape, param)
                v, o = self._var(), self._var("o")
                parts.append(f"EXISTS {{ {x} {path} {v} . {x} <{arg}> {o} FILTER({self._pair_cond(param, v, o)}) }}")
        for ps in sorted(self.sg.objects(shape, SH.property), key=str):
            parts.append(self.violates(ps, x, stack))
        return " || ".join(f"({p})" for p in parts) if parts else "false"

    @staticmethod
    def _distinct(vs: Sequence[str]) -> str:
        pairs = [f"!sameTerm({a}, {b})" for i, a in enumerate(vs) for b in vs[i + 1:]]
        return f"FILTER({' && '.join(pairs)})" if pairs else ""

    def _need_path(self, shape, param) -> None:
        if self.sg.value(shape, SH.path) is None:
            raise self._unsupported(shape, f"{compress(str(param))} on a node shape",
                                    "SHACL defines it for property shapes only")

    @staticmethod
    def _pair_cond(param, v: str, o: str) -> str:
        op = "<" if param == SH.lessThan else "<="
        # pySHACL compares IRIs by their text; SPARQL itself has no order on IRIs.
        return (f"!COALESCE(IF(isIRI({v}) && isIRI({o}), STR({v}) {op} STR({o}), {v} {op} {o}), false)")

    def _value_pattern(self, shape, x: str, v: str, need_last: bool = False):
        """(mid variable, last predicate, pattern) reaching the values ``v`` of a property shape from ``x``."""
        if need_last:
            head, last = self._split_path(shape)
            if last is not None:
                if head is None:
                    return x, last, f"{x} <{last}> {v} ."
                mid = self._var("m")
                return mid, last, f"{x} {head} {mid} . {mid} <{last}> {v} ."
        return None, None, f"{x} {self.path(shape)} {v} ."

    # -- top-level checks --------------------------------------------------------------------------------

    def compile(self) -> list[Check]:
        """Every check of every shape that has targets (with its property shapes)."""
        checks: list[Check] = []
        for shape in sorted(self.shapes, key=str):
            if not self._active(shape):
                continue
            focus = self.targets(shape)
            if focus is not None:
                checks.extend(self.checks_of(shape, focus))
        return checks

    def checks_of(self, shape, focus: str, stack=()) -> list[Check]:
        """The checks of a shape and of its property shapes, for the focus nodes bound by ``focus``."""
        if shape in stack:
            raise self._unsupported(shape, "a recursive shape reference")
        if not self._active(shape):
            return []
        stack = (*stack, shape)
        props = [ps for ps in sorted(self.sg.objects(shape, SH.property), key=str) if self._active(ps)]
        counts = self._count_query(props, focus)
        out = self.shape_checks(shape, focus, stack)
        for ps in props:
            out.extend(self.shape_checks(ps, focus, stack, counts))
        return out

    def _count_query(self, props, focus: str) -> dict:
        """One query counting, per focus node, the values of every property shape with sh:minCount or
        sh:maxCount, instead of one pass over the focus nodes per cardinality constraint.

        Each count is an independent grouped subquery (one pass over the path's triples) left-joined to
        the focus nodes; a UNION of the paths under one GROUP BY is far slower in Oxigraph.
        """
        cols, having, out = [], [], {}
        for ps in props:
            if self.sg.value(ps, SH.path) is None or not self._anchored(ps):
                continue
            bounds = [(op, int(n)) for p, op in ((SH.minCount, "<"), (SH.maxCount, ">"))
                      for n in self.sg.objects(ps, p) if not (p == SH.minCount and int(n) <= 0)]
            if not bounds:
                continue
            v, n = self._var("cv"), f"n{len(cols)}"
            cols.append(f"OPTIONAL {{ SELECT ?this (COUNT(DISTINCT {v}) AS ?{n}) WHERE {{ ?this {self.path(ps)} {v} }} "
                        f"GROUP BY ?this }}")
            having.extend(f"COALESCE(?{n}, 0) {op} {bound}" for op, bound in bounds)
            out[ps] = n
        if not cols:
            return {}
        query = (f"SELECT ?this {' '.join('?' + n for n in out.values())} WHERE {{ {focus} {' '.join(cols)} "
                 f"FILTER({' || '.join(having)}) }}")
        return {ps: (query, n) for ps, n in out.items()}

    def _meta(self, shape):
        sev = self.sg.value(shape, SH.severity) or SH.Violation
        msgs = tuple(sorted((m for m in self.sg.objects(shape, SH.message) if isinstance(m, Literal)), key=str))
        return sev, msgs

    def _anchored(self, shape) -> bool:
        """The path cannot match a zero-length step, so scanning it never enumerates every node."""
        def walk(p) -> bool:
            if isinstance(p, URIRef):
                return True
            if not isinstance(p, BNode):
                return False
            if self.sg.value(p, RDF.first) is not None:
                return all(walk(x) for x in self._list(p))
            if self.sg.value(p, SH.zeroOrMorePath) is not None or self.sg.value(p, SH.zeroOrOnePath) is not None:
                return False
            for key in (SH.inversePath, SH.oneOrMorePath):
                inner = self.sg.value(p, key)
                if inner is not None:
                    return walk(inner)
            alt = self.sg.value(p, SH.alternativePath)
            return alt is not None and all(walk(x) for x in self._list(alt))
        return walk(self.sg.value(shape, SH.path))

    def shape_checks(self, shape, focus: str, stack=(), counts: dict | None = None) -> list[Check]:
        """The checks of one shape's own constraints for the focus nodes bound by the pattern ``focus``."""
        sg = self.sg
        sev, msgs = self._meta(shape)
        path_node = sg.value(shape, SH.path)
        is_prop = path_node is not None
        path = self.path(shape) if is_prop else None
        focus_query = f"SELECT ?this WHERE {focus}"
        # Queries that only need the triples of the path leave the focus nodes out and are filtered by
        # them afterwards: one pass over the path instead of a join with the focus nodes per constraint.
        free = is_prop and self._anchored(shape)
        scope = "" if free else focus
        out: list[Check] = []

        def add(param, query, generic, value_is_focus=False, filtered=False, logic=None, scan=None, cond=None,
                count=None):
            out.append(Check(shape, SH[_COMPONENT_PARAMS[param] + "ConstraintComponent"], query, path_node,
                             sev, msgs, generic, value_is_focus, focus=focus_query if filtered else None,
                             logic=logic, scan=scan, cond=cond, count=count))

        counted = (counts or {}).get(shape)

        for param, arg in self._params(shape):
            argtext = _show_term(arg, self)
            generic = _GENERIC.get(param, "").replace("{arg}", argtext)
            if param in self._VALUE_PARAMS:
                # FILTER (NOT) EXISTS is evaluated row by row; MINUS is an anti-join over all rows at
                # once, so the checks that need a graph lookup per value are written with MINUS.
                if is_prop:
                    mid, last, pattern = self._value_pattern(shape, "?this", "?value", need_last=param == SH.datatype)
                    if param == SH["class"]:
                        q = (f"SELECT DISTINCT ?this ?value WHERE {{ {scope} {pattern} "
                             f"MINUS {{ {self._instance_of('?value', arg, shape)} }} }}")
                    elif param == SH.datatype and arg in FOLDED and arg in self.folded and mid is not None:
                        self._datatype_cond(shape, arg, "?value", mid, last)  # feature checks only
                        q = (f"SELECT DISTINCT ?this ?value WHERE {{ {scope} {pattern} "
                             f"MINUS {{ {self._folded_ok(arg, '?value', mid, last)} }} }}")
                    else:
                        cond = self._value_cond(shape, param, arg, "?value", mid, last, stack)
                        q = f"SELECT DISTINCT ?this ?value WHERE {{ {scope} {pattern} FILTER({cond}) }}"
                        if free:
                            add(param, q, generic, filtered=True, scan=pattern, cond=cond)
                            continue
                    add(param, q, generic, filtered=free)
                elif param == SH["class"]:
                    q = f"SELECT ?this WHERE {{ {focus} MINUS {{ {self._instance_of('?this', arg, shape)} }} }}"
                    add(param, q, generic, True)
                elif param in (SH["and"], SH["or"], SH["not"], SH.xone, SH.node):
                    members = [arg] if param in (SH["not"], SH.node) else self._list(arg)
                    op = {SH["and"]: "and", SH["or"]: "or", SH["not"]: "not", SH.xone: "xone", SH.node: "node"}[param]
                    logic = (op, focus_query, tuple(tuple(self.checks_of(m, focus, stack)) for m in members))
                    add(param, None, generic, True, logic=logic)
                else:
                    cond = self._value_cond(shape, param, arg, "?this", stack=stack)
                    add(param, f"SELECT ?this WHERE {{ {focus} FILTER({cond}) }}", generic, True)
            elif param == SH.minCount:
                self._need_path(shape, param)
                n = int(arg)
                if n <= 0:
                    continue
                generic = f"Less than {n} values on {{focus}}->{self.path_text(path_node)}"
                if counted:
                    add(param, counted[0], generic, count=(counted[1], "<", n))
                    continue
                if n == 1:
                    q = f"SELECT ?this WHERE {{ {focus} MINUS {{ ?this {path} ?v }} }}"
                else:
                    q = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
                add(param, q, generic)
            elif param == SH.maxCount:
                self._need_path(shape, param)
                n = int(arg)
                generic = f"More than {n} values on {{focus}}->{self.path_text(path_node)}"
                if counted:
                    add(param, counted[0], generic, count=(counted[1], ">", n))
                    continue
                if n == 1:
                    q = (f"SELECT DISTINCT ?this WHERE {{ {scope} ?this {path} ?a . ?this {path} ?b "
                         f"FILTER(!sameTerm(?a, ?b)) }}")
                else:
                    q = (f"SELECT ?this WHERE {{ {scope} ?this {path} ?v }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})")
                add(param, q, generic, filtered=free)
            elif param == SH.hasValue:
                val = _sparql_term(arg, self.name(shape))
                if is_prop:
                    add(param, f"SELECT ?this WHERE {{ {focus} MINUS {{ ?this {path} {val} }} }}",
                        f"Missing expected value {argtext}")
                else:
                    add(param, f"SELECT ?this WHERE {{ {focus} FILTER(!sameTerm(?this, {val})) }}",
                        f"Node is not {argtext}", True)
            elif param in (SH.lessThan, SH.lessThanOrEquals):
                self._need_path(shape, param)
                q = (f"SELECT DISTINCT ?this ?value WHERE {{ {scope} ?this {path} ?value . ?this <{arg}> ?o "
                     f"FILTER({self._pair_cond(param, '?value', '?o')}) }}")
                op = "<" if param == SH.lessThan else "<="
                add(param, q, f"Value {{value}} is not {op} every value of {{focus}}->{argtext}", filtered=free)
        for c in sorted(sg.objects(shape, SH.sparql), key=str):
            if self._active(c):
                out.append(self._sparql_check(shape, c, focus, sev, msgs))
        return out

    def _prefix_decls(self, constraint) -> str:
        decls = {}
        for src in self.sg.objects(constraint, SH.prefixes):
            for d in self.sg.objects(src, SH.declare):
                prefix, ns = self.sg.value(d, SH.prefix), self.sg.value(d, SH.namespace)
                if prefix is not None and ns is not None:
                    decls[str(prefix)] = str(ns)
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(decls.items()))

    def _sparql_check(self, shape, c, focus: str, sev, msgs) -> Check:
        text = str(self.sg.value(c, SH.select))
        m = re.match(r"(?is)\s*((?:(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*)(.*)", text)
        head, body = m.group(1), m.group(2)
        if not re.match(r"(?is)SELECT\b", body):
            raise self._unsupported(shape, "a sh:select that is not a SELECT query")
        if len(re.findall(r"(?i)\bSELECT\b", body)) > 1 or re.search(r"(?i)\bMINUS\b", body):
            raise self._unsupported(shape, "a SPARQL constraint with a sub-SELECT or MINUS",
                                    "set-based evaluation cannot pre-bind $this inside them")
        if re.search(r"[?$]shapesGraph\b", body):
            raise self._unsupported(shape, "$shapesGraph in a SPARQL constraint")
        if re.search(r"[?$]currentShape\b", body):
            if not isinstance(shape, URIRef):
                raise self._unsupported(shape, "$currentShape in the SPARQL constraint of a blank-node shape")
            body = re.sub(r"[?$]currentShape\b", f"<{shape}>", body)
        if re.search(r"\$PATH\b", body):
            if self.sg.value(shape, SH.path) is None:
                raise self._unsupported(shape, "$PATH in the SPARQL constraint of a node shape")
            body = re.sub(r"\$PATH\b", lambda _: self.path(shape), body)
        proj = re.match(r"(?is)SELECT\s+((?:DISTINCT|REDUCED)\s+)?(.*?)\s*(WHERE\b|\{)", body)
        if proj and proj.group(2).strip() != "*" and not re.search(r"[?$]this\b", proj.group(2)):
            body = body[:proj.start(2)] + "$this " + body[proj.start(2):]
        query = self._prefix_decls(c) + head + f"SELECT * WHERE {{ {focus} {{ {body} }} }}"
        cmsgs = tuple(sorted((x for x in self.sg.objects(c, SH.message) if isinstance(x, Literal)), key=str))
        messages = tuple(dict.fromkeys([*msgs, *cmsgs]))
        return Check(shape, SH.SPARQLConstraintComponent, query, self.sg.value(shape, SH.path), sev, messages,
                     "Violation of the SPARQL constraint " + (compress(str(c)) if isinstance(c, URIRef) else
                                                              "of " + self.name(shape)),
                     value_is_focus=False, source_constraint=c, templated=True)


_GENERIC = {
    SH.datatype: "Value {value} is not a literal with datatype {arg}",
    SH["class"]: "Value {value} does not have class {arg}",
    SH.nodeKind: "Value {value} is not of node kind {arg}",
    SH.pattern: "Value {value} does not match pattern '{arg}'",
    SH["in"]: "Value {value} not in list {arg}",
    SH.minInclusive: "Value {value} is not >= {arg}", SH.minExclusive: "Value {value} is not > {arg}",
    SH.maxInclusive: "Value {value} is not <= {arg}", SH.maxExclusive: "Value {value} is not < {arg}",
    SH.minLength: "String length of {value} not >= {arg}", SH.maxLength: "String length of {value} not <= {arg}",
    SH.languageIn: "Language of {value} not in {arg}",
    SH["not"]: "Node {value} must not conform to shape {arg}",
    SH["or"]: "Node {value} must conform to one or more shapes in {arg}",
    SH["and"]: "Node {value} must conform to all shapes in {arg}",
    SH.xone: "Node {value} must conform to exactly one shape in {arg}",
    SH.node: "Value {value} does not conform to shape {arg}",
}


def _show_term(term, compiler: ShapesCompiler) -> str:
    if isinstance(term, BNode):
        if compiler.sg.value(term, RDF.first) is not None:
            return "(" + " ".join(_show_term(t, compiler) for t in compiler._list(term)) + ")"
        return compiler.name(term)
    if isinstance(term, Literal):
        return str(term)
    return compress(str(term))


# ---------------------------------------------------------------------------------------------------------
# Running


def _text(term) -> str:
    if term is None:
        return ""
    return compress(str(term)) if isinstance(term, URIRef) else str(term)


class _Runner:
    """Runs checks on a store, caching query rows and focus sets shared by several checks."""

    def __init__(self, store, checks: Sequence[Check] = ()):
        self.store = store
        self._rows: dict[str, list] = {}
        self._focus: dict[str, set] = {}
        self._conds: dict[str, list[str]] = {}  # scan pattern -> the conditions checked on it
        self._batched: dict[tuple[str, str], list] = {}
        todo = list(checks)
        while todo:
            c = todo.pop()
            if c.scan is not None and c.cond not in self._conds.setdefault(c.scan, []):
                self._conds[c.scan].append(c.cond)
            if c.logic is not None:
                todo.extend(m for members in c.logic[2] for m in members)

    def _batch(self, check: Check) -> list[dict]:
        """Rows of a scan-and-condition check: one query per scan, one boolean column per condition."""
        key = (check.scan, check.cond)
        if key not in self._batched:
            conds = self._conds.setdefault(check.scan, [])
            if check.cond not in conds:
                conds.append(check.cond)
            cols = " ".join(f"({c} AS ?k{i})" for i, c in enumerate(conds))
            query = (f"SELECT ?this ?value {cols} WHERE {{ {check.scan} "
                     f"FILTER({' || '.join(f'({c})' for c in conds)}) }}")
            rows = self._query(check, query)
            for i, c in enumerate(conds):
                flag = f"k{i}"
                self._batched[(check.scan, c)] = [
                    {"this": r["this"], "value": r["value"]} for r in rows
                    if r.get(flag) is not None and r[flag].value == "true"]
        return self._batched[key]

    def _query(self, check: Check, query: str) -> list[dict]:
        if query not in self._rows:
            try:
                solutions = self.store.query(query)
                names = [v.value for v in solutions.variables]
                self._rows[query] = [{n: sol[n] for n in names} for sol in solutions]
            except (SyntaxError, OSError, ValueError) as exc:
                where = compress(str(check.shape)) if isinstance(check.shape, URIRef) else "a blank-node shape"
                raise ExoError(f"SHACL shape {where}: the compiled query for {compress(str(check.component))} "
                               f"failed: {exc}") from None
        return self._rows[query]

    def focus_set(self, check: Check, query: str) -> set:
        if query not in self._focus:
            if query in self._rows:
                self._focus[query] = {row["this"] for row in self._rows[query]}
            else:
                try:
                    self._focus[query] = {sol[0] for sol in self.store.query(query)}
                except (SyntaxError, OSError, ValueError) as exc:
                    raise ExoError(f"the focus-node query of {_text(check.shape)} failed: {exc}") from None
        return self._focus[query]

    def rows(self, check: Check) -> list[dict]:
        """The rows of a check (pyoxigraph terms), restricted to its focus nodes."""
        if check.logic is not None:
            op, focus_query, members = check.logic
            focus = self.focus_set(check, focus_query)
            viol = [self.violators(m) & focus for m in members]
            if op == "or":
                bad = set.intersection(*viol) if viol else set(focus)
            elif op == "and" or op == "node":
                bad = set().union(*viol)
            elif op == "not":
                bad = focus - viol[0]
            else:  # xone: exactly one member must conform
                bad = {x for x in focus if sum(x not in v for v in viol) != 1}
            return [{"this": x} for x in bad]
        rows = self._batch(check) if check.scan is not None else self._query(check, check.query)
        if check.count is not None:
            var, op, bound = check.count
            kept = []
            for r in rows:
                n = int(r[var].value) if r.get(var) is not None else 0
                if (n < bound) if op == "<" else (n > bound):
                    kept.append({"this": r["this"]})
            rows = kept
        if check.focus is not None:
            focus = self.focus_set(check, check.focus)
            rows = [r for r in rows if r.get("this") in focus]
        return rows

    def violators(self, checks: Sequence[Check]) -> set:
        return {r["this"] for c in checks for r in self.rows(c) if r.get("this") is not None}


def run_checks(store, checks: Iterable[Check]) -> list[ShaclResult]:
    """Run compiled checks on a pyoxigraph store; return their validation results (without duplicates)."""
    checks = list(checks)
    runner = _Runner(store, checks)
    results: list[ShaclResult] = []
    for check in checks:
        seen = set()
        for raw in runner.rows(check):
            row = {n: rdflib_term(t) for n, t in raw.items()}
            focus = row.get("this")
            if focus is None:
                continue
            value = focus if check.value_is_focus else row.get("value")
            path = check.path
            if check.source_constraint is not None and row.get("path") is not None:
                path = row["path"]
            key = (focus, value, path) if check.source_constraint is None else tuple(sorted(row.items(), key=str))
            if key in seen:
                continue
            seen.add(key)
            if check.messages:
                message = str(check.messages[0])
                if check.templated:
                    for var, val in row.items():
                        if val is not None:
                            message = re.sub(r"\{[?$]" + re.escape(var) + r"\}", lambda _: str(val), message)
            else:
                message = check.generic.replace("{focus}", _text(focus)).replace("{value}", _text(value))
            results.append(ShaclResult(focus, value, path, check.component, check.severity, check.shape, message,
                                       check.source_constraint))
    return results


def validate_store(vstore: ValidationStore, shapes: Graph) -> list[ShaclResult]:
    """Validate everything in a store from :func:`load_validation_store` against a shapes graph."""
    checks = ShapesCompiler(shapes, folded=vstore.folded, store=vstore.store).compile()
    return run_checks(vstore.store, checks)


def report_graph(results: Sequence[ShaclResult], shapes: Graph, *, conforms: bool) -> Graph:
    """The standard ``sh:ValidationReport`` of the results (blank-node paths and shapes copied in)."""
    from .namespaces import bind_prefixes

    g = Graph()
    bind_prefixes(g)
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(conforms)))
    memo: dict = {}
    for r in results:
        node = BNode()
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        g.add((node, SH.resultSeverity, r.severity))
        g.add((node, SH.sourceConstraintComponent, r.component))
        g.add((node, SH.sourceShape, _copy(shapes, r.shape, g, memo)))
        if r.message:
            g.add((node, SH.resultMessage, Literal(r.message)))
        if r.path is not None:
            g.add((node, SH.resultPath, _copy(shapes, r.path, g, memo)))
        if r.value is not None:
            g.add((node, SH.value, r.value))
        if r.source_constraint is not None:
            g.add((node, SH.sourceConstraint, _copy(shapes, r.source_constraint, g, memo)))
    return g


def _copy(src: Graph, node, dst: Graph, memo: dict):
    """Copy a blank node's description (recursively) from the shapes graph into the report."""
    if not isinstance(node, BNode) or (node, None, None) not in src:
        return node
    if node in memo:
        return memo[node]
    new = memo[node] = BNode()
    for p, o in src.predicate_objects(node):
        dst.add((new, p, _copy(src, o, dst, memo)))
    return new


__all__ = ["Check", "ShaclResult", "ShapesCompiler", "ValidationStore", "load_validation_store", "report_graph",
           "run_checks", "validate_store", "rdflib_term", "FOLDED", "FOLDED_GRAPH_PREFIX"]
