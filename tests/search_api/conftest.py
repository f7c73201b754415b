"""Fixtures of the API tests: one data directory with the mini corpus, the real model, an app.

The knowledge base is built once per session (reference data, real embeddings, five
documents) because opening the model and loading the gazetteer take most of a minute. Every
client and the uvicorn server share the same ``Services``; tests that write use their own
document ids and clean up.
"""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph.knowledge_base import KnowledgeBase
from search_api.app import create_app
from search_api.services import Services, build_services
from search_api.settings import ApiSettings, hash_api_key
from tests.conftest import MODEL_DIR
from tests.search_api import corpus

API_KEY = "test-schluessel-7d1f0c"
MAX_LIMIT = 50
MAX_UPLOAD_MB = 0.05  # 51 KB, so the size limit is cheap to test


class FakeIngestor:
    """Stands in for the lead's pipeline: one passage per paragraph, written through the KB."""

    def __init__(self, kb: KnowledgeBase, embedder: Any) -> None:
        self.kb = kb
        self.embedder = embedder
        self.calls: list[tuple[Path, str]] = []

    def ingest_file(self, path: Path, *, original_name: str) -> dict[str, Any]:
        self.calls.append((path, original_name))
        text = path.read_text(encoding="utf-8", errors="replace")
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()] or ["(leer)"]
        doc_id = "upload-" + Path(original_name).stem.lower()
        spec = corpus.DocumentSpec(
            doc_id,
            Path(original_name).stem,
            "page",
            "2025-01-01",
            [corpus.PassageSpec(p[:2000]) for p in paragraphs[:20]],
        )
        graph = corpus.document_graph(spec)
        self.kb.replace_document(
            doc_id, corpus.content_hash(spec), graph, corpus.points(spec, self.embedder)
        )
        return {"document_id": doc_id, "passages": len(spec.passages), "status": "ingested"}

    def delete_document(self, doc_id: str) -> bool:
        return self.kb.delete_document(doc_id)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> ApiSettings:
    """Settings on a fresh data directory with the real model and one accepted key."""
    if not (MODEL_DIR / "config.json").exists() and not any(MODEL_DIR.glob("*")):
        pytest.fail(f"embedding model missing at {MODEL_DIR}: run 'wissensnetz model install'")
    return ApiSettings(
        data_dir=tmp_path_factory.mktemp("api-data"),
        embedding_model=str(MODEL_DIR),
        api_key_hashes=[hash_api_key(API_KEY)],
        max_limit=MAX_LIMIT,
        max_upload_mb=MAX_UPLOAD_MB,
        sparql_timeout_s=10.0,
        sparql_row_cap=500,
        cors_origins=["https://portal.example"],
    )


@pytest.fixture(scope="session")
def services(api_settings: ApiSettings) -> Iterator[Services]:
    """Services over the mini corpus, with the fake ingestor for uploads."""
    built = build_services(api_settings)
    try:
        corpus.write(built.kb, built.embedder)
        built.searcher.refresh()
        built.uploads.ingestor = FakeIngestor(built.kb, built.embedder)
        yield built
    finally:
        built.close()


@pytest.fixture(scope="session")
def app(services: Services) -> FastAPI:
    return create_app(services=services)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    """TestClient as a context manager, so the lifespan runs."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def variant(services: Services) -> Iterator[Any]:
    """Build a client over the same stores with changed settings or services."""
    opened: list[TestClient] = []

    def make(settings_update: dict[str, Any] | None = None, **changes: Any) -> TestClient:
        settings = services.settings.model_copy(update=settings_update or {})
        other = replace(services, settings=settings, **changes)
        test_client = TestClient(create_app(services=other), raise_server_exceptions=False)
        opened.append(test_client.__enter__())
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


@contextlib.contextmanager
def live_server(app: FastAPI, name: str = "uvicorn-test") -> Iterator[str]:
    """Base URL of a real uvicorn server for ``app`` (in a thread) on a free loopback port."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, name=name, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        pytest.fail("uvicorn did not start within 30 s")
    try:
        yield base
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def server(app: FastAPI) -> Iterator[str]:
    """Base URL of a real uvicorn server (in a thread) on a free loopback port."""
    with live_server(app) as base:
        yield base
