"""SERVICE can never make the engine open a connection: a differential fuzz test with a fixed seed.

The generator of ``scripts/fuzz_service.py`` writes queries that call SERVICE on a listener of this
test on 127.0.0.1, in every spelling. They go (1) to the real ``exo-rdf serve`` (the worker's text
check plus its sandbox) and (2) straight to pyoxigraph in a process cut off by
:func:`exo_rdf.sandbox.deny_network_process`, with no text check at all, while (3) the same queries
run without the sandbox do reach the listener, which proves the queries and the listener are real.
"""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
import time
import urllib.request

from conftest import ROOT

spec = importlib.util.spec_from_file_location("fuzz_service", ROOT / "scripts" / "fuzz_service.py")
fuzz = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fuzz)

SEED = 20261204

_ENGINE = r"""
import json, sys
sandbox = sys.argv[1] == "sandbox"
if sandbox:
    from exo_rdf.sandbox import deny_network_process
    layers = deny_network_process()
import pyoxigraph as ox
store = ox.Store()
store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o")))
out = {"syntax": 0, "refused": 0, "other": 0, "ok": 0}
for q in json.loads(sys.stdin.read()):
    try:
        r = store.query(q)
        if not isinstance(r, ox.QueryBoolean):
            list(r)
        out["ok"] += 1
    except SyntaxError:
        out["syntax"] += 1
    except OSError as exc:
        out["refused" if exc.errno in (13, 101) or "os error 13" in str(exc) or "os error 101" in str(exc)
            else "other"] += 1
    except Exception:
        out["other"] += 1
print(json.dumps(out))
"""


def _engine_run(queries: list[str], sandbox: bool) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _ENGINE, "sandbox" if sandbox else "open"],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_sandboxed_engine_never_connects_while_the_open_engine_does():
    listener = fuzz.Listener()
    try:
        rng = random.Random(SEED)
        queries = [fuzz.service_query(listener.port, rng) for _ in range(150)]
        # Only the ones the engine accepts matter here; SILENT ones must not connect either.
        counts = _engine_run(queries, sandbox=True)
        time.sleep(0.3)
        assert listener.connections == 0, f"sandboxed engine connected {listener.connections} times: {counts}"
        assert counts["refused"] + counts["ok"] >= 30, counts  # many queries really reached evaluation
        before = listener.connections
        control = _engine_run(queries[:40], sandbox=False)
        time.sleep(0.3)
        assert listener.connections > before, (
            f"without the sandbox nothing connected, so the test proves nothing: {control}"
        )
    finally:
        listener.close()


def test_real_server_never_connects_for_fuzzed_service_queries(live_server):
    result = fuzz.run(live_server, count=250, seed=SEED)
    assert result["control"] == 1
    assert result["connections"] == 0, result
    assert not result["bad"], result["bad"]
    assert set(result["statuses"]) <= {200, 400, 403, 406}, result["statuses"]
    with urllib.request.urlopen(live_server + "/sparql?query=ASK%7B%7D", timeout=10) as resp:
        assert resp.status == 200  # still answering


def test_service_refused_with_a_clear_400(live_server):
    listener = fuzz.Listener()
    try:
        for query in (
            f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/s> {{ ?s ?p ?o }} }}",
            # \\u escapes in the IRI and a keyword hidden from a naive lexer
            "SELECT * WHERE { SERVICE <\\u0068ttp://127.0.0.1:%d/s> { ?s ?p ?o } }" % listener.port,
            "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:%d/> } SERVICE ?e { ?s ?p ?o } }" % listener.port,
        ):
            status, body = fuzz.post(live_server, query)
            assert status == 400, body
            assert b"SERVICE (federated query) is not allowed" in body
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()
