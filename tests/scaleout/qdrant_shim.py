"""A Qdrant REST shim for the scale-out rehearsal: real wire protocol and client, fake server.

No Qdrant server binary can be installed here (PyPI, Debian and npm only, no internet), yet
``QdrantServerIndex`` only ever talks to a server through qdrant-client's REST transport.
This standalone process speaks the subset of Qdrant's HTTP API that the adapter uses, with
the paths, request bodies and response envelopes of ``qdrant_client/http/api/*.py``
(``{"result": ..., "status": "ok", "time": ...}``; errors as
``{"status": {"error": ...}, "time": ...}``), and answers from qdrant-client's own local
engine (``QdrantClient(":memory:")`` or ``path=``).

What this proves: the adapter's server code path (payload indexes, the estimated count
before each search, ``SearchParams``, facets, scrolling, collection metadata) works through
real HTTP and real JSON (de)serialisation, and several API processes can share one vector
service. What it does not: Qdrant's server engine. There is no HNSW (local mode always
searches exactly, so ``params`` are ignored), payload indexes are recorded and reported by
``GET /collections/{name}`` but not built, shards, replicas and write consistency are
accepted and ignored, snapshots and gRPC are missing, filters are evaluated in Python
(too slow above ~20k points). Requests are served one at a time.

Run: ``python tests/scaleout/qdrant_shim.py --port 6333 [--path DIR]``; like Qdrant, the
API key comes from ``QDRANT__SERVICE__API_KEY`` (header ``api-key`` or ``Authorization:
Bearer``); the root and the health probes stay public, as on a real server.
"""

import argparse
import hmac
import importlib.metadata
import itertools
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python
from qdrant_client import QdrantClient, models
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

logger = logging.getLogger("qdrant_shim")

API_KEY_ENV = "QDRANT__SERVICE__API_KEY"
PUBLIC_PATHS = frozenset({"/", "/healthz", "/livez", "/readyz"})

Handler = Callable[["Shim", str, Any], Any]


class NotFoundError(Exception):
    """A collection or field the request names does not exist (HTTP 404)."""


class Shim:
    """The local engine plus what local mode does not keep: payload index definitions."""

    def __init__(self, path: str | None, api_key: str | None) -> None:
        """Open the engine in memory, or on disk at ``path`` (survives a restart)."""
        self.engine = QdrantClient(path=path) if path else QdrantClient(location=":memory:")
        self.api_key = api_key
        self.indexes: dict[str, dict[str, models.PayloadFieldSchema]] = {}
        self._lock = threading.Lock()
        self._operations = itertools.count(1)

    def authorised(self, request: Request) -> bool | None:
        """True with a good key, False with a wrong one, None without one (when required)."""
        if self.api_key is None or request.url.path in PUBLIC_PATHS:
            return True
        auth = request.headers.get("authorization", "")
        key = request.headers.get("api-key") or (auth[7:] if auth[:7].lower() == "bearer " else "")
        if not key:
            return None
        return hmac.compare_digest(key.encode(), self.api_key.encode())

    def call(self, handler: Handler, collection: str, body: Any) -> Any:
        """Run one handler; the local engine is not thread-safe, so one at a time."""
        with self._lock:
            return handler(self, collection, body)

    def require(self, collection: str) -> None:
        """Raise ``NotFoundError`` the way the server words it."""
        if not self.engine.collection_exists(collection):
            raise NotFoundError(f"Not found: Collection `{collection}` doesn't exist!")

    def done(self) -> models.UpdateResult:
        """What a write with ``wait=true`` answers."""
        return models.UpdateResult(
            operation_id=next(self._operations), status=models.UpdateStatus.COMPLETED
        )


# ---------------------------------------------------------------- collections


def _list_collections(shim: Shim, _: str, __: None) -> models.CollectionsResponse:
    return shim.engine.get_collections()


def _exists(shim: Shim, name: str, _: None) -> models.CollectionExistence:
    return models.CollectionExistence(exists=shim.engine.collection_exists(name))


