"""`exo-rdf source rehash`: a changed source text is accepted only when every curated quote is re-located.

The fixture paper (tests/resources/growth/rehash-paper-v1.txt, fixture text) is registered, curated and
compiled; version 2 of it inserts a paragraph (every later quote moves) and rewords one sentence (its
quote vanishes)."""

from __future__ import annotations

import shutil
import textwrap

import pytest
from click.testing import CliRunner

from conftest import RESOURCES, no_labels

FIXTURES = RESOURCES / "growth"
SID = "rehash-fixture"
V1, V2 = FIXTURES / "rehash-paper-v1.txt", FIXTURES / "rehash-paper-v2.txt"

CURATION = textwrap.dedent("""\
    source: rehash-fixture
    statements:
      - id: r-intro
        type: general
        level: review_claim
        summary: MSC exosomes reach injured liver tissue.
        quote: "Mesenchymal stem cells release exosomes that reach injured liver tissue [1]."
        preparation: {kind: exosome, cell: CL:0000134}
      - id: r-lee
        type: general
        level: review_claim
        summary: MSC exosomes reduced liver fibrosis in mice.
        quote: "Lee et al. reported that MSC exosomes reduced liver fibrosis in mice [2]."
        section: Results
        preparation: {kind: exosome, cell: CL:0000134}
      - id: r-alt
        type: general
        level: review_claim
        summary: MSC exosomes lowered serum ALT.
        quote: "The exosomes lowered serum alanine aminotransferase within three days [2]."
        preparation: {kind: exosome, cell: CL:0000134}
      - id: r-later
        status: draft
        quote: "Further work is needed."
    """)


def _cli(root, *args):
    from exo_rdf.cli import main

    return CliRunner().invoke(main, ["--root", str(root), *args])


@pytest.fixture
def curated(tmp_project):
    """The fixture paper registered from version 1, curated and compiled into instances/."""
    from exo_rdf.curate import compile_curation, write_outputs

    res = _cli(tmp_project.root, "source", "add", str(V1), "--id", SID)
    assert res.exit_code == 0, res.output
    (tmp_project.curation_dir / f"{SID}.yaml").write_text(CURATION, encoding="utf-8")
    result = compile_curation(tmp_project, labels=no_labels)
    assert result.errors == [], result.errors
    write_outputs(tmp_project, result)
    return tmp_project


def _record(project) -> bytes:
    return (project.root / "sources" / f"{SID}.yaml").read_bytes()


def _text(project):
    return project.root / "sources" / "texts" / f"{SID}.txt"


def _offset(path, quote):
    text = path.read_text(encoding="utf-8")
    start = text.index(quote)
    return start, start + len(quote), text.count("\n", 0, start) + 1


def test_unchanged_text_changes_nothing(curated):
    before = _record(curated)
    res = _cli(curated.root, "source", "rehash", SID)
    assert res.exit_code == 0, res.output
    assert "unchanged" in res.output and "moved" not in res.output
    assert _record(curated) == before


def test_vanished_quote_is_listed_and_nothing_is_written(curated):
    before = _record(curated)
    shutil.copy(V2, _text(curated))
    res = _cli(curated.root, "source", "rehash", SID)
    assert res.exit_code == 1, res.output
    cur = curated.curation_dir / f"{SID}.yaml"
    assert f"{cur}:16: r-alt: quote not found in the new text (quote starts 'The exosomes lowered serum" in res.output
    assert "1 of 4 curated quote(s) not located" in res.output and "Nothing was changed" in res.output
    # the moved quotes are reported from their compiled position to the new one
    s0, e0, _ = _offset(V1, "Lee et al. reported")
    s1, _, line1 = _offset(V2, "Lee et al. reported")
    length = len("Lee et al. reported that MSC exosomes reduced liver fibrosis in mice [2].")
    assert f"r-lee: characters {s0}-{s0 + length} -> characters {s1}-{s1 + length} (line {line1})" in res.output
    assert "r-later: no earlier position (never compiled) -> characters" in res.output
    assert _record(curated) == before and "Traceback" not in res.output


def test_moved_quotes_are_reported_and_the_new_sha256_recorded(curated, tmp_path):
    from exo_rdf.curate import compile_curation
    from exo_rdf.registry import load_registry, sha256_of

    old_record = _record(curated)
    shutil.copy(V2, _text(curated))
    cur = curated.curation_dir / f"{SID}.yaml"
    cur.write_text(
        CURATION.replace("serum alanine aminotransferase within", "serum ALT levels within"), encoding="utf-8"
    )
    assert compile_curation(curated, labels=no_labels).errors  # curate refuses the changed text
    res = _cli(curated.root, "source", "rehash", SID, "--old-text", str(V1))
    assert res.exit_code == 0, res.output
    assert "moved (3):" in res.output and "located, no earlier position (1):" in res.output
    assert "all 4 quotes located (3 moved, 0 in place, 1 without an earlier position)" in res.output
    assert "r-alt: no earlier position (not in the previous text) -> characters" in res.output
    s0, _, line0 = _offset(V1, "Mesenchymal stem cells release")
    s1, _, line1 = _offset(V2, "Mesenchymal stem cells release")
    assert f"r-intro: characters {s0}-" in res.output and f"(line {line0}) -> characters {s1}-" in res.output
    assert f"(line {line1})" in res.output
    # only the sha256 line of the record changed, comments kept
    new_sha = sha256_of(V2)
    assert _record(curated).decode() == old_record.decode().replace(sha256_of(V1), new_sha)
    assert load_registry(curated)[SID].sha256 == new_sha
    assert compile_curation(curated, labels=no_labels).errors == []
    # a second run finds nothing to do
    res = _cli(curated.root, "source", "rehash", SID)
    assert res.exit_code == 0 and "unchanged" in res.output


def test_a_quote_that_becomes_ambiguous_is_not_placed(curated):
    before = _record(curated)
    text = V1.read_text(encoding="utf-8") + "\nFurther work is needed.\n"
    _text(curated).write_text(text, encoding="utf-8")
    res = _cli(curated.root, "source", "rehash", SID)
    assert res.exit_code == 1
    assert "r-later: quote now occurs 2 times in the new text" in res.output and "occurrence: N" in res.output
    assert _record(curated) == before


def test_old_text_must_be_the_registered_one(curated):
    shutil.copy(V2, _text(curated))
    res = _cli(curated.root, "source", "rehash", SID, "--old-text", str(V2))
    assert res.exit_code == 2 and "--old-text must be the text the curation was made against" in res.output


def test_unknown_source_id(curated):
    before = _record(curated)
    res = _cli(curated.root, "source", "rehash", "no-such-paper")
    assert res.exit_code == 2
    assert "source 'no-such-paper' is not registered; registered: rehash-fixture" in res.output
    assert "Traceback" not in res.output and _record(curated) == before


@pytest.mark.parametrize(
    "content, message",
    [(b"", "the file is empty"), (b"  \n\n", "the file is empty"), (b"PK\x03\x04\x00\x00binary", "binary file")],
)
def test_binary_or_empty_new_text_is_refused(curated, content, message):
    before = _record(curated)
    _text(curated).write_bytes(content)
    res = _cli(curated.root, "source", "rehash", SID)
    assert res.exit_code == 2 and message in res.output and str(_text(curated)) in res.output, res.output
    assert "Traceback" not in res.output and _record(curated) == before
