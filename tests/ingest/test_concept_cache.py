"""The thesaurus vectors are cached on disk, and the cache never serves stale vectors."""

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rdflib import Graph

from graph.iris import THESAURUS_GRAPH
from graph.knowledge_base import KnowledgeBase
from graph.store import OxigraphStore
from ingest.concept_vectors import (
    ConceptEmbeddings,
    cache_key,
    concept_cache_file,
    concept_rows,
)
from tests.factories import make_kb, make_settings

CONCEPTS = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/concept/> .
ex:waerme a skos:Concept ; skos:prefLabel "Kommunale Wärmeplanung"@de ;
    skos:definition "Planung der Wärmeversorgung einer Gemeinde"@de .
ex:akte a skos:Concept ; skos:prefLabel "E-Akte"@de ;
    skos:definition "Elektronische Aktenführung in der Verwaltung"@de .
ex:regen a skos:Concept ; skos:prefLabel "Starkregen"@de ;
    skos:definition "%s"@de .
"""
RAIN = "Vorsorge gegen Überflutung nach heftigen Niederschlägen"


class CountingEmbedder:
    """The real encoder, recording how many texts each ``embed_passages`` call embeds."""

    def __init__(self, inner: Any, model_id: str | None = None) -> None:
        self._inner = inner
        self._model_id = model_id
        self.calls: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def model_id(self) -> str:
        """The real model's id, or another one: the same weights under a different name."""
        return self._model_id or str(self._inner.model_id)

    def embed_passages(self, texts: Sequence[str]) -> Any:
        self.calls.append(len(texts))
        return self._inner.embed_passages(texts)


def _store(rain: str = RAIN) -> OxigraphStore:
    store = OxigraphStore()
    store.replace_graph(THESAURUS_GRAPH, Graph().parse(data=CONCEPTS % rain, format="turtle"))
    return store


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    made = _store()
    yield made
    made.close()


@pytest.fixture
def counting(real_embedder: Any) -> CountingEmbedder:
    return CountingEmbedder(real_embedder)


def _fresh(embedder: Any, concepts: ConceptEmbeddings, store: OxigraphStore) -> np.ndarray:
    """The concepts' vectors embedded now, in the order of ``concepts``."""
    fresh = ConceptEmbeddings.from_store(store, embedder)
    assert fresh.iris == concepts.iris
    return fresh.vectors


def test_second_build_reads_the_vectors_it_wrote(
    store: OxigraphStore, counting: CountingEmbedder, tmp_path: Path
) -> None:
    cache = concept_cache_file(tmp_path)
    cold = ConceptEmbeddings.cached(store, counting, cache)
    warm = ConceptEmbeddings.cached(store, counting, cache)
    assert counting.calls == [3]  # the second build embedded nothing
    assert cache.is_file()
    assert (warm.iris, warm.labels) == (cold.iris, cold.labels)
    assert warm.labels == ("E-Akte", "Starkregen", "Kommunale Wärmeplanung")  # by IRI
    np.testing.assert_array_equal(warm.vectors, cold.vectors)
    assert warm.vectors.dtype == np.float32
    np.testing.assert_allclose(warm.vectors, _fresh(counting, warm, store), atol=1e-6)


def test_edited_definition_invalidates(counting: CountingEmbedder, tmp_path: Path) -> None:
    cache = tmp_path / "concepts.npz"
    before, after = _store(), _store("Hochwasserschutz und Rückhaltebecken in der Stadt")
    try:
        old = ConceptEmbeddings.cached(before, counting, cache)
        new = ConceptEmbeddings.cached(after, counting, cache)
        assert counting.calls == [3, 3]
        rain = new.labels.index("Starkregen")
        assert float(old.vectors[rain] @ new.vectors[rain]) < 0.99  # another text, new vector
        np.testing.assert_allclose(new.vectors, _fresh(counting, new, after), atol=1e-6)
        with np.load(cache) as data:
            assert str(data["key"]) == cache_key(concept_rows(after), counting)
    finally:
        before.close()
        after.close()


