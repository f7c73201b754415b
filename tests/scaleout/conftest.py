"""Fixtures of the scale-out tests: ``oxigraph serve`` and the Qdrant REST shim."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scaleout.processes import QDRANT_KEY, Backends, child_env, free_port, running, tool

SHIM = Path(__file__).with_name("qdrant_shim.py")


@pytest.fixture(scope="module")
def qdrant_shim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the Qdrant REST shim (API key ``QDRANT_KEY``) on a free port."""
    folder = tmp_path_factory.mktemp("qdrant-shim")
    url = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, str(SHIM), "--port", url.rsplit(":", 1)[1]]
    env = child_env({"QDRANT__SERVICE__API_KEY": QDRANT_KEY})
    with running(command, f"{url}/readyz", folder / "qdrant-shim.log", env=env, timeout=60):
        yield url


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory, qdrant_shim: str) -> Iterator[Backends]:
    """``oxigraph serve`` (union default graph, server-side timeout) plus the Qdrant shim."""
    folder = tmp_path_factory.mktemp("oxigraph")
    sparql = f"http://127.0.0.1:{free_port()}"
    command = [
        tool("oxigraph"),
        "serve",
        "--location",
        str(folder / "store"),
        "--bind",
        sparql.removeprefix("http://"),
        "--union-default-graph",
        "--timeout-s",
        "30",
    ]
    probe = f"{sparql}/query?query=ASK%20%7B%7D"
    with running(command, probe, folder / "oxigraph.log", timeout=60):
        yield Backends(sparql, qdrant_shim, QDRANT_KEY)
