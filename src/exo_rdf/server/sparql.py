"""The SPARQL 1.1 Protocol engine behind ``/sparql``: a pool of query worker processes.

:class:`SparqlService` turns one protocol request (method, parameters, content type, Accept header,
body) into a :class:`Reply`; the HTTP layer (:mod:`exo_rdf.server.app`) only copies that reply out. Design:

- **Worker processes.** Each worker is a separate Python process (``python -c ...``, so it never
  re-imports the server's ``__main__``) holding its own in-memory pyoxigraph ``Store`` with every
  source loaded. pyoxigraph cannot interrupt a running query, so the time limit is enforced by killing
  the process: when a query exceeds ``timeout_s`` its worker is killed (SIGKILL) and a fresh one is
  spawned, while the other workers keep answering. The reply is **503 Service Unavailable** with
  ``query exceeded the time limit of N s`` and ``Retry-After`` (503 rather than 504, which means an
  upstream gateway timed out). Waiting for a free worker counts against the same limit.
- **Cheap IPC.** Requests and replies are length-prefixed frames of bytes over the worker's
  stdin/stdout pipes: a small JSON header plus the finished document, never a pickle. The event loop
  waits on the pipe with ``loop.add_reader`` so it never blocks; the pool hand-off is thread-safe, so
  :meth:`SparqlService.handle_sync` may be called from plain threads too.
- **Read-only and local.** Updates (``update=``, ``application/sparql-update`` or update text sent
  as a query) are refused with 403. pyoxigraph would fetch a ``SERVICE`` endpoint over HTTP, so every
  worker process is cut off the network before its first query (:mod:`exo_rdf.sandbox`: its own
  network namespace and a seccomp filter on inet sockets) and refuses to start otherwise; the worker
  also reads the query text (:mod:`exo_rdf.server.querytext`, linear time) and answers 400 for
  SERVICE, or for nesting deeper than the parser can take, before the engine sees it. Nothing whose
  cost grows with the query's size runs on the server's event loop.
- **Result cap.** At most ``max_results`` solutions or triples are returned. SELECT results are
  written as SPARQL 1.1 Results JSON by :func:`_solutions_json` (W3C JSON format, the same term
  encoding as pyoxigraph's writer); XML, CSV and TSV are produced from that by pyoxigraph's own
  writers, so every format is exactly what pyoxigraph writes. Graph results are collected and written
  with ``pyoxigraph.serialize``. A cut result stays a valid document and the reply carries
  ``X-Exo-Results-Truncated: true``.
- **Reply cache.** The data never changes while serving, so successful replies are kept in an LRU
  cache keyed by (query text, negotiated formats, dataset parameters); ``X-Exo-Cache`` says
  ``hit`` or ``miss``. It holds at most ``cache_size`` replies and ``cache_bytes`` bytes; a reply
  larger than an eighth of the byte budget is not kept. ``cache_size=0`` turns it off.
- **Reply limit.** A result document larger than ``max_reply_bytes`` is not sent: the worker answers
  400 saying how large it was and to ask for less (LIMIT, fewer variables).
- **Dataset.** Triple files (.nt .ttl .owl .rdf .jsonld .n3) are loaded into the default graph,
  quad files (.nq .trig) keep their named graphs. Without ``FROM`` or protocol dataset parameters the
  default graph is the merge of everything loaded (``sd:UnionDefaultGraph``); ``default-graph-uri``
  and ``named-graph-uri`` replace the dataset as the protocol says.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import functools
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from ..errors import ExoError
from ..querytext import FORMS, UPDATE_WORDS, QueryShape, keywords, query_shape  # noqa: F401 (public names)
from ..rdfio import (
    FORMAT_PARAM,
    GRAPH_OFFERS,
    GRAPH_TYPES,
    OX_GRAPH_FORMATS,
    OX_TABLE_FORMATS,
    SOURCE_FORMATS,
    TABLE_OFFERS,
    TABLE_TYPES,
)
from .conneg import negotiate
from .workers import READ_ONLY, Timeout, Worker, WorkerDied, pack_frame, wait

__all__ = [
    "CACHE_HEADER",
    "FORMS",
    "TEXT",
    "TRUNCATED_HEADER",
    "UPDATE_WORDS",
    "QueryShape",
    "Reply",
    "SparqlService",
    "keywords",
    "query_shape",
]

# ---------------------------------------------------------------------------------------------
# Replies and formats
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One HTTP reply: status, content type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


TEXT = "text/plain; charset=utf-8"
TRUNCATED_HEADER = "X-Exo-Results-Truncated"
CACHE_HEADER = "X-Exo-Cache"


def _text(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, TEXT, (message.rstrip("\n") + "\n").encode("utf-8"), headers)


# ---------------------------------------------------------------------------------------------
# Content negotiation
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _negotiate_both(accept: str | None) -> tuple[str | None, str | None]:
    return negotiate(accept, TABLE_OFFERS), negotiate(accept, GRAPH_OFFERS)


# ---------------------------------------------------------------------------------------------
# Reading query text without running it
# ---------------------------------------------------------------------------------------------

# The text checks (form, SERVICE, FROM, nesting) run in the worker processes: see querytext.py.


class SparqlService:
    """A read-only SPARQL 1.1 Protocol endpoint over ``sources``, answered by worker processes.

    ``workers`` processes each hold the whole dataset; a query running longer than ``timeout_s``
    (including time spent waiting for a free worker) is cut off with 503; at most ``max_results``
    solutions or triples are returned; ``cache_size`` successful replies are remembered.
    """

    def __init__(
        self,
        sources: list[Path],
        *,
        workers: int = 2,
        timeout_s: float = 10.0,
        max_results: int = 10_000,
        endpoint_url: str = "http://127.0.0.1:8080/sparql",
        cache_size: int = 256,
        cache_bytes: int = 64 << 20,
        max_reply_bytes: int = 64 << 20,
    ) -> None:
        if workers < 1:
            raise ExoError(f"the SPARQL endpoint needs at least one worker, not {workers}")
        if not timeout_s > 0:
            raise ExoError(f"the SPARQL time limit must be positive, not {timeout_s}")
        if max_results < 1:
            raise ExoError(f"the SPARQL result cap must be at least 1, not {max_results}")
        import pyoxigraph as ox

        try:
            ox.NamedNode(endpoint_url)
        except ValueError:
            raise ExoError(f"the SPARQL endpoint URL {endpoint_url!r} is not an absolute IRI") from None
        self.sources = [Path(s) for s in sources]
        self.workers = int(workers)
        self.timeout_s = float(timeout_s)
        self.max_results = int(max_results)
        self.endpoint_url = endpoint_url
        self.cache_size = max(0, int(cache_size))
        self.cache_bytes = max(0, int(cache_bytes))
        self.max_reply_bytes = int(max_reply_bytes)
        if self.max_reply_bytes < 1024:
            raise ExoError(f"the SPARQL reply limit must be at least 1024 bytes, not {max_reply_bytes}")
        self._cached_bytes = 0
        self.stats = collections.Counter()
        self._cache: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.RLock()
        self._idle: list[Worker] = []
        self._all: list[Worker] = []
        self._waiters: collections.deque = collections.deque()
        self._started = False
        self._closed = False
        self._info: dict | None = None
        self._descriptions: dict[str, bytes] = {}
        self._init: bytes = b""
        self._env: dict[str, str] = {}

    # -- life cycle -------------------------------------------------------------------------

    def __enter__(self) -> "SparqlService":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pids(self) -> list[int]:
        """Process ids of the current workers."""
        with self._lock:
            return [w.pid for w in self._all]

    def _config(self) -> tuple[bytes, dict[str, str]]:

        sources = []
        for path in self.sources:
            spec = SOURCE_FORMATS.get(path.suffix.lower())
            if spec is None:
                raise ExoError(
                    f"{path}: unknown RDF format for a SPARQL endpoint source; use one of {', '.join(SOURCE_FORMATS)}"
                )
            if not path.is_file():
                raise ExoError(f"{path}: SPARQL endpoint source not found")
            if not os.access(path, os.R_OK):
                raise ExoError(f"{path}: SPARQL endpoint source is not readable")
            sources.append([str(path.resolve()), spec[0], spec[1]])
        config = {"sources": sources, "max_results": self.max_results, "max_reply_bytes": self.max_reply_bytes}
        env = dict(os.environ)
        # The worker imports this package; make sure it finds the same copy the server runs.
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        env["EXO_SPARQL_PARENT"] = str(os.getpid())
        return pack_frame(config), env

    def start(self) -> None:
        """Spawn the worker processes and wait until each has loaded the sources (idempotent).

        A source that is missing, unreadable or malformed raises :class:`ExoError` naming the file.
        """
        with self._lock:
            if self._started and not self._closed:
                return
            self._init, self._env = self._config()
            self._closed = False
            self._cache.clear()
            self._cached_bytes = 0
            started: list[Worker] = []
            try:
                for _ in range(self.workers):
                    started.append(Worker(self._init, self._env))
                deadline = time.monotonic() + max(60.0, 10 * self.timeout_s)
                for worker in started:
                    worker.wait_ready(deadline)
                    if worker.fatal is not None:
                        raise ExoError(worker.fatal)
            except BaseException:
                for worker in started:
                    worker.kill()
                raise
            self._info = started[0].info
            self._all = list(started)
            self._idle = list(started)
            self._started = True

    def close(self) -> None:
        """Stop every worker process (busy ones included) and wait for them to exit."""
        with self._lock:
            self._closed = True
            self._started = False
            workers, self._all, self._idle = self._all, [], []
            waiters, self._waiters = list(self._waiters), collections.deque()
        for worker in workers:
            try:
                worker.proc.stdin.close()  # an idle worker exits on end of input
            except OSError:
                pass
        for worker in workers:
            try:
                worker.proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
            worker.kill()
        for loop, fut in waiters:
            try:
                loop.call_soon_threadsafe(_fail, fut)
            except RuntimeError:
                pass

    # -- pool -----------------------------------------------------------------------------------

    def _spawn(self) -> None:
        """Add a fresh worker (it loads the data while it waits for its first request)."""
        worker = Worker(self._init, self._env)
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.append(worker)
        self.stats["restarts"] += 1
        self._release(worker)

    def _retire(self, worker: Worker, replace: bool = True) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            if worker in self._idle:
                self._idle.remove(worker)
            closed = self._closed
        if replace and not closed:
            self._spawn()

    def _release(self, worker: Worker) -> None:
        with self._lock:
            if self._closed or worker not in self._all:
                worker.kill()
                return
            while self._waiters:
                loop, fut = self._waiters.popleft()
                if fut.done():
                    continue
                try:
                    loop.call_soon_threadsafe(self._deliver, fut, worker)
                    return
                except RuntimeError:  # that waiter's loop is closed
                    continue
            self._idle.append(worker)

    def _deliver(self, fut, worker: Worker) -> None:
        if fut.done():  # the waiter gave up meanwhile: pass the worker on
            self._release(worker)
        else:
            fut.set_result(worker)

    async def _acquire(self, deadline: float) -> Worker:
        loop = asyncio.get_running_loop()
        while True:
            with self._lock:
                if self._closed or not self._started:
                    raise WorkerDied("the SPARQL endpoint is not running")
                # First in, first out: every worker takes turns, so a dead one is noticed soon.
                worker = self._idle.pop(0) if self._idle else None
                if worker is None:
                    fut = loop.create_future()
                    self._waiters.append((loop, fut))
            if worker is None:
                try:
                    worker = await wait(fut, deadline)
                except BaseException:
                    with self._lock:
                        try:
                            self._waiters.remove((loop, fut))
                        except ValueError:
                            pass
                    fut.cancel()
                    raise
            if worker.alive():
                return worker
            self.stats["died"] += 1  # died while idle (killed from outside): replace, try again
            self._retire(worker)

    async def _execute(self, job: dict, deadline: float) -> tuple[dict, bytes]:
        data = pack_frame(job)
        for _ in range(3):
            worker = await self._acquire(deadline)
            try:
                meta, body = await worker.request(data, deadline)
            except Timeout:
                self.stats["timeouts"] += 1
                self._retire(worker)
                raise
            except WorkerDied as exc:
                self.stats["died"] += 1
                self._retire(worker)
                if worker.fatal is not None:
                    return {"s": 500}, f"the query worker cannot load its data: {worker.fatal}".encode("utf-8")
                if not exc.sent:
                    continue  # it died before it got the query: another worker can take it
                # A worker that dies while running a query may have been killed by that very query
                # (memory): answer 500 rather than sacrificing another worker to it.
                return {"s": 500}, f"the query worker died while answering ({exc})".encode("utf-8")
            except BaseException:  # cancelled (client went away): the worker's state is unknown
                self._retire(worker)
                raise
            self._release(worker)
            return meta, body
        raise WorkerDied("three workers in a row died before they could take the query")

    # -- protocol -------------------------------------------------------------------------------

    def handle_sync(
        self, method: str, params: list[tuple[str, str]], content_type: str | None, accept: str | None, body: bytes
    ) -> Reply:
        """:meth:`handle` for callers without an event loop (runs one in this thread)."""
        return asyncio.run(self.handle(method, params, content_type, accept, body))

    async def handle(
        self, method: str, params: list[tuple[str, str]], content_type: str | None, accept: str | None, body: bytes
    ) -> Reply:
        """Answer one SPARQL 1.1 Protocol request (``params`` are the URL's query parameters)."""
        self.stats["requests"] += 1
        method = method.upper()
        if method in ("GET", "HEAD"):
            fields = params
        elif method == "POST":
            media = (content_type or "").split(";", 1)[0].strip().lower()
            if media == "application/x-www-form-urlencoded":
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    return _text(400, "the form body is not UTF-8")
                fields = [*params, *parse_qsl(text, keep_blank_values=True)]
            elif media == "application/sparql-query":
                try:
                    query_text = body.decode("utf-8")
                except UnicodeDecodeError:
                    return _text(400, "the query body is not UTF-8")
                if any(name == "query" for name, _ in params):
                    return _text(400, "give the query either in the body or as a 'query' parameter, not both")
                fields = [*params, ("query", query_text)]
            elif media == "application/sparql-update":
                return self._read_only()
            else:
                return _text(
                    415,
                    f"unsupported POST content type {media or '(none)'!r}; send "
                    "application/sparql-query or application/x-www-form-urlencoded",
                )
        else:
            return _text(405, f"method {method} is not allowed; use GET or POST", (("Allow", "GET, POST"),))

        queries: list[str] = []
        default_graphs: list[str] = []
        named_graphs: list[str] = []
        format_value = None
        for name, value in fields:
            if name == "query":
                queries.append(value)
            elif name == "update":
                return self._read_only()
            elif name == "default-graph-uri":
                default_graphs.append(value)
            elif name == "named-graph-uri":
                named_graphs.append(value)
            elif name in ("format", "output"):
                format_value = value
        if not queries:
            if method == "POST":
                return _text(400, "missing 'query' parameter")
            return self._describe_service(accept, format_value)
        if len(queries) > 1:
            return _text(400, "give exactly one 'query' parameter")
        query = queries[0]

        if format_value is not None:
            formats = FORMAT_PARAM.get(format_value.strip().lower())
            if formats is None:
                names = ", ".join(k for k in FORMAT_PARAM if "/" not in k)
                return _text(400, f"unknown format {format_value!r}; use one of {names} or a media type")
        else:
            formats = _negotiate_both(accept)
        table, graph = formats
        dataset = (tuple(default_graphs), tuple(named_graphs)) if default_graphs or named_graphs else None
        key = (query, table, graph, dataset)
        if self.cache_size:
            with self._lock:
                entry = self._cache.get(key)
                hit = None
                if entry is not None:
                    self._cache.move_to_end(key)
                    hit = entry[0]
            if hit is not None:
                self.stats["cache_hits"] += 1
                return dataclasses.replace(hit, headers=(*hit.headers, (CACHE_HEADER, "hit")))

        if dataset is not None:
            import pyoxigraph as ox

            for param, iris in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
                for iri in iris:
                    try:
                        ox.NamedNode(iri)
                    except ValueError:
                        return _text(400, f"{param} {iri!r} is not an absolute IRI")
        if not self._started:
            return _text(503, "the SPARQL endpoint is not running", (("Retry-After", "1"),))

        job = {"q": query, "t": table, "g": graph, "a": accept, "fm": format_value}
        if dataset is not None:
            job["dg"], job["ng"] = list(dataset[0]), list(dataset[1])
        deadline = time.monotonic() + self.timeout_s
        try:
            meta, body = await self._execute(job, deadline)
        except Timeout:
            return _text(503, f"query exceeded the time limit of {self.timeout_s:g} s", (("Retry-After", "1"),))
        except WorkerDied as exc:
            return _text(503, f"the SPARQL endpoint cannot answer: {exc}", (("Retry-After", "1"),))
        status = meta.get("s", 500)
        if status != 200:
            if status == 406:
                return _text(406, body.decode("utf-8"), (("Vary", "Accept"),))
            return _text(status, body.decode("utf-8"))
        content_type = TABLE_TYPES[meta["f"]] if meta["k"] == "t" else GRAPH_TYPES[meta["f"]]
        headers: tuple[tuple[str, str], ...] = (("Vary", "Accept"),)
        if meta.get("tr"):
            headers += ((TRUNCATED_HEADER, "true"),)
        reply = Reply(200, content_type, body, headers)
        self._remember(key, reply)
        self.stats["queries"] += 1
        return dataclasses.replace(reply, headers=(*headers, (CACHE_HEADER, "miss")))

    @staticmethod
    def _read_only() -> Reply:
        return _text(403, READ_ONLY)

    @staticmethod
    def _not_acceptable(what: str, types: dict[str, str], accept: str | None, fmt: str | None) -> Reply:
        offered = ", ".join(types.values())
        asked = f"format={fmt}" if fmt is not None else f"Accept: {accept}"
        return _text(
            406, f"{what} result cannot be written as {asked}; acceptable types: {offered}", (("Vary", "Accept"),)
        )

    # -- service description --------------------------------------------------------------------

    def _describe_service(self, accept: str | None, format_value: str | None) -> Reply:
        if format_value is not None:
            key = FORMAT_PARAM.get(format_value.strip().lower(), (None, None))[1]
        else:
            key = negotiate(accept, GRAPH_OFFERS)
        if key is None:
            return self._not_acceptable("the service description", GRAPH_TYPES, accept, format_value)
        if self._info is None:
            return _text(503, "the SPARQL endpoint is not running", (("Retry-After", "1"),))
        body = self._descriptions.get(key)
        if body is None:
            body = self._descriptions[key] = self._description_document(key)
        return Reply(200, GRAPH_TYPES[key], body, (("Vary", "Accept"),))

    def description_triples(self) -> list:
        """The SPARQL 1.1 Service Description of this endpoint as pyoxigraph triples."""
        import pyoxigraph as ox

        from ..namespaces import PREFIXES

        def iri(curie: str):
            prefix, _, local = curie.partition(":")
            return ox.NamedNode(PREFIXES[prefix] + local)

        info = self._info or {"triples": 0, "graphs": {}}
        a = iri("rdf:type")
        service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
        count = functools.partial(ox.Literal, datatype=iri("xsd:integer"))
        triples = [
            ox.Triple(service, a, iri("sd:Service")),
            ox.Triple(service, iri("sd:endpoint"), ox.NamedNode(self.endpoint_url)),
            ox.Triple(service, iri("sd:supportedLanguage"), iri("sd:SPARQL11Query")),
            ox.Triple(service, iri("sd:feature"), iri("sd:UnionDefaultGraph")),
            ox.Triple(service, iri("rdfs:label"), ox.Literal("exo-rdf SPARQL endpoint", language="en")),
            ox.Triple(
                service,
                iri("rdfs:comment"),
                ox.Literal(
                    f"Read-only SPARQL 1.1 Query endpoint (updates and SERVICE are refused). Time limit: "
                    f"{self.timeout_s:g} s per query (503 when exceeded). Result cap: at most {self.max_results} "
                    f"solutions or triples per query; a cut result carries the HTTP header "
                    f"{TRUNCATED_HEADER}: true.",
                    language="en",
                ),
            ),
        ]
        # Every result format the endpoint writes (rdfio's tables), by its W3C formats-registry IRI;
        # pyoxigraph names JSON-LD by a non-registry IRI, so the registry's own name is used for it.
        formats = [getattr(ox.QueryResultsFormat, name) for name in OX_TABLE_FORMATS.values()]
        formats += [getattr(ox.RdfFormat, name) for name in OX_GRAPH_FORMATS.values() if name != "JSON_LD"]
        for fmt in formats:
            triples.append(ox.Triple(service, iri("sd:resultFormat"), ox.NamedNode(fmt.iri)))
        formats_ns = ox.RdfFormat.TURTLE.iri.rsplit("/", 1)[0] + "/"
        triples.append(ox.Triple(service, iri("sd:resultFormat"), ox.NamedNode(formats_ns + "JSON-LD")))
        triples += [
            ox.Triple(service, iri("sd:defaultDataset"), dataset),
            ox.Triple(dataset, a, iri("sd:Dataset")),
            ox.Triple(dataset, iri("sd:defaultGraph"), default),
            ox.Triple(default, a, iri("sd:Graph")),
            ox.Triple(default, iri("void:triples"), count(str(info["triples"]))),
            ox.Triple(
                default, iri("rdfs:comment"), ox.Literal("The merge of every loaded source graph.", language="en")
            ),
        ]
        for number, (name, size) in enumerate(sorted(info["graphs"].items())):
            named, graph = ox.BlankNode(f"namedGraph{number}"), ox.BlankNode(f"graph{number}")
            triples += [
                ox.Triple(dataset, iri("sd:namedGraph"), named),
                ox.Triple(named, a, iri("sd:NamedGraph")),
                ox.Triple(named, iri("sd:name"), ox.NamedNode(name)),
                ox.Triple(named, iri("sd:graph"), graph),
                ox.Triple(graph, a, iri("sd:Graph")),
                ox.Triple(graph, iri("void:triples"), count(str(size))),
            ]
        return triples

    def _description_document(self, key: str) -> bytes:
        import pyoxigraph as ox

        from ..namespaces import PREFIXES

        kwargs = {}
        if key in ("ttl", "rdfxml"):
            kwargs["prefixes"] = {p: PREFIXES[p] for p in ("sd", "void", "rdf", "rdfs", "xsd")}
        return ox.serialize(self.description_triples(), format=getattr(ox.RdfFormat, OX_GRAPH_FORMATS[key]), **kwargs)

    # -- cache ----------------------------------------------------------------------------------

    def _remember(self, key: tuple, reply: Reply) -> None:
        """Keep a reply: at most ``cache_size`` replies and ``cache_bytes`` bytes (query text included),
        least recently used first out; a reply bigger than an eighth of the byte budget is not kept."""
        size = len(reply.body) + len(key[0]) + 256
        if not self.cache_size or size > self.cache_bytes // 8:
            return
        with self._lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._cached_bytes -= old[1]
            self._cache[key] = (reply, size)
            self._cached_bytes += size
            while len(self._cache) > self.cache_size or self._cached_bytes > self.cache_bytes:
                _, (_, dropped) = self._cache.popitem(last=False)
                self._cached_bytes -= dropped

    @property
    def cached_bytes(self) -> int:
        """Bytes the reply cache holds now (bodies, query texts and a fixed overhead per entry)."""
        return self._cached_bytes

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._cached_bytes = 0


def _fail(fut) -> None:
    if not fut.done():
        fut.set_exception(WorkerDied("the SPARQL endpoint was closed"))
