"""Index of the external terms in the shared ontology tables: labels, synonyms, obsolescence, parents.

Built from the files in ``shared/ontologies`` (see its README: several are subsets or term tables)
and cached as a pickle under ``.exo-cache/`` keyed by the files' sizes and mtimes: a cached load takes
about two seconds, a rebuild five to twenty.

Keys are the CURIEs curators write: ``CL:0000134``, ``HGNC:5464``, ``NCBITaxon:9606``,
``CVCL_0481`` (Cellosaurus), ``MIMAT0000770`` (miRBase mature), ``MI0000001`` (miRBase precursor).

Hierarchy: the cellxgene tables (CL, UBERON, MONDO) give the closure over is_a and part_of together,
without saying which relation links a term to a direct ancestor. The relation is taken from explicit
data where the shared folder has it (UBERON OBO stanzas; part_of links in the CL editors' file);
CL and MONDO link their own terms by is_a almost exclusively, so their other direct ancestors are
read as is_a; a UBERON direct ancestor with no explicit relation is kept in ``Term.broader``
("is_a or part_of, the tables do not say") rather than guessed.
"""

from __future__ import annotations

import csv
import gc
import heapq
import json
import lzma
import pickle
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .errors import ExoError
from .manifest import shared_file
from .namespaces import BARE_IDS, id_key, id_space
from .obo import cxg_entries, obo_stanzas, obograph_graphs
from .rdfio import atomic_write

if TYPE_CHECKING:
    from .project import Project

__all__ = [
    "CHECKED_PREFIXES",
    "PARTIAL_PREFIXES",
    "SearchHit",
    "Term",
    "TermIndex",
    "load_index",
    "project_index",
]

#: Id spaces whose shared table is a subset: an id missing there is "unconfirmed", not unknown.
PARTIAL_PREFIXES = frozenset({"CHEBI", "PR", "NCBITaxon"})
#: Id spaces that the shared tables cover completely (or as completely as obtainable).
CHECKED_PREFIXES = frozenset(
    {
        "CL",
        "UBERON",
        "GO",
        "MONDO",
        "DOID",
        "CHEBI",
        "PR",
        "RO",
        "BFO",
        "ECO",
        "OBI",
        "NCBITaxon",
        "HGNC",
        "CVCL",
        "MIMAT",
        "MI",
        "IAO",
        "COB",
    }
)

_CACHE_VERSION = 6

#: The file that is authoritative for an id space among the OBO files: its stanza replaces a copy of
#: the same term found in another file (OBI, GO and PR carry stale copies of BFO, NCBITaxon, IAO ...).
#: (Roles of the files in data/shared-manifest.json.)
_HOME = {
    "GO": "go_obo",
    "CHEBI": "chebi_obo",
    "PR": "pr_obo",
    "DOID": "doid_obo",
    "ECO": "eco_obo",
    "OBI": "obi_obo",
    "IAO": "obi_obo",
    "COB": "obi_obo",
    "RO": "ro_obo",
    "NCBITaxon": "ncbitaxon_obo",
    "UBERON": "uberon_obo",
    "BFO": "ro_obo",
}
#: The OBO files read, in order (roles); the GO hierarchy supplement gives parents (and obsolescence) to
#: GO terms the subset lacks; no id is defined in both files.
_OBO_FILES = (
    "go_obo",
    "go_supplement_obo",
    "chebi_obo",
    "pr_obo",
    "doid_obo",
    "eco_obo",
    "obi_obo",
    "ro_obo",
    "ncbitaxon_obo",
    "uberon_obo",
)
#: The cellxgene term tables, read over the OBO stanzas (complete, current labels and closure).
_CXG_FILES = ("cl_cxg", "uberon_cxg", "mondo_cxg", "cellosaurus_cxg")
_PLACEHOLDER = "placeholder for a class referenced here"
#: cellxgene id spaces whose direct ancestors are read as is_a unless explicit data says part_of.
_CXG_IS_A = frozenset({"CL", "MONDO"})
#: Aliases accepted by :meth:`TermIndex.search` for its ``prefixes`` filter.
_SPACE_ALIASES = {
    **{rule.prefix: rule.space for rule in BARE_IDS if rule.prefix and rule.keyed_bare},
    "mirbase": "MIMAT",
}


