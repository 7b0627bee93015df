"""exo-rdf publish virtuoso: a real Virtuoso (virtuoso-t from Debian's package) on 127.0.0.1 free ports.

Every stored competency question (on the release in dist/) and every merged question (on a graph written by
``exo-rdf merge``) is asked of Virtuoso through the SPARQL protocol and of the embedded pyoxigraph store, and
the rows must agree (order-insensitive; literals compared as documented in docs/virtuoso.md: numbers by value,
language tags case-insensitively). Then the bad inputs: a release that does not match SHA256SUMS, a load that
fails half-way (the previous release stays served), updates through the endpoint, Virtuoso missing, a port in use,
a server that does not start.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from exo_rdf import virtuoso as vt
from exo_rdf.cli import main
from exo_rdf.errors import ExoError
from exo_rdf.query import load_queries, run_query

from conftest import SHARED

ONT = SHARED / "ontologies"
MERGE_INPUTS = [
    ONT / "mondo-terms-cxg-v2026-05-05.json.xz",
    ONT / "cl-terms-cxg-v2026-03-26.json.xz",
    ONT / "uberon-subset-union.obo.xz",
]
ROOT = Path(__file__).resolve().parents[1]
CQS = load_queries(ROOT / "queries" / "cq")
MERGED = load_queries(ROOT / "queries" / "merged")
NUMERIC = {
    f"http://www.w3.org/2001/XMLSchema#{t}"
    for t in (
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
    )
}


# --------------------------------------------------------------------------------------------------
# fixtures: one server for the release, one for a merged graph; both stopped at the end


@pytest.fixture(scope="session")
def release_server(built_copy, tmp_path_factory):
    state = tmp_path_factory.mktemp("virtuoso") / "release"
    result = vt.publish(built_copy.dist_dir, state, memory_gb=0.25)
    yield state, result
    vt.stop(state)


@pytest.fixture(scope="session")
def merged_file(built_copy, tmp_path_factory):
    from exo_rdf.merge import merge

    out = tmp_path_factory.mktemp("merged") / "merged.nt"
    merge(built_copy, MERGE_INPUTS, output=out)
    return out


@pytest.fixture(scope="session")
def merged_server(merged_file, tmp_path_factory):
    state = tmp_path_factory.mktemp("virtuoso") / "merged"
    # a larger time limit: the hierarchy questions over the merge take a few seconds on a busy machine
    result = vt.load_files([(merged_file, "merged")], state, memory_gb=0.5, timeout_s=120)
    yield state, result
    vt.stop(state)


@pytest.fixture(scope="session")
def release_store(built_copy):
    """The dataset `exo-rdf serve` answers from, in pyoxigraph, every graph merged into the default graph."""
    store = ox.Store()
    for path, _ in vt.RELEASE_FILES:
        _into_default(store, built_copy.dist_dir / path)
    return store


def _into_default(store, path: Path) -> None:
    from exo_rdf.rdfio import store_format

    fmt = getattr(ox.RdfFormat, store_format(path)[0])
    store.extend(
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for q in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
    )


# --------------------------------------------------------------------------------------------------
# asking both engines, normalising rows


def sparql(endpoint: str, query: str, *, param: str = "query", timeout: float = 60):
    """POST a query (or update) to the endpoint; returns (status, body bytes)."""
    data = urllib.parse.urlencode({param: query}).encode()
    req = urllib.request.Request(endpoint, data=data, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def virtuoso_rows(endpoint: str, query) -> tuple[list[str], list[tuple]]:
    text = query if isinstance(query, str) else query.text
    status, body = sparql(endpoint, text)
    assert status == 200, body[:500]
    doc = json.loads(body)
    for binding in doc.get("results", {}).get("bindings", []):
        for value in binding.values():
            if value.get("type") == "bnode":  # Virtuoso writes nodeID://b123, not a blank node label
                value["value"] = "b" + re.sub(r"\W", "", value["value"])
    parsed = ox.parse_query_results(json.dumps(doc).encode(), ox.QueryResultsFormat.JSON)
    names = [v.value for v in parsed.variables]
    concat = group_concats(text)
    return names, [tuple(norm(s[n], concat.get(n)) for n in names) for s in parsed]


def oxigraph_rows(store, query) -> tuple[list[str], list[tuple]]:
    result = run_query(store, query)
    concat = group_concats(query.text)
    return result.variables, [tuple(norm(row[v], concat.get(v)) for v in result.variables) for row in result.rows]


# up to two levels of parentheses inside, e.g. GROUP_CONCAT(CONCAT(SUBSTR(?s, 1, 3), "[", STR(?n), "]"); ...)
_GROUP_CONCAT = re.compile(r"(?is)GROUP_CONCAT\s*\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)\s*AS\s*\?(\w+)")
_SEPARATOR = re.compile(r"""(?is);\s*SEPARATOR\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def group_concats(text: str) -> dict[str, str]:
    """Variable -> separator of each GROUP_CONCAT of a query."""
    found = {}
    for inner, var in _GROUP_CONCAT.findall(text):
        m = _SEPARATOR.search(inner)
        found[var] = (m.group(1) if m.group(1) is not None else m.group(2)) if m else " "
    return found


