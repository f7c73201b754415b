"""The web UI in headless Chromium (Debian's package, never ``playwright install``).

Walks the main journeys against the running uvicorn server and saves screenshots (desktop
and phone width) to ``test-artifacts/screenshots/`` for a human look.
"""

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import REPO

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = REPO / "test-artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: apt-get install -y chromium (make browser does it)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server, locale="de-DE", viewport={"width": 1280, "height": 900}
    )
    context.route(
        "**/*",
        lambda route: (
            route.abort() if not route.request.url.startswith(server) else route.continue_()
        ),
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_search_facet_entity(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Suchbegriff").fill("Wärmeplanung")
    page.get_by_role("button", name="Suchen").click()
    expect(page.locator("mark").first).to_be_visible()
    expect(page.get_by_role("heading", name="Filter")).to_be_visible()
    shot(page, "01-suche")
    facet = page.locator(".facet", has=page.get_by_role("heading", name="Kommune"))
    facet.get_by_role("link", name="Gütersloh").click()
    expect(page.get_by_text("Kommune: Gütersloh")).to_be_visible()
    shot(page, "02-suche-facette")
    page.locator(".hit .meta a", has_text="Gütersloh").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gütersloh")
    expect(page.locator("svg.graph")).to_be_visible()
    expect(page.locator("figure.chart")).to_be_visible()
    shot(page, "03-kommune")
    page.locator("svg.graph a[aria-label='Jana Beispiel']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jana Beispiel")
    shot(page, "04-person")


def test_who_question(page: Page) -> None:
    page.goto("/wer-hat-schon")
    page.get_by_label("Ihre Frage").fill("Wer hat schon eine kommunale Wärmeplanung gemacht?")
    page.keyboard.press("Enter")
    first = page.locator("#towns-title + ol .answer").first
    expect(first.get_by_role("heading")).to_contain_text("Gütersloh")
    expect(first.locator(".contacts")).to_contain_text("Jana Beispiel")
    expect(first.locator("blockquote.evidence").first).to_be_visible()
    shot(page, "05-wer-hat-schon")


def test_speaker_search(page: Page) -> None:
    page.goto("/referentinnen")
    page.get_by_label("Thema der Veranstaltung").fill("Hitzeschutz")
    page.get_by_role("button", name="Vorschläge").click()
    expect(page.locator(".answer").first).to_contain_text("Erika Musterfrau")
    expect(page.locator(".reasons li").first).to_be_visible()
    shot(page, "06-referentinnen")


def test_sparql_example(page: Page) -> None:
    page.goto("/sparql-editor")
    expect(page.get_by_label("Abfrage")).to_contain_text("PREFIX wn:")
    page.get_by_role(
        "link", name="Welche Kommunen haben Erfahrung mit Kommunaler Wärmeplanung?"
    ).click()
    table = page.locator("table.results-table")
    expect(table).to_be_visible()
    expect(table).to_contain_text("Gütersloh")
    expect(page.get_by_role("link", name="CSV")).to_have_attribute("href", re.compile("format=csv"))
    shot(page, "07-sparql")
    page.get_by_label("Abfrage").fill("ASK { ?s a wn:Experience }")
    page.get_by_label("Abfrage").press("Control+Enter")
    expect(page.locator(".boolean")).to_contain_text("ja")


def test_keyboard_and_phone(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#inhalt")).to_be_focused()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/?q=Hitzeschutz")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scrolling on a phone: {width}px"
    shot(page, "08-telefon-suche")
    for url in ("/e/topic/hitzeschutz", "/e/municipality/05754008", "/kommunen", "/sparql-editor"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"horizontal scrolling on a phone at {url}: {width}px"
    page.goto("/e/topic/hitzeschutz")
    shot(page, "09-telefon-thema")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/themen")
    shot(page, "10-themen")
