"""The curation compiler: valid records compile, every kind of mistake gets a file:line message,
nothing is written on error, IRIs do not depend on record order, output is deterministic."""

from __future__ import annotations

import textwrap

import pytest
from rdflib import Graph, Namespace
from rdflib.compare import isomorphic

from conftest import no_labels

EXO = Namespace("https://w3id.org/exo-rdf/ontology/")
EXOD = Namespace("https://w3id.org/exo-rdf/data/")
OA = Namespace("http://www.w3.org/ns/oa#")

GOOD = """\
source: 000_ce72def646c3ad8d
statements:
  - id: t-wan-pyroptosis
    level: study_report
    author: Wan et al.
    summary: MSC exosomes alleviate AKI by inhibiting pyroptosis in rats and NRK-52E cells.
    quote: "Wan et al. found that MSC-Exos alleviate acute kidney injury by inhibiting pyroptosis in rats and NRK-52E cells [54]."
    preparation: {kind: exosome, cell: CL:0000134}
    effects:
      - {direction: inhibits, affects: GO:0070269, text: inhibiting pyroptosis}
    models:
      - {type: in_vivo, organism: NCBITaxon:10116, text: rats}
  - id: t-size-exosome
    type: size_range
    level: review_claim
    summary: Exosomes are 50-150 nm in diameter.
    quote: "exosomes (50–150 nm in diameter)"
    vesicle: exosome
    min: 50
    max: 150
    unit: nm
"""


def _write(project, name, text):
    path = project.curation_dir / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _compile(project):
    from exo_rdf.curate import compile_curation

    return compile_curation(project, labels=no_labels)


def test_good_records_compile(tmp_project):
    _write(tmp_project, "000-test.yaml", GOOD)
    result = _compile(tmp_project)
    assert result.errors == [] and result.findings == 1 and result.facts == 1
    g = Graph().parse(data=result.outputs["000-test.ttl"], format="turtle")
    finding = EXOD["finding/t-wan-pyroptosis"]
    assert (finding, EXO.hasKnowledgeLevel, EXO.StudyReport) in g
    quote = g.value(finding, EXO.hasQuote)
    selectors = list(g.objects(quote, OA.hasSelector))
    exact = next(g.value(s, OA.exact) for s in selectors if g.value(s, OA.exact) is not None)
    start = next(int(g.value(s, OA.start)) for s in selectors if g.value(s, OA.start) is not None)
    end = next(int(g.value(s, OA.end)) for s in selectors if g.value(s, OA.end) is not None)
    seed = (tmp_project.seeds_dir / "000_ce72def646c3ad8d.txt").read_text(encoding="utf-8")
    assert seed[start:end] == str(exact)
    shared = Graph().parse(data=result.outputs["shared.ttl"], format="turtle")
    section = g.value(quote, EXO.inSection)
    assert (
        str(shared.value(section, Namespace("http://www.w3.org/2000/01/rdf-schema#").label)) == "Kidney damage repair"
    )
    assert (EXOD["source/000_ce72def646c3ad8d/reference/54"], EXO.referenceNumber, None) in shared
    fact = EXOD["fact/t-size-exosome"]
    assert float(g.value(fact, EXO.minimumDiameterNm)) == 50 and str(g.value(fact, EXO.statedUnit)) == "nm"


def test_output_is_deterministic_and_independent_of_record_order(tmp_project):
    _write(tmp_project, "000-test.yaml", GOOD)
    first = _compile(tmp_project).outputs
    assert _compile(tmp_project).outputs == first
    head, rest = GOOD.split("statements:\n")
    records = rest.split("  - id: ")[1:]
    _write(tmp_project, "000-test.yaml", head + "statements:\n" + "".join("  - id: " + r for r in reversed(records)))
    second = _compile(tmp_project).outputs
    for name in first:
        assert isomorphic(
            Graph().parse(data=first[name], format="turtle"), Graph().parse(data=second[name], format="turtle")
        ), name


