"""The SPARQL 1.1 Protocol endpoint in-process: operations, negotiation, refusals, limits."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from graph.iris import REFERENCE_GRAPH, THESAURUS_GRAPH, document_graph_iri
from graph.sparql import SparqlService
from search_api.services import Services
from tests.search_api.test_routes import assert_envelope

SELECT = "SELECT ?title WHERE { ?d a wn:Document ; dcterms:title ?title } ORDER BY ?title"
ASK = "ASK { ?e a wn:Experience ; wn:experienceKind wn:Done }"
CONSTRUCT = "CONSTRUCT { ?p foaf:name ?n } WHERE { ?p a foaf:Person ; foaf:name ?n }"
FORM = "application/x-www-form-urlencoded"


def titles(body: dict[str, Any]) -> list[str]:
    return [b["title"]["value"] for b in body["results"]["bindings"]]


def test_get_select_json(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert "Mobilstationen in Verl" in titles(response.json())
    assert response.headers["x-result-truncated"] == "false"
    assert "Accept" in response.headers["vary"]


def test_post_form_and_direct(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": SELECT})
    direct = client.post(
        "/sparql", content=SELECT.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert form.status_code == direct.status_code == 200
    assert titles(form.json()) == titles(direct.json()) != []


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("text/html, */*;q=0.1", "application/sparql-results+json"),
    ],
)
def test_select_negotiation(client: TestClient, accept: str, media: str) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    text = response.text
    if media.endswith("xml"):
        root = ET.fromstring(text)
        assert root.tag.endswith("sparql")
    elif media == "text/csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["title"]
        assert ["Mobilstationen in Verl"] in rows
    elif media.startswith("text/tab"):
        assert text.splitlines()[0] == "?title"


def test_ask_formats(client: TestClient) -> None:
    as_json = client.get("/sparql", params={"query": ASK})
    assert as_json.json() == {"head": {}, "boolean": True}
    as_xml = client.get(
        "/sparql", params={"query": ASK}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert "<boolean>true</boolean>" in as_xml.text


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_construct_negotiation(client: TestClient, accept: str, rdflib_format: str) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.text, format=rdflib_format)
    names = {str(o) for o in graph.objects()}
    assert {"Jana Beispiel", "Max Muster", "Erika Musterfrau"} <= names


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": SELECT, "format": "csv"}, headers={"Accept": "text/turtle"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    wrong = client.get("/sparql", params={"query": SELECT, "format": "turtle"})
    assert_envelope(wrong, 400, "invalid_query")
    unknown = client.get("/sparql", params={"query": SELECT, "format": "yaml"})
    assert_envelope(unknown, 400, "invalid_query")
    listed = client.get(
        "/sparql",
        params={"query": CONSTRUCT, "format": "application/x-unknown,application/ld+json"},
    )
    assert listed.headers["content-type"].startswith("application/ld+json")
    n3 = client.get("/sparql", params={"query": CONSTRUCT, "format": "n3"})
    assert n3.headers["content-type"].startswith("text/turtle")
    fallback = client.get(
        "/sparql",
        params={"query": SELECT, "format": "application/x-unknown"},
        headers={"Accept": "text/csv"},
    )
    assert fallback.headers["content-type"].startswith("text/csv")


def test_default_and_named_graphs(client: TestClient) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?c a skos:Concept }"
    only_thesaurus = client.get(
        "/sparql", params={"query": count, "default-graph-uri": str(THESAURUS_GRAPH)}
    ).json()
    only_reference = client.get(
        "/sparql", params={"query": count, "default-graph-uri": str(REFERENCE_GRAPH)}
    ).json()
    assert int(only_thesaurus["results"]["bindings"][0]["n"]["value"]) > 100
    assert only_reference["results"]["bindings"][0]["n"]["value"] == "0"
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    graph = str(document_graph_iri("akademie-2023-03-waermeplanung"))
    form = client.post("/sparql", data={"query": named, "named-graph-uri": [graph]}).json()
    assert [b["g"]["value"] for b in form["results"]["bindings"]] == [graph]
    direct = client.post(
        "/sparql",
        params={"named-graph-uri": graph},
        content=named.encode(),
        headers={"Content-Type": "application/sparql-query"},
    ).json()
    assert [b["g"]["value"] for b in direct["results"]["bindings"]] == [graph]


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "DROP ALL",
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <https://dbpedia.org/x> { ?s ?q ?r } } }",
        "SELECT * WHERE { ?s ?p ",
        "",
    ],
)
def test_refused_queries(client: TestClient, query: str) -> None:
    get = client.get("/sparql", params={"query": query})
    post = client.post("/sparql", data={"query": query})
    assert_envelope(get, 400, "invalid_query")
    assert_envelope(post, 400, "invalid_query")


def test_refused_messages_name_the_reason(client: TestClient) -> None:
    service = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    message = client.get("/sparql", params={"query": service}).json()["error"]["message"]
    assert "SERVICE" in message
    update = client.get("/sparql", params={"query": "DROP ALL"}).json()["error"]["message"]
    assert "read-only" in update
    body = client.post(
        "/sparql",
        content=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert_envelope(body, 400, "invalid_query")
    form = client.post("/sparql", data={"update": "DROP ALL"})
    assert_envelope(form, 400, "invalid_query")


def test_bad_requests(client: TestClient) -> None:
    assert_envelope(client.get("/sparql"), 400, "invalid_query")
    bad_type = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert_envelope(bad_type, 415, "unsupported_type")
    bad_graph = client.get("/sparql", params={"query": SELECT, "default-graph-uri": "kein iri"})
    assert_envelope(bad_graph, 400, "invalid_query")
    port_graph = client.get(
        "/sparql", params={"query": SELECT, "default-graph-uri": "http://host:port/x"}
    )
    assert_envelope(port_graph, 400, "invalid_query")


def test_browser_without_query_goes_to_editor(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sparql-editor"


def test_row_cap_truncates(client: TestClient, services: Services) -> None:
    query = "SELECT ?s WHERE { ?s a wn:Municipality }"
    response = client.get("/sparql", params={"query": query})
    rows = response.json()["results"]["bindings"]
    assert len(rows) == services.settings.sparql_row_cap
    assert response.headers["x-result-truncated"] == "true"


def test_timeout_is_504(variant: Any, services: Services) -> None:
    slow = SparqlService(services.kb.store, timeout_s=0.001, row_cap=100_000)
    client = variant(sparql=slow)
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    body = assert_envelope(response, 504, "query_timeout")
    assert "LIMIT" in body["error"]["message"]


def test_result_is_valid_sparql_json(client: TestClient) -> None:
    query = "SELECT ?x ?label WHERE { VALUES ?x { topic:radverkehr } ?x skos:prefLabel ?label }"
    body = json.loads(client.get("/sparql", params={"query": query}).content)
    languages = {b["label"].get("xml:lang") for b in body["results"]["bindings"]}
    assert languages == {"de", "en"}
