"""Benchmark: how long the checks take on the ontology + imports, and on the whole curated graph.

Each configuration runs `exo-rdf check` in a fresh subprocess (so start-up and loading count) a few
times; the script records wall-time median, min and max and the peak RSS of the child, and writes
benchmarks/results/check-<date>.json. Run:  .venv/bin/python benchmarks/check_bench.py [--repeat N]
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
    # the ontology and its imports only: the QC checks, formatting, ids, and HermiT without instances
    "ontology+imports: qc, format, ids": ["check", "--skip", "curation", "--skip", "shacl", "--skip", "reasoner"],
    "ontology+imports: reasoner": ["reason", "--no-instances", "--output", "/tmp/exo-bench-reasoner"],
    "full graph: check without reasoner": ["check", "--skip", "reasoner"],
    "full graph: check": ["check"],
}


def run_once(args: list[str]) -> tuple[float, int, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(EXO + args, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, proc.returncode, max(peak_kb, before)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    results = {}
    for name, args in CONFIGS.items():
        times, codes, peak = [], set(), 0
        for _ in range(opts.repeat):
            seconds, code, peak_kb = run_once(args)
            times.append(seconds)
            codes.add(code)
            peak = max(peak, peak_kb)
        results[name] = {
            "args": args,
            "median_s": round(statistics.median(times), 2),
            "min_s": round(min(times), 2),
            "max_s": round(max(times), 2),
            "exit_codes": sorted(codes),
            "peak_rss_mb_upper_bound": round(peak / 1024),
        }
        print(
            f"{name:42} median {results[name]['median_s']:6.2f} s  (min {results[name]['min_s']:.2f}, "
            f"max {results[name]['max_s']:.2f}; exit {sorted(codes)})",
            flush=True,
        )
    record = {
        "date": dt.date.today().isoformat(),
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "note": "peak RSS is the largest child so far (ru_maxrss of RUSAGE_CHILDREN), an upper bound per row",
        "results": results,
    }
    out = ROOT / "benchmarks" / "results" / f"check-{record['date']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
