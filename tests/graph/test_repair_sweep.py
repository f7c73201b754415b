"""repair(): the orphan sweep runs only where this process is the only writer."""

from pathlib import Path

import numpy as np

from graph.knowledge_base import KnowledgeBase
from graph.qdrant_server_index import QdrantServerIndex
from graph.store import OxigraphStore
from graph.vectors import IndexIdentity, PassagePoint


def _kb(tmp_path: Path) -> KnowledgeBase:
    identity = IndexIdentity("test-model", 4, "sha256:0")
    index = QdrantServerIndex(None, None, "passages", identity, location=":memory:")
    return KnowledgeBase(OxigraphStore(), index, tmp_path / "journal")


def test_without_sweep_vectors_another_writer_has_in_flight_stay(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    vector = np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)
    # What a second process leaves between its vector write and its graph write:
    kb.index.upsert([PassagePoint("urn:p/1", "in-flight", vector)])
    assert kb.repair(sweep=False).changed is False
    assert kb.index.document_ids() == {"in-flight"}
    report = kb.repair()
    assert report.orphan_vector_documents == ("in-flight",)
    assert kb.index.document_ids() == set()


def test_without_sweep_the_own_journal_is_still_undone(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    vector = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
    kb.journal_begin("crashed", "sha256:" + "0" * 64, ["urn:p/2"])
    kb.index.upsert([PassagePoint("urn:p/2", "crashed", vector)])
    report = kb.repair(sweep=False)
    assert report.rolled_back == ("crashed",)
    assert kb.index.document_ids() == set()
    assert kb.journal.pending() == []
