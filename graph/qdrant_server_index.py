"""``QdrantServerIndex``: the passage vectors in a Qdrant server (or qdrant-client local mode).

The only module that imports ``qdrant_client``. The embedding identity lives in the
collection metadata (Qdrant >= 1.16), which local mode supports too, so the same check
runs against a cluster and against ``location=":memory:"`` in tests.
"""

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy.typing as npt
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from graph.errors import IndexMismatch, StoreUnavailable
from graph.vectors import (
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
    IndexIdentity,
    PassagePoint,
    VectorFilter,
    VectorHit,
    as_query_vector,
    hit_from_payload,
    payload_selector,
)

__all__ = ["QdrantServerIndex"]

logger = logging.getLogger(__name__)

IDENTITY_KEY = "wissensnetz_identity"
_BATCH = 256
_SCROLL_PAGE = 2048
_LOCAL_LOCATION = ":memory:"


@contextmanager
def _reachable(what: str) -> Iterator[None]:
    """Turn transport and server errors into ``StoreUnavailable`` with the failed step."""
    try:
        yield
    except (ResponseHandlingException, UnexpectedResponse, OSError) as e:
        raise StoreUnavailable(f"Qdrant {what} failed: {e}") from e


class QdrantServerIndex:
    """Passage index in one Qdrant collection (cosine distance).

    Pass ``url`` (and ``api_key``) for a server or cluster, ``location=":memory:"`` for an
    in-process index in tests, or ``path`` for qdrant-client's on-disk local mode. Local
    mode always searches exactly and has no payload indexes, so neither is requested there.
    On a server, search is exact while at most ``exact_threshold`` points pass the filter
    (HNSW loses recall under selective filters) and HNSW with ACORN above it.
    """

    def __init__(
        self,
        url: str | None,
        api_key: str | None,
        collection: str,
        identity: IndexIdentity,
        *,
        location: str | None = None,
        path: str | None = None,
        shard_number: int | None = None,
        replication_factor: int | None = None,
        write_consistency_factor: int | None = None,
        timeout: int | None = None,
        exact_threshold: int = 50_000,
        hnsw_ef: int = 128,
    ) -> None:
        """Connect and open ``collection``, creating it with payload indexes if missing.

        Raises:
            ValueError: unless exactly one of ``url``, ``location`` and ``path`` is given.
            IndexMismatch: if the collection was built with another embedding model.
            StoreUnavailable: if the server cannot be reached.
        """
        if sum(x is not None for x in (url, location, path)) != 1:
            raise ValueError("give exactly one of url (server), location (':memory:') or path")
        self._collection = collection
        self._identity = identity
        self._local = url is None
        self._exact_threshold = exact_threshold
        self._hnsw_ef = hnsw_ef
        self._lock = threading.Lock()
        self._where = url or path or location or ""
        with _reachable(f"connection to {self._where}"):
            self._client = QdrantClient(
                url=url, api_key=api_key, location=location, path=path, timeout=timeout
            )
        self._open_collection(shard_number, replication_factor, write_consistency_factor)

    @property
    def identity(self) -> IndexIdentity:
        """Model id, dimension and checksum the index was built with."""
        return self._identity

    def upsert(self, points: Sequence[PassagePoint]) -> None:
        """Insert or replace passages in batches; ids derive from the passage IRIs."""
        for start in range(0, len(points), _BATCH):
            batch = [
                models.PointStruct(
                    id=p.point_id,
                    vector=as_query_vector(p.vector, self._identity.dimension),
                    payload=p.payload(),
                )
                for p in points[start : start + _BATCH]
            ]
            with self._lock, _reachable("upsert"):
                self._client.upsert(self._collection, batch, wait=True)
        logger.debug("upserted %d points", len(points))

    def delete_document(self, document_id: str) -> int:
        """Remove a document's passages; returns how many there were."""
        doc_filter = _to_filter(VectorFilter(document_ids=frozenset({document_id})))
        assert doc_filter is not None  # a document id condition always yields a filter
        with self._lock, _reachable("delete"):
            removed = self._client.count(self._collection, count_filter=doc_filter).count
            if removed:
                selector = models.FilterSelector(filter=doc_filter)
                self._client.delete(self._collection, points_selector=selector, wait=True)
        return removed

    def search(
        self,
        vector: npt.ArrayLike,
        limit: int,
        flt: VectorFilter | None = None,
        *,
        fields: Sequence[str] | None = None,
    ) -> list[VectorHit]:
        """Nearest passages by cosine similarity, exact below the candidate threshold."""
        query = as_query_vector(vector, self._identity.dimension)
        if limit <= 0 or (flt is not None and flt.is_unsatisfiable):
            return []
        qfilter = _to_filter(flt)
        with _reachable("search"):
            response = self._client.query_points(
                self._collection,
                query=query,
                query_filter=qfilter,
                search_params=self._search_params(qfilter),
                limit=limit,
                with_payload=payload_selector(fields),
            )
        return [hit_from_payload(p.score, p.payload) for p in response.points]

    def count(self, flt: VectorFilter | None = None) -> int:
        """Exact number of passages passing ``flt``."""
        if flt is not None and flt.is_unsatisfiable:
            return 0
        with _reachable("count"):
            result = self._client.count(self._collection, count_filter=_to_filter(flt), exact=True)
        return result.count

    def document_ids(self) -> set[str]:
        """Ids of documents with at least one passage (a facet over ``document_id``)."""
        with _reachable("facet"):
            limit = max(1, self._client.count(self._collection, exact=False).count)
            facet = self._client.facet(self._collection, "document_id", limit=limit, exact=True)
        return {str(hit.value) for hit in facet.hits if hit.count > 0}

    def passage_iris(self, document_id: str | None = None) -> set[str]:
        """IRIs of all passages, or of one document's, by scrolling the payload."""
        flt = None if document_id is None else VectorFilter(document_ids=frozenset({document_id}))
        qfilter = _to_filter(flt)
        iris: set[str] = set()
        offset: Any = None
        while True:
            with _reachable("scroll"):
                records, offset = self._client.scroll(
                    self._collection,
                    scroll_filter=qfilter,
                    limit=_SCROLL_PAGE,
                    offset=offset,
                    with_payload=["passage_iri"],
                )
            iris.update(str((r.payload or {})["passage_iri"]) for r in records)
            if offset is None:
                return iris

    def optimize(self, timeout_s: float = 600.0) -> None:
        """Wait until the server's optimizers have indexed the collection (status green).

        A server builds HNSW on its own after writes; waiting makes a bulk load return
        only once searches run at full speed. Local mode has nothing to build.

        Raises:
            StoreUnavailable: if the collection is not green within ``timeout_s``.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            with _reachable("collection info"):
                status = self._client.get_collection(self._collection).status
            if status == models.CollectionStatus.GREEN:
                return
            if time.monotonic() > deadline:
                raise StoreUnavailable(
                    f"collection {self._collection} still {status.value} after {timeout_s:.0f} s"
                )
            time.sleep(0.5)

    def close(self) -> None:
        """Close the client connection (and the local-mode storage)."""
        with self._lock:
            self._client.close()

    def _open_collection(
        self, shards: int | None, replicas: int | None, write_consistency: int | None
    ) -> None:
        with _reachable(f"opening collection {self._collection} at {self._where}"):
            if self._client.collection_exists(self._collection):
                metadata = self._client.get_collection(self._collection).config.metadata or {}
                self._check_identity(metadata)
                return
            self._client.create_collection(
                self._collection,
                vectors_config=models.VectorParams(
                    size=self._identity.dimension, distance=models.Distance.COSINE
                ),
                metadata={IDENTITY_KEY: self._identity.to_dict()},
                shard_number=shards,
                replication_factor=replicas,
                write_consistency_factor=write_consistency,
            )
            self._create_payload_indexes()
        logger.info("created collection %s for model %s", self._collection, self._identity.model_id)

    def _check_identity(self, metadata: dict[str, Any]) -> None:
        location = f"collection {self._collection!r} at {self._where}"
        stored = metadata.get(IDENTITY_KEY)
        if not isinstance(stored, dict):
            raise IndexMismatch(
                f"{location} records no embedding identity (metadata {IDENTITY_KEY!r}), so its "
                "model is unknown: delete the collection and re-ingest"
            )
        IndexIdentity.from_dict(stored).require_same(self._identity, location)

    def _create_payload_indexes(self) -> None:
        if self._local:
            return  # local mode ignores them and warns
        for key in KEYWORD_FIELDS:
            self._client.create_payload_index(
                self._collection, key, models.PayloadSchemaType.KEYWORD, wait=True
            )
        for key in INTEGER_FIELDS:
            schema = models.IntegerIndexParams(
                type=models.IntegerIndexType.INTEGER, lookup=True, range=True
            )
            self._client.create_payload_index(self._collection, key, schema, wait=True)

    def _search_params(self, qfilter: models.Filter | None) -> models.SearchParams | None:
        if self._local:
            return None  # always exact; passing params only earns a warning
        estimate = self._client.count(self._collection, count_filter=qfilter, exact=False).count
        if estimate <= self._exact_threshold:
            return models.SearchParams(exact=True)
        if qfilter is None:
            return models.SearchParams(hnsw_ef=self._hnsw_ef)
        return models.SearchParams(
            hnsw_ef=self._hnsw_ef, acorn=models.AcornSearchParams(enable=True)
        )


def _to_filter(flt: VectorFilter | None) -> models.Filter | None:
    """Translate the backend-neutral filter; semantics are those of ``VectorFilter.matches``."""
    if flt is None:
        return None
    must: list[models.Condition] = [
        models.FieldCondition(key=key, match=models.MatchAny(any=sorted(values)))
        for key, values in flt.any_of().items()
    ]
    low, high = flt.day_range()
    if low is not None or high is not None:
        dated = models.FieldCondition(key="day", range=models.Range(gte=low, lte=high))
        year_range = models.Range(
            gte=None if low is None else low // 10_000,
            lte=None if high is None else high // 10_000,
        )
        undated = models.Filter(
            must=[
                models.IsEmptyCondition(is_empty=models.PayloadField(key="day")),
                models.FieldCondition(key="year", range=year_range),
            ]
        )
        must.append(models.Filter(should=[dated, undated]))
    must_not: list[models.Condition] = []
    if flt.exclude_municipalities:
        excluded = models.MatchAny(any=sorted(flt.exclude_municipalities))
        must_not.append(models.FieldCondition(key="municipalities", match=excluded))
    if not must and not must_not:
        return None
    return models.Filter(must=must or None, must_not=must_not or None)
