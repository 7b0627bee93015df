"""Benchmark SHACL validation of synthetic exo-rdf data at about 10^4, 10^5 and 10^6 triples.

Generates findings shaped like the curated ones (statement, quote with text and position selectors,
effects, models, shared preparations, cargo, cited references, size ranges with corrections, a few
clinical studies), plants a few deliberate violations of known kinds, and validates each file with the
project's ``validate`` in a fresh subprocess per engine: ``oxigraph`` (the set-based SPARQL engine in
``exo_rdf.shacl``, the default) and ``pyshacl`` (plain pySHACL on rdflib). Each run's wall time
includes parsing and loading the data, the ontology and its imports; peak memory is the child's maximum
resident set size (``os.wait4``). pySHACL runs under a time limit and is recorded as "> N s" when it
exceeds it.

Usage (from the project root)::

    .venv/bin/python benchmarks/validate_bench.py                      # 1e4, 1e5, 1e6; records results
    .venv/bin/python benchmarks/validate_bench.py --sizes 1e4 --no-record
    .venv/bin/python benchmarks/validate_bench.py --pyshacl-timeout 900 --repeat 3

Results go to ``benchmarks/results/validate-<date>.json`` and a markdown table is appended to
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
RESULTS_MARKER = "<!-- validate_bench.py inserts new runs above this line -->"

EXO = "https://w3id.org/exo-rdf/ontology/"
EXOD = "https://w3id.org/exo-rdf/data/"
OBO = "http://purl.obolibrary.org/obo/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
HGNC = "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/"
MIRBASE = "http://mirbase.org/cgi-bin/mature.pl?mature_acc="

# The kinds of planted violation (each breaks exactly one rule); "warning" kinds do not fail validation.
VIOLATIONS = [
    "finding-without-effect",
    "effect-bad-direction",
    "malformed-disease-id",
    "cancer-without-tumour-role",
    "quote-offsets-wrong",
    "quote-start-not-non-negative-integer",
    "size-min-above-max",
    "size-not-decimal",
    "size-unknown-unit",
    "finding-without-preparation",
    "preparation-bad-taxon",
    "clinical-zero-participants",
]
WARNINGS = ["effect-without-affects"]

WORDS = (
    "exosomes derived from mesenchymal stromal cells attenuated injury improved recovery reduced "
    "inflammation promoted angiogenesis inhibited apoptosis in rats mice patients via signalling pathway "
    "expression of markers was increased decreased after treatment with vesicles isolated by "
    "ultracentrifugation"
).split()


# ---------------------------------------------------------------------------------------------------------
# Synthetic data


def _terms():
    """Pools of real term IRIs from the ontology imports (so patterns, classes and MONDO paths are real)."""
    from exo_rdf.graph import project_store
    from exo_rdf.project import Project

    store = project_store(Project.at(ROOT), include_instances=False)

    def classes(regex):
        q = f'SELECT ?c WHERE {{ ?c a <http://www.w3.org/2002/07/owl#Class> FILTER(REGEX(STR(?c), "{regex}")) }}'
        return sorted(sol[0].value for sol in store.query(q))

    cancer = {sol[0].value for sol in store.query(f"SELECT ?c WHERE {{ ?c <{RDFS}subClassOf>* <{OBO}MONDO_0004992> }}")}
    mondo = classes("MONDO_[0-9]{7}$")
    return {
        "cancer": sorted(c for c in mondo if c in cancer),
        "disease": sorted(c for c in mondo if c not in cancer),
        "go": classes("GO_[0-9]{7}$"),
        "cl": classes("CL_[0-9]{7}$"),
        "uberon": classes("UBERON_[0-9]{7}$"),
        "chebi": classes("CHEBI_[0-9]+$"),
        "taxon": classes("NCBITaxon_[0-9]+$"),
        "eco": classes("ECO_[0-9]{7}$"),
        "cvcl": classes("CVCL_[0-9A-Z]{4}$"),
        "hgnc": classes("hgnc_id/[0-9]+$"),
        "mirna": classes("MIMAT[0-9]{7}$"),
    }


def _lit(text: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    body = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if lang:
        return f"{body}@{lang}"
    return f"{body}^^<{datatype}>" if datatype else body


def _iri(iri: str) -> str:
    return f"<{iri}>"


@dataclass
class Synthetic:
    path: Path
    triples: int
    findings: int
    planted: dict


class _Writer:
    def __init__(self, fh):
        self.fh = fh
        self.n = 0

    def t(self, s: str, p: str, o: str) -> None:
        self.fh.write(f"<{s}> <{p}> {o} .\n")
        self.n += 1


def generate(target_triples: int, out: Path, *, seed: int = 42, terms=None, violations: bool = True) -> Synthetic:
    """Write about ``target_triples`` triples of synthetic findings as N-Triples to ``out``.

    With ``violations=False`` nothing is planted: the data passes every check (for the build benchmark).
    """
    rng = random.Random(seed)
    terms = terms or _terms()
    per_finding = 41  # measured average, shared nodes included
    n = max(20, round(target_triples / per_finding))
    n_src = max(1, n // 200)
    n_prep = max(5, n // 20)
    n_cargo = max(10, n // 8)
    n_outcome = max(5, n // 50)
    n_violations = max(len(VIOLATIONS), n // 400)
    planted_at = {}
    for k in range(n_violations):  # spread the violations evenly; each kind in turn
        planted_at[((k * n) // n_violations + 3) % n] = VIOLATIONS[k % len(VIOLATIONS)]
    n_warn = max(1, n // 1000)
    warn_at = {rng.randrange(n) for _ in range(n_warn)} - set(planted_at)
    if not violations:
        planted_at, warn_at = {}, set()
    planted: dict[str, int] = {}

    def text(k):
        return " ".join(rng.choice(WORDS) for _ in range(k))

    with out.open("w", encoding="utf-8") as fh:
        w = _Writer(fh)
        T, L = RDF_TYPE, RDFS + "label"
        # sources with sections and cited references
        for s in range(n_src):
            src = f"{EXOD}source/{s:03d}_{s * 7919 % 10**16:016x}"
            w.t(src, T, _iri(EXO + "SourceDocument"))
            w.t(src, L, _lit(f"review seed {s:03d}", lang="en"))
            w.t(src, EXO + "seedFile", _lit(f"{s:03d}.txt"))
            w.t(src, EXO + "sha256", _lit(f"{rng.getrandbits(256):064x}"))
            for k in range(8):
                sec = f"{src}/section/s{k}"
                w.t(sec, T, _iri(EXO + "Section"))
                w.t(sec, L, _lit(f"Section {k}", lang="en"))
                w.t(sec, EXO + "sectionOf", _iri(src))
            for r in range(1, 41):
                ref = f"{src}/reference/{r}"
                w.t(ref, T, _iri(EXO + "CitedReference"))
                w.t(ref, L, _lit(f"reference [{r}] of review seed {s:03d}", lang="en"))
                w.t(ref, EXO + "referenceNumber", _lit(str(r), datatype=XSD + "integer"))
                w.t(ref, EXO + "referenceOf", _iri(src))
        # shared preparations (with conditions), cargo and outcomes
        conditions = [f"{EXOD}condition/c{k}" for k in range(max(3, n_prep // 10))]
        for c in conditions:
            w.t(c, T, _iri(EXO + rng.choice(["CultureCondition", "GeneticModification", "CargoLoading"])))
            w.t(c, L, _lit(text(3), lang="en"))
        preps = []
        for k in range(n_prep):
            prep = f"{EXOD}preparation/exosome-{k:010x}"
            preps.append(prep)
            kind = rng.choices(["EVPreparation", "CellPreparation", "SecretomePreparation"], [8, 1, 1])[0]
            w.t(prep, T, _iri(EXO + kind))
            w.t(prep, L, _lit(f"MSC preparation {k}", lang="en"))
            if kind == "EVPreparation":
                w.t(prep, EXO + "vesicleType", _iri(OBO + rng.choice(["GO_0070062", "GO_1903561", "GO_1990742"])))
            w.t(prep, EXO + "producedByCellType", _iri(rng.choice(terms["cl"])))
            if rng.random() < 0.7:
                w.t(prep, OBO + "RO_0002162", _iri(rng.choice(terms["taxon"])))
            if rng.random() < 0.5:
                w.t(prep, EXO + "sourceTissue", _iri(rng.choice(terms["uberon"])))
            if rng.random() < 0.3:
                w.t(prep, EXO + "hasCondition", _iri(rng.choice(conditions)))
        cargo = []
        for k in range(n_cargo):
            kind = rng.choice(["protein", "mirna", "lipid"])
            c = f"{EXOD}cargo/{kind}/c{k}"
            cargo.append(c)
            cls, pool = {
                "protein": ("ProteinCargo", "hgnc"),
                "mirna": ("MiRNACargo", "mirna"),
                "lipid": ("LipidCargo", "chebi"),
            }[kind]
            w.t(c, T, _iri(EXO + cls))
            w.t(c, L, _lit(f"{kind} cargo {k}", lang="en"))
            if rng.random() < 0.9:  # the rest raise the cargo-without-molecule warning
                w.t(c, EXO + "molecule", _iri(rng.choice(terms[pool])))
        outcomes = []
        for k in range(n_outcome):
            o = f"{EXOD}outcome/outcome-{k}"
            outcomes.append(o)
            w.t(o, T, _iri(EXO + "Outcome"))
            w.t(o, L, _lit(text(2), lang="en"))

        def quote(owner, src, bad=None):
            q = f"{owner}/quote"
            exact = text(rng.randint(8, 30))
            start = rng.randrange(100000)
            end = start + len(exact) + (1 if bad == "quote-offsets-wrong" else 0)
            w.t(owner, EXO + "hasQuote", _iri(q))
            w.t(q, T, _iri(EXO + "Quote"))
            w.t(q, T, _iri(OA + "SpecificResource"))
            w.t(q, OA + "hasSource", _iri(src))
            w.t(q, EXO + "inSection", _iri(f"{src}/section/s{rng.randrange(8)}"))
            w.t(q, OA + "hasSelector", _iri(q + "/text"))
            w.t(q, OA + "hasSelector", _iri(q + "/position"))
            w.t(q + "/text", T, _iri(OA + "TextQuoteSelector"))
            w.t(q + "/text", OA + "exact", _lit(exact))
            w.t(q + "/position", T, _iri(OA + "TextPositionSelector"))
            start_type = XSD + ("integer" if bad == "quote-start-not-non-negative-integer" else "nonNegativeInteger")
            w.t(q + "/position", OA + "start", _lit(str(start), datatype=start_type))
            w.t(q + "/position", OA + "end", _lit(str(end), datatype=XSD + "nonNegativeInteger"))

        def statement(s, src, level="StudyReport"):
            w.t(s, L, _lit(text(12).capitalize() + ".", lang="en"))
            w.t(s, EXO + "hasKnowledgeLevel", _iri(EXO + level))
            w.t(s, EXO + "hasEvidenceType", _iri(rng.choice(terms["eco"])))
            w.t(s, PROV + "wasDerivedFrom", _iri(src))

        for i in range(n):
            bad = planted_at.get(i)
            if bad:
                planted[bad] = planted.get(bad, 0) + 1
            s_idx = i * n_src // n
            src = f"{EXOD}source/{s_idx:03d}_{s_idx * 7919 % 10**16:016x}"
            f = f"{EXOD}finding/s{s_idx:03d}-finding-{i}"
            w.t(f, T, _iri(EXO + "Finding"))
            statement(f, src, rng.choice(["StudyReport", "ReviewClaim"]))
            quote(f, src, bad)
            for r in rng.sample(range(1, 41), rng.randint(0, 2)):
                w.t(f, EXO + "citesReference", _iri(f"{src}/reference/{r}"))
            if bad != "finding-without-preparation":
                w.t(f, EXO + "hasPreparation", _iri(rng.choice(preps)))
            for e in range(0 if bad == "finding-without-effect" else rng.randint(1, 3)):
                eff = f"{f}/effect/e{e}"
                w.t(f, EXO + "hasEffect", _iri(eff))
                w.t(eff, T, _iri(EXO + "Effect"))
                direction = (
                    "StudyReport"
                    if bad == "effect-bad-direction" and e == 0
                    else rng.choice(
                        ["Promotes", "Inhibits", "Increases", "Decreases", "ProtectsAgainst", "Ameliorates"]
                    )
                )
                w.t(eff, EXO + "direction", _iri(EXO + direction))
                if not (i in warn_at and e == 0):
                    w.t(
                        eff,
                        EXO + "affects",
                        _iri(rng.choice(terms["go"]) if rng.random() < 0.6 else rng.choice(outcomes)),
                    )
                w.t(eff, EXO + "statedAs", _lit(text(4)))
            kind = rng.choices(["in-vitro", "in-vivo", "unspecified", "clinical"], [5, 4, 2, 1 if n > 50 else 0])[0]
            if bad == "clinical-zero-participants":
                kind = "clinical"
            model = f"{f}/model/{kind}"
            w.t(f, EXO + "hasModel", _iri(model))
            if kind == "in-vitro":
                w.t(model, T, _iri(EXO + "InVitroModel"))
                w.t(model, EXO + "cellLine", _iri(rng.choice(terms["cvcl"])))
                w.t(model, EXO + "cellType", _iri(rng.choice(terms["cl"])))
                w.t(model, EXO + "statedAs", _lit(text(6)))
            elif kind == "in-vivo":
                w.t(model, T, _iri(EXO + "InVivoModel"))
                w.t(model, EXO + "organism", _iri(rng.choice(terms["taxon"])))
                w.t(model, EXO + "modelledDisease", _iri(rng.choice(terms["disease"])))
            elif kind == "clinical":
                w.t(model, T, _iri(EXO + "ClinicalStudy"))
                w.t(
                    model,
                    EXO + "participantCount",
                    _lit(
                        str(0 if bad == "clinical-zero-participants" else rng.randint(5, 200)), datatype=XSD + "integer"
                    ),
                )
                w.t(model, EXO + "registryId", _lit(f"NCT{rng.randrange(10**8):08d}"))
                w.t(model, EXO + "hasRoute", _iri(EXO + rng.choice(["IntravenousRoute", "IntranasalRoute"])))
            else:
                w.t(model, T, _iri(EXO + "UnspecifiedModel"))
            cancer = rng.random() < 0.15 or bad == "cancer-without-tumour-role"
            if cancer:
                w.t(f, EXO + "hasDisease", _iri(rng.choice(terms["cancer"])))
                if bad != "cancer-without-tumour-role":
                    w.t(f, EXO + "hasTumourRole", _iri(EXO + rng.choice(["TumourPromoting", "TumourSuppressing"])))
            elif rng.random() < 0.7:
                w.t(f, EXO + "hasDisease", _iri(rng.choice(terms["disease"])))
            if bad == "malformed-disease-id":
                w.t(f, EXO + "hasDisease", _iri(OBO + "MONDO_12"))
            if bad == "preparation-bad-taxon":  # a private preparation with a tissue where a taxon belongs
                prep = f"{EXOD}preparation/bad-{i}"
                w.t(f, EXO + "hasPreparation", _iri(prep))
                w.t(prep, T, _iri(EXO + "CellPreparation"))
                w.t(prep, L, _lit("bad preparation", lang="en"))
                w.t(prep, OBO + "RO_0002162", _iri(rng.choice(terms["uberon"])))
            for c in rng.sample(cargo, rng.randint(0, 3)):
                w.t(f, EXO + "hasCargo", _iri(c))
            if rng.random() < 0.5:
                w.t(f, EXO + "involvesPathway", _iri(rng.choice(terms["go"])))
            if rng.random() < 0.3:
                w.t(f, EXO + "hasTargetCellType", _iri(rng.choice(terms["cl"])))
            if rng.random() < 0.3:
                w.t(f, EXO + "namedAuthor", _lit(f"Author{rng.randrange(500)} et al."))
            if rng.random() < 0.1:
                w.t(f, EXO + "curationNote", _lit(text(8), lang="en"))
            if rng.random() < 0.1:
                w.t(f, EXO + "dose", _lit(f"{rng.randint(1, 200)} µg"))
            # one size range statement per ten findings (and every planted size violation)
            if i % 10 == 3 or (bad or "").startswith("size-"):
                size = f"{EXOD}fact/size-{i}"
                w.t(size, T, _iri(EXO + "SizeRangeStatement"))
                statement(size, src, "ReviewClaim")
                quote(size, src)
                w.t(size, EXO + "vesicleType", _iri(OBO + "GO_0070062"))
                lo, hi = rng.choice([(30, 150), (40, 100), (50, 200), (100, 1000)])
                if bad == "size-min-above-max":
                    lo, hi = hi, lo
                hi_lit = _lit("one") if bad == "size-not-decimal" else _lit(f"{hi}.0", datatype=XSD + "decimal")
                w.t(size, EXO + "minimumDiameter", _lit(f"{lo}.0", datatype=XSD + "decimal"))
                w.t(size, EXO + "maximumDiameter", hi_lit)
                w.t(size, EXO + "statedUnit", _lit("inch" if bad == "size-unknown-unit" else "nm"))
                w.t(size, EXO + "minimumDiameterNm", _lit(f"{lo}.0", datatype=XSD + "decimal"))
                w.t(size, EXO + "maximumDiameterNm", _lit(f"{hi}.0", datatype=XSD + "decimal"))
                if rng.random() < 0.2:
                    c = f"{size}/correction/c"
                    w.t(size, EXO + "hasCorrection", _iri(c))
                    w.t(c, T, _iri(EXO + "Correction"))
                    w.t(c, EXO + "asWritten", _lit(f"{lo}-{hi} mm"))
                    w.t(c, EXO + "correctedReading", _lit(f"{lo}-{hi} nm"))
                    w.t(c, EXO + "curationNote", _lit("Nanometres are meant.", lang="en"))
    planted["warning:effect-without-affects"] = len(warn_at)
    return Synthetic(out, w.n, n, planted)


# ---------------------------------------------------------------------------------------------------------
# One run in a fresh process


def child(engine: str, data: str) -> None:
    """Validate one file with one engine; print a JSON line with the in-process time and the counts."""
    from exo_rdf.project import Project
    from exo_rdf.validate import validate

    t0 = time.perf_counter()
    report = validate(Project.at(ROOT), [Path(data)], engine=engine)
    seconds = time.perf_counter() - t0
    kinds: dict[str, int] = {}
    for r in report.results():
        key = f"{r.severity}:{r.constraint}"
        kinds[key] = kinds.get(key, 0) + 1
    # The results as a set of (focus, path, constraint component, severity), as a digest to compare engines.
    keys = sorted({"|".join((r.focus, r.path or "", r.constraint, r.severity)) for r in report.results()})
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "violations": report.violations,
                "warnings": report.warnings,
                "data_triples": report.data_triples,
                "results_by_kind": kinds,
                "result_set": {"distinct": len(keys), "sha256_16": digest},
            }
        )
    )


@dataclass
class Run:
    engine: str
    status: str  # "ok", "timeout" or "error"
    wall_s: float  # process wall time (interpreter start and imports included)
    validate_s: float | None  # time inside validate(): parsing, loading and validation
    peak_rss_mb: float
    violations: int | None = None
    warnings: int | None = None
    results_by_kind: dict | None = None
    error: str | None = None
    loadavg_before: float | None = None  # 1-minute load average when the run started (shared machine)
    result_set: dict | None = None  # distinct (focus, path, component, severity) and their digest

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def run_child(engine: str, data: Path, timeout: float | None) -> Run:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", engine, str(data)]
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    status = "ok"
    while True:
        pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if timeout is not None and time.perf_counter() - t0 > timeout:
            os.killpg(proc.pid, signal.SIGKILL)  # the child's own session: only what we started
            pid, code, usage = os.wait4(proc.pid, 0)
            status = "timeout"
            break
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    proc.returncode = code  # reaped by wait4; tell Popen so it does not wait again
    rss = usage.ru_maxrss / 1024  # kilobytes on Linux
    if status == "timeout":
        return Run(engine, "timeout", wall, None, rss, loadavg_before=load)
    if code != 0 or not out.strip():
        return Run(engine, "error", wall, None, rss, error=(err or out)[-2000:], loadavg_before=load)
    info = json.loads(out.strip().splitlines()[-1])
    return Run(
        engine,
        "ok",
        wall,
        info["seconds"],
        rss,
        info["violations"],
        info["warnings"],
        info["results_by_kind"],
        loadavg_before=load,
        result_set=info["result_set"],
    )


# ---------------------------------------------------------------------------------------------------------
# The whole benchmark


def machine() -> dict:
    from importlib.metadata import version

    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        kb = int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        mem = f"{kb / 1024 / 1024:.1f} GB"
    except (OSError, StopIteration):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        **{pkg: version(pkg) for pkg in ("pyoxigraph", "pyshacl", "rdflib")},
    }


def _parse_size(text: str) -> int:
    return int(float(text))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1e4,1e5,1e6", help="target triple counts (comma-separated)")
    ap.add_argument("--repeat", type=int, default=3, help="oxigraph runs per size (median reported)")
    ap.add_argument("--pyshacl-timeout", type=float, default=600.0, help="seconds before a pySHACL run is stopped")
    ap.add_argument("--pyshacl-max", type=_parse_size, default=10**6, help="largest size at which pySHACL is attempted")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-record", action="store_true", help="print only; write no results")
    ap.add_argument("--no-turtle", action="store_true", help="skip the Turtle run at the largest size")
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "DATA"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0

    sizes = [_parse_size(s) for s in args.sizes.split(",")]
    facts = machine()
    print("machine:", json.dumps(facts))
    terms = _terms()
    rows = []
    with tempfile.TemporaryDirectory(prefix="exo-validate-bench-") as tmp:
        for size in sizes:
            t0 = time.perf_counter()
            syn = generate(size, Path(tmp) / f"synthetic-{size}.nt", seed=args.seed, terms=terms)
            gen_s = time.perf_counter() - t0
            print(
                f"\n{syn.triples:,} triples ({syn.findings:,} findings) generated in {gen_s:.1f} s; "
                f"planted: {syn.planted}"
            )
            ox_runs = []
            for k in range(args.repeat):
                r = run_child("oxigraph", syn.path, None)
                print(
                    f"  oxigraph run {k + 1}: {r.status} validate {r.validate_s or 0:.2f} s, "
                    f"wall {r.wall_s:.2f} s, peak {r.peak_rss_mb:.0f} MB, {r.violations} violations, "
                    f"{r.warnings} warnings" + (f"\n{r.error}" if r.error else "")
                )
                ox_runs.append(r)
            py_run = None
            if size <= args.pyshacl_max:
                py_run = run_child("pyshacl", syn.path, args.pyshacl_timeout)
                print(
                    f"  pyshacl: {py_run.status} validate {py_run.validate_s or 0:.2f} s, wall {py_run.wall_s:.2f} s,"
                    f" peak {py_run.peak_rss_mb:.0f} MB, {py_run.violations} violations"
                    + (f"\n{py_run.error}" if py_run.error else "")
                )
            turtle = None
            if size == max(sizes) and not args.no_turtle:  # the same data as Turtle: the slower load path
                import pyoxigraph as ox

                ttl = syn.path.with_suffix(".ttl")
                ox.serialize(
                    ox.parse(path=str(syn.path)),
                    output=str(ttl),
                    format=ox.RdfFormat.TURTLE,
                    prefixes={"exo": EXO, "exod": EXOD, "oa": OA, "xsd": XSD},
                )
                turtle = run_child("oxigraph", ttl, None)
                print(
                    f"  oxigraph on the same data as Turtle: {turtle.status} validate {turtle.validate_s or 0:.2f} s,"
                    f" wall {turtle.wall_s:.2f} s, peak {turtle.peak_rss_mb:.0f} MB"
                )
                ttl.unlink()
            rows.append(
                {
                    "target": size,
                    "triples": syn.triples,
                    "findings": syn.findings,
                    "planted": syn.planted,
                    "format": "N-Triples",
                    "oxigraph": [r.as_dict() for r in ox_runs],
                    "oxigraph_turtle": turtle.as_dict() if turtle else None,
                    "pyshacl": py_run.as_dict() if py_run else None,
                }
            )
            syn.path.unlink()
    summary = summarise(rows, args)
    print("\n" + summary["markdown"])
    if not args.no_record:
        record(facts, rows, summary, args)
    return 0


def _median(runs, key):
    vals = [r[key] for r in runs if r["status"] == "ok" and r[key] is not None]
    return statistics.median(vals) if vals else None


def summarise(rows, args) -> dict:
    table = []
    prev = None
    for row in rows:
        ox = row["oxigraph"]
        ours_v, ours_w, ours_m = _median(ox, "validate_s"), _median(ox, "wall_s"), max(r["peak_rss_mb"] for r in ox)
        py = row["pyshacl"]
        py_v = py_text = ratio = None
        if py is None:
            py_text, ratio = "not run", "—"
        elif py["status"] == "timeout":
            py_text = f"> {args.pyshacl_timeout:.0f} s"
            ratio = f"> {args.pyshacl_timeout / ours_w:.0f}x" if ours_w else "—"
        elif py["status"] == "ok":
            py_v = py["validate_s"]
            py_text = f"{py_v:.1f} s ({py['peak_rss_mb']:.0f} MB)"
            ratio = f"{py_v / ours_v:.0f}x" if ours_v else "—"
        else:
            py_text, ratio = "error", "—"
        agree = None
        if py and py["status"] == "ok":
            agree = py["result_set"] == ox[0]["result_set"]
        growth = None
        if prev and prev["ours_v"]:
            growth = {
                "triples": row["triples"] / prev["triples"],
                "time": ours_v / prev["ours_v"],
                "memory": ours_m / prev["ours_m"],
            }
        entry = {
            "triples": row["triples"],
            "ours_v": ours_v,
            "ours_wall": ours_w,
            "ours_m": ours_m,
            "violations": ox[0]["violations"],
            "warnings": ox[0]["warnings"],
            "pyshacl": py_text,
            "pyshacl_v": py_v,
            "ratio": ratio,
            "growth": growth,
            "agree": agree,
        }
        table.append(entry)
        prev = entry
    lines = [
        "| triples | oxigraph: validate (loading incl.) | process wall | peak RSS | growth (time / triples) "
        "| violations, warnings | pySHACL (rdflib): validate (peak RSS) | pySHACL / ours | same results |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for e in table:
        g = e["growth"]
        growth = f"{g['time']:.1f}x / {g['triples']:.1f}x" if g else "—"
        same = {True: "yes", False: "NO", None: "—"}[e["agree"]]
        lines.append(
            f"| {e['triples']:,} | {e['ours_v']:.2f} s | {e['ours_wall']:.2f} s | {e['ours_m']:.0f} MB | "
            f"{growth} | {e['violations']}, {e['warnings']} | {e['pyshacl']} | {e['ratio']} | {same} |"
        )
    for row in rows:
        t = row.get("oxigraph_turtle")
        if t and t["status"] == "ok":
            lines.append(
                f"\nThe {row['triples']:,}-triple file as Turtle instead of N-Triples (one oxigraph run): "
                f"validate {t['validate_s']:.2f} s, process wall {t['wall_s']:.2f} s, "
                f"peak RSS {t['peak_rss_mb']:.0f} MB."
            )
    return {"table": table, "markdown": "\n".join(lines)}


def record(facts, rows, summary, args) -> None:
    stamp = dt.datetime.now().astimezone()
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"validate-{stamp:%Y-%m-%d}.json"
    if path.exists():
        path = out_dir / f"validate-{stamp:%Y-%m-%d-%H%M%S}.json"
    payload = {
        "benchmark": "validate",
        "date": stamp.isoformat(timespec="seconds"),
        "machine": facts,
        "settings": {
            "repeat": args.repeat,
            "pyshacl_timeout_s": args.pyshacl_timeout,
            "pyshacl_max": args.pyshacl_max,
            "seed": args.seed,
        },
        "sizes": rows,
        "summary": summary["table"],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    readme = HERE / "README.md"
    facts_line = (
        f"{facts['nproc']} cores ({facts['cpu'] or 'cpu unknown'}), {facts['memory']}, {facts['os']}; "
        f"Python {facts['python']}, pyoxigraph {facts['pyoxigraph']}, pyshacl {facts['pyshacl']}, "
        f"rdflib {facts['rdflib']}"
    )
    loads = [
        r["loadavg_before"]
        for row in rows
        for r in [*row["oxigraph"], row["pyshacl"] or {}]
        if r and r.get("loadavg_before") is not None
    ]
    load_note = f" 1-minute load average at the start of runs: {min(loads):.1f}–{max(loads):.1f}." if loads else ""
    block = (
        f"\n#### {stamp:%Y-%m-%d %H:%M} ({path.relative_to(ROOT)})\n\n{facts_line}. oxigraph: median of "
        f"{args.repeat} runs; pySHACL: one run, stopped after {args.pyshacl_timeout:.0f} s.{load_note}\n\n"
        f"{summary['markdown']}\n"
    )
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if RESULTS_MARKER in text:  # keep the runs inside this benchmark's section, newest last
        text = text.replace(RESULTS_MARKER, block.lstrip("\n") + "\n" + RESULTS_MARKER, 1)
    else:
        text += block
    readme.write_text(text, encoding="utf-8")
    print(f"\nrecorded {path.relative_to(ROOT)} and appended the table to {readme.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
