"""The one `wissensnetz` command: joins the sub-apps each package owns.

Lives outside the four packages so that ingest and search_api stay independent of each
other; it only wires, it holds no logic.
"""

import typer

from graph.cli import app as graph_app
from graph.model_cli import app as model_app
from graph.retrieval_cli import app as retrieval_app
from ingest.cli import app as ingest_app
from search_api.cli import app as api_app

app = typer.Typer(
    help="Wissensnetz: Wissensgraph und semantische Suche für interkommunalen Wissensaustausch.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(graph_app)
app.add_typer(retrieval_app)
app.add_typer(ingest_app)
app.add_typer(api_app)
app.add_typer(model_app, name="model", help="Provision the offline embedding model.")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
