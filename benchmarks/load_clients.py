"""The clients of the load benchmark: request mix, query clients, uploader, statistics.

Kept apart from ``load.py`` (which owns the server and the report) so each stays readable.
Every random choice comes from a ``random.Random`` seeded per client, so two runs against the
same data send the same requests in the same order per client; only the interleaving, and
therefore the number of requests that fit in the duration, depends on the machine.
"""

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from graph.entity_page import ref_of
from graph.evaluation import load_eval_set
from ontology.namespaces import sparql_prologue
from search_api.sparql_examples import EXAMPLES

SEARCH = "GET /api/search"
WHO = "GET /api/who"
ENTITY = "GET /api/entities/{kind}/{key}"
SPARQL = "GET /sparql"
UPLOAD = "POST /api/documents"
QUERY_ROUTES = (SEARCH, WHO, ENTITY, SPARQL)
# Share of each read route in the mix: search and "who" dominate what users do.
WEIGHTS = (0.4, 0.25, 0.25, 0.1)
SPARQL_JSON = "application/sparql-results+json"
MAX_ERROR_BODIES = 5
ERROR_BODY_CHARS = 300


@dataclass(frozen=True)
class Workload:
    """What the query clients draw from: questions, entity paths and SPARQL SELECTs."""

    search: tuple[str, ...]
    who: tuple[str, ...]
    entities: tuple[str, ...]
    sparql: tuple[str, ...]


@dataclass(frozen=True)
class Sample:
    """One finished request: when it ended (monotonic), how long it took, whether it failed."""

    finished: float
    seconds: float
    failed: bool


@dataclass
class Recorder:
    """Samples per route, plus the first few error bodies for the report."""

    samples: dict[str, list[Sample]] = field(default_factory=lambda: defaultdict(list))
    bodies: list[str] = field(default_factory=list)

    def add(self, route: str, seconds: float, status: int | None, body: str = "") -> None:
        """Count one request; a non-2xx status or an exception (``status=None``) is an error."""
        failed = status is None or not 200 <= status < 300
        self.samples[route].append(Sample(time.monotonic(), seconds, failed))
        if failed and len(self.bodies) < MAX_ERROR_BODIES:
            self.bodies.append(f"{route} -> {status}: {body[:ERROR_BODY_CHARS]}")


@dataclass
class RequestBudget:
    """Shared cap on the number of read requests, so a fast machine still stops early."""

    remaining: int

    def take(self) -> bool:
        """Claim one request; ``False`` once the cap is used up (asyncio: no lock needed)."""
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        return True


