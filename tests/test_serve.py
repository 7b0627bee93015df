"""exo-rdf serve: the real server as a subprocess on 127.0.0.1, spoken to over real HTTP.

A copy of the project (ontology, instances, queries) is built once into its own dist/; the server is
started on a free port (``--port 0``; the test reads the URL it prints) and stopped with Ctrl-C
(SIGINT), after which neither it nor any worker it started may be left running.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from conftest import ROOT, SHARED

#: The command line run by the interpreter that runs the tests (whatever virtualenv or layout that is).
EXO_RDF = [sys.executable, "-m", "exo_rdf"]
FINDING = "data/finding/s000-kidney-hucmsc-exo-mir146b-irak1-sepsis-aki"
RDF_FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
    "nt": ("application/n-triples", "nt"),
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, accept: str | None = None, follow: bool = True):
    """(status, headers, body) of a GET; HTTP errors are answers too."""
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=30) if follow else _opener.open(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _children(pid: int) -> set[int]:
    """Every descendant process of ``pid`` (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def built(built_copy):
    """A project copy with a fresh dist/ (conftest builds it once per session)."""
    return built_copy


@pytest.fixture(scope="module")
def server(built):
    """The running server: (base URL ending in /, the Popen). Stopped with SIGINT afterwards."""
    env = {**os.environ, "EXO_RDF_SHARED": str(SHARED)}
    proc = subprocess.Popen(
        [*EXO_RDF, "--root", str(built.root), "serve", "--port", "0", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    watchdog = threading.Timer(120, proc.kill)  # a server that never says it is ready must not hang the suite
    watchdog.start()
    line = proc.stdout.readline()
    watchdog.cancel()
    m = re.search(r"(http://127\.0\.0\.1:\d+/)exo-rdf/", line)
    if not m:
        proc.kill()
        pytest.fail(f"server did not start: {line!r} {proc.stderr.read()[-2000:]}")
    base = m.group(1)
    status, _, _ = fetch(base + "exo-rdf/")
    assert status == 200
    yield base, proc
    family = _children(proc.pid)
    proc.send_signal(signal.SIGINT)
    try:
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = proc.stderr.read()
    assert code == 0, err[-2000:]
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(p) for p in family):
        time.sleep(0.1)
    assert not [p for p in family if _alive(p)], "the server left processes running"


@pytest.fixture(scope="module")
def instances(built):
    from exo_rdf.graph import parse_files

    return parse_files(built.instance_files())


def test_help_names_the_options():
    out = subprocess.run([*EXO_RDF, "serve", "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("--port", "--timeout", "--max-results", "--workers"):
        assert option in out


def test_missing_dist_is_a_clear_error(tmp_path):
    root = tmp_path / "proj"
    shutil.copytree(ROOT / "ontology", root / "ontology")
    run = subprocess.run(
        [*EXO_RDF, "--root", str(root), "serve", "--port", "0"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert "run exo-rdf build first" in run.stderr and "Traceback" not in run.stderr


def test_root_redirects_home_and_home_links(server):
    base, _ = server
    status, headers, _ = fetch(base, follow=False)
    assert status in (302, 307) and headers["Location"].endswith("/exo-rdf/")
    status, _, body = fetch(base + "exo-rdf/")
    page = body.decode()
    assert status == 200
    assert 'action="/exo-rdf/search"' in page
    assert set(re.findall(r'href="/exo-rdf/cq/(cq-[^"]+)"', page)) == {
        p.stem for p in (ROOT / "queries" / "cq").glob("*.rq")
    }
    assert 'href="/exo-rdf/downloads/"' in page and 'href="/exo-rdf/ontology"' in page
    example = re.search(r'href="(/sparql\?query=[^"]+)"', page)
    assert example, "home page links an example query"


@pytest.mark.parametrize("path", [FINDING, "ontology/Finding", "ontology"])
@pytest.mark.parametrize(
    "accept,suffix",
    [
        ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "html"),
        ("application/xhtml+xml", "html"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("application/n-triples", "nt"),
        ("text/html;q=0.2, text/turtle;q=0.9, application/ld+json;q=0.5", "ttl"),
        ("*/*", "html"),
    ],
)
def test_303_by_accept(server, path, accept, suffix):
    base, _ = server
    status, headers, _ = fetch(base + "exo-rdf/" + path, accept=accept, follow=False)
    assert status == 303
    assert headers["Location"] == f"/exo-rdf/{path}.{suffix}"
    assert "accept" in headers["Vary"].lower()


def test_unacceptable_type_is_406(server):
    base, _ = server
    status, headers, _ = fetch(base + "exo-rdf/" + FINDING, accept="image/png", follow=False)
    assert status == 406


@pytest.mark.parametrize("path", [FINDING, "ontology/Finding", "ontology", "data/preparation/exosome-9d98ab53a5"])
def test_every_format_parses_to_the_same_triples(server, path):
    base, _ = server
    graphs = {}
    for suffix, (media, fmt) in RDF_FORMATS.items():
        status, headers, body = fetch(f"{base}exo-rdf/{path}.{suffix}")
        assert status == 200, (path, suffix)
        assert headers["Content-Type"].split(";")[0] == media
        graphs[suffix] = Graph().parse(data=body, format=fmt)
    assert len(graphs["ttl"]) > 0
    for suffix, g in graphs.items():
        assert isomorphic(g, graphs["ttl"]), (path, suffix)


def test_finding_description_holds_quote_selector_and_labels(server, instances):
    from rdflib.namespace import RDFS

    from exo_rdf.namespaces import BASE, EXO, OA

    base, _ = server
    _, _, body = fetch(f"{base}exo-rdf/{FINDING}.ttl")
    g = Graph().parse(data=body, format="turtle")
    finding = URIRef(BASE + FINDING)
    assert set(g.triples((finding, None, None))) == set(instances.triples((finding, None, None)))
    quote = instances.value(finding, EXO.hasQuote)
    for selector in instances.objects(quote, OA.hasSelector):
        assert set(g.triples((selector, None, None))) == set(instances.triples((selector, None, None)))
    prep = instances.value(finding, EXO.hasPreparation)
    assert g.value(prep, RDFS.label) == instances.value(prep, RDFS.label)


def test_ontology_rdf_is_the_release_file(server, built):
    base, _ = server
    _, _, body = fetch(f"{base}exo-rdf/ontology.ttl")
    assert body == (built.dist_dir / "ontology" / "exo.ttl").read_bytes()


def test_ontology_html_is_the_pylode_page_when_built(server, built):
    base, _ = server
    status, headers, body = fetch(f"{base}exo-rdf/ontology.html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    docs = built.dist_dir / "docs" / "ontology.html"
    if docs.is_file():
        assert body == docs.read_bytes()
    else:
        assert b'href="/exo-rdf/ontology/Finding"' in body


def test_finding_page(server, instances):
    from rdflib.namespace import RDFS

    from exo_rdf.namespaces import BASE, EXO, OA

    base, _ = server
    status, headers, body = fetch(f"{base}exo-rdf/{FINDING}.html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    finding = URIRef(BASE + FINDING)
    quote = instances.value(finding, EXO.hasQuote)
    exact = [
        str(instances.value(s, OA.exact))
        for s in instances.objects(quote, OA.hasSelector)
        if instances.value(s, OA.exact) is not None
    ][0]
    assert exact in [html.unescape(b) for b in _blockquotes(page)]
    section = instances.value(quote, EXO.inSection)
    assert html.escape(str(instances.value(section, RDFS.label))) in page
    for ref in instances.objects(finding, EXO.citesReference):
        number = int(instances.value(ref, EXO.referenceNumber))
        assert f">[{number}]</a>" in page
    # every entity the finding names is a link
    for disease in instances.objects(finding, EXO.hasDisease):
        curie = "MONDO:" + str(disease).rsplit("_", 1)[1]
        assert f'href="/exo-rdf/entity/{curie}"' in page
    assert f'href="/exo-rdf/{str(instances.value(finding, EXO.hasPreparation))[len(BASE) :]}"' in page
    assert 'id="sentence"' in page and 'id="evidence"' in page and 'id="level"' in page


def _blockquotes(page: str) -> list[str]:
    return re.findall(r'<blockquote class="exact">(.*?)</blockquote>', page, re.S)


def test_data_text_is_escaped_and_exact(server, instances):
    """Text from the data with characters HTML must escape (the quotes have none today; curation notes
    quote ids with ') is shown escaped and reads back exactly."""
    from exo_rdf.namespaces import BASE, EXO, OA

    base, _ = server
    special = "<>&'\""
    candidates = []
    for statement, quote in sorted(instances.subject_objects(EXO.hasQuote)):
        for selector in instances.objects(quote, OA.hasSelector):
            exact = instances.value(selector, OA.exact)
            if exact is not None and any(c in str(exact) for c in special):
                candidates.append((statement, str(exact), "quote"))
    for statement, note in sorted(instances.subject_objects(EXO.curationNote)):
        if str(statement).count("/") == 6 and any(c in str(note) for c in special):
            candidates.append((statement, str(note), "note"))
    assert candidates, "no text with a character HTML escapes in the data"
    statement, text, kind = candidates[0]
    _, _, body = fetch(f"{base}exo-rdf/{str(statement)[len(BASE) :]}.html")
    page = body.decode()
    if kind == "quote":
        shown = _blockquotes(page)
    else:
        block = re.search(r"<h2>Curation notes</h2>\s*<ul>(.*?)</ul>", page, re.S).group(1)
        shown = re.findall(r"<li>(.*?)</li>", block, re.S)
    assert text in [html.unescape(b) for b in shown]
    assert not any(c in b for b in shown for c in "<>'\"")


def test_search_text_is_escaped(server):
    base, _ = server
    q = '<script>alert("x")</script> & miR'
    _, _, body = fetch(base + "exo-rdf/search?" + urllib.parse.urlencode({"q": q}))
    page = body.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(" in page


def _mentions(g, statement, entity) -> bool:
    """The page's rule, read off the instance files: direct, or through cargo, components, preparation
    (and its conditions), models, effects, or the statement's own sub-nodes."""
    from exo_rdf.namespaces import EXO

    if (statement, None, entity) in g:
        return True
    for p, node in g.predicate_objects(statement):
        hop = p in (EXO.hasCargo, EXO.hasComponent, EXO.hasPreparation, EXO.hasModel, EXO.hasEffect) or str(
            node
        ).startswith(str(statement) + "/")
        if hop and (node, None, entity) in g:
            return True
    for prep in g.objects(statement, EXO.hasPreparation):
        for cond in g.objects(prep, EXO.hasCondition):
            if (cond, None, entity) in g:
                return True
    return False


def test_entity_page_lists_the_findings_of_a_disease(server, instances):
    from rdflib.namespace import RDF

    from exo_rdf.namespaces import BASE, EXO, expand

    base, _ = server
    disease = expand("MONDO:0002492")  # acute kidney injury
    expected = {
        str(f)[len(BASE) :] for f in instances.subjects(RDF.type, EXO.Finding) if _mentions(instances, f, disease)
    }
    assert len(expected) > 5
    status, _, body = fetch(base + "exo-rdf/entity/MONDO:0002492")
    assert status == 200
    page = body.decode()
    block = re.search(r'<ul id="findings".*?</ul>', page, re.S).group(0)
    listed = set(re.findall(r'href="/exo-rdf/([^"]+)"', block))
    assert listed == expected
    assert "acute kidney injury" in page
    assert f'href="{disease}"' in page  # the external OBO PURL


def test_search_finds_a_mirna_by_name(server):
    base, _ = server
    status, _, body = fetch(base + "exo-rdf/search?" + urllib.parse.urlencode({"q": "miR-146b"}))
    assert status == 200
    page = body.decode()
    assert 'href="/exo-rdf/data/cargo/mirna/MIMAT0002809"' in page
    assert "hsa-miR-146b-5p" in page


def test_search_by_curie_and_by_quote(server):
    base, _ = server
    _, _, body = fetch(base + "exo-rdf/search?" + urllib.parse.urlencode({"q": "MONDO:0002492"}))
    assert 'href="/exo-rdf/entity/MONDO:0002492"' in body.decode()
    _, _, body = fetch(base + "exo-rdf/search?" + urllib.parse.urlencode({"q": "upregulation of miR-1b"}))
    assert f'href="/exo-rdf/{FINDING}"' in body.decode()


def test_cq_page_shows_its_answer_rows(server, built):
    from exo_rdf.graph import load_store
    from exo_rdf.query import find_query, run_query

    base, _ = server
    qid = "cq-04-findings-per-msc-source"
    store = load_store([built.dist_dir / "ontology" / "exo.ttl", *built.instance_files()])
    expected = run_query(store, find_query(built, qid))
    status, _, body = fetch(f"{base}exo-rdf/cq/{qid}")
    assert status == 200
    page = body.decode()
    table = re.search(r'<table class="results" id="answer">.*?</table>', page, re.S).group(0)
    assert table.count("<tr>") - 1 == len(expected.rows) > 0
    for value in expected.column("tissueLabel"):
        assert html.escape(value) in table
    run_link = re.search(r'href="(/sparql\?query=[^"]+)"', page).group(1)
    assert urllib.parse.unquote(html.unescape(run_link).split("=", 1)[1]) == find_query(built, qid).text
    listing = fetch(f"{base}exo-rdf/cq/")[2].decode()
    assert f'href="/exo-rdf/cq/{qid}"' in listing


def test_every_cq_page_renders_and_its_links_resolve(server, built):
    base, _ = server
    checked: set[str] = set()
    for rq in sorted(built.cq_dir.glob("*.rq")):
        status, _, body = fetch(f"{base}exo-rdf/cq/{rq.stem}")
        assert status == 200, rq.stem
        for href in set(re.findall(r'href="(/exo-rdf/[^"]+)"', body.decode())) - checked:
            checked.add(href)
            assert fetch(base.rstrip("/") + html.unescape(href))[0] == 200, (rq.stem, href)


def test_downloads_list_and_fetch(server, built):
    base, _ = server
    status, _, body = fetch(base + "exo-rdf/downloads/")
    page = body.decode()
    files = sorted(str(p.relative_to(built.dist_dir)) for p in built.dist_dir.rglob("*") if p.is_file())
    for rel in files:
        assert f'href="/exo-rdf/downloads/{rel}"' in page
        assert hashlib.sha256((built.dist_dir / rel).read_bytes()).hexdigest() in page
    status, headers, body = fetch(base + "exo-rdf/downloads/data/exo-data.ttl")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert body == (built.dist_dir / "data" / "exo-data.ttl").read_bytes()
    status, headers, _ = fetch(base + "exo-rdf/downloads/ontology/exo.owl")
    assert headers["Content-Type"].startswith("application/rdf+xml")


@pytest.mark.parametrize(
    "path",
    [
        "exo-rdf/downloads/../../ontology/exo.ttl",
        "exo-rdf/downloads/%2e%2e/%2e%2e/ontology/exo.ttl",
        "exo-rdf/downloads/..%2F..%2Fontology%2Fexo.ttl",
        "exo-rdf/downloads//etc/passwd",
        "exo-rdf/static/../../cli.py",
        "exo-rdf/static/%2e%2e/site.py",
    ],
)
def test_path_traversal_is_refused(server, path):
    import http.client

    base, _ = server
    host, port = base[len("http://") :].rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/" + path)  # sent as written: urllib would normalise the dots away
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    assert resp.status == 404
    assert b"@prefix" not in body and b"root:" not in body and b"import" not in body


def test_unknown_iri_is_404(server):
    base, _ = server
    for path in (
        "exo-rdf/data/finding/no-such-finding",
        "exo-rdf/ontology/NoSuchTerm",
        "exo-rdf/entity/MONDO:9999999",
        "exo-rdf/cq/cq-99-nothing",
        "exo-rdf/data/finding/no-such-finding.ttl",
    ):
        status, headers, body = fetch(base + path, accept="text/html")
        assert status == 404, path
        assert headers["Content-Type"].startswith("text/html")


def test_sparql_endpoint_answers(server, built):
    from exo_rdf.graph import load_store

    base, _ = server
    query = (
        "PREFIX exo: <https://w3id.org/exo-rdf/ontology/>\nSELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a exo:Finding }"
    )
    status, headers, body = fetch(
        base + "sparql?" + urllib.parse.urlencode({"query": query}), accept="application/sparql-results+json"
    )
    assert status == 200
    answer = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    store = load_store(built.instance_files())
    assert answer == int(next(iter(store.query(query)))["n"].value) > 0
    req = urllib.request.Request(
        base + "sparql",
        data=query.encode(),
        method="POST",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert int(json.loads(resp.read())["results"]["bindings"][0]["n"]["value"]) == answer


def test_home_links_resolve(server):
    base, _ = server
    _, _, body = fetch(base + "exo-rdf/")
    for href in sorted(set(re.findall(r'href="(/[^"]*)"', body.decode()))):
        status = fetch(base.rstrip("/") + html.unescape(href))[0]
        assert status == 200, href


def test_release_and_endpoint_iris_of_the_dataset_description_resolve(server, built):
    """Every dcat:downloadURL and the void:sparqlEndpoint in void.ttl are our IRIs: each answers locally, and a
    download's bytes have the SHA-256 the description states; the ontology's owl:versionIRI resolves too."""
    from rdflib import Graph, Namespace, URIRef
    from rdflib.namespace import OWL

    base, _ = server
    DCAT, SPDX, VOID = (
        Namespace("http://www.w3.org/ns/dcat#"),
        Namespace("http://spdx.org/rdf/terms#"),
        Namespace("http://rdfs.org/ns/void#"),
    )
    void = Graph().parse(built.dist_dir / "void.ttl")
    iri_base = "https://w3id.org/exo-rdf/"
    downloads = list(void.subject_objects(DCAT.downloadURL))
    assert len(downloads) >= 10
    for dist, url in downloads:
        assert str(url).startswith(iri_base + "releases/")
        status, _, body = fetch(base + "exo-rdf/" + str(url)[len(iri_base) :])
        assert status == 200, url
        checksum = void.value(void.value(dist, SPDX.checksum), SPDX.checksumValue)
        assert hashlib.sha256(body).hexdigest() == str(checksum), url
    endpoints = set(void.objects(None, VOID.sparqlEndpoint))
    assert endpoints == {URIRef(iri_base + "sparql")}
    status, headers, body = fetch(
        base + "exo-rdf/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }"),
        accept="application/sparql-results+json",
    )
    assert status == 200 and json.loads(body)["boolean"] is True
    onto = Graph().parse(built.dist_dir / "ontology" / "exo.ttl")
    version_iri = str(onto.value(URIRef(iri_base + "ontology"), OWL.versionIRI))
    status, _, body = fetch(base + "exo-rdf/" + version_iri[len(iri_base) :])
    assert status == 200 and body == (built.dist_dir / "ontology" / "exo.owl").read_bytes()
    status, _, body = fetch(base + "exo-rdf/releases/0.0.0-not-served/ontology/exo.owl")
    assert status == 404 and b"publishes release" in body
