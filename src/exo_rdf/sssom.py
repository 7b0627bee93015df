"""The SSSOM mapping set of exo-rdf: every cross-reference the project asserts, as one TSV file.

Two kinds of rows:

* **ours**: every ``skos:exactMatch`` / ``closeMatch`` / ``broadMatch`` / ``narrowMatch`` (and any
  ``oboInOwl:hasDbXref``) whose subject is one of our terms or records (``exo:``/``exod:``), read from
  ontology/exo.ttl and instances/*.ttl; justification ``semapv:ManualMappingCuration``.
* **MONDO to DOID**: for every MONDO disease used in instances/*.ttl, its ``skos:exactMatch`` rows from
  the MONDO project's own mapping file in the shared folder, keeping that file's justification and
  recording its provenance per row (``mapping_provider``, ``subject_source``, ``object_source``,
  ``object_source_version``). MONDO ids with no DOID row are listed in the metadata ``comment``.

Labels come from our ontology and the generated import modules (official labels), falling back to the
shared term tables. The metadata block is YAML in ``#`` comments; its ``curie_map`` covers every prefix
the rows use. Rows are sorted and no date is written, so the file is byte-identical for one version.
"""

from __future__ import annotations

import csv
import io
import lzma
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .errors import ExoError, InputError
from .graph import select_rows
from .manifest import shared_file
from .namespaces import BASE, EXO, EXOD, ONTOLOGY_IRI, PREFIXES, compress, expand

if TYPE_CHECKING:
    from pyoxigraph import Store

    from .project import Project

__all__ = [
    "COLUMNS",
    "MANUAL",
    "MAPPING_PREDICATES",
    "MAPPING_SET_ID",
    "OUTPUT",
    "MappingSet",
    "mapping_set",
    "read_sssom",
    "serialize",
    "sssom_outputs",
    "used_mondo_ids",
]

#: Where the mapping set is published (relative to dist/), and its stable id.
OUTPUT = "mappings/exo-rdf.sssom.tsv"
MAPPING_SET_ID = BASE + OUTPUT
#: Mapping predicates read from our sources, as CURIEs.
MAPPING_PREDICATES = ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "oboInOwl:hasDbXref")
MANUAL = "semapv:ManualMappingCuration"

#: Column order of the TSV (SSSOM slot names); a column is written only if some row fills it.
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "subject_source",
    "object_source",
    "object_source_version",
    "mapping_provider",
    "comment",
)
#: Metadata slots whose values are CURIEs (their prefixes must be in the curie_map too).
_CURIE_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification", "subject_source", "object_source")


@dataclass
class MappingSet:
    """The rows and metadata of the mapping set, before serialisation."""

    rows: list[dict[str, str]]
    metadata: dict[str, Any]
    unmapped_mondo: list[str] = field(default_factory=list)  # MONDO ids used in instances, no DOID row


def _clean(value: object) -> str:
    """One-line cell text: tabs and line breaks would break a TSV row."""
    return " ".join(str(value).split()) if value is not None else ""


