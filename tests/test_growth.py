"""The growth machinery: source registry, `source add`, record life cycle, nanopublications,
released ids, `diff` and `draft` (unit level; the whole workflow is in test_growth_e2e.py)."""

from __future__ import annotations

import shutil
import textwrap

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from exo_rdf.errors import ExoError
from exo_rdf.namespaces import EXO, EXOD, PREFIXES, PROV, expand

from conftest import RESOURCES, ROOT, SHARED, no_labels

FIXTURES = RESOURCES / "growth"
SEED0 = "000_ce72def646c3ad8d"


def _cli(root, *args):
    from exo_rdf.cli import main

    return CliRunner().invoke(main, ["--root", str(root), *args])


@pytest.fixture
def reg_project(tmp_project):
    """tmp_project with the real source registry (the two seeds)."""
    shutil.copytree(ROOT / "sources", tmp_project.root / "sources")
    return tmp_project


def _files(root):
    return sorted(p.relative_to(root) for p in (root / "sources").rglob("*") if p.is_file())


# --------------------------------------------------------------------------- registry


def test_seeds_are_registered_with_nothing_but_what_their_text_states(project):
    from exo_rdf.registry import load_registry

    records = load_registry(project)
    assert sorted(records) == sorted(p.stem for p in project.seeds_dir.glob("*.txt"))
    for rec in records.values():
        assert rec.title is None and rec.doi is None and rec.pmid is None and not rec.authors
        assert rec.year is None and rec.journal is None and rec.licence is None and not rec.reference_list
        assert rec.layout == "review-seed" and rec.text_path(project).is_file()
    g = Graph().parse(project.instances_dir / "sources.ttl")
    src = EXOD[f"source/{SEED0}"]
    assert {str(o) for o in g.objects(src, EXO.notRecorded)} == {
        "title",
        "authors",
        "year",
        "journal",
        "DOI",
        "PMID",
        "licence",
        "reference list",
    }
    assert g.value(src, expand("dcterms:title")) is None


def test_registry_yields_byte_identical_curation_of_the_seeds(reg_project):
    """The same YAML compiles to the same Turtle with the registry as with the bare seeds folder."""
    from exo_rdf.curate import compile_curation

    shutil.copy(ROOT / "curation" / "000-kidney-damage-repair.yaml", reg_project.curation_dir)
    with_registry = compile_curation(reg_project, labels=no_labels)
    shutil.rmtree(reg_project.root / "sources")
    bare = compile_curation(reg_project, labels=no_labels)
    assert with_registry.errors == [] and bare.errors == []
    assert {k: v for k, v in with_registry.outputs.items() if k != "sources.ttl"} == bare.outputs
    assert "sources.ttl" in with_registry.outputs and "sources.ttl" not in bare.outputs


@pytest.mark.parametrize(
    "orcid, ok",
    [
        ("0000-0002-1825-0097", True),
        ("0000-0001-5109-3700", True),
        ("0000-0002-1694-233X", True),
        ("0000-0002-1825-0098", False),
        ("0000-0002-1825-009", False),
        ("https://orcid.org/0000-0002-1825-0097", False),
    ],
)
def test_orcid_syntax_and_iso7064_checksum(orcid, ok):
    from exo_rdf.registry import orcid_problem

    assert (orcid_problem(orcid) is None) is ok


@pytest.mark.parametrize(
    "doi, ok",
    [
        ("10.1000/xyz123", True),
        ("10.5555/fixture.0001", True),
        ("https://doi.org/10.1000/x", False),
        ("10.1/x", False),
        ("doi:10.1000/x", False),
    ],
)
def test_doi_syntax(doi, ok):
    from exo_rdf.registry import doi_problem

    assert (doi_problem(doi) is None) is ok


# --------------------------------------------------------------------------- source add


