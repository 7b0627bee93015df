"""HTTP benchmark of `exo-rdf serve`: request rate and latency of a simple competency question, beside
rdflib-endpoint serving the same files in the same run; and a runaway (cartesian-product) query cut off at the
time limit while other queries keep being answered.

Needs `wrk` (Debian: apt-get install wrk) and rdflib-endpoint (pip install -e ".[bench]"). Run from the project
root after `exo-rdf build`; nothing else heavy should run meanwhile (2 cores: wrk, the server and its query
workers share them):

    .venv/bin/python benchmarks/http_bench.py                 # records benchmarks/results/http-DATE.json
    .venv/bin/python benchmarks/http_bench.py --duration 5 --no-record

Targets: >= 1000 requests/s with p99 < 50 ms for the simple question; the cartesian query answered
with an error at the time limit while concurrent simple queries are answered normally; every HTML page
(home with its pictures, findings browser, finding, entity, question, editor) p99 <= 50 ms, with the
endpoint's reply cache on and off, and the findings browser's first visit of a filter state (nothing
cached for it yet) p99 <= 50 ms.

    .venv/bin/python benchmarks/http_bench.py --pages-only     # only the page measurements
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


#: One page of each kind the site serves (HTML; the findings browser with and without filters).
PAGES = {
    "home": "/exo-rdf/",
    "findings browser": "/exo-rdf/findings",
    "findings browser, 2 filters": "/exo-rdf/findings?model=exo%3AInVivoModel&cargo-kind=exo%3AMiRNACargo",
    "findings CSV": "/exo-rdf/findings?disease=MONDO%3A0005240&format=csv",
    "finding": "/exo-rdf/data/finding/s000-kidney-hucmsc-exo-mir146b-irak1-sepsis-aki.html",
    "entity": "/exo-rdf/entity/MONDO:0002492",
    "question": "/exo-rdf/cq/cq-01-parkinson-neurite-mirna",
    "SPARQL editor": "/sparql",
}


def _wrk_html(url: str, duration: int, connections: int, threads: int) -> dict:
    """wrk with a browser's Accept header (so that /sparql answers with the editor)."""
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "--latency",
            "-H",
            "Accept: text/html",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests_per_s": rate, "latency_ms": pct, "non_2xx": int(errors.group(1)) if errors else 0}


