"""Shared fixtures: the real project, and throw-away projects built in tmp_path.

Session-scoped fixtures parse the real ontology, shapes and instances once.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = Path(__file__).resolve().parent / "resources"
SHARED = Path(os.environ.get("EXO_RDF_SHARED") or ROOT.parent / "shared").resolve()


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


@contextlib.contextmanager
def serve_process(root: Path, log: Path, *extra: str):
    """`exo-rdf serve` on ``root`` as a real process on a free port of 127.0.0.1; yields its base URL."""
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "exo_rdf", "--root", str(root), "serve", "--port", str(port), *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "EXO_RDF_SHARED": str(SHARED)},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(base + "/exo-rdf/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"exo-rdf serve did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def live_server(built_copy):
    """`exo-rdf serve` as a real process on a free port of 127.0.0.1; yields its base URL, stops it after."""
    with serve_process(built_copy.root, built_copy.root / "serve.log", "--timeout", "3") as base:
        yield base


# The `slow` marker: `make test-fast` (-m "not slow") leaves these out of the edit loop.

#: Fixtures that cost seconds to minutes (a build, a live server, a HermiT run over real data).
SLOW_FIXTURES = {"built_copy", "live_server", "real_runs", "real_tbox_report", "punning_report", "unsatisfiable_report"}
#: Test files where every test starts a reasoner, a build or a browser.
SLOW_FILES = {"test_reason.py", "test_browser.py", "test_build.py"}
#: Tests that run pySHACL (rdflib) beside our engine: seconds each.
SLOW_NAMES = ("test_engines_agree",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if (
            item.path.name in SLOW_FILES
            or item.name.startswith(SLOW_NAMES)
            or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
        ):
            item.add_marker(pytest.mark.slow)


def chromium(profile_dir, *, performance_log: bool = False):
    """Debian's headless Chromium through chromedriver (both installed by scripts/setup.sh), offline-minded:
    no background networking, updates or sync. ``performance_log`` records every network request."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert binary and driver, "chromium and chromedriver are installed by scripts/setup.sh (make test)"
    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        f"--user-data-dir={profile_dir}",
    ):
        opts.add_argument(flag)
    if performance_log:
        opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    drv = webdriver.Chrome(service=Service(driver), options=opts)
    drv.set_page_load_timeout(30)
    return drv
