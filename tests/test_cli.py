"""The exo-rdf command line: every verb is listed with help and examples; exit codes are 0 ok, 1 data
problems, 2 usage or input errors; errors are plain messages naming the file and line, never tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import stat

import pytest
from click.testing import CliRunner

from conftest import ROOT

VERBS = [
    "build",
    "check",
    "curate",
    "fmt",
    "imports",
    "merge",
    "query",
    "reason",
    "serve",
    "stats",
    "terms",
    "validate",
]


def run(*args):
    from exo_rdf.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_help_lists_every_verb_with_examples():
    res = run("--help")
    assert res.exit_code == 0
    for verb in VERBS:
        assert f"  {verb}" in res.output
    for verb in VERBS:
        sub = run(verb, "--help")
        assert sub.exit_code == 0, verb
        assert "Example" in sub.output or verb == "terms", verb


def test_stats_text_and_json():
    res = run("--root", str(ROOT), "stats")
    assert res.exit_code == 0 and "findings" in res.output and "by knowledge level" in res.output
    data = json.loads(run("--root", str(ROOT), "stats", "--format", "json").output)
    assert data["findings"] > 100 and set(data["by_paper"]) == {"000_ce72def646c3ad8d.txt", "001_989965261ed955c0.txt"}
    assert (
        data["claims"] > 0 and data["conflicts"] > 0 and "conflicts with another statement" in data["by_curation_flag"]
    )


def test_validate_real_project_conforms():
    res = run("--root", str(ROOT), "validate", "--violations-only")
    assert res.exit_code == 0 and "conforms" in res.output


def test_query_list_run_and_errors(tmp_path):
    res = run("--root", str(ROOT), "query", "--list")
    assert res.exit_code == 0 and "cq-01-parkinson-neurite-mirna" in res.output
    res = run("--root", str(ROOT), "query", "cq-01-parkinson-neurite-mirna", "--format", "csv")
    assert res.exit_code == 0 and "hsa-miR-133b" in res.output
    res = run("--root", str(ROOT), "query", "no-such-question")
    assert res.exit_code == 2 and "unknown query" in res.output
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE { ?x ?p }\n", encoding="utf-8")
    res = run("--root", str(ROOT), "query", str(bad))
    assert res.exit_code == 2 and "bad.rq" in res.output and "Traceback" not in res.output
    res = run("--root", str(ROOT), "query")
    assert res.exit_code == 2


def test_query_data_option_runs_on_given_files(tmp_path):
    """--data replaces the project graph: a merged-graph question found by id runs over the given files only."""
    data = tmp_path / "tiny.nt"
    exo, obo = "https://w3id.org/exo-rdf/ontology/", "http://purl.obolibrary.org/obo/"
    data.write_text(
        f"<https://w3id.org/exo-rdf/data/finding/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{exo}Finding> .\n"
        f"<https://w3id.org/exo-rdf/data/finding/x> <{exo}hasDisease> <{obo}MONDO_0004975> .\n"
        f"<{obo}MONDO_0004975> <http://www.w3.org/2004/02/skos/core#broader> <{obo}MONDO_0005559> .\n"
        f"<https://w3id.org/exo-rdf/data/finding/x> <{exo}hasQuote> <https://w3id.org/exo-rdf/data/q> .\n"
        f"<https://w3id.org/exo-rdf/data/q> <http://www.w3.org/ns/oa#hasSource> <https://w3id.org/exo-rdf/data/s> .\n"
        f'<https://w3id.org/exo-rdf/data/s> <{exo}seedFile> "000.txt" .\n'
        f"<https://w3id.org/exo-rdf/data/q> <{exo}inSection> <https://w3id.org/exo-rdf/data/sec> .\n"
        f'<https://w3id.org/exo-rdf/data/sec> <http://www.w3.org/2000/01/rdf-schema#label> "Intro" .\n',
        encoding="utf-8",
    )
    res = run(
        "--root",
        str(ROOT),
        "query",
        "merged-neurodegenerative-disease-findings",
        "--data",
        str(data),
        "--format",
        "csv",
    )
    assert res.exit_code == 0, res.output
    rows = res.output.strip().splitlines()
    assert len(rows) == 2 and rows[1].startswith("https://w3id.org/exo-rdf/data/finding/x,")
    bad = tmp_path / "bad.nt"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    res = run("--root", str(ROOT), "query", "merged-neurodegenerative-disease-findings", "--data", str(bad))
    assert res.exit_code == 2 and "bad.nt" in res.output and "Traceback" not in res.output


@pytest.fixture
def broken_project(tmp_project):
    """A project whose instance data has a syntax error on line 3."""
    (tmp_project.instances_dir / "x.ttl").write_text(
        "@prefix exo: <https://w3id.org/exo-rdf/ontology/> .\n\nexo:a exo:b ;\n", encoding="utf-8"
    )
    return tmp_project


@pytest.mark.parametrize("verb", [["validate"], ["build"], ["stats"]])
def test_unparseable_input_names_file_and_line(broken_project, verb):
    res = run("--root", str(broken_project.root), *verb)
    assert res.exit_code == 2, res.output
    assert "x.ttl" in res.output and "Traceback" not in res.output


def test_undeclared_prefix_is_an_error_never_a_new_iri(tmp_project):
    (tmp_project.instances_dir / "y.ttl").write_text("foo:a foo:b foo:c .\n", encoding="utf-8")
    res = run("--root", str(tmp_project.root), "validate")
    assert res.exit_code == 2 and "y.ttl:1" in res.output and "foo" in res.output


def test_missing_folders_are_reported_plainly(tmp_path):
    res = run("--root", str(tmp_path), "validate")
    assert res.exit_code == 2 and "not an exo-rdf project" in res.output
    (tmp_path / "ontology").mkdir()
    shutil.copy(ROOT / "ontology" / "exo.ttl", tmp_path / "ontology" / "exo.ttl")
    res = run("--root", str(tmp_path), "validate")
    assert res.exit_code == 2 and "no instance data" in res.output


def test_validate_exit_1_on_violation(tmp_project):
    shutil.copy(ROOT / "tests" / "resources" / "shapes" / "valid.ttl", tmp_project.instances_dir / "data.ttl")
    assert run("--root", str(tmp_project.root), "validate").exit_code == 0
    text = (tmp_project.instances_dir / "data.ttl").read_text(encoding="utf-8")
    # without participants a clinical study is only a warning; zero participants is a violation
    (tmp_project.instances_dir / "data.ttl").write_text(text.replace("exo:participantCount 9 ;", ""), encoding="utf-8")
    assert run("--root", str(tmp_project.root), "validate").exit_code == 0
    (tmp_project.instances_dir / "data.ttl").write_text(
        text.replace("exo:participantCount 9 ;", "exo:participantCount 0 ;"), encoding="utf-8"
    )
    res = run("--root", str(tmp_project.root), "validate")
    assert res.exit_code == 1 and "participants" in res.output


def test_fmt_check_exit_codes(tmp_project):
    assert run("--root", str(tmp_project.root), "fmt", "--check").exit_code == 0
    with tmp_project.ontology_file.open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment that is not canonical\n")
    res = run("--root", str(tmp_project.root), "fmt", "--check")
    assert res.exit_code == 1 and "exo.ttl" in res.output
    old = os.umask(0o077)
    try:
        assert run("--root", str(tmp_project.root), "fmt").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(tmp_project.ontology_file.stat().st_mode) == 0o644
    assert run("--root", str(tmp_project.root), "fmt", "--check").exit_code == 0


def test_terms_search_and_lookup():
    res = run("--root", str(ROOT), "terms", "search", "Wharton's jelly")
    assert res.exit_code == 0 and "CL:0002568" in res.output
    res = run("--root", str(ROOT), "terms", "search", "CL:0002570")
    assert res.exit_code == 0 and "mesenchymal stem cell of adipose tissue" in res.output and "CL:0000134" in res.output
    assert run("--root", str(ROOT), "terms", "search", "zzqx no such term zzqx").exit_code == 1


@pytest.mark.slow
def test_check_without_reasoner_passes_on_the_real_project():
    res = run("--root", str(ROOT), "check", "--skip", "reasoner")
    assert res.exit_code == 0, res.output
    for step in ("ids", "curation", "format", "qc", "shacl"):
        assert f"ok     {step}" in res.output


def test_a_reader_that_stops_reading_ends_the_command_quietly():
    """`exo-rdf terms search ... | head -1`: the closed pipe is no internal error and no traceback."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "exo_rdf", "--root", str(ROOT), "terms", "search", "cell", "--limit", "500"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line is written: every write fails
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=300) == 0, err
    assert "internal error" not in err and "Traceback" not in err and "BrokenPipe" not in err, err


def test_stats_count_no_withdrawn_statement():
    """Findings + facts of `exo-rdf stats` are the live statements: typed exo:Finding or a subclass of
    exo:Fact in the instance data; withdrawn (and re-typed) records are left out."""
    import rdflib

    onto = rdflib.Graph().parse(ROOT / "ontology" / "exo.ttl")
    exo = rdflib.Namespace("https://w3id.org/exo-rdf/ontology/")
    fact_classes = set(onto.transitive_subjects(rdflib.RDFS.subClassOf, exo.Fact))
    data = rdflib.Graph()
    for path in sorted((ROOT / "instances").glob("*.ttl")):
        data.parse(path)
    withdrawn = set(data.subjects(rdflib.RDF.type, exo.WithdrawnStatement))
    live = {s for s, _, c in data.triples((None, rdflib.RDF.type, None)) if c == exo.Finding or c in fact_classes}
    stats = json.loads(run("--root", str(ROOT), "stats", "--format", "json").output)
    assert withdrawn and not withdrawn & live
    assert stats["findings"] + stats["facts"] == len(live)
