"""The write side of a data directory on disk: the writer lock and the write journal.

Split from ``graph.knowledge_base``: these two own files in the data directory and know
nothing of the stores, which the knowledge base keeps consistent with their help.
"""

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from graph.errors import GraphError

__all__ = ["Journal", "WriterLock", "WriterLocked"]

logger = logging.getLogger(__name__)


class WriterLocked(GraphError):
    """Another process writes to this data directory."""


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
    """One small file per document, or per group of documents, whose write is under way.

    A file holds one entry, or a list of entries for documents written together: a group
    costs one fsync'd file instead of one per document (about 1 ms each).
    """

    def __init__(self, directory: Path) -> None:
        self._dir = Path(directory)
        self._dir.mkdir(parents=True, exist_ok=True)

    def _file(self, key: str) -> Path:
        return self._dir / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".json")

    def begin(self, doc_id: str, content_hash: str, passages: Sequence[str]) -> None:
        """Record the intended write durably before either store changes."""
        self._write(self._file(doc_id), _entry(doc_id, content_hash, passages))

    def begin_many(self, entries: Sequence[tuple[str, str, Sequence[str]]]) -> None:
        """One durable record for several documents: (doc_id, content_hash, passages) each."""
        if entries:
            body = [_entry(*entry) for entry in entries]
            self._write(self._file(_group_key([e[0] for e in entries])), body)

    def _write(self, target: Path, body: object) -> None:
        tmp = target.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(body, handle)
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

    def end_many(self, doc_ids: Sequence[str]) -> None:
        """Forget the record ``begin_many`` wrote for these documents."""
        self._file(_group_key(doc_ids)).unlink(missing_ok=True)

    def pending(self) -> list[dict[str, object]]:
        """Entries left behind by writes that did not finish (unreadable ones are dropped)."""
        entries: list[dict[str, object]] = []
        for tmp in self._dir.glob("*.tmp"):
            tmp.unlink(missing_ok=True)  # a torn journal write: the stores were not touched
        for path in sorted(self._dir.glob("*.json")):
            try:
                body = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                logger.warning("dropping unreadable journal entry %s", path.name)
                path.unlink(missing_ok=True)
                continue
            entries.extend(body if isinstance(body, list) else [body])
        return entries

    def clear(self) -> None:
        """Forget every entry, once ``repair()`` has settled them all."""
        for path in self._dir.glob("*.json"):
            path.unlink(missing_ok=True)


def _entry(doc_id: str, content_hash: str, passages: Sequence[str]) -> dict[str, object]:
    return {"doc_id": doc_id, "content_hash": content_hash, "passages": sorted(passages)}


def _group_key(doc_ids: Sequence[str]) -> str:
    return "group\n" + "\n".join(doc_ids)
