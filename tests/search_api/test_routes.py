"""Every JSON route on the mini corpus: shapes, filters, limits and error envelopes."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.search_api import corpus
from tests.search_api.conftest import MAX_LIMIT

GUETERSLOH_IRI = "https://w3id.org/wissensnetz/id/municipality/05754008"


def assert_envelope(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["graph"]["documents"] >= len(corpus.DOCUMENTS)
    assert body["model"]["dimension"] == 384
    assert body["uploads"] is True


def test_search_shape_and_facets(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "kommunale Wärmeplanung", "limit": 3}).json()
    assert body["query"] == "kommunale Wärmeplanung"
    assert 0 < len(body["hits"]) <= 3
    hit = body["hits"][0]
    assert set(hit) == {"score", "document", "passage", "municipalities", "topics"}
    assert set(hit["document"]) == {"id", "title", "source", "kind", "date"}
    assert set(hit["passage"]) == {"id", "text", "start", "end"}
    assert hit["document"]["id"] == "akademie-2023-03-waermeplanung"
    assert {"municipality", "kreis", "topic", "kind", "year"} <= set(body["facets"])
    assert body["total"] >= len(body["hits"])


@pytest.mark.parametrize(
    ("params", "expected_docs"),
    [
        ({"municipality": "Verl"}, {"projekt-mobilstationen-verl"}),
        (
            {"municipality": "05758012"},
            {
                "protokoll-steuerungskreis-2025-05",
                "akademie-2024-06-hitzeschutz",
                "akademie-2023-03-waermeplanung",
            },
        ),
        ({"kind": "project"}, {"projekt-mobilstationen-verl"}),
        (
            {"topic": "Hitzeschutz"},
            {"protokoll-steuerungskreis-2025-05", "akademie-2024-06-hitzeschutz"},
        ),
        ({"from": "2025", "to": "2025"}, {"protokoll-steuerungskreis-2025-05"}),
    ],
)
def test_search_filters(
    client: TestClient, params: dict[str, str], expected_docs: set[str]
) -> None:
    body = client.get("/api/search", params={"q": "Stadt", "limit": 20, **params}).json()
    found = {h["document"]["id"] for h in body["hits"]}
    assert found
    assert found <= expected_docs


def test_search_offset_pages(client: TestClient) -> None:
    first = client.get("/api/search", params={"q": "Kommune", "limit": 2}).json()
    second = client.get("/api/search", params={"q": "Kommune", "limit": 2, "offset": 2}).json()
    ids = [h["passage"]["id"] for h in first["hits"] + second["hits"]]
    assert len(ids) == len(set(ids))


def test_search_errors(client: TestClient) -> None:
    too_many = client.get("/api/search", params={"q": "x", "limit": MAX_LIMIT + 1})
    assert str(MAX_LIMIT) in assert_envelope(too_many, 422, "invalid_request")["error"]["message"]
    assert_envelope(client.get("/api/search"), 422, "invalid_request")
    assert_envelope(client.get("/api/search", params={"q": "x", "limit": 0}), 422)
    assert_envelope(client.get("/api/search", params={"q": "   "}), 400, "invalid_query")
    unknown = client.get("/api/search", params={"q": "x", "municipality": "Atlantis"})
    assert_envelope(unknown, 404, "not_found")
    assert_envelope(client.get("/api/search", params={"q": "x", "kind": "roman"}), 400)
    assert_envelope(client.get("/api/search", params={"q": "x", "from": "gestern"}), 422)


def test_who(client: TestClient) -> None:
    question = "Wer hat schon eine kommunale Wärmeplanung gemacht?"
    body = client.get("/api/who", params={"q": question, "limit": 5}).json()
    assert body["query"] == question
    assert body["municipalities"][0]["id"] == GUETERSLOH_IRI
    town = body["municipalities"][0]
    assert set(town) == {"id", "name", "ags", "score", "evidence", "contacts"}
    assert town["evidence"][0]["passage"]["text"]
    assert {"Jana Beispiel"} <= {c["name"] for c in town["contacts"]}
    actor = body["actors"][0]
    assert set(actor) == {"id", "name", "type", "score", "affiliations", "evidence"}
    assert_envelope(client.get("/api/who", params={"q": "x", "limit": 999}), 422)
    assert_envelope(client.get("/api/who", params={"q": " "}), 400)


def test_speakers(client: TestClient) -> None:
    body = client.get("/api/speakers", params={"topic": "Hitzeschutz", "limit": 3}).json()
    assert body["topic"]["label"] == "Hitzeschutz"
    assert body["speakers"][0]["name"] == "Erika Musterfrau"
    speaker = body["speakers"][0]
    assert set(speaker) == {"id", "name", "affiliations", "score", "reasons", "evidence"}
    assert speaker["reasons"]
    free_text = client.get("/api/speakers", params={"q": "Wärmeplanung"}).json()
    assert "Jana Beispiel" in {s["name"] for s in free_text["speakers"]}
    assert_envelope(client.get("/api/speakers"), 400, "invalid_query")


ENTITIES = [
    ("municipality", "05754008", "Gütersloh"),
    ("person", corpus.JANA.iri.rsplit("/", 1)[-1], "Jana Beispiel"),
    ("organisation", "stadt-guetersloh", "Stadt Gütersloh"),
    ("organisation", "regiopolregion-bielefeld", "Regiopolregion Bielefeld"),
    ("topic", "kommunale-waermeplanung", "Kommunale Wärmeplanung"),
    ("project", "projekt-mobilstationen-verl", "Mobilstationen Verl"),
    ("event", "akademie-2024-06-hitzeschutz", "Hitzeschutz in Kommunen"),
    ("document", "akademie-2023-03-waermeplanung", "Regiopol Akademie: Kommunale Wärmeplanung"),
]


def _key(kind: str, key: str) -> str:
    if kind in {"project", "event"}:
        from graph import iris

        return str(iris.mint(kind, key)).rsplit("/", 1)[-1]
    return key


@pytest.mark.parametrize(("kind", "key", "label"), ENTITIES)
def test_entity_pages(client: TestClient, kind: str, key: str, label: str) -> None:
    response = client.get(f"/api/entities/{kind}/{_key(kind, key)}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["label"] == label
    assert body["kind"] == kind
    nodes = body["neighbourhood"]["nodes"]
    assert nodes[0]["centre"] is True
    assert len(nodes) > 1
    assert {e["source"] for e in body["neighbourhood"]["edges"]} == {body["iri"]}


def test_entity_content(client: TestClient) -> None:
    town = client.get("/api/entities/municipality/05754008").json()
    assert {e["kind"] for e in town["experiences"]} == {"done", "presented"}
    assert town["experience_count"] == len(town["experiences"]) == 2
    assert town["experiences"][0]["evidence"][0]["passage"]["text"]
    assert town["chart"]["bars"][0]["label"] == "Kommunale Wärmeplanung"
    assert "Jana Beispiel" in {m["person"]["label"] for m in town["memberships"]}
    assert "akademie-2023-03-waermeplanung" in {d["id"] for d in town["documents"]}
    topic = client.get("/api/entities/topic/kommunale-waermeplanung").json()
    assert {b["label"] for b in topic["chart"]["bars"]} == {"Gütersloh", "Bielefeld"}
    document = client.get("/api/entities/document/akademie-2023-03-waermeplanung").json()
    assert len(document["passages"]) == 2
    project = client.get(f"/api/entities/project/{_key('project', 'projekt-mobilstationen-verl')}")
    assert "Max Muster" in {c["entity"]["label"] for c in project.json()["contacts"]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/entities/person/niemand",
        "/api/entities/municipality/99999999",
        "/api/entities/topic/gibt-es-nicht",
        "/api/entities/document/..%2F..%2Fetc%2Fpasswd",
        "/api/entities/person/a%3E%20%3Cb",
        "/api/entities/organisation/x%22%7D%20UNION",
    ],
)
def test_unknown_entities_are_404(client: TestClient, path: str) -> None:
    assert_envelope(client.get(path), 404, "not_found")


def test_unknown_entity_kind_is_422(client: TestClient) -> None:
    assert_envelope(client.get("/api/entities/planet/erde"), 422, "invalid_request")


def test_topics_tree(client: TestClient) -> None:
    tree = client.get("/api/topics").json()["topics"]
    tops = {node["key"]: node for node in tree}
    assert "klima-und-umwelt" in tops
    climate = tops["klima-und-umwelt"]
    assert climate["total_passages"] >= 3
    assert climate["total_experiences"] >= 4
    keys = set()

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            keys.add(node["key"])
            walk(node["children"])

    walk(tree)
    assert "kommunale-waermeplanung" in keys


def test_municipalities(client: TestClient) -> None:
    region = client.get("/api/municipalities", params={"region": "Regiopolregion Bielefeld"})
    assert region.json()["total"] == 13
    kreis = client.get("/api/municipalities", params={"kreis": "Gütersloh", "limit": 50}).json()
    assert {m["kreis"]["key"] for m in kreis["municipalities"]} == {"05754"}
    prefix = client.get("/api/municipalities", params={"prefix": "Güt"}).json()
    assert "Gütersloh" in {m["name"] for m in prefix["municipalities"]}
    known = client.get("/api/municipalities", params={"known": "true"}).json()
    assert {m["name"] for m in known["municipalities"]} == {
        "Bielefeld",
        "Gütersloh",
        "Herford",
        "Verl",
    }
    assert_envelope(client.get("/api/municipalities", params={"region": "Atlantis"}), 404)
    assert_envelope(client.get("/api/municipalities", params={"limit": MAX_LIMIT + 1}), 422)


def test_stats(client: TestClient) -> None:
    body = client.get("/api/stats").json()
    assert body["counts"]["documents"] >= 5
    assert body["counts"]["experiences"] >= 8
    assert body["documents_by_kind"]["event"] >= 2


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("trig", "application/trig"),
        ("nquads", "application/n-quads"),
        ("jsonld", "application/ld+json"),
    ],
)
def test_export_dataset(client: TestClient, fmt: str, media: str) -> None:
    response = client.get("/api/export", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "attachment" in response.headers["content-disposition"]
    assert b"akademie-2023-03-waermeplanung" in response.content


def test_export_single_graph(client: TestClient) -> None:
    document = client.get(
        "/api/export", params={"format": "turtle", "graph": "akademie-2023-03-waermeplanung"}
    )
    assert document.status_code == 200
    assert b"Jana Beispiel" in document.content
    thesaurus = client.get("/api/export", params={"format": "turtle", "graph": "thesaurus"})
    assert b"skos:Concept" in thesaurus.content
    assert_envelope(client.get("/api/export", params={"format": "turtle"}), 400)
    assert_envelope(client.get("/api/export", params={"format": "nt", "graph": "fehlt"}), 404)
    assert_envelope(client.get("/api/export", params={"format": "rdfxml"}), 422)


def test_unknown_path_and_method(client: TestClient) -> None:
    assert_envelope(client.get("/api/nichts"), 404, "not_found")
    assert_envelope(client.put("/api/search"), 405, "method_not_allowed")


def test_cors(client: TestClient) -> None:
    allowed = client.options(
        "/api/search",
        headers={"Origin": "https://portal.example", "Access-Control-Request-Method": "GET"},
    )
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example"
    other = client.get("/api/stats", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_openapi_documents_every_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in [
        "/api/search",
        "/api/who",
        "/api/speakers",
        "/api/entities/{kind}/{key}",
        "/api/topics",
        "/api/municipalities",
        "/api/documents",
        "/api/documents/{doc_id}",
        "/api/export",
        "/api/stats",
        "/health",
        "/sparql",
    ]:
        assert path in paths, path
        for operation in paths[path].values():
            assert operation.get("summary"), (path, operation)
    limit = next(p for p in paths["/api/search"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == MAX_LIMIT
    assert {"APIKeyHeader", "HTTPBearer"} <= set(schema["components"]["securitySchemes"])
    assert "/" not in paths