def first_visits(base: str, limit: int = 300) -> dict:
    """Latency of findings-browser states never asked before (one request each, nothing cached for them):
    pairs of facet values taken from the page's own checkboxes."""
    with urllib.request.urlopen(base + "/exo-rdf/findings", timeout=30) as r:
        page = r.read().decode("utf-8")
    values = re.findall(r'name="([a-z-]+)" value="([^"]+)"', page)
    states, seen = [], set()
    for i, a in enumerate(values):
        for b in values[i + 1 :: max(1, len(values) // 12)]:
            if a[0] != b[0] and (a, b) not in seen:
                seen.add((a, b))
                states.append([a, b])
    latencies = []
    for state in states[:limit]:
        url = base + "/exo-rdf/findings?" + urllib.parse.urlencode(state)
        start = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html"}), timeout=30) as r:
            r.read()
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2)  # noqa: E731
    return {
        "states": len(latencies),
        "latency_ms": {"50": pick(0.5), "90": pick(0.9), "99": pick(0.99), "max": round(latencies[-1], 2)},
    }


def server_cpu(limit: int = 120) -> dict:
    """CPU time the server spends per page on first visits (nothing cached for that page), measured in
    this process through the real ASGI app (Starlette's TestClient), so that other load on the machine
    does not count: every finding page, entity pages, questions, filter states of the findings browser."""
    from starlette.testclient import TestClient

    from exo_rdf.project import Project
    from exo_rdf.server.app import create_app

    app = create_app(Project.at(ROOT))
    found: dict = {}
    with TestClient(app) as client:
        home = client.get("/exo-rdf/findings", headers={"Accept": "text/html"}).text
        finding_paths = sorted(set(re.findall(r'href="(/exo-rdf/data/finding/[^"]+)"', home)))[:limit]
        values = re.findall(r'name="([a-z-]+)" value="([^"]+)"', home)
        states = [
            urllib.parse.urlencode([a, b]) for i, a in enumerate(values) for b in values[i + 1 : i + 4] if a[0] != b[0]
        ][:limit]
        entity_paths = []
        for path in finding_paths[:40]:
            page = client.get(path + ".html", headers={"Accept": "text/html"}).text
            entity_paths += re.findall(r'href="(/exo-rdf/entity/[^"]+)"', page)
        entity_paths = sorted(set(entity_paths))[:limit]
        cq_paths = sorted(set(re.findall(r'href="(/exo-rdf/cq/cq-[^"]+)"', client.get("/exo-rdf/cq/").text)))
        kinds = {
            "finding": [p + ".html" for p in finding_paths[40:]],
            "entity": entity_paths,
            "question": cq_paths,
            "findings browser (new filter state)": [f"/exo-rdf/findings?{q}" for q in states],
            "SPARQL editor (each example)": [f"/sparql?edit={p.rsplit('/', 1)[1]}" for p in cq_paths],
        }
        for kind, paths in kinds.items():
            costs = []
            for path in paths:
                start = time.process_time()
                reply = client.get(path, headers={"Accept": "text/html"})
                costs.append((time.process_time() - start) * 1000)
                assert reply.status_code == 200, (path, reply.status_code)
            costs.sort()
            pick = lambda q: round(costs[min(len(costs) - 1, int(q * len(costs)))], 2)  # noqa: E731
            found[kind] = {
                "pages": len(costs),
                "cpu_ms": {"50": pick(0.5), "99": pick(0.99), "max": round(costs[-1], 2)},
            }
    found["worst_p99_cpu_ms"] = max(v["cpu_ms"]["99"] for v in found.values())
    return found


def pages(duration: int, connections: int, threads: int, timeout: float) -> dict:
    found: dict = {}
    for name, extra in (("reply cache on", []), ("reply cache off", ["--cache-size", "0"])):
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
                str(timeout),
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base + "/exo-rdf/", proc)
            run: dict = {}
            if not extra:
                print("• findings browser: first visits of filter states", file=sys.stderr)
                run["findings first visits"] = first_visits(base)
            for page, path in PAGES.items():
                print(f"• {name}: {page}: wrk {duration} s", file=sys.stderr)
                run[page] = _wrk_html(base + path, duration, connections, threads)
            found[name] = run
        finally:
            stop(proc)
    worst = max(r["latency_ms"].get("99", 1e9) for run in found.values() for r in run.values())
    found["worst_p99_ms"] = worst
    found["target_met"] = worst <= 50
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=int, default=20, help="seconds of load per measurement")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1, help="wrk threads (1 leaves a core to the server)")
    ap.add_argument("--timeout", type=float, default=5.0, help="the server's query time limit for the runaway test")
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--pages-only", action="store_true", help="measure the HTML pages only")
    ap.add_argument("--page-duration", type=int, default=5, help="seconds of load per page")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    dist = ROOT / "dist"
    if not (dist / "data" / "exo-data.nt").is_file():
        raise SystemExit("dist/ is missing: run `exo-rdf build` first")
    query = (ROOT / "queries" / "cq" / f"{SIMPLE_CQ}.rq").read_text(encoding="utf-8")
    qs = urllib.parse.urlencode({"query": query})
    results: dict = {"date": date.today().isoformat(), "machine": machine(), "simple_query": SIMPLE_CQ}
    print("• server CPU per page, first visits", file=sys.stderr)
    results["server_cpu_first_visits"] = server_cpu()
    results["load_average_at_start"] = os.getloadavg()
    results["pages"] = pages(args.page_duration, 4, args.threads, args.timeout)
    if args.pages_only:
        return report(results, "http-pages", args.no_record)

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
    return report(results, "http", args.no_record)


def report(results: dict, stem: str, no_record: bool) -> int:
    print(json.dumps(results, indent=1))
    if not no_record:
        out = ROOT / "benchmarks" / "results" / f"{stem}-{results['date']}.json"
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
