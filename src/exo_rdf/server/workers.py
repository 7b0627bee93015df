"""The query worker processes behind the SPARQL endpoint, and the server's handle on each of them.

A worker is a separate Python process (``python -c ...``, so it never re-imports the server's
``__main__``) holding its own in-memory pyoxigraph ``Store`` with every source loaded; it reads request
frames on stdin and writes reply frames on stdout. A frame is ``!II`` (header length, body length), a
small JSON header, then the body: the finished result document, never a pickle. :class:`Worker` is the
server's side of one process: non-blocking pipes read with ``loop.add_reader``, so waiting for a reply
never blocks the event loop. :mod:`exo_rdf.server.sparql` runs the pool of them.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
from itertools import islice
from pathlib import Path
from typing import Any

from ..errors import ExoError, oversized_term
from ..querytext import MAX_NESTING, query_shape
from ..rdfio import (
    GRAPH_TYPES,
    OX_GRAPH_FORMATS,
    OX_TABLE_FORMATS,
    TABLE_TYPES,
    used_prefixes,
)
from ..sandbox import NETWORK_REFUSED

#: The reply to an update (the endpoint is read-only).
READ_ONLY = "this SPARQL endpoint is read-only: updates are not accepted"
#: errno values of a connection the sandbox refused: EACCES (seccomp), ENETUNREACH (no network), EPERM.
_NO_NETWORK = (13, 101, 1)

__all__ = ["Engine", "Timeout", "Worker", "WorkerDied", "pack_frame", "take_frame", "wait", "worker_main"]


# ---------------------------------------------------------------------------------------------
# Frames over pipes: !II (header length, body length), JSON header, body
# ---------------------------------------------------------------------------------------------

_FRAME = struct.Struct("!II")


def pack_frame(meta: dict, body: bytes = b"") -> bytes:
    head = json.dumps(meta, separators=(",", ":")).encode("utf-8")
    return _FRAME.pack(len(head), len(body)) + head + body


def take_frame(buf: bytearray) -> tuple[dict, bytes] | None:
    if len(buf) < _FRAME.size:
        return None
    head_len, body_len = _FRAME.unpack_from(buf)
    end = _FRAME.size + head_len + body_len
    if len(buf) < end:
        return None
    meta = json.loads(bytes(buf[_FRAME.size : _FRAME.size + head_len]))
    body = bytes(buf[_FRAME.size + head_len : end])
    del buf[:end]
    return meta, body


# ---------------------------------------------------------------------------------------------
# The worker process
# ---------------------------------------------------------------------------------------------


def _read_exact(stream, n: int) -> bytes | None:
    data = stream.read(n)
    return data if data is not None and len(data) == n else None


def _read_frame_blocking(stream) -> tuple[dict, bytes] | None:
    head = _read_exact(stream, _FRAME.size)
    if head is None:
        return None
    head_len, body_len = _FRAME.unpack(head)
    meta = _read_exact(stream, head_len)
    body = _read_exact(stream, body_len) if body_len else b""
    if meta is None or body is None:
        return None
    return json.loads(meta), body


def _watch_parent(parent: int) -> None:
    """Exit when the server process goes away (a worker must never outlive it, even mid-query)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


#: Stack of the thread that runs queries: the engine's parser recurses once per nesting level.
_QUERY_STACK = 256 << 20


def worker_main() -> None:
    """Entry point of a worker process: cut it off the network, load the sources, then answer request
    frames until EOF (in a thread with a large stack)."""
    import signal

    from ..sandbox import deny_network_process

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server is the server's business
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the reply pipe
    # Before any thread exists and before any query: no socket to the outside, ever (SERVICE).
    try:
        layers = deny_network_process()
    except RuntimeError as exc:
        layers = None
        refusal = str(exc)
    if layers is None:
        stdin = os.fdopen(0, "rb")
        if _read_frame_blocking(stdin) is not None:
            out.write(pack_frame({"fatal": refusal}))
            out.flush()
        return
    threading.stack_size(_QUERY_STACK)
    thread = threading.Thread(target=_serve, args=(out, layers), name="exo-rdf-worker")
    thread.start()
    thread.join()


