"""A new paper through the whole curator workflow, with no code change, in a copy of the project:
`source add` -> `draft` -> editing the YAML -> `curate` -> `check` -> `build` -> `serve`, then
`diff` against the previous build and a withdrawn record resolving as deprecated.

The paper is FIXTURE TEXT (tests/resources/growth/), written for this test and never part of the
real graph.
"""

from __future__ import annotations

import json
import shutil
import urllib.request

import pytest
import yaml
from click.testing import CliRunner

from conftest import RESOURCES, ROOT, SHARED, serve_process

FIXTURES = RESOURCES / "growth"
PAPER_ID = "fixture-kidney"
PAPER_DOI = "10.5555/fixture.paper"
CURATOR = {"name": "Test Curator", "orcid": "0000-0002-1825-0097"}  # ORCID's documented example iD
WITHDRAWN = "s001-kidney-ju-msc-exo-hgf-mrna-tubular-cells"


def _run(root, *args, code=0):
    from exo_rdf.cli import main

    res = CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)
    assert res.exit_code == code, res.output
    return res.output


def _get(url, accept="text/html"):
    req = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read().decode("utf-8")


@pytest.fixture
def grown(tmp_path, monkeypatch):
    monkeypatch.setenv("EXO_RDF_SHARED", str(SHARED))
    root = tmp_path / "proj"
    for folder in ("ontology", "instances", "shapes", "queries", "curation", "sources", "releases"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def test_a_new_paper_from_source_add_to_served_pages(grown, built_copy, tmp_path):
    root = grown
    # 1. register the paper with its reference list
    out = _run(
        root,
        "source",
        "add",
        str(FIXTURES / "fixture-paper.md"),
        "--id",
        PAPER_ID,
        "--title",
        "Fixture paper: MSC exosomes in a rat kidney injury model",
        "--author",
        "Fixture A",
        "--year",
        "2024",
        "--journal",
        "Fixture Journal",
        "--doi",
        PAPER_DOI,
        "--references",
        str(FIXTURES / "fixture-references.yaml"),
    )
    assert f"registered source '{PAPER_ID}'" in out and "3 references" in out
    assert (root / "sources" / f"{PAPER_ID}.yaml").is_file()

    # 2. draft it: every record a draft, quotes exact, entity candidates from the term index
    _run(root, "draft", PAPER_ID, "--curator", CURATOR["name"])
    draft_file = root / "curation" / f"{PAPER_ID}-draft.yaml"
    doc = yaml.safe_load(draft_file.read_text(encoding="utf-8"))
    records = doc["statements"]
    assert records and all(r["status"] == "draft" for r in records)
    smith = next(r for r in records if r["quote"].startswith("Smith et al. found"))
    assert smith["section"] == "Results" and smith["refs"] == [2] and smith["author"] == "Smith et al."
    assert {"id": "MIMAT0000076", "label": "hsa-miR-21-5p", "text": "miR-21"} in smith["candidates"]["mirna"]
    assert any(c.get("id") == "NCBITaxon:10116" for c in smith["candidates"]["taxon"])
    assert any(c.get("id") == "MONDO:0002492" for c in smith["candidates"]["disease"])
    route = next(r for r in records if r["quote"].startswith("The exosomes were given"))
    assert "intravenous" in route["candidates"]["route"]
    assert any(c.get("id") == "HGNC:9588" for c in route["candidates"]["gene"])
    legend = next(r for r in records if r["quote"].startswith("Figure 1."))
    assert legend["level"] == "figure_legend" and legend["section"] == "Fig. 1"

    # drafts are skipped by curate, counted by check, refused by build (naming file and line)
    assert "draft record(s) skipped" in _run(root, "curate")
    assert "5 draft(s) left" in _run(
        root, "check", *(f"--skip={s}" for s in ("ids", "format", "qc", "shacl", "reasoner"))
    )
    refused = _run(root, "build", code=2)
    assert "still drafts" in refused and f"{PAPER_ID}-draft.yaml:" in refused

    # 3. the curator completes two records, deletes the rest, and withdraws a seed record
    smith.update(
        status="reviewed",
        id="fx-smith-mir21-apoptosis",
        curator=CURATOR,
        modified="2026-12-05",
        summary="MSC exosomes carrying miR-21 reduced tubular epithelial cell apoptosis in rats with AKI.",
        preparation={"kind": "exosome", "cell": "CL:0000134"},
        cargo=[{"kind": "mirna", "id": "MIMAT0000076"}],
        effects=[{"direction": "decreases", "affects": "GO:0006915", "text": "reduced apoptosis"}],
        models=[{"type": "in_vivo", "organism": "NCBITaxon:10116", "text": "rats"}],
        diseases=["MONDO:0002492"],
    )
    route.update(
        status="reviewed",
        id="fx-iv-pten",
        curator=CURATOR,
        level="study_report",
        summary="Intravenous MSC exosomes lowered PTEN in the kidney.",
        preparation={"kind": "exosome", "cell": "CL:0000134"},
        route="intravenous",
        targets=["HGNC:9588"],
        effects=[{"direction": "decreases", "affects": "HGNC:9588", "text": "lowered PTEN"}],
        # curation convention 1: an animal model given the exosomes intravenously, species not stated
        models=[{"type": "in_vivo", "organism": "NCBITaxon:33208", "text": "intravenous MSC exosomes"}],
        notes=["Species not stated; recorded as in vivo in NCBITaxon:33208 (Metazoa) (curation convention 1)."],
    )
    for rec in (smith, route):
        rec.pop("candidates")
    doc["statements"] = [smith, route]
    (root / "curation" / f"{PAPER_ID}-kidney.yaml").write_text(
        yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    draft_file.unlink()
    seed_file = root / "curation" / "001-kidney-disease.yaml"
    text = seed_file.read_text(encoding="utf-8")
    anchor = f"  - id: {WITHDRAWN}\n"
    assert anchor in text
    seed_file.write_text(
        text.replace(
            anchor,
            anchor + "    status: withdrawn\n    reason: Fixture withdrawal for "
            "the test.\n    replaced_by: fx-smith-mir21-apoptosis\n",
        ),
        encoding="utf-8",
    )

    # 4. curate, check, build
    # one more withdrawn record than the real curation has
    already = sum(
        text.count("status: withdrawn")
        for text in (p.read_text(encoding="utf-8") for p in (ROOT / "curation").glob("*.yaml"))
    )
    assert f"{already + 1} withdrawn" in _run(root, "curate")
    assert "all checks passed" in _run(root, "check", "--skip", "reasoner")
    _run(root, "build")
    dist = root / "dist"

    # 5. diff against the previous build lists exactly the added statements and the withdrawal
    report = json.loads(_run(root, "diff", str(built_copy.dist_dir), str(dist), "--format", "json"))
    base = "https://w3id.org/exo-rdf/data/finding/"
    assert report["added"] == [base + "fx-iv-pten", base + "fx-smith-mir21-apoptosis"]
    assert [w["iri"] for w in report["withdrawn"]] == [base + WITHDRAWN]
    assert report["withdrawn"][0]["replaced_by"] == [base + "fx-smith-mir21-apoptosis"]
    assert report["removed"] == [] and report["terms_removed"] == []
    assert "https://doi.org/" not in " ".join(report["external_added"])
    md = _run(root, "diff", str(built_copy.dist_dir), str(dist))
    assert "## Statements added" in md and "exod:finding/fx-iv-pten" in md

    # 6. serve: the finding page shows title, DOI link, quote, section, curator and the primary study
    with serve_process(root, tmp_path / "serve.log") as server:
        url = f"{server}/exo-rdf/"
        page = _get(url + "data/finding/fx-smith-mir21-apoptosis")
        assert "Fixture paper: MSC exosomes in a rat kidney injury model" in page
        assert f'href="https://doi.org/{PAPER_DOI}"' in page
        assert "Smith et al. found that MSC exosomes carrying miR-21 reduced apoptosis" in page
        assert '<span class="section">' in page and ">Results<" in page
        assert "Test Curator" in page and 'href="https://orcid.org/0000-0002-1825-0097"' in page
        assert 'href="https://doi.org/10.5555/fixture.0002"' in page
        assert 'href="https://pubmed.ncbi.nlm.nih.gov/99999991"' in page
        gone = _get(url + f"data/finding/{WITHDRAWN}")
        assert 'id="withdrawn"' in gone and "Fixture withdrawal for the test." in gone
        assert "fx-smith-mir21-apoptosis" in gone
        ttl = _get(url + f"data/finding/{WITHDRAWN}", accept="text/turtle")
        assert "owl:deprecated true" in ttl and "exo:WithdrawnStatement" in ttl
        seed_page = _get(url + "data/finding/s001-kidney-msc-exo-rescue-aki-ckd")
        assert "reference list is not recorded" in seed_page and "not recorded" in seed_page
