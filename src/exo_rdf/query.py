"""Stored SPARQL queries: their metadata headers, running them on pyoxigraph, and formatting results.

A stored query is a ``.rq`` file under ``queries/cq/`` (competency questions) or ``queries/checks/``
(QC checks, zero rows = pass) whose leading ``#+ key: value`` comment lines form a small YAML
document (see ``queries/README.md``)::

    #+ summary: Which miRNAs carried by MSC exosomes are linked to kidney repair?
    #+ description: >-
    #+   CQ-07. Follows finding -> cargo (miRNA) and finding -> disease.
    #+ form: SELECT
    #+ returns: "?mirna ?mirnaLabel; one row per miRNA; ORDER BY ?mirnaLabel"
    #+ tags: [cargo, kidney]

Queries always run on a pyoxigraph store (never on rdflib's evaluator). rdflib's SPARQL *parser*
is used only by :func:`header_problems`, to read the form and projection of a query without running
it, which also confirms that the query is portable beyond Oxigraph.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ExoError, InputError
from .namespaces import compress
from .project import Project
from .rdfio import (
    OX_QUERY_GRAPH_FORMATS,
    OX_QUERY_TABLE_FORMATS,
    QUERY_FORMATS,
    used_prefixes,
)

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = [
    "CHECK_KEYS",
    "FORMS",
    "KNOWN_KEYS",
    "REQUIRED_KEYS",
    "SEVERITIES",
    "QueryResult",
    "StoredQuery",
    "find_query",
    "format_rows",
    "format_table",
    "header_lines",
    "header_problems",
    "load_queries",
    "parse_header",
    "project_queries",
    "projected_variables",
    "query_form",
    "run_query",
    "serialize",
    "strip_lexical",
    "term_text",
    "undeclared_prefixes",
]

#: Keys every stored query header must have.
REQUIRED_KEYS = ("summary", "description", "form", "returns")
#: Extra keys a QC check (``queries/checks/*-violation.rq``) must have.
CHECK_KEYS = ("severity", "fix")
#: Keys this module understands; other keys are kept in :attr:`StoredQuery.extra`.
KNOWN_KEYS = (*REQUIRED_KEYS, "tags", *CHECK_KEYS)
FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
SEVERITIES = ("error", "warning")

_HEADER_RE = re.compile(r"^#\+ ?(.*)$")
_VAR_RE = re.compile(r"[?$]([A-Za-z0-9_\u00B7\u00C0-\uFFFD]+)")
# Strings, IRIs and comments of Turtle/SPARQL text, removed before looking at its keywords or names.
_LEXICAL_RE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
    re.S,
)
_DECL_RE = re.compile(r"(?i)(@?prefix\s+[\w.\-]*:|@?base\b)")
_FORM_RE = re.compile(r"(?i)\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b")
_SELECT_STAR_RE = re.compile(r"(?i)\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*")
_OX_POS_RE = re.compile(r"at (\d+):(\d+)")


# ---------------------------------------------------------------------------------------------
# Stored queries and their headers
# ---------------------------------------------------------------------------------------------


@dataclass
class StoredQuery:
    """One stored ``.rq`` file and its header. ``id`` is the file stem."""

    id: str
    path: Path | None
    text: str
    summary: str = ""
    description: str = ""
    form: str = ""
    returns: str = ""
    tags: list[str] = field(default_factory=list)
    severity: str | None = None
    fix: str | None = None
    header: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_check(self) -> bool:
        """A QC check: lives in ``queries/checks/`` or is named ``*-violation``."""
        return self.id.endswith("-violation") or (self.path is not None and self.path.parent.name == "checks")

    @property
    def kind(self) -> str:
        return (
            "check" if self.is_check else "cq" if self.path is not None and self.path.parent.name == "cq" else "query"
        )

    @property
    def returned_variables(self) -> list[str]:
        """The ``?vars`` listed in ``returns`` before its first ``;`` (the projected columns, in order)."""
        head = self.returns.split(";", 1)[0]
        return _VAR_RE.findall(head)

    @classmethod
    def from_text(cls, text: str, path: Path | str | None = None, id: str | None = None) -> "StoredQuery":
        """Build a query from its text, parsing the header (raises :class:`InputError` on bad YAML)."""
        path = Path(path) if path is not None else None
        qid = id or (path.stem if path is not None else "query")
        header = parse_header(text, path)
        known = {k: header.get(k) for k in KNOWN_KEYS}
        tags = known["tags"]
        if tags is None:
            tags = []
        elif isinstance(tags, str):
            tags = [t.strip() for t in tags.split(",") if t.strip()]
        else:
            tags = [str(t) for t in tags]
        return cls(
            id=qid,
            path=path,
            text=text,
            summary=_as_text(known["summary"]),
            description=_as_text(known["description"]),
            form=_as_text(known["form"]).upper(),
            returns=_as_text(known["returns"]),
            tags=tags,
            severity=_as_text(known["severity"]).lower() or None,
            fix=_as_text(known["fix"]) or None,
            header=header,
            extra={k: v for k, v in header.items() if k not in KNOWN_KEYS},
        )

    @classmethod
    def from_file(cls, path: Path | str) -> "StoredQuery":
        from .graph import read_source

        path = Path(path)
        return cls.from_text(read_source(path), path)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # YAML reads a bare yes/no/true as a boolean
        return str(value).lower()
    return str(value).strip()


def header_lines(text: str) -> list[tuple[int, str]]:
    """The ``#+`` lines of the leading comment block, de-prefixed, with their 1-based line numbers."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        m = _HEADER_RE.match(stripped)
        if m:
            found.append((number, m.group(1)))
        elif stripped and not stripped.startswith("#"):
            break  # the header ends where the query begins
    return found