def test_source_add_markdown_with_sections_and_reference_list(reg_project):
    root = reg_project.root
    res = _cli(
        root,
        "source",
        "add",
        str(FIXTURES / "fixture-paper.md"),
        "--id",
        "fx",
        "--doi",
        "10.5555/fixture.paper",
        "--references",
        str(FIXTURES / "fixture-references.yaml"),
    )
    assert res.exit_code == 0, res.output
    rec = yaml.safe_load((root / "sources" / "fx.yaml").read_text(encoding="utf-8"))
    text = (root / rec["text"]).read_bytes()
    assert text == (FIXTURES / "fixture-paper.md").read_bytes() and rec["layout"] == "markdown"
    import hashlib

    assert rec["sha256"] == hashlib.sha256(text).hexdigest() and "title" not in rec
    import stat

    written = [root / "sources" / "fx.yaml", root / rec["text"], root / rec["references"]]
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in written} == {p.name: 0o644 for p in written}
    from exo_rdf.registry import load_sources

    seed = load_sources(reg_project)["fx"]
    kinds = {(s.title, s.kind) for s in seed.sections}
    assert {
        ("Introduction", "heading"),
        ("Results", "heading"),
        ("Discussion", "heading"),
        ("Fig. 1", "figure"),
    } <= kinds
    start = seed.text.index("Figure 1.")
    assert seed.section_at(start).title == "Fig. 1"
    assert seed.section_at(seed.text.index("Smith et al.")).title == "Results"
    assert len(seed.record.reference_list) == 3 and seed.record.reference_list[1].pmid == "99999991"


def _minimal_pdf(text_ops: str) -> bytes:
    """A one-page PDF written by hand (Helvetica text drawn by ``text_ops``)."""
    stream = text_ops.encode("latin-1")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_source_add_pdf_extracts_and_stores_its_text(reg_project, tmp_path):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(
        _minimal_pdf("BT /F1 12 Tf 72 720 Td (Results) Tj 0 -24 Td (MSC exosomes reduced apoptosis in rats [1].) Tj ET")
    )
    res = _cli(reg_project.root, "source", "add", str(pdf), "--id", "pdf-paper")
    assert res.exit_code == 0, res.output
    stored = (reg_project.root / "sources" / "texts" / "pdf-paper.txt").read_text(encoding="utf-8")
    assert "MSC exosomes reduced apoptosis in rats [1]." in stored


def test_source_add_refuses_bad_input_and_writes_nothing(reg_project, tmp_path):
    root = reg_project.root
    before = _files(root)
    empty, binary, scan = tmp_path / "empty.txt", tmp_path / "binary.txt", tmp_path / "scan.pdf"
    empty.write_text("  \n\n", encoding="utf-8")
    binary.write_bytes(b"abc\x00\x01\x02")
    scan.write_bytes(_minimal_pdf("0 0 m 100 100 l S"))  # a page with a line and no text
    not_pdf = tmp_path / "fake.pdf"
    not_pdf.write_text("hello", encoding="utf-8")
    bad_refs = tmp_path / "refs.yaml"
    bad_refs.write_text(
        "- {number: 1, citation: 'x', doi: 'not-a-doi'}\n- {number: 1, citation: 'y'}\n", encoding="utf-8"
    )
    cases = [
        ((str(empty), "--id", "empty-one"), "the file is empty"),
        ((str(binary), "--id", "bin-one"), "binary file"),
        ((str(scan), "--id", "scan-one"), "no extractable text"),
        ((str(not_pdf), "--id", "fake-one"), "not a PDF"),
        ((str(FIXTURES / "fixture-paper.md"), "--id", SEED0), "already registered"),
        ((str(FIXTURES / "fixture-paper.md"), "--id", "Bad Id"), "source id"),
        ((str(FIXTURES / "fixture-paper.md"), "--id", "ok-id", "--doi", "doi.org/10.1/x"), "DOI"),
        ((str(FIXTURES / "fixture-paper.md"), "--id", "ok-id", "--pmid", "01234"), "PMID"),
        ((str(FIXTURES / "fixture-paper.md"), "--id", "ok-id", "--references", str(bad_refs)), "listed twice"),
    ]
    for args, message in cases:
        res = _cli(root, "source", "add", *args)
        assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output, (args, res.output)
        assert args[0].split("/")[-1] in res.output or "refs.yaml" in res.output
    assert _files(root) == before


# --------------------------------------------------------------------------- life cycle

