"""Integrity of the real curated data: instances are what the curation compiles to, every quote is
found verbatim at its offsets in its seed and lies in its section, every cited reference is in the
quote or explained by a note, the data conforms to the shapes, and the graph is big enough to matter."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Namespace

EXO = Namespace("https://w3id.org/exo-rdf/ontology/")
OA = Namespace("http://www.w3.org/ns/oa#")


@pytest.fixture(scope="session")
def data_graph(project):
    from exo_rdf.graph import parse_files

    return parse_files(project.instance_files())


@pytest.fixture(scope="session")
def statements(data_graph, ontology_graph):
    kinds = {
        EXO.Finding,
        EXO.SizeRangeStatement,
        EXO.CompositionStatement,
        EXO.IsolationMethodStatement,
        EXO.BodyFluidStatement,
        EXO.TissueSourceStatement,
        EXO.EnrichmentStatement,
        EXO.GeneralFact,
    }
    return sorted({s for k in kinds for s in data_graph.subjects(RDF.type, k)})


def test_instances_are_up_to_date_with_curation(project):
    from exo_rdf.curate import compile_curation, stale_outputs

    result = compile_curation(project)
    assert result.errors == []
    assert stale_outputs(project, result) == [], "run `exo-rdf curate` and commit instances/"


def test_every_quote_is_verbatim_at_its_offsets_and_in_its_section(statements, data_graph, seeds):
    assert statements
    for s in statements:
        quote = data_graph.value(s, EXO.hasQuote)
        src = data_graph.value(quote, OA.hasSource)
        seed = seeds[str(data_graph.value(src, EXO.seedFile)).removesuffix(".txt")]
        sels = list(data_graph.objects(quote, OA.hasSelector))
        exact = next(str(data_graph.value(x, OA.exact)) for x in sels if data_graph.value(x, OA.exact) is not None)
        start = next(int(data_graph.value(x, OA.start)) for x in sels if data_graph.value(x, OA.start) is not None)
        end = next(int(data_graph.value(x, OA.end)) for x in sels if data_graph.value(x, OA.end) is not None)
        assert seed.text[start:end] == exact, s
        section = str(data_graph.value(data_graph.value(quote, EXO.inSection), RDFS.label))
        assert seed.section_at(start).title == section, s


def test_every_cited_reference_is_in_the_quote_or_explained(statements, data_graph):
    from exo_rdf.sources import cited_numbers

    for s in statements:
        quote = data_graph.value(s, EXO.hasQuote)
        exact = next(str(o) for x in data_graph.objects(quote, OA.hasSelector) for o in data_graph.objects(x, OA.exact))
        cited = cited_numbers(exact)
        refs = {int(data_graph.value(r, EXO.referenceNumber)) for r in data_graph.objects(s, EXO.citesReference)}
        notes = [str(n) for n in data_graph.objects(s, EXO.curationNote) if str(n).startswith("References:")]
        assert refs <= cited or notes, (s, sorted(refs - cited))


def test_data_conforms_to_the_shapes(project, shapes_graph, ontology_graph):
    from exo_rdf.shacl.report import format_report
    from exo_rdf.validate import validate

    report = validate(project, shapes_graph=shapes_graph, ontology_graph=ontology_graph)
    assert report.conforms, format_report(report, show_warnings=False)


def test_statement_ids_are_unique_and_labels_present(statements, data_graph):
    for s in statements:
        labels = list(data_graph.objects(s, RDFS.label))
        assert len(labels) == 1, s
