"""API keys, upload limits, file names, read-only SPARQL and the 500 that tells nothing."""

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from search_api.app import create_app
from search_api.security import key_matches
from search_api.services import Services
from search_api.settings import hash_api_key
from search_api.uploads import UploadDesk, safe_filename
from tests.search_api.conftest import API_KEY, FakeIngestor
from tests.search_api.test_routes import assert_envelope

TEXT = "Die Stadt Spenge testet ein Bürgerbudget.\n\nDas Budget beträgt 50.000 Euro.".encode()


def upload(client: TestClient, name: str, data: bytes = TEXT, **headers: str) -> Any:
    return client.post(
        "/api/documents", files={"file": (name, data, "text/plain")}, headers=headers
    )


def test_writes_need_a_key(client: TestClient) -> None:
    assert_envelope(upload(client, "a.txt"), 401, "unauthorized")
    wrong = upload(client, "a.txt", **{"X-API-Key": "falsch"})
    assert_envelope(wrong, 401, "unauthorized")
    assert wrong.headers["www-authenticate"].startswith("Bearer")
    wrong_bearer = upload(client, "a.txt", Authorization="Bearer falsch")
    assert_envelope(wrong_bearer, 401)
    basic = upload(client, "a.txt", Authorization="Basic " + API_KEY)
    assert_envelope(basic, 401)
    assert_envelope(client.delete("/api/documents/akademie-2023-03-waermeplanung"), 401)
    assert client.get("/api/search", params={"q": "Wärmeplanung"}).status_code == 200


def test_upload_and_delete_round_trip(client: TestClient, services: Services) -> None:
    ingestor = services.uploads.ingestor
    assert isinstance(ingestor, FakeIngestor)
    created = upload(client, "Bürgerbudget Spenge.txt", **{"X-API-Key": API_KEY})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["filename"] == "Bürgerbudget_Spenge.txt"
    assert body["summary"]["passages"] == 2
    doc_id = body["summary"]["document_id"]
    path, original = ingestor.calls[-1]
    assert path.parent.parent == services.settings.upload_dir
    assert original == "Bürgerbudget_Spenge.txt"
    assert not path.parent.exists(), "the temporary folder is removed after ingesting"
    hits = client.get("/api/search", params={"q": "Bürgerbudget", "limit": 3}).json()["hits"]
    assert hits[0]["document"]["id"] == doc_id
    bearer = {"Authorization": f"Bearer {API_KEY}"}
    deleted = client.delete(f"/api/documents/{doc_id}", headers=bearer)
    assert deleted.json() == {"id": doc_id, "deleted": True}
    assert_envelope(client.delete(f"/api/documents/{doc_id}", headers=bearer), 404)
    after = client.get("/api/search", params={"q": "Bürgerbudget", "limit": 3}).json()["hits"]
    assert doc_id not in {h["document"]["id"] for h in after}


def test_oversized_upload_is_413(client: TestClient, services: Services) -> None:
    limit = services.settings.max_upload_bytes
    just_over = b"x" * (limit + 10)
    response = upload(client, "gross.txt", just_over, **{"X-API-Key": API_KEY})
    assert_envelope(response, 413, "too_large")
    far_over = b"x" * (limit * 4)
    response = upload(client, "riesig.txt", far_over, **{"X-API-Key": API_KEY})
    assert_envelope(response, 413, "too_large")
    assert not any(services.settings.upload_dir.glob("*/*")), "nothing left behind"


