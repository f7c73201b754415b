"""Builders shared by the tests: a knowledge base and an ingestor on a temporary folder."""

from pathlib import Path

from graph.backends import open_knowledge_base
from graph.embedding import Embedder
from graph.knowledge_base import KnowledgeBase
from graph.settings import GraphSettings


def make_settings(data_dir: Path, model_dir: Path, **overrides: object) -> GraphSettings:
    """Embedded stores in ``data_dir`` and the real model."""
    return GraphSettings(data_dir=data_dir, embedding_model=str(model_dir), **overrides)  # type: ignore[arg-type]


def make_kb(data_dir: Path, embedder: Embedder, model_dir: Path) -> KnowledgeBase:
    """An embedded knowledge base with reference data loaded."""
    return open_knowledge_base(make_settings(data_dir, model_dir), embedder)


def make_ingestor(kb: KnowledgeBase, embedder: Embedder):  # type: ignore[no-untyped-def]
    """The real pipeline (spaCy, gazetteers, thesaurus) into ``kb``."""
    from ingest.nlp import default_analyzer
    from ingest.pipeline import Ingestor

    return Ingestor(kb, embedder, default_analyzer())
