"""The knowledge base: graph store and vector index kept consistent per document.

Two stores cannot share one transaction, so every document write is journaled: a journal
entry is written (fsync'd) before the vectors and the graph change and removed after both.
A crash in between leaves the entry behind; ``repair()`` on the next open puts the document
back into a state both stores agree on, and the next ingest run rewrites it from its source.
Never a graph without vectors, never orphan vectors.
"""

import errno
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from rdflib import Graph

from graph.errors import GraphError, StoreUnavailable
from graph.iris import document_graph_iri
from graph.shacl import ensure_valid
from graph.store import GraphStore, SelectResult
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
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
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

    def __init__(self, store: GraphStore, index: VectorIndex, journal_dir: Path) -> None:
        self.store = store
        self.index = index
        self.journal = Journal(journal_dir)

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
            StoreUnavailable: if the disk is full or a store fails; repair() restores order.
        """
        ensure_valid(triples)
        self.journal_begin(doc_id, content_hash, [p.passage_iri for p in points])
        with _storage_errors(doc_id):
            self.index.delete_document(doc_id)
            if points:
                self.index.upsert(points)
            self.store.replace_document(document_graph_iri(doc_id), triples)
        self.journal.end(doc_id)

    def journal_begin(self, doc_id: str, content_hash: str, passages: Sequence[str]) -> None:
        """Durable intent record; split out so crash tests can stop right after it."""
        with _storage_errors(doc_id):
            self.journal.begin(doc_id, content_hash, passages)

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document from both stores; ``False`` if it was in neither."""
        self.journal_begin(doc_id, "", [])
        with _storage_errors(doc_id):
            removed_vectors = self.index.delete_document(doc_id)
            removed_graph = self.store.delete_document(document_graph_iri(doc_id))
        self.journal.end(doc_id)
        return bool(removed_vectors) or removed_graph

    def repair(self) -> RepairReport:
        """Undo half-finished writes and drop anything only one store knows."""
        rolled_back = [str(e["doc_id"]) for e in self.journal.pending() if not self._settled(e)]
        for doc_id in rolled_back:
            self.index.delete_document(doc_id)
            self.store.delete_document(document_graph_iri(doc_id))
        for entry in self.journal.pending():
            self.journal.end(str(entry["doc_id"]))
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

    def close(self) -> None:
        """Close both stores."""
        self.index.close()
        self.store.close()


class _storage_errors:  # noqa: N801 - used as a statement-like context manager
    """Turn a full disk or an I/O failure into a domain error that says what to do."""

    def __init__(self, doc_id: str) -> None:
        self._doc_id = doc_id

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, OSError):
            reason = "disk full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
            raise StoreUnavailable(
                f"writing {self._doc_id!r} failed ({reason}); the previous state is kept, "
                "free space or fix the data directory and run the ingest again"
            ) from exc
