"""SHACL validation of the instance data, with a report a curator can act on.

instances/*.ttl are validated against shapes/*.ttl together with ontology/exo.ttl and the import
modules, so that ``sh:targetClass``/``sh:class`` see subclasses and hierarchy-climbing paths (cancer
findings need a tumour role) work. Two engines give the same results: ``oxigraph`` (the default;
:mod:`exo_rdf.shacl` compiles each constraint into one SPARQL query over all focus nodes, so a
million triples validate in seconds) and ``pyshacl`` (pySHACL on rdflib, the reference
implementation, with the ontology as its ``ont_graph``). Results are grouped by the statement they
belong to, with its label, seed and section (:mod:`exo_rdf.shacl.report`). Only sh:Violation fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ExoError
from .graph import parse_files, parse_turtle, read_source
from .namespaces import bind_prefixes
from .project import Project
from .shacl.report import ValidationReport, summarise_pyshacl, summarise_results

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["ENGINES", "load_shapes", "meta_validate", "validate"]


def load_shapes(project: Project) -> Graph:
    """The project's shapes files in one graph; a malformed sh:path is refused naming its file and shape."""
    import rdflib

    from .shacl.paths import check_paths

    shapes = project.shape_files()
    if not shapes:
        raise ExoError(f"no SHACL shapes found: {project.shapes_dir} has no *.ttl files")
    graph = rdflib.Graph()
    bind_prefixes(graph)
    for path in shapes:
        one = parse_turtle(path)
        check_paths(one, path, read_source(path))
        for triple in one:
            graph.add(triple)
    return graph


#: The validation engines: ``oxigraph`` (set-based SPARQL, :mod:`exo_rdf.shacl`) and plain pySHACL.
ENGINES = ("oxigraph", "pyshacl")


def validate(
    project: Project,
    data_files: list[Path] | None = None,
    *,
    shapes_graph: Graph | None = None,
    ontology_graph: Graph | None = None,
    engine: str = "oxigraph",
) -> ValidationReport:
    """Validate the project's instance data (or ``data_files``) against its shapes.

    ``engine="oxigraph"`` (the default) compiles each constraint into one SPARQL query over all focus
    nodes and runs it on a pyoxigraph store; ``engine="pyshacl"`` runs pySHACL on rdflib. Both give
    the same results (focus, path, constraint component, severity) and the same report format.
    """
    if engine not in ENGINES:
        raise ExoError(f"unknown validation engine {engine!r}: choose one of {', '.join(ENGINES)}")
    files = data_files if data_files is not None else project.instance_files()
    if not files:
        raise ExoError(f"no instance data found: {project.instances_dir} has no *.ttl files (run exo-rdf curate first)")
    shapes = shapes_graph if shapes_graph is not None else load_shapes(project)
    if engine == "oxigraph":
        return _validate_oxigraph(project, files, shapes, ontology_graph)
    return _validate_pyshacl(project, files, shapes, ontology_graph)


def _validate_pyshacl(
    project: Project, files: list[Path], shapes: Graph, ontology_graph: Graph | None
) -> ValidationReport:
    import pyshacl
    from rdflib import Graph

    data = parse_files(files)
    ont = (
        ontology_graph if ontology_graph is not None else parse_files([project.ontology_file, *project.import_files()])
    )
    shapes_copy = Graph()  # pySHACL mutates the shapes graph it is given
    for t in shapes:
        shapes_copy.add(t)
    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes_copy,
        ont_graph=ont,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        allow_infos=True,
        meta_shacl=False,
        advanced=False,
        debug=False,
    )
    bind_prefixes(report)
    merged = data + ont
    return summarise_pyshacl(report, merged, len(data))


def _validate_oxigraph(
    project: Project, files: list[Path], shapes: Graph, ontology_graph: Graph | None
) -> ValidationReport:
    from .shacl.runner import validate_store
    from .shacl.store import load_validation_store

    onto_files = [] if ontology_graph is not None else [project.ontology_file, *project.import_files()]
    vstore = load_validation_store(files, onto_files, ontology_graph=ontology_graph)
    return summarise_results(validate_store(vstore, shapes), shapes, vstore)


def meta_validate(project: Project) -> tuple[bool, str]:
    """Validate the shapes graph itself against the SHACL-for-SHACL shapes; returns (conforms, text)."""
    import pyshacl

    shapes = load_shapes(project)
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=None, meta_shacl=True, inference="none")
    return conforms, text
