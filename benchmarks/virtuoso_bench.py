"""Benchmark Virtuoso (exo-rdf publish virtuoso) against the embedded pyoxigraph store at scale.

The graph: the project (ontology, imports, instances) merged with every external ontology file in
../shared/ontologies that ``exo-rdf merge`` reads (one copy of each ontology; the TSV tables are not RDF),
plus synthetic findings from ``validate_bench.generate`` (shaped like the curated ones, with real term IRIs)
at about 10^5, 10^6 and 10^7 triples. For each size, both engines load the same two N-Triples files:

* pyoxigraph: a child process loads them into an in-memory store (as ``exo-rdf query --data`` does) and runs
  every stored competency question and merged question; peak memory is the child's maximum RSS (``wait4``);
* Virtuoso: a fresh server in a temporary state folder, ``virtuoso.load_files`` (the code path of ``exo-rdf
  publish virtuoso``: checks, bulk load, counts, the default-graph copy, the switch); every question is asked
  through the SPARQL protocol; peak memory is the server's VmHWM. The query limit is raised (--query-timeout)
  so that Virtuoso does not return partial "anytime" answers.

Each question runs ``--repeat`` times per engine (the median is recorded) after one warm-up run; the row
counts of both engines are recorded side by side. The growth exponent of a measure is the slope of
log(measure) against log(triples) over the sizes that finished.

Usage (from the project root)::

    .venv/bin/python benchmarks/virtuoso_bench.py                       # 1e5 1e6 1e7
    .venv/bin/python benchmarks/virtuoso_bench.py --sizes 1e5 1e6 --repeat 3
    .venv/bin/python benchmarks/virtuoso_bench.py --sizes 1e7 --merge-with-results benchmarks/results/virtuoso-DATE.json

Results: ``benchmarks/results/virtuoso-<date>.json`` and a table in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
MARKER = "<!-- virtuoso_bench.py inserts new runs above this line -->"
#: A question slower than this (seconds) is timed once instead of --repeat times.
SLOW_S = 5.0

# One copy of each ontology that `exo-rdf merge` reads (cl-edit also comes as RDF/XML, ro as OBO: same content).
MERGE_FILES = [
    "bfo-2020-core.owl.xz",
    "cellosaurus-terms-cxg-55.0.json.xz",
    "chebi-subset-union.obo.xz",
    "cl-edit-2026-08-19.ofn.owl.xz",
    "cl-terms-cxg-v2026-03-26.json.xz",
    "doid-subsets-union-2026-07-31.obo.xz",
    "eco-2024-07-19.obo.xz",
    "go-hierarchy-supplement.obo.xz",
    "go-subset-union.obo.xz",
    "mirbase-22.1-precursor.obograph.json.xz",
    "mondo-terms-cxg-v2026-05-05.json.xz",
    "ncbitaxon-slim-go-import-2026-07-15.obo.xz",
    "obi-2026-05-08.obo.xz",
    "pr-subset-union.obo.xz",
    "ro-2025-12-17.owl.xz",
    "uberon-subset-union.obo.xz",
    "uberon-terms-cxg-v2026-04-01.json.xz",
]


def questions() -> list[dict]:
    from exo_rdf.query import load_queries

    return [{"id": q.id, "text": q.text} for d in ("cq", "merged") for q in load_queries(ROOT / "queries" / d)]


# ---------------------------------------------------------------------------------------------------------
# pyoxigraph, in a child process


def oxigraph_child(files: list[str], repeat: int, out: str, skip: list[str]) -> None:
    """Load, then answer every question not in ``skip``; the results file is rewritten after each one."""
    import pyoxigraph as ox

    from exo_rdf.graph import load_store

    t0 = time.perf_counter()
    store = load_store([Path(f) for f in files])
    load_s = time.perf_counter() - t0
    result = {"load_s": load_s, "triples": len(store), "questions": {}}
    Path(out).write_text(json.dumps(result))
    for q in questions():
        if q["id"] in skip:
            continue
        result["running"] = q["id"]
        Path(out).write_text(json.dumps(result))
        times, rows = [], None
        for i in range(repeat + 1):
            t = time.perf_counter()
            answer = store.query(q["text"])
            n = sum(1 for _ in answer) if isinstance(answer, ox.QuerySolutions) else int(bool(answer))
            took = time.perf_counter() - t
            if i or took > SLOW_S:  # a slow question is timed once (its warm-up run)
                times.append(took)
            rows = n
            if took > SLOW_S:
                break
        result["questions"][q["id"]] = {"median_s": statistics.median(times), "rows": rows}
        print(f"    oxigraph {q['id']}: {statistics.median(times):.3f} s, {rows} rows", flush=True)
    result.pop("running", None)
    Path(out).write_text(json.dumps(result))


def run_oxigraph(files: list[Path], repeat: int, tmp: Path, budget_s: float) -> dict:
    """Run the child; a question running longer than ``budget_s`` is recorded as such, the child killed and
    started again (reloading the store) for the remaining questions. Peak RSS is the largest child's."""
    out = tmp / "oxigraph.json"
    done: dict = {}
    first = None
    peak = 0.0
    all_ids = [q["id"] for q in questions()]
    while True:
        out.unlink(missing_ok=True)
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(out), str(repeat), ",".join(done), *map(str, files)],
            start_new_session=True,
        )
        running, since = None, time.perf_counter()
        while True:
            pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            try:
                now_running = json.loads(out.read_text()).get("running") if out.is_file() else None
            except ValueError:
                now_running = running
            if now_running != running:
                running, since = now_running, time.perf_counter()
            if running and time.perf_counter() - since > budget_s:
                os.killpg(proc.pid, 9)  # the child's own session: only what this script started
                pid, code, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.5)
        proc.returncode = code
        peak = max(peak, usage.ru_maxrss / 1024)
        data = json.loads(out.read_text()) if out.is_file() else None
        if data is None:
            return {"status": "error", "exit": code}
        first = first or data
        done.update(data["questions"])
        if running and running not in done and code != 0:
            done[running] = {"median_s": None, "rows": None, "state": f"> {budget_s:.0f} s (stopped)"}
            print(f"    oxigraph {running}: > {budget_s:.0f} s, stopped", flush=True)
        if all(q in done for q in all_ids) or (code == 0 and not data.get("running")):
            break
    return {
        "status": "ok",
        "load_s": first["load_s"],
        "triples": first["triples"],
        "questions": done,
        "peak_rss_mb": peak,
    }