def parse_header(text: str, path: Path | str | None = None) -> dict[str, Any]:
    """Parse the ``#+`` header of a query text as YAML. An invalid header raises :class:`InputError`."""
    import yaml

    lines = header_lines(text)
    if not lines:
        return {}
    doc = "\n".join(body for _, body in lines)
    where = path if path is not None else "<query>"
    try:
        data = yaml.safe_load(doc)
    except yaml.YAMLError as exc:
        line = None
        mark = getattr(exc, "problem_mark", None)
        if mark is not None and mark.line < len(lines):
            line = lines[mark.line][0]
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(where, f"query header is not valid YAML: {problem}", line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(where, "query header must be '#+ key: value' lines", lines[0][0])
    return {str(k): v for k, v in data.items()}


def load_queries(directory: Path | str) -> list[StoredQuery]:
    """All ``*.rq`` files of a folder, sorted by id. A missing folder gives an empty list."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return [StoredQuery.from_file(p) for p in sorted(directory.glob("*.rq"))]


def project_queries(project: Project) -> list[StoredQuery]:
    """The project's competency questions, its checks, then the questions for merged graphs."""
    return [*load_queries(project.cq_dir), *load_queries(project.checks_dir), *load_queries(project.merged_queries_dir)]


def find_query(project: Project, id_or_path: str | Path) -> StoredQuery:
    """Find a stored query by id (file stem in ``queries/cq``, ``queries/checks`` or ``queries/merged``) or by
    file path.

    An unknown id raises :class:`ExoError` listing the closest ids.
    """
    text = str(id_or_path)
    if isinstance(id_or_path, Path) or Path(text).suffix or "/" in text or "\\" in text:
        for candidate in (Path(text), project.root / text):  # relative to the working folder, then the root
            if candidate.is_file():
                return StoredQuery.from_file(candidate)
        raise ExoError(f"query file not found: {text}")
    qid = text
    matches = [p for d in _query_dirs(project) if (p := d / f"{qid}.rq").is_file()]
    if len(matches) > 1:
        raise ExoError(f"query id {qid!r} is ambiguous: {', '.join(str(m) for m in matches)}; pass the file path")
    if matches:
        return StoredQuery.from_file(matches[0])
    ids = _ids(project)
    close = difflib.get_close_matches(qid, ids, n=5, cutoff=0.5)
    close += [i for i in ids if qid.lower() in i.lower() and i not in close][: max(0, 5 - len(close))]
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise ExoError(f"unknown query {qid!r}.{hint} List the stored queries with `exo-rdf query --list`.")


def _query_dirs(project: Project) -> tuple[Path, ...]:
    return project.cq_dir, project.checks_dir, project.merged_queries_dir


def _ids(project: Project) -> list[str]:
    return sorted(p.stem for d in _query_dirs(project) if d.is_dir() for p in d.glob("*.rq"))


# ---------------------------------------------------------------------------------------------
# Reading query text without running it
# ---------------------------------------------------------------------------------------------


def strip_lexical(text: str) -> str:
    """Blank out strings, IRIs and comments (keeping line breaks so that positions still match)."""
    return _LEXICAL_RE.sub(_blank, text)


def _blank(match: re.Match) -> str:
    text = match.group(0)
    return re.sub(r"[^\n]", " ", text) if "\n" in text else " " * len(text)


def query_form(text: str) -> str | None:
    """The form (SELECT, CONSTRUCT, ASK, DESCRIBE) of a SPARQL query text, read from its first keyword."""
    bare = _DECL_RE.sub(" ", strip_lexical(text))
    m = _FORM_RE.search(bare)
    return m.group(1).upper() if m else None


def _rdflib_algebra(text: str):
    """Parse (never evaluate) a query with rdflib to read its algebra."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    return translateQuery(parseQuery(text))


def projected_variables(text: str) -> list[str]:
    """The variables a SELECT query projects, in order (from rdflib's algebra; nothing is evaluated)."""
    algebra = _rdflib_algebra(text).algebra
    return [str(v) for v in algebra.get("PV") or []]


def header_problems(query: StoredQuery) -> list[str]:
    """What is wrong with a stored query's header or text; an empty list means it is fine.

    Checks: required keys present (checks also need ``severity`` in {error, warning} and ``fix``), the
    declared ``form`` is the query's real form, a SELECT projects exactly the ``?vars`` that ``returns``
    lists (in that order), the query parses with both pyoxigraph and rdflib's parser (standard
    SPARQL 1.1), and its prefix declarations agree with the canonical map.
    """
    from .graph import prefix_conflicts

    problems: list[str] = []
    header = query.header
    if not header:
        problems.append("no '#+ key: value' header")
    required = REQUIRED_KEYS + (CHECK_KEYS if query.is_check else ())
    for key in required:
        if key not in header or header[key] in (None, "", []):
            problems.append(f"header key '{key}' is missing or empty")
    for key in header:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.75)
            if close:
                problems.append(f"header key '{key}' looks like a misspelling of '{close[0]}'")
    if query.form and query.form not in FORMS:
        problems.append(f"form '{query.form}' is not one of {', '.join(FORMS)}")
    if query.is_check:
        if query.severity and query.severity not in SEVERITIES:
            problems.append(f"severity '{query.severity}' is not one of {', '.join(SEVERITIES)}")
        if query.form and query.form != "SELECT":
            problems.append("a check must be a SELECT query (zero rows = pass)")
        if query.path is not None and not query.id.endswith("-violation"):
            problems.append("a check's file name must end in -violation.rq")
    if query.tags and not all(isinstance(t, str) for t in query.header.get("tags", [])):
        problems.append("tags must be a list of words, e.g. [cargo, kidney]")

    for conflict in prefix_conflicts(query.text):
        problems.append(f"non-canonical {conflict}")

    # The query must parse with Oxigraph (the engine we run on): an empty store makes this instant.
    import pyoxigraph as ox

    try:
        ox.Store().query(query.text)
    except SyntaxError as exc:
        problems.append(f"Oxigraph cannot parse the query: {_ox_message(str(exc), query.text)}")
        return problems

    try:
        algebra = _rdflib_algebra(query.text).algebra
    except Exception as exc:  # rdflib raises ParseException and plain Exception for unknown prefixes
        problems.append(f"not standard SPARQL 1.1 (rdflib's parser rejects it): {' '.join(str(exc).split())[:300]}")
        return problems
    real_form = {
        "SelectQuery": "SELECT",
        "ConstructQuery": "CONSTRUCT",
        "AskQuery": "ASK",
        "DescribeQuery": "DESCRIBE",
    }.get(algebra.name)
    if query.form and real_form and query.form != real_form:
        problems.append(f"header says form {query.form} but the query is a {real_form}")
    if real_form == "SELECT" and query.returns:
        projected = [str(v) for v in algebra.get("PV") or []]
        listed = query.returned_variables
        star = bool(_SELECT_STAR_RE.search(strip_lexical(query.text)))
        if not listed:
            problems.append("'returns' must start with the projected variables, e.g. \"?a ?b; one row per ...\"")
        elif (star and set(projected) != set(listed)) or (not star and projected != listed):
            if set(projected) == set(listed):
                problems.append(
                    f"'returns' lists {_vars(listed)} but the query projects them in the order {_vars(projected)}"
                )
            else:
                problems.append(f"'returns' lists {_vars(listed)} but the query projects {_vars(projected)}")
    return problems


def _vars(names: list[str]) -> str:
    return " ".join(f"?{n}" for n in names) or "(nothing)"


# ---------------------------------------------------------------------------------------------
# Running queries
# ---------------------------------------------------------------------------------------------


@dataclass
class QueryResult:
    """The result of one query.

    ``rows`` holds one dict per solution mapping each variable name to a pyoxigraph term
    (``NamedNode``, ``Literal``, ``BlankNode``) or ``None`` when unbound. CONSTRUCT and DESCRIBE
    results are given both as ``triples`` and as rows over ``subject``, ``predicate``, ``object``;
    ASK results as ``boolean``. Serialise with :func:`serialize` or :func:`format_table`.
    """

    form: str
    variables: list[str]
    rows: list[dict[str, Any]]
    boolean: bool | None = None
    triples: list[Any] | None = None
    query_id: str | None = None
    _results_json: bytes | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def is_graph(self) -> bool:
        return self.triples is not None

    def values(self) -> list[dict[str, str | None]]:
        """Rows with plain string values (IRIs as full IRIs, literals as their lexical form)."""
        return [{k: (None if v is None else v.value) for k, v in row.items()} for row in self.rows]

    def column(self, name: str) -> list[str | None]:
        return [None if row.get(name) is None else row[name].value for row in self.rows]

    def serialize(self, fmt: str = "table") -> str:
        return serialize(self, fmt)


def _ox_message(message: str, text: str) -> str:
    """A short, readable version of an Oxigraph syntax error (its 'expected one of' lists are huge)."""
    message = " ".join(message.split())
    pos = _OX_POS_RE.search(message)
    if "Prefix not found" in message or "prefix not found" in message.lower():
        undeclared = [p for line, p in undeclared_prefixes(text) if not pos or line == int(pos.group(1))]
        name = f" '{undeclared[0]}:'" if undeclared else ""
        where = f"at {pos.group(1)}:{pos.group(2)}: " if pos else ""
        return f"{where}undeclared prefix{name}; declare it with PREFIX (canonical prefixes: exo_rdf.namespaces)"
    if len(message) > 300:
        message = message[:300] + " ..."
    return message


def run_query(store: Store, query: StoredQuery | str) -> QueryResult:
    """Run a query on a pyoxigraph store and collect its result.

    A syntax error raises :class:`InputError` naming the query file, the line and the parser's message.
    """
    import pyoxigraph as ox

    if isinstance(query, str):
        query = StoredQuery.from_text(query)
    where = query.path if query.path is not None else query.id
    try:
        result = store.query(query.text)
    except SyntaxError as exc:
        msg = str(exc)
        pos = _OX_POS_RE.search(msg)
        line = int(pos.group(1)) if pos else None
        raise InputError(where, f"SPARQL syntax error: {_ox_message(msg, query.text)}", line) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise ExoError(f"{where}: query failed: {exc}") from None

    form = query_form(query.text) or "SELECT"
    if isinstance(result, ox.QueryBoolean):
        data = result.serialize(format=ox.QueryResultsFormat.JSON)
        return QueryResult("ASK", [], [], boolean=bool(result), query_id=query.id, _results_json=data)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        data = result.serialize(format=ox.QueryResultsFormat.JSON)
        parsed = ox.parse_query_results(data, ox.QueryResultsFormat.JSON)
        rows = [{name: solution[name] for name in variables} for solution in parsed]
        return QueryResult("SELECT", variables, rows, query_id=query.id, _results_json=data)
    triples = list(result)
    rows = [{"subject": t.subject, "predicate": t.predicate, "object": t.object} for t in triples]
    return QueryResult(
        "DESCRIBE" if form == "DESCRIBE" else "CONSTRUCT",
        ["subject", "predicate", "object"],
        rows,
        triples=triples,
        query_id=query.id,
    )


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def term_text(value: Any) -> str:
    """Render one value for people: IRIs as CURIEs (or ``<iri>``), literals as their text."""
    import pyoxigraph as ox

    if value is None:
        return ""
    if isinstance(value, ox.NamedNode):
        curie = compress(value.value)
        return curie if curie != value.value else f"<{value.value}>"
    if isinstance(value, ox.BlankNode):
        return f"_:{value.value}"
    if isinstance(value, ox.Literal):
        text = value.value
    elif isinstance(value, ox.Triple):
        return f"<< {term_text(value.subject)} {term_text(value.predicate)} {term_text(value.object)} >>"
    else:
        text = str(value)
    text = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    if text != text.strip() or "  " in text:  # make stray whitespace visible
        text = repr(text)
    return text


def format_rows(variables: list[str], rows: list[dict[str, Any]], *, max_width: int = 60) -> str:
    """A fixed-width text table of rows (values rendered by :func:`term_text`)."""
    if not variables:
        return f"({len(rows)} rows)\n"
    cells = [[_clip(term_text(row.get(v)), max_width) for v in variables] for row in rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    n = len(rows)
    lines.append(f"({n} row{'' if n == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(result: QueryResult, *, max_width: int = 60) -> str:
    """A readable fixed-width text table, IRIs compressed to CURIEs with the canonical prefix map."""
    if result.form == "ASK":
        return ("true" if result.boolean else "false") + "\n"
    return format_rows(result.variables, result.rows, max_width=max_width)


def serialize(result: QueryResult, fmt: str = "table") -> str:
    """Serialise a result: ``table``; for SELECT/ASK ``csv``, ``tsv``, ``json`` (SPARQL 1.1 Results JSON),
    ``xml``; for CONSTRUCT/DESCRIBE ``ttl``, ``nt``, ``jsonld`` (``json`` means JSON-LD there).

    pyoxigraph's own result and RDF serialisers write everything but the table.
    """
    import pyoxigraph as ox

    fmt = fmt.lower()
    if fmt not in QUERY_FORMATS:
        raise ExoError(f"unknown output format {fmt!r}; choose one of {', '.join(QUERY_FORMATS)}")
    if fmt == "table":
        return format_table(result)
    if result.is_graph:
        rdf_name = OX_QUERY_GRAPH_FORMATS.get(fmt)
        if rdf_name is None:
            raise ExoError(f"a {result.form} query returns a graph: use --format ttl, nt or jsonld, not {fmt}")
        prefixes = used_prefixes(result.triples) if rdf_name == "TURTLE" else None
        kwargs = {"prefixes": prefixes} if prefixes else {}
        return ox.serialize(result.triples, format=getattr(ox.RdfFormat, rdf_name), **kwargs).decode("utf-8")
    table_name = OX_QUERY_TABLE_FORMATS.get(fmt)
    if table_name is None:
        raise ExoError(f"a {result.form} query returns a table: use --format table, csv, tsv, json or xml, not {fmt}")
    if result._results_json is None:
        raise ExoError("this result cannot be serialised (it was not produced by run_query)")
    parsed = ox.parse_query_results(result._results_json, ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=getattr(ox.QueryResultsFormat, table_name)).decode("utf-8")


# ---------------------------------------------------------------------------------------------
# Prefixes used but not declared (shared with the file-level checks)
# ---------------------------------------------------------------------------------------------

_PNAME_RE = re.compile(r"(?<![\w.:\-\\%?$@])([A-Za-z\u00C0-\uFFFD][\w.\-]*)?:(?=[\w%\\:]|[\s;,.)\]}]|$)")
_DECLARED_RE = re.compile(r"(?im)^\s*@?prefix\s+([\w.\-]*):")


def undeclared_prefixes(text: str) -> list[tuple[int, str]]:
    """``(line, prefix)`` for each prefixed name whose prefix the Turtle or SPARQL text does not declare.

    Strings, IRIs and comments are ignored. Each undeclared prefix is reported once per line.
    """
    bare = strip_lexical(text)
    declared = set(_DECLARED_RE.findall(bare))
    body = _DECLARED_RE.sub(_blank, bare)
    found: list[tuple[int, str]] = []
    seen: set[tuple[int, str]] = set()
    line, counted_to = 1, 0
    for m in _PNAME_RE.finditer(body):
        prefix = m.group(1) or ""
        if prefix == "_" or prefix in declared:
            continue
        line += body.count("\n", counted_to, m.start())
        counted_to = m.start()
        if (line, prefix) not in seen:
            seen.add((line, prefix))
            found.append((line, prefix))
    return found
