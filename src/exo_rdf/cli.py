"""The ``exo-rdf`` command line: parse options, call one library function, format its result.

Exit codes: 0 ok; 1 the data does not conform or a check found problems; 2 usage or runtime error.
Heavy imports (owlready2, pyshacl, pyoxigraph, the server) happen inside the command that needs them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from .errors import ExoError
from .rdfio import QUERY_FORMATS, REPORT_FORMATS

if TYPE_CHECKING:
    from rdflib import Graph

    from .project import Project

__all__ = ["main"]

OK, PROBLEMS, ERROR = 0, 1, 2


class _Group(click.Group):
    """Turn ExoError into a plain message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ExoError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(ERROR)
        except BrokenPipeError:
            # The reader of our output stopped reading (``exo-rdf ... | head``): that is what it asked
            # for, so stop quietly. Standard output is pointed at /dev/null so that flushing it at exit
            # does not fail a second time.
            import os
            import sys

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(OK)
        except click.exceptions.Exit:
            raise
        except (click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug, not bad input: say so plainly, keep the traceback on request
            import os
            import traceback

            if os.environ.get("EXO_RDF_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} "
                "(please report it; set EXO_RDF_DEBUG=1 to see the traceback)",
                err=True,
            )
            ctx.exit(ERROR)


def _project(ctx: click.Context) -> Project:
    from .project import Project

    return Project.at(ctx.obj.get("root"))


def _step(message: str) -> None:
    click.echo(f"• {message}", err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: the current directory).",
)
@click.version_option(package_name="exo-rdf")
@click.pass_context
def main(ctx: click.Context, root: Path | None) -> None:
    """exo-rdf: the knowledge graph of MSC-derived exosomes.

    \b
    Examples:
      exo-rdf curate             compile curation/*.yaml into instances/*.ttl
      exo-rdf check              run every check (ids, curation, QC queries, SHACL, reasoner)
      exo-rdf query --list       list the stored competency questions
      exo-rdf query cq-01-...    run one

    Exit codes: 0 ok, 1 data does not conform or a check found problems, 2 usage or runtime error.
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


@main.command()
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Validate only; exit 1 if instances/ is not what the curation compiles to.",
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def curate(ctx: click.Context, check_only: bool, files: tuple[Path, ...]) -> None:
    """Validate curation/*.yaml and compile it into instances/*.ttl.

    With FILES, report problems only for those files (all files are still compiled, since ids must be
    unique across files). Nothing is written while any record has an error.

    \b
    Examples:
      exo-rdf curate
      exo-rdf curate --check curation/000-kidney-damage-repair.yaml
    """
    from .curate import compile_curation, stale_outputs, write_outputs

    project = _project(ctx)
    t0 = time.perf_counter()
    _step(f"compiling {len(project.curation_files())} curation files")
    result = compile_curation(project, only=list(files) or None)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    for e in result.errors:
        click.echo(f"error: {e}", err=True)
    if result.errors:
        click.echo(f"{len(result.errors)} error(s); nothing written.", err=True)
        ctx.exit(PROBLEMS)
    summary = (
        f"{result.statements} statements ({result.findings} findings, {result.facts} facts"
        + (f", {result.withdrawn} withdrawn" if result.withdrawn else "")
        + ")"
        + (f"; {len(result.drafts)} draft record(s) skipped (build refuses them)" if result.drafts else "")
        + f" in {time.perf_counter() - t0:.1f} s"
    )
    if check_only:
        stale = stale_outputs(project, result)
        if stale:
            click.echo(f"{summary}; instances/ is out of date: {', '.join(stale)} (run exo-rdf curate)")
            ctx.exit(PROBLEMS)
        click.echo(f"{summary}; instances/ is up to date")
        return
    written = write_outputs(project, result)
    click.echo(f"{summary}; wrote {len(written)} files to {project.instances_dir}")


@main.command()
@click.option("--check", "check_only", is_flag=True, help="Only report files that are not canonical (exit 1).")
@click.pass_context
def fmt(ctx: click.Context, check_only: bool) -> None:
    """Rewrite hand-edited Turtle (ontology/exo.ttl, shapes/*.ttl) in canonical form.

    \b
    Examples:
      exo-rdf fmt            rewrite in place (atomic; a syntax error changes nothing)
      exo-rdf fmt --check    exit 1 if any file would change
    """
    from .fmt import format_files, unformatted

    project = _project(ctx)
    if check_only:
        bad = unformatted(project)
        for path in bad:
            click.echo(f"not canonical: {path.relative_to(project.root)} (run exo-rdf fmt)")
        if bad:
            ctx.exit(PROBLEMS)
        click.echo("all hand-edited Turtle files are canonical")
        return
    changed = format_files(project)
    click.echo(f"reformatted {len(changed)} file(s)" + "".join(f"\n  {p.relative_to(project.root)}" for p in changed))


@main.command()
@click.option("--format", "fmt_", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def stats(ctx: click.Context, fmt_: str) -> None:
    """Count findings and facts by paper, section, model type, organism and knowledge level.

    \b
    Examples:
      exo-rdf stats
      exo-rdf stats --format json
    """
    import json

    from .stats import compute_stats, format_stats

    result = compute_stats(_project(ctx))
    click.echo(json.dumps(result.as_dict(), indent=2, sort_keys=True) if fmt_ == "json" else format_stats(result))


@main.command()
@click.option(
    "--format",
    "fmt_",
    type=click.Choice(["text", *REPORT_FORMATS]),
    default="text",
    show_default=True,
    help="text: human report grouped by statement; ttl/json: the standard SHACL validation report (Turtle or JSON-LD).",
)
@click.option("--violations-only", is_flag=True, help="Hide warnings in the text report.")
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "pyshacl"]),
    default="oxigraph",
    show_default=True,
    help="oxigraph: set-based SHACL on the embedded store (fast); pyshacl: the reference implementation.",
)
@click.pass_context
def validate(ctx: click.Context, fmt_: str, violations_only: bool, engine: str) -> None:
    """Validate instances/*.ttl against shapes/*.ttl, with the ontology and imports as ontology graph.

    Exit 0 when there is no violation (warnings are allowed), 1 when there are violations.

    \b
    Examples:
      exo-rdf validate
      exo-rdf validate --format ttl > report.ttl
      exo-rdf validate --engine pyshacl
    """
    from .shacl.report import format_report
    from .validate import validate as run_validation

    project = _project(ctx)
    _step("validating instance data against the SHACL shapes")
    report = run_validation(project, engine=engine)
    if fmt_ == "text":
        click.echo(format_report(report, show_warnings=not violations_only))
    else:
        click.echo(cast("Graph", report.report_graph).serialize(format=REPORT_FORMATS[fmt_]))
    ctx.exit(OK if report.conforms else PROBLEMS)


@main.command()
@click.pass_context
def build(ctx: click.Context) -> None:
    """Write the release files into dist/ (atomically; the previous dist/ survives a failure).

    Ontology base and full releases in Turtle, RDF/XML and JSON-LD (the full release adds the
    subclass axioms HermiT infers over ontology + imports; needs Java); instance data in Turtle,
    N-Triples, JSON-LD, and TriG/N-Quads with one named graph per source paper; the ontology
    documentation (pyLODE HTML); a VoID + DCAT description (void.ttl, void.jsonld) with counts and
    checksums; KGX and SSSOM files when those modules are present; the JSON-LD @context;
    SHA256SUMS. Every file carries the version. Rebuilding the same sources gives byte-identical files.

    \b
    Example:
      exo-rdf build
    """
    from .build import build as run_build

    project = _project(ctx)
    _step("building release files")
    result = run_build(project)
    click.echo(
        f"wrote {len(result.files)} files to {result.dist}: ontology {result.ontology_triples} triples "
        f"(full with imports {result.full_triples}, {len(result.inferred_axioms)} inferred subclass "
        f"axioms added), data {result.data_triples} triples in {len(result.named_graphs)} named graphs"
    )
    if result.interop:
        click.echo(f"interop files from: {', '.join(result.interop)}")
    for rel, size in result.files.items():
        click.echo(f"  {rel:32} {size:>10,} bytes")


@main.command()
@click.option("--no-instances", is_flag=True, help="Reason over the ontology and imports only.")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write inferred-hierarchy.ttl into (default: dist/reasoner).",
)
@click.option(
    "--reasoner",
    "which",
    type=click.Choice(["hermit", "konclude"]),
    default="hermit",
    show_default=True,
    help="HermiT (via owlready2, needs Java) or Konclude (Debian package konclude, much faster).",
)
@click.pass_context
def reason(ctx: click.Context, no_instances: bool, output: Path | None, which: str) -> None:
    """Run HermiT or Konclude over ontology + imports + instances.

    Reports consistency and unsatisfiable classes and writes the inferred class hierarchy.
    Exit 0 when consistent with no unsatisfiable class, 1 otherwise.

    \b
    Examples:
      exo-rdf reason
      exo-rdf reason --no-instances --output /tmp/hierarchy
      exo-rdf reason --reasoner konclude
    """
    from .reason import reason as run_reasoner

    project = _project(ctx)
    name = "HermiT" if which == "hermit" else "Konclude"
    _step(f"running {name} over the ontology" + ("" if no_instances else ", imports and instances"))
    out = output or project.dist_dir / "reasoner"
    report = run_reasoner(project, include_instances=not no_instances, output_dir=out, reasoner=which)
    click.echo(
        f"{'consistent' if report.consistent else 'INCONSISTENT'}; "
        f"{len(report.unsatisfiable)} unsatisfiable class(es); "
        f"{len(report.inferred_subclass_axioms)} inferred subclass axiom(s); "
        f"{report.n_triples} triples, {report.n_classes} classes, {report.n_individuals} individuals; "
        f"{report.seconds:.1f} s ({report.java_version or report.reasoner})"
    )
    for term in report.unsatisfiable:
        click.echo(f"  unsatisfiable: {term.iri}" + (f" ({term.label})" if term.label else ""))
    for hint in report.hints:
        click.echo(f"  hint: {hint}")
    if report.hierarchy_file:
        click.echo(f"inferred hierarchy: {report.hierarchy_file}")
    ctx.exit(OK if report.ok else PROBLEMS)


@main.command()
@click.argument("query_id", required=False, metavar="ID|FILE")
@click.option("--list", "list_", is_flag=True, help="List the stored queries with their questions.")
@click.option(
    "--format",
    "fmt_",
    default="table",
    show_default=True,
    type=click.Choice(QUERY_FORMATS),
    help="table: readable text; csv/tsv/json/xml: SPARQL results (SELECT, ASK); ttl/nt/jsonld: CONSTRUCT, DESCRIBE.",
)
@click.option(
    "--data",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Query these RDF files (.ttl .nt .owl .jsonld .nq .trig) instead of the project graph. Repeatable.",
)
@click.pass_context
def query(ctx: click.Context, query_id: str | None, list_: bool, fmt_: str, data: tuple[Path, ...]) -> None:
    """Run a stored query (by id, the file stem) or any SPARQL 1.1 file on the embedded Oxigraph store.

    The store holds the ontology, its imports and the instance data, or, with --data, the given RDF
    files instead (for example a graph written by `exo-rdf merge --output`).

    \b
    Examples:
      exo-rdf query --list
      exo-rdf query cq-01-parkinson-neurite-mirna
      exo-rdf query my-question.rq --format csv > answer.csv
      exo-rdf query merged-stem-cell-findings --data merged.nt
    """
    from .graph import load_store, project_store
    from .query import find_query, format_rows, project_queries, run_query, serialize

    project = _project(ctx)
    if list_:
        rows = [
            {"id": q.id, "kind": q.kind, "form": q.form or "", "summary": q.summary or ""}
            for q in project_queries(project)
        ]
        click.echo(format_rows(["id", "kind", "form", "summary"], rows))
        return
    if not query_id:
        raise click.UsageError("give a query id or file, or --list")
    stored = find_query(project, query_id)
    result = run_query(load_store(data) if data else project_store(project), stored)
    click.echo(serialize(result, fmt_), nl=False)


@main.command()
@click.option(
    "--skip",
    multiple=True,
    type=click.Choice(["ids", "curation", "format", "qc", "shacl", "reasoner"]),
    help="Skip a step (repeatable), e.g. --skip reasoner for a quick run.",
)
@click.option("--format", "fmt_", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--full", is_flag=True, help="Reason with HermiT (the release check) instead of Konclude.")
@click.option("--no-cache", is_flag=True, help="Run every step, even those whose inputs did not change.")
@click.pass_context
def check(ctx: click.Context, skip: tuple[str, ...], fmt_: str, full: bool, no_cache: bool) -> None:
    """Run every check: external ids, curation up to date, canonical Turtle, QC queries, SHACL, reasoner.

    The reasoner is Konclude (HermiT with --full, or when Konclude is not installed). A step whose
    inputs did not change since its last run is answered from .exo-cache/check/.
    Exit 0 when every step passes (warnings allowed), 1 when any fails, 2 on bad input or a missing tool.

    \b
    Examples:
      exo-rdf check
      exo-rdf check --skip reasoner
      exo-rdf check --full --no-cache
      exo-rdf check --format json
    """
    import dataclasses
    import json

    from .check import format_summary, run_all

    project = _project(ctx)
    summary = run_all(
        project, skip=tuple(skip), progress=lambda name: _step(f"check: {name}"), full=full, cache=not no_cache
    )
    if fmt_ == "json":
        click.echo(json.dumps({"ok": summary.ok, "steps": [dataclasses.asdict(s) for s in summary.steps]}, indent=2))
    else:
        click.echo(format_summary(summary))
    ctx.exit(OK if summary.ok else PROBLEMS)


@main.command()
@click.pass_context
def imports(ctx: click.Context) -> None:
    """Regenerate ontology/imports/ from ../shared/ontologies: the external terms we use plus ancestors.

    Atomic: a failure leaves the previous modules untouched.

    \b
    Example:
      exo-rdf imports
    """
    from .imports import extract_imports

    project = _project(ctx)
    _step("extracting import modules from the shared ontology tables")
    written = extract_imports(project)
    click.echo(f"wrote {len(written)} files to {project.imports_dir}")
    for path in written:
        click.echo(f"  {path.name}")


@main.group()
def terms() -> None:
    """Look up external terms in the shared ontology tables."""


@terms.command("search")
@click.argument("text")
@click.option("--prefix", "prefixes", multiple=True, help="Restrict to an id space (repeatable): CL, UBERON, GO ...")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option("--obsolete", is_flag=True, help="Include obsolete terms.")
@click.pass_context
def terms_search(ctx: click.Context, text: str, prefixes: tuple[str, ...], limit: int, obsolete: bool) -> None:
    """Find ids by label or synonym (exact matches first), or show one id.

    \b
    Examples:
      exo-rdf terms search "adipose tissue"
      exo-rdf terms search "mesenchymal stem cell" --prefix CL
      exo-rdf terms search MONDO:0005559
    """
    from .namespaces import bare_id
    from .terms import project_index

    index = project_index(_project(ctx))
    term = index.get(text) if ":" in text or bare_id(text) is not None else None
    if term is not None:
        click.echo(f"{term.curie}\t{term.label or ''}\t{'OBSOLETE' if term.obsolete else ''}\t{term.source}")
        if term.definition:
            click.echo(f"  definition: {term.definition}")
        if term.synonyms:
            click.echo(f"  synonyms: {'; '.join(term.synonyms[:10])}")
        ancestors = index.ancestors(term.curie)
        if ancestors:
            click.echo(f"  ancestors: {', '.join(ancestors[:15])}{' ...' if len(ancestors) > 15 else ''}")
        if term.replaced_by:
            click.echo(f"  replaced by: {term.replaced_by}")
        return
    hits = index.search(text, prefixes=list(prefixes) or None, limit=limit, include_obsolete=obsolete)
    if not hits:
        click.echo(f"no term matches '{text}'")
        ctx.exit(PROBLEMS)
    for h in hits:
        click.echo(f"{h.curie}\t{h.label or ''}\t{h.match}{' OBSOLETE' if h.obsolete else ''}")


@main.command()
@click.option(
    "--with",
    "inputs",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="An external ontology file (OWL RDF/XML, Turtle, OFN, OBO, OBO Graph JSON; .xz/.gz ok). Repeatable.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the merged graph here (format from the suffix: .ttl .nt .owl .jsonld).",
)
@click.option("--reason", "run_reasoner", is_flag=True, help="Run HermiT over the merge (modules where too large).")
@click.option(
    "--max-decompressed",
    default=64 << 20,
    show_default=True,
    type=click.IntRange(1),
    help="Most bytes a compressed --with file may decompress to (a larger one is refused).",
)
@click.pass_context
def merge(
    ctx: click.Context, inputs: tuple[Path, ...], output: Path | None, run_reasoner: bool, max_decompressed: int
) -> None:
    """Merge our ontology and data with external ontology files and report what does not line up.

    \b
    Example:
      exo-rdf merge --with ../shared/ontologies/ro-2025-12-17.owl.xz --output merged.ttl
      exo-rdf merge --with cl-edit.owl --with mondo.json.gz --reason

    Reports, per file, every id we use (in an id space the file covers) that the file lacks, marks
    obsolete (with its replacement) or labels differently from ontology/imports/. Exit 0 when everything
    lines up, 1 when the report lists problems, 2 for unreadable input (nothing is written then).
    """
    from .merge import merge as run_merge

    project = _project(ctx)
    _step(f"merging with {len(inputs)} external file(s)" + (" and running HermiT" if run_reasoner else ""))
    report = run_merge(project, inputs, output=output, reason=run_reasoner, max_decompressed=max_decompressed)
    for item in report.inputs:
        spaces = ", ".join(f"{s} ({n})" for s, n in item.spaces.items()) or "none"
        click.echo(f"{item.path}: {item.format}; {item.triples} triples, {item.terms} terms, {item.seconds:.1f} s")
        click.echo(
            f"  covers {spaces}; {len(item.checked)} of our ids checked: "
            f"{len(item.of_kind('missing'))} missing, {len(item.of_kind('obsolete'))} obsolete, "
            f"{len(item.of_kind('label'))} labelled differently"
        )
        for issue in item.issues:
            click.echo(f"  {issue.kind}: {issue.message}")
        for note in item.notes:
            click.echo(f"  note: {note}")
    if report.reasoning is not None:
        r = report.reasoning
        scopes = ", ".join(f"{i.path.name} ({i.scope}, {i.triples} triples)" for i in r.inputs)
        click.echo(
            f"reasoner: {'consistent' if r.consistent else 'INCONSISTENT'}; "
            f"{len(r.unsatisfiable)} unsatisfiable class(es); {r.triples} triples; {r.seconds:.1f} s "
            f"(HermiT, Java {r.java_version}); inputs: {scopes}"
        )
        for iri, label in r.unsatisfiable:
            click.echo(f"  unsatisfiable: {iri}" + (f" ({label})" if label else ""))
        click.echo(
            f"inferred subclass axioms added to the merged graph: {report.inferred_added}"
            + ("" if r.consistent else " (the merge is inconsistent, so nothing inferred is added)")
        )
    click.echo(
        f"merged graph: {report.merged_triples} triples (project {report.project_triples})"
        + (f"; written to {report.output}" if report.output else "; not written (no --output)")
    )
    ctx.exit(OK if report.ok else PROBLEMS)


@main.command()
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0 picks a free port).",
)
@click.option(
    "--timeout",
    "timeout_s",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="SPARQL query time limit in seconds.",
)
@click.option(
    "--max-results",
    default=10_000,
    show_default=True,
    type=click.IntRange(1),
    help="Most rows (or triples) a SPARQL answer returns.",
)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="SPARQL worker count.")
@click.option(
    "--cache-size",
    default=256,
    show_default=True,
    type=click.IntRange(0),
    help="Replies kept in the SPARQL reply cache (the data cannot change while serving); 0 turns it off.",
)
@click.option(
    "--cache-bytes",
    default=64 << 20,
    show_default=True,
    type=click.IntRange(0),
    help="Most bytes the SPARQL reply cache holds; a reply over an eighth of it is not cached.",
)
@click.option(
    "--max-reply-bytes",
    default=64 << 20,
    show_default=True,
    type=click.IntRange(1024),
    help="Largest SPARQL result document sent; a larger one is refused with 400 (ask for less).",
)
@click.option(
    "--max-query-bytes",
    default=1_000_000,
    show_default=True,
    type=click.IntRange(1024),
    help="Largest POST body (query) /sparql accepts (413 above); GET URLs are limited to 32 KiB (414).",
)
@click.option(
    "--head-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1, 600),
    help="Seconds a client has to send a request's line and headers (408 after).",
)
@click.option(
    "--body-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0.1, 600),
    help="Seconds a client has, after the headers, to send a request's whole body, e.g. a POSTed query (408 after).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    port: int,
    timeout_s: float,
    max_results: int,
    workers: int,
    cache_size: int,
    cache_bytes: int,
    max_reply_bytes: int,
    max_query_bytes: int,
    head_timeout: float,
    body_timeout: float,
) -> None:
    """Serve dist/ as linked data on 127.0.0.1: SPARQL endpoint, dereferenceable IRIs, HTML pages.

    Our IRIs https://w3id.org/exo-rdf/PATH are answered at http://127.0.0.1:PORT/exo-rdf/PATH
    (303 to HTML, Turtle, JSON-LD, RDF/XML or N-Triples by Accept); /sparql is the SPARQL endpoint.
    Ctrl-C stops the server.

    \b
    Examples:
      exo-rdf serve --port 8080
      exo-rdf serve --port 0 --timeout 5 --max-results 1000
    """
    from .server.app import run

    project = _project(ctx)

    def ready(url: str) -> None:
        click.echo(
            f"serving {project.dist_dir} at {url}exo-rdf/ (SPARQL endpoint {url}sparql); Ctrl-C stops", err=False
        )
        sys.stdout.flush()

    _step("loading dist/ into the server")
    run(
        project,
        port=port,
        timeout_s=timeout_s,
        max_results=max_results,
        workers=workers,
        cache_size=cache_size,
        cache_bytes=cache_bytes,
        max_reply_bytes=max_reply_bytes,
        max_query_bytes=max_query_bytes,
        head_timeout=head_timeout,
        body_timeout=body_timeout,
        on_ready=ready,
    )
    click.echo("server stopped", err=True)


# The source registry, drafting and release diffs; library code in registry.py, draft.py, diff.py.
@main.group()
def source() -> None:
    """The source registry (sources/*.yaml): register a paper, list the registered ones."""


@source.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "source_id", default=None, help="Source id (default: the file name, slugified).")
@click.option("--title", default=None, help="Title as printed.")
@click.option("--author", "authors", multiple=True, help="An author as printed (repeatable, in order).")
@click.option("--year", type=int, default=None, help="Publication year.")
@click.option("--journal", default=None, help="Journal title.")
@click.option("--doi", default=None, help="DOI, e.g. 10.1000/xyz123 (checked for syntax).")
@click.option("--pmid", default=None, help="PubMed id (checked for syntax).")
@click.option("--licence", default=None, help="Licence of the text, e.g. CC BY 4.0.")
@click.option(
    "--references",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The source's reference list: a YAML list of {number, citation, doi, pmid}.",
)
@click.pass_context
def source_add(
    ctx: click.Context,
    file: Path,
    source_id: str | None,
    title: str | None,
    authors: tuple[str, ...],
    year: int | None,
    journal: str | None,
    doi: str | None,
    pmid: str | None,
    licence: str | None,
    references: Path | None,
) -> None:
    """Register a paper: plain text, Markdown or PDF (its text is extracted and stored).

    Nothing is written unless every check passes (id free, text readable and not empty, PDF with
    text, DOI and PMID well formed). Values not given show as "not recorded".

    \b
    Example:
      exo-rdf source add paper.pdf --id smith-2024-kidney --title "..." --doi 10.1000/xyz123 --year 2024
    """
    from .registry import add_source

    project = _project(ctx)
    added = add_source(
        project,
        file,
        source_id=source_id,
        title=title,
        authors=authors,
        year=year,
        journal=journal,
        doi=doi,
        pmid=pmid,
        licence=licence,
        references=references,
    )
    rec = added.record
    click.echo(
        f"registered source '{rec.id}': {added.characters:,} characters, {added.sections} sections, "
        f"{len(rec.reference_list)} references (layout {rec.layout}, sha256 {rec.sha256[:12]}...)"
    )
    for path in added.files:
        click.echo(f"  wrote {path.relative_to(project.root)}")
    click.echo(f"next: exo-rdf draft {rec.id}")


@source.command("list")
@click.pass_context
def source_list(ctx: click.Context) -> None:
    """List the registered sources with what is recorded of them."""
    from .registry import NOT_RECORDED, load_registry

    for rec in load_registry(_project(ctx)).values():
        click.echo(
            f"{rec.id}\t{rec.title or NOT_RECORDED}\tDOI {rec.doi or NOT_RECORDED}\t"
            f"{len(rec.reference_list) or NOT_RECORDED} references\t{rec.text}"
        )


@source.command("rehash")
@click.argument("source_id", metavar="SOURCE")
@click.option(
    "--old-text",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The previous text (its SHA-256 must be the registered one): earlier positions with their lines.",
)
@click.pass_context
def source_rehash(ctx: click.Context, source_id: str, old_text: Path | None) -> None:
    """Accept a changed source text: re-locate every curated quote, then record the new SHA-256.

    Every curation record of SOURCE (drafts included) is looked up in the current text file. Quotes that
    moved are listed with their earlier and new positions; quotes that are gone or can no longer be
    placed without guessing are listed with their curation file:line. The new SHA-256 is written into
    sources/SOURCE.yaml only when every quote is located; otherwise nothing changes and the exit code is 1.

    \b
    Example:
      exo-rdf source rehash smith-2024-kidney --old-text previous.txt
    """
    from .rehash import rehash_source

    project = _project(ctx)
    result = rehash_source(project, source_id, old_text=old_text)
    n = len(result.relocations)
    if result.unchanged_text:
        click.echo(f"source '{source_id}': the text is unchanged (sha256 {result.new_sha256}); nothing to do")
    groups = (
        ("moved", result.moved),
        ("located, no earlier position", result.placed_anew),
        ("not located", result.problems),
    )
    for title, group in groups:
        if group:
            click.echo(f"{title} ({len(group)}):")
            for rel in group:
                click.echo(f"  {rel.describe()}")
    if result.problems:
        click.echo(
            f"error: source '{source_id}': {len(result.problems)} of {n} curated quote(s) not located in "
            f"{result.text_path}; fix those records (quote, occurrence or section), then run "
            f"`exo-rdf source rehash {source_id}` again. Nothing was changed.",
            err=True,
        )
        ctx.exit(PROBLEMS)
    if result.written:
        rel_path = result.record_path.relative_to(project.root)
        click.echo(
            f"source '{source_id}': all {n} quotes located ({len(result.moved)} moved, "
            f"{len(result.in_place)} in place, {len(result.placed_anew)} without an earlier position); wrote sha256 {result.new_sha256} into {rel_path}"
        )
        click.echo("next: exo-rdf curate")


@main.command()
@click.argument("source_id", metavar="SOURCE")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here instead of curation/SOURCE-draft.yaml (never overwrites).",
)
@click.option("--curator", default=None, help="Your name, written into every drafted record.")
@click.pass_context
def draft(ctx: click.Context, source_id: str, output: Path | None, curator: str | None) -> None:
    """Write a YAML skeleton of candidate statements for a registered source (every record a draft).

    Sentences with citations, named authors or result verbs become records with their exact quote,
    section, references and entity candidates from the term index; ambiguous names are listed, not
    chosen. `curate` skips drafts and `build` refuses them until a curator marks them reviewed.

    \b
    Example:
      exo-rdf draft smith-2024-kidney --curator "Jane Curator"
    """
    from .draft import draft as run_draft

    project = _project(ctx)
    _step(f"drafting source {source_id}")
    result = run_draft(project, source_id, output=output, curator=curator)
    click.echo(
        f"wrote {len(result.records)} draft records ({result.ambiguous} ambiguous names to resolve) to {result.path}"
    )


@main.command("diff")
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt_", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report here instead of standard output.",
)
@click.pass_context
def diff_cmd(ctx: click.Context, old: Path, new: Path, fmt_: str, output: Path | None) -> None:
    """What changed between two releases (dist/ folders or release files such as exo-data.nt).

    Statements added, withdrawn, changed (which fields) and removed; ontology terms added,
    deprecated and removed; external ids newly used or dropped. Exit 1 when a statement or term was
    removed without withdrawal or deprecation.

    \b
    Examples:
      exo-rdf diff old-dist/ dist/
      exo-rdf diff old-dist/ dist/ --format json --output changes.json
    """
    from .diff import diff_json, diff_markdown, diff_releases

    d = diff_releases(old, new)
    text = diff_json(d) if fmt_ == "json" else diff_markdown(d)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)
    ctx.exit(PROBLEMS if d.removed or d.terms_removed else OK)


@main.command("released-ids")
@click.option("--update", is_flag=True, help="Add the current statements and terms to releases/released-ids.txt.")
@click.pass_context
def released_ids(ctx: click.Context, update: bool) -> None:
    """The ids of earlier releases (releases/released-ids.txt) that `build` checks are not lost.

    Without --update: report how many are listed and which are gone (exit 1 if any).
    Run with --update after publishing a release.
    """
    from .graph import parse_files
    from .release import RELEASED_IDS, current_ids, read_released, update_released

    project = _project(ctx)
    if update:
        res = update_released(project)
        click.echo(f"{res.path}: {res.ids} ids ({res.added} added)")
        return
    listed = read_released(project)
    gone = sorted(listed - current_ids(parse_files(project.instance_files()), parse_files([project.ontology_file])))
    click.echo(f"{RELEASED_IDS}: {len(listed)} released ids; {len(gone)} gone")
    for iri in gone:
        click.echo(f"  gone: {iri}")
    ctx.exit(PROBLEMS if gone else OK)


@main.group()
def publish() -> None:
    """Hand the release in dist/ to a production triple store."""


@publish.command("virtuoso")
@click.option(
    "--dir",
    "state",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State folder of the Virtuoso server (database, virtuoso.ini, log; default: .exo-virtuoso/).",
)
@click.option(
    "--dist",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Release folder to publish (default: the project's dist/).",
)
@click.option(
    "--sql-port",
    default=0,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="SQL port on 127.0.0.1 when the server is started (0 picks a free port).",
)
@click.option(
    "--http-port",
    default=0,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="HTTP (SPARQL endpoint) port on 127.0.0.1 when the server is started (0 picks a free port).",
)
@click.option(
    "--timeout",
    "timeout_s",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="SPARQL query time limit in seconds (as serve; Virtuoso rounds up to whole seconds).",
)
@click.option(
    "--max-results",
    default=10_000,
    show_default=True,
    type=click.IntRange(1),
    help="Most rows a SPARQL answer returns (as serve).",
)
@click.option(
    "--memory",
    "memory_gb",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.1, 1024),
    help="GB of page buffers for Virtuoso.",
)
@click.option(
    "--connect",
    "connect_to",
    default=None,
    metavar="HOST:PORT",
    help="Publish to a Virtuoso that is already running (its SQL port, e.g. localhost:1111) instead of one of "
    "our own; its virtuoso.ini keeps its limits, and its DirsAllowed must include the state folder.",
)
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="With --connect: a file (mode 600) whose first line is the dba password.",
)
@click.option(
    "--password-env",
    default="EXO_RDF_VIRTUOSO_PASSWORD",
    show_default=True,
    metavar="NAME",
    help="With --connect and no --password-file: the environment variable holding the dba password.",
)
@click.option("--stop", "stop_only", is_flag=True, help="Stop the server of the state folder and exit.")
@click.pass_context
def publish_virtuoso(
    ctx: click.Context,
    state: Path | None,
    dist: Path | None,
    sql_port: int,
    http_port: int,
    timeout_s: float,
    max_results: int,
    memory_gb: float,
    connect_to: str | None,
    password_file: Path | None,
    password_env: str,
    stop_only: bool,
) -> None:
    """Publish dist/ on a Virtuoso Open Source server of our own, bound to 127.0.0.1, or (--connect) on
    one that is already running.

    Starts virtuoso-t on a database in the state folder (first time: creates it), checks the release
    against SHA256SUMS, bulk-loads the N-Quads (one named graph per source paper), the full ontology and
    void.ttl into new graphs, checks their counts, then switches the read-only /sparql endpoint to them
    and drops the previous release. A failure leaves the previous release served. The server keeps
    running after the command; --stop stops it.

    With --connect HOST:PORT nothing is started or stopped: the dba password is read from
    --password-file or the environment (never from the command line, where `ps` shows it), and the
    server must be on this machine with the state folder inside its DirsAllowed.

    \b
    Examples:
      exo-rdf publish virtuoso
      exo-rdf publish virtuoso --http-port 8890 --timeout 30 --max-results 50000
      exo-rdf publish virtuoso --stop
      EXO_RDF_VIRTUOSO_PASSWORD=... exo-rdf publish virtuoso --connect localhost:1111 --dir /srv/exo-load
    """
    from .virtuoso import STATE_DIR, connect, read_password, server_limits, stop
    from .virtuoso import publish as run_publish

    project = _project(ctx)
    state = state or project.root / STATE_DIR
    if stop_only:
        if connect_to:
            raise click.UsageError("--stop stops only a server exo-rdf started; not one given with --connect")
        click.echo("Virtuoso stopped" if stop(state) else f"no Virtuoso server was running on {state}")
        return
    server = None
    if connect_to:
        host, _, port = connect_to.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise click.BadParameter(f"{connect_to!r} is not HOST:PORT (e.g. localhost:1111)", param_hint="--connect")
        password = read_password(env=password_env, file=password_file)
        server = connect(state, host.strip("[]"), int(port), password)
    elif password_file is not None:
        raise click.UsageError("--password-file is for --connect (a server of our own has its own password)")
    _step(f"publishing {dist or project.dist_dir} to Virtuoso ({connect_to or state})")
    result = run_publish(
        dist or project.dist_dir,
        state,
        sql_port=sql_port,
        http_port=http_port,
        timeout_s=timeout_s,
        max_results=max_results,
        memory_gb=memory_gb,
        server=server,
    )
    click.echo(
        f"loaded {result.triples:,} triples in {len(result.graphs)} named graphs, {result.union_triples:,} "
        f"distinct triples in the default graph, in {result.load_seconds:.1f} s (total {result.seconds:.1f} s"
        f"{', server started' if result.started else ''}); load {result.load_id}"
        f"{f', dropped {len(result.dropped)} graphs of the previous release' if result.dropped else ''}"
    )
    click.echo(f"SPARQL endpoint (read-only): {result.endpoint}")
    if server is not None:
        rows, seconds = server_limits(server)
        click.echo(
            f"the server's own limits apply: ResultSetMaxRows {rows or 'not set'}, MaxQueryExecutionTime "
            f"{seconds or 'not set'} s (serve: {max_results} rows, {timeout_s:g} s; set them in its virtuoso.ini)"
        )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
