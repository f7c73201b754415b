"""One contract for every ``VectorIndex`` backend (qdrant-edge and qdrant-client).

The server adapter runs in qdrant-client's local mode (``:memory:``, or ``path`` where a
reopen is needed): no Qdrant server binary is available offline.
"""

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from graph.errors import IndexMismatch, StoreUnavailable
from graph.qdrant_edge_index import QdrantEdgeIndex
from graph.qdrant_server_index import QdrantServerIndex
from graph.vectors import (
    IndexIdentity,
    PassagePoint,
    VectorFilter,
    VectorIndex,
    point_id,
)

DIM = 384
IDENTITY = IndexIdentity("intfloat/multilingual-e5-small", DIM, "sha256:abc")
OTHER_MODEL = IndexIdentity("other/model", 768, "sha256:def")
AGS = [f"05{k:03d}{m:03d}" for k in (711, 754, 758) for m in range(4)]
KINDS = ["Protocol", "ProjectDescription", "EventDescription", "Page"]
TOPICS = [f"https://w3id.org/wissensnetz/topic/t{i}" for i in range(6)]

Opener = Callable[[IndexIdentity], VectorIndex]


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.standard_normal((n, DIM)).astype(np.float32)
    normalised: np.ndarray = x / np.linalg.norm(x, axis=1, keepdims=True)
    return normalised


def make_point(i: int, vector: np.ndarray, doc: str = "doc-a", **payload: object) -> PassagePoint:
    return PassagePoint(
        passage_iri=f"https://w3id.org/wissensnetz/id/passage/{doc}/{i}",
        document_id=doc,
        vector=vector,
        text=f"Passage {i}",
        **payload,  # type: ignore[arg-type]
    )


def random_points(rng: np.random.Generator, n: int) -> list[PassagePoint]:
    vectors = unit(rng, n)
    points = []
    for i in range(n):
        ags = tuple(sorted(set(rng.choice(AGS, size=rng.integers(1, 3)).tolist())))
        dated = rng.random() < 0.6
        year = int(rng.integers(2018, 2025))
        points.append(
            make_point(
                i,
                vectors[i],
                doc=f"doc-{i % 7}",
                municipalities=ags,
                kreise=tuple(sorted({a[:5] for a in ags})),
                topics=tuple(rng.choice(TOPICS, size=2, replace=False).tolist()),
                kind=str(rng.choice(KINDS)),
                year=year if rng.random() < 0.9 else None,
                date=f"{year}-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}"
                if dated
                else None,
            )
        )
    return points


