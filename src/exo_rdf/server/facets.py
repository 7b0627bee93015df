"""The faceted findings browser (``/exo-rdf/findings``): filters built from whitelisted facet definitions.

Every facet is a SPARQL graph pattern from a finding ``?f`` to a value ``?v`` (below). A request's state
is its URL: ``?disease=MONDO:0005240&cargo-kind=exo:MiRNACargo``; several values of one facet are
OR-ed, different facets are AND-ed (standard faceted search). The count beside a value is the number
of findings that would match if that value were added to the other facets' filters (the facet's own
selection is left out, so OR-ing more values stays possible).

User values never enter a query as text: a value is accepted only if it expands (CURIE or IRI) to one
of the facet's known values, computed at load, and it is written into the query as the N-Triples form
of a pyoxigraph ``NamedNode``. Unknown values are reported and ignored. All queries run on the Site's
pyoxigraph store.

Hierarchies: disease climbs MONDO (``rdfs:subClassOf*``: a disease includes its descendants), organ
system is the MONDO body-system branch ("disease by body system or component") that a finding's
disease falls under, and MSC source climbs UBERON (``rdfs:subClassOf`` and existential restrictions
such as part of), keeping only tissues that some preparation names as its source.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..namespaces import PREFIXES, compress, expand

if TYPE_CHECKING:
    from .site import Site

__all__ = [
    "BY_KEY",
    "FACETS",
    "MAX_VALUES",
    "Browser",
    "Facet",
    "Row",
    "Selection",
    "bind",
    "filter_block",
    "to_csv",
    "to_json",
]

#: The largest number of values one facet may select in one request.
MAX_VALUES = 40


@dataclass(frozen=True)
class Facet:
    key: str  # the URL parameter
    label: str
    pattern: str  # SPARQL from ?f to ?v
    note: str = ""
    values: str = ""  # a condition on ?v that decides which values the facet offers (not needed once ?v is
    # bound to a validated, offered value)

    @property
    def listing(self) -> str:
        """The pattern with its value condition: for listing the facet's values."""
        return f"{self.pattern} {self.values}".strip()


_MONDO = PREFIXES["MONDO"]
# Paths are written as chains of single triple patterns through named intermediate nodes: Oxigraph
# evaluates "?f a/b* <value>" by walking from every ?f, but "?f a ?x . ?x b* <value>" from the value.
FACETS: tuple[Facet, ...] = (
    Facet("paper", "Paper (seed)", "?f prov:wasDerivedFrom ?v ."),
    Facet("section", "Section", "?f exo:hasQuote ?q . ?q exo:inSection ?v ."),
    Facet(
        "system",
        "Organ system",
        "?f exo:hasDisease ?d . ?d rdfs:subClassOf* ?v . ?v rdfs:subClassOf MONDO:7770006 .",
        "the body-system branch of MONDO that the finding's disease falls under",
    ),
    Facet(
        "disease",
        "Disease",
        "?f exo:hasDisease ?d . ?d rdfs:subClassOf* ?v .",
        "includes every narrower MONDO disease",
        f'FILTER(STRSTARTS(STR(?v), "{_MONDO}"))',
    ),
    Facet(
        "source",
        "MSC tissue source",
        "?f exo:hasPreparation ?p . ?p exo:sourceTissue ?t . "
        "?t (rdfs:subClassOf|rdfs:subClassOf/owl:someValuesFrom)* ?v .",
        "includes the tissue's parts and subtypes",
        "FILTER EXISTS { ?anyPrep exo:sourceTissue ?v }",
    ),
    Facet("vesicle", "Vesicle type", "?f exo:hasPreparation ?p . ?p exo:vesicleType ?v ."),
    Facet("cargo-kind", "Cargo kind", "?f exo:hasCargo ?c . ?c rdf:type ?v ."),
    Facet("molecule", "Cargo molecule", "?f exo:hasCargo ?c . ?c exo:molecule ?v ."),
    Facet("target", "Molecular target", "?f exo:hasMolecularTarget ?v ."),
    Facet("direction", "Effect direction", "?f exo:hasEffect ?e . ?e exo:direction ?v ."),
    Facet("model", "Model type", "?f exo:hasModel ?m . ?m rdf:type ?v ."),
    Facet("organism", "Organism", "?f exo:hasModel ?m . ?m exo:organism ?v ."),
    Facet("level", "Knowledge level", "?f exo:hasKnowledgeLevel ?v ."),
    Facet("tumour", "Tumour role", "?f exo:hasTumourRole ?v ."),
)
BY_KEY = {f.key: f for f in FACETS}

