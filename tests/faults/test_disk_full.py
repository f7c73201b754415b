"""Disk full during an ingest: one clear line, the run stops, the previous state stays intact.

What a full tmpfs does to the stores (and why ``graph.disk_space`` exists): RocksDB fails the
write cleanly but then refuses every write until it is reopened; qdrant-edge writes through
memory-mapped files and dies with SIGBUS. So the knowledge base keeps a reserve free and
refuses a document *before* writing it, and qdrant-edge checks again before each write. The
real-disk test runs on a real tmpfs where the machine lets us mount one (root), otherwise on
an emulated quota that the free-space checks see.
"""

import errno
import json
import logging
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef
from typer.testing import CliRunner, Result

from graph.disk_space import MIN_FREE_BYTES
from graph.errors import DiskFull
from graph.iris import document_graph_iri
from graph.journal import Journal
from graph.knowledge_base import KnowledgeBase, RepairReport
from graph.qdrant_edge_index import QdrantEdgeIndex
from graph.search import Searcher
from graph.store import OxigraphStore
from tests.conftest import REPO
from tests.faults import tmpfs
from tests.faults.kb_state import KbState, reopened, reuse_loaded_model, state
from wissensnetz_cli import app

pytestmark = pytest.mark.slow

INITIAL = {"starkregen-verl.md": "projekte/starkregen-verl.md",
           "regiopolpaten.md": "seiten/regiopolpaten.md"}  # fmt: skip
# Discovered in this order: a short note, a long protocol, another note.
FURTHER = {"2-werkstatt.txt": "protokolle/werkstatt-2024-guetersloh.txt"}
FURTHER_NOTES = ("1-notiz", "3-notiz")
# Beyond the reserve: room for the note (its write needs ~0.05 MB) but not for the protocol
# (0.53 MB). Opening the stores first takes ~0.14 MB (RocksDB's new log and options file).
MARGIN = 400_000
GIB = 1 << 30


def note(topic: str) -> str:
    """A one-passage document, cheap to analyse."""
    return f"# Notiz {topic}\n\nKurze Notiz zum Radverkehr in Verl: {topic}.\n"


@dataclass
class Disk:
    """The data directory's file system: a real tmpfs, or a quota the free-space checks see."""

    root: Path
    real: bool
    patch: pytest.MonkeyPatch = field(default_factory=pytest.MonkeyPatch)

    def leave_free(self, free: int) -> None:
        """Fill the file system up to ``free`` bytes."""
        if self.real:
            tmpfs.resize(self.root, tmpfs.used_bytes(self.root) + free)
        else:
            quota = tmpfs.Quota(self.root, tmpfs.allocated_bytes(self.root) + free)
            self.patch.setattr("graph.disk_space.free_bytes", quota.free_bytes)

    def free_space(self) -> None:
        """Make room again."""
        if self.real:
            tmpfs.resize(self.root, GIB)
        self.patch.undo()


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Disk]:
    root = tmp_path_factory.mktemp("tmpfs")
    found = Disk(root, tmpfs.mount(root, GIB))
    try:
        yield found
    finally:
        found.patch.undo()
        if found.real:
            tmpfs.unmount(root)


