"""Find the external identifiers that a project's source files use (a core module, no verdicts).

Ids are found as CURIEs (``CL:0000134``, ``cellosaurus:CVCL_0481``, ``MIMAT0000770``) and inside full
IRIs (OBO PURLs and the HGNC, miRBase and Cellosaurus IRIs), in ``ontology/exo.ttl``, ``instances/*.ttl``,
``shapes/*.ttl``, ``queries/**/*.rq`` and ``curation/*.yaml``. Used by the id check (verdicts against the
shared tables) and by the import extractor (which terms to extract).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError, decode_utf8
from .namespaces import BARE_IDS, OBO_PREFIXES, PREFIXES
from .project import Project
from .terms import CHECKED_PREFIXES, PARTIAL_PREFIXES

__all__ = [
    "ID_PATTERN",
    "SUBSET_SPACES",
    "TERMCHECK_SPACES",
    "IdOccurrence",
    "Scan",
    "find_ids",
    "scan_files",
    "source_files",
]

#: Id spaces written without a prefix that the tables key bare (``CVCL_0481``, ``MIMAT0000770``), from
#: the converter's rules.
_BARE_RULES = sorted(
    (rule for rule in BARE_IDS if rule.keyed_bare and rule.space in CHECKED_PREFIXES),
    key=lambda rule: -len(rule.space),
)
#: Id spaces written ``SPACE:digits`` (or ``SPACE_digits`` in an OBO PURL).
_NUMERIC_SPACES = sorted(CHECKED_PREFIXES - {rule.space for rule in _BARE_RULES}, key=lambda s: (-len(s), s))
#: The id pattern of termcheck.py (the checked id spaces, the bare ids of the converter's rules), plus
#: the numeric tail of HGNC IRIs and HGNC gene groups.
ID_PATTERN = re.compile(
    rf"(?<![A-Za-z0-9])({'|'.join(_NUMERIC_SPACES)})[:_](\d{{1,9}})(?![0-9])"
    rf"|(?<![A-Za-z0-9])({'|'.join(rule.pattern for rule in _BARE_RULES)})(?![0-9A-Za-z])"
    r"|hgnc_id/(\d{1,9})(?![0-9])"
    r"|(?<![A-Za-z0-9])(?:hgnc\.genegroup:|genegroup/#!/group/)(\d{1,9})(?![0-9])"
)
#: Id spaces termcheck.py gives a verdict on; the test suite checks that both tools agree on them.
TERMCHECK_SPACES = CHECKED_PREFIXES - {"IAO", "COB"}
#: IAO and COB terms are known only through OBI's copies, so a missing one is not proof of an error.
SUBSET_SPACES = PARTIAL_PREFIXES | {"IAO", "COB"}

_OBO_PURL = re.compile(r"purl\.obolibrary\.org/obo/([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9]+)")
_SUFFIXES = {".ttl", ".rq", ".sparql", ".yaml", ".yml"}
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", "dist", "build", ".exo-cache"}
# Masks strings, IRIs and comments of Turtle/SPARQL so that prefixed names can be found in what is left.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|#[^\n]*",
    re.S,
)
_DECLARATION = re.compile(r"(?im)^[ \t]*@?(?:prefix|base)\b[^\n]*")
_PREFIXED_NAME = re.compile(r"(?<![\w.:?$@\\-])([A-Za-z](?:[\w.-]*[\w-])?):(?=[\w%:-])")
_YAML_CURIE = re.compile(r"^([A-Za-z][\w.-]*):([\w][\w.:-]*)$")
_URI_SCHEMES = {"http", "https", "ftp", "ftps", "urn", "mailto", "file", "data", "tel", "doi"}


@dataclass(frozen=True)
class IdOccurrence:
    """An external id found in a file: the id as the tables key it, and where."""

    curie: str
    path: Path
    line: int


@dataclass
class Scan:
    """Every id occurrence and every unknown-prefix occurrence in a set of files."""

    files: list[Path] = field(default_factory=list)
    ids: list[IdOccurrence] = field(default_factory=list)
    unknown_prefixes: list[IdOccurrence] = field(default_factory=list)  # curie = the offending CURIE/IRI

    def curies(self) -> set[str]:
        return {o.curie for o in self.ids}


def source_files(project: Project, paths: Iterable[str | Path] | None = None) -> list[Path]:
    """The files to scan: the project's editable sources, or the given files and folders."""
    if paths is None:
        files = [project.ontology_file] if project.ontology_file.is_file() else []
        files += project.instance_files() + project.shape_files()
        if project.queries_dir.is_dir():
            files += sorted(p for p in project.queries_dir.rglob("*.rq") if p.is_file())
        files += project.curation_files()
        return files
    imports = project.imports_dir.resolve()
    found: list[Path] = []
    for item in map(Path, paths):
        if item.is_file():
            found.append(item)
        elif item.is_dir():
            for f in sorted(item.rglob("*")):
                if (
                    f.is_file()
                    and f.suffix in _SUFFIXES
                    and not _SKIP_DIRS & set(f.parts)
                    and imports not in f.resolve().parents
                ):
                    found.append(f)
        else:
            raise InputError(item, "file or folder not found")
    return found


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _line(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts)
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid
    return lo + 1


