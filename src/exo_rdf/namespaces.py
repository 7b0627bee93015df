"""The project's namespaces and its one canonical prefix map.

Terms of the ontology live under ``https://w3id.org/exo-rdf/ontology/`` (prefix ``exo``), curated
instance data under ``https://w3id.org/exo-rdf/data/`` (prefix ``exod``) and SHACL shapes under
``https://w3id.org/exo-rdf/shapes/`` (prefix ``exosh``). Schema and data do not share a namespace so
that a term can never be confused with a record. External terms keep their own IRIs: OBO terms as
``http://purl.obolibrary.org/obo/PREFIX_NNNNNNN``; HGNC, miRBase, Cellosaurus and ClinicalTrials.gov
by their Bioregistry-preferred URI prefixes.

``EXO`` is a closed :class:`rdflib.namespace.DefinedNamespace`: referring to a term that the ontology
does not define raises an error instead of minting a new IRI (a test keeps it equal to ontology/exo.ttl).
"""
from __future__ import annotations

from types import MappingProxyType

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

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
OBO_PREFIXES = ("BFO", "CHEBI", "CL", "COB", "DOID", "ECO", "GO", "IAO", "MONDO", "NCBITaxon", "OBI",
                "PR", "RO", "UBERON")

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
}

#: The canonical prefix map (read-only). Every .ttl and .rq file declares prefixes that agree with it.
PREFIXES = MappingProxyType(_PREFIXES)


def converter():
    """Return a :class:`curies.Converter` for the canonical prefix map."""
    import curies

    return curies.Converter.from_prefix_map(dict(PREFIXES))


def bind_prefixes(graph) -> None:
    """Bind the canonical prefixes to an rdflib graph, replacing rdflib's defaults."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, Namespace(ns), override=True, replace=True)


def expand(curie: str) -> URIRef:
    """Expand a CURIE with the canonical map, or raise ``ValueError`` naming the unknown prefix."""
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES:
        raise ValueError(f"unknown prefix in {curie!r}; known prefixes: {', '.join(sorted(PREFIXES))}")
    return URIRef(PREFIXES[prefix] + local)


def compress(iri: str) -> str:
    """Compress an IRI to a CURIE using the longest matching namespace, or return it unchanged."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri
