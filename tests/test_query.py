"""Stored queries: headers of every .rq under queries/, finding, running and serialising queries."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import rdflib

from exo_rdf.errors import ExoError, InputError
from exo_rdf.graph import load_store
from exo_rdf.project import Project
from exo_rdf.query import (
    StoredQuery,
    find_query,
    format_table,
    header_problems,
    load_queries,
    parse_header,
    project_queries,
    query_form,
    run_query,
    serialize,
)
from exo_rdf.rdfio import QUERY_FORMATS as FORMATS

ROOT = Path(__file__).resolve().parents[1]
ALL_QUERIES = sorted((ROOT / "queries").rglob("*.rq"))

DATA = """\
@prefix exo: <https://w3id.org/exo-rdf/ontology/> .
@prefix exod: <https://w3id.org/exo-rdf/data/> .
@prefix CL: <http://purl.obolibrary.org/obo/CL_> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

exod:f1 a exo:Finding ; rdfs:label "finding one"@en ; exo:cellType CL:0000134 .
exod:f2 a exo:Finding ; rdfs:label "finding, \\"two\\""@en .
"""

SELECT = """\
#+ summary: Findings and their labels
#+ description: >-
#+   A test query. Its description is folded
#+   over two lines.
#+ form: SELECT
#+ returns: "?finding ?label ?cell; one row per finding; ORDER BY ?label"
#+ tags: [test, findings]
PREFIX exo: <https://w3id.org/exo-rdf/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?finding ?label ?cell
WHERE {
  ?finding a exo:Finding ; rdfs:label ?label .
  OPTIONAL { ?finding exo:cellType ?cell }
}
ORDER BY ?label
"""

CONSTRUCT = """\
#+ summary: Labels of findings as a graph
#+ description: A test CONSTRUCT.
#+ form: CONSTRUCT
#+ returns: rdfs:label triples of findings
PREFIX exo: <https://w3id.org/exo-rdf/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

CONSTRUCT { ?f rdfs:label ?l ; exo:cellType ?c } WHERE { ?f a exo:Finding ; rdfs:label ?l OPTIONAL { ?f exo:cellType ?c } }
"""

ASK = """\
#+ summary: Is there a finding?
#+ description: A test ASK.
#+ form: ASK
#+ returns: true when there is at least one finding
PREFIX exo: <https://w3id.org/exo-rdf/ontology/>
ASK { ?f a exo:Finding }
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "data.ttl"
    path.write_text(DATA, encoding="utf-8")
    return load_store([path])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- headers of the stored queries -----------------------------------------------------------------


def test_there_are_stored_queries():
    assert ALL_QUERIES, "queries/ holds no .rq files"