def _get_collection(shim: Shim, name: str, _: None) -> models.CollectionInfo:
    shim.require(name)
    info = shim.engine.get_collection(name)
    points = info.points_count or 0
    schema = {
        field: _index_info(field_schema, points)
        for field, field_schema in shim.indexes.get(name, {}).items()
    }
    return info.model_copy(update={"payload_schema": schema})


def _index_info(schema: models.PayloadFieldSchema, points: int) -> models.PayloadIndexInfo:
    if isinstance(schema, models.PayloadSchemaType):
        return models.PayloadIndexInfo(data_type=schema, points=points)
    data_type = models.PayloadSchemaType(schema.type.value)
    return models.PayloadIndexInfo(data_type=data_type, params=schema, points=points)


def _create_collection(shim: Shim, name: str, body: models.CreateCollection) -> bool:
    if shim.engine.collection_exists(name):
        raise ValueError(f"Wrong input: Collection `{name}` already exists!")
    ignored = {"shard_number", "replication_factor", "write_consistency_factor"}
    logger.info("create %s (ignored: %s)", name, body.model_dump(include=ignored))
    shim.indexes[name] = {}
    return shim.engine.create_collection(
        name,
        vectors_config=body.vectors,
        sparse_vectors_config=body.sparse_vectors,
        metadata=body.metadata,
    )


def _delete_collection(shim: Shim, name: str, _: None) -> bool:
    shim.indexes.pop(name, None)
    return shim.engine.delete_collection(name)


def _create_index(shim: Shim, name: str, body: models.CreateFieldIndex) -> models.UpdateResult:
    shim.require(name)
    if body.field_schema is None:
        raise ValueError("Wrong input: field_schema is required by this shim")
    shim.indexes.setdefault(name, {})[body.field_name] = body.field_schema
    return shim.done()


# ---------------------------------------------------------------- points


def _upsert(shim: Shim, name: str, body: models.PointsList | models.PointsBatch) -> Any:
    shim.require(name)
    if isinstance(body, models.PointsList):
        shim.engine.upsert(name, points=body.points, update_filter=body.update_filter)
    else:
        shim.engine.upsert(name, points=body.batch, update_filter=body.update_filter)
    return shim.done()


def _delete_points(
    shim: Shim, name: str, body: models.PointIdsList | models.FilterSelector
) -> models.UpdateResult:
    shim.require(name)
    shim.engine.delete(name, points_selector=body)
    return shim.done()


def _retrieve(shim: Shim, name: str, body: models.PointRequest) -> list[models.Record]:
    shim.require(name)
    return shim.engine.retrieve(
        name,
        body.ids,
        with_payload=True if body.with_payload is None else body.with_payload,
        with_vectors=body.with_vector or False,
    )


def _count(shim: Shim, name: str, body: models.CountRequest) -> models.CountResult:
    shim.require(name)
    exact = True if body.exact is None else body.exact
    return shim.engine.count(name, count_filter=body.filter, exact=exact)


def _query(shim: Shim, name: str, body: models.QueryRequest) -> models.QueryResponse:
    shim.require(name)
    # body.params (exact / hnsw_ef / acorn) is dropped: local mode always searches exactly.
    return shim.engine.query_points(
        name,
        query=body.query,
        using=body.using,
        prefetch=body.prefetch,
        query_filter=body.filter,
        limit=body.limit or 10,
        offset=body.offset,
        with_payload=body.with_payload or False,
        with_vectors=body.with_vector or False,
        score_threshold=body.score_threshold,
        lookup_from=body.lookup_from,
    )


def _scroll(shim: Shim, name: str, body: models.ScrollRequest) -> models.ScrollResult:
    shim.require(name)
    records, next_offset = shim.engine.scroll(
        name,
        scroll_filter=body.filter,
        limit=body.limit or 10,
        order_by=body.order_by,
        offset=body.offset,
        with_payload=True if body.with_payload is None else body.with_payload,
        with_vectors=body.with_vector or False,
    )
    return models.ScrollResult(points=records, next_page_offset=next_offset)