def read_sssom(path: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Read an SSSOM TSV (plain or .xz): its YAML metadata block and its rows."""
    import yaml

    path = Path(path)
    try:
        opener = lzma.open if path.suffix == ".xz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise InputError(path, "SSSOM file not found") from None
    except (OSError, lzma.LZMAError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read SSSOM file: {exc}") from None
    lines = text.splitlines()
    header = [line[1:] for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]
    try:
        meta = yaml.safe_load("\n".join(h[1:] if h.startswith(" ") else h for h in header)) or {}
    except yaml.YAMLError as exc:
        raise InputError(path, f"the '#' metadata block is not valid YAML: {exc}") from None
    rows = list(csv.DictReader(io.StringIO("\n".join(body)), delimiter="\t"))
    if rows and not {"subject_id", "predicate_id", "object_id"} <= set(rows[0]):
        raise InputError(path, "missing one of the columns subject_id, predicate_id, object_id")
    return meta, rows


def used_mondo_ids(store: Store) -> list[str]:
    """Every MONDO term that the instance data refers to (as subject or object), sorted."""
    mondo = PREFIXES["MONDO"]
    query = f"""SELECT DISTINCT ?x WHERE {{
        {{ ?s ?p ?x }} UNION {{ ?x ?p ?o }}
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{mondo}"))
    }}"""
    return sorted(compress(row[0].value) for row in select_rows(store, query))


def _our_mappings(store: Store, source: str) -> list[tuple[str, str, str]]:
    """(subject, predicate, object) CURIEs of every mapping triple about our own terms and records."""
    values = " ".join(f"<{expand(p)}>" for p in MAPPING_PREDICATES)
    query = f"""SELECT ?s ?p ?o WHERE {{
        VALUES ?p {{ {values} }}
        ?s ?p ?o .
        FILTER(isIRI(?s) && (STRSTARTS(STR(?s), "{EXO._NS}") || STRSTARTS(STR(?s), "{EXOD}")))
    }}"""
    import pyoxigraph as ox

    found = []
    for s, p, o in select_rows(store, query):
        subject, predicate = compress(s.value), compress(p.value)
        # oboInOwl:hasDbXref carries its target as a CURIE string; skos mappings as an IRI
        obj = compress(o.value) if isinstance(o, ox.NamedNode) else o.value
        prefix = obj.partition(":")[0]
        if ":" not in obj or prefix not in PREFIXES:
            raise ExoError(
                f"{source}: {subject} {predicate} {o.value}: the target has no prefix in the "
                "canonical map (exo_rdf.namespaces.PREFIXES); use a known prefix or ask for one"
            )
        found.append((subject, predicate, obj))
    return sorted(set(found))


def _labels(store: Store, curies: Iterable[str]) -> dict[str, str]:
    """rdfs:label of each CURIE in the store (English or plain; the first in sort order if several)."""
    if not curies:
        return {}
    values = " ".join(f"<{expand(c)}>" for c in sorted(curies))
    query = f"""SELECT ?x ?label WHERE {{
        VALUES ?x {{ {values} }}
        ?x <{expand("rdfs:label")}> ?label .
        FILTER(lang(?label) = "" || langMatches(lang(?label), "en"))
    }}"""
    labels: dict[str, list[str]] = {}
    for x, label in select_rows(store, query):
        labels.setdefault(compress(x.value), []).append(label.value)
    return {k: sorted(v)[0] for k, v in labels.items()}


def _ontology_annotation(store: Store, predicate: str) -> list[str]:
    query = f"SELECT ?v WHERE {{ <{ONTOLOGY_IRI}> <{expand(predicate)}> ?v }}"
    return sorted(row[0].value for row in select_rows(store, query))


def mapping_set(project: Project, version: str) -> MappingSet:
    """Collect the mapping set of ``project`` (rows sorted, metadata complete)."""
    from .graph import load_store

    mondo_file = project.external_dir / shared_file("mondo_doid_sssom")
    if not mondo_file.is_file():
        raise ExoError(
            f"{mondo_file}: the MONDO to DOID mapping file is missing from the shared folder "
            "(expected ../shared/ontologies beside the project, or set EXO_RDF_SHARED)"
        )
    sources = [project.ontology_file, *project.instance_files()]
    store = load_store([*sources, *project.import_files()])
    instance_store = load_store(project.instance_files())

    ours = _our_mappings(store, "ontology/exo.ttl or instances/*.ttl")
    used = used_mondo_ids(instance_store)
    mondo_meta, mondo_rows = read_sssom(mondo_file)
    by_subject: dict[str, list[dict[str, str]]] = {}
    for row in mondo_rows:
        if row.get("predicate_id") == "skos:exactMatch":
            by_subject.setdefault(row["subject_id"], []).append(row)

    needed = {c for s, _, o in ours for c in (s, o)}
    labels = _labels(store, needed)
    missing = sorted(c for c in needed if c not in labels)
    if missing:
        # ids added to exo.ttl after the import modules were last regenerated: use the shared tables
        from .terms import project_index

        index = project_index(project)
        for curie in missing:
            label = index.label(curie)
            if label:
                labels[curie] = label

    rows: list[dict[str, str]] = []
    for subject, predicate, obj in ours:
        rows.append(
            {
                "subject_id": subject,
                "subject_label": labels.get(subject, ""),
                "predicate_id": predicate,
                "object_id": obj,
                "object_label": labels.get(obj, ""),
                "mapping_justification": MANUAL,
                "mapping_provider": BASE,
            }
        )
    unmapped = []
    for mondo in used:
        matches = by_subject.get(mondo, [])
        if not matches:
            unmapped.append(mondo)
        for m in matches:
            rows.append(
                {
                    "subject_id": m["subject_id"],
                    "subject_label": m.get("subject_label", ""),
                    "predicate_id": m["predicate_id"],
                    "object_id": m["object_id"],
                    "object_label": m.get("object_label", ""),
                    "mapping_justification": m.get("mapping_justification") or MANUAL,
                    "subject_source": str(mondo_meta.get("subject_source", "")),
                    "object_source": str(mondo_meta.get("object_source", "")),
                    "object_source_version": str(mondo_meta.get("object_source_version", "")),
                    "mapping_provider": str(mondo_meta.get("mapping_set_id", "")),
                }
            )
    rows = [{k: _clean(v) for k, v in row.items()} for row in rows]
    rows.sort(key=lambda r: (r["subject_id"], r["predicate_id"], r["object_id"]))

    used_prefixes = {row[c].partition(":")[0] for row in rows for c in _CURIE_COLUMNS if row.get(c)}
    unknown = sorted(p for p in used_prefixes if p not in PREFIXES)
    if unknown:
        raise ExoError(f"{mondo_file}: prefixes {', '.join(unknown)} are not in the canonical prefix map")
    license_ = _ontology_annotation(store, "dcterms:license")
    if not license_:
        raise InputError(
            project.ontology_file,
            "the ontology header has no dcterms:license; the mapping set needs one (add dcterms:license <licence IRI>)",
        )
    creators = _ontology_annotation(store, "dcterms:creator")
    comment = (
        "Our minted terms (exo:) mapped to their closest external terms, curated by hand; and "
        "MONDO to DOID exact matches for every MONDO disease used in instances/*.ttl, taken from "
        f"{mondo_meta.get('mapping_set_version', mondo_file.name)}."
    )
    if unmapped:
        comment += (
            " MONDO diseases used in instances/*.ttl with no DOID exact match in that file: "
            + ", ".join(unmapped)
            + "."
        )
    metadata = {
        "curie_map": {p: PREFIXES[p] for p in sorted(used_prefixes)},
        "mapping_set_id": MAPPING_SET_ID,
        "mapping_set_version": version,
        "mapping_set_title": "exo-rdf cross-references",
        "mapping_set_description": (
            "Every cross-reference asserted by exo-rdf, the knowledge graph and ontology of MSC-derived "
            "exosomes: mappings of its minted terms to external ontology terms, and MONDO to DOID exact "
            "matches for the diseases its data uses."
        ),
        "license": license_[0],
        "creator_label": creators or ["exo-rdf contributors"],
        "comment": comment,
    }
    return MappingSet(rows, metadata, unmapped)


def serialize(mset: MappingSet) -> str:
    """The SSSOM/TSV text: YAML metadata in '#' lines, then the rows."""
    import yaml

    meta_text = yaml.safe_dump(mset.metadata, sort_keys=False, allow_unicode=True, width=100000)
    out = io.StringIO()
    for line in meta_text.splitlines():
        out.write(f"# {line}\n")
    columns = [c for c in COLUMNS if any(row.get(c) for row in mset.rows)]
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in mset.rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def sssom_outputs(project: Project, version: str) -> dict[str, str]:
    """The release files of the mapping set, keyed by their path under dist/."""
    return {OUTPUT: serialize(mapping_set(project, version))}
