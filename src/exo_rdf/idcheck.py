"""Check the external identifiers a project uses against the shared term tables.

The scan covers the sources people edit: ``ontology/exo.ttl``, ``instances/*.ttl``, ``shapes/*.ttl``,
``queries/**/*.rq`` and ``curation/*.yaml``. ``ontology/imports/`` is left out because it is generated
from the same tables. Ids are found both as CURIEs (``CL:0000134``, ``cellosaurus:CVCL_0481``,
``MIMAT0000770``) and inside full IRIs (OBO PURLs, the HGNC, miRBase and Cellosaurus IRIs).

Verdicts follow ``shared/tools/termcheck.py`` exactly for the id spaces it checks (same id pattern,
same tables, same obsolete flags): an id missing from a complete table is *unknown*, one missing from
a subset table (ChEBI, PR, NCBITaxon) is *unconfirmed*. Beyond termcheck this module also reports
obsolete ids with the table's replacement, IAO/COB ids (whose only table is OBI's copy, so a missing
one is unconfirmed), ids inside HGNC IRIs, and CURIEs whose prefix the canonical map does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .idscan import (  # noqa: F401
    SUBSET_SPACES,
    TERMCHECK_SPACES,
    IdOccurrence,
    Scan,
    find_ids,
    scan_files,
    source_files,
)
from .namespaces import id_space
from .project import Project
from .terms import TermIndex, project_index

__all__ = [
    "IdProblem",
    "IdReport",
    "check_ids",
    "judge",
]


@dataclass(frozen=True)
class IdProblem:
    """One id (or unknown prefix) that needs attention, at its first line in one file."""

    kind: str  # "unknown", "obsolete", "unconfirmed" or "unknown-prefix"
    curie: str
    path: Path
    line: int
    count: int = 1  # occurrences of this id in this file
    label: str | None = None
    replaced_by: str | None = None
    replaced_by_label: str | None = None
    message: str = ""

    @property
    def severity(self) -> str:
        """``warning`` for unconfirmed ids (a subset table cannot prove absence), else ``error``."""
        return "warning" if self.kind == "unconfirmed" else "error"

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class IdReport:
    """What :func:`check_ids` found. ``ok`` is false when there is any unknown, obsolete or
    unknown-prefix id; unconfirmed ids are warnings (as in termcheck.py, they do not fail a run)."""

    files: list[Path] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)  # every external id seen -> occurrences
    unknown: list[IdProblem] = field(default_factory=list)
    obsolete: list[IdProblem] = field(default_factory=list)
    unconfirmed: list[IdProblem] = field(default_factory=list)
    unknown_prefix: list[IdProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.unknown or self.obsolete or self.unknown_prefix)

    @property
    def problems(self) -> list[IdProblem]:
        every = self.unknown + self.obsolete + self.unknown_prefix + self.unconfirmed
        return sorted(every, key=lambda p: (str(p.path), p.line, p.kind, p.curie))

    @property
    def errors(self) -> list[IdProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[IdProblem]:
        return [p for p in self.problems if p.severity == "warning"]


def _first_per_file(occurrences: Iterable[IdOccurrence]) -> dict[tuple[str, Path], tuple[int, int]]:
    """(id, file) -> (first line, count): one problem per id and file, not one per mention."""
    firsts: dict[tuple[str, Path], tuple[int, int]] = {}
    for o in occurrences:
        line, count = firsts.get((o.curie, o.path), (o.line, 0))
        firsts[(o.curie, o.path)] = (min(line, o.line), count + 1)
    return firsts


def judge(scan: Scan, index: TermIndex) -> IdReport:
    """Give each id of a scan its verdict against the term index."""
    report = IdReport(files=list(scan.files))
    for o in scan.ids:
        report.ids[o.curie] = report.ids.get(o.curie, 0) + 1
    for (curie, path), (line, count) in sorted(
        _first_per_file(scan.ids).items(), key=lambda kv: (str(kv[0][1]), kv[1][0], kv[0][0])
    ):
        term = index.terms.get(curie)
        space = id_space(curie)
        if term is None:
            if space in SUBSET_SPACES:
                report.unconfirmed.append(
                    IdProblem(
                        "unconfirmed",
                        curie,
                        path,
                        line,
                        count,
                        message=f"{curie} is not in the shared {space} table, which is a subset: "
                        "check the id at its source",
                    )
                )
            else:
                report.unknown.append(
                    IdProblem(
                        "unknown",
                        curie,
                        path,
                        line,
                        count,
                        message=f"unknown id {curie}: not in the shared {space} table (a typo, or a term "
                        "newer than the tables?)",
                    )
                )
        elif term.obsolete:
            repl = term.replaced_by
            repl_label = index.label(repl) if repl else None
            hint = (
                (f"; replace with {repl}" + (f" '{repl_label}'" if repl_label else ""))
                if repl
                else "; the table names no replacement"
            )
            report.obsolete.append(
                IdProblem(
                    "obsolete",
                    curie,
                    path,
                    line,
                    count,
                    term.label,
                    repl,
                    repl_label,
                    message=f"obsolete id {curie} '{term.label}'{hint}",
                )
            )
    for (curie, path), (line, count) in sorted(
        _first_per_file(scan.unknown_prefixes).items(), key=lambda kv: (str(kv[0][1]), kv[1][0], kv[0][0])
    ):
        report.unknown_prefix.append(
            IdProblem(
                "unknown-prefix",
                curie,
                path,
                line,
                count,
                message=f"unknown prefix in {curie}: add it to the canonical prefix map "
                "(exo_rdf.namespaces) or use a known id space",
            )
        )
    return report


def check_ids(
    project: Project, paths: Iterable[str | Path] | None = None, *, index: TermIndex | None = None
) -> IdReport:
    """Check every external id in the project's sources (or in ``paths``) against the shared tables.

    Raises :class:`~exo_rdf.errors.ExoError` when the shared tables cannot be read and
    :class:`~exo_rdf.errors.InputError` for an unreadable file or a YAML syntax error.
    """
    files = source_files(project, paths)
    scan = scan_files(files, project.root)
    return judge(scan, index if index is not None else project_index(project))
