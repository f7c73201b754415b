"""``SwapLock``: readers of both stores share it, a document swap takes it alone.

The graph store and the vector index cannot share a transaction, so between the vector swap
and the graph swap of one document a reader in the same process would see the new vectors
next to the old graph. Readers that compare or combine both stores hold the shared side; a
write holds the exclusive side for the few milliseconds the two swaps take. Other processes
cannot open the embedded stores while this one has them open (RocksDB's lock), so an
in-process lock is enough.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["SwapLock"]


class SwapLock:
    """Many readers or one writer; a waiting writer goes before new readers.

    Not reentrant: a thread that holds either side must not take it again (a waiting writer
    would deadlock it).
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Hold off swaps while the caller reads."""
        with self._changed:
            while self._writing or self._writers_waiting:
                self._changed.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                if not self._readers:
                    self._changed.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Wait for current readers, keep new ones out while the caller swaps."""
        with self._changed:
            self._writers_waiting += 1
            try:
                while self._writing or self._readers:
                    self._changed.wait()
            finally:
                self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()
