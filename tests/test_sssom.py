"""The SSSOM mapping set: valid for sssom-py and the SSSOM schema, complete, honest about gaps, stable."""

from __future__ import annotations

import csv
import lzma
import re

import pytest
from rdflib import RDFS, Graph, Namespace, URIRef

from conftest import ROOT, SHARED

SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")


@pytest.fixture(scope="module")
def written(project, tmp_path_factory):
    from exo_rdf.sssom import OUTPUT, sssom_outputs

    out = sssom_outputs(project, "9.9.9")
    assert list(out) == [OUTPUT]
    path = tmp_path_factory.mktemp("sssom") / "exo-rdf.sssom.tsv"
    path.write_text(out[OUTPUT], encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def table(written):
    from exo_rdf.sssom import read_sssom

    return read_sssom(written)


def _validate(path):
    from sssom.constants import SchemaValidationType as V
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    msdf = parse_sssom_table(path)
    reports = validate(msdf, [V.JsonSchema, V.PrefixMapCompleteness, V.StrictCurieFormat], fail_on_error=False)
    return msdf, {str(k): list(r.results) for k, r in reports.items()}


def test_sssom_py_parses_and_validates(written, table):
    msdf, reports = _validate(written)
    assert all(not results for results in reports.values()), reports
    meta, rows = table
    assert len(msdf.df) == len(rows) > 0
    assert msdf.metadata["mapping_set_id"] == "https://w3id.org/exo-rdf/mappings/exo-rdf.sssom.tsv"
    assert msdf.metadata["mapping_set_version"] == "9.9.9"


def test_metadata_uses_only_standard_slots_and_has_required_ones(table):
    from sssom.constants import SSSOMSchemaView

    meta, rows = table
    view = SSSOMSchemaView()
    assert set(meta) - {"curie_map"} <= set(view.mapping_set_slots)
    assert set(rows[0]) <= set(view.mapping_slots)
    for required in ("mapping_set_id", "license", "curie_map"):
        assert meta[required]
    assert all(row["mapping_justification"].startswith("semapv:") for row in rows)


def test_validation_catches_a_broken_file(written, tmp_path):
    """The validators are not vacuous: an undeclared prefix and a justification outside semapv are reported."""
    text = written.read_text(encoding="utf-8")
    broken = tmp_path / "broken.sssom.tsv"
    broken.write_text(re.sub(r"(?m)^#   OBI: .*\n", "", text), encoding="utf-8")
    assert _validate(broken)[1]["SchemaValidationType.PrefixMapCompleteness"]
    broken.write_text(
        text.replace("\tsemapv:ManualMappingCuration\t", "\tsemapv:NoSuchJustification\t", 1), encoding="utf-8"
    )
    assert _validate(broken)[1]["SchemaValidationType.JsonSchema"]


def test_every_prefix_is_in_the_curie_map(table):
    meta, rows = table
    for row in rows:
        for col in ("subject_id", "predicate_id", "object_id", "mapping_justification"):
            assert row[col].split(":", 1)[0] in meta["curie_map"], row


def test_every_mapping_triple_of_the_ontology_is_a_row(project, table):
    from exo_rdf.namespaces import compress

    g = Graph().parse(project.ontology_file)
    expected = set()
    for pred in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch):
        for s, o in g.subject_objects(pred):
            expected.add((compress(str(s)), compress(str(pred)), compress(str(o))))
    assert len(expected) >= 30
    _, rows = table
    ours = {(r["subject_id"], r["predicate_id"], r["object_id"]) for r in rows if r["subject_id"].startswith("exo:")}
    assert ours == expected


def test_ids_exist_and_labels_are_official(project, table, term_index):
    g = Graph().parse(project.ontology_file)
    from exo_rdf.namespaces import expand

    _, rows = table
    for row in rows:
        for col in ("subject_id", "object_id"):
            curie, label = row[col], row[col.replace("_id", "_label")]
            assert label, row
            if curie.startswith("exo:"):
                assert str(g.value(expand(curie), RDFS.label)) == label
            else:
                term = term_index.get(curie)
                assert term is not None and not term.obsolete, curie
                if not curie.startswith(("MONDO:", "DOID:")):  # MONDO/DOID labels come from the mapping file
                    assert term.label == label, (curie, term.label, label)


def _used_mondo():
    """MONDO ids used in instances/*.ttl, read independently of the module (rdflib triples, no SPARQL)."""
    g = Graph()
    for path in sorted((ROOT / "instances").glob("*.ttl")):
        g.parse(path)
    found = set()
    for triple in g:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith("http://purl.obolibrary.org/obo/MONDO_"):
                found.add("MONDO:" + str(term).rsplit("_", 1)[1])
    return found


def _mondo_file_subjects():
    path = SHARED / "ontologies" / "mondo-doid-exactmatch-2026-08-04.sssom.tsv.xz"
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        return {
            r["subject_id"]: r["object_id"]
            for r in csv.DictReader((l for l in fh if not l.startswith("#")), delimiter="\t")
        }


def test_every_used_mondo_disease_is_mapped_or_listed_unmapped(table):
    meta, rows = table
    used = _used_mondo()
    assert len(used) > 20
    mapped_in_file = _mondo_file_subjects()
    mondo_rows = {r["subject_id"]: r for r in rows if r["subject_id"].startswith("MONDO:")}
    listed = set(re.findall(r"MONDO:\d{7}", meta["comment"].split("no DOID exact match", 1)[1]))
    assert set(mondo_rows) == {m for m in used if m in mapped_in_file}
    assert listed == {m for m in used if m not in mapped_in_file}
    for m, row in mondo_rows.items():
        assert row["object_id"] == mapped_in_file[m]
        assert row["predicate_id"] == "skos:exactMatch"
        assert row["mapping_provider"].endswith("mondo_exactmatch_doid.sssom.tsv")


def test_readme_lists_exactly_the_unmapped_diseases(project):
    from exo_rdf.sssom import mapping_set

    unmapped = mapping_set(project, "9.9.9").unmapped_mondo
    readme = (ROOT / "mappings" / "README.md").read_text(encoding="utf-8")
    section = readme.split("## MONDO diseases without a DOID mapping", 1)[1].split("\n## ", 1)[0]
    assert sorted(set(re.findall(r"MONDO:\d{7}", section))) == unmapped


def test_output_is_deterministic_and_sorted(project, written):
    from exo_rdf.sssom import OUTPUT, sssom_outputs

    assert sssom_outputs(project, "9.9.9")[OUTPUT] == written.read_text(encoding="utf-8")
    body = [l for l in written.read_text(encoding="utf-8").splitlines() if not l.startswith("#")][1:]
    keys = [tuple(l.split("\t")[i] for i in (0, 2, 3)) for l in body]
    assert keys == sorted(keys)


def test_missing_mapping_file_is_a_clear_error(tmp_project, tmp_path, monkeypatch):
    from exo_rdf.errors import ExoError
    from exo_rdf.sssom import sssom_outputs

    empty = tmp_path / "shared"
    (empty / "ontologies").mkdir(parents=True)
    monkeypatch.setenv("EXO_RDF_SHARED", str(empty))
    with pytest.raises(ExoError, match="mondo-doid-exactmatch"):
        sssom_outputs(tmp_project, "9.9.9")
