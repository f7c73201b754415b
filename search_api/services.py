"""The services an app instance uses, built once in the lifespan and kept on ``app.state``."""

import logging
from dataclasses import dataclass, field

from graph.backends import open_embedder, open_knowledge_base
from graph.embedding import Embedder
from graph.entities import EntityReader
from graph.experts import ExperienceFinder
from graph.ingestion import DocumentIngestor, load_ingestor
from graph.journal import WriterLock
from graph.knowledge_base import KnowledgeBase
from graph.search import Searcher
from graph.sparql import SparqlService
from graph.speakers import SpeakerFinder
from search_api.settings import ApiSettings
from search_api.uploads import UploadDesk

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a request handler may call; no module globals."""

    settings: ApiSettings
    kb: KnowledgeBase
    embedder: Embedder
    sparql: SparqlService
    searcher: Searcher
    experts: ExperienceFinder
    speakers: SpeakerFinder
    entities: EntityReader
    uploads: UploadDesk
    lock: WriterLock | None = field(default=None, repr=False)

    def close(self) -> None:
        """Release stores and the writer lock."""
        self.kb.close()
        if self.lock is not None:
            self.lock.release()


def assemble(
    settings: ApiSettings,
    kb: KnowledgeBase,
    embedder: Embedder,
    ingestor: DocumentIngestor | None = None,
    lock: WriterLock | None = None,
) -> Services:
    """Services over an opened knowledge base (tests hand in their own ``kb``)."""
    searcher = Searcher(kb.store, kb.index, embedder)
    sparql = SparqlService(kb.store, settings.sparql_timeout_s, settings.sparql_row_cap)
    uploads = UploadDesk(ingestor, searcher, settings.upload_dir, settings.max_upload_bytes)
    return Services(
        settings=settings,
        kb=kb,
        embedder=embedder,
        sparql=sparql,
        searcher=searcher,
        experts=ExperienceFinder(searcher),
        speakers=SpeakerFinder(searcher),
        entities=EntityReader(searcher),
        uploads=uploads,
        lock=lock,
    )


def build_services(settings: ApiSettings) -> Services:
    """Open model, stores and query services; the data directory is locked for writing."""
    lock = WriterLock(settings.data_dir)
    lock.acquire()
    try:
        embedder = open_embedder(settings)
        kb = open_knowledge_base(settings, embedder)
        ingestor = load_ingestor(kb, settings, embedder=embedder)
        services = assemble(settings, kb, embedder, ingestor, lock)
    except BaseException:
        lock.release()
        raise
    logger.info("services ready (store=%s, vectors=%s)", settings.store, settings.vectors)
    return services
