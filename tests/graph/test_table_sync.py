"""Searchers sharing one store notice each other's writes (``Searcher.sync``, ``change_token``).

API replicas keep a passage table and a keyword index in memory; a write through another
process must reach them without a restart. Pure logic, so the hashing embedder will do.
"""

import hashlib
from collections.abc import Iterator

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS, RDF

from graph import iris
from graph.backends import identity_of
from graph.hashing_embedder import HashingEmbedder
from graph.qdrant_server_index import QdrantServerIndex
from graph.search import Searcher
from graph.store import OxigraphStore
from graph.table_sync import change_token
from graph.vectors import PassagePoint
from ontology.namespaces import WN

EMBEDDER = HashingEmbedder()


class Shared:
    """One store and one index, written the way ``KnowledgeBase`` writes them."""

    def __init__(self) -> None:
        self.store = OxigraphStore()
        self.index = QdrantServerIndex(None, None, "p", identity_of(EMBEDDER), location=":memory:")

    def searcher(self, interval: float = 0.0) -> Searcher:
        return Searcher(self.store, self.index, EMBEDDER, sync_interval_s=interval)

    def write(self, doc_id: str, text: str, *, vectors_only: bool = False) -> None:
        passage = iris.passage_iri(doc_id, 0)
        vector = EMBEDDER.embed_passages([text])[0]
        self.index.delete_document(doc_id)
        self.index.upsert([PassagePoint(str(passage), doc_id, vector, text=text)])
        if vectors_only:
            return
        doc = iris.document_iri(doc_id)
        triples = [
            (doc, RDF.type, WN.Document),
            (doc, DCTERMS.identifier, Literal(doc_id)),
            (doc, WN.contentHash, Literal(hashlib.sha256(text.encode()).hexdigest())),
            (passage, RDF.type, WN.Passage),
            (passage, DCTERMS.isPartOf, doc),
            (passage, WN.text, Literal(text)),
        ]
        self.store.replace_document(iris.document_graph_iri(doc_id), triples)

    def delete(self, doc_id: str) -> None:
        self.index.delete_document(doc_id)
        self.store.delete_document(iris.document_graph_iri(doc_id))


@pytest.fixture
def shared() -> Iterator[Shared]:
    kb = Shared()
    kb.write("regen", "Die Starkregenkarte zeigt überflutete Straßen.")
    yield kb
    kb.index.close()
    kb.store.close()


def _documents(searcher: Searcher, query: str) -> list[str]:
    return [hit.document.id for hit in searcher.search(query).hits]


def test_change_token_follows_every_write(shared: Shared) -> None:
    first = change_token(shared.store)
    assert change_token(shared.store) == first
    shared.write("zisterne", "Zuschuss für Regenwasserzisternen.")
    added = change_token(shared.store)
    shared.write("zisterne", "Zuschuss für Regenwasserzisternen, jetzt 500 Euro.")
    replaced = change_token(shared.store)
    shared.delete("zisterne")
    assert len({first, added, replaced}) == 3
    assert change_token(shared.store) == first


def test_a_write_elsewhere_reaches_the_other_searcher(shared: Shared) -> None:
    reader = shared.searcher()
    assert reader.sync() is False
    shared.write("zisterne", "Zuschuss für Regenwasserzisternen.")
    assert "zisterne" not in _documents(reader, "Regenwasserzisternen")
    assert reader.sync() is True
    assert _documents(reader, "Regenwasserzisternen")[0] == "zisterne"
    shared.delete("zisterne")
    assert reader.sync() is True
    assert "zisterne" not in _documents(reader, "Regenwasserzisternen")


def test_sync_asks_the_store_at_most_once_per_interval(shared: Shared) -> None:
    reader = shared.searcher(interval=3600)
    shared.write("zisterne", "Zuschuss für Regenwasserzisternen.")
    assert reader.sync() is False
    reader.refresh()
    assert _documents(reader, "Regenwasserzisternen")[0] == "zisterne"


def test_vectors_without_graph_are_not_shown(shared: Shared) -> None:
    """Vectors are written first: mid-write, dense hits the table lacks stay hidden."""
    reader = shared.searcher()
    shared.write(
        "halb", "Halb geschriebenes Dokument über Regenwasserzisternen.", vectors_only=True
    )
    hits = reader.search("Regenwasserzisternen", mode="dense").hits
    assert hits
    assert all(hit.passage.text for hit in hits)
    assert "halb" not in [hit.document.id for hit in hits]
