"""Page data for ``exo-rdf serve``: the linked-data view of dist/ and the HTML pages built from it.

A :class:`Site` holds one read-only pyoxigraph store loaded from the release files (instance data plus
the full ontology with its imports) and answers every page question with SPARQL on that store. It
decides which IRI each local path stands for, negotiates the document format from an Accept header,
writes the RDF description of a resource (the same triples in every format) and renders the HTML
pages with Jinja2 templates (autoescaped: quotes contain ``<``, ``>`` and ``&``).

URL scheme: our IRI ``https://w3id.org/exo-rdf/PATH`` is answered at ``/exo-rdf/PATH`` (a 303 to
``/exo-rdf/PATH.html|.ttl|.jsonld|.rdf|.nt``); an external term used in the data has a page at
``/exo-rdf/entity/CURIE``; site pages live under ``/exo-rdf/`` at paths no IRI of ours uses.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from ..errors import ExoError
from ..namespaces import (
    BASE,
    EXO,
    IAO_DEFINITION,
    OA,
    OBO_PREFIXES,
    ONTOLOGY_IRI,
    PREFIXES,
    PROV,
    compress,
    expand,
)
from ..project import Project
from ..rdfio import (
    DOC_OFFERS,
    DOC_TYPES,
    OX_DOC_FORMATS,
    http_media_type,
    serialiser_prefixes,
)

__all__ = [
    "ENTITY_PREFIXES",
    "MOUNT",
    "RESERVED",
    "CqResult",
    "Document",
    "Download",
    "Site",
    "View",
    "download_path",
    "entity_href",
    "iri_href",
    "negotiate",
]

#: The URL path under which our IRIs (BASE + PATH) are answered.
MOUNT = "/exo-rdf/"
#: Prefixes of external terms that get an entity page (the ids the curators chose from external sources).
ENTITY_PREFIXES = frozenset((*OBO_PREFIXES, "HGNC", "mirbase.mature", "cellosaurus", "clinicaltrials"))
#: The meta description of a page that does not give its own.
DEFAULT_DESCRIPTION = (
    "exo-rdf: a linked-data knowledge graph of MSC-derived exosomes; every finding is tied to the "
    "exact sentence of the review it comes from."
)
#: Site pages: the first path segment of these never names an IRI of ours.
RESERVED = frozenset(("", "search", "cq", "entity", "downloads", "static", "findings"))
#: Links from a statement to the nodes through which it mentions an entity (besides its own sub-nodes).
_HOPS = (EXO.hasCargo, EXO.hasComponent, EXO.hasPreparation, EXO.hasModel, EXO.hasEffect)

_RDF_TYPE = str(RDF.type)
_RDFS_LABEL = str(RDFS.label)
_RDFS_SUBCLASS = str(RDFS.subClassOf)
_SKOS_DEFINITION = str(SKOS.definition)


@dataclass(frozen=True)
class View:
    """One RDF term as a page shows it: its text, and a link where there is a page for it."""

    text: str
    href: str | None = None
    title: str | None = None  # the CURIE or IRI (tooltip), or a literal's datatype or language
    external: bool = False  # href leaves the site


@dataclass(frozen=True)
class Download:
    path: str  # relative to dist/, with forward slashes
    size: int
    sha256: str
    media_type: str


@dataclass(frozen=True)
class Document:
    """A response body the server sends as it is."""

    body: bytes
    media_type: str


@dataclass
class CqResult:
    query: Any  # exo_rdf.query.StoredQuery
    variables: list[str] = field(default_factory=list)
    rows: list[list[View]] = field(default_factory=list)
    boolean: bool | None = None
    error: str | None = None


def negotiate(accept: str | None) -> str | None:
    """The document suffix (html, ttl, jsonld, rdf, nt) that best fits an Accept header, or None.

    RFC 9110 rules (see :mod:`exo_rdf.server.conneg`); a missing or empty header means anything, and HTML is
    our first choice.
    """
    from .conneg import negotiate as best_offer

    return best_offer(accept, DOC_OFFERS)


def negotiate_table(accept: str | None) -> str | None:
    """html, csv or json for a table page (the findings browser); HTML first on ties and for */*."""
    from .conneg import negotiate as best_offer

    return best_offer(accept, (("text/html", "html"), ("text/csv", "csv"), ("application/json", "json")))


def iri_href(iri: str) -> str:
    """The local path answering one of our IRIs."""
    return MOUNT + quote(iri[len(BASE) :], safe="/:_-.~!$&'()*+,;=@")


def entity_href(curie: str) -> str:
    return MOUNT + "entity/" + quote(curie, safe=":_-.~")


class Site:
    """The server's read-only view of one built release (see the module docstring)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.dist = project.dist_dir
        self.data_file = self.dist / "data" / "exo-data.nt"
        self.ontology_file = self.dist / "ontology" / "exo.ttl"
        missing = [p for p in (self.data_file, self.ontology_file) if not p.is_file()]
        if not self.dist.is_dir() or missing:
            what = self.dist if not self.dist.is_dir() else missing[0]
            raise ExoError(f"{what} not found: run exo-rdf build first")
        self.store = None
        self.version: str | None = None
        self.labels: dict[str, str] = {}
        self.local: set[str] = set()  # our IRIs with a description (subjects in the store)
        self.used: set[str] = set()  # every IRI in the store (subject, predicate or object)
        self.queries: list = []
        self.downloads: dict[str, Download] = {}
        self.counts: dict[str, int] = {}
        self.statement_kinds: dict[str, bool] = {}  # statement IRI -> is a finding
        self._by_subject: dict[Any, list] = {}  # subject -> its triples, as parsed from the files
        self._env = None
        self._cq_cache: dict[str, CqResult] = {}

    # ------------------------------------------------------------------------------------------
    # loading
    # ------------------------------------------------------------------------------------------

    def load(self) -> "Site":
        """Load the store and the small indexes the pages use (a second or less for the release)."""
        import pyoxigraph as ox

        from ..errors import InputError, oversized_term
        from ..query import load_queries

        store = ox.Store()
        sources = [(self.data_file, ox.RdfFormat.N_TRIPLES), (self.ontology_file, ox.RdfFormat.TURTLE)]
        if (self.dist / "void.ttl").is_file():  # the dataset description, so that its IRIs dereference too
            sources.append((self.dist / "void.ttl", ox.RdfFormat.TURTLE))
        for path, fmt in sources:
            try:
                store.bulk_load(path=str(path), format=fmt, to_graph=ox.DefaultGraph())
            except SyntaxError as exc:
                raise InputError(path, f"cannot parse: {exc}; rebuild with exo-rdf build") from None
            except MemoryError as exc:
                raise oversized_term(path, exc, what="; rebuild with exo-rdf build") or exc from None
        self.store = store
        # The RDF documents are cut from the parsed files, not from the store: pyoxigraph 0.5's store
        # rewrites derived integer datatypes (xsd:nonNegativeInteger of the quote offsets) to xsd:integer,
        # and a description must say exactly what the release says.
        by_subject: dict[Any, list] = {}
        for path, fmt in sources:
            for quad in ox.parse(path=str(path), format=fmt):
                by_subject.setdefault(quad.subject, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
        self._by_subject = by_subject
        from ..namespaces import ONTOLOGY_IRI

        stamped = [row["v"].value for row in self.select(f"SELECT ?v WHERE {{ <{ONTOLOGY_IRI}> owl:versionInfo ?v }}")]
        self.version = min(stamped) if stamped else None  # the release being served (stamped by exo-rdf build)
        labels: dict[str, tuple[int, str]] = {}
        for row in self.select("SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(isIRI(?s)) }"):
            lit = row["l"]
            rank = 0 if lit.language == "en" else 1 if not lit.language else 2
            old = labels.get(row["s"].value)
            if old is None or (rank, lit.value) < old:
                labels[row["s"].value] = (rank, lit.value)
        self.labels = {k: v for k, (_, v) in labels.items()}
        for row in self.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"):
            iri = row["s"].value
            self.used.add(iri)
            if iri.startswith(BASE):
                self.local.add(iri)
        for row in self.select("SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) }"):
            self.used.add(row["o"].value)
        for row in self.select("SELECT DISTINCT ?p WHERE { ?s ?p ?o }"):
            self.used.add(row["p"].value)
        self.statement_kinds = {
            r["st"].value: r["finding"].value == "true"
            for r in self.select("""SELECT DISTINCT ?st ?finding WHERE { ?st a/rdfs:subClassOf* exo:Statement
                                    FILTER(isIRI(?st)) BIND(EXISTS { ?st a exo:Finding } AS ?finding) }""")
        }
        self.queries = load_queries(self.project.cq_dir)
        self.counts = self._counts()
        self.downloads = self._scan_downloads()
        self.render_env()
        return self

    def _counts(self) -> dict[str, int]:
        query = """
        SELECT
          (COUNT(DISTINCT ?finding) AS ?findings) (COUNT(DISTINCT ?fact) AS ?facts)
          (COUNT(DISTINCT ?prep) AS ?preparations) (COUNT(DISTINCT ?cargo) AS ?cargo)
          (COUNT(DISTINCT ?disease) AS ?diseases)
        WHERE {
          { ?finding a exo:Finding } UNION { ?fact a/rdfs:subClassOf* exo:Fact }
          UNION { ?prep a/rdfs:subClassOf* exo:Preparation FILTER(isIRI(?prep)) }
          UNION { ?cargo a/rdfs:subClassOf* exo:Cargo FILTER(isIRI(?cargo)) }
          UNION { ?st exo:hasDisease ?disease }
        }"""
        row = self.select(query)[0]
        counts = {k: int(row[k].value) for k in ("findings", "facts", "preparations", "cargo", "diseases")}
        counts["triples"] = len(self.store)
        return counts

    def _scan_downloads(self) -> dict[str, Download]:
        found = {}
        for path in sorted(self.dist.rglob("*")):
            rel = path.relative_to(self.dist)
            if not path.is_file() or any(part.startswith(".") for part in rel.parts):
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            media = http_media_type(path)
            found[rel.as_posix()] = Download(rel.as_posix(), path.stat().st_size, digest, media)
        return found

    # ------------------------------------------------------------------------------------------
    # SPARQL and term views
    # ------------------------------------------------------------------------------------------

    def select(self, query: str, **bindings: Any) -> list[dict[str, Any]]:
        """Run a SELECT on the store. ``$name`` in the query stands for the keyword argument ``name`` (an IRI
        as str, or a pyoxigraph term), written in as its N-Triples form, which pyoxigraph escapes: user
        text can never change the query's structure."""
        import pyoxigraph as ox

        terms = {k: str(ox.NamedNode(v) if isinstance(v, str) else v) for k, v in bindings.items()}
        if terms:
            query = re.sub(r"\$(\w+)", lambda m: terms[m.group(1)], query)
        result = self.store.query(query, prefixes=dict(PREFIXES))
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names} for s in result]

    def label(self, iri: str) -> str | None:
        return self.labels.get(iri)

    def href(self, iri: str) -> str | None:
        """The local page of an IRI, or None if the site has none."""
        if iri.startswith(BASE):
            return iri_href(iri) if iri in self.local else None
        if iri in self.used:
            curie = compress(iri)
            if curie.split(":", 1)[0] in ENTITY_PREFIXES and curie != iri:
                return entity_href(curie)
        return None

    def view(self, term: Any) -> View:
        import pyoxigraph as ox

        if term is None:
            return View("")
        if isinstance(term, str):
            term = ox.NamedNode(term)
        if isinstance(term, ox.NamedNode):
            iri = term.value
            curie = compress(iri)
            label = self.labels.get(iri)
            href = self.href(iri)
            if href is None and iri.startswith(BASE):
                return View(label or curie, title=iri)
            if label is None and iri.startswith(BASE) and iri.count("/") > 6:
                # an unlabelled sub-node (effect, model, quote ...): its last segments say what it is
                return View("\u2026/" + "/".join(iri.rsplit("/", 2)[1:]), href=href, title=curie)
            return View(label or curie, href=href, title=curie if curie != iri else iri)
        if isinstance(term, ox.Literal):
            note = term.language or (compress(term.datatype.value) if term.datatype.value != str(XSD.string) else None)
            return View(term.value, title=note)
        if isinstance(term, ox.BlankNode):
            return View(self._anonymous(term))
        return View(str(term))

    def _anonymous(self, node) -> str:
        """A short reading of a blank node: an OWL restriction as 'property some Class', else a marker."""
        props = {}
        for q in self.store.quads_for_pattern(node, None, None):
            props.setdefault(q.predicate.value, q.object)
        on = props.get(str(OWL.onProperty))
        if on is not None:
            for key, word in (
                ("someValuesFrom", "some"),
                ("allValuesFrom", "only"),
                ("hasValue", "value"),
                ("onClass", "exactly/at least/at most"),
            ):
                value = props.get(str(OWL[key]))
                if value is not None:
                    return f"{self._name(on)} {word} {self._name(value)}"
            return f"restriction on {self._name(on)}"
        for key, word in (("unionOf", "union"), ("intersectionOf", "intersection")):
            if str(OWL[key]) in props:
                return f"anonymous {word} class"
        return "anonymous node"

    def _name(self, term) -> str:
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            return self.labels.get(term.value) or compress(term.value)
        return "(anonymous)" if isinstance(term, ox.BlankNode) else term.value

    def outgoing(self, iri: str) -> dict[str, list[Any]]:
        """Predicate IRI -> objects of one subject, in a stable order."""
        found: dict[str, list] = {}
        for row in self.select("SELECT ?p ?o WHERE { $s ?p ?o }", s=iri):
            found.setdefault(row["p"].value, []).append(row["o"])
        for values in found.values():
            values.sort(key=lambda t: (self._name(t).lower(), str(t)))
        return found

    def property_rows(self, iri: str, *, skip: tuple[str, ...] = ()) -> list[tuple[View, list[View]]]:
        rows = []
        for pred, values in self.outgoing(iri).items():
            if pred in skip:
                continue
            rows.append((self.view(pred), [self.view(v) for v in values]))
        rows.sort(key=lambda r: (r[0].text != "rdf:type", r[0].text.lower()))
        return rows

    # ------------------------------------------------------------------------------------------
    # what an IRI is
    # ------------------------------------------------------------------------------------------

    def resolve(self, path: str) -> tuple[str, str | None] | None:
        """(IRI, document suffix or None) for a local path under /exo-rdf/, or None if it names nothing."""
        if path.split("/", 1)[0] in RESERVED:
            return None
        iri = BASE + path
        if self.is_resource(iri):
            return iri, None
        stem, dot, suffix = path.rpartition(".")
        if dot and suffix in DOC_TYPES and self.is_resource(BASE + stem):
            return BASE + stem, suffix
        return None

    def is_resource(self, iri: str) -> bool:
        return iri in self.local or iri == str(ONTOLOGY_IRI)

    def types(self, iri: str) -> set[str]:
        return {r["t"].value for r in self.select("SELECT ?t WHERE { $s a ?t FILTER(isIRI(?t)) }", s=iri)}

    def kind(self, iri: str) -> str:
        if iri == str(ONTOLOGY_IRI):
            return "ontology"
        if iri.startswith(PREFIXES["exo"]):
            return "term"
        if iri in self.statement_kinds:
            return "finding" if self.statement_kinds[iri] else "fact"
        return "resource"

    # ------------------------------------------------------------------------------------------
    # RDF documents
    # ------------------------------------------------------------------------------------------

    def description(self, iri: str) -> list:
        """The triples describing one of our resources.

        Every triple with it as subject; then, following objects, the triples of blank nodes and of
        the resource's own sub-nodes (IRIs under ``IRI/``: quote, selectors, effects, models,
        corrections); then the rdfs:label of every IRI the description links to.
        """
        import pyoxigraph as ox

        root = ox.NamedNode(iri)
        owned = iri + "/"
        triples, seen, todo = [], {root}, [root]
        while todo:
            node = todo.pop()
            for t in self._by_subject.get(node, ()):
                triples.append(t)
                obj = t.object
                if obj in seen:
                    continue
                if isinstance(obj, ox.BlankNode) or (isinstance(obj, ox.NamedNode) and obj.value.startswith(owned)):
                    seen.add(obj)
                    todo.append(obj)
        label = ox.NamedNode(_RDFS_LABEL)
        have = {(t.subject, t.predicate, t.object) for t in triples}
        linked = {t.object for t in triples if isinstance(t.object, ox.NamedNode)}
        linked |= {t.predicate for t in triples}
        for node in sorted(linked, key=lambda n: n.value):
            for t in self._by_subject.get(node, ()):
                if t.predicate == label and (t.subject, t.predicate, t.object) not in have:
                    have.add((t.subject, t.predicate, t.object))
                    triples.append(t)
        return triples

    def document(self, iri: str, suffix: str) -> Document:
        """The RDF document (ttl, jsonld, rdf, nt) of one resource."""
        import pyoxigraph as ox

        if iri == str(ONTOLOGY_IRI):
            return self._ontology_document(suffix)
        fmt = getattr(ox.RdfFormat, OX_DOC_FORMATS[suffix])
        triples = self.description(iri)
        if suffix == "nt":
            body = "".join(sorted(f"{t} .\n" for t in triples)).encode("utf-8")
        else:
            kwargs = {"prefixes": serialiser_prefixes(OX_DOC_FORMATS[suffix])} if suffix in ("ttl", "rdf") else {}
            body = ox.serialize(triples, format=fmt, **kwargs)
        return Document(body, DOC_TYPES[suffix])

    @lru_cache(maxsize=8)
    def _ontology_document(self, suffix: str) -> Document:
        """The ontology IRI's RDF: the full release files of dist/ontology (N-Triples derived from Turtle)."""
        import pyoxigraph as ox

        files = {"ttl": "exo.ttl", "rdf": "exo.owl", "jsonld": "exo.jsonld"}
        if suffix in files and (self.dist / "ontology" / files[suffix]).is_file():
            return Document((self.dist / "ontology" / files[suffix]).read_bytes(), DOC_TYPES[suffix])
        triples = ox.parse(path=str(self.ontology_file), format=ox.RdfFormat.TURTLE)
        fmt = getattr(ox.RdfFormat, OX_DOC_FORMATS[suffix])
        return Document(ox.serialize(triples, format=fmt), DOC_TYPES[suffix])

    @property
    def ontology_docs(self) -> Path | None:
        """dist/docs/ontology.html (pyLODE) if the build wrote it."""
        path = self.dist / "docs" / "ontology.html"
        return path if path.is_file() else None

    # ------------------------------------------------------------------------------------------
    # page data
    # ------------------------------------------------------------------------------------------

    def statement(self, iri: str) -> dict[str, Any]:
        """A finding's or fact's page data: sentence, quotes with seed, section and references, evidence."""
        out = self.outgoing(iri)
        ex = lambda name: out.get(str(EXO[name]), [])  # noqa: E731
        quotes = []
        for q in ex("hasQuote"):
            qout = self.outgoing(q.value) if hasattr(q, "value") else {}
            exact = []
            for sel in qout.get(str(OA.hasSelector), []):
                sout = self.outgoing(sel.value)
                exact += [v.value for v in sout.get(str(OA.exact), [])]
            quotes.append(
                {
                    "exact": exact,
                    "section": [self.view(s) for s in qout.get(str(EXO.inSection), [])],
                    "source": [self.view(s) for s in qout.get(str(OA.hasSource), [])],
                }
            )
        refs = []
        for ref in ex("citesReference"):
            number = self.outgoing(ref.value).get(str(EXO.referenceNumber), [])
            refs.append((int(number[0].value) if number else 0, self.view(ref), number[0].value if number else "?"))
        refs.sort(key=lambda r: r[0])
        seeds = []
        for src in out.get(str(PROV.wasDerivedFrom), []):
            sout = self.outgoing(src.value)
            seeds.append({"view": self.view(src), "file": [v.value for v in sout.get(str(EXO.seedFile), [])]})
        data = {
            "iri": iri,
            "label": self.labels.get(iri) or compress(iri),
            "types": [self.view(t) for t in out.get(_RDF_TYPE, [])],
            "quotes": quotes,
            "refs": [{"number": n, "view": v} for _, v, n in refs],
            "seeds": seeds,
            "evidence": [self.view(v) for v in ex("hasEvidenceType")],
            "level": [self.view(v) for v in ex("hasKnowledgeLevel")],
            "notes": [v.value for v in ex("curationNote")],
            "sentence": self.sentence(iri, out) if ex("hasPreparation") or ex("hasEffect") else [],
            "effects": [self._effect(e) for e in ex("hasEffect")],
            "models": [self._model(m) for m in ex("hasModel")],
            "corrections": [self._correction(c) for c in ex("hasCorrection")],
            "conflicts": sorted((self.view(v) for v in ex("conflictsWith")), key=lambda v: v.text),
            "issues": [self._correction(c) for c in ex("hasSourceIssue")],
        }
        data["properties"] = self.property_rows(iri, skip=(_RDFS_LABEL, str(EXO.curationNote)))
        from .pageinfo import statement_record

        data.update(statement_record(self, iri, out))
        return data

    def _effect(self, node) -> dict[str, Any]:
        out = self.outgoing(node.value)
        return {
            "direction": [self.view(v) for v in out.get(str(EXO.direction), [])],
            "affects": [self.view(v) for v in out.get(str(EXO.affects), [])],
            "stated": [v.value for v in out.get(str(EXO.statedAs), [])],
        }

    def _model(self, node) -> dict[str, Any]:
        rows = self.property_rows(node.value, skip=(_RDFS_LABEL,))
        return {"view": self.view(node), "properties": rows}

    def _correction(self, node) -> dict[str, Any]:
        out = self.outgoing(node.value)
        return {
            "written": [v.value for v in out.get(str(EXO.asWritten), [])],
            "reading": [v.value for v in out.get(str(EXO.correctedReading), [])],
            "notes": [v.value for v in out.get(str(EXO.curationNote), [])],
        }

    def sentence(self, iri: str, out: dict[str, list]) -> list[View | str]:
        """A finding in words: preparation (and cargo), effects, model, disease, as text and linked terms."""
        ex = lambda name: out.get(str(EXO[name]), [])  # noqa: E731
        parts: list[View | str] = []

        def join(views: list[View], word: str = "and") -> None:
            for i, v in enumerate(views):
                if i:
                    parts.append(", " if i < len(views) - 1 else f" {word} ")
                parts.append(v)

        preps = [self.view(p) for p in ex("hasPreparation")]
        join(preps or [View("The preparation")])
        cargo = [self.view(c) for c in ex("hasCargo")]
        if cargo:
            parts.append(", through their cargo ")
            join(cargo)
            parts.append(",")
        effects = [self._effect(e) for e in ex("hasEffect")]
        for i, eff in enumerate(effects):
            parts.append(" " if i == 0 else "; " if i < len(effects) - 1 else "; and ")
            parts.append(eff["direction"][0].text if eff["direction"] else "affects")
            parts.append(" ")
            join(eff["affects"] or [View("an unnamed outcome")])
        if not effects:
            parts.append(" have an unstated effect")
        models = []
        for m in ex("hasModel"):
            mout = self.outgoing(m.value)
            kind = [self.labels.get(t.value) for t in mout.get(_RDF_TYPE, []) if hasattr(t, "value")]
            organism = [self.view(o) for o in mout.get(str(EXO.organism), [])]
            line = [self.view(o) for o in mout.get(str(EXO.cellLine), [])]
            stated = [v.value for v in mout.get(str(EXO.statedAs), [])]
            models.append((next((k for k in kind if k), "model"), organism + line, stated))
        for i, (kind, views, stated) in enumerate(models):
            parts.append(" in " if i == 0 else " and ")
            parts.append(f"an {kind}" if kind[:1].lower() in "aeiou" else f"a {kind}")
            if views:
                parts.append(" (")
                join(views)
                parts.append(")")
            if stated:
                parts.append(f" described as \u201c{stated[0]}\u201d")
        diseases = [self.view(d) for d in ex("hasDisease")]
        if diseases:
            parts.append(", in the context of ")
            join(diseases)
        parts.append(".")
        return parts

    def statements_mentioning(self, iri: str) -> list[dict[str, Any]]:
        """Findings and facts that mention an IRI directly, through their cargo, components, preparation
        (and its conditions), models or effects, or through any of their own sub-nodes."""
        hops = "|".join(compress(str(h)) for h in _HOPS)
        # Which subjects are statements is looked up in a set built at load: joining the type test into
        # this union made Oxigraph pick a join order a thousand times slower.
        rows = self.select(
            f"""
            SELECT DISTINCT ?st WHERE {{
              {{ ?st ?p $e }}
              UNION {{ ?n ?q $e . ?st {hops} ?n }}
              UNION {{ ?c ?q $e . ?st exo:hasPreparation/exo:hasCondition ?c }}
              UNION {{ ?n ?q $e . ?st ?p ?n FILTER(isIRI(?n) && STRSTARTS(STR(?n), CONCAT(STR(?st), "/"))) }}
            }}""",
            e=iri,
        )
        found = [
            {"view": self.view(r["st"]), "finding": self.statement_kinds[r["st"].value], "iri": r["st"].value}
            for r in rows
            if r["st"].value in self.statement_kinds and r["st"].value != iri
        ]
        found.sort(key=lambda d: (not d["finding"], d["iri"]))
        return found

    def incoming(self, iri: str, limit: int = 500) -> tuple[list[tuple[View, View]], int]:
        rows = self.select("SELECT ?s ?p WHERE { ?s ?p $o FILTER(isIRI(?s)) } ORDER BY ?s ?p", o=iri)
        views = [(self.view(r["s"]), self.view(r["p"])) for r in rows[:limit]]
        return views, len(rows)

    def term(self, iri: str) -> dict[str, Any]:
        """An ontology term's (or external entity's) page data."""
        out = self.outgoing(iri)
        definition = [v.value for v in out.get(str(IAO_DEFINITION), []) + out.get(_SKOS_DEFINITION, [])]
        supers = [self.view(v) for v in out.get(_RDFS_SUBCLASS, [])]
        subs = [
            self.view(r["c"])
            for r in self.select(
                "SELECT DISTINCT ?c WHERE { ?c rdfs:subClassOf $t FILTER(isIRI(?c)) } ORDER BY ?c", t=iri
            )
        ]
        instances = [
            self.view(r["i"])
            for r in self.select("SELECT DISTINCT ?i WHERE { ?i a $t FILTER(isIRI(?i)) } ORDER BY ?i", t=iri)
        ]
        subs.sort(key=lambda v: v.text.lower())
        instances.sort(key=lambda v: v.text.lower())
        return {
            "iri": iri,
            "curie": compress(iri),
            "label": self.labels.get(iri) or compress(iri),
            "types": [self.view(t) for t in out.get(_RDF_TYPE, [])],
            "definition": list(dict.fromkeys(definition)),
            "superclasses": supers,
            "subclasses": subs,
            "instances": instances,
            "properties": self.property_rows(
                iri, skip=(_RDFS_LABEL, _RDFS_SUBCLASS, _RDF_TYPE, str(IAO_DEFINITION), _SKOS_DEFINITION)
            ),
        }

    def entity(self, curie: str) -> dict[str, Any] | None:
        """Page data of an external term used in the store, by CURIE; None if there is no such term."""
        prefix = curie.split(":", 1)[0]
        if prefix not in ENTITY_PREFIXES:
            return None
        try:
            iri = str(expand(curie))
        except ValueError:
            return None
        if iri not in self.used:
            return None
        data = self.term(iri)
        data["external"] = iri
        data["statements"] = self.statements_mentioning(iri)
        data["findings"] = [s for s in data["statements"] if s["finding"]]
        data["facts"] = [s for s in data["statements"] if not s["finding"]]
        from .charts import entity_roles

        data["roles"] = entity_roles(self, iri)
        return data

    def search(self, text: str, limit: int = 200) -> list[dict[str, Any]]:
        """Resources whose label, quote or id contains ``text`` (case-insensitive); pages only."""
        import pyoxigraph as ox

        needle = " ".join(text.split()).lower()
        if not needle:
            return []
        hits: dict[str, dict[str, Any]] = {}
        if ":" in text:
            try:
                iri = str(expand(text.strip()))
            except ValueError:
                iri = ""
            if iri and self.href(iri):
                hits[iri] = {"why": "id", "text": compress(iri)}
        rows = self.select(
            """
            SELECT ?s ?t ?why WHERE {
              { ?s rdfs:label ?t FILTER(CONTAINS(LCASE(STR(?t)), $q)) BIND("label" AS ?why) }
              UNION { ?s exo:hasQuote/oa:hasSelector/oa:exact ?t FILTER(CONTAINS(LCASE(STR(?t)), $q))
                      BIND("quote" AS ?why) }
              UNION { ?s rdfs:label ?t FILTER(CONTAINS(LCASE(STR(?s)), $q)) BIND("id" AS ?why) }
              FILTER(isIRI(?s))
            }""",
            q=ox.Literal(needle),
        )
        for row in rows:
            iri = row["s"].value
            if iri in hits or not self.href(iri):
                continue
            hits[iri] = {"why": row["why"].value, "text": row["t"].value}
        order = {"id": 0, "label": 1, "quote": 2}
        results = []
        for iri, hit in hits.items():
            view = self.view(iri)
            exact = view.text.lower() == needle
            local = iri.startswith(BASE)
            results.append(
                {
                    "view": view,
                    "why": hit["why"],
                    "text": hit["text"],
                    "key": (not exact, order[hit["why"]], not local, view.text.lower()),
                }
            )
        results.sort(key=lambda r: r["key"])
        return results[:limit]

    def cq(self, qid: str) -> CqResult | None:
        for query in self.queries:
            if query.id == qid:
                return self._cq_result(query)
        return None

    def _cq_result(self, query) -> CqResult:
        """The answer of a competency question (cached: the store never changes while serving)."""
        from ..query import run_query

        cached = self._cq_cache.get(query.id)
        if cached is not None:
            return cached
        self._cq_cache[query.id] = self._run_cq(query, run_query)
        return self._cq_cache[query.id]

    def _run_cq(self, query, run_query) -> CqResult:
        try:
            result = run_query(self.store, query)
        except ExoError as exc:
            return CqResult(query, error=str(exc))
        if result.form == "ASK":
            return CqResult(query, boolean=result.boolean)
        rows = [[self.view(row.get(v)) for v in result.variables] for row in result.rows]
        return CqResult(query, list(result.variables), rows)

    def example_query(self) -> str:
        used = ("exo", "rdfs")
        head = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in used)
        return (
            head + "\nSELECT ?finding ?label WHERE {\n  ?finding a exo:Finding ;\n           rdfs:label ?label .\n}"
            "\nORDER BY ?finding\nLIMIT 10\n"
        )

    def ontology_index(self) -> dict[str, list[View]]:
        """Classes, properties and individuals defined by our ontology, for the fallback ontology page."""
        rows = self.select(
            """SELECT ?t ?kind WHERE {
            ?t rdfs:isDefinedBy $onto ; a ?kind FILTER(isIRI(?t))
            VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
                           owl:NamedIndividual } }""",
            onto=str(ONTOLOGY_IRI),
        )
        groups: dict[str, list[View]] = {}
        for r in rows:
            groups.setdefault(compress(r["kind"].value), []).append(self.view(r["t"]))
        return {k: sorted(set(v), key=lambda x: x.text.lower()) for k, v in sorted(groups.items())}

    # ------------------------------------------------------------------------------------------
    # rendering
    # ------------------------------------------------------------------------------------------

    def render_env(self) -> Any:
        if self._env is None:
            from jinja2 import (
                Environment,
                PackageLoader,
                StrictUndefined,
                select_autoescape,
            )

            self._env = Environment(
                loader=PackageLoader("exo_rdf.server", "templates"),
                autoescape=select_autoescape(default=True, default_for_string=True),
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
            )
            self._env.globals.update(
                mount=MOUNT, iri_href=iri_href, doc_types=DOC_TYPES, default_description=DEFAULT_DESCRIPTION
            )
        return self._env

    def render(self, template: str, **context: Any) -> str:
        return self.render_env().get_template(template).render(**context)

    def resource_page(self, iri: str) -> str:
        """The HTML page of one of our IRIs (not the ontology IRI when pyLODE docs exist)."""
        kind = self.kind(iri)
        alternates = [(s, iri_href(iri) + "." + s) for s in DOC_TYPES if s != "html"]
        common = {"iri": iri, "alternates": alternates, "kind": kind}
        if kind == "ontology":
            label = self.labels.get(iri) or "exo-rdf ontology"
            return self.render(
                "ontology.html",
                title=label,
                label=label,
                groups=self.ontology_index(),
                properties=self.property_rows(iri, skip=(_RDFS_LABEL,)),
                **common,
            )
        if kind in ("finding", "fact"):
            from .charts import finding_diagram

            data = self.statement(iri)
            diagram = finding_diagram(self, iri) if kind == "finding" else ""
            return self.render(
                "statement.html",
                title=data["label"],
                s=data,
                diagram=diagram,
                description=_describe(data["label"]),
                **common,
            )
        if kind == "term":
            data = self.term(iri)
            return self.render("term.html", title=data["label"], t=data, **common)
        incoming, total = self.incoming(iri)
        data = {
            "label": self.labels.get(iri) or compress(iri),
            "types": [self.view(t) for t in self.outgoing(iri).get(_RDF_TYPE, [])],
            "properties": self.property_rows(iri, skip=(_RDFS_LABEL,)),
            "statements": self.statements_mentioning(iri),
            "incoming": incoming,
            "incoming_total": total,
        }
        return self.render("resource.html", title=data["label"], r=data, **common)


def _describe(text: str, width: int = 155) -> str:
    """A page's meta description from its label (search engines show about 155 characters)."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "\u2026"


_SAFE_PATH = re.compile(r"^[A-Za-z0-9._\-/]+$")


def download_path(site: Site, rel: str) -> Download | None:
    """The listed release file at ``rel`` (only files listed at startup; no path traversal)."""
    if not _SAFE_PATH.match(rel) or ".." in rel.split("/"):
        return None
    return site.downloads.get(rel)
