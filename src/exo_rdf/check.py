"""`exo-rdf check`: every check of the project in one run, with one verdict.

Steps, in order: external ids against the shared tables; curation compiles and instances/ is up to
date; hand-edited Turtle is canonical; the QC queries (queries/checks); SHACL validation; the
reasoner (Konclude by default; HermiT with ``full``). Each step reports ok/failed with a one-line
summary and details; warnings never fail.

Speed: the external-term index is loaded once and shared by the id check and the curation compile;
the slow steps run in parallel worker processes (forked after the index is loaded, so they share it);
and each step's result is kept under ``.exo-cache/check/`` with the SHA-256 of everything it reads
(its input files' contents, the shared tables' names, sizes and times, the package's own code and the
reasoner chosen), so an unchanged step is answered from the cache and any changed input runs it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .errors import ExoError
from .project import Project

if TYPE_CHECKING:
    from .terms import TermIndex

__all__ = [
    "STEPS",
    "CheckSummary",
    "Step",
    "format_summary",
    "run_all",
]


@dataclass
class Step:
    name: str
    ok: bool
    summary: str
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class CheckSummary:
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)


def _ids(project: Project, index: TermIndex | None = None) -> Step:
    from .idcheck import check_ids

    report = check_ids(project, index=index)
    details = [f"{p.severity}: {p}" for p in report.problems]
    return Step(
        "ids",
        report.ok,
        f"{len(report.ids)} external ids in {len(report.files)} files; "
        f"{len(report.errors)} unknown or obsolete, {len(report.warnings)} unconfirmed (subset tables)",
        details,
    )


def _curation(project: Project, index: TermIndex | None = None) -> Step:
    from .curate import compile_curation, stale_outputs

    result = compile_curation(project, labels=index.label if index is not None else None)
    if result.errors:
        return Step("curation", False, f"{len(result.errors)} error(s) in curation/", result.errors)
    stale = stale_outputs(project, result)
    details = [f"out of date: instances/{name} (run exo-rdf curate)" for name in stale]
    details += [f"warning: {w}" for w in result.warnings]
    if result.drafts:
        details.insert(
            0,
            f"warning: {len(result.drafts)} draft record(s) remain; `exo-rdf build` refuses them "
            f"until they are reviewed (first: {result.drafts[0]})",
        )
    return Step(
        "curation",
        not stale,
        f"{result.statements} statements ({result.findings} findings, "
        f"{result.facts} facts, {result.withdrawn} withdrawn); {len(result.drafts)} draft(s) left; "
        f"instances/ {'out of date' if stale else 'up to date'}",
        details,
    )


def _format(project: Project) -> Step:
    from .fmt import unformatted

    bad = unformatted(project)
    return Step(
        "format",
        not bad,
        "hand-edited Turtle is canonical" if not bad else f"{len(bad)} file(s) not canonical (run exo-rdf fmt)",
        [str(p.relative_to(project.root)) for p in bad],
    )


def _qc(project: Project) -> Step:
    from .qc import exit_code, run_checks

    results = run_checks(project)
    failed = [r for r in results if not r.passed]
    details = []
    for r in failed:
        details.append(f"{r.severity}: {r.id} ({len(r.rows)} row(s)): {r.summary}; fix: {r.fix}")
    return Step(
        "qc",
        exit_code(results) == 0,
        f"{len(results)} QC checks; "
        f"{sum(1 for r in failed if r.severity == 'error')} error(s), "
        f"{sum(1 for r in failed if r.severity != 'error')} warning(s)",
        details,
    )


def _shacl(project: Project) -> Step:
    from .validate import validate

    report = validate(project)
    details = []
    for group in report.groups:
        for r in group.results:
            if r.severity == "Violation":
                details.append(
                    f"{group.node} ({group.seed or '?'}, {group.section or '?'}): {r.path or ''} {r.message}"
                )
    return Step(
        "shacl",
        report.conforms,
        f"{report.data_triples} instance triples; {report.violations} violation(s), {report.warnings} warning(s)",
        details,
    )


def _reasoner(project: Project, full: bool = False) -> Step:
    from .reason import reason

    report = reason(project, reasoner="hermit" if full else "konclude", fallback=True)
    details = [f"unsatisfiable: {t.iri}" for t in report.unsatisfiable] + [f"hint: {h}" for h in report.hints]
    if report.note:
        details.insert(0, f"warning: {report.note}")
    name = "HermiT" if report.reasoner == "hermit" else "Konclude"
    return Step(
        "reasoner",
        report.ok,
        f"{name}: {'consistent' if report.consistent else 'INCONSISTENT'}, "
        f"{len(report.unsatisfiable)} unsatisfiable class(es), {report.n_triples} triples",
        details,
    )


STEPS: dict[str, Callable[..., Step]] = {
    "ids": _ids,
    "curation": _curation,
    "format": _format,
    "qc": _qc,
    "shacl": _shacl,
    "reasoner": _reasoner,
}

#: Steps that need the external-term index.
_INDEXED = ("ids", "curation")
#: Steps worth a worker process of their own (seconds each); the others run in the main process.
_SLOW = ("curation", "reasoner", "ids")


# --------------------------------------------------------------------------------------------------
# What each step reads (its cache key)


def _files_under(folder: Path, pattern: str = "*") -> list[Path]:
    return sorted(p for p in folder.rglob(pattern) if p.is_file()) if folder.is_dir() else []


def _step_inputs(project: Project, name: str) -> tuple[list[Path], list[Path]]:
    """(files hashed by content, files keyed by name, size and modification time) read by a step."""
    from .graph import data_files

    if name == "ids":
        from .idscan import source_files

        return source_files(project), _files_under(project.external_dir)
    if name == "curation":
        return (
            [*project.curation_files(), *_files_under(project.instances_dir)],
            [*_files_under(project.seeds_dir), *_files_under(project.external_dir)],
        )
    if name == "format":
        from .fmt import hand_edited_files

        return hand_edited_files(project), []
    if name == "qc":
        return [*data_files(project), *_files_under(project.queries_dir)], []
    if name == "shacl":
        return [*data_files(project), *_files_under(project.root / "shapes")], []
    return data_files(project), []


def _code_digest() -> str:
    """The package's own code: a new version of a check must not be answered from an old result."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def step_key(project: Project, name: str, *, full: bool = False, code: str | None = None) -> str:
    """SHA-256 over everything step ``name`` reads; a change to any input gives another key."""
    hashed, stated = _step_inputs(project, name)
    digest = hashlib.sha256(f"{name}\0{'full' if full else 'fast'}\0{code or _code_digest()}\0".encode())
    for path in hashed:
        digest.update(str(path).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"missing")
    for path in stated:
        st = path.stat()
        digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _cache_file(project: Project, name: str) -> Path:
    return project.root / ".exo-cache" / "check" / f"{name}.json"


