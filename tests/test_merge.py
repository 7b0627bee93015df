"""exo-rdf merge: external formats, the line-up report, atomic output, the reasoner, hierarchy questions.

Every test reads the real files in shared/ontologies (or small fixtures in tests/resources/merge that
use real ids). Expected hierarchy answers come from sentences of the seed papers (quoted below and
checked verbatim) plus what the external file itself says about the hierarchy (checked on a store
holding only that file's triples).
"""

from __future__ import annotations

import gzip
import lzma

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from exo_rdf.cli import main
from exo_rdf.errors import InputError
from exo_rdf.extformats import key_of_iri, read_external
from exo_rdf.graph import load_store
from exo_rdf.merge import covered_spaces, extract_module, merge, merged_store
from exo_rdf.namespaces import compress, expand
from exo_rdf.query import load_queries, run_query

from conftest import RESOURCES, SHARED

ONT = SHARED / "ontologies"
FIX = RESOURCES / "merge"
CL_OFN = ONT / "cl-edit-2026-08-19.ofn.owl.xz"
CL_RDFXML = ONT / "cl-edit-2026-08-19.rdfxml.owl.xz"
RO_OWL = ONT / "ro-2025-12-17.owl.xz"
RO_OBO = ONT / "ro-2025-12-17.obo.xz"
UBERON_OBO = ONT / "uberon-subset-union.obo.xz"
MONDO_JSON = ONT / "mondo-terms-cxg-v2026-05-05.json.xz"
MIRBASE = ONT / "mirbase-22.1-precursor.obograph.json.xz"
ECO = ONT / "eco-2024-07-19.obo.xz"
OBI = ONT / "obi-2026-05-08.obo.xz"
BFO = ONT / "bfo-2020-core.owl.xz"
CL_JSON = ONT / "cl-terms-cxg-v2026-03-26.json.xz"


@pytest.fixture(scope="module")
def externals():
    """Each shared ontology file read once for the whole module."""
    return {
        p.name: read_external(p)
        for p in (CL_OFN, CL_RDFXML, RO_OWL, RO_OBO, UBERON_OBO, MONDO_JSON, MIRBASE, ECO, OBI, BFO)
    }


def _count(ext, space, *, deprecated=None):
    return sum(
        1
        for k, t in ext.terms().items()
        if k.startswith(space + ":") or (space == "MI" and k.startswith("MI") and not k.startswith("MIMAT"))
        if deprecated is None or t.deprecated == deprecated
    )


# --------------------------------------------------------------------------------------------------
# every real file, with the figures its README states


@pytest.mark.parametrize(
    "name, fmt, space, terms, deprecated",
    [
        # README: "2,233 terms (37 obsolete)"
        ("eco-2024-07-19.obo.xz", "obo", "ECO", 2233, 37),
        # README: "5,218 terms (4,308 OBI)"
        ("obi-2026-05-08.obo.xz", "obo", "OBI", 4308, None),
        # README: "5,589 UBERON terms + 469 placeholders"
        ("uberon-subset-union.obo.xz", "obo", "UBERON", 5589, None),
        # README: "31,958 terms (27,990 not deprecated)"
        ("mondo-terms-cxg-v2026-05-05.json.xz", "cxg", "MONDO", 31958, 31958 - 27990),
        # README: "38,589 precursors"
        ("mirbase-22.1-precursor.obograph.json.xz", "obograph", "MI", 38589, None),
        # README: "36 classes, 40 object properties" (BFO ids, plus annotation properties it declares)
        ("bfo-2020-core.owl.xz", "rdfxml", "BFO", None, None),
    ],
)
def test_real_files_read_with_their_stated_content(externals, name, fmt, space, terms, deprecated):
    ext = externals[name]
    assert ext.format == fmt and ext.compression == "xz"
    assert space in covered_spaces(ext)
    if terms is not None:
        assert _count(ext, space) == terms
    if deprecated is not None:
        assert _count(ext, space, deprecated=True) == deprecated


