"""Reasoning over the ontology and the knowledge graph with HermiT (through owlready2).

The sources are Turtle, which owlready2 cannot read, so :func:`reason` merges ontology/exo.ttl, the
import modules and (by default) the instance files with rdflib, writes the merge as N-Triples in a
private temporary folder, loads that into a fresh owlready2 ``World`` and runs HermiT on it. N-Triples
is a plain triple dump: nothing is re-modelled on the way, so the punning that our data relies on (an
individual's object property pointing at an external class IRI such as a MONDO disease) reaches
HermiT unchanged, and the OWL API inside HermiT reads it as OWL 2 DL punning.

The report says whether the whole is consistent, which named classes are unsatisfiable, and which
subclass relations between named classes HermiT inferred beyond the asserted hierarchy. With an
output folder it also writes ``inferred-hierarchy.ttl``: the asserted and the inferred
``rdfs:subClassOf`` links between named classes, in canonical Turtle, byte-identical across runs.

owlready2 quirks handled here (each found by trying it):

* it crashes while loading an ill-typed literal such as ``"abc"^^xsd:integer``, so those are reported
  first as an :class:`~exo_rdf.errors.InputError` naming the file;
* HermiT rejects datatypes outside the OWL 2 datatype map (``xsd:date``, ``xsd:gYear`` ...) when they
  are used with a data property; that Java error becomes a plain message naming the triples;
* ``sync_reasoner`` leaves its temporary copy of the ontology behind when HermiT fails or finds the
  ontology inconsistent; we read its name from owlready2's own log line and delete exactly that file;
* ``owl:imports`` would make owlready2 fetch ontologies over the network; the import modules are
  already merged, so those triples are dropped from the copy handed to the reasoner.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, NamedTuple

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef

from .errors import ExoError, InputError
from .graph import data_files, ontology_files, parse_turtle
from .namespaces import ONTOLOGY_IRI, bind_prefixes, compress, expand
from .project import Project
from .rdfio import atomic_write, canonical_turtle

__all__ = [
    "HIERARCHY_FILE",
    "JAVA_MISSING",
    "ClassTerm",
    "ReasonerReport",
    "add_inferred_axioms",
    "asserted_edges",
    "find_java",
    "inconsistency_hints",
    "java_version",
    "new_edges",
    "non_redundant",
    "reason",
    "run_hermit",
    "unsupported_datatype_uses",
]

#: File name of the hierarchy written into ``output_dir``.
HIERARCHY_FILE = "inferred-hierarchy.ttl"

JAVA_MISSING = (
    "Java was not found: the HermiT reasoner needs a Java runtime (17 or newer). "
    "Install it, e.g. `apt-get install default-jre-headless`, or set JAVA_HOME."
)

_MAX_LISTED = 10


class ClassTerm(NamedTuple):
    """A named class: its IRI and its English label (``None`` when it has none)."""

    iri: str
    label: str | None


@dataclass
class ReasonerReport:
    """What HermiT found. ``ok`` is true when the input is consistent and every class satisfiable."""

    consistent: bool
    #: Named classes equivalent to owl:Nothing, sorted by IRI (empty when inconsistent).
    unsatisfiable: list[ClassTerm]
    #: ``(sub, super)`` IRI pairs of named classes that HermiT entails and that do not follow from the
    #: asserted named hierarchy (asserted subClassOf/equivalentClass links, transitively). Sorted.
    inferred_subclass_axioms: list[tuple[str, str]]
    #: Triples in the merged input (ontology + imports [+ instances]).
    n_triples: int
    #: Named classes declared ``owl:Class`` in the input.
    n_classes: int
    #: Named individuals in the input (declared, or typed with a non-built-in class).
    n_individuals: int
    #: Asserted subsumptions between named classes (``rdfs:subClassOf``; an ``owl:equivalentClass``
    #: between two named classes counts once in each direction).
    n_asserted_subclass_axioms: int
    #: Wall-clock seconds for the whole call, and for the owlready2 load + HermiT run alone.
    seconds: float
    reasoner_seconds: float
    #: ``java -version`` of the runtime used, e.g. ``17.0.15``.
    java_version: str
    include_instances: bool
    files: list[Path] = field(default_factory=list)
    #: Path of the written hierarchy, or ``None`` (no ``output_dir``, or the input is inconsistent).
    hierarchy_file: Path | None = None
    #: When inconsistent: likely causes found by a quick look at the asserted triples (not a proof).
    hints: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


# --------------------------------------------------------------------------------------------------
# Java


def find_java() -> str:
    """Return the path of the Java executable HermiT will use, or raise :class:`ExoError`.

    ``owlready2.JAVA_EXE`` (a name looked up on PATH, or a path) comes first, then ``$JAVA_HOME/bin/java``.
    """
    import owlready2

    configured = str(getattr(owlready2, "JAVA_EXE", "") or "java")
    found = shutil.which(configured)
    if found:
        return found
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = shutil.which(str(Path(java_home) / "bin" / "java"))
        if candidate:
            return candidate
    raise ExoError(JAVA_MISSING)


def java_version(java: str) -> str:
    """Return the version string that ``java -version`` prints, or raise :class:`ExoError`."""
    try:
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise ExoError(JAVA_MISSING) from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExoError(f"Java at {java} does not run ({exc}). {JAVA_MISSING}") from None
    text = (proc.stderr or "") + (proc.stdout or "")
    if proc.returncode != 0:
        raise ExoError(f"Java at {java} does not run: {' '.join(text.split())[:300]}. {JAVA_MISSING}")
    m = re.search(r'version "([^"]+)"', text)
    return m.group(1) if m else (text.strip().splitlines() or ["unknown"])[0]


# --------------------------------------------------------------------------------------------------
# The entry point


def reason(
    project: Project, *, include_instances: bool = True, output_dir: str | os.PathLike | None = None
) -> ReasonerReport:
    """Check consistency and classify the project's ontology (and, by default, its instances).

    Raises :class:`InputError` for a source file that cannot be parsed or holds an ill-typed literal,
    and :class:`ExoError` when Java is missing or HermiT cannot process the input.
    """
    start = time.perf_counter()
    java = find_java()
    version = java_version(java)

    files = data_files(project) if include_instances else ontology_files(project)
    graph, per_file = _merge(files)
    _check_literals(per_file)

    with tempfile.TemporaryDirectory(prefix="exo-rdf-reason-") as tmp:
        merged = Path(tmp) / "merged.nt"
        _write_ntriples(graph, merged)
        t0 = time.perf_counter()
        outcome = run_hermit(merged, java, graph, per_file)
        reasoner_seconds = time.perf_counter() - t0

    asserted = asserted_edges(graph)
    report = ReasonerReport(
        consistent=outcome.consistent,
        unsatisfiable=[],
        inferred_subclass_axioms=[],
        n_triples=len(graph),
        n_classes=len({s for s in graph.subjects(RDF.type, OWL.Class) if _is_iri(s)}),
        n_individuals=_count_individuals(graph),
        n_asserted_subclass_axioms=len(asserted),
        seconds=0.0,
        reasoner_seconds=reasoner_seconds,
        java_version=version,
        include_instances=include_instances,
        files=list(files),
    )

    target = Path(output_dir) / HIERARCHY_FILE if output_dir is not None else None
    if outcome.consistent:
        labels = _labels(graph)
        report.unsatisfiable = [ClassTerm(iri, labels.get(iri)) for iri in sorted(outcome.unsatisfiable)]
        report.inferred_subclass_axioms = new_edges(asserted, outcome.entailed_edges, outcome.unsatisfiable)
        if target is not None:
            text = _hierarchy_turtle(asserted, report.inferred_subclass_axioms, outcome.unsatisfiable)
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, text)
            report.hierarchy_file = target
    else:
        report.hints = inconsistency_hints(graph)
        if target is not None and target.exists():
            # An inconsistent input entails everything: a hierarchy left from an earlier run would be stale.
            target.unlink()

    report.seconds = time.perf_counter() - start
    return report


# --------------------------------------------------------------------------------------------------
# Input: merge, check literals, write N-Triples


def _merge(files: Iterable[Path]):
    merged = Graph()
    bind_prefixes(merged)
    per_file = []
    # rdflib logs a warning with a traceback (and for booleans also warns) for every ill-typed literal
    # it parses; _check_literals reports those with file and line instead, so both are muted here.
    term_log = logging.getLogger("rdflib.term")
    level = term_log.level
    term_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module=r"rdflib\.")
            for path in files:
                g = parse_turtle(Path(path))
                per_file.append((Path(path), g))
                merged += g
    finally:
        term_log.setLevel(level)
    return merged, per_file


def _check_literals(per_file) -> None:
    """Ill-typed literals crash owlready2's N-Triples reader; report the first one with its file."""
    for path, g in per_file:
        bad = sorted((s, p, o) for s, p, o in g if isinstance(o, Literal) and o.ill_typed)
        if bad:
            s, p, o = bad[0]
            more = f" (and {len(bad) - 1} more in this file)" if len(bad) > 1 else ""
            if o.datatype == XSD.boolean:
                # rdflib rewrites an invalid boolean's text to "false", so neither text nor line is known
                what, line = "an xsd:boolean value that is not true, false, 1 or 0", None
            else:
                what = f"{_term(o)}: the text is not a valid {_term(o.datatype)}"
                line = _line_containing(path, str(o))
            raise InputError(
                path,
                f"ill-typed literal for {_term(s)} {_term(p)}, {what}; fix the value or its datatype{more}",
                line,
            )


