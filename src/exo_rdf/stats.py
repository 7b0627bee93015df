"""Counts of the curated knowledge graph: statements by paper, section, model type, organism, knowledge level.

All counting is SPARQL on the embedded pyoxigraph store (ontology + imports + instances).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .graph import project_store, select_rows
from .namespaces import PREFIXES, compress
from .project import Project

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = [
    "Stats",
    "compute_stats",
    "format_stats",
]

_PREFIXES = "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in ("exo", "rdfs", "prov", "oa"))

_QUERIES = {
    "by_paper": """
SELECT ?group ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?cls . ?cls rdfs:subClassOf* exo:Statement . FILTER NOT EXISTS { ?s a exo:WithdrawnStatement }
  BIND(IF(?cls = exo:Finding, "findings", "facts") AS ?kind)
  ?s prov:wasDerivedFrom/exo:seedFile ?group .
} GROUP BY ?group ?kind""",
    "by_section": """
SELECT ?group ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?cls . ?cls rdfs:subClassOf* exo:Statement . FILTER NOT EXISTS { ?s a exo:WithdrawnStatement }
  BIND(IF(?cls = exo:Finding, "findings", "facts") AS ?kind)
  ?s exo:hasQuote/exo:inSection ?sec . ?sec rdfs:label ?title ; exo:sectionOf/exo:seedFile ?file .
  BIND(CONCAT(SUBSTR(?file, 1, 3), " ", STR(?title)) AS ?group)
} GROUP BY ?group ?kind""",
    "by_model_type": """
SELECT ?group ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a exo:Finding ; exo:hasModel ?m . ?m a ?t . ?t rdfs:subClassOf exo:Model ; rdfs:label ?l .
  BIND(STR(?l) AS ?group) BIND("findings" AS ?kind)
} GROUP BY ?group ?kind""",
    "by_organism": """
SELECT ?group ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a exo:Finding ; exo:hasModel/exo:organism ?org .
  OPTIONAL { ?org rdfs:label ?l }
  BIND(COALESCE(STR(?l), STR(?org)) AS ?group) BIND("findings" AS ?kind)
} GROUP BY ?group ?kind""",
    "by_knowledge_level": """
SELECT ?group ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?cls . ?cls rdfs:subClassOf* exo:Statement . FILTER NOT EXISTS { ?s a exo:WithdrawnStatement }
  BIND(IF(?cls = exo:Finding, "findings", "facts") AS ?kind)
  ?s exo:hasKnowledgeLevel/rdfs:label ?l . BIND(STR(?l) AS ?group)
} GROUP BY ?group ?kind""",
    "by_fact_type": """
SELECT ?group ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?cls . ?cls rdfs:subClassOf exo:Fact ; rdfs:label ?l .
  BIND(STR(?l) AS ?group) BIND("facts" AS ?kind)
} GROUP BY ?group ?kind""",
    "by_curation_flag": """
SELECT ?group ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
  VALUES (?p ?group) { (exo:conflictsWith "conflicts with another statement") (exo:hasCorrection "correction of the source")
                       (exo:hasSourceIssue "source issue") (exo:hasEmphasis "emphasis or rank") }
  ?s a ?cls ; ?p ?o . ?cls rdfs:subClassOf* exo:Statement . FILTER NOT EXISTS { ?s a exo:WithdrawnStatement }
  BIND(IF(?cls = exo:Finding, "findings", "facts") AS ?kind)
} GROUP BY ?group ?kind""",
}


@dataclass
class Stats:
    findings: int = 0
    facts: int = 0
    triples: int = 0
    claims: int = 0
    conflicts: int = 0  # pairs of statements linked by exo:conflictsWith
    #: table name -> {group: {"findings": n, "facts": n}}
    tables: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "findings": self.findings,
            "facts": self.facts,
            "triples": self.triples,
            "claims": self.claims,
            "conflicts": self.conflicts,
            **self.tables,
        }


def compute_stats(project: Project, store: Store | None = None) -> Stats:
    store = store if store is not None else project_store(project)
    stats = Stats(triples=len(store))
    for name, body in _QUERIES.items():
        table: dict[str, dict[str, int]] = {}
        for row in select_rows(store, _PREFIXES + body):
            group = row["group"].value
            if group.startswith("http"):
                group = compress(group)
            table.setdefault(group, {"findings": 0, "facts": 0})[row["kind"].value] = int(row["n"].value)
        stats.tables[name] = dict(sorted(table.items()))
    for row in select_rows(
        store,
        _PREFIXES
        + """
SELECT (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?pair) AS ?pairs) WHERE {
  { ?c a exo:Claim } UNION
  { ?a exo:conflictsWith ?b FILTER(STR(?a) < STR(?b)) BIND(CONCAT(STR(?a), " ", STR(?b)) AS ?pair) }
}""",
    ):
        stats.claims, stats.conflicts = int(row["claims"].value), int(row["pairs"].value)
    for counts in stats.tables["by_paper"].values():
        stats.findings += counts["findings"]
        stats.facts += counts["facts"]
    return stats


def format_stats(stats: Stats) -> str:
    lines = [
        f"{stats.findings} findings, {stats.facts} facts, {stats.triples} triples (ontology + imports + instances)",
        f"{stats.claims} claims, {stats.conflicts} conflicting pairs of statements",
    ]
    titles = {
        "by_paper": "by paper (seed file)",
        "by_section": "by section",
        "by_model_type": "findings by model type",
        "by_organism": "findings by organism (in vivo and clinical models)",
        "by_knowledge_level": "by knowledge level",
        "by_fact_type": "facts by type",
        "by_curation_flag": "statements with curation flags",
    }
    for name, table in stats.tables.items():
        lines.append("")
        lines.append(titles.get(name, name))
        width = max([len(g) for g in table] + [10])
        for group, counts in table.items():
            parts = [f"{counts[k]:4d} {k}" for k in ("findings", "facts") if counts[k] or name in ("by_paper",)]
            lines.append(f"  {group:<{width}}  {'  '.join(parts)}")
    return "\n".join(lines)
