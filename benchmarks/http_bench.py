"""HTTP benchmark of `exo-rdf serve`: request rate and latency of a simple competency question, beside
rdflib-endpoint serving the same files in the same run; and a runaway (cartesian-product) query cut off at the
time limit while other queries keep being answered.

Needs `wrk` (Debian: apt-get install wrk) and rdflib-endpoint (pip install -e ".[bench]"). Run from the project
root after `exo-rdf build`; nothing else heavy should run meanwhile (2 cores: wrk, the server and its query
workers share them):

    .venv/bin/python benchmarks/http_bench.py                 # records benchmarks/results/http-DATE.json
    .venv/bin/python benchmarks/http_bench.py --duration 5 --no-record

Targets (issue 6): >= 1000 requests/s with p99 < 50 ms for the simple question; the cartesian query answered
with an error at the time limit while concurrent simple queries are answered normally.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SIMPLE_CQ = "cq-04-findings-per-msc-source"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                r.read()
                return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.5)
    raise SystemExit(f"no answer from {url} after {seconds} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, duration: int, connections: int, threads: int) -> dict:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    return {
        "requests_per_s": rate,
        "requests": total,
        "latency_ms": pct,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": sock.group(1) if sock else "",
        "duration_s": duration,
        "connections": connections,
        "wrk_threads": threads,
        "raw": out,
    }


def runaway_while_answering(endpoint: str, simple_url: str, limit_s: float) -> dict:
    """Start the cartesian query; meanwhile send the simple question every 50 ms and time every answer."""
    result: dict = {}

    def runaway():
        start = time.perf_counter()
        req = urllib.request.Request(
            endpoint + "?" + urllib.parse.urlencode({"query": CARTESIAN}),
            headers={"Accept": "application/sparql-results+json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=limit_s * 10) as r:
                result["status"], result["body"] = r.status, r.read()[:300].decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            result["status"], result["body"] = exc.code, exc.read()[:300].decode("utf-8", "replace")
        result["seconds"] = time.perf_counter() - start

    thread = threading.Thread(target=runaway)
    thread.start()
    latencies, statuses = [], []
    time.sleep(0.2)
    while thread.is_alive():
        start = time.perf_counter()
        with urllib.request.urlopen(simple_url, timeout=30) as r:
            r.read()
            statuses.append(r.status)
        latencies.append((time.perf_counter() - start) * 1000)
        time.sleep(0.05)
    thread.join()
    latencies.sort()
    return {
        "query": CARTESIAN,
        "time_limit_s": limit_s,
        "runaway_status": result.get("status"),
        "runaway_seconds": round(result.get("seconds", 0), 2),
        "runaway_message": result.get("body"),
        "concurrent_simple_queries": len(latencies),
        "concurrent_all_200": all(s == 200 for s in statuses),
        "concurrent_latency_ms_median": round(latencies[len(latencies) // 2], 2) if latencies else None,
        "concurrent_latency_ms_max": round(latencies[-1], 2) if latencies else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=int, default=20, help="seconds of load per measurement")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1, help="wrk threads (1 leaves a core to the server)")
    ap.add_argument("--timeout", type=float, default=5.0, help="the server's query time limit for the runaway test")
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    dist = ROOT / "dist"
    if not (dist / "data" / "exo-data.nt").is_file():
        raise SystemExit("dist/ is missing: run `exo-rdf build` first")
    query = (ROOT / "queries" / "cq" / f"{SIMPLE_CQ}.rq").read_text(encoding="utf-8")
    qs = urllib.parse.urlencode({"query": query})
    results: dict = {"date": date.today().isoformat(), "machine": machine(), "simple_query": SIMPLE_CQ}

    runs = {"exo-rdf serve (reply cache on, the default)": [], "exo-rdf serve (reply cache off)": ["--cache-size", "0"]}
    for name, extra in runs.items():
        port = free_port()
        proc = subprocess.Popen(
            [
                str(BIN / "exo-rdf"),
                "--root",
                str(ROOT),
                "serve",
                "--port",
                str(port),
                "--timeout",
                str(args.timeout),
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            endpoint = f"http://127.0.0.1:{port}/sparql"
            wait_until_up(endpoint + "?" + qs, proc)
            print(f"• {name}: wrk {args.duration} s", file=sys.stderr)
            results[name] = run_wrk(endpoint + "?" + qs, args.duration, args.connections, args.threads)
            if extra:  # without the reply cache, so that the concurrent queries really need a query worker
                print("• runaway query while answering others", file=sys.stderr)
                results["runaway"] = runaway_while_answering(endpoint, endpoint + "?" + qs, args.timeout)
        finally:
            stop(proc)

    port = free_port()
    files = [str(dist / "data" / "exo-data.nt"), str(dist / "ontology" / "exo.ttl")]
    proc = subprocess.Popen(
        [str(BIN / "rdflib-endpoint"), "serve", *files, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}/"  # rdflib-endpoint answers at / (DEPENDENCIES.md)
        wait_until_up(endpoint + "?" + qs, proc, seconds=300)
        print(f"• rdflib-endpoint: wrk {args.duration} s", file=sys.stderr)
        results["rdflib-endpoint"] = run_wrk(endpoint + "?" + qs, args.duration, args.connections, args.threads)
    finally:
        stop(proc)

    ours = results["exo-rdf serve (reply cache on, the default)"]
    ours_nocache = results["exo-rdf serve (reply cache off)"]
    theirs = results["rdflib-endpoint"]
    results["ratio_requests_per_s"] = round(ours["requests_per_s"] / max(theirs["requests_per_s"], 1e-9), 1)
    results["ratio_requests_per_s_cache_off"] = round(
        ours_nocache["requests_per_s"] / max(theirs["requests_per_s"], 1e-9), 1
    )
    results["target_met"] = ours["requests_per_s"] >= 1000 and ours["latency_ms"].get("99", 1e9) < 50
    for run in (ours, ours_nocache, theirs):
        run.pop("raw")
    print(json.dumps(results, indent=1))
    if not args.no_record:
        out = ROOT / "benchmarks" / "results" / f"http-{results['date']}.json"
        out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print(f"recorded {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import pyoxigraph
    import rdflib

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0:1],
    }


if __name__ == "__main__":
    sys.exit(main())
