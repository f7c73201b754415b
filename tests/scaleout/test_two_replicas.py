"""Scale-out rehearsal: shared graph and vector servers, two stateless API replicas.

The graph lives in ``oxigraph serve`` (``WN_STORE=sparql``), the vectors go through
``QdrantServerIndex`` (``WN_VECTORS=server``) to the Qdrant REST shim (real client and wire
protocol, local engine behind it; see ``qdrant_shim.py``). ``wissensnetz ingest`` fills
both, then two ``wissensnetz serve`` processes with the same settings, each with its own
scratch ``WN_DATA_DIR`` and hash seed, must give identical answers, and a document
uploaded through one must be found through the other and disappear from both when it is
deleted through the other.

Start-up and embedding dominate (each process imports torch and spaCy and embeds the
thesaurus; a passage costs ~0.1-0.5 s on two shared cores), so only the heavy-rain slice is
ingested (4 of 50 documents, 36 passages), and the dev-set queries whose gold documents all
lie in it are sent: three searches, two "who did" questions, one speaker query.
"""

import hashlib
import json
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import MODEL_DIR, REPO
from tests.scaleout.processes import (
    Backends,
    Server,
    child_env,
    free_port,
    running_together,
    tool,
)

pytestmark = [pytest.mark.server, pytest.mark.slow]

SUBSET = (
    "projekte/starkregen-verl.md",
    "projekte/starkregen-oerlinghausen.md",
    "projekte/starkregen-delbrueck.md",
    "akademie/akademie-2024-04-starkregen.md",
)
ROUTES = {"search": "/api/search", "who": "/api/who", "speaker": "/api/speakers"}
UPLOAD_KEY = "rehearsal-upload-key"
UPLOAD_TEXT = """# Zisternenförderung Quelldorf

Die Gemeinde Quelldorf bezuschusst seit 2025 private Regenwasserzisternen mit 500 Euro.
Das Zisternenförderprogramm soll Kanalnetz und Kläranlage bei Starkregen entlasten.
"""
SYNC_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Replicas:
    """Base URLs of the two API processes and how many passages were ingested."""

    a: str
    b: str
    passages: int

    def both(self, path: str, **params: str) -> tuple[Any, Any]:
        """The same GET to A and B at once; both must answer 200 with JSON."""
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(_get_json, base, path, params) for base in (self.a, self.b)]
            first, second = (f.result() for f in futures)
        return first, second


def differences(first: Any, second: Any, path: str = "") -> list[str]:
    """Where two JSON answers differ (for readable failures)."""
    if isinstance(first, dict) and isinstance(second, dict):
        keys = sorted(set(first) | set(second))
        return [d for k in keys for d in differences(first.get(k), second.get(k), f"{path}.{k}")]
    if isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        pairs = zip(first, second, strict=True)
        return [d for i, (x, y) in enumerate(pairs) for d in differences(x, y, f"{path}[{i}]")]
    return [] if first == second else [f"{path}: {first!r:.80} != {second!r:.80}"]


def _get_json(base: str, path: str, params: dict[str, str]) -> Any:
    response = httpx.get(f"{base}{path}", params=params, timeout=120)
    assert response.status_code == 200, f"{base}{path} {params}: {response.text[:300]}"
    return response.json()


def _server_env(backends: Backends, data_dir: Path) -> dict[str, str]:
    return child_env(
        {
            "WN_STORE": "sparql",
            "WN_SPARQL_QUERY_URL": f"{backends.sparql}/query",
            "WN_SPARQL_UPDATE_URL": f"{backends.sparql}/update",
            "WN_VECTORS": "server",
            "WN_QDRANT_URL": backends.qdrant,
            "WN_QDRANT_API_KEY": backends.qdrant_key,
            "WN_COLLECTION": "passages",
            "WN_EMBEDDING_MODEL": str(MODEL_DIR),
            "WN_EMBEDDING_THREADS": "2",
            "WN_DATA_DIR": str(data_dir),
            "WN_API_KEY_HASHES": hashlib.sha256(UPLOAD_KEY.encode()).hexdigest(),
            "WN_LOG_LEVEL": "WARNING",
        }
    )


