"""Export of the knowledge graph: one named graph or the whole dataset.

Dataset formats (TriG, N-Quads, JSON-LD) keep the graph names, so an export of the whole
store can be loaded back into any quad store with one graph per document. Graph formats
(Turtle, N-Triples) hold one graph, so they need ``graph_iri``.
"""

from pathlib import Path

from rdflib import URIRef

from graph.errors import GraphError
from graph.store import DUMP_FORMATS, GraphStore

_ALIASES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "text/turtle": "turtle",
    "trig": "trig",
    "application/trig": "trig",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "application/n-triples": "nt",
    "nquads": "nquads",
    "nq": "nquads",
    "n-quads": "nquads",
    "application/n-quads": "nquads",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "application/ld+json": "jsonld",
}
EXTENSIONS = {"turtle": ".ttl", "trig": ".trig", "nt": ".nt", "nquads": ".nq", "jsonld": ".jsonld"}
EXPORT_FORMATS = tuple(DUMP_FORMATS)


def export_format(name: str) -> str:
    """Canonical format name from a name, file extension or media type.

    Raises:
        GraphError: for a format we do not write.
    """
    canonical = _ALIASES.get(name.strip().lower().lstrip("."))
    if canonical is None:
        raise GraphError(f"cannot export as {name!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return canonical


def media_type(fmt: str) -> str:
    """Media type of an export format, for HTTP responses."""
    return DUMP_FORMATS[export_format(fmt)][0]


def export(store: GraphStore, fmt: str, graph_iri: URIRef | None = None) -> bytes:
    """Serialise ``graph_iri``, or the whole store in a dataset format.

    Raises:
        GraphError: for an unknown format, or Turtle/N-Triples without ``graph_iri``.
        NotFound: if ``graph_iri`` names no graph in the store.
    """
    return store.dump(export_format(fmt), graph_iri)


def export_to_file(
    store: GraphStore, path: Path, fmt: str | None = None, graph_iri: URIRef | None = None
) -> int:
    """Write an export to ``path`` (format from the suffix unless given); returns bytes written."""
    data = export(store, fmt or path.suffix, graph_iri)
    path.write_bytes(data)
    return len(data)
