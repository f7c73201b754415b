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

The cases and their expected answers are in ``hostile_queries.py``; the ORDER BY rewrite that
makes mixed literal types sortable is unit-tested in ``test_sparql_sort_rewrite.py``.
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
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from graph.iris import REFERENCE_GRAPH
from graph.reference import load_reference_data
from graph.sparql import SparqlService
from graph.store import OxigraphStore
from ontology.namespaces import SCHEMA, WN_IRI
from search_api.app import create_app
from search_api.services import Services
from tests.search_api.conftest import free_port
from tests.search_api.hostile_queries import (
    CASES,
    MIXED_ORDER,
    PATH,
    PRODUCT,
    ROW_CAP,
    TIMEOUT_S,
    Hostile,
)
from tests.search_api.test_routes import assert_envelope

pytestmark = [pytest.mark.server, pytest.mark.slow]

BOUND_S = 2.0  # a normal request answers within this while hostile queries run
GRACE_S = 1.5  # the test machine is shared; a busy scheduler adds latency
SIMPLE = "SELECT ?name WHERE { ?m wn:ags '05754008' ; rdfs:label ?name }"
SPARQL_QUERY, FORM = "application/sparql-query", "application/x-www-form-urlencoded"


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
