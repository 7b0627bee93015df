"""The life cycle of a curation record: who made it, when, and whether it is a draft, reviewed or withdrawn.

Keys (all optional; curation/README.md documents them)::

    curator: {name: Jane Curator, orcid: 0000-0002-1825-0097}   # or just a name
    created: 2026-12-04
    modified: 2026-12-05
    status: draft | reviewed | withdrawn                       # default: reviewed
    reason: "..."                                              # withdrawn: required
    replaced_by: s000-...                                      # withdrawn: optional, a statement id
    candidates: ...                                            # written by `exo-rdf draft`; ignored

A record without these keys (every record curated before the keys existed) is ``reviewed`` with
curator and dates "not recorded": no triple is written for them, so their Turtle is unchanged.

In RDF a statement gets ``prov:wasAttributedTo`` its curator (the ORCID IRI, or a local
``exod:curator/<name>`` node, a ``prov:Person`` with its name as label), ``dcterms:created`` and
``dcterms:modified`` (xsd:date). A draft is not compiled at all (it is listed in the result, and
`build` refuses to release while one remains). A withdrawn statement keeps its IRI, label, quote,
references and notes, is typed ``exo:WithdrawnStatement`` instead of its own class, is marked
``owl:deprecated true`` with ``exo:withdrawalReason`` and ``dcterms:isReplacedBy``, and asserts
nothing else: no preparation, effect, model, disease or entity, so it leaves every answer of the
competency questions by construction.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from .namespaces import EXO, EXOD, PREFIXES, PROV, expand
from .registry import orcid_problem
from .sources import slugify

if TYPE_CHECKING:
    from typing import Any

    from rdflib import BNode, Graph, URIRef

__all__ = [
    "CURATOR_KEYS",
    "LIFECYCLE_KEYS",
    "STATUSES",
    "add_provenance",
    "check_status",
    "curator_node",
    "resolve_replacements",
    "status_of",
]

LIFECYCLE_KEYS = {"curator", "created", "modified", "status", "reason", "replaced_by", "candidates"}
STATUSES = ("draft", "reviewed", "withdrawn")
CURATOR_KEYS = {"name", "orcid"}


def status_of(rec: dict[str, Any]) -> str:
    return rec.get("status") or "reviewed"


def _date(ctx: Any, rec: dict[str, Any], key: str) -> dt.date | None:
    value = rec.get(key)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, dt.date):
        ctx.err(rec, f"'{key}: {value}' is not a date: write it as YYYY-MM-DD, e.g. 2026-12-04")
        return None
    return value


def curator_node(compiler: Any, ctx: Any, rec: dict[str, Any]) -> URIRef | BNode | None:
    """The IRI of the record's curator (added to the shared graph), or None when not recorded."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, RDFS

    cur = rec.get("curator")
    if cur is None:
        return None
    if isinstance(cur, str):
        cur = {"name": cur}
    if not isinstance(cur, dict) or not isinstance(cur.get("name"), str) or not cur["name"].strip():
        ctx.err(rec, "'curator' is a name or a mapping {name: ..., orcid: 0000-0000-0000-0000}")
        return None
    for key in cur:
        if key != "__line__" and key not in CURATOR_KEYS:
            ctx.err(cur, f"unknown key '{key}' in curator; allowed: name, orcid")
    name = cur["name"].strip()
    orcid = cur.get("orcid")
    if orcid is not None:
        problem = orcid_problem(orcid)
        if problem:
            ctx.err(cur, problem)
            return None
        iri = URIRef(PREFIXES["orcid"] + str(orcid).strip())
    else:
        iri = EXOD[f"curator/{slugify(name)}"]
    shared = compiler.shared
    shared.add((iri, RDF.type, PROV.Person))
    if not any(shared.objects(iri, RDFS.label)):
        shared.add((iri, RDFS.label, Literal(name)))
    return iri


def check_status(ctx: Any, rec: dict[str, Any]) -> str | None:
    """The record's status, or None (with an error) when it is not one of draft, reviewed, withdrawn."""
    status = status_of(rec)
    if status not in STATUSES:
        ctx.err(rec, f"'status: {status}' is not allowed; use one of: {', '.join(STATUSES)}")
        return None
    return status


def add_provenance(compiler: Any, ctx: Any, g: Graph, s: URIRef, rec: dict[str, Any]) -> None:
    """Curator and dates of a record; the withdrawal marks of a withdrawn one."""
    from rdflib import Literal
    from rdflib.namespace import OWL, XSD

    agent = curator_node(compiler, ctx, rec)
    if agent is not None:
        g.add((s, PROV.wasAttributedTo, agent))
    created, modified = _date(ctx, rec, "created"), _date(ctx, rec, "modified")
    if created and modified and modified < created:
        ctx.err(rec, f"'modified: {modified}' is before 'created: {created}'")
    for value, prop in ((created, "dcterms:created"), (modified, "dcterms:modified")):
        if value is not None:
            g.add((s, expand(prop), Literal(value.isoformat(), datatype=XSD.date)))
    status = status_of(rec)
    if status != "withdrawn":
        for key in ("reason", "replaced_by"):
            if rec.get(key) is not None:
                ctx.err(rec, f"'{key}' is only for a withdrawn record (status: withdrawn)")
        return
    reason = rec.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        ctx.err(rec, "a withdrawn record needs 'reason': why it is withdrawn, in a sentence")
    else:
        g.add((s, EXO.withdrawalReason, Literal(reason.strip(), lang="en")))
    g.add((s, OWL.deprecated, Literal(True)))
    if rec.get("replaced_by") is not None:
        compiler.replacements.append((ctx, rec, g, s, str(rec["replaced_by"])))


def resolve_replacements(compiler: Any) -> None:
    """Link each withdrawn statement to the statement that replaces it (any file; checked here)."""
    for ctx, rec, g, s, target in compiler.replacements:
        iri = compiler.statement_iris.get(target)
        if iri is None:
            ctx.err(rec, f"replaced_by '{target}' is not the id of a statement in curation/")
        elif target in compiler.withdrawn_ids:
            ctx.err(rec, f"replaced_by '{target}' is itself withdrawn: name the statement that replaces both")
        elif iri == s:
            ctx.err(rec, "a statement cannot replace itself")
        else:
            g.add((s, expand("dcterms:isReplacedBy"), iri))
