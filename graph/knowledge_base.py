"""The knowledge base: graph store and vector index kept consistent per document.

Two stores cannot share one transaction, so every document write is journaled: a journal
entry is written (fsync'd) before the vectors and the graph change and removed after both.
A crash in between leaves the entry behind; ``repair()`` on the next open puts the document
back into a state both stores agree on, and the next ingest run rewrites it from its source.
Never a graph without vectors, never orphan vectors. Readers in this process that look at
both stores hold ``reading()``, so they never meet a document swapped in one store only.
"""

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from rdflib import Graph

from graph import disk_space
from graph.disk_space import MIN_FREE_BYTES, is_disk_full, megabytes
from graph.errors import DiskFull, GraphError, StoreUnavailable
from graph.iris import document_graph_iri
from graph.shacl import ensure_valid
from graph.store import GraphStore, SelectResult
from graph.swap_lock import SwapLock
from graph.vectors import PassagePoint, VectorIndex
from ontology.namespaces import sparql_prologue

logger = logging.getLogger(__name__)

_HASHES = (
    sparql_prologue()
    + """SELECT ?id ?hash WHERE { GRAPH ?g {
    ?d a wn:Document ; dcterms:identifier ?id ; wn:contentHash ?hash } }"""
)
_PASSAGES = sparql_prologue() + """SELECT ?p WHERE { GRAPH <%s> { ?p a wn:Passage } }"""


class WriterLocked(GraphError):
    """Another process writes to this data directory."""


@dataclass(frozen=True)
class RepairReport:
    """What ``repair`` had to undo after a crash or a half-finished write."""

    rolled_back: tuple[str, ...] = ()
    orphan_vector_documents: tuple[str, ...] = ()
    graphs_without_vectors: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """True if anything was repaired."""
        return bool(self.rolled_back or self.orphan_vector_documents or self.graphs_without_vectors)