@dataclass
class Term:
    curie: str
    label: str | None = None
    obsolete: bool = False
    synonyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()  # is_a parents within the same source, where the table has them
    part_of: tuple[str, ...] = ()  # part_of (BFO:0000050) parents, where known
    ancestors: tuple[str, ...] = ()  # closure over is_a and part_of (cellxgene tables only)
    definition: str | None = None
    replaced_by: str | None = None
    source: str = ""
    kind: str = "class"  # "class", "property" (object property) or "annotation" (property)
    broader: tuple[str, ...] = ()  # direct ancestors linked by is_a or part_of, the tables do not say which


@dataclass(frozen=True)
class SearchHit:
    """One result of :meth:`TermIndex.search`: which term, and which of its names matched how."""

    curie: str
    label: str | None
    matched: str  # the label or synonym that matched (or the id)
    match: str  # "id", "label", "synonym", "label substring" or "synonym substring"
    obsolete: bool
    source: str


_RANKS = {"id": 0, "label": 1, "synonym": 2, "label substring": 3, "synonym substring": 4}


@dataclass
class TermIndex:
    terms: dict[str, Term] = field(default_factory=dict)
    # Built on the first search and never pickled: most commands only look ids up.
    _names: list | None = field(default=None, init=False, repr=False, compare=False)
    _exact: dict | None = field(default=None, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {"terms": self.terms}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.terms = state["terms"]
        self._names = None
        self._exact = None

    def get(self, curie: str) -> Term | None:
        return self.terms.get(id_key(curie))

    def label(self, curie: str) -> str | None:
        term = self.get(curie)
        return term.label if term else None

    def __contains__(self, curie: str) -> bool:
        return id_key(curie) in self.terms

    def __len__(self) -> int:
        return len(self.terms)

    def ancestors(self, curie: str) -> tuple[str, ...]:
        """All ancestors of ``curie`` over is_a and part_of (and ``broader``) that the tables hold, sorted.

        The cellxgene closure (``Term.ancestors``) is used where a table has one; elsewhere the explicit
        parents are walked. The term itself is not included; an unknown id has no ancestors.
        """
        start = id_key(curie)
        seen: set[str] = set()
        stack = [start]
        while stack:
            term = self.terms.get(stack.pop())
            if term is None:
                continue
            for other in (*term.ancestors, *term.parents, *term.part_of, *term.broader):
                if other != start and other not in seen:
                    seen.add(other)
                    stack.append(other)
        return tuple(sorted(seen))

    def search(
        self, text: str, prefixes: Iterable[str] | None = None, limit: int = 20, *, include_obsolete: bool = False
    ) -> list[SearchHit]:
        """Find terms by name: an id, then exact label and synonym matches, then substrings.

        Matching ignores case. ``prefixes`` restricts the id spaces (``CL``, ``HGNC``, ``CVCL`` or
        ``cellosaurus``, ``MIMAT`` or ``mirbase.mature`` ...). Within a rank, current terms come
        before obsolete ones (which are left out unless ``include_obsolete``) and shorter names first.
        """
        query = " ".join(text.split()).lower()
        if not query or limit <= 0:
            return []
        spaces = None
        if prefixes:
            spaces = {_SPACE_ALIASES.get(p, p) for p in ([prefixes] if isinstance(prefixes, str) else prefixes)}
        self._build_search()
        best: dict[str, tuple] = {}

        def offer(curie: str, name: str, how: str) -> None:
            term = self.terms[curie]
            if term.obsolete and not include_obsolete:
                return
            if spaces is not None and id_space(curie) not in spaces:
                return
            key = (_RANKS[how], term.obsolete, len(name), name.lower(), curie)
            if curie not in best or key < best[curie][0]:
                best[curie] = (key, name, how)

        as_id = id_key(text.strip())
        if as_id in self.terms:
            offer(as_id, as_id, "id")
        for curie, is_label, name in self._exact.get(query, ()):
            offer(curie, name, "label" if is_label else "synonym")
        # Substring matches: keep only the best few candidates per rank instead of sorting them all.
        found = (
            (len(lower), lower, curie, is_label, name)
            for lower, curie, is_label, name in self._names
            if query in lower and lower != query
        )
        for _, _, curie, is_label, name in heapq.nsmallest(max(limit * 20, 200), found):
            offer(curie, name, "label substring" if is_label else "synonym substring")
        ranked = sorted(best.items(), key=lambda item: item[1][0])[:limit]
        return [
            SearchHit(curie, self.terms[curie].label, name, how, self.terms[curie].obsolete, self.terms[curie].source)
            for curie, (_, name, how) in ranked
        ]

    def _build_search(self) -> None:
        if self._names is not None:
            return
        names: list[tuple[str, str, bool, str]] = []
        exact: dict[str, list[tuple[str, bool, str]]] = {}
        for curie, term in self.terms.items():
            seen = set()
            for is_label, name in ((True, term.label), *((False, s) for s in term.synonyms)):
                if not name:
                    continue
                lower = " ".join(name.split()).lower()
                if lower in seen:
                    continue
                seen.add(lower)
                names.append((lower, curie, is_label, name))
                exact.setdefault(lower, []).append((curie, is_label, name))
        self._names, self._exact = names, exact


def _xz(path: Path):
    return lzma.open(path, "rt", encoding="utf-8")


def _read_obo(path: Path, terms: dict[str, Term], placeholders: set[str]) -> None:
    """Merge the [Term] and [Typedef] stanzas of one OBO file into ``terms``.

    A placeholder stub never replaces a real stanza; a real stanza replaces a placeholder, and the
    stanza from an id space's home file (``_HOME``) replaces copies found in other files. Otherwise
    the first stanza wins and later ones only fill what it lacks.
    """
    source = path.name  # one string object shared by all terms of the file keeps the pickle small

    def flush(cur: dict) -> None:
        if not cur.get("id"):
            return
        tid = cur["id"]
        new = Term(
            tid,
            cur.get("name"),
            cur.get("obsolete", False),
            tuple(cur["syn"]),
            tuple(cur["is_a"]),
            tuple(cur["part_of"]),
            (),
            cur.get("def"),
            cur.get("replaced_by"),
            source,
            cur["kind"],
        )
        old = terms.get(tid)
        if cur.get("placeholder"):
            if old is None:
                terms[tid] = new
                placeholders.add(tid)
            return
        home = homes.get(id_space(tid)) == source
        if old is None or tid in placeholders or (home and old.source != source):
            terms[tid] = new
            placeholders.discard(tid)
            return
        old.label = old.label or new.label
        old.definition = old.definition or new.definition
        old.synonyms = old.synonyms or new.synonyms
        old.parents = old.parents or new.parents
        old.part_of = old.part_of or new.part_of
        old.obsolete = old.obsolete or new.obsolete

    homes = {space: shared_file(role) for space, role in _HOME.items()}
    kinds = {"Term": "class", "Typedef": "property"}
    with _xz(path) as fh:
        for stanza_kind, _, tags in obo_stanzas(fh, path):
            kind = kinds.get(stanza_kind)
            if kind is None:
                continue
            cur = {"syn": [], "is_a": [], "part_of": [], "kind": kind}
            for key, value, _ in tags:
                if key == "id":
                    cur["id"] = value
                elif key == "name" and "name" not in cur:
                    cur["name"] = value
                elif key == "is_obsolete" and value == "true":
                    cur["obsolete"] = True
                elif key == "is_metadata_tag" and value == "true":
                    cur["kind"] = "annotation"
                elif key == "comment" and _PLACEHOLDER in value:
                    cur["placeholder"] = True
                elif key == "synonym":
                    m = re.match(r'"(.*?)"', value)
                    if m:
                        cur["syn"].append(m.group(1))
                elif key == "is_a":
                    cur["is_a"].append(value.split("!")[0].split("{")[0].strip())
                elif key == "relationship":
                    parts = value.split()
                    if len(parts) >= 2 and parts[0] in ("part_of", "BFO:0000050"):
                        cur["part_of"].append(parts[1])
                elif key == "def":
                    m = re.match(r'"(.*)"\s*\[', value)
                    cur["def"] = m.group(1) if m else value
                elif key == "replaced_by":
                    cur["replaced_by"] = value
            flush(cur)


def _read_cxg(
    path: Path, terms: dict[str, Term], placeholders: set[str], part_of_links: dict[str, set[str]] | None = None
) -> None:
    """Overlay a cellxgene table (complete, current labels and closure) on the OBO stanzas.

    Each direct ancestor (distance 1) is sorted into is_a, part_of or ``broader`` (see the module
    docstring); explicit links to terms outside the current closure are dropped as stale.
    """
    with _xz(path) as fh:
        entries = cxg_entries(json.load(fh), path)
    source = path.name
    for v in entries:
        curie = v.curie
        direct = sorted(v.direct)
        old = terms.get(curie)
        explicit = old is not None and curie not in placeholders
        space = id_space(curie)
        if space in _CXG_IS_A:
            part_of = [a for a in direct if a in (part_of_links or {}).get(curie, ())]
            parents = [a for a in direct if a not in part_of]
            broader = []
        elif explicit:
            parents = [a for a in direct if a in old.parents]
            part_of = [a for a in direct if a in old.part_of]
            broader = [a for a in direct if a not in parents and a not in part_of]
        else:
            parents, part_of, broader = [], [], direct
        placeholders.discard(curie)
        terms[curie] = Term(
            curie,
            v.label,
            v.deprecated,
            tuple(v.synonyms),
            tuple(parents),
            tuple(part_of),
            tuple(sorted(v.ancestors)),
            v.description,
            v.replaced_by[0] if v.replaced_by else None,
            source,
            "class",
            tuple(broader),
        )


def _cl_part_of(path: Path) -> dict[str, set[str]]:
    """part_of links between CL classes asserted in the CL editors' file (OWL functional syntax)."""
    links: dict[str, set[str]] = {}
    pattern = re.compile(
        r"^SubClassOf\((?:Annotation\(.*?\) )*obo:CL_(\d{7}) "
        r"ObjectSomeValuesFrom\(obo:BFO_0000050 obo:CL_(\d{7})\)\)$"
    )
    with _xz(path) as fh:
        for line in fh:
            m = pattern.match(line.rstrip("\n"))
            if m:
                links.setdefault(f"CL:{m.group(1)}", set()).add(f"CL:{m.group(2)}")
    return links


_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_RDFS = "{http://www.w3.org/2000/01/rdf-schema#}"
_OWL = "{http://www.w3.org/2002/07/owl#}"
_OBO_IRI = re.compile(r"^http://purl\.obolibrary\.org/obo/([A-Za-z]+)_(\w+)$")


def _read_owl_entities(path: Path, terms: dict[str, Term], *, spaces: frozenset[str], override: bool) -> None:
    """Read named classes and properties of an RDF/XML OWL file (labels, definitions, named parents).

    Used for BFO 2020 (home of BFO classes) and for the IAO annotation properties declared in RO.
    """
    kinds = {_OWL + "Class": "class", _OWL + "ObjectProperty": "property", _OWL + "AnnotationProperty": "annotation"}
    with lzma.open(path) as fh:
        root = ET.parse(fh).getroot()
    source = path.name
    for el in root:
        kind = kinds.get(el.tag)
        m = _OBO_IRI.match(el.get(_RDF + "about") or "")
        if not kind or not m or m.group(1) not in spaces:
            continue
        curie = f"{m.group(1)}:{m.group(2)}"
        old = terms.get(curie)
        # ``override`` lets the home file replace copies of its classes; properties keep RO's stanza.
        if old is not None and old.label and not (override and kind == "class"):
            continue
        texts = {}
        for child in el:
            if (
                child.text
                and child.text.strip()
                and child.get("{http://www.w3.org/XML/1998/namespace}lang", "en") == "en"
            ):
                texts.setdefault(child.tag, " ".join(child.text.split()))
        label = texts.get(_RDFS + "label") or texts.get("{http://purl.obolibrary.org/obo/}IAO_0000111")
        definition = texts.get("{http://www.w3.org/2004/02/skos/core#}definition") or texts.get(
            "{http://purl.obolibrary.org/obo/}IAO_0000115"
        )
        parents = []
        for child in el.findall(_RDFS + "subClassOf"):
            pm = _OBO_IRI.match(child.get(_RDF + "resource") or "")
            if pm:
                parents.append(f"{pm.group(1)}:{pm.group(2)}")
        terms[curie] = Term(curie, label, False, (), tuple(parents), (), (), definition, None, source, kind)


def _build(ont: Path) -> TermIndex:
    terms: dict[str, Term] = {}
    placeholders: set[str] = set()
    # OBO stanzas first (explicit is_a/part_of), then the complete cellxgene tables on top.
    for role in _OBO_FILES:
        _read_obo(ont / shared_file(role), terms, placeholders)
    # BFO 2020 is the home of BFO classes (BFO properties such as part of come from RO's Typedefs);
    # RO's OWL file declares the IAO annotation properties (definition, term replaced by ...).
    _read_owl_entities(ont / shared_file("bfo_owl"), terms, spaces=frozenset({"BFO"}), override=True)
    _read_owl_entities(ont / shared_file("ro_owl"), terms, spaces=frozenset({"IAO"}), override=False)
    cl_part_of = _cl_part_of(ont / shared_file("cl_edit_ofn"))
    # placeholders in subset files are stubs; the complete tables below overwrite labels
    for role in _CXG_FILES:
        _read_cxg(ont / shared_file(role), terms, placeholders, cl_part_of)
    name = shared_file("go_terms_tsv")
    with _xz(ont / name) as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            gid = row["go_id"]
            t = terms.get(gid) or Term(gid, source=name)
            t.label = row["label"] or t.label
            t.obsolete = (
                t.obsolete or row.get("obsolete_flag") == "true" or (row["label"] or "").startswith("obsolete ")
            )
            terms[gid] = t
    name = shared_file("doid_tsv")
    with _xz(ont / name) as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            did = row["id"].strip('"')
            terms.setdefault(did, Term(did, row["label"].strip('"'), source=name))
    name = shared_file("hgnc_tsv")
    with _xz(ont / name) as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            syn = [s for s in (row.get("alias_symbol") or "").strip('"').split("|") if s]
            syn += [s for s in (row.get("prev_symbol") or "").strip('"').split("|") if s]
            syn.append(row["name"])
            terms[row["hgnc_id"]] = Term(
                row["hgnc_id"],
                row["symbol"],
                row.get("status") != "Approved",
                tuple(syn),
                definition=row["name"],
                source=name,
            )
            # HGNC gene groups (families such as "Fibroblast growth factor family"), from the group columns
            if row.get("status") == "Approved":
                group_names = (row.get("gene_group") or "").strip('"').split("|")
                for gid, group in zip((row.get("gene_group_id") or "").strip('"').split("|"), group_names):
                    if gid.strip().isdigit() and group.strip():
                        curie = f"hgnc.genegroup:{gid.strip()}"
                        terms.setdefault(curie, Term(curie, group.strip(), False, source=name))
    name = shared_file("mirbase_mature_tsv")
    with _xz(ont / name) as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            terms[row["identifier"]] = Term(
                row["identifier"],
                row["name"],
                False,
                tuple(s for s in (row.get("synonyms") or "").split("|") if s),
                source=name,
            )
    name = shared_file("mirbase_precursor_obograph")
    with _xz(ont / name) as fh:
        for node in obograph_graphs(json.load(fh), ont / name)[0].nodes:
            m = re.search(r"(MI\d{7})$", node.id)
            if m:
                terms[m.group(1)] = Term(m.group(1), node.label, source=name)
    name = shared_file("bfo_owl")
    with _xz(ont / name) as fh:
        for m in re.finditer(r"obo/BFO_(\d{7})", fh.read()):
            terms.setdefault(f"BFO:{m.group(1)}", Term(f"BFO:{m.group(1)}", source=name))
    return TermIndex(terms)


def load_index(external_dir: Path, cache_dir: Path | None = None) -> TermIndex:
    """Load (or build and cache) the term index of the shared tables in ``external_dir``."""
    external_dir = Path(external_dir)
    if not external_dir.is_dir():
        raise ExoError(
            f"shared ontology folder not found: {external_dir} "
            "(expected ../shared/ontologies beside the project, or set EXO_RDF_SHARED)"
        )
    files = sorted(external_dir.glob("*.xz"))
    key = [(_CACHE_VERSION,)] + [(f.name, f.stat().st_size, int(f.stat().st_mtime)) for f in files]
    cache = (Path(cache_dir) / "term-index.pickle") if cache_dir else None
    if cache and cache.is_file():
        # The collector would otherwise scan the half-built index many times while it is unpickled.
        gc.disable()
        try:
            with cache.open("rb") as fh:
                stored_key, index = pickle.load(fh)
            if stored_key == key:
                return index
        # a stale, truncated or corrupt cache (or one written by older code) is rebuilt, never fatal
        except (
            OSError,
            EOFError,
            pickle.UnpicklingError,
            AttributeError,
            ImportError,
            TypeError,
            ValueError,
            IndexError,
        ):
            pass
        finally:
            gc.enable()
    try:
        index = _build(external_dir)
    except (OSError, EOFError, lzma.LZMAError, KeyError, json.JSONDecodeError, ET.ParseError) as exc:
        raise ExoError(f"cannot read the shared ontology tables in {external_dir}: {exc}") from None
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(cache, lambda fh: pickle.dump((key, index), fh, protocol=pickle.HIGHEST_PROTOCOL))
    return index


def project_index(project: Project) -> TermIndex:
    """The term index for a project's shared folder, cached under the project's .exo-cache/."""
    return load_index(project.external_dir, project.root / ".exo-cache")
