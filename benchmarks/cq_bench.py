"""Benchmark: how fast the stored competency questions run on the embedded Oxigraph store.

Loads the knowledge graph (ontology, imports and instances) into one pyoxigraph store, once, the way
``exo-rdf query`` and the tests do; then runs every ``queries/cq/*.rq`` a number of times (50 by default)
after one warm-up run, consuming every solution, and records per query the median and 95th percentile
(nearest rank) wall time in milliseconds. The target is a median under 10 ms for every CQ.

Usage (from the project root)::

    .venv/bin/python benchmarks/cq_bench.py                 # 50 runs per CQ; records the results
    .venv/bin/python benchmarks/cq_bench.py --runs 200 --no-record

Results go to ``benchmarks/results/cq-<date>.json`` and a markdown table is appended to
``benchmarks/README.md`` (other benchmarks append their own sections there; nothing is removed).
Exit code 1 when a CQ's median is over the target, 0 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
TARGET_MS = 10.0


def machine_facts() -> dict:
    import pyoxigraph

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "pyoxigraph": getattr(pyoxigraph, "__version__", "?"),
        "os": platform.platform(terse=True),
        "nproc": os.cpu_count(),
        "cpu": cpu,
    }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def consume(result) -> int:
    """Iterate a query result completely (solutions or triples); return the number of rows."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)


def run(root: Path, runs: int) -> tuple[dict, list[dict]]:
    from exo_rdf.graph import project_store
    from exo_rdf.project import Project
    from exo_rdf.query import load_queries

    project = Project.at(root)
    t0 = time.perf_counter()
    store = project_store(project)
    load_s = time.perf_counter() - t0
    queries = load_queries(project.cq_dir)
    rows = []
    for query in queries:
        n = consume(store.query(query.text))  # warm-up, not timed
        times = []
        for _ in range(runs):
            start = time.perf_counter_ns()
            consume(store.query(query.text))
            times.append((time.perf_counter_ns() - start) / 1e6)
        median = statistics.median(times)
        rows.append(
            {
                "id": query.id,
                "rows": n,
                "runs": runs,
                "median_ms": round(median, 3),
                "p95_ms": round(percentile(times, 95), 3),
                "min_ms": round(min(times), 3),
                "max_ms": round(max(times), 3),
                "under_target": median < TARGET_MS,
            }
        )
        print(f"{query.id:45s} {n:4d} rows  median {median:7.2f} ms  p95 {percentile(times, 95):7.2f} ms", flush=True)
    graph = {"triples": len(store), "load_s": round(load_s, 2), "queries": len(queries)}
    return graph, rows


def markdown(rows: list[dict]) -> str:
    lines = ["| CQ | rows | median (ms) | p95 (ms) | under 10 ms |", "|---|---:|---:|---:|:---:|"]
    for r in rows:
        lines.append(
            f"| `{r['id']}` | {r['rows']} | {r['median_ms']:.2f} | {r['p95_ms']:.2f} | "
            f"{'yes' if r['under_target'] else 'NO'} |"
        )
    return "\n".join(lines)


def record(facts: dict, graph: dict, rows: list[dict], runs: int) -> Path:
    stamp = dt.datetime.now().astimezone()
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"cq-{stamp:%Y-%m-%d}.json"
    if path.exists():
        path = out_dir / f"cq-{stamp:%Y-%m-%d-%H%M%S}.json"
    payload = {
        "benchmark": "cq",
        "date": stamp.isoformat(timespec="seconds"),
        "machine": facts,
        "settings": {"runs": runs, "warm_up_runs": 1, "target_median_ms": TARGET_MS},
        "graph": graph,
        "queries": rows,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    slowest = max(rows, key=lambda r: r["median_ms"])
    over = [r["id"] for r in rows if not r["under_target"]]
    readme = HERE / "README.md"
    head = "" if readme.exists() else "# benchmarks/\n\nSpeed and memory scripts, with their recorded results.\n"
    block = (
        f"\n## Competency questions: {stamp:%Y-%m-%d %H:%M} ({path.relative_to(ROOT)})\n\n"
        f"`benchmarks/cq_bench.py`: {graph['queries']} CQs on the embedded Oxigraph store "
        f"({graph['triples']:,} triples: ontology, imports and instances, loaded once in {graph['load_s']:.1f} s); "
        f"each CQ run {runs} times after one warm-up, every solution consumed. "
        f"{facts['nproc']} cores ({facts['cpu'] or 'cpu unknown'}), {facts['os']}; Python {facts['python']}, "
        f"pyoxigraph {facts['pyoxigraph']}. Target: median under {TARGET_MS:.0f} ms for every CQ — "
        + (
            f"met (slowest: `{slowest['id']}`, {slowest['median_ms']:.2f} ms)."
            if not over
            else f"NOT met by {', '.join(over)}."
        )
        + f"\n\n{markdown(rows)}\n"
    )
    with readme.open("a", encoding="utf-8") as fh:
        fh.write(head + block)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per CQ (default 50)")
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this checkout)")
    parser.add_argument("--no-record", action="store_true", help="print only; write no JSON and no README table")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    facts = machine_facts()
    graph, rows = run(args.root, args.runs)
    if not args.no_record:
        path = record(facts, graph, rows, args.runs)
        print(f"\nrecorded {path.relative_to(ROOT)} and appended the table to benchmarks/README.md")
    return 0 if all(r["under_target"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