RECORDS = textwrap.dedent("""\
    source: 000_ce72def646c3ad8d
    statements:
      - id: t-wan-pyroptosis
        level: study_report
        summary: MSC exosomes alleviated AKI by inhibiting pyroptosis.
        quote: "Wan et al. found that MSC-Exos alleviate acute kidney injury by inhibiting pyroptosis in rats and NRK-52E cells [54]."
        author: Wan et al.
        curator: {name: Jane Curator, orcid: 0000-0002-1825-0097}
        created: 2026-12-01
        modified: 2026-12-03
        preparation: {kind: exosome, cell: CL:0000134}
        effects: [{direction: inhibits, affects: GO:0070269, text: inhibiting pyroptosis}]
        diseases: [MONDO:0002492]
        models: [{type: in_vivo, organism: NCBITaxon:10116, text: rats}]
      - id: t-wan-withdrawn
        status: withdrawn
        reason: Duplicate of t-wan-pyroptosis.
        replaced_by: t-wan-pyroptosis
        curator: Jane Curator
        level: study_report
        summary: MSC exosomes alleviated AKI.
        quote: "Wan et al. found that MSC-Exos alleviate acute kidney injury by inhibiting pyroptosis in rats and NRK-52E cells [54]."
        preparation: {kind: exosome, cell: CL:0000134}
        effects: [{direction: ameliorates, affects: MONDO:0002492, text: alleviate acute kidney injury}]
        diseases: [MONDO:0002492]
        models: [{type: in_vivo, organism: NCBITaxon:10116, text: rats}]
      - id: t-draft
        status: draft
        quote: "anything"
    """)


def _compile(project):
    from exo_rdf.curate import compile_curation

    return compile_curation(project, labels=no_labels)


def test_curator_dates_and_withdrawal_in_rdf(tmp_project):
    (tmp_project.curation_dir / "000-test.yaml").write_text(RECORDS, encoding="utf-8")
    result = _compile(tmp_project)
    assert result.errors == [] and result.withdrawn == 1
    assert len(result.drafts) == 1 and result.drafts[0].endswith(":27: t-draft")
    g = Graph().parse(data=result.outputs["000-test.ttl"], format="turtle")
    shared = Graph().parse(data=result.outputs["shared.ttl"], format="turtle")
    f, w = EXOD["finding/t-wan-pyroptosis"], EXOD["finding/t-wan-withdrawn"]
    orcid = URIRef(PREFIXES["orcid"] + "0000-0002-1825-0097")
    assert (f, PROV.wasAttributedTo, orcid) in g and (orcid, RDF.type, PROV.Person) in shared
    assert str(shared.value(orcid, RDFS.label)) == "Jane Curator"
    assert str(g.value(f, expand("dcterms:created"))) == "2026-12-01"
    assert str(g.value(f, expand("dcterms:modified"))) == "2026-12-03"
    assert (w, RDF.type, EXO.WithdrawnStatement) in g and (w, RDF.type, EXO.Finding) not in g
    assert (w, OWL.deprecated, Literal(True)) in g
    assert (w, expand("dcterms:isReplacedBy"), f) in g
    assert str(g.value(w, EXO.withdrawalReason)) == "Duplicate of t-wan-pyroptosis."
    assert g.value(w, EXO.hasQuote) is not None and g.value(w, RDFS.label) is not None
    for prop in (EXO.hasPreparation, EXO.hasEffect, EXO.hasDisease, EXO.hasModel):
        assert g.value(w, prop) is None
    assert (EXOD["finding/t-draft"], None, None) not in g


