"""Readers of the OBO family of formats: OBO 1.4 flat files, OBO Graph JSON and cellxgene term tables.

One reader per format, shared by both users: the term index (:mod:`exo_rdf.terms`, which keeps
labels, synonyms, parents and obsolescence) and the OWL conversion of ``exo-rdf merge``
(:mod:`exo_rdf.extformats`). The readers only split a document into its parts and check its
structure, raising :class:`~exo_rdf.errors.InputError` that names the stanza, node, edge or term at
fault; each user interprets the values.

- OBO flat files: :func:`obo_stanzas` yields the stanzas as tag-value pairs with their line numbers.
- OBO Graph JSON: :func:`obograph_graphs` gives each graph's nodes (:class:`GraphNode`) and edges
  (:class:`GraphEdge`).
- cellxgene term tables (a JSON object keyed by CURIE, with label, description, synonyms,
  deprecation and the ancestor closure with distances): :func:`cxg_entries` gives :class:`CxgEntry`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = [
    "CxgEntry",
    "GraphEdge",
    "GraphNode",
    "ObographGraph",
    "Stanza",
    "cxg_entries",
    "obo_stanzas",
    "obograph_graphs",
]

#: One stanza: its type (``Term``, ``Typedef``, ``Instance`` ...), the line of its header and its tags
#: as (tag, value, line), in file order.
Stanza = tuple[str, int, list[tuple[str, str, int]]]

_OBO_TAG = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s?(.*)$")


def obo_stanzas(lines: Iterable[str], path: Path, header: dict[str, list[str]] | None = None) -> Iterator[Stanza]:
    """The stanzas of OBO text given line by line; header tags are collected into ``header``.

    Blank lines and ``!`` comment lines are skipped. A line before the first stanza that is not a
    ``tag: value`` pair raises :class:`InputError` (the text is not OBO); inside stanzas such lines are
    ignored, as OBO parsers do.
    """
    header = header if header is not None else {}
    current: Stanza | None = None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line.startswith("["):
            if current is not None:
                yield current
            current = (line.strip("[] "), number, [])
            continue
        m = _OBO_TAG.match(line)
        if not m:
            if current is None:
                raise InputError(path, f"not an OBO header line: {line[:80]!r}", number)
            continue
        if current is None:
            header.setdefault(m.group(1), []).append(m.group(2).strip())
        else:
            current[2].append((m.group(1), m.group(2).strip(), number))
    if current is not None:
        yield current


# --------------------------------------------------------------------------------------------------
# OBO Graph JSON

#: Synonym predicates of OBO Graph JSON and the OBO scope each stands for (anything else is RELATED).
_SYNONYM_SCOPES = {"hasExactSynonym": "EXACT", "hasBroadSynonym": "BROAD", "hasNarrowSynonym": "NARROW"}


@dataclass
class GraphNode:
    """One node of an OBO Graph JSON graph; ``where`` locates it in the file (``graphs[0].nodes[3]``)."""

    where: str
    id: str
    type: str = "CLASS"
    label: str | None = None
    definition: str | None = None
    synonyms: list[tuple[str, str]] = field(default_factory=list)  # (scope, text)
    xrefs: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    deprecated: bool = False
    property_values: list[tuple[str, str]] = field(default_factory=list)  # (predicate, value)


@dataclass
class GraphEdge:
    """One edge of an OBO Graph JSON graph (``pred`` is ``is_a`` or a relation id or IRI)."""

    where: str
    sub: str
    pred: str
    obj: str


@dataclass
class ObographGraph:
    id: str | None
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def _object(value: Any, path: Path, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(path, f"{where} is not a JSON object")
    return value


def _objects(value: Any, path: Path, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(path, f"{where} is not a JSON list")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise InputError(path, f"{where}[{i}] is not a JSON object")
    return value


def _text(value: Any) -> str | None:
    """A JSON scalar as text; empty values and non-scalars as None."""
    if value is None or isinstance(value, dict | list) or value == "":
        return None
    return str(value)


def _strings(value: Any) -> list[str]:
    """A JSON value that should be a list of strings (a single string is one item; empty items dropped)."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if v is not None and v != "" and not isinstance(v, dict | list)]


