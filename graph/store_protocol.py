"""What every graph store offers: the ``GraphStore`` protocol and its query results.

Split from ``graph.store`` (the pyoxigraph adapter) so that the protocol, which every
backend and caller shares, does not live in the one module allowed to import pyoxigraph.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph.errors import GraphError
from graph.ntriples import Triples

Term = URIRef | BNode | Literal
Row = tuple[Term | None, ...]
_XSD_STRING = str(XSD.string)

# Canonical dump format name -> (media type, holds a whole dataset).
DUMP_FORMATS: dict[str, tuple[str, bool]] = {
    "turtle": ("text/turtle", False),
    "nt": ("application/n-triples", False),
    "trig": ("application/trig", True),
    "nquads": ("application/n-quads", True),
    "jsonld": ("application/ld+json", True),
}


@dataclass(frozen=True)
class SelectResult:
    """Rows of a SELECT query; ``None`` marks an unbound variable."""

    variables: list[str]
    rows: list[Row]
    truncated: bool = False


@dataclass(frozen=True)
class AskResult:
    """Answer of an ASK query."""

    value: bool


@dataclass(frozen=True)
class GraphResult:
    """Triples of a CONSTRUCT or DESCRIBE query."""

    graph: Graph = field(default_factory=Graph)
    truncated: bool = False


QueryResult = SelectResult | AskResult | GraphResult


@runtime_checkable
class GraphStore(Protocol):
    """A quad store with one named graph per source document."""

    def replace_document(self, graph_iri: URIRef, triples: Triples) -> None:
        """Swap the content of one document graph atomically."""

    def add_documents(self, graphs: Sequence[tuple[URIRef, Triples]], *, marker: URIRef) -> None:
        """Write several document graphs; a graph's ``marker`` triples are visible last.

        Not necessarily one transaction: the caller journals the documents until it returns.
        """

    def replace_graph(self, graph_iri: URIRef, triples: Triples) -> None:
        """Swap the content of a reference graph atomically."""

    def delete_document(self, graph_iri: URIRef) -> bool:
        """Drop a document graph; ``False`` if it did not exist."""

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout_s: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Evaluate a query; the default graph is the union of all graphs unless given."""

    def graph_iris(self) -> list[URIRef]:
        """Names of all non-empty named graphs, sorted."""

    def count_triples(self, graph_iri: URIRef | None = None) -> int:
        """Triples in one graph, or quads in all named graphs."""

    def dump(self, fmt: str, graph_iri: URIRef | None = None) -> bytes:
        """Serialise one graph or the whole dataset (names in ``DUMP_FORMATS``)."""

    def close(self) -> None:
        """Release the store; further calls raise ``StoreUnavailable``."""


def check_dump_format(fmt: str, graph_iri: URIRef | None) -> bool:
    """Whether ``fmt`` holds a dataset.

    Raises:
        GraphError: for an unknown format, or a graph format without a graph.
    """
    if fmt not in DUMP_FORMATS:
        raise GraphError(f"unknown RDF format {fmt!r}; use one of {', '.join(DUMP_FORMATS)}")
    is_dataset = DUMP_FORMATS[fmt][1]
    if graph_iri is None and not is_dataset:
        raise GraphError(f"{fmt} holds a single graph: name one, or export trig/nquads/jsonld")
    return is_dataset