@pytest.fixture(params=["edge", "server"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens the backend under test; the same location on each call (for reopen tests)."""
    opened: list[VectorIndex] = []

    def open_index(identity: IndexIdentity) -> VectorIndex:
        index: VectorIndex
        if request.param == "edge":
            index = QdrantEdgeIndex(tmp_path / "vectors", identity)
        else:
            index = QdrantServerIndex(None, None, "passages", identity, path=str(tmp_path / "q"))
        opened.append(index)
        return index

    yield open_index
    for index in opened:
        index.close()


@pytest.fixture(params=["edge", "server-memory"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorIndex]:
    idx: VectorIndex
    if request.param == "edge":
        idx = QdrantEdgeIndex(tmp_path / "vectors", IDENTITY)
    else:
        idx = QdrantServerIndex(None, None, "passages", IDENTITY, location=":memory:")
    yield idx
    idx.close()


def test_adapters_satisfy_protocol(index: VectorIndex) -> None:
    assert isinstance(index, VectorIndex)
    assert index.identity == IDENTITY


def test_point_id_is_deterministic_uuid() -> None:
    iri = "https://w3id.org/wissensnetz/id/passage/x/0"
    assert point_id(iri) == point_id(iri)
    assert point_id(iri) != point_id(iri + "1")
    assert len(point_id(iri)) == 36


def test_search_returns_nearest_first(index: VectorIndex) -> None:
    rng = np.random.default_rng(1)
    vectors = unit(rng, 50)
    index.upsert([make_point(i, vectors[i]) for i in range(50)])
    hits = index.search(vectors[17], limit=3)
    assert hits[0].passage_iri.endswith("/17")
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert hits[0].payload["text"] == "Passage 17"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_search_can_return_only_the_named_payload_fields(index: VectorIndex) -> None:
    rng = np.random.default_rng(1)
    vectors = unit(rng, 20)
    index.upsert([make_point(i, vectors[i]) for i in range(20)])
    full = index.search(vectors[5], limit=5)
    lean = index.search(vectors[5], limit=5, fields=())
    assert [(h.passage_iri, h.document_id) for h in lean] == [
        (h.passage_iri, h.document_id) for h in full
    ]
    assert [h.score for h in lean] == pytest.approx([h.score for h in full])
    assert set(lean[0].payload) == {"passage_iri", "document_id"}
    assert set(index.search(vectors[5], limit=1, fields=["kind"])[0].payload) == {
        "passage_iri", "document_id", "kind",
    }  # fmt: skip


def test_upsert_twice_is_idempotent(index: VectorIndex) -> None:
    rng = np.random.default_rng(2)
    points = random_points(rng, 40)
    index.upsert(points)
    index.upsert(points)
    assert index.count() == 40
    assert len(index.passage_iris()) == 40


def test_upsert_replaces_payload(index: VectorIndex) -> None:
    vector = unit(np.random.default_rng(3), 1)[0]
    index.upsert([make_point(0, vector, kind="Page")])
    index.upsert([make_point(0, vector, kind="Protocol")])
    assert index.count(VectorFilter(kinds=frozenset({"Protocol"}))) == 1
    assert index.count(VectorFilter(kinds=frozenset({"Page"}))) == 0


def test_delete_document_removes_only_its_points(index: VectorIndex) -> None:
    points = random_points(np.random.default_rng(4), 70)
    index.upsert(points)
    expected = sum(p.document_id == "doc-3" for p in points)
    assert index.delete_document("doc-3") == expected
    assert index.delete_document("doc-3") == 0
    assert index.count() == 70 - expected
    assert "doc-3" not in index.document_ids()
    assert index.document_ids() == {f"doc-{i}" for i in range(7)} - {"doc-3"}
    assert index.passage_iris("doc-3") == set()
    doc1 = {p.passage_iri for p in points if p.document_id == "doc-1"}
    assert index.passage_iris("doc-1") == doc1


FILTERS = {
    "municipality-any-of": VectorFilter(municipalities=frozenset({AGS[0], AGS[5]})),
    "kreis": VectorFilter(kreise=frozenset({"05754"})),
    "topic": VectorFilter(topics=frozenset({TOPICS[2]})),
    "kinds": VectorFilter(kinds=frozenset({"Protocol", "Page"})),
    "date-range": VectorFilter(date_from="2020-03-01", date_to="2022-06-30"),
    "from-year": VectorFilter(date_from="2023"),
    "to-month": VectorFilter(date_to="2019-12"),
    "documents": VectorFilter(document_ids=frozenset({"doc-2", "doc-5"})),
    "exclude": VectorFilter(exclude_municipalities=frozenset({AGS[1], AGS[2], AGS[3]})),
    "combined": VectorFilter(
        kreise=frozenset({"05711", "05758"}),
        topics=frozenset({TOPICS[0], TOPICS[1]}),
        exclude_municipalities=frozenset({AGS[8]}),
        date_from="2019-01-01",
    ),
}


@pytest.fixture(scope="module", params=["edge", "server-memory"])
def populated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[VectorIndex, list[PassagePoint]]]:
    """One index per backend with 300 random passages, shared by the filter cases."""
    idx: VectorIndex
    if request.param == "edge":
        idx = QdrantEdgeIndex(tmp_path_factory.mktemp("filters") / "vectors", IDENTITY)
    else:
        idx = QdrantServerIndex(None, None, "passages", IDENTITY, location=":memory:")
    points = random_points(np.random.default_rng(5), 300)
    idx.upsert(points)
    yield idx, points
    idx.close()


@pytest.mark.parametrize("flt", FILTERS.values(), ids=FILTERS.keys())
def test_filters_are_exact(
    populated: tuple[VectorIndex, list[PassagePoint]], flt: VectorFilter
) -> None:
    index, points = populated
    expected = {p.passage_iri for p in points if flt.matches(p.payload())}
    assert 0 < len(expected) < 300, "the fixture should exercise the filter"
    assert index.count(flt) == len(expected)
    hits = index.search(points[0].vector, limit=300, flt=flt)
    assert {h.passage_iri for h in hits} == expected


def test_empty_any_of_matches_nothing(index: VectorIndex) -> None:
    index.upsert(random_points(np.random.default_rng(6), 20))
    nothing = VectorFilter(document_ids=frozenset())
    assert index.count(nothing) == 0
    assert index.search(np.ones(DIM, np.float32), limit=5, flt=nothing) == []


def test_wrong_dimension_is_refused(index: VectorIndex) -> None:
    with pytest.raises(IndexMismatch, match="dimension 3"):
        index.search(np.ones(3, np.float32), limit=1)


def test_survives_close_and_reopen(opener: Opener) -> None:
    points = random_points(np.random.default_rng(7), 30)
    first = opener(IDENTITY)
    first.upsert(points)
    first.optimize()
    first.close()
    reopened = opener(IDENTITY)
    assert reopened.count() == 30
    assert reopened.search(points[4].vector, limit=1)[0].passage_iri == points[4].passage_iri


def test_other_identity_is_refused(opener: Opener, tmp_path: Path) -> None:
    opener(IDENTITY).close()
    with pytest.raises(IndexMismatch, match="other/model") as err:
        opener(OTHER_MODEL)
    assert "WN_EMBEDDING_MODEL" in str(err.value)
    assert str(tmp_path) in str(err.value)


def test_closed_edge_index_raises(tmp_path: Path) -> None:
    index = QdrantEdgeIndex(tmp_path / "v", IDENTITY)
    index.close()
    index.close()
    with pytest.raises(StoreUnavailable, match="closed"):
        index.count()


def test_concurrent_upserts_are_all_kept(index: VectorIndex) -> None:
    points = random_points(np.random.default_rng(8), 400)
    chunks = [points[i::4] for i in range(4)]
    threads = [threading.Thread(target=index.upsert, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert index.count() == 400


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["edge", "server-memory"])
def test_filtered_recall_at_10(backend: str, tmp_path: Path) -> None:
    """HNSW under a filter matching ~19 % must keep recall@10 >= 0.95 (measured: 1.0).

    20k random unit vectors are a worst case for HNSW (unfiltered HNSW recall is ~0.5 on
    them), so this checks that the adapters route selective filters to exact search.
    """
    n, rng = 20_000, np.random.default_rng(42)
    vectors = unit(rng, n)
    ags = rng.integers(0, 100, n)
    points = [
        PassagePoint(f"p/{i}", f"d{i // 20}", vectors[i], municipalities=(f"{ags[i]:08d}",))
        for i in range(n)
    ]
    index: VectorIndex
    if backend == "edge":
        index = QdrantEdgeIndex(tmp_path / "v", IDENTITY)
    else:
        index = QdrantServerIndex(None, None, "recall", IDENTITY, location=":memory:")
    index.upsert(points)
    index.optimize()
    allowed = np.nonzero(ags < 19)[0]
    flt = VectorFilter(municipalities=frozenset(f"{a:08d}" for a in range(19)))
    assert 0.17 < len(allowed) / n < 0.21
    recalls = []
    for query in unit(rng, 20):
        truth = {f"p/{i}" for i in allowed[np.argsort(-(vectors[allowed] @ query))[:10]]}
        found = {h.passage_iri for h in index.search(query, limit=10, flt=flt)}
        recalls.append(len(truth & found) / 10)
    index.close()
    assert float(np.mean(recalls)) >= 0.95
