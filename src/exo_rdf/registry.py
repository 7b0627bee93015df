"""The source registry (sources/*.yaml): one small bibliographic record per source document.

A record names the source's id (the stem the curation files use in ``source:``), what is known of it
(title, authors, year, journal, DOI, PMID, licence; a value that is not known is left out and shows
as "not recorded", never guessed), its text file with the SHA-256 the curation was made against, and
optionally its reference list (``sources/references/<id>.yaml``: reference number -> citation text,
with a DOI or PMID only where the curator supplies one).

The text file is given relative to the project (``sources/texts/<id>.txt``), or as
``shared:seeds/<file>`` for the review seeds, which stay in the shared folder beside the project.
``layout`` says how sections are found: ``review-seed`` (the layout of the two review seeds,
:func:`exo_rdf.sources.parse_seed`), ``plain`` or ``markdown`` (:func:`exo_rdf.texts.parse_text`).

Without a sources/ folder the seeds in the shared folder are the sources (a bare project copy).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ExoError
from .project import Project

if TYPE_CHECKING:
    from rdflib import Graph

    from .sources import Seed

__all__ = [
    "BIBLIOGRAPHIC_FIELDS",
    "DOI_RE",
    "LAYOUTS",
    "NOT_RECORDED",
    "ORCID_RE",
    "PMID_RE",
    "RECORD_KEYS",
    "REFERENCE_KEYS",
    "SHARED_PREFIX",
    "SOURCE_ID_RE",
    "AddedSource",
    "Reference",
    "SourceRecord",
    "add_source",
    "doi_problem",
    "load_registry",
    "load_sources",
    "orcid_checksum_ok",
    "orcid_problem",
    "pmid_problem",
    "read_reference_list",
    "record_files",
    "registry_graph",
    "sha256_of",
    "sources_dir",
]

#: fields of a registry record, in the order they are written
RECORD_KEYS = (
    "id",
    "label",
    "title",
    "authors",
    "year",
    "journal",
    "doi",
    "pmid",
    "licence",
    "text",
    "layout",
    "sha256",
    "references",
)
LAYOUTS = ("review-seed", "plain", "markdown")
REFERENCE_KEYS = {"number", "citation", "doi", "pmid"}
NOT_RECORDED = "not recorded"
SHARED_PREFIX = "shared:"

SOURCE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,78}[a-z0-9]$")
DOI_RE = re.compile(r"^10\.\d{4,9}/[^\s\"<>]+$")
PMID_RE = re.compile(r"^[1-9]\d{0,8}$")
ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


# --------------------------------------------------------------------------- identifier syntax


def doi_problem(value: str) -> str | None:
    """Why ``value`` is not a DOI (``10.NNNN/suffix``, without ``https://doi.org/``), or None."""
    if not isinstance(value, str) or not DOI_RE.match(value.strip()):
        return (
            f"DOI {value!r} is malformed: write it as 10.<registrant>/<suffix>, e.g. 10.1000/xyz123, "
            "without https://doi.org/"
        )
    return None


def pmid_problem(value: object) -> str | None:
    """Why ``value`` is not a PubMed id (1 to 9 digits, no leading zero), or None."""
    if not PMID_RE.match(str(value).strip()):
        return f"PMID {value!r} is malformed: a PubMed id is 1 to 9 digits with no leading zero, e.g. 31234567"
    return None


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2 check digit of an ORCID iD (the last character, 0-9 or X)."""
    digits = orcid.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def orcid_problem(value: object) -> str | None:
    """Why ``value`` is not an ORCID iD (0000-0002-1825-0097 form with a valid check digit), or None."""
    text = str(value).strip()
    if not ORCID_RE.match(text):
        return (
            f"ORCID {value!r} is malformed: write the 16-character iD as 0000-0000-0000-0000 "
            "(last character a digit or X), without https://orcid.org/"
        )
    if not orcid_checksum_ok(text):
        return f"ORCID {value!r} fails its ISO 7064 check digit: a character is mistyped"
    return None


# --------------------------------------------------------------------------- records


@dataclass
class Reference:
    number: int
    citation: str
    doi: str | None = None
    pmid: str | None = None


@dataclass
class SourceRecord:
    id: str
    text: str
    sha256: str
    layout: str = "plain"
    label: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    doi: str | None = None
    pmid: str | None = None
    licence: str | None = None
    references: str | None = None  # path of the reference list file, relative to the project
    path: Path | None = None  # the record's YAML file
    reference_list: list[Reference] = field(default_factory=list)

    @property
    def display_label(self) -> str:
        return self.label or self.title or f"source {self.id}"

    def text_path(self, project: Project) -> Path:
        if self.text.startswith(SHARED_PREFIX):
            return project.shared_dir / self.text[len(SHARED_PREFIX) :]
        return project.root / self.text

    def as_yaml(self) -> dict:
        out = {}
        for key in RECORD_KEYS:
            value = getattr(self, key)
            if value not in (None, [], ""):
                out[key] = value
        return out


def sources_dir(project: Project) -> Path:
    return project.root / "sources"


def record_files(project: Project) -> list[Path]:
    folder = sources_dir(project)
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def _check_record(path: Path, data, errors: list[str]) -> SourceRecord | None:
    line = data.get("__line__") if isinstance(data, dict) else None
    where = f"{path}:{line}" if line else str(path)
    if not isinstance(data, dict):
        errors.append(f"{path}: a source record is a mapping with id, text, sha256 (see sources/README.md)")
        return None
    for key in data:
        if key != "__line__" and key not in RECORD_KEYS:
            errors.append(f"{where}: unknown key '{key}'; allowed: {', '.join(RECORD_KEYS)}")
    missing = [k for k in ("id", "text", "sha256") if not data.get(k)]
    if missing:
        errors.append(f"{where}: missing {', '.join(missing)}")
        return None
    sid = str(data["id"])
    if not SOURCE_ID_RE.match(sid):
        errors.append(f"{where}: source id '{sid}' must be 2-80 lower-case letters, digits, '_' or '-'")
    if path.stem != sid:
        errors.append(f"{where}: the file of source '{sid}' must be named sources/{sid}.yaml")
    if data.get("layout", "plain") not in LAYOUTS:
        errors.append(f"{where}: layout '{data.get('layout')}' is not one of {', '.join(LAYOUTS)}")
    if not re.fullmatch(r"[0-9a-f]{64}", str(data["sha256"])):
        errors.append(f"{where}: sha256 must be 64 lower-case hex digits")
    for key, check in (("doi", doi_problem), ("pmid", pmid_problem)):
        if data.get(key) is not None and (problem := check(str(data[key]))):
            errors.append(f"{where}: {problem}")
    year = data.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1800 <= year <= 2100):
        errors.append(f"{where}: year must be a four-digit year, got {year!r}")
    authors = data.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        errors.append(f"{where}: authors must be a list of names")
        authors = []
    return SourceRecord(
        id=sid,
        text=str(data["text"]),
        sha256=str(data["sha256"]),
        layout=data.get("layout", "plain"),
        label=data.get("label"),
        title=data.get("title"),
        authors=list(authors),
        year=year,
        journal=data.get("journal"),
        doi=str(data["doi"]) if data.get("doi") else None,
        pmid=str(data["pmid"]) if data.get("pmid") else None,
        licence=data.get("licence"),
        references=data.get("references"),
        path=path,
    )


def read_reference_list(path: Path, errors: list[str]) -> list[Reference]:
    """A reference list file: a YAML list of {number, citation, doi?, pmid?}, numbers unique."""
    from .curate import read_yaml

    data = read_yaml(path)
    if not isinstance(data, list):
        errors.append(f"{path}: a reference list is a YAML list of {{number, citation, doi, pmid}} entries")
        return []
    refs, seen = [], set()
    for entry in data:
        where = f"{path}:{entry.get('__line__')}" if isinstance(entry, dict) else str(path)
        if not isinstance(entry, dict):
            errors.append(f"{where}: each reference is a mapping with 'number' and 'citation'")
            continue
        for key in entry:
            if key != "__line__" and key not in REFERENCE_KEYS:
                errors.append(f"{where}: unknown key '{key}'; allowed: {', '.join(sorted(REFERENCE_KEYS))}")
        number, citation = entry.get("number"), entry.get("citation")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            errors.append(f"{where}: 'number' must be a whole number >= 1, got {number!r}")
            continue
        if number in seen:
            errors.append(f"{where}: reference {number} is listed twice")
            continue
        seen.add(number)
        if not isinstance(citation, str) or not citation.strip():
            errors.append(f"{where}: reference {number} needs 'citation' (the entry as printed)")
            continue
        doi = str(entry["doi"]).strip() if entry.get("doi") else None
        pmid = str(entry["pmid"]).strip() if entry.get("pmid") else None
        for value, check in ((doi, doi_problem), (pmid, pmid_problem)):
            if value and (problem := check(value)):
                errors.append(f"{where}: reference {number}: {problem}")
        refs.append(Reference(number, citation.strip(), doi, pmid))
    return sorted(refs, key=lambda r: r.number)


def load_registry(project: Project) -> dict[str, SourceRecord]:
    """Every record of sources/*.yaml, validated; raises one ExoError listing every problem."""
    from .curate import read_yaml

    errors: list[str] = []
    records: dict[str, SourceRecord] = {}
    for path in record_files(project):
        rec = _check_record(path, read_yaml(path), errors)
        if rec is None:
            continue
        if rec.id in records:
            errors.append(f"{path}: source id '{rec.id}' is already registered in {records[rec.id].path}")
            continue
        if rec.references:
            ref_path = project.root / rec.references
            if not ref_path.is_file():
                errors.append(f"{path}: reference list {rec.references} not found")
            else:
                rec.reference_list = read_reference_list(ref_path, errors)
        records[rec.id] = rec
    if errors:
        raise ExoError("the source registry has problems:\n  " + "\n  ".join(errors))
    return records


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_sources(project: Project) -> dict[str, Seed]:
    """The parsed text of every source, keyed by source id (:class:`exo_rdf.sources.Seed` values).

    Each text carries its registry record (``seed.record``); a text whose SHA-256 differs from the
    registered one is still read, and ``seed.changed`` says so (the compiler then reports every
    record that quotes it). Without a registry the seeds of the shared folder are the sources.
    """
    from .sources import load_seeds, parse_seed
    from .texts import parse_text

    records = load_registry(project)
    if not records:
        return load_seeds(project.seeds_dir)
    out = {}
    for sid, rec in records.items():
        path = rec.text_path(project)
        if not path.is_file():
            raise ExoError(f"{rec.path}: text file {rec.text} of source '{sid}' not found at {path}")
        seed = parse_seed(path) if rec.layout == "review-seed" else parse_text(path, rec.layout)
        seed.stem = sid
        seed.label = rec.display_label
        seed.record = rec
        seed.changed = seed.sha256 != rec.sha256
        out[sid] = seed
    return out


# --------------------------------------------------------------------------- RDF of the registry

#: bibliographic fields and what a page calls them when the registry holds no value
BIBLIOGRAPHIC_FIELDS = ("title", "authors", "year", "journal", "DOI", "PMID", "licence", "reference list")


def registry_graph(records: dict[str, SourceRecord]) -> Graph:
    """The registry as RDF (instances/sources.ttl): each source's bibliographic record, an
    ``exo:notRecorded`` naming each field with no value, and its reference list where registered."""
    import rdflib
    from rdflib import Literal
    from rdflib.namespace import RDF, RDFS, XSD

    from .namespaces import EXO, EXOD, expand

    g = rdflib.Graph()
    for sid, rec in sorted(records.items()):
        s = EXOD[f"source/{sid}"]
        g.add((s, RDF.type, EXO.SourceDocument))
        g.add((s, RDFS.label, Literal(rec.display_label, lang="en")))
        g.add((s, EXO.seedFile, Literal(Path(rec.text).name)))
        g.add((s, EXO.sha256, Literal(rec.sha256)))
        missing = []
        if rec.title:
            g.add((s, expand("dcterms:title"), Literal(rec.title)))
        else:
            missing.append("title")
        for name in rec.authors:
            g.add((s, expand("dcterms:creator"), Literal(name)))
        if not rec.authors:
            missing.append("authors")
        if rec.year:
            g.add((s, expand("dcterms:issued"), Literal(str(rec.year), datatype=XSD.gYear)))
        else:
            missing.append("year")
        if rec.journal:
            g.add((s, EXO.journalTitle, Literal(rec.journal)))
        else:
            missing.append("journal")
        _identifiers(g, s, rec.doi, rec.pmid, missing)
        if rec.licence:
            g.add((s, expand("dcterms:rights"), Literal(rec.licence)))
        else:
            missing.append("licence")
        if rec.reference_list:
            for ref in rec.reference_list:
                r = EXOD[f"source/{sid}/reference/{ref.number}"]
                g.add((r, RDF.type, EXO.CitedReference))
                g.add((r, RDFS.label, Literal(f"reference [{ref.number}] of {rec.display_label}", lang="en")))
                g.add((r, EXO.referenceNumber, Literal(ref.number, datatype=XSD.integer)))
                g.add((r, EXO.referenceOf, s))
                g.add((r, expand("dcterms:bibliographicCitation"), Literal(ref.citation)))
                _identifiers(g, r, ref.doi, ref.pmid, None)
        else:
            missing.append("reference list")
        for name in missing:
            g.add((s, EXO.notRecorded, Literal(name)))
    return g


def _identifiers(g, s, doi, pmid, missing):
    from rdflib import Literal
    from rdflib.namespace import RDFS

    from .namespaces import expand

    for value, prop, prefix, name in ((doi, "bibo:doi", "doi", "DOI"), (pmid, "bibo:pmid", "pubmed", "PMID")):
        if value:
            g.add((s, expand(prop), Literal(value)))
            g.add((s, RDFS.seeAlso, expand(f"{prefix}:{value}")))
        elif missing is not None:
            missing.append(name)


# --------------------------------------------------------------------------- exo-rdf source add


@dataclass
class AddedSource:
    record: SourceRecord
    files: list[Path]
    sections: int
    characters: int


def _read_new_text(path: Path) -> tuple[str, str]:
    """(text, layout) of a file to register: PDF through pypdf, Markdown and plain text as they are."""
    from .texts import check_text_bytes, pdf_text

    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise ExoError(f"{path}: file not found") from None
    except OSError as exc:
        raise ExoError(f"{path}: cannot read: {exc}") from None
    if blob.startswith(b"%PDF-") or path.suffix.lower() == ".pdf":
        if not blob.startswith(b"%PDF-"):
            raise ExoError(f"{path}: named .pdf but not a PDF file (no %PDF- header)")
        return pdf_text(path), "plain"
    text = check_text_bytes(path, blob)
    return text, "markdown" if path.suffix.lower() in (".md", ".markdown") else "plain"


def add_source(
    project: Project,
    file: Path,
    *,
    source_id: str | None = None,
    title: str | None = None,
    authors: tuple[str, ...] = (),
    year: int | None = None,
    journal: str | None = None,
    doi: str | None = None,
    pmid: str | None = None,
    licence: str | None = None,
    references: Path | None = None,
) -> AddedSource:
    """Register a new source: store its text under sources/texts/, its reference list (if given)
    under sources/references/, and its record as sources/<id>.yaml. Every check runs before anything
    is written; the files are written to temporary names and renamed together."""
    import yaml

    from .rdfio import atomic_write_many
    from .sources import slugify
    from .texts import sections_of

    file = Path(file)
    problems = []
    sid = source_id or slugify(file.stem)
    if not SOURCE_ID_RE.match(sid):
        problems.append(f"--id '{sid}': a source id is 2-80 lower-case letters, digits, '_' or '-'")
    for value, check, opt in ((doi, doi_problem, "--doi"), (pmid, pmid_problem, "--pmid")):
        if value is not None and (p := check(value)):
            problems.append(f"{opt}: {p}")
    if year is not None and not 1800 <= year <= 2100:
        problems.append(f"--year {year}: give the four-digit publication year")
    if problems:
        raise ExoError(f"{file}: not registered:\n  " + "\n  ".join(problems))
    existing = load_registry(project)
    folder = sources_dir(project)
    if sid in existing:
        raise ExoError(
            f"{file}: source id '{sid}' is already registered ({existing[sid].path}); choose another with --id"
        )
    text, layout = _read_new_text(file)
    ref_list: list[Reference] = []
    if references is not None:
        errors: list[str] = []
        if not Path(references).is_file():
            raise ExoError(f"{references}: reference list file not found")
        ref_list = read_reference_list(Path(references), errors)
        if errors:
            raise ExoError(
                f"{references}: the reference list has problems (nothing registered):\n  " + "\n  ".join(errors)
            )
    suffix = ".md" if layout == "markdown" else ".txt"
    text_rel = f"sources/texts/{sid}{suffix}"
    blob = text.encode("utf-8")
    record = SourceRecord(
        id=sid,
        text=text_rel,
        sha256=hashlib.sha256(blob).hexdigest(),
        layout=layout,
        title=title,
        authors=list(authors),
        year=year,
        journal=journal,
        doi=doi,
        pmid=pmid,
        licence=licence,
        path=folder / f"{sid}.yaml",
        reference_list=ref_list,
    )
    planned: dict[Path, bytes] = {project.root / text_rel: blob}
    if ref_list:
        record.references = f"sources/references/{sid}.yaml"
        entries = [
            {
                k: v
                for k, v in (("number", r.number), ("citation", r.citation), ("doi", r.doi), ("pmid", r.pmid))
                if v is not None
            }
            for r in ref_list
        ]
        planned[project.root / record.references] = yaml.safe_dump(
            entries, sort_keys=False, allow_unicode=True, width=110
        ).encode("utf-8")
    head = (
        f"# Registered by `exo-rdf source add {file.name}`. Values not given are not recorded; "
        "add them here when known.\n"
    )
    planned[record.path] = (
        head + yaml.safe_dump(record.as_yaml(), sort_keys=False, allow_unicode=True, width=110)
    ).encode("utf-8")
    clash = [p for p in planned if p.exists()]
    if clash:
        raise ExoError(
            f"{file}: not registered: {', '.join(str(p) for p in clash)} already exist(s); "
            "remove it or choose another --id"
        )
    try:
        for final in planned:
            final.parent.mkdir(parents=True, exist_ok=True)
        written = atomic_write_many(planned.items())
    except OSError as exc:
        raise ExoError(f"cannot write into {folder}: {exc}; nothing registered") from None
    return AddedSource(record, written, len(sections_of(text, layout)), len(text))
