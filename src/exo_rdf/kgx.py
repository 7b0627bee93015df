"""A Biolink-aligned KGX export (nodes.tsv, edges.tsv, graph metadata) of the exo-rdf findings.

Each finding becomes edges that KG-Hub and Monarch-style graphs can ingest:

* one edge per effect of the finding: the preparation (an ``exod:preparation/...`` node: EV and
  secretome preparations are ``biolink:ComplexMolecularMixture``, cell preparations ``biolink:Cell``)
  to the affected entity, with the Biolink predicate and qualifiers of :data:`DIRECTIONS`;
* one ``biolink:has_part`` edge per cargo the finding names (the preparation carries it).

Every finding edge carries ``knowledge_level``, ``agent_type``, ``primary_knowledge_source``
(``infores:exo-rdf``, not registered in the infores catalogue), ``publications`` (the review seed and
the numbered references the finding cites: the seeds print no DOI or PMID, so our own CURIEs are used),
``supporting_text`` (the exact quote), ``supporting_text_section_type``, ``has_evidence`` (ECO) and
``xref`` (the finding). Effect edges use the effect IRI as id. Preparations also get descriptive
edges (producing cell type, taxon, source tissue).

External terms keep their CURIEs (MONDO, GO, CL, UBERON, HGNC, PR, CHEBI, NCBITaxon; miRBase mature
miRNAs as ``mirbase.mature:`` and Cellosaurus as ``cellosaurus:``, for Biolink has no prefix for either).
Names come from the import modules (official labels) and our data. The data is read with pyoxigraph.
Output is sorted and byte-identical for one version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ExoError
from .namespaces import BASE, EXOD, ONTOLOGY_IRI, PREFIXES, compress, expand

if TYPE_CHECKING:
    from .project import Project

__all__ = [
    "AGENT_TYPE",
    "AMELIORATES_PHENOTYPE",
    "CLASS_CATEGORY",
    "DIRECTIONS",
    "EDGES",
    "EDGE_CATEGORY",
    "EDGE_COLUMNS",
    "GO_BRANCH_CATEGORY",
    "HAS_PART",
    "INFORES",
    "KNOWLEDGE_LEVEL",
    "METADATA",
    "NODES",
    "NODE_COLUMNS",
    "PREFIX_CATEGORY",
    "PREPARATION_EDGES",
    "Rule",
    "kgx_graph",
    "kgx_outputs",
    "predicate_table",
    "rule_for",
]

NODES = "kgx/exo-rdf_nodes.tsv"
EDGES = "kgx/exo-rdf_edges.tsv"
METADATA = "kgx/exo-rdf_graph-metadata.json"
#: Our information resource id. Not registered in the infores catalogue (see mappings/README.md).
INFORES = "infores:exo-rdf"
AGENT_TYPE = "manual_agent"

NODE_COLUMNS = ("id", "category", "name", "provided_by")
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "category",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "publications",
    "supporting_text",
    "supporting_text_section_type",
    "has_evidence",
    "original_predicate",
    "object_aspect_qualifier",
    "object_direction_qualifier",
    "negated",
    "species_context_qualifier",
    "disease_context_qualifier",
    "anatomical_context_qualifier",
    "xref",
)
EDGE_CATEGORY = "biolink:Association"


@dataclass(frozen=True)
class Rule:
    """How one effect direction becomes a Biolink edge (and its closest RO relation)."""

    predicate: str
    direction: str | None = None  # object_direction_qualifier
    aspect: bool = False  # add object_aspect_qualifier activity_or_abundance for molecules
    negated: bool = False
    ro: str | None = None  # the closest RO relation, for the documentation and graph metadata


#: Effect direction -> (rule for a disease or phenotype object, rule for any other object).
DIRECTIONS: dict[str, tuple[Rule, Rule]] = {
    "Promotes": (Rule("biolink:affects", "increased", ro="RO:0002213"),) * 2,
    "Inhibits": (Rule("biolink:affects", "decreased", ro="RO:0002212"),) * 2,
    "Increases": (Rule("biolink:affects", "increased", aspect=True, ro="RO:0002304"),) * 2,
    "Decreases": (Rule("biolink:affects", "decreased", aspect=True, ro="RO:0002305"),) * 2,
    "Modulates": (Rule("biolink:affects", ro="RO:0002211"),) * 2,
    "NoEffect": (Rule("biolink:affects", negated=True),) * 2,
    "Ameliorates": (
        Rule("biolink:treats_or_applied_or_studied_to_treat", ro="RO:0003307"),
        Rule("biolink:affects", "decreased", ro="RO:0003307"),
    ),
    "ProtectsAgainst": (
        Rule("biolink:preventative_for_condition", ro="RO:0002599"),
        Rule("biolink:affects", "decreased", ro="RO:0002599"),
    ),
}
#: Ameliorating an outcome (a phenotype-like node) is Biolink's ameliorates_condition.
AMELIORATES_PHENOTYPE = Rule("biolink:ameliorates_condition", ro="RO:0003307")
HAS_PART = Rule("biolink:has_part", ro="BFO:0000051")
#: Descriptive edges of a preparation: our property -> (Biolink predicate, RO relation).
PREPARATION_EDGES = {
    "producedByCellType": ("biolink:produced_by", "RO:0003001"),
    "sourceTissue": ("biolink:derives_from", "RO:0001000"),
    "RO:0002162": ("biolink:in_taxon", "RO:0002162"),
}
#: Our knowledge levels -> Biolink KnowledgeLevelEnum: all are assertions read from the literature.
KNOWLEDGE_LEVEL = {
    "StudyReport": "knowledge_assertion",
    "ReviewClaim": "knowledge_assertion",
    "FigureLegend": "knowledge_assertion",
}

#: Biolink category of an external CURIE by prefix (GO is refined by its branch).
PREFIX_CATEGORY = {
    "MONDO": "biolink:Disease",
    "GO": "biolink:BiologicalProcess",
    "CL": "biolink:Cell",
    "UBERON": "biolink:AnatomicalEntity",
    "HGNC": "biolink:Gene",
    "PR": "biolink:Protein",
    "CHEBI": "biolink:ChemicalEntity",
    "mirbase.mature": "biolink:MicroRNA",
    "cellosaurus": "biolink:CellLine",
    "NCBITaxon": "biolink:OrganismTaxon",
}
GO_BRANCH_CATEGORY = {"GO:0005575": "biolink:CellularComponent", "GO:0003674": "biolink:MolecularActivity"}
#: Biolink category of one of our records by its exo class.
CLASS_CATEGORY = {
    "EVPreparation": "biolink:ComplexMolecularMixture",
    "SecretomePreparation": "biolink:ComplexMolecularMixture",
    "CellPreparation": "biolink:Cell",
    "Outcome": "biolink:PhenotypicFeature",
    "Pathway": "biolink:Pathway",
    "Agent": "biolink:NamedThing",
    "MiRNACargo": "biolink:MicroRNA",
    "LncRNACargo": "biolink:NoncodingRNAProduct",
    "MRNACargo": "biolink:RNAProduct",
    "OtherNucleicAcidCargo": "biolink:NucleicAcidEntity",
    "ProteinCargo": "biolink:Protein",
    "LipidCargo": "biolink:ChemicalEntity",
    "DrugCargo": "biolink:Drug",
    "OrganelleCargo": "biolink:CellularComponent",
}
_PHENOTYPE_LIKE = {"biolink:Disease", "biolink:PhenotypicFeature"}
_MOLECULES = {
    "biolink:Gene",
    "biolink:Protein",
    "biolink:MicroRNA",
    "biolink:ChemicalEntity",
    "biolink:Drug",
    "biolink:RNAProduct",
    "biolink:NoncodingRNAProduct",
    "biolink:NucleicAcidEntity",
}


def rule_for(direction: str, object_category: str) -> Rule:
    """The edge rule for an effect direction (exo local name) and the Biolink category of its object."""
    if direction not in DIRECTIONS:
        raise ExoError(f"effect direction exo:{direction} has no Biolink mapping; add it to kgx.DIRECTIONS")
    if direction == "Ameliorates" and object_category == "biolink:PhenotypicFeature":
        return AMELIORATES_PHENOTYPE
    disease_rule, other_rule = DIRECTIONS[direction]
    return disease_rule if object_category in _PHENOTYPE_LIKE else other_rule


def _select(store, query: str) -> list[tuple[str, ...]]:
    """Rows of a SELECT as CURIEs (IRIs) or plain strings (literals); unbound values as ''."""
    import pyoxigraph as ox

    prologue = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("exo", "oa", "prov", "rdfs", "rdf", "GO"))
    out = []
    for solution in store.query(prologue + query):
        row = []
        for term in solution:
            if term is None:
                row.append("")
            elif isinstance(term, ox.NamedNode):
                row.append(compress(term.value))
            else:
                row.append(term.value)
        out.append(tuple(row))
    return out


def _local(curie: str) -> str:
    return curie.split(":", 1)[1]


class _Graph:
    """The facts of the project store that the export needs, gathered with a few SPARQL queries."""

    def __init__(self, store):
        licenses = _select(store, "SELECT ?l WHERE { <%s> <%s> ?l }" % (ONTOLOGY_IRI, expand("dcterms:license")))
        self.license = sorted(l for (l,) in licenses)[0] if licenses else ""
        self.labels: dict[str, str] = {}
        for x, label in sorted(
            _select(
                store,
                """SELECT ?x ?l WHERE { ?x rdfs:label ?l
                FILTER(isIRI(?x) && (lang(?l) = "" || langMatches(lang(?l), "en"))) }""",
            )
        ):
            self.labels.setdefault(x, label)
        self.types: dict[str, set[str]] = {}
        for x, t in _select(store, 'SELECT ?x ?t WHERE { ?x a ?t FILTER(STRSTARTS(STR(?x), "%s")) }' % EXOD):
            self.types.setdefault(x, set()).add(t)
        self.go_branch: dict[str, str] = {}
        for root, category in GO_BRANCH_CATEGORY.items():
            for (x,) in _select(store, f"SELECT ?x WHERE {{ ?x rdfs:subClassOf* {root} }}"):
                self.go_branch[x] = category
        self.molecule = dict(_select(store, "SELECT ?c ?m WHERE { ?c exo:molecule ?m }"))
        self.finding: dict[str, dict[str, list[str]]] = {}
        for f, p, o in _select(store, "SELECT ?f ?p ?o WHERE { ?f a exo:Finding ; ?p ?o }"):
            self.finding.setdefault(f, {}).setdefault(p, []).append(o)
        self.effect: dict[str, dict[str, list[str]]] = {}
        for e, p, o in _select(store, "SELECT ?e ?p ?o WHERE { ?f a exo:Finding ; exo:hasEffect ?e . ?e ?p ?o }"):
            self.effect.setdefault(e, {}).setdefault(p, []).append(o)
        self.model: dict[str, dict[str, list[str]]] = {}
        for m, p, o in _select(store, "SELECT ?m ?p ?o WHERE { ?f a exo:Finding ; exo:hasModel ?m . ?m ?p ?o }"):
            self.model.setdefault(m, {}).setdefault(p, []).append(o)
        self.quote: dict[str, list[str]] = {}
        self.section: dict[str, list[str]] = {}
        for f, exact, section in _select(
            store,
            """SELECT ?f ?exact ?section WHERE {
                ?f a exo:Finding ; exo:hasQuote ?q . ?q oa:hasSelector ?s . ?s oa:exact ?exact .
                OPTIONAL { ?q exo:inSection ?sec . ?sec rdfs:label ?section } }""",
        ):
            self.quote.setdefault(f, []).append(exact)
            if section:
                self.section.setdefault(f, []).append(section)
        self.preparation: dict[str, dict[str, list[str]]] = {}
        for prep, p, o in _select(
            store,
            """SELECT ?x ?p ?o WHERE { ?f a exo:Finding ; exo:hasPreparation ?x .
                ?x ?p ?o }""",
        ):
            self.preparation.setdefault(prep, {}).setdefault(p, []).append(o)

    def category(self, curie: str) -> str:
        prefix = curie.split(":", 1)[0]
        if prefix == "exod":
            for cls in sorted(self.types.get(curie, ())):
                if cls.startswith("exo:") and _local(cls) in CLASS_CATEGORY:
                    return CLASS_CATEGORY[_local(cls)]
            return "biolink:NamedThing"
        if prefix == "GO":
            return self.go_branch.get(curie, PREFIX_CATEGORY["GO"])
        if prefix not in PREFIX_CATEGORY:
            raise ExoError(f"{curie}: no Biolink category for prefix {prefix}; add it to kgx.PREFIX_CATEGORY")
        return PREFIX_CATEGORY[prefix]

    def cargo_node(self, cargo: str) -> str:
        """The node that stands for a cargo: its external molecule where it has one, else our record."""
        return self.molecule.get(cargo, cargo)


def _one(values: list[str] | None) -> str:
    values = sorted(set(values or ()))
    return values[0] if len(values) == 1 else ""


def _multi(values) -> list[str]:
    return sorted(set(v for v in values if v))


def _edges(g: _Graph) -> list[dict]:
    edges: list[dict] = []
    for f in sorted(g.finding):
        attrs = g.finding[f]
        preps = _multi(attrs.get("exo:hasPreparation", []))
        if len(preps) != 1:
            raise ExoError(f"finding {f}: expected one exo:hasPreparation, found {len(preps)}")
        prep = preps[0]
        levels = {KNOWLEDGE_LEVEL.get(_local(k)) for k in attrs.get("exo:hasKnowledgeLevel", [])}
        levels.discard(None)
        organisms = {o for m in attrs.get("exo:hasModel", []) for o in g.model.get(m, {}).get("exo:organism", [])}
        diseases = _multi(attrs.get("exo:hasDisease", []))
        common = {
            "category": [EDGE_CATEGORY],
            "knowledge_level": _one(list(levels)) or "not_provided",
            "agent_type": AGENT_TYPE,
            "primary_knowledge_source": INFORES,
            "publications": _multi([*attrs.get("prov:wasDerivedFrom", []), *attrs.get("exo:citesReference", [])]),
            "supporting_text": _multi(g.quote.get(f, [])),
            "supporting_text_section_type": _one(g.section.get(f)),
            "has_evidence": _multi(attrs.get("exo:hasEvidenceType", [])),
            "species_context_qualifier": _one(list(organisms)),
            "xref": [f],
        }
        finding_anatomy = [*attrs.get("exo:hasTargetTissue", []), *attrs.get("exo:hasTargetCellType", [])]
        for e in sorted(set(attrs.get("exo:hasEffect", []))):
            effect = g.effect.get(e, {})
            obj, direction = _one(effect.get("exo:affects")), _one(effect.get("exo:direction"))
            if not obj or not direction:
                raise ExoError(f"effect {e} of finding {f}: needs exactly one exo:affects and one exo:direction")
            rule = rule_for(_local(direction), g.category(obj))
            anatomy = [*effect.get("exo:hasTargetTissue", []), *effect.get("exo:hasTargetCellType", [])]
            edge = {
                **common,
                "id": e,
                "subject": prep,
                "predicate": rule.predicate,
                "object": obj,
                "original_predicate": direction,
                "object_direction_qualifier": rule.direction or "",
                "object_aspect_qualifier": "activity_or_abundance"
                if rule.aspect and g.category(obj) in _MOLECULES
                else "",
                "negated": "True" if rule.negated else "",
                "disease_context_qualifier": diseases[0] if len(diseases) == 1 and diseases[0] != obj else "",
                "anatomical_context_qualifier": _multi(anatomy or finding_anatomy),
            }
            edges.append(edge)
        for cargo in sorted(set(attrs.get("exo:hasCargo", []))):
            node = g.cargo_node(cargo)
            edges.append(
                {
                    **common,
                    "id": f"{f}/has-part/{_local(cargo).replace('cargo/', '', 1)}",
                    "subject": prep,
                    "predicate": HAS_PART.predicate,
                    "object": node,
                    "original_predicate": "exo:hasCargo",
                }
            )
    for prep in sorted(g.preparation):
        for prop, (predicate, _ro) in PREPARATION_EDGES.items():
            key = prop if ":" in prop else f"exo:{prop}"
            for obj in sorted(set(g.preparation[prep].get(key, []))):
                edges.append(
                    {
                        "id": f"{prep}/{predicate.split(':')[1]}/{obj}",
                        "subject": prep,
                        "predicate": predicate,
                        "object": obj,
                        "category": [EDGE_CATEGORY],
                        "knowledge_level": "knowledge_assertion",
                        "agent_type": AGENT_TYPE,
                        "primary_knowledge_source": INFORES,
                        "original_predicate": key,
                    }
                )
    ids = [e["id"] for e in edges]
    if len(ids) != len(set(ids)):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ExoError(f"duplicate KGX edge ids: {', '.join(dupes[:5])}")
    return sorted(edges, key=lambda e: (e["subject"], e["predicate"], e["object"], e["id"]))


def _cell(value) -> str:
    """A TSV cell: lists pipe-joined; tabs, line breaks and pipes inside a value cannot split it."""

    def clean(v: str) -> str:
        return " ".join(str(v).split()).replace("|", "\N{BROKEN BAR}")

    if isinstance(value, (list, tuple)):
        return "|".join(clean(v) for v in value)
    return clean(value) if value is not None else ""


def _tsv(columns, rows) -> str:
    # cells are free of tabs and line breaks (see _cell), so plain joining is safe; quotes stay literal
    lines = ["\t".join(columns)]
    lines += ["\t".join(_cell(row.get(c, "")) for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


def kgx_graph(project: Project) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(nodes, edges, facts) of the export: nodes and edges as lists of dicts, sorted."""
    from .graph import project_store

    g = _Graph(project_store(project))
    edges = _edges(g)
    node_ids = sorted({e["subject"] for e in edges} | {e["object"] for e in edges})
    nodes = []
    for n in node_ids:
        nodes.append({"id": n, "category": [g.category(n)], "name": g.labels.get(n, ""), "provided_by": [INFORES]})
    return nodes, edges, g