def _facet(shim: Shim, name: str, body: models.FacetRequest) -> models.FacetResponse:
    shim.require(name)
    return shim.engine.facet(
        name, body.key, facet_filter=body.filter, limit=body.limit or 10, exact=bool(body.exact)
    )


# ---------------------------------------------------------------- HTTP plumbing


def _envelope(result: Any, started: float) -> JSONResponse:
    elapsed = time.perf_counter() - started
    payload = {"result": to_jsonable_python(result), "status": "ok", "time": elapsed}
    return JSONResponse(payload)


def _error(status: int, message: str, started: float) -> JSONResponse:
    elapsed = time.perf_counter() - started
    return JSONResponse({"status": {"error": message}, "time": elapsed}, status_code=status)


def _endpoint(
    shim: Shim, handler: Handler, body_type: Any = None
) -> Callable[[Request], Awaitable[Response]]:
    """One Starlette endpoint: key check, body parsed into the client's models, envelope."""
    adapter = TypeAdapter(body_type) if body_type is not None else None

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        allowed = shim.authorised(request)
        if not allowed:
            if allowed is None:
                return _error(
                    401, "Must provide an API key or an Authorization bearer token", started
                )
            return _error(403, "Invalid api-key", started)
        try:
            body = adapter.validate_json(await request.body()) if adapter else None
        except ValidationError as e:
            return _error(400, f"Format error in JSON body: {e}", started)
        name = request.path_params.get("collection_name", "")
        try:
            result = await run_in_threadpool(shim.call, handler, name, body)
        except NotFoundError as e:
            return _error(404, str(e), started)
        except (ValueError, KeyError) as e:
            return _error(400, f"Bad request: {e}", started)
        return _envelope(result, started)

    return endpoint


async def _root(_: Request) -> JSONResponse:
    # The client compares this version with its own and warns on a mismatch; the shim
    # implements exactly the installed client's API, so it reports that version.
    version = importlib.metadata.version("qdrant-client")
    return JSONResponse({"title": "qdrant REST shim (wissensnetz rehearsal)", "version": version})


async def _probe(_: Request) -> PlainTextResponse:
    return PlainTextResponse("healthz check passed")


# (method, path under /collections/{collection_name}, handler, request body model)
_API: tuple[tuple[str, str, Handler, Any], ...] = (
    ("GET", "/exists", _exists, None),
    ("GET", "", _get_collection, None),
    ("PUT", "", _create_collection, models.CreateCollection),
    ("DELETE", "", _delete_collection, None),
    ("PUT", "/index", _create_index, models.CreateFieldIndex),
    ("PUT", "/points", _upsert, models.PointInsertOperations),
    ("POST", "/points", _retrieve, models.PointRequest),
    ("POST", "/points/delete", _delete_points, models.PointsSelector),
    ("POST", "/points/count", _count, models.CountRequest),
    ("POST", "/points/query", _query, models.QueryRequest),
    ("POST", "/points/scroll", _scroll, models.ScrollRequest),
    ("POST", "/facet", _facet, models.FacetRequest),
)


def create_app(path: str | None = None, api_key: str | None = None) -> Starlette:
    """The shim as an ASGI app (tests may also drive it in-process)."""
    shim = Shim(path, api_key)
    routes = [
        Route("/", _root, methods=["GET"]),
        *(Route(p, _probe, methods=["GET"]) for p in ("/healthz", "/livez", "/readyz")),
        Route("/collections", _endpoint(shim, _list_collections), methods=["GET"]),
        *(
            Route(f"/collections/{{collection_name}}{tail}", _endpoint(shim, h, body), methods=[m])
            for m, tail, h, body in _API
        ),
    ]
    app = Starlette(routes=routes)
    app.state.shim = shim
    return app


def main() -> None:
    """Serve the shim until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6333)
    parser.add_argument("--path", default=None, help="on-disk local mode instead of memory")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="qdrant-shim %(levelname)s %(message)s")
    app = create_app(args.path, os.environ.get(API_KEY_ENV) or None)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
