"""idcheck: external ids in the project's sources, checked against the shared tables.

The fixture project in resources/idcheck holds a known-good id of each kind, an unknown id
(CL:9999999), obsolete ids (MONDO:0000016, replaced by MONDO:0005010; GO:0005623 without replacement),
an unconfirmed ChEBI id (CHEBI:45783, absent from the ChEBI subset) and unknown prefixes.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RESOURCES, SHARED

FIXTURE = RESOURCES / "idcheck"
TERMCHECK = SHARED / "tools" / "termcheck.py"


@pytest.fixture(scope="module")
def fixture_project():
    from exo_rdf.project import Project

    return Project.at(FIXTURE)


@pytest.fixture(scope="module")
def report(fixture_project, term_index):
    from exo_rdf.idcheck import check_ids

    return check_ids(fixture_project, index=term_index)


def line_of(relpath: str, needle: str) -> int:
    """The first line of a fixture file that contains ``needle`` (so tests do not hard-code lines)."""
    for number, line in enumerate((FIXTURE / relpath).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {relpath}")


def by_id(problems):
    return {(p.curie, str(p.path)): p for p in problems}


def test_scans_the_editable_sources_not_the_imports(report):
    assert [str(f) for f in report.files] == [
        "ontology/exo.ttl",
        "instances/sample.ttl",
        "shapes/sample.shapes.ttl",
        "queries/cq/cq-01-sample.rq",
        "curation/sample.yaml",
    ]
    assert "CL:8888888" not in report.ids  # only in ontology/imports/


def test_known_ids_in_every_form_pass(report):
    known = {
        "CL:0002570",
        "CL:0000134",
        "CL:0000000",
        "UBERON:0002371",
        "GO:0070062",
        "BFO:0000040",
        "HGNC:5464",
        "HGNC:6018",
        "CVCL_0481",
        "CVCL_0468",
        "MIMAT0000076",
        "MIMAT0002809",
        "NCBITaxon:10116",
        "ECO:0000269",
        "IAO:0000115",
    }
    assert known <= set(report.ids)
    flagged = {p.curie for p in report.problems}
    assert not known & flagged


def test_full_iris_are_read_as_ids(report):
    # the HGNC IRI carries only the number; Cellosaurus and miRBase IRIs carry the accession
    assert report.ids["HGNC:6018"] == 1
    assert report.ids["CVCL_0468"] == 1 and report.ids["MIMAT0002809"] == 1
    assert report.ids["UBERON:0002371"] == 3  # OBO PURL in exo.ttl, CURIEs in .rq and .yaml


def test_unknown_id_names_file_and_line(report):
    (problem,) = report.unknown
    assert (problem.curie, str(problem.path)) == ("CL:9999999", "instances/sample.ttl")
    assert problem.line == line_of("instances/sample.ttl", "CL:9999999")
    assert problem.severity == "error"
    assert str(problem).startswith(f"instances/sample.ttl:{problem.line}: unknown id CL:9999999")


def test_obsolete_ids_suggest_the_replacement(report):
    found = by_id(report.obsolete)
    assert set(found) == {
        ("MONDO:0000016", "instances/sample.ttl"),
        ("MONDO:0000016", "curation/sample.yaml"),
        ("GO:0005623", "ontology/exo.ttl"),
    }
    mondo = found[("MONDO:0000016", "curation/sample.yaml")]
    assert mondo.line == line_of("curation/sample.yaml", "MONDO:0000016")
    assert (mondo.label, mondo.replaced_by, mondo.replaced_by_label) == (
        "obsolete coronary heart disease",
        "MONDO:0005010",
        "coronary artery disorder",
    )
    assert "replace with MONDO:0005010 'coronary artery disorder'" in mondo.message
    go = found[("GO:0005623", "ontology/exo.ttl")]
    assert go.replaced_by is None and go.line == line_of("ontology/exo.ttl", "GO_0005623")


def test_subset_table_gives_unconfirmed_warnings(report):
    found = by_id(report.unconfirmed)
    assert set(found) == {("CHEBI:45783", "queries/cq/cq-01-sample.rq"), ("CHEBI:45783", "curation/sample.yaml")}
    assert all(p.severity == "warning" for p in report.unconfirmed)
    assert found[("CHEBI:45783", "queries/cq/cq-01-sample.rq")].line == line_of(
        "queries/cq/cq-01-sample.rq", "CHEBI:45783"
    )


def test_unknown_prefixes(report):
    found = by_id(report.unknown_prefix)
    assert set(found) == {("MESH:D009369", "curation/sample.yaml"), ("HP_0000118", "instances/sample.ttl")}
    assert found[("MESH:D009369", "curation/sample.yaml")].line == line_of("curation/sample.yaml", "MESH:")
    assert found[("HP_0000118", "instances/sample.ttl")].line == line_of("instances/sample.ttl", "HP_0000118")


def test_report_fails_on_errors_not_on_warnings(report):
    assert not report.ok
    assert {p.kind for p in report.errors} == {"unknown", "obsolete", "unknown-prefix"}
    assert {p.kind for p in report.warnings} == {"unconfirmed"}
    assert report.problems == sorted(report.problems, key=lambda p: (str(p.path), p.line, p.kind, p.curie))


def test_agrees_with_termcheck(fixture_project, report):
    """Same verdicts as shared/tools/termcheck.py on the same files, for the id spaces it checks."""
    from exo_rdf.idcheck import TERMCHECK_SPACES, source_files
    from exo_rdf.namespaces import id_space

    files = [str(f) for f in source_files(fixture_project)]
    run = subprocess.run([sys.executable, str(TERMCHECK), *files], capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stderr  # 1: unknown or obsolete ids found
    verdicts: dict[str, set[str]] = {"UNKNOWN": set(), "OBSOLETE": set(), "unconfirmed": set()}
    for line in run.stdout.splitlines():
        m = re.match(r"(UNKNOWN|OBSOLETE|unconfirmed) (\S+)", line)
        if m:
            verdicts[m.group(1)].add(m.group(2))
    seen = re.search(r"termcheck: (\d+) external ids", run.stdout)

    def ours(problems):
        return {p.curie for p in problems if id_space(p.curie) in TERMCHECK_SPACES}

    assert verdicts["UNKNOWN"] == ours(report.unknown) == {"CL:9999999"}
    assert verdicts["OBSOLETE"] == ours(report.obsolete) == {"MONDO:0000016", "GO:0005623"}
    assert verdicts["unconfirmed"] == ours(report.unconfirmed) == {"CHEBI:45783"}
    # termcheck does not read HGNC IRIs nor IAO ids; everything else it saw, we saw too
    ours_seen = {c for c in report.ids if id_space(c) in TERMCHECK_SPACES} - {"HGNC:6018"}
    assert int(seen.group(1)) == len(ours_seen)


def test_agrees_with_termcheck_on_the_real_project(project, term_index):
    """No id of the real sources gets a different verdict from the two tools."""
    from exo_rdf.idcheck import TERMCHECK_SPACES, check_ids, source_files
    from exo_rdf.namespaces import id_space

    report = check_ids(project, index=term_index)
    files = [str(f) for f in source_files(project)]
    run = subprocess.run([sys.executable, str(TERMCHECK), *files], capture_output=True, text=True, timeout=600)
    flagged = {m.group(2) for m in re.finditer(r"^(UNKNOWN|OBSOLETE|unconfirmed) (\S+)", run.stdout, re.M)}
    ours = {
        p.curie for p in report.unknown + report.obsolete + report.unconfirmed if id_space(p.curie) in TERMCHECK_SPACES
    }
    assert flagged == ours


def test_paths_limit_the_scan(fixture_project, term_index):
    from exo_rdf.idcheck import check_ids

    report = check_ids(fixture_project, [FIXTURE / "queries"], index=term_index)
    assert [str(f) for f in report.files] == ["queries/cq/cq-01-sample.rq"]
    assert report.ok and [p.curie for p in report.unconfirmed] == ["CHEBI:45783"]


def test_undeclared_noncanonical_prefix_in_sparql(tmp_path, term_index):
    from exo_rdf.idcheck import scan_files

    query = tmp_path / "q.rq"
    query.write_text(
        '# ex:comment is ignored, so is <http://example.org/a:b> and "x:y"\n'
        "PREFIX schema: <https://schema.org/>\n"
        'SELECT ?x WHERE { ?x schema:name "a:b" ; mesh:D001 ?y ; rdfs:label ?l }\n',
        encoding="utf-8",
    )
    scan = scan_files([query])
    assert [(o.curie, o.line) for o in scan.unknown_prefixes] == [("mesh:D001", 3)]


def test_yaml_syntax_error_names_the_line(tmp_path, term_index):
    from exo_rdf.errors import InputError
    from exo_rdf.idcheck import scan_files

    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [CL:0000134\nc: 2\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        scan_files([bad])
    assert err.value.path == str(bad) and err.value.line is not None


def test_missing_path_is_an_input_error(fixture_project, term_index):
    from exo_rdf.errors import InputError
    from exo_rdf.idcheck import check_ids

    with pytest.raises(InputError, match="not found"):
        check_ids(fixture_project, [Path(FIXTURE / "nowhere.ttl")], index=term_index)
