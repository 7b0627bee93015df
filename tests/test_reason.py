"""Tests for exo_rdf.reason: HermiT over the real project and over small fixture projects.

Everything runs the real reasoner (Java + HermiT through owlready2); only the Java-missing case is
simulated, by emptying PATH. Reasoning is slow-ish (a JVM per run), so each fixture project is reasoned
over once per session and the results are shared.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDFS, URIRef

from exo_rdf.errors import ExoError, InputError
from exo_rdf.graph import parse_turtle
from exo_rdf.project import Project
from exo_rdf.reason import HIERARCHY_FILE, JAVA_MISSING, ClassTerm, find_java, reason

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = Path(__file__).resolve().parent / "resources" / "reason"
EX = rdflib.Namespace("https://example.org/reason-test/")
MONDO = rdflib.Namespace("http://purl.obolibrary.org/obo/MONDO_")
EXO_FINDING = URIRef("https://w3id.org/exo-rdf/ontology/Finding")
SYSTEM_JAVA = shutil.which("java")  # looked up before any test empties PATH


def fixture_project(name: str) -> Project:
    return Project.at(RESOURCES / name)


# ---------------------------------------------------------------------------------------------
# session fixtures: one reasoner run per project


@pytest.fixture(scope="session")
def real_project(tmp_path_factory) -> Project:
    """A snapshot of the repository's ontology and instances, so concurrent edits cannot race the runs."""
    root = tmp_path_factory.mktemp("real-project")
    shutil.copytree(ROOT / "ontology", root / "ontology")
    if (ROOT / "instances").is_dir():
        shutil.copytree(ROOT / "instances", root / "instances")
    return Project.at(root)


@pytest.fixture(scope="session")
def real_tbox_report(real_project):
    return reason(real_project, include_instances=False)


@pytest.fixture(scope="session")
def real_runs(real_project, tmp_path_factory):
    """Two full runs (ontology + imports + instances) into two output folders."""
    return [reason(real_project, output_dir=tmp_path_factory.mktemp(f"reason-out-{i}")) for i in (1, 2)]


@pytest.fixture(scope="session")
def punning_report(tmp_path_factory):
    return reason(fixture_project("punning"), output_dir=tmp_path_factory.mktemp("punning-out"))


@pytest.fixture(scope="session")
def unsatisfiable_report(tmp_path_factory):
    return reason(fixture_project("unsatisfiable"), output_dir=tmp_path_factory.mktemp("unsat-out"))


