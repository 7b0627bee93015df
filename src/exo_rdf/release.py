"""What a release may not do: ship a draft, or lose a statement or term that an earlier release had.

``releases/released-ids.txt`` lists the IRI of every statement and ontology term released so far,
one a line (sorted; lines starting with ``#`` are comments). It is kept in the repository so that the
check works on a fresh clone, and is updated with ``exo-rdf released-ids --update`` after a release
is published (curation/README.md, "Releasing"). `build` refuses to write dist/ when a listed IRI is
no longer in the data or the ontology: a statement must be withdrawn (``status: withdrawn``; it keeps
resolving) and a term deprecated (``owl:deprecated true``), never deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, cast

from .errors import ExoError
from .namespaces import EXO, EXOD
from .project import Project

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = [
    "RELEASED_IDS",
    "ReleasedIds",
    "check_released",
    "current_ids",
    "draft_records",
    "is_statement_iri",
    "read_released",
    "refuse_drafts",
    "released_file",
    "update_released",
]

RELEASED_IDS = Path("releases") / "released-ids.txt"
_STATEMENT_RE = re.compile(re.escape(str(EXOD)) + r"(?:finding|fact)/[a-z0-9][a-z0-9-]*$")


def released_file(project: Project) -> Path:
    return project.root / RELEASED_IDS


def draft_records(project: Project) -> list[str]:
    """``file:line: id`` of every curation record still marked ``status: draft``."""
    from .curate import read_yaml

    found = []
    for path in project.curation_files():
        data = read_yaml(path)
        for rec in (data.get("statements") or []) if isinstance(data, dict) else []:
            if isinstance(rec, dict) and rec.get("status") == "draft":
                found.append(f"{path}:{rec.get('__line__')}: {rec.get('id')}")
    return found


def refuse_drafts(project: Project) -> None:
    drafts = draft_records(project)
    if drafts:
        shown = "\n  ".join(drafts[:50]) + (f"\n  ... and {len(drafts) - 50} more" if len(drafts) > 50 else "")
        raise ExoError(
            f"not building a release: {len(drafts)} curation record(s) are still drafts "
            f"(status: draft); review them (status: reviewed) or delete them:\n  {shown}"
        )


def is_statement_iri(iri: str) -> bool:
    return bool(_STATEMENT_RE.match(iri))


def current_ids(data: Graph | Iterable[Any], ontology: Graph) -> set[str]:
    """Statement IRIs in ``data`` (an rdflib graph or pyoxigraph triples) and our term IRIs in ``ontology``."""
    if hasattr(data, "subjects"):
        subjects = {str(s) for s in cast("Graph", data).subjects()}
    else:
        subjects = {t.subject.value for t in cast("Iterable[Any]", data)}
    ids = {s for s in subjects if is_statement_iri(s)}
    ns = str(EXO._NS)
    ids |= {str(s) for s in set(ontology.subjects()) if str(s).startswith(ns) and len(str(s)) > len(ns)}
    return ids


def read_released(project: Project) -> set[str]:
    path = released_file(project)
    if not path.is_file():
        return set()
    return {
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }


def check_released(project: Project, data: Graph | Iterable[Any], ontology: Graph) -> None:
    """Raise when an id of an earlier release is gone from ``data`` and ``ontology``."""
    gone = sorted(read_released(project) - current_ids(data, ontology))
    if gone:
        shown = "\n  ".join(gone[:50]) + (f"\n  ... and {len(gone) - 50} more" if len(gone) > 50 else "")
        raise ExoError(
            f"not building a release: {len(gone)} id(s) of an earlier release ({RELEASED_IDS}) are gone. "
            "Withdraw a statement (status: withdrawn, reason: ...) instead of deleting its record, and "
            f"deprecate a term (owl:deprecated true) instead of deleting it:\n  {shown}"
        )


@dataclass
class ReleasedIds:
    path: Path
    ids: int
    added: int


def update_released(project: Project) -> ReleasedIds:
    """Add every current statement and term IRI to releases/released-ids.txt (never removes one)."""
    from .graph import parse_files

    data = parse_files(project.instance_files())
    ontology = parse_files([project.ontology_file])
    old = read_released(project)
    ids = sorted(old | current_ids(data, ontology))
    path = released_file(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    head = (
        "# Every statement and ontology term IRI released so far (exo-rdf released-ids --update).\n"
        "# `exo-rdf build` refuses a release in which one of them is gone: withdraw or deprecate instead.\n"
    )
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(head + "\n".join(ids) + "\n", encoding="utf-8")
    tmp.replace(path)
    return ReleasedIds(path, len(ids), len(ids) - len(old))
