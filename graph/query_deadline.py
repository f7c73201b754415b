"""Bounded worker threads for queries that must answer within a deadline.

pyoxigraph has no cancellation hook: a query past its timeout cannot be stopped, only
abandoned. This module owns that policy, apart from the store adapter: each query runs on
a daemon thread, the caller gets ``QueryTimeout`` on time, and a fixed number of slots keeps
abandoned queries from taking every core.
"""

import logging
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from graph.errors import QueryTimeout, StoreUnavailable

__all__ = ["DeadlineRunner", "check_deadline"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _timeout(timeout_s: float | None) -> QueryTimeout:
    return QueryTimeout(
        f"query ran longer than {timeout_s:g} s; add a LIMIT or narrow the graph patterns"
    )


def check_deadline(deadline: float | None, timeout_s: float | None) -> None:
    """Raise ``QueryTimeout`` once ``deadline`` (monotonic) has passed; called between rows."""
    if deadline is not None and time.monotonic() > deadline:
        raise _timeout(timeout_s)


class DeadlineRunner:
    """Runs ``evaluate(deadline)`` on a thread; at most ``slots`` run or linger at once.

    A query that blocks before its first row keeps its thread busy until Oxigraph finishes
    it (under ORDER BY or GROUP BY it also buffers every row, 100-200 MB a second over a large
    join, which is why :mod:`graph.sparql` refuses cartesian products up front); the caller
    gets ``QueryTimeout`` on time, and when abandoned queries hold every slot, new ones get
    ``StoreUnavailable`` within a second.
    """

    def __init__(self, slots: int) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._abandon_lock = threading.Lock()
        self._abandoned = 0

    @property
    def abandoned(self) -> int:
        """Queries past their timeout whose worker thread is still busy."""
        return self._abandoned

    def run(self, evaluate: Callable[[float], T], timeout_s: float) -> T:
        """The result of ``evaluate``, or ``QueryTimeout`` once ``timeout_s`` has passed.

        Raises:
            StoreUnavailable: if abandoned queries hold every slot for a second.
            QueryTimeout: when the deadline passes first.
        """
        # Wait briefly only: a free slot comes within milliseconds unless abandoned queries
        # hold them all, and every waiting request holds a thread of the server's pool.
        if not self._slots.acquire(timeout=min(timeout_s, 1.0)):
            raise StoreUnavailable(
                f"SPARQL is busy: {self._abandoned} earlier queries are still running past "
                "their timeout; try again in a minute"
            )
        deadline = time.monotonic() + timeout_s
        future: Future[T] = Future()
        abandoned = threading.Event()

        def work() -> None:
            try:
                future.set_result(evaluate(deadline))
            except BaseException as e:  # handed to the waiting caller
                # pyoxigraph results must be dropped on the thread that made them; the
                # traceback's frames would otherwise carry them to the caller's thread.
                traceback.clear_frames(e.__traceback__)
                future.set_exception(e)
            finally:
                with self._abandon_lock:
                    self._abandoned -= abandoned.is_set()
                self._slots.release()

        threading.Thread(target=work, name="oxigraph-query", daemon=True).start()
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()) + 0.05)
        except FutureTimeout as e:
            with self._abandon_lock:
                if not future.done():
                    abandoned.set()
                    self._abandoned += 1
            if future.done():
                return future.result()
            logger.warning("SPARQL query abandoned after %.1f s", timeout_s)
            raise _timeout(timeout_s) from e