def obograph_graphs(doc: Any, path: Path) -> list[ObographGraph]:
    """The graphs of an OBO Graph JSON document, their nodes and edges in file order.

    Raises :class:`InputError` naming the graph, node or edge when the structure is not OBO Graph JSON
    (no ``graphs``, a node without an id, an edge without ``sub``, ``pred`` or ``obj``).
    """
    if not isinstance(doc, dict):
        raise InputError(path, "OBO Graph JSON is not a JSON object")
    raw_graphs = doc.get("graphs")
    if not raw_graphs or not isinstance(raw_graphs, list) or not all(isinstance(g, dict) for g in raw_graphs):
        raise InputError(path, "OBO Graph JSON without graphs")
    graphs = []
    for gi, raw in enumerate(raw_graphs):
        nodes: list[GraphNode] = []
        for i, node in enumerate(_objects(raw.get("nodes"), path, f"graphs[{gi}].nodes")):
            where = f"graphs[{gi}].nodes[{i}]"
            node_id = node.get("id")
            if not isinstance(node_id, str) or not node_id.strip():
                raise InputError(path, f"{where} has no valid id")
            meta = _object(node.get("meta"), path, f"{where}.meta")
            definition = _object(meta.get("definition"), path, f"{where}.meta.definition")
            entry = GraphNode(
                where,
                node_id,
                _text(node.get("type")) or "CLASS",
                _text(node.get("lbl")),
                _text(definition.get("val")),
                deprecated=bool(meta.get("deprecated")),
            )
            for syn in _objects(meta.get("synonyms"), path, f"{where}.meta.synonyms"):
                text = _text(syn.get("val"))
                if text is not None:
                    entry.synonyms.append((_SYNONYM_SCOPES.get(str(syn.get("pred") or ""), "RELATED"), text))
            for xref in _objects(meta.get("xrefs"), path, f"{where}.meta.xrefs"):
                text = _text(xref.get("val"))
                if text is not None:
                    entry.xrefs.append(text)
            entry.comments = [str(c) for c in meta.get("comments") or [] if c is not None]
            for pv in _objects(meta.get("basicPropertyValues"), path, f"{where}.meta.basicPropertyValues"):
                pred, val = _text(pv.get("pred")), pv.get("val")
                if pred is not None and val is not None:
                    entry.property_values.append((pred, str(val)))
            nodes.append(entry)
        edges: list[GraphEdge] = []
        for i, edge in enumerate(_objects(raw.get("edges"), path, f"graphs[{gi}].edges")):
            sub, pred, obj = (_text(edge.get(k)) for k in ("sub", "pred", "obj"))
            if sub is None or pred is None or obj is None:
                raise InputError(path, f"graphs[{gi}].edges[{i}] lacks sub, pred or obj")
            edges.append(GraphEdge(f"graphs[{gi}].edges[{i}]", sub, pred, obj))
        graphs.append(ObographGraph(_text(raw.get("id")), nodes, edges))
    return graphs


# --------------------------------------------------------------------------------------------------
# cellxgene term tables


@dataclass
class CxgEntry:
    """One term of a cellxgene table; ``ancestors`` maps every ancestor to its distance (1 = direct)."""

    curie: str
    label: str | None
    description: str | None
    synonyms: list[str]
    comments: list[str]
    deprecated: bool
    replaced_by: list[str]
    consider: list[str]
    ancestors: dict[str, int]

    @property
    def direct(self) -> list[str]:
        """The direct ancestors (distance 1), in file order."""
        return [a for a, d in self.ancestors.items() if d == 1]


def cxg_entries(doc: Any, path: Path) -> list[CxgEntry]:
    """The terms of a cellxgene term table, in file order.

    Raises :class:`InputError` naming the term when an entry or its ``ancestors`` is not a JSON object.
    """
    if not isinstance(doc, dict):
        raise InputError(path, "a cellxgene term table is a JSON object keyed by term id")
    entries = []
    for curie, entry in doc.items():
        if not isinstance(entry, dict):
            raise InputError(path, f"term {curie!r} is not a JSON object")
        ancestors = entry.get("ancestors") or {}
        if not isinstance(ancestors, dict):
            raise InputError(path, f"term {curie}: 'ancestors' is not an object")
        entries.append(
            CxgEntry(
                curie,
                _text(entry.get("label")),
                _text(entry.get("description")),
                _strings(entry.get("synonyms")),
                _strings(entry.get("comments")),
                bool(entry.get("deprecated")),
                _strings(entry.get("replaced_by")),
                _strings(entry.get("consider")),
                {str(a): d for a, d in ancestors.items()},
            )
        )
    return entries