def _line_containing(path: Path, lexical: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    needle = f'"{lexical}"'
    for number, line in enumerate(lines, 1):
        if needle in line:
            return number
    return None


def _write_ntriples(graph, path: Path) -> None:
    out = Graph()
    for triple in graph:
        if triple[1] != OWL.imports:
            out.add(triple)
    out.serialize(destination=str(path), format="nt", encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# HermiT through owlready2


@dataclass
class _Outcome:
    consistent: bool
    unsatisfiable: set[str] = field(default_factory=set)
    entailed_edges: set[tuple[str, str]] = field(default_factory=set)


def run_hermit(merged: Path, java: str, graph: Graph, per_file: Any) -> _Outcome:
    import owlready2
    from owlready2.base import OwlReadyWarning

    world = owlready2.World()
    log = io.StringIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OwlReadyWarning)
            with merged.open("rb") as fh:
                try:
                    world.get_ontology(str(ONTOLOGY_IRI)).load(fileobj=fh, format="ntriples")
                except owlready2.OwlReadyOntologyParsingError as exc:
                    raise ExoError(f"owlready2 could not read the merged input: {exc}") from None

            saved_java = owlready2.JAVA_EXE
            owlready2.JAVA_EXE = java
            try:
                # debug=1 makes owlready2 log the command line, which names its temporary file;
                # the log is captured, never shown.
                with contextlib.redirect_stderr(log):
                    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=1)
            except owlready2.OwlReadyInconsistentOntologyError:
                _remove_owlready_tmp(log.getvalue())
                return _Outcome(consistent=False)
            except owlready2.OwlReadyJavaError as exc:
                _remove_owlready_tmp(log.getvalue())
                raise ExoError(_java_error_message(str(exc), graph, per_file)) from None
            except BaseException:
                _remove_owlready_tmp(log.getvalue())
                raise
            finally:
                owlready2.JAVA_EXE = saved_java
        return _read_results(world)
    finally:
        world.close()


