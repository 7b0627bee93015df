"""HTTP content negotiation (RFC 9110 §12.5.1), shared by the SPARQL endpoint and the linked-data pages."""

from __future__ import annotations

__all__ = [
    "negotiate",
    "parse_accept",
]


def parse_accept(header: str | None) -> list[tuple[str, str, float, int]]:
    """The media ranges of an Accept header as ``(type, subtype, q, position)``; bad parts are skipped."""
    ranges: list[tuple[str, str, float, int]] = []
    if not header:
        return ranges
    for position, part in enumerate(header.split(",")):
        fields = part.split(";")
        media = fields[0].strip().lower()
        if media == "*":
            media = "*/*"
        kind, slash, sub = media.partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((kind, sub, q, position))
    return ranges


def negotiate(accept: str | None, offers: tuple[tuple[str, str], ...]) -> str | None:
    """The key of the best offer for an Accept header, or None when nothing offered is acceptable.

    Per RFC 9110: an offer's quality is that of the most specific range matching it (exact, then
    ``type/*``, then ``*/*``); the highest quality wins, then the more specific match, then the range the
    client listed first, then the server's order. No Accept header means the first offer.
    """
    ranges = parse_accept(accept)
    if not accept or not accept.strip():
        return offers[0][1]
    best, best_rank = None, None
    for order, (media, key) in enumerate(offers):
        kind, _, sub = media.partition("/")
        match = None  # (specificity, q, position)
        for r_kind, r_sub, q, position in ranges:
            if r_kind == kind and r_sub == sub:
                spec = 2
            elif r_kind == kind and r_sub == "*":
                spec = 1
            elif r_kind == "*" and r_sub == "*":
                spec = 0
            else:
                continue
            if match is None or spec > match[0]:
                match = (spec, q, position)
        if match is None or match[1] <= 0:
            continue
        rank = (match[1], match[0], -match[2], -order)
        if best_rank is None or rank > best_rank:
            best, best_rank = key, rank
    return best
