"""How the API reaches an ingest pipeline without importing ``ingest``.

``search_api`` and ``ingest`` are independent packages (import-linter contract). The API needs
to ingest uploaded files all the same, so the pipeline registers a factory under the
entry-point group ``wissensnetz.ingestors`` (name ``default``), for example::

    [project.entry-points."wissensnetz.ingestors"]
    default = "ingest.pipeline:api_ingestor"

and the API discovers it at start-up with :func:`load_ingestor`, calling the factory as
``factory(kb, settings)`` (plus ``embedder=`` when it takes that keyword). Without a
registered ingestor the API still serves reads; uploads answer 503.
"""

import inspect
import logging
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from graph.embedding import Embedder
from graph.knowledge_base import KnowledgeBase
from graph.settings import GraphSettings

__all__ = ["ENTRY_POINT_GROUP", "DocumentIngestor", "IngestorFactory", "load_ingestor"]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "wissensnetz.ingestors"
DEFAULT_NAME = "default"


@runtime_checkable
class DocumentIngestor(Protocol):
    """Ingests single files into a knowledge base and removes documents again."""

    def ingest_file(self, path: Path, *, original_name: str) -> dict[str, Any]:
        """Read, analyse and store one file; returns the ingest summary (JSON-ready).

        ``original_name`` is the sanitised name the client sent; ``path`` may be a temporary
        file with another name.
        """

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document from graph and vectors; ``False`` if it did not exist."""


IngestorFactory = Callable[[KnowledgeBase, GraphSettings], DocumentIngestor]


def _find(name: str) -> EntryPoint | None:
    found = entry_points(group=ENTRY_POINT_GROUP, name=name)
    return next(iter(found), None)


def load_ingestor(
    kb: KnowledgeBase,
    settings: GraphSettings,
    *,
    embedder: Embedder | None = None,
    name: str = DEFAULT_NAME,
) -> DocumentIngestor | None:
    """The registered ingestor bound to ``kb``, or ``None`` if no package registers one.

    A factory that takes an ``embedder`` keyword gets the caller's loaded model, so the
    process holds one copy of the weights instead of two.

    Raises:
        TypeError: if the registered factory returns something that is not an ingestor.
    """
    entry = _find(name)
    if entry is None:
        logger.info("no ingestor registered under %s:%s; uploads are off", ENTRY_POINT_GROUP, name)
        return None
    factory: IngestorFactory = entry.load()
    if embedder is not None and "embedder" in inspect.signature(factory).parameters:
        ingestor = factory(kb, settings, embedder=embedder)  # type: ignore[call-arg]
    else:
        ingestor = factory(kb, settings)
    if not isinstance(ingestor, DocumentIngestor):
        raise TypeError(
            f"entry point {entry.value} returned {type(ingestor).__name__}, which lacks "
            "ingest_file(path, *, original_name) and delete_document(doc_id)"
        )
    logger.info("ingestor loaded from %s", entry.value)
    return ingestor
