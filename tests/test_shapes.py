"""SHACL shapes: the shapes graph is valid SHACL, a valid fixture conforms, and each invalid variant
fires exactly the constraint it is meant to (asserted by path and constraint component)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from conftest import RESOURCES

EXO = Namespace("https://w3id.org/exo-rdf/ontology/")
EXOD = Namespace("https://w3id.org/exo-rdf/data/")
OA = Namespace("http://www.w3.org/ns/oa#")
OBO = Namespace("http://purl.obolibrary.org/obo/")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
F1 = EXOD["finding/f1"]


def _validate(project, graph, shapes_graph, ontology_graph, tmp_path):
    from exo_rdf.validate import validate

    path = tmp_path / "data.ttl"
    graph.serialize(path, format="turtle")
    return validate(project, [path], shapes_graph=shapes_graph, ontology_graph=ontology_graph)


@pytest.fixture
def valid_graph():
    return Graph().parse(RESOURCES / "shapes" / "valid.ttl")


def test_shapes_graph_is_valid_shacl(project):
    from exo_rdf.validate import meta_validate

    conforms, text = meta_validate(project)
    assert conforms, text


def test_every_instance_class_has_a_shape(shapes_graph, ontology_graph):
    """Every class of ours that instance data can use is the target of some node shape."""
    SH = Namespace("http://www.w3.org/ns/shacl#")
    targets = set(shapes_graph.objects(None, SH.targetClass))
    needed = {
        EXO.Statement,
        EXO.Finding,
        EXO.Effect,
        EXO.Preparation,
        EXO.EVPreparation,
        EXO.Cargo,
        EXO.Model,
        EXO.InVivoModel,
        EXO.ClinicalStudy,
        EXO.Quote,
        EXO.SourceDocument,
        EXO.Section,
        EXO.CitedReference,
        EXO.Correction,
        EXO.SizeRangeStatement,
        EXO.CompositionStatement,
        EXO.EnrichmentStatement,
        EXO.IsolationMethodStatement,
        EXO.BodyFluidStatement,
        EXO.TissueSourceStatement,
        EXO.PreparationCondition,
        EXO.Outcome,
        EXO.Pathway,
        EXO.Agent,
    }
    assert needed <= targets, needed - targets


def test_valid_fixture_conforms(project, valid_graph, shapes_graph, ontology_graph, tmp_path):
    report = _validate(project, valid_graph, shapes_graph, ontology_graph, tmp_path)
    assert report.conforms, [r.message for r in report.results()]
    assert report.violations == 0


def _drop(*triples):
    def mutate(g):
        for t in triples:
            g.remove(t)

    return mutate


def _add(*triples):
    def mutate(g):
        for t in triples:
            g.add(t)

    return mutate


def _both(*mutations):
    def mutate(g):
        for m in mutations:
            m(g)

    return mutate


# (id, mutation, expected focus, expected path (CURIE text) or None, expected constraint component)
CASES = [
    (
        "finding-without-effect",
        _drop((F1, EXO.hasEffect, None)),
        "exod:finding/f1",
        "exo:hasEffect",
        "sh:MinCountConstraintComponent",
    ),
    (
        "finding-without-preparation",
        _drop((F1, EXO.hasPreparation, None)),
        "exod:finding/f1",
        "exo:hasPreparation",
        "sh:MinCountConstraintComponent",
    ),
    (
        "finding-without-model",
        _drop((F1, EXO.hasModel, None)),
        "exod:finding/f1",
        "exo:hasModel",
        "sh:MinCountConstraintComponent",
    ),
    (
        "statement-without-quote",
        _drop((F1, EXO.hasQuote, None)),
        "exod:finding/f1",
        "exo:hasQuote",
        "sh:MinCountConstraintComponent",
    ),
    (
        "statement-without-source",
        _drop((F1, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None)),
        "exod:finding/f1",
        "prov:wasDerivedFrom",
        "sh:MinCountConstraintComponent",
    ),
    (
        "bad-knowledge-level",
        _both(_drop((F1, EXO.hasKnowledgeLevel, None)), _add((F1, EXO.hasKnowledgeLevel, EXO.Promotes))),
        "exod:finding/f1",
        "exo:hasKnowledgeLevel",
        "sh:InConstraintComponent",
    ),
    (
        "effect-without-direction",
        _drop((EXOD["finding/f1/effect/e1"], EXO.direction, None)),
        "exod:finding/f1/effect/e1",
        "exo:direction",
        "sh:MinCountConstraintComponent",
    ),
    (
        "effect-bad-direction",
        _both(
            _drop((EXOD["finding/f1/effect/e1"], EXO.direction, None)),
            _add((EXOD["finding/f1/effect/e1"], EXO.direction, EXO.StudyReport)),
        ),
        "exod:finding/f1/effect/e1",
        "exo:direction",
        "sh:InConstraintComponent",
    ),
    (
        "malformed-disease-id",
        _add((F1, EXO.hasDisease, URIRef("http://purl.obolibrary.org/obo/MONDO_12"))),
        "exod:finding/f1",
        "exo:hasDisease",
        "sh:PatternConstraintComponent",
    ),
    (
        "https-obo-disease-iri",
        _add((F1, EXO.hasDisease, URIRef("https://purl.obolibrary.org/obo/MONDO_0004992"))),
        "exod:finding/f1",
        "exo:hasDisease",
        "sh:PatternConstraintComponent",
    ),
    (
        "cancer-without-tumour-role",
        _drop((F1, EXO.hasTumourRole, None)),
        "exod:finding/f1",
        None,
        "sh:OrConstraintComponent",
    ),
    (
        "subclass-of-cancer-without-tumour-role",
        _both(
            _drop((F1, EXO.hasTumourRole, None)),
            _drop((F1, EXO.hasDisease, None)),
            _add((F1, EXO.hasDisease, OBO.MONDO_0005061), (OBO.MONDO_0005061, RDFS.subClassOf, OBO.MONDO_0004992)),
        ),
        "exod:finding/f1",
        None,
        "sh:OrConstraintComponent",
    ),
    (
        "in-vivo-without-organism",
        _drop((EXOD["finding/f1/model/in-vivo"], EXO.organism, None)),
        "exod:finding/f1/model/in-vivo",
        "exo:organism",
        "sh:MinCountConstraintComponent",
    ),
    (
        "clinical-without-participants",
        _drop((EXOD["study/t1"], EXO.participantCount, None)),
        "exod:study/t1",
        "exo:participantCount",
        "sh:MinCountConstraintComponent",
    ),
    (
        "clinical-zero-participants",
        _both(
            _drop((EXOD["study/t1"], EXO.participantCount, None)),
            _add((EXOD["study/t1"], EXO.participantCount, Literal(0))),
        ),
        "exod:study/t1",
        "exo:participantCount",
        "sh:MinInclusiveConstraintComponent",
    ),
    (
        "clinical-participants-not-integer",
        _both(
            _drop((EXOD["study/t1"], EXO.participantCount, None)),
            _add((EXOD["study/t1"], EXO.participantCount, Literal("nine"))),
        ),
        "exod:study/t1",
        "exo:participantCount",
        "sh:DatatypeConstraintComponent",
    ),
    (
        "bad-nct-id",
        _both(
            _drop((EXOD["study/t1"], EXO.registryId, None)),
            _add((EXOD["study/t1"], EXO.registryId, Literal("NCT0438898"))),
        ),
        "exod:study/t1",
        "exo:registryId",
        "sh:PatternConstraintComponent",
    ),
    (
        "correction-without-note",
        _drop((EXOD["fact/size1/correction/c"], EXO.curationNote, None)),
        "exod:fact/size1/correction/c",
        "exo:curationNote",
        "sh:MinCountConstraintComponent",
    ),
    # bounds are compared in nanometres: the source may write them in different units ("100 nm−1 μm")
    (
        "size-min-above-max",
        _both(
            _drop((EXOD["fact/size1"], EXO.minimumDiameterNm, None)),
            _add((EXOD["fact/size1"], EXO.minimumDiameterNm, Literal("5000", datatype=XSD.decimal))),
        ),
        "exod:fact/size1",
        "exo:minimumDiameterNm",
        "sh:LessThanOrEqualsConstraintComponent",
    ),
    (
        "size-not-decimal",
        _both(
            _drop((EXOD["fact/size1"], EXO.maximumDiameter, None)),
            _add((EXOD["fact/size1"], EXO.maximumDiameter, Literal("one"))),
        ),
        "exod:fact/size1",
        "exo:maximumDiameter",
        "sh:DatatypeConstraintComponent",
    ),
    (
        "size-unknown-unit",
        _both(
            _drop((EXOD["fact/size1"], EXO.statedUnit, None)),
            _add((EXOD["fact/size1"], EXO.statedUnit, Literal("inch"))),
        ),
        "exod:fact/size1",
        "exo:statedUnit",
        "sh:InConstraintComponent",
    ),
    (
        "quote-offsets-wrong",
        _both(
            _drop((EXOD["finding/f1/quote/position"], OA.end, None)),
            _add((EXOD["finding/f1/quote/position"], OA.end, Literal("16", datatype=XSD.nonNegativeInteger))),
        ),
        "exod:finding/f1/quote",
        None,
        "sh:SPARQLConstraintComponent",
    ),
    (
        "ev-preparation-without-vesicle-type",
        _drop((EXOD["preparation/p1"], EXO.vesicleType, None)),
        "exod:preparation/p1",
        "exo:vesicleType",
        "sh:MinCountConstraintComponent",
    ),
    (
        "statement-two-labels",
        _add((F1, RDFS.label, Literal("Another label.", lang="en"))),
        "exod:finding/f1",
        "rdfs:label",
        "sh:MaxCountConstraintComponent",
    ),
    (
        "evidence-not-eco",
        _both(_drop((F1, EXO.hasEvidenceType, None)), _add((F1, EXO.hasEvidenceType, OBO.GO_0001525))),
        "exod:finding/f1",
        "exo:hasEvidenceType",
        "sh:PatternConstraintComponent",
    ),
    (
        "target-cell-not-cl",
        _add((F1, EXO.hasTargetCellType, OBO.UBERON_0002371)),
        "exod:finding/f1",
        "exo:hasTargetCellType",
        "sh:PatternConstraintComponent",
    ),
    (
        "effect-affects-foreign-iri",
        _add((EXOD["finding/f1/effect/e1"], EXO.affects, URIRef("http://example.org/thing"))),
        "exod:finding/f1/effect/e1",
        "exo:affects",
        "sh:PatternConstraintComponent",
    ),
    (
        "composition-without-component",
        _drop((EXOD["fact/comp1"], EXO.hasComponent, None)),
        "exod:fact/comp1",
        "exo:hasComponent",
        "sh:MinCountConstraintComponent",
    ),
    (
        "composition-role-not-a-role",
        _both(
            _drop((EXOD["fact/comp1"], EXO.componentRole, None)),
            _add((EXOD["fact/comp1"], EXO.componentRole, EXO.Promotes)),
        ),
        "exod:fact/comp1",
        "exo:componentRole",
        "sh:ClassConstraintComponent",
    ),
    (
        "enrichment-bad-direction",
        _both(_drop((EXOD["fact/enr1"], EXO.direction, None)), _add((EXOD["fact/enr1"], EXO.direction, EXO.Promotes))),
        "exod:fact/enr1",
        "exo:direction",
        "sh:InConstraintComponent",
    ),
    (
        "isolation-unknown-method",
        _both(
            _drop((EXOD["fact/iso1"], EXO.isolationMethod, None)),
            _add((EXOD["fact/iso1"], EXO.isolationMethod, EXO.Finding)),
        ),
        "exod:fact/iso1",
        "exo:isolationMethod",
        "sh:InConstraintComponent",
    ),
    (
        "body-fluid-not-uberon",
        _both(
            _drop((EXOD["fact/fluid1"], EXO.foundIn, None)), _add((EXOD["fact/fluid1"], EXO.foundIn, OBO.CL_0000134))
        ),
        "exod:fact/fluid1",
        "exo:foundIn",
        "sh:PatternConstraintComponent",
    ),
    (
        "tissue-source-without-cell",
        _drop((EXOD["fact/tissue1"], EXO.aboutCellType, None)),
        "exod:fact/tissue1",
        "exo:aboutCellType",
        "sh:MinCountConstraintComponent",
    ),
    (
        "mirna-cargo-with-gene-id",
        _both(
            _drop((EXOD["cargo/mirna/MIMAT0000770"], EXO.molecule, None)),
            _add(
                (
                    EXOD["cargo/mirna/MIMAT0000770"],
                    EXO.molecule,
                    URIRef("https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/4893"),
                )
            ),
        ),
        "exod:cargo/mirna/MIMAT0000770",
        "exo:molecule",
        "sh:PatternConstraintComponent",
    ),
    (
        "lipid-cargo-not-chebi",
        _both(
            _drop((EXOD["cargo/lipid/CHEBI_18059"], EXO.molecule, None)),
            _add((EXOD["cargo/lipid/CHEBI_18059"], EXO.molecule, OBO.GO_0001525)),
        ),
        "exod:cargo/lipid/CHEBI_18059",
        "exo:molecule",
        "sh:PatternConstraintComponent",
    ),
    (
        "cargo-without-label",
        _drop((EXOD["cargo/protein/HGNC_4893"], RDFS.label, None)),
        "exod:cargo/protein/HGNC_4893",
        "rdfs:label",
        "sh:MinCountConstraintComponent",
    ),
    (
        "condition-without-label",
        _drop((EXOD["condition/culture-hypoxia"], RDFS.label, None)),
        "exod:condition/culture-hypoxia",
        "rdfs:label",
        "sh:MinCountConstraintComponent",
    ),
    (
        "local-pathway-two-labels",
        _add((EXOD["pathway/test-axis"], RDFS.label, Literal("other", lang="en"))),
        "exod:pathway/test-axis",
        "rdfs:label",
        "sh:MaxCountConstraintComponent",
    ),
    (
        "in-vitro-bad-cell-line",
        _add((EXOD["finding/f1/model/in-vitro"], EXO.cellLine, OBO.CL_0000134)),
        "exod:finding/f1/model/in-vitro",
        "exo:cellLine",
        "sh:PatternConstraintComponent",
    ),
    (
        "source-bad-checksum",
        _both(_drop((EXOD["source/s"], EXO.sha256, None)), _add((EXOD["source/s"], EXO.sha256, Literal("abc")))),
        "exod:source/s",
        "exo:sha256",
        "sh:PatternConstraintComponent",
    ),
    (
        "section-without-source",
        _drop((EXOD["source/s/section/intro"], EXO.sectionOf, None)),
        "exod:source/s/section/intro",
        "exo:sectionOf",
        "sh:MinCountConstraintComponent",
    ),
    (
        "reference-number-zero",
        _both(
            _drop((EXOD["source/s/reference/1"], EXO.referenceNumber, None)),
            _add((EXOD["source/s/reference/1"], EXO.referenceNumber, Literal(0))),
        ),
        "exod:source/s/reference/1",
        "exo:referenceNumber",
        "sh:MinInclusiveConstraintComponent",
    ),
    (
        "preparation-bad-taxon",
        _add((EXOD["preparation/p1"], OBO.RO_0002162, OBO.UBERON_0002371)),
        "exod:preparation/p1",
        "RO:0002162",
        "sh:PatternConstraintComponent",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_invalid_variant_fires_its_constraint(case, project, valid_graph, shapes_graph, ontology_graph, tmp_path):
    _, mutate, focus, path, component = case
    mutate(valid_graph)
    report = _validate(project, valid_graph, shapes_graph, ontology_graph, tmp_path)
    assert not report.conforms
    hits = [r for r in report.results() if r.severity == "Violation"]
    assert any(r.focus == focus and r.constraint == component and (path is None or r.path == path) for r in hits), [
        (r.focus, r.path, r.constraint) for r in hits
    ]
    for r in hits:
        assert r.message, "every violation carries a human message"


def test_warning_does_not_fail(project, valid_graph, shapes_graph, ontology_graph, tmp_path):
    valid_graph.remove((EXOD["finding/f1/effect/e1"], EXO.affects, None))
    report = _validate(project, valid_graph, shapes_graph, ontology_graph, tmp_path)
    assert report.conforms and report.warnings >= 1
    assert any(r.severity == "Warning" and r.path == "exo:affects" for r in report.results())


def test_report_groups_by_statement_with_seed_and_section(project, valid_graph, shapes_graph, ontology_graph, tmp_path):
    from exo_rdf.shacl.report import format_report

    valid_graph.remove((EXOD["finding/f1/effect/e1"], EXO.direction, None))
    report = _validate(project, valid_graph, shapes_graph, ontology_graph, tmp_path)
    group = next(g for g in report.groups if g.node == "exod:finding/f1")
    assert group.label == "Test finding." and group.seed == "s.txt" and group.section == "Introduction"
    text = format_report(report)
    assert "exod:finding/f1" in text and "in s.txt, section “Introduction”" in text
    assert "VIOLATION exo:direction on exod:finding/f1/effect/e1" in text
