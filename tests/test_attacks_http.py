"""Attacks on the real ``exo-rdf serve`` over HTTP: limits, status codes, slow clients, deep queries.

One server (tight limits: 1 s head and body timeouts, 200 kB replies, 4 MB cache) runs as a subprocess on a
copy of the project; each test speaks raw HTTP or urllib to it and checks the status, a message that
says what to do, that the workers survived, and that other clients were never held up for a second.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from exo_rdf.querytext import MAX_NESTING
from exo_rdf.server.protocol import MAX_HEAD, MAX_URL
from exo_rdf.server.sparql import Reply, SparqlService

from conftest import SHARED, free_port


@pytest.fixture(scope="module")
def tight(built_copy):
    port = free_port()
    log = built_copy.root / "serve-tight.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "exo_rdf.cli",
                "--root",
                str(built_copy.root),
                "serve",
                "--port",
                str(port),
                "--timeout",
                "5",
                "--head-timeout",
                "1",
                "--body-timeout",
                "1",
                "--max-reply-bytes",
                "200000",
                "--cache-bytes",
                "4000000",
                "--max-results",
                "100000",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "EXO_RDF_SHARED": str(SHARED)},
        )
    deadline = time.monotonic() + 90
    while True:
        try:
            if request(port, "GET", "/exo-rdf/")[0] == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(log.read_text(errors="replace")[-2000:])
        time.sleep(0.3)
    yield port, proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    assert "Traceback" not in log.read_text(errors="replace")


def request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 30
) -> tuple[int, bytes, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read(), dict(resp.getheaders())
    finally:
        conn.close()


def sparql_post(port: int, query: str, accept: str = "application/sparql-results+json"):
    return request(
        port, "POST", "/sparql", query.encode("utf-8"), {"Content-Type": "application/sparql-query", "Accept": accept}
    )


def workers_of(proc) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == proc.pid:
                found.add(int(entry.name))
    return found


def raw(port: int, data: bytes, wait: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            pass
        return b"".join(chunks)


def test_too_long_url_gets_414_saying_use_post(tight):
    port, _ = tight
    status, body, _ = request(port, "GET", "/sparql?query=" + "a" * (MAX_URL + 10))
    assert status == 414
    assert b"POST" in body


def test_too_long_get_query_on_a_page_gets_414(tight):
    port, _ = tight
    status, body, _ = request(port, "GET", "/exo-rdf/search?q=" + "x" * (MAX_URL * 2))
    assert status == 414 and b"longer than" in body


def test_oversized_headers_get_431(tight):
    port, _ = tight
    status, body, _ = request(port, "GET", "/exo-rdf/", headers={f"X-Pad-{i}": "v" * 1000 for i in range(80)})
    assert status == 431 and str(MAX_HEAD).encode() in body


@pytest.mark.parametrize(
    "method,path",
    [("POST", "/exo-rdf/"), ("DELETE", "/exo-rdf/search"), ("PUT", "/exo-rdf/downloads/"), ("PATCH", "/")],
)
def test_wrong_method_on_a_page_gets_405_with_allow(tight, method, path):
    port, _ = tight
    status, body, headers = request(port, method, path, body=b"x")
    assert status == 405
    assert headers.get("allow") == "GET, HEAD"
    assert method.encode() in body


def test_wrong_method_on_sparql_gets_405(tight):
    port, _ = tight
    status, _, headers = request(port, "PUT", "/sparql", body=b"x")
    assert status == 405 and "GET" in headers.get("allow", "")


def test_unfinished_head_is_cut_with_408_and_others_are_served(tight):
    port, _ = tight
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
        slow.sendall(b"GET /exo-rdf/ HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        t0 = time.monotonic()
        assert request(port, "GET", "/exo-rdf/static/style.css")[0] == 200
        assert time.monotonic() - t0 < 1.0
        for _ in range(3):  # a drip of bytes does not extend the deadline
            time.sleep(0.2)
            slow.sendall(b"a")
        reply = slow.recv(4096)
    assert reply.startswith(b"HTTP/1.1 408"), reply
    assert 0.9 < time.monotonic() - start < 4


def _slow_post(port: int, path: str, sent: bytes, announced: int) -> socket.socket:
    slow = socket.create_connection(("127.0.0.1", port), timeout=6)
    slow.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        f"Content-Length: {announced}\r\n\r\n".encode("ascii")
        + sent
    )
    return slow


@pytest.mark.parametrize("path", ["/sparql", "/exo-rdf/"])
def test_trickled_post_body_gets_408_and_others_are_served(tight, path):
    port, proc = tight
    workers = workers_of(proc)
    start = time.monotonic()
    with _slow_post(port, path, b"SELECT", 200) as slow:
        t0 = time.monotonic()
        assert request(port, "GET", "/exo-rdf/static/style.css")[0] == 200
        assert sparql_post(port, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")[0] == 200
        assert time.monotonic() - t0 < 1.0
        for _ in range(4):  # a drip of bytes does not extend the deadline
            time.sleep(0.2)
            try:
                slow.sendall(b" ")
            except OSError:
                break
        reply = b""
        while chunk := slow.recv(4096):
            reply += chunk
    elapsed = time.monotonic() - start
    if path == "/sparql":
        assert reply.startswith(b"HTTP/1.1 408"), reply
        assert b"request body did not arrive within 1 s" in reply and b"send the whole body" in reply, reply
    else:  # a page answers 405 without reading the body; the connection is then cut all the same
        assert reply.startswith((b"HTTP/1.1 405", b"HTTP/1.1 408")), reply
    assert 0.9 < elapsed < 4, elapsed
    assert workers_of(proc) == workers
    assert sparql_post(port, "ASK { ?s ?p ?o }")[0] == 200


def test_whole_body_in_two_quick_parts_is_answered(tight):
    port, _ = tight
    query = b"ASK { ?s ?p ?o }"
    with _slow_post(port, "/sparql", query[:5], len(query)) as sock:
        time.sleep(0.3)
        sock.sendall(query[5:])
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 200"), reply


def test_silent_connection_is_closed(tight):
    port, _ = tight
    start = time.monotonic()
    assert raw(port, b"", wait=5).startswith(b"HTTP/1.1 408")
    assert time.monotonic() - start < 4


def test_keep_alive_second_request_is_timed_too(tight):
    port, _ = tight
    with socket.create_connection(("127.0.0.1", port), timeout=6) as sock:
        sock.sendall(b"GET /exo-rdf/static/style.css HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost")
        data = b""
        while b"408" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 408" in data


def test_query_nested_100000_deep_gets_400_and_no_worker_dies(tight):
    port, proc = tight
    before = workers_of(proc)
    for query in (
        "SELECT * WHERE " + "{" * 100_000 + " ?s ?p ?o " + "}" * 100_000,
        "SELECT * WHERE { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }",
        "SELECT * WHERE { ?s ?p " + "[ <http://e/p> " * 50_000 + "1" + " ]" * 50_000 + " }",
    ):
        status, body, _ = sparql_post(port, query)
        assert status == 400, body[:300]
        assert f"more than {MAX_NESTING} levels".encode() in body
    assert workers_of(proc) == before
    assert sparql_post(port, "ASK {}")[0] == 200


def test_nesting_just_under_the_limit_is_answered(tight):
    port, _ = tight
    depth = MAX_NESTING - 5
    status, body, _ = sparql_post(port, "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth + " LIMIT 1")
    assert status == 200, body[:300]


@pytest.mark.parametrize("piece", ['"""a', "'a", "a.", "<a", "\\", "#\n", "@a-", "a:", '"', "?v "])
def test_big_adversarial_query_never_blocks_other_clients(tight, piece):
    port, _ = tight
    query = "SELECT * WHERE { " + piece * (900_000 // len(piece))
    done = {}

    def attack():
        done["reply"] = sparql_post(port, query)

    thread = threading.Thread(target=attack)
    thread.start()
    worst = 0.0
    while thread.is_alive():
        t0 = time.monotonic()
        assert request(port, "GET", "/exo-rdf/static/style.css")[0] == 200
        worst = max(worst, time.monotonic() - t0)
        time.sleep(0.05)
    thread.join()
    assert worst < 1.0, f"another client waited {worst:.2f} s"
    assert done["reply"][0] in (400, 503), done["reply"][1][:200]


def test_body_over_the_query_limit_gets_413(tight):
    port, _ = tight
    status, body, _ = sparql_post(port, "#" * 1_100_000)
    assert status == 413 and b"--max-query-bytes" in body


def test_reply_over_the_limit_gets_400_saying_ask_for_less(tight):
    port, proc = tight
    before = workers_of(proc)
    status, body, _ = sparql_post(port, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert status == 400
    assert b"reply limit of 200000 bytes" in body and b"LIMIT" in body
    assert workers_of(proc) == before


def test_update_sent_as_query_gets_403(tight):
    port, _ = tight
    status, body, _ = sparql_post(port, "PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }")
    assert status == 403 and b"read-only" in body


def test_non_utf8_query_body_gets_400(tight):
    port, _ = tight
    status, body, _ = request(port, "POST", "/sparql", b"SELECT \xff\xfe", {"Content-Type": "application/sparql-query"})
    assert status == 400 and b"UTF-8" in body


def test_garbage_request_line_gets_400(tight):
    port, _ = tight
    assert raw(port, b"\x00\x01\x02 nonsense\r\n\r\n").startswith(b"HTTP/1.1 400")


def test_path_traversal_is_not_served(tight):
    port, _ = tight
    for path in (
        "/exo-rdf/downloads/../../../etc/passwd",
        "/exo-rdf/downloads/%2e%2e/%2e%2e/etc/passwd",
        "/exo-rdf/static/../../../../etc/passwd",
    ):
        status, body, _ = request(port, "GET", path)
        assert status == 404 and b"root:" not in body


def test_reply_cache_keeps_to_its_byte_limit():
    service = SparqlService([Path("unused.ttl")], cache_size=1000, cache_bytes=100_000)
    for i in range(500):
        reply = Reply(200, "text/plain", b"x" * (i * 37 % 9000))
        service._remember((f"q{i}", "json", None, None), reply)
        assert service.cached_bytes <= 100_000
    service._remember(("big", "json", None, None), Reply(200, "text/plain", b"x" * 50_000))
    assert service.cached_bytes <= 100_000
    assert ("big", "json", None, None) not in service._cache  # over an eighth of the budget: not kept