def test_bfo_declares_its_classes_and_properties(externals):
    bfo = externals["bfo-2020-core.owl.xz"]
    owl_class, obj_prop = (ox.NamedNode(str(expand(c))) for c in ("owl:Class", "owl:ObjectProperty"))
    rdf_type = ox.NamedNode(str(expand("rdf:type")))
    classes = {
        t.subject
        for t in bfo.triples
        if t.predicate == rdf_type and t.object == owl_class and isinstance(t.subject, ox.NamedNode)
    }
    props = {t.subject for t in bfo.triples if t.predicate == rdf_type and t.object == obj_prop}
    assert (len(classes), len(props)) == (36, 40)  # README: 36 classes, 40 object properties


def test_cl_functional_syntax_and_rdfxml_copies_agree(externals):
    """README: the RDF/XML copy is the OFN file re-serialised, nothing added or removed."""
    ofn, rdfxml = externals[CL_OFN.name], externals[CL_RDFXML.name]
    assert ofn.format == "ofn" and rdfxml.format == "rdfxml"
    assert len(ofn.triples) == len(rdfxml.triples)
    assert ofn.terms().keys() == rdfxml.terms().keys()
    assert {k: t.label for k, t in ofn.terms().items()} == {k: t.label for k, t in rdfxml.terms().items()}
    # README: 3,310 CL classes declared
    owl_class, rdf_type = ox.NamedNode(str(expand("owl:Class"))), ox.NamedNode(str(expand("rdf:type")))
    declared = {
        key_of_iri(t.subject.value)
        for t in ofn.triples
        if t.predicate == rdf_type and t.object == owl_class and isinstance(t.subject, ox.NamedNode)
    }
    assert len({k for k in declared if k and k.startswith("CL:")}) == 3310


def test_ro_owl_and_obo_agree_on_part_of(externals):
    """Both RO files define BFO:0000050 'part of'; the OBO converter maps Typedef part_of to it."""
    for name in (RO_OWL.name, RO_OBO.name):
        ext = externals[name]
        assert "RO" in covered_spaces(ext)
        assert ext.terms()["BFO:0000050"].label == "part of"
    obo = externals[RO_OBO.name]
    owl_terms = externals[RO_OWL.name].terms()
    shared = [k for k in obo.terms() if k.startswith("RO:") and k in owl_terms]
    assert len(shared) > 600
    assert all(obo.terms()[k].label == owl_terms[k].label for k in shared)


def test_obo_relationships_become_part_of_restrictions(externals):
    """uberon-subset-union: 'UBERON:0000002 uterine cervix' has intersection_of part_of UBERON:0000995 uterus."""
    text = lzma.open(UBERON_OBO, "rt", encoding="utf-8").read()
    assert "intersection_of: BFO:0000050 UBERON:0000995 ! uterus" in text
    store = ox.Store()
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in externals[UBERON_OBO.name].triples
    )
    e = {
        c: f"<{expand(c)}>"
        for c in (
            "owl:equivalentClass",
            "owl:intersectionOf",
            "rdf:rest",
            "rdf:first",
            "owl:onProperty",
            "owl:someValuesFrom",
            "BFO:0000050",
            "UBERON:0000002",
            "UBERON:0000995",
        )
    }
    ask = (
        f"ASK {{ {e['UBERON:0000002']} {e['owl:equivalentClass']}/{e['owl:intersectionOf']}/{e['rdf:rest']}*/"
        f"{e['rdf:first']} ?r . ?r {e['owl:onProperty']} {e['BFO:0000050']} ; "
        f"{e['owl:someValuesFrom']} {e['UBERON:0000995']} }}"
    )
    assert store.query(ask)


def test_mondo_table_ancestors_are_the_closure_of_its_broader_links(externals):
    """The term table keeps only distance-1 ancestors (as skos:broader); their closure is the file's closure."""
    table = __import__("json").load(lzma.open(MONDO_JSON))
    parents = {k: [a for a, d in v["ancestors"].items() if d == 1] for k, v in table.items()}
    memo: dict[str, frozenset] = {}

    def closure(k):
        if k not in memo:
            memo[k] = frozenset()  # cycle guard
            found = set()
            for p in parents.get(k, ()):
                found.add(p)
                found |= closure(p)
            memo[k] = frozenset(found)
        return memo[k]

    assert all(closure(k) == set(v["ancestors"]) for k, v in table.items())
    ext = externals[MONDO_JSON.name]
    broader = ox.NamedNode(str(expand("skos:broader")))
    sub_class = ox.NamedNode(str(expand("rdfs:subClassOf")))
    assert sum(1 for t in ext.triples if t.predicate == broader) == sum(len(p) for p in parents.values())
    assert not any(t.predicate == sub_class for t in ext.triples)  # never claims is_a


