"""``exo-rdf publish virtuoso``: the release in dist/ on a Virtuoso Open Source 7 server.

The server is one this module starts and owns: ``virtuoso-t`` (Debian's ``virtuoso-opensource-7-bin``)
with a generated ``virtuoso.ini`` in a state folder (default ``.exo-virtuoso/`` in the project), bound to
127.0.0.1 on free ports, its bulk loader allowed to read only the state folder's ``load/`` subfolder.
Nothing of the distribution's system service is used.

Publishing a release:

1. every file listed in ``dist/SHA256SUMS`` is checked (a mismatch refuses the release), and the files
   served are copied into ``load/<load id>/`` and checked again there, so what is loaded is what was
   checked;
2. the N-Quads dump (one named graph per source paper, graph descriptions in the default graph), the full
   ontology with its imports and the VoID description are bulk-loaded (``ld_dir`` + ``rdf_loader_run``,
   through ``isql-vt``) into graph names that carry the load id (``<graph>?load=<id>``), so nothing that
   is served is touched;
3. the loader's error list is read and every new graph's triple count is compared with the count read
   from the files; on any difference the new graphs are deleted and the previous release stays served;
4. every triple is also copied (inside Virtuoso) into one union graph of the load, ``<graph/release?load=<id>>``,
   the RDF merge of the named graphs; one row of ``DB.DBA.SYS_SPARQL_HOST`` (the default graph of the /sparql
   endpoint) is switched to it: a single-row update, so a query sees either the previous release or the new
   one, never a mixture;
5. the previous release's graphs are dropped.

The anonymous endpoint user (``SPARQL``, and ``nobody``) can read only: SPARQL_UPDATE, the Sponger and
SERVICE fetching are revoked. ``ResultSetMaxRows`` and ``MaxQueryExecutionTime`` follow ``serve``'s
``--max-results`` and ``--timeout``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ExoError
from .namespaces import EXOD

__all__ = [
    "BUFFERS_PER_GB",
    "DEFAULT_PASSWORD",
    "HOST",
    "INSTALL_HINT",
    "ISQL_BIN",
    "LOG_TAIL",
    "PASSWORD_ENV",
    "PASSWORD_PROMPT",
    "RELEASE_FILES",
    "SERVER_BIN",
    "STATE_DIR",
    "UNION",
    "LoadedGraph",
    "PublishResult",
    "Server",
    "connect",
    "ini_text",
    "isql",
    "load_files",
    "log_tail",
    "programs",
    "publish",
    "read_password",
    "role_graph",
    "running",
    "served_name",
    "server_limits",
    "start",
    "stop",
    "verify_release",
]

HOST = "127.0.0.1"
STATE_DIR = ".exo-virtuoso"
SERVER_BIN = "virtuoso-t"
ISQL_BIN = "isql-vt"
INSTALL_HINT = (
    "install Virtuoso Open Source 7 with `sudo apt-get install virtuoso-opensource-7-bin` "
    "(Debian/Ubuntu; `make setup` does this when run as root)"
)
#: Release files served, relative to dist/: (path, how its graph is named). The N-Quads dump keeps its
#: named graphs (renamed with the load id); its default-graph quads go to the "index" graph.
RELEASE_FILES = (("data/exo-data.nq", "index"), ("ontology/exo.ttl", "ontology"), ("void.ttl", "void"))
#: The endpoint's default graph: one graph holding every triple of the load (the RDF merge of its graphs),
#: its IRI carrying the load id.
UNION = str(EXOD["graph/release"])
#: Memory given to Virtuoso's page buffers per GB of --memory (Virtuoso's guide: 85,000 8-kB buffers per GB).
BUFFERS_PER_GB = 85_000
LOG_TAIL = 25
#: The environment variable ``--connect`` reads the dba password from (unless --password-file is given).
PASSWORD_ENV = "EXO_RDF_VIRTUOSO_PASSWORD"


@dataclass
class Server:
    """A running Virtuoso: one this module started (recorded in ``<state>/server.json``), or one it
    connected to (``external``; ``pid`` 0), whose loads are recorded in ``state`` all the same."""

    state: Path
    sql_port: int
    http_port: int
    pid: int
    password: str = field(repr=False, default="")
    host: str = HOST
    external: bool = False

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.http_port}/sparql"

    @property
    def log(self) -> Path:
        return self.state / "db" / "virtuoso.log"


@dataclass
class LoadedGraph:
    name: str  # the graph IRI as in the files (or the role: index, ontology, void)
    served_as: str  # the graph IRI in Virtuoso (with the load id)
    triples: int


@dataclass
class PublishResult:
    endpoint: str
    load_id: str
    graphs: list[LoadedGraph]
    seconds: float
    load_seconds: float
    dropped: list[str]
    started: bool
    #: distinct triples in the default graph (the union of the named graphs)
    union_triples: int = 0

    @property
    def triples(self) -> int:
        """Triples in the named graphs (a triple in two graphs counts twice)."""
        return sum(g.triples for g in self.graphs)


# --------------------------------------------------------------------------------------------------
# Finding the programs, ports, the configuration file


def programs() -> tuple[str, str]:
    """Paths of ``virtuoso-t`` and ``isql-vt``, or :class:`ExoError` saying how to install them."""
    found = [shutil.which(SERVER_BIN), shutil.which(ISQL_BIN)]
    missing = [name for name, path in zip((SERVER_BIN, ISQL_BIN), found) if not path]
    if missing:
        raise ExoError(f"Virtuoso is not installed ({', '.join(missing)} not found on PATH): {INSTALL_HINT}")
    return found[0], found[1]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _listening(port: int, host: str = HOST) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def ini_text(
    state: Path, *, sql_port: int, http_port: int, timeout_s: float, max_results: int, memory_gb: float
) -> str:
    """The ``virtuoso.ini`` of a server in ``state``: loopback ports, limits, buffers for ``memory_gb``."""
    db = state / "db"
    buffers = max(10_000, int(memory_gb * BUFFERS_PER_GB))
    # Virtuoso's limit is whole seconds; a fraction rounds up so that serve's limit is never undercut
    seconds = max(1, int(-(-timeout_s // 1)))
    return f"""; generated by exo-rdf publish virtuoso; rewritten on every start
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {HOST}:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
AllowOSCalls = 0
DirsAllowed = {state / "load"}
SchedulerInterval = 10
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxMemPoolSize = 200000000
MaxQueryMem = {max(1, int(memory_gb // 2 or 1))}G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = {max(1, os.cpu_count() or 1)}
AsyncQueueMaxThreads = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}

[HTTPServer]
ServerPort = {HOST}:{http_port}
ServerRoot = {state / "www"}
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 1

[AutoRepair]
BadParentLinks = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = {max_results}
MaxSortedTopRows = {max(10_000, max_results)}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {seconds}
DefaultQuery = SELECT (COUNT(*) AS ?triples) WHERE {{ ?s ?p ?o }}
DeferInferenceRulesInit = 0
"""


# --------------------------------------------------------------------------------------------------
# Starting, finding and stopping the server


def _record_file(state: Path) -> Path:
    return state / "server.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):  # a zombie child of this process counts as stopped
        if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
            return False
    return True


def running(state: Path) -> Server | None:
    """The server recorded in ``state`` if its process is alive and listening, else ``None``."""
    path = _record_file(state)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        server = Server(state, int(data["sql_port"]), int(data["http_port"]), int(data["pid"]), _password(state))
    except (ValueError, KeyError, OSError):
        return None
    if _alive(server.pid) and _listening(server.sql_port):
        return server
    return None


def _password(state: Path) -> str:
    path = state / "dba-password"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    return ""


def log_tail(state: Path, lines: int = LOG_TAIL) -> str:
    path = state / "db" / "virtuoso.log"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log written)"
    return "\n".join(text.splitlines()[-lines:])


def start(
    state: Path,
    *,
    sql_port: int = 0,
    http_port: int = 0,
    timeout_s: float = 10.0,
    max_results: int = 10_000,
    memory_gb: float = 1.0,
    wait_s: float = 120.0,
) -> Server:
    """Start ``virtuoso-t`` on a database in ``state`` (created on first start) and wait until it answers.

    Port 0 picks a free port. A port in use, a server that exits or does not come up in ``wait_s``
    raise :class:`ExoError` (with the tail of Virtuoso's log). The dba password is generated on first
    start and kept in ``state/dba-password`` (mode 600); the anonymous endpoint user is made read-only.
    """
    server_bin, _ = programs()
    state = state.resolve()
    if running(state):
        raise ExoError(
            f"a Virtuoso server is already running on {state}; stop it first (exo-rdf publish virtuoso --stop)"
        )
    for port, what in ((sql_port, "SQL"), (http_port, "HTTP")):
        if port and not _port_free(port):
            raise ExoError(f"port {port} on {HOST} is in use: choose another {what} port or 0 for a free one")
    sql_port = sql_port or _free_port()
    http_port = http_port or _free_port()
    if sql_port == http_port:
        raise ExoError("the SQL and HTTP ports must differ")
    for sub in ("db", "load", "www"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o700)
    (state / "virtuoso.ini").write_text(
        ini_text(
            state,
            sql_port=sql_port,
            http_port=http_port,
            timeout_s=timeout_s,
            max_results=max_results,
            memory_gb=memory_gb,
        ),
        encoding="utf-8",
    )
    fresh = not (state / "db" / "virtuoso.db").is_file()
    with open(state / "db" / "virtuoso.stdout", "ab") as out:
        proc = subprocess.Popen(
            [server_bin, "+foreground", "+configfile", str(state / "virtuoso.ini")],
            cwd=state / "db",
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(state, sql_port, http_port, proc.pid)
    deadline = time.monotonic() + wait_s
    while not (_listening(sql_port) and _listening(http_port)):
        if proc.poll() is not None:
            raise ExoError(
                f"Virtuoso exited while starting (code {proc.returncode}); last lines of "
                f"{server.log}:\n{log_tail(state)}"
            )
        if time.monotonic() > deadline:
            _kill(proc.pid)
            raise ExoError(
                f"Virtuoso did not start within {wait_s:.0f} s; last lines of {server.log}:\n{log_tail(state)}"
            )
        time.sleep(0.2)
    _record_file(state).write_text(
        json.dumps({"pid": proc.pid, "sql_port": sql_port, "http_port": http_port}), encoding="utf-8"
    )
    server.password = _password(state)
    if fresh or not server.password:
        _set_password(server)
    _lock_down(server)
    return server


def _set_password(server: Server) -> None:
    """Replace the default dba password of a new database by a generated one (kept mode 600)."""
    new = secrets.token_urlsafe(24)
    path = server.state / "dba-password"
    old = server.password or "dba"
    isql(server, f"USER_SET_PASSWORD('dba', {_sql_str(new)});", password=old, secrets_in_script=(new,))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(new + "\n")
    server.password = new


def _lock_down(server: Server) -> None:
    """The anonymous endpoint user reads only: no update, no Sponger, no SERVICE fetching.

    (Graph-level security, RDF_DEFAULT_USER_PERMS_SET, is left off: every graph here is public, and
    the SPARQL user's missing SPARQL_UPDATE role already refuses every update.)
    """
    lines = isql(
        server,
        "select concat('R|', b.U_NAME) from SYS_USERS a, SYS_USERS b, SYS_ROLE_GRANTS "
        "where a.U_ID = GI_SUPER and b.U_ID = GI_SUB and a.U_NAME = 'SPARQL';",
    )
    granted = {role for (role,) in _rows(lines, "R")}
    for role in sorted(granted & {"SPARQL_UPDATE", "SPARQL_SPONGE", "SPARQL_LOAD_SERVICE_DATA"}):
        try:
            isql(server, f'revoke "{role}" from "SPARQL";')
        except ExoError as exc:
            if "U0014" not in str(exc):  # held through another role, not directly: nothing to revoke
                raise


def stop(state: Path, wait_s: float = 60.0) -> bool:
    """Stop the server recorded in ``state`` (checkpoint and shut down); ``False`` if none was running."""
    state = state.resolve()
    server = running(state)
    if server is None:
        _record_file(state).unlink(missing_ok=True)
        return False
    with contextlib.suppress(ExoError, subprocess.TimeoutExpired):
        isql(server, "shutdown;", timeout=wait_s)
    deadline = time.monotonic() + wait_s
    while _alive(server.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(server.pid):
        _kill(server.pid)
    _record_file(state).unlink(missing_ok=True)
    return True


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        if not _alive(pid):
            break
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


# --------------------------------------------------------------------------------------------------
# Connecting to a Virtuoso that is already running


def read_password(*, env: str | None = PASSWORD_ENV, file: Path | None = None) -> str:
    """The dba password of a server to connect to: the first line of ``file`` (readable by its owner
    only), else the environment variable ``env``. Neither set raises :class:`ExoError`."""
    if file is not None:
        try:
            mode = file.stat().st_mode
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ExoError(f"{file}: cannot read the password file ({exc.__class__.__name__})") from None
        if mode & 0o077:
            raise ExoError(f"{file}: the password file is readable by others (mode {mode & 0o777:o}): chmod 600 it")
        password = text.splitlines()[0].strip() if text.strip() else ""
        if not password:
            raise ExoError(f"{file}: the password file is empty")
        return password
    password = os.environ.get(env or "", "")
    if not password:
        raise ExoError(
            f"no dba password for the Virtuoso to connect to: set {env or PASSWORD_ENV} or give --password-file"
        )
    return password


def connect(state: Path, host: str, sql_port: int, password: str) -> Server:
    """A Virtuoso already running at ``host:sql_port`` (not started, and never stopped, here).

    Logs in as dba, reads its HTTP port, and checks that its bulk loader may read ``state/load`` (its
    ``DirsAllowed``): the files are handed to it by path, so it must run on this machine (or see the same
    folder at the same path). Loads are recorded in ``state`` as for a server of our own.
    """
    programs()
    state = state.resolve()
    where = f"{host}:{sql_port}"
    if not _listening(sql_port, host):
        raise ExoError(f"no Virtuoso answers at {where}: start it, or check the host and its SQL port (1111)")
    server = Server(state, sql_port, 0, 0, password, host=host, external=True)
    lines = isql(
        server,
        "select concat('H|', server_http_port());\n"
        "select concat('D|', cfg_item_value(virtuoso_ini_path(), 'Parameters', 'DirsAllowed'));",
    )
    http = [v for (v,) in _rows(lines, "H")]
    if not http or not http[0].rsplit(":", 1)[-1].isdigit():
        raise ExoError(f"the Virtuoso at {where} has no HTTP server (its [HTTPServer] ServerPort), so no /sparql")
    server.http_port = int(http[0].rsplit(":", 1)[-1])
    allowed = [Path(d.strip()) for (d,) in _rows(lines, "D") for d in d.split(",") if d.strip()]
    load = state / "load"
    if not any(d.is_absolute() and (load == d.resolve() or d.resolve() in load.parents) for d in allowed):
        raise ExoError(
            f"the Virtuoso at {where} may not read {load}: its DirsAllowed is "
            f"{', '.join(map(str, allowed)) or '(empty)'}; add {load} (or a folder above it) to DirsAllowed "
            "in its virtuoso.ini and restart it, or choose a state folder (--dir) under one of those"
        )
    load.mkdir(parents=True, exist_ok=True)
    _lock_down(server)
    return server


def server_limits(server: Server) -> tuple[int | None, int | None]:
    """The server's ``[SPARQL] ResultSetMaxRows`` and ``MaxQueryExecutionTime`` (``None`` when not set)."""
    lines = isql(
        server,
        "select concat('L|', coalesce(cfg_item_value(virtuoso_ini_path(), 'SPARQL', 'ResultSetMaxRows'), ''), '|', "
        "coalesce(cfg_item_value(virtuoso_ini_path(), 'SPARQL', 'MaxQueryExecutionTime'), ''));",
    )
    row = (_rows(lines, "L") or [["", ""]])[0]
    values = [int(v) if v.strip().isdigit() else None for v in (row + ["", ""])[:2]]
    return values[0], values[1]


# --------------------------------------------------------------------------------------------------
# SQL through isql-vt


#: What isql-vt writes (on stderr) when it asks for the password it was not given.
PASSWORD_PROMPT = "Enter password for dba :"


#: The password isql-vt tries first when it is given none: Virtuoso's default dba password.
DEFAULT_PASSWORD = "dba"


def isql(
    server: Server,
    script: str,
    *,
    password: str | None = None,
    timeout: float | None = None,
    secrets_in_script: tuple[str, ...] = (),
) -> list[str]:
    """Run an SQL script as dba; returns stdout lines. An ``*** Error`` raises :class:`ExoError`.

    The password never goes into isql's arguments, which every local user can read (``ps``,
    ``/proc/PID/cmdline``): isql is started without one, in a new session (so with no terminal), where it
    first tries the default password ``dba``, fails, asks, and reads the answer from standard input — the
    first line of its input, before the script. (With the default password itself nothing is asked.)
    Error messages never show the password or ``secrets_in_script``.
    """
    _, isql_bin = programs()
    pw = password if password is not None else server.password
    where = f"{server.host}:{server.sql_port}"
    if not pw or "\n" in pw or "\r" in pw:
        raise ExoError(f"no dba password for the Virtuoso at {where} (or one with a line break)")
    try:
        done = subprocess.run(
            [isql_bin, where, "dba", "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF"],
            input=script if pw == DEFAULT_PASSWORD else pw + "\n" + script,
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        raise ExoError(f"Virtuoso did not answer within {timeout:.0f} s (isql)") from None
    stderr = done.stderr
    if PASSWORD_PROMPT in stderr:
        stderr = stderr.split(PASSWORD_PROMPT, 1)[1]  # the default-password attempt before the prompt
        if PASSWORD_PROMPT in stderr or "Bad login" in stderr:
            raise ExoError(
                f"the Virtuoso at {where} refused the dba password (after 4 failed logins it refuses "
                "this address for 60 s)"
            )
    errors = [line for line in (stderr + done.stdout).splitlines() if line.startswith("*** Error")]
    if errors or done.returncode:
        detail = " ".join((stderr.strip() or done.stdout).split())
        for secret in (pw, *secrets_in_script):
            detail = detail.replace(secret, "***")
        raise ExoError(f"Virtuoso SQL failed ({where}): {detail[:600]}")
    return done.stdout.splitlines()


def _rows(lines: list[str], tag: str) -> list[list[str]]:
    """Values of the lines ``TAG|a|b`` that a query built with concat('TAG|', ...) printed."""
    return [line.split("|")[1:] for line in lines if line.startswith(tag + "|")]


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --------------------------------------------------------------------------------------------------
# The release: checksums, files, graph names


def verify_release(dist: Path) -> dict[str, str]:
    """Check every file of ``dist/SHA256SUMS``; return path -> SHA-256. A mismatch raises :class:`ExoError`."""
    sums = dist / "SHA256SUMS"
    if not sums.is_file():
        raise ExoError(f"{sums} not found: {dist} is not a release folder (run exo-rdf build)")
    listed: dict[str, str] = {}
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, _, rel = line.partition("  ")
        if len(digest) != 64 or not rel or Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise ExoError(f"{sums}:{number}: not a 'sha256  path' line")
        listed[rel] = digest
    bad = [rel for rel, digest in listed.items() if not (dist / rel).is_file() or _sha256(dist / rel) != digest]
    if bad:
        raise ExoError(
            f"{dist}: {len(bad)} file(s) do not match SHA256SUMS ({', '.join(bad[:5])}); the release "
            "was changed or is incomplete: rebuild it (exo-rdf build) or fetch it again; nothing loaded"
        )
    missing = [rel for rel, _ in RELEASE_FILES if rel not in listed]
    if missing:
        raise ExoError(f"{dist}: SHA256SUMS does not list {', '.join(missing)}; nothing loaded")
    return listed


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def served_name(graph: str, load_id: str) -> str:
    """The Virtuoso graph IRI of a release graph in load ``load_id``."""
    return f"{graph}?load={load_id}"


def role_graph(role: str) -> str:
    """The graph IRI of a file loaded as one graph (ontology, void, the dump's default graph)."""
    return str(EXOD[f"graph/{role}"])


@dataclass
class _Prepared:
    file: Path  # the file Virtuoso reads (inside the load folder)
    default_graph: str  # the graph for triples (and for the default-graph quads of N-Quads)
    counts: dict[str, int]  # served graph IRI -> distinct triples written into it
    names: dict[str, str]  # served graph IRI -> release graph IRI


def _prepare(source: Path, role: str, folder: Path, load_id: str, union: set[int]) -> _Prepared:
    """Write ``source`` into the load folder as N-Quads with load-id graph names; count each graph.

    Files are parsed with pyoxigraph (syntax errors stop here, before Virtuoso sees anything). ``union``
    collects hashes of the triples, to know how many distinct triples the default graph will hold.
    """
    import pyoxigraph as ox

    from .errors import InputError
    from .rdfio import store_format

    fmt = getattr(ox.RdfFormat, store_format(source)[0])
    default = served_name(role_graph(role), load_id)
    target = folder / f"{len(list(folder.glob('*.nq'))):02d}-{role}.nq"
    prepared = _Prepared(target, default, {}, {default: role_graph(role)})
    default_node = ox.NamedNode(default)
    renamed: dict[str, ox.NamedNode] = {}
    in_graph: set[int] = set()

    def quads():
        for q in ox.parse(path=str(source), format=fmt, base_iri=source.resolve().as_uri()):
            if isinstance(q.graph_name, ox.DefaultGraph):
                node = default_node
            else:
                g = q.graph_name.value
                node = renamed.get(g)
                if node is None:
                    node = renamed[g] = ox.NamedNode(served_name(g, load_id))
                    prepared.names[node.value] = g
            triple = str(q.triple)
            union.add(hash(triple))
            key = hash((node.value, triple))
            if key not in in_graph:
                in_graph.add(key)
                prepared.counts[node.value] = prepared.counts.get(node.value, 0) + 1
            yield ox.Quad(q.subject, q.predicate, q.object, node)

    try:
        ox.serialize(quads(), output=str(target), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        target.unlink(missing_ok=True)
        raise InputError(
            source, f"{fmt.name} syntax error: {' '.join(str(exc).split())[:300]}; nothing loaded"
        ) from None
    return prepared


# --------------------------------------------------------------------------------------------------
# Loading and switching


def publish(
    dist: Path,
    state: Path,
    *,
    sql_port: int = 0,
    http_port: int = 0,
    timeout_s: float = 10.0,
    max_results: int = 10_000,
    memory_gb: float = 1.0,
    server: Server | None = None,
) -> PublishResult:
    """Publish the release in ``dist`` on ``server`` (one :func:`connect` returned), or else on the Virtuoso
    of ``state`` (started first when not running)."""
    t0 = time.perf_counter()
    dist = dist.resolve()
    if not dist.is_dir():
        raise ExoError(f"{dist} not found: run exo-rdf build first")
    verify_release(dist)
    files = [(dist / rel, role) for rel, role in RELEASE_FILES]
    return load_files(
        files,
        state,
        sql_port=sql_port,
        http_port=http_port,
        timeout_s=timeout_s,
        max_results=max_results,
        memory_gb=memory_gb,
        verify=dist,
        t0=t0,
        server=server,
    )


def load_files(
    files: list[tuple[Path, str]],
    state: Path,
    *,
    sql_port: int = 0,
    http_port: int = 0,
    timeout_s: float = 10.0,
    max_results: int = 10_000,
    memory_gb: float = 1.0,
    verify: Path | None = None,
    t0: float | None = None,
    server: Server | None = None,
) -> PublishResult:
    """Load RDF ``files`` (each with the role naming its default graph) as the endpoint's new dataset.

    With ``verify`` (a release folder), each copied file's SHA-256 must equal SHA256SUMS there.
    The previous dataset stays served until the new one is loaded and counted; then it is dropped.
    """
    t0 = time.perf_counter() if t0 is None else t0
    state = state.resolve()
    server = server or running(state)
    started = server is None
    if server is None:
        server = start(
            state,
            sql_port=sql_port,
            http_port=http_port,
            timeout_s=timeout_s,
            max_results=max_results,
            memory_gb=memory_gb,
        )
    load_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)
    folder = state / "load" / load_id
    folder.mkdir(parents=True)
    union = served_name(UNION, load_id)
    try:
        sums = verify_release(verify) if verify is not None else {}
        prepared, union_hashes = [], set()
        for path, role in files:
            if not path.is_file():
                raise ExoError(f"{path} not found; nothing loaded")
            if verify is not None:
                copy = folder / ("src-" + path.name)
                shutil.copyfile(path, copy)
                rel = str(path.relative_to(verify))
                if _sha256(copy) != sums[rel]:
                    raise ExoError(
                        f"{path} changed while it was being published (SHA-256 differs from SHA256SUMS); nothing loaded"
                    )
                path = copy
            prepared.append(_prepare(path, role, folder, load_id, union_hashes))
            if verify is not None:
                path.unlink()
        union_count = len(union_hashes)
        del union_hashes
        t_load = time.perf_counter()
        new_graphs = _bulk_load(server, folder, prepared, union, union_count)
        load_seconds = time.perf_counter() - t_load
        _switch(server, union)
    except BaseException:
        with contextlib.suppress(ExoError, OSError, subprocess.SubprocessError):
            _drop_graphs(server, _load_graphs(server, lambda lid: lid == load_id))
        shutil.rmtree(folder, ignore_errors=True)
        raise
    dropped = _drop_graphs(server, _load_graphs(server, lambda lid: lid != load_id))
    shutil.rmtree(folder, ignore_errors=True)
    names = {k: v for p in prepared for k, v in p.names.items()}
    graphs = [LoadedGraph(names[g], g, n) for g, n in sorted(new_graphs.items())]
    (state / "release.json").write_text(
        json.dumps(
            {
                "load_id": load_id,
                "default_graph": union,
                "endpoint": server.endpoint,
                "union_triples": union_count,
                "graphs": {g.served_as: g.triples for g in graphs},
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    return PublishResult(
        server.endpoint, load_id, graphs, time.perf_counter() - t0, load_seconds, dropped, started, union_count
    )


def _bulk_load(server: Server, folder: Path, prepared: list[_Prepared], union: str, union_count: int) -> dict[str, int]:
    """Bulk-load the prepared files, copy every triple into the union graph; return served graph -> triples
    after checking every count against the files."""
    script = [
        f"ld_dir({_sql_str(str(folder))}, {_sql_str(p.file.name)}, {_sql_str(p.default_graph)});" for p in prepared
    ]
    script += [
        "rdf_loader_run();",
        "checkpoint;",
        f"select concat('ERR|', ll_file, '|', coalesce(ll_error, '')) from DB.DBA.LOAD_LIST "
        f"where ll_file like {_sql_str(str(folder) + '/%')} and (ll_error is not null or ll_state <> 2);",
        f"select concat('SEEN|', ll_file) from DB.DBA.LOAD_LIST where ll_file like {_sql_str(str(folder) + '/%')};",
    ]
    lines = isql(server, "\n".join(script))
    seen = {Path(f).name for (f,) in _rows(lines, "SEEN")}
    unseen = [p.file.name for p in prepared if p.file.name not in seen]
    if unseen:
        raise ExoError(
            f"the Virtuoso at {server.host}:{server.sql_port} did not find {', '.join(unseen)} in {folder}: "
            "it must run on this machine (or see this folder at the same path) and may read it; the previous "
            "release stays served"
        )
    failed = _rows(lines, "ERR")
    if failed:
        what = "; ".join(
            f"{Path(f).name}: {' '.join('|'.join(rest).split())[:300] or 'not loaded'}" for f, *rest in failed
        )
        raise ExoError(f"Virtuoso's bulk loader failed: {what}; the previous release stays served")
    expected: dict[str, int] = {}
    for p in prepared:
        for g, n in p.counts.items():
            expected[g] = expected.get(g, 0) + n
    got = _graph_counts(server, list(expected))
    wrong = {g: (n, got.get(g, 0)) for g, n in expected.items() if got.get(g, 0) != n}
    if wrong:
        g, (want, have) = next(iter(wrong.items()))
        raise ExoError(
            f"Virtuoso loaded an incomplete release: graph {g} has {have} triples, the files have "
            f"{want} ({len(wrong)} graph(s) differ); the previous release stays served"
        )
    # The default graph is one graph, not a group of the named graphs: Virtuoso 7.2 answers property paths
    # (rdfs:subClassOf*) over several graphs wrongly, and a group is a bag union (a triple in two graphs
    # would answer twice). One SQL copy inside the server; `soft` skips a triple already copied.
    members = ", ".join(f"iri_to_id({_sql_str(g)}, 0)" for g in expected)
    isql(
        server,
        "log_enable(3, 1);\n"
        f"insert soft DB.DBA.RDF_QUAD (G, S, P, O) select iri_to_id({_sql_str(union)}), S, P, O "
        f"from DB.DBA.RDF_QUAD where G in ({members});\nlog_enable(1);\ncheckpoint;",
    )
    have = _graph_counts(server, [union]).get(union, 0)
    if have != union_count:
        raise ExoError(
            f"Virtuoso's default graph {union} has {have} triples, the files {union_count} distinct "
            "triples; the previous release stays served"
        )
    return got


def _graph_counts(server: Server, graphs: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for start_at in range(0, len(graphs), 200):
        chunk = ", ".join(f"iri_to_id({_sql_str(g)}, 0)" for g in graphs[start_at : start_at + 200])
        lines = isql(
            server,
            f"select concat('N|', id_to_iri(G), '|', cast(count(*) as varchar)) "
            f"from DB.DBA.RDF_QUAD where G in ({chunk}) group by G;",
        )
        counts.update({g: int(n) for g, n in _rows(lines, "N")})
    return counts


def _switch(server: Server, union: str) -> None:
    """Make ``union`` the endpoint's default graph: one row of SYS_SPARQL_HOST, so one atomic update."""
    isql(
        server,
        "delete from DB.DBA.SYS_SPARQL_HOST where SH_HOST = '*' and SH_GRAPH_URI is null;\n"
        f"insert replacing DB.DBA.SYS_SPARQL_HOST (SH_HOST, SH_GRAPH_URI) values ('*', {_sql_str(union)});\n"
        "commit work;",
    )


def _load_graphs(server: Server, which) -> list[str]:
    """Graphs of our loads (IRIs ending in ?load=ID) whose load id satisfies ``which``."""
    lines = isql(
        server,
        "select concat('K|', id_to_iri(G)) from (select distinct G from DB.DBA.RDF_QUAD "
        "table option (index RDF_QUAD_GS)) x;",
    )
    found = []
    for (g,) in _rows(lines, "K"):
        base, sep, lid = g.rpartition("?load=")
        if sep and base.startswith(str(EXOD)) and which(lid):
            found.append(g)
    return found


def _drop_graphs(server: Server, graphs: list[str]) -> list[str]:
    """Delete the graphs' triples (the served default graph is never among them); return the graphs."""
    if graphs:
        script = ["log_enable(3, 1);"]
        script += [f"delete from DB.DBA.RDF_QUAD where G = iri_to_id({_sql_str(g)}, 0);" for g in graphs]
        script += ["log_enable(1);", "checkpoint;"]
        isql(server, "\n".join(script))
    return graphs
