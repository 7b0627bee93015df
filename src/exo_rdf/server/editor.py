"""The SPARQL query editor that browsers get at ``/sparql`` (YASGUI, served from the package's static files).

Machines keep the SPARQL 1.1 Protocol: only a GET without ``query``/``update`` whose Accept header prefers
``text/html`` to every RDF type of the service description is answered with this page. The page
preloads the graph's canonical prefixes and offers every stored competency question as an example;
``/sparql?edit=CQ-ID`` opens one, and ``/sparql#query=TEXT`` opens any query text (the links of the
site's pages). Without JavaScript the page is a plain GET form that runs the query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..namespaces import PREFIXES
from ..rdfio import GRAPH_TYPES
from .conneg import negotiate

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .site import Site

__all__ = ["EXAMPLES_QUERY", "editor_context", "prefix_block", "site_base", "wants_editor"]

#: What a GET on /sparql may return without a query: the RDF types of the service description, then HTML
#: (listed last so that ``*/*`` and ties keep the machine answer).
_OFFERS = (
    *((media.split(";")[0], "rdf") for media in GRAPH_TYPES.values()),
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
)
#: The protocol's own parameters: a request with any of them is a SPARQL request, never the editor.
_PROTOCOL = frozenset(
    ("query", "update", "default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri", "format")
)


def wants_editor(method: str, params: list[tuple[str, str]], accept: str | None) -> bool:
    """True when a request to /sparql is a browser asking for a page rather than a protocol request."""
    if method not in ("GET", "HEAD") or any(name in _PROTOCOL for name, _ in params):
        return False
    if not accept or "html" not in accept.lower():
        return False
    return negotiate(accept, _OFFERS) == "html"


def prefix_block(names: Iterable[str] | None = None) -> str:
    """PREFIX lines for the canonical prefix map (all of it, or ``names``)."""
    chosen = [n for n in PREFIXES if names is None or n in names]
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in chosen)


def editor_context(site: Site, params: list[tuple[str, str]]) -> dict[str, Any]:
    """Template context of the editor page: examples, the query to open, the prefix map."""
    wanted = dict(params).get("edit", "")
    examples = [{"id": q.id, "summary": q.summary or q.id, "query": q.text} for q in site.queries]
    chosen = next((e for e in examples if e["id"] == wanted), None)
    # a fresh editor (and every new tab) starts with the whole canonical prefix map, folded away
    blank = (
        prefix_block()
        + "\nSELECT ?finding ?label WHERE {\n  ?finding a exo:Finding ;\n           rdfs:label ?label .\n}"
        "\nORDER BY ?finding\nLIMIT 10\n"
    )
    start = blank if chosen is None else chosen["query"]
    from .site import ENTITY_PREFIXES, MOUNT

    data = {
        "endpoint": "/sparql",
        "prefixes": dict(PREFIXES),
        "query": start,
        "blank": blank,
        "base": site_base(),
        "mount": MOUNT,
        "entities": {p: PREFIXES[p] for p in sorted(ENTITY_PREFIXES) if p in PREFIXES},
    }
    return {
        "examples": examples,
        "chosen": chosen,
        "start": start,
        "editor_data": data,
        "unknown": wanted if wanted and chosen is None else None,
    }


def site_base() -> str:
    from ..namespaces import BASE

    return BASE


#: Lists the stored questions published as SHACL SPARQL executables (sib-swiss/sparql-examples convention).
EXAMPLES_QUERY = (
    prefix_block(("sh", "rdfs", "schema")) + "\nSELECT ?q ?comment WHERE {\n  ?q a sh:SPARQLExecutable ;\n"
    "     rdfs:comment ?comment .\n}\nORDER BY ?q\n"
)
