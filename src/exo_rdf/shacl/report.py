"""The validation report: results grouped by the curated statement they belong to, as text and as RDF.

Both engines end here: :func:`summarise_results` reads the oxigraph engine's results,
:func:`summarise_pyshacl` reads pySHACL's report graph, and both give the same
:class:`ValidationReport` (and so the same :func:`format_report` text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from ..namespaces import EXO, EXOD, OA, bind_prefixes, compress
from .store import rdflib_term

if TYPE_CHECKING:
    from .runner import ShaclResult
    from .store import ValidationStore

__all__ = [
    "Group",
    "Result",
    "ValidationReport",
    "format_report",
    "path_text",
    "report_graph",
    "summarise_pyshacl",
    "summarise_results",
]


@dataclass
class Result:
    focus: str
    severity: str  # "Violation", "Warning" or "Info"
    message: str
    path: str | None
    value: str | None
    constraint: str  # the constraint component, e.g. sh:MinCountConstraintComponent
    shape: str  # the source shape (named, or the parent node shape for blank property shapes)


@dataclass
class Group:
    """Results about one curated statement (or a shared node), with where to find it."""

    node: str
    label: str | None
    seed: str | None
    section: str | None
    results: list[Result] = field(default_factory=list)


@dataclass
class ValidationReport:
    conforms: bool  # True when there is no sh:Violation
    violations: int
    warnings: int
    groups: list[Group]
    report_graph: object  # the standard sh:ValidationReport as an rdflib Graph
    data_triples: int = 0

    def results(self) -> list[Result]:
        return [r for g in self.groups for r in g.results]


def summarise_results(raw: Sequence[ShaclResult], shapes: Graph, vstore: ValidationStore) -> ValidationReport:
    """The report of the oxigraph engine's results over ``vstore``, validated against ``shapes``."""
    n_viol = sum(r.severity == SH.Violation for r in raw)
    graph = report_graph(raw, shapes, conforms=n_viol == 0)
    items = []
    for r in raw:
        items.append(
            (
                r.focus,
                Result(
                    focus=_show(r.focus),
                    severity=str(r.severity).rsplit("#", 1)[-1],
                    message=r.message,
                    path=path_text(shapes, r.path) if r.path is not None else None,
                    value=_show(r.value) if r.value is not None else None,
                    constraint=_show(r.component),
                    shape=_show(r.shape) if not isinstance(r.shape, BNode) else "(anonymous shape)",
                ),
            )
        )
    return _assemble(items, lambda owners: _describe_in_store(vstore.store, owners), graph, vstore.data_triples)


def summarise_pyshacl(report: Graph, data: Graph, n_data: int) -> ValidationReport:
    """The report of a pySHACL run (its report graph, the data graph it validated)."""
    items = []
    # Only the report's own results: nested sh:detail results (pySHACL adds them under sh:node) explain
    # a result and are not results of their own.
    for res in report.objects(report.value(predicate=RDF.type, object=SH.ValidationReport), SH.result):
        focus = report.value(res, SH.focusNode)
        sev = report.value(res, SH.resultSeverity)
        severity = str(sev).rsplit("#", 1)[-1] if sev else "Violation"
        path = report.value(res, SH.resultPath)
        value = report.value(res, SH.value)
        shape = report.value(res, SH.sourceShape)
        message = report.value(res, SH.resultMessage)
        items.append(
            (
                focus,
                Result(
                    focus=_show(focus),
                    severity=severity,
                    message=str(message) if message else "",
                    path=path_text(report, path) if path is not None else None,
                    value=_show(value) if value is not None else None,
                    constraint=_show(report.value(res, SH.sourceConstraintComponent)),
                    shape=_show(shape) if shape is not None and not isinstance(shape, BNode) else "(anonymous shape)",
                ),
            )
        )
    return _assemble(items, lambda owners: {o: _describe(data, o) for o in owners}, report, n_data)


def _assemble(items, describe_many, report, n_data) -> ValidationReport:
    """Group results by the statement they belong to (described by ``describe_many``) and count them."""
    by_owner: dict = {}
    for focus, result in items:
        by_owner.setdefault(_owner(None, focus), []).append(result)
    described = describe_many(list(by_owner))
    groups = []
    for owner, results in by_owner.items():
        label, seed, section = described.get(owner, (None, None, None))
        groups.append(Group(_show(owner), label, seed, section, results))
    ordered = sorted(groups, key=lambda g: (g.seed or "~", g.section or "", g.node))
    for g in ordered:
        g.results.sort(key=lambda r: (r.severity != "Violation", r.path or "", r.message))
    n_viol = sum(r.severity == "Violation" for _, r in items)
    n_warn = sum(r.severity == "Warning" for _, r in items)
    return ValidationReport(n_viol == 0, n_viol, n_warn, ordered, report, n_data)