def _cached(project: Project, name: str, key: str) -> Step | None:
    try:
        stored = json.loads(_cache_file(project, name).read_text(encoding="utf-8"))
        if stored.get("key") == key:
            return Step(**stored["step"])
    except (OSError, ValueError, TypeError, KeyError):
        pass  # no cache, or an unreadable one: the step runs
    return None


def _store(project: Project, name: str, key: str, step: Step) -> None:
    target = _cache_file(project, name)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "step": asdict(step)}), encoding="utf-8")
        tmp.replace(target)
    except OSError:
        pass  # a read-only project still checks, it only does not remember


# --------------------------------------------------------------------------------------------------
# Running


def _run_step(
    project: Project, name: str, index: TermIndex | None, full: bool
) -> tuple[Step, None] | tuple[None, ExoError]:
    """Run one step; return (step, None) or (None, error). Errors are returned, not raised, so that a
    worker process hands them back to the parent as plain values."""
    t0 = time.perf_counter()
    try:
        if name in _INDEXED:
            step = STEPS[name](project, index)
        elif name == "reasoner":
            step = STEPS[name](project, full)
        else:
            step = STEPS[name](project)
    except ExoError as exc:
        return None, exc
    step.seconds = time.perf_counter() - t0
    return step, None


def _in_worker(args: tuple[Project, str, bool]) -> tuple[Step | None, Any]:
    project, name, full = args
    step, error = _run_step(project, name, _WORKER_INDEX, full)
    if error is not None:
        import pickle

        try:
            pickle.loads(pickle.dumps(error))
        except Exception:  # an error class that cannot cross processes keeps its message
            error = ExoError(str(error))
    return step, error


