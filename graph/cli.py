"""CLI commands that only need the knowledge base: sparql, export, validate.

Each command reads settings, calls one public function, prints results to stdout and
messages to stderr; a domain error ends with exit code 1 and one line.
"""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from graph.backends import open_store
from graph.errors import GraphError
from graph.export import EXPORT_FORMATS, export
from graph.iris import document_graph_iri
from graph.reference import load_reference_data
from graph.settings import GraphSettings
from graph.shacl import validate
from graph.sparql import SparqlService, serialize
from graph.store import GraphResult, GraphStore
from ontology.namespaces import ID_IRI, sparql_prologue

app = typer.Typer()
T = TypeVar("T")

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (default: WN_DATA_DIR).")
]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]


def settings_for(data_dir: Path | None) -> GraphSettings:
    """Settings from the environment, with ``--data-dir`` taking precedence."""
    settings = GraphSettings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings


def fail(message: str) -> typer.Exit:
    """One line on stderr and exit code 1."""
    typer.echo(f"Fehler: {message}", err=True)
    return typer.Exit(code=1)


def run_domain(action: Callable[[], T], debug: bool) -> T:
    """Run an action; a domain error becomes one line and exit 1 (traceback with --debug)."""
    try:
        return action()
    except (GraphError, OSError) as exc:
        if debug:
            raise
        raise fail(str(exc)) from exc


@contextmanager
def opened_store(settings: GraphSettings) -> Iterator[GraphStore]:
    """The configured store with reference data loaded, closed afterwards."""
    store = open_store(settings)
    try:
        load_reference_data(store)
        yield store
    finally:
        store.close()


def read_query(query: str) -> str:
    """The query text; ``@file.rq`` reads it from a file, ``-`` from stdin."""
    if query == "-":
        return sys.stdin.read()
    if query.startswith("@"):
        return Path(query[1:]).read_text(encoding="utf-8")
    return query


def with_prefixes(query: str) -> str:
    """Prepend the standard prefixes unless the query declares its own."""
    if "PREFIX" in query.upper():
        return query
    return sparql_prologue() + query


@app.command()
def sparql(
    query: Annotated[str, typer.Argument(help="SPARQL query, @file.rq, or - for stdin.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="json, csv, tsv, xml, table, turtle, nt.")
    ] = "table",
    data_dir: DataDir = None,
    debug: Debug = False,
) -> None:
    """Run a read-only SPARQL query (standard prefixes such as wn:, org:, skos: are known)."""
    settings = settings_for(data_dir)
    text = with_prefixes(read_query(query))

    def go() -> bytes:
        with opened_store(settings) as store:
            service = SparqlService(store, settings.sparql_timeout_s, settings.sparql_row_cap)
            outcome = service.run(text)
            if isinstance(outcome.result, GraphResult) and fmt == "table":
                return serialize(outcome, "turtle")
            if outcome.truncated:
                typer.echo(
                    f"Hinweis: Ergebnis auf {settings.sparql_row_cap} Zeilen gekürzt.", err=True
                )
            return serialize(outcome, fmt)

    sys.stdout.buffer.write(run_domain(go, debug))
    sys.stdout.buffer.flush()


@app.command("export")
def export_command(
    fmt: Annotated[str, typer.Option("--format", "-f", help=", ".join(EXPORT_FORMATS))] = "trig",
    document: Annotated[
        str | None, typer.Option("--document", help="Export only this document id.")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    data_dir: DataDir = None,
    debug: Debug = False,
) -> None:
    """Export the whole dataset or one document graph."""
    settings = settings_for(data_dir)
    graph_iri = document_graph_iri(document) if document else None

    def go() -> bytes:
        with opened_store(settings) as store:
            return export(store, fmt, graph_iri)

    data = run_domain(go, debug)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        typer.echo(f"{len(data)} Bytes nach {output} geschrieben.", err=True)


@app.command("validate")
def validate_command(data_dir: DataDir = None, debug: Debug = False) -> None:
    """Check every stored document graph against the SHACL shapes."""
    settings = settings_for(data_dir)

    def go() -> dict[str, list[str]]:
        with opened_store(settings) as store:
            return validate_documents(store)

    problems = run_domain(go, debug)
    for graph_iri, violations in problems.items():
        typer.echo(f"{graph_iri}: {len(violations)} Verstöße", err=True)
        for violation in violations:
            typer.echo(f"  - {violation}", err=True)
    if problems:
        raise typer.Exit(code=1)
    typer.echo("Alle Dokumentgraphen erfüllen die SHACL-Shapes.", err=True)


def validate_documents(store: GraphStore) -> dict[str, list[str]]:
    """Violations per document graph (only graphs that have any)."""
    problems: dict[str, list[str]] = {}
    for graph_iri in store.graph_iris():
        if not str(graph_iri).startswith(f"{ID_IRI}graph/") or str(graph_iri).endswith(
            ("/reference", "/thesaurus", "/ontology")
        ):
            continue
        result = store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
        )
        assert isinstance(result, GraphResult)
        violations = validate(result.graph)
        if violations:
            problems[str(graph_iri)] = violations
    return problems
