"""Merge the project's ontology and data with external ontology files, and report what does not line up.

``exo-rdf merge --with FILE ...`` reads each external file (any format :mod:`exo_rdf.extformats` knows,
compressed or not), then for every external id the project uses (the same scan as ``exo-rdf imports``:
ids in the editable sources and IRIs in ontology/exo.ttl and instances/) that falls in an id space the
file *covers*, it reports whether the file

* lacks it (``missing``),
* marks it obsolete (``obsolete``, with the file's replaced_by and consider suggestions), or
* labels it differently from our copy in ``ontology/imports/*.ttl`` (``label``, both labels shown;
  whitespace differences are ignored, case differences are not).

An input covers the id space most of its terms are in, any space holding at least
:data:`COVERAGE_SHARE` (and :data:`COVERAGE_MINIMUM`) of the terms it defines, and the space its
ontology IRI names (``.../obo/ro.owl`` covers RO). So OBI's copies of GO and
UBERON terms, or the UBERON classes the CL editors' file declares, never make those files judge our GO
or UBERON ids: they are not the home of those terms.

The merged graph (ontology + imports + instances + every input) is built in a pyoxigraph store and, with
``output``, written atomically in the format of the output's suffix. With ``reason`` HermiT (through
owlready2, as in :mod:`exo_rdf.reason`) checks the ontology, imports and instances together with each
input: the whole input when it has at most :data:`FULL_REASONING_LIMIT` triples, otherwise a module
(see :func:`extract_module`). Any failure raises before anything is written. When the merge is
consistent, the subclass links between named classes that HermiT entails and that neither are
asserted in the merged graph nor follow from what is, reduced to a non-redundant set, are added to
the merged graph before it is written, each marked ``oboInOwl:is_inferred "true"`` (an ``owl:Axiom``
annotation, as in the full release; :func:`exo_rdf.reason.add_inferred_axioms`). So a question such
as queries/merged/merged-stem-cell-findings.rq sees CL's defined classes classified. An
inconsistent merge entails everything, so nothing inferred is added then.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .errors import ExoError
from .extformats import (
    ExternalOntology,
    ExternalTerm,
    id_spaces,
    key_of_iri,
    read_external,
)
from .namespaces import PREFIXES, expand, id_space
from .project import Project
from .rdfio import atomic_write, merge_output_format

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = [
    "COVERAGE_MINIMUM",
    "COVERAGE_SHARE",
    "FULL_REASONING_LIMIT",
    "InputReport",
    "MergeReasoning",
    "MergeReport",
    "ReasonedInput",
    "TermIssue",
    "add_external",
    "add_inferred",
    "asserted_edges",
    "covered_spaces",
    "extract_module",
    "merge",
    "merged_store",
    "write_store",
]

#: A space holding at least this share of an input's terms counts as covered by the input (measured:
#: the home space of each shared file holds 77-100 % of its terms; borrowed spaces at most 8 %, RO's IAO).
COVERAGE_SHARE = 0.10
#: ... and at least this many terms; the space with most terms is always covered. So a small file's own
#: Typedef for part_of (BFO:0000050) does not make it judge every BFO id we use.
COVERAGE_MINIMUM = 10
#: Inputs with more triples than this are reasoned over as a module. Measured on this machine (2 shared
#: cores): HermiT over the project plus the whole RO OWL file (11.6k triples, property chains) ran out of
#: its 2 GB heap; plus modules of the CL editors' file and the MONDO table (3.5k and 2.5k triples) it
#: finished in under two minutes. BFO 2020 (1k triples) is reasoned whole.
FULL_REASONING_LIMIT = 5_000


@dataclass(frozen=True)
class TermIssue:
    """One id we use that does not line up with an input."""

    kind: str  # "missing", "obsolete" or "label"
    curie: str
    our_label: str | None = None
    their_label: str | None = None
    replaced_by: tuple[tuple[str, str | None], ...] = ()  # (id, label in the input)
    consider: tuple[tuple[str, str | None], ...] = ()

    @property
    def message(self) -> str:
        ours = f" '{self.our_label}'" if self.our_label else ""
        if self.kind == "missing":
            return f"{self.curie}{ours} is not in this file"
        if self.kind == "obsolete":

            def shown(pairs):
                return ", ".join(f"{c} '{l}'" if l else c for c, l in pairs)

            hint = ""
            if self.replaced_by:
                hint += f"; replaced by {shown(self.replaced_by)}"
            if self.consider:
                hint += f"; consider {shown(self.consider)}"
            return f"{self.curie}{ours} is obsolete here ('{self.their_label}'){hint or '; no replacement given'}"
        return f"{self.curie} is labelled '{self.their_label}' here, '{self.our_label}' in our copy"


@dataclass
class InputReport:
    """What one external file is and how our ids line up with it."""

    path: Path
    format: str
    triples: int
    terms: int
    seconds: float
    spaces: dict[str, int]  # covered id space -> terms the file defines in it
    checked: list[str]  # our ids in those spaces, sorted
    issues: list[TermIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[TermIssue]:
        return [i for i in self.issues if i.kind == kind]


@dataclass
class ReasonedInput:
    path: Path
    scope: str  # "whole file" or "module"
    triples: int


@dataclass
class MergeReasoning:
    """HermiT's verdict over the project plus every input (or its module)."""

    consistent: bool
    unsatisfiable: list[tuple[str, str | None]]  # (IRI, label)
    inputs: list[ReasonedInput]
    triples: int
    seconds: float
    java_version: str
    #: (sub, super) IRIs of the entailed subclass links between named (satisfiable) classes that the
    #: merged graph neither asserts nor implies, as a non-redundant set; sorted. Empty when inconsistent.
    inferred: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


