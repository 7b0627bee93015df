"""Benchmark: every stored question (queries/cq and queries/merged) on synthetic graphs of 10^5 to 5·10^6 triples.

The data is the synthetic generator of ``validate_bench.py`` (findings shaped like the curated ones: sources
with cited references, preparations, cargo with molecules, effects, models, diseases with tumour roles,
size-range statements ...; every term IRI from the ontology imports) plus molecular targets (a tenth of the
findings with a tumour role name one of their cargo molecules as target, as the curated cancer findings do).
Each size is loaded with the ontology and its import modules into one pyoxigraph store; every question
then runs ``--runs`` times (3 by default) after a warm-up, every solution consumed: min and median wall time,
and the median CPU time of the process (which other load on a shared machine does not inflate).

Anchor, in the same run: the questions rewritten for scale are also run in their previous form (from
``git show <rev>:queries/cq/...``, default rev ``main``) on the same store, stopped after
``--old-timeout`` seconds (in a forked child process sharing the loaded store), so the ratio old / new is
measured side by side.

Usage (from the project root)::

    .venv/bin/python benchmarks/cq_scale_bench.py                       # 1e5 and 1e6; records the results
    .venv/bin/python benchmarks/cq_scale_bench.py --sizes 1e5,1e6,5e6
    .venv/bin/python benchmarks/cq_scale_bench.py --sizes 1e5 --no-record

The growth exponent of each question between two sizes is log(t2 / t1) / log(n2 / n1) (1 = linear).
Results: ``benchmarks/results/cq-scale-<date>.json`` and a section in ``benchmarks/README.md``.
Exit 1 when a question's median at 10^6 triples (or the largest size run) is over 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from validate_bench import EXO, _terms, generate  # noqa: E402

TARGET_S = 1.0
GOAL_S = 0.1
#: Questions rewritten so that they scale (their previous text, where it differs, is the anchor).
REWRITTEN = (
    "cq-08-preparations-both-tumour-roles",
    "cq-09-molecules-both-tumour-roles",
    "cq-10-ev-size-disagreements",
    "cq-14-neurodegenerative-findings",
    "cq-15-cancer-findings",
    "cq-18-macrophage-effects",
    "cq-19-apoptosis-promoted",
    "cq-26-mirna-targets",
    "cq-27-mirnas-lowering-pten",
    "cq-29-lncrna-cargo",
)
MARKER = "<!-- cq_scale_bench.py inserts new runs above this line -->"

TARGETS = f"""
PREFIX exo: <{EXO}>
INSERT {{ ?f exo:hasMolecularTarget ?m }}
WHERE {{
  ?f exo:hasTumourRole ?role ; exo:hasCargo/exo:molecule ?m .
  FILTER(STRENDS(STR(?f), "7"))
}}
"""


def questions() -> list[Path]:
    return sorted((ROOT / "queries" / "cq").glob("*.rq")) + sorted((ROOT / "queries" / "merged").glob("*.rq"))


def load(data: Path):
    import pyoxigraph as ox

    from exo_rdf.graph import ontology_files
    from exo_rdf.project import Project

    store = ox.Store()
    for path in ontology_files(Project.at(ROOT)):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
    store.update(TARGETS)
    return store


def consume(result) -> int:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)


def timed(store, text: str, runs: int) -> tuple[list[float], int, list[float]]:
    """Wall times, the row count and the CPU times of this process (other load on the machine not counted)."""
    rows = consume(store.query(text))  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        consume(store.query(text))
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return times, rows, cpu


def _old_child(store, text: str, runs: int, conn) -> None:
    conn.send(timed(store, text, runs))


def old_text(rev: str, name: str) -> str | None:
    proc = subprocess.run(["git", "show", f"{rev}:queries/cq/{name}.rq"], cwd=ROOT, capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


def run_old(store, text: str, runs: int, timeout: float) -> dict:
    """The previous form of a question in a forked child (sharing the loaded store), stopped after ``timeout`` s."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_old_child, args=(store, text, runs, child))
    proc.start()
    if parent.poll(timeout):
        times, rows, cpu = parent.recv()
        proc.join()
        return {
            "min_s": min(times),
            "median_s": statistics.median(times),
            "cpu_median_s": statistics.median(cpu),
            "rows": rows,
        }
    proc.kill()
    proc.join()
    return {"timeout_s": timeout}