def _ingest(backends: Backends, folder: Path) -> dict[str, Any]:
    env = _server_env(backends, folder / "ingest-data")
    files = [str(REPO / "corpus" / path) for path in SUBSET]
    command = [tool("wissensnetz"), "ingest", *files, "--json"]
    done = subprocess.run(command, env=env, cwd=folder, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


@pytest.fixture(scope="module")
def replicas(backends: Backends, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    """Ingest the slice, then start replicas A and B on the same servers."""
    if not (MODEL_DIR / "model.safetensors").is_file():
        pytest.fail(f"embedding model missing in {MODEL_DIR}: run `wissensnetz model install`")
    folder = tmp_path_factory.mktemp("replicas")
    summary = _ingest(backends, folder)
    assert summary["documents"]["new"] == len(SUBSET), summary
    assert summary["documents"]["failed"] == 0, summary["errors"]
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    servers = [
        Server(
            [tool("wissensnetz"), "serve", "--port", url.rsplit(":", 1)[1]],
            f"{url}/health",
            folder / f"replica-{name}.log",
            # A hash seed per replica: set iteration order differs between processes, and
            # an answer must not depend on it.
            _server_env(backends, folder / f"data-{name}") | {"PYTHONHASHSEED": seed},
            folder,
        )
        for url, name, seed in zip(urls, "ab", "12", strict=True)
    ]
    with running_together(servers):
        yield Replicas(urls[0], urls[1], summary["passages"])


def _slice_queries() -> list[dict[str, Any]]:
    """Dev-set queries whose gold documents all lie in the ingested slice."""
    stems = {Path(path).stem for path in SUBSET}
    queries = yaml.safe_load((REPO / "tests" / "eval" / "queries.yaml").read_text("utf-8"))
    return [
        q
        for q in queries["queries"]
        if q.get("gold_documents") and set(q["gold_documents"]) <= stems
    ]


def _results(answer: dict[str, Any]) -> int:
    return sum(len(v) for k, v in answer.items() if isinstance(v, list) and k != "facets")


def test_replicas_serve_the_same_knowledge_base(replicas: Replicas) -> None:
    first, second = replicas.both("/health")
    assert first == second, differences(first, second)[:5]
    assert first["graph"]["backend"] == "sparql"
    assert first["vectors"] == {"backend": "server", "passages": replicas.passages}
    assert first["graph"]["documents"] == len(SUBSET)


def test_dev_set_answers_are_identical(replicas: Replicas) -> None:
    queries = _slice_queries()
    assert {q["type"] for q in queries} == set(ROUTES)
    assert len(queries) >= 6
    for query in queries:
        first, second = replicas.both(ROUTES[query["type"]], q=query["text"])
        assert first == second, f"{query['id']}: {differences(first, second)[:5]}"
        assert _results(first) > 0, f"{query['id']}: empty answer"
    searched, _ = replicas.both("/api/search", q=queries[0]["text"])
    found = {hit["document"]["id"] for hit in searched["hits"]}
    assert found & set(queries[0]["gold_documents"]), "a gold document should be found"


SPARQL_DOCUMENTS = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX wn: <https://w3id.org/wissensnetz/def#>
SELECT ?id ?title WHERE { ?d a wn:Document ; dcterms:identifier ?id ; dcterms:title ?title }
ORDER BY ?id"""


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/sparql", {"query": SPARQL_DOCUMENTS}),
        ("/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}),
        ("/api/entities/municipality/05754044", {}),
        ("/api/entities/document/starkregen-oerlinghausen", {}),
        ("/api/topics", {}),
        ("/api/stats", {}),
        ("/api/municipalities", {"known": "true"}),
    ],
)
def test_graph_answers_are_identical(replicas: Replicas, path: str, params: dict[str, str]) -> None:
    first, second = replicas.both(path, **params)
    assert first == second, differences(first, second)[:5]
    assert first


def _search_ids(base: str, text: str) -> set[str]:
    # All hits, not a top few: a replica that has not synced yet still finds a deleted
    # document by keyword, only lower down.
    answer = _get_json(base, "/api/search", {"q": text, "limit": "50"})
    return {hit["document"]["id"] for hit in answer["hits"] if hit["passage"]["text"]}


def _wait_for(base: str, text: str, doc_id: str, *, present: bool) -> float:
    """Seconds until ``doc_id`` is (or is no longer) among the hits for ``text``."""
    started = time.monotonic()
    while (doc_id in _search_ids(base, text)) != present:
        if time.monotonic() - started > SYNC_TIMEOUT_S:
            state = "appear" if present else "disappear"
            pytest.fail(f"{doc_id} did not {state} at {base} within {SYNC_TIMEOUT_S:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - started


def test_upload_through_a_is_served_by_b(replicas: Replicas) -> None:
    """Stateless replicas: a write through one is visible through the other, both ways."""
    headers = {"X-API-Key": UPLOAD_KEY}
    files = {"file": ("zisternen-quelldorf.md", UPLOAD_TEXT.encode(), "text/markdown")}
    upload = httpx.post(f"{replicas.a}/api/documents", headers=headers, files=files, timeout=300)
    assert upload.status_code == 201, upload.text
    (doc_id,) = upload.json()["summary"]["document_ids"]
    query = "Zisternenförderprogramm Regenwasser"
    assert doc_id in _search_ids(replicas.a, query)  # the writer refreshes at once
    _wait_for(replicas.b, query, doc_id, present=True)
    first, second = replicas.both("/api/search", q=query)
    assert first == second, differences(first, second)[:5]
    assert first["hits"][0]["document"]["id"] == doc_id
    deleted = httpx.delete(f"{replicas.b}/api/documents/{doc_id}", headers=headers, timeout=60)
    assert deleted.status_code == 200, deleted.text
    _wait_for(replicas.a, query, doc_id, present=False)
    first, second = replicas.both("/api/search", q=query)
    assert first == second, differences(first, second)[:5]
    assert doc_id not in {hit["document"]["id"] for hit in first["hits"]}
