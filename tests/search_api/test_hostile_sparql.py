"""Hostile SPARQL against a real uvicorn server: refused, cut or capped, and never fatal.

The SPARQL service runs over its own in-memory store holding the reference data (10,751
municipalities, 138,000 triples) with a 1 s timeout and a 500-row cap, so queries that
outlive their timeout cannot slow the rest of the suite's store. Search and health use the
session's services with the real model. What each class of query gets:

* refused, 400 ``invalid_query``: updates (also by content type or form field), SERVICE
  anywhere, cartesian products (also under ORDER BY, GROUP BY, GROUP_CONCAT, CONSTRUCT,
  OPTIONAL, sub-selects, VALUES), parser bombs (nesting, operator chains, huge blocks),
  overlong or broken text;
* refused, 413 ``too_large``: a POST body over 200 KB, before it is read to the end;
* cut, 504 ``query_timeout``: connected but huge joins, paths and offsets;
* capped, 200 with ``X-Result-Truncated``: huge LIMIT, DESCRIBE/CONSTRUCT of everything;
* answered, 200: ORDER BY over mixed literal types (which aborted the process before),
  regular expressions (Oxigraph's are linear), GROUP_CONCAT over every label;
* busy, 503 ``store_unavailable``: a query while abandoned ones hold every slot.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from graph.errors import InvalidQuery
from graph.iris import REFERENCE_GRAPH
from graph.reference import load_reference_data
from graph.sparql import SparqlService, check
from graph.store import GraphResult, OxigraphStore
from ontology.namespaces import SCHEMA, WN_IRI
from search_api.app import create_app
from search_api.services import Services
from search_api.sparql_examples import EXAMPLES
from tests.search_api.conftest import free_port
from tests.search_api.test_routes import assert_envelope

pytestmark = [pytest.mark.server, pytest.mark.slow]

TIMEOUT_S = 1.0
ROW_CAP = 500
BOUND_S = 2.0  # a normal request answers within this while hostile queries run
GRACE_S = 1.5  # the test machine is shared; a busy scheduler adds latency
LAND_JOIN = "SELECT * WHERE { ?a wn:land ?x . ?b wn:land ?x } OFFSET 1000000000"
PATH = "SELECT * WHERE { ?s (wn:kreis|!wn:kreis)* ?o }"
SIMPLE = "SELECT ?name WHERE { ?m wn:ags '05754008' ; rdfs:label ?name }"
# Populations are integers, postal codes strings: without the rewrite Oxigraph's sort panics
# and aborts the whole process (pyoxigraph 0.5 is built with panic = "abort").
MIXED_ORDER = "SELECT ?o WHERE { ?s wn:population|schema:postalCode ?o } ORDER BY ?o"
SPARQL_QUERY, FORM = "application/sparql-query", "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Hostile:
    """One hostile request and the exact answer it must get."""

    id: str
    query: str
    status: int
    says: str = ""  # part of the error message
    truncated: bool | None = None
    send: str = "get"  # get, form, direct (application/sparql-query) or bytes


def refused(id_: str, query: str, says: str, send: str = "get") -> Hostile:
    return Hostile(id_, query, 400, says, send=send)


def cut(id_: str, query: str) -> Hostile:
    return Hostile(id_, query, 504, "LIMIT")


def answered(id_: str, query: str, truncated: bool | None = None) -> Hostile:
    return Hostile(id_, query, 200, truncated=truncated)


def nested(opening: str, inner: str, closing: str, depth: int) -> str:
    return opening * depth + inner + closing * depth


PRODUCT, TOO_DEEP, COMPLEX = "cartesian product", "nested too deeply", "too complex"
TOWN = "a wn:Municipality"
CASES = [
    # Cartesian products: refused before they reach the store.
    refused("cartesian-3-patterns", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", PRODUCT),
    refused(
        "cartesian-4-municipalities-count",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a {TOWN} . ?b {TOWN} . ?c {TOWN} . ?d {TOWN} }}",
        PRODUCT,
    ),
    refused(
        "order-by-over-cartesian",
        "SELECT ?a ?b WHERE { ?a rdfs:label ?x . ?b rdfs:label ?y } ORDER BY ?y ?x",
        PRODUCT,
    ),
    refused(
        "group-by-over-cartesian",
        f"SELECT ?a ?b (COUNT(*) AS ?n) WHERE {{ ?a {TOWN} . ?b {TOWN} }} GROUP BY ?a ?b",
        PRODUCT,
    ),
    refused(
        "group-concat-over-cartesian",
        "SELECT (GROUP_CONCAT(?l) AS ?all) WHERE { ?s rdfs:label ?l . ?t rdfs:label ?m }",
        PRODUCT,
    ),
    refused("construct-explosion", "CONSTRUCT { ?a ?p ?z } WHERE { ?a ?p ?o . ?b ?q ?z }", PRODUCT),
    refused(
        "cartesian-in-optional",
        f"SELECT * WHERE {{ ?s {TOWN} OPTIONAL {{ ?x {TOWN} }} }}",
        PRODUCT,
    ),
    refused(
        "cartesian-with-subselect",
        f"SELECT * WHERE {{ ?s {TOWN} {{ SELECT ?t WHERE {{ ?t {TOWN} }} }} }}",
        PRODUCT,
    ),
    refused(
        "cartesian-joined-by-filter",
        "SELECT * WHERE { ?a rdfs:label ?x . ?b wn:shortName ?y FILTER(?x = ?y) }",
        PRODUCT,
    ),
    refused(
        "values-times-everything",
        "SELECT * WHERE { VALUES ?i { 1 2 3 4 5 6 7 8 9 } ?s ?p ?o } ORDER BY ?o",
        PRODUCT,
    ),
    refused("ask-over-cartesian", 'ASK { ?a ?b ?c . ?d ?e ?f FILTER(?c = "nie") }', PRODUCT),
    # SERVICE: the server never connects where a query says, loopback included.
    refused(
        "service", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"
    ),
    refused(
        "service-in-subselect",
        "SELECT * WHERE { { SELECT ?x WHERE { SERVICE SILENT <http://x.invalid/> "
        "{ ?x ?y ?z } } } }",
        "SERVICE",
    ),
    refused(
        "service-in-optional",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <https://dbpedia.org/sparql> "
        "{ ?s ?q ?r } } }",
        "SERVICE",
    ),
    refused(
        "service-in-exists",
        "ASK { ?s ?p ?o FILTER EXISTS { SERVICE ?endpoint { ?s ?q ?r } } }",
        "SERVICE",
    ),
    refused(
        "service-in-union-to-loopback",
        "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <http://127.0.0.1:1/sparql> "
        "{ ?s ?p ?o } } }",
        "SERVICE",
    ),
    # Updates never parse as queries.
    refused("load", "LOAD <http://example.org/data.ttl>", "LOAD"),
    refused("load-file", "LOAD SILENT <file:///etc/passwd> INTO GRAPH <urn:x>", "LOAD"),
    refused("insert-data", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT DATA"),
    refused("delete-where", "DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
    refused(
        "delete-insert-where",
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        "DELETE/INSERT",
    ),
    refused("clear-all", "CLEAR ALL", "CLEAR"),
    refused("drop-all", "DROP ALL", "DROP"),
    refused("copy", "COPY DEFAULT TO <urn:g>", "COPY"),
    refused("add", "ADD <urn:a> TO <urn:b>", "ADD"),
    refused("query-then-update", "SELECT * WHERE { ?s ?p ?o } ; DROP ALL", "not a valid"),
    refused("update-content-type", "DROP ALL", "read-only", send="update"),
    refused("update-form-field", "DROP ALL", "read-only", send="update-field"),
    # Parser bombs: refused quickly, never a 500 (RecursionError) or a parser held for long.
    refused("deep-parentheses", f"ASK {{ FILTER({nested('(', '1', ')', 500)}) }}", TOO_DEEP),
    refused("deep-groups", f"SELECT * WHERE {nested('{ ', '?s ?p ?o', ' }', 2000)}", TOO_DEEP),
    refused(
        "deep-subselects",
        f"SELECT * WHERE {nested('{ SELECT * WHERE { ', '?s ?p ?o', ' } }', 200)}",
        TOO_DEEP,
    ),
    refused(
        "deep-blank-nodes", f"ASK {{ ?s wn:p {nested('[ wn:p ', '?o', ' ]', 300)} }}", TOO_DEEP
    ),
    refused("deep-collections", f"ASK {{ ?s wn:p {nested('( ', '?o', ' )', 300)} }}", TOO_DEEP),
    refused(
        "deep-update",
        f"INSERT DATA {{ <urn:a> <urn:b> {nested('( ', '1', ' )', 3000)} }}",
        "not a valid",
    ),
    refused(
        "many-triples-in-one-block",
        "SELECT * WHERE { " + " ".join(f"?s wn:p{i} ?o{i} ." for i in range(400)) + " }",
        "triple patterns",
    ),
    refused(
        "operator-chain",
        "SELECT (" + " + ".join(["?o"] * 3000) + " AS ?x) WHERE { ?s ?p ?o }",
        COMPLEX,
    ),
    refused(
        "union-branches",
        "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 2000) + " }",
        COMPLEX,
    ),
    refused("query-over-100k-chars", "ASK { } # " + "x" * 101_000, "longer than", send="form"),
    refused("empty-query", "   ", "empty", send="direct"),
    refused("comment-only", "# nur ein Kommentar", "not a valid"),
    refused("surrogate-escape", 'SELECT * WHERE { ?s ?p "\\uD800" }', "syntax error"),
    refused("nul-outside-literal", "SELECT * WHERE { ?s ?p \x00 }", "not a valid"),
    refused("limit-overflow", "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999", "limit"),
    # Connected but huge: cut by the timeout.
    cut("offset-1e9-over-large-join", LAND_JOIN),
    cut("unbounded-path-any-predicate", PATH),
    cut("count-over-unbounded-path", PATH.replace("SELECT *", "SELECT (COUNT(*) AS ?n)")),
    cut(
        "order-by-over-large-join",
        "SELECT * WHERE { ?a wn:kreis ?x . ?b wn:kreis ?x } ORDER BY ?a",
    ),
    # Capped or simply answered.
    answered("huge-limit", "SELECT * WHERE { ?s ?p ?o } LIMIT 1000000000000", truncated=True),
    answered("offset-1e9-small", "SELECT * WHERE { ?s ?p ?o } OFFSET 1000000000", truncated=False),
    answered("describe-star", "DESCRIBE * WHERE { ?s ?p ?o }", truncated=True),
    answered("construct-everything", "CONSTRUCT WHERE { ?s ?p ?o }", truncated=True),
    answered(
        "group-concat-all-labels",
        'SELECT (GROUP_CONCAT(?l; separator=" ") AS ?all) WHERE { ?s rdfs:label ?l }',
        truncated=False,
    ),
    answered(
        "catastrophic-regex", 'SELECT ?s WHERE { ?s rdfs:label ?l FILTER REGEX(?l, "(a+)+$") }'
    ),
    answered("order-by-mixed-literal-types", MIXED_ORDER, truncated=True),
    answered("order-by-rand", "SELECT ?s WHERE { ?s a wn:Land } ORDER BY RAND()", truncated=False),
    answered(
        "bidirectional-transitive-path",
        "SELECT * WHERE { ?s (^skos:broader|skos:broader)+ ?o }",
        truncated=True,
    ),
    answered(
        "too-many-variables",
        "SELECT " + " ".join(f"?v{i}" for i in range(3000)) + " WHERE { ?s ?p ?o } LIMIT 3",
        truncated=False,
    ),
    answered(
        "nested-aggregates",
        "SELECT (MAX(?c) AS ?n) WHERE { { SELECT ?k (COUNT(?m) AS ?c) "
        "WHERE { ?m wn:kreis ?k } GROUP BY ?k } }",
        truncated=False,
    ),
    answered("empty-group", "ASK { {} UNION {} OPTIONAL {} }", truncated=False),
    answered("nul-in-literal", 'SELECT * WHERE { ?s ?p "a\x00b" }', truncated=False),
    answered("emoji-and-bidi-override", 'SELECT * WHERE { ?s ?p "\U0001f4a3\u202egnp.exe" }'),
    Hostile("malformed-utf8-body", 'SELECT * WHERE { ?s ?p "\udcff\udcfe" }', 200, send="bytes"),
]


def send(client: httpx.Client, case: Hostile) -> httpx.Response:
    """The case's request, sent the way it says."""
    if case.send == "form":
        return client.post("/sparql", data={"query": case.query})
    if case.send in {"direct", "bytes", "update"}:
        kind = "update" if case.send == "update" else "query"
        body = case.query.encode("utf-8", "surrogateescape")
        return client.post(
            "/sparql", content=body, headers={"Content-Type": f"application/sparql-{kind}"}
        )
    if case.send == "update-field":
        return client.post("/sparql", data={"update": case.query})
    return client.get("/sparql", params={"query": case.query})


