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
:func:`~exo_rdf.shacl.store.load_validation_store` also records each such literal in a side named graph per original
datatype, and the datatype checks consult it. Constraints on the lexical form of *numeric* literals
(``sh:pattern``/``sh:minLength`` on a number) see the canonical form; lexical forms that XSD rejects
but Python accepts (``"1e3"^^xsd:decimal``) are ill-typed here and not in pySHACL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import count
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from ..errors import ExoError
from ..namespaces import compress
from .report import path_text
from .store import FOLDED, FOLDED_GRAPH_PREFIX, INT_RANGES

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = ["LEXICAL", "Check", "ShapesCompiler"]

_INT = r"[+-]?[0-9]+"
_DEC = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_FLT = r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)"
_TZ = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_DATE = r"-?([1-9][0-9]{4,}|[0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
#: Lexical spaces (XSD 1.1) of the datatypes whose ill-typed literals SHACL must report.
LEXICAL: dict[URIRef, str] = {
    XSD.integer: _INT,
    XSD.decimal: _DEC,
    XSD.float: _FLT,
    XSD.double: _FLT,
    XSD.boolean: r"(true|false|1|0)",
    XSD.date: _DATE + _TZ,
    XSD.time: _TIME + _TZ,
    XSD.dateTime: _DATE + "T" + _TIME + _TZ,
}

