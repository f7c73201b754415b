"""The Qdrant REST shim, driven by ``QdrantServerIndex`` over HTTP as a real server would be.

The contract suite runs the server adapter in local mode only; here its server code path
(payload indexes, the estimated count before each search, ``SearchParams``, facets, scroll,
collection metadata, the API key) goes through qdrant-client's REST transport to the shim,
and the contract's filter cases must give the same answers as local mode does in-process.
"""

from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from graph.errors import IndexMismatch, StoreUnavailable
from graph.qdrant_server_index import IDENTITY_KEY, QdrantServerIndex
from graph.vectors import INTEGER_FIELDS, KEYWORD_FIELDS, PassagePoint, VectorFilter
from tests.graph.test_vector_contract import FILTERS, IDENTITY, OTHER_MODEL, random_points
from tests.scaleout.processes import QDRANT_KEY

pytestmark = [
    pytest.mark.server,
    pytest.mark.filterwarnings("ignore:Api key is used with an insecure connection:UserWarning"),
]


@pytest.fixture(scope="module")
def populated(qdrant_shim: str) -> Iterator[tuple[QdrantServerIndex, list[PassagePoint]]]:
    """300 random passages in the collection ``contract`` behind the shim."""
    index = QdrantServerIndex(qdrant_shim, QDRANT_KEY, "contract", IDENTITY)
    points = random_points(np.random.default_rng(5), 300)
    index.upsert(points)
    yield index, points
    index.close()


def _get(url: str, key: str | None = QDRANT_KEY) -> httpx.Response:
    return httpx.get(url, headers={"api-key": key} if key else {}, timeout=10)


@pytest.mark.parametrize("flt", FILTERS.values(), ids=FILTERS.keys())
def test_filters_are_exact_over_http(
    populated: tuple[QdrantServerIndex, list[PassagePoint]], flt: VectorFilter
) -> None:
    index, points = populated
    expected = {p.passage_iri for p in points if flt.matches(p.payload())}
    assert index.count(flt) == len(expected)
    hits = index.search(points[0].vector, limit=300, flt=flt)
    assert {h.passage_iri for h in hits} == expected


def test_nearest_first_with_payload(
    populated: tuple[QdrantServerIndex, list[PassagePoint]],
) -> None:
    index, points = populated
    hits = index.search(points[17].vector, limit=3)
    assert hits[0].passage_iri == points[17].passage_iri
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert hits[0].payload["text"] == "Passage 17"


def test_facets_scroll_and_delete(qdrant_shim: str) -> None:
    index = QdrantServerIndex(qdrant_shim, QDRANT_KEY, "deletes", IDENTITY)
    points = random_points(np.random.default_rng(4), 70)
    index.upsert(points)
    doc3 = {p.passage_iri for p in points if p.document_id == "doc-3"}
    assert index.document_ids() == {f"doc-{i}" for i in range(7)}
    assert index.passage_iris("doc-3") == doc3
    assert index.delete_document("doc-3") == len(doc3)
    assert index.delete_document("doc-3") == 0
    assert index.count() == 70 - len(doc3)
    assert len(index.passage_iris()) == 70 - len(doc3)
    index.optimize()  # the shim reports green at once
    index.close()


def test_collection_records_identity_and_payload_indexes(
    populated: tuple[QdrantServerIndex, list[PassagePoint]], qdrant_shim: str
) -> None:
    body: dict[str, Any] = _get(f"{qdrant_shim}/collections/contract").json()
    assert set(body) == {"result", "status", "time"}
    assert body["status"] == "ok"
    info = body["result"]
    assert info["config"]["metadata"][IDENTITY_KEY] == IDENTITY.to_dict()
    assert set(info["payload_schema"]) == set(KEYWORD_FIELDS) | set(INTEGER_FIELDS)
    assert info["payload_schema"]["year"]["data_type"] == "integer"
    assert info["points_count"] == 300


def test_other_model_is_refused(
    populated: tuple[QdrantServerIndex, list[PassagePoint]], qdrant_shim: str
) -> None:
    with pytest.raises(IndexMismatch, match="other/model"):
        QdrantServerIndex(qdrant_shim, QDRANT_KEY, "contract", OTHER_MODEL)


def test_api_key_is_checked(qdrant_shim: str) -> None:
    missing = _get(f"{qdrant_shim}/collections", key=None)
    assert missing.status_code == 401
    assert "error" in missing.json()["status"]
    assert _get(f"{qdrant_shim}/collections", key="wrong").status_code == 403
    assert _get(f"{qdrant_shim}/readyz", key=None).status_code == 200
    with pytest.raises(StoreUnavailable, match="403"):
        QdrantServerIndex(qdrant_shim, "wrong", "contract", IDENTITY)


def test_unknown_collection_is_a_404_envelope(qdrant_shim: str) -> None:
    response = _get(f"{qdrant_shim}/collections/nope")
    assert response.status_code == 404
    assert "doesn't exist" in response.json()["status"]["error"]
    assert _get(f"{qdrant_shim}/collections/nope/exists").json()["result"] == {"exists": False}
