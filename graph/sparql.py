"""Read-only SPARQL for the CLI and the API: checks, limits and evaluation.

Every user query is parsed with rdflib's SPARQL grammar before it reaches the store. The
parse tree, not a regular expression, decides: updates (INSERT, DELETE, LOAD, CLEAR, DROP,
CREATE, ADD, MOVE, COPY) do not parse as a query at all, and a ``SERVICE`` clause or a
cartesian product is found wherever it hides (sub-select, OPTIONAL, FILTER EXISTS).
Parsing is bounded, and ORDER BY is rewritten so Oxigraph cannot abort the process while
sorting (see :mod:`graph._sparql_guard`). The store then evaluates with a timeout and a row
cap (see ``OxigraphStore`` for how far the timeout reaches). Result formats and Accept
negotiation live in :mod:`graph.sparql_formats`; callers import them from here.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import get_args

from pyparsing import ParseBaseException
from rdflib.plugins.sparql.parser import parseQuery

from graph._sparql_guard import (
    cartesian_parts,
    contains_service,
    parse,
    product_message,
    total_order_by,
    update_refusal,
)
from graph.errors import InvalidQuery
from graph.sparql_formats import (
    CSV,
    GRAPH_MEDIA_TYPES,
    JSON_LD,
    N_TRIPLES,
    RESULT_MEDIA_TYPES,
    SPARQL_JSON,
    SPARQL_XML,
    TABLE,
    TSV,
    TURTLE,
    QueryKind,
    media_type,
    negotiate,
    serialize_graph,
    serialize_select,
)
from graph.store import GraphResult, GraphStore, QueryResult, SelectResult

__all__ = [
    "CSV",
    "GRAPH_MEDIA_TYPES",
    "JSON_LD",
    "MAX_QUERY_CHARS",
    "N_TRIPLES",
    "QUERY_KINDS",
    "RESULT_MEDIA_TYPES",
    "SPARQL_JSON",
    "SPARQL_XML",
    "TABLE",
    "TSV",
    "TURTLE",
    "CheckedQuery",
    "QueryKind",
    "QueryOutcome",
    "SparqlService",
    "check",
    "classify",
    "media_type",
    "negotiate",
    "serialize",
    "serialize_graph",
    "serialize_select",
]

logger = logging.getLogger(__name__)

QUERY_KINDS: tuple[QueryKind, ...] = get_args(QueryKind)
MAX_QUERY_CHARS = 100_000

_KIND_OF: dict[str, QueryKind] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


@dataclass(frozen=True)
class QueryOutcome:
    """A checked query's result plus what the caller reports about it."""

    kind: QueryKind
    result: QueryResult
    elapsed_ms: float

    @property
    def truncated(self) -> bool:
        """Whether the row cap cut the result."""
        return isinstance(self.result, SelectResult | GraphResult) and self.result.truncated


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed every check, and the text the store evaluates."""

    kind: QueryKind
    text: str


def _check_text(query: str) -> None:
    if not query.strip():
        raise InvalidQuery("empty query: send a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"query longer than {MAX_QUERY_CHARS} characters")
    try:
        query.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidQuery("the query is not valid Unicode text; send it as UTF-8") from e


@lru_cache(maxsize=512)
def check(query: str) -> CheckedQuery:
    """Check a read-only query and make its ORDER BY safe to evaluate.

    Raises:
        InvalidQuery: for a syntax error, any SPARQL Update, a SERVICE clause, a cartesian
            product, or a query too long, too complex or not valid Unicode.
        StoreUnavailable: when other queries keep the parser busy.
    """
    _check_text(query)
    try:
        parsed = parse(parseQuery, query)
        has_service, product = contains_service(parsed), cartesian_parts(parsed)
    except ParseBaseException as e:
        raise update_refusal(query, e) from e
    except RecursionError as e:
        raise InvalidQuery("query nested too deeply to check; simplify it") from e
    if has_service:
        raise InvalidQuery(
            "SERVICE (federated query) is not allowed: queries may only read this knowledge base"
        )
    if product:
        raise InvalidQuery(product_message(product))
    kind = _KIND_OF.get(parsed[1].name)
    if kind is None:
        raise InvalidQuery(f"unsupported query form {parsed[1].name}")
    try:
        text = total_order_by(query, parsed)
    except (ValueError, RecursionError) as e:
        raise InvalidQuery(f"cannot sort this query safely: {e}; simplify ORDER BY") from e
    if len(text) > 2 * MAX_QUERY_CHARS:  # the rewrite repeats each sort expression
        raise InvalidQuery("ORDER BY expressions too long: BIND them and sort by the variables")
    return CheckedQuery(kind, text)


def classify(query: str) -> QueryKind:
    """Kind of a read-only query.

    Raises:
        InvalidQuery: for anything :func:`check` refuses.
    """
    return check(query).kind


class SparqlService:
    """Runs user SPARQL against a store: read-only, with a timeout and a row cap."""

    def __init__(self, store: GraphStore, timeout_s: float = 10.0, row_cap: int = 10_000) -> None:
        """Wrap ``store``; limits come from settings at the composition root."""
        self.store = store
        self.timeout_s = timeout_s
        self.row_cap = row_cap

    def run(
        self,
        query: str,
        *,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
    ) -> QueryOutcome:
        """Check and evaluate one query; at most ``row_cap`` rows or triples come back.

        Raises:
            InvalidQuery: for anything :func:`check` refuses.
            QueryTimeout: when evaluation takes longer than ``timeout_s``.
            StoreUnavailable: when earlier queries still hold every evaluation slot.
        """
        checked = check(query)
        start = time.perf_counter()
        result = self.store.query(
            checked.text,
            default_graph_uris=tuple(default_graph_uris),
            named_graph_uris=tuple(named_graph_uris),
            timeout_s=self.timeout_s,
            max_rows=self.row_cap,
        )
        elapsed_ms = (time.perf_counter() - start) * 1000
        logger.info("SPARQL %s answered in %.1f ms", checked.kind, elapsed_ms)
        return QueryOutcome(checked.kind, result, elapsed_ms)


def serialize(outcome: QueryOutcome, fmt: str) -> bytes:
    """Serialise any outcome in the format (media type or short name)."""
    if isinstance(outcome.result, GraphResult):
        return serialize_graph(outcome.result, fmt)
    return serialize_select(outcome.result, fmt)