@dataclass(frozen=True)
class RouteStats:
    """One row of the report."""

    route: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    @property
    def throughput(self) -> float:
        """Requests per second over the phase the route ran in."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of already sorted samples (0 for none)."""
    if not ordered:
        return 0.0
    rank = max(1, round(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def route_stats(
    recorder: Recorder,
    routes: tuple[str, ...],
    seconds: float,
    until: float | None = None,
    label: str = "",
) -> RouteStats:
    """Summary of the samples of ``routes`` (those finished by ``until``); latencies in ms."""
    samples = [
        s
        for route in routes
        for s in recorder.samples.get(route, [])
        if until is None or s.finished <= until
    ]
    ordered = sorted(s.seconds for s in samples)
    p50, p95, p99 = (percentile(ordered, share) * 1000 for share in (0.5, 0.95, 0.99))
    errors = sum(s.failed for s in samples)
    return RouteStats(label or routes[0], len(ordered), seconds, p50, p95, p99, errors)


def questions(queries_file: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """German search and "who" questions of the evaluation set (speaker topics go to search)."""
    german = [q for q in load_eval_set(queries_file).queries if q.lang == "de"]
    search = tuple(q.text for q in german if q.type in {"search", "speaker"})
    who = tuple(q.text for q in german if q.type == "who")
    return search, who


def sparql_selects() -> tuple[str, ...]:
    """The editor's SELECT examples with every prefix declared: what analysts run first."""
    prologue = sparql_prologue()
    return tuple(prologue + e.query for e in EXAMPLES if e.query.lstrip().startswith("SELECT"))


def _iris(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        if isinstance(value.get("iri"), str):
            yield value["iri"]
        for item in value.values():
            yield from _iris(item)
    elif isinstance(value, list):
        for item in value:
            yield from _iris(item)


async def _json(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params)
    response.raise_for_status()
    return response.json()


async def entity_paths(client: httpx.AsyncClient, seed_pages: int = 8) -> tuple[str, ...]:
    """Real entity page paths: known municipalities and topics, plus every page linked from
    the first ``seed_pages`` municipality pages (persons, organisations, projects, events,
    documents). Keys come from the IRIs via ``ref_of``, the same mapping the UI uses."""
    listing = await _json(client, "/api/municipalities", known="true", limit=100)
    towns = [m["ags"] for m in listing["municipalities"]]
    tree = await _json(client, "/api/topics")
    found: set[tuple[str, str]] = {("municipality", ags) for ags in towns}
    for iri in _iris(tree):
        kind, key = ref_of(iri)
        if kind and key:
            found.add((kind, key))
    for ags in towns[:seed_pages]:
        for iri in _iris(await _json(client, f"/api/entities/municipality/{ags}")):
            kind, key = ref_of(iri)
            if kind and key:
                found.add((kind, key))
    return tuple(f"/api/entities/{kind}/{key}" for kind, key in sorted(found))


async def warm_up(client: httpx.AsyncClient, work: Workload) -> None:
    """One request per read route before the clock starts: the lazily built keyword matrix
    and the first model call would otherwise land on whichever clients come first."""
    await _json(client, "/api/search", q=work.search[0])
    await _json(client, "/api/who", q=work.who[0])
    await _json(client, work.entities[0])
    response = await client.get("/sparql", params={"query": work.sparql[0]})
    response.raise_for_status()


def next_request(rng: random.Random, work: Workload) -> tuple[str, str, dict[str, str]]:
    """Route label, path and query parameters of the next read request."""
    route = rng.choices(QUERY_ROUTES, weights=WEIGHTS)[0]
    if route == SEARCH:
        return route, "/api/search", {"q": rng.choice(work.search)}
    if route == WHO:
        return route, "/api/who", {"q": rng.choice(work.who)}
    if route == ENTITY:
        return route, rng.choice(work.entities), {}
    return route, "/sparql", {"query": rng.choice(work.sparql)}


async def timed_request(
    client: httpx.AsyncClient, recorder: Recorder, route: str, method: str, path: str, **kw: Any
) -> None:
    """Send one request and record it; exceptions (timeouts, resets) count as errors."""
    started = time.perf_counter()
    try:
        response = await client.request(method, path, **kw)
    except httpx.HTTPError as e:
        recorder.add(route, time.perf_counter() - started, None, f"{type(e).__name__}: {e}")
        return
    recorder.add(route, time.perf_counter() - started, response.status_code, response.text)


async def query_client(
    client: httpx.AsyncClient,
    work: Workload,
    seed: int,
    deadline: float,
    budget: RequestBudget,
    recorder: Recorder,
) -> None:
    """One user: request after request, no think time, until the deadline or the cap."""
    rng = random.Random(seed)
    while time.monotonic() < deadline and budget.take():
        route, path, params = next_request(rng, work)
        headers = {"Accept": SPARQL_JSON} if route == SPARQL else {}
        await timed_request(client, recorder, route, "GET", path, params=params, headers=headers)


async def uploader(
    client: httpx.AsyncClient, files: list[Path], api_key: str, recorder: Recorder
) -> None:
    """Upload ``files`` one after another (the server serialises writes anyway)."""
    headers = {"X-API-Key": api_key}
    for path in files:
        content = path.read_bytes()
        upload = {"file": (path.name, content, "text/markdown")}
        await timed_request(
            client, recorder, UPLOAD, "POST", "/api/documents", files=upload, headers=headers
        )


async def run_uploads(
    client: httpx.AsyncClient, files: list[Path], api_key: str, workers: int, recorder: Recorder
) -> float:
    """Upload every file with ``workers`` concurrent uploaders; returns the wall time (s)."""
    started = time.monotonic()
    shares = [files[i::workers] for i in range(workers)]
    await asyncio.gather(*(uploader(client, share, api_key, recorder) for share in shares))
    return time.monotonic() - started


async def run_queries(
    client: httpx.AsyncClient,
    work: Workload,
    clients: int,
    duration: float,
    budget: RequestBudget,
    recorder: Recorder,
    seed: int,
) -> float:
    """``clients`` concurrent query clients for ``duration`` seconds; returns the wall time."""
    started = time.monotonic()
    deadline = started + duration
    await asyncio.gather(
        *(query_client(client, work, seed + i, deadline, budget, recorder) for i in range(clients))
    )
    return time.monotonic() - started
