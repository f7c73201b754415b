"""``GraphStore`` over HTTP: any SPARQL 1.1 Protocol endpoint (Oxigraph server, Fuseki, ...).

Reads use the SPARQL 1.1 Protocol (form-encoded POST, JSON results for SELECT and ASK,
N-Triples for CONSTRUCT and DESCRIBE). Writes use SPARQL Update rather than the Graph
Store Protocol, because ``DROP SILENT GRAPH`` plus ``INSERT DATA`` in one request is one
transaction on Oxigraph: readers never see a half-replaced document graph.

The endpoint must expose the union of all named graphs as its default graph, as the
embedded store does (``oxigraph serve --union-default-graph``; Fuseki
``tdb2:unionDefaultGraph true``). Run the server with its own timeout too
(``oxigraph serve --timeout-s``): the client-side timeout here stops waiting, but only the
server can stop evaluating (Oxigraph 0.5 cancels joins and aggregates, not a running sort).
"""

import json
import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph.errors import GraphError, InvalidQuery, NotFound, QueryTimeout, StoreUnavailable
from graph.ntriples import Triples, nt_iri, replace_update
from graph.store import (
    AskResult,
    GraphResult,
    QueryResult,
    Row,
    SelectResult,
    Term,
    check_dump_format,
)
from ontology.namespaces import PREFIXES, sparql_prologue

logger = logging.getLogger(__name__)

_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
_RDFLIB_FORMATS = {
    "turtle": "turtle",
    "nt": "nt",
    "trig": "trig",
    "nquads": "nquads",
    "jsonld": "json-ld",
}


def _term(binding: dict[str, Any]) -> Term:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in {"literal", "typed-literal"}:
        if "xml:lang" in binding:
            return Literal(value, lang=binding["xml:lang"])
        datatype = binding.get("datatype")
        if datatype is None or datatype == str(XSD.string):
            return Literal(value)
        return Literal(value, datatype=URIRef(datatype))
    raise GraphError(f"unsupported term type {kind!r} in SPARQL results")


def _select(document: dict[str, Any], max_rows: int | None) -> SelectResult:
    variables: list[str] = list(document["head"].get("vars", []))
    bindings: list[dict[str, Any]] = document["results"]["bindings"]
    truncated = max_rows is not None and len(bindings) > max_rows
    rows: list[Row] = [
        tuple(_term(b[v]) if v in b else None for v in variables)
        for b in (bindings[:max_rows] if max_rows is not None else bindings)
    ]
    return SelectResult(variables, rows, truncated)


def _construct(body: bytes, max_rows: int | None) -> GraphResult:
    graph = Graph()
    graph.parse(data=body, format="nt")
    if max_rows is None or len(graph) <= max_rows:
        return GraphResult(graph)
    capped = Graph()
    for _, triple in zip(range(max_rows), graph, strict=False):
        capped.add(triple)
    return GraphResult(capped, truncated=True)