# --------------------------------------------------------------------------------------------------
# compression and content sniffing (variants of real files made in tmp_path)


@pytest.mark.parametrize("source", [RO_OWL, RO_OBO, CL_OFN, ECO, MIRBASE])
def test_gzip_plain_and_misnamed_copies_read_the_same(tmp_path, source, externals):
    raw = lzma.open(source).read()
    plain = tmp_path / "plain.owl"
    plain.write_bytes(raw)
    gz = tmp_path / "copy.gz"
    gz.write_bytes(gzip.compress(raw, compresslevel=1))
    misnamed = tmp_path / "copy.txt"  # content decides, not the suffix
    misnamed.write_bytes(gzip.compress(raw, compresslevel=1))
    original = externals[source.name]
    for path, compression in ((plain, None), (gz, "gzip"), (misnamed, "gzip")):
        ext = read_external(path)
        assert (ext.format, ext.compression) == (original.format, compression)
        assert len(ext.triples) == len(original.triples)
        assert ext.terms().keys() == original.terms().keys()


@pytest.mark.parametrize(
    "fmt, suffix", [(ox.RdfFormat.TURTLE, ".ttl"), (ox.RdfFormat.N_TRIPLES, ".nt"), (ox.RdfFormat.JSON_LD, ".jsonld")]
)
def test_turtle_ntriples_jsonld_copies_of_ro(tmp_path, externals, fmt, suffix):
    original = externals[RO_OWL.name]
    path = tmp_path / f"ro{suffix}.xz"
    path.write_bytes(
        lzma.compress(
            ox.serialize(original.triples, format=fmt, prefixes={"owl": str(expand("owl:"))})
            if fmt == ox.RdfFormat.TURTLE
            else ox.serialize(original.triples, format=fmt)
        )
    )
    ext = read_external(path)
    assert ext.format == {".ttl": "turtle", ".nt": "ntriples", ".jsonld": "jsonld"}[suffix]
    assert len(ext.triples) == len(original.triples)
    assert {k: t.label for k, t in ext.terms().items()} == {k: t.label for k, t in original.terms().items()}


def test_module_of_cl_holds_used_terms_and_their_ancestors(externals, project):
    from exo_rdf.imports import used_terms

    ext = externals[CL_OFN.name]
    module = extract_module(ext, used_terms(project))
    subjects = {key_of_iri(t.subject.value) for t in module if isinstance(t.subject, ox.NamedNode)}
    # CL:0000134 mesenchymal stem cell is_a CL:0000034 stem cell in the editors' file; both are in the module
    assert {"CL:0000134", "CL:0000034"} <= subjects
    assert len(module) < len(ext.triples) / 10


# --------------------------------------------------------------------------------------------------
# the report


@pytest.fixture(scope="module")
def fixture_report(project):
    return merge(project, [FIX / "mini-cl.obo", FIX / "mini-mondo.json", FIX / "mini-eco.ttl"])


def _issues(report, name):
    item = next(i for i in report.inputs if i.path.name == name)
    return item, {(i.kind, i.curie): i for i in item.issues}


def test_report_names_missing_obsolete_and_relabelled_cl_terms(fixture_report):
    item, issues = _issues(fixture_report, "mini-cl.obo")
    assert item.format == "OBO 1.4" and set(item.spaces) == {"CL"}
    label = issues[("label", "CL:0000134")]
    assert (label.our_label, label.their_label) == ("mesenchymal stem cell", "mesenchymal stromal cell")
    assert "'mesenchymal stromal cell' here, 'mesenchymal stem cell' in our copy" in label.message
    obsolete = issues[("obsolete", "CL:0000034")]
    assert obsolete.replaced_by == (("CL:0000134", "mesenchymal stromal cell"),)
    assert obsolete.consider == (("CL:0000057", "fibroblast"),)
    assert ("label", "CL:0000057") not in issues and ("missing", "CL:0000057") not in issues
    # every other CL id we use is missing from a three-term file
    missing = {c for k, c in issues if k == "missing"}
    assert missing == set(item.checked) - {"CL:0000057", "CL:0000134", "CL:0000034"}
    assert "CL:0000235" in missing and issues[("missing", "CL:0000235")].our_label == "macrophage"