@pytest.mark.parametrize("path", ALL_QUERIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_stored_query_header(path):
    query = StoredQuery.from_file(path)
    assert query.id == path.stem
    assert header_problems(query) == []


def test_project_queries_lists_cq_checks_and_merged_questions():
    queries = project_queries(Project(ROOT))
    assert {q.path for q in queries} == {p for p in ALL_QUERIES if p.parent.name in ("cq", "checks", "merged")}
    assert [q.path.parent.name for q in queries] == sorted(
        (q.path.parent.name for q in queries), key=["cq", "checks", "merged"].index
    )


def test_header_parses_folded_blocks_lists_and_quoted_strings():
    query = StoredQuery.from_text(SELECT, "x/some-query.rq")
    assert query.id == "some-query"
    assert query.summary == "Findings and their labels"
    assert query.description == "A test query. Its description is folded over two lines."
    assert query.form == "SELECT"
    assert query.tags == ["test", "findings"]
    assert query.returned_variables == ["finding", "label", "cell"]
    assert query.severity is None and not query.is_check
    assert header_problems(query) == []


def test_header_ends_where_the_query_begins():
    text = SELECT + "#+ summary: not part of the header\n"
    assert parse_header(text)["summary"] == "Findings and their labels"


def test_invalid_yaml_header_names_file_and_line(tmp_path):
    path = write(tmp_path, "bad.rq", "#+ summary: ok\n#+ returns: [unclosed\nSELECT * WHERE {}\n")
    with pytest.raises(InputError) as info:
        StoredQuery.from_file(path)
    assert "bad.rq" in str(info.value) and "YAML" in str(info.value)


def test_header_problems_are_specific():
    text = SELECT.replace("#+ form: SELECT", "#+ form: CONSTRUCT").replace("?label ?cell;", "?cell ?label;")
    text = text.replace("#+ summary: Findings and their labels\n", "")
    problems = header_problems(StoredQuery.from_text(text, "q.rq"))
    assert any("'summary' is missing" in p for p in problems)
    assert any("form CONSTRUCT but the query is a SELECT" in p for p in problems)
    assert any("order" in p for p in problems)
    wrong_vars = SELECT.replace('"?finding ?label ?cell;', '"?finding ?name;')
    assert any("projects ?finding ?label ?cell" in p for p in header_problems(StoredQuery.from_text(wrong_vars)))


def test_check_headers_need_severity_and_fix():
    query = StoredQuery.from_text(SELECT.replace("#+ tags", "#+ severity: fatal\n#+ tags"), "checks/x-violation.rq")
    assert query.is_check
    problems = header_problems(query)
    assert any("'fix' is missing" in p for p in problems)
    assert any("severity 'fatal'" in p for p in problems)


def test_noncanonical_and_undeclared_prefixes_are_header_problems():
    odd = SELECT.replace(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema>"
    )
    assert any("non-canonical prefix rdfs" in p for p in header_problems(StoredQuery.from_text(odd)))
    undeclared = SELECT.replace("PREFIX exo: <https://w3id.org/exo-rdf/ontology/>\n", "")
    assert any("undeclared prefix 'exo:'" in p for p in header_problems(StoredQuery.from_text(undeclared)))


def test_query_form_skips_prologue_comments_and_strings():
    assert query_form(SELECT) == "SELECT"
    assert query_form(CONSTRUCT) == "CONSTRUCT"
    assert query_form("# SELECT\nPREFIX ex: <http://e/ASK>\nDESCRIBE <http://x/SELECT>") == "DESCRIBE"


# --- finding queries ---------------------------------------------------------------------------------


def test_find_query_by_id_and_by_path(tmp_path):
    shutil.copytree(ROOT / "queries" / "checks", tmp_path / "queries" / "checks")
    write(tmp_path, "queries/cq/cq-01-findings.rq", SELECT)
    project = Project(tmp_path)
    assert find_query(project, "cq-01-findings").id == "cq-01-findings"
    assert find_query(project, "missing-label-violation").is_check
    assert find_query(project, str(tmp_path / "queries/cq/cq-01-findings.rq")).summary.startswith("Findings")
    assert find_query(project, "queries/cq/cq-01-findings.rq").id == "cq-01-findings"  # relative to the root


def test_unknown_query_id_lists_close_matches(tmp_path):
    shutil.copytree(ROOT / "queries" / "checks", tmp_path / "queries" / "checks")
    with pytest.raises(ExoError) as info:
        find_query(Project(tmp_path), "missing-lable-violation")
    assert "missing-label-violation" in str(info.value)
    with pytest.raises(ExoError, match="not found"):
        find_query(Project(tmp_path), "nowhere/none.rq")


def test_load_queries_of_missing_folder_is_empty(tmp_path):
    assert load_queries(tmp_path / "nope") == []


# --- running and serialising ---------------------------------------------------------------------------


def test_select_rows_and_table(store):
    result = run_query(store, StoredQuery.from_text(SELECT, "q.rq"))
    assert result.form == "SELECT" and result.variables == ["finding", "label", "cell"]
    assert len(result) == 2
    assert result.rows[0]["finding"].value == "https://w3id.org/exo-rdf/data/f1"  # ORDER BY ?label
    assert result.rows[1]["cell"] is None  # unbound
    assert result.column("cell") == ["http://purl.obolibrary.org/obo/CL_0000134", None]
    table = format_table(result)
    lines = table.splitlines()
    assert lines[0].split() == ["finding", "label", "cell"]
    assert "exod:f1" in table and "CL:0000134" in table and "(2 rows)" in table
    assert all(len(line) <= len(lines[1]) for line in lines[2:4])  # fixed width


def test_select_serialises_to_json_csv_tsv(store):
    result = run_query(store, StoredQuery.from_text(SELECT, "q.rq"))
    data = json.loads(serialize(result, "json"))
    assert data["head"]["vars"] == ["finding", "label", "cell"]
    bindings = data["results"]["bindings"]
    assert bindings[0]["cell"] == {"type": "uri", "value": "http://purl.obolibrary.org/obo/CL_0000134"}
    assert "cell" not in bindings[1]
    assert bindings[0]["label"]["xml:lang"] == "en"
    rows = list(csv.DictReader(io.StringIO(serialize(result, "csv"))))
    assert [r["label"] for r in rows] == ["finding one", 'finding, "two"']
    assert rows[1]["cell"] == ""
    tsv = list(csv.reader(io.StringIO(serialize(result, "tsv")), delimiter="\t"))
    assert tsv[0] == ["?finding", "?label", "?cell"] and len(tsv) == 3
    assert result.serialize("xml").startswith("<?xml")


def test_construct_serialises_to_turtle(store):
    result = run_query(store, StoredQuery.from_text(CONSTRUCT, "c.rq"))
    assert result.form == "CONSTRUCT" and result.is_graph and len(result.triples) == 3
    text = serialize(result, "ttl")
    graph = rdflib.Graph().parse(data=text, format="turtle")
    assert len(graph) == 3
    assert "@prefix exod: <https://w3id.org/exo-rdf/data/>" in text
    assert "ns1:" not in text and "@prefix sh:" not in text  # only the prefixes it uses
    assert len(rdflib.Graph().parse(data=serialize(result, "nt"), format="nt")) == 3
    nodes = json.loads(serialize(result, "jsonld"))
    assert {node["@id"] for node in nodes} == {"https://w3id.org/exo-rdf/data/f1", "https://w3id.org/exo-rdf/data/f2"}
    assert "rdfs:label" in format_table(result)
    with pytest.raises(ExoError, match="graph"):
        serialize(result, "csv")


def test_ask(store):
    result = run_query(store, StoredQuery.from_text(ASK, "a.rq"))
    assert result.form == "ASK" and result.boolean is True
    assert json.loads(serialize(result, "json"))["boolean"] is True
    assert format_table(result) == "true\n"
    with pytest.raises(ExoError, match="table"):
        serialize(result, "ttl")


def test_run_plain_text_query(store):
    result = run_query(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(result.rows[0]["n"].value) == 5


def test_every_format_is_known():
    assert set(FORMATS) == {"table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"}


def test_unknown_format_is_an_error(store):
    with pytest.raises(ExoError, match="unknown output format"):
        serialize(run_query(store, StoredQuery.from_text(ASK)), "yaml")


def test_syntax_error_names_the_file_and_line(store, tmp_path):
    path = write(tmp_path, "broken.rq", "#+ summary: broken\nSELECT ?x WHERE {\n  ?x ?p \n}\n")
    with pytest.raises(InputError) as info:
        run_query(store, StoredQuery.from_file(path))
    message = str(info.value)
    assert "broken.rq:" in message and "SPARQL syntax error" in message
    assert info.value.path.endswith("broken.rq") and info.value.line in (3, 4)


def test_undeclared_prefix_error_is_readable(store, tmp_path):
    path = write(tmp_path, "noprefix.rq", "SELECT ?x WHERE {\n  ?x a exo:Finding\n}\n")
    with pytest.raises(InputError) as info:
        run_query(store, StoredQuery.from_file(path))
    message = str(info.value)
    assert "noprefix.rq:2" in message and "undeclared prefix 'exo:'" in message
    assert len(message) < 300


def test_same_id_in_cq_and_checks_is_ambiguous(tmp_path):
    write(tmp_path, "queries/cq/twice.rq", SELECT)
    write(tmp_path, "queries/checks/twice.rq", SELECT)
    with pytest.raises(ExoError, match="ambiguous"):
        find_query(Project(tmp_path), "twice")
