"""How good is `exo-rdf draft`? Draft the two review seeds and compare with their curated records.

Measures (per seed and overall):

* quote recall: share of curated statements whose quote is covered by drafted sentences (at least
  90 % of the quote's characters lie in drafted sentences);
* sentence precision: share of drafted sentences that overlap some curated quote;
* entity-id precision, recall and F1 per kind (miRNA, gene, disease, cell, tissue, taxon): for each
  drafted sentence that overlaps curated quotes, the ids the draft chose (ambiguous names and the
  section heading's suggestions are not choices) against every id of that kind the overlapping curated records use anywhere (cargo,
  targets, effects, diseases, mentions, preparation, models), summed over sentences (micro average).

Targets: quote recall >= 95 %; entity-id F1 >= 0.85 for miRNAs, genes and diseases.

    .venv/bin/python benchmarks/draft_bench.py [--json benchmarks/results/draft-DATE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PREFIX_KIND = (
    ("MIMAT", "mirna"),
    ("HGNC:", "gene"),
    ("MONDO:", "disease"),
    ("CL:", "cell"),
    ("UBERON:", "tissue"),
    ("NCBITaxon:", "taxon"),
)


def ids_in(value, out: dict[str, set[str]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in ("__line__", "quote", "summary", "notes", "text", "label", "note"):
                ids_in(v, out)
    elif isinstance(value, list):
        for v in value:
            ids_in(v, out)
    elif isinstance(value, str):
        for prefix, kind in PREFIX_KIND:
            if re.fullmatch(rf"{re.escape(prefix)}[A-Za-z0-9_]+", value.strip()):
                out[kind].add(value.strip())


def anchor() -> float:
    """Seconds for a fixed pure-Python workload, timed in the same run: the drafting times compare
    across runs only relative to it (the machine is shared)."""
    t = time.perf_counter()
    words = [f"w{i % 977}" for i in range(400_000)]
    sum(len(re.findall(r"\d+", w)) for w in words)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from exo_rdf.curate import read_yaml
    from exo_rdf.draft import KINDS, EntityFinder, draft_source
    from exo_rdf.project import Project
    from exo_rdf.registry import load_sources
    from exo_rdf.terms import project_index

    project = Project.at(ROOT)
    sources = load_sources(project)
    load_before = os.getloadavg()
    anchor_s = anchor()
    t0 = time.perf_counter()
    finder = EntityFinder(project_index(project))
    load_s = time.perf_counter() - t0
    curated: dict[str, list[dict]] = defaultdict(list)
    for path in project.curation_files():
        data = read_yaml(path)
        for rec in data.get("statements") or []:
            if rec.get("status", "reviewed") != "draft":
                curated[str(data["source"])].append(rec)
    report: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "index_load_s": round(load_s, 2),
        "anchor_s": round(anchor_s, 3),
        "load_average_1_5_15": [round(x, 2) for x in load_before],
        "seeds": {},
    }
    total = {"quotes": 0, "recalled": 0, "sentences": 0, "relevant": 0}
    counts = {k: [0, 0, 0] for k in KINDS}  # tp, fp, fn
    for sid, seed in sorted(sources.items()):
        t1 = time.perf_counter()
        drafted = draft_source(seed, finder)
        seconds = time.perf_counter() - t1
        covered = bytearray(len(seed.text))
        for d in drafted:
            covered[d.start : d.end] = b"\x01" * (d.end - d.start)
        spans = []
        for rec in curated[sid]:
            try:
                a, b = seed.find(rec["quote"], rec.get("occurrence", 1))
            except ValueError:
                continue
            spans.append((a, b, rec))
        recalled = sum(1 for a, b, _ in spans if sum(covered[a:b]) >= 0.9 * (b - a))
        relevant = 0
        missed = [rec["id"] for a, b, rec in spans if sum(covered[a:b]) < 0.9 * (b - a)]
        for d in drafted:
            overlapping = [rec for a, b, rec in spans if a < d.end and d.start < b]
            if not overlapping:
                continue
            relevant += 1
            gold: dict[str, set[str]] = defaultdict(set)
            for rec in overlapping:
                ids_in(rec, gold)
            for kind in KINDS:
                pred = d.chosen(kind)
                counts[kind][0] += len(pred & gold[kind])
                counts[kind][1] += len(pred - gold[kind])
                counts[kind][2] += len(gold[kind] - pred)
        report["seeds"][sid] = {
            "curated_quotes": len(spans),
            "recalled": recalled,
            "quote_recall": round(recalled / len(spans), 4) if spans else None,
            "drafted_sentences": len(drafted),
            "overlapping_curated": relevant,
            "sentence_precision": round(relevant / len(drafted), 4) if drafted else None,
            "seconds": round(seconds, 2),
            "missed": missed,
        }
        total["quotes"] += len(spans)
        total["recalled"] += recalled
        total["sentences"] += len(drafted)
        total["relevant"] += relevant
    report["quote_recall"] = round(total["recalled"] / total["quotes"], 4)
    report["sentence_precision"] = round(total["relevant"] / total["sentences"], 4)
    report["entities"] = {}
    for kind, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        report["entities"][kind] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(p, 3),
            "recall": round(r, 3),
            "f1": round(f1, 3),
        }
    print(f"load average {load_before[0]:.2f}; anchor {anchor_s:.3f} s; term index loaded in {load_s:.1f} s")
    print(
        f"quote recall {report['quote_recall']:.1%} ({total['recalled']}/{total['quotes']}), "
        f"sentence precision {report['sentence_precision']:.1%} ({total['relevant']}/{total['sentences']})"
    )
    for sid, s in report["seeds"].items():
        print(
            f"  {sid}: recall {s['quote_recall']:.1%}, precision {s['sentence_precision']:.1%}, "
            f"{s['drafted_sentences']} sentences in {s['seconds']} s; missed {s['missed'][:8]}"
        )
    for kind, e in report["entities"].items():
        print(
            f"  {kind:8} P {e['precision']:.3f} R {e['recall']:.3f} F1 {e['f1']:.3f} "
            f"(tp {e['tp']}, fp {e['fp']}, fn {e['fn']})"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
