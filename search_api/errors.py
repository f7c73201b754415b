"""One JSON error envelope for every 4xx/5xx: ``{"error": {"code", "message"}}``.

The only blanket ``except`` of the product lives here: a 500 logs the traceback and
answers with a generic message, never the exception text. Browsers asking for a page of
the web UI get the same code and message rendered as an HTML page instead.

Unexpected errors are answered by :class:`UnexpectedErrors` inside the app rather than by
Starlette's outermost ``ServerErrorMiddleware``: that one sends the 500 and then re-raises,
so uvicorn logs the traceback a second time and closes the connection under the client,
whose next request on the kept-alive connection then fails with a reset (the load benchmark
saw one such failure after every 500; a loop of 500 + follow-up lost 10 of 50 follow-ups).
"""

import logging
from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.errors import (
    GraphError,
    IndexMismatch,
    InvalidQuery,
    ModelMissing,
    NotFound,
    QueryTimeout,
    ShapeViolation,
    StoreUnavailable,
)

logger = logging.getLogger(__name__)

_STATUS: list[tuple[type[GraphError], int, str]] = [
    (InvalidQuery, 400, "invalid_query"),
    (NotFound, 404, "not_found"),
    (ShapeViolation, 422, "shape_violation"),
    (QueryTimeout, 504, "query_timeout"),
    (IndexMismatch, 503, "index_mismatch"),
    (ModelMissing, 503, "model_missing"),
    (StoreUnavailable, 503, "store_unavailable"),
]
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_type",
}
# "/sparql" alone is the endpoint; "/sparql-editor" is a page and gets HTML errors.
_API_PATHS = frozenset({"/sparql"})
_API_PREFIXES = ("/api", "/sparql/", "/health", "/openapi", "/docs", "/redoc", "/static")
GENERIC_MESSAGE = "Interner Fehler. Bitte erneut versuchen."
HtmlRenderer = Callable[[Request, int, str, str], Response]
ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]


class ApiError(Exception):
    """An HTTP-level refusal (missing key, upload too large) with its own code."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


class UnexpectedErrors:
    """Pure ASGI middleware: an exception no handler took becomes the 500 envelope here.

    The exception ends with the response, so the connection stays usable. If part of the
    response is already out, closing the connection is the only honest signal left, so the
    exception travels on to the server as before.
    """

    def __init__(self, app: ASGIApp, handler: ErrorHandler) -> None:
        self.app = app
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:
                raise
            response = await self.handler(Request(scope, receive), exc)
            await response(scope, receive, send)


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The envelope every error of the API uses."""
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message}},
        headers=dict(headers or {}),
    )


def domain_status(exc: GraphError) -> tuple[int, str]:
    """HTTP status and error code of a domain error."""
    for cls, status, code in _STATUS:
        if isinstance(exc, cls):
            return status, code
    return 500, "graph_error"


def _wants_html(request: Request) -> bool:
    path = request.url.path
    accept = request.headers.get("accept", "")
    api = path in _API_PATHS or path.startswith(_API_PREFIXES)
    return "text/html" in accept and not api


def install_error_handlers(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    """Map domain, HTTP, validation and unexpected errors to the one envelope.

    Call it after the app's other middleware is added: :class:`UnexpectedErrors` must be
    the outermost of them to catch what they raise too. The ``Exception`` handler stays
    registered for whatever still reaches Starlette's ``ServerErrorMiddleware``.
    """

    def respond(
        request: Request,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        if html is not None and _wants_html(request):
            return html(request, status, code, message)
        return error_response(status, code, message, headers)

    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return respond(request, exc.status, exc.code, exc.message, exc.headers)

    async def on_graph_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, GraphError)
        status, code = domain_status(exc)
        if status >= 500 and code == "graph_error":
            logger.error("graph error on %s", request.url.path, exc_info=exc)
            return respond(request, 500, "internal_error", GENERIC_MESSAGE)
        return respond(request, status, code, str(exc))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return respond(request, exc.status_code, code, str(exc.detail), exc.headers)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return respond(request, 422, "invalid_request", "; ".join(parts) or "Ungültige Anfrage.")

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        logger.error("unhandled error on %s", request.url.path, exc_info=exc)
        return respond(request, 500, "internal_error", GENERIC_MESSAGE)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(GraphError, on_graph_error)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_unexpected)
    app.add_middleware(UnexpectedErrors, handler=on_unexpected)