def predicate_table() -> list[dict[str, str]]:
    """The documented mapping of our effect directions and properties to Biolink and RO."""
    rows = []
    for direction, (disease_rule, other_rule) in DIRECTIONS.items():
        for objects, rule in (("disease", disease_rule), ("other", other_rule)):
            rows.append(
                {
                    "exo": f"exo:{direction}",
                    "object": objects,
                    "biolink_predicate": rule.predicate,
                    "object_direction_qualifier": rule.direction or "",
                    "negated": str(rule.negated),
                    "ro": rule.ro or "",
                }
            )
    rows.append(
        {
            "exo": "exo:Ameliorates",
            "object": "outcome (biolink:PhenotypicFeature)",
            "biolink_predicate": AMELIORATES_PHENOTYPE.predicate,
            "object_direction_qualifier": "",
            "negated": "False",
            "ro": AMELIORATES_PHENOTYPE.ro or "",
        }
    )
    rows.append(
        {
            "exo": "exo:hasCargo",
            "object": "cargo",
            "biolink_predicate": HAS_PART.predicate,
            "object_direction_qualifier": "",
            "negated": "False",
            "ro": HAS_PART.ro or "",
        }
    )
    for prop, (predicate, ro) in PREPARATION_EDGES.items():
        rows.append(
            {
                "exo": prop if ":" in prop else f"exo:{prop}",
                "object": "preparation attribute",
                "biolink_predicate": predicate,
                "object_direction_qualifier": "",
                "negated": "False",
                "ro": ro,
            }
        )
    return rows


def kgx_outputs(project: Project, version: str) -> dict[str, str]:
    """The KGX release files (nodes, edges, graph metadata), keyed by their path under dist/."""
    nodes, edges, g = kgx_graph(project)
    used = sorted(
        {c.split(":", 1)[0] for n in nodes for c in (n["id"],)}
        | {c.split(":", 1)[0] for e in edges for k in ("predicate", "original_predicate") for c in [e.get(k, "")] if c}
        | {"biolink", "infores"}
    )
    metadata = {
        "id": BASE + "kgx/",
        "name": "exo-rdf",
        "description": (
            "Findings about MSC-derived exosomes and other preparations, curated from two review "
            "articles, as a Biolink-aligned KGX graph."
        ),
        "version": version,
        "license": g.license,
        "primary_knowledge_source": INFORES,
        "infores_registered": False,
        "node_count": len(nodes),
        "edge_count": len(edges),
        "curie_map": {p: PREFIXES[p] for p in used if p in PREFIXES},
        "predicate_mapping": predicate_table(),
    }
    return {
        NODES: _tsv(NODE_COLUMNS, nodes),
        EDGES: _tsv(EDGE_COLUMNS, edges),
        METADATA: json.dumps(metadata, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
    }
