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


@pytest.fixture
def no_java(tmp_path, monkeypatch):
    """No Java on PATH (and owlready2 looking for plain `java`): the reasoner must say so plainly."""
    import owlready2

    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(owlready2, "JAVA_EXE", "java")


def no_labels(curie):
    """Label lookup stub for compile tests that do not need official labels (keeps them fast)."""
    return None


# --- a built copy of the project and a live `exo-rdf serve` on it (server, endpoint and browser tests) -------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def built_copy(tmp_path_factory):
    """A copy of the real project's knowledge folders with dist/ built once per session."""
    from exo_rdf.build import build
    from exo_rdf.project import Project

    root = tmp_path_factory.mktemp("served") / "proj"
    for folder in ("ontology", "instances", "shapes", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    os.environ.setdefault("EXO_RDF_SHARED", str(SHARED))
    project = Project.at(root)
    build(project)
    return project


@pytest.fixture(scope="session")
def live_server(built_copy):
    """`exo-rdf serve` as a real process on a free port of 127.0.0.1; yields its base URL, stops it after."""
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    log = built_copy.root / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "exo_rdf",
                "--root",
                str(built_copy.root),
                "serve",
                "--port",
                str(port),
                "--timeout",
                "3",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "EXO_RDF_SHARED": str(SHARED)},
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/exo-rdf/", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"exo-rdf serve did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