def _remove_owlready_tmp(log: str) -> None:
    m = re.search(r"file:///(\S+)", log)
    if not m:
        return
    path = Path(m.group(1))
    # Only the file owlready2 created: a tmp* file directly in the system temporary folder.
    if path.name.startswith("tmp") and path.parent.resolve() == Path(tempfile.gettempdir()).resolve():
        with contextlib.suppress(OSError):
            path.unlink()


def _read_results(world) -> _Outcome:
    """Named-class subsumptions and unsatisfiable classes, asserted and inferred, from the world."""
    g = world.as_rdflib_graph()
    edges: set[tuple[str, str]] = set()
    unsat: set[str] = set()
    for s, o in g.subject_objects(RDFS.subClassOf):
        if _is_iri(s) and _is_iri(o):
            if o == OWL.Nothing:
                unsat.add(str(s))
            else:
                edges.add((str(s), str(o)))
    for s, o in g.subject_objects(OWL.equivalentClass):
        if not (_is_iri(s) and _is_iri(o)):
            continue
        if o == OWL.Nothing:
            unsat.add(str(s))
        elif s == OWL.Nothing:
            unsat.add(str(o))
        else:
            edges.update({(str(s), str(o)), (str(o), str(s))})
    unsat.discard(str(OWL.Nothing))
    return _Outcome(consistent=True, unsatisfiable=unsat, entailed_edges=edges)


