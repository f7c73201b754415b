"""Two writers, and readers during writes: one writer at a time, readers never see half a doc.

What the architecture allows: the embedded stores belong to one process at a time (RocksDB
locks its directory), so the writer lock refuses a second ``wissensnetz ingest`` or ``serve``
at once, and another process cannot even open the graph while one has it open. The readers
that do run during writes live in the same process: the API serves searches while
``POST /api/documents`` ingests. Between the vector swap and the graph swap of one document
the two stores disagree; ``KnowledgeBase.reading()`` keeps a reader out of that window, and
the API's searcher only shows passages of the graph snapshot it holds.
"""

import fcntl
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.knowledge_base import KnowledgeBase
from ingest.chunking import chunk_document
from ingest.normalise import normalise
from ingest.pipeline import api_ingestor
from ingest.readers import read_document
from search_api.app import create_app
from search_api.services import assemble
from search_api.settings import ApiSettings, hash_api_key
from tests.conftest import REPO
from tests.factories import make_kb
from tests.faults.kb_state import passage_counts, reuse_loaded_model

pytestmark = pytest.mark.slow

WISSENSNETZ = str(Path(sys.executable).with_name("wissensnetz"))
API_KEY = "nebenlaeufig-3c9e"
WORDS = {1: "eins", 2: "zwei", 3: "drei"}
SECTIONS = {1: 3, 2: 7, 3: 1}  # 4, 8 and 2 passages (the title makes one more)
# Every version of both documents once, alternating, with more and with fewer passages.
UPDATES = [("a", 2), ("b", 2), ("a", 3), ("b", 3), ("a", 1), ("b", 1)]


def version_text(version: int) -> str:
    """A protocol whose every passage names its version, so a mix would show."""
    sentence = "Der Kreis Gütersloh plant Radwege, Mobilstationen und sichere Schulwege. " * 4
    parts = ["# Wechselnde Vorlage\n"]
    for i in range(SECTIONS[version]):
        parts.append(
            f"## Abschnitt {i + 1}\n\nFassung {WORDS[version]}: Die Arbeitsgruppe Radverkehr "
            f"in Verl bespricht Punkt {i + 1}. {sentence}\n"
        )
    return "\n".join(parts)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any, model_dir: Path) -> Path:
    """A data directory with reference data loaded, closed again."""
    data = tmp_path_factory.mktemp("concurrency") / "data"
    make_kb(data, real_embedder, model_dir).close()
    return data


def passages_of(version: int, folder: Path) -> int:
    """How many passages the pipeline makes of a version (chunking only, no model)."""
    path = folder / f"v{version}.md"
    path.write_text(version_text(version), encoding="utf-8")
    return len(chunk_document(normalise(read_document(path, folder))))


