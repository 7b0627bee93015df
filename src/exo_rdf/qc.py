"""Quality-control checks: the stored ``queries/checks/*-violation.rq`` plus two file-level prefix checks.

Each SPARQL check is a SELECT whose rows are violations (zero rows = pass); its header says how
severe a hit is and how to fix it (see ``queries/README.md``). The checks follow the ROBOT report
defaults that apply to this project. They run once over the whole knowledge graph (ontology,
imports and instances) loaded into one pyoxigraph store.

Two rules cannot be seen in a graph, because a parser either rejects the text or has already
resolved the prefixes. They are checked on the text of every ``.ttl`` and ``.rq`` file:

* ``undeclared-prefix-violation``: a prefixed name whose prefix the file never declares. Parsers
  stop at the first one; here every occurrence is reported with its file and line, and the graph
  checks still run over the files that do load.
* ``noncanonical-prefix-violation``: a prefix declaration that disagrees with the canonical map in
  :mod:`exo_rdf.namespaces` (same name bound to another namespace, or a canonical namespace under
  another name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .errors import ExoError, InputError
from .project import Project
from .query import (
    StoredQuery,
    format_rows,
    header_problems,
    load_queries,
    run_query,
    undeclared_prefixes,
)

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = [
    "ERROR",
    "FILE_CHECKS",
    "NONCANONICAL_PREFIX",
    "UNDECLARED_PREFIX",
    "WARNING",
    "CheckResult",
    "FileCheck",
    "check_queries",
    "exit_code",
    "format_report",
    "list_checks",
    "run_checks",
    "text_files",
]

#: Only error-severity failures fail ``exo-rdf check`` (exit code 1); warnings are reported.
ERROR = "error"
WARNING = "warning"


@dataclass
class CheckResult:
    """The outcome of one check. ``rows`` are the violations; ``passed`` is true when there are none.

    Rows of SPARQL checks map variable names to pyoxigraph terms (or ``None``); rows of the
    file-level checks map ``file``, ``line`` and ``problem`` to plain values.
    """

    id: str
    severity: str
    summary: str
    fix: str
    rows: list[dict[str, Any]]
    variables: list[str] = field(default_factory=list)
    description: str = ""
    path: Path | None = None
    kind: str = "sparql"  # or "file"
    note: str | None = None
    passed: bool = field(init=False)

    def __post_init__(self) -> None:
        self.passed = not self.rows

    @property
    def failed_error(self) -> bool:
        """A failed check of error severity (the kind that fails the build)."""
        return not self.passed and self.severity == ERROR

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values: IRIs and literals as their full string values."""
        return {
            "id": self.id,
            "severity": self.severity,
            "passed": self.passed,
            "summary": self.summary,
            "fix": self.fix,
            "kind": self.kind,
            "variables": list(self.variables),
            "rows": [{k: _plain(v) for k, v in row.items()} for row in self.rows],
            **({"note": self.note} if self.note else {}),
        }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return getattr(value, "value", str(value))


@dataclass(frozen=True)
class FileCheck:
    """Metadata of a file-level check (the SPARQL checks carry theirs in their headers)."""

    id: str
    severity: str
    summary: str
    description: str
    fix: str


UNDECLARED_PREFIX = FileCheck(
    id="undeclared-prefix-violation",
    severity=ERROR,
    summary="Prefixed names whose prefix the file does not declare",
    description=(
        "Every .ttl and .rq file declares each prefix it uses (@prefix in Turtle, PREFIX in SPARQL). "
        "An undeclared prefix makes the whole file unreadable to rdflib, Oxigraph and every other parser."
    ),
    fix=(
        "Add the declaration at the top of the file with the canonical namespace from "
        "exo_rdf.namespaces.PREFIXES, e.g. @prefix CL: <http://purl.obolibrary.org/obo/CL_> . "
        "(Turtle) or PREFIX CL: <http://purl.obolibrary.org/obo/CL_> (SPARQL); or correct a misspelt prefix."
    ),
)