def wait_until(condition: Callable[[], bool], within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def hostile_store() -> Iterator[OxigraphStore]:
    """Reference data only; abandoned queries must be gone before it closes."""
    store = OxigraphStore()
    load_reference_data(store)
    yield store
    wait_until(lambda: store.abandoned_queries == 0, 60)
    store.close()


@pytest.fixture(scope="module")
def base_url(services: Services, hostile_store: OxigraphStore) -> Iterator[str]:
    """A uvicorn server whose SPARQL service has a 1 s timeout and a 500-row cap.

    Uploads may be 20 MB (the default), so the app-wide body limit lies above the SPARQL
    route's own 200 KB limit, as in production.
    """
    limits = {"sparql_timeout_s": TIMEOUT_S, "sparql_row_cap": ROW_CAP, "max_upload_mb": 20.0}
    settings = services.settings.model_copy(update=limits)
    sparql = SparqlService(hostile_store, settings.sparql_timeout_s, settings.sparql_row_cap)
    app = create_app(services=replace(services, settings=settings, sparql=sparql))
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-hostile", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: server.started, 30)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def client(base_url: str, hostile_store: OxigraphStore) -> Iterator[httpx.Client]:
    """A client per test, once at most one abandoned query still holds a slot."""
    wait_until(lambda: hostile_store.abandoned_queries <= 1, 30)
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_query(client: httpx.Client, case: Hostile) -> None:
    start = time.monotonic()
    response = send(client, case)
    elapsed = time.monotonic() - start
    if case.status == 200:
        assert response.status_code == 200, response.text[:300]
        if case.truncated is not None:
            expected = "true" if case.truncated else "false"
            assert response.headers["x-result-truncated"] == expected
        return
    code = {400: "invalid_query", 504: "query_timeout"}[case.status]
    body = assert_envelope(response, case.status, code)
    assert case.says.lower() in body["error"]["message"].lower()
    if case.status == 504:
        assert elapsed < TIMEOUT_S + GRACE_S


def test_case_table_is_large_and_unique() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


def test_mixed_order_sorts_numbers_by_value_then_strings(client: httpx.Client) -> None:
    query = "SELECT ?o WHERE { VALUES ?o { 10 'b' 9 'a' 2.5 } } ORDER BY ?o"
    rows = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert [r["o"]["value"] for r in rows] == ["2.5", "9", "10", "a", "b"]


@pytest.mark.parametrize(
    ("query", "conditions"),
    [
        ('SELECT * { ?s ?p """x "ORDER BY ?p" y""" } ORDER BY ?s # ORDER BY ?p', 1),
        ("SELECT * { ?s <http://x/\\u0041#f> ?o } ORDER BY ?o", 1),
        ("select * { { select ?o { ?s ?p ?o } order by desc(?o) limit 3 } } order by ?o", 2),
        ("SELECT * { ?s ?p ?o } ORDER BY ?s?o STRLEN(?o) (?o + 1) <urn:f>(?s)", 5),
    ],
    ids=["string-and-comment", "iri-with-hash", "sub-select", "all-condition-forms"],
)
def test_every_sort_condition_gets_a_kind_key(query: str, conditions: int) -> None:
    assert check(query).text.count("isNumeric(") == conditions


def test_unreadable_sort_conditions_are_refused_not_sorted() -> None:
    """``<?o)(?s>`` reads as an IRI to the tokenizer: fail closed rather than sort unsafely."""
    with pytest.raises(InvalidQuery, match="cannot sort this query safely"):
        check("SELECT * { ?s ?p ?o } ORDER BY (?s<?o)(?s>?o)")


def test_mixed_order_aborts_pyoxigraph_without_the_rewrite(
    hostile_store: OxigraphStore, tmp_path: Path
) -> None:
    """The upstream bug the rewrite works around; when this fails, the rewrite may go."""
    data = tmp_path / "mixed.nt"
    data.write_bytes(hostile_store.dump("nt", REFERENCE_GRAPH))
    raw = MIXED_ORDER.replace("wn:", f"<{WN_IRI}").replace("schema:", f"<{SCHEMA}")
    raw = raw.replace("population|", "population>|").replace("postalCode ", "postalCode> ")
    script = (
        "import pyoxigraph as ox\n"
        "store = ox.Store()\n"
        f"store.load(path={str(data)!r}, format=ox.RdfFormat.N_TRIPLES)\n"
        f"list(store.query({raw!r}))\n"
    )
    env = {**os.environ, "RUST_BACKTRACE": "0"}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, timeout=120, env=env, check=False
    )
    assert run.returncode == -signal.SIGABRT, run.stderr[-500:]
    assert b"does not correctly implement a total order" in run.stderr


