"""Keep hand-edited Turtle in one canonical serialisation (sorted, canonical prefixes, no unused ones).

Canonical form is what :func:`rdfio.canonical_turtle` writes. The hand-edited sources are
ontology/exo.ttl and shapes/*.ttl; generated files (imports, instances) are canonical by construction.
"""

from __future__ import annotations

from pathlib import Path

from .graph import parse_turtle, read_source
from .project import Project
from .rdfio import atomic_write, canonical_graph, canonical_turtle

__all__ = [
    "canonical_text",
    "format_files",
    "hand_edited_files",
    "unformatted",
]


def hand_edited_files(project: Project) -> list[Path]:
    return [project.ontology_file, *project.shape_files()]


def canonical_text(path: Path) -> str:
    """The canonical Turtle of ``path``. Blank nodes get canonical labels first: the serialiser orders
    a subject's blank-node objects (property shapes, restrictions, lists) by label, and parsed labels
    are random."""
    return canonical_turtle(canonical_graph(parse_turtle(path)))


def unformatted(project: Project) -> list[Path]:
    """Hand-edited files whose text is not canonical."""
    return [p for p in hand_edited_files(project) if read_source(p) != canonical_text(p)]


def format_files(project: Project) -> list[Path]:
    """Rewrite every hand-edited file that is not canonical; return the files changed.

    Every file is parsed first, so a syntax error changes nothing; each rewrite is atomic.
    """
    pending = []
    for path in hand_edited_files(project):
        text = canonical_text(path)
        if read_source(path) != text:
            pending.append((path, text))
    for path, text in pending:
        atomic_write(path, text)
    return [p for p, _ in pending]