_COMPONENT_PARAMS = {
    SH["class"]: "Class",
    SH.datatype: "Datatype",
    SH.nodeKind: "NodeKind",
    SH.minCount: "MinCount",
    SH.maxCount: "MaxCount",
    SH.minExclusive: "MinExclusive",
    SH.minInclusive: "MinInclusive",
    SH.maxExclusive: "MaxExclusive",
    SH.maxInclusive: "MaxInclusive",
    SH.minLength: "MinLength",
    SH.maxLength: "MaxLength",
    SH.pattern: "Pattern",
    SH.languageIn: "LanguageIn",
    SH.lessThan: "LessThan",
    SH.lessThanOrEquals: "LessThanOrEquals",
    SH["not"]: "Not",
    SH["and"]: "And",
    SH["or"]: "Or",
    SH.xone: "Xone",
    SH.node: "Node",
    SH.hasValue: "HasValue",
    SH["in"]: "In",
}
#: Predicates of a shape that are not constraints and need no evaluation (or are read with their constraint).
_NON_VALIDATING = {
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.path,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.flags,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.property,
    SH.sparql,
}
_SPARQL_CONSTRAINT_KEYS = {SH.select, SH.prefixes, SH.message, SH.deactivated, SH.severity}
_SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)
_SHAPE_REFS = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_SHAPE_LISTS = (SH["or"], SH["and"], SH.xone)
_CMP = {SH.minInclusive: ">=", SH.minExclusive: ">", SH.maxInclusive: "<=", SH.maxExclusive: "<"}
_NODE_KIND = {
    SH.IRI: "!isIRI({v})",
    SH.BlankNode: "!isBlank({v})",
    SH.Literal: "!isLiteral({v})",
    SH.BlankNodeOrIRI: "isLiteral({v})",
    SH.BlankNodeOrLiteral: "isIRI({v})",
    SH.IRIOrLiteral: "isBlank({v})",
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

    shape: object  # the shape node in the shapes graph (URIRef or BNode)
    component: URIRef  # e.g. sh:MinCountConstraintComponent
    query: str | None
    path: object | None  # the sh:path node of a property shape
    severity: URIRef
    messages: tuple[Literal, ...]  # the shape's sh:message (plus the SPARQL constraint's own)
    generic: str  # message used when there is none; {focus}, {value} are filled in
    value_is_focus: bool = False  # a node-shape constraint: sh:value is the focus node
    source_constraint: object | None = None
    templated: bool = False  # messages carry {?var} templates (SPARQL-based constraints)
    focus: str | None = None  # SELECT ?this of the focus nodes, when rows must be filtered by it
    logic: tuple | None = None  # (operator, focus query, ((member checks), ...))
    scan: str | None = None  # with ``cond``: the query is ``scan FILTER(cond)``; the runner
    cond: str | None = None  # batches the conditions of all checks that share a scan
    count: tuple | None = None  # (variable, operator, bound): rows of ``query`` (one per focus node,
    # counting the values of each path) whose count violates the bound


# ---------------------------------------------------------------------------------------------------------
# Compiling shapes into SPARQL


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


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

    def __init__(self, shapes: Graph, *, folded: Iterable[URIRef] = (), store: Store | None = None) -> None:
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

    def name(self, shape: Any) -> str:
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

    def path_text(self, path: Any) -> str:
        return path_text(self.sg, path)

    def _unsupported(self, shape, feature: str, why: str = "") -> ExoError:
        return ExoError(
            f"SHACL shape {self.name(shape)}: {feature} is not supported by the oxigraph validation "
            f"engine{': ' + why if why else ''}. Validate with --engine pyshacl, or rewrite the "
            "shape with supported SHACL Core features."
        )

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
            raise self._unsupported(
                shape, f"the sh:pattern {str(pattern)!r}", "Oxigraph cannot compile this regular expression"
            )

    # -- helpers -----------------------------------------------------------------------------------------

    def _var(self, stem: str = "v") -> str:
        return f"?{stem}{next(self._vars)}"

    def _list(self, node) -> list:
        return list(Collection(self.sg, node))

    def _active(self, node) -> bool:
        return self.sg.value(node, SH.deactivated) != Literal(True)

    def path(self, shape: Any, path: Any = None) -> str:
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
            for key, fmt in (
                (SH.inversePath, "^{}"),
                (SH.zeroOrMorePath, "{}*"),
                (SH.oneOrMorePath, "{}+"),
                (SH.zeroOrOnePath, "{}?"),
            ):
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

    def targets(self, shape: Any, var: str = "?this") -> str | None:
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
            return f"!(isLiteral({v}) && sameTerm(datatype({v}), <{XSD.string}>))"
        folded_into = {t for o, t in FOLDED.items() if o in self.folded}
        involved = dt in FOLDED or dt in folded_into
        if involved and mid is None and (dt in self.folded or dt in folded_into):
            raise self._unsupported(
                shape,
                f"sh:datatype {compress(str(dt))} on a path that does not end in a predicate",
                "Oxigraph re-types such literals and only a final predicate lets the check find what was written",
            )
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
        if local in INT_RANGES:
            lo, hi = INT_RANGES[local]
            facet = "".join(
                [
                    f" && COALESCE({v} >= {lo}, false)" if lo is not None else "",
                    f" && COALESCE({v} <= {hi}, false)" if hi is not None else "",
                ]
            )
        else:  # xsd:dateTimeStamp requires a timezone
            facet = f' && COALESCE(tz({v}) != "", false)'
        return (
            f"GRAPH <{graph}> {{ {mid} <{last}> {v} }} "
            f"FILTER(isLiteral({v}) && sameTerm(datatype({v}), <{FOLDED[dt]}>){facet})"
        )

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
            return (
                "(" + " && ".join(f"({self.violates(s, v, stack)})" for s in self._list(arg)) + ")"
                if self._list(arg)
                else "true"
            )
        if param == SH["and"]:
            return (
                "(" + " || ".join(f"({self.violates(s, v, stack)})" for s in self._list(arg)) + ")"
                if self._list(arg)
                else "false"
            )
        if param == SH.xone:
            terms = " + ".join(f"IF({self.violates(s, v, stack)}, 0, 1)" for s in self._list(arg)) or "0"
            return f"(({terms}) != 1)"
        if param == SH.node:
            return f"({self.violates(arg, v, stack)})"
        raise self._unsupported(shape, compress(str(param)))

    _VALUE_PARAMS = {
        SH.datatype,
        SH["class"],
        SH.nodeKind,
        SH.pattern,
        SH["in"],
        *_CMP,
        SH.minLength,
        SH.maxLength,
        SH.languageIn,
        SH["not"],
        SH["or"],
        SH["and"],
        SH.xone,
        SH.node,
    }

    def _params(self, shape):
        """The (parameter, value) constraint pairs of a shape, in a stable order."""
        out = []
        for p in sorted(set(self.sg.predicates(shape)), key=str):
            if p in _COMPONENT_PARAMS:
                for o in sorted(self.sg.objects(shape, p), key=str):
                    out.append((p, o))
        return out

    # -- nested conformance ------------------------------------------------------------------------------

    def violates(self, shape: Any, x: str, stack: tuple[Any, ...] = ()) -> str:
        """A SPARQL expression, true when the node bound to variable ``x`` does not conform to ``shape``."""
        if shape in stack:
            raise self._unsupported(shape, "a recursive shape reference")
        stack = (*stack, shape)
        if not self._active(shape):
            return "false"
        if self.sg.value(shape, SH.sparql) is not None:
            raise self._unsupported(
                shape,
                "sh:sparql in a shape that the values of a property must conform to",
                "set-based evaluation runs SPARQL constraints only on focus nodes",
            )
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
        pairs = [f"!sameTerm({a}, {b})" for i, a in enumerate(vs) for b in vs[i + 1 :]]
        return f"FILTER({' && '.join(pairs)})" if pairs else ""

    def _need_path(self, shape, param) -> None:
        if self.sg.value(shape, SH.path) is None:
            raise self._unsupported(
                shape, f"{compress(str(param))} on a node shape", "SHACL defines it for property shapes only"
            )

    @staticmethod
    def _pair_cond(param, v: str, o: str) -> str:
        op = "<" if param == SH.lessThan else "<="
        # pySHACL compares IRIs by their text; SPARQL itself has no order on IRIs.
        return f"!COALESCE(IF(isIRI({v}) && isIRI({o}), STR({v}) {op} STR({o}), {v} {op} {o}), false)"

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

    def checks_of(self, shape: Any, focus: str, stack: tuple[Any, ...] = ()) -> list[Check]:
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
            bounds = [
                (op, int(n))
                for p, op in ((SH.minCount, "<"), (SH.maxCount, ">"))
                for n in self.sg.objects(ps, p)
                if not (p == SH.minCount and int(n) <= 0)
            ]
            if not bounds:
                continue
            v, n = self._var("cv"), f"n{len(cols)}"
            cols.append(
                f"OPTIONAL {{ SELECT ?this (COUNT(DISTINCT {v}) AS ?{n}) WHERE {{ ?this {self.path(ps)} {v} }} "
                f"GROUP BY ?this }}"
            )
            having.extend(f"COALESCE(?{n}, 0) {op} {bound}" for op, bound in bounds)
            out[ps] = n
        if not cols:
            return {}
        query = (
            f"SELECT ?this {' '.join('?' + n for n in out.values())} WHERE {{ {focus} {' '.join(cols)} "
            f"FILTER({' || '.join(having)}) }}"
        )
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

    def shape_checks(
        self, shape: Any, focus: str, stack: tuple[Any, ...] = (), counts: dict[Any, Any] | None = None
    ) -> list[Check]:
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

        def add(
            param, query, generic, value_is_focus=False, filtered=False, logic=None, scan=None, cond=None, count=None
        ):
            out.append(
                Check(
                    shape,
                    SH[_COMPONENT_PARAMS[param] + "ConstraintComponent"],
                    query,
                    path_node,
                    sev,
                    msgs,
                    generic,
                    value_is_focus,
                    focus=focus_query if filtered else None,
                    logic=logic,
                    scan=scan,
                    cond=cond,
                    count=count,
                )
            )

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
                        q = (
                            f"SELECT DISTINCT ?this ?value WHERE {{ {scope} {pattern} "
                            f"MINUS {{ {self._instance_of('?value', arg, shape)} }} }}"
                        )
                    elif param == SH.datatype and arg in FOLDED and arg in self.folded and mid is not None:
                        self._datatype_cond(shape, arg, "?value", mid, last)  # feature checks only
                        q = (
                            f"SELECT DISTINCT ?this ?value WHERE {{ {scope} {pattern} "
                            f"MINUS {{ {self._folded_ok(arg, '?value', mid, last)} }} }}"
                        )
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
                    q = (
                        f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})"
                    )
                add(param, q, generic)
            elif param == SH.maxCount:
                self._need_path(shape, param)
                n = int(arg)
                generic = f"More than {n} values on {{focus}}->{self.path_text(path_node)}"
                if counted:
                    add(param, counted[0], generic, count=(counted[1], ">", n))
                    continue
                if n == 1:
                    q = (
                        f"SELECT DISTINCT ?this WHERE {{ {scope} ?this {path} ?a . ?this {path} ?b "
                        f"FILTER(!sameTerm(?a, ?b)) }}"
                    )
                else:
                    q = (
                        f"SELECT ?this WHERE {{ {scope} ?this {path} ?v }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"
                    )
                add(param, q, generic, filtered=free)
            elif param == SH.hasValue:
                val = _sparql_term(arg, self.name(shape))
                if is_prop:
                    add(
                        param,
                        f"SELECT ?this WHERE {{ {focus} MINUS {{ ?this {path} {val} }} }}",
                        f"Missing expected value {argtext}",
                    )
                else:
                    add(
                        param,
                        f"SELECT ?this WHERE {{ {focus} FILTER(!sameTerm(?this, {val})) }}",
                        f"Node is not {argtext}",
                        True,
                    )
            elif param in (SH.lessThan, SH.lessThanOrEquals):
                self._need_path(shape, param)
                q = (
                    f"SELECT DISTINCT ?this ?value WHERE {{ {scope} ?this {path} ?value . ?this <{arg}> ?o "
                    f"FILTER({self._pair_cond(param, '?value', '?o')}) }}"
                )
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
            raise self._unsupported(
                shape,
                "a SPARQL constraint with a sub-SELECT or MINUS",
                "set-based evaluation cannot pre-bind $this inside them",
            )
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
            body = body[: proj.start(2)] + "$this " + body[proj.start(2) :]
        query = self._prefix_decls(c) + head + f"SELECT * WHERE {{ {focus} {{ {body} }} }}"
        cmsgs = tuple(sorted((x for x in self.sg.objects(c, SH.message) if isinstance(x, Literal)), key=str))
        messages = tuple(dict.fromkeys([*msgs, *cmsgs]))
        return Check(
            shape,
            SH.SPARQLConstraintComponent,
            query,
            self.sg.value(shape, SH.path),
            sev,
            messages,
            "Violation of the SPARQL constraint "
            + (compress(str(c)) if isinstance(c, URIRef) else "of " + self.name(shape)),
            value_is_focus=False,
            source_constraint=c,
            templated=True,
        )


_GENERIC = {
    SH.datatype: "Value {value} is not a literal with datatype {arg}",
    SH["class"]: "Value {value} does not have class {arg}",
    SH.nodeKind: "Value {value} is not of node kind {arg}",
    SH.pattern: "Value {value} does not match pattern '{arg}'",
    SH["in"]: "Value {value} not in list {arg}",
    SH.minInclusive: "Value {value} is not >= {arg}",
    SH.minExclusive: "Value {value} is not > {arg}",
    SH.maxInclusive: "Value {value} is not <= {arg}",
    SH.maxExclusive: "Value {value} is not < {arg}",
    SH.minLength: "String length of {value} not >= {arg}",
    SH.maxLength: "String length of {value} not <= {arg}",
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