@dataclass
class Expected:
    """Passage counts a reader may see per document: the stored version, and while a write
    is under way also the one being written. Read under ``kb.reading()``, so it cannot
    change between a swap and the reader's look at the stores."""

    counts: dict[str, set[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict[str, set[int]]:
        with self.lock:
            return {doc: set(counts) for doc, counts in self.counts.items()}

    def writing(self, doc: str, count: int) -> None:
        with self.lock:
            self.counts.setdefault(doc, set()).add(count)

    def written(self, doc: str, count: int) -> None:
        with self.lock:
            self.counts[doc] = {count}


@dataclass
class Readers:
    """Reader threads that record what they saw until told to stop."""

    stop: threading.Event = field(default_factory=threading.Event)
    problems: list[str] = field(default_factory=list)
    rounds: dict[str, int] = field(default_factory=dict)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, name: str, check: Callable[[], list[str]]) -> None:
        def loop() -> None:
            self.rounds[name] = 0
            while not self.stop.is_set():
                try:
                    self.problems.extend(check())
                except Exception as exc:  # a reader that crashes is a finding too
                    self.problems.append(f"{name}: {exc!r}")
                self.rounds[name] += 1
                time.sleep(0.002)  # let the writer have the GIL now and then

        thread = threading.Thread(target=loop, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def check_stores(kb: KnowledgeBase, expected: Expected) -> list[str]:
    """Graph and vectors agree on every document, at a version that was written."""
    with kb.reading():
        allowed = expected.snapshot()
        in_graph, in_index = passage_counts(kb)
    problems = [f"vectors without graph: {doc}" for doc in set(in_index) - set(in_graph)]
    for doc, count in in_graph.items():
        if doc in allowed and (count != in_index.get(doc, 0) or count not in allowed[doc]):
            problems.append(f"{doc}: {count} passages in the graph, {in_index.get(doc)} "
                            f"vectors, expected one of {sorted(allowed[doc])}")  # fmt: skip
    return problems


def check_search(client: TestClient) -> list[str]:
    """Every hit has its text, and one document's hits all come from one version."""
    response = client.get("/api/search", params={"q": "Fassung Radverkehr Verl", "limit": 20})
    if response.status_code != 200:
        return [f"search answered {response.status_code}: {response.text[:200]}"]
    versions: dict[str, set[str]] = {}
    problems = []
    for hit in response.json()["hits"]:
        text, doc = hit["passage"]["text"], hit["document"]["id"]
        if not text or not doc:
            problems.append(f"hit without text or document: {hit['passage']['id']}")
        for word in WORDS.values():
            if f"Fassung {word}" in text:
                versions.setdefault(doc, set()).add(word)
    problems += [f"{doc} mixes versions {sorted(v)}" for doc, v in versions.items() if len(v) > 1]
    return problems


@pytest.fixture
def api(data_dir: Path, real_embedder: Any, model_dir: Path) -> Iterator[tuple[Any, Any]]:
    """The app over an open knowledge base, with the real ingest pipeline for uploads."""
    with pytest.MonkeyPatch.context() as patch:
        reuse_loaded_model(patch, real_embedder)
        kb = make_kb(data_dir, real_embedder, model_dir)
        try:
            settings = ApiSettings(
                data_dir=data_dir,
                embedding_model=str(model_dir),
                api_key_hashes=[hash_api_key(API_KEY)],
            )
            ingestor = api_ingestor(kb, settings, embedder=real_embedder)
            yield kb, create_app(services=assemble(settings, kb, real_embedder, ingestor))
        finally:
            kb.close()


def upload(client: TestClient, doc: str, version: int) -> tuple[str, int]:
    """POST one version; the document id and passage count the API reports."""
    files = {"file": (f"wechsel-{doc}.md", version_text(version).encode(), "text/markdown")}
    response = client.post("/api/documents", files=files, headers={"X-API-Key": API_KEY})
    assert response.status_code == 201, response.text
    summary = response.json()["summary"]
    return str(summary["document_ids"][0]), int(summary["passages"])


def test_readers_never_see_half_a_document_while_the_api_ingests(
    api: tuple[KnowledgeBase, Any], tmp_path: Path
) -> None:
    kb, app = api
    counts = {v: passages_of(v, tmp_path) for v in WORDS}
    assert len(set(counts.values())) == 3, counts
    expected = Expected()
    readers = Readers()
    ids: dict[str, str] = {}
    with TestClient(app) as writer, TestClient(app) as reader:
        for doc in ("a", "b"):
            ids[doc], passages = upload(writer, doc, 1)
            assert passages == counts[1]
            expected.written(ids[doc], counts[1])
        readers.start("stores", lambda: check_stores(kb, expected))
        readers.start("search", lambda: check_search(reader))
        try:
            for doc, version in UPDATES:
                expected.writing(ids[doc], counts[version])
                assert upload(writer, doc, version) == (ids[doc], counts[version])
                expected.written(ids[doc], counts[version])
        finally:
            readers.finish()
    assert not readers.problems, readers.problems[:10]
    assert min(readers.rounds.values()) >= 10, readers.rounds  # they did run alongside
    final, _ = passage_counts(kb)
    assert final[ids["a"]] == final[ids["b"]] == counts[1]


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 240
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the first ingest ended before {what}: {process.stderr}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def held_by_another_process(lock_file: Path) -> bool:
    """Whether RocksDB's LOCK file is locked (RocksDB takes a POSIX record lock on it)."""
    if not lock_file.exists():
        return False
    with lock_file.open("r+b") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN)
        return False


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WISSENSNETZ, *args], env=env, capture_output=True, text=True, timeout=240, check=False
    )


def test_a_second_ingest_process_stops_at_once_and_the_first_completes(
    data_dir: Path, model_dir: Path, tmp_path: Path
) -> None:
    first_docs, second_docs = tmp_path / "first", tmp_path / "second"
    for folder, source in ((first_docs, "projekte/museen-enger.md"),
                           (second_docs, "projekte/quartier-spenge.md")):  # fmt: skip
        folder.mkdir()
        (folder / Path(source).name).write_bytes((REPO / "corpus" / source).read_bytes())
    env = os.environ | {"WN_EMBEDDING_MODEL": str(model_dir), "WN_DATA_DIR": str(data_dir)}
    first = subprocess.Popen(
        [WISSENSNETZ, "ingest", str(first_docs)], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    try:
        lock = data_dir / "writer.lock"
        wait_for(lambda: lock.exists() and lock.read_text() == str(first.pid), first, "its lock")
        started = time.monotonic()
        second = run(["ingest", str(second_docs)], env)
        refused_after = time.monotonic() - started
        # The graph is opened after the model. The data directory exists already (with
        # identity.json), so only RocksDB's lock on the graph shows the first run has it open.
        graph_lock = data_dir / "graph" / "LOCK"
        wait_for(lambda: held_by_another_process(graph_lock), first, "its graph store")
        reader = run(["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"], env)
        overlapped = first.poll() is None
        _, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert overlapped, "the first ingest finished before the others tried"
    assert second.returncode == 1, second.stderr
    assert f"is being written by another process (pid {first.pid})" in second.stderr
    assert "Traceback" not in second.stderr
    assert refused_after < 60, refused_after  # before loading any model
    assert reader.returncode == 1, reader.stdout
    assert "cannot open the Oxigraph store" in reader.stderr
    assert "Traceback" not in reader.stderr
    assert first.returncode == 0, err
    assert "Dokumente: 1 neu" in err, err