class SparqlEndpointStore:
    """A remote store spoken to over the SPARQL 1.1 Protocol with httpx."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        timeout_s: float = 30.0,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Prepare the HTTP client; nothing is sent until the first call.

        ``update_url`` None makes the store read-only. ``transport`` lets tests inject a
        mock transport.
        """
        self.query_url = query_url
        self.update_url = update_url
        self.timeout_s = timeout_s
        self._client: httpx.Client | None = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=5.0), transport=transport
        )

    def __repr__(self) -> str:
        return f"SparqlEndpointStore(query_url={self.query_url!r})"

    def _http(self) -> httpx.Client:
        if self._client is None:
            raise StoreUnavailable("the SPARQL endpoint store is closed; create a new one")
        return self._client

    def _post(
        self, url: str, *, timeout_s: float, deadline: float | None = None, **kwargs: Any
    ) -> tuple[str, bytes]:
        """POST and read the whole body, giving up at ``deadline``."""
        chunks: list[bytes] = []
        try:
            with self._http().stream("POST", url, timeout=timeout_s, **kwargs) as response:
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if deadline is not None and time.monotonic() > deadline:
                        raise QueryTimeout(f"query ran longer than {timeout_s:g} s")
                status, content_type = (
                    response.status_code,
                    response.headers.get("content-type", ""),
                )
        except httpx.TimeoutException as e:
            raise QueryTimeout(
                f"the SPARQL endpoint {url} did not answer within {timeout_s:g} s"
            ) from e
        except httpx.TransportError as e:
            raise StoreUnavailable(f"cannot reach the SPARQL endpoint {url}: {e}") from e
        body = b"".join(chunks)
        if status == 400:
            raise InvalidQuery(f"the endpoint refused the request: {body.decode(errors='replace')}")
        if status >= 300:
            raise GraphError(f"SPARQL endpoint {url} answered HTTP {status}: {body[:500]!r}")
        return content_type.split(";")[0].strip(), body

    def _update(self, update: str) -> None:
        if self.update_url is None:
            raise StoreUnavailable("no SPARQL update URL configured (WN_SPARQL_UPDATE_URL)")
        self._post(
            self.update_url,
            timeout_s=max(self.timeout_s, 60.0),
            content=update.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )

    def replace_document(self, graph_iri: URIRef, triples: Triples) -> None:
        """Swap the content of one document graph in one update request."""
        self._update(replace_update(graph_iri, triples))

    def add_documents(self, graphs: Sequence[tuple[URIRef, Triples]], *, marker: URIRef) -> None:
        """Swap several document graphs in one update request (one transaction).

        ``marker`` needs no care here: the server applies the whole request at once.
        """
        if graphs:
            self._update(" ;\n".join(replace_update(g, t) for g, t in graphs))

    def replace_graph(self, graph_iri: URIRef, triples: Triples) -> None:
        """Swap the content of a reference graph in one update request."""
        self._update(replace_update(graph_iri, triples))

    def delete_document(self, graph_iri: URIRef) -> bool:
        """Drop a document graph; ``False`` if it did not exist."""
        existed = self._ask(f"ASK {{ GRAPH {nt_iri(graph_iri)} {{ ?s ?p ?o }} }}")
        self._update(f"DROP SILENT GRAPH {nt_iri(graph_iri)}")
        return existed

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout_s: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Evaluate a query at the endpoint (our prefixes are predeclared, as embedded).

        Raises:
            InvalidQuery: when the endpoint refuses the query (HTTP 400).
            QueryTimeout: when ``timeout_s`` passes before the result is complete.
        """
        timeout = timeout_s if timeout_s is not None else self.timeout_s
        form: dict[str, str | list[str]] = {"query": sparql_prologue() + sparql}
        if default_graph_uris:
            form["default-graph-uri"] = list(default_graph_uris)
        if named_graph_uris:
            form["named-graph-uri"] = list(named_graph_uris)
        content_type, body = self._post(
            self.query_url,
            timeout_s=timeout,
            deadline=time.monotonic() + timeout,
            data=form,
            headers={"Accept": _ACCEPT},
        )
        return self._parse(content_type, body, max_rows)

    def _parse(self, content_type: str, body: bytes, max_rows: int | None) -> QueryResult:
        if content_type in {"application/n-triples", "text/plain"}:
            return _construct(body, max_rows)
        try:
            document = json.loads(body)
        except json.JSONDecodeError as e:
            if b"cancelled" in body:  # Oxigraph's --timeout-s cuts the stream mid-body
                raise QueryTimeout("the SPARQL endpoint cancelled the query (timeout)") from e
            raise GraphError(f"unreadable SPARQL results ({content_type}): {e}") from e
        if "boolean" in document:
            return AskResult(bool(document["boolean"]))
        return _select(document, max_rows)

    def _ask(self, sparql: str) -> bool:
        result = self.query(sparql)
        if not isinstance(result, AskResult):
            raise GraphError("the endpoint answered an ASK with another result form")
        return result.value

    def _select(self, sparql: str) -> SelectResult:
        result = self.query(sparql)
        if not isinstance(result, SelectResult):
            raise GraphError("the endpoint answered a SELECT with another result form")
        return result

    def graph_iris(self) -> list[URIRef]:
        """Names of all non-empty named graphs, sorted."""
        result = self._select(
            "SELECT ?g WHERE { GRAPH ?g {} FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }"
        )
        return sorted(URIRef(row[0]) for row in result.rows if isinstance(row[0], URIRef))

    def count_triples(self, graph_iri: URIRef | None = None) -> int:
        """Triples in one graph, or quads in all named graphs."""
        target = nt_iri(graph_iri) if graph_iri is not None else "?g"
        result = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {target} {{ ?s ?p ?o }} }}")
        value = result.rows[0][0] if result.rows else None
        return int(value.toPython()) if isinstance(value, Literal) else 0

    def dump(self, fmt: str, graph_iri: URIRef | None = None) -> bytes:
        """Serialise one graph or the whole dataset with rdflib."""
        is_dataset = check_dump_format(fmt, graph_iri)
        target = nt_iri(graph_iri) if graph_iri is not None else "?g"
        if graph_iri is not None and not self._ask(f"ASK {{ GRAPH {target} {{ ?s ?p ?o }} }}"):
            raise NotFound(f"graph {graph_iri} does not exist")
        result = self._select(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH {target} {{ ?s ?p ?o }} }}")
        data: Graph = Dataset() if is_dataset else Graph()
        for prefix, namespace in PREFIXES.items():
            data.bind(prefix, namespace)
        for s, p, o, g in result.rows:
            name = graph_iri if graph_iri is not None else g
            if is_dataset:
                data.add((s, p, o, name))  # type: ignore[arg-type]
            else:
                data.add((s, p, o))  # type: ignore[arg-type]
        return data.serialize(format=_RDFLIB_FORMATS[fmt], encoding="utf-8")

    def close(self) -> None:
        """Close the HTTP client; further calls raise ``StoreUnavailable``."""
        if self._client is not None:
            self._client.close()
        self._client = None