@pytest.fixture
def private_tempdir(tmp_path, monkeypatch) -> Path:
    """Point the tempfile module at an empty folder, so that files left behind can be seen."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# ---------------------------------------------------------------------------------------------
# the real project


def test_real_ontology_is_consistent_without_unsatisfiable_classes(real_tbox_report):
    report = real_tbox_report
    assert report.consistent, report.hints
    assert report.unsatisfiable == []
    assert report.ok
    assert report.n_classes > 0 and report.n_triples > 0
    assert report.java_version
    assert report.files[0].name == "exo.ttl"
    assert not any(f.parent.name == "instances" for f in report.files)
    assert report.hierarchy_file is None


def test_real_knowledge_graph_is_consistent(real_runs):
    report = real_runs[0]
    assert report.consistent, "HermiT: the knowledge graph is inconsistent. Likely causes:\n" + "\n".join(report.hints)
    assert report.unsatisfiable == [], report.unsatisfiable
    assert report.include_instances


def test_real_hierarchy_is_deterministic(real_runs):
    first, second = (r.hierarchy_file for r in real_runs)
    assert first is not None and second is not None
    assert first.name == HIERARCHY_FILE
    assert first.read_bytes() == second.read_bytes()
    # written atomically: nothing but the file is left in the folder
    assert [p.name for p in first.parent.iterdir()] == [HIERARCHY_FILE]


def test_real_hierarchy_holds_the_asserted_named_hierarchy(real_project, real_runs):
    hierarchy = parse_turtle(real_runs[0].hierarchy_file)
    tbox = parse_turtle(real_project.ontology_file)
    asserted = {
        (s, o) for s, o in tbox.subject_objects(RDFS.subClassOf) if isinstance(s, URIRef) and isinstance(o, URIRef)
    }
    assert asserted
    missing = {pair for pair in asserted if (pair[0], RDFS.subClassOf, pair[1]) not in hierarchy}
    assert not missing
    assert set(hierarchy.predicates()) == {RDFS.subClassOf}


# ---------------------------------------------------------------------------------------------
# punning: instance data pointing at external class IRIs


def test_punning_is_consistent(punning_report):
    assert punning_report.consistent, punning_report.hints
    assert punning_report.unsatisfiable == []


def test_punned_class_iri_is_used_as_an_individual_by_hermit(punning_report):
    # MouseAlzheimerFinding has hasDisease value MONDO:0004975 (the class IRI used as an individual);
    # AlzheimerFinding is defined by that value, so the subsumption needs the punning to survive.
    assert (str(EX.MouseAlzheimerFinding), str(EX.AlzheimerFinding)) in punning_report.inferred_subclass_axioms
    assert (str(EX.AlzheimerFinding), str(EXO_FINDING)) in punning_report.inferred_subclass_axioms


def test_inferred_axioms_exclude_asserted_ones(punning_report):
    assert (str(EX.MouseAlzheimerFinding), str(EXO_FINDING)) not in punning_report.inferred_subclass_axioms
    assert (str(MONDO["0004975"]), str(MONDO["0005071"])) not in punning_report.inferred_subclass_axioms
    assert punning_report.inferred_subclass_axioms == sorted(punning_report.inferred_subclass_axioms)


def test_hierarchy_has_asserted_import_and_inferred_links(punning_report):
    g = parse_turtle(punning_report.hierarchy_file)
    assert (MONDO["0004975"], RDFS.subClassOf, MONDO["0005071"]) in g  # from the import module
    assert (EX.MouseAlzheimerFinding, RDFS.subClassOf, EX.AlzheimerFinding) in g  # inferred
    assert (EX.MouseAlzheimerFinding, RDFS.subClassOf, EXO_FINDING) in g  # asserted


def test_punning_fixture_counts(punning_report):
    assert punning_report.n_individuals == 1
    assert punning_report.n_classes == 6
    assert [f.name for f in punning_report.files] == ["exo.ttl", "mondo.ttl", "findings.ttl"]


# ---------------------------------------------------------------------------------------------
# inconsistency and unsatisfiable classes


def test_inconsistent_instances(tmp_path, private_tempdir):
    out = tmp_path / "out"
    out.mkdir()
    (out / HIERARCHY_FILE).write_text("stale\n", encoding="utf-8")

    report = reason(fixture_project("inconsistent"), output_dir=out)

    assert report.consistent is False
    assert not report.ok
    assert report.unsatisfiable == [] and report.inferred_subclass_axioms == []
    assert report.hierarchy_file is None
    assert not (out / HIERARCHY_FILE).exists(), "a stale hierarchy must not survive an inconsistent run"
    assert any("exod:model-1" in h and "disjoint" in h for h in report.hints), report.hints
    # owlready2 leaves its copy of the ontology behind when HermiT finds an inconsistency
    assert list(private_tempdir.iterdir()) == []


def test_inconsistent_fixture_tbox_alone_is_consistent():
    report = reason(fixture_project("inconsistent"), include_instances=False)
    assert report.consistent and report.ok


def test_unsatisfiable_classes_are_listed_with_labels(unsatisfiable_report):
    report = unsatisfiable_report
    assert report.consistent
    assert not report.ok
    assert report.unsatisfiable == [
        ClassTerm(str(EX.Hybrid), "hybrid model"),
        ClassTerm(str(EX.HybridMouse), None),
    ]
    assert all(sub not in {str(EX.Hybrid), str(EX.HybridMouse)} for sub, _ in report.inferred_subclass_axioms)


def test_unsatisfiable_classes_sit_under_nothing_in_the_hierarchy(unsatisfiable_report):
    g = parse_turtle(unsatisfiable_report.hierarchy_file)
    assert (EX.Hybrid, RDFS.subClassOf, OWL.Nothing) in g
    assert (EX.Organoid, RDFS.subClassOf, OWL.Nothing) not in g


def test_language_tagged_and_untyped_values_outside_the_range(private_tempdir):
    report = reason(fixture_project("langstring"))
    assert report.consistent is False
    text = "\n".join(report.hints)
    assert "exod:statement-1 exo:principle" in text and "rdf:langString" in text
    assert "exod:study-1 exo:participantCount" in text and "xsd:integer" in text
    assert list(private_tempdir.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# input errors


def test_broken_turtle_names_the_file():
    with pytest.raises(InputError) as info:
        reason(fixture_project("broken"))
    assert Path(info.value.path).name == "broken.ttl"
    assert info.value.line == 4
    assert "broken.ttl:4" in str(info.value)


def test_broken_instances_are_ignored_without_instances():
    report = reason(fixture_project("broken"), include_instances=False)
    assert report.consistent


def test_ill_typed_literal_names_the_file_and_line():
    with pytest.raises(InputError) as info:
        reason(fixture_project("ill-typed"))
    assert Path(info.value.path).name == "studies.ttl"
    assert info.value.line == 7
    assert '"twelve"^^xsd:integer' in str(info.value)


def test_unsupported_datatype_is_a_plain_error(private_tempdir):
    with pytest.raises(ExoError) as info:
        reason(fixture_project("unsupported-datatype"))
    message = str(info.value)
    assert "OWL 2 datatype map" in message
    assert "studies.ttl" in message and "exo:followUp" in message and "xsd:date" in message
    assert "Traceback" not in message and "\tat " not in message
    assert list(private_tempdir.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Java


def test_missing_java_is_a_plain_error(no_java, tmp_path):
    with pytest.raises(ExoError) as info:
        reason(fixture_project("punning"), output_dir=tmp_path / "out")
    assert str(info.value) == JAVA_MISSING
    assert info.value.exit_code == 2
    assert not (tmp_path / "out").exists()


def test_missing_configured_java_path_is_a_plain_error(no_java, monkeypatch, tmp_path):
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", str(tmp_path / "no-such-jdk" / "bin" / "java"))
    with pytest.raises(ExoError, match="Java was not found"):
        find_java()


def test_java_home_is_used_when_java_is_not_on_path(no_java, monkeypatch):
    assert SYSTEM_JAVA, "these tests need a Java runtime on PATH"
    real_java = Path(SYSTEM_JAVA).resolve()
    monkeypatch.setenv("JAVA_HOME", str(real_java.parent.parent))
    assert Path(find_java()).resolve() == real_java
