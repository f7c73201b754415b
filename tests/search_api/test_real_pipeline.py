"""An upload through the lead's real ingest pipeline (entry point ``wissensnetz.ingestors``)."""

from typing import Any

import pytest

from graph.ingestion import load_ingestor
from search_api.services import Services
from search_api.uploads import UploadDesk
from tests.search_api.conftest import API_KEY
from tests.search_api.test_routes import assert_envelope

DOCUMENT = """---
title: Bürgerbudget in Spenge
date: 2025-03-04
kind: page
---

# Bürgerbudget in Spenge

Die Stadt Spenge hat 2025 ein Bürgerbudget eingeführt. Bürgerinnen und Bürger schlagen
Projekte für ihr Quartier vor und stimmen online darüber ab. Ansprechperson ist
Paula Probe, Leiterin des Bürgerbüros der Stadt Spenge.
"""


@pytest.mark.slow
def test_upload_search_delete_with_the_real_pipeline(variant: Any, services: Services) -> None:
    ingestor = load_ingestor(services.kb, services.settings, embedder=services.embedder)
    if ingestor is None:
        pytest.fail("no ingestor registered: pip install -e . registers ingest.pipeline")
    desk = UploadDesk(
        ingestor, services.searcher, services.settings.upload_dir, services.uploads.max_bytes
    )
    client = variant(uploads=desk)
    key = {"X-API-Key": API_KEY}
    files = {"file": ("../buergerbudget-spenge.md", DOCUMENT.encode(), "text/markdown")}
    response = client.post("/api/documents", files=files, headers=key)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["filename"] == "buergerbudget-spenge.md"
    summary = body["summary"]
    assert summary["documents"]["new"] == 1
    assert summary["passages"] >= 1
    assert str(services.settings.data_dir) not in response.text
    doc_ids = summary["document_ids"]
    try:
        hits = client.get("/api/search", params={"q": "Bürgerbudget Spenge", "limit": 3}).json()
        assert hits["hits"][0]["document"]["id"] in doc_ids
        page = client.get(f"/api/entities/document/{doc_ids[0]}")
        assert page.status_code == 200
        assert "Spenge" in {m["label"] for m in _entities(page.json())}
    finally:
        for doc_id in doc_ids:
            deleted = client.delete(f"/api/documents/{doc_id}", headers=key)
            assert deleted.json()["deleted"] is True
    assert_envelope(client.delete(f"/api/documents/{doc_ids[0]}", headers=key), 404)
    after = client.get("/api/search", params={"q": "Bürgerbudget Spenge", "limit": 3}).json()
    assert not set(doc_ids) & {h["document"]["id"] for h in after["hits"]}


def _entities(page: dict[str, Any]) -> list[dict[str, Any]]:
    return [link["entity"] for link in page["related"] if link["entity"]]