class WriterLock:
    """Exclusive, process-wide right to write into one data directory (flock).

    The kernel drops an flock when its process dies, so a SIGKILLed ingest never leaves a
    stale lock behind.
    """

    def __init__(self, data_dir: Path) -> None:
        self._path = Path(data_dir) / "writer.lock"
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or fail at once with a message naming the holder.

        Raises:
            WriterLocked: if another process holds it.
        """
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle = self._path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise WriterLocked(
                f"{self._path.parent} is being written by another process (pid {holder}); "
                "wait until that ingest or server has finished, or use another WN_DATA_DIR"
            ) from exc
        try:  # the pid only helps the message above; a full disk must not cost the lock
            os.ftruncate(handle.fileno(), 0)
            os.pwrite(handle.fileno(), str(os.getpid()).encode(), 0)
        except OSError:
            logger.debug("could not record the pid in %s", self._path)
        self._handle = handle

    def release(self) -> None:
        """Give the lock back (also happens when the process exits)."""
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class Journal:
    """One small file per document whose write is under way."""

    def __init__(self, directory: Path) -> None:
        self._dir = Path(directory)
        self._dir.mkdir(parents=True, exist_ok=True)

    def _file(self, doc_id: str) -> Path:
        return self._dir / (hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:32] + ".json")

    def begin(self, doc_id: str, content_hash: str, passages: Sequence[str]) -> None:
        """Record the intended write durably before either store changes."""
        entry = {"doc_id": doc_id, "content_hash": content_hash, "passages": sorted(passages)}
        target = self._file(doc_id)
        tmp = target.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(entry, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        # The rename is durable only once the directory is: else a power cut could keep the
        # stores' changes but lose the entry that lets repair() undo them.
        directory = os.open(self._dir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def end(self, doc_id: str) -> None:
        """Forget a write that reached both stores."""
        self._file(doc_id).unlink(missing_ok=True)

    def pending(self) -> list[dict[str, object]]:
        """Entries left behind by writes that did not finish (unreadable ones are dropped)."""
        entries: list[dict[str, object]] = []
        for tmp in self._dir.glob("*.tmp"):
            tmp.unlink(missing_ok=True)  # a torn journal write: the stores were not touched
        for path in sorted(self._dir.glob("*.json")):
            try:
                entries.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                logger.warning("dropping unreadable journal entry %s", path.name)
                path.unlink(missing_ok=True)
        return entries


class KnowledgeBase:
    """Graph store plus vector index, written one whole document at a time."""

    def __init__(
        self,
        store: GraphStore,
        index: VectorIndex,
        journal_dir: Path,
        *,
        min_free_bytes: int = MIN_FREE_BYTES,
    ) -> None:
        """``min_free_bytes`` must stay free on the disk of ``journal_dir`` after a write."""
        self.store = store
        self.index = index
        self.journal = Journal(journal_dir)
        self.min_free_bytes = min_free_bytes
        self._room_dir = Path(journal_dir)
        self._swaps = SwapLock()

    def reading(self) -> AbstractContextManager[None]:
        """Hold off document swaps while the caller reads both stores (not reentrant)."""
        return self._swaps.shared()

    def document_hashes(self) -> dict[str, str]:
        """Content hash of every stored document, so unchanged files are skipped."""
        result = self.store.query(_HASHES)
        assert isinstance(result, SelectResult)
        return {str(row[0]): str(row[1]) for row in result.rows if row[0] and row[1]}

    def replace_document(
        self, doc_id: str, content_hash: str, triples: Graph, points: Sequence[PassagePoint]
    ) -> None:
        """Validate, then swap one document's vectors and graph under a journal entry.

        Raises:
            ShapeViolation: if the graph breaks the shapes; nothing is written.
            DiskFull: if the disk lacks room for the write plus ``min_free_bytes``.
            StoreUnavailable: if a store fails; the half-written document is taken out of
                both stores (or, failing that, by repair() on the next open).
        """
        ensure_valid(triples)
        self._ensure_room(doc_id, _write_size(triples, points))
        self.journal_begin(doc_id, content_hash, [p.passage_iri for p in points])
        with self._swaps.exclusive(), _storage_errors(doc_id, self._room, self._undo):
            self.index.delete_document(doc_id)
            if points:
                self.index.upsert(points)
            self.store.replace_document(document_graph_iri(doc_id), triples)
        self.journal.end(doc_id)

    def journal_begin(self, doc_id: str, content_hash: str, passages: Sequence[str]) -> None:
        """Durable intent record; split out so crash tests can stop right after it."""
        with _storage_errors(doc_id, self._room):
            self.journal.begin(doc_id, content_hash, passages)

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document from both stores; ``False`` if it was in neither."""
        self.journal_begin(doc_id, "", [])
        with self._swaps.exclusive(), _storage_errors(doc_id, self._room):
            removed_vectors = self.index.delete_document(doc_id)
            removed_graph = self.store.delete_document(document_graph_iri(doc_id))
        self.journal.end(doc_id)
        return bool(removed_vectors) or removed_graph

    def repair(self, *, sweep: bool = True) -> RepairReport:
        """Undo half-finished writes and drop anything only one store knows.

        ``sweep=False`` undoes only this data directory's journal: with shared servers
        another process may be between its vector write and its graph write, and a sweep
        would take its document for an orphan.
        """
        rolled_back = [str(e["doc_id"]) for e in self.journal.pending() if not self._settled(e)]
        for doc_id in rolled_back:
            self.index.delete_document(doc_id)
            self.store.delete_document(document_graph_iri(doc_id))
        for entry in self.journal.pending():
            self.journal.end(str(entry["doc_id"]))
        if not sweep:
            report = RepairReport(tuple(rolled_back))
            if report.changed:
                logger.warning("repaired the knowledge base: %s", report)
            return report
        in_graph = set(self.document_hashes())
        in_index = self.index.document_ids()
        orphans = sorted(in_index - in_graph)
        for doc_id in orphans:
            self.index.delete_document(doc_id)
        missing = sorted(d for d in in_graph - in_index if self._passages(d))
        for doc_id in missing:
            self.store.delete_document(document_graph_iri(doc_id))
        report = RepairReport(tuple(rolled_back), tuple(orphans), tuple(missing))
        if report.changed:
            logger.warning("repaired the knowledge base: %s", report)
        return report

    def _settled(self, entry: dict[str, object]) -> bool:
        """True if both stores already hold exactly the journaled version."""
        doc_id = str(entry["doc_id"])
        expected = set(entry.get("passages") or [])  # type: ignore[call-overload]
        stored_hash = self.document_hashes().get(doc_id)
        if entry.get("content_hash") == "":
            return stored_hash is None and not self.index.passage_iris(doc_id)
        return (
            stored_hash == entry.get("content_hash")
            and self.index.passage_iris(doc_id) == expected
            and self._passages(doc_id) == expected
        )

    def _passages(self, doc_id: str) -> set[str]:
        result = self.store.query(_PASSAGES % document_graph_iri(doc_id))
        assert isinstance(result, SelectResult)
        return {str(row[0]) for row in result.rows if row[0] is not None}

    def _ensure_room(self, doc_id: str, size: int) -> None:
        """Refuse a write before it starts if it would eat into ``min_free_bytes``."""
        free = disk_space.free_bytes(self._room_dir)
        if free < self.min_free_bytes + size:
            raise _disk_full(doc_id, f"{self._room(free)}, the write needs {megabytes(size)}")

    def _room(self, free: int | None = None) -> str:
        """The free space, for a disk-full message (no path: the API passes it on)."""
        free = disk_space.free_bytes(self._room_dir) if free is None else free
        reserve = megabytes(self.min_free_bytes)
        return f"{megabytes(free)} free on the data directory's disk, {reserve} must stay free"

    def _undo(self, doc_id: str) -> None:
        """Take a half-written document out of both stores now, so no reader meets it.

        Best effort: if this fails too (the disk is still full), the journal entry stays and
        ``repair()`` finishes the job on the next open.
        """
        try:
            self.index.delete_document(doc_id)
            self.store.delete_document(document_graph_iri(doc_id))
        except (GraphError, OSError) as exc:
            logger.warning("could not roll back %r yet (%s); repair() will", doc_id, exc)
            return
        self.journal.end(doc_id)

    def close(self) -> None:
        """Close both stores."""
        self.index.close()
        self.store.close()


