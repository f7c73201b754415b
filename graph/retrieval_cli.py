"""``wissensnetz search | who | speakers | eval``: retrieval from the command line.

A Typer sub-app owned by ``graph``; ``wissensnetz_cli`` mounts it. Each command reads the
settings, opens store, index and encoder, calls one public function and prints a rich
table (or JSON with ``--json``) to stdout; messages go to stderr and a domain error ends
with one line and exit code 1.
"""

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from graph.backends import identity_of, open_embedder, open_index, open_store
from graph.cli import DataDir, Debug, run_domain, settings_for
from graph.evaluation import EvalReport, evaluate, load_eval_set, tune_keyword_weight
from graph.experts import ExperienceFinder, WhoResult
from graph.logconfig import configure_logging
from graph.reference import load_reference_data
from graph.search import Mode, Searcher, SearchResult
from graph.speakers import SpeakerFinder, SpeakerResult

__all__ = ["app"]

app = typer.Typer()

Limit = Annotated[int, typer.Option("--limit", "-n", min=1, max=100, help="Number of results.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
DEFAULT_QUERIES = Path("tests/eval/queries.yaml")


@contextmanager
def opened_searcher(data_dir: Path | None) -> Iterator[Searcher]:
    """Store, vector index and encoder of the data directory, wrapped in a ``Searcher``."""
    settings = settings_for(data_dir)
    configure_logging("WARNING")
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
    embedder = open_embedder(settings)
    store = open_store(settings)
    try:
        load_reference_data(store)
        index = open_index(settings, identity_of(embedder))
        try:
            yield Searcher(store, index, embedder)
        finally:
            index.close()
    finally:
        store.close()


def _run(data_dir: Path | None, debug: bool, action: Callable[[Searcher], Any]) -> Any:
    def go() -> Any:
        with opened_searcher(data_dir) as searcher:
            return action(searcher)

    return run_domain(go, debug)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Search words or a question.")],
    limit: Limit = 10,
    municipality: Annotated[
        str | None, typer.Option("--municipality", "-m", help="Name or AGS.")
    ] = None,
    kreis: Annotated[str | None, typer.Option("--kreis", help="Kreis name or key.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Region name.")] = None,
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Topic label or IRI.")] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", help="protocol, project, event or page.")
    ] = None,
    mode: Annotated[str, typer.Option("--mode", help="hybrid, dense or keyword.")] = "hybrid",
    as_json: AsJson = False,
    data_dir: DataDir = None,
    debug: Debug = False,
) -> None:
    """Hybrid search over all passages (dense vectors plus German BM25)."""
    if mode not in ("hybrid", "dense", "keyword"):
        raise typer.BadParameter("use hybrid, dense or keyword", param_hint="--mode")
    chosen: Mode = mode  # type: ignore[assignment]

    def action(searcher: Searcher) -> SearchResult:
        return searcher.search(
            query,
            limit=limit,
            municipality=municipality,
            kreis=kreis,
            region=region,
            topic=topic,
            kind=kind,
            mode=chosen,
        )

    result: SearchResult = _run(data_dir, debug, action)
    if as_json:
        _print_json(result.to_json(include_facets=True))
    else:
        _print_hits(result)


def _print_hits(result: SearchResult) -> None:
    table = Table(title=f"Suche: {result.query}", show_lines=True)
    for column in ("#", "Score", "Dokument", "Passage", "Kommunen"):
        table.add_column(column, overflow="fold")
    for rank, hit in enumerate(result.hits, start=1):
        document = f"{hit.document.title}\n[dim]{hit.document.id} · {hit.document.kind}"
        document += f" · {hit.document.date or 'ohne Datum'}[/dim]"
        towns = ", ".join(name for _, name, _ in hit.municipalities)
        table.add_row(str(rank), f"{hit.score:.3f}", document, _short(hit.passage.text), towns)
    Console().print(table)


