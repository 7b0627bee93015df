"""Shared fixtures: the real project, and throw-away projects built in tmp_path.

Session-scoped fixtures parse the real ontology, shapes and instances once.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = Path(__file__).resolve().parent / "resources"
SHARED = (ROOT.parent / "shared").resolve()


@pytest.fixture(scope="session")
def project():
    from exo_rdf.project import Project

    return Project.at(ROOT)


@pytest.fixture(scope="session")
def term_index(project):
    from exo_rdf.terms import project_index

    return project_index(project)


@pytest.fixture(scope="session")
def ontology_graph(project):
    from exo_rdf.graph import parse_files

    return parse_files([project.ontology_file, *project.import_files()])


@pytest.fixture(scope="session")
def shapes_graph(project):
    from exo_rdf.validate import load_shapes

    return load_shapes(project)


@pytest.fixture(scope="session")
def seeds(project):
    from exo_rdf.sources import load_seeds

    return load_seeds(project.seeds_dir)


@pytest.fixture
def tmp_project(tmp_path, monkeypatch):
    """A minimal project copy (ontology, shapes, curation README) in tmp_path, seeing the real shared/."""
    from exo_rdf.project import Project

    root = tmp_path / "proj"
    (root / "ontology").mkdir(parents=True)
    shutil.copy(ROOT / "ontology" / "exo.ttl", root / "ontology" / "exo.ttl")
    shutil.copytree(ROOT / "shapes", root / "shapes")
    (root / "curation").mkdir()
    (root / "instances").mkdir()
    monkeypatch.setenv("EXO_RDF_SHARED", str(SHARED))
    return Project.at(root)


def no_labels(curie):
    """Label lookup stub for compile tests that do not need official labels (keeps them fast)."""
    return None