# ---------------------------------------------------------------------------------------------------------
# Virtuoso


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def ask(endpoint: str, text: str, timeout: float) -> tuple[int, str | None]:
    data = urllib.parse.urlencode({"query": text}).encode()
    req = urllib.request.Request(endpoint, data=data, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        state = resp.headers.get("X-SQL-State")
        body = json.loads(resp.read())
    if "boolean" in body:
        return int(bool(body["boolean"])), state
    return len(body["results"]["bindings"]), state


def run_virtuoso(files: list[Path], repeat: int, tmp: Path, memory_gb: float, query_timeout: float) -> dict:
    from exo_rdf import virtuoso as vt

    state = tmp / "virtuoso"
    try:
        t0 = time.perf_counter()
        result = vt.load_files(
            [(f, f.stem) for f in files], state, memory_gb=memory_gb, timeout_s=query_timeout, max_results=10_000_000
        )
        total_s = time.perf_counter() - t0
        server = vt.running(state)
        data = {
            "status": "ok",
            "load_s": total_s,
            "bulk_load_s": result.load_seconds,
            "triples": result.union_triples,
            "questions": {},
        }
        for q in questions():
            times, rows, flag = [], None, None
            for i in range(repeat + 1):
                t = time.perf_counter()
                try:
                    rows, flag = ask(result.endpoint, q["text"], query_timeout + 30)
                except urllib.error.HTTPError as exc:  # Virtuoso says why in the body
                    rows, flag = (
                        None,
                        f"error {exc.code}: {' '.join(exc.read().decode(errors='replace').split())}"[:300],
                    )
                    break
                except (urllib.error.URLError, OSError) as exc:
                    rows, flag = None, f"error: {exc}"[:200]
                    break
                took = time.perf_counter() - t
                if i or took > SLOW_S:  # a slow question is timed once (its warm-up run)
                    times.append(took)
                if took > SLOW_S:
                    break
            entry = {"median_s": statistics.median(times) if times else None, "rows": rows}
            print(f"    virtuoso {q['id']}: {entry['median_s'] or 0:.3f} s, {rows} rows {flag or ''}", flush=True)
            if flag:
                entry["state"] = flag  # S1TAT: Virtuoso stopped at its time limit and answered in part
            data["questions"][q["id"]] = entry
            if vt.running(state) is None:
                data["status"] = f"server died at {q['id']}: {vt.log_tail(state, 5)}"
                break
        data["peak_rss_mb"] = _vm_hwm_mb(server.pid) if server else None
        db = state / "db" / "virtuoso.db"
        data["db_mb"] = db.stat().st_size / 1e6 if db.is_file() else None
        return data
    except Exception as exc:  # record and go on with the next size
        return {"status": f"error: {exc}"[:2000]}
    finally:
        vt.stop(state)


# ---------------------------------------------------------------------------------------------------------
# The graph


def merged_graph(path: Path) -> dict:
    """Write the project merged with the shared ontologies to ``path`` (N-Triples); return facts."""
    from exo_rdf.merge import merge
    from exo_rdf.project import Project

    shared = ROOT.parent / "shared" / "ontologies"
    inputs = [shared / name for name in MERGE_FILES if (shared / name).is_file()]
    t0 = time.perf_counter()
    report = merge(Project.at(ROOT), inputs, output=path)
    return {"files": [p.name for p in inputs], "triples": report.merged_triples, "seconds": time.perf_counter() - t0}


def exponent(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) against log(x)."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x and y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return round(sum((p[0] - mx) * (p[1] - my) for p in pts) / den, 2) if den else None


def summarise(runs: list[dict]) -> dict:
    out = {}
    for engine in ("oxigraph", "virtuoso"):
        ok = [r for r in runs if r[engine].get("status") == "ok"]
        pts = lambda key: [(r[engine]["triples"], r[engine].get(key)) for r in ok]  # noqa: E731
        per_q = {}
        for qid in ok[0][engine]["questions"] if ok else {}:
            per_q[qid] = exponent(
                [(r[engine]["triples"], r[engine]["questions"].get(qid, {}).get("median_s")) for r in ok]
            )
        out[engine] = {
            "load_exponent": exponent(pts("load_s")),
            "memory_exponent": exponent(pts("peak_rss_mb")),
            "question_exponents": per_q,
        }
    return out


def markdown(runs: list[dict], summary: dict) -> str:
    lines = [
        "| synthetic | triples | engine | load s | peak RSS MB | questions total s | slowest question (s) |"
        " rows differ |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        for engine in ("oxigraph", "virtuoso"):
            e = r[engine]
            if e.get("status") != "ok":
                lines.append(f"| {r['synthetic']:,} | | {engine} | {e.get('status', '')[:80]} | | | | |")
                continue
            qs = {k: v for k, v in e["questions"].items() if v.get("median_s") is not None}
            total = sum(v["median_s"] for v in qs.values())
            slow = max(qs.items(), key=lambda kv: kv[1]["median_s"]) if qs else ("", {"median_s": 0})
            other = r["virtuoso" if engine == "oxigraph" else "oxigraph"]
            differ = [
                k
                for k, v in e["questions"].items()
                if other.get("status") == "ok" and other["questions"].get(k, {}).get("rows") != v.get("rows")
            ]
            lines.append(
                f"| {r['synthetic']:,} | {e['triples']:,} | {engine} | {e['load_s']:.1f} | "
                f"{(e.get('peak_rss_mb') or 0):,.0f} | {total:.2f} | {slow[0]} ({slow[1]['median_s']:.2f}) | "
                f"{len(differ)} |"
            )
    for engine, s in summary.items():
        lines.append(
            f"\n{engine}: growth exponent of load time {s['load_exponent']}, of peak memory {s['memory_exponent']}"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child":
        oxigraph_child(sys.argv[5:], int(sys.argv[3]), sys.argv[2], [x for x in sys.argv[4].split(",") if x])
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=["1e5", "1e6", "1e7"], help="synthetic triples per run")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per question (after one warm-up)")
    ap.add_argument("--memory", type=float, default=4.0, help="GB of page buffers for Virtuoso")
    ap.add_argument("--query-timeout", type=float, default=60.0, help="Virtuoso's query time limit (s)")
    ap.add_argument(
        "--merge-with-results",
        type=Path,
        default=None,
        help="add these runs to an earlier results file instead of writing a new one",
    )
    ap.add_argument(
        "--question-budget",
        type=float,
        default=120.0,
        help="pyoxigraph: a question running longer is stopped and recorded as such (s)",
    )
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--engines", nargs="+", default=["oxigraph", "virtuoso"])
    args = ap.parse_args(argv)

    from validate_bench import generate, machine

    record = json.loads(args.merge_with_results.read_text()) if args.merge_with_results else None
    runs = record["runs"] if record else []
    with tempfile.TemporaryDirectory(prefix="virtuoso-bench-") as tmp_name:
        tmp = Path(tmp_name)
        merged = tmp / "merged.nt"
        graph = merged_graph(merged)
        print(f"merged graph: {graph['triples']:,} triples from {len(graph['files'])} files", flush=True)
        for size in (int(float(s)) for s in args.sizes):
            syn = generate(size, tmp / f"synthetic-{size}.nt")
            files = [merged, syn.path]
            run = {
                "synthetic": syn.triples,
                "findings": syn.findings,
                "merged": graph["triples"],
                "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "loadavg_before": os.getloadavg()[0],
            }
            for engine in ("oxigraph", "virtuoso"):
                if engine not in args.engines:
                    run[engine] = {"status": "not run"}
                    continue
                print(f"{size:,}: {engine} ...", flush=True)
                run[engine] = (
                    run_oxigraph(files, args.repeat, tmp, args.question_budget)
                    if engine == "oxigraph"
                    else run_virtuoso(files, args.repeat, tmp, args.memory, args.query_timeout)
                )
                e = run[engine]
                print(
                    f"  {e.get('status')}: load {e.get('load_s', 0):.1f} s, {e.get('triples', 0):,} triples, "
                    f"peak {e.get('peak_rss_mb') or 0:,.0f} MB",
                    flush=True,
                )
            runs = [r for r in runs if r["synthetic"] != run["synthetic"]] + [run]
            runs.sort(key=lambda r: r["synthetic"])
            summary = summarise(runs)
            doc = {
                "benchmark": "virtuoso_bench.py",
                "machine": machine(),
                "merged_graph": graph,
                "repeat": args.repeat,
                "virtuoso_memory_gb": args.memory,
                "virtuoso_query_timeout_s": args.query_timeout,
                "runs": runs,
                "summary": summary,
            }
            if not args.no_record:  # written after every size, so a long run keeps what finished
                path = args.merge_with_results or HERE / "results" / f"virtuoso-{dt.date.today().isoformat()}.json"
                path.write_text(json.dumps(doc, indent=1) + "\n")
                args.merge_with_results = path
    table = markdown(runs, summarise(runs))
    print(table)
    if not args.no_record:
        readme = HERE / "README.md"
        text = readme.read_text()
        block = f"### Virtuoso vs pyoxigraph ({dt.date.today().isoformat()})\n\n{table}\n"
        text = text.replace(MARKER, block + MARKER) if MARKER in text else text + "\n" + block + MARKER + "\n"
        readme.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