@app.command()
def who(
    query: Annotated[str, typer.Argument(help='A question like "Wer hat schon X gemacht?"')],
    limit: Limit = 10,
    as_json: AsJson = False,
    data_dir: DataDir = None,
    debug: Debug = False,
) -> None:
    """Which municipalities and people already have experience with a topic."""
    result: WhoResult = _run(data_dir, debug, lambda s: ExperienceFinder(s).who(query, limit=limit))
    if as_json:
        _print_json(result.to_json())
        return
    console = Console()
    console.print(f"[dim]Thema: {result.question.topic}; Einschränkungen: "
                  f"{', '.join(result.question.places) or 'keine'}[/dim]")  # fmt: skip
    table = Table(title="Kommunen mit Erfahrung", show_lines=True)
    for column in ("#", "Kommune", "Score", "Ansprechpersonen", "Beleg"):
        table.add_column(column, overflow="fold")
    for rank, town in enumerate(result.municipalities, start=1):
        contacts = "\n".join(f"{c.name} ({', '.join(c.roles)})" for c in town.contacts)
        proof = town.evidence[0] if town.evidence else None
        evidence = f"{proof.document.title}\n[dim]{_short(proof.text, 160)}[/dim]" if proof else ""
        table.add_row(str(rank), town.name, f"{town.score:.3f}", contacts, evidence)
    console.print(table)
    people = Table(title="Personen und Organisationen")
    for column in ("#", "Name", "Typ", "Score", "Zugehörigkeit"):
        people.add_column(column, overflow="fold")
    for rank, actor in enumerate(result.actors, start=1):
        affiliations = ", ".join(a.name for a in actor.actor.affiliations)
        people.add_row(
            str(rank), actor.actor.name, actor.actor.type, f"{actor.score:.3f}", affiliations
        )
    console.print(people)


@app.command()
def speakers(
    topic: Annotated[str, typer.Argument(help="Topic label, concept IRI or free text.")],
    limit: Limit = 5,
    months: Annotated[
        int, typer.Option("--months", min=0, help="Recent Akademie talks within N months.")
    ] = 12,
    today: Annotated[
        str | None, typer.Option("--today", help="Date that counts as today (YYYY-MM-DD).")
    ] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
    debug: Debug = False,
) -> None:
    """Suggest speakers for a Regiopol Akademie session, with reasons."""
    day = date.fromisoformat(today) if today else date.today()

    def action(searcher: Searcher) -> SpeakerResult:
        finder = SpeakerFinder(searcher, recent_months=months, today=lambda: day)
        return finder.suggest(topic, limit=limit)

    result: SpeakerResult = _run(data_dir, debug, action)
    if as_json:
        _print_json(result.to_json())
        return
    table = Table(title=f"Referierende zu: {result.label}", show_lines=True)
    for column in ("#", "Name", "Zugehörigkeit", "Score", "Warum"):
        table.add_column(column, overflow="fold")
    for rank, speaker in enumerate(result.speakers, start=1):
        affiliations = "\n".join(
            f"{a.role}, {a.name}" if a.role else a.name for a in speaker.actor.affiliations
        )
        reasons = "\n".join(f"• {r}" for r in speaker.reasons)
        table.add_row(str(rank), speaker.actor.name, affiliations, f"{speaker.score:.3f}", reasons)
    Console().print(table)


@app.command("eval")
def eval_command(
    queries: Annotated[
        Path, typer.Option("--queries", help="Evaluation queries (YAML).")
    ] = DEFAULT_QUERIES,
    tune: Annotated[
        bool, typer.Option("--tune", help="Also sweep the keyword weight of the fusion.")
    ] = False,
    as_json: AsJson = False,
    data_dir: DataDir = None,
    debug: Debug = False,
) -> None:
    """nDCG@10, Recall@10 and MRR of BM25, dense and hybrid search; who and speaker recall."""
    eval_set = run_domain(lambda: load_eval_set(queries), debug)

    def action(searcher: Searcher) -> tuple[EvalReport, list[tuple[float, dict[str, float]]]]:
        report = evaluate(searcher, eval_set)
        weights = [0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2] if tune else []
        return report, tune_keyword_weight(searcher, eval_set, weights)

    report, sweep = _run(data_dir, debug, action)
    if as_json:
        data = report.to_json()
        data["tuning"] = [{"keyword_weight": w, **m} for w, m in sweep]
        _print_json(data)
        return
    table = Table(title=f"Evaluation über {queries}")
    for column in ("System", "Sprache", "n", "Metriken"):
        table.add_column(column)
    for row in report.rows:
        metrics = "  ".join(f"{name} {value:.3f}" for name, value in row.metrics.items())
        table.add_row(row.system, row.lang, str(row.queries), metrics)
    console = Console()
    console.print(table)
    for weight, metrics in sweep:
        figures = "  ".join(f"{name} {value:.3f}" for name, value in metrics.items())
        console.print(f"keyword_weight {weight:.2f}: {figures}")


def _short(text: str, width: int = 240) -> str:
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " …"
