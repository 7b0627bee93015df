"""The stored competency questions as SPARQL examples in RDF (``dist/queries.ttl``).

Each question becomes a SHACL ``sh:SPARQLExecutable`` in the style of the SIB SPARQL examples
(sib-swiss/sparql-examples): typed ``sh:SPARQLSelectExecutable`` (or ``...Construct`` / ``...Ask``),
the query text in ``sh:select`` / ``sh:construct`` / ``sh:ask``, the question in ``rdfs:comment``,
its tags in ``schema:keywords`` and the endpoint it runs on in ``schema:target``. The IRI of an example
is that of its page on the site (``https://w3id.org/exo-rdf/cq/<id>``). The endpoint loads the file,
so ``SELECT ?q { ?q a sh:SPARQLExecutable }`` lists them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .namespaces import BASE, PREFIXES
from .project import Project

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["EXAMPLES_FILE", "EXAMPLE_BASE", "examples_graph"]

#: Where the examples of a release are written, inside dist/.
EXAMPLES_FILE = "queries.ttl"
#: The base of example IRIs: each question's page on the site.
EXAMPLE_BASE = BASE + "cq/"

_FORMS = {
    "SELECT": ("SPARQLSelectExecutable", "select"),
    "CONSTRUCT": ("SPARQLConstructExecutable", "construct"),
    "ASK": ("SPARQLAskExecutable", "ask"),
}


def examples_graph(project: Project) -> Graph:
    """An rdflib graph of every competency question of ``project`` as a SHACL SPARQL executable."""
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, RDFS

    from .describe import SPARQL_ENDPOINT
    from .namespaces import bind_prefixes
    from .query import load_queries

    sh, schema = Namespace(PREFIXES["sh"]), Namespace(PREFIXES["schema"])
    g = Graph()
    bind_prefixes(g)
    for q in load_queries(project.cq_dir):
        node = URIRef(EXAMPLE_BASE + q.id)
        kind, prop = _FORMS.get(q.form.upper(), ("SPARQLSelectExecutable", "select"))
        g.add((node, RDF.type, sh.SPARQLExecutable))
        g.add((node, RDF.type, sh[kind]))
        g.add((node, sh[prop], Literal(q.text)))
        g.add((node, RDFS.label, Literal(q.id)))
        g.add((node, RDFS.comment, Literal(q.summary or q.id, lang="en")))
        if q.description:
            g.add((node, schema.description, Literal(q.description, lang="en")))
        for tag in q.tags:
            g.add((node, schema.keywords, Literal(tag)))
        g.add((node, schema.target, SPARQL_ENDPOINT))
    return g
