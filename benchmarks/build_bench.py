"""Benchmark: ``exo-rdf build`` on synthetic projects of 10^4 to 10^6 data triples, phase by phase.

The data is the synthetic generator of ``cq_scale_bench.py`` (``validate_bench.generate`` plus its molecular
targets) without planted violations, written as the one instance file of a scratch project that links the real ontology, imports,
shapes, queries and mappings. Each build runs in a fresh process under ``nice``; the process times each
phase of :func:`exo_rdf.build.build` (wall time, CPU of the process and of its children such as HermiT's
Java, and the peak resident set size sampled every 5 ms while the phase runs).

Anchor, in the same run and on the same files: the build of an earlier revision (``--anchor-rev``, by
default the last one whose build wrote every file through rdflib's serialisers), unpacked with
``git archive`` and imported first on ``PYTHONPATH``, stopped after ``--anchor-timeout`` seconds. When
both finish, their SHA256SUMS files are compared: the outputs must be byte-identical.

Usage (from the project root)::

    .venv/bin/python benchmarks/build_bench.py                          # 1e4, 1e5, 1e6; records the results
    .venv/bin/python benchmarks/build_bench.py --sizes 1e4 --no-record
    .venv/bin/python benchmarks/build_bench.py --sizes 1e5,1e6 --runs 3 --anchor-timeout 900

The growth exponent between two sizes is log(t2 / t1) / log(n2 / n1) (1 = linear). Results:
``benchmarks/results/build-<date>.json`` and a section in ``benchmarks/README.md``. Exit 1 when the build
at 10^6 triples (or the largest size run) takes more than 60 s, or when the anchor's outputs differ.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

TARGET_S = 60.0
MARKER = "<!-- build_bench.py inserts new runs above this line -->"
#: The last revision whose build wrote Turtle, N-Triples and JSON-LD through rdflib.
DEFAULT_ANCHOR = "f0f8665"
#: Project folders the scratch project links from the real one (instances/ is the synthetic data; no
#: releases/, whose released ids the synthetic data does not hold; no curation/, which only holds drafts).
LINKED = ("ontology", "shapes", "queries", "mappings", "sources", "pyproject.toml")
#: Phases of exo_rdf.build.build, timed by wrapping these functions (module, attribute).
PHASES = (
    ("release", "refuse_drafts"),
    ("build", "_read_sources"),
    ("release", "check_released"),
    ("build", "inferred_subclass_axioms"),
    ("build", "_ontology_outputs"),
    ("build", "_data_outputs"),
    ("build", "_named_graph_outputs"),
    ("build", "nanopub_outputs"),
    ("build", "_docs_outputs"),
    ("build", "_interop_outputs"),
    ("build", "_description_outputs"),
    ("build", "_write_dist"),
)


# ---------------------------------------------------------------------------------------------------------
# The child: one build, phase by phase


class _RssSampler(threading.Thread):
    """The resident set size of this process every 5 ms; ``take()`` returns the peak since the last call."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.peak = 0
        self.lock = threading.Lock()

    def rss(self) -> int:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * self.page

    def run(self) -> None:
        while True:
            now = self.rss()
            with self.lock:
                self.peak = max(self.peak, now)
            time.sleep(0.005)

    def take(self) -> int:
        with self.lock:
            peak, self.peak = max(self.peak, self.rss()), 0
        return peak


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def child(root: str, out: str) -> None:
    import importlib

    import exo_rdf.build as build_module
    from exo_rdf.project import Project

    sampler = _RssSampler()
    sampler.start()
    phases: dict[str, dict[str, float]] = {}
    depth = [0]

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            depth[0] += 1
            if depth[0] > 1:  # a phase called inside another counts in the outer one
                try:
                    return fn(*args, **kwargs)
                finally:
                    depth[0] -= 1
            sampler.take()
            t0, c0, k0 = time.perf_counter(), time.process_time(), _child_cpu()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                entry = phases.setdefault(name, {"wall_s": 0.0, "cpu_s": 0.0, "child_cpu_s": 0.0, "peak_rss_mb": 0.0})
                entry["wall_s"] += time.perf_counter() - t0
                entry["cpu_s"] += time.process_time() - c0
                entry["child_cpu_s"] += _child_cpu() - k0
                entry["peak_rss_mb"] = max(entry["peak_rss_mb"], sampler.take() / 2**20)

        return wrapper

    for module_name, attr in PHASES:
        module = importlib.import_module(f"exo_rdf.{module_name}")
        if hasattr(module, attr):
            setattr(module, attr, timed(attr.lstrip("_"), getattr(module, attr)))
    sampler.take()
    t0, c0, k0 = time.perf_counter(), time.process_time(), _child_cpu()
    result = build_module.build(Project.at(root))
    total = {
        "wall_s": time.perf_counter() - t0,
        "cpu_s": time.process_time() - c0,
        "child_cpu_s": _child_cpu() - k0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    sums = (result.dist / "SHA256SUMS").read_bytes()
    record = {
        "total": total,
        "phases": phases,
        "data_triples": result.data_triples,
        "files": result.files,
        "sha256sums": hashlib.sha256(sums).hexdigest(),
    }
    Path(out).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------------------
# The parent: data, runs, anchor, report


def make_project(scratch: Path, size: int, terms) -> Path:
    """A scratch project whose only instance file holds about ``size`` synthetic triples."""
    import pyoxigraph as ox
    from cq_scale_bench import TARGETS
    from validate_bench import generate

    root = scratch / f"project-{size}"
    (root / "instances").mkdir(parents=True)
    for name in LINKED:
        if (ROOT / name).exists():
            (root / name).symlink_to(ROOT / name)
    raw = scratch / f"synthetic-{size}.nt"
    generate(size, raw, terms=terms, violations=False)
    store = ox.Store()
    store.bulk_load(path=str(raw), format=ox.RdfFormat.N_TRIPLES)
    store.update(TARGETS)
    # N-Triples is Turtle: the instance file is read by the build like a curated one
    store.dump(
        output=str(root / "instances" / "synthetic.ttl"), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()
    )
    raw.unlink()
    return root


def run_build(root: Path, out: Path, timeout: float | None, pythonpath: str | None = None) -> dict[str, Any]:
    from exo_rdf.project import Project

    env = dict(os.environ)
    # the scratch project has no ../shared beside it: point it at the real project's shared folder
    env.setdefault("EXO_RDF_SHARED", str(Project.at(ROOT).shared_dir))
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(root), str(out)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, timeout=timeout, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return {"timeout_s": timeout}
    if proc.returncode != 0:
        return {
            "error": proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"],
            "wall_s": time.perf_counter() - t0,
        }
    return json.loads(out.read_text(encoding="utf-8"))


def unpack(rev: str, into: Path) -> str:
    """``src/`` of revision ``rev`` unpacked under ``into``; returns the folder to put on PYTHONPATH."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return str(into / "src")


def exponent(t1: float, n1: int, t2: float, n2: int) -> float | None:
    if t1 <= 0 or t2 <= 0 or n1 == n2:
        return None
    return math.log(t2 / t1) / math.log(n2 / n1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1e4,1e5,1e6")
    ap.add_argument("--runs", type=int, default=1, help="builds per size (min / median)")
    ap.add_argument("--anchor-rev", default=DEFAULT_ANCHOR)
    ap.add_argument("--anchor-timeout", type=float, default=300.0)
    ap.add_argument("--no-anchor", action="store_true")
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--child", nargs=2, metavar=("ROOT", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if os.nice(0) < 10:
        os.nice(10 - os.nice(0))
    from validate_bench import _terms

    sizes = [int(float(s)) for s in args.sizes.split(",")]
    terms = _terms()
    result: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": args.runs,
        "nproc": os.cpu_count(),
        "nice": os.nice(0),
        "anchor_rev": None if args.no_anchor else args.anchor_rev,
        "sizes": [],
    }
    ok = True
    with tempfile.TemporaryDirectory(prefix="build-bench-") as tmp:
        scratch = Path(tmp)
        anchor_path = None if args.no_anchor else unpack(args.anchor_rev, scratch / "anchor")
        for size in sizes:
            root = make_project(scratch, size, terms)
            entry: dict[str, Any] = {"target": size, "load_average_start": os.getloadavg()[0], "runs": []}
            for k in range(args.runs):
                run = run_build(root, scratch / f"run-{size}-{k}.json", None)
                if "total" not in run:
                    print(f"{size:,}: build failed: {run}", flush=True)
                    return 2
                entry["runs"].append(run)
                entry["triples"] = run["data_triples"]
                print(f"{size:,}: build {run['total']['wall_s']:.1f} s (load avg {os.getloadavg()[0]:.1f})", flush=True)
            if anchor_path:
                anchor = run_build(root, scratch / f"anchor-{size}.json", args.anchor_timeout, anchor_path)
                entry["anchor"] = anchor
                if "total" in anchor:
                    anchor["identical"] = anchor["sha256sums"] == entry["runs"][0]["sha256sums"]
                    ok &= anchor["identical"]
                print(f"{size:,}: anchor {_show(anchor)}", flush=True)
            entry["load_average_end"] = os.getloadavg()[0]
            result["sizes"].append(entry)
    text = report(result)
    print(text)
    if not args.no_record:
        record(result, text)
    largest = next((e for e in result["sizes"] if e["target"] == 10**6), result["sizes"][-1])
    return 0 if ok and _median(largest) <= TARGET_S else 1


def _median(entry: dict) -> float:
    return statistics.median(r["total"]["wall_s"] for r in entry["runs"])


def _show(run: dict) -> str:
    if "timeout_s" in run:
        return f"> {run['timeout_s']:.0f} s (stopped)"
    if "error" in run:
        return f"failed: {run['error']}"
    same = "identical outputs" if run.get("identical") else "OUTPUTS DIFFER"
    return f"{run['total']['wall_s']:.1f} s, {same}"


def report(result: dict) -> str:
    sizes = result["sizes"]
    lines = [
        f"### {result['date']} (benchmarks/results/build-{result['date'][:10]}.json)",
        "",
        f"{result['nproc']} cores, nice {result['nice']}; {result['runs']} build(s) per size (median, min). "
        "1-minute load average at the start / end of each size: "
        + ", ".join(f"{e['load_average_start']:.1f} / {e['load_average_end']:.1f} ({e['triples']:,})" for e in sizes)
        + f". Anchor: the build of revision `{result['anchor_rev']}` (rdflib's serialisers) on the same files.",
        "",
        "| data triples | build: median (min) | CPU (incl. children) | peak RSS | anchor | ratio |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for e in sizes:
        runs = e["runs"]
        med = _median(e)
        cpu = statistics.median(r["total"]["cpu_s"] + r["total"]["child_cpu_s"] for r in runs)
        rss = max(r["total"]["peak_rss_mb"] for r in runs)
        anchor = e.get("anchor")
        if anchor is None:
            cells = ["—", "—"]
        elif "total" in anchor:
            cells = [_show(anchor), f"{anchor['total']['wall_s'] / med:.1f}x"]
        elif "timeout_s" in anchor:
            cells = [_show(anchor), f"> {anchor['timeout_s'] / med:.1f}x"]
        else:
            cells = [_show(anchor), "—"]
        lines.append(
            f"| {e['triples']:,} | {med:.1f} s ({min(r['total']['wall_s'] for r in runs):.1f}) | {cpu:.1f} s "
            f"| {rss:,.0f} MB | " + " | ".join(cells) + " |"
        )
    for a, b in zip(sizes, sizes[1:]):
        x = exponent(_median(a), a["triples"], _median(b), b["triples"])
        if x is not None:
            lines.append(f"\nGrowth exponent {a['triples']:,} → {b['triples']:,} triples: {x:.2f}.")
    last = sizes[-1]
    lines += [
        "",
        f"Phases at {last['triples']:,} triples (first run; wall, CPU of the process + children, peak RSS):",
        "",
        "| phase | wall | CPU | peak RSS |",
        "|---|---:|---:|---:|",
    ]
    first = last["runs"][0]
    for name, p in first["phases"].items():
        lines.append(
            f"| {name} | {p['wall_s']:.2f} s | {p['cpu_s'] + p['child_cpu_s']:.2f} s | {p['peak_rss_mb']:,.0f} MB |"
        )
    rest = first["total"]["wall_s"] - sum(p["wall_s"] for p in first["phases"].values())
    lines.append(f"| other (queries.ttl, context, JSON) | {rest:.2f} s | | |")
    return "\n".join(lines) + "\n"


def record(result: dict, text: str) -> None:
    out = HERE / "results" / f"build-{result['date'][:10]}.json"
    for e in result["sizes"]:  # the file lists are long and the same for every run
        for r in [*e["runs"], e.get("anchor") or {}]:
            r.pop("files", None)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    readme = HERE / "README.md"
    body = readme.read_text(encoding="utf-8")
    if MARKER not in body:
        body += "\n## `exo-rdf build` at scale (`build_bench.py`)\n\n" + MARKER + "\n"
    readme.write_text(body.replace(MARKER, text + "\n" + MARKER), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