@dataclass
class MergeReport:
    inputs: list[InputReport]
    project_triples: int
    merged_triples: int
    used_ids: int
    output: Path | None = None
    reasoning: MergeReasoning | None = None
    seconds: float = 0.0
    #: inferred subclass axioms added to the merged graph (0 without ``reason`` or when inconsistent)
    inferred_added: int = 0

    @property
    def issues(self) -> list[TermIssue]:
        return [i for r in self.inputs for i in r.issues]

    @property
    def ok(self) -> bool:
        """True when every id lines up and, if the reasoner ran, the merge is consistent and coherent."""
        return not self.issues and (self.reasoning is None or self.reasoning.ok)


# --------------------------------------------------------------------------------------------------


def merge(
    project: Project, inputs: Iterable[str | os.PathLike], output: str | os.PathLike | None = None, reason: bool = False
) -> MergeReport:
    """Merge the project with external files, compare the ids we use, optionally reason and write.

    Raises :class:`~exo_rdf.errors.InputError` for an input that cannot be read (naming it) and
    :class:`ExoError` for a bad output name, a missing Java or a reasoner failure; nothing is written then.
    """
    from .graph import data_files, load_store
    from .imports import used_terms

    start = time.perf_counter()
    paths = [Path(p) for p in inputs]
    if not paths:
        raise ExoError("merge needs at least one external file (--with FILE)")
    out_format = merge_output_format(Path(output)) if output is not None else None
    externals = [read_external(p) for p in paths]  # every input is read before anything else happens

    store = load_store(data_files(project))
    project_triples = len(store)
    used = sorted(used_terms(project))
    ours = _our_labels(store, set(used))
    reports = [_compare(ext, used, ours) for ext in externals]
    add_external(store, externals)

    reasoning = _reason(project, externals, used, store) if reason else None
    inferred_added = 0
    if reasoning is not None and reasoning.consistent:
        inferred_added = add_inferred(store, reasoning.inferred)
    report = MergeReport(
        reports, project_triples, len(store), len(used), reasoning=reasoning, inferred_added=inferred_added
    )
    if output is not None:
        write_store(store, Path(output), out_format)
        report.output = Path(output)
    report.seconds = time.perf_counter() - start
    return report


def add_external(store: Store, externals: Iterable[ExternalOntology]) -> None:
    """Add the triples of external files to a store's default graph."""
    import pyoxigraph as ox

    for ext in externals:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ext.triples)


def add_inferred(store: Store, axioms: list[tuple[str, str]]) -> int:
    """Add inferred ``rdfs:subClassOf`` axioms (IRI pairs), marked ``oboInOwl:is_inferred``, to a store.

    The triples come from :func:`exo_rdf.reason.add_inferred_axioms` (the same shape as the full
    release). Returns the number of axioms added."""
    import pyoxigraph as ox
    from rdflib import Graph

    from .reason import add_inferred_axioms

    if not axioms:
        return 0
    graph = Graph()
    add_inferred_axioms(graph, axioms)
    # N-Triples is the lossless bridge from rdflib terms to pyoxigraph ones (blank nodes included)
    text = graph.serialize(format="nt", encoding="utf-8")
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ox.parse(text, ox.RdfFormat.N_TRIPLES)
    )
    return len(axioms)


