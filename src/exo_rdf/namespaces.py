"""The project's namespaces and its one canonical prefix map.

Terms of the ontology live under ``https://w3id.org/exo-rdf/ontology/`` (prefix ``exo``), curated
instance data under ``https://w3id.org/exo-rdf/data/`` (prefix ``exod``) and SHACL shapes under
``https://w3id.org/exo-rdf/shapes/`` (prefix ``exosh``). Schema and data do not share a namespace so
that a term can never be confused with a record. External terms keep their own IRIs: OBO terms as
``http://purl.obolibrary.org/obo/PREFIX_NNNNNNN``; HGNC, miRBase, Cellosaurus and ClinicalTrials.gov
by their Bioregistry-preferred URI prefixes.

Every CURIE is expanded and compressed by one :func:`converter` (the ``curies`` library) built from
:data:`PREFIXES`; its rules for ids written without a prefix (``CVCL_0481``, ``MIMAT0000770``,
``MI0000001``) are :data:`BARE_IDS`, used by :func:`expand`, :func:`id_key` and :func:`id_space`.

``EXO`` is a closed :class:`rdflib.namespace.DefinedNamespace`: referring to a term that the ontology
does not define raises an error instead of minting a new IRI (a test keeps it equal to ontology/exo.ttl).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

if TYPE_CHECKING:
    import curies

__all__ = [
    "BARE_IDS",
    "BASE",
    "EXO",
    "EXOD",
    "EXOSH",
    "IAO_DEFINITION",
    "OA",
    "OBO",
    "OBO_PREFIXES",
    "ONTOLOGY_IRI",
    "PREFIXES",
    "PROV",
    "RO_IN_TAXON",
    "VANN",
    "BareId",
    "bare_id",
    "bind_prefixes",
    "compress",
    "converter",
    "expand",
    "id_key",
    "id_space",
    "key_of_iri",
]

BASE = "https://w3id.org/exo-rdf/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")


class EXO(DefinedNamespace):
    """The exo-rdf ontology vocabulary (closed)."""

    _NS = Namespace(BASE + "ontology/")
    _fail = True

    AdministrationRoute: URIRef
    Agent: URIRef
    Ameliorates: URIRef
    BiogenesisComponentRole: URIRef
    BodyFluidStatement: URIRef
    Cargo: URIRef
    CargoLoading: URIRef
    CellPreparation: URIRef
    CharacterisationMarkerRole: URIRef
    CitedReference: URIRef
    ClinicalStudy: URIRef
    ComponentRole: URIRef
    CompositionStatement: URIRef
    Correction: URIRef
    CultureCondition: URIRef
    Decreases: URIRef
    DensityGradientCentrifugation: URIRef
    DifferentialCentrifugation: URIRef
    DrugCargo: URIRef
    ESCRT0Role: URIRef
    ESCRTIIIRole: URIRef
    ESCRTIandIIRole: URIRef
    ESCRTIndependentRole: URIRef
    EVPreparation: URIRef
    Effect: URIRef
    Engineering: URIRef
    EffectDirection: URIRef
    EnrichmentStatement: URIRef
    Fact: URIRef
    FigureLegend: URIRef
    Finding: URIRef
    Formulation: URIRef
    GeneralFact: URIRef
    GeneticModification: URIRef
    HeatShockProteinRole: URIRef
    ImmunoaffinityCapture: URIRef
    ImmunomodulatoryProteinRole: URIRef
    InVitroModel: URIRef
    InVivoModel: URIRef
    Increases: URIRef
    InhalationRoute: URIRef
    Inhibits: URIRef
    InjectionRouteUnspecified: URIRef
    IntrahepaticRoute: URIRef
    IntranasalRoute: URIRef
    IntrarenalRoute: URIRef
    IntratrachealRoute: URIRef
    IntratumoralRoute: URIRef
    IntravenousRoute: URIRef
    IsolationMethod: URIRef
    IsolationMethodStatement: URIRef
    KnowledgeLevel: URIRef
    LipidCargo: URIRef
    LipidComponentRole: URIRef
    LncRNACargo: URIRef
    MRNACargo: URIRef
    MSCSpecificMarkerRole: URIRef
    MembraneTransportFusionRole: URIRef
    MiRNACargo: URIRef
    MicrofluidicIsolation: URIRef
    Model: URIRef
    Modulates: URIRef
    NoEffect: URIRef
    NucleicAcidComponentRole: URIRef
    OrganelleCargo: URIRef
    OtherNucleicAcidCargo: URIRef
    Outcome: URIRef
    Pathway: URIRef
    Precipitation: URIRef
    Preparation: URIRef
    PreparationCondition: URIRef
    Promotes: URIRef
    ProtectsAgainst: URIRef
    ProteinCargo: URIRef
    Quote: URIRef
    ReviewClaim: URIRef
    SecretomePreparation: URIRef
    Section: URIRef
    SizeExclusionChromatography: URIRef
    SizeRangeStatement: URIRef
    SourceDocument: URIRef
    Statement: URIRef
    WithdrawnStatement: URIRef
    StudyReport: URIRef
    SystemicRoute: URIRef
    TetraspaninRole: URIRef
    TissueSourceStatement: URIRef
    TumourPromoting: URIRef
    TumourRole: URIRef
    TumourSuppressing: URIRef
    Ultracentrifugation: URIRef
    Ultrafiltration: URIRef
    UnspecifiedModel: URIRef
    aboutCellType: URIRef
    advantage: URIRef
    affects: URIRef
    agent: URIRef
    asWritten: URIRef
    cellLine: URIRef
    cellType: URIRef
    citesReference: URIRef
    comparedWith: URIRef
    componentRole: URIRef
    correctedReading: URIRef
    curationNote: URIRef
    journalTitle: URIRef
    notRecorded: URIRef
    withdrawalReason: URIRef
    direction: URIRef
    disadvantage: URIRef
    donorDisease: URIRef
    dose: URIRef
    followUp: URIRef
    foundIn: URIRef
    hasCargo: URIRef
    hasComponent: URIRef
    hasCondition: URIRef
    hasCorrection: URIRef
    hasDisease: URIRef
    hasEffect: URIRef
    hasEvidenceType: URIRef
    hasKnowledgeLevel: URIRef
    hasModel: URIRef
    hasMolecularTarget: URIRef
    hasPreparation: URIRef
    hasQuote: URIRef
    hasRoute: URIRef
    hasTargetCellType: URIRef
    hasTargetTissue: URIRef
    hasTumourRole: URIRef
    inSection: URIRef
    inducer: URIRef
    involvesPathway: URIRef
    isolationMethod: URIRef
    maximumDiameter: URIRef
    maximumDiameterNm: URIRef
    maximumStatedUnit: URIRef
    mentions: URIRef
    minimumDiameter: URIRef
    minimumDiameterNm: URIRef
    modelledDisease: URIRef
    molecule: URIRef
    namedAuthor: URIRef
    organism: URIRef
    outcome: URIRef
    participantCount: URIRef
    principle: URIRef
    producedByCellType: URIRef
    productName: URIRef
    referenceNumber: URIRef
    referenceOf: URIRef
    registryId: URIRef
    schedule: URIRef
    sectionOf: URIRef
    seedFile: URIRef
    sha256: URIRef
    sourceTissue: URIRef
    sponsor: URIRef
    statedAs: URIRef
    statedUnit: URIRef
    vesicleType: URIRef
    Claim: URIRef
    EmphasisQualifier: URIRef
    EmphasisKind: URIRef
    SuperlativeEmphasis: URIRef
    PredominantEmphasis: URIRef
    TopRankedEmphasis: URIRef
    hasEmphasis: URIRef
    emphasisKind: URIRef
    rankCount: URIRef
    SourceIssue: URIRef
    SourceIssueKind: URIRef
    GarbledNameIssue: URIRef
    InconsistentCharacterIssue: URIRef
    UnitIssue: URIRef
    ImpossibleTermUseIssue: URIRef
    RegroupedListIssue: URIRef
    ReferenceNumberIssue: URIRef
    MisplacedSectionIssue: URIRef
    InternalContradictionIssue: URIRef
    CrossPaperContradictionIssue: URIRef
    DuplicatedWordIssue: URIRef
    TypoIssue: URIRef
    hasSourceIssue: URIRef
    issueKind: URIRef
    conflictsWith: URIRef
    affectsProcess: URIRef
    hasFunction: URIRef
    sampleSource: URIRef
    preparationKind: URIRef
    claimCargo: URIRef
    claimAffects: URIRef
    supportedBy: URIRef
    contradictedBy: URIRef
    supportingFindingCount: URIRef
    distinctReferenceCount: URIRef
    modelTypeCount: URIRef
    contradictingFindingCount: URIRef


EXOD = Namespace(BASE + "data/")
EXOSH = Namespace(BASE + "shapes/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
VANN = Namespace("http://purl.org/vocab/vann/")
IAO_DEFINITION = OBO["IAO_0000115"]
RO_IN_TAXON = OBO["RO_0002162"]

#: OBO Foundry prefixes whose IRIs follow ``http://purl.obolibrary.org/obo/PREFIX_``.
OBO_PREFIXES = (
    "BFO",
    "CHEBI",
    "CL",
    "COB",
    "DOID",
    "ECO",
    "GO",
    "IAO",
    "MONDO",
    "NCBITaxon",
    "OBI",
    "PR",
    "RO",
    "UBERON",
)

_PREFIXES: dict[str, str] = {
    "exo": str(EXO._NS),
    "exod": str(EXOD),
    "exosh": str(EXOSH),
    **{p: f"http://purl.obolibrary.org/obo/{p}_" for p in OBO_PREFIXES},
    # Bioregistry-preferred URI prefixes (bioregistry 0.15: get_uri_prefix).
    "HGNC": "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/",
    "hgnc.genegroup": "https://www.genenames.org/data/genegroup/#!/group/",
    "mirbase.mature": "http://mirbase.org/cgi-bin/mature.pl?mature_acc=",
    # The local part keeps its CVCL_ so that a Cellosaurus accession reads as written everywhere.
    "cellosaurus": "https://www.cellosaurus.org/",
    "clinicaltrials": "https://www.clinicaltrials.gov/study/",
    "oa": str(OA),
    "prov": str(PROV),
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "vann": str(VANN),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sh": "http://www.w3.org/ns/shacl#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "biolink": "https://w3id.org/biolink/vocab/",
    "sssom": "https://w3id.org/sssom/",
    "semapv": "https://w3id.org/semapv/vocab/",
    "infores": "https://w3id.org/biolink/infores/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "spdx": "http://spdx.org/rdf/terms#",
    "schema": "https://schema.org/",
    # bibliographic records of the source registry (sources/*.yaml) and curator identities
    "bibo": "http://purl.org/ontology/bibo/",
    "doi": "https://doi.org/",
    "pubmed": "https://pubmed.ncbi.nlm.nih.gov/",
    "orcid": "https://orcid.org/",
    "np": "http://www.nanopub.org/nschema#",
}

#: The canonical prefix map (read-only). Every .ttl and .rq file declares prefixes that agree with it.
PREFIXES = MappingProxyType(_PREFIXES)


def bind_prefixes(graph: Graph) -> None:
    """Bind the canonical prefixes to an rdflib graph, replacing rdflib's defaults."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, Namespace(ns), override=True, replace=True)


