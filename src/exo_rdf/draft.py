"""`exo-rdf draft SOURCE`: a YAML skeleton of candidate statements for a registered source.

Every sentence that reports a finding or a fact is proposed as a record: one that cites a reference
(``[12]``, ``[3, 4]``, ``[5-7]``), names authors (``Xie et al.``, ``Zhang and colleagues``) or uses a
result verb (showed, found, reduced, promoted ...), and every sentence of a figure legend. A record
carries the sentence as its exact quote, its section, its reference numbers, the named author, a
guessed knowledge level, and entity candidates looked up in the term index by exact name or synonym:
miRNAs (miRBase mature), genes and proteins (HGNC), diseases (MONDO), cell types (CL), tissues
(UBERON), taxa (NCBITaxon), routes and model cues (in vivo, in vitro, clinical). A name that matches
more than one term of a kind is listed under ``ambiguous`` with every id, never chosen. Every record
is ``status: draft``: `curate` skips it and `build` refuses it until a curator completes it and marks
it ``reviewed`` (curation/README.md, "Adding a paper").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ExoError
from .project import Project
from .sources import Seed, cited_numbers, slugify

if TYPE_CHECKING:
    from .terms import TermIndex

__all__ = [
    "DEFINED_CONTEXT",
    "FAMILY_CONTEXT",
    "HEADING_CONTEXT",
    "KINDS",
    "MAX_NGRAM",
    "Candidate",
    "DraftRecord",
    "DraftResult",
    "EntityFinder",
    "draft",
    "draft_source",
    "draft_yaml",
    "reports_something",
    "sentences",
]

# Sentence ends: ., ! or ? (optionally followed by a citation or closing bracket) before white space
# and a capital, a digit or an opening bracket; never after the abbreviations below.
_ABBREVIATIONS = (
    "et al",
    "e.g",
    "i.e",
    "Fig",
    "Figs",
    "vs",
    "approx",
    "ca",
    "Dr",
    "No",
    "Ref",
    "Refs",
    "Eq",
    "cf",
    "resp",
    "Inc",
    "Ltd",
    "Co",
    "St",
    "spp",
    "sp",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])(?:\s*\[[\d,\s–-]+\])?(?=\s+[\"“(\[]?[A-Z0-9α-ωΑ-Ω])")
_RESULT_VERBS = re.compile(
    r"\b(show(?:s|ed|n)?|demonstrat\w*|found|find(?:s|ings)?|report\w*|reveal\w*|indicat\w*|observ\w*|"
    r"suggest\w*|confirm\w*|promot\w*|inhibit\w*|suppress\w*|reduc\w*|decreas\w*|increas\w*|enhanc\w*|"
    r"alleviat\w*|attenuat\w*|ameliorat\w*|improv\w*|protect\w*|prevent\w*|induc\w*|activat\w*|"
    r"accelerat\w*|restor\w*|rescu\w*|regulat\w*|downregulat\w*|upregulat\w*|mediat\w*|target\w*|"
    r"deliver\w*|transfer\w*|carr(?:y|ies|ied)|contain\w*|express\w*|secret\w*|isolat\w*|enrich\w*|"
    r"diameter|range\w*)\b",
    re.IGNORECASE,
)
#: the subject matter: a sentence about vesicles or MSCs states something worth checking
_SUBJECT = re.compile(
    r"\b(?:exosom\w*|Exos?\b|EVs?\b|extracellular vesicles?|microvesicles?|vesicles?|MSCs?\b|"
    r"mesenchymal|stem cells?|secretome|miR-?\d|miRNAs?|cargo)",
    re.IGNORECASE,
)
_AUTHOR = re.compile(
    r"\b([A-Z][A-Za-z'’-]+(?: [A-Z][A-Za-z'’-]+)? (?:et al\.?|and (?:his |her |their )?"
    r"(?:colleagues|coworkers|co-workers|team)))"
)
_TOKEN = re.compile(r"[\w][\w\-/’']*[\w]|[\w]")
_MIRNA = re.compile(
    r"\b(?:([a-z]{3})-)?(?:(?:miR|miRNA|microRNA|MiR|MicroRNA)-?(\d+[a-z]?(?:-\d+)?(?:-[35]p)?)"
    r"|let-?(7[a-z]?(?:-[35]p)?))(?![\w-])"
)
_MODEL_CUES = {
    "in_vivo": re.compile(r"\bin vivo\b|\b(?:rats?|mice|mouse|murine|rabbits?|pigs?|animal models?)\b", re.I),
    "in_vitro": re.compile(r"\bin vitro\b|\bcell lines?\b|\bcultured\b", re.I),
    "clinical": re.compile(r"\bclinical (?:trials?|stud(?:y|ies))\b|\bpatients\b|\bNCT\d{8}\b", re.I),
}
_ROUTE_CUES = {
    "intravenous": r"intravenous\w*|tail[- ]vein",
    "intranasal": r"intranasal\w*",
    "inhalation": r"inhal\w*",
    "intratracheal": r"intratracheal\w*",
    "intrahepatic": r"intrahepatic\w*",
    "intrarenal": r"intrarenal\w*",
    "intratumoral": r"intratumou?ral\w*",
    "systemic": r"systemic(?:ally)? (?:administ|inject|deliver)\w*",
    "injection": r"inject(?:ed|ion|ions)",
}
#: id spaces per kind of entity; the order is the order in the YAML
KINDS = {
    "mirna": ("MIMAT",),
    "gene": ("HGNC",),
    "disease": ("MONDO",),
    "cell": ("CL",),
    "tissue": ("UBERON",),
    "taxon": ("NCBITaxon",),
}
#: abbreviations of this field that are also gene symbols or short synonyms (MSC is HGNC musculin,
#: EV and AKI are gene synonyms): never proposed as genes
_FIELD_ABBREVIATIONS = {
    "MSC",
    "MSCS",
    "EV",
    "EVS",
    "AKI",
    "CKD",
    "ALI",
    "ARDS",
    "MI",
    "EXO",
    "EXOS",
    "BM",
    "UC",
    "AD",
    "PD",
    "MS",
    "CNS",
    "ROS",
    "ECM",
    "HUVEC",
    "HUVECS",
    "SCI",
    "TBI",
    "OA",
    "RA",
    "IBD",
    "GVHD",
    "MSC-EXOS",
    "MSC-EXO",
    "II",
    "III",
    "IV",
    "TYPE",
    "ALL",
    "CAN",
    "SET",
    "MAX",
    "REST",
    "IMPACT",
    "CAT",
    "LARGE",
    "STAR",
    "MET",
    "WAS",
    "PC",
    "NC",
}
_STOPWORDS = {
    "and",
    "or",
    "the",
    "of",
    "in",
    "on",
    "by",
    "with",
    "to",
    "for",
    "a",
    "an",
    "as",
    "at",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "has",
    "have",
    "had",
    "this",
    "that",
    "these",
    "those",
    "their",
    "its",
    "from",
    "into",
    "via",
    "not",
    "also",
    "which",
    "such",
    "other",
    "than",
    "more",
    "most",
    "well",
    "can",
    "may",
    "both",
    "all",
    "one",
    "two",
    "three",
    "use",
    "used",
    "cells",
    "cell",
    "tissue",
    "tissues",
    "disease",
    "diseases",
    "injury",
    "damage",
    "model",
    "models",
    "study",
    "studies",
    "effect",
    "effects",
    "role",
    "type",
    "types",
    "level",
    "levels",
    "factor",
    "factors",
    "growth",
    "process",
    "repair",
    "regeneration",
    "function",
    "activity",
    "protein",
    "proteins",
    "gene",
    "genes",
    "treatment",
    "therapy",
    "patients",
    "control",
    "response",
    "system",
    "stem",
    "human",
    "animal",
    "organ",
    "body",
    "blood",
    "normal",
    "total",
    "new",
    "high",
    "low",
    "large",
    "small",
    "early",
    "late",
    "long",
    "short",
    "major",
    "minor",
    "various",
    "several",
    "different",
    "specific",
    "found",
    "show",
    "shown",
    "however",
    "thus",
    "therefore",
    "furthermore",
    "moreover",
    "membrane",
    "vesicles",
    "exosomes",
    "exosome",
    "secretion",
    "signal",
    "signals",
    "signaling",
    "pathway",
    "pathways",
    "mechanism",
    "mechanisms",
    "inflammation",
    "apoptosis",
    "proliferation",
    "migration",
    "differentiation",
    "expression",
    "fibrosis",
    "stress",
    "death",
    "survival",
    "transfer",
    "uptake",
    "delivery",
    "release",
    "marker",
    "markers",
    "surface",
    "culture",
    "medium",
    "age",
    "aging",
    "wound",
    "wounds",
    "healing",
    "lesion",
    "lesions",
    "pain",
    "fat",
    "bone",
    "skin",
}
MAX_NGRAM = 7
#: where a disease named only by the section heading comes from; listed for the curator, never chosen
HEADING_CONTEXT = "section heading (suggestion)"
#: a gene reached by a family name written without its member ("NF-κB" for NFKB1, "PI3K" for PIK3CA):
#: listed for the curator, who records the family-level id (curation convention 4), never chosen
FAMILY_CONTEXT = "family name, member not named (suggestion)"
#: contexts whose candidates are listed for the curator and not counted as the draft's choice
SUGGESTIONS = frozenset({HEADING_CONTEXT, FAMILY_CONTEXT})
#: an abbreviation read through the long form the text defines for it
DEFINED_CONTEXT = "abbreviation defined as"
#: words that follow a molecule after a hyphen ("ICAM1-related", "TNF-α-treated"): the name is looked up alone
_HYPHEN_SUFFIX = re.compile(
    r"-(?=(?:related|treated|induced|dependent|independent|positive|negative|mediated|labell?ed|"
    r"overexpress\w*|expressing|deficient|knockdown|knockout|null|based|associated|targeted|loaded|"
    r"modified|stimulated|activated|primed|regulated)\b)",
    re.IGNORECASE,
)
_PROTEIN_ALIAS = re.compile(r"p\d{2,3}|c-[A-Za-z]{2,5}")
#: a slash between two molecule names ("NLRP3/caspase-1", "caspase-3/7", "mTOR/HIF-1α")
_SLASH_PAIR = re.compile(r"(?<=[A-Z0-9α-ω])/(?=[A-Za-z0-9])")
#: an organ word and the organ MONDO names its disorders after: "liver damage", "renal injury" and
#: "neurological diseases" are looked up as "<organ> injury", "<organ> disorder" and "<organ> disease"
_ORGAN_WORDS = {
    "liver": "liver",
    "hepatic": "liver",
    "kidney": "kidney",
    "renal": "kidney",
    "heart": "heart",
    "cardiac": "heart",
    "myocardial": "heart",
    "myocardium": "heart",
    "lung": "lung",
    "pulmonary": "lung",
    "brain": "brain",
    "cerebral": "brain",
    "nerve": "nervous system",
    "neural": "nervous system",
    "neuronal": "nervous system",
    "neurological": "nervous system",
    "cardiovascular": "cardiovascular",
    "periodontal": "periodontal",
    "skin": "skin",
    "bone": "bone",
    "cartilage": "cartilage",
}
_ORGAN_PHRASE = re.compile(
    rf"^(?:(acute|chronic) )?({'|'.join(_ORGAN_WORDS)}) (damage|injury|injuries|diseases?|disorders?)$",
    re.IGNORECASE,
)
#: fibrosis and ischaemia of an organ, "liver fibrosis", "ischemic myocardium": looked up under every word
#: for the organ ("myocardial ischemia", "renal fibrosis") and as "fibrotic <organ> disease"
_ORGAN_CONDITION = re.compile(
    rf"^(?:({'|'.join(_ORGAN_WORDS)}) (fibrosis|ischa?emia)|(ischa?emic) ({'|'.join(_ORGAN_WORDS)}))$",
    re.IGNORECASE,
)
#: an abbreviation defined in parentheses after its long form: "Alzheimer's disease (AD)"
_ABBREVIATION_DEF = re.compile(r"\(([A-Za-z][A-Za-z0-9-]{0,9}[A-Za-z0-9])(?:s)?\)")
#: sentence openings that continue the previous sentence's study ("They found", "This study also")
_SAME_STUDY = re.compile(
    r"^(?:[A-Z][a-z]+(?:ly)?, )?(?:they|these (?:results|findings|data|exosomes|effects)|this (?:study|effect)|"
    r"the (?:results|authors|study))\b",
    re.IGNORECASE,
)
#: "tumor" and "tumour" (and words made of them: "tumors", "anti-tumor", "tumor-supporting",
#: "tumorigenesis") are recorded as cancer, the label the curators use for them (curation convention 10),
#: not as MONDO's synonym for neoplasm
_TUMOUR_WORD = re.compile(r"(?:anti-)?tumou?r(?:s|igenesis|igenic)?(?:-[a-z]+)?", re.IGNORECASE)
_TUMOUR_LABEL = "cancer"
#: a tumour named as a risk of the therapy, or as a molecule's role, is not a disease the statement is about
_TUMOUR_NOT_DISEASE = re.compile(
    r"\b(?:risks?|concerns?|unwanted|undesired|safety|no potential|without)\b[^.;]*\btumou?r|"
    r"\btumou?r[- ]suppress(?:or|ive|ing)\b",
    re.IGNORECASE,
)
_GREEK_LETTER = {"α": "A", "β": "B", "γ": "G", "δ": "D", "κ": "K"}
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa"}
#: abbreviations for cell types that the papers of this field use without spelling them out each time;
#: looked up by the name they abbreviate (the ids come from the term index)
_ABBREVIATION_NAMES = {
    "MSC": "mesenchymal stem cell",
    "MSCs": "mesenchymal stem cell",
    "MSC-Exos": "mesenchymal stem cell",
    "MSC-Exo": "mesenchymal stem cell",
    "MSC-EVs": "mesenchymal stem cell",
    "MSC-EV": "mesenchymal stem cell",
}


@dataclass
class Candidate:
    kind: str
    text: str
    ids: list[tuple[str, str | None]]  # (curie, label); one id = chosen, several = ambiguous
    context: str | None = None  # where a name not in the sentence comes from ("previous sentence", ...)

    @property
    def ambiguous(self) -> bool:
        return len(self.ids) > 1


@dataclass
class DraftRecord:
    id: str
    start: int
    end: int
    quote: str
    section: str
    level: str
    refs: list[int]
    author: str | None
    candidates: list[Candidate] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)

    def chosen(self, kind: str) -> set[str]:
        """The ids of ``kind`` the draft proposes: one-id candidates, except the section heading's
        suggestions (listed for the curator, not chosen)."""
        return {
            c.ids[0][0] for c in self.candidates if c.kind == kind and not c.ambiguous and c.context not in SUGGESTIONS
        }


# --------------------------------------------------------------------------- sentences


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text[start:end]`` (paragraph breaks always end a sentence)."""
    end = len(text) if end is None else end
    spans = []
    for para in re.finditer(r"[^\n]+", text[start:end]):
        p0 = start + para.start()
        chunk = para.group(0)
        cut = 0
        for m in _SENTENCE_END.finditer(chunk):
            before = chunk[: m.start()]
            if re.fullmatch(r"[*_]{0,2}(?:Fig\.?|Figure|Table)\s*\d+[A-Za-z]?\.[*_]{0,2}", before[cut:].strip()):
                continue  # "Figure 1." opens its legend
            word = re.search(r"([A-Za-z.]+)\.$", before)
            if word and (
                word.group(1).rstrip(".") in _ABBREVIATIONS
                or word.group(1).endswith("et al")
                or re.fullmatch(r"[A-Z]", word.group(1))
            ):
                continue
            spans.append((p0 + cut, p0 + m.end()))
            cut = m.end()
        spans.append((p0 + cut, p0 + len(chunk)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a >= 20:
            out.append((a, b))
    return out


def reports_something(sentence: str, in_legend: bool) -> bool:
    """A sentence worth a record: a citation, a named author, a result verb, or a legend sentence."""
    return (
        in_legend
        or bool(cited_numbers(sentence))
        or bool(_AUTHOR.search(sentence))
        or bool(_RESULT_VERBS.search(sentence))
        or bool(_SUBJECT.search(sentence))
    )


# --------------------------------------------------------------------------- entities


class EntityFinder:
    """Exact-name look-up of entity candidates in the term index (labels and synonyms)."""

    def __init__(self, index: TermIndex) -> None:
        self.index = index
        index._build_search()
        self.exact = index._exact
        self._disease_memo: dict[str, bool] = {}
        self.mirna_names: dict[str, list[str]] = {}
        self.gene_symbols: set[str] = set()
        for lower, entries in self.exact.items():
            for curie, _is_label, name in entries:
                if curie.startswith("MIMAT"):
                    self.mirna_names.setdefault(name, []).append(curie)
                elif _is_label and curie.startswith("HGNC:"):
                    self.gene_symbols.add(name)

    def _kind_of(self, curie: str) -> str | None:
        for kind, spaces in KINDS.items():
            if any(curie.startswith(s) for s in spaces):
                return kind
        return None

    def _lookup(self, phrase: str, single: bool) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        keys = {phrase.lower(), _singular(phrase.lower())}
        if not single and re.search(r"\w[-/]\w", phrase):
            # "ischemia-reperfusion injury", "ischemia/reperfusion injury": the tables write words apart
            apart = re.sub(r"(?<=\w)[-/](?=\w)", " ", phrase.lower())
            keys |= {apart, _singular(apart)}
        if "’" in phrase or "'" in phrase:
            # "Alzheimer’s disease": the tables write a straight apostrophe or drop the possessive
            straight = phrase.lower().replace("’", "'")
            keys |= {straight, _singular(straight), re.sub(r"'s\b", "", straight)}
        organ_keys: list[str] = []  # in order of preference
        organ = _ORGAN_PHRASE.match(phrase) if not single else None
        if organ:
            stage, organ_name = organ.group(1), _ORGAN_WORDS[organ.group(2).lower()]
            injury = organ.group(3).lower().startswith(("dam", "inj"))
            nouns = ("injury", "disorder", "disease") if injury else ("disorder", "disease")
            for prefix in ([f"{stage.lower()} "] if stage else []) + [""]:
                organ_keys += [f"{prefix}{organ_name} {n}" for n in nouns]
        condition = _ORGAN_CONDITION.match(phrase) if not single else None
        if condition:
            organ_name = _ORGAN_WORDS[(condition.group(1) or condition.group(4)).lower()]
            noun = "fibrosis" if (condition.group(2) or "").lower() == "fibrosis" else "ischemia"
            words = [w for w, o in _ORGAN_WORDS.items() if o == organ_name]
            organ_keys += [f"{w} {noun}" for w in words]
            if noun == "fibrosis":
                organ_keys.append(f"fibrotic {organ_name} disease")
        if single and "-" in phrase:
            keys |= {phrase.replace("-", " ").lower(), phrase.replace("-", "").lower()}
        if single and re.search(r"[A-Z]", phrase):
            variant = phrase
            for greek, name in _GREEK.items():
                variant = variant.replace(greek, name)
            keys |= {variant.lower(), variant.replace("-", "").lower(), variant.replace("-", " ").lower()}
            phrase_variants = {
                phrase,
                variant,
                variant.replace("-", ""),
                variant.upper(),
                variant.replace("-", "").upper(),
            }
            # "IL-1β", "IFN-γ", "HIF-1α": the symbol writes the Greek letter as its Latin capital (IL1B)
            lettered = phrase
            for greek, letter in _GREEK_LETTER.items():
                lettered = lettered.replace(greek, letter)
            if lettered != phrase:
                symbol = lettered.replace("-", "").upper()
                keys.add(symbol.lower())
                phrase_variants.add(symbol)
        else:
            phrase_variants = {phrase}
        if single and _TUMOUR_WORD.fullmatch(phrase):
            keys = {_TUMOUR_LABEL}
        expansion = _ABBREVIATION_NAMES.get(phrase)
        if expansion:
            keys = {expansion}
            single = False
        for key in sorted(keys) + [k for k in organ_keys if k not in keys]:
            if key in organ_keys and found.get("disease"):
                break  # the organ's own name for the injury wins over its wider disorder
            for curie, _is_label, name in self.exact.get(key, ()):
                kind = self._kind_of(curie)
                if kind in (None, "mirna") or (key in organ_keys and kind != "disease"):
                    continue
                term = self.index.terms.get(curie)
                if term is None or term.obsolete:
                    continue
                # the protein names biologists write in lower case: p53, c-kit, c-Jun
                protein_alias = bool(_PROTEIN_ALIAS.fullmatch(phrase)) and name.lower() == phrase.lower()
                if (
                    kind == "gene"
                    and single
                    and not protein_alias
                    and not (_is_label or re.search(r"\d|alpha|beta|gamma|kappa", key))
                ):
                    continue  # a bare alias (COPD is an alias of ARCN1) is too often something else
                spelled_out = (" " in name and name.lower() == key) or protein_alias  # "Beclin-1": "beclin 1"
                if (
                    kind == "gene"
                    and single
                    and not spelled_out
                    and (
                        name not in phrase_variants
                        or phrase.upper() in _FIELD_ABBREVIATIONS
                        or not re.search(r"[A-Z]", phrase)
                        or len(phrase) < 3
                    )
                ):
                    continue  # gene symbols match only as written, in capitals
                if kind == "disease" and not self._is_disease(curie):
                    continue  # MONDO's own upper terms and property values ("disease", "not rare")
                if single and kind == "disease" and not (_is_label or (phrase.isupper() and name == phrase)):
                    continue  # a one-word synonym ("rich", "bind") is too often an ordinary word
                if (
                    single
                    and kind != "gene"
                    and (
                        phrase.lower() in _STOPWORDS
                        or len(phrase) < 3
                        or (phrase.isupper() and kind != "disease")
                        or phrase.upper() in _FIELD_ABBREVIATIONS
                    )
                ):
                    continue
                if curie not in found.setdefault(kind, []):
                    found[kind].append(curie)
        return found

    def family_member(self, written: str, curie: str) -> bool:
        """Whether ``written`` names the family of gene ``curie`` rather than the gene: the name, written as
        an abbreviation, is the symbol without its last member number or letter ("NF-κB" for NFKB1, "IL-1"
        for IL1A, "TGF-β" for TGFB1), and the tables have another member (NFKB2, IL1B, TGFB2)."""
        symbol = self.index.label(curie) or ""
        if " " in written or not re.search(r"[A-Z]", written) or not re.fullmatch(r"[A-Z0-9]+", symbol):
            return False
        name = written
        for greek, letter in _GREEK_LETTER.items():
            name = name.replace(greek, letter)
        name = re.sub(r"[^A-Za-z0-9]", "", name).upper()
        stem, member = symbol[:-1], symbol[-1]
        if name != stem:
            return False
        others = "0123456789" if member.isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        return any(f"{stem}{o}" in self.gene_symbols for o in others if o != member)

    def _drop_wider_cancer(self, cands: list[Candidate]) -> list[Candidate]:
        """A sentence that names a cancer ("bladder cancer") and cancer or tumours in general records
        the named cancer only: the general term is dropped when another one-id disease is one of its kinds."""
        general = {c for c, _is_label, _n in self.exact.get(_TUMOUR_LABEL, ()) if c.startswith("MONDO:")}
        named = {c.ids[0][0] for c in cands if c.kind == "disease" and not c.ambiguous}
        if not any(general & set(self.index.ancestors(c)) for c in named - general):
            return cands
        return [c for c in cands if not (c.kind == "disease" and c.ids[0][0] in general)]

    def _is_disease(self, curie: str) -> bool:
        roots = {"MONDO:0000001", "MONDO:0021178"}  # disease, and injury (ischemia reperfusion injury)
        if curie not in self._disease_memo:
            self._disease_memo[curie] = curie not in roots and bool(roots & set(self.index.ancestors(curie)))
        return self._disease_memo[curie]

    def _most_specific(self, ids: list[str]) -> list[str]:
        """One id when all the matches lie on one is_a/part_of chain (a name shared by a species and
        its genus): the most specific; otherwise all of them (a real ambiguity)."""
        if len(ids) < 2:
            return ids
        for cand in ids:
            ancestors = set(self.index.ancestors(cand))
            if all(other == cand or other in ancestors for other in ids):
                return [cand]
        return ids

    def mirnas(self, sentence: str) -> list[tuple[int, int, Candidate]]:
        """miRNA names: the mature accession miRBase lists under the name as written (with the human
        prefix where the text gives no species); a name that fits several accessions (no arm given
        and no old name recorded) lists them all."""
        out = []
        for m in _MIRNA.finditer(sentence):
            species = m.group(1) or "hsa"
            name = f"miR-{m.group(2)}" if m.group(2) else f"let-{m.group(3)}"
            probe = f"{species}-{name}"
            ids = sorted(set(self.mirna_names.get(probe, [])))
            if not ids and not re.search(r"-[35]p$", name):
                ids = sorted({c for arm in ("5p", "3p") for c in self.mirna_names.get(f"{probe}-{arm}", [])})
            if ids:
                out.append(
                    (m.start(), m.end(), Candidate("mirna", m.group(0), [(c, self.index.label(c)) for c in ids]))
                )
        return out

    def abbreviations(self, text: str) -> dict[str, list[Candidate]]:
        """Abbreviations the text defines, "long form (ABBR)", and the candidates of their long form.

        The long form is the shortest run of words before the parenthesis that starts with the
        abbreviation's first letter and holds its letters in order (Schwartz and Hearst's rule). An
        abbreviation whose long form names nothing in the term index maps to no candidate: "cardiomyocyte
        (CMC)" keeps CMC from being read as a disease synonym. The first definition in the text counts.
        """
        out: dict[str, list[Candidate]] = {}
        for m in _ABBREVIATION_DEF.finditer(text):
            abbr = m.group(1)
            if abbr in out or not re.search(r"[A-Z]", abbr) or abbr.isdigit() or len(abbr) > 10:
                continue
            before = text[max(0, m.start() - 160) : m.start()].rstrip()
            before = re.split(r"[.;:()\[\]]", before)[-1]
            words = before.split()
            letters = [c.lower() for c in abbr if c.isalpha()]  # "CCl4": c, c, l
            long_form = None
            for k in range(1, min(len(words), len(letters) + 5) + 1):
                cand = " ".join(words[-k:])
                if cand[:1].lower() != letters[0]:
                    continue
                it = iter(cand.lower())
                if all(ch in it for ch in letters):
                    long_form = cand.strip(",")
                    break
            if long_form is None or (abbr in _ABBREVIATION_NAMES and not self.find(long_form)):
                continue
            cands = [c for c in self.find(long_form) if c.kind != "mirna"]
            # keep what the head of the long form names (its last words), not a modifier inside it
            tail = long_form.lower()
            heads = [c for c in cands if tail.endswith(c.text.lower())] or cands
            out[abbr] = [Candidate(c.kind, abbr, c.ids, f"{DEFINED_CONTEXT} {long_form!r}") for c in heads]
        return out

    def find(self, sentence: str, abbreviations: dict[str, list[Candidate]] | None = None) -> list[Candidate]:
        """Entity candidates of a sentence; ``abbreviations`` (from :meth:`abbreviations`) are read as
        their long form. A molecule joined to a following word by a hyphen ("ICAM1-related") is looked
        up alone."""
        abbreviations = abbreviations or {}
        # same length, so offsets stay those of the sentence: "ICAM1-related" and "NLRP3/caspase-1" and
        # "mTOR/HIF-1α" are looked up name by name
        sentence = _SLASH_PAIR.sub(" ", _HYPHEN_SUFFIX.sub(" ", sentence))
        taken = self.mirnas(sentence)
        tumour_disease = not _TUMOUR_NOT_DISEASE.search(sentence)
        busy = [(a, b) for a, b, _ in taken]
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(sentence)]
        cands = [c for _, _, c in taken]
        i = 0
        while i < len(tokens):
            if any(a <= tokens[i][0] < b for a, b in busy):
                i += 1
                continue
            word = sentence[tokens[i][0] : tokens[i][1]]
            defined = abbreviations.get(word, abbreviations.get(word[:-1]) if word.endswith("s") else None)
            if defined is not None:
                cands += [Candidate(c.kind, word, c.ids, c.context) for c in defined]
                i += 1
                continue
            hit = None
            for n in range(min(MAX_NGRAM, len(tokens) - i), 0, -1):
                a, b = tokens[i][0], tokens[i + n - 1][1]
                phrase = " ".join(sentence[x:y] for x, y in tokens[i : i + n])
                found = self._lookup(phrase, single=(n == 1))
                if found:
                    hit = (n, sentence[a:b], found)
                    break
            if hit is not None and hit[0] == 1 and not tumour_disease and _TUMOUR_WORD.fullmatch(hit[1]):
                hit = None
            if hit is None:
                i += 1
                continue
            n, text, found = hit
            if n > 1 and set(found) == {"disease"}:
                # "liver fibrosis", "ischemic myocardium": the organ a disease is named after is a tissue too
                for x, y in tokens[i : i + n]:
                    tissue = self._lookup(sentence[x:y], single=True).get("tissue")
                    if tissue:
                        ids = self._most_specific(tissue)
                        cands.append(
                            Candidate("tissue", sentence[x:y], [(c, self.index.label(c)) for c in sorted(ids)])
                        )
            for kind, ids in found.items():
                ids = self._most_specific(ids)
                family = n == 1 and kind == "gene" and len(ids) == 1 and self.family_member(text, ids[0])
                cands.append(
                    Candidate(
                        kind, text, [(c, self.index.label(c)) for c in sorted(ids)], FAMILY_CONTEXT if family else None
                    )
                )
            i += n
        cands = self._drop_wider_cancer(cands)
        merged: dict[tuple, Candidate] = {}
        for c in cands:
            merged.setdefault((c.kind, tuple(c.ids)), c)
        return sorted(merged.values(), key=lambda c: (list(KINDS).index(c.kind), c.text.lower()))


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        return word[:-1]
    return word


# --------------------------------------------------------------------------- drafting


def draft_source(seed: Seed, finder: EntityFinder) -> list[DraftRecord]:
    """Candidate records of a source's text, in text order."""
    records: list[DraftRecord] = []
    used: set[str] = set()
    headings = [s for s in seed.sections if s.kind == "heading"] or seed.sections
    spans = []
    for sec in headings:
        spans += sentences(seed.text, sec.start, sec.end)
    abbreviations = finder.abbreviations(seed.text)
    heading_diseases: dict[str, list[Candidate]] = {}
    previous: tuple[int, list[Candidate]] = (-1, [])  # end and candidates of the sentence before
    for start, end in sorted(set(spans)):
        quote = seed.text[start:end]
        sec = seed.section_at(start)
        found = finder.find(quote, abbreviations)
        same_paragraph = previous[0] >= 0 and "\n" not in seed.text[previous[0] : start]
        found += _context(quote, found, previous[1] if same_paragraph else [], sec.title, heading_diseases, finder)
        previous = (end, found)
        legend = sec.kind == "figure"
        if sec.kind == "table" or re.fullmatch(r"(?:Fig\. \d+|figure \d+)", quote.strip()):
            continue
        if any(h.start == start for h in headings if h.kind == "heading"):
            continue  # the heading line itself
        if not reports_something(quote, legend):
            continue
        author = _AUTHOR.search(quote)
        level = (
            "figure_legend"
            if legend
            else "study_report"
            if author or re.search(r"\b(?:another|a recent|one|a previous|a) (?:study|report|trial)\b", quote, re.I)
            else "review_claim"
        )
        base = f"d-{seed.stem[:12]}-{slugify(sec.title)[:24]}-{slugify(' '.join(quote.split()[:5]))[:40]}".strip("-")
        rid, k = base, 2
        while rid in used:
            rid, k = f"{base}-{k}", k + 1
        used.add(rid)
        rec = DraftRecord(
            rid,
            start,
            end,
            quote,
            sec.title,
            level,
            sorted(cited_numbers(quote)),
            author.group(1) if author else None,
            found,
        )
        rec.models = [m for m, rx in _MODEL_CUES.items() if rx.search(quote)]
        rec.routes = [r for r, rx in _ROUTE_CUES.items() if re.search(rf"\b(?:{rx})\b", quote, re.I)]
        records.append(rec)
    return records


def _own(c: Candidate) -> bool:
    """A candidate named in its sentence (by name or by an abbreviation the text defines)."""
    return c.context is None or c.context.startswith(DEFINED_CONTEXT)


def _context(
    quote: str,
    found: list[Candidate],
    before: list[Candidate],
    heading: str,
    heading_diseases: dict[str, list[Candidate]],
    finder: EntityFinder,
) -> list[Candidate]:
    """Candidates a curator takes from the context (curation convention 3): a sentence that names no
    disease keeps the disease of the previous sentence of its paragraph, else the one its section heading
    names; a sentence that continues the previous one's study ("They found ...") keeps its genes too."""
    out: list[Candidate] = []
    if not any(c.kind == "disease" for c in found):
        carried = [c for c in before if c.kind == "disease" and _own(c)]
        if carried:
            out += [Candidate("disease", c.text, c.ids, "previous sentence") for c in carried]
        else:
            if heading not in heading_diseases:
                heading_diseases[heading] = [c for c in finder.find(heading) if c.kind == "disease"]
            out += [Candidate("disease", c.text, c.ids, HEADING_CONTEXT) for c in heading_diseases[heading]]
    if _SAME_STUDY.match(quote):
        have = {c.ids[0][0] for c in found if c.kind == "gene"}
        out += [
            Candidate("gene", c.text, c.ids, "previous sentence (same study)")
            for c in before
            if c.kind == "gene" and _own(c) and c.ids[0][0] not in have
        ]
    return out


def draft_yaml(seed: Seed, records: list[DraftRecord], curator: str | None, today: dt.date) -> str:
    import yaml

    statements = []
    for r in records:
        rec: dict = {
            "id": r.id,
            "status": "draft",
            "type": "finding",
            "level": r.level,
            "summary": "",
            "quote": r.quote,
            "section": r.section,
        }
        if r.refs:
            rec["refs"] = r.refs
        if r.author:
            rec["author"] = r.author
        if curator:
            rec["curator"] = {"name": curator}
        rec["created"] = today.isoformat()
        cands: dict = {}
        for c in r.candidates:
            entry = (
                {"text": c.text, "id": c.ids[0][0], "label": c.ids[0][1]}
                if not c.ambiguous
                else {"text": c.text, "ambiguous": [{"id": i, "label": lab} for i, lab in c.ids]}
            )
            if c.context:
                entry["from"] = c.context
            cands.setdefault(c.kind, []).append(entry)
        if r.models:
            cands["model"] = r.models
        if r.routes:
            cands["route"] = r.routes
        if cands:
            rec["candidates"] = cands
        statements.append(rec)
    head = (
        f"# Draft of source {seed.stem}, written by `exo-rdf draft`. Every record is status: draft:\n"
        "# write its summary, preparation, effects and models (candidates lists the entities found in\n"
        "# the quote; ambiguous ones need your choice), delete the records that state nothing worth\n"
        "# keeping, then set status: reviewed (curation/README.md, 'Adding a paper').\n"
    )
    body = yaml.safe_dump(
        {"source": seed.stem, "description": f"Draft of source {seed.stem}.", "statements": statements},
        sort_keys=False,
        allow_unicode=True,
        width=110,
    )
    return head + body


@dataclass
class DraftResult:
    path: Path | None
    records: list[DraftRecord]
    ambiguous: int


def draft(
    project: Project,
    source_id: str,
    *,
    output: Path | None = None,
    curator: str | None = None,
    today: dt.date | None = None,
    index: TermIndex | None = None,
    write: bool = True,
) -> DraftResult:
    """Draft a registered source into ``curation/<id>-draft.yaml`` (or ``output``); never overwrites."""
    from .registry import load_sources

    sources = load_sources(project)
    if source_id not in sources:
        raise ExoError(
            f"source '{source_id}' is not registered; known: {', '.join(sorted(sources))} "
            "(register a paper with exo-rdf source add FILE)"
        )
    if index is None:
        from .terms import project_index

        index = project_index(project)
    seed = sources[source_id]
    records = draft_source(seed, EntityFinder(index))
    text = draft_yaml(seed, records, curator, today or dt.date.today())
    path = None
    if write:
        path = Path(output) if output else project.curation_dir / f"{source_id}-draft.yaml"
        if path.exists():
            raise ExoError(f"{path} already exists: nothing written (give --output, or delete it first)")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return DraftResult(path, records, sum(1 for r in records for c in r.candidates if c.ambiguous))
