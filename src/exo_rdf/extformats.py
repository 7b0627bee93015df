"""Read external ontology files as users have them, into RDF triples (pyoxigraph terms).

Supported, whatever the file name says (compression by magic bytes, format by content):

* compression: xz, gzip, bzip2 or none (zstd and zip are recognised and refused with a hint);
* RDF/XML (OWL files such as ``ro.owl``), OWL/XML, Turtle and N-Triples, JSON-LD: parsed by pyoxigraph;
* OWL functional syntax (``cl-edit.owl``): parsed by py-horned-owl, re-serialised to RDF/XML in memory
  and parsed by pyoxigraph (no temporary file);
* OBO 1.4 (``*.obo``): a tolerant converter of our own that follows the OBO-to-OWL mapping for the tags
  listed in :func:`obo_triples`. pronto (strict, through fastobo) rejects the ECO and OBI release files;
  this converter reads every OBO file in ``shared/ontologies``;
* OBO Graph JSON (``mirbase.json``): nodes, edges, definitions, synonyms, xrefs, ``meta.deprecated`` and
  the ``basicPropertyValues`` replaced_by / consider;
* the cellxgene term-table JSON (``MONDO-ontology-*.json``, one object keyed by CURIE): label,
  description, synonyms, deprecated, replaced_by, consider. Its ``ancestors`` field is the closure over
  is_a and part_of *together*: the file cannot tell the two apart. Each distance-1 ancestor becomes
  ``skos:broader`` (read: "is_a or part_of, the file does not say which"), never ``rdfs:subClassOf``
  or a part_of restriction, so the merge never claims more than the file says. The closure of those
  links is exactly the file's ``ancestors`` (checked by the tests on the real MONDO table).

Every problem (unknown format, corrupt or truncated compression, invalid XML, bad JSON, an OBO file
without stanzas ...) raises :class:`~exo_rdf.errors.InputError` naming the file and what is wrong.

Measured on the shared files (2 shared cores, xz included): CL editors' file OFN 0.6 s, its RDF/XML copy
0.2 s (85k triples); RO OWL or OBO under 0.1 s; ECO 0.15 s; OBI 0.2 s; UBERON OBO subset 0.6 s (120k
triples); MONDO term table 1 s (205k triples); miRBase OBO Graph JSON 1.5 s (403k triples).
"""

from __future__ import annotations

import bz2
import json
import lzma
import re
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .errors import InputError, decode_utf8, oversized_term
from .namespaces import OBO, PREFIXES, bare_id, expand, id_space
from .namespaces import key_of_iri as canonical_key_of_iri
from .obo import CxgEntry, cxg_entries, obo_stanzas, obograph_graphs
from .rdfio import OX_EXTERNAL_FORMATS

__all__ = [
    "FORMAT_NAMES",
    "ExternalOntology",
    "ExternalTerm",
    "converter_terms",
    "curie_iri",
    "cxg_triples",
    "id_spaces",
    "key_of_iri",
    "obo_triples",
    "obograph_triples",
    "read_external",
    "sniff",
    "term_table",
]