def test_another_model_id_invalidates(
    store: OxigraphStore, real_embedder: Any, tmp_path: Path
) -> None:
    cache = tmp_path / "concepts.npz"
    real = CountingEmbedder(real_embedder)
    renamed = CountingEmbedder(real_embedder, model_id="intfloat/multilingual-e5-base")
    assert cache_key(concept_rows(store), real) != cache_key(concept_rows(store), renamed)
    ConceptEmbeddings.cached(store, real, cache)
    ConceptEmbeddings.cached(store, renamed, cache)
    ConceptEmbeddings.cached(store, renamed, cache)
    ConceptEmbeddings.cached(store, real, cache)
    assert (real.calls, renamed.calls) == ([3, 3], [3])


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign", "wrong shape", "empty"])
def test_damaged_cache_is_rebuilt(
    store: OxigraphStore,
    counting: CountingEmbedder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    damage: str,
) -> None:
    cache = tmp_path / "concepts.npz"
    good = ConceptEmbeddings.cached(store, counting, cache)
    key = cache_key(concept_rows(store), counting)
    if damage == "garbage":
        cache.write_bytes(b"PK\x03\x04 not really a zip archive")
    elif damage == "truncated":
        cache.write_bytes(cache.read_bytes()[: cache.stat().st_size // 2])
    elif damage == "foreign":  # e.g. the fault tests' own cache format: no key at all
        np.savez(cache, iris=np.array(good.iris), vectors=good.vectors)
    elif damage == "wrong shape":
        np.savez(cache, key=np.array(key), vectors=good.vectors[:2])
    else:
        cache.write_bytes(b"")
    with caplog.at_level(logging.INFO, logger="ingest.concept_vectors"):
        rebuilt = ConceptEmbeddings.cached(store, counting, cache)
    assert counting.calls == [3, 3]
    assert any("re-embedding" in m or "unreadable" in m for m in caplog.messages)
    np.testing.assert_array_equal(rebuilt.vectors, good.vectors)
    ConceptEmbeddings.cached(store, counting, cache)
    assert counting.calls == [3, 3]  # the rebuilt file is good again


def test_unwritable_cache_costs_time_not_the_run(
    store: OxigraphStore, counting: CountingEmbedder, tmp_path: Path
) -> None:
    cache = tmp_path / "concepts.npz"
    cache.mkdir()  # neither readable nor replaceable as a file
    first = ConceptEmbeddings.cached(store, counting, cache)
    second = ConceptEmbeddings.cached(store, counting, cache)
    assert counting.calls == [3, 3]
    np.testing.assert_array_equal(first.vectors, second.vectors)
    assert [p.name for p in tmp_path.iterdir()] == ["concepts.npz"]  # no temp file left


def test_without_a_cache_nothing_is_written(
    store: OxigraphStore, counting: CountingEmbedder, tmp_path: Path
) -> None:
    made = ConceptEmbeddings.cached(store, counting, None)
    assert len(made.iris) == 3
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_api_ingestor_caches_the_thesaurus_in_the_data_dir(
    tmp_path: Path, real_embedder: Any, model_dir: Path
) -> None:
    from ingest.pipeline import api_ingestor

    data_dir = tmp_path / "data"
    settings = make_settings(data_dir, model_dir)
    kb: KnowledgeBase = make_kb(data_dir, real_embedder, model_dir)
    try:
        counting = CountingEmbedder(real_embedder)
        api_ingestor(kb, settings, counting)
        api_ingestor(kb, settings, counting)
        assert len(counting.calls) == 1
        assert counting.calls[0] > 100  # the whole packaged thesaurus
        cache = concept_cache_file(data_dir)
        assert cache.is_file()
        cached = ConceptEmbeddings.cached(kb.store, counting, cache)
        assert len(counting.calls) == 1
        fresh = ConceptEmbeddings.from_store(kb.store, real_embedder)
        assert (cached.iris, cached.labels) == (fresh.iris, fresh.labels)
        np.testing.assert_allclose(cached.vectors, fresh.vectors, atol=1e-6)
    finally:
        kb.close()