def test_example_results_keep_their_order(services: Services) -> None:
    """The ORDER BY rewrite changes nothing for the editor's examples on the mini corpus."""
    for example in EXAMPLES:
        original = services.kb.store.query(example.query, max_rows=ROW_CAP)
        rewritten = services.kb.store.query(check(example.query).text, max_rows=ROW_CAP)
        if isinstance(original, GraphResult) and isinstance(rewritten, GraphResult):
            assert set(rewritten.graph) == set(original.graph), example.title
        else:
            assert rewritten == original, example.title


def chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 64_000):
        yield body[start : start + 64_000]


@pytest.mark.parametrize(
    ("content_type", "streamed"),
    [(SPARQL_QUERY, False), (FORM, False), (SPARQL_QUERY, True)],
    ids=["direct-1mb", "form-1mb", "chunked-1mb"],
)
def test_huge_body_is_refused_by_size(
    client: httpx.Client, content_type: str, streamed: bool
) -> None:
    body = b"query=" + b"x" * 1_000_000
    content: Any = chunks(body) if streamed else body
    response = client.post("/sparql", content=content, headers={"Content-Type": content_type})
    refusal = assert_envelope(response, 413, "too_large")
    assert "SPARQL request body larger than 200000 bytes" in refusal["error"]["message"]


