"""`exo-rdf source rehash SOURCE`: accept a changed source text once every curated quote is re-located.

A registered source's text file may change after curation (a corrected PDF extraction, a fixed typo).
Its SHA-256 then differs from the one in ``sources/<id>.yaml`` and ``curate`` refuses every record that
quotes it. This module re-locates the quote of every curation record of that source (drafts included)
in the new text and reports, per record, where its quote was and where it is now:

* the earlier position is the one the last ``curate`` wrote into ``instances/`` (the TextPositionSelector
  of the statement's quote), or, when the previous text is given (``--old-text``, checked against the
  registered SHA-256), the position in that text, with its line;
* the new position is the span the quote matches in the new text (the same matching as ``curate``: a run
  of spaces matches a run of any kind of space).

A quote is *located* when it matches in the new text exactly where the record can point without
guessing: once (and the record names no other occurrence), or, for a record with ``occurrence: N``,
the same number of times as in the previous text. A quote that is gone, that now occurs several times
where it was unique, whose occurrence can no longer be told, or that left the section the record names
is a problem. Only when every quote is located is the new SHA-256 written into the source record (one
atomic write that changes that line alone); otherwise nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ExoError

if TYPE_CHECKING:
    from .project import Project
    from .registry import SourceRecord
    from .sources import Seed

__all__ = ["Relocation", "RehashResult", "rehash_source"]

#: how much of a quote a report shows
QUOTE_HEAD = 60


@dataclass(frozen=True)
class Position:
    start: int
    end: int
    line: int | None = None  # 1-based line of the start, where the text is known

    def describe(self) -> str:
        where = f"characters {self.start}-{self.end}"
        return f"{where} (line {self.line})" if self.line is not None else where


@dataclass
class Relocation:
    """One curation record of the source: where its quote was, where it is now, or why it cannot be told."""

    record_id: str
    where: str  # curation file:line of the record
    quote_head: str
    old: Position | None = None
    new: Position | None = None
    problem: str | None = None
    no_old: str = "never compiled"  # why there is no earlier position

    @property
    def moved(self) -> bool:
        if self.problem is not None or self.old is None or self.new is None:
            return False
        return (self.old.start, self.old.end) != (self.new.start, self.new.end)

    def describe(self) -> str:
        head = f"{self.where}: {self.record_id}"
        if self.problem:
            return f"{head}: {self.problem} (quote starts {self.quote_head!r})"
        old = self.old.describe() if self.old else f"no earlier position ({self.no_old})"
        assert self.new is not None
        return f"{head}: {old} -> {self.new.describe()}"


@dataclass
class RehashResult:
    source_id: str
    record_path: Path
    text_path: Path
    old_sha256: str
    new_sha256: str
    relocations: list[Relocation] = field(default_factory=list)
    written: bool = False

    @property
    def unchanged_text(self) -> bool:
        return self.old_sha256 == self.new_sha256

    @property
    def problems(self) -> list[Relocation]:
        return [r for r in self.relocations if r.problem]

    @property
    def moved(self) -> list[Relocation]:
        return [r for r in self.relocations if r.moved]

    @property
    def in_place(self) -> list[Relocation]:
        return [r for r in self.relocations if not r.problem and r.old is not None and not r.moved]

    @property
    def placed_anew(self) -> list[Relocation]:
        """Located, with no earlier position to compare (a draft, or a quote edited since)."""
        return [r for r in self.relocations if not r.problem and r.old is None]


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _head(quote: str) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= QUOTE_HEAD else flat[: QUOTE_HEAD - 3] + "..."


def _compiled_positions(project: Project, curation_file: Path) -> dict[str, tuple[int, int]]:
    """Record id -> (start, end) of its quote in the last compiled ``instances/<stem>.ttl``."""
    compiled = project.instances_dir / f"{curation_file.stem}.ttl"
    if not compiled.is_file():
        return {}
    import pyoxigraph

    from .graph import select_rows
    from .namespaces import EXOD, PREFIXES

    base = str(EXOD)
    query = (
        f"PREFIX oa: <{PREFIXES['oa']}> "
        "SELECT ?p ?s ?e WHERE { ?p a oa:TextPositionSelector ; oa:start ?s ; oa:end ?e }"
    )
    store = pyoxigraph.Store()
    try:
        store.load(path=str(compiled), format=pyoxigraph.RdfFormat.TURTLE)
    except (OSError, SyntaxError, ValueError) as exc:
        raise ExoError(f"{compiled}: cannot read the compiled curation: {exc}; run `exo-rdf curate` first") from None
    out: dict[str, tuple[int, int]] = {}
    pattern = re.compile(r"^(?:finding|fact)/(.+)/quote/position$")
    for row in select_rows(store, query):
        iri = row["p"].value
        m = pattern.match(iri[len(base) :]) if iri.startswith(base) else None
        if m:
            out[m.group(1)] = (int(row["s"].value), int(row["e"].value))
    return out


def _parse(path: Path, text: str, record: SourceRecord) -> Seed:
    """The text as a :class:`Seed` with sections of the record's layout (the text is already checked)."""
    from .sources import Seed, parse_seed
    from .texts import sections_of

    if record.layout == "review-seed":
        seed = parse_seed(path)
        seed.text = text
        return seed
    return Seed(record.id, path, text, sections_of(text, record.layout))