BAD_CASES = [
    ("unknown-key", "    colour: blue\n", "unknown key 'colour'"),
    ("quote-not-verbatim", None, "not found verbatim"),
    ("bad-direction", None, "'direction: boosts' is not allowed"),
    ("bad-prefix", None, "'FOO:123' is not a CURIE with a known prefix"),
    ("ref-not-in-quote", "    refs: [54, 99]\n", "refs [99] are not cited in the quote"),
    ("in-vivo-without-organism", None, "an in_vivo model needs 'organism'"),
    ("duplicate-id", None, "is already used at"),
    ("missing-summary", None, "'summary' (one plain sentence stating the statement) is required"),
    (
        "correction-not-in-quote",
        "    corrections: [{as_written: XYZ, reading: ABC, note: why}]\n",
        "correction as_written 'XYZ' does not occur in the quote",
    ),
    ("bad-exo-term", None, "exo:Nonsense is not a term of ontology/exo.ttl"),
    ("participants-not-integer", None, "participants must be a whole number >= 1"),
    ("yaml-syntax", None, "YAML syntax error"),
]


def _bad_text(case):
    name, extra, _ = case
    text = GOOD
    if extra:
        text = text.replace("    models:\n", extra + "    models:\n", 1)
    if name == "quote-not-verbatim":
        text = text.replace("alleviate acute kidney injury", "alleviate acute renal injury")
    if name == "bad-direction":
        text = text.replace("direction: inhibits", "direction: boosts")
    if name == "bad-prefix":
        text = text.replace("GO:0070269", "FOO:123")
    if name == "in-vivo-without-organism":
        text = text.replace("organism: NCBITaxon:10116, ", "")
    if name == "duplicate-id":
        text = text.replace("id: t-size-exosome", "id: t-wan-pyroptosis")
    if name == "missing-summary":
        text = text.replace(
            "    summary: MSC exosomes alleviate AKI by inhibiting pyroptosis in rats and NRK-52E cells.\n", ""
        )
    if name == "bad-exo-term":
        text = text.replace("affects: GO:0070269", "affects: exo:Nonsense")
    if name == "participants-not-integer":
        text = text.replace(
            "      - {type: in_vivo, organism: NCBITaxon:10116, text: rats}",
            "      - {type: clinical, study: {id: s1, participants: nine}}",
        )
    if name == "yaml-syntax":
        text = text.replace("    level: study_report\n", "    level: [study_report\n", 1)
    return text


@pytest.mark.parametrize("case", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_gives_file_and_line(case, tmp_project):
    from exo_rdf.errors import ExoError

    path = _write(tmp_project, "000-test.yaml", _bad_text(case))
    try:
        result = _compile(tmp_project)
        errors = result.errors
    except ExoError as exc:  # a YAML syntax error stops the file
        errors = [str(exc)]
    assert errors, "the mistake must be reported"
    hit = [e for e in errors if case[2] in e]
    assert hit, errors
    assert all(e.startswith(f"{path}:") for e in hit), hit
    assert any(e.split(":")[1].isdigit() for e in hit), "the message names a line"


def test_nothing_is_written_on_error_and_old_files_survive(tmp_project):
    from exo_rdf.curate import write_outputs
    from exo_rdf.errors import ExoError

    _write(tmp_project, "000-test.yaml", GOOD)
    write_outputs(tmp_project, _compile(tmp_project))
    before = {p.name: p.read_bytes() for p in tmp_project.instances_dir.glob("*.ttl")}
    assert set(before) == {"000-test.ttl", "shared.ttl"}
    _write(tmp_project, "000-test.yaml", GOOD.replace("direction: inhibits", "direction: boosts"))
    result = _compile(tmp_project)
    with pytest.raises(ExoError, match="not writing instances/"):
        write_outputs(tmp_project, result)
    after = {p.name: p.read_bytes() for p in tmp_project.instances_dir.glob("*.ttl")}
    assert after == before
    assert not list(tmp_project.instances_dir.glob(".*.tmp"))


def test_written_instances_are_world_readable_whatever_the_umask(tmp_project):
    import os
    import stat

    from exo_rdf.curate import write_outputs

    _write(tmp_project, "000-test.yaml", GOOD)
    old = os.umask(0o077)
    try:
        written = write_outputs(tmp_project, _compile(tmp_project))
    finally:
        os.umask(old)
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in written} == {"000-test.ttl": 0o644, "shared.ttl": 0o644}


