"""The ``ingest`` and ``eval-entities`` commands.

Heavy modules (spaCy, the model) are imported inside the commands so that ``wissensnetz
--help`` stays instant.
"""

import gc
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graph.errors import GraphError, StoreUnavailable
from graph.logconfig import configure_logging
from ingest.errors import IngestError
from ingest.settings import IngestSettings

if TYPE_CHECKING:
    from graph.knowledge_base import KnowledgeBase
    from ingest.outcomes import FileOutcome, IngestSummary

app = typer.Typer()


def _settings(data_dir: Path | None) -> IngestSettings:
    settings = IngestSettings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    prune: Annotated[bool, typer.Option(help="Remove documents whose files are gone.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="WN_DATA_DIR.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Ingest txt, md, html, pdf and docx files; unchanged files are skipped."""
    settings = _settings(data_dir)
    configure_logging("DEBUG" if debug else "WARNING")
    try:
        summary = run_ingest(settings, paths, prune=prune, quiet=as_json)
    except (GraphError, IngestError, OSError) as exc:
        if debug:
            raise
        typer.echo(f"Fehler: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    if as_json:
        typer.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_summary(summary)
    raise typer.Exit(code=0 if summary.ok else 1)


def run_ingest(
    settings: IngestSettings, paths: list[Path], *, prune: bool, quiet: bool
) -> "IngestSummary":
    """Lock the data directory, open everything, ingest with a progress bar on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from graph.backends import open_embedder, open_knowledge_base
    from graph.journal import WriterLock
    from ingest.concept_vectors import concept_cache_file
    from ingest.nlp import default_analyzer
    from ingest.pipeline import Ingestor
    from ingest.readers import discover
    from ingest.resolution import AliasTable, load_aliases

    with WriterLock(settings.data_dir):
        embedder = open_embedder(settings)
        kb = open_knowledge_base(settings, embedder)
        try:
            ingestor = Ingestor(
                kb, embedder, default_analyzer(),
                max_bytes=int(settings.max_file_mb * 1024 * 1024),
                group_size=settings.group_size,
                aliases=load_aliases(settings.alias_file) if settings.alias_file else AliasTable(),
                concept_cache=concept_cache_file(settings.data_dir),
            )  # fmt: skip
            # The gazetteers, spaCy and the model are ~400k long-lived objects: frozen, the
            # garbage collector stops rescanning them while documents are built (-35% triples).
            gc.collect()
            gc.freeze()
            total = sum(1 for _ in discover(paths))
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.fields[rate]} Dok./s"))  # fmt: skip
            with Progress(*columns, disable=quiet or not sys.stderr.isatty()) as progress:
                task = progress.add_task("Einlesen", total=total, rate="0.0")

                def tick(outcome: "FileOutcome") -> None:
                    elapsed = progress.tasks[0].elapsed or 1e-9
                    done = progress.tasks[0].completed + 1
                    progress.update(task, advance=1, rate=f"{done / elapsed:.1f}")
                    if outcome.status == "failed" and not quiet:
                        progress.console.print(f"[red]✗[/red] {outcome.path}: {outcome.error}")

                summary = ingestor.ingest_paths(paths, prune=prune, on_file=tick)
            if summary.stopped is None:
                _optimize(kb)
        finally:
            kb.close()
    return summary


def _optimize(kb: "KnowledgeBase") -> None:
    """Merge vector segments; without room for that, search still works (exact search)."""
    try:
        kb.index.optimize()
    except StoreUnavailable as exc:
        typer.echo(f"Hinweis: Vektorindex nicht optimiert: {exc}", err=True)


def _print_summary(summary: "IngestSummary") -> None:
    data = summary.to_json()
    docs = data["documents"]
    typer.echo(
        f"Dokumente: {docs['new']} neu, {docs['updated']} aktualisiert, "
        f"{docs['unchanged']} unverändert, {docs['failed']} fehlgeschlagen, "
        f"{docs['pruned']} entfernt",
        err=True,
    )
    entities = ", ".join(f"{k} {v}" for k, v in data["entities"].items()) or "keine"
    typer.echo(
        f"Passagen: {data['passages']}; Entitäten: {entities}; Erfahrungen: {data['experiences']}",
        err=True,
    )
    for error in data["errors"]:
        typer.echo(f"  ✗ {error['path']}: {error['reason']}", err=True)
    if data["stopped"]:
        typer.echo(
            f"Abgebrochen: {data['not_attempted']} weitere Datei(en) nicht versucht, weil die "
            "Datenablage nicht beschrieben werden konnte; nach dem Beheben (z. B. Speicherplatz "
            "freigeben) 'wissensnetz ingest' erneut starten.",
            err=True,
        )


@app.command("eval-entities")
def eval_entities(
    gold: Annotated[Path, typer.Option(help="Gold annotation YAML.")] = Path(
        "tests/eval/entities_gold.yaml"
    ),
    corpus: Annotated[Path, typer.Option(help="Corpus root the gold paths refer to.")] = Path(
        "corpus"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    show_errors: Annotated[bool, typer.Option("--errors", help="List misses.")] = False,
) -> None:
    """Precision, recall and F1 of entity extraction per type against a gold file."""
    from ingest.evaluation import evaluate
    from ingest.nlp import default_analyzer

    scores = evaluate(gold, corpus, default_analyzer())
    table = {
        kind: {"precision": round(s.precision, 3), "recall": round(s.recall, 3),
               "f1": round(s.f1, 3), "tp": s.tp, "fp": s.fp, "fn": s.fn}
        for kind, s in scores.items()
    }  # fmt: skip
    if as_json:
        typer.echo(json.dumps(table, indent=2))
        return
    typer.echo(f"{'Typ':<14}{'Precision':>10}{'Recall':>10}{'F1':>8}{'TP':>6}{'FP':>6}{'FN':>6}")
    for kind, row in table.items():
        typer.echo(
            f"{kind:<14}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>8.3f}"
            f"{row['tp']:>6}{row['fp']:>6}{row['fn']:>6}"
        )
    if show_errors:
        for kind, s in scores.items():
            for miss in s.misses:
                typer.echo(f"  fehlt   [{kind}] {miss}", err=True)
            for extra in s.spurious:
                typer.echo(f"  zuviel  [{kind}] {extra}", err=True)