def test_report_reads_term_tables_and_turtle(fixture_report):
    _, mondo = _issues(fixture_report, "mini-mondo.json")
    assert mondo[("label", "MONDO:0005559")].their_label == "neurodegeneration"
    park = mondo[("obsolete", "MONDO:0005180")]
    assert park.our_label == "Parkinson disease" and park.consider == (("MONDO:0004975", "Alzheimer disease"),)
    assert ("label", "MONDO:0004975") not in mondo
    _, eco = _issues(fixture_report, "mini-eco.ttl")
    assert eco[("label", "ECO:0000303")].their_label == "author statement without traceable support"
    assert eco[("obsolete", "ECO:0000304")].replaced_by[0][0] == "ECO:0000303"
    assert not fixture_report.ok


def test_real_eco_lines_up(project, externals):
    report = merge(project, [ECO])
    assert report.inputs[0].checked == ["ECO:0000303", "ECO:0000304", "ECO:0006017"]
    assert report.ok and not report.issues


def test_borrowed_terms_do_not_make_a_file_judge_their_space(externals):
    """OBI copies GO and UBERON terms and the CL file declares UBERON classes; neither covers those spaces."""
    assert set(covered_spaces(externals[OBI.name])) == {"OBI"}
    assert set(covered_spaces(externals[CL_OFN.name])) == {"CL"}


# --------------------------------------------------------------------------------------------------
# the command line: output, errors, nothing written on failure


def _cli(project, *args):
    return CliRunner().invoke(main, ["--root", str(project.root), "merge", *map(str, args)])


def test_cli_writes_the_merged_graph(tmp_path, project):
    out = tmp_path / "merged.nt"
    result = _cli(project, "--with", ECO, "--with", BFO, "--output", out)
    # BFO 2020 names part of with another IRI, so BFO:0000050 (which we use) is missing there: exit 1
    assert result.exit_code == 1, result.output
    assert "missing: BFO:0000050 'part of' is not in this file" in result.output
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)
    merged = int(result.output.split("merged graph: ")[1].split()[0])
    assert len(store) == merged
    assert store.query("ASK { <%s> ?p ?o }" % expand("ECO:0000303"))
    assert store.query("ASK { ?f a <%s> }" % expand("exo:Finding"))


