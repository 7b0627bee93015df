"""kill -9 at every write step of the dist/ and instances/ switches leaves the previous or the new
complete version, and the next run succeeds and leaves no litter.

The switch (:func:`exo_rdf.atomic.replace_folder`) is driven in a subprocess with
``EXO_RDF_FAULT=LABEL:N``, which SIGKILLs it at its N-th write step, for every N until a run gets
through; then a real ``kill -9`` at random moments of a run in a loop. ``build`` and ``curate`` use the
same switch (``_write_dist`` and ``write_outputs``), exercised here with their own fill functions.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

_DRIVER = r"""
import json, sys
from pathlib import Path
what, target, version = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
outputs = {f"data/file-{i}.txt": f"{version} {i}\n" * 2000 for i in range(6)}
outputs["top.txt"] = version
loops = int(sys.argv[4]) if len(sys.argv) > 4 else 1
for n in range(loops):
    if what == "build":
        from exo_rdf.build import _write_dist
        _write_dist(target, outputs)
    else:
        from exo_rdf.curate import CompileResult, GENERATED_MARK, write_outputs
        from exo_rdf.project import Project
        project = Project.at(target.parent)
        result = CompileResult(outputs={f"{i:03}.ttl": f"{GENERATED_MARK} {version}\n" + "x\n" * 5000 for i in range(6)})
        write_outputs(project, result)
print("done")
"""


def run(what: str, target: Path, version: str, fault: str | None = None, loops: int = 1, wait: bool = True):
    env = {k: v for k, v in os.environ.items() if k != "EXO_RDF_FAULT"}
    if fault:
        env["EXO_RDF_FAULT"] = fault
    cmd = [sys.executable, "-c", _DRIVER, what, str(target), version, str(loops)]
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


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


def prepare(tmp_path: Path, what: str) -> Path:
    name = "dist" if what == "build" else "instances"
    target = tmp_path / name
    if what == "curate":
        (tmp_path / "ontology").mkdir()
        (tmp_path / "ontology" / "exo.ttl").write_text("")  # what makes the folder a project
        target.mkdir()
        (target / "notes.md").write_text("hand-written\n")
    result = run(what, target, "v1")
    assert result.returncode == 0, result.stderr
    assert version_of(target, what) == "v1"
    return target


@pytest.mark.parametrize("what", ["build", "curate"])
def test_kill_at_every_write_step_leaves_a_complete_version(tmp_path, what):
    target = prepare(tmp_path, what)
    name = target.name
    step = 1
    while True:
        before = "v1" if step == 1 else f"v{step}"  # what the previous clean run left
        result = run(what, target, f"v{step + 1}", fault=f"{what}:{step}")
        killed = result.returncode == -signal.SIGKILL
        current = version_of(target, what)  # always one complete version
        assert current in (before, f"v{step + 1}"), (step, current)
        # the next clean run succeeds and leaves nothing behind
        clean = run(what, target, f"v{step + 1}")
        assert clean.returncode == 0, clean.stderr
        assert version_of(target, what) == f"v{step + 1}"
        assert litter(tmp_path, name) == [], litter(tmp_path, name)
        if not killed:
            assert result.returncode == 0, result.stderr
            break
        step += 1
    assert step > 6  # every file write, the flush, the switch and the clean-up were each a fault point


@pytest.mark.parametrize("what", ["build", "curate"])
def test_real_kill_9_at_random_moments(tmp_path, what):
    target = prepare(tmp_path, what)
    rng = random.Random(3)
    for round_ in range(3):
        proc = run(what, target, f"r{round_}", loops=50, wait=False)
        time.sleep(0.3 + rng.random() * 1.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert version_of(target, what) in ("v1", *(f"r{i}" for i in range(round_ + 1)))
    clean = run(what, target, "final")
    assert clean.returncode == 0, clean.stderr
    assert version_of(target, what) == "final"
    assert litter(tmp_path, target.name) == []
