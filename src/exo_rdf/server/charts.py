"""Pictures of the graph as server-rendered SVG (no script, no external library): accessible (a title and a
description, text labels on every mark) and computed with the findings browser's own facet patterns, so
that a number in a picture is the number of findings the browser lists for the same choice.

* :func:`heat_map`: findings by organ system × MSC tissue source, each cell linking to the browser;
* :func:`bars`: findings by the values of one facet (knowledge level, model type);
* :func:`finding_diagram`: one finding as preparation → cargo → target / pathway → effect → disease, with
  its model beside it;
* :func:`entity_roles`: the findings in which an entity plays each role (disease, cargo, target, ...).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ..namespaces import PREFIXES, compress
from .facets import BY_KEY, Facet, bind

if TYPE_CHECKING:
    from .facets import Browser
    from .site import Site

__all__ = ["ROLES", "bars", "cross_counts", "entity_roles", "finding_diagram", "finding_parts", "heat_map"]

_EXO = PREFIXES["exo"]


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _wrap(text: str, width: int, lines: int = 3) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = _short(out[-1] + " \u2026", width)
    return [_short(x, width) for x in out]


def cross_counts(site: Site, row: Facet, col: Facet) -> dict[tuple[str, str], int]:
    """Findings per (row value, column value), with the facet patterns of the findings browser."""
    pattern_r, pattern_c = bind(row, "?r", "r", listing=True), bind(col, "?c", "c", listing=True)
    query = (
        f"SELECT ?r ?c (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?f a exo:Finding . {pattern_r} {pattern_c} "
        "FILTER(isIRI(?r) && isIRI(?c)) } GROUP BY ?r ?c"
    )
    return {(x["r"].value, x["c"].value): int(x["n"].value) for x in site.select(query)}


def heat_map(site: Site, browser: Browser, mount: str) -> dict[str, Any]:
    """The organ system × MSC source heat map: SVG markup and the numbers drawn in it."""
    row_f, col_f = BY_KEY["system"], BY_KEY["source"]
    cells = cross_counts(site, row_f, col_f)
    row_totals = browser.counts(row_f, {})
    col_totals = browser.counts(col_f, {})
    rows = sorted({r for r, _ in cells}, key=lambda r: (-row_totals.get(r, 0), site.labels.get(r, r)))
    cols = sorted({c for _, c in cells}, key=lambda c: (-col_totals.get(c, 0), site.labels.get(c, c)))
    label = lambda iri: site.labels.get(iri) or compress(iri)  # noqa: E731
    left, top, cw, ch = 210, 130, 46, 26
    width, height = left + cw * len(cols) + 10, top + ch * len(rows) + 10
    peak = max(cells.values(), default=1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="heat-title heat-desc" id="heat-map">',
        '<title id="heat-title">Findings by organ system and MSC tissue source</title>',
        f'<desc id="heat-desc">A grid of {len(rows)} organ systems (rows, the MONDO body-system branch of '
        f"the disease) by {len(cols)} MSC tissue sources (columns); each cell gives the number of "
        "findings and links to them in the findings browser.</desc>",
    ]
    for j, c in enumerate(cols):
        x = left + j * cw + cw / 2
        parts.append(
            f'<text x="{x:.0f}" y="{top - 8}" transform="rotate(-40 {x:.0f} {top - 8})">'
            f"{escape(_short(label(c), 22))}</text>"
        )
    for i, r in enumerate(rows):
        y = top + i * ch
        parts.append(
            f'<text x="{left - 8}" y="{y + ch / 2 + 4:.0f}" text-anchor="end">{escape(_short(label(r), 30))}</text>'
        )
        for j, c in enumerate(cols):
            n = cells.get((r, c), 0)
            x = left + j * cw
            if not n:
                parts.append(f'<rect x="{x}" y="{y}" width="{cw - 2}" height="{ch - 2}" fill="#f4f6f8"/>')
                continue
            shade = 0.15 + 0.85 * n / peak
            href = mount + "findings?" + urlencode([("system", compress(r)), ("source", compress(c))])
            fg = "#ffffff" if shade > 0.55 else "#1d232a"
            parts.append(
                f'<a href="{escape(href)}" class="cell" data-row="{escape(compress(r))}" '
                f'data-col="{escape(compress(c))}" data-count="{n}">'
                f"<title>{escape(label(r))} × {escape(label(c))}: {n} finding{'s' if n != 1 else ''}</title>"
                f'<rect x="{x}" y="{y}" width="{cw - 2}" height="{ch - 2}" fill="#0b5cad" fill-opacity="{shade:.2f}"/>'
                f'<text x="{x + cw / 2 - 1:.0f}" y="{y + ch / 2 + 4:.0f}" text-anchor="middle" '
                f'style="fill:{fg}">{n}</text></a>'
            )
    parts.append("</svg>")
    return {"svg": "".join(parts), "cells": {(compress(r), compress(c)): n for (r, c), n in cells.items()}}


def bars(site: Site, browser: Browser, key: str, mount: str) -> dict[str, Any]:
    """Horizontal bars: findings per value of facet ``key`` (the browser's unfiltered counts)."""
    facet = BY_KEY[key]
    counts = browser.counts(facet, {})
    label = lambda iri: site.labels.get(iri) or compress(iri)  # noqa: E731
    items = sorted(counts.items(), key=lambda kv: (-kv[1], label(kv[0])))
    left, bar_h, scale_w = 170, 24, 220
    width, height = left + scale_w + 50, bar_h * len(items) + 10
    peak = max(counts.values(), default=1)
    ident = f"bars-{key}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{ident}-title" id="{ident}">',
        f'<title id="{ident}-title">Findings by {escape(facet.label.lower())}</title>',
    ]
    for i, (iri, n) in enumerate(items):
        y = 5 + i * bar_h
        w = max(2, scale_w * n / peak)
        href = mount + "findings?" + urlencode([(key, compress(iri))])
        parts.append(
            f'<a href="{escape(href)}" class="bar" data-value="{escape(compress(iri))}" data-count="{n}">'
            f"<title>{escape(label(iri))}: {n} findings</title>"
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{escape(_short(label(iri), 24))}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w:.0f}" height="{bar_h - 8}" fill="#0b5cad"/>'
            f'<text x="{left + w + 6:.0f}" y="{y + 16}">{n}</text></a>'
        )
    parts.append("</svg>")
    return {"svg": "".join(parts), "counts": {compress(k): v for k, v in counts.items()}}