def _describe_in_store(store, owners) -> dict:
    """(label, seed, section) of each owner node, looked up in the pyoxigraph store in a few queries."""
    iris = [o for o in owners if isinstance(o, URIRef)]
    out = {}
    for i in range(0, len(iris), 500):
        chunk = " ".join(f"<{o}>" for o in iris[i : i + 500])
        q = (
            f"SELECT ?node ?label ?src ?seed ?secLabel WHERE {{ VALUES ?node {{ {chunk} }} "
            f"OPTIONAL {{ ?node <{RDFS.label}> ?label }} "
            f"OPTIONAL {{ ?node <{EXO.hasQuote}> ?q . "
            f"OPTIONAL {{ ?q <{OA.hasSource}> ?src . OPTIONAL {{ ?src <{EXO.seedFile}> ?seed }} }} "
            f"OPTIONAL {{ ?q <{EXO.inSection}> ?sec . OPTIONAL {{ ?sec <{RDFS.label}> ?secLabel }} }} }} }}"
        )
        for sol in store.query(q):
            node = rdflib_term(sol["node"])
            if node in out:
                continue
            label, src, seed, sec = (rdflib_term(sol[k]) for k in ("label", "src", "seed", "secLabel"))
            seed_text = str(seed) if seed else (compress(str(src)) if src else None)
            out[node] = (str(label) if label else None, seed_text, str(sec) if sec else None)
    return out


def _show(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "_:" + str(term)[:8]
    return compress(str(term))


def path_text(report: Graph, path: Any) -> str:
    """A SHACL path node as text: ``exo:hasCargo/rdfs:subClassOf*``, ``^exo:hasQuote`` ..."""
    if isinstance(path, BNode):
        first = report.value(path, RDF.first)
        if first is not None:
            return "/".join(path_text(report, p) for p in Collection(report, path))
        for key, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.inversePath, "^")):
            inner = report.value(path, key)
            if inner is not None:
                return f"^{path_text(report, inner)}" if mark == "^" else f"{path_text(report, inner)}{mark}"
    return _show(path)


def _owner(data, focus):  # ``data`` is unused: ownership is read from the IRI
    """The curated statement a node belongs to: by IRI (finding/<id>/...), else by an incoming link."""
    text = str(focus)
    base = str(EXOD)
    for kind in ("finding/", "fact/"):
        if text.startswith(base + kind):
            parts = text[len(base) :].split("/")
            return URIRef(base + "/".join(parts[:2]))
    return focus


def _describe(data, node):
    label = data.value(node, RDFS.label)
    quote = data.value(node, EXO.hasQuote)
    seed = section = None
    if quote is not None:
        src = data.value(quote, OA.hasSource)
        seed_file = data.value(src, EXO.seedFile) if src is not None else None
        seed = str(seed_file) if seed_file else (compress(str(src)) if src else None)
        sec = data.value(quote, EXO.inSection)
        sec_label = data.value(sec, RDFS.label) if sec is not None else None
        section = str(sec_label) if sec_label else None
    return (str(label) if label else None), seed, section


def format_report(report: ValidationReport, *, show_warnings: bool = True) -> str:
    """A human report grouped by statement: label, seed and section, then path and message per result."""
    lines = []
    for g in report.groups:
        results = [r for r in g.results if show_warnings or r.severity == "Violation"]
        if not results:
            continue
        head = g.node + (f"  “{g.label}”" if g.label else "")
        lines.append(head)
        if g.seed or g.section:
            lines.append(f"    in {g.seed or '?'}, section “{g.section or '?'}”")
        for r in results:
            where = f"{r.path}" if r.path else "(node)"
            on = f" on {r.focus}" if r.focus != g.node else ""
            val = f" [value: {r.value}]" if r.value else ""
            lines.append(f"  {r.severity.upper():9} {where}{on}: {r.message}{val}")
        lines.append("")
    verdict = "conforms" if report.conforms else "does NOT conform"
    lines.append(
        f"{report.data_triples} instance triples {verdict}: "
        f"{report.violations} violation(s), {report.warnings} warning(s)."
    )
    return "\n".join(lines)


def report_graph(results: Sequence[ShaclResult], shapes: Graph, *, conforms: bool) -> Graph:
    """The standard ``sh:ValidationReport`` of the results (blank-node paths and shapes copied in)."""
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
