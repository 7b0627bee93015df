"""Locate the parts of an exo-rdf project (ontology, instances, shapes, queries, curation, shared data).

A :class:`Project` is a value built from a root folder at call time; nothing here touches the disk
at import. The shared folder (the review seeds and the external ontology tables) is found beside the
project as ``../shared`` unless ``EXO_RDF_SHARED`` names another place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ExoError

__all__ = [
    "Project",
]


@dataclass(frozen=True)
class Project:
    """Paths of one project checkout."""

    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str] | None = None, *, require: bool = True) -> "Project":
        """Return the project at ``root`` (default: the current directory).

        With ``require`` the root must hold ``ontology/exo.ttl``; otherwise a plain error says so.
        """
        path = Path(root or os.getcwd()).resolve()
        project = cls(path)
        if require and not project.ontology_file.is_file():
            raise ExoError(
                f"{path} is not an exo-rdf project: {project.ontology_file} is missing. "
                "Run the command inside a project checkout or pass --root DIR."
            )
        return project

    # knowledge folders
    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def ontology_file(self) -> Path:
        return self.ontology_dir / "exo.ttl"

    @property
    def imports_dir(self) -> Path:
        return self.ontology_dir / "imports"

    @property
    def instances_dir(self) -> Path:
        return self.root / "instances"

    @property
    def curation_dir(self) -> Path:
        return self.root / "curation"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def cq_dir(self) -> Path:
        return self.queries_dir / "cq"

    @property
    def checks_dir(self) -> Path:
        return self.queries_dir / "checks"

    @property
    def merged_queries_dir(self) -> Path:
        """Questions meant for a merge with full external ontologies (``exo-rdf merge``)."""
        return self.queries_dir / "merged"

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"

    # shared material
    @property
    def shared_dir(self) -> Path:
        env = os.environ.get("EXO_RDF_SHARED")
        return Path(env).resolve() if env else (self.root.parent / "shared").resolve()

    @property
    def seeds_dir(self) -> Path:
        return self.shared_dir / "seeds"

    @property
    def external_dir(self) -> Path:
        return self.shared_dir / "ontologies"

    def require_dir(self, path: Path, what: str) -> Path:
        """Return ``path`` if it is a folder, else raise a plain error naming it."""
        if not path.is_dir():
            raise ExoError(f"{what} folder not found: {path}")
        return path

    def import_files(self) -> list[Path]:
        return sorted(self.imports_dir.glob("*.ttl")) if self.imports_dir.is_dir() else []

    def instance_files(self) -> list[Path]:
        return sorted(self.instances_dir.glob("*.ttl")) if self.instances_dir.is_dir() else []

    def shape_files(self) -> list[Path]:
        return sorted(self.shapes_dir.glob("*.ttl")) if self.shapes_dir.is_dir() else []

    def curation_files(self) -> list[Path]:
        return sorted(self.curation_dir.glob("*.yaml")) if self.curation_dir.is_dir() else []
