"""SHACL validation of the instance data, with a report a curator can act on.

instances/*.ttl are validated against shapes/*.ttl together with ontology/exo.ttl and the import
modules, so that ``sh:targetClass``/``sh:class`` see subclasses and hierarchy-climbing paths (cancer
findings need a tumour role) work. Two engines give the same results: ``oxigraph`` (the default;
:mod:`exo_rdf.shaclsparql` compiles each constraint into one SPARQL query over all focus nodes, so a
million triples validate in seconds) and ``pyshacl`` (pySHACL on rdflib, the reference
implementation, with the ontology as its ``ont_graph``). Results are grouped
by the statement they belong to, with its label, seed and section. Only sh:Violation fails.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import ExoError
from .graph import bind_prefixes, parse_files
from .namespaces import EXO, EXOD, OA, compress
from .project import Project


@dataclass
class Result:
    focus: str
    severity: str          # "Violation", "Warning" or "Info"
    message: str
    path: str | None
    value: str | None
    constraint: str        # the constraint component, e.g. sh:MinCountConstraintComponent
    shape: str             # the source shape (named, or the parent node shape for blank property shapes)


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
    conforms: bool                       # True when there is no sh:Violation
    violations: int
    warnings: int
    groups: list[Group]
    report_graph: object                 # the standard sh:ValidationReport as an rdflib Graph
    data_triples: int = 0

    def results(self) -> list[Result]:
        return [r for g in self.groups for r in g.results]


def load_shapes(project: Project):
    shapes = project.shape_files()
    if not shapes:
        raise ExoError(f"no SHACL shapes found: {project.shapes_dir} has no *.ttl files")
    return parse_files(shapes)


#: The validation engines: ``oxigraph`` (set-based SPARQL, :mod:`exo_rdf.shaclsparql`) and plain pySHACL.
ENGINES = ("oxigraph", "pyshacl")


def validate(project: Project, data_files: list[Path] | None = None, *, shapes_graph=None,
             ontology_graph=None, engine: str = "oxigraph") -> ValidationReport:
    """Validate the project's instance data (or ``data_files``) against its shapes.

    ``engine="oxigraph"`` (the default) compiles each constraint into one SPARQL query over all focus
    nodes and runs it on a pyoxigraph store; ``engine="pyshacl"`` runs pySHACL on rdflib. Both give
    the same results (focus, path, constraint component, severity) and the same report format.
    """
    if engine not in ENGINES:
        raise ExoError(f"unknown validation engine {engine!r}: choose one of {', '.join(ENGINES)}")
    files = data_files if data_files is not None else project.instance_files()
    if not files:
        raise ExoError(f"no instance data found: {project.instances_dir} has no *.ttl files "
                       "(run exo-rdf curate first)")
    shapes = shapes_graph if shapes_graph is not None else load_shapes(project)
    if engine == "oxigraph":
        return _validate_oxigraph(project, files, shapes, ontology_graph)
    return _validate_pyshacl(project, files, shapes, ontology_graph)


def _validate_pyshacl(project: Project, files, shapes, ontology_graph) -> ValidationReport:
    import pyshacl
    from rdflib import Graph

    data = parse_files(files)
    ont = ontology_graph if ontology_graph is not None else parse_files(
        [project.ontology_file, *project.import_files()])
    shapes_copy = Graph()  # pySHACL mutates the shapes graph it is given
    for t in shapes:
        shapes_copy.add(t)
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes_copy, ont_graph=ont, inference="none", abort_on_first=False,
        allow_warnings=True, allow_infos=True, meta_shacl=False, advanced=False, debug=False)
    bind_prefixes(report)
    merged = data + ont
    return _summarise(report, merged, len(data))


def _validate_oxigraph(project: Project, files, shapes, ontology_graph) -> ValidationReport:
    from rdflib import BNode
    from rdflib.namespace import SH

    from .shaclsparql import load_validation_store, report_graph, validate_store

    onto_files = [] if ontology_graph is not None else [project.ontology_file, *project.import_files()]
    vstore = load_validation_store(files, onto_files, ontology_graph=ontology_graph)
    raw = validate_store(vstore, shapes)
    n_viol = sum(r.severity == SH.Violation for r in raw)
    graph = report_graph(raw, shapes, conforms=n_viol == 0)
    items = []
    for r in raw:
        items.append((r.focus, Result(
            focus=_show(r.focus), severity=str(r.severity).rsplit("#", 1)[-1], message=r.message,
            path=_path_text(shapes, r.path) if r.path is not None else None,
            value=_show(r.value) if r.value is not None else None,
            constraint=_show(r.component),
            shape=_show(r.shape) if not isinstance(r.shape, BNode) else "(anonymous shape)")))
    return _assemble(items, lambda owners: _describe_in_store(vstore.store, owners), graph, vstore.data_triples)


def _summarise(report, data, n_data) -> ValidationReport:
    from rdflib import RDF, BNode, Namespace

    SH = Namespace("http://www.w3.org/ns/shacl#")
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
        items.append((focus, Result(
            focus=_show(focus), severity=severity, message=str(message) if message else "",
            path=_path_text(report, path) if path is not None else None,
            value=_show(value) if value is not None else None,
            constraint=_show(report.value(res, SH.sourceConstraintComponent)),
            shape=_show(shape) if shape is not None and not isinstance(shape, BNode) else "(anonymous shape)")))
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
    from rdflib import RDFS, URIRef

    from .shaclsparql import rdflib_term

    iris = [o for o in owners if isinstance(o, URIRef)]
    out = {}
    for i in range(0, len(iris), 500):
        chunk = " ".join(f"<{o}>" for o in iris[i:i + 500])
        q = (f"SELECT ?node ?label ?src ?seed ?secLabel WHERE {{ VALUES ?node {{ {chunk} }} "
             f"OPTIONAL {{ ?node <{RDFS.label}> ?label }} "
             f"OPTIONAL {{ ?node <{EXO.hasQuote}> ?q . "
             f"OPTIONAL {{ ?q <{OA.hasSource}> ?src . OPTIONAL {{ ?src <{EXO.seedFile}> ?seed }} }} "
             f"OPTIONAL {{ ?q <{EXO.inSection}> ?sec . OPTIONAL {{ ?sec <{RDFS.label}> ?secLabel }} }} }} }}")
        for sol in store.query(q):
            node = rdflib_term(sol["node"])
            if node in out:
                continue
            label, src, seed, sec = (rdflib_term(sol[k]) for k in ("label", "src", "seed", "secLabel"))
            seed_text = str(seed) if seed else (compress(str(src)) if src else None)
            out[node] = (str(label) if label else None, seed_text, str(sec) if sec else None)
    return out


def _show(term) -> str:
    from rdflib import BNode

    if term is None:
        return ""
    if isinstance(term, BNode):
        return "_:" + str(term)[:8]
    return compress(str(term))


def _path_text(report, path) -> str:
    from rdflib import BNode, Namespace
    from rdflib.collection import Collection

    SH = Namespace("http://www.w3.org/ns/shacl#")
    if isinstance(path, BNode):
        first = report.value(path, Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#").first)
        if first is not None:
            return "/".join(_path_text(report, p) for p in Collection(report, path))
        for key, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.inversePath, "^")):
            inner = report.value(path, key)
            if inner is not None:
                return f"^{_path_text(report, inner)}" if mark == "^" else f"{_path_text(report, inner)}{mark}"
    return _show(path)


def _owner(data, focus):  # ``data`` is unused: ownership is read from the IRI
    """The curated statement a node belongs to: by IRI (finding/<id>/...), else by an incoming link."""
    from rdflib import URIRef

    text = str(focus)
    base = str(EXOD)
    for kind in ("finding/", "fact/"):
        if text.startswith(base + kind):
            parts = text[len(base):].split("/")
            return URIRef(base + "/".join(parts[:2]))
    return focus


def _describe(data, node):
    from rdflib import RDFS

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
    lines.append(f"{report.data_triples} instance triples {verdict}: "
                 f"{report.violations} violation(s), {report.warnings} warning(s).")
    return "\n".join(lines)


def meta_validate(project: Project):
    """Validate the shapes graph itself against the SHACL-for-SHACL shapes; returns (conforms, text)."""
    import pyshacl

    shapes = load_shapes(project)
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=None, meta_shacl=True, inference="none")
    return conforms, text