def _serve(out, layers: list[str]) -> None:
    threading.Thread(
        target=_watch_parent, args=(int(os.environ.get("EXO_SPARQL_PARENT", os.getppid())),), daemon=True
    ).start()
    stdin = os.fdopen(0, "rb")

    def send(meta: dict, body: bytes = b"") -> None:
        out.write(pack_frame(meta, body))
        out.flush()

    first = _read_frame_blocking(stdin)
    if first is None:
        return
    config = first[0]
    try:
        engine = Engine(config)
    except ExoError as exc:
        send({"fatal": str(exc)})
        return
    send({"ready": True, "sandbox": layers, **engine.info})
    while True:
        request = _read_frame_blocking(stdin)
        if request is None:
            return
        meta, body = engine.run(request[0])
        if meta.get("s") == 200 and len(body) > engine.max_reply_bytes:
            meta, body = (
                {"s": 400},
                (
                    f"the result is {len(body)} bytes, more than this endpoint's reply limit of "
                    f"{engine.max_reply_bytes} bytes; ask for less (LIMIT, fewer variables or shorter "
                    "values)"
                ).encode("utf-8"),
            )
        send(meta, body)


class Engine:
    """The worker's store and the code that runs one query and writes its result document."""

    def __init__(self, config: dict[str, Any]) -> None:
        import pyoxigraph as ox

        self.ox = ox
        self.max_results = int(config["max_results"])
        self.max_reply_bytes = int(config.get("max_reply_bytes", 64 << 20))
        self.xsd_string = ox.Literal("").datatype.value
        self.store = ox.Store()
        for name, fmt_name, quads in config["sources"]:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ExoError(f"{path}: cannot read SPARQL endpoint source: {exc.strerror or exc}") from None
            kwargs = {} if quads else {"to_graph": ox.DefaultGraph()}
            try:
                self.store.bulk_load(data, getattr(ox.RdfFormat, fmt_name), base_iri=path.resolve().as_uri(), **kwargs)
            except MemoryError as exc:
                error = oversized_term(path, exc, data, what="; rebuild with exo-rdf build")
                if error is None:
                    raise
                raise error from None
            except (SyntaxError, ValueError, OSError) as exc:
                line = getattr(exc, "lineno", None)
                where = f"{path}:{line}" if line else str(path)
                message = " ".join(str(exc).split())[:400]
                raise ExoError(f"{where}: cannot load SPARQL endpoint source: {message}") from None
        self.info = self._describe()

    def _describe(self) -> dict:
        """Triple counts for the service description: the (union) default graph and each named graph."""
        graphs = {}
        for row in self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
            graphs[row["g"].value] = int(row["n"].value)
        if graphs:
            query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
            default = int(next(iter(self.store.query(query, use_default_graph_as_union=True)))["n"].value)
        else:
            default = len(self.store)
        return {"triples": default, "graphs": graphs}

    def run(self, req: dict) -> tuple[dict, bytes]:
        ox = self.ox
        table, graph = req.get("t"), req.get("g")
        shape = query_shape(req["q"])
        if shape.form == "UPDATE":
            return {"s": 403}, READ_ONLY.encode("utf-8")
        if shape.service:
            return {"s": 400}, NETWORK_REFUSED.encode("utf-8")
        if shape.nesting > MAX_NESTING:
            return {"s": 400}, (f"the query nests {{ ( [ more than {MAX_NESTING} levels deep; flatten it").encode(
                "utf-8"
            )
        if shape.form in ("SELECT", "ASK") and table is None:
            return self._not_acceptable(f"a {shape.form}", TABLE_TYPES, req)
        if shape.form in ("CONSTRUCT", "DESCRIBE") and graph is None:
            return self._not_acceptable(f"a {shape.form}", GRAPH_TYPES, req)
        kwargs: dict = {}
        if req.get("dg") is not None or req.get("ng") is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in req.get("dg") or []]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in req.get("ng") or []]
        elif not shape.has_from:
            kwargs["use_default_graph_as_union"] = True
        try:
            result = self.store.query(req["q"], **kwargs)
            if isinstance(result, ox.QueryBoolean):
                if table is None:
                    return self._not_acceptable("an ASK", TABLE_TYPES, req)
                body = result.serialize(format=getattr(ox.QueryResultsFormat, OX_TABLE_FORMATS[table]))
                return {"s": 200, "k": "t", "f": table, "tr": False, "n": 1}, body
            if isinstance(result, ox.QuerySolutions):
                if table is None:
                    return self._not_acceptable("a SELECT", TABLE_TYPES, req)
                variables = [v.value for v in result.variables]
                rows = list(islice(result, self.max_results + 1))
                truncated = len(rows) > self.max_results
                del rows[self.max_results :]
                body = self._solutions_json(variables, rows)
                if table != "json":
                    parsed = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
                    body = parsed.serialize(format=getattr(ox.QueryResultsFormat, OX_TABLE_FORMATS[table]))
                return {"s": 200, "k": "t", "f": table, "tr": truncated, "n": len(rows)}, body
            if graph is None:
                return self._not_acceptable("a CONSTRUCT or DESCRIBE", GRAPH_TYPES, req)
            triples = list(islice(result, self.max_results + 1))
            truncated = len(triples) > self.max_results
            del triples[self.max_results :]
            body = self.write_graph(triples, graph)
            return {"s": 200, "k": "g", "f": graph, "tr": truncated, "n": len(triples)}, body
        except SyntaxError as exc:
            return {"s": 400}, f"SPARQL syntax error: {exc}".encode("utf-8")
        except OSError as exc:
            if exc.errno in _NO_NETWORK or any(f"os error {n})" in str(exc) for n in _NO_NETWORK):
                # The sandbox stopped a connection (a SERVICE the text check did not see).
                return {"s": 400}, NETWORK_REFUSED.encode("utf-8")
            return {"s": 400}, f"query evaluation failed: {exc}".encode("utf-8")
        except (ValueError, TypeError, RuntimeError) as exc:
            # Evaluation errors (a bad dataset IRI, an unsupported feature): the request's fault.
            return {"s": 400}, f"query evaluation failed: {exc}".encode("utf-8")

    @staticmethod
    def _not_acceptable(what: str, types: dict[str, str], req: dict) -> tuple[dict, bytes]:
        offered = ", ".join(types.values())
        asked = f"format={req['fm']}" if req.get("fm") is not None else f"Accept: {req.get('a')}"
        return {"s": 406}, f"{what} result cannot be written as {asked}; acceptable types: {offered}".encode("utf-8")

    def _term(self, term) -> dict:
        ox = self.ox
        kind = type(term)
        if kind is ox.NamedNode:
            return {"type": "uri", "value": term.value}
        if kind is ox.Literal:
            out = {"type": "literal", "value": term.value}
            language = term.language
            if language:
                out["xml:lang"] = language
                direction = term.direction
                if direction is not None:
                    out["its:dir"] = str(direction)
            else:
                datatype = term.datatype.value
                if datatype != self.xsd_string:
                    out["datatype"] = datatype
            return out
        if kind is ox.BlankNode:
            return {"type": "bnode", "value": term.value}
        if kind is ox.Triple:
            return {
                "type": "triple",
                "value": {
                    "subject": self._term(term.subject),
                    "predicate": self._term(term.predicate),
                    "object": self._term(term.object),
                },
            }
        raise TypeError(f"unexpected RDF term {term!r}")

    def _solutions_json(self, variables: list[str], rows) -> bytes:
        """SPARQL 1.1 Query Results JSON (W3C), unbound variables left out of their binding object."""
        term = self._term
        bindings = []
        for row in rows:
            binding = {}
            for name, value in zip(variables, row):
                if value is not None:
                    binding[name] = term(value)
            bindings.append(binding)
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def write_graph(self, triples: list, key: str) -> bytes:
        ox = self.ox
        fmt = getattr(ox.RdfFormat, OX_GRAPH_FORMATS[key])
        kwargs = {}
        if key in ("ttl", "rdfxml"):
            kwargs["prefixes"] = used_prefixes(triples)
        return ox.serialize(triples, format=fmt, **kwargs)