def asserted_edges(store: Store) -> set[tuple[str, str]]:
    """Subclass links between named classes asserted in a store (an equivalence counts both ways)."""
    import pyoxigraph as ox

    sub, equiv, nothing = (
        ox.NamedNode(str(expand(c))) for c in ("rdfs:subClassOf", "owl:equivalentClass", "owl:Nothing")
    )
    edges = set()
    for q in store.quads_for_pattern(None, sub, None, ox.DefaultGraph()):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            edges.add((q.subject.value, q.object.value))
    for q in store.quads_for_pattern(None, equiv, None, ox.DefaultGraph()):
        if (
            isinstance(q.subject, ox.NamedNode)
            and isinstance(q.object, ox.NamedNode)
            and nothing not in (q.subject, q.object)
        ):
            edges.update({(q.subject.value, q.object.value), (q.object.value, q.subject.value)})
    return edges


def merged_store(project: Project, inputs: Iterable[str | os.PathLike[str] | ExternalOntology]) -> Store:
    """A pyoxigraph store with the project's ontology, imports and instances plus the inputs (no report)."""
    from .graph import data_files, load_store

    store = load_store(data_files(project))
    add_external(store, [i if isinstance(i, ExternalOntology) else read_external(i) for i in inputs])
    return store


def _our_labels(store, used: set[str]) -> dict[str, str]:
    import pyoxigraph as ox

    labels: dict[str, str] = {}
    for quad in store.quads_for_pattern(None, ox.NamedNode(str(expand("rdfs:label"))), None):
        if isinstance(quad.subject, ox.NamedNode):
            key = key_of_iri(quad.subject.value)
            if key in used and (key not in labels or quad.object.language in (None, "en")):
                labels[key] = quad.object.value
    return labels


def covered_spaces(ext: ExternalOntology) -> dict[str, int]:
    """The id spaces an input is the home of (see :data:`COVERAGE_SHARE`), with its term counts."""
    counts = id_spaces(ext.terms())
    total = sum(counts.values()) or 1
    covered = {s: n for s, n in counts.items() if n / total >= COVERAGE_SHARE and n >= COVERAGE_MINIMUM}
    if counts:
        largest = max(counts, key=lambda s: (counts[s], s))
        covered[largest] = counts[largest]
    if ext.ontology_iri:
        m = re.search(r"/obo/([A-Za-z]+)\.owl$", ext.ontology_iri)
        if m:
            for space, n in counts.items():
                if space.lower() == m.group(1).lower():
                    covered[space] = n
    return dict(sorted(covered.items()))