_ROWS = """
SELECT ?f ?summary ?exact ?seed ?section ?ref WHERE {
  ?f a exo:Finding .
  OPTIONAL { ?f rdfs:label ?summary }
  OPTIONAL { ?f exo:hasQuote ?q . OPTIONAL { ?q oa:hasSelector/oa:exact ?exact }
             OPTIONAL { ?q exo:inSection ?section } }
  OPTIONAL { ?f prov:wasDerivedFrom ?seed }
  OPTIONAL { ?f exo:citesReference/exo:referenceNumber ?ref }
}"""


@dataclass
class Row:
    iri: str
    summary: str = ""
    quotes: list[str] = field(default_factory=list)
    seed: str = ""
    seed_label: str = ""
    sections: list[tuple[str, str]] = field(default_factory=list)  # (IRI, label)
    refs: list[int] = field(default_factory=list)


@dataclass
class Selection:
    """A parsed, validated browser state: facet key -> selected value IRIs (in URL order)."""

    chosen: dict[str, list[str]]
    ignored: list[str]

    def query_items(self) -> list[tuple[str, str]]:
        return [(k, compress(v)) for k, vs in self.chosen.items() for v in vs]


def _node(iri: str) -> str:
    import pyoxigraph as ox

    return str(ox.NamedNode(iri))


def bind(facet: Facet, value: str, tag: str, listing: bool = False) -> str:
    """The facet's pattern (with its value condition if ``listing``) with ``?v`` renamed ``value`` and its
    other variables (not ?f) suffixed ``tag``, so that several facets can share one query."""
    text = facet.listing if listing else facet.pattern
    return re.sub(r"\?(?!f\b)(\w+)", lambda m: value if m.group(1) == "v" else f"?{m.group(1)}_{tag}", text)


def filter_block(chosen: dict[str, list[str]], skip: str | None = None) -> str:
    """The WHERE-clause filters of a selection (values already validated), without facet ``skip``."""
    parts = []
    for n, (key, values) in enumerate(chosen.items()):
        if key == skip or not values:
            continue
        pattern = bind(BY_KEY[key], f"?sel{n}", str(n))
        parts.append(f"{{ {pattern} VALUES ?sel{n} {{ {' '.join(_node(v) for v in values)} }} }}")
    return "\n  ".join(parts)


