"""The SPARQL 1.1 Protocol endpoint: read-only, with timeout, row cap and content negotiation.

GET ``?query=``, POST form-encoded (``query=``) and POST ``application/sparql-query``;
``default-graph-uri`` and ``named-graph-uri`` as the protocol defines them. Updates, LOAD and
SERVICE are refused with 400 by :mod:`graph.sparql`, which parses every query first. A POST
body longer than ``MAX_QUERY_BYTES`` is refused with 413 before it is read to the end, and
never parsed.
"""

import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from graph.errors import InvalidQuery
from graph.sparql import (
    CSV,
    GRAPH_MEDIA_TYPES,
    JSON_LD,
    N_TRIPLES,
    RESULT_MEDIA_TYPES,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
    TURTLE,
    QueryKind,
    SparqlService,
    media_type,
    negotiate,
    serialize,
)
from search_api.deps import SparqlDep
from search_api.errors import ApiError
from search_api.schemas import error_responses
from search_api.security import ReadAccess

router = APIRouter(prefix="/sparql", tags=["SPARQL"], dependencies=[ReadAccess])

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
MAX_QUERY_BYTES = 200_000  # a 100,000-character query, percent-encoded or not
MAX_FORM_FIELDS = 100
_IRI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]|%[0-9A-Fa-f]{2}"
    r"|[\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef])+"
)
# Turtle is a subset of N3, so N3 clients (SPARQLWrapper's N3 format) can read it.
_N3_NAMES = {"n3": TURTLE, "text/n3": TURTLE, "text/rdf+n3": TURTLE}
_EXAMPLE = "SELECT ?s ?label WHERE { ?s a wn:Municipality ; rdfs:label ?label } LIMIT 5"
_CONTENT: dict[str, Any] = {
    m: {"schema": {"type": "string"}} for m in (SPARQL_XML, CSV, TSV, TURTLE, N_TRIPLES, JSON_LD)
}
_CONTENT[SPARQL_JSON] = {"schema": {"type": "object"}}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Ergebnis im ausgehandelten Format", "content": _CONTENT},
    **error_responses(400, 401, 413, 415, 422, 503, 504),
}
_POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            SPARQL_QUERY: {"schema": {"type": "string"}, "example": _EXAMPLE},
            FORM: {
                "schema": {
                    "type": "object",
                    "required": ["query"],
                    "properties": {
                        "query": {"type": "string", "maxLength": 100_000},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    }
}


@dataclass(frozen=True)
class ProtocolRequest:
    """One SPARQL protocol request, whichever way it came in."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def _graphs(values: list[str]) -> tuple[str, ...]:
    for value in values:
        if not _IRI.fullmatch(value):
            raise InvalidQuery(f"not an absolute IRI: {value[:200]!r}")
    return tuple(values)


async def _body(request: Request) -> str:
    """The body as text, refused (413) as soon as it is known to pass ``MAX_QUERY_BYTES``."""
    declared = request.headers.get("content-length", "")
    too_large = ApiError(
        413, "too_large", f"SPARQL request body larger than {MAX_QUERY_BYTES} bytes"
    )
    if declared.isdigit() and int(declared) > MAX_QUERY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_QUERY_BYTES:
            raise too_large
    return body.decode("utf-8", "replace")


def _form(body: str) -> dict[str, list[str]]:
    try:
        return parse_qs(body, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError as e:
        raise InvalidQuery(f"the form has more than {MAX_FORM_FIELDS} fields") from e


async def posted_request(request: Request) -> ProtocolRequest:
    """Parse a POST body: form-encoded or ``application/sparql-query``.

    Raises:
        InvalidQuery: for an update, a missing query or a bad graph IRI.
        ApiError: 413 for a body over ``MAX_QUERY_BYTES``, 415 for another content type.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == SPARQL_UPDATE:
        raise InvalidQuery("SPARQL Update is not allowed: this endpoint is read-only")
    if content_type not in {SPARQL_QUERY, FORM}:
        raise _unsupported(content_type)
    body = await _body(request)
    if content_type == SPARQL_QUERY:
        if not body.strip():
            raise InvalidQuery("the request body is empty; send the query as the body")
        params = request.query_params
        return ProtocolRequest(
            body,
            _graphs(params.getlist("default-graph-uri")),
            _graphs(params.getlist("named-graph-uri")),
        )
    form = _form(body)
    if "update" in form:
        raise InvalidQuery("SPARQL Update is not allowed: this endpoint is read-only")
    query = (form.get("query") or [""])[-1]
    if not query.strip():
        raise InvalidQuery("the form has no 'query' field")
    defaults, named = form.get("default-graph-uri", []), form.get("named-graph-uri", [])
    return ProtocolRequest(query, _graphs(defaults), _graphs(named))


def _unsupported(content_type: str) -> ApiError:
    return ApiError(
        415,
        "unsupported_type",
        f"Content-Type {content_type or '(none)'} not supported; send {SPARQL_QUERY} or {FORM}",
    )


def answer(
    sparql: SparqlService, protocol: ProtocolRequest, accept: str | None, fmt: str | None
) -> Response:
    """Run the query and serialise it in the negotiated (or requested) format."""
    try:
        outcome = sparql.run(
            protocol.query,
            default_graph_uris=protocol.default_graphs,
            named_graph_uris=protocol.named_graphs,
        )
    except ValueError as e:  # an IRI the store's parser rejects
        raise InvalidQuery(f"invalid graph IRI: {e}") from e
    chosen = requested_format(fmt, outcome.kind) or negotiate(accept, outcome.kind)
    headers = {
        "Vary": "Accept",
        "X-Query-Time-Ms": f"{outcome.elapsed_ms:.1f}",
        "X-Result-Truncated": "true" if outcome.truncated else "false",
    }
    return Response(serialize(outcome, chosen), media_type=chosen, headers=headers)


def requested_format(fmt: str | None, kind: QueryKind) -> str | None:
    """Media type named by ``format``, or None to negotiate by Accept instead.

    Clients such as SPARQLWrapper repeat their Accept list in ``format``; media types this
    endpoint does not write are skipped, an unknown short name (``format=yaml``) is an error.

    Raises:
        InvalidQuery: for an unknown short name or a format of the other result kind.
    """
    if not fmt:
        return None
    fitting = GRAPH_MEDIA_TYPES if kind in {"CONSTRUCT", "DESCRIBE"} else RESULT_MEDIA_TYPES
    named = []
    for item in (part.strip() for part in fmt.split(",") if part.strip()):
        try:
            named.append(_N3_NAMES.get(item.lower()) or media_type(item))
        except InvalidQuery:
            if "/" not in item:
                raise
    for candidate in named:
        if candidate in fitting:
            return candidate
    if named and "," not in fmt:
        raise InvalidQuery(f"{fmt} does not fit a {kind} query; use {', '.join(fitting)}")
    return None


Graphs = Annotated[list[str], Query(description="Graph-IRI (wiederholbar)")]
Format = Annotated[
    str | None,
    Query(
        alias="format",
        max_length=60,
        description="Statt Accept: json, xml, csv, tsv, turtle, nt, jsonld",
    ),
]


@router.get(
    "",
    summary="SPARQL-Abfrage (GET)",
    response_class=Response,
    responses=_RESPONSES,
)
def sparql_get(
    request: Request,
    sparql: SparqlDep,
    query: Annotated[
        str | None, Query(max_length=100_000, description="SPARQL-Abfrage", examples=[_EXAMPLE])
    ] = None,
    default_graph_uri: Annotated[Graphs, Query(alias="default-graph-uri")] = [],  # noqa: B006
    named_graph_uri: Annotated[Graphs, Query(alias="named-graph-uri")] = [],  # noqa: B006
    fmt: Format = None,
) -> Response:
    """SELECT/ASK as SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle, N-Triples or
    JSON-LD, chosen by the Accept header (or ``format``). Without ``query`` a browser is sent
    to the SPARQL editor."""
    accept = request.headers.get("accept")
    if query is None and "text/html" in (accept or ""):
        return RedirectResponse("/sparql-editor", status_code=303)
    if not query or not query.strip():
        raise InvalidQuery("the 'query' parameter is missing; send ?query=SELECT ...")
    protocol = ProtocolRequest(query, _graphs(default_graph_uri), _graphs(named_graph_uri))
    return answer(sparql, protocol, accept, fmt)


@router.post(
    "",
    summary="SPARQL-Abfrage (POST, Formular oder application/sparql-query)",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra=_POST_BODY,
)
def sparql_post(
    request: Request,
    sparql: SparqlDep,
    protocol: Annotated[ProtocolRequest, Depends(posted_request)],
    fmt: Format = None,
) -> Response:
    """The same query service for POSTed queries (long queries, SPARQL clients)."""
    return answer(sparql, protocol, request.headers.get("accept"), fmt)
