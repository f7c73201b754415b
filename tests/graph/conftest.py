"""Fixtures of the graph tests: a real ``oxigraph serve``, a store per backend, the retrieval KB."""

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.endpoint_store import SparqlEndpointStore
from graph.store import GraphStore, OxigraphStore
from tests.conftest import MODEL_DIR
from tests.graph.retrieval_kb import KB, build_kb

SERVER_TIMEOUT_S = 5


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _oxigraph_binary() -> str:
    beside_python = Path(sys.executable).parent / "oxigraph"
    found = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph server CLI is missing: pip install -e '.[dev]' provides it")
    return found


def _wait_until_ready(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"oxigraph serve exited with {process.returncode}: {stderr}")
        try:
            response = httpx.get(f"{base_url}/query", params={"query": "ASK {}"}, timeout=1)
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail("oxigraph serve did not become ready within 20 s")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of an ``oxigraph serve`` on a free loopback port, union default graph on."""
    location = tmp_path_factory.mktemp("oxigraph-server")
    base_url = f"http://127.0.0.1:{_free_port()}"
    command = [
        _oxigraph_binary(),
        "serve",
        "--location",
        str(location),
        "--bind",
        base_url.removeprefix("http://"),
        "--union-default-graph",
        "--timeout-s",
        str(SERVER_TIMEOUT_S),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_ready(base_url, process)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


@pytest.fixture
def endpoint_store(oxigraph_server: str) -> Iterator[SparqlEndpointStore]:
    """A ``SparqlEndpointStore`` on the shared server, emptied for each test."""
    httpx.post(
        f"{oxigraph_server}/update",
        content=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update"},
        timeout=30,
    ).raise_for_status()
    store = SparqlEndpointStore(f"{oxigraph_server}/query", f"{oxigraph_server}/update", 30.0)
    yield store
    store.close()


@pytest.fixture
def oxigraph_store(tmp_path: Path) -> Iterator[OxigraphStore]:
    """An on-disk ``OxigraphStore`` in a fresh temporary directory."""
    store = OxigraphStore(tmp_path / "oxigraph")
    yield store
    store.close()


@pytest.fixture(params=["oxigraph", pytest.param("endpoint", marks=pytest.mark.server)])
def contract_store(request: pytest.FixtureRequest) -> GraphStore:
    """Each ``GraphStore`` backend in turn, for the contract suite."""
    fixture = "oxigraph_store" if request.param == "oxigraph" else "endpoint_store"
    store: GraphStore = request.getfixturevalue(fixture)
    return store


@pytest.fixture(scope="package")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KB]:
    """The retrieval tests' knowledge base, built once for all ``test_retrieval_*.py`` files.

    Loading the model and the reference data takes most of the retrieval tests' time, so the
    files share one instance; a test that adds a document removes it again.
    """
    if not (MODEL_DIR / "model.safetensors").is_file():
        pytest.fail(f"embedding model missing in {MODEL_DIR}: run `wissensnetz model install`")
    built = build_kb(tmp_path_factory.mktemp("retrieval"), MODEL_DIR)
    yield built
    built.index.close()
    built.store.close()