def test_stale_generated_files_are_detected_and_removed(tmp_project):
    from exo_rdf.curate import stale_outputs, write_outputs

    _write(tmp_project, "000-test.yaml", GOOD)
    write_outputs(tmp_project, _compile(tmp_project))
    assert stale_outputs(tmp_project, _compile(tmp_project)) == []
    (tmp_project.curation_dir / "000-test.yaml").rename(tmp_project.curation_dir / "000-renamed.yaml")
    result = _compile(tmp_project)
    assert "000-test.ttl" in stale_outputs(tmp_project, result)
    write_outputs(tmp_project, result)
    assert not (tmp_project.instances_dir / "000-test.ttl").exists()
    assert (tmp_project.instances_dir / "000-renamed.ttl").exists()


def test_hand_written_turtle_in_instances_is_never_deleted(tmp_project):
    from exo_rdf.curate import write_outputs

    manual = tmp_project.instances_dir / "manual.ttl"
    manual.write_text("# hand-written\n", encoding="utf-8")
    _write(tmp_project, "000-test.yaml", GOOD)
    write_outputs(tmp_project, _compile(tmp_project))
    assert manual.exists()


def test_same_preparation_gets_the_same_iri_across_records(tmp_project):
    extra = (
        "  - id: t-wan-again\n"
        "    level: study_report\n"
        "    summary: Same preparation, described with keys in another order.\n"
        '    quote: "MSC-Exos alleviate acute kidney injury"\n'
        "    preparation: {cell: CL:0000134, kind: exosome}\n"
        "    effects: [{direction: ameliorates, affects: MONDO:0005559, text: alleviate}]\n"
        "    models: [{type: unspecified}]\n"
    )
    _write(tmp_project, "000-test.yaml", GOOD + extra)
    result = _compile(tmp_project)
    assert result.errors == []
    g = Graph().parse(data=result.outputs["000-test.ttl"], format="turtle")
    preps = {g.value(f, EXO.hasPreparation) for f in (EXOD["finding/t-wan-pyroptosis"], EXOD["finding/t-wan-again"])}
    assert len(preps) == 1


def test_quote_with_plain_spaces_matches_seed_with_thin_spaces_and_keeps_seed_text(tmp_project):
    # GOOD quotes "exosomes (50–150 nm ...)" with a plain space; the seed has a no-break space there
    _write(tmp_project, "000-test.yaml", GOOD)
    result = _compile(tmp_project)
    g = Graph().parse(data=result.outputs["000-test.ttl"], format="turtle")
    quote = g.value(EXOD["fact/t-size-exosome"], EXO.hasQuote)
    exact = [str(o) for s in g.objects(quote, OA.hasSelector) for o in g.objects(s, OA.exact)]
    seed = (tmp_project.seeds_dir / "000_ce72def646c3ad8d.txt").read_text(encoding="utf-8")
    assert exact == ["exosomes (50–150\u00a0nm in diameter)"] and exact[0] in seed


def test_cli_curate_exit_codes(tmp_project):
    from click.testing import CliRunner

    from exo_rdf.cli import main

    _write(tmp_project, "000-test.yaml", GOOD.replace("direction: inhibits", "direction: boosts"))
    runner = CliRunner()
    res = runner.invoke(main, ["--root", str(tmp_project.root), "curate"])
    assert res.exit_code == 1 and "'direction: boosts' is not allowed" in res.output
    assert not (tmp_project.instances_dir / "000-test.ttl").exists()
    res = runner.invoke(main, ["--root", str(tmp_project.root / "nowhere"), "curate"])
    assert res.exit_code == 2 and "is not an exo-rdf project" in res.output