@dataclass(frozen=True)
class BareId:
    """An id written without a prefix: by the shared tables (their key) and by the curators."""

    space: str  # the id space as the shared tables name it
    pattern: str  # the whole id, as a regular expression
    prefix: str | None  # the canonical prefix whose IRIs end in the bare id (None: no IRI of ours)
    keyed_bare: bool = True  # the shared tables key it bare (else ``prefix:ID`` is the key)


#: Bare ids, the rules of the converter: ``CVCL_0481`` is ``cellosaurus:CVCL_0481``, ``MIMAT0000770`` is
#: ``mirbase.mature:MIMAT0000770``; miRBase precursors (``MI0000001``) are known to the tables only;
#: curators may write a trial id ``NCT01234567`` bare.
BARE_IDS: tuple[BareId, ...] = (
    BareId("CVCL", r"CVCL_[0-9A-Z]{4}", "cellosaurus"),
    BareId("MIMAT", r"MIMAT\d{7}", "mirbase.mature"),
    BareId("MI", r"MI\d{7}", None),
    BareId("NCT", r"NCT\d{8}", "clinicaltrials", keyed_bare=False),
)
_BARE_RE = [(re.compile(rule.pattern), rule) for rule in BARE_IDS]
_BARE_PREFIXES = {rule.prefix: rule for rule in BARE_IDS if rule.prefix and rule.keyed_bare}