def _same(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def _compare(ext: ExternalOntology, used: list[str], ours: dict[str, str]) -> InputReport:
    terms = ext.terms()
    spaces = covered_spaces(ext)
    checked = [c for c in used if id_space(c) in spaces]
    report = InputReport(
        ext.path, ext.format_name, len(ext.triples), len(terms), ext.seconds, spaces, checked, notes=list(ext.notes)
    )

    def labelled(ids: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
        return tuple((i, terms[i].label if i in terms else None) for i in ids)

    for curie in checked:
        theirs: ExternalTerm | None = terms.get(curie)
        if theirs is None:
            report.issues.append(TermIssue("missing", curie, ours.get(curie)))
        elif theirs.deprecated:
            report.issues.append(
                TermIssue(
                    "obsolete",
                    curie,
                    ours.get(curie),
                    theirs.label,
                    labelled(theirs.replaced_by),
                    labelled(theirs.consider),
                )
            )
        elif curie in ours and theirs.label is not None and not _same(ours[curie], theirs.label):
            report.issues.append(TermIssue("label", curie, ours[curie], theirs.label))
    return report


def write_store(store: Store, target: Path, format_name: str) -> None:
    """Dump the store's default graph to ``target`` atomically, in the pyoxigraph format named."""
    import pyoxigraph as ox

    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExoError(f"{target}: output folder {folder} does not exist")
    rdf_format = getattr(ox.RdfFormat, format_name)
    kwargs = {"prefixes": dict(PREFIXES)} if format_name in ("TURTLE", "RDF_XML") else {}
    try:
        atomic_write(target, lambda fh: store.dump(fh, rdf_format, from_graph=ox.DefaultGraph(), **kwargs))
    except OSError as exc:
        raise ExoError(f"{target}: cannot write the merged graph: {exc}") from None


# --------------------------------------------------------------------------------------------------
# modules and reasoning


def extract_module(ext: ExternalOntology, seeds: Iterable[str]) -> list:
    """The triples of ``ext`` about the seed ids and all their ancestors.

    Ancestors are followed through ``rdfs:subClassOf``, ``owl:equivalentClass``, ``skos:broader`` (and
    for relations ``rdfs:subPropertyOf`` and ``owl:inverseOf``) to
    named classes and into the fillers and members of the class expressions there (someValuesFrom,
    allValuesFrom, intersectionOf, unionOf), so part_of parents come along. The module holds every
    triple whose subject is such a term, the blank-node structures those triples point to, and the
    declarations (``rdf:type`` triples) of every IRI the module mentions. Like ROBOT's BOT extraction it
    keeps what is needed to classify the seeds upward; unlike it, it is syntactic (no locality test).
    """
    import pyoxigraph as ox

    by_subject: dict = {}
    for t in ext.triples:
        by_subject.setdefault(t.subject, []).append(t)
    up = {
        ox.NamedNode(str(expand(c)))
        for c in ("rdfs:subClassOf", "owl:equivalentClass", "skos:broader", "rdfs:subPropertyOf", "owl:inverseOf")
    }
    inner = {
        ox.NamedNode(str(expand(c)))
        for c in (
            "owl:someValuesFrom",
            "owl:allValuesFrom",
            "owl:intersectionOf",
            "owl:unionOf",
            "rdf:first",
            "rdf:rest",
            "owl:onProperty",
        )
    }
    rdf_type = ox.NamedNode(str(expand("rdf:type")))
    terms = ext.terms()
    todo = [ox.NamedNode(terms[s].iri) for s in seeds if s in terms]
    named: set = set(todo)
    while todo:
        node = todo.pop()
        for t in by_subject.get(node, ()):
            if t.predicate in up or (isinstance(node, ox.BlankNode) and t.predicate in inner):
                obj = t.object
                if isinstance(obj, ox.BlankNode) or (isinstance(obj, ox.NamedNode) and obj not in named):
                    if isinstance(obj, ox.NamedNode):
                        named.add(obj)
                    todo.append(obj)
    module: list = []
    seen_blank: set = set()
    mentioned: set = set()

    def take(subject):
        for t in by_subject.get(subject, ()):
            module.append(t)
            for node in (t.predicate, t.object):
                if isinstance(node, ox.NamedNode):
                    mentioned.add(node)
            if isinstance(t.object, ox.BlankNode) and t.object not in seen_blank:
                seen_blank.add(t.object)
                take(t.object)

    for node in sorted(named, key=lambda n: n.value):
        take(node)
    for node in mentioned - named:
        module.extend(t for t in by_subject.get(node, ()) if t.predicate == rdf_type)
    return module


def _reason(project: Project, externals: list[ExternalOntology], used: list[str], merged_graph) -> MergeReasoning:
    """HermiT over the project and each input (or its module); ``merged_graph`` is the full merged store,
    against which the entailed links are judged new (a module holds only part of an input)."""
    import pyoxigraph as ox
    from rdflib import Graph

    from . import reason as reasoner
    from .graph import data_files, load_store

    start = time.perf_counter()
    java = reasoner.find_java()
    version = reasoner.java_version(java)
    store = load_store(data_files(project))
    used_set = set(used)
    reasoned = []
    for ext in externals:
        if len(ext.triples) <= FULL_REASONING_LIMIT:
            triples, scope = ext.triples, "whole file"
        else:
            triples, scope = extract_module(ext, used_set), "module"
        reasoned.append(ReasonedInput(ext.path, scope, len(triples)))
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    imports = ox.NamedNode(str(expand("owl:imports")))
    # owl:imports would make owlready2 fetch ontologies over the network; everything is merged already
    for quad in list(store.quads_for_pattern(None, imports, None)):
        store.remove(quad)
    with tempfile.TemporaryDirectory(prefix="exo-rdf-merge-") as tmp:
        merged = Path(tmp) / "merged.nt"
        store.dump(str(merged), ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        try:
            outcome = reasoner.run_hermit(merged, java, Graph(), [])
        except ExoError:
            raise
        except Exception as exc:  # owlready2 raises many types for input it cannot load
            raise ExoError(
                f"the reasoner could not load the merge: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
            ) from None
    label = ox.NamedNode(str(expand("rdfs:label")))
    unsat = []
    for iri in sorted(outcome.unsatisfiable):
        names = [q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), label, None)]
        unsat.append((iri, names[0] if names else None))
    inferred: list[tuple[str, str]] = []
    if outcome.consistent:
        builtins = {str(expand("owl:Thing")), str(expand("owl:Nothing"))}
        entailed = {(s, o) for s, o in outcome.entailed_edges if s not in builtins and o not in builtins}
        asserted = asserted_edges(merged_graph)
        inferred = reasoner.non_redundant(asserted, reasoner.new_edges(asserted, entailed, outcome.unsatisfiable))
    return MergeReasoning(
        outcome.consistent, unsat, reasoned, len(store), time.perf_counter() - start, version, inferred
    )
