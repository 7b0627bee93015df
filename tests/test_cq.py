"""Competency questions: every stored CQ is well formed and returns the answer derived from the papers.

Each ``queries/cq/cq-NN-slug.rq`` has a fixture ``tests/resources/cq/cq-NN-slug.yaml`` written by reading
the two review papers (the ``sentences`` it quotes), never by copying what the query returns::

    question: ...              # the CQ in plain English
    sentences: [...]           # the source sentences that answer it (seed, verbatim snippet)
    compare: set               # set (order-insensitive) or ordered
    columns: [a, b]            # result variables the rows are projected onto
    lists: {b: ", "}           # columns holding a separator-joined list (GROUP_CONCAT), compared as sorted lists
    rows: [[x, [1, 2]], ...]   # the expected rows, in stable values: CURIEs, miRBase names, labels, counts
    notes: [...]               # how the answer was derived, and what the ontology decides

Values are compared in stable form: IRIs as CURIEs of the canonical prefix map, numbers as numbers, other
literals as their text. Queries run on pyoxigraph (never rdflib's evaluator), on the ontology, its imports
and the instances, loaded once per session.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from exo_rdf.namespaces import compress
from exo_rdf.query import StoredQuery, header_problems, projected_variables, query_form, run_query

ROOT = Path(__file__).resolve().parents[1]
CQ_DIR = ROOT / "queries" / "cq"
FIXTURE_DIR = Path(__file__).resolve().parent / "resources" / "cq"
CQ_FILES = sorted(CQ_DIR.glob("*.rq"))
FIXTURE_FILES = sorted(FIXTURE_DIR.glob("*.yaml"))
CQ_NAME = re.compile(r"^cq-(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$")
FIXTURE_KEYS = {"question", "sentences", "compare", "columns", "lists", "rows", "notes"}
NUMERIC_TYPES = {
    "integer",
    "decimal",
    "double",
    "float",
    "int",
    "long",
    "short",
    "nonNegativeInteger",
    "positiveInteger",
    "nonPositiveInteger",
    "negativeInteger",
    "unsignedInt",
    "unsignedLong",
}
#: Finding-returning queries that deliberately have no ?refs column (with the reason).
NO_REFS = {"cq-12-study-reports-without-reference": "returns only findings that cite no reference"}


def _ids(paths):
    return [p.stem for p in paths]


def _projected(path: Path) -> list[str]:
    return projected_variables(path.read_text(encoding="utf-8"))


#: CQs that return findings, and CQs that return quotes (read from their SELECT clauses).
FINDING_CQS = [p for p in CQ_FILES if "finding" in _projected(p)]
QUOTE_CQS = [p for p in CQ_FILES if {"quote", "quotes"} & set(_projected(p))]


@pytest.fixture(scope="session")
def kg_store(project):
    """The knowledge graph (ontology, imports, instances) in one pyoxigraph store, loaded once."""
    from exo_rdf.graph import project_store

    return project_store(project)


@pytest.fixture(scope="session")
def seed_texts(project):
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(project.seeds_dir.glob("*.txt"))}


def load_fixture(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: a fixture is a YAML mapping"
    return data


# --- normalising values -----------------------------------------------------------------------


def _number(text: str):
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def _part(text: str):
    """One element of a GROUP_CONCAT list: IRIs as CURIEs, integers as numbers."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        return compress(text)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def normalise(term, separator: str | None = None):
    """A pyoxigraph term as a stable, hashable value (lists of a GROUP_CONCAT become sorted tuples)."""
    import pyoxigraph as ox

    if term is None:
        return () if separator is not None else None
    if isinstance(term, ox.NamedNode):
        value = compress(term.value)
    elif isinstance(term, ox.Literal):
        kind = term.datatype.value.rsplit("#", 1)[-1]
        value = _number(term.value) if kind in NUMERIC_TYPES else term.value
    else:
        value = str(term)
    if separator is not None:
        parts = [] if value in ("", None) else [_part(p) for p in str(value).split(separator)]
        return tuple(sorted(parts, key=lambda v: (isinstance(v, str), v)))
    return value


def expected_value(value, is_list: bool):
    if is_list:
        items = [] if value is None else list(value)
        return tuple(sorted(items, key=lambda v: (isinstance(v, str), v)))
    return value


# --- the stored queries themselves ------------------------------------------------------------


def test_there_are_at_least_thirty_competency_questions():
    assert len(CQ_FILES) >= 30


@pytest.mark.parametrize("path", CQ_FILES, ids=_ids(CQ_FILES))
def test_cq_file_name_and_number(path):
    m = CQ_NAME.match(path.stem)
    assert m, f"{path.name}: name it cq-NN-slug.rq (lower-case kebab-case slug)"
    query = StoredQuery.from_file(path)
    assert query.description.startswith(f"CQ-{m.group(1)}."), "description starts with 'CQ-NN.'"


def test_cq_numbers_are_unique_and_consecutive():
    numbers = [int(CQ_NAME.match(p.stem).group(1)) for p in CQ_FILES if CQ_NAME.match(p.stem)]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("path", CQ_FILES, ids=_ids(CQ_FILES))
