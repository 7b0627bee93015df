"""RDF input and output: every file format, media type and suffix the package reads or writes.

One table per question a caller asks ("which pyoxigraph format reads this suffix?", "which media type
does the endpoint send for this result key?"), so adding a format is one edit here. The tables hold
names (strings), never the parser modules, so importing this module stays cheap.
"""
from __future__ import annotations

__all__ = [
    "FORMAT_PARAM",
    "GRAPH_OFFERS",
    "GRAPH_TYPES",
    "OX_GRAPH_FORMATS",
    "OX_TABLE_FORMATS",
    "SOURCE_FORMATS",
    "TABLE_OFFERS",
    "TABLE_TYPES",
]

# ---------------------------------------------------------------------------------------------
# The SPARQL endpoint: result formats, media ranges, format= values, source files
# ---------------------------------------------------------------------------------------------

#: Result formats of SELECT and ASK: key -> reply content type.
TABLE_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
#: Result formats of CONSTRUCT, DESCRIBE and the service description: key -> reply content type.
GRAPH_TYPES = {
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
# Media ranges the endpoint answers, in the server's order of preference (the first is the default).
# Generic aliases (application/json, application/xml, text/plain) come last.
TABLE_OFFERS = (
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
    ("application/json", "json"), ("application/xml", "xml"), ("text/xml", "xml"),
)
GRAPH_OFFERS = (
    ("text/turtle", "ttl"), ("application/n-triples", "nt"), ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"), ("application/x-turtle", "ttl"), ("application/json", "jsonld"),
    ("application/xml", "rdfxml"), ("text/plain", "nt"),
)
#: ``format=`` (or ``output=``) values: name -> (table format, graph format).
FORMAT_PARAM = {
    "json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None), "tsv": ("tsv", None),
    "ttl": (None, "ttl"), "turtle": (None, "ttl"), "nt": (None, "nt"), "ntriples": (None, "nt"),
    "n-triples": (None, "nt"), "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"), "rdf": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"),
}
for _mt, _key in TABLE_OFFERS:
    FORMAT_PARAM.setdefault(_mt, (_key, None))
for _mt, _key in GRAPH_OFFERS:
    FORMAT_PARAM[_mt] = (FORMAT_PARAM.get(_mt, (None, None))[0], _key)

#: Source file suffix -> (pyoxigraph RdfFormat attribute, holds quads).
SOURCE_FORMATS = {
    ".nt": ("N_TRIPLES", False), ".ttl": ("TURTLE", False), ".n3": ("N3", False),
    ".owl": ("RDF_XML", False), ".rdf": ("RDF_XML", False), ".jsonld": ("JSON_LD", False),
    ".nq": ("N_QUADS", True), ".trig": ("TRIG", True),
}

#: SPARQL endpoint result key -> pyoxigraph ``QueryResultsFormat`` / ``RdfFormat`` attribute.
OX_TABLE_FORMATS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
OX_GRAPH_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD", "rdfxml": "RDF_XML"}