def norm(term, separator: str | None = None):
    """A comparable form of a result term: IRIs as they are; numeric literals by value (Virtuoso and Oxigraph
    differ in the numeric type of aggregates); language tags lower-cased; blank nodes all alike. A
    GROUP_CONCAT value is the sorted list of its parts, without language or datatype: SPARQL 1.1 leaves the
    order of the parts to the engine, and Oxigraph keeps a language tag that all parts share."""
    if separator is not None and (term is None or isinstance(term, ox.Literal)):
        # an empty group: "" in Virtuoso (as SPARQL 1.1 defines it), unbound in Oxigraph
        if term is None or not term.value:
            return ("concat", ())
        return ("concat", tuple(sorted(term.value.split(separator))))
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if term.language:
        return ("lit", term.value, "@" + term.language.lower())
    if term.datatype.value in NUMERIC:
        try:
            return ("num", Decimal(term.value).normalize())
        except InvalidOperation:
            pass
    return ("lit", term.value, term.datatype.value)


def same_rows(a: list[tuple], b: list[tuple]) -> bool:
    return sorted(a, key=repr) == sorted(b, key=repr)


# --------------------------------------------------------------------------------------------------
# same answers


def test_publish_loads_every_graph_of_the_release(release_server, built_copy):
    state, result = release_server
    nq = built_copy.dist_dir / "data" / "exo-data.nq"
    named = {
        q.graph_name.value
        for q in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS)
        if isinstance(q.graph_name, ox.NamedNode)
    }
    loaded = {g.name for g in result.graphs}
    assert named <= loaded
    assert {vt.role_graph("ontology"), vt.role_graph("void"), vt.role_graph("index")} <= loaded
    assert all(g.served_as == vt.served_name(g.name, result.load_id) for g in result.graphs)
    # the default graph is the RDF merge of the release's graphs, and nothing else Virtuoso holds
    store = ox.Store()
    for path, _ in vt.RELEASE_FILES:
        _into_default(store, built_copy.dist_dir / path)
    assert result.union_triples == len(store) < result.triples
    names, rows = virtuoso_rows(result.endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert rows == [(("num", Decimal(len(store))),)]
    _, rows = virtuoso_rows(result.endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {r[0][1]: int(r[1][1]) for r in rows}
    assert all(counts[g.served_as] == g.triples for g in result.graphs)


@pytest.mark.parametrize("query", CQS, ids=[q.id for q in CQS])
def test_competency_question_same_answer(query, release_server, release_store):
    _, result = release_server
    ox_names, ox_rows = oxigraph_rows(release_store, query)
    vt_names, vt_rows = virtuoso_rows(result.endpoint, query.text)
    assert vt_names == ox_names
    assert ox_rows, f"{query.id} has no answer on the release: the comparison would be empty"
    assert same_rows(vt_rows, ox_rows), _diff(vt_rows, ox_rows)


@pytest.mark.parametrize("query", MERGED, ids=[q.id for q in MERGED])
def test_merged_question_same_answer(query, merged_server, merged_file):
    _, result = merged_server
    store = _merged_store(merged_file)
    ox_names, ox_rows = oxigraph_rows(store, query)
    vt_names, vt_rows = virtuoso_rows(result.endpoint, query.text)
    assert vt_names == ox_names
    assert ox_rows, f"{query.id} has no answer on the merged graph"
    assert same_rows(vt_rows, ox_rows), _diff(vt_rows, ox_rows)


_MERGED_STORES: dict = {}


def _merged_store(path: Path):
    """`exo-rdf query ID --data merged.nt`'s store, made once."""
    from exo_rdf.graph import load_store

    if path not in _MERGED_STORES:
        _MERGED_STORES[path] = load_store([path])
    return _MERGED_STORES[path]


def _diff(got, want) -> str:
    extra = [r for r in got if r not in want][:5]
    missing = [r for r in want if r not in got][:5]
    return f"Virtuoso has {len(got)} rows, Oxigraph {len(want)}; only Virtuoso: {extra}; only Oxigraph: {missing}"


# --------------------------------------------------------------------------------------------------
# limits and read-only endpoint


def test_result_cap_matches_serve(release_server):
    _, result = release_server
    _, rows = virtuoso_rows(result.endpoint, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert result.union_triples > 10_000 and len(rows) == 10_000


def test_ini_has_serve_limits_and_loopback_ports(release_server):
    state, _ = release_server
    ini = (state / "virtuoso.ini").read_text()
    assert "ResultSetMaxRows = 10000" in ini and "MaxQueryExecutionTime = 10" in ini
    server = vt.running(state)
    assert f"ServerPort = 127.0.0.1:{server.sql_port}" in ini
    assert f"ServerPort = 127.0.0.1:{server.http_port}" in ini
    assert (state / "dba-password").stat().st_mode & 0o077 == 0


UPDATES = [
    'INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> <https://example.org/p> "x" } }',
    "DROP SILENT ALL",
    "CLEAR DEFAULT",
    "DELETE WHERE { ?s ?p ?o }",
    "CREATE GRAPH <https://example.org/new>",
]


@pytest.mark.parametrize("param", ["query", "update"])
def test_endpoint_is_read_only(release_server, param):
    _, result = release_server
    for update in UPDATES:
        status, body = sparql(result.endpoint, update, param=param)
        assert status >= 400 or b"SECURITY" in body or b"permission" in body.lower(), (update, body[:300])
    _, rows = virtuoso_rows(result.endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert rows == [(("num", Decimal(result.union_triples)),)]
    status, body = sparql(result.endpoint, "ASK { GRAPH ?g { <https://example.org/s> ?p ?o } }")
    assert status == 200 and json.loads(body)["boolean"] is False


def test_endpoint_fetches_nothing_from_the_network(release_server):
    """SERVICE, LOAD and the Sponger's FROM-dereferencing must not make Virtuoso open a connection."""
    _, result = release_server
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    hits = []

    def accept():
        for _ in range(40):
            try:
                conn, _ = listener.accept()
                hits.append(conn)
            except OSError:
                pass

    thread = threading.Thread(target=accept)
    thread.start()
    url = f"http://127.0.0.1:{port}/data.ttl"
    for text in (
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f'DEFINE get:soft "replace" SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}',
        f"LOAD <{url}>",
    ):
        sparql(result.endpoint, text)
    thread.join()
    listener.close()
    assert not hits


# --------------------------------------------------------------------------------------------------
# replacing a release: atomic, refused when checksums differ, failed loads leave the previous one served


def _answers(endpoint):
    query = next(q for q in CQS if q.id == "cq-03-findings-per-organ-system")
    return sorted(virtuoso_rows(endpoint, query.text)[1], key=repr)


def test_republishing_replaces_the_release_and_drops_the_old_graphs(release_server, built_copy):
    state, first = release_server
    before = _answers(first.endpoint)
    first_id = first.load_id
    first_graphs = [vt.served_name(vt.UNION, first_id), *(g.served_as for g in first.graphs)]
    second = vt.publish(built_copy.dist_dir, state)
    first.__dict__.update(second.__dict__)  # the session's record: later tests see the current load
    assert second.load_id != first_id and not second.started
    assert sorted(second.dropped) == sorted(first_graphs)
    assert _answers(second.endpoint) == before
    served = set(vt._load_graphs(vt.running(state), lambda lid: True))
    assert served == {vt.served_name(vt.UNION, second.load_id), *(g.served_as for g in second.graphs)}


def _broken_copy(dist: Path, tmp_path: Path, *, fix_sums: bool) -> Path:
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)
    nq = copy / "data" / "exo-data.nq"
    lines = nq.read_text(encoding="utf-8").splitlines(keepends=True)
    half = len(lines) // 2
    nq.write_text(
        "".join(lines[:half]) + "<https://w3id.org/exo-rdf/data/x> <broken\n" + "".join(lines[half:]), encoding="utf-8"
    )
    if fix_sums:
        import hashlib

        sums = []
        for line in (copy / "SHA256SUMS").read_text().splitlines():
            _, rel = line.split("  ", 1)
            sums.append(f"{hashlib.sha256((copy / rel).read_bytes()).hexdigest()}  {rel}")
        (copy / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    return copy


def test_release_not_matching_sha256sums_is_refused(release_server, built_copy, tmp_path):
    state, current = release_server
    before = _answers(current.endpoint)
    bad = _broken_copy(built_copy.dist_dir, tmp_path, fix_sums=False)
    result = CliRunner().invoke(
        main, ["--root", str(built_copy.root), "publish", "virtuoso", "--dir", str(state), "--dist", str(bad)]
    )
    assert result.exit_code == 2
    assert "do not match SHA256SUMS (data/exo-data.nq)" in result.output
    assert "Traceback" not in result.output
    assert json.loads((state / "release.json").read_text())["load_id"] == current.load_id
    assert _answers(current.endpoint) == before


def test_load_failing_half_way_leaves_the_previous_release_served(release_server, built_copy, tmp_path):
    state, current = release_server
    before = _answers(current.endpoint)
    bad = _broken_copy(built_copy.dist_dir, tmp_path, fix_sums=True)
    with pytest.raises(ExoError, match="exo-data.nq.*syntax error.*nothing loaded"):
        vt.publish(bad, state)
    assert _answers(current.endpoint) == before
    assert json.loads((state / "release.json").read_text())["load_id"] == current.load_id
    assert not [p for p in (state / "load").iterdir()]


def test_loader_error_in_virtuoso_drops_the_new_graphs(release_server, built_copy, tmp_path, monkeypatch):
    """A file Virtuoso's own loader rejects (it passed pyoxigraph): the new graphs go, the old stay."""
    state, current = release_server
    before = _answers(current.endpoint)
    real_prepare = vt._prepare

    def spoiled(source, role, folder, load_id, seen):
        prepared = real_prepare(source, role, folder, load_id, seen)
        if role == "void":  # the last file: the data and ontology graphs are already loaded when it fails
            with open(prepared.file, "a", encoding="utf-8") as fh:
                fh.write("<https://w3id.org/exo-rdf/data/x> <broken\n")
        return prepared

    monkeypatch.setattr(vt, "_prepare", spoiled)
    with pytest.raises(ExoError, match="bulk loader failed.*previous release stays served"):
        vt.publish(built_copy.dist_dir, state)
    assert _answers(current.endpoint) == before
    server = vt.running(state)
    lines = vt.isql(server, "select concat('K|', id_to_iri(G)) from (select distinct G from DB.DBA.RDF_QUAD) x;")
    loads = {g.split("?load=")[1] for (g,) in vt._rows(lines, "K") if "?load=" in g}
    assert loads == {current.load_id}


# --------------------------------------------------------------------------------------------------
# Virtuoso missing, a port in use, a server that does not start


def test_virtuoso_missing_names_the_install_command(built_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(
        main, ["--root", str(built_copy.root), "publish", "virtuoso", "--dir", str(tmp_path / "state")]
    )
    assert result.exit_code == 2
    assert "apt-get install virtuoso-opensource-7-bin" in result.output
    assert "Traceback" not in result.output


def test_port_in_use_is_reported(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(ExoError, match=f"port {port} on 127.0.0.1 is in use"):
            vt.start(tmp_path / "state", http_port=port)


def test_server_that_does_not_start_shows_the_log(tmp_path):
    state = tmp_path / "state"
    (state / "db" / "virtuoso.db").mkdir(parents=True)  # a folder where the database file belongs
    with pytest.raises(ExoError, match="(?s)Virtuoso exited while starting.*virtuoso.log.*Cannot open"):
        vt.start(state, wait_s=60)


# --------------------------------------------------------------------------------------------------
# --connect: a Virtuoso that is already running (started here as a plain virtuoso-t, not by publish)


@pytest.fixture(scope="module")
def external_server(tmp_path_factory):
    """A virtuoso-t with its own ini whose DirsAllowed is a folder publish may use; dba password changed."""
    import os
    import secrets
    import subprocess
    import time

    base = tmp_path_factory.mktemp("external")
    own, allowed = base / "server", base / "allowed"
    for sub in ("db", "www"):
        (own / sub).mkdir(parents=True)
    allowed.mkdir()
    sql_port, http_port = _free_port(), _free_port()
    ini = vt.ini_text(own, sql_port=sql_port, http_port=http_port, timeout_s=10, max_results=10_000, memory_gb=0.25)
    ini = re.sub(r"(?m)^DirsAllowed = .*$", f"DirsAllowed = {allowed}", ini)
    (own / "virtuoso.ini").write_text(ini)
    with open(own / "db" / "stdout", "wb") as out:
        proc = subprocess.Popen(
            [shutil.which("virtuoso-t"), "+foreground", "+configfile", str(own / "virtuoso.ini")],
            cwd=own / "db",
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while not (vt._listening(sql_port) and vt._listening(http_port)):
        assert proc.poll() is None and time.monotonic() < deadline, vt.log_tail(own)
        time.sleep(0.2)
    password = secrets.token_urlsafe(18)
    server = vt.Server(own, sql_port, http_port, proc.pid, "dba", external=True)
    vt.isql(server, f"USER_SET_PASSWORD('dba', '{password}');")
    server.password = password
    yield server, allowed
    proc.terminate()  # not through isql: the last test leaves this address refused for a minute
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _recording_argv(monkeypatch) -> list[list[str]]:
    """Every argv given to subprocess.run / Popen from now on."""
    import subprocess

    seen: list[list[str]] = []
    real_run, real_popen = subprocess.run, subprocess.Popen

    def run(args, *a, **k):
        seen.append([str(x) for x in args])
        return real_run(args, *a, **k)

    class Popen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, args, *a, **k):
            seen.append([str(x) for x in args])
            super().__init__(args, *a, **k)

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setattr(subprocess, "Popen", Popen)
    return seen


def test_isql_never_puts_the_password_in_argv(release_server, monkeypatch):
    state, _ = release_server
    server = vt.running(state)
    seen = _recording_argv(monkeypatch)
    assert vt._rows(vt.isql(server, "select concat('X|', 1 + 1);"), "X") == [["2"]]
    assert seen and all(server.password not in " ".join(argv) for argv in seen)


def test_publish_connects_to_a_running_server(external_server, built_copy, release_store, monkeypatch):
    server, allowed = external_server
    state = allowed / "exo"
    monkeypatch.setenv("EXO_RDF_VIRTUOSO_PASSWORD", server.password)
    seen = _recording_argv(monkeypatch)
    args = ["--root", str(built_copy.root), "publish", "virtuoso", "--connect", f"127.0.0.1:{server.sql_port}"]
    result = CliRunner().invoke(main, [*args, "--dir", str(state)])
    assert result.exit_code == 0, result.output
    assert f"SPARQL endpoint (read-only): http://127.0.0.1:{server.http_port}/sparql" in result.output
    assert "the server's own limits apply: ResultSetMaxRows 10000, MaxQueryExecutionTime 10 s" in result.output
    assert seen and all(server.password not in " ".join(argv) for argv in seen)
    assert server.password not in result.output
    assert not [argv for argv in seen if Path(argv[0]).name == vt.SERVER_BIN]  # nothing started
    query = next(q for q in CQS if q.id == "cq-03-findings-per-organ-system")
    assert same_rows(virtuoso_rows(server.endpoint, query.text)[1], oxigraph_rows(release_store, query)[1])
    # publishing again replaces the release; the server we did not start is not stopped
    again = CliRunner().invoke(main, [*args, "--dir", str(state)])
    assert again.exit_code == 0 and "dropped" in again.output, again.output
    stop = CliRunner().invoke(main, [*args, "--dir", str(state), "--stop"])
    assert stop.exit_code == 2 and "not one given with --connect" in stop.output
    assert vt._listening(server.sql_port)
    for update in UPDATES[:2]:
        status, body = sparql(server.endpoint, update)
        assert status >= 400 or b"SECURITY" in body or b"permission" in body.lower(), (update, body[:300])


def test_connect_refuses_bad_passwords_and_folders(external_server, built_copy, tmp_path, monkeypatch):
    server, allowed = external_server
    root = ["--root", str(built_copy.root), "publish", "virtuoso", "--connect", f"127.0.0.1:{server.sql_port}"]

    def run(*extra):
        result = CliRunner().invoke(main, [*root, *extra])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        return result.output

    monkeypatch.delenv("EXO_RDF_VIRTUOSO_PASSWORD", raising=False)
    assert "set EXO_RDF_VIRTUOSO_PASSWORD or give --password-file" in run("--dir", str(allowed / "a"))
    loose = tmp_path / "pw"
    loose.write_text(server.password + "\n")
    loose.chmod(0o644)
    assert "readable by others (mode 644): chmod 600" in run("--dir", str(allowed / "a"), "--password-file", str(loose))
    loose.chmod(0o600)
    bad = CliRunner().invoke(main, [*root[:-1], "nohost", "--dir", str(tmp_path)])
    assert bad.exit_code == 2 and "not HOST:PORT" in bad.output
    closed = _free_port()
    root_closed = [*root[:-1], f"127.0.0.1:{closed}"]
    bad = CliRunner().invoke(main, [*root_closed, "--dir", str(tmp_path), "--password-file", str(loose)])
    assert bad.exit_code == 2 and f"no Virtuoso answers at 127.0.0.1:{closed}" in bad.output
    out = run("--dir", str(tmp_path / "outside"), "--password-file", str(loose))
    assert f"may not read {tmp_path / 'outside' / 'load'}: its DirsAllowed is {allowed}" in out
    # last: a wrong password (the server then refuses this address for a minute)
    monkeypatch.setenv("EXO_RDF_VIRTUOSO_PASSWORD", "not-" + server.password)
    assert "refused the dba password" in run("--dir", str(allowed / "b"))
