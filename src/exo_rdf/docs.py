"""Ontology documentation as one HTML page, made with pyLODE 3.3.4 (its OntPub profile).

pyLODE is pinned to 3.3.4: 3.4.1 fails at import (it looks for a pyproject.toml inside
site-packages). Things handled here, each found by trying it:

* pyLODE shows ``skos:definition`` but not OBO's ``IAO:0000115``, which is where our definitions
  live; the graph handed to pyLODE gets a ``skos:definition`` copy of each definition, so the page
  shows them (the released ontology files are not changed).
* 3.3.4 rejects an ontology IRI that ends in ``/``; ours does not, and a clear error says so if it
  ever does.
* importing pyLODE calls ``logging.basicConfig(level=DEBUG)`` (in its supermodel profile), which
  would flood the command line with debug lines; the root logger is restored after the import.
* the page must be byte-identical across builds: pyLODE writes no date of its own (the only date is
  the ontology's ``dcterms:created``), so normalising line ends and trailing spaces is enough; a
  test rebuilds the page in processes with different hash seeds and compares bytes.
"""

from __future__ import annotations

import logging
from typing import Any

from .errors import ExoError
from .namespaces import IAO_DEFINITION, ONTOLOGY_IRI, PREFIXES

__all__ = [
    "DOCS_FILE",
    "ontology_html",
]

DOCS_FILE = "docs/ontology.html"


def _import_pylode() -> tuple[Any, type[Exception]]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from pylode import OntPub, PylodeError
    except ImportError as exc:
        raise ExoError(f"pyLODE is not installed ({exc}); install pylode==3.3.4") from None
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return OntPub, PylodeError


def ontology_html(turtle: str) -> str:
    """Render the ontology given as Turtle text into a self-contained HTML page."""
    import rdflib
    from rdflib.namespace import SKOS

    if str(ONTOLOGY_IRI).endswith("/"):
        raise ExoError(f"pyLODE 3.3.4 cannot document an ontology whose IRI ends in '/': {ONTOLOGY_IRI}")
    OntPub, PylodeError = _import_pylode()

    graph = rdflib.Graph(bind_namespaces="core")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    graph.parse(data=turtle, format="turtle")
    for term, definition in list(graph.subject_objects(IAO_DEFINITION)):
        if (term, SKOS.definition, None) not in graph:
            graph.add((term, SKOS.definition, definition))

    try:
        html = OntPub(graph).make_html()
    except PylodeError as exc:
        raise ExoError(f"pyLODE could not document the ontology: {exc}") from None
    lines = [line.rstrip() for line in html.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"