def test_a_retyped_statement_keeps_its_earlier_iri_as_a_withdrawn_statement(tmp_project):
    """A fact re-typed as a finding after a release changes IRI (fact/ -> finding/); the earlier IRI keeps
    resolving, deprecated, with the reason and the statement that replaces it."""
    text = RECORDS.replace("  - id: t-wan-pyroptosis\n", "  - id: t-wan-pyroptosis\n    retyped_from: fact\n")
    (tmp_project.curation_dir / "000-test.yaml").write_text(text, encoding="utf-8")
    result = _compile(tmp_project)
    assert result.errors == []
    g = Graph().parse(data=result.outputs["000-test.ttl"], format="turtle")
    old, new = EXOD["fact/t-wan-pyroptosis"], EXOD["finding/t-wan-pyroptosis"]
    assert (old, RDF.type, EXO.WithdrawnStatement) in g and (old, OWL.deprecated, Literal(True)) in g
    assert (old, expand("dcterms:isReplacedBy"), new) in g
    assert "Re-typed from fact to finding" in str(g.value(old, EXO.withdrawalReason))
    assert (new, RDF.type, EXO.Finding) in g
    bad = RECORDS.replace("  - id: t-wan-pyroptosis\n", "  - id: t-wan-pyroptosis\n    retyped_from: finding\n")
    (tmp_project.curation_dir / "000-test.yaml").write_text(bad, encoding="utf-8")
    result = _compile(tmp_project)
    assert any(":3: 'retyped_from: finding' must name the statement's earlier type" in e for e in result.errors)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("    reason: Duplicate of t-wan-pyroptosis.\n", "", "needs 'reason'"),
        ("replaced_by: t-wan-pyroptosis", "replaced_by: t-nowhere", "'t-nowhere' is not the id"),
        ("status: withdrawn", "status: gone", "'status: gone' is not allowed"),
        ("orcid: 0000-0002-1825-0097", "orcid: 0000-0002-1825-0098", "fails its ISO 7064 check digit"),
        ("created: 2026-12-01", "created: 2026-12-09", "'modified: 2026-12-03' is before"),
        ("modified: 2026-12-03", "modified: 3 Dec", "is not a date"),
    ],
)
def test_life_cycle_errors_name_file_and_line(tmp_project, old, new, message):
    assert old in RECORDS
    (tmp_project.curation_dir / "000-test.yaml").write_text(RECORDS.replace(old, new, 1), encoding="utf-8")
    result = _compile(tmp_project)
    assert any(message in e and "000-test.yaml:" in e for e in result.errors), result.errors


def test_build_refuses_drafts_naming_file_and_line(tmp_project):
    from exo_rdf.release import refuse_drafts

    (tmp_project.curation_dir / "000-test.yaml").write_text(RECORDS, encoding="utf-8")
    with pytest.raises(ExoError, match=r"(?s)1 curation record\(s\) are still drafts.*000-test.yaml:27: t-draft"):
        refuse_drafts(tmp_project)


