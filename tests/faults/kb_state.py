"""What the fault tests compare: a knowledge base's visible state, and a way to reopen it.

Also the one speed-up they share: the CLI's model loader and the thesaurus embeddings are
pointed at the session's loaded model, so an in-process ``wissensnetz ingest`` costs the
documents, not 20 s of loading. Same model, same vectors; only the loading is skipped.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graph.backends import identity_of, journal_dir, open_index, open_store
from graph.embedding import Embedder
from graph.knowledge_base import KnowledgeBase, RepairReport
from graph.reference import load_reference_data
from graph.store import SelectResult
from graph.vectors import VectorFilter
from ontology.namespaces import sparql_prologue
from tests.factories import make_settings

_PASSAGES_PER_DOCUMENT = (
    sparql_prologue()
    + """SELECT ?id (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g {
    ?d a wn:Document ; dcterms:identifier ?id .
    OPTIONAL { ?p a wn:Passage ; dcterms:isPartOf ?d } } } GROUP BY ?id"""
)


@dataclass(frozen=True)
class KbState:
    """Documents, passages, triples and vectors as readers see them."""

    graph_passages: dict[str, int]  # document id -> passages in its graph
    index_passages: dict[str, int]  # document id -> vectors in the index
    triples: int
    vectors: int
    graphs: dict[str, str]  # document graph IRI -> digest of its sorted N-Triples

    def consistent(self) -> bool:
        """Every document has as many vectors as passages, and no vector lacks its graph."""
        return self.graph_passages == self.index_passages


def passage_counts(kb: KnowledgeBase) -> tuple[dict[str, int], dict[str, int]]:
    """Passages per document in the graph and in the vector index."""
    result = kb.store.query(_PASSAGES_PER_DOCUMENT)
    assert isinstance(result, SelectResult)
    in_graph = {str(row[0]): int(str(row[1])) for row in result.rows}
    in_index = {
        doc: kb.index.count(VectorFilter(document_ids=frozenset({doc})))
        for doc in kb.index.document_ids() | set(in_graph)
    }
    return in_graph, {doc: n for doc, n in in_index.items() if n or doc in in_graph}


def state(kb: KnowledgeBase) -> KbState:
    """The state of ``kb`` now (read under ``reading()``, so never mid-swap)."""
    with kb.reading():
        in_graph, in_index = passage_counts(kb)
        graphs = {
            str(g): hashlib.sha256(
                b"".join(sorted(kb.store.dump("nt", g).splitlines()))
            ).hexdigest()
            for g in kb.store.graph_iris()
            if "/document/" in str(g)
        }
        return KbState(in_graph, in_index, kb.store.count_triples(), kb.index.count(), graphs)


@contextmanager
def reopened(
    data_dir: Path, embedder: Embedder, model_dir: Path
) -> Iterator[tuple[KnowledgeBase, RepairReport]]:
    """Open the data directory as the CLI does and return what ``repair()`` reported."""
    settings = make_settings(data_dir, model_dir)
    store = open_store(settings)
    try:
        load_reference_data(store)
        index = open_index(settings, identity_of(embedder))
    except BaseException:
        store.close()
        raise
    kb = KnowledgeBase(store, index, journal_dir(settings.data_dir))
    try:
        yield kb, kb.repair()
    finally:
        kb.close()


def reuse_loaded_model(monkeypatch: pytest.MonkeyPatch, embedder: Any) -> None:
    """Let in-process CLI runs use the session's model and embed the thesaurus only once."""
    from ingest.concept_vectors import ConceptEmbeddings

    computed: list[ConceptEmbeddings] = []
    original = ConceptEmbeddings.from_store.__func__  # type: ignore[attr-defined]

    def cached(cls: type[ConceptEmbeddings], store: Any, model: Any) -> ConceptEmbeddings:
        if not computed:
            computed.append(original(cls, store, model))
        return computed[0]

    monkeypatch.setattr("graph.backends.open_embedder", lambda settings, load=True: embedder)
    monkeypatch.setattr(ConceptEmbeddings, "from_store", classmethod(cached))
