"""The upload page and the document page's delete box, through the requests their script makes.

``static/app.js`` posts the chosen file as multipart field ``file`` to ``/api/documents`` with
the key in ``X-API-Key`` and ``Accept: application/json``, and shows the envelope's message
on an error; ``upload_as_the_page_does`` sends exactly that request.
"""

import re
from typing import Any

from fastapi.testclient import TestClient

from search_api.services import Services
from search_api.uploads import ALLOWED_SUFFIXES, UploadDesk
from tests.search_api.conftest import API_KEY
from tests.search_api.test_pages import HTML, page
from tests.search_api.test_routes import assert_envelope

TEXT = "Die Stadt Spenge plant einen Repair-Café-Tag.\n\nDas Café öffnet im Rathaus.".encode()


def upload_as_the_page_does(
    client: TestClient, name: str, data: bytes = TEXT, key: str | None = API_KEY
) -> Any:
    headers = {"Accept": "application/json"} | ({"X-API-Key": key} if key is not None else {})
    files = {"file": (name, data, "application/octet-stream")}
    return client.post("/api/documents", files=files, headers=headers)


def delete_as_the_page_does(client: TestClient, doc_id: str, key: str = API_KEY) -> Any:
    headers = {"Accept": "application/json", "X-API-Key": key}
    return client.delete(f"/api/documents/{doc_id}", headers=headers)


def test_upload_page_is_german_and_says_what_it_needs(client: TestClient) -> None:
    text, collector = page(client, "/hochladen")
    assert "<h1>Dokument hochladen</h1>" in text
    assert 'aria-current="page">Hochladen</a>' in text
    assert {"upload-file", "upload-key", "upload-remember"} <= collector.label_for
    assert "API-Schlüssel" in text
    assert "Schlüssel in diesem Browser-Tab merken" in text
    assert "höchstens 0,05 MB" in text
    for suffix in ALLOWED_SUFFIXES:
        assert suffix in text
    assert f'accept="{",".join(ALLOWED_SUFFIXES)}"' in text
    # Until the script runs the form stays disabled and a note says why and what to do instead.
    assert re.search(r'id="upload-js-note">.*JavaScript.*curl -H "X-API-Key', text, re.S)
    assert '<fieldset id="upload-fields" disabled>' in text
    assert 'data-enabled="true"' in text
    # The key field has no name: a form submission without the script cannot send it anywhere.
    key_input = re.search(r"<input id=\"upload-key\"[^>]*>", text)
    assert key_input
    assert "name=" not in key_input.group(0)
    assert 'method="post"' in text


def test_upload_page_when_uploads_are_off(variant: Any, services: Services) -> None:
    desk = UploadDesk(None, services.searcher, services.settings.upload_dir, 1024)
    client = variant(uploads=desk)
    text, _ = page(client, "/hochladen")
    assert "Hochladen ist auf diesem Server abgeschaltet" in text
    assert 'data-enabled="false"' in text
    assert '<p class="notice" id="upload-js-note" hidden>' in text
    body = assert_envelope(upload_as_the_page_does(client, "a.txt"), 503, "ingest_unavailable")
    assert "Kein Ingest-Modul registriert" in body["error"]["message"]


def test_upload_then_document_page_then_delete(client: TestClient) -> None:
    response = upload_as_the_page_does(client, "Repair Café Spenge.txt")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["filename"] == "Repair_Café_Spenge.txt"
    summary = body["summary"]
    assert summary["passages"] == 2
    doc_id = summary["document_id"]
    # The script links to /e/document/<id>; the entity route finds a document by its id.
    text, collector = page(client, f"/e/document/{doc_id}")
    assert "Repair-Café-Tag" in text
    assert '<h2 id="delete-title">Dokument löschen</h2>' in text
    assert f'data-doc-id="{doc_id}"' in text
    assert "delete-key" in collector.label_for
    assert '<fieldset id="delete-fields" disabled>' in text
    assert_envelope(client.delete(f"/api/documents/{doc_id}"), 401, "unauthorized")
    deleted = delete_as_the_page_does(client, doc_id)
    assert deleted.json() == {"id": doc_id, "deleted": True}
    page(client, f"/e/document/{doc_id}", status=404)
    body = assert_envelope(delete_as_the_page_does(client, doc_id), 404, "not_found")
    assert "Kein Dokument" in body["error"]["message"]


def test_delete_box_only_on_document_pages(client: TestClient) -> None:
    text, _ = page(client, "/e/document/protokoll-steuerungskreis-2025-05")
    assert 'data-doc-id="protokoll-steuerungskreis-2025-05"' in text
    for url in ("/e/municipality/05754008", "/e/topic/kommunale-waermeplanung"):
        other, _ = page(client, url)
        assert "delete-form" not in other


def test_bad_uploads_answer_with_german_messages(client: TestClient, services: Services) -> None:
    cases = [
        (upload_as_the_page_does(client, "a.txt", key=None), 401, "API-Schlüssel fehlt"),
        (upload_as_the_page_does(client, "a.txt", key="falsch"), 401, "API-Schlüssel ungültig"),
        (upload_as_the_page_does(client, "programm.exe", b"MZ"), 415, "Dateityp nicht unterstützt"),
        (
            upload_as_the_page_does(client, "gross.txt", b"x" * (services.uploads.max_bytes + 1)),
            413,
            "größer als",
        ),
    ]
    for response, status, german in cases:
        body = assert_envelope(response, status)
        assert german in body["error"]["message"], body


class FailingIngestor:
    """Reports a failed file the way the real pipeline's summary does."""

    def ingest_file(self, path: Any, *, original_name: str) -> dict[str, Any]:
        return {
            "documents": {"new": 0, "updated": 0, "unchanged": 0, "failed": 1},
            "errors": [{"path": original_name, "reason": "kein lesbarer Text gefunden"}],
        }

    def delete_document(self, doc_id: str) -> bool:
        return False


def test_unreadable_upload_is_a_german_422(variant: Any, services: Services) -> None:
    desk = UploadDesk(
        FailingIngestor(),
        services.searcher,
        services.settings.upload_dir,
        services.uploads.max_bytes,
    )
    client = variant(uploads=desk)
    body = assert_envelope(upload_as_the_page_does(client, "leer.pdf", b"%PDF-"), 422)
    assert "konnte nicht eingelesen werden" in body["error"]["message"]


def test_navigation_links_the_upload_page(client: TestClient) -> None:
    text = client.get("/", headers=HTML).text
    assert '<a href="/hochladen">Hochladen</a>' in text
    assert "/anmelden" not in text, "no sign-in link while reads are open"
