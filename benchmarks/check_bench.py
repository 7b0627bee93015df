"""Benchmark: how long the checks take on the ontology + imports, and on the whole curated graph.

Each configuration runs `exo-rdf check` (or `exo-rdf reason`) in a fresh subprocess (so start-up and
loading count) a few times; the script records wall-time median, min and max, the CPU seconds (user +
system) of the child and its children (a figure the other load on a shared machine barely changes), the
1-minute load average before each run, and the peak RSS, and writes benchmarks/results/check-<date>.json.
The anchor is measured in the same run: HermiT on the full graph (`check --full`, `reason --reasoner
hermit`) beside Konclude (`check`, `reason --reasoner konclude`).
Run:  .venv/bin/python benchmarks/check_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXO = [sys.executable, "-m", "exo_rdf.cli"]

CONFIGS = {
    # the full graph first: the everyday check, the cached one, and the HermiT anchor of the same run
    "full graph: check (Konclude, parallel)": ["check", "--no-cache"],
    "full graph: check, nothing changed (cached)": ["check"],
    "full graph: check --full (HermiT, anchor)": ["check", "--full", "--no-cache"],
    "full graph: Konclude (reason)": ["reason", "--reasoner", "konclude", "--output", "/tmp/exo-bench-reasoner"],
    "full graph: HermiT (reason)": ["reason", "--output", "/tmp/exo-bench-reasoner"],
    "full graph: check without reasoner": ["check", "--no-cache", "--skip", "reasoner"],
    # the ontology and its imports only: the QC checks, formatting, ids, and the reasoners without instances
    "ontology+imports: qc, format, ids": [
        "check",
        "--no-cache",
        "--skip",
        "curation",
        "--skip",
        "shacl",
        "--skip",
        "reasoner",
    ],
    "ontology+imports: Konclude": [
        "reason",
        "--reasoner",
        "konclude",
        "--no-instances",
        "--output",
        "/tmp/exo-bench-reasoner",
    ],
    "ontology+imports: HermiT": ["reason", "--no-instances", "--output", "/tmp/exo-bench-reasoner"],
}


def run_once(args: list[str]) -> tuple[float, int, int, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu0 = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    t0 = time.perf_counter()
    proc = subprocess.run(EXO + args, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, proc.returncode, max(usage.ru_maxrss, before), usage.ru_utime + usage.ru_stime - cpu0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="run only the configurations whose name contains this")
    parser.add_argument("--name", default="check", help="results file stem (default: check)")
    opts = parser.parse_args()
    results = {}
    out = ROOT / "benchmarks" / "results" / f"{opts.name}-{dt.date.today().isoformat()}.json"
    for name, args in CONFIGS.items():
        if opts.only not in name:
            continue
        times, cpus, loads, codes, peak = [], [], [], set(), 0
        for _ in range(opts.repeat):
            loads.append(os.getloadavg()[0])
            seconds, code, peak_kb, cpu = run_once(args)
            times.append(seconds)
            cpus.append(cpu)
            codes.add(code)
            peak = max(peak, peak_kb)
        results[name] = {
            "args": args,
            "median_s": round(statistics.median(times), 2),
            "min_s": round(min(times), 2),
            "max_s": round(max(times), 2),
            "cpu_median_s": round(statistics.median(cpus), 2),
            "cpu_min_s": round(min(cpus), 2),
            "load_average_1min": [round(x, 1) for x in loads],
            "exit_codes": sorted(codes),
            "peak_rss_mb_upper_bound": round(peak / 1024),
        }
        print(
            f"{name:45} median {results[name]['median_s']:6.2f} s  (min {results[name]['min_s']:.2f}, "
            f"max {results[name]['max_s']:.2f}; CPU {results[name]['cpu_median_s']:.2f} s; load "
            f"{min(loads):.1f}-{max(loads):.1f}; exit {sorted(codes)})",
            flush=True,
        )
        write(out, results)  # after every configuration, so an interrupted run keeps what it measured
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


def write(out: Path, results: dict) -> None:
    record = {
        "date": dt.date.today().isoformat(),
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "note": "peak RSS is the largest child so far (ru_maxrss of RUSAGE_CHILDREN), an upper bound per row",
        "results": results,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