NONCANONICAL_PREFIX = FileCheck(
    id="noncanonical-prefix-violation",
    severity=ERROR,
    summary="Prefix declarations that disagree with the canonical prefix map",
    description=(
        "A prefix name is bound to one namespace everywhere in the project (exo_rdf.namespaces.PREFIXES), "
        "and a canonical namespace always goes by its canonical name, so that CURIEs read the same in "
        "every file, query and output."
    ),
    fix=(
        "Change the declaration to the canonical one (exo_rdf.namespaces.PREFIXES): keep the name and fix "
        "its namespace, or rename the prefix to the canonical name and update its uses in the file."
    ),
)

FILE_CHECKS = (UNDECLARED_PREFIX, NONCANONICAL_PREFIX)


# ---------------------------------------------------------------------------------------------
# Listing and running
# ---------------------------------------------------------------------------------------------


def check_queries(project: Project) -> list[StoredQuery]:
    """The project's SPARQL checks (``queries/checks/*.rq``), sorted by id."""
    return load_queries(project.checks_dir)


def list_checks(project: Project) -> list[dict[str, str]]:
    """Id, severity, kind and summary of every check, for ``exo-rdf check --list``."""
    rows = [{"id": c.id, "severity": c.severity, "kind": "file", "summary": c.summary} for c in FILE_CHECKS]
    rows += [
        {"id": q.id, "severity": q.severity or "", "kind": "sparql", "summary": q.summary}
        for q in check_queries(project)
    ]
    return sorted(rows, key=lambda r: r["id"])


def text_files(project: Project) -> list[Path]:
    """Every Turtle and SPARQL source of the project whose prefixes the file-level checks read."""
    from .graph import data_files

    files = [p for p in data_files(project) if p.is_file()]
    files += project.shape_files()
    if project.queries_dir.is_dir():
        files += sorted(project.queries_dir.rglob("*.rq"))
    seen: set[Path] = set()
    unique = []
    for path in files:
        if path not in seen:
            seen.add(path)
            unique.append(path)
    return unique


def run_checks(project: Project, store: Store | None = None, *, only: Iterable[str] | None = None) -> list[CheckResult]:
    """Run every check of the project and return one result per check (file-level checks first).

    ``store`` is a pyoxigraph store of the knowledge graph; by default the ontology, its imports and
    the instances are loaded once (files with undeclared prefixes are left out and reported by
    ``undeclared-prefix-violation``; any other parse error raises :class:`InputError`). ``only``
    restricts the run to the given check ids; an unknown id raises :class:`ExoError`.
    """
    queries = check_queries(project)
    wanted = set(only) if only is not None else None
    if wanted is not None:
        known = {c.id for c in FILE_CHECKS} | {q.id for q in queries}
        unknown = sorted(wanted - known)
        if unknown:
            raise ExoError(f"unknown check(s): {', '.join(unknown)}; known checks: {', '.join(sorted(known))}")

    selected = [q for q in queries if wanted is None or q.id in wanted]
    note = None
    parsed: set[Path] = set()  # files a parser has read without error: no undeclared prefix in them
    if selected and store is None:
        store, loaded, skipped = _load_graph(project)
        parsed = set(loaded)
        if skipped:
            note = (
                "ran without "
                + ", ".join(_rel(project, p) for p in skipped)
                + " (undeclared prefixes; see undeclared-prefix-violation)"
            )

    file_checks = [c for c in FILE_CHECKS if wanted is None or c.id in wanted]
    file_rows: dict[str, list[dict[str, Any]]] = {c.id: [] for c in file_checks}
    if file_checks:
        for path in text_files(project):
            text = _read(path)
            for check in file_checks:
                if check is UNDECLARED_PREFIX and path in parsed:
                    continue
                file_rows[check.id] += _FILE_SCANS[check.id](project, path, text)
    results = [
        CheckResult(
            c.id,
            c.severity,
            c.summary,
            c.fix,
            file_rows[c.id],
            ["file", "line", "problem"],
            c.description,
            None,
            "file",
        )
        for c in file_checks
    ]

    for query in selected:
        severity = query.severity or ""
        if severity not in (ERROR, WARNING):
            problems = "; ".join(header_problems(query)) or f"severity {severity!r}"
            raise ExoError(f"{query.path}: invalid check header: {problems}")
        assert store is not None  # loaded above whenever a query is selected
        result = run_query(store, query)
        results.append(
            CheckResult(
                query.id,
                severity,
                query.summary,
                query.fix or "",
                result.rows,
                result.variables,
                query.description,
                query.path,
                "sparql",
                note,
            )
        )
    return results