def test_changed_source_text_reports_every_affected_record(reg_project, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shutil.copytree(SHARED / "seeds", shared / "seeds")
    (shared / "ontologies").symlink_to(SHARED / "ontologies")
    monkeypatch.setenv("EXO_RDF_SHARED", str(shared))
    seed = shared / "seeds" / f"{SEED0}.txt"
    seed.write_text("Inserted line.\n" + seed.read_text(encoding="utf-8"), encoding="utf-8")
    (reg_project.curation_dir / "000-test.yaml").write_text(RECORDS, encoding="utf-8")
    errors = _compile(reg_project).errors
    changed = [e for e in errors if "changed after curation" in e]
    assert len(changed) == 2 and all("now lies at characters" in e and "sha256:" in e for e in changed)
    assert {e.split(": the text")[0].rsplit(":", 1)[1] for e in changed} == {"3", "15"}


def test_withdrawn_statements_leave_every_competency_question(tmp_path, monkeypatch):
    """Withdraw every record of the real curation: no CQ returns a row, every IRI still resolves."""
    from exo_rdf.curate import compile_curation
    from exo_rdf.graph import project_store
    from exo_rdf.project import Project
    from exo_rdf.query import load_queries, run_query

    monkeypatch.setenv("EXO_RDF_SHARED", str(SHARED))
    root = tmp_path / "proj"
    for folder in ("ontology", "queries", "sources"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "curation").mkdir()
    for path in sorted((ROOT / "curation").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for rec in data["statements"]:
            rec.update(status="withdrawn", reason="test")
            rec.pop("replaced_by", None)  # every statement is withdrawn, so none can replace another
        (root / "curation" / path.name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    project = Project.at(root)
    result = compile_curation(project, labels=no_labels)
    assert result.errors == [] and result.withdrawn == result.statements
    (root / "instances").mkdir()
    for name, text in result.outputs.items():
        (root / "instances" / name).write_text(text, encoding="utf-8")
    store = project_store(project)
    queries = load_queries(project.cq_dir)
    assert len(queries) >= 30
    for q in queries:
        rows = run_query(store, q).values()
        assert all(all(v in (None, "0", "") for v in row.values()) for row in rows), (q.id, rows[:3])


# --------------------------------------------------------------------------- nanopublications


def _nt_of(outputs: dict) -> str:
    from exo_rdf.rdfio import canonical_graph, sorted_ntriples

    g = Graph()
    for text in outputs.values():
        g.parse(data=text, format="turtle")
    return sorted_ntriples(canonical_graph(g))


def _graphs(quads) -> dict[str, set]:
    out: dict[str, set] = {}
    for q in quads:
        out.setdefault(q.graph_name.value, set()).add(str(q.triple))
    return out


def test_editing_one_record_changes_exactly_its_nanopublication(tmp_project):
    from exo_rdf.nanopub import graph_names, nanopub_quads

    path = tmp_project.curation_dir / "000-test.yaml"
    path.write_text(RECORDS, encoding="utf-8")
    before = _graphs(nanopub_quads(_nt_of(_compile(tmp_project).outputs)))
    f = str(EXOD["finding/t-wan-pyroptosis"])
    names = graph_names(f)
    assert {names["head"], names["assertion"], names["provenance"], names["pubinfo"]} <= set(before)
    assert any("withdrawalReason" in t for t in before[graph_names(str(EXOD["finding/t-wan-withdrawn"]))["pubinfo"]])
    assert any("hasQuote" in t for t in before[names["provenance"]])
    assert any("hasEffect" in t for t in before[names["assertion"]])
    path.write_text(
        RECORDS.replace(
            "MSC exosomes alleviated AKI by inhibiting pyroptosis.", "MSC exosomes eased AKI by inhibiting pyroptosis."
        ),
        encoding="utf-8",
    )
    after = _graphs(nanopub_quads(_nt_of(_compile(tmp_project).outputs)))
    changed = {g for g in set(before) | set(after) if before.get(g) != after.get(g)}
    assert changed == {names["assertion"]}


# --------------------------------------------------------------------------- released ids


def test_build_check_names_released_ids_that_are_gone(tmp_project):
    from exo_rdf.release import check_released, current_ids, released_file

    (tmp_project.curation_dir / "000-test.yaml").write_text(RECORDS, encoding="utf-8")
    data = Graph().parse(data=_compile(tmp_project).outputs["000-test.ttl"], format="turtle")
    onto = Graph().parse(tmp_project.ontology_file)
    ids = current_ids(data, onto)
    assert str(EXOD["finding/t-wan-withdrawn"]) in ids and str(EXO.Finding) in ids
    assert str(EXOD["finding/t-wan-pyroptosis/effect/inhibits-go-0070269"]) not in ids
    released_file(tmp_project).parent.mkdir()
    released_file(tmp_project).write_text(
        "# comment\n"
        + "\n".join(sorted(ids))
        + "\n"
        + str(EXOD["finding/t-deleted"])
        + "\n"
        + str(EXO._NS)
        + "DeletedTerm\n"
    )
    with pytest.raises(ExoError, match=r"(?s)2 id\(s\) of an earlier release.*finding/t-deleted.*DeletedTerm"):
        check_released(tmp_project, data, onto)


def test_no_released_id_of_the_repository_is_gone(project):
    """New statements may wait for the next release; a released one must never disappear."""
    from exo_rdf.graph import parse_files
    from exo_rdf.release import current_ids, read_released

    current = current_ids(parse_files(project.instance_files()), parse_files([project.ontology_file]))
    released = read_released(project)
    assert len(released) > 600 and released - current == set()


# --------------------------------------------------------------------------- diff


def test_diff_reports_added_withdrawn_changed_removed_and_terms(tmp_path):
    from exo_rdf.diff import diff_markdown, diff_releases

    base = textwrap.dedent(f"""\
        @prefix exo: <{EXO._NS}> .
        @prefix exod: <{EXOD}> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix CL: <http://purl.obolibrary.org/obo/CL_> .
        exo:OldTerm a owl:Class .
        exo:Kept a owl:Class .
        <{EXOD}finding/a> a exo:Finding ; rdfs:label "a" ; exo:hasCargo CL:0000134 .
        <{EXOD}finding/b> a exo:Finding ; rdfs:label "b" .
        <{EXOD}finding/c> a exo:Finding ; rdfs:label "c" .
        <{EXOD}finding/c/effect/x> exo:direction exo:Promotes .
        """)
    new = base.replace(
        "exo:OldTerm a owl:Class .", "exo:OldTerm a owl:Class ; owl:deprecated true .\nexo:NewTerm a owl:Class ."
    )
    new = new.replace(
        '<{0}finding/a> a exo:Finding ; rdfs:label "a" ; exo:hasCargo CL:0000134 .'.format(EXOD),
        f'<{EXOD}finding/a> a exo:WithdrawnStatement ; rdfs:label "a" ; owl:deprecated true ; '
        f'exo:withdrawalReason "dup"@en .',
    )
    new = new.replace('<{0}finding/b> a exo:Finding ; rdfs:label "b" .'.format(EXOD), "")
    new = new.replace("exo:direction exo:Promotes", "exo:direction exo:Inhibits")
    new += f'<{EXOD}finding/d> a exo:Finding ; rdfs:label "d" ; exo:hasCargo CL:0000236 .\n'
    (tmp_path / "old.ttl").write_text(base)
    (tmp_path / "new.ttl").write_text(new)
    d = diff_releases(tmp_path / "old.ttl", tmp_path / "new.ttl")
    assert d.added == [f"{EXOD}finding/d"] and d.removed == [f"{EXOD}finding/b"]
    assert d.withdrawn == [{"iri": f"{EXOD}finding/a", "reason": ["dup"], "replaced_by": []}]
    assert d.changed == [{"iri": f"{EXOD}finding/c", "fields": ["effect"]}]
    assert d.terms_added == [f"{EXO._NS}NewTerm"] and d.terms_deprecated == [f"{EXO._NS}OldTerm"]
    assert d.external_added == ["http://purl.obolibrary.org/obo/CL_0000236"]
    assert d.external_removed == ["http://purl.obolibrary.org/obo/CL_0000134"]
    md = diff_markdown(d)
    assert "## Statements removed without withdrawal" in md and "`exod:finding/c`: effect" in md
    res = _cli(ROOT, "diff", str(tmp_path / "old.ttl"), str(tmp_path / "missing.ttl"))
    assert res.exit_code == 2
    res = _cli(ROOT, "diff", str(tmp_path / "old.ttl"), str(tmp_path / "new.ttl"), "--format", "json")
    assert res.exit_code == 1 and '"removed"' in res.output


# --------------------------------------------------------------------------- draft


def test_draft_of_a_seed_quotes_exactly_and_lists_ambiguous_names(project, term_index):
    from exo_rdf.draft import EntityFinder, draft_source, draft_yaml
    from exo_rdf.registry import load_sources

    seed = load_sources(project)[SEED0]
    records = draft_source(seed, EntityFinder(term_index))
    assert len(records) > 50 and len({r.id for r in records}) == len(records)
    for r in records:
        assert seed.text[r.start : r.end] == r.quote and seed.section_at(r.start).title == r.section
    wan = next(r for r in records if r.quote.startswith("Wan et al. found that MSC-Exos alleviate acute kidney"))
    assert wan.author == "Wan et al." and wan.refs == [54] and wan.level == "study_report"
    assert "MONDO:0002492" in wan.chosen("disease") and "in_vivo" in wan.models
    import datetime as dt

    doc = yaml.safe_load(draft_yaml(seed, records, "A Curator", dt.date(2026, 12, 4)))
    assert all(s["status"] == "draft" and s["created"] == "2026-12-04" for s in doc["statements"])
    seed1 = load_sources(project)["001_989965261ed955c0"]
    doc1 = yaml.safe_load(draft_yaml(seed1, draft_source(seed1, EntityFinder(term_index)), None, dt.date(2026, 12, 4)))
    ambiguous = [
        c
        for s in doc["statements"] + doc1["statements"]
        for cs in s.get("candidates", {}).values()
        if isinstance(cs, list)
        for c in cs
        if isinstance(c, dict) and "ambiguous" in c
    ]
    assert ambiguous and all(len(c["ambiguous"]) > 1 and "id" not in c for c in ambiguous)


def test_draft_refuses_unknown_source_and_never_overwrites(reg_project, term_index):
    from exo_rdf.draft import draft

    with pytest.raises(ExoError, match="is not registered"):
        draft(reg_project, "nope", index=term_index)
    target = reg_project.curation_dir / "x.yaml"
    target.write_text("keep", encoding="utf-8")
    with pytest.raises(ExoError, match="already exists"):
        draft(reg_project, SEED0, output=target, index=term_index)
    assert target.read_text(encoding="utf-8") == "keep"
