"""``exo-rdf serve``: the linked-data server (ASGI: Starlette routes, uvicorn with httptools and uvloop).

* ``/sparql`` (GET, POST): the SPARQL 1.1 endpoint of :mod:`exo_rdf.server.sparql`, handled at the raw
  ASGI level before any routing so that a simple query costs as little as possible.
* ``/`` redirects to ``/exo-rdf/``, the home page; ``/exo-rdf/search``, ``/exo-rdf/cq/``,
  ``/exo-rdf/entity/CURIE``, ``/exo-rdf/downloads/`` are site pages.
* ``/exo-rdf/PATH`` for an IRI ``https://w3id.org/exo-rdf/PATH`` of ours answers 303 See Other to the
  document ``/exo-rdf/PATH.html|.ttl|.jsonld|.rdf|.nt`` that fits the Accept header ("Cool URIs for the
  Semantic Web", 303 variant), with ``Vary: Accept``.

Page handlers are plain functions, so Starlette runs them in its thread pool and a slow page never
blocks the event loop that answers /sparql. The server binds 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, quote

from ..errors import ExoError
from ..project import Project
from .editor import wants_editor

__all__ = [
    "HOST",
    "MAX_BODY",
    "check_dist",
    "create_app",
    "run",
]

#: Largest request body /sparql accepts (a query or a form), in bytes (``serve --max-query-bytes``).
MAX_BODY = 1_000_000
HOST = "127.0.0.1"
#: Methods the site's pages answer; anything else gets 405 with an Allow header.
PAGE_METHODS = ("GET", "HEAD")
#: Most connections served at once; more get 503 from uvicorn instead of piling up.
MAX_CONNECTIONS = 512


def _sources(project: Project) -> list[Path]:
    """What the server reads: instance data and the full ontology (with imports)."""
    return [project.dist_dir / "data" / "exo-data.nt", project.dist_dir / "ontology" / "exo.ttl"]


def _endpoint_sources(project: Project) -> list[Path]:
    """The SPARQL endpoint's dataset: the N-Quads dump where the build wrote one (one named graph per
    source paper, queried as a union default graph), the full ontology, the VoID description and the
    stored questions as SPARQL examples."""
    dist = project.dist_dir
    quads = dist / "data" / "exo-data.nq"
    files = [quads if quads.is_file() else dist / "data" / "exo-data.nt", dist / "ontology" / "exo.ttl"]
    # queries.ttl: the competency questions as SHACL SPARQL executables (exo_rdf.examples)
    return files + [p for p in (dist / "void.ttl", dist / "queries.ttl") if p.is_file()]


def check_dist(project: Project) -> None:
    """Raise a plain error unless dist/ holds what the server reads."""
    if not project.dist_dir.is_dir():
        raise ExoError(f"{project.dist_dir} not found: run exo-rdf build first")
    for path in _sources(project):
        if not path.is_file():
            raise ExoError(f"{path} not found: run exo-rdf build first")


class _PageCache:
    """A bounded least-recently-used cache of rendered pages. The store never changes while serving, so a
    page rendered once stays right; the bound keeps memory flat whatever URLs clients invent."""

    def __init__(self, size: int = 512):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, make: Callable[[], Any]):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = make()
        with self._lock:
            self._items[key] = found
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return found


class _SparqlFront:
    """The ASGI entry point: /sparql straight to the SPARQL service, everything else to the pages."""

    def __init__(self, pages, state: dict, max_body: int = MAX_BODY, editor: Callable[[list], str] | None = None):
        self.pages = pages
        self.state = state
        self.max_body = max_body
        self.editor = editor

    async def __call__(self, scope, receive, send):
        # /exo-rdf/sparql is where our endpoint IRI (void:sparqlEndpoint https://w3id.org/exo-rdf/sparql) lands
        if scope["type"] == "http" and scope["path"] in ("/sparql", "/exo-rdf/sparql"):
            await self._sparql(scope, receive, send)
        elif scope["type"] == "http" and scope["method"] not in PAGE_METHODS:
            await _plain(
                send,
                405,
                f"method {scope['method']} is not allowed here; the pages answer {' and '.join(PAGE_METHODS)}\n".encode(
                    "utf-8"
                ),
                (("allow", ", ".join(PAGE_METHODS)),),
            )
        else:
            await self.pages(scope, receive, send)

    async def _sparql(self, scope, receive, send):
        method = scope["method"]
        if method not in ("GET", "POST", "HEAD"):
            await _plain(send, 405, b"use GET or POST for /sparql\n", (("allow", "GET, POST"),))
            return
        content_type = accept = None
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"accept":
                accept = value.decode("latin-1")
        params = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        if self.editor is not None and wants_editor(method, params, accept):
            page = self.editor(params).encode("utf-8")
            headers = [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(page)).encode()),
                (b"vary", b"Accept"),
            ]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"" if method == "HEAD" else page})
            return
        body = b""
        if method == "POST":
            chunks, size, more = [], 0, True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body:
                    await _plain(
                        send,
                        413,
                        f"the request body is larger than {self.max_body} bytes (the "
                        "query size limit, serve --max-query-bytes)\n".encode("utf-8"),
                    )
                    return
                chunks.append(chunk)
                more = message.get("more_body", False)
            body = b"".join(chunks)
        service = self.state.get("sparql")
        if service is None:  # only between start-up and the end of the lifespan's start
            await _plain(send, 503, b"the SPARQL service is starting; try again\n")
            return
        reply = await service.handle("GET" if method == "HEAD" else method, params, content_type, accept, body)
        headers = [
            (b"content-type", reply.content_type.encode("latin-1")),
            (b"content-length", str(len(reply.body)).encode()),
        ]
        headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else reply.body})


async def _plain(send, status: int, body: bytes, extra=()):
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_app(
    project: Project,
    *,
    workers: int = 2,
    timeout_s: float = 10.0,
    max_results: int = 10_000,
    endpoint_url: str = f"http://{HOST}:8080/sparql",
    cache_size: int = 256,
    cache_bytes: int = 64 << 20,
    max_reply_bytes: int = 64 << 20,
    max_query_bytes: int = MAX_BODY,
) -> Callable[..., Any]:
    """The ASGI application serving ``project``'s dist/. The store loads and the SPARQL service starts
    in the lifespan (when the server starts), not here."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.responses import (
        FileResponse,
        HTMLResponse,
        RedirectResponse,
        Response,
    )
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from ..rdfio import DOC_TYPES
    from .facets import Browser
    from .site import MOUNT, Site, download_path, iri_href, negotiate, negotiate_table

    check_dist(project)
    site = Site(project)
    browser = Browser(site)
    state: dict = {}

    def html(body: str, status: int = 200, headers: dict | None = None) -> HTMLResponse:
        return HTMLResponse(body, status_code=status, headers=headers)

    def not_found(message: str) -> HTMLResponse:
        return html(site.render("error.html", title="Not found", message=message), 404)

    def root(request):
        return RedirectResponse(MOUNT, status_code=302)

    pictures: dict = {}

    def home(request):
        from .charts import bars, heat_map

        example = site.example_query()
        if not pictures:  # the store never changes while serving: draw once
            pictures.update(
                heat=heat_map(site, browser, MOUNT),
                levels=bars(site, browser, "level", MOUNT),
                models=bars(site, browser, "model", MOUNT),
            )
        return html(
            site.render(
                "home.html",
                title="exo-rdf",
                counts=site.counts,
                queries=site.queries,
                pictures=pictures,
                ontology_iri=str(_ontology_iri()),
                example_query=example,
                example_href="/sparql#query=" + quote(example, safe=""),
                downloads=list(site.downloads.values()),
            )
        )

    def search(request):
        q = request.query_params.get("q", "")
        limit = 200
        results = site.search(q, limit=limit) if q.strip() else []
        return html(
            site.render("search.html", title=f"Search: {q}" if q else "Search", q=q, results=results, limit=limit)
        )

    def cq_list(request):
        return html(site.render("cq_list.html", title="Competency questions", queries=site.queries))

    def cq_page(request):
        qid = request.path_params["qid"]
        result = site.cq(qid)
        if result is None:
            return not_found(f"There is no competency question {qid!r}.")
        return html(
            site.render(
                "cq.html", title=result.query.summary or qid, r=result, run_href="/sparql?edit=" + quote(qid, safe="")
            )
        )

    def entity(request):
        curie = request.path_params["curie"]

        def page():
            data = site.entity(curie)
            return None if data is None else site.render("entity.html", title=data["label"], t=data)

        body = cache.get(("entity", curie), page) if len(curie) < 300 else page()
        if body is None:
            return not_found(f"{curie} is not a term used in this knowledge graph.")
        return html(body)

    cache = _PageCache()

    def findings(request):
        params = list(request.query_params.multi_items())
        fmt = request.query_params.get("format")
        if fmt is None:
            fmt = negotiate_table(request.headers.get("accept"))
        key = ("findings", fmt, tuple(sorted((k, v) for k, v in params if k != "format")))
        body, media, status = cache.get(key, lambda: _findings_reply(params, fmt))
        return Response(body, status_code=status, media_type=media, headers={"Vary": "Accept"})

    def _findings_reply(params, fmt) -> tuple[bytes, str, int]:
        from .facets import to_csv, to_json

        data = browser.page(params)
        page = "text/html; charset=utf-8"
        if fmt == "csv":
            return to_csv(data["rows"]), "text/csv; charset=utf-8", 200
        if fmt == "json":
            return to_json(data["rows"], data["selection"]), "application/json", 200
        if fmt not in (None, "html"):
            return (
                site.render(
                    "error.html", title="Unknown format", message=f"Unknown format {fmt[:40]!r}: use csv, json or html."
                ).encode(),
                page,
                400,
            )
        return (
            site.render(
                "findings.html",
                title="Findings browser",
                total=data["total"],
                description="Filter the findings of the exo-rdf knowledge graph by disease, organ "
                "system, MSC source, cargo, model and more; download as CSV or JSON.",
                rows=data["rows"],
                facets=data["facets"],
                selection=data["selection"],
                query_items=data["selection"].query_items(),
            ).encode("utf-8"),
            page,
            200,
        )

    def downloads(request):
        return html(site.render("downloads.html", title="Downloads", downloads=list(site.downloads.values())))

    def download(request):
        rel = request.path_params["path"]
        item = download_path(site, rel)
        if item is None:
            return not_found(f"There is no release file {rel!r}.")
        return FileResponse(site.dist / item.path, media_type=item.media_type)

    def release(request):
        """Release IRIs (https://w3id.org/exo-rdf/releases/VERSION/...: download URLs in void.ttl and the
        ontology's owl:versionIRI) resolve to the files of the release being served."""
        version, rel = request.path_params["version"], request.path_params["path"]
        if version != site.version:
            return not_found(f"This server publishes release {site.version}, not {version}.")
        for candidate in (rel, f"ontology/{rel}"):  # versionIRIs name the ontology file without its folder
            item = download_path(site, candidate)
            if item is not None:
                return FileResponse(site.dist / item.path, media_type=item.media_type)
        return not_found(f"Release {version} has no file {rel!r}.")

    def resource(request):
        path = request.path_params["path"]
        found = site.resolve(path)
        if found is None:
            return not_found(f"Nothing here has the IRI {site_iri(path)}.")
        iri, suffix = found
        if suffix is None:
            choice = negotiate(request.headers.get("accept"))
            if choice is None:
                body = "Not acceptable. Available: " + ", ".join(t.split(";")[0] for t in DOC_TYPES.values())
                return Response(body + "\n", status_code=406, media_type="text/plain", headers={"Vary": "Accept"})
            return Response(status_code=303, headers={"Location": f"{iri_href(iri)}.{choice}", "Vary": "Accept"})
        if suffix == "html":
            if iri == str(_ontology_iri()) and site.ontology_docs is not None:
                return FileResponse(site.ontology_docs, media_type=DOC_TYPES["html"])
            return html(cache.get(("resource", iri), lambda: site.resource_page(iri)))
        doc = site.document(iri, suffix)
        return Response(doc.body, media_type=doc.media_type)

    def site_iri(path: str) -> str:
        from ..namespaces import BASE

        return BASE + path

    async def on_404(request, exc):
        return not_found(
            exc.detail
            if isinstance(exc.detail, str) and exc.detail != "Not Found"
            else f"There is no page at {request.url.path}."
        )

    def prepare() -> None:
        """Load the site and start the SPARQL workers now (a plain ExoError when the data is bad)."""
        from .sparql import SparqlService

        if "sparql" in state:
            return
        site.load()
        browser.load()
        service = SparqlService(
            _endpoint_sources(project),
            workers=workers,
            timeout_s=timeout_s,
            max_results=max_results,
            endpoint_url=endpoint_url,
            cache_size=cache_size,
            cache_bytes=cache_bytes,
            max_reply_bytes=max_reply_bytes,
        )
        service.start()
        state["sparql"] = service

    @contextlib.asynccontextmanager
    async def lifespan(app):
        import anyio

        await anyio.to_thread.run_sync(prepare)
        try:
            yield
        finally:
            service = state.pop("sparql", None)
            if service is not None:
                service.close()

    static_dir = Path(__file__).resolve().parent / "static"
    routes = [
        Route("/", root),
        Route(MOUNT, home),
        Route(MOUNT + "search", search),
        Route(MOUNT + "findings", findings),
        Route(MOUNT + "cq/", cq_list),
        Route(MOUNT + "cq/{qid}", cq_page),
        Route(MOUNT + "entity/{curie:path}", entity),
        Route(MOUNT + "downloads/", downloads),
        Route(MOUNT + "downloads/{path:path}", download),
        Route(MOUNT + "releases/{version}/{path:path}", release),
        Mount(MOUNT + "static", app=StaticFiles(directory=static_dir), name="static"),
        Route(MOUNT + "{path:path}", resource),
    ]
    pages = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: on_404, HTTPException: on_404})

    def editor(params):
        wanted = dict(params).get("edit", "")
        if len(wanted) > 200:
            wanted = wanted[:200]
        return cache.get(("editor", wanted), lambda: _editor_page([("edit", wanted)]))

    def _editor_page(params):
        from .editor import EXAMPLES_QUERY, editor_context

        return site.render(
            "sparql_editor.html",
            title="SPARQL query editor",
            examples_query=EXAMPLES_QUERY,
            description="Write and run SPARQL queries on the exo-rdf knowledge graph; every "
            "stored competency question is an example.",
            **editor_context(site, params),
        )

    front = _SparqlFront(pages, state, max_query_bytes, editor)
    front.prepare = prepare
    return front