def _read(path: Path) -> str:
    from .graph import read_source

    return read_source(path)


def _rel(project: Project, path: Path) -> str:
    try:
        return path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _undeclared_rows(project: Project, path: Path, text: str) -> list[dict[str, Any]]:
    """One row per undeclared prefix of a file, at its first use (a missing declaration is one mistake)."""
    first: dict[str, int] = {}
    uses: dict[str, int] = {}
    for line, prefix in undeclared_prefixes(text):
        first.setdefault(prefix, line)
        uses[prefix] = uses.get(prefix, 0) + 1
    rows = []
    for prefix, line in first.items():
        more = f" (used on {uses[prefix]} lines)" if uses[prefix] > 1 else ""
        rows.append(
            {"file": _rel(project, path), "line": line, "problem": f"prefix '{prefix}:' is used but not declared{more}"}
        )
    return rows


_DECL_LINE_RE = re.compile(r"(?im)^\s*@?prefix\s+([\w.\-]*):\s*<([^>]*)>")


def _noncanonical_rows(project: Project, path: Path, text: str) -> list[dict[str, Any]]:
    from .graph import prefix_conflicts

    rows = []
    for message in prefix_conflicts(text):
        name = message.split(":", 1)[0].removeprefix("prefix ").strip()
        line = None
        for m in _DECL_LINE_RE.finditer(text):
            if m.group(1) == name:
                line = text.count("\n", 0, m.start(1)) + 1
        rows.append({"file": _rel(project, path), "line": line, "problem": message})
    return rows


_FILE_SCANS = {UNDECLARED_PREFIX.id: _undeclared_rows, NONCANONICAL_PREFIX.id: _noncanonical_rows}


def _load_graph(project: Project) -> tuple[Store, list[Path], list[Path]]:
    """Load the knowledge graph once: ``(store, files loaded, files left out)``.

    If a file does not parse, the files are loaded one by one; a file with undeclared prefixes is
    left out (the undeclared-prefix check reports it), any other parse error is raised.
    """
    from .graph import data_files, load_store, project_store

    files = [p for p in data_files(project) if p.is_file()]
    try:
        return project_store(project), files, []
    except InputError:
        pass
    good, skipped = [], []
    for path in files:
        try:
            load_store([path])
        except InputError:
            if undeclared_prefixes(_read(path)):
                skipped.append(path)
                continue
            raise
        good.append(path)
    return load_store(good), good, skipped


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


def exit_code(results: Iterable[CheckResult]) -> int:
    """0 when no error-severity check failed, else 1 (warnings never fail)."""
    return 1 if any(r.failed_error for r in results) else 0


def format_report(results: list[CheckResult], *, verbose: bool = False, max_rows: int = 50) -> str:
    """A plain-text report: one status line per check, then each failed check's rows and fix.

    ``verbose`` adds each failed check's description (the rule it enforces and why).
    """
    lines = []
    width = max((len(r.id) for r in results), default=0)
    for r in results:
        status = "PASS" if r.passed else ("FAIL" if r.severity == ERROR else "WARN")
        count = "" if r.passed else f"  ({len(r.rows)} row{'' if len(r.rows) == 1 else 's'})"
        lines.append(f"{status}  {r.severity:<7}  {r.id:<{width}}  {r.summary}{count}")
    for r in results:
        if r.passed:
            continue
        lines.append("")
        lines.append(f"== {r.id} [{r.severity}]: {r.summary}")
        if verbose and r.description:
            lines.append(r.description)
        shown = r.rows[:max_rows]
        lines.append(format_rows(r.variables, shown).rstrip("\n"))
        if len(r.rows) > max_rows:
            lines.append(f"... and {len(r.rows) - max_rows} more rows")
        lines.append(f"fix: {r.fix}")
        if r.note:
            lines.append(f"note: {r.note}")
    failed_errors = sum(r.failed_error for r in results)
    warnings = sum(1 for r in results if not r.passed and r.severity != ERROR)
    lines.append("")
    lines.append(
        f"{len(results)} checks: {len(results) - failed_errors - warnings} passed, "
        f"{failed_errors} failed (error), {warnings} warning(s)"
    )
    return "\n".join(lines) + "\n"
