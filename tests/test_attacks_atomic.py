"""kill -9 at every write step of the dist/ and instances/ switches leaves the previous or the new
complete version, and the next run succeeds and leaves no litter.

The switch (:func:`exo_rdf.atomic.replace_folder`) is driven in a process of its own with
``EXO_RDF_FAULT=LABEL:N``, which SIGKILLs it at its N-th write step, for every N until a run gets
through; then a real ``kill -9`` at random moments of a run in a loop. Each run is a process forked
from a driver that imported the package once, so a run costs milliseconds, not a Python start-up. ``build`` and ``curate`` use the
same switch (``_write_dist`` and ``write_outputs``), exercised here with their own fill functions.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

_DRIVER = r"""
import json, os, sys
from pathlib import Path
from exo_rdf.build import _write_dist
from exo_rdf.curate import CompileResult, GENERATED_MARK, write_outputs
from exo_rdf.project import Project

def work(what, target, version, loops):
    outputs = {f"data/file-{i}.txt": f"{version} {i}\n" * 2000 for i in range(6)}
    outputs["top.txt"] = version
    n = 0
    while loops == 0 or n < loops:  # 0: until killed
        n += 1
        if what == "build":
            _write_dist(target, outputs)
        else:
            project = Project.at(target.parent)
            files = {f"{i:03}.ttl": f"{GENERATED_MARK} {version}\n" + "x\n" * 5000 for i in range(6)}
            write_outputs(project, CompileResult(outputs=files))

def status(pid):
    _, code = os.waitpid(pid, 0)
    return -os.WTERMSIG(code) if os.WIFSIGNALED(code) else os.WEXITSTATUS(code)

for line in sys.stdin:
    req = json.loads(line)
    if "reap" in req:
        print(json.dumps({"returncode": status(req["reap"])}), flush=True)
        continue
    pid = os.fork()
    if pid == 0:  # a fresh run: the package is imported, but no write step has been counted yet
        code = 0
        try:
            os.environ.pop("EXO_RDF_FAULT", None)
            if req["fault"]:
                os.environ["EXO_RDF_FAULT"] = req["fault"]
            work(req["what"], Path(req["target"]), req["version"], req["loops"])
        except BaseException as exc:
            sys.stderr.write(f"{exc!r}\n")
            code = 1
        os._exit(code)
    reply = {"pid": pid}
    if req["wait"]:
        reply["returncode"] = status(pid)
    print(json.dumps(reply), flush=True)
"""


class Runner:
    """Runs of ``build``'s and ``curate``'s folder switch, each a fresh process forked from one driver that
    imported the package once (a run is then milliseconds instead of a Python start-up and imports)."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "EXO_RDF_FAULT"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _DRIVER], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def _ask(self, request: dict) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the driver died"
        return json.loads(line)

    def run(self, what: str, target: Path, version: str, fault: str | None = None) -> int:
        """One run to its end (or to its SIGKILL); its exit code, negative for a signal."""
        request = {"what": what, "target": str(target), "version": version, "fault": fault, "loops": 1, "wait": True}
        return self._ask(request)["returncode"]

    def start_loop(self, what: str, target: Path, version: str) -> int:
        """A run that switches the folder again and again until killed; its process id."""
        request = {"what": what, "target": str(target), "version": version, "fault": None, "loops": 0, "wait": False}
        return self._ask(request)["pid"]

    def reap(self, pid: int) -> int:
        return self._ask({"reap": pid})["returncode"]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture
def runner():
    r = Runner()
    yield r
    r.close()


def version_of(target: Path, what: str) -> str:
    """The one version every file of the folder holds (fails on a mix or a missing file)."""
    assert target.is_dir(), f"{target} is missing"
    if what == "build":
        files = sorted(p for p in target.rglob("*") if p.is_file())
        names = {str(p.relative_to(target)) for p in files}
        assert names == {f"data/file-{i}.txt" for i in range(6)} | {"top.txt", "SHA256SUMS"}, names
        versions = {p.read_text().split()[0] for p in files if p.name != "SHA256SUMS"}
    else:
        ttl = sorted(target.glob("*.ttl"))
        assert [p.name for p in ttl] == [f"{i:03}.ttl" for i in range(6)], ttl
        versions = {p.read_text().splitlines()[0].split()[-1] for p in ttl}
        assert (target / "notes.md").read_text() == "hand-written\n"  # kept through every switch
    assert len(versions) == 1, versions
    return versions.pop()


def litter(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}"))


def prepare(runner: Runner, tmp_path: Path, what: str) -> Path:
    name = "dist" if what == "build" else "instances"
    target = tmp_path / name
    if what == "curate":
        (tmp_path / "ontology").mkdir()
        (tmp_path / "ontology" / "exo.ttl").write_text("")  # what makes the folder a project
        target.mkdir()
        (target / "notes.md").write_text("hand-written\n")
    assert runner.run(what, target, "v1") == 0
    assert version_of(target, what) == "v1"
    return target


@pytest.mark.parametrize("what", ["build", "curate"])
def test_kill_at_every_write_step_leaves_a_complete_version(runner, tmp_path, what):
    target = prepare(runner, tmp_path, what)
    name = target.name
    step = 1
    while True:
        before = "v1" if step == 1 else f"v{step}"  # what the previous clean run left
        returncode = runner.run(what, target, f"v{step + 1}", fault=f"{what}:{step}")
        killed = returncode == -signal.SIGKILL
        current = version_of(target, what)  # always one complete version
        assert current in (before, f"v{step + 1}"), (step, current)
        # the next clean run succeeds and leaves nothing behind
        assert runner.run(what, target, f"v{step + 1}") == 0
        assert version_of(target, what) == f"v{step + 1}"
        assert litter(tmp_path, name) == [], litter(tmp_path, name)
        if not killed:
            assert returncode == 0
            break
        step += 1
    assert step > 6  # every file write, the flush, the switch and the clean-up were each a fault point


@pytest.mark.parametrize("what", ["build", "curate"])
def test_real_kill_9_at_random_moments(runner, tmp_path, what):
    target = prepare(runner, tmp_path, what)
    rng = random.Random(3)
    for round_ in range(8):
        pid = runner.start_loop(what, target, f"r{round_}")
        time.sleep(0.02 + rng.random() * 0.4)
        os.kill(pid, signal.SIGKILL)
        assert runner.reap(pid) == -signal.SIGKILL  # killed in the middle of its run, which never ends by itself
        assert version_of(target, what) in ("v1", *(f"r{i}" for i in range(round_ + 1)))
    assert runner.run(what, target, "final") == 0
    assert version_of(target, what) == "final"
    assert litter(tmp_path, target.name) == []