def _ontology_iri():
    from ..namespaces import ONTOLOGY_IRI

    return ONTOLOGY_IRI


def run(
    project: Project,
    *,
    port: int = 8080,
    timeout_s: float = 10.0,
    max_results: int = 10_000,
    workers: int = 2,
    cache_size: int = 256,
    cache_bytes: int = 64 << 20,
    max_reply_bytes: int = 64 << 20,
    max_query_bytes: int = MAX_BODY,
    head_timeout: float = 10.0,
    body_timeout: float = 30.0,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``project``'s dist/ on 127.0.0.1 until interrupted (Ctrl-C stops cleanly).

    ``port=0`` picks a free port. ``on_ready`` receives the base URL once the server answers.
    """
    import asyncio

    import uvicorn

    check_dist(project)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise ExoError(
            f"cannot listen on {HOST}:{port}: {exc.strerror or exc}; choose another --port (or --port 0 for a free one)"
        ) from None
    port = sock.getsockname()[1]
    url = f"http://{HOST}:{port}/"
    app = create_app(
        project,
        workers=workers,
        timeout_s=timeout_s,
        max_results=max_results,
        endpoint_url=f"{url}sparql",
        cache_size=cache_size,
        cache_bytes=cache_bytes,
        max_reply_bytes=max_reply_bytes,
        max_query_bytes=max_query_bytes,
    )
    from .protocol import GuardedHttpToolsProtocol

    protocol = type(
        "HttpProtocol",
        (GuardedHttpToolsProtocol,),
        {"head_timeout": float(head_timeout), "body_timeout": float(body_timeout)},
    )
    try:
        app.prepare()  # before uvicorn: bad data is a plain error, not a traceback from the lifespan
    except BaseException:
        sock.close()
        service = app.state.pop("sparql", None)
        if service is not None:
            service.close()
        raise
    loop = "uvloop"
    try:
        import uvloop  # noqa: F401
    except ImportError:  # uvloop does not exist on Windows
        loop = "asyncio"
    config = uvicorn.Config(
        app,
        loop=loop,
        http=protocol,
        lifespan="on",
        log_level="warning",
        access_log=False,
        server_header=False,
        limit_concurrency=MAX_CONNECTIONS,
    )
    server = uvicorn.Server(config)

    async def main():
        task = asyncio.ensure_future(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if server.started and on_ready is not None:
            on_ready(url)
        await task

    try:
        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            runner.run(main())
    except KeyboardInterrupt:
        pass  # uvicorn has shut down gracefully and re-raised the Ctrl-C: that is a normal stop
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise ExoError("the server could not start (see the messages above)") from None
    finally:
        sock.close()
