"""`exo-rdf check` as a whole: the step cache (a changed input always runs its step again), the
parallel run giving the same result as the serial one, and the Konclude/HermiT choice."""

from __future__ import annotations

import json
import shutil

import pytest

from exo_rdf.check import _cache_file, run_all, step_key
from exo_rdf.project import Project

from conftest import ROOT, SHARED

CHEAP = ("ids", "curation", "reasoner")  # skipped where a test only needs the store-based steps


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """A copy of the real project's knowledge folders (with its own empty .exo-cache)."""
    root = tmp_path / "proj"
    for folder in ("ontology", "instances", "shapes", "queries", "curation", "sources"):
        shutil.copytree(ROOT / folder, root / folder)
    monkeypatch.setenv("EXO_RDF_SHARED", str(SHARED))
    return Project.at(root)


def _summaries(summary):
    return {s.name: (s.ok, s.summary.replace(" (unchanged: cached result)", ""), s.details) for s in summary.steps}


def test_second_run_is_answered_from_the_cache(project_copy):
    first = run_all(project_copy, skip=CHEAP)
    assert first.ok and not any("cached" in s.summary for s in first.steps)
    for step in ("format", "qc", "shacl"):
        assert _cache_file(project_copy, step).is_file()
    second = run_all(project_copy, skip=CHEAP)
    assert all(s.summary.endswith("(unchanged: cached result)") for s in second.steps)
    assert _summaries(second) == _summaries(first)


def test_a_changed_input_runs_its_step_again_and_gives_the_new_verdict(project_copy):
    run_all(project_copy, skip=CHEAP)
    data = project_copy.instances_dir / "shared.ttl"
    before = {n: step_key(project_copy, n) for n in ("format", "qc", "shacl", "reasoner", "curation")}
    # an instance file edited by hand: every step reading instances/ must run again, format need not
    text = data.read_text(encoding="utf-8")
    # a finding with nothing but its type: SHACL must now fail
    data.write_text(
        text + "\n<https://w3id.org/exo-rdf/data/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/exo-rdf/ontology/Finding> .\n",
        encoding="utf-8",
    )
    after = {n: step_key(project_copy, n) for n in before}
    assert after["format"] == before["format"]
    assert all(after[n] != before[n] for n in ("qc", "shacl", "reasoner", "curation"))
    summary = run_all(project_copy, skip=CHEAP)
    steps = {s.name: s for s in summary.steps}
    assert steps["format"].summary.endswith("(unchanged: cached result)")
    assert "cached" not in steps["shacl"].summary and "cached" not in steps["qc"].summary
    assert not steps["shacl"].ok
    # and back: the original content gives the original key (and the cache holds the newer result,
    # so the step runs and passes again)
    data.write_text(text, encoding="utf-8")
    assert step_key(project_copy, "shacl") == before["shacl"]
    assert run_all(project_copy, skip=CHEAP).ok


def test_a_shape_change_runs_shacl_again(project_copy):
    run_all(project_copy, skip=CHEAP)
    shape = sorted((project_copy.root / "shapes").glob("*.ttl"))[0]
    shape.write_text(shape.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    steps = {s.name: s for s in run_all(project_copy, skip=CHEAP).steps}
    assert "cached" not in steps["shacl"].summary
    assert steps["qc"].summary.endswith("(unchanged: cached result)")


def test_a_corrupt_cache_file_is_ignored(project_copy):
    run_all(project_copy, skip=CHEAP)
    _cache_file(project_copy, "qc").write_text("{not json", encoding="utf-8")
    _cache_file(project_copy, "shacl").write_text(json.dumps({"key": "x", "step": {}}), encoding="utf-8")
    steps = {s.name: s for s in run_all(project_copy, skip=CHEAP).steps}
    assert "cached" not in steps["qc"].summary and "cached" not in steps["shacl"].summary
    assert steps["qc"].ok and steps["shacl"].ok


def test_no_cache_runs_every_step(project_copy):
    run_all(project_copy, skip=CHEAP)
    assert not any("cached" in s.summary for s in run_all(project_copy, skip=CHEAP, cache=False).steps)


@pytest.mark.slow
def test_full_check_in_parallel_matches_serial_and_the_reasoner_choice_is_keyed(project_copy):
    parallel = run_all(project_copy, cache=False)
    serial = run_all(project_copy, cache=False, jobs=1)
    assert parallel.ok, [s for s in parallel.steps if not s.ok]
    assert _summaries(parallel) == _summaries(serial)
    assert [s.name for s in parallel.steps] == ["ids", "curation", "format", "qc", "shacl", "reasoner"]
    assert {s.name: s for s in parallel.steps}["reasoner"].summary.startswith("Konclude: consistent")
    assert step_key(project_copy, "reasoner", full=True) != step_key(project_copy, "reasoner")


@pytest.mark.slow
def test_a_curation_edit_makes_curation_stale_and_is_not_answered_from_the_cache(project_copy):
    run_all(project_copy, skip=("reasoner",))
    yaml_file = project_copy.curation_files()[0]
    text = yaml_file.read_text(encoding="utf-8")
    assert "    summary: P" in text
    yaml_file.write_text(text.replace("    summary: P", "    summary: Edited. P", 1), encoding="utf-8")
    steps = {s.name: s for s in run_all(project_copy, skip=("reasoner",)).steps}
    assert "cached" not in steps["curation"].summary and "cached" not in steps["ids"].summary
    assert steps["qc"].summary.endswith("(unchanged: cached result)")


def test_input_errors_are_plain_messages_not_tracebacks(project_copy):
    from click.testing import CliRunner

    from exo_rdf.cli import main

    (project_copy.instances_dir / "shared.ttl").write_text("@prefix broken\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["--root", str(project_copy.root), "check", "--skip", "ids", "--skip", "curation"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "shared.ttl" in res.output


def test_reason_command_with_konclude(tmp_path):
    from click.testing import CliRunner

    from exo_rdf.cli import main

    fixture = ROOT / "tests" / "resources" / "reason" / "unsatisfiable"
    res = CliRunner().invoke(
        main, ["--root", str(fixture), "reason", "--reasoner", "konclude", "--output", str(tmp_path / "out")]
    )
    assert res.exit_code == 1, res.output
    assert "2 unsatisfiable class(es)" in res.output and "(konclude)" in res.output
    assert "unsatisfiable: https://example.org/reason-test/Hybrid (hybrid model)" in res.output
    assert (tmp_path / "out" / "inferred-hierarchy.ttl").is_file()