@lru_cache(maxsize=1)
def converter() -> curies.Converter:
    """The one :class:`curies.Converter`, built from the canonical prefix map."""
    import curies

    return curies.Converter.from_prefix_map(dict(PREFIXES))


def bare_id(text: str) -> BareId | None:
    """The rule a bare id (``CVCL_0481``, ``MIMAT0000770``, ``MI0000001``, ``NCT01234567``) follows, or None."""
    for regex, rule in _BARE_RE:
        if regex.fullmatch(text):
            return rule
    return None


def id_key(curie: str) -> str:
    """An id as the shared tables key it: ``cellosaurus:CVCL_0481`` -> ``CVCL_0481``; others unchanged."""
    prefix, sep, local = curie.partition(":")
    if sep and prefix in _BARE_PREFIXES:
        return local
    return curie


def id_space(curie: str) -> str:
    """The id space of an id as the shared tables name it (``CL``, ``HGNC``, ``CVCL``, ``MIMAT``, ``MI``)."""
    key = id_key(curie)
    rule = bare_id(key)
    if rule is not None and rule.keyed_bare:
        return rule.space
    return key.split(":", 1)[0]


def expand(curie: str) -> URIRef:
    """Expand a CURIE (or a bare id with an IRI of ours) with the canonical map.

    Raises ``ValueError`` naming the unknown prefix.
    """
    rule = bare_id(curie)
    if rule is not None and rule.prefix is not None:
        curie = f"{rule.prefix}:{curie}"
    iri = converter().expand(curie) if ":" in curie else None
    if iri is None:
        raise ValueError(f"unknown prefix in {curie!r}; known prefixes: {', '.join(sorted(PREFIXES))}")
    return URIRef(iri)


def compress(iri: str) -> str:
    """Compress an IRI to a CURIE using the longest matching namespace, or return it unchanged.

    The same answer as ``converter().compress(iri, passthrough=True)``, found by looking the IRI's
    first n characters up for each length n of a known namespace, longest first (the converter walks
    its trie one character at a time in Python, which dominates a build of a million triples).
    """
    namespaces, lengths = _namespace_lengths()
    for n in lengths:
        prefix = namespaces.get(iri[:n])
        if prefix is not None and len(iri) >= n:
            return f"{prefix}:{iri[n:]}"
    return iri


@lru_cache(maxsize=1)
def _namespace_lengths() -> tuple[dict[str, str], list[int]]:
    namespaces = dict(converter().reverse_prefix_map)
    return namespaces, sorted({len(ns) for ns in namespaces}, reverse=True)


def key_of_iri(iri: str) -> str | None:
    """The id of one of our IRIs as the shared tables key it (``CL:0000134``, ``CVCL_0481``), or None."""
    curie = converter().compress(iri)
    return id_key(curie) if curie is not None else None
