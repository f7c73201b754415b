"""The ``serve`` command."""

from pathlib import Path
from typing import Annotated

import typer

from graph.logconfig import configure_logging
from search_api.settings import ApiSettings

app = typer.Typer()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default WN_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default WN_PORT).")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="WN_DATA_DIR.")] = None,
    get: Annotated[
        str | None, typer.Option("--get", help="Request PATH in-process, print it, exit.")
    ] = None,
) -> None:
    """Serve the API and the web UI (http://127.0.0.1:8000 by default)."""
    import uvicorn
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    updates = {k: v for k, v in {"host": host, "port": port, "data_dir": data_dir}.items() if v}
    settings = ApiSettings().model_copy(update=updates)
    configure_logging(settings.log_level)
    application = create_app(settings)
    if get is not None:
        with TestClient(application) as client:
            response = client.get(get)
            typer.echo(response.text)
            raise typer.Exit(code=0 if response.status_code < 400 else 1)
    typer.echo(f"Wissensnetz läuft auf http://{settings.host}:{settings.port}", err=True)
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="info")
