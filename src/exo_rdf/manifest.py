"""The files of ``../shared/ontologies`` that the package reads, named by role in a packaged manifest.

The dated file names (``ro-2025-12-17.obo.xz`` ...) are data: they live in ``data/shared-manifest.json``,
so a newer release of an external ontology is one line changed there.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

__all__ = ["shared_file", "shared_files"]


@lru_cache(maxsize=1)
def shared_files() -> dict[str, str]:
    """Role -> file name of every shared file the package reads."""
    text = resources.files("exo_rdf").joinpath("data", "shared-manifest.json").read_text(encoding="utf-8")
    files: dict[str, str] = json.loads(text)["files"]
    return files


def shared_file(role: str) -> str:
    """The file name of one shared file (``KeyError`` for a role the manifest does not list)."""
    return shared_files()[role]
