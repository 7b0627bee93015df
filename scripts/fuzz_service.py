"""Differential fuzzing of SERVICE against a running ``exo-rdf serve``: no query may open a connection.

Random and mutated queries call SERVICE on a listener of this script on 127.0.0.1, spelled in every
way the grammar allows (keyword case, comments and line breaks between tokens, ``\\u``/``\\U``
escapes in IRIs, prefixed names, BASE-relative IRIs, a variable bound by VALUES or BIND, SILENT,
nested in OPTIONAL / UNION / MINUS / GRAPH / subqueries / FILTER EXISTS) and then mutated at random.
Each is sent to the endpoint; the listener records every connection it gets. Zero are allowed, every
reply must be a client error (4xx) or 200, and the server must keep answering. A control connection
made by this process itself proves the listener works.

    python scripts/fuzz_service.py --url http://127.0.0.1:8080 --count 5000 --seed 7

The test suite runs the same generator with a fixed seed and a small count.
"""

from __future__ import annotations

import argparse
import random
import socket
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request


class Listener:
    """A TCP listener on 127.0.0.1 counting the connections it accepts."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop = True
        self._thread.join()
        self.sock.close()


def _escape_iri(iri: str, rng: random.Random) -> str:
    """Write some characters of an IRI as \\u or \\U escapes (SPARQL allows them in IRIREFs)."""
    out = []
    for ch in iri:
        roll = rng.random()
        if roll < 0.25:
            out.append(f"\\u{ord(ch):04X}")
        elif roll < 0.35:
            out.append(f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "".join(out)


def _case(word: str, rng: random.Random) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in word)


_GAPS = [" ", "\n", "\t", " # SERVICE? no\n", "#x\r\n", "\r\n  ", "  "]


def _gap(rng: random.Random) -> str:
    return rng.choice(_GAPS)


def service_query(port: int, rng: random.Random) -> str:
    """One query whose evaluation would call SERVICE on 127.0.0.1:port."""
    base = f"http://127.0.0.1:{port}/"
    target = base + rng.choice(["sparql", "", "q?x=1", "a/b#c"])
    prologue = ""
    style = rng.randrange(6)
    if style == 0:
        ref = f"<{target}>"
    elif style == 1:
        ref = f"<{_escape_iri(target, rng)}>"
    elif style == 2:
        prologue = f"PREFIX fz: <{_escape_iri(base, rng)}>\n"
        ref = "fz:" + rng.choice(["sparql", "x", "a.b", "q-1"])
    elif style == 3:
        prologue = f"BASE <{base}>\n"
        ref = "<" + rng.choice(["sparql", "x", "./y"]) + ">"
    elif style == 4:
        ref = "?svc"
    else:
        prologue = f"PREFIX : <{base}>\n"
        ref = ":" + rng.choice(["", "s", "e"])
    keyword = _case("SERVICE", rng) + (_gap(rng) + _case("SILENT", rng) if rng.random() < 0.4 else "")
    inner = rng.choice(["?s ?p ?o", "?s ?p ?o . ?o ?q ?r", "{ ?s ?p ?o }", "?s a ?o"])
    clause = f"{keyword}{_gap(rng)}{ref}{_gap(rng)}{{ {inner} }}"
    if ref == "?svc":
        bind = rng.choice(
            [
                f"VALUES ?svc {{ <{target}> }}",
                f'BIND(IRI("{target}") AS ?svc)',
                f"VALUES ?svc {{ <{_escape_iri(target, rng)}> }}",
            ]
        )
        clause = f"{bind}{_gap(rng)}{clause}"
    for _ in range(rng.randrange(4)):  # nest it
        clause = rng.choice(
            [
                "OPTIONAL {{ {} }}",
                "{{ {} }} UNION {{ ?a ?b ?c }}",
                "{{ ?a ?b ?c }} MINUS {{ {} }}",
                "GRAPH ?g {{ {} }}",
                "{{ SELECT * WHERE {{ {} }} }}",
                "FILTER EXISTS {{ {} }}",
                "FILTER NOT EXISTS {{ {} }}",
                "{{ {} }}",
            ]
        ).format(clause)
    form = rng.choice(
        [
            "SELECT * WHERE {{ {} }}",
            "ASK {{ {} }}",
            "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {} }}",
            "SELECT (COUNT(*) AS ?n) {{ {} }}",
            "DESCRIBE ?s WHERE {{ {} }}",
        ]
    )
    query = prologue + _case("", rng) + form.format(clause)
    return mutate(query, rng)


_JUNK = [
    "'",
    '"',
    '"""',
    "'''",
    "\\",
    "<",
    ">",
    "#",
    "\n",
    "{",
    "}",
    "(",
    ")",
    "@en",
    "?x",
    ":",
    "\\u0053",
    "SERVICE",
    "service",
    ".",
    ";",
    ",",
    "^^",
    "_:b",
    "\x00",
    "\u00e9",
    "\U0001f600",
]


def mutate(query: str, rng: random.Random) -> str:
    """Random small damage: insert, delete or duplicate pieces (most mutants stay parseable)."""
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3])):
        pos = rng.randrange(len(query) + 1)
        op = rng.randrange(3)
        if op == 0:
            query = query[:pos] + rng.choice(_JUNK) + query[pos:]
        elif op == 1:
            query = query[:pos] + query[pos + rng.randrange(1, 4) :]
        else:
            end = min(len(query), pos + rng.randrange(1, 20))
            query = query[:end] + query[pos:end] + query[end:]
    return query


def post(url: str, query: str, timeout: float = 30) -> tuple[int, bytes]:
    data = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(
        url.rstrip("/") + "/sparql",
        data=data,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json, text/turtle",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def run(url: str, count: int, seed: int) -> dict:
    """Send ``count`` queries; return counts of statuses and connections (and the first bad replies)."""
    rng = random.Random(seed)
    listener = Listener()
    try:
        socket.create_connection(("127.0.0.1", listener.port), timeout=2).close()  # the control
        deadline_control = 0
        while listener.connections < 1 and deadline_control < 50:
            threading.Event().wait(0.02)
            deadline_control += 1
        control = listener.connections
        statuses: dict[int, int] = {}
        bad: list[tuple[int, str, bytes]] = []
        for _ in range(count):
            query = service_query(listener.port, rng)
            status, body = post(url, query)
            statuses[status] = statuses.get(status, 0) + 1
            if status >= 500 and len(bad) < 5:
                bad.append((status, query, body[:300]))
        threading.Event().wait(0.5)  # let any late connection arrive
        return {"control": control, "connections": listener.connections - control, "statuses": statuses, "bad": bad}
    finally:
        listener.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="base URL of a running exo-rdf serve")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    result = run(args.url, args.count, args.seed)
    print(
        f"control connection seen: {result['control'] == 1}; connections from the server: "
        f"{result['connections']}; statuses: {dict(sorted(result['statuses'].items()))}"
    )
    for status, query, body in result["bad"]:
        print(f"  {status}: {query!r} -> {body!r}")
    return 0 if result["control"] == 1 and result["connections"] == 0 and not result["bad"] else 1


if __name__ == "__main__":
    sys.exit(main())