def _java_error_message(text: str, graph, per_file) -> str:
    if "UnsupportedDatatypeException" in text:
        found = unsupported_datatype_uses(graph, per_file)
        head = (
            "HermiT supports only the datatypes of the OWL 2 datatype map "
            "(https://www.w3.org/TR/owl2-syntax/#Datatype_Maps); xsd:date, xsd:gYear and the like "
            "cannot be used with data properties."
        )
        if found:
            return f"{head} Use xsd:dateTime or xsd:string, or make the property an annotation property:\n" + "\n".join(
                found
            )
        return f"{head} HermiT said: {_java_summary(text)}"
    return f"HermiT failed: {_java_summary(text)}"


def _java_summary(text: str) -> str:
    lines = [
        l.strip()
        for l in text.splitlines()
        if l.strip() and not l.strip().startswith("at ") and "Java error message is" not in l
    ]
    return " ".join(" ".join(lines[:4]).split())[:600]


# --------------------------------------------------------------------------------------------------
# Hierarchy


def asserted_edges(graph: Graph) -> set[tuple[str, str]]:
    """Named-class subsumptions stated in the input (equivalences count both ways)."""
    edges = {(str(s), str(o)) for s, o in graph.subject_objects(RDFS.subClassOf) if _is_iri(s) and _is_iri(o)}
    for s, o in graph.subject_objects(OWL.equivalentClass):
        if _is_iri(s) and _is_iri(o) and OWL.Nothing not in (s, o):
            edges.update({(str(s), str(o)), (str(o), str(s))})
    return edges


def _reflexive_ancestors(parents, start):
    """``start`` and everything reachable from it through ``parents`` (a node -> parents mapping)."""
    seen, todo = {start}, [start]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def new_edges(
    asserted: set[tuple[str, str]], entailed: set[tuple[str, str]], unsatisfiable: set[str]
) -> list[tuple[str, str]]:

    parents: dict[str, set[str]] = defaultdict(set)
    for s, o in asserted:
        parents[s].add(o)
    reach: dict[str, set[str]] = {}

    def ancestors(start: str) -> set[str]:
        if start not in reach:
            reach[start] = _reflexive_ancestors(parents, start)
        return reach[start]

    thing = str(OWL.Thing)
    return sorted(
        (s, o) for s, o in entailed if s != o and o != thing and s not in unsatisfiable and o not in ancestors(s)
    )