def test_cq_header(path):
    """Header keys present, form as declared, SELECT variables exactly those of ``returns``, standard SPARQL."""
    query = StoredQuery.from_file(path)
    assert header_problems(query) == []
    for key in ("summary", "description", "form", "returns", "tags"):
        assert query.header.get(key), f"header key {key!r} is missing"
    assert query.form == query_form(query.text)
    if query.form == "SELECT":
        assert projected_variables(query.text) == query.returned_variables


def test_most_cqs_return_provenance():
    assert len(FINDING_CQS) >= 10 and len(QUOTE_CQS) >= 15


@pytest.mark.parametrize("path", FINDING_CQS, ids=_ids(FINDING_CQS))
def test_finding_queries_return_their_provenance(path):
    """A query that returns findings also returns each finding's quote, seed, section and references."""
    query = StoredQuery.from_file(path)
    projected = set(projected_variables(query.text))
    required = {"quote", "seed", "section"} | ({"refs"} if query.id not in NO_REFS else set())
    assert required <= projected, f"add {sorted(required - projected)} to the SELECT"


def test_import_restrictions_are_part_of_only(kg_store):
    """CQ-06, CQ-07 and CQ-16 climb UBERON through any owl:someValuesFrom restriction; that is part_of only."""
    rows = list(
        kg_store.query(
            "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
            "SELECT DISTINCT ?p WHERE { ?r owl:someValuesFrom ?x ; owl:onProperty ?p . "
            "FILTER(STRSTARTS(STR(?x), 'http://purl.obolibrary.org/obo/UBERON_')) }"
        )
    )
    assert {row["p"].value for row in rows} <= {"http://purl.obolibrary.org/obo/BFO_0000050"}


# --- fixtures ---------------------------------------------------------------------------------


def test_every_cq_has_a_fixture_and_every_fixture_a_cq():
    queries = set(_ids(CQ_FILES))
    fixtures = set(_ids(FIXTURE_FILES))
    assert not queries - fixtures, f"CQs without a fixture in tests/resources/cq: {sorted(queries - fixtures)}"
    assert not fixtures - queries, f"fixtures without a CQ in queries/cq: {sorted(fixtures - queries)}"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_ids(FIXTURE_FILES))
def test_fixture_is_well_formed(path):
    data = load_fixture(path)
    assert set(data) <= FIXTURE_KEYS, f"unknown keys {sorted(set(data) - FIXTURE_KEYS)}"
    for key in ("question", "sentences", "compare", "columns", "rows"):
        assert key in data, f"fixture key {key!r} is missing"
    assert data["compare"] in ("set", "ordered")
    assert data["sentences"], "name the sentences of the papers that answer the question"
    columns = data["columns"]
    assert len(set(columns)) == len(columns)
    assert set(data.get("lists") or {}) <= set(columns)
    for row in data["rows"]:
        assert isinstance(row, list) and len(row) == len(columns), f"row {row!r} does not have {len(columns)} values"
    query = StoredQuery.from_file(CQ_DIR / f"{path.stem}.rq")
    assert set(columns) <= set(projected_variables(query.text)), "fixture columns must be projected variables"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_ids(FIXTURE_FILES))
def test_fixture_sentences_are_verbatim(path, seed_texts):
    """Every quoted sentence snippet of a fixture occurs in its seed (spaces of any kind match)."""
    for sentence in load_fixture(path)["sentences"]:
        seed = next(name for name in seed_texts if name.startswith(str(sentence["seed"])))
        pattern = r"\s+".join(re.escape(w) for w in sentence["text"].split())
        assert re.search(pattern, seed_texts[seed]), f"not found in {seed}: {sentence['text']!r}"


@pytest.mark.parametrize("path", CQ_FILES, ids=_ids(CQ_FILES))
def test_cq_returns_the_expected_answer(path, kg_store):
    fixture = load_fixture(FIXTURE_DIR / f"{path.stem}.yaml")
    result = run_query(kg_store, StoredQuery.from_file(path))
    columns = fixture["columns"]
    lists = fixture.get("lists") or {}
    got = [tuple(normalise(row.get(c), lists.get(c)) for c in columns) for row in result.rows]
    expected = [tuple(expected_value(v, c in lists) for c, v in zip(columns, row)) for row in fixture["rows"]]
    if fixture["compare"] == "ordered":
        assert got == expected
    else:
        assert len(set(expected)) == len(expected), "the fixture repeats a row"
        missing = sorted(set(expected) - set(got), key=repr)
        unexpected = sorted(set(got) - set(expected), key=repr)
        assert not missing and not unexpected, f"missing rows: {missing}\nunexpected rows: {unexpected}"


@pytest.mark.parametrize("path", QUOTE_CQS, ids=_ids(QUOTE_CQS))
def test_cq_quotes_are_verbatim_in_their_seed(path, kg_store, seed_texts):
    """Every quote a CQ returns is the seed's exact text (provenance can be checked by a reader)."""
    result = run_query(kg_store, StoredQuery.from_file(path))
    columns = [c for c in ("quote", "quotes") if c in result.variables]
    corpus = "\n".join(seed_texts.values())
    for row in result.rows:
        for column in columns:
            if row.get(column) is None:
                continue
            for quote in row[column].value.split(" | ") if column == "quotes" else [row[column].value]:
                assert quote in corpus, f"{column} not found verbatim in the seeds: {quote[:80]!r}"
