"""An upload and a delete through the API update the passage table in part, not in full.

The test ingestor's summary names no ``document_ids``: the searcher finds the written
document from the content hashes in the store. The real pipeline's summary names them
(``test_real_pipeline.py``).
"""

from fastapi.testclient import TestClient

from search_api.services import Services
from tests.search_api.conftest import API_KEY

TEXT = b"Ein Zwiebelkuchenautomat steht jetzt im Rathaus von Spenge."


def _documents(client: TestClient, query: str) -> list[str]:
    hits = client.get("/api/search", params={"q": query, "limit": 5}).json()["hits"]
    return [hit["document"]["id"] for hit in hits]


def test_upload_and_delete_replace_only_their_document(
    client: TestClient, services: Services
) -> None:
    keeper = services.searcher.keeper
    before = (keeper.partial_updates, keeper.full_reloads)
    documents = len(services.searcher.documents)
    key = {"X-API-Key": API_KEY}
    files = {"file": ("teilupdate.md", TEXT, "text/markdown")}
    assert client.post("/api/documents", files=files, headers=key).status_code == 201
    try:
        assert _documents(client, "Zwiebelkuchenautomat")[0] == "upload-teilupdate"
        assert len(services.searcher.documents) == documents + 1
    finally:
        deleted = client.delete("/api/documents/upload-teilupdate", headers=key)
    assert deleted.json()["deleted"] is True
    assert "upload-teilupdate" not in _documents(client, "Zwiebelkuchenautomat")
    assert len(services.searcher.documents) == documents
    assert (keeper.partial_updates, keeper.full_reloads) == (before[0] + 2, before[1])
