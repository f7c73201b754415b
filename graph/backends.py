"""Build the configured store, index and encoder: embedded by default, servers by setting.

Scale-out is configuration: ``WN_STORE=sparql`` plus endpoint URLs for the graph,
``WN_VECTORS=server`` plus ``WN_QDRANT_URL`` for the vectors. Callers are composition roots
(CLI commands, ``create_app``) that pass their settings in.
"""

import logging
from pathlib import Path

from graph.embedding import Embedder, SentenceTransformerEmbedder
from graph.endpoint_store import SparqlEndpointStore
from graph.knowledge_base import KnowledgeBase
from graph.qdrant_edge_index import QdrantEdgeIndex
from graph.qdrant_server_index import QdrantServerIndex
from graph.reference import load_reference_data
from graph.settings import GraphSettings
from graph.store import GraphStore, OxigraphStore
from graph.vectors import IndexIdentity, VectorIndex

logger = logging.getLogger(__name__)


def open_store(settings: GraphSettings) -> GraphStore:
    """The graph store the settings name."""
    if settings.store == "sparql":
        assert settings.sparql_query_url is not None  # checked by the settings model
        return SparqlEndpointStore(
            settings.sparql_query_url, settings.sparql_update_url, settings.sparql_timeout_s
        )
    settings.graph_dir.mkdir(parents=True, exist_ok=True)
    return OxigraphStore(settings.graph_dir)


def open_embedder(settings: GraphSettings, *, load: bool = True) -> SentenceTransformerEmbedder:
    """The encoder; loading reads the weights (seconds), so callers may defer it."""
    embedder = SentenceTransformerEmbedder(
        settings.embedding_model, threads=settings.embedding_threads
    )
    if load:
        embedder.load()
    return embedder


def identity_of(embedder: Embedder) -> IndexIdentity:
    """What the vector index records about the model that filled it."""
    return IndexIdentity(embedder.model_id, embedder.dimension, embedder.checksum)


def open_index(settings: GraphSettings, identity: IndexIdentity) -> VectorIndex:
    """The vector index the settings name, refusing one built with another model."""
    if settings.vectors == "server":
        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return QdrantServerIndex(settings.qdrant_url, key, settings.collection, identity)
    settings.vector_dir.mkdir(parents=True, exist_ok=True)
    return QdrantEdgeIndex(settings.vector_dir, identity)


def open_knowledge_base(settings: GraphSettings, embedder: Embedder) -> KnowledgeBase:
    """Store and index together, reference data loaded, half-finished writes repaired."""
    store = open_store(settings)
    load_reference_data(store)
    index = open_index(settings, identity_of(embedder))
    kb = KnowledgeBase(store, index, journal_dir(settings.data_dir))
    # The orphan sweep is safe only where this process is the only writer (embedded stores).
    kb.repair(sweep=settings.store == "oxigraph" and settings.vectors == "edge")
    return kb


def journal_dir(data_dir: Path) -> Path:
    """Where the write journal of a data directory lives."""
    return Path(data_dir) / "journal"