# -- one finding ---------------------------------------------------------------------------------------


def finding_parts(site: Site, iri: str) -> dict[str, list[str]]:
    """Labels of a finding's preparation, cargo, targets and pathways, effects, diseases and models."""
    out = site.outgoing(iri)
    ex = lambda name: out.get(_EXO + name, [])  # noqa: E731
    name = lambda t: site.labels.get(t.value) or compress(t.value)  # noqa: E731
    effects = []
    for e in ex("hasEffect"):
        eout = site.outgoing(e.value)
        direction = [name(d) for d in eout.get(_EXO + "direction", [])]
        affects = [name(a) for a in eout.get(_EXO + "affects", [])]
        effects.append(f"{direction[0] if direction else 'affects'} {', '.join(affects) or 'an outcome'}")
    models = []
    for m in ex("hasModel"):
        mout = site.outgoing(m.value)
        kinds = [site.labels.get(t.value) for t in mout.get(PREFIXES["rdf"] + "type", [])]
        organism = [name(o) for o in mout.get(_EXO + "organism", [])]
        stated = [v.value for v in mout.get(_EXO + "statedAs", [])]
        text = next((k for k in kinds if k), "model")
        if organism:
            text += f" ({', '.join(organism)})"
        if stated:
            text += f": \u201c{stated[0]}\u201d"
        models.append(text)
    return {
        "preparation": [name(p) for p in ex("hasPreparation")],
        "cargo": [name(c) for c in ex("hasCargo")],
        "target": [name(t) for t in ex("hasMolecularTarget") + ex("involvesPathway")],
        "effect": effects,
        "disease": [name(d) for d in ex("hasDisease")],
        "model": models,
    }