def non_redundant(asserted: set[tuple[str, str]], inferred: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop each inferred edge that the remaining edges still imply (greedy, in sorted order, so that
    equivalent classes keep one edge each way and the result does not depend on set order).

    Used by the full release (:mod:`exo_rdf.build`) and by ``exo-rdf merge --reason``."""
    parents: dict[str, set[str]] = defaultdict(set)
    for s, o in [*asserted, *inferred]:
        parents[s].add(o)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = {start}, [start]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent == goal:
                    return True
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return False

    kept = []
    for s, o in sorted(inferred):
        parents[s].discard(o)
        if reaches(s, o):
            continue
        parents[s].add(o)
        kept.append((s, o))
    return kept


def add_inferred_axioms(graph: Graph, axioms: list[tuple[str, str]]) -> None:
    """Add ``sub rdfs:subClassOf super`` for each (sub, super) IRI pair to an rdflib graph, each also
    annotated by an ``owl:Axiom`` with ``oboInOwl:is_inferred "true"``."""
    from rdflib import BNode

    if not axioms:
        return
    is_inferred = expand("oboInOwl:is_inferred")
    graph.add((is_inferred, RDF.type, OWL.AnnotationProperty))
    for s, o in axioms:
        sub, sup = URIRef(s), URIRef(o)
        graph.add((sub, RDFS.subClassOf, sup))
        # the OWL annotation says which subclass axioms came from the reasoner (as ODK's releases do)
        axiom = BNode()
        graph.add((axiom, RDF.type, OWL.Axiom))
        graph.add((axiom, OWL.annotatedSource, sub))
        graph.add((axiom, OWL.annotatedProperty, RDFS.subClassOf))
        graph.add((axiom, OWL.annotatedTarget, sup))
        graph.add((axiom, is_inferred, Literal("true")))


def _hierarchy_turtle(asserted, inferred, unsatisfiable) -> str:
    g = Graph()
    for s, o in [*asserted, *inferred]:
        g.add((URIRef(s), RDFS.subClassOf, URIRef(o)))
    for s in unsatisfiable:
        g.add((URIRef(s), RDFS.subClassOf, OWL.Nothing))
    return canonical_turtle(g)


# --------------------------------------------------------------------------------------------------
# Diagnostics for an inconsistent input


def _xsd_families():
    strings = {XSD.string, XSD.normalizedString, XSD.token, XSD.language, XSD.Name, XSD.NCName, XSD.NMTOKEN}
    integers = {
        XSD.integer,
        XSD.nonNegativeInteger,
        XSD.nonPositiveInteger,
        XSD.positiveInteger,
        XSD.negativeInteger,
        XSD.long,
        XSD.int,
        XSD.short,
        XSD.byte,
        XSD.unsignedLong,
        XSD.unsignedInt,
        XSD.unsignedShort,
        XSD.unsignedByte,
    }
    accepted = {
        XSD.string: strings,
        XSD.integer: integers,
        XSD.decimal: integers | {XSD.decimal},
        XSD.double: {XSD.double},
        XSD.float: {XSD.float},
        XSD.boolean: {XSD.boolean},
        XSD.anyURI: {XSD.anyURI},
        XSD.dateTime: {XSD.dateTime, XSD.dateTimeStamp},
    }
    return strings, integers, accepted


def _owl2_datatypes():
    strings, integers, _ = _xsd_families()
    return (
        strings
        | integers
        | {
            RDF.PlainLiteral,
            RDF.XMLLiteral,
            RDF.langString,
            RDFS.Literal,
            OWL.real,
            OWL.rational,
            XSD.decimal,
            XSD.double,
            XSD.float,
            XSD.boolean,
            XSD.hexBinary,
            XSD.base64Binary,
            XSD.anyURI,
            XSD.dateTime,
            XSD.dateTimeStamp,
        }
    )


def _literal_datatype(lit):
    if lit.language:
        return RDF.langString
    return lit.datatype or XSD.string


def unsupported_datatype_uses(graph: Graph, per_file: Any = ()) -> list[str]:
    """Data-property values and ranges whose datatype HermiT cannot handle, one line each."""
    supported = _owl2_datatypes()
    data_props = set(graph.subjects(RDF.type, OWL.DatatypeProperty))
    found = []
    for p in sorted(data_props):
        for rng in graph.objects(p, RDFS.range):
            if _is_iri(rng) and rng not in supported and str(rng).startswith(str(XSD)):
                found.append((None, f"{_term(p)} rdfs:range {_term(rng)}", (p, RDFS.range, rng)))
        for s, o in graph.subject_objects(p):
            if isinstance(o, Literal) and _literal_datatype(o) not in supported:
                found.append((None, f"{_term(s)} {_term(p)} {_term(o)}", (s, p, o)))
    lines = []
    for _, text, triple in sorted(found, key=lambda x: x[1]):
        where = next((str(path) for path, g in per_file if triple in g), None)
        lines.append(f"  {where}: {text}" if where else f"  {text}")
    return _capped(lines)


def inconsistency_hints(graph: Graph) -> list[str]:
    """Likely causes of an inconsistency, from the asserted triples only (a quick check, not a proof).

    Looks for data-property values outside the declared range (``"x"@en`` where the range is
    ``xsd:string``, ``"12"`` where it is ``xsd:integer`` ...), functional data properties with two
    values, and individuals typed (directly or through asserted superclasses) with disjoint classes.
    """

    hints: list[str] = []
    _, _, accepted = _xsd_families()

    # 1. data-property values outside the declared datatype range
    for p in sorted(set(graph.subjects(RDF.type, OWL.DatatypeProperty))):
        for rng in graph.objects(p, RDFS.range):
            allowed = accepted.get(rng)
            if allowed is None:
                continue
            for s, o in sorted(graph.subject_objects(p)):
                if not isinstance(o, Literal):
                    hints.append(f"{_term(s)} {_term(p)} has a non-literal value {_term(o)}")
                    continue
                dt = _literal_datatype(o)
                if dt not in allowed:
                    why = " (a language tag makes it rdf:langString; drop the @tag)" if dt == RDF.langString else ""
                    hints.append(
                        f"{_term(s)} {_term(p)} {_term(o)}: the range of {_term(p)} is "
                        f"{_term(rng)} but the value is {_term(dt)}{why}"
                    )

    # 2. functional data properties with more than one value
    for p in sorted(set(graph.subjects(RDF.type, OWL.FunctionalProperty))):
        if (p, RDF.type, OWL.DatatypeProperty) not in graph:
            continue
        values = defaultdict(set)
        for s, o in graph.subject_objects(p):
            values[s].add(o)
        for s in sorted(values):
            if len(values[s]) > 1:
                shown = ", ".join(sorted(_term(v) for v in values[s]))
                hints.append(f"{_term(s)} has {len(values[s])} values for functional property {_term(p)}: {shown}")

    # 3. individuals typed with disjoint classes
    disjoint: set[frozenset] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        if _is_iri(a) and _is_iri(b) and a != b:
            disjoint.add(frozenset((a, b)))
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = [m for lst in graph.objects(node, OWL.members) for m in graph.items(lst) if _is_iri(m)]
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if a != b:
                    disjoint.add(frozenset((a, b)))
    if disjoint:
        parents = defaultdict(set)
        for s, o in graph.subject_objects(RDFS.subClassOf):
            if _is_iri(s) and _is_iri(o):
                parents[s].add(o)

        individuals = defaultdict(set)
        for s, t in graph.subject_objects(RDF.type):
            if _is_iri(s) and _is_iri(t):
                individuals[s].add(t)
        for ind in sorted(individuals):
            types = set().union(*(_reflexive_ancestors(parents, t) for t in individuals[ind]))
            clashes = sorted(tuple(sorted(pair)) for pair in disjoint if pair <= types)
            for a, b in clashes:
                hints.append(f"{_term(ind)} is a {_term(a)} and a {_term(b)}, which are disjoint")

    return _capped(hints)


def _capped(lines: list[str]) -> list[str]:
    if len(lines) > _MAX_LISTED:
        return [*lines[:_MAX_LISTED], f"... and {len(lines) - _MAX_LISTED} more"]
    return lines


# --------------------------------------------------------------------------------------------------
# Small helpers


def _is_iri(node) -> bool:
    return isinstance(node, URIRef)


def _term(node) -> str:
    """A term as a reader would write it in Turtle, with the canonical prefixes."""
    if isinstance(node, Literal):
        text = Literal(str(node)).n3()  # quoted and escaped
        if node.language:
            return f"{text}@{node.language}"
        return f"{text}^^{_term(node.datatype)}" if node.datatype else text
    text = str(node)
    short = compress(text)
    if short != text:
        return short
    return f"<{text}>"


def _labels(graph) -> dict[str, str]:
    """One label per subject: the English one if any, else an untagged one, else the first; sorted."""
    candidates: dict[str, list] = defaultdict(list)
    for s, label in graph.subject_objects(RDFS.label):
        if _is_iri(s):
            lang = getattr(label, "language", None)
            rank = 0 if lang and lang.lower().startswith("en") else 1 if not lang else 2
            candidates[str(s)].append((rank, str(label)))
    return {iri: min(values)[1] for iri, values in candidates.items()}


def _count_individuals(graph) -> int:
    builtin = (str(OWL), str(RDF), str(RDFS))
    named = set()
    for s, t in graph.subject_objects(RDF.type):
        if not _is_iri(s):
            continue
        if t == OWL.NamedIndividual or (_is_iri(t) and not str(t).startswith(builtin)):
            named.add(s)
    return len(named)