#: Format names as reports show them.
FORMAT_NAMES = {
    "rdfxml": "OWL/RDF in RDF/XML",
    "owx": "OWL/XML",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "ofn": "OWL functional syntax",
    "obo": "OBO 1.4",
    "obograph": "OBO Graph JSON",
    "cxg": "cellxgene term table JSON",
}
_MAGIC = ((b"\xfd7zXZ\x00", "xz"), (b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"))
_REFUSED = ((b"\x28\xb5\x2f\xfd", "zstd"), (b"PK\x03\x04", "zip"))
#: Most bytes a compressed input may decompress to (``merge --max-decompressed``); the largest shared
#: file (miRBase OBO Graph JSON) is 24 MB.
MAX_DECOMPRESSED = 64 << 20
_SUPPORTED = (
    "RDF/XML, OWL/XML, Turtle, N-Triples, JSON-LD, OWL functional syntax, OBO, OBO Graph JSON "
    "or a cellxgene term table, optionally compressed with xz, gzip or bzip2"
)


def _n(curie: str):
    import pyoxigraph as ox

    return ox.NamedNode(str(expand(curie)))


class _V:
    """The vocabulary the converters emit, built once from the canonical prefix map."""

    def __init__(self):
        self.type = _n("rdf:type")
        self.first, self.rest, self.nil = _n("rdf:first"), _n("rdf:rest"), _n("rdf:nil")
        self.label, self.comment = _n("rdfs:label"), _n("rdfs:comment")
        self.sub_class, self.sub_prop = _n("rdfs:subClassOf"), _n("rdfs:subPropertyOf")
        self.cls, self.obj_prop, self.ann_prop = _n("owl:Class"), _n("owl:ObjectProperty"), _n("owl:AnnotationProperty")
        self.individual, self.ontology = _n("owl:NamedIndividual"), _n("owl:Ontology")
        self.restriction, self.on_property, self.some = (
            _n("owl:Restriction"),
            _n("owl:onProperty"),
            _n("owl:someValuesFrom"),
        )
        self.equivalent, self.intersection = _n("owl:equivalentClass"), _n("owl:intersectionOf")
        self.disjoint, self.deprecated, self.version_info = (
            _n("owl:disjointWith"),
            _n("owl:deprecated"),
            _n("owl:versionInfo"),
        )
        self.inverse, self.transitive = _n("owl:inverseOf"), _n("owl:TransitiveProperty")
        self.definition, self.replaced_by = _n("IAO:0000115"), _n("IAO:0100001")
        self.consider, self.xref = _n("oboInOwl:consider"), _n("oboInOwl:hasDbXref")
        self.namespace, self.alt_id = _n("oboInOwl:hasOBONamespace"), _n("oboInOwl:hasAlternativeId")
        self.synonym = {s: _n(f"oboInOwl:has{s.title()}Synonym") for s in ("EXACT", "BROAD", "NARROW", "RELATED")}
        self.broader = _n("skos:broader")
        self.boolean, self.string = _n("xsd:boolean"), _n("xsd:string")
        self.annotation_properties = (
            self.definition,
            self.replaced_by,
            self.consider,
            self.xref,
            self.namespace,
            self.alt_id,
            *self.synonym.values(),
            self.broader,
        )


@dataclass
class ExternalTerm:
    """What one input says about one term: its label, and whether (and by what) it is obsoleted."""

    iri: str
    label: str | None = None
    deprecated: bool = False
    replaced_by: tuple[str, ...] = ()
    consider: tuple[str, ...] = ()


@dataclass
class ExternalOntology:
    """One external file read into RDF triples."""

    path: Path
    format: str  # a key of FORMAT_NAMES
    compression: str | None  # "xz", "gzip", "bzip2" or None
    triples: list = field(repr=False)  # pyoxigraph Triples
    seconds: float = 0.0
    ontology_iri: str | None = None
    notes: list[str] = field(default_factory=list)
    _terms: dict | None = field(default=None, init=False, repr=False)

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES[self.format] + (f", {self.compression}-compressed" if self.compression else "")

    def terms(self) -> dict[str, ExternalTerm]:
        """Terms the file defines (declared or labelled IRIs), keyed as the project keys ids (:func:`key_of_iri`)."""
        if self._terms is None:
            self._terms = term_table(self.triples)
        return self._terms


# --------------------------------------------------------------------------------------------------
# entry point


def read_external(path: str | Path, max_decompressed: int | None = None) -> ExternalOntology:
    """Read one external ontology file; raise :class:`InputError` naming the file when it cannot be read.

    A compressed file may decompress to at most ``max_decompressed`` bytes (default
    :data:`MAX_DECOMPRESSED`); XML with a DOCTYPE or ENTITY declaration is refused (no entity expansion),
    and RDF/XML must end with the end tag of its root element (a truncated file is refused)."""
    import pyoxigraph as ox

    path = Path(path)
    start = time.perf_counter()
    data, compression = _decompress(path, max_decompressed)
    fmt, doc = _sniff(data, path)
    if fmt in ("rdfxml", "owx"):
        _check_xml(data, path, FORMAT_NAMES[fmt])
    notes: list[str] = []
    if fmt in OX_EXTERNAL_FORMATS:
        rdf_format = getattr(ox.RdfFormat, OX_EXTERNAL_FORMATS[fmt])
        triples = _parse_rdf(data, rdf_format, path, FORMAT_NAMES[fmt])
    elif fmt in ("ofn", "owx"):
        triples = _horned(data, path, fmt)
    else:
        try:
            if fmt == "obo":
                triples = obo_triples(_text(data, path), path, notes)
            else:
                triples = obograph_triples(doc, path, notes) if fmt == "obograph" else cxg_triples(doc, path, notes)
        except ValueError as exc:  # an id or value that makes no valid IRI or literal
            raise InputError(
                path,
                f"invalid {FORMAT_NAMES[fmt]}: {' '.join(str(exc).split())[:200]} (an id that is not a valid IRI?)",
            ) from None
    if not triples:
        raise InputError(path, f"{FORMAT_NAMES[fmt]} file holds no triples: is it empty or truncated?")
    onto = next(
        (
            t.subject.value
            for t in triples
            if t.predicate == _V_().type and t.object == _V_().ontology and isinstance(t.subject, ox.NamedNode)
        ),
        None,
    )
    return ExternalOntology(path, fmt, compression, triples, time.perf_counter() - start, onto, notes)


_VOCAB: _V | None = None


def _V_() -> _V:
    global _VOCAB
    if _VOCAB is None:
        _VOCAB = _V()
    return _VOCAB


# --------------------------------------------------------------------------------------------------
# compression and sniffing


def _decompress(path: Path, max_decompressed: int | None = None) -> tuple[bytes, str | None]:
    if max_decompressed is None:
        max_decompressed = MAX_DECOMPRESSED
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not an ontology file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
    if not raw.strip():
        raise InputError(path, "file is empty")
    for magic, name in _REFUSED:
        if raw.startswith(magic):
            raise InputError(
                path, f"{name}-compressed files are not supported; decompress it first (or recompress with xz or gzip)"
            )
    for magic, name in _MAGIC:
        if raw.startswith(magic):
            data = _bounded_decompress(raw, name, path, max_decompressed)
            if not data.strip():
                raise InputError(path, f"{name} data decompresses to an empty file")
            return data, name
    return raw, None


def _bounded_decompress(raw: bytes, name: str, path: Path, cap: int) -> bytes:
    """Decompress every stream of ``raw`` (xz, gzip, bzip2), never producing more than ``cap`` bytes."""
    parts: list[bytes] = []
    total = 0
    data = raw
    while True:
        room = cap + 1 - total
        try:
            if name == "gzip":
                dec = zlib.decompressobj(wbits=31)
                chunk = dec.decompress(data, room)
                left_over = bool(dec.unconsumed_tail)
            else:
                dec = lzma.LZMADecompressor() if name == "xz" else bz2.BZ2Decompressor()
                chunk = dec.decompress(data, max_length=room)
                left_over = not dec.needs_input and not dec.eof
        except (lzma.LZMAError, OSError, zlib.error, ValueError, EOFError) as exc:
            raise InputError(path, f"{name} data is corrupt ({exc}): download or copy it again") from None
        total += len(chunk)
        parts.append(chunk)
        if total > cap or left_over:
            raise InputError(
                path,
                f"{name} data decompresses to more than {cap:,} bytes (the decompressed-size "
                "limit; raise it with merge --max-decompressed if this file is genuine)",
            )
        if not dec.eof:
            raise InputError(
                path,
                f"{name} data is truncated (the file ends before the compressed stream does): "
                "download or copy it again",
            )
        data = dec.unused_data
        if not data.strip(b"\0"):  # nothing more, or the zero padding some tools append
            return b"".join(parts)


def sniff(data: bytes, path: Path) -> str:
    """The format of decompressed content (a key of FORMAT_NAMES), judged by content, not by suffix."""
    return _sniff(data, path)[0]


def _sniff(data: bytes, path: Path) -> tuple[str, object]:
    """The format, and for JSON the parsed document (parsed once: the MONDO table is 60 MB)."""
    head = data[:8192]
    if b"\x00" in head:
        raise InputError(path, f"binary data, not an ontology file (expected {_SUPPORTED})")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        if re.search(r"<rdf:RDF\b|<rdf:Description\b", text) or f'"{PREFIXES["rdf"]}"' in text:
            return "rdfxml", None
        if re.search(r"<(owl:)?Ontology\b", text):
            return "owx", None
        if re.match(r"<(?:[^<>\"\s]*)>\s+<", text):  # N-Triples start with an IRI subject
            return "ntriples", None
        raise InputError(path, f"XML that is neither RDF/XML nor OWL/XML (expected {_SUPPORTED})")
    if text.startswith(("{", "[")):
        doc = _json(data, path)
        return _json_kind(doc, path), doc
    body = _strip_comments(text)
    if re.match(r"(Prefix|Ontology)\s*\(", body):
        return "ofn", None
    if re.match(
        r"(format-version|data-version|ontology|default-namespace|date|saved-by|auto-generated-by|"
        r"subsetdef|synonymtypedef|idspace|import|remark)\s*:",
        body,
    ) or body.startswith(("[Term]", "[Typedef]")):
        return "obo", None
    if re.match(r"(@prefix|@base|prefix\s|base\s)", body, re.I):
        return "turtle", None
    if re.match(r"(<[^>\s]*>|_:\S+)\s+<[^>\s]*>\s", body):
        return "ntriples", None if not re.search(r"^\s*@?prefix", text, re.M | re.I) else "turtle"
    raise InputError(path, f"unknown format: the content is not {_SUPPORTED}")


_XML_DECL_RE = re.compile(rb"<!(DOCTYPE|ENTITY)\b")
_XML_ROOT_RE = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_XML_SKIP_RE = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)


def _line_at(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _check_xml(data: bytes, path: Path, what: str) -> None:
    """Refuse DOCTYPE / ENTITY declarations (entity expansion bombs, external entities) and a document
    that does not end with its root element's end tag (truncated)."""
    m = _XML_DECL_RE.search(data)
    if m:
        raise InputError(
            path,
            f"invalid {what}: a <!{m.group(1).decode()}> declaration is refused (entity "
            "declarations can expand without bound or read other files); remove the DOCTYPE "
            "and write the IRIs out in full",
            _line_at(data, m.start()),
        )
    pos = 0
    if data.startswith(b"\xef\xbb\xbf"):
        pos = 3
    while True:
        skip = _XML_SKIP_RE.match(data, pos)
        if not skip or skip.end() == pos:
            break
        pos = skip.end()
    root = _XML_ROOT_RE.match(data, data.find(b"<", pos))
    if root is None:
        return
    end_tag = b"</" + root.group(1)
    tail = data.rstrip()
    while tail.endswith(b"-->"):  # trailing comments after the root element are allowed
        start = tail.rfind(b"<!--")
        if start < 0:
            break
        tail = tail[:start].rstrip()
    closing = tail.rfind(b"<")
    if (
        closing < 0
        or not tail.endswith(b">")
        or not tail[closing:].startswith(end_tag)
        or tail[closing + len(end_tag) : closing + len(end_tag) + 1] not in (b">", b" ", b"\t", b"\n", b"\r")
    ):
        raise InputError(
            path,
            f"invalid {what}: the document is truncated: it ends at line {_line_at(data, len(tail))} without "
            f"the end tag {end_tag.decode('utf-8', 'replace')}> of its root element; download or "
            "copy the file again",
            _line_at(data, len(tail)),
        )


def _strip_comments(text: str) -> str:
    lines = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    return "\n".join(lines).lstrip()


def _json_kind(doc, path: Path) -> str:
    if isinstance(doc, dict) and isinstance(doc.get("graphs"), list):
        return "obograph"
    if isinstance(doc, (dict, list)) and _is_jsonld(doc):
        return "jsonld"
    if isinstance(doc, dict) and doc:
        sample = list(doc.items())[:50]
        if all(isinstance(v, dict) and "label" in v for _, v in sample) and all(
            re.fullmatch(r"[A-Za-z][\w.]*[:_][\w.-]+", k) for k, _ in sample
        ):
            return "cxg"
    raise InputError(
        path,
        'JSON that is neither OBO Graph JSON ({"graphs": [...]}), JSON-LD nor a cellxgene '
        'term table ({CURIE: {"label": ...}})',
    )


def _is_jsonld(doc) -> bool:
    items = doc if isinstance(doc, list) else [doc]
    return any(isinstance(i, dict) and ("@context" in i or "@graph" in i or "@id" in i) for i in items[:5])


def _json(data: bytes, path: Path):
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        decode_utf8(path, data)
        raise
    except json.JSONDecodeError as exc:
        hint = " (the file looks truncated)" if exc.pos >= len(data.rstrip()) - 1 else ""
        raise InputError(path, f"invalid JSON: {exc.msg}, column {exc.colno}{hint}", exc.lineno) from None


def _text(data: bytes, path: Path) -> str:
    return decode_utf8(path, data)


# --------------------------------------------------------------------------------------------------
# RDF and OWL syntaxes


def _parse_rdf(data: bytes, rdf_format, path: Path, what: str) -> list:
    import pyoxigraph as ox

    try:
        return [
            q.triple if isinstance(q, ox.Quad) else q
            for q in ox.parse(data, rdf_format, base_iri=path.resolve().as_uri(), rename_blank_nodes=True)
        ]
    except SyntaxError as exc:
        msg = " ".join(str(exc).split())[:300]
        if re.search(r"utf-8", msg, re.I):
            decode_utf8(path, data)  # names the line and column of the first byte that is not UTF-8
        line = getattr(exc, "lineno", None)
        column = getattr(exc, "offset", None) if line else None
        m = re.search(r"line (\d+)|(\d+):\d+", msg)
        if line is None and m:
            line = int(m.group(1) or m.group(2))
        hint = " (the file looks truncated)" if re.search(r"unexpected end|EOF|end of file", msg, re.I) else ""
        raise InputError(path, f"invalid {what}: {msg}{hint}", line, column) from None
    except MemoryError as exc:
        error = oversized_term(path, exc, data)
        if error is None:
            raise
        raise error from None
    except (ValueError, OSError) as exc:
        raise InputError(path, f"invalid {what}: {' '.join(str(exc).split())[:300]}") from None


def _horned(data: bytes, path: Path, fmt: str) -> list:
    import pyhornedowl
    import pyoxigraph as ox

    text = _text(data, path)
    try:
        onto = pyhornedowl.open_ontology_from_string(text, fmt)
    except (ValueError, RuntimeError) as exc:
        msg = str(exc)
        m = re.search(r"line_col: Pos\(\((\d+), (\d+)\)\)", msg)
        line = int(m.group(1)) if m else None
        expected = re.search(r"positives: \[([^\]]*)\]", msg)
        detail = f"expected {expected.group(1)}" if expected else " ".join(msg.split())[:200]
        truncated = " (the file looks truncated)" if line and line >= text.count("\n") else ""
        raise InputError(path, f"invalid {FORMAT_NAMES[fmt]}: {detail}{truncated}", line) from None
    rdfxml = onto.save_to_string("owl")
    return _parse_rdf(rdfxml.encode("utf-8"), ox.RdfFormat.RDF_XML, path, FORMAT_NAMES[fmt])


# --------------------------------------------------------------------------------------------------
# IRIs of ids written as CURIEs in OBO and JSON files


def curie_iri(curie: str, idspaces: dict[str, str] | None = None) -> str:
    """The IRI of an OBO-style id: a full IRI stays, ``PREFIX:LOCAL`` becomes an OBO PURL unless the
    file's ``idspace`` header (or the canonical map, for non-OBO prefixes) names another namespace."""
    curie = curie.strip()
    if re.match(r"https?://|urn:|mailto:", curie):
        return curie
    prefix, sep, local = curie.partition(":")
    if not sep:
        return f"{OBO}{curie}"
    if idspaces and prefix in idspaces:
        return idspaces[prefix] + local
    if prefix in ("oboInOwl", "rdfs", "rdf", "owl", "xsd", "skos", "dcterms"):
        return PREFIXES[prefix] + local
    return f"{OBO}{prefix}_{local}"


def key_of_iri(iri: str) -> str | None:
    """The id of an IRI as the project keys ids (``CL:0000134``, ``MIMAT0000770``, ``MI0000001``,
    ``CVCL_0481``, ``HGNC:5464``), or None for an IRI outside the id spaces we know."""
    obo = str(OBO)
    if iri.startswith(obo):
        local = iri[len(obo) :]
        m = re.fullmatch(r"([A-Za-z][A-Za-z0-9.]*)_([A-Za-z0-9]+)", local)
        if not m:
            return None
        space, acc = m.groups()
        rule = bare_id(acc)
        return acc if rule is not None and rule.keyed_bare else f"{space}:{acc}"
    return canonical_key_of_iri(iri)


# --------------------------------------------------------------------------------------------------
# OBO 1.4


_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*(.*)$')
_HANDLED = {
    "id",
    "name",
    "def",
    "synonym",
    "xref",
    "is_a",
    "relationship",
    "intersection_of",
    "is_obsolete",
    "replaced_by",
    "consider",
    "namespace",
    "property_value",
    "comment",
    "alt_id",
    "disjoint_from",
    "inverse_of",
    "is_transitive",
    "is_metadata_tag",
}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def _strip_trailing(value: str) -> str:
    """Drop an OBO value's ``! comment`` and ``{qualifiers}``."""
    value = re.sub(r"\s+!.*$", "", value)
    value = re.sub(r"\s*\{[^{}]*\}\s*$", "", value)
    return value.strip()


def obo_triples(text: str, path: Path, notes: list[str] | None = None) -> list:
    """Convert OBO 1.4 text to OWL triples following the OBO-to-OWL mapping, for these tags:
    id, name, def, synonym, xref, alt_id, comment, namespace, is_a, relationship (a someValuesFrom
    restriction on the relation's RO/BFO IRI, found through the file's Typedef ``xref``), intersection_of
    (an equivalent intersection), disjoint_from, is_obsolete, replaced_by, consider, property_value, and
    for Typedefs inverse_of, is_transitive and is_metadata_tag. Other tags are skipped (counted in
    ``notes``); an unknown stanza type ([Instance]) is skipped too. Never fails on a tag it does not know,
    only on text that has no stanza at all."""
    import pyoxigraph as ox

    V = _V_()
    notes = notes if notes is not None else []
    header: dict[str, list[str]] = {}
    stanzas = list(obo_stanzas(text.splitlines(), path, header))
    if not any(kind in ("Term", "Typedef") for kind, _, _ in stanzas):
        raise InputError(path, "OBO file without any [Term] or [Typedef] stanza: is it truncated?")

    idspaces = {}
    for value in header.get("idspace", []):
        parts = value.split()
        if len(parts) >= 2:
            idspaces[parts[0]] = parts[1]
    ontology = (header.get("ontology") or [""])[0].strip()
    # Typedef ids such as part_of map to the RO/BFO IRI their xref gives (OBO mapping "shorthand ids").
    relations: dict[str, str] = {}
    for kind, _, tags in stanzas:
        if kind != "Typedef":
            continue
        tid = next((v for k, v, _ in tags if k == "id"), None)
        if tid and ":" not in tid:
            xref = next(
                (
                    _strip_trailing(v)
                    for k, v, _ in tags
                    if k == "xref" and re.match(r"(RO|BFO):\d+", _strip_trailing(v))
                ),
                None,
            )
            relations[tid] = curie_iri(xref) if xref else f"{OBO}{ontology}#{tid}"

    def iri(value: str):
        value = _strip_trailing(value)
        if value in relations:
            return ox.NamedNode(relations[value])
        if ":" not in value and ontology:
            return ox.NamedNode(f"{OBO}{ontology}#{value}")
        return ox.NamedNode(curie_iri(value, idspaces))

    out: list = []
    add = out.append
    if ontology:
        onto = ox.NamedNode(f"{OBO}{ontology}.owl")
        add(ox.Triple(onto, V.type, V.ontology))
        for version in header.get("data-version", [])[:1]:
            add(ox.Triple(onto, V.version_info, ox.Literal(version)))
    for prop in V.annotation_properties:
        add(ox.Triple(prop, V.type, V.ann_prop))
    skipped: dict[str, int] = {}
    used_relations: set = set()
    for kind, number, tags in stanzas:
        if kind not in ("Term", "Typedef"):
            skipped[f"[{kind}]"] = skipped.get(f"[{kind}]", 0) + 1
            continue
        tid = next((v for k, v, _ in tags if k == "id"), None)
        if not tid:
            raise InputError(path, f"[{kind}] stanza without an id", number)
        subject = iri(tid)
        is_term = kind == "Term"
        metadata = any(k == "is_metadata_tag" and v.startswith("true") for k, v, _ in tags)
        add(ox.Triple(subject, V.type, V.cls if is_term else (V.ann_prop if metadata else V.obj_prop)))
        genus, differentia = [], []
        for key, value, line in tags:
            try:
                if key == "name":
                    add(ox.Triple(subject, V.label, ox.Literal(value)))
                elif key == "def":
                    m = _QUOTED.match(value)
                    add(ox.Triple(subject, V.definition, ox.Literal(_unescape(m.group(1)) if m else value)))
                elif key == "comment":
                    add(ox.Triple(subject, V.comment, ox.Literal(_unescape(value))))
                elif key == "synonym":
                    m = _QUOTED.match(value)
                    if m:
                        scope = (m.group(2).split() or ["RELATED"])[0]
                        add(
                            ox.Triple(
                                subject, V.synonym.get(scope, V.synonym["RELATED"]), ox.Literal(_unescape(m.group(1)))
                            )
                        )
                elif key == "xref":
                    add(ox.Triple(subject, V.xref, ox.Literal(_strip_trailing(value).split(' "')[0])))
                elif key == "alt_id":
                    add(ox.Triple(subject, V.alt_id, ox.Literal(_strip_trailing(value))))
                elif key == "namespace":
                    add(ox.Triple(subject, V.namespace, ox.Literal(value)))
                elif key == "is_a":
                    add(ox.Triple(subject, V.sub_class if is_term else V.sub_prop, iri(value)))
                elif key == "relationship" and is_term:
                    parts = _strip_trailing(value).split()
                    if len(parts) >= 2:
                        rel = iri(parts[0])
                        used_relations.add(rel)
                        out.extend(_some_values_from(subject, rel, iri(parts[1])))
                elif key == "intersection_of" and is_term:
                    parts = _strip_trailing(value).split()
                    if len(parts) == 1:
                        genus.append(iri(parts[0]))
                    elif len(parts) >= 2:
                        rel = iri(parts[0])
                        used_relations.add(rel)
                        differentia.append((rel, iri(parts[1])))
                elif key == "disjoint_from":
                    add(ox.Triple(subject, V.disjoint, iri(value)))
                elif key == "is_obsolete" and value.startswith("true"):
                    add(ox.Triple(subject, V.deprecated, ox.Literal("true", datatype=V.boolean)))
                elif key == "replaced_by":
                    add(ox.Triple(subject, V.replaced_by, iri(value)))
                elif key == "consider":
                    add(ox.Triple(subject, V.consider, ox.Literal(_strip_trailing(value))))
                elif key == "inverse_of" and not is_term:
                    add(ox.Triple(subject, V.inverse, iri(value)))
                elif key == "is_transitive" and not is_term and value.startswith("true"):
                    add(ox.Triple(subject, V.type, V.transitive))
                elif key == "property_value":
                    add(_property_value(subject, value, iri))
                elif key not in _HANDLED:
                    skipped[key] = skipped.get(key, 0) + 1
            except ValueError as exc:  # an IRI pyoxigraph refuses
                raise InputError(path, f"bad {key} value {value[:80]!r}: {exc}", line) from None
        if genus or differentia:
            members: list = list(genus)
            for rel, filler in differentia:
                node = ox.BlankNode()
                out.extend(
                    (
                        ox.Triple(node, V.type, V.restriction),
                        ox.Triple(node, V.on_property, rel),
                        ox.Triple(node, V.some, filler),
                    )
                )
                members.append(node)
            if len(members) == 1:
                add(ox.Triple(subject, V.equivalent, members[0]))
            else:
                eq = ox.BlankNode()
                out.extend(
                    (
                        ox.Triple(eq, V.type, V.cls),
                        ox.Triple(eq, V.intersection, _rdf_list(members, out)),
                        ox.Triple(subject, V.equivalent, eq),
                    )
                )
    # relations used in restrictions must be object properties for the result to be OWL 2 DL
    for rel in used_relations:
        add(ox.Triple(rel, V.type, V.obj_prop))
    if skipped:
        notes.append("OBO tags not converted: " + ", ".join(f"{k} ({n})" for k, n in sorted(skipped.items())))
    return out


def _property_value(subject, value: str, iri):
    import pyoxigraph as ox

    V = _V_()
    rel, _, rest = value.partition(" ")
    rest = rest.strip()
    m = _QUOTED.match(rest)
    if m:
        datatype = m.group(2).split()[0] if m.group(2).split() else None
        dt = ox.NamedNode(curie_iri(datatype)) if datatype and ":" in datatype else None
        obj = (
            ox.Literal(_unescape(m.group(1)), datatype=dt)
            if dt and dt != V.string
            else ox.Literal(_unescape(m.group(1)))
        )
    else:
        obj = iri(rest.split()[0]) if rest.split() else ox.Literal("")
    return ox.Triple(subject, iri(rel), obj)


def _some_values_from(subject: Any, relation: Any, filler: Any) -> tuple[Any, ...]:
    """``subject rdfs:subClassOf [ owl:onProperty relation ; owl:someValuesFrom filler ]`` as triples."""
    import pyoxigraph as ox

    V = _V_()
    node = ox.BlankNode()
    return (
        ox.Triple(subject, V.sub_class, node),
        ox.Triple(node, V.type, V.restriction),
        ox.Triple(node, V.on_property, relation),
        ox.Triple(node, V.some, filler),
    )


def _rdf_list(items: list, out: list):
    import pyoxigraph as ox

    V = _V_()
    head = V.nil
    for item in reversed(items):
        node = ox.BlankNode()
        out.extend((ox.Triple(node, V.first, item), ox.Triple(node, V.rest, head)))
        head = node
    return head


# --------------------------------------------------------------------------------------------------
# OBO Graph JSON


def obograph_triples(doc: dict, path: Path, notes: list[str] | None = None) -> list:
    """OBO Graph JSON to OWL triples: nodes (CLASS, PROPERTY, INDIVIDUAL) with label, definition,
    synonyms, xrefs, comments, deprecated and basicPropertyValues; edges ``is_a`` as rdfs:subClassOf,
    other edges as someValuesFrom restrictions on the edge's predicate."""
    import pyoxigraph as ox

    V = _V_()
    notes = notes if notes is not None else []
    out: list = []
    add = out.append
    for prop in V.annotation_properties:
        add(ox.Triple(prop, V.type, V.ann_prop))
    kinds = {"CLASS": V.cls, "PROPERTY": V.obj_prop, "INDIVIDUAL": V.individual}
    sub_class_preds = ("is_a", "subClassOf", str(expand("rdfs:subClassOf")))

    def node_iri(value: str, where: str):
        try:
            return ox.NamedNode(curie_iri(value))
        except ValueError:
            raise InputError(path, f"{where}: {value!r} is not a valid id or IRI") from None

    for graph in obograph_graphs(doc, path):
        if graph.id:
            add(ox.Triple(node_iri(graph.id, "graph id"), V.type, V.ontology))
        relations: set = set()
        for node in graph.nodes:
            subject = node_iri(node.id, node.where)
            kind = kinds.get(node.type)
            if kind is not None:
                add(ox.Triple(subject, V.type, kind))
            if node.label is not None:
                add(ox.Triple(subject, V.label, ox.Literal(node.label)))
            if node.definition is not None:
                add(ox.Triple(subject, V.definition, ox.Literal(node.definition)))
            for scope, text in node.synonyms:
                add(ox.Triple(subject, V.synonym[scope], ox.Literal(text)))
            for xref in node.xrefs:
                add(ox.Triple(subject, V.xref, ox.Literal(xref)))
            for comment in node.comments:
                add(ox.Triple(subject, V.comment, ox.Literal(comment)))
            if node.deprecated:
                add(ox.Triple(subject, V.deprecated, ox.Literal("true", datatype=V.boolean)))
            for pred, val in node.property_values:
                pred_iri = node_iri(pred, node.where)
                if pred_iri == V.replaced_by or pred.endswith("replaced_by"):
                    add(ox.Triple(subject, V.replaced_by, node_iri(val, node.where)))
                elif pred_iri == V.consider or pred.endswith("consider"):
                    add(ox.Triple(subject, V.consider, ox.Literal(val)))
                else:
                    add(ox.Triple(subject, pred_iri, ox.Literal(val)))
        for edge in graph.edges:
            sub, obj = node_iri(edge.sub, edge.where), node_iri(edge.obj, edge.where)
            if edge.pred in sub_class_preds:
                add(ox.Triple(sub, V.sub_class, obj))
            else:
                rel = node_iri(edge.pred, edge.where)
                relations.add(rel)
                out.extend(_some_values_from(sub, rel, obj))
        for rel in relations:
            add(ox.Triple(rel, V.type, V.obj_prop))
    return out


# --------------------------------------------------------------------------------------------------
# cellxgene term tables


def cxg_triples(doc: dict, path: Path, notes: list[str] | None = None) -> list:
    """A cellxgene term table to triples (see the module docstring for how ``ancestors`` is kept)."""
    import pyoxigraph as ox

    V = _V_()
    notes = notes if notes is not None else []
    out: list = []
    add = out.append
    for prop in V.annotation_properties:
        add(ox.Triple(prop, V.type, V.ann_prop))
    true = ox.Literal("true", datatype=V.boolean)

    def iri(curie: str, entry: CxgEntry):
        try:
            return ox.NamedNode(_cxg_iri(curie))
        except ValueError:
            if curie == entry.curie:
                raise InputError(path, f"term key {curie!r} is not a valid id") from None
            raise InputError(path, f"term {entry.curie}: {curie!r} is not a valid id") from None

    for entry in cxg_entries(doc, path):
        subject = iri(entry.curie, entry)
        add(ox.Triple(subject, V.type, V.cls))
        if entry.label is not None:
            add(ox.Triple(subject, V.label, ox.Literal(entry.label)))
        if entry.description is not None:
            add(ox.Triple(subject, V.definition, ox.Literal(entry.description)))
        for syn in entry.synonyms:
            # the table gives no scope; OBO's default scope for a synonym without one is RELATED
            add(ox.Triple(subject, V.synonym["RELATED"], ox.Literal(syn)))
        for comment in entry.comments:
            add(ox.Triple(subject, V.comment, ox.Literal(comment)))
        if entry.deprecated:
            add(ox.Triple(subject, V.deprecated, true))
        for value in entry.replaced_by:
            add(ox.Triple(subject, V.replaced_by, iri(value, entry)))
        for value in entry.consider:
            add(ox.Triple(subject, V.consider, ox.Literal(value)))
        for other in entry.direct:
            add(ox.Triple(subject, V.broader, iri(other, entry)))
    notes.append(
        "term table: each direct ancestor (is_a or part_of, the file does not say which) is kept as skos:broader"
    )
    return out


def _cxg_iri(curie: str) -> str:
    rule = bare_id(curie)
    if rule is not None and rule.prefix is not None:
        return str(expand(curie))
    return curie_iri(curie)


# --------------------------------------------------------------------------------------------------
# the term table of a converted file


def term_table(triples: Iterable[Any]) -> dict[str, ExternalTerm]:
    """Terms an input defines (declared as class/property/individual, or labelled), keyed by project id."""
    import pyoxigraph as ox

    V = _V_()
    declared_types = {V.cls, V.obj_prop, V.ann_prop, V.individual, _n("owl:DatatypeProperty")}
    terms: dict[str, ExternalTerm] = {}
    keys: dict[str, str | None] = {}

    def term(node) -> ExternalTerm | None:
        if not isinstance(node, ox.NamedNode):
            return None
        iri = node.value
        if iri not in keys:
            keys[iri] = key_of_iri(iri)
        key = keys[iri]
        if key is None:
            return None
        found = terms.get(key)
        if found is None:
            found = terms[key] = ExternalTerm(iri)
        return found

    for t in triples:
        p = t.predicate
        if p == V.type:
            if t.object in declared_types:
                term(t.subject)
        elif p == V.label:
            found = term(t.subject)
            if found is not None and isinstance(t.object, ox.Literal):
                lang = t.object.language
                if found.label is None or (not lang or lang.startswith("en")):
                    found.label = t.object.value if (found.label is None or not lang) else found.label
        elif p == V.deprecated:
            found = term(t.subject)
            if found is not None and isinstance(t.object, ox.Literal) and t.object.value in ("true", "1"):
                found.deprecated = True
        elif p == V.replaced_by:
            found = term(t.subject)
            if found is not None:
                found.replaced_by += (_id_text(t.object),)
        elif p == V.consider:
            found = term(t.subject)
            if found is not None:
                found.consider += (_id_text(t.object),)
    return terms


def _id_text(node) -> str:
    """An id as the project writes it, from an IRI or a CURIE literal."""
    value = node.value
    if value.startswith(("http://", "https://")):
        return key_of_iri(value) or value
    return value.strip()


def converter_terms() -> frozenset[str]:
    """Ids of the annotation properties the OBO/JSON converters declare in every output."""
    return frozenset(k for k in (key_of_iri(p.value) for p in _V_().annotation_properties) if k)


def id_spaces(terms: dict[str, ExternalTerm]) -> dict[str, int]:
    """How many terms of each id space an input defines (the converters' own vocabulary left out, so a
    three-term OBO file does not seem to define IAO and oboInOwl terms)."""
    counts: dict[str, int] = {}
    skip = converter_terms()
    for key in terms:
        if key in skip:
            continue
        space = id_space(key)
        counts[space] = counts.get(space, 0) + 1
    return counts