def test_cli_exit_0_when_everything_lines_up(tmp_path, project):
    out = tmp_path / "merged.ttl"
    result = _cli(project, "--with", ECO, "--output", out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("@prefix")


def _bad_inputs(tmp_path):
    eco = ECO.read_bytes()
    rdfxml = lzma.open(RO_OWL).read()
    mondo = lzma.open(MONDO_JSON).read()[:100_000]
    cases = {
        "truncated.obo.xz": (eco[: len(eco) // 2], "truncated"),
        "corrupt.owl.gz": (gzip.compress(rdfxml)[:20] + b"\x00" * 200, "gzip"),
        "invalid.owl": (rdfxml[: len(rdfxml) // 3], "invalid OWL/RDF in RDF/XML"),
        "bad.json.xz": (lzma.compress(mondo), "invalid JSON"),
        "notes.txt": (b"just some notes\nnot an ontology\n", "unknown format"),
        "image.owl": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "binary data"),
        "cl.zst": (b"\x28\xb5\x2f\xfd" + b"\x00" * 64, "zstd"),
    }
    made = {}
    for name, (data, words) in cases.items():
        (tmp_path / name).write_bytes(data)
        made[tmp_path / name] = words
    return made


def test_cli_bad_inputs_exit_2_name_the_file_and_write_nothing(tmp_path, project):
    for path, words in _bad_inputs(tmp_path).items():
        out = tmp_path / f"out-{path.stem}.ttl"
        result = _cli(project, "--with", ECO, "--with", path, "--output", out)
        assert result.exit_code == 2, (path, result.output)
        assert str(path) in result.output and words in result.output, result.output
        assert "Traceback" not in result.output
        assert not out.exists()
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".out-")]
    assert not leftovers


def test_cli_failure_leaves_an_existing_output_untouched(tmp_path, project):
    out = tmp_path / "merged.ttl"
    out.write_text("previous content\n", encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"graphs": [', encoding="utf-8")
    result = _cli(project, "--with", bad, "--output", out)
    assert result.exit_code == 2 and "bad.json" in result.output and "invalid JSON" in result.output
    assert out.read_text(encoding="utf-8") == "previous content\n"
    unknown_suffix = _cli(project, "--with", ECO, "--output", tmp_path / "merged.xyz")
    assert unknown_suffix.exit_code == 2 and "suffix" in unknown_suffix.output


def test_missing_input_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_external(tmp_path / "nope.owl")


def test_cli_reason_over_a_real_file(tmp_path, project):
    """ECO (29k triples) is reasoned over as a module with the project; HermiT finds it consistent."""
    result = _cli(project, "--with", ECO, "--reason")
    assert result.exit_code == 0, result.output
    assert "reasoner: consistent; 0 unsatisfiable class(es)" in result.output
    assert "eco-2024-07-19.obo.xz (module," in result.output


# --------------------------------------------------------------------------------------------------
# hierarchy questions over the merged graph
#
# Each expected row: (seed, section, term, cited reference numbers), with the seed sentence that makes
# it a finding about that term. Whether the term lies under the root is what the external file says:
# checked on a store holding only that file's triples.

NEURODEGENERATIVE = [
    (
        "000",
        "Neurological regeneration",
        "MONDO:0005559",
        (),
        "MSC-Exos have shown therapeutic advantages in neurological disorders and neurodegenerative diseases.",
    ),
    (
        "000",
        "Neurological regeneration",
        "MONDO:0004975",
        (27, 28),
        "suggesting that adipose MSC-Exos may be effective in treating AD [27, 28].",
    ),
    (
        "000",
        "Neurological regeneration",
        "MONDO:0004975",
        (30, 31),
        "significantly improve spatial learning ability and memory impairment in AD transgenic mice [30, 31].",
    ),
    (
        "000",
        "Neurological regeneration",
        "MONDO:0004975",
        (32,),
        "inhibiting the release of activated microglia, reactive astrocytes and cytokines [32].",
    ),
    (
        "000",
        "Neurological regeneration",
        "MONDO:0004975",
        (),
        "Therefore, the results of MSC-Exos in clinical trials for AD are promising.",
    ),
    (
        "001",
        "Neurological diseases",
        "MONDO:0005559",
        (),
        "have promising therapeutic potential in neurological disorders, such as neurodegenerative diseases.",
    ),
    (
        "001",
        "Neurological diseases",
        "MONDO:0004975",
        (142,),
        "protect them from AD and other neurodegenerative conditions [142].",
    ),
    (
        "001",
        "Neurological diseases",
        "MONDO:0005559",
        (142,),
        "protect them from AD and other neurodegenerative conditions [142].",
    ),
    (
        "001",
        "Neurological diseases",
        "MONDO:0002562",
        (88,),
        "inhibitory effects on inflammation-mediated demyelinating disease, in particular, multiple sclerosis (MS).",
    ),
    (
        "001",
        "Neurological diseases",
        "MONDO:0005301",
        (88,),
        "resulted in ameliorated motor deficits of TMEV-infected mice [88].",
    ),
]

# A justified subset of the cancer answer: every row here must be returned.
CANCER_INCLUDES = [
    (
        "000",
        "Liver damage repair",
        "MONDO:0007256",
        (59,),
        "adipose-derived MSC-Exos were shown to suppress hepatocellular carcinoma growth in a rat model [59].",
    ),
    (
        "001",
        "Tumor-inhibiting effects of MSC exosomes",
        "MONDO:0008315",
        (183,),
        "could inhibit the progression of prostate cancer",
    ),
    (
        "001",
        "Tumor-inhibiting effects of MSC exosomes",
        "MONDO:0001187",
        (174,),
        "anti-proliferative and apoptosis-inducing effects on human bladder cancer T24 cells",
    ),
    (
        "001",
        "Tumor-supporting effects of MSC exosomes",
        "MONDO:0007254",
        (180,),
        "stimulated the proliferation of breast cancer cells and metastases",
    ),
    (
        "001",
        "Tumor-supporting effects of MSC exosomes",
        "MONDO:0009807",
        (162,),
        "in osteosarcoma MG63 and gastric cancer SGC7901 cells and promoting tumor progression [162].",
    ),
    (
        "001",
        "Tumor-supporting effects of MSC exosomes",
        "MONDO:0001056",
        (162,),
        "in osteosarcoma MG63 and gastric cancer SGC7901 cells and promoting tumor progression [162].",
    ),
    (
        "001",
        "Tumor-supporting effects of MSC exosomes",
        "MONDO:0009693",
        (159,),
        "could promote the progression of multiple myeloma disorders",
    ),
    (
        "001",
        "Tumor-supporting effects of MSC exosomes",
        "MONDO:0005061",
        (181,),
        "supported the growth of lung adenocarcinoma",
    ),
]

STEM_CELL = [
    (
        "000",
        "Oral tissue regeneration",
        "CL:0000134",
        (76,),
        "human gingival MSC-Exos decrease inflammatory reactions in periodontal ligament stem cells triggered by "
        "lipopolysaccharides",
    ),
    (
        "001",
        "Application of MSC-derived exosomes in regenerative medicine",
        "CL:0000034",
        (124, 125),
        "(a) the maintenance of endogenous stem cells by proliferating, self-regenerating and differentiating [124, 125]",
    ),
]

NERVOUS_SYSTEM = [
    (
        "000",
        "Conclusions",
        "UBERON:0003714",
        (),
        "significant potential for regenerating different tissues, including neural, cardiovascular",
    ),
    (
        "000",
        "Neurological regeneration",
        "UBERON:0000955",
        (36,),
        "tyrosine hydroxylase-positive cells were found in the brain of the rat model",
    ),
    (
        "001",
        "Neurological diseases",
        "UBERON:0000955",
        (88,),
        "reducing the number of Iba-1-positive microglial cells in the brains of the Theiler",
    ),
    (
        "001",
        "Neurological diseases",
        "UBERON:0000120",
        (143,),
        "improve blood-brain barrier integrity and anti-inflammatory responses",
    ),
    (
        "001",
        "Neurological diseases",
        "UBERON:0002421",
        (143,),
        "elicit functional recovery in a mouse model with hippocampus damage [143]",
    ),
    ("001", "Neurological diseases", "UBERON:0002240", (103,), "following traumatic spinal cord injury (SCI) in rats"),
    (
        "001",
        "Neurological diseases",
        "UBERON:0001021",
        (105,),
        "gingiva MSC exosomes promote regeneration of peripheral nerve",
    ),
    ("001", "Neurological diseases", "UBERON:0001322", (104,), "amelioration of sciatic nerve defects in rats [104]."),
]

_CLIMB = "(<{sc}>|<{br}>)*".format(sc=expand("rdfs:subClassOf"), br=expand("skos:broader"))


@pytest.fixture(scope="module")
def hierarchy_store(project, externals):
    return merged_store(project, [externals[MONDO_JSON.name], read_external(CL_JSON), externals[UBERON_OBO.name]])


@pytest.fixture(scope="module")
def seed_texts(project):
    return {p.name[:3]: " ".join(p.read_text(encoding="utf-8").split()) for p in project.seeds_dir.glob("*.txt")}


def _only(ext):
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ext.triples)
    return store


def _answer(store, project, query_id, var):
    query = next(q for q in load_queries(project.queries_dir / "merged") if q.id == query_id)
    rows = set()
    for row in run_query(store, query).values():
        refs = tuple(sorted(int(r) for r in row["refs"].split(", "))) if row["refs"] else ()
        rows.add((row["seed"][:3], row["section"], compress(row[var]), refs))
    return rows


def _check_sentences(expected, seed_texts):
    for seed, _, _, _, sentence in expected:
        assert " ".join(sentence.split()) in seed_texts[seed], sentence


def test_neurodegenerative_findings(hierarchy_store, project, externals, seed_texts):
    _check_sentences(NEURODEGENERATIVE, seed_texts)
    mondo = _only(externals[MONDO_JSON.name])
    for term in {row[2] for row in NEURODEGENERATIVE}:
        assert mondo.query(f"ASK {{ <{expand(term)}> {_CLIMB} <{expand('MONDO:0005559')}> }}"), term
    got = _answer(hierarchy_store, project, "merged-neurodegenerative-disease-findings", "disease")
    assert got == {row[:4] for row in NEURODEGENERATIVE}


def test_parkinson_is_not_under_neurodegenerative_disease_in_the_shared_mondo(externals, hierarchy_store, project):
    """The MONDO table puts MONDO:0005180 Parkinson disease under 'parkinsonian disorder' and 'hereditary
    neurological disease' only; so the PD findings (000 [34]-[40]) are not in the answer."""
    entry = __import__("json").load(lzma.open(MONDO_JSON))["MONDO:0005180"]
    assert entry["label"] == "Parkinson disease" and "MONDO:0005559" not in entry["ancestors"]
    mondo = _only(externals[MONDO_JSON.name])
    assert not mondo.query(f"ASK {{ <{expand('MONDO:0005180')}> {_CLIMB} <{expand('MONDO:0005559')}> }}")
    got = _answer(hierarchy_store, project, "merged-neurodegenerative-disease-findings", "disease")
    assert not any(row[2] == "MONDO:0005180" for row in got)


def test_cancer_findings(hierarchy_store, project, externals, seed_texts):
    _check_sentences(CANCER_INCLUDES, seed_texts)
    mondo = _only(externals[MONDO_JSON.name])
    got = _answer(hierarchy_store, project, "merged-cancer-findings", "disease")
    assert {row[:4] for row in CANCER_INCLUDES} <= got
    # and every disease in the answer is under cancer according to the MONDO file itself
    for term in {row[2] for row in got}:
        assert mondo.query(f"ASK {{ <{expand(term)}> {_CLIMB} <{expand('MONDO:0004992')}> }}"), term


def test_stem_cell_findings(hierarchy_store, project, externals, seed_texts):
    """The CL term table (release v2026-03-26) places both cells under CL:0000034 stem cell. The CL editors'
    file does not assert it: there CL:0000134 is_a CL:0000048 'multi fate stem cell', a defined class
    (an intersection) with no asserted superclass, so the link to stem cell needs a reasoner."""
    _check_sentences(STEM_CELL, seed_texts)
    table = _only(read_external(CL_JSON))
    for term in {row[2] for row in STEM_CELL}:
        assert table.query(f"ASK {{ <{expand(term)}> {_CLIMB} <{expand('CL:0000034')}> }}"), term
    editors = _only(externals[CL_OFN.name])
    assert not editors.query(
        f"ASK {{ <{expand('CL:0000134')}> <{expand('rdfs:subClassOf')}>* <{expand('CL:0000034')}> }}"
    )
    got = _answer(hierarchy_store, project, "merged-stem-cell-findings", "cell")
    assert got == {row[:4] for row in STEM_CELL}


def test_nervous_system_tissue_findings(hierarchy_store, project, externals, seed_texts):
    _check_sentences(NERVOUS_SYSTEM, seed_texts)
    query = next(
        q for q in load_queries(project.queries_dir / "merged") if q.id == "merged-nervous-system-tissue-findings"
    )
    # the part_of chain of each tissue, from the UBERON file alone (the query's own subquery)
    inner = query.text[query.text.index("SELECT DISTINCT ?tissue") :]
    inner = inner[: inner.index("\n  }\n")]
    prefixes = "".join(line + "\n" for line in query.text.splitlines() if line.startswith("PREFIX"))
    uberon = _only(externals[UBERON_OBO.name])
    parts = {compress(r["tissue"].value) for r in uberon.query(prefixes + inner)}
    for term in {row[2] for row in NERVOUS_SYSTEM}:
        assert term in parts, term
    got = _answer(hierarchy_store, project, "merged-nervous-system-tissue-findings", "tissue")
    assert got == {row[:4] for row in NERVOUS_SYSTEM}


# --------------------------------------------------------------------------------------------------
# --reason writes the inferred hierarchy into the merged graph


def test_plain_merge_already_reaches_stem_cell_through_our_cl_import(tmp_path, project):
    """Our own ontology/imports/cl_import.ttl asserts CL:0000048 'multi fate stem cell' is_a CL:0000034, so a
    merge of the real project with the CL editors' file answers the MSC finding without a reasoner; the
    reasoning test below therefore leaves that import module out (CL knowledge from the editors' file only)."""
    cl_import = load_store([project.imports_dir / "cl_import.ttl"])
    assert cl_import.query(f"ASK {{ <{expand('CL:0000048')}> <{expand('rdfs:subClassOf')}> <{expand('CL:0000034')}> }}")
    out = tmp_path / "merged.nt"
    merge(project, [CL_OFN], output=out)
    got = _answer(load_store([out]), project, "merged-stem-cell-findings", "cell")
    assert got == {row[:4] for row in STEM_CELL}


@pytest.fixture
def project_without_cl_import(tmp_path, monkeypatch):
    """The real project's knowledge folders minus ontology/imports/cl_import.ttl."""
    import shutil

    from exo_rdf.project import Project

    from conftest import ROOT

    root = tmp_path / "proj"
    for folder in ("ontology", "instances", "shapes", "queries", "curation"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "ontology" / "imports" / "cl_import.ttl").unlink()
    monkeypatch.setenv("EXO_RDF_SHARED", str(SHARED))
    return Project.at(root)


def test_reason_adds_the_inferred_hierarchy_to_the_output(tmp_path, project_without_cl_import):
    """In the CL editors' file CL:0000134 mesenchymal stem cell is_a CL:0000048 'multi fate stem cell', a
    defined class with no asserted superclass; HermiT classifies it under CL:0000034 stem cell, and with
    --reason that link is written (marked oboInOwl:is_inferred), so the stem-cell question finds the MSC
    finding that a plain merge misses. One reasoning run (about 45 s here)."""
    proj = project_without_cl_import
    plain_out, reasoned_out = tmp_path / "plain.nt", tmp_path / "merged.nt"
    merge(proj, [CL_OFN], output=plain_out)
    result = _cli(proj, "--with", CL_OFN, "--output", reasoned_out, "--reason")
    assert result.exit_code == 0, result.output
    assert "reasoner: consistent; 0 unsatisfiable class(es)" in result.output
    added = int(result.output.split("inferred subclass axioms added to the merged graph: ")[1].split()[0])

    plain, reasoned = load_store([plain_out]), load_store([reasoned_out])
    msc_row = next(row[:4] for row in STEM_CELL if row[2] == "CL:0000134")
    assert msc_row not in _answer(plain, proj, "merged-stem-cell-findings", "cell")
    assert _answer(reasoned, proj, "merged-stem-cell-findings", "cell") == {row[:4] for row in STEM_CELL}

    sub = ox.NamedNode(str(expand("rdfs:subClassOf")))

    def named_edges(store):
        return {
            (q.subject.value, q.object.value)
            for q in store.quads_for_pattern(None, sub, None)
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
        }

    new = named_edges(reasoned) - named_edges(plain)
    assert len(new) == added > 0
    assert (str(expand("CL:0000048")), str(expand("CL:0000034"))) in new
    e = {
        c: f"<{expand(c)}>"
        for c in (
            "rdf:type",
            "owl:Axiom",
            "owl:annotatedSource",
            "owl:annotatedProperty",
            "owl:annotatedTarget",
            "oboInOwl:is_inferred",
            "rdfs:subClassOf",
        )
    }
    for s, o in new:  # every added link carries its is_inferred mark
        assert reasoned.query(
            f"ASK {{ ?a {e['rdf:type']} {e['owl:Axiom']} ; {e['owl:annotatedSource']} <{s}> ; "
            f"{e['owl:annotatedProperty']} {e['rdfs:subClassOf']} ; {e['owl:annotatedTarget']} <{o}> ; "
            f'{e["oboInOwl:is_inferred"]} "true" }}'
        ), (s, o)
    path = f"ASK {{ <{expand('CL:0000134')}> {e['rdfs:subClassOf']}* <{expand('CL:0000034')}> }}"
    assert reasoned.query(path) and not plain.query(path)
    # the path runs through an inferred, marked link: remove the added links and it is gone
    for s, o in new:
        reasoned.remove(ox.Quad(ox.NamedNode(s), sub, ox.NamedNode(o), ox.DefaultGraph()))
    assert not reasoned.query(path)
