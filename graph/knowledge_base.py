"""The knowledge base: graph store and vector index kept consistent per document.

Two stores cannot share one transaction, so every document write is journaled: a journal
entry is written (fsync'd) before the vectors and the graph change and removed after both.
A crash in between leaves the entry behind; ``repair()`` on the next open puts the document
back into a state both stores agree on, and the next ingest run rewrites it from its source.
Never a graph without vectors, never orphan vectors. Readers in this process that look at
both stores hold ``reading()``, so they never meet a document swapped in one store only.
"""

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from rdflib import Graph

from graph import disk_space
from graph.disk_space import MIN_FREE_BYTES, is_disk_full, megabytes
from graph.errors import DiskFull, GraphError, ShapeViolation, StoreUnavailable
from graph.iris import document_graph_iri
from graph.journal import Journal
from graph.shacl import ensure_valid
from graph.store import GraphStore, SelectResult
from graph.swap_lock import SwapLock
from graph.vectors import PassagePoint, VectorIndex
from ontology.namespaces import WN, sparql_prologue

logger = logging.getLogger(__name__)

_HASHES = (
    sparql_prologue()
    + """SELECT ?id ?hash WHERE { GRAPH ?g {
    ?d a wn:Document ; dcterms:identifier ?id ; wn:contentHash ?hash } }"""
)
_PASSAGES = sparql_prologue() + """SELECT ?p WHERE { GRAPH <%s> { ?p a wn:Passage } }"""


class NotAttempted(GraphError):
    """Left unwritten: a store failure on another document of the same batch stopped it."""


@dataclass(frozen=True)
class DocumentWrite:
    """One document for ``replace_documents``.

    ``new`` says the caller found no stored version. It only picks the fast path: a stored
    graph is replaced in its own transaction either way.
    """

    doc_id: str
    content_hash: str
    triples: Graph
    points: Sequence[PassagePoint]
    new: bool = False


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
        self._replace_valid(DocumentWrite(doc_id, content_hash, triples, points))

    def _replace_valid(self, write: DocumentWrite) -> None:
        doc_id, points = write.doc_id, write.points
        self._ensure_room(doc_id, _write_size(write.triples, points))
        self.journal_begin(doc_id, write.content_hash, _passage_iris(points))
        with self._swaps.exclusive(), _storage_errors(doc_id, self._room, self._undo):
            self.index.delete_document(doc_id)
            if points:
                self.index.upsert(points)
            self.store.replace_document(document_graph_iri(doc_id), write.triples)
        self.journal.end(doc_id)

    def replace_documents(self, writes: Sequence[DocumentWrite]) -> list[GraphError | None]:
        """Store several documents; per document ``None`` or the error that kept it out.

        New documents share one vector upsert and one graph bulk load (the ingest writes
        groups of files); stored ones are replaced one at a time as by ``replace_document``,
        and so are all of them when the disk lacks room for the whole batch, so that as many
        as fit get in. A shape violation fails its document only. A store failure
        (``StoreUnavailable``, ``DiskFull``) fails the document it hit; the documents it kept
        out come back as ``NotAttempted``, with nothing of them stored.
        """
        results: list[GraphError | None] = [None] * len(writes)
        for i, write in enumerate(writes):
            try:
                ensure_valid(write.triples)
            except ShapeViolation as exc:
                results[i] = exc
        valid = [i for i, r in enumerate(results) if r is None]
        together = [i for i in valid if writes[i].new]
        size = sum(_write_size(writes[i].triples, writes[i].points) for i in together)
        if len(together) < 2 or not self._has_room(size):
            together = []
        for i in (i for i in valid if i not in together):
            try:
                self._replace_valid(writes[i])
            except StoreUnavailable as exc:
                return _stopped(results, i, exc, [j for j in valid if j > i or j in together])
            except GraphError as exc:
                results[i] = exc
        if together:
            try:
                self._write_together([writes[i] for i in together])
            except StoreUnavailable as exc:
                return _stopped(results, together[0], exc, together[1:])
        return results

    def _write_together(self, writes: Sequence[DocumentWrite]) -> None:
        """New documents in one vector upsert and one graph bulk load, under one journal entry."""
        doc_ids = [w.doc_id for w in writes]
        entries = [(w.doc_id, w.content_hash, _passage_iris(w.points)) for w in writes]
        with _storage_errors(doc_ids[0], self._room):
            self.journal.begin_many(entries)

        def undo(_: str) -> None:
            undone = [self._undo(doc_id) for doc_id in doc_ids]  # every one, not up to a failure
            if all(undone):
                self.journal.end_many(doc_ids)

        with self._swaps.exclusive(), _storage_errors(doc_ids[0], self._room, undo):
            for doc_id in doc_ids:
                self.index.delete_document(doc_id)
            self.index.upsert([p for w in writes for p in w.points])
            graphs = [(document_graph_iri(w.doc_id), w.triples) for w in writes]
            self.store.add_documents(graphs, marker=WN.contentHash)
        self.journal.end_many(doc_ids)

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
        pending = self.journal.pending()
        hashes = self.document_hashes() if pending else {}  # once, not per entry of a group
        rolled_back = [str(e["doc_id"]) for e in pending if not self._settled(e, hashes)]
        for doc_id in rolled_back:
            self.index.delete_document(doc_id)
            self.store.delete_document(document_graph_iri(doc_id))
        self.journal.clear()
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

    def _settled(self, entry: dict[str, object], hashes: dict[str, str]) -> bool:
        """True if both stores already hold exactly the journaled version."""
        doc_id = str(entry["doc_id"])
        expected = set(entry.get("passages") or [])  # type: ignore[call-overload]
        stored_hash = hashes.get(doc_id)
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

    def _has_room(self, size: int) -> bool:
        return disk_space.free_bytes(self._room_dir) >= self.min_free_bytes + size

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

    def _undo(self, doc_id: str) -> bool:
        """Take a half-written document out of both stores now, so no reader meets it.

        Best effort: if this fails too (the disk is still full), the journal entry stays and
        ``repair()`` finishes the job on the next open.
        """
        try:
            self.index.delete_document(doc_id)
            self.store.delete_document(document_graph_iri(doc_id))
        except (GraphError, OSError) as exc:
            logger.warning("could not roll back %r yet (%s); repair() will", doc_id, exc)
            return False
        self.journal.end(doc_id)
        return True

    def close(self) -> None:
        """Close both stores."""
        self.index.close()
        self.store.close()


def _disk_full(doc_id: str, room: str) -> DiskFull:
    return DiskFull(
        f"writing {doc_id!r} failed: disk full ({room}); the other documents are unchanged. "
        "Free space on that disk, then run the ingest again (unchanged files are skipped)"
    )


def _passage_iris(points: Sequence[PassagePoint]) -> list[str]:
    return [p.passage_iri for p in points]


def _stopped(
    results: list[GraphError | None], at: int, error: StoreUnavailable, left_out: Sequence[int]
) -> list[GraphError | None]:
    """The results of a batch that a store failure at ``at`` stopped."""
    results[at] = error
    for i in left_out:
        if results[i] is None:
            results[i] = NotAttempted(f"not written: the stores failed first ({error})")
    return results


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
        undo: Callable[[str], object] | None = None,
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
