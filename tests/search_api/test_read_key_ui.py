"""The web UI with ``require_read_key``: a key prompt, a signed session cookie, nothing leaked.

The key travels once in a form post to ``/anmelden``; the browser keeps an HttpOnly,
SameSite=Strict cookie with a signed token (never the key or its digest), which every read
accepts. Writes ignore the cookie, so they stay safe from cross-site requests.
"""

import logging
import re
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from search_api.security import SESSION_COOKIE, SessionTokens
from search_api.services import Services
from search_api.settings import hash_api_key
from tests.search_api.conftest import API_KEY
from tests.search_api.test_pages import HTML, page
from tests.search_api.test_routes import assert_envelope
from tests.search_api.test_upload_page import upload_as_the_page_does

PAGES = [
    "/",
    "/?q=" + quote("Wärmeplanung"),
    "/wer-hat-schon?q=" + quote("Wer hat schon eine kommunale Wärmeplanung gemacht?"),
    "/referentinnen?topic=Hitzeschutz",
    "/themen",
    "/kommunen",
    "/e/municipality/05754008",
    "/e/document/protokoll-steuerungskreis-2025-05",
    "/hochladen",
    "/sparql-editor",  # a page, not the /sparql endpoint: it prompts too
]


@pytest.fixture
def locked(variant: Any) -> TestClient:
    """A client of an app whose reads need a key."""
    client: TestClient = variant({"require_read_key": True})
    return client


def sign_in(client: TestClient, key: str = API_KEY, target: str = "/", **headers: str) -> Any:
    data = {"schluessel": key, "weiter": target}
    return client.post("/anmelden", data=data, headers=headers, follow_redirects=False)


def assert_no_key(client: TestClient, *responses: Any) -> None:
    secrets = (API_KEY, hash_api_key(API_KEY), quote(API_KEY))
    for response in responses:
        for item in (*response.history, response):
            shown = [str(item.url), item.headers.get("location", ""), item.text]
            shown += item.headers.get_list("set-cookie")
            assert not any(secret in text for secret in secrets for text in shown), item.url
    assert not any(secret in value for secret in secrets for value in client.cookies.values())


def test_pages_refuse_without_a_key_and_prompt_for_one(locked: TestClient) -> None:
    for url in PAGES:
        text, collector = page(locked, url, status=401)
        assert "<h1>API-Schlüssel eingeben</h1>" in text
        assert "login-key" in collector.label_for
        assert 'action="/anmelden" method="post"' in text
        assert 'name="weiter" value="' in text
        assert "Gütersloh" not in text
        assert "Steuerungskreis" not in text
    text, _ = page(locked, "/?q=" + quote("Wärmeplanung"), status=401)
    assert 'value="/?q=W%C3%A4rmeplanung"' in text
    # Non-UI clients see the API unchanged: a JSON envelope.
    assert_envelope(locked.get("/api/search", params={"q": "x"}), 401, "unauthorized")
    assert_envelope(locked.get("/api/stats", headers=HTML), 401, "unauthorized")
    assert_envelope(locked.get("/sparql", headers=HTML), 401, "unauthorized")


def test_signing_in_opens_every_page(locked: TestClient) -> None:
    target = "/?q=" + quote("Wärmeplanung")
    response = sign_in(locked, target=target)
    assert response.status_code == 303
    assert response.headers["location"] == target
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=v1.")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie, "plain HTTP: a Secure cookie would never come back"
    seen = [response]
    for url in PAGES:
        text, _ = page(locked, url)
        assert "Abmelden" in text
        seen.append(locked.get(url, headers=HTML))
    assert "<mark>Wärmeplanung</mark>" in seen[2].text
    # Links the pages offer (JSON, export, SPARQL downloads) work with the same session.
    assert locked.get("/api/entities/municipality/05754008").status_code == 200
    assert locked.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]
    assert locked.get("/sparql-editor").status_code == 200
    assert_no_key(locked, *seen)


