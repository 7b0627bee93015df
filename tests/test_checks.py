"""QC checks: each fixture under tests/resources/checks makes its check fire (and no other), a clean
fixture passes everything, the file-level prefix checks report file and line, and the real project
passes every error-severity check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exo_rdf.errors import ExoError
from exo_rdf.graph import load_store
from exo_rdf.project import Project
from exo_rdf.qc import (
    ERROR,
    FILE_CHECKS,
    CheckResult,
    exit_code,
    format_report,
    list_checks,
    run_checks,
    undeclared_prefixes,
)
from exo_rdf.query import load_queries, run_query

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = Path(__file__).resolve().parent / "resources" / "checks"
CHECKS = load_queries(ROOT / "queries" / "checks")
CHECK_IDS = [q.id for q in CHECKS]
FILE_CHECK_IDS = [c.id for c in FILE_CHECKS]
#: Fixtures that bring their own (defective) ontology header instead of header.ttl.
OWN_HEADER = {
    "missing-ontology-license-violation",
    "missing-ontology-title-violation",
    "missing-ontology-description-violation",
}

# fixture stem -> (check that must fire, expected number of rows, a value that must appear in some row)
GRAPH_FIXTURES = {
    "missing-label-violation": ("missing-label-violation", 2, "https://w3id.org/exo-rdf/ontology/untagged"),
    "multiple-labels-violation": ("multiple-labels-violation", 1, "en"),
    "missing-definition-violation": ("missing-definition-violation", 1, "https://w3id.org/exo-rdf/ontology/Undefined"),
    "multiple-definitions-violation": (
        "multiple-definitions-violation",
        1,
        "https://w3id.org/exo-rdf/ontology/TwiceDefined",
    ),
    "duplicate-label-violation": ("duplicate-label-violation", 1, "https://w3id.org/exo-rdf/ontology/agent"),
    "duplicate-definition-violation": (
        "duplicate-definition-violation",
        1,
        "https://w3id.org/exo-rdf/ontology/CopyTwo",
    ),
    "label-whitespace-violation": ("label-whitespace-violation", 3, "repeated whitespace"),
    "missing-ontology-license-violation": ("missing-ontology-license-violation", 1, "no dcterms:license"),
    "missing-ontology-license-violation--literal": (
        "missing-ontology-license-violation",
        1,
        "dcterms:license is not an IRI",
    ),
    "missing-ontology-title-violation": ("missing-ontology-title-violation", 1, "https://w3id.org/exo-rdf/ontology"),
    "missing-ontology-description-violation": (
        "missing-ontology-description-violation",
        1,
        "https://w3id.org/exo-rdf/ontology",
    ),
    "deprecated-reference-violation": (
        "deprecated-reference-violation",
        2,
        "https://w3id.org/exo-rdf/data/statement-9",
    ),
    "malformed-obo-iri-violation": ("malformed-obo-iri-violation", 3, "https://purl.obolibrary.org/obo/CL_0000134"),
    "missing-superclass-violation": ("missing-superclass-violation", 2, "https://w3id.org/exo-rdf/ontology/TopLevel"),
    "missing-defined-by-violation": ("missing-defined-by-violation", 2, "https://w3id.org/exo-rdf/ontology/"),
    # curation conventions (curation/README.md)
    "animal-model-unspecified-violation": (
        "animal-model-unspecified-violation",
        6,
        "experimental model of type I diabetes",
    ),
    "clinical-evidence-unspecified-violation": ("clinical-evidence-unspecified-violation", 1, "human clinical trials"),
    "effect-disease-not-recorded-violation": (
        "effect-disease-not-recorded-violation",
        1,
        "http://purl.obolibrary.org/obo/MONDO_0000494",
    ),
    "family-name-without-id-violation": ("family-name-without-id-violation", 2, "Akt"),
    "emphasis-not-recorded-violation": ("emphasis-not-recorded-violation", 1, "https://w3id.org/exo-rdf/data/fact-e1"),
    "one-sentence-two-kinds-violation": (
        "one-sentence-two-kinds-violation",
        1,
        "https://w3id.org/exo-rdf/data/fact-m1",
    ),
    "component-role-without-function-violation": (
        "component-role-without-function-violation",
        1,
        "https://w3id.org/exo-rdf/data/fact-r1",
    ),
    "cross-organ-process-missing-violation": (
        "cross-organ-process-missing-violation",
        1,
        "https://w3id.org/exo-rdf/data/finding-p1",
    ),
}


def fired(store) -> dict[str, list[dict]]:
    """Check id -> rows, for the SPARQL checks that return rows on this store."""
    out = {}
    for query in CHECKS:
        rows = run_query(store, query).rows
        if rows:
            out[query.id] = rows
    return out


def plain(rows) -> set[str]:
    return {v.value for row in rows for v in row.values() if v is not None}


def fixture_store(stem: str):
    check = stem.split("--")[0]
    files = [RESOURCES / "base.ttl", RESOURCES / f"{stem}.ttl"]
    if check not in OWN_HEADER:
        files.insert(0, RESOURCES / "header.ttl")
    return load_store(files)


def make_project(tmp_path: Path, *, extra: dict[str, Path] | None = None) -> Project:
    """A throwaway project: header.ttl + base.ttl as its ontology, the real checks, plus extra files."""
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "exo.ttl").write_text(
        (RESOURCES / "header.ttl").read_text(encoding="utf-8")
        + "\n"
        + (RESOURCES / "base.ttl").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    shutil.copytree(ROOT / "queries" / "checks", tmp_path / "queries" / "checks")
    for relative, source in (extra or {}).items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return Project.at(tmp_path)


def test_every_check_has_a_firing_fixture():
    covered = {spec[0] for spec in GRAPH_FIXTURES.values()}
    assert covered == set(CHECK_IDS), "add a fixture to tests/resources/checks for each new check"
    for stem in GRAPH_FIXTURES:
        assert (RESOURCES / f"{stem}.ttl").is_file()
    for check in FILE_CHECK_IDS:
        assert (RESOURCES / f"{check}.ttl").is_file() and (RESOURCES / f"{check}.rq").is_file()


def test_clean_fixture_passes_every_graph_check():
    store = load_store([RESOURCES / "header.ttl", RESOURCES / "base.ttl"])
    assert fired(store) == {}


@pytest.mark.parametrize("stem", sorted(GRAPH_FIXTURES))
def test_fixture_fires_its_check_and_no_other(stem):
    check, count, value = GRAPH_FIXTURES[stem]
    hits = fired(fixture_store(stem))
    assert set(hits) == {check}
    assert len(hits[check]) == count
    assert value in plain(hits[check])


def test_animal_model_check_reads_study_report_sentences_and_routes():
    rows = fired(fixture_store("animal-model-unspecified-violation"))["animal-model-unspecified-violation"]
    by_model = {row["model"].value.rsplit("/", 1)[-1]: row["text"].value for row in rows}
    assert set(by_model) == {
        "finding-a1-model-unspecified",
        "finding-a2-model-unspecified",
        "finding-a3-model-unspecified",
        "finding-a4-model-unspecified",
        "finding-a5-model-unspecified",
        "finding-a6-model-unspecified",
    }
    assert by_model["finding-a3-model-unspecified"] == "sentence: in vivo"
    assert by_model["finding-a4-model-unspecified"] == "sentence: injection of concanavalin A"
    assert set(by_model["finding-a5-model-unspecified"].split(" | ")) == {
        "sentence: intravenous",
        "route: IntravenousRoute",
    }
    assert by_model["finding-a6-model-unspecified"] == "route: IntranasalRoute"


def test_missing_superclass_exempts_deprecated_and_equivalent_classes():
    rows = fired(fixture_store("missing-superclass-violation"))["missing-superclass-violation"]
    classes = plain(rows)
    assert "https://w3id.org/exo-rdf/ontology/Orphan" in classes
    assert "https://w3id.org/exo-rdf/ontology/RetiredOrphan" not in classes
    assert "https://w3id.org/exo-rdf/ontology/Direction" not in classes


def test_deprecated_reference_reports_replacement_not_own_triples():
    rows = fired(fixture_store("deprecated-reference-violation"))["deprecated-reference-violation"]
    assert {r["subject"].value for r in rows} == {
        "https://w3id.org/exo-rdf/ontology/ChildOfOld",
        "https://w3id.org/exo-rdf/data/statement-9",
    }
    assert {r["replacement"].value for r in rows} == {"https://w3id.org/exo-rdf/ontology/NewThing"}


def test_malformed_obo_iris_accept_canonical_forms():
    rows = fired(fixture_store("malformed-obo-iri-violation"))["malformed-obo-iri-violation"]
    iris = {r["iri"].value for r in rows}
    assert iris == {
        "https://purl.obolibrary.org/obo/CL_0000134",
        "http://purl.obolibrary.org/obo/CL:0000057",
        "http://purl.obolibrary.org/CL_0000236",
    }


def test_run_checks_with_given_store_and_selection():
    store = fixture_store("missing-label-violation")
    results = run_checks(Project(ROOT), store, only=["missing-label-violation", "missing-definition-violation"])
    by_id = {r.id: r for r in results}
    assert set(by_id) == {"missing-label-violation", "missing-definition-violation"}
    assert not by_id["missing-label-violation"].passed and by_id["missing-definition-violation"].passed
    assert by_id["missing-label-violation"].severity == ERROR
    assert by_id["missing-label-violation"].fix
    assert exit_code(results) == 1
    report = format_report(results)
    assert "FAIL" in report and "fix:" in report and "exo:Unlabelled" in report
    data = by_id["missing-label-violation"].to_dict()
    assert data["passed"] is False and data["rows"][0]["term"].startswith("https://w3id.org/exo-rdf/ontology/")


def test_unknown_check_id_is_an_error():
    with pytest.raises(ExoError, match="unknown check"):
        run_checks(Project(ROOT), load_store([]), only=["no-such-violation"])


def test_warnings_do_not_fail():
    warning = CheckResult("w", "warning", "s", "f", [{"class": None}])
    assert not warning.passed and exit_code([warning]) == 0


def test_list_checks_covers_sparql_and_file_checks():
    ids = {c["id"] for c in list_checks(Project(ROOT))}
    assert ids == set(CHECK_IDS) | set(FILE_CHECK_IDS)


# --- file-level prefix checks --------------------------------------------------------------------


def test_clean_project_passes_every_check(tmp_path):
    results = run_checks(make_project(tmp_path))
    assert [r.id for r in results if not r.passed] == []
    assert exit_code(results) == 0


def test_undeclared_prefix_is_reported_with_file_and_line(tmp_path):
    project = make_project(
        tmp_path,
        extra={
            "instances/bad.ttl": RESOURCES / "undeclared-prefix-violation.ttl",
            "queries/cq/bad.rq": RESOURCES / "undeclared-prefix-violation.rq",
        },
    )
    results = {r.id: r for r in run_checks(project)}  # must not raise although bad.ttl cannot be parsed
    rows = results["undeclared-prefix-violation"].rows
    found = {(r["file"], r["line"], r["problem"].split("'")[1]) for r in rows}
    assert found == {
        ("instances/bad.ttl", 9, "CL:"),
        ("instances/bad.ttl", 10, "UBERON:"),
        ("queries/cq/bad.rq", 10, "exo:"),
    }
    assert results["noncanonical-prefix-violation"].passed
    # The graph checks still ran, without the unreadable file, and say so.
    graph_results = [r for r in results.values() if r.kind == "sparql"]
    assert graph_results and all(r.passed for r in graph_results)
    assert "instances/bad.ttl" in graph_results[0].note
    assert exit_code(results.values()) == 1


def test_noncanonical_prefix_is_reported_with_file_and_line(tmp_path):
    project = make_project(
        tmp_path,
        extra={
            "instances/odd.ttl": RESOURCES / "noncanonical-prefix-violation.ttl",
            "queries/cq/odd.rq": RESOURCES / "noncanonical-prefix-violation.rq",
        },
    )
    results = {r.id: r for r in run_checks(project)}
    rows = results["noncanonical-prefix-violation"].rows
    assert {(r["file"], r["line"]) for r in rows} == {
        ("instances/odd.ttl", 6),
        ("instances/odd.ttl", 7),
        ("queries/cq/odd.rq", 5),
    }
    assert any("canonically 'CL'" in r["problem"] for r in rows)
    assert results["undeclared-prefix-violation"].passed
    assert [r.id for r in results.values() if not r.passed] == ["noncanonical-prefix-violation"]


def test_other_syntax_errors_still_raise(tmp_path):
    project = make_project(tmp_path)
    (tmp_path / "instances").mkdir()
    (tmp_path / "instances" / "broken.ttl").write_text(
        "@prefix exod: <https://w3id.org/exo-rdf/data/> .\nexod:a exod:b \n", encoding="utf-8"
    )
    with pytest.raises(ExoError, match="broken.ttl"):
        run_checks(project)


def test_undeclared_prefix_scanner_ignores_strings_iris_comments_and_blank_nodes():
    text = (
        "@prefix ex: <http://example.org/> .\n"
        "# foo:bar in a comment\n"
        'ex:a ex:b "bar:baz" , """multi\nline qux:x""" , <http://x.org/a:b> , _:b0 .\n'
        "ex:c ex:d ex: ; ex:e 12 .\n"
        "ex:f ex:g zz:h .\n"
    )
    assert undeclared_prefixes(text) == [(6, "zz")]
    sparql = 'PREFIX ex: <http://e/>\nSELECT ?x WHERE { ?x ex:p ?y FILTER(?y < 3 && ?x != ex:q) . ?x foaf:name "a:b" }'
    assert undeclared_prefixes(sparql) == [(2, "foaf")]


# --- the real project ----------------------------------------------------------------------------


def test_real_project_passes_every_error_check():
    results = run_checks(Project.at(ROOT))
    failed = [r for r in results if r.failed_error]
    assert not failed, format_report(failed)