def find_ids(text: str) -> list[tuple[str, int]]:
    """Every external id in ``text`` as (CURIE as the tables key it, character offset)."""
    found = []
    for m in ID_PATTERN.finditer(text):
        if m.group(1):
            curie = f"{m.group(1)}:{m.group(2)}"
        elif m.group(3):
            curie = m.group(3)
        elif m.group(4):
            curie = f"HGNC:{m.group(4)}"
        else:
            curie = f"hgnc.genegroup:{m.group(5)}"
        found.append((curie, m.start()))
    return found


def _mask(text: str) -> str:
    """Blank out strings, IRIs, comments and prefix declarations, keeping every newline in place."""

    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    return _DECLARATION.sub(blank, _TOKEN.sub(blank, text))


def _rdf_unknown_prefixes(text: str) -> list[tuple[str, int]]:
    """Prefixed names whose prefix is neither canonical nor declared in the file itself."""
    declared = {m.group(1) for m in re.finditer(r"(?im)^[ \t]*@?prefix\s+([\w.-]*):", text)}
    masked = _mask(text)
    out = []
    for m in _PREFIXED_NAME.finditer(masked):
        prefix = m.group(1)
        if prefix not in PREFIXES and prefix not in declared:
            tail = re.match(r"[^\s;,()\[\]{}]*", masked[m.end() :])
            end = tail.group(0) if tail else ""
            out.append((f"{prefix}:{end}".rstrip("."), m.start()))
    return out


def _yaml_scalars(text: str, path: Path) -> Iterator[tuple[str, int]]:
    """(value, line) of every scalar in a YAML file; a syntax error names file and line."""
    import yaml

    try:
        # libyaml's parser when PyYAML has it (ten times faster)
        nodes = list(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            path, f"YAML syntax error: {getattr(exc, 'problem', None) or exc}", mark.line + 1 if mark else None
        ) from None
    stack = [n for n in nodes if n is not None]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            yield node.value, node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


def scan_files(files: Iterable[Path], root: Path | None = None) -> Scan:
    """Find external ids and unknown-prefix CURIEs in the given files (paths shown relative to ``root``)."""
    scan = Scan()
    for path in files:
        path = Path(path)
        shown = _relative(path, root)
        scan.files.append(shown)
        try:
            text = decode_utf8(path, path.read_bytes())
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
        starts = _line_starts(text)
        for curie, offset in find_ids(text):
            scan.ids.append(IdOccurrence(curie, shown, _line(starts, offset)))
        if path.suffix in (".yaml", ".yml"):
            for value, line in _yaml_scalars(text, path):
                value = value.strip()
                m = _YAML_CURIE.match(value)
                if m and m.group(1) not in PREFIXES and m.group(1).lower() not in _URI_SCHEMES:
                    scan.unknown_prefixes.append(IdOccurrence(value, shown, line))
                for space, local in _foreign_obo_iris(value):
                    scan.unknown_prefixes.append(IdOccurrence(f"{space}_{local}", shown, line))
        else:
            for curie, offset in _rdf_unknown_prefixes(text):
                scan.unknown_prefixes.append(IdOccurrence(curie, shown, _line(starts, offset)))
            # OBO PURLs of id spaces outside the map, in IRIs only (comments may show example IRIs)
            for m in _TOKEN.finditer(text):
                if m.group(0).startswith("<"):
                    for space, local in _foreign_obo_iris(m.group(0)):
                        scan.unknown_prefixes.append(IdOccurrence(f"{space}_{local}", shown, _line(starts, m.start())))
    return scan


def _foreign_obo_iris(text: str) -> list[tuple[str, str]]:
    """(id space, local id) of OBO PURLs in ``text`` whose id space the canonical map lacks."""
    return [(m.group(1), m.group(2)) for m in _OBO_PURL.finditer(text) if m.group(1) not in OBO_PREFIXES]


def _relative(path: Path, root: Path | None) -> Path:
    if root is None:
        return path
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path
