"""What a statement's page shows of its record: the source's bibliographic record, the primary studies
behind its cited references, its curator and dates, and whether it is withdrawn.

Values the source registry does not hold are named "not recorded" (never guessed); a reference
resolves to its citation, DOI and PMID only where the source's reference list is registered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..namespaces import EXO, PREFIXES, PROV, expand

if TYPE_CHECKING:
    from .site import Site

__all__ = ["NOT_RECORDED", "source_record", "statement_record"]

NOT_RECORDED = "not recorded"
_DCT = PREFIXES["dcterms"]


def _values(out: dict[str, list[Any]], prop: object) -> list[Any]:
    return out.get(str(prop), [])


def _text(out: dict[str, list[Any]], prop: object) -> list[str]:
    return [v.value for v in _values(out, prop)]


def _links(out: dict[str, list[Any]]) -> list[dict[str, str]]:
    links = []
    for kind, prop, prefix in (("DOI", "bibo:doi", "doi"), ("PMID", "bibo:pmid", "pubmed")):
        for value in _text(out, expand(prop)):
            links.append({"kind": kind, "id": value, "href": str(expand(f"{prefix}:{value}"))})
    return links


def source_record(site: Site, src_iri: str) -> dict[str, Any]:
    out = site.outgoing(src_iri)
    return {
        "title": _text(out, _DCT + "title"),
        "authors": _text(out, _DCT + "creator"),
        "year": _text(out, _DCT + "issued"),
        "journal": _text(out, EXO.journalTitle),
        "links": _links(out),
        "not_recorded": sorted(_text(out, EXO.notRecorded)),
        "reference_list": "reference list" not in _text(out, EXO.notRecorded),
    }


def statement_record(site: Site, iri: str, out: dict[str, Any]) -> dict[str, Any]:
    """Extra page data for :meth:`exo_rdf.server.site.Site.statement`."""
    sources = [source_record(site, s.value) for s in out.get(str(PROV.wasDerivedFrom), [])]
    references = {}
    for ref in out.get(str(EXO.citesReference), []):
        rout = site.outgoing(ref.value)
        number = _text(rout, EXO.referenceNumber)
        references[number[0] if number else "?"] = {
            "citation": _text(rout, _DCT + "bibliographicCitation"),
            "links": _links(rout),
        }
    return {
        "bibliography": sources,
        "reference_details": references,
        "reference_list_recorded": any(s["reference_list"] for s in sources),
        "curators": [
            {
                "name": site.labels.get(v.value) or v.value,
                "orcid": v.value if v.value.startswith(PREFIXES["orcid"]) else None,
            }
            for v in out.get(str(PROV.wasAttributedTo), [])
        ],
        "created": _text(out, _DCT + "created"),
        "modified": _text(out, _DCT + "modified"),
        "withdrawn": any(v.value == "true" for v in out.get(PREFIXES["owl"] + "deprecated", [])),
        "withdrawal_reason": _text(out, EXO.withdrawalReason),
        "replaced_by": [site.view(v) for v in out.get(_DCT + "isReplacedBy", [])],
        "not_recorded": NOT_RECORDED,
    }
