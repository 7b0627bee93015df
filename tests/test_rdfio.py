"""exo_rdf.rdfio: the one way files are written (atomic, 0644 whatever the umask) and its format tables."""

from __future__ import annotations

import os
import stat

import pytest

from exo_rdf.rdfio import (
    DOC_OFFERS,
    DOC_TYPES,
    MERGE_OUTPUT_FORMATS,
    OX_DOC_FORMATS,
    OX_EXTERNAL_FORMATS,
    OX_GRAPH_FORMATS,
    OX_QUERY_GRAPH_FORMATS,
    OX_QUERY_TABLE_FORMATS,
    OX_TABLE_FORMATS,
    RDF_SUFFIXES,
    atomic_folder,
    atomic_write,
    atomic_write_many,
    http_media_type,
    media_type,
    used_prefixes,
)


@pytest.fixture
def strict_umask():
    """A umask that would make plain writes private (0600/0700): our writers must not depend on it."""
    old = os.umask(0o077)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_atomic_write_is_0644_for_text_bytes_and_streams(tmp_path, strict_umask):
    atomic_write(tmp_path / "a.ttl", "text é\n")
    atomic_write(tmp_path / "b.bin", b"\x00\x01")
    atomic_write(tmp_path / "c.nt", lambda fh: fh.write(b"<a> <b> <c> .\n"))
    assert (tmp_path / "a.ttl").read_bytes() == "text é\n".encode("utf-8")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "c.nt").read_bytes() == b"<a> <b> <c> .\n"
    assert {p.name: mode(p) for p in tmp_path.iterdir()} == {"a.ttl": 0o644, "b.bin": 0o644, "c.nt": 0o644}


def test_a_failing_write_changes_nothing_and_leaves_no_temporary_file(tmp_path):
    (tmp_path / "one.ttl").write_text("old one\n", encoding="utf-8")
    (tmp_path / "two.ttl").write_text("old two\n", encoding="utf-8")

    def broken(fh):
        fh.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write_many([(tmp_path / "one.ttl", "new one\n"), (tmp_path / "two.ttl", broken)])
    assert (tmp_path / "one.ttl").read_text(encoding="utf-8") == "old one\n"
    assert (tmp_path / "two.ttl").read_text(encoding="utf-8") == "old two\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.ttl", "two.ttl"]


def test_atomic_folder_replaces_the_whole_folder_with_public_modes(tmp_path, strict_umask):
    target = tmp_path / "dist"
    target.mkdir()
    (target / "stale.txt").write_text("gone after the swap\n", encoding="utf-8")
    atomic_folder(target, {"a.ttl": "a\n", "sub/deeper/b.nt": b"b\n"})
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == ["a.ttl", "sub/deeper/b.nt"]
    assert mode(target) == 0o755 and mode(target / "sub") == 0o755 and mode(target / "sub" / "deeper") == 0o755
    assert mode(target / "a.ttl") == 0o644 and mode(target / "sub" / "deeper" / "b.nt") == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_atomic_folder_keeps_the_old_folder_on_failure(tmp_path):
    target = tmp_path / "dist"
    target.mkdir()
    (target / "old.txt").write_text("kept\n", encoding="utf-8")
    with pytest.raises(TypeError):
        atomic_folder(target, {"ok.txt": "x", "bad.txt": 42})  # not text or bytes
    assert [p.name for p in target.iterdir()] == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_every_pyoxigraph_format_name_exists():
    import pyoxigraph as ox

    for table in (OX_DOC_FORMATS, OX_EXTERNAL_FORMATS, OX_GRAPH_FORMATS, OX_QUERY_GRAPH_FORMATS, MERGE_OUTPUT_FORMATS):
        for name in table.values():
            assert isinstance(getattr(ox.RdfFormat, name), ox.RdfFormat)
    for name, _ in RDF_SUFFIXES.values():
        assert isinstance(getattr(ox.RdfFormat, name), ox.RdfFormat)
    for table in (OX_TABLE_FORMATS, OX_QUERY_TABLE_FORMATS):
        for name in table.values():
            assert isinstance(getattr(ox.QueryResultsFormat, name), ox.QueryResultsFormat)
    assert {suffix for _, suffix in DOC_OFFERS} == set(DOC_TYPES) == {"html", *OX_DOC_FORMATS}


def test_media_types():
    assert media_type("data/exo-data.ttl") == "text/turtle"
    assert media_type("x.unknown") == "application/octet-stream"
    assert http_media_type("data/exo-data.ttl") == "text/turtle; charset=utf-8"
    assert http_media_type("ontology/exo.owl") == "application/rdf+xml"
    assert http_media_type("SHA256SUMS") == "text/plain; charset=utf-8"


def test_used_prefixes_finds_each_canonical_namespace():
    """used_prefixes cuts IRIs at / # _ =; every canonical namespace must end in one of them."""
    import pyoxigraph as ox

    from exo_rdf.namespaces import PREFIXES

    assert all(ns[-1] in "/#_=" for ns in PREFIXES.values())
    triples = [
        ox.Triple(ox.NamedNode(ns + "x1"), ox.NamedNode(PREFIXES["rdf"] + "type"), ox.Literal("v"))
        for ns in PREFIXES.values()
    ]
    assert used_prefixes(triples) == dict(sorted(PREFIXES.items()))
    assert used_prefixes(
        [
            ox.Triple(
                ox.NamedNode("http://example.org/a"),
                ox.NamedNode("http://example.org/b"),
                ox.Literal("1", datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")),
            )
        ]
    ) == {"xsd": PREFIXES["xsd"]}