# ---------------------------------------------------------------------------------------------
# The server side: workers, pool, cache
# ---------------------------------------------------------------------------------------------


class Timeout(Exception):
    pass


class WorkerDied(Exception):
    def __init__(self, message: str, sent: bool = True) -> None:
        super().__init__(message)
        self.sent = sent  # False: the query never reached the worker, so it is safe to retry


class Worker:
    """One worker process seen from the server: its pipes and a buffer of bytes read so far."""

    def __init__(self, init: bytes, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from exo_rdf.server.workers import worker_main; worker_main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
            bufsize=0,
        )
        self.rfd = self.proc.stdout.fileno()
        self.wfd = self.proc.stdin.fileno()
        try:  # bigger pipes: fewer wake-ups for large result documents (Linux only; harmless elsewhere)
            import fcntl

            fcntl.fcntl(self.rfd, 1031, 1 << 20)  # F_SETPIPE_SZ
        except (ImportError, OSError):
            pass
        view = memoryview(init)
        while view:  # small; the worker reads it first thing
            view = view[self.proc.stdin.write(view) :]
        os.set_blocking(self.rfd, False)
        os.set_blocking(self.wfd, False)
        self.buf = bytearray()
        self.ready = False
        self.info: dict | None = None
        self.fatal: str | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _note(self, meta: dict) -> bool:
        """Consume a start-up frame; True when it was one."""
        if meta.get("ready"):
            self.ready, self.info = True, meta
            return True
        if "fatal" in meta:
            self.fatal = meta["fatal"]
            return True
        return False

    def wait_ready(self, deadline: float) -> None:
        """Block until the worker has loaded its data (used by :meth:`SparqlService.start`)."""
        while not self.ready and self.fatal is None:
            frame = take_frame(self.buf)
            if frame is not None:
                self._note(frame[0])
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ExoError("a SPARQL worker did not finish loading its sources in time")
            readable, _, _ = select.select([self.rfd], [], [], remaining)
            if readable:
                try:
                    chunk = os.read(self.rfd, 1 << 20)
                except BlockingIOError:
                    continue
                if not chunk:
                    self.proc.wait()
                    raise ExoError(
                        f"a SPARQL worker exited while loading its sources "
                        f"(exit code {self.proc.returncode}); see the messages above"
                    )
                self.buf += chunk

    async def request(self, job: bytes, deadline: float) -> tuple[dict, bytes]:
        """Send one request frame and wait (without blocking the loop) for its reply frame."""
        loop = asyncio.get_running_loop()
        await self._write(loop, job, deadline)
        while True:
            frame = take_frame(self.buf)
            if frame is None:
                await self._readable_data(loop, deadline)
                continue
            if self._note(frame[0]):
                if self.fatal is not None:
                    raise WorkerDied(self.fatal)
                continue
            return frame

    async def _write(self, loop, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            try:
                sent = os.write(self.wfd, view)
                view = view[sent:]
                continue
            except BlockingIOError:
                pass
            except (BrokenPipeError, OSError):
                raise WorkerDied("the worker's pipe is closed", sent=False) from None
            fut = loop.create_future()
            loop.add_writer(self.wfd, lambda: fut.done() or fut.set_result(None))
            try:
                await wait(fut, deadline)
            finally:
                loop.remove_writer(self.wfd)

    async def _readable_data(self, loop, deadline: float) -> None:
        fut = loop.create_future()

        def on_readable():
            if fut.done():
                return
            try:
                chunk = os.read(self.rfd, 1 << 20)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                fut.set_exception(WorkerDied("the worker exited"))
                return
            self.buf += chunk
            fut.set_result(None)

        loop.add_reader(self.rfd, on_readable)
        try:
            await wait(fut, deadline)
        finally:
            loop.remove_reader(self.rfd)

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


async def wait(fut: asyncio.Future[Any], deadline: float) -> Any:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        fut.cancel()
        raise Timeout()
    try:
        return await asyncio.wait_for(fut, remaining)
    except asyncio.TimeoutError:
        raise Timeout() from None
