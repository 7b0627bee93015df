"""`exo-rdf diff OLD NEW`: what changed between two releases, for people (Markdown) and machines (JSON).

A release is a dist/ folder (its ``data/exo-data.nt`` and ``ontology/exo-base.ttl`` are read) or a
single release file (.nt, .ttl, .nq, .trig, .jsonld: data and ontology terms are taken from it).

Reported:

* statements added, withdrawn (newly ``owl:deprecated``), removed without withdrawal (a release
  must never do that; `build` refuses it), and changed, with the fields that changed: the
  statement's own properties by CURIE, nested nodes by their kind (``effect``, ``model``, ``quote``,
  ``correction``);
* ontology terms (our namespace) added, deprecated and removed;
* external ids (OBO, HGNC, miRBase, Cellosaurus, ClinicalTrials.gov ...) that the data uses newly or
  no longer uses.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import ExoError
from .namespaces import BASE, EXO, PREFIXES, compress, expand
from .rdfio import SOURCE_FORMATS
from .release import is_statement_iri

__all__ = ["Release", "ReleaseDiff", "diff_json", "diff_markdown", "diff_releases", "load_release"]

#: vocabularies whose IRIs are structure, not external ids
_VOCABULARIES = tuple(
    PREFIXES[p]
    for p in (
        "rdf",
        "rdfs",
        "owl",
        "xsd",
        "prov",
        "oa",
        "dcterms",
        "dcat",
        "void",
        "skos",
        "vann",
        "sh",
        "np",
        "bibo",
        "doi",
        "pubmed",
        "orcid",
        "sd",
        "spdx",
    )
)


@dataclass
class Release:
    where: str
    data: list  # pyoxigraph triples
    ontology: list


@dataclass
class ReleaseDiff:
    old: str
    new: str
    added: list[str] = field(default_factory=list)
    withdrawn: list[dict] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    terms_added: list[str] = field(default_factory=list)
    terms_deprecated: list[str] = field(default_factory=list)
    terms_removed: list[str] = field(default_factory=list)
    external_added: list[str] = field(default_factory=list)
    external_removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _parse(path: Path) -> list:
    import pyoxigraph as ox

    fmt = SOURCE_FORMATS.get(path.suffix.lower(), (None,))[0]
    if fmt is None:
        raise ExoError(
            f"{path}: not a release file (expected one of {', '.join(sorted(SOURCE_FORMATS))}) nor a dist/ folder"
        )
    try:
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=str(path), format=getattr(ox.RdfFormat, fmt))
        ]
    except (SyntaxError, OSError) as exc:
        raise ExoError(f"{path}: cannot parse: {exc}") from None


def load_release(path: Path) -> Release:
    path = Path(path)
    if path.is_dir():
        data_file, onto_file = path / "data" / "exo-data.nt", path / "ontology" / "exo-base.ttl"
        for f in (data_file, onto_file):
            if not f.is_file():
                raise ExoError(f"{path}: not a release folder: {f.relative_to(path)} is missing")
        return Release(str(path), _parse(data_file), _parse(onto_file))
    if not path.is_file():
        raise ExoError(f"{path}: no such release folder or file")
    triples = _parse(path)
    return Release(str(path), triples, triples)


def _by_statement(triples) -> dict[str, dict[str, set]]:
    """statement IRI -> field -> set of (subject-suffix, predicate, object) strings."""
    import pyoxigraph as ox

    subjects = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    statements = {s for s in subjects if is_statement_iri(s)}
    out: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        iri = t.subject.value
        probe = iri
        while probe not in statements and "/" in probe[len(BASE) :]:
            probe = probe.rsplit("/", 1)[0]
        if probe not in statements:
            continue
        if iri == probe:
            name = compress(t.predicate.value)
        else:
            name = iri[len(probe) + 1 :].split("/", 1)[0]
        out[probe][name].add((iri[len(probe) :], t.predicate.value, str(t.object)))
    return out


def _deprecated(triples) -> set[str]:
    dep = str(expand("owl:deprecated"))
    return {t.subject.value for t in triples if t.predicate.value == dep and t.object.value == "true"}


def _terms(triples) -> set[str]:
    ns = str(EXO._NS)
    return {
        t.subject.value
        for t in triples
        if hasattr(t.subject, "value") and t.subject.value.startswith(ns) and len(t.subject.value) > len(ns)
    }


def _external(triples) -> set[str]:
    import pyoxigraph as ox

    found = set()
    for t in triples:
        for term in (t.subject, t.object):
            if (
                isinstance(term, ox.NamedNode)
                and not term.value.startswith(BASE)
                and not term.value.startswith(_VOCABULARIES)
            ):
                found.add(term.value)
    return found


def diff_releases(old_path: Path, new_path: Path) -> ReleaseDiff:
    old, new = load_release(old_path), load_release(new_path)
    result = ReleaseDiff(old.where, new.where)
    a, b = _by_statement(old.data), _by_statement(new.data)
    dep_old, dep_new = _deprecated(old.data), _deprecated(new.data)
    reason_p, replaced_p = str(EXO.withdrawalReason), str(expand("dcterms:isReplacedBy"))
    withdrawal: dict = defaultdict(lambda: defaultdict(list))
    for t in new.data:
        if t.predicate.value in (reason_p, replaced_p) and t.subject.value in dep_new:
            withdrawal[t.subject.value][t.predicate.value].append(t.object.value)
    for iri in sorted(set(b) - set(a)):
        result.added.append(iri)
    for iri in sorted(set(a) - set(b)):
        result.removed.append(iri)
    for iri in sorted(set(a) & set(b)):
        if iri in dep_new and iri not in dep_old:
            result.withdrawn.append(
                {
                    "iri": iri,
                    "reason": sorted(withdrawal[iri][reason_p]),
                    "replaced_by": sorted(withdrawal[iri][replaced_p]),
                }
            )
            continue
        changed = sorted(k for k in set(a[iri]) | set(b[iri]) if a[iri].get(k, set()) != b[iri].get(k, set()))
        if changed:
            result.changed.append({"iri": iri, "fields": changed})
    t_old, t_new = _terms(old.ontology), _terms(new.ontology)
    d_old, d_new = _deprecated(old.ontology), _deprecated(new.ontology)
    result.terms_added = sorted(t_new - t_old)
    result.terms_removed = sorted(t_old - t_new)
    result.terms_deprecated = sorted((d_new - d_old) & t_new)
    e_old, e_new = _external(old.data), _external(new.data)
    result.external_added = sorted(e_new - e_old)
    result.external_removed = sorted(e_old - e_new)
    return result


def diff_markdown(d: ReleaseDiff) -> str:
    c = compress
    lines = [
        f"# Changes from `{d.old}` to `{d.new}`",
        "",
        f"Statements: {len(d.added)} added, {len(d.withdrawn)} withdrawn, {len(d.changed)} changed, "
        f"{len(d.removed)} removed without withdrawal. Ontology terms: {len(d.terms_added)} added, "
        f"{len(d.terms_deprecated)} deprecated, {len(d.terms_removed)} removed. External ids: "
        f"{len(d.external_added)} newly used, {len(d.external_removed)} no longer used.",
        "",
    ]

    def section(title, items):
        if items:
            lines.append(f"## {title}")
            lines.append("")
            lines.extend(items)
            lines.append("")

    section("Statements added", [f"- `{c(i)}`" for i in d.added])
    section(
        "Statements withdrawn",
        [
            f"- `{c(w['iri'])}`: {'; '.join(w['reason']) or 'no reason given'}"
            + (f" (replaced by {', '.join(f'`{c(r)}`' for r in w['replaced_by'])})" if w["replaced_by"] else "")
            for w in d.withdrawn
        ],
    )
    section("Statements changed", [f"- `{c(x['iri'])}`: {', '.join(x['fields'])}" for x in d.changed])
    section("Statements removed without withdrawal (not allowed in a release)", [f"- `{c(i)}`" for i in d.removed])
    section("Ontology terms added", [f"- `{c(i)}`" for i in d.terms_added])
    section("Ontology terms deprecated", [f"- `{c(i)}`" for i in d.terms_deprecated])
    section("Ontology terms removed (not allowed in a release)", [f"- `{c(i)}`" for i in d.terms_removed])
    section("External ids newly used", [f"- `{c(i)}`" for i in d.external_added])
    section("External ids no longer used", [f"- `{c(i)}`" for i in d.external_removed])
    return "\n".join(lines).rstrip() + "\n"


def diff_json(d: ReleaseDiff) -> str:
    return json.dumps(d.as_dict(), indent=1, sort_keys=True) + "\n"