def test_huge_get_is_refused_by_the_http_layer(base_url: str) -> None:
    """uvicorn refuses a 1 MB request line before the app sees it: 400, plain text."""
    host, port = base_url.removeprefix("http://").split(":")
    request = f"GET /sparql?query={'a' * 1_000_000} HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request.encode())
        head = sock.recv(200)
    assert head.startswith(b"HTTP/1.1 400")


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c", PRODUCT),
        ("DROP ALL", "read-only"),
        (PATH, "LIMIT"),
        (MIXED_ORDER, "Ergebnis"),
    ],
    ids=["cartesian", "update", "timeout", "mixed-order"],
)
def test_editor_shows_hostile_outcomes_inline(client: httpx.Client, query: str, says: str) -> None:
    page = client.get("/sparql-editor", params={"query": query}, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert says in page.text


def timed(call: Callable[[], httpx.Response]) -> tuple[int, float, str]:
    start = time.monotonic()
    response = call()
    return response.status_code, time.monotonic() - start, response.text


def test_server_answers_while_hostile_queries_run(
    base_url: str, hostile_store: OxigraphStore
) -> None:
    """Abandoned queries hold at most every slot; search, health and the editor go on."""
    wait_until(lambda: hostile_store.abandoned_queries == 0, 60)
    with httpx.Client(base_url=base_url, timeout=30) as http, ThreadPoolExecutor(12) as pool:

        def sparql(query: str, path: str = "/sparql") -> Callable[[], httpx.Response]:
            return lambda: http.get(path, params={"query": query}, headers={"Accept": "text/html"})

        normal = {
            "health": lambda: http.get("/health"),
            "search": lambda: http.get("/api/search", params={"q": "Wärmeplanung", "limit": 3}),
        }

        def answers(calls: dict[str, Callable[[], httpx.Response]]) -> dict[str, tuple[int, str]]:
            futures = {name: pool.submit(timed, call) for name, call in calls.items()}
            for name, future in futures.items():
                assert future.result()[1] < BOUND_S, (name, future.result())
            return {name: (f.result()[0], f.result()[2]) for name, f in futures.items()}

        three = [pool.submit(timed, sparql(PATH)) for _ in range(3)]
        time.sleep(0.3)
        while_three = answers({**normal, "sparql": sparql(SIMPLE)})
        assert {name: status for name, (status, _) in while_three.items()} == {
            "health": 200,
            "search": 200,
            "sparql": 200,
        }
        assert [f.result()[0] for f in three] == [504] * 3
        wait_until(lambda: hostile_store.abandoned_queries == 0, 60)

        flood = [pool.submit(timed, sparql(PATH)) for _ in range(6)]
        time.sleep(0.3)
        while_flood = answers(
            {**normal, "sparql": sparql(SIMPLE), "editor": sparql(SIMPLE, "/sparql-editor")}
        )
        assert {name: status for name, (status, _) in while_flood.items()} == {
            "health": 200,
            "search": 200,
            "sparql": 503,
            "editor": 503,
        }
        assert "busy" in while_flood["sparql"][1]
        assert "busy" in while_flood["editor"][1]
        assert hostile_store.abandoned_queries <= 4
        assert sorted(f.result()[0] for f in flood) == [503, 503, 504, 504, 504, 504]
    wait_until(lambda: hostile_store.abandoned_queries == 0, 60)
    assert httpx.get(f"{base_url}/sparql", params={"query": SIMPLE}).status_code == 200