def test_wrong_or_missing_key_is_refused_in_german(
    locked: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = sign_in(locked, key="falsch-" + API_KEY)
    assert wrong.status_code == 401
    assert "API-Schlüssel ungültig." in wrong.text
    assert "set-cookie" not in wrong.headers
    assert "falsch-" not in wrong.text, "the typed key is never echoed"
    empty = sign_in(locked, key="")
    assert empty.status_code == 401
    assert "API-Schlüssel fehlt." in empty.text
    page(locked, "/themen", status=401)
    right = sign_in(locked)
    assert right.status_code == 303
    assert_no_key(locked, wrong, empty, right)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "web UI session started" in logged
    assert API_KEY not in logged
    assert hash_api_key(API_KEY) not in logged


def test_the_cookie_never_writes(locked: TestClient, services: Services) -> None:
    sign_in(locked)
    assert locked.get("/themen").status_code == 200
    calls = len(services.uploads.ingestor.calls)  # type: ignore[union-attr]
    assert_envelope(upload_as_the_page_does(locked, "a.txt", key=None), 401, "unauthorized")
    assert_envelope(locked.delete("/api/documents/protokoll-steuerungskreis-2025-05"), 401)
    assert len(services.uploads.ingestor.calls) == calls  # type: ignore[union-attr]


def test_cross_site_sign_in_is_refused(locked: TestClient) -> None:
    for headers in (
        {"Origin": "https://boese.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"},
    ):
        response = sign_in(locked, **headers)
        assert response.status_code == 403, headers
        assert "fremde Herkunft" in response.text
        assert "set-cookie" not in response.headers
    page(locked, "/themen", status=401)
    same = sign_in(locked, Origin="http://testserver", **{"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 303
    assert locked.get("/themen").status_code == 200
    assert sign_in(locked, Origin="http://testserver").status_code == 303


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("//boese.example/x", "/"),
        ("/\\boese.example", "/"),
        ("https://boese.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/kommunen?kreis=Herford", "/kommunen?kreis=Herford"),
    ],
)
def test_sign_in_only_leads_back_to_this_site(
    locked: TestClient, target: str, expected: str
) -> None:
    response = sign_in(locked, target=target)
    assert response.headers["location"] == expected


def test_signing_out_and_forged_or_foreign_tokens(locked: TestClient, services: Services) -> None:
    sign_in(locked)
    token = locked.cookies[SESSION_COOKIE]
    out = locked.post("/abmelden", follow_redirects=False)
    assert out.status_code == 303
    assert f'{SESSION_COOKIE}=""' in out.headers["set-cookie"]
    page(locked, "/themen", status=401)
    version, expires, mac = token.split(".")
    forged = [
        f"{version}.{int(expires) + 3600}.{mac}",
        f"{version}.{expires}.{'0' * len(mac)}",
        f"{version}.{expires}",
        API_KEY,
        hash_api_key(API_KEY),
    ]
    for value in forged:
        locked.cookies.set(SESSION_COOKIE, value)
        assert locked.get("/themen", headers=HTML).status_code == 401, value
    # After a restart the server signs with another secret: old tokens are refused.
    settings = services.settings.model_copy(update={"require_read_key": True})
    with TestClient(create_app(services=replace(services, settings=settings))) as restarted:
        restarted.cookies.set(SESSION_COOKIE, token)
        assert_envelope(restarted.get("/api/stats"), 401)


def test_tokens_expire_and_follow_the_configured_keys() -> None:
    tokens = SessionTokens(b"s" * 32, lifetime_s=60)
    digest = hash_api_key(API_KEY)
    token = tokens.issue(digest, now=1000.0)
    assert tokens.valid(token, [digest], now=1001.0)
    assert tokens.valid(token, ["0" * 64, digest.upper()], now=1059.0)
    assert not tokens.valid(token, [digest], now=1060.0), "expired"
    assert not tokens.valid(token, ["0" * 64], now=1001.0), "key removed from the settings"
    assert not SessionTokens(b"t" * 32, 60).valid(token, [digest], now=1001.0)
    assert not tokens.valid("v1.99999999999999.ab", [digest], now=1001.0)
    assert not tokens.valid("v2." + token[3:], [digest], now=1001.0)
    assert API_KEY not in token
    assert digest not in token
    assert re.fullmatch(r"v1\.\d+\.[0-9a-f]{64}", token)


def test_secure_cookie_over_https(services: Services) -> None:
    settings = services.settings.model_copy(update={"require_read_key": True})
    app = create_app(services=replace(services, settings=settings))
    with TestClient(app, base_url="https://testserver") as client:
        response = sign_in(client)
        assert "Secure" in response.headers["set-cookie"]
        assert client.get("/themen").status_code == 200


def test_sign_in_page_without_read_keys(client: TestClient) -> None:
    text, _ = page(client, "/anmelden?weiter=/themen")
    assert "eine Anmeldung ist nicht nötig" in text
    assert '<a href="/themen">Weiter</a>' in text