_WORKER_INDEX = None


def run_all(
    project: Project,
    *,
    skip: tuple[str, ...] = (),
    progress: Callable[[str], None] | None = None,
    full: bool = False,
    cache: bool = True,
    jobs: int | None = None,
) -> CheckSummary:
    """Run every step not in ``skip``; problems become failed steps, input errors propagate (exit 2).

    ``full`` runs HermiT instead of Konclude. ``cache`` answers unchanged steps from ``.exo-cache``.
    ``jobs`` is the number of worker processes for the slow steps (default: the processors available,
    at most 3; 1 runs everything in this process).
    """
    global _WORKER_INDEX

    names = [n for n in STEPS if n not in skip]
    code = _code_digest()
    keys = {n: step_key(project, n, full=full, code=code) for n in names} if cache else {}
    done: dict[str, Step] = {}
    for name in names:
        hit = _cached(project, name, keys[name]) if cache else None
        if hit is not None:
            hit.summary += " (unchanged: cached result)"
            hit.seconds = 0.0
            done[name] = hit
    todo = [n for n in names if n not in done]

    index = None
    if any(n in _INDEXED for n in todo):
        from .terms import project_index

        index = project_index(project)

    if jobs is None:
        jobs = min(3, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    parallel = [n for n in _SLOW if n in todo] if jobs > 1 else []
    if len(parallel) < 2:
        parallel = []
    errors: dict[str, ExoError] = {}
    pool = None
    futures = {}
    if parallel:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _WORKER_INDEX = index
        try:
            pool = ProcessPoolExecutor(
                max_workers=min(jobs, len(parallel)), mp_context=multiprocessing.get_context("fork")
            )
            futures = {n: pool.submit(_in_worker, (project, n, full)) for n in parallel}
        except (OSError, ValueError):
            pool, futures = None, {}
    try:
        for name in todo:
            if name in futures:
                continue
            if progress:
                progress(name)
            step, error = _run_step(project, name, index, full)
            if error is not None:
                errors[name] = error
            elif step is not None:
                done[name] = step
        for name, future in futures.items():
            if progress:
                progress(name)
            step, error = future.result()
            if error is not None:
                errors[name] = error
            elif step is not None:
                done[name] = step
    finally:
        _WORKER_INDEX = None
        if pool is not None:
            pool.shutdown(wait=True)
    for name in names:
        if name in errors:
            raise errors[name]
    summary = CheckSummary()
    for name in names:
        step = done[name]
        if cache and name in todo:
            _store(project, name, keys[name], step)
        summary.steps.append(step)
    return summary


def format_summary(summary: CheckSummary, *, max_details: int = 20) -> str:
    lines = []
    for step in summary.steps:
        mark = "ok    " if step.ok else "FAILED"
        lines.append(f"{mark} {step.name:<9} {step.summary}  ({step.seconds:.1f} s)")
        shown = step.details if not step.ok else [d for d in step.details if d.startswith("warning")][:3]
        for d in shown[:max_details]:
            lines.append(f"         {d}")
        if len(shown) > max_details:
            lines.append(f"         ... and {len(shown) - max_details} more")
    lines.append("all checks passed" if summary.ok else "some checks FAILED")
    return "\n".join(lines)