class Browser:
    """The facet index of one Site: known values per facet, row details, and the filtering queries."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.known: dict[str, set[str]] = {}
        self.pairs: dict[str, dict[str, set[str]]] = {}  # facet -> value -> findings having it
        self.rows: dict[str, Row] = {}
        self._counts: dict[tuple[Any, ...], dict[str, int]] = {}
        self._matches: dict[tuple[Any, ...], list[str]] = {}

    def load(self) -> "Browser":
        for facet in FACETS:
            pairs: dict[str, set[str]] = {}
            for r in self.site.select(
                f"SELECT DISTINCT ?f ?v WHERE {{ ?f a exo:Finding . {facet.listing} FILTER(isIRI(?v)) }}"
            ):
                pairs.setdefault(r["v"].value, set()).add(r["f"].value)
            self.pairs[facet.key] = pairs
            self.known[facet.key] = set(pairs)
        rows: dict[str, Row] = {}
        for r in self.site.select(_ROWS):
            iri = r["f"].value
            row = rows.setdefault(iri, Row(iri))
            if r["summary"] is not None:
                row.summary = r["summary"].value
            if r["exact"] is not None and r["exact"].value not in row.quotes:
                row.quotes.append(r["exact"].value)
            if r["seed"] is not None:
                row.seed = r["seed"].value
                row.seed_label = self.site.labels.get(row.seed) or compress(row.seed)
            if r["section"] is not None:
                sec = (r["section"].value, self.site.labels.get(r["section"].value) or compress(r["section"].value))
                if sec not in row.sections:
                    row.sections.append(sec)
            if r["ref"] is not None and int(r["ref"].value) not in row.refs:
                row.refs.append(int(r["ref"].value))
        for row in rows.values():
            row.refs.sort()
        self.rows = rows
        return self

    # -- state ------------------------------------------------------------------------------------

    def parse(self, params: list[tuple[str, str]]) -> Selection:
        """Validate URL parameters: each value must name a known value of its facet (CURIE or IRI)."""
        chosen: dict[str, list[str]] = {}
        ignored: list[str] = []
        for key, raw in params:
            facet = BY_KEY.get(key)
            if facet is None:
                continue  # format=, and parameters of other tools
            value = raw.strip()[:500]
            iri = None
            try:
                iri = str(expand(value)) if not value.startswith(("http://", "https://")) else value
            except ValueError:
                iri = None
            if iri is None or iri not in self.known[key]:
                ignored.append(f"{facet.label}: {raw[:80]}")
                continue
            values = chosen.setdefault(key, [])
            if iri not in values and len(values) < MAX_VALUES:
                values.append(iri)
        ordered = {f.key: chosen[f.key] for f in FACETS if f.key in chosen}
        return Selection(ordered, ignored)

    @staticmethod
    def _state(chosen: dict[str, list[str]], skip: str | None = None) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple((k, tuple(sorted(v))) for k, v in chosen.items() if k != skip)

    # -- queries ----------------------------------------------------------------------------------

    def matches(self, chosen: dict[str, list[str]]) -> list[str]:
        """The findings matching a selection, in IRI order."""
        key = self._state(chosen)
        found = self._matches.get(key)
        if found is None:
            query = f"SELECT DISTINCT ?f WHERE {{\n  ?f a exo:Finding .\n  {filter_block(chosen)}\n}} ORDER BY ?f"
            found = [r["f"].value for r in self.site.select(query)]
            if len(self._matches) > 2048:
                self._matches.clear()
            self._matches[key] = found
        return found

    def counts(self, facet: Facet, chosen: dict[str, list[str]]) -> dict[str, int]:
        """Findings per value of ``facet`` under the other facets' filters."""
        key = (facet.key, self._state(chosen, skip=facet.key))
        found = self._counts.get(key)
        if found is None:
            # the findings under the other facets' filters (SPARQL), split by this facet's value (the
            # facet's pattern, evaluated once at load): a join in Python of two SPARQL answers
            others = set(self.matches({k: v for k, v in chosen.items() if k != facet.key}))
            found = {v: n for v, fs in self.pairs[facet.key].items() if (n := len(fs & others))}
            if len(self._counts) > 4096:
                self._counts.clear()
            self._counts[key] = found
        return found

    # -- page data ---------------------------------------------------------------------------------

    def page(self, params: list[tuple[str, str]]) -> dict[str, Any]:
        selection = self.parse(params)
        chosen = selection.chosen
        found = self.matches(chosen)
        facets = []
        for facet in FACETS:
            counts = self.counts(facet, chosen)
            selected = chosen.get(facet.key, [])
            values: list[dict[str, Any]] = []
            for iri in set(counts) | set(selected):
                values.append(
                    {
                        "iri": iri,
                        "curie": compress(iri),
                        "label": self.site.labels.get(iri) or compress(iri),
                        "count": counts.get(iri, 0),
                        "selected": iri in selected,
                    }
                )
            values.sort(key=lambda v: (not v["selected"], -v["count"], v["label"].lower()))
            facets.append({"facet": facet, "options": values, "active": bool(selected)})
        return {
            "selection": selection,
            "rows": [self.rows[i] for i in found if i in self.rows],
            "facets": facets,
            "total": len(self.rows),
        }


# -- downloads ------------------------------------------------------------------------------------

_COLUMNS = ("finding", "summary", "quote", "seed", "section", "references")


def _record(row: Row) -> dict[str, Any]:
    return {
        "finding": row.iri,
        "summary": row.summary,
        "quote": " | ".join(row.quotes),
        "seed": row.seed,
        "section": " | ".join(label for _, label in row.sections),
        "references": " ".join(str(n) for n in row.refs),
    }


def to_csv(rows: list[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(_record(row))
    return out.getvalue().encode("utf-8")


def to_json(rows: list[Row], selection: Selection) -> bytes:
    body = {
        "filters": {k: [compress(v) for v in vs] for k, vs in selection.chosen.items()},
        "ignored": selection.ignored,
        "count": len(rows),
        "findings": [
            {**_record(r), "quote": r.quotes, "section": [s for _, s in r.sections], "references": r.refs} for r in rows
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
