"""The HTML pages in a real browser: Debian's headless Chromium (installed by scripts/setup.sh), driven through
chromedriver by Selenium, against a live `exo-rdf serve` (fixture in conftest.py).

Expected values come from the curated Turtle (parsed with rdflib, no SPARQL), never from the pages themselves.
"""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDFS

from conftest import ROOT

EXO = Namespace("https://w3id.org/exo-rdf/ontology/")
OA = Namespace("http://www.w3.org/ns/oa#")
FINDING = "https://w3id.org/exo-rdf/data/finding/s000-kidney-hucmsc-exo-mir146b-irak1-sepsis-aki"
BASE = "https://w3id.org/exo-rdf/"


def _local(iri: str) -> str:
    assert iri.startswith(BASE)
    return "/exo-rdf/" + iri[len(BASE) :]


@pytest.fixture(scope="module")
def kidney_graph():
    g = Graph()
    g.parse(ROOT / "instances" / "000-kidney-damage-repair.ttl")
    g.parse(ROOT / "instances" / "shared.ttl")
    return g


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "chromium and chromedriver are installed by scripts/setup.sh (make test)"
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service(driver), options=opts)
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_finding_page_renders_quote_section_references_and_links(browser, live_server, kidney_graph):
    from selenium.webdriver.common.by import By

    finding = URIRef(FINDING)
    quote_node = kidney_graph.value(finding, EXO.hasQuote)
    exact = next(
        str(kidney_graph.value(sel, OA.exact))
        for sel in kidney_graph.objects(quote_node, OA.hasSelector)
        if kidney_graph.value(sel, OA.exact) is not None
    )
    section_label = str(kidney_graph.value(kidney_graph.value(quote_node, EXO.inSection), RDFS.label))
    assert "kidney" in section_label.lower()
    refs = sorted(str(r).rsplit("/", 1)[-1] for r in kidney_graph.objects(finding, EXO.citesReference))
    assert refs == ["55"]  # as printed in the paper: "... sepsis-associated AKI [55]"

    browser.get(live_server + _local(FINDING))  # the IRI itself: the browser follows the 303 to the HTML page
    assert browser.current_url.endswith(".html")
    body = _norm(browser.find_element(By.TAG_NAME, "body").text)
    assert _norm(exact) in body, "the exact quote is shown as text (escaped, not as markup)"
    assert _norm(section_label) in body
    assert "55" in body
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.TAG_NAME, "a")]
    # every entity of the finding is linked: disease, gene target, miRNA cargo, target tissue
    for curie in ("MONDO:0002492", "MONDO:1040015", "HGNC:6112", "UBERON:0002113"):
        assert any(h and curie in urllib.parse.unquote(h) for h in hrefs), f"no link to {curie}"


def test_entity_page_lists_the_finding_and_links_out(browser, live_server):
    from selenium.webdriver.common.by import By

    browser.get(live_server + "/exo-rdf/entity/HGNC:6112")
    body = _norm(browser.find_element(By.TAG_NAME, "body").text)
    assert "IRAK1" in body  # the HGNC symbol of HGNC:6112
    hrefs = [a.get_attribute("href") or "" for a in browser.find_elements(By.TAG_NAME, "a")]
    assert any("s000-kidney-hucmsc-exo-mir146b-irak1-sepsis-aki" in h for h in hrefs)
    assert any(h.startswith("https://www.genenames.org/") for h in hrefs), "external link to HGNC"


def test_home_search_and_one_click_question(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 20)
    browser.get(live_server + "/exo-rdf/")
    box = browser.find_element(By.CSS_SELECTOR, "form input[name=q]")
    box.send_keys("miR-146b")
    box.submit()
    wait.until(EC.url_contains("/search"))
    wait.until(EC.presence_of_element_located((By.TAG_NAME, "body")))
    body = _norm(browser.find_element(By.TAG_NAME, "body").text)
    assert "miR-146b" in body
    hrefs = [a.get_attribute("href") or "" for a in browser.find_elements(By.TAG_NAME, "a")]
    assert any("MIMAT0002809" in h for h in hrefs), "the search links to the miRNA (hsa-miR-146b-5p, MIMAT0002809)"

    browser.get(live_server + "/exo-rdf/")
    cq_hrefs = sorted(
        {
            h
            for h in (a.get_attribute("href") or "" for a in browser.find_elements(By.TAG_NAME, "a"))
            if "/exo-rdf/cq/cq-" in h
        }
    )
    assert len(cq_hrefs) >= 32, "every competency question is one click away"
    link = next(
        a
        for a in browser.find_elements(By.TAG_NAME, "a")
        if (a.get_attribute("href") or "").endswith("/exo-rdf/cq/cq-01-parkinson-neurite-mirna")
    )
    link.click()
    wait.until(EC.url_contains("cq-01-parkinson-neurite-mirna"))
    rows = wait.until(EC.presence_of_all_elements_located((By.CSS_SELECTOR, "table tbody tr")))
    text = " ".join(r.text for r in rows)
    assert "hsa-miR-133b" in text, "CQ-01's answer, derived from the paper (tests/resources/cq), is shown"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value and tag in ("a", "link", "script", "img", "form"):
                self.links.append(value)


def test_crawl_finds_no_broken_internal_link(live_server):
    """Visit every page reachable from the home page and check every internal href/src answers 2xx/3xx.

    The crawl uses plain HTTP (thousands of pages); the browser tests above cover rendering.
    """
    start = live_server + "/exo-rdf/"
    seen, queue, broken, pages = {start}, [start], [], 0
    while queue:
        url = queue.pop()
        req = urllib.request.Request(url, headers={"Accept": "text/html"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                ctype = resp.headers.get("Content-Type", "")
                body = resp.read() if ctype.startswith("text/html") else b""
        except urllib.error.HTTPError as exc:
            broken.append(f"{url} -> {exc.code}")
            continue
        if not body:
            continue
        pages += 1
        parser = _Links()
        parser.feed(body.decode("utf-8", "replace"))
        for link in parser.links:
            target = urllib.parse.urljoin(url, link).split("#", 1)[0]
            if not target.startswith(live_server) or target in seen:
                continue
            seen.add(target)
            if "/sparql" in target:  # endpoint links run queries; checked in the endpoint tests
                continue
            queue.append(target)
    assert not broken, f"{len(broken)} broken internal links, e.g. {broken[:10]}"
    assert pages > 500, f"the crawl reached only {pages} pages"
