"""Bad inputs and attacks on the readers: curation YAML, external ontology files, the command line.

Each case checks the refusal (an :class:`~exo_rdf.errors.ExoError` or exit code 2), a message naming
the file (and line where there is one) and what to do, no traceback, and bounded time; the command-line
cases run in a subprocess limited to 1 GB of address space. The YAML loader and the ontology readers
are fuzzed with fixed seeds: whatever the mutation, the answer is data or a clear error, never another
exception.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import random
import resource
import socket
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from exo_rdf.curate import MAX_YAML_BYTES, Compiler, _Ctx, read_yaml
from exo_rdf.errors import ExoError, InputError
from exo_rdf.extformats import read_external

from conftest import ROOT, SHARED

GB = 1 << 30
ONTOLOGIES = SHARED / "ontologies"
RO_OWL = ONTOLOGIES / "ro-2025-12-17.owl.xz"
ECO = ONTOLOGIES / "eco-2024-07-19.obo.xz"
CURATION = ROOT / "curation" / "000-liver-damage-repair.yaml"


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (GB, GB))


def cli(*args, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    """``exo-rdf ARGS`` in a subprocess with at most 1 GB of address space."""
    env = {**os.environ, "EXO_RDF_SHARED": str(SHARED)}
    return subprocess.run(
        [sys.executable, "-m", "exo_rdf.cli", "--root", str(cwd), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        preexec_fn=_limit,
    )


def refused(result: subprocess.CompletedProcess, *words: str) -> str:
    out = result.stdout + result.stderr
    assert result.returncode == 2, out[-2000:]
    assert "Traceback" not in out and "internal error" not in out, out[-2000:]
    for word in words:
        assert word in out, out[-2000:]
    return out


# --------------------------------------------------------------------------- curation YAML


def yaml_error(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "bad.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    start = time.monotonic()
    with pytest.raises(ExoError) as info:
        read_yaml(path)
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert message.startswith(str(path)), message
    return message


def test_yaml_duplicate_top_level_key_names_both_lines(tmp_path):
    message = yaml_error(tmp_path, "source: a\ndescription: x\nsource: b\nstatements: []\n")
    assert f"{tmp_path / 'bad.yaml'}:3:" in message and "duplicate key 'source'" in message and "line 1" in message


def test_yaml_duplicate_key_inside_a_statement(tmp_path):
    message = yaml_error(tmp_path, "source: a\nstatements:\n  - id: s1\n    type: finding\n    type: general\n")
    assert ":5:" in message and "duplicate key 'type'" in message


def test_yaml_duplicate_key_in_a_flow_mapping(tmp_path):
    message = yaml_error(tmp_path, "a: {direction: promotes, affects: X, direction: inhibits}\n")
    assert "duplicate key 'direction'" in message


def test_yaml_billion_laughs_is_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    message = yaml_error(tmp_path, "\n".join(lines) + "\n")
    assert "expand to more than" in message


def test_yaml_recursive_alias_is_refused(tmp_path):
    assert "recursive" in yaml_error(tmp_path, "a: &x\n  b: *x\n")


def test_yaml_nested_100000_deep_is_refused(tmp_path):
    message = yaml_error(tmp_path, "a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "nesting" in message or "nested" in message


def test_yaml_file_over_the_size_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as fh:
        fh.write(b"statements:\n")
        fh.write(b"  - {id: x, type: general}\n" * (MAX_YAML_BYTES // 26 + 10))
        fh.write(b"  - [unclosed\n")
    start = time.monotonic()
    with pytest.raises(ExoError, match="split it into several files"):
        read_yaml(path)
    assert time.monotonic() - start < 1


def test_yaml_non_utf8_names_the_line(tmp_path):
    message = yaml_error(tmp_path, b"source: a\nstatements:\n  - id: caf\xe9\n")
    assert ":3:" in message and "UTF-8" in message


def test_yaml_tab_indentation_names_the_line(tmp_path):
    assert ":3:" in yaml_error(tmp_path, "source: a\nstatements:\n\t- id: x\n")


def test_yaml_python_tags_are_not_executed(tmp_path):
    message = yaml_error(tmp_path, "a: !!python/object/apply:os.system ['echo pwned']\n")
    assert "python/object" in message


def test_yaml_unclosed_quote_at_the_end_names_a_line(tmp_path):
    message = yaml_error(tmp_path, CURATION.read_text(encoding="utf-8") + '\n  - id: "unclosed\n')
    assert "YAML syntax error" in message and ":" in message.split(str(tmp_path / "bad.yaml"))[1][:8]


def test_yaml_legitimate_aliases_still_load(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("study: &s {design: rct}\nother: *s\n", encoding="utf-8")
    data = read_yaml(path)
    assert data["other"]["design"] == "rct" and data["__line__"] == 1


@pytest.mark.parametrize(
    "key,value",
    [
        ("type", "[finding]"),
        ("level", "{a: 1}"),
        ("route", "[iv]"),
        ("direction", "[promotes, inhibits]"),
        ("type", "{x: y}"),
    ],
)
def test_yaml_wrong_type_where_a_word_is_expected_gets_the_choices(tmp_path, key, value):
    path = tmp_path / "types.yaml"
    path.write_text(f"rec:\n  id: x\n  {key}: {value}\n", encoding="utf-8")
    node = read_yaml(path)["rec"]
    errors: list[str] = []
    table = {"finding": 1, "general": 2}
    assert Compiler._choice(None, _Ctx(path, errors, []), node, key, table) is None
    assert errors and errors[0].startswith(f"{path}:2:") and "is not allowed; use one of: finding, general" in errors[0]
    assert "__line__" not in errors[0]


def _mutants(text: str, seed: int, count: int):
    rng = random.Random(seed)
    junk = [
        "&a ",
        "*a",
        "*b ",
        "- ",
        ": ",
        "{",
        "}",
        "[",
        "]",
        "'",
        '"',
        "\t",
        "\n",
        "!!map ",
        "!!str ",
        "&x [*x]",
        "? ",
        "|\n",
        ">-\n",
        "%YAML 1.1\n",
        "---\n",
        "...\n",
        "\\",
        "\x00",
        "\ufeff",
        "é",
        "#",
    ]
    for _ in range(count):
        t = text
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(t) + 1)
            op = rng.randrange(3)
            if op == 0:
                t = t[:pos] + rng.choice(junk) + t[pos:]
            elif op == 1:
                t = t[:pos] + t[pos + rng.randint(1, 30) :]
            else:
                end = min(len(t), pos + rng.randint(1, 200))
                t = t[:end] + t[pos:end] + t[end:]
        yield t


def test_yaml_loader_fuzz_gives_data_or_a_clear_error(tmp_path):
    text = CURATION.read_text(encoding="utf-8")[:6000]
    path = tmp_path / "fuzz.yaml"
    outcomes = {"data": 0, "error": 0}
    for mutant in _mutants(text, seed=11, count=150):
        path.write_text(mutant, encoding="utf-8", errors="surrogatepass")
        try:
            read_yaml(path)
            outcomes["data"] += 1
        except ExoError as exc:
            assert str(exc).startswith(str(path)), exc
            outcomes["error"] += 1
    assert outcomes["data"] and outcomes["error"], outcomes


# --------------------------------------------------------------------------- external ontology files


def _ro_rdfxml() -> bytes:
    return lzma.decompress(RO_OWL.read_bytes())


def ext_error(path: Path, data: bytes, *words: str, cap: int | None = None) -> InputError:
    path.write_bytes(data)
    start = time.monotonic()
    with pytest.raises(InputError) as info:
        read_external(path, cap)
    assert time.monotonic() - start < 20
    assert str(info.value).startswith(str(path)), info.value
    for word in words:
        assert word in str(info.value), info.value
    return info.value


def test_xz_bomb_is_cut_at_the_limit(tmp_path):
    ext_error(
        tmp_path / "bomb.obo.xz",
        lzma.compress(b"format-version: 1.2\n" + b"[Term]\nid: X:1\n" * 400_000),
        "decompresses to more than 1,000,000 bytes",
        "--max-decompressed",
        cap=1_000_000,
    )


def test_gzip_bomb_is_cut_at_the_limit(tmp_path):
    ext_error(tmp_path / "bomb.owl.gz", gzip.compress(b"\0" * 20_000_000), "gzip", "more than", cap=1_000_000)


def test_bzip2_bomb_is_cut_at_the_limit(tmp_path):
    ext_error(tmp_path / "bomb.bz2", bz2.compress(b"a" * 20_000_000), "bzip2", "more than", cap=1_000_000)


def test_multi_stream_gzip_counts_every_stream(tmp_path):
    member = gzip.compress(b"x" * 600_000)
    ext_error(tmp_path / "multi.gz", member + member, "more than", cap=1_000_000)


def test_truncated_xz_is_refused(tmp_path):
    ext_error(tmp_path / "cut.owl.xz", RO_OWL.read_bytes()[:20_000], "truncated")


def test_corrupt_gzip_is_refused(tmp_path):
    good = gzip.compress(_ro_rdfxml())
    ext_error(tmp_path / "bad.owl.gz", good[:100] + b"\xff" * 50 + good[150:], "gzip", "corrupt")


_LOL = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY a "lollollollollollollollollollol">\n'
    + b"".join(b'<!ENTITY %s "%s">\n' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10) for i in range(9))
    + b']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
    b'<rdf:Description rdf:about="http://e/x"><rdf:value>&j;</rdf:value></rdf:Description>\n</rdf:RDF>\n'
)


def test_entity_expansion_bomb_is_refused_before_parsing(tmp_path):
    ext_error(tmp_path / "lol.owl", _LOL, "DOCTYPE", "refused")


def test_external_entity_is_refused(tmp_path):
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://e/x">'
        b"<rdf:value>&x;</rdf:value></rdf:Description></rdf:RDF>\n"
    )
    err = ext_error(tmp_path / "xxe.owl", data, "refused")
    assert "root:" not in str(err)


def test_rdfxml_cut_after_a_closing_tag_is_refused_naming_the_line(tmp_path):
    rdf = _ro_rdfxml()
    cut = rdf[: rdf.rfind(b"</owl:Class>") + len(b"</owl:Class>")]
    err = ext_error(tmp_path / "cut.owl", cut, "truncated", "</rdf:RDF>")
    assert err.line == cut.count(b"\n") + 1


def test_rdfxml_with_trailing_comment_is_accepted(tmp_path):
    path = tmp_path / "ok.owl"
    path.write_bytes(_ro_rdfxml() + b"\n<!-- generated -->\n")
    assert read_external(path).triples


def test_owl_xml_with_doctype_is_refused(tmp_path):
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE Ontology [<!ENTITY a "x">]>\n'
        b'<Ontology xmlns="http://www.w3.org/2002/07/owl#" ontologyIRI="http://e/o"></Ontology>\n'
    )
    ext_error(tmp_path / "o.owx", data, "DOCTYPE")


def test_non_utf8_obo_names_the_line(tmp_path):
    err = ext_error(tmp_path / "bad.obo", b"format-version: 1.2\n\n[Term]\nid: X:1\nname: caf\xe9\n", "UTF-8")
    assert err.line == 5


def test_empty_and_zip_inputs_are_refused(tmp_path):
    ext_error(tmp_path / "empty.owl", b"  \n", "empty")
    ext_error(tmp_path / "x.zip", b"PK\x03\x04" + b"\0" * 40, "zip")


def test_ontology_reader_fuzz_gives_triples_or_a_clear_error(tmp_path):
    rdf = _ro_rdfxml()
    head = rdf[: rdf.find(b"</owl:Class>", 40_000) + 12] + b"\n</rdf:RDF>\n"
    obo = lzma.decompress(ECO.read_bytes())[:20_000]
    rng = random.Random(5)
    junk = [
        b"<",
        b">",
        b"&",
        b"&a;",
        b"<!DOCTYPE x>",
        b"</",
        b'"',
        b"\x00",
        b"\xff",
        b"]]>",
        b"<![CDATA[",
        b"\n[Term]\n",
        b"id: ",
        b"is_a: ",
        b"!",
        b"{",
        b"\\",
    ]
    path = tmp_path / "fuzz.owl"
    seen = {"ok": 0, "error": 0}
    for i in range(120):
        data = bytearray(head if i % 2 == 0 else obo)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(data))
            if rng.random() < 0.5:
                data[pos:pos] = rng.choice(junk)
            else:
                del data[pos : pos + rng.randint(1, 40)]
        path.write_bytes(bytes(data))
        try:
            read_external(path)
            seen["ok"] += 1
        except InputError as exc:
            assert str(exc).startswith(str(path)), exc
            seen["error"] += 1
    assert seen["ok"] and seen["error"], seen


# --------------------------------------------------------------------------- the command line (1 GB limit)


def _gzip_of_zeros(mib: int) -> bytes:
    """One gzip member that decompresses to ``mib`` MiB of zero bytes, made in a fraction of a second: after
    a full flush every further MiB of zeros compresses to the same bytes, so they are compressed once."""
    chunk = b"\0" * (1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    unit = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + first + unit * (mib - 1) + comp.flush() + struct.pack("<II", crc, (mib << 20) & 0xFFFFFFFF)


def test_gzip_of_zeros_is_one_valid_member():
    data = _gzip_of_zeros(3)
    assert gzip.decompress(data) == b"\0" * (3 << 20) and data.count(b"\x1f\x8b\x08") == 1


def test_merge_with_a_gzip_bomb_exits_2_under_1_gb(tmp_path):
    bomb = tmp_path / "bomb.owl.gz"
    bomb.write_bytes(_gzip_of_zeros(200))
    assert bomb.stat().st_size < 1_000_000
    refused(cli("merge", "--with", bomb), str(bomb), "more than 67,108,864 bytes")


def test_merge_with_an_entity_bomb_exits_2_under_1_gb(tmp_path):
    lol = tmp_path / "lol.owl"
    lol.write_bytes(_LOL)
    refused(cli("merge", "--with", lol), f"{lol}:2", "DOCTYPE")


def test_merge_max_decompressed_option_is_applied(tmp_path):
    refused(cli("merge", "--with", ECO, "--max-decompressed", "1000"), str(ECO), "more than 1,000 bytes")


def test_query_with_service_on_the_command_line_is_refused_and_connects_nowhere(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    data = tmp_path / "d.nt"
    data.write_text("<http://e/s> <http://e/p> <http://e/o> .\n", encoding="utf-8")
    try:
        for i, text in enumerate(
            [
                f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ SERVICE SILENT <\\u0068ttp://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
            ]
        ):
            rq = tmp_path / f"svc{i}.rq"
            rq.write_text(text, encoding="utf-8")
            result = cli("query", rq, "--data", data)
            if "SILENT" in text and result.returncode == 0:
                continue  # SILENT: the failed call is an empty answer, which is what the standard says
            refused(result, str(rq), "SERVICE (federated query) is not allowed")
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()


def test_query_nested_100000_deep_on_the_command_line_is_refused(tmp_path):
    rq = tmp_path / "deep.rq"
    rq.write_text("SELECT * WHERE " + "{" * 100_000 + " ?s ?p ?o " + "}" * 100_000, encoding="utf-8")
    data = tmp_path / "d.nt"
    data.write_text("<http://e/s> <http://e/p> <http://e/o> .\n", encoding="utf-8")
    refused(cli("query", rq, "--data", data), str(rq), "levels deep")


def _small_dist(root: Path) -> Path:
    """A dist/ with what `serve` reads (the real ontology, a few triples, their N-Quads dump); no build needed."""
    import shutil

    shutil.copytree(ROOT / "ontology", root / "ontology")
    (root / "dist" / "ontology").mkdir(parents=True)
    shutil.copy(ROOT / "ontology" / "exo.ttl", root / "dist" / "ontology" / "exo.ttl")
    (root / "dist" / "data").mkdir()
    triples = [f"<http://e/s{i}> <http://e/p> <http://e/o{i}>" for i in range(2000)]
    (root / "dist" / "data" / "exo-data.nt").write_text("".join(f"{t} .\n" for t in triples), encoding="utf-8")
    dump = root / "dist" / "data" / "exo-data.nq"
    dump.write_text("".join(f"{t} <http://e/g> .\n" for t in triples), encoding="utf-8")
    return dump


def test_serve_on_a_corrupt_dump_is_a_plain_error(tmp_path):
    root = tmp_path / "proj"
    dump = _small_dist(root)
    text = dump.read_bytes()
    dump.write_bytes(text[: len(text) // 2] + b"\n<broken")
    out = refused(cli("serve", "--port", "0", cwd=root, timeout=120), str(dump))
    assert "cannot" in out


# --------------------------------------------------------------------------- shapes files

_GOOD_PATH = "sh:path exo:foundIn ;"


@pytest.mark.parametrize(
    "path,why",
    [
        ('sh:path "foundIn" ;', 'the literal "foundIn" is not a path'),
        ("sh:path [ rdf:first exo:foundIn ; rdf:rest exo:x ] ;", "does not end in rdf:nil"),
        ("sh:path [ rdf:first exo:foundIn ] ;", "broken list"),
        ("sh:path () ;", "empty list"),
        ("sh:path ( exo:foundIn ) ;", "two or more members"),
        ("sh:path [ exo:foo 1 ] ;", "none of the path keys (it has exo:foo)"),
        ("sh:path [ sh:inversePath exo:foundIn ; sh:zeroOrMorePath exo:foundIn ] ;", "2 path keys"),
        ("sh:path [ sh:alternativePath exo:foundIn ] ;", "sh:alternativePath takes a list"),
        ("sh:path ( exo:foundIn [ sh:inversePath 7 ] ) ;", 'the literal "7"'),
        ("sh:path exo:foundIn, exo:molecule ;", "2 sh:path values"),
    ],
)
def test_shapes_with_a_malformed_sh_path_are_refused_naming_the_shape(tmp_project, path, why):
    from exo_rdf.validate import load_shapes

    shapes = tmp_project.shapes_dir / "exo.shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    assert _GOOD_PATH in text
    shapes.write_text(text.replace(_GOOD_PATH, path, 1), encoding="utf-8")
    owner_line = next(
        i for i, line in enumerate(text.splitlines(), 1) if line.startswith("exosh:BodyFluidStatementShape")
    )
    with pytest.raises(InputError) as info:
        load_shapes(tmp_project)
    message = str(info.value)
    assert message.startswith(f"{shapes}:{owner_line}: a property shape of exosh:BodyFluidStatementShape"), message
    assert "malformed sh:path" in message and why in message and "#property-paths" in message, message


def test_a_path_that_contains_itself_is_refused(tmp_project):
    from exo_rdf.validate import load_shapes

    shapes = tmp_project.shapes_dir / "exo.shapes.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8") + "\nexosh:Loop a sh:NodeShape ; sh:targetClass exo:Finding ;\n"
        "    sh:property [ sh:path _:loop ; sh:minCount 1 ] .\n_:loop sh:zeroOrMorePath _:loop .\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="a property shape of exosh:Loop: malformed sh:path: the path contains itself"):
        load_shapes(tmp_project)


def test_validate_pyshacl_with_a_literal_sh_path_exits_2_naming_the_shape(tmp_project):
    shapes = tmp_project.shapes_dir / "exo.shapes.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8").replace(_GOOD_PATH, 'sh:path "foundIn" ;', 1), encoding="utf-8"
    )
    (tmp_project.instances_dir / "one.ttl").write_text(
        "<https://w3id.org/exo-rdf/data/x> a <http://www.w3.org/2002/07/owl#Thing> .\n", encoding="utf-8"
    )
    before = shapes.read_bytes()
    out = refused(cli("validate", "--engine", "pyshacl", cwd=tmp_project.root), str(shapes))
    assert "exosh:BodyFluidStatementShape" in out and 'the literal "foundIn" is not a path' in out, out
    from exo_rdf.validate import validate

    with pytest.raises(InputError, match='the literal "foundIn" is not a path'):
        validate(tmp_project, engine="oxigraph")
    assert shapes.read_bytes() == before


# --------------------------------------------------------------------------- build on a broken ontology file


def _dist_snapshot(dist: Path) -> dict[str, bytes]:
    return {str(p.relative_to(dist)): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "text,why",
    [
        ("", "holds no triples"),
        (None, "holds no triples"),  # the real prefix declarations and nothing else
        ("# nothing yet\n\n", "holds no triples"),
        (None, "no ontology header"),  # the prefixes and one class, but no owl:Ontology
    ],
    ids=["empty", "prefixes-only", "comment-only", "no-header"],
)
def test_build_on_an_empty_ontology_file_exits_2_and_keeps_the_old_release(tmp_path, text, why):
    import shutil

    root = tmp_path / "proj"
    for folder in ("ontology", "instances", "shapes", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    onto = root / "ontology" / "exo.ttl"
    if text is None:
        prefixes = "".join(
            line for line in onto.read_text(encoding="utf-8").splitlines(True) if line.startswith("@prefix")
        )
        text = prefixes + ("exo:Thing a owl:Class .\n" if why == "no ontology header" else "")
    onto.write_text(text, encoding="utf-8")
    dist = root / "dist"
    (dist / "data").mkdir(parents=True)
    (dist / "data" / "exo-data.nq").write_bytes(b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n")
    (dist / "SHA256SUMS").write_text("previous release\n", encoding="utf-8")
    before = _dist_snapshot(dist)
    if text == "":  # the command line: exit 2, no traceback
        out = refused(cli("build", cwd=root), f"{onto}: ", why, "git checkout -- ontology/exo.ttl")
    else:  # the same check in-process (no Python start-up per case)
        from exo_rdf.build import build
        from exo_rdf.project import Project

        with pytest.raises(InputError) as info:
            build(Project.at(root))
        out = str(info.value)
        assert out.startswith(f"{onto}: ") and why in out and "git checkout -- ontology/exo.ttl" in out, out
    assert "pyLODE" not in out and "licen" not in out.split(why)[0], out
    assert _dist_snapshot(dist) == before
    assert sorted(p.name for p in root.iterdir()) == ["dist", "instances", "ontology", "queries", "shapes"]


# --------------------------------------------------------------------------- non-UTF-8 and cut ontology files


def _latin1_at(data: bytes, marker: bytes) -> tuple[bytes, int, int]:
    """``data`` with the character after ``marker`` replaced by the Latin-1 byte of é, and its line and column."""
    at = data.index(marker) + len(marker)
    before = data[:at].decode("utf-8")
    line = before.count("\n") + 1
    return data[:at] + b"\xe9" + data[at + 1 :], line, len(before) - before.rfind("\n")


def _utf8_refusal(message: str, where: str) -> None:
    assert message.startswith(where + ": byte 0xE9 is not valid UTF-8"), message
    assert "save it as UTF-8" in message and "position" not in message, message


_CHECK_FORMAT_ONLY = ("check", "--no-cache", *(f"--skip={s}" for s in ("ids", "curation", "qc", "shacl", "reasoner")))


@pytest.mark.parametrize("command", [("build",), _CHECK_FORMAT_ONLY, ("validate",), ("fmt",)], ids=lambda c: c[0])
def test_non_utf8_ontology_is_refused_at_its_line_and_column_by_every_command(tmp_project, command):
    onto = tmp_project.ontology_file
    data, line, column = _latin1_at(onto.read_bytes(), b'rdfs:label "body ')
    onto.write_bytes(data)
    (tmp_project.instances_dir / "one.ttl").write_text("<http://e/s> <http://e/p> <http://e/o> .\n", encoding="utf-8")
    out = refused(cli(*command, cwd=tmp_project.root))
    _utf8_refusal(out.split("error: ", 1)[1], f"{onto}:{line}:{column}")
    assert onto.read_bytes() == data


def test_non_utf8_rdfxml_and_turtle_for_merge_name_line_and_column(tmp_path):
    owl, line, column = _latin1_at(_ro_rdfxml(), b'<rdfs:label xml:lang="en">')
    with pytest.raises(InputError) as info:
        read_external(_write(tmp_path / "latin1.owl", owl))
    _utf8_refusal(str(info.value), f"{tmp_path / 'latin1.owl'}:{line}:{column}")
    assert (info.value.line, info.value.column) == (line, column)
    ttl, line, column = _latin1_at((ROOT / "ontology" / "exo.ttl").read_bytes(), b'rdfs:label "body ')
    with pytest.raises(InputError) as info:
        read_external(_write(tmp_path / "latin1.ttl", ttl))
    _utf8_refusal(str(info.value), f"{tmp_path / 'latin1.ttl'}:{line}:{column}")


def test_utf8_character_cut_at_the_end_of_the_file_is_called_truncated(tmp_path):
    from exo_rdf.graph import parse_turtle

    path = _write(tmp_path / "cut.ttl", '<http://e/s> <http://e/p> "caf\u00e9'.encode()[:-1])
    with pytest.raises(InputError, match=r"cut\.ttl:1:31: the file ends in the middle of a UTF-8 character"):
        parse_turtle(path)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("fraction", [0.5, 0.33, 0.9999])
def test_cut_ontology_turtle_is_refused_at_its_last_line_and_column(tmp_path, fraction):
    from exo_rdf.graph import parse_turtle

    data = (ROOT / "ontology" / "exo.ttl").read_bytes()
    cut = data[: int(len(data) * fraction)].rstrip()
    path = _write(tmp_path / "exo.ttl", cut)
    with pytest.raises(InputError) as info:
        parse_turtle(path)
    message = str(info.value)
    last = cut.decode("utf-8", "replace").split("\n")
    assert info.value.line == len(last) and info.value.column, message
    assert message.startswith(f"{path}:{info.value.line}:{info.value.column}: Turtle syntax error"), message
    assert "looks truncated" in message and "string index" not in message, message


def test_turtle_error_in_the_middle_names_line_and_column(tmp_path):
    from exo_rdf.graph import parse_turtle

    path = _write(tmp_path / "bad.ttl", b"@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b nope:c .\n")
    with pytest.raises(InputError, match=r"bad\.ttl:3:11: Turtle syntax error: .*nope.*declare it with @prefix"):
        parse_turtle(path)


# --------------------------------------------------------------------------- terms longer than the parser's buffer

_OVER_BUFFER = 17_000_000  # characters in one term: more than the 16 MiB Oxigraph's parsers buffer


def _long_line_nt(path: Path, *, iri: bool = False) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("<http://e/s> <http://e/p> <http://e/o> .\n")
        term = f"<http://e/{'a' * _OVER_BUFFER}>" if iri else f'"{"a" * _OVER_BUFFER}"'
        fh.write(f"<http://e/s> <http://e/p> {term} .\n")
        fh.write("<http://e/s2> <http://e/p> <http://e/o> .\n")
    return path


@pytest.mark.parametrize("iri", [False, True], ids=["literal", "iri"])
def test_merge_with_an_ntriples_line_over_16_mb_exits_2_under_1_gb(tmp_path, iri):
    big = _long_line_nt(tmp_path / "big.nt", iri=iri)
    start = time.monotonic()
    out = refused(cli("merge", "--with", big), f"{big}:2: line 2 is longer than 16,777,216 bytes")
    assert "MemoryError" not in out and time.monotonic() - start < 60, out


def test_long_term_is_refused_naming_its_line_or_the_file(tmp_path):
    big = _long_line_nt(tmp_path / "big.nt")
    with pytest.raises(InputError) as info:
        read_external(big)
    assert info.value.line == 2 and "longer than 16,777,216 bytes" in str(info.value)
    ttl = tmp_path / "long.ttl"
    ttl.write_text('<http://e/s> <http://e/p> """' + ("a" * 1000 + "\n") * 17_000 + '""" .\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"long\.ttl: a term is longer than 16,777,216 bytes"):
        read_external(ttl)


def test_serve_on_a_dump_with_a_line_over_16_mb_is_a_plain_error_under_1_gb(tmp_path):
    root = tmp_path / "proj"
    _small_dist(root)
    dump = _long_line_nt(root / "dist" / "data" / "exo-data.nt")
    before = dump.stat().st_size
    out = refused(cli("serve", "--port", "0", cwd=root, timeout=120), f"{dump}:2: line 2 is longer than")
    assert "rebuild with exo-rdf build" in out and "MemoryError" not in out, out
    assert dump.stat().st_size == before