def test_unsupported_type_is_415(client: TestClient) -> None:
    response = upload(client, "programm.exe", b"MZ", **{"X-API-Key": API_KEY})
    assert_envelope(response, 415, "unsupported_type")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("/abs/path/bericht.md", "bericht.md"),
        ("....md", "md"),
        (".hidden.txt", "hidden.txt"),
        ("Protokoll März 2025.pdf", "Protokoll_März_2025.pdf"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("ｆｕｌｌｗｉｄｔｈ．ｔｘｔ", "fullwidth.txt"),
        ("x/../../..", "upload"),
        ("‮txt.exe", "txt.exe"),
        ("", "upload"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@given(st.text(max_size=300))
def test_safe_filename_never_escapes(name: str) -> None:
    safe = safe_filename(name)
    assert safe
    assert "/" not in safe
    assert "\\" not in safe
    assert "\x00" not in safe
    assert not safe.startswith(".")
    assert len(safe) <= 120
    assert Path("/uploads", safe).resolve().parent == Path("/uploads")


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "..%2F..%2Fx.md", "\u202e../cmd.md"])
def test_traversal_names_stay_in_the_upload_folder(
    client: TestClient, services: Services, name: str
) -> None:
    response = upload(client, name, **{"X-API-Key": API_KEY})
    assert response.status_code == 201, response.text
    path, original = services.uploads.ingestor.calls[-1]  # type: ignore[union-attr]
    assert ".." not in original
    assert "/" not in original
    assert path.resolve().is_relative_to(services.settings.upload_dir.resolve())
    doc_id = response.json()["summary"]["document_id"]
    client.delete(f"/api/documents/{doc_id}", headers={"X-API-Key": API_KEY})


def test_without_ingestor_uploads_are_503(variant: Any, services: Services) -> None:
    desk = UploadDesk(None, services.searcher, services.settings.upload_dir, 1024)
    client = variant(uploads=desk)
    response = upload(client, "a.txt", **{"X-API-Key": API_KEY})
    body = assert_envelope(response, 503, "ingest_unavailable")
    assert "wissensnetz.ingestors" in body["error"]["message"]
    assert client.get("/health").json()["uploads"] is False


def test_read_key_when_required(variant: Any) -> None:
    client = variant({"require_read_key": True})
    assert_envelope(client.get("/api/search", params={"q": "x"}), 401, "unauthorized")
    assert_envelope(client.get("/sparql", params={"query": "ASK {}"}), 401)
    assert client.get("/api/stats", headers={"X-API-Key": API_KEY}).status_code == 200
    assert client.get("/sparql", params={"query": "ASK {}"}, headers={"X-API-Key": API_KEY}).json()
    assert client.get("/health").status_code == 200


def test_dev_key_is_hashed_too(variant: Any) -> None:
    client = variant({"dev_api_key": SecretStr("lokal-123"), "api_key_hashes": []})
    response = upload(client, "x.exe", **{"X-API-Key": "lokal-123"})
    assert response.status_code == 415  # past the key check


def test_key_matches_hashes_only() -> None:
    digest = hash_api_key("geheim")
    assert key_matches("geheim", [digest])
    assert key_matches("geheim", ["0" * 64, digest.upper()])
    assert not key_matches(digest, [digest])
    assert not key_matches("geheim", [])
    assert not key_matches("geheim", ["ä-not-hex"])


def test_service_to_outside_is_refused(client: TestClient) -> None:
    for target in ["http://169.254.169.254/latest", "https://dbpedia.org/sparql"]:
        query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
        body = assert_envelope(client.get("/sparql", params={"query": query}), 400)
        assert "SERVICE" in body["error"]["message"]
        nested = f"ASK {{ FILTER EXISTS {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }} }}"
        assert_envelope(client.post("/sparql", data={"query": nested}), 400)


class Exploding:
    """A searcher stand-in that fails with a secret in its message."""

    def sync(self) -> None:
        """Nothing to catch up with (``get_services`` syncs the searcher)."""

    def search(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("geheimer Pfad /srv/data and password=hunter2")


def test_internal_errors_tell_nothing(variant: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = variant(searcher=Exploding())
    response = client.get("/api/search", params={"q": "x"})
    body = assert_envelope(response, 500, "internal_error")
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert "Interner Fehler" in body["error"]["message"]
    assert any("unhandled error" in r.message for r in caplog.records)
    assert any(r.exc_info for r in caplog.records)


def test_internal_errors_end_inside_the_app(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    # An exception that escapes the app makes uvicorn log it again and close the kept-alive
    # connection, so the client's next request fails; TestClient re-raises such exceptions.
    app = create_app(services=replace(services, searcher=Exploding()))
    with TestClient(app, raise_server_exceptions=True) as client:
        assert_envelope(client.get("/api/search", params={"q": "x"}), 500, "internal_error")
        page = client.get("/", params={"q": "x"}, headers={"Accept": "text/html"})
        assert page.status_code == 500
        assert "Interner Fehler" in page.text
        assert client.get("/openapi.json").status_code == 200
    assert sum("unhandled error" in r.message for r in caplog.records) == 2