def _read_checked(path: Path, what: str) -> tuple[str, str]:
    """(text, sha256) of a source text file; a missing, binary or empty file is a plain error."""
    import hashlib

    from .texts import check_text_bytes

    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise ExoError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise ExoError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    return check_text_bytes(path, blob), hashlib.sha256(blob).hexdigest()


def _relocate(
    rec: dict[str, Any],
    where: str,
    new: Seed,
    old: Seed | None,
    compiled: tuple[int, int] | None,
) -> Relocation:
    rid = str(rec.get("id") or "(record without id)")
    quote = rec.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        return Relocation(rid, where, "", problem="has no quote to re-locate")
    out = Relocation(rid, where, _head(quote))
    occurrence = rec.get("occurrence", 1)
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1:
        out.problem = f"'occurrence: {occurrence}' is not a whole number >= 1"
        return out
    if old is not None:
        out.no_old = "not in the previous text"
        old_spans = old.locate(quote)
        if 1 <= occurrence <= len(old_spans):
            s, e = old_spans[occurrence - 1]
            out.old = Position(s, e, _line_of(old.text, s))
    elif compiled is not None:
        out.old = Position(*compiled)
    spans = new.locate(quote)
    if not spans:
        out.problem = "quote not found in the new text"
        return out
    if len(spans) > 1:
        if "occurrence" not in rec:
            at = ", ".join(f"{s} (line {_line_of(new.text, s)})" for s, _ in spans)
            out.problem = (
                f"quote now occurs {len(spans)} times in the new text, at characters {at}: add 'occurrence: N'"
            )
            return out
        if old is None:
            out.problem = (
                f"quote occurs {len(spans)} times in the new text and the record names occurrence {occurrence}: "
                "give the previous text with --old-text so the occurrence can be checked"
            )
            return out
        if len(old.locate(quote)) != len(spans):
            out.problem = (
                f"quote occurred {len(old.locate(quote))} times in the previous text and {len(spans)} times in "
                f"the new one: check which is meant and set 'occurrence: N'"
            )
            return out
    if occurrence > len(spans):
        out.problem = f"the record names occurrence {occurrence} but the quote now occurs {len(spans)} time(s)"
        return out
    s, e = spans[occurrence - 1]
    out.new = Position(s, e, _line_of(new.text, s))
    named = rec.get("section")
    if named:
        sec = new.section_at(s)
        if sec.title != named:
            out.problem = f"quote now lies in section '{sec.title}', the record names '{named}'"
    return out


def _write_sha256(record_path: Path, old: str, new: str) -> None:
    """Replace the record's ``sha256:`` value, keeping every other byte (comments included)."""
    from .rdfio import atomic_write

    text = record_path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^(sha256:[ \t]*['\"]?){re.escape(old)}(['\"]?[ \t]*)$", re.MULTILINE)
    if len(pattern.findall(text)) != 1:
        raise ExoError(f"{record_path}: expected one line 'sha256: {old}'; set 'sha256: {new}' by hand")
    try:
        atomic_write(record_path, pattern.sub(lambda m: f"{m.group(1)}{new}{m.group(2)}", text))
    except OSError as exc:
        raise ExoError(f"{record_path}: cannot write: {exc.strerror or exc}; nothing changed") from None


def rehash_source(project: Project, source_id: str, old_text: Path | None = None) -> RehashResult:
    """Re-locate every curation record's quote of ``source_id`` in its current text; write the new
    SHA-256 into the source record only when every quote is located. See the module text."""
    from .curate import read_yaml
    from .registry import load_registry

    records = load_registry(project)
    if source_id not in records:
        known = ", ".join(sorted(records)) or "none (sources/ holds no record)"
        raise ExoError(f"source '{source_id}' is not registered; registered: {known}")
    record = records[source_id]
    assert record.path is not None
    path = record.text_path(project)
    text, sha = _read_checked(path, f"text file of source '{source_id}'")
    result = RehashResult(source_id, record.path, path, record.sha256, sha)
    new = _parse(path, text, record)
    old = None
    if old_text is not None:
        prev, prev_sha = _read_checked(Path(old_text), "previous text (--old-text)")
        if prev_sha != record.sha256:
            raise ExoError(
                f"{old_text}: its SHA-256 is {prev_sha}, but {record.path} registers {record.sha256}: "
                "--old-text must be the text the curation was made against"
            )
        old = _parse(Path(old_text), prev, record)
    for cur in project.curation_files():
        data = read_yaml(cur)
        if not isinstance(data, dict) or str(data.get("source")) != source_id:
            continue
        statements = data.get("statements") or []
        if not isinstance(statements, list):
            raise ExoError(f"{cur}: 'statements' must be a list")
        compiled = {} if old is not None else _compiled_positions(project, cur)
        for rec in statements:
            if not isinstance(rec, dict):
                continue
            where = f"{cur}:{rec.get('__line__', '?')}"
            result.relocations.append(_relocate(rec, where, new, old, compiled.get(str(rec.get("id")))))
    if not result.unchanged_text and not result.problems:
        _write_sha256(record.path, record.sha256, sha)
        result.written = True
    return result
