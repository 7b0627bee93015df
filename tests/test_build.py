"""exo-rdf build: every format parses back to the same triples, rebuilds are byte-identical, the
version is stamped, and a failed build leaves the previous dist/ untouched."""
from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Namespace
from rdflib.compare import isomorphic

from conftest import ROOT

OWL = Namespace("http://www.w3.org/2002/07/owl#")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the project (ontology, imports, instances) built twice into its own dist/."""
    from exo_rdf.build import build
    from exo_rdf.project import Project

    root = tmp_path_factory.mktemp("b") / "proj"
    for name in ("ontology", "instances"):
        shutil.copytree(ROOT / name, root / name)
    project = Project.at(root)
    first = build(project, version="9.9.9")
    snapshot = {p.relative_to(first.dist): p.read_bytes() for p in first.dist.rglob("*") if p.is_file()}
    build(project, version="9.9.9")
    return project, snapshot


def test_rebuild_is_byte_identical(built):
    project, snapshot = built
    again = {p.relative_to(project.dist_dir): p.read_bytes() for p in project.dist_dir.rglob("*") if p.is_file()}
    assert again == snapshot


@pytest.mark.parametrize("stem", ["ontology/exo-base", "ontology/exo"])
def test_ontology_formats_agree(built, stem):
    project, _ = built
    ttl = Graph().parse(project.dist_dir / f"{stem}.ttl")
    owl = Graph().parse(project.dist_dir / f"{stem}.owl", format="xml")
    jsonld = Graph().parse(project.dist_dir / f"{stem}.jsonld", format="json-ld")
    assert isomorphic(ttl, owl) and isomorphic(ttl, jsonld)
    from exo_rdf.namespaces import ONTOLOGY_IRI as onto

    assert str(ttl.value(onto, OWL.versionInfo)) == "9.9.9"
    assert str(ttl.value(onto, OWL.versionIRI)).startswith("https://w3id.org/exo-rdf/releases/9.9.9/")


def test_data_formats_agree_and_match_sources(built):
    from exo_rdf.graph import parse_files

    project, _ = built
    source = parse_files(project.instance_files())
    for name, fmt in (("exo-data.ttl", "turtle"), ("exo-data.nt", "nt"), ("exo-data.jsonld", "json-ld")):
        assert isomorphic(Graph().parse(project.dist_dir / "data" / name, format=fmt), source), name


def test_checksums_cover_every_file(built):
    import hashlib

    project, _ = built
    lines = (project.dist_dir / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in lines}
    files = {str(p.relative_to(project.dist_dir)) for p in project.dist_dir.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    for rel, digest in listed.items():
        assert hashlib.sha256((project.dist_dir / rel).read_bytes()).hexdigest() == digest


def test_failed_build_leaves_previous_dist_intact(built):
    from exo_rdf.build import build
    from exo_rdf.errors import InputError

    project, snapshot = built
    bad = project.instances_dir / "zz-broken.ttl"
    bad.write_text("@prefix exo: <https://w3id.org/exo-rdf/ontology/> .\nexo:a exo:b .\n", encoding="utf-8")
    try:
        with pytest.raises(InputError, match="zz-broken.ttl:2"):
            build(project, version="9.9.9")
    finally:
        bad.unlink()
    now = {p.relative_to(project.dist_dir): p.read_bytes() for p in project.dist_dir.rglob("*") if p.is_file()}
    assert now == snapshot
    assert not list(project.root.glob(".dist-*"))