def _disk_full(doc_id: str, room: str) -> DiskFull:
    return DiskFull(
        f"writing {doc_id!r} failed: disk full ({room}); the other documents are unchanged. "
        "Free space on that disk, then run the ingest again (unchanged files are skipped)"
    )


def _write_size(triples: Graph, points: Sequence[PassagePoint]) -> int:
    """Generous bytes one document write may take in both stores (vectors, text, triples)."""
    return 400 * len(triples) + sum(16 * len(p.vector) + 4 * len(p.text) + 4096 for p in points)


class _storage_errors:  # noqa: N801 - used as a statement-like context manager
    """Turn a full disk or an I/O failure into a domain error that says what to do.

    ``undo`` runs first, so a document a store failed half-way through leaves both at once.
    """

    def __init__(
        self,
        doc_id: str,
        room: Callable[[], str] | None = None,
        undo: Callable[[str], None] | None = None,
    ) -> None:
        self._doc_id = doc_id
        self._room = room
        self._undo = undo

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not isinstance(exc, OSError | StoreUnavailable):
            return
        if self._undo is not None:
            self._undo(self._doc_id)
        if is_disk_full(exc):
            room = self._room() if self._room is not None else "no space left on device"
            raise _disk_full(self._doc_id, room) from exc
        if isinstance(exc, OSError):
            raise StoreUnavailable(
                f"writing {self._doc_id!r} failed ({exc.strerror or exc}); the other documents "
                "are unchanged, fix the data directory and run the ingest again"
            ) from exc