@pytest.fixture(scope="module")
def data_dir(
    disk: Disk, real_embedder: Any, model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The initial corpus ingested by the CLI into the (roomy) disk."""
    with pytest.MonkeyPatch.context() as patch:
        reuse_loaded_model(patch, real_embedder)
        data = disk.root / "data"
        result = run_ingest(copy_corpus(tmp_path_factory.mktemp("initial"), INITIAL), data)
        assert result.exit_code == 0, result.output
        yield data


def copy_corpus(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in files.items():
        shutil.copy(REPO / "corpus" / source, folder / name)
    return folder


def run_ingest(folder: Path, data: Path) -> Result:
    """``wissensnetz ingest`` in this process; its log handler is taken down again after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        return CliRunner().invoke(app, ["ingest", str(folder), "--data-dir", str(data)])
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def assert_stopped_on_disk_full(result: Result, not_attempted: int | None = None) -> str:
    """Exit 1, no traceback, one line per failed file saying disk full and what to do."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = re.findall(r"^\s*✗ (\S.*?): (writing .*)$", result.stderr, re.MULTILINE)
    assert len(set(lines)) == 1, result.stderr  # one file failed, summed up on one line
    reason = lines[0][1]
    assert re.search(
        r"failed: disk full \(.* MB free on the data directory's disk, .* MB must stay free", reason
    )
    assert "Free space on that disk, then run the ingest again" in reason
    stopped = re.search(r"Abgebrochen: (\d+) weitere Datei", result.stderr)
    assert stopped, result.stderr
    if not_attempted is not None:
        assert int(stopped.group(1)) == not_attempted
    return f"{lines[0][0]}: {reason}"


def assert_only_rolled_back(report: RepairReport, doc_ids: set[str]) -> None:
    assert not report.orphan_vector_documents, report
    assert not report.graphs_without_vectors, report
    assert set(report.rolled_back) <= doc_ids, report


def assert_searchable(kb: KnowledgeBase, embedder: Any) -> None:
    hits = Searcher(kb.store, kb.index, embedder).search("Starkregen Verl", limit=3).hits
    assert hits
    assert all(hit.passage.text for hit in hits)


def test_full_tmpfs_stops_the_run_and_keeps_the_previous_state(
    disk: Disk, data_dir: Path, tmp_path: Path, real_embedder: Any, model_dir: Path
) -> None:
    further = copy_corpus(tmp_path / "further", FURTHER)
    for name in FURTHER_NOTES:
        (further / f"{name}.md").write_text(note(name), encoding="utf-8")
    files = len(FURTHER) + len(FURTHER_NOTES)
    with pytest.MonkeyPatch.context() as patch:
        reuse_loaded_model(patch, real_embedder)
        # Opening once also lets the shard fill its sparse files (tens of MB on tmpfs).
        with reopened(data_dir, real_embedder, model_dir) as (kb, _):
            before = state(kb)
        disk.leave_free(MIN_FREE_BYTES + MARGIN)
        try:
            result = run_ingest(further, data_dir)
            assert_stopped_on_disk_full(result)
            written = int(re.search(r"Dokumente: (\d+) neu", result.stderr).group(1))  # type: ignore[union-attr]
            # The quota fallback counts allocated blocks, which RocksDB's log preallocation
            # moves by megabytes on ext4: there the run may stop at any file.
            assert 1 <= written <= files - 2 or not disk.real, result.stderr  # mid-way
            with reopened(data_dir, real_embedder, model_dir) as (kb, report):
                assert_only_rolled_back(report, set())
                assert_kept(kb, before, written)
                assert_searchable(kb, real_embedder)
        finally:
            disk.free_space()
        again = run_ingest(further, data_dir)
        assert again.exit_code == 0, again.output
        assert f"{files - written} neu" in again.stderr
        with reopened(data_dir, real_embedder, model_dir) as (kb, report):
            assert not report.changed
            final = state(kb)
    assert final.consistent()
    assert len(final.graph_passages) == len(before.graph_passages) + files


def assert_kept(kb: KnowledgeBase, before: KbState, written: int) -> None:
    """The old documents unchanged, the new ones whole, nothing of the failed one."""
    after = state(kb)
    assert after.consistent(), (after.graph_passages, after.index_passages)
    added = set(after.graph_passages) - set(before.graph_passages)
    assert len(added) == written
    assert set(before.graph_passages) <= set(after.graph_passages)
    assert {g: after.graphs[g] for g in before.graphs} == before.graphs
    added_triples = sum(kb.store.count_triples(document_graph_iri(d)) for d in added)
    assert after.triples == before.triples + added_triples
    assert after.vectors == before.vectors + sum(after.index_passages[d] for d in added)


def _raise_enospc(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


# Two new files go through the group path (begin_many, add_documents), one alone through
# the single-document path; both are patched.
LAYERS: dict[str, tuple[type, tuple[str, ...]]] = {
    "journal": (Journal, ("begin", "begin_many")),
    "vectors": (QdrantEdgeIndex, ("upsert",)),
    "graph": (OxigraphStore, ("replace_document", "add_documents")),
}


@pytest.mark.parametrize("layer", list(LAYERS))
def test_enospc_in_a_store_fails_one_file_and_changes_nothing(
    layer: str, data_dir: Path, tmp_path: Path, real_embedder: Any, model_dir: Path
) -> None:
    owner, methods = LAYERS[layer]
    folder = tmp_path / layer
    folder.mkdir()
    for name in (f"1-{layer}", f"2-notiz-{layer}"):
        (folder / f"{name}.md").write_text(note(name), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        reuse_loaded_model(patch, real_embedder)
        with reopened(data_dir, real_embedder, model_dir) as (kb, _):
            before = state(kb)
        with pytest.MonkeyPatch.context() as failing:
            for method in methods:
                failing.setattr(owner, method, _raise_enospc)
            line = assert_stopped_on_disk_full(run_ingest(folder, data_dir), not_attempted=1)
        assert f"1-{layer}" in line
        with reopened(data_dir, real_embedder, model_dir) as (kb, report):
            assert_only_rolled_back(report, {f"1-{layer}"})
            assert state(kb) == before
            assert_searchable(kb, real_embedder)
        again = run_ingest(folder, data_dir)
    assert again.exit_code == 0, again.output
    assert "Dokumente: 2 neu" in again.stderr


def test_oxigraph_reads_on_after_enospc_and_writes_again_once_space_is_free(
    tmp_path: Path,
) -> None:
    mount_point = tmp_path / "small"
    if not tmpfs.mount(mount_point, 8 * 1024 * 1024):
        pytest.skip("mounting a tmpfs is not allowed here, so RocksDB cannot run out of space")
    try:
        store = OxigraphStore(mount_point / "graph")
        written, message = _fill_until_disk_full(store)
        assert written > 0
        assert "writing to the Oxigraph store failed: disk full" in message
        assert store.count_triples() == 200 * written  # the failed transaction left nothing
        tmpfs.resize(mount_point, MIN_FREE_BYTES + 32 * 1024 * 1024)
        store.replace_document(URIRef("https://example.org/g/after"), [_triple("after", 0)])
        assert store.count_triples() == 200 * written + 1
        store.close()
        store = OxigraphStore(mount_point / "graph")
        assert store.count_triples() == 200 * written + 1
        store.close()
    finally:
        tmpfs.unmount(mount_point)


def _triple(graph: str, n: int) -> tuple[URIRef, URIRef, Literal]:
    subject = URIRef(f"https://example.org/{graph}/{n}")
    return subject, URIRef("https://example.org/text"), Literal("x" * 300)


def _fill_until_disk_full(store: OxigraphStore) -> tuple[int, str]:
    """Write 200-triple graphs until the disk is full: how many went in, and the error."""
    for written in range(10_000):
        graph = [_triple(str(written), n) for n in range(200)]
        try:
            store.replace_document(URIRef(f"https://example.org/g/{written}"), graph)
        except DiskFull as exc:
            return written, str(exc)
    raise AssertionError("the 8 MB tmpfs never filled up")


_SHARD_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import numpy as np
    from graph.errors import DiskFull
    from graph.qdrant_edge_index import QdrantEdgeIndex
    from graph.vectors import IndexIdentity, PassagePoint
    from tests.faults import tmpfs

    root, reserve = Path(sys.argv[1]), int(sys.argv[2])
    identity = IndexIdentity("test", 384, "none")
    index, out = QdrantEdgeIndex(root / "v", identity, min_free_bytes=reserve), {}
    rng, written = np.random.default_rng(0), 0
    try:
        while True:
            index.upsert([PassagePoint(f"https://example.org/p/{written + i}", "d",
                          rng.random(384, dtype=np.float32), text="x" * 6000) for i in range(50)])
            written += 50
    except DiskFull as exc:
        out["write"] = str(exc)
    out["written"] = written
    index.close()
    try:
        QdrantEdgeIndex(root / "v", identity, min_free_bytes=reserve)
    except DiskFull as exc:
        out["open"] = str(exc)
    tmpfs.resize(root, 256 * 1024 * 1024)
    reopened = QdrantEdgeIndex(root / "v", identity, min_free_bytes=reserve)
    out["count"] = reopened.count()
    reopened.close()
    print(json.dumps(out))
    """
)


def test_qdrant_edge_refuses_writes_on_a_full_disk_instead_of_dying(tmp_path: Path) -> None:
    """In a child process: without the check, this test's process would die with SIGBUS."""
    mount_point = tmp_path / "shard"
    if not tmpfs.mount(mount_point, 64 * 1024 * 1024):
        pytest.skip("mounting a tmpfs is not allowed here, so the shard cannot run out of space")
    try:
        child = subprocess.run(
            [sys.executable, "-c", _SHARD_SCRIPT, str(mount_point), str(8 * 1024 * 1024)],
            capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
        )  # fmt: skip
    finally:
        tmpfs.unmount(mount_point)
    assert child.returncode == 0, child.stderr[-2000:]
    out = json.loads(child.stdout)
    assert out["written"] > 0
    assert "writing to vector shard" in out["write"]
    assert "disk full" in out["write"]
    assert "cannot open vector shard" in out["open"]
    assert "free space" in out["open"]
    assert out["count"] == out["written"]
