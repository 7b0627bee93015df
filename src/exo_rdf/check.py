"""`exo-rdf check`: every check of the project in one run, with one verdict.

Steps, in order: external ids against the shared tables; curation compiles and instances/ is up to
date; hand-edited Turtle is canonical; the QC queries (queries/checks); SHACL validation; the HermiT
reasoner. Each step reports ok/failed with a one-line summary and details; warnings never fail.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from .project import Project

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


def _ids(project: Project) -> Step:
    from .idcheck import check_ids

    report = check_ids(project)
    details = [f"{p.severity}: {p}" for p in report.problems]
    return Step(
        "ids",
        report.ok,
        f"{len(report.ids)} external ids in {len(report.files)} files; "
        f"{len(report.errors)} unknown or obsolete, {len(report.warnings)} unconfirmed (subset tables)",
        details,
    )


def _curation(project: Project) -> Step:
    from .curate import compile_curation, stale_outputs

    result = compile_curation(project)
    if result.errors:
        return Step("curation", False, f"{len(result.errors)} error(s) in curation/", result.errors)
    stale = stale_outputs(project, result)
    details = [f"out of date: instances/{name} (run exo-rdf curate)" for name in stale]
    details += [f"warning: {w}" for w in result.warnings]
    return Step(
        "curation",
        not stale,
        f"{result.statements} statements ({result.findings} findings, "
        f"{result.facts} facts); instances/ {'out of date' if stale else 'up to date'}",
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


def _reasoner(project: Project) -> Step:
    from .reason import reason

    report = reason(project)
    details = [f"unsatisfiable: {t.iri}" for t in report.unsatisfiable] + [f"hint: {h}" for h in report.hints]
    return Step(
        "reasoner",
        report.ok,
        f"HermiT: {'consistent' if report.consistent else 'INCONSISTENT'}, "
        f"{len(report.unsatisfiable)} unsatisfiable class(es), {report.n_triples} triples",
        details,
    )


STEPS: dict[str, Callable[[Project], Step]] = {
    "ids": _ids,
    "curation": _curation,
    "format": _format,
    "qc": _qc,
    "shacl": _shacl,
    "reasoner": _reasoner,
}


def run_all(
    project: Project, *, skip: tuple[str, ...] = (), progress: Callable[[str], None] | None = None
) -> CheckSummary:
    """Run every step not in ``skip``; problems become failed steps, input errors propagate (exit 2)."""
    summary = CheckSummary()
    for name, fn in STEPS.items():
        if name in skip:
            continue
        if progress:
            progress(name)
        t0 = time.perf_counter()
        step = fn(project)
        step.seconds = time.perf_counter() - t0
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
