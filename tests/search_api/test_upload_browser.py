"""Upload, delete and sign-in in headless Chromium: the page scripts against a real server.

The in-process tests pin the requests; these check that ``app.js`` sends them, shows the
result or the German error, keeps the key out of addresses and cookies, and that a browser
can read every page of a server with ``require_read_key`` after entering the key once.
"""

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from search_api.app import create_app
from search_api.services import Services
from search_api.settings import hash_api_key
from tests.search_api.conftest import API_KEY, live_server

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
TEXT = b"Die Stadt Spenge startet ein Lastenrad-Verleih.\n\nAusleihe im Rathaus."


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: apt-get install -y chromium (make browser does it)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def locked_server(services: Services) -> Iterator[str]:
    """A second real server over the same stores whose reads need a key."""
    settings = services.settings.model_copy(update={"require_read_key": True})
    app = create_app(services=replace(services, settings=settings))
    with live_server(app, "uvicorn-locked") as base:
        yield base


def open_context(browser: Browser, base: str, *, scripts: bool = True) -> BrowserContext:
    context = browser.new_context(base_url=base, locale="de-DE", java_script_enabled=scripts)
    context.route(
        "**/*",
        lambda route: (
            route.abort() if not route.request.url.startswith(base) else route.continue_()
        ),
    )
    return context


def watch(page: Page) -> tuple[list[str], list[str]]:
    """Every URL the page requests, and its script errors."""
    urls: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return urls, errors


def assert_key_kept_private(context: BrowserContext, urls: list[str]) -> None:
    secrets = (API_KEY, hash_api_key(API_KEY))
    assert not [u for u in urls if any(s in u for s in secrets)], "key in an address"
    for cookie in context.cookies():
        assert not any(s in cookie["value"] for s in secrets), cookie["name"]


def test_upload_show_result_then_delete(browser: Browser, server: str) -> None:
    context = open_context(browser, server)
    page = context.new_page()
    urls, errors = watch(page)
    page.goto("/hochladen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dokument hochladen")
    expect(page.locator("#upload-js-note")).to_be_hidden()
    page.get_by_label("Datei", exact=True).set_input_files(
        {"name": "Lastenrad Spenge.txt", "mimeType": "text/plain", "buffer": TEXT}
    )
    page.get_by_label("API-Schlüssel", exact=True).fill(API_KEY)
    page.get_by_label("Schlüssel in diesem Browser-Tab merken").check()
    page.get_by_role("button", name="Hochladen").click()
    result = page.locator("#upload-result")
    expect(result).to_be_visible()
    expect(result).to_contain_text("Passagen")
    expect(result.locator("dd").nth(2)).to_have_text("2")
    expect(page.locator("#upload-status")).to_contain_text("ist eingelesen")
    assert page.evaluate("sessionStorage.getItem('wissensnetz.apiKey')") == API_KEY
    page.get_by_role("link", name="Dokumentseite öffnen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lastenrad")
    expect(page.locator("#delete-key")).to_have_value(API_KEY)  # remembered for this tab
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Dokument löschen").click()
    expect(page.locator("#delete-status")).to_contain_text("wurde gelöscht")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nicht gefunden")
    assert_key_kept_private(context, urls)
    assert not errors, errors
    context.close()


def test_upload_errors_are_shown_in_german(browser: Browser, server: str) -> None:
    context = open_context(browser, server)
    page = context.new_page()
    urls, errors = watch(page)
    page.goto("/hochladen")
    status = page.locator("#upload-status")
    page.get_by_label("Datei", exact=True).set_input_files(
        {"name": "a.txt", "mimeType": "text/plain", "buffer": b"Text"}
    )
    page.get_by_label("API-Schlüssel", exact=True).fill("falsch")
    page.get_by_role("button", name="Hochladen").click()
    expect(status).to_have_text("API-Schlüssel fehlt oder ist ungültig: API-Schlüssel ungültig.")
    assert page.evaluate("sessionStorage.getItem('wissensnetz.apiKey')") is None
    page.get_by_label("Datei", exact=True).set_input_files(
        {"name": "programm.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}
    )
    page.get_by_role("button", name="Hochladen").click()
    expect(status).to_contain_text("Dateityp nicht unterstützt: erlaubt sind .md")
    page.get_by_label("Datei", exact=True).set_input_files(
        {"name": "gross.txt", "mimeType": "text/plain", "buffer": b"x" * 60_000}
    )
    page.get_by_role("button", name="Hochladen").click()
    expect(status).to_have_text("Datei zu groß: höchstens 0,05 MB.")
    assert sum("/api/documents" in u for u in urls) == 1, "the script refused the others itself"
    assert not errors, errors
    context.close()


def test_without_javascript_the_page_explains(browser: Browser, server: str) -> None:
    context = open_context(browser, server, scripts=False)
    page = context.new_page()
    page.goto("/hochladen")
    expect(page.get_by_text("Zum Hochladen braucht diese Seite JavaScript")).to_be_visible()
    expect(page.get_by_role("button", name="Hochladen")).to_be_disabled()
    page.goto("/e/document/protokoll-steuerungskreis-2025-05")
    expect(page.get_by_text("Löschen braucht JavaScript")).to_be_visible()
    context.close()


def test_sign_in_with_a_read_key(browser: Browser, locked_server: str) -> None:
    context = open_context(browser, locked_server)
    page = context.new_page()
    urls, errors = watch(page)
    page.goto("/themen")
    expect(page.get_by_role("heading", level=1)).to_have_text("API-Schlüssel eingeben")
    page.get_by_label("API-Schlüssel", exact=True).fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_have_text("API-Schlüssel ungültig.")
    page.get_by_label("API-Schlüssel", exact=True).fill(API_KEY)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(f"{locked_server}/themen")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("API-Schlüssel eingeben")
    expect(page.get_by_role("heading", level=1)).to_have_text("Themen")
    expect(page.locator("summary a").first).to_be_visible()
    (cookie,) = context.cookies()
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == "", "scripts cannot read the session"
    page.get_by_role("navigation").get_by_role("link", name="Kommunen", exact=True).click()
    expect(page.locator("a[href='/e/municipality/05754008']").first).to_be_visible()
    page.goto("/sparql-editor")
    expect(page.get_by_label("Abfrage")).to_contain_text("PREFIX wn:")
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API-Schlüssel eingeben")
    page.goto("/kommunen")
    expect(page.get_by_role("heading", level=1)).to_have_text("API-Schlüssel eingeben")
    assert_key_kept_private(context, urls)
    assert not errors, errors
    context.close()
