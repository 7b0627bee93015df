"""Each statement as its own unit: the nanopublication pattern in TriG (data/exo-nanopubs.trig).

For a statement ``exod:finding/<id>`` (or ``fact/<id>``) the release holds four named graphs under
``exod:np/finding/<id>/``:

* ``head``: ``np:Nanopublication`` with ``np:hasAssertion``, ``np:hasProvenance`` and
  ``np:hasPublicationInfo``;
* ``assertion``: what the statement states: its own triples (type, label, preparation, effects,
  models, entities ...) and those of the nodes nested under its IRI (effects, models, corrections);
* ``provenance``: where it comes from: its quote (with selectors and section), source, cited
  references, evidence type, knowledge level, named author and curation notes; and the assertion
  graph ``prov:wasDerivedFrom`` the source;
* ``pubinfo``: who curated it and when (``prov:wasAttributedTo``, ``dcterms:created``,
  ``dcterms:modified``) and, for a withdrawn statement, ``owl:deprecated``, the reason and
  ``dcterms:isReplacedBy``.

Everything not owned by a statement (sources, sections, references, preparations, cargo, local
entities, the dataset header) is in ``exod:graph/shared``, so the union of the assertion, provenance,
pubinfo and shared graphs is exactly the N-Triples dump. Editing one curation record changes only that statement's graphs (and the shared
graph only when it adds or drops a shared node).
"""

from __future__ import annotations

from typing import Any

from .namespaces import EXO, EXOD, PREFIXES, PROV, expand
from .release import is_statement_iri

__all__ = ["NANOPUB_FILE", "graph_names", "nanopub_outputs", "nanopub_quads"]

NANOPUB_FILE = "data/exo-nanopubs.trig"

_PROVENANCE = {
    str(PROV.wasDerivedFrom),
    str(EXO.hasQuote),
    str(EXO.citesReference),
    str(EXO.hasEvidenceType),
    str(EXO.hasKnowledgeLevel),
    str(EXO.namedAuthor),
    str(EXO.curationNote),
}
_PUBINFO = {
    str(PROV.wasAttributedTo),
    str(expand("dcterms:created")),
    str(expand("dcterms:modified")),
    str(expand("owl:deprecated")),
    str(EXO.withdrawalReason),
    str(expand("dcterms:isReplacedBy")),
}


def graph_names(statement: str) -> dict[str, str]:
    """The four graph IRIs of one statement's nanopublication."""
    local = statement[len(str(EXOD)) :]
    base = str(EXOD[f"np/{local}"])
    return {part: f"{base}/{part}" for part in ("head", "assertion", "provenance", "pubinfo")} | {"np": base}


def nanopub_quads(nt: str) -> list[Any]:
    """The quads of the N-Triples dump ``nt`` arranged as one nanopublication per statement; sorted."""
    import pyoxigraph as ox

    triples = list(ox.parse(nt.encode("utf-8"), ox.RdfFormat.N_TRIPLES))
    statements = {
        t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode) and is_statement_iri(t.subject.value)
    }

    def owner(subject: Any) -> str | None:
        if not isinstance(subject, ox.NamedNode):
            return None
        iri = subject.value
        while iri not in statements:
            if "/" not in iri[len(str(EXOD)) :] or not iri.startswith(str(EXOD)):
                return None
            iri = iri.rsplit("/", 1)[0]
        return iri

    shared = ox.NamedNode(str(EXOD["graph/shared"]))
    node = ox.NamedNode
    quads, seen = [], set()
    for t in triples:
        st = owner(t.subject)
        if st is None:
            quads.append(ox.Quad(t.subject, t.predicate, t.object, shared))
            continue
        names = graph_names(st)
        if t.subject.value == st:
            part = (
                "provenance"
                if t.predicate.value in _PROVENANCE
                else "pubinfo"
                if t.predicate.value in _PUBINFO
                else "assertion"
            )
        else:
            part = "provenance" if t.subject.value.startswith(f"{st}/quote") else "assertion"
        quads.append(ox.Quad(t.subject, t.predicate, t.object, node(names[part])))
        if st not in seen:
            seen.add(st)
            head, np_ = node(names["head"]), node(names["np"])
            quads += [
                ox.Quad(np_, node(str(expand("rdf:type"))), node(PREFIXES["np"] + "Nanopublication"), head),
                ox.Quad(np_, node(PREFIXES["np"] + "hasAssertion"), node(names["assertion"]), head),
                ox.Quad(np_, node(PREFIXES["np"] + "hasProvenance"), node(names["provenance"]), head),
                ox.Quad(np_, node(PREFIXES["np"] + "hasPublicationInfo"), node(names["pubinfo"]), head),
            ]
        if t.subject.value == st and t.predicate.value == str(PROV.wasDerivedFrom):
            quads.append(ox.Quad(node(names["assertion"]), t.predicate, t.object, node(names["provenance"])))
    return sorted(set(quads), key=lambda q: (q.graph_name.value, str(q.triple)))


def nanopub_outputs(nt: str) -> dict[str, str]:
    import pyoxigraph as ox

    prefixes = {k: v for k, v in PREFIXES.items() if k != "exod"}
    from .rdfio import sorted_prefix_lines

    data = ox.serialize(nanopub_quads(nt), format=ox.RdfFormat.TRIG, prefixes=prefixes)
    assert data is not None  # serialize returns the bytes when given no output
    trig = data.decode("utf-8")
    return {NANOPUB_FILE: sorted_prefix_lines(trig)}
