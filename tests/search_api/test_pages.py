"""The German web UI rendered in-process: structure, accessibility basics, every page kind."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from graph import iris
from search_api.sparql_examples import EXAMPLES
from search_api.templating import highlight
from tests.search_api import corpus

HTML = {"Accept": "text/html"}


class Collector(HTMLParser):
    """Collects the ids, the labelled form fields, links and images of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.fields: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))
        if tag in {"input", "select", "textarea"} and attributes.get("type") != "hidden":
            self.fields.append(str(attributes.get("id")))
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))


def page(client: TestClient, url: str, status: int = 200) -> tuple[str, Collector]:
    response = client.get(url, headers=HTML)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    text = response.text
    assert '<html lang="de">' in text
    assert 'href="#inhalt"' in text
    assert 'id="inhalt"' in text
    assert '<meta name="viewport"' in text
    collector = Collector()
    collector.feed(text)
    unlabelled = [f for f in collector.fields if f not in collector.label_for]
    assert not unlabelled, f"form fields without a label: {unlabelled}"
    assert "cdn" not in text.lower()
    assert "googleapis" not in text
    return text, collector


def test_search_page_with_facets_and_marks(client: TestClient) -> None:
    text, collector = page(client, "/?q=" + quote("Wärmeplanung"))
    assert "<mark>Wärmeplanung</mark>" in text
    assert "Treffer" in text
    facet_links = [link for link in collector.links if "municipality=" in link]
    assert facet_links
    filtered, _ = page(client, facet_links[0])
    assert "Filter Kommune entfernen" in filtered


def test_search_page_year_facet(client: TestClient) -> None:
    text, _ = page(client, "/?q=Stadt&from=2025&to=2025")
    assert "Protokoll Steuerungskreis Mai 2025" in text
    assert "Mobilstationen in Verl" not in text


def test_empty_search_page_explains(client: TestClient) -> None:
    text, _ = page(client, "/")
    assert "Wer hat schon" in text


def test_who_page(client: TestClient) -> None:
    question = "Wer hat schon eine kommunale Wärmeplanung gemacht?"
    text, collector = page(client, "/wer-hat-schon?q=" + quote(question))
    assert "Gütersloh" in text
    assert "Ansprechpersonen" in text
    assert "/e/municipality/05754008" in collector.links
    assert "<mark>" in text


def test_speakers_page(client: TestClient) -> None:
    text, _ = page(client, "/referentinnen?topic=Hitzeschutz")
    assert "Erika Musterfrau" in text
    assert "Vorschläge zum Thema" in text


def test_topics_and_municipalities_pages(client: TestClient) -> None:
    text, collector = page(client, "/themen")
    assert "/e/topic/kommunale-waermeplanung" in collector.links
    text, collector = page(client, "/kommunen")
    assert "Gütersloh" in text
    assert "Verl" in text
    text, _ = page(client, "/kommunen?kreis=Herford")
    assert "Spenge" in text


ENTITY_URLS = [
    "/e/municipality/05754008",
    "/e/topic/kommunale-waermeplanung",
    "/e/person/" + str(corpus.ERIKA.iri).rsplit("/", 1)[-1],
    "/e/organisation/stadt-herford",
    "/e/project/" + str(iris.mint("project", "projekt-mobilstationen-verl")).rsplit("/", 1)[-1],
    "/e/event/" + str(iris.mint("event", "akademie-2023-03-waermeplanung")).rsplit("/", 1)[-1],
    "/e/document/protokoll-steuerungskreis-2025-05",
]


@pytest.mark.parametrize("url", ENTITY_URLS)
def test_entity_pages_have_a_clickable_graph(client: TestClient, url: str) -> None:
    text, _collector = page(client, url)
    svg = re.search(r"<svg[^>]*class=\"graph\".*?</svg>", text, re.S)
    assert svg, "neighbourhood picture missing"
    root = ET.fromstring(svg.group(0))
    links = root.findall(".//{http://www.w3.org/2000/svg}a")
    assert links, "no clickable node"
    for link in links:
        target = link.get("href")
        assert target
        assert target.startswith("/e/")
        assert client.get(target, headers=HTML).status_code == 200, target


@pytest.mark.parametrize("url", ["/e/municipality/05754008", "/e/topic/kommunale-waermeplanung"])
def test_charts(client: TestClient, url: str) -> None:
    text, _ = page(client, url)
    assert '<figure class="chart">' in text
    assert "Erfahrungen nach" in text


def test_document_page_anchors(client: TestClient) -> None:
    _, collector = page(client, "/e/document/protokoll-steuerungskreis-2025-05")
    assert {"p-0", "p-1"} <= collector.ids


def test_html_errors(client: TestClient) -> None:
    text, _ = page(client, "/e/person/niemand", status=404)
    assert "Nicht gefunden" in text
    text, _ = page(client, "/?q=x&municipality=Atlantis", status=404)
    assert "Atlantis" in text


def test_sparql_editor_examples_all_run(client: TestClient) -> None:
    text, collector = page(client, "/sparql-editor")
    assert "PREFIX wn:" in text
    assert len(EXAMPLES) >= 6
    examples = [link for link in collector.links if link.startswith("/sparql-editor?query=")]
    assert len(examples) == len(EXAMPLES)
    for link in examples:
        result, _ = page(client, link)
        assert 'class="error-message"' not in result, link
        assert "Ergebnis" in result
    first, _ = page(client, examples[0])
    assert "Gütersloh" in first
    assert "/e/municipality/05754008" in first


def test_sparql_editor_shows_errors_inline(client: TestClient) -> None:
    text, _ = page(client, "/sparql-editor?query=" + quote("DROP ALL"))
    assert 'class="error-message"' in text
    assert "read-only" in text


def test_static_files(client: TestClient) -> None:
    assert client.get("/static/style.css").status_code == 200
    assert "addEventListener" in client.get("/static/app.js").text


def test_highlight_escapes_and_marks() -> None:
    marked = str(highlight("<b>Wärmeplanungen</b> in Gütersloh", "Wärmeplanung"))
    assert marked == "&lt;b&gt;<mark>Wärmeplanungen</mark>&lt;/b&gt; in Gütersloh"
    compound = str(highlight("Die Hitzeschutzplanung", "Hitzeschutz"))
    assert "<mark>Hitzeschutzplanung</mark>" in compound
    assert str(highlight("und die", "und die")) == "und die"