def finding_diagram(site: Site, iri: str) -> str:
    """The finding as a flow of boxes, left to right, with its model below (SVG markup)."""
    parts = finding_parts(site, iri)
    steps = [
        ("Preparation", parts["preparation"]),
        ("Cargo", parts["cargo"]),
        ("Target / pathway", parts["target"]),
        ("Effect", parts["effect"]),
        ("Disease", parts["disease"]),
    ]
    steps = [(title, items) for title, items in steps if items]
    if not steps:
        return ""
    bw, gap, top = 168, 26, 28
    lines = [
        [line for item in items[:4] for line in _wrap(item, 26, 2)] + (["\u2026"] if len(items) > 4 else [])
        for _, items in steps
    ]
    bh = 22 + 15 * max(len(x) for x in lines)
    model_lines = [line for m in parts["model"][:3] for line in _wrap(m, 80, 2)]
    width = len(steps) * (bw + gap) - gap + 4
    height = top + bh + (30 + 15 * len(model_lines) if model_lines else 0) + 10
    summary = "; ".join(f"{title}: {', '.join(items)}" for title, items in steps)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-labelledby="diagram-title diagram-desc" id="finding-diagram">',
        '<title id="diagram-title">Diagram of the finding</title>',
        f'<desc id="diagram-desc">{escape(summary)}{escape("; Model: " + ", ".join(parts["model"])) if parts["model"] else ""}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5b6570"/></marker></defs>',
    ]
    for k, ((title, _), text_lines) in enumerate(zip(steps, lines)):
        x = 2 + k * (bw + gap)
        out.append(
            f'<g class="step" data-step="{escape(title)}"><text x="{x}" y="{top - 8}" style="font-weight:600">'
            f'{escape(title)}</text><rect x="{x}" y="{top}" width="{bw}" height="{bh}" rx="6" fill="#f4f6f8" '
            'stroke="#0b5cad"/>'
        )
        for n, line in enumerate(text_lines):
            out.append(f'<text x="{x + 8}" y="{top + 20 + 15 * n}">{escape(line)}</text>')
        out.append("</g>")
        if k:
            out.append(
                f'<line x1="{x - gap + 2}" y1="{top + bh / 2:.0f}" x2="{x - 3}" y2="{top + bh / 2:.0f}" '
                'stroke="#5b6570" stroke-width="2" marker-end="url(#arrow)"/>'
            )
    if model_lines:
        y = top + bh + 22
        out.append(f'<g class="step" data-step="Model"><text x="2" y="{y}" style="font-weight:600">Model</text>')
        for n, line in enumerate(model_lines):
            out.append(f'<text x="60" y="{y + 15 * n}">{escape(line)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


# -- one entity ----------------------------------------------------------------------------------------

#: The roles an entity plays in a finding: (label, SPARQL path from the finding to the entity).
ROLES = (
    ("disease", "exo:hasDisease"),
    ("cargo", "exo:hasCargo|exo:hasCargo/exo:molecule"),
    ("molecular target", "exo:hasMolecularTarget"),
    ("pathway", "exo:involvesPathway"),
    ("affected entity", "exo:hasEffect/exo:affects"),
    ("target tissue", "exo:hasTargetTissue"),
    ("target cell type", "exo:hasTargetCellType"),
    ("MSC tissue source", "exo:hasPreparation/exo:sourceTissue"),
    ("producing cell type", "exo:hasPreparation/exo:producedByCellType"),
    ("vesicle type", "exo:hasPreparation/exo:vesicleType"),
    ("model organism", "exo:hasModel/exo:organism"),
    ("modelled disease", "exo:hasModel/exo:modelledDisease"),
)


def entity_roles(site: Site, iri: str) -> list[dict[str, Any]]:
    """For each role the entity plays in some finding: the role and the findings (links), in role order."""
    union = " UNION ".join(f"{{ ?f {path} $e BIND({n} AS ?role) }}" for n, (_, path) in enumerate(ROLES))
    rows = site.select(f"SELECT DISTINCT ?role ?f WHERE {{ ?f a exo:Finding . {union} }}", e=iri)
    found: dict[int, list] = {}
    for r in rows:
        found.setdefault(int(r["role"].value), []).append(site.view(r["f"]))
    return [{"role": ROLES[n][0], "findings": sorted(found[n], key=lambda v: v.text.lower())} for n in sorted(found)]