def load_average() -> float:
    return os.getloadavg()[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1e5,1e6")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--old-rev", default="main", help="git revision holding the previous question texts")
    ap.add_argument("--old-timeout", type=float, default=120.0)
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    terms = _terms()
    result = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": args.runs,
        "nproc": os.cpu_count(),
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="cq-scale-") as tmp:
        for size in sizes:
            data = Path(tmp) / f"synthetic-{size}.nt"
            generate(size, data, terms=terms)
            t0 = time.perf_counter()
            store = load(data)
            load_s = time.perf_counter() - t0
            entry = {
                "target": size,
                "triples": len(store),
                "load_s": load_s,
                "load_average_start": load_average(),
                "questions": {},
                "old": {},
            }
            print(
                f"{size:,}: {len(store):,} triples loaded in {load_s:.1f} s (load avg {entry['load_average_start']:.1f})",
                flush=True,
            )
            for path in questions():
                times, rows, cpu = timed(store, path.read_text(encoding="utf-8"), args.runs)
                entry["questions"][path.stem] = {
                    "min_s": min(times),
                    "median_s": statistics.median(times),
                    "cpu_median_s": statistics.median(cpu),
                    "rows": rows,
                }
                print(f"  {path.stem:<48} {statistics.median(times) * 1000:9.1f} ms  {rows} rows", flush=True)
            for name in REWRITTEN:
                text = old_text(args.old_rev, name)
                if text is None or text == (ROOT / "queries" / "cq" / f"{name}.rq").read_text(encoding="utf-8"):
                    continue
                entry["old"][name] = run_old(store, text, args.runs, args.old_timeout)
                print(f"  previous {name}: {entry['old'][name]}", flush=True)
            entry["load_average_end"] = load_average()
            del store
            result["sizes"].append(entry)
    report(result, args)
    largest = next((e for e in result["sizes"] if e["target"] == 10**6), result["sizes"][-1])
    return 0 if all(q["median_s"] <= TARGET_S for q in largest["questions"].values()) else 1


def exponent(a: dict, b: dict, name: str) -> float | None:
    ta, tb = a["questions"][name]["median_s"], b["questions"][name]["median_s"]
    if ta <= 0 or tb <= 0:
        return None
    return math.log(tb / ta) / math.log(b["triples"] / a["triples"])


def report(result: dict, args) -> None:
    out = HERE / "results" / f"cq-scale-{result['date'][:10]}.json"
    if out.exists():  # a second run on the same day keeps the first one's results
        out = out.with_name(f"cq-scale-{result['date'][:10]}-{result['date'][11:16].replace(':', '')}.json")
    sizes = result["sizes"]
    lines = [
        f"### {result['date']} (benchmarks/results/{out.name})",
        "",
        f"{result['nproc']} cores; {result['runs']} runs per question after a warm-up (min / median). "
        "1-minute load average at the start of each size: "
        + ", ".join(f"{e['load_average_start']:.1f} ({e['triples']:,} triples)" for e in sizes)
        + ".",
        "",
    ]
    head = "| question | " + " | ".join(f"{e['triples']:,}: median (min) | CPU | rows" for e in sizes)
    if len(sizes) > 1:
        head += " | growth exponent"
    lines += [head + " |", "|---|" + "---:|---:|---:|" * len(sizes) + ("---:|" if len(sizes) > 1 else "")]
    for name in sizes[0]["questions"]:
        cells = []
        for e in sizes:
            q = e["questions"][name]
            cells.append(f"{q['median_s'] * 1000:.1f} ms ({q['min_s'] * 1000:.1f})")
            cells.append(f"{q['cpu_median_s'] * 1000:.1f} ms")
            cells.append(str(q["rows"]))
        if len(sizes) > 1:
            x = exponent(sizes[-2], sizes[-1], name)
            cells.append(f"{x:.2f}" if x is not None else "—")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines.append("")
    for e in sizes:
        for name, old in e["old"].items():
            new = e["questions"][name]
            if "timeout_s" in old:
                lines.append(
                    f"- {e['triples']:,} triples, `{name}`: previous form > {old['timeout_s']:.0f} s "
                    f"(stopped), rewritten {new['median_s'] * 1000:.1f} ms: ratio > "
                    f"{old['timeout_s'] / new['median_s']:,.0f}x"
                )
            else:
                lines.append(
                    f"- {e['triples']:,} triples, `{name}`: previous form {old['median_s'] * 1000:.1f} ms "
                    f"(CPU {old['cpu_median_s'] * 1000:.1f} ms, {old['rows']} rows), rewritten "
                    f"{new['median_s'] * 1000:.1f} ms (CPU {new['cpu_median_s'] * 1000:.1f} ms, {new['rows']} rows): "
                    f"{old['median_s'] / new['median_s']:,.1f}x"
                )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.no_record:
        return
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    readme = HERE / "README.md"
    body = readme.read_text(encoding="utf-8")
    if MARKER in body:
        body = body.replace(MARKER, text + "\n" + MARKER)
    else:
        body += "\n" + text + "\n" + MARKER + "\n"
    readme.write_text(body, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
