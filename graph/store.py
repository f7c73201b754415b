"""The RDF store: the embedded Oxigraph adapter of ``graph.store_protocol.GraphStore``.

This is the only module that imports :mod:`pyoxigraph`. Everything that leaves a store is
expressed in rdflib terms (``URIRef``, ``BNode``, ``Literal``), so callers never see which
backend answered. Writes replace one named graph in a single SPARQL Update, which both
Oxigraph and any SPARQL 1.1 endpoint apply as one transaction: a concurrent reader sees the
old graph or the new one, never a mix.
"""

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph.disk_space import MIN_FREE_BYTES, ensure_free, is_disk_full
from graph.errors import (
    DiskFull,
    GraphError,
    InvalidQuery,
    NotFound,
    StoreUnavailable,
)
from graph.ntriples import (
    NTriples,
    Triples,
    nquads_split,
    nt_iri,
    ntriples,
    replace_update,
)
from graph.query_deadline import DeadlineRunner, check_deadline
from graph.store_protocol import (
    DUMP_FORMATS,
    AskResult,
    GraphResult,
    GraphStore,
    QueryResult,
    Row,
    SelectResult,
    Term,
    check_dump_format,
)
from ontology.namespaces import PREFIXES

__all__ = [
    "DUMP_FORMATS",
    "AskResult",
    "GraphResult",
    "GraphStore",
    "OxigraphStore",
    "QueryResult",
    "Row",
    "SelectResult",
    "Term",
    "check_dump_format",
]

logger = logging.getLogger(__name__)

_XSD_STRING = str(XSD.string)


_BULK_MIN_LINES = 20_000  # below this a transaction is fast enough and atomic
_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_datatypes: dict[str, URIRef] = {}


def _to_rdflib(term: Any) -> Term | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            # RDF 1.1 simple literals are xsd:string; rdflib compares them as untyped.
            return Literal(term.value)
        iri = _datatypes.get(datatype) or _datatypes.setdefault(datatype, URIRef(datatype))
        return Literal(term.value, datatype=iri)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise GraphError(f"RDF-star term {term} is not supported by Wissensnetz")


def _materialise(
    result: Any, max_rows: int | None, deadline: float | None, timeout_s: float | None
) -> QueryResult:
    """Consume a lazy pyoxigraph result, stopping at the row cap or the deadline."""
    if isinstance(result, ox.QueryBoolean):
        return AskResult(bool(result))
    rows: list[Any] = []
    truncated = False
    for item in result:
        check_deadline(deadline, timeout_s)
        if max_rows is not None and len(rows) >= max_rows:
            truncated = True
            break
        rows.append(tuple(_to_rdflib(t) for t in item))
    check_deadline(deadline, timeout_s)
    if isinstance(result, ox.QuerySolutions):
        return SelectResult([v.value for v in result.variables], rows, truncated)
    graph = Graph()
    for triple in rows:
        graph.add(triple)
    return GraphResult(graph, truncated)


class OxigraphStore:
    """Embedded Oxigraph (RocksDB on disk, or memory when ``path`` is None).

    Query timeouts: results are lazy, so a query with ``timeout_s`` stops at the first row
    after its deadline; one that blocks before its first row (ORDER BY or GROUP BY over a large
    join) is abandoned on a bounded worker thread (:mod:`graph.query_deadline`). Worker
    processes would allow a hard kill, but a second process may not open the RocksDB directory
    while this one writes, and an in-memory store cannot be shared at all. ``oxigraph serve
    --timeout-s`` with ``SparqlEndpointStore`` stops joins and aggregates server-side.
    """

    def __init__(self, path: Path | None = None, *, max_concurrent_queries: int = 4) -> None:
        """Open or create the store.

        Raises:
            StoreUnavailable: if the directory cannot be opened (for example because
                another process, such as a running ``wissensnetz serve``, holds its lock).
        """
        self.path = path
        self._refuses_writes = False
        try:
            self._store: ox.Store | None = ox.Store(str(path) if path is not None else None)
        except OSError as e:
            if is_disk_full(e):
                raise DiskFull(
                    f"cannot open the Oxigraph store at {path}: disk full ({e}); "
                    "free space on that disk and try again"
                ) from e
            raise StoreUnavailable(
                f"cannot open the Oxigraph store at {path}: {e}; is another process using it?"
            ) from e
        self._deadlines = DeadlineRunner(max_concurrent_queries)

    def __repr__(self) -> str:
        return f"OxigraphStore(path={self.path!r})"

    def _open(self) -> ox.Store:
        if self._store is None:
            raise StoreUnavailable("the Oxigraph store is closed; open a new OxigraphStore")
        return self._store

    def _update(self, update: str) -> None:
        try:
            self._writable().update(update)
        except SyntaxError as e:
            raise GraphError(f"Oxigraph rejected a generated update: {e}") from e
        except OSError as e:
            raise self._write_failed(e) from e

    def _write_failed(self, error: OSError) -> StoreUnavailable:
        if not is_disk_full(error):
            return StoreUnavailable(f"writing to the Oxigraph store failed: {error}")
        # RocksDB now refuses every write, even once space is free, until it is reopened.
        self._refuses_writes = True
        return DiskFull(f"writing to the Oxigraph store failed: disk full ({error})")

    def _writable(self) -> ox.Store:
        """The open store, reopened first if RocksDB stopped writing after a full disk.

        Reopening needs room for a new log and options file; without it the old handle is
        kept, so reads go on working.
        """
        if not self._refuses_writes or self.path is None:
            return self._open()
        ensure_free(self.path, MIN_FREE_BYTES)
        self._store = None  # drops RocksDB's lock on the directory, unless a reader holds on
        try:
            self._store = ox.Store(str(self.path))
        except OSError as e:
            raise StoreUnavailable(
                f"cannot reopen the Oxigraph store at {self.path} after a full disk: {e}; "
                "restart the process"
            ) from e
        self._refuses_writes = False
        logger.info("reopened the Oxigraph store %s after a full disk", self.path)
        return self._store

    def replace_document(self, graph_iri: URIRef, triples: Triples) -> None:
        """Swap the content of one document graph in one transaction.

        A graph that does not exist yet is loaded as N-Triples, also one transaction: it
        costs half the CPU of parsing the same triples as SPARQL ``INSERT DATA``.
        """
        graph = ox.NamedNode(str(graph_iri))
        if self._open().contains_named_graph(graph):
            self._update(replace_update(graph_iri, triples))
            return
        body = ntriples(triples).encode("utf-8")
        try:
            self._writable().load(body, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        except SyntaxError as e:
            raise GraphError(f"Oxigraph rejected generated N-Triples: {e}") from e
        except OSError as e:
            raise self._write_failed(e) from e

    def add_documents(self, graphs: Sequence[tuple[URIRef, Triples]], *, marker: URIRef) -> None:
        """Write several document graphs at once, the ingest's fast path for new documents.

        New graphs are bulk-loaded together: RocksDB takes sorted files instead of updating six
        indexes quad by quad in a transaction, which took 2.3x less time per generated document
        at 2,000 documents. The bulk load is not one transaction, so triples with predicate
        ``marker`` follow in one transaction after it, and the caller's journal covers the
        documents until this returns. A graph that already exists is replaced the usual way.
        """
        store = self._writable()
        bodies: list[str] = []
        markers: list[str] = []
        for graph_iri, triples in graphs:
            if store.contains_named_graph(ox.NamedNode(str(graph_iri))):
                self.replace_document(graph_iri, triples)
                continue
            body, held = nquads_split(triples, graph_iri, marker)
            bodies.append(body)
            markers.append(held)
        try:
            if bodies:
                store.bulk_load("".join(bodies).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
            if markers:
                store.load("".join(markers).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        except SyntaxError as e:
            raise GraphError(f"Oxigraph rejected generated N-Quads: {e}") from e
        except OSError as e:
            raise self._write_failed(e) from e

    def replace_graph(self, graph_iri: URIRef, triples: Triples) -> None:
        """Swap the content of a large reference graph, writing as little as possible.

        RocksDB pays most for deletes and for big transactions (dropping the 136,000-triple
        reference graph took longer than loading it). So, given no blank nodes: an existing
        graph gets only the diff, in one transaction; a new large graph is bulk-loaded, and
        its *last line* is committed last, so a caller can end with a completion marker
        (the reference loader's content hash). Readers may watch a new graph fill up, but
        never see old and new content mixed. Assumes one writer per graph.
        """
        store, body = self._open(), ntriples(triples)
        graph = ox.NamedNode(str(graph_iri))
        if "_:" in body:
            self._update(replace_update(graph_iri, NTriples(body)))
        elif store.contains_named_graph(graph):
            self._replace_by_diff(graph, body)
        elif body.count("\n") >= _BULK_MIN_LINES:
            head, _, last = body.rstrip("\n").rpartition("\n")
            try:
                store.bulk_load(head.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
            except OSError as e:
                raise self._write_failed(e) from e
            self._update(f"INSERT DATA {{ GRAPH {nt_iri(graph_iri)} {{ {last} }} }}")
        else:
            self._update(replace_update(graph_iri, NTriples(body)))

    def _replace_by_diff(self, graph: ox.NamedNode, body: str) -> None:
        quads = self._open().quads_for_pattern(None, None, None, graph)
        stored = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        old_text = (ox.serialize(stored, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        if "_:" in old_text:  # DELETE DATA may not name blank nodes
            self._update(replace_update(URIRef(graph.value), NTriples(body)))
            return
        old, new = set(old_text.splitlines()), set(body.splitlines())
        operations = [
            f"{verb} DATA {{ GRAPH {graph} {{\n{''.join(line + chr(10) for line in lines)}}} }}"
            for verb, lines in (("DELETE", old - new), ("INSERT", new - old))
            if lines
        ]
        if operations:
            self._update(" ;\n".join(operations))

    def delete_document(self, graph_iri: URIRef) -> bool:
        """Drop a document graph; ``False`` if it did not exist."""
        existed = self._open().contains_named_graph(ox.NamedNode(str(graph_iri)))
        self._update(f"DROP SILENT GRAPH {nt_iri(graph_iri)}")
        return bool(existed)

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout_s: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Evaluate a query; the default graph is the union of all graphs unless given.

        Raises:
            InvalidQuery: on a syntax error.
            QueryTimeout: when ``timeout_s`` passes before the result is complete.
        """
        store = self._open()
        options: dict[str, Any] = {"use_default_graph_as_union": not default_graph_uris}
        try:
            if default_graph_uris:
                options["default_graph"] = [ox.NamedNode(u) for u in default_graph_uris]
            if named_graph_uris:
                options["named_graphs"] = [ox.NamedNode(u) for u in named_graph_uris]
        except ValueError as e:
            raise InvalidQuery(f"not a valid graph IRI: {e}") from e

        def evaluate(deadline: float | None) -> QueryResult:
            try:
                result = store.query(sparql, prefixes=PREFIXES, **options)
                return _materialise(result, max_rows, deadline, timeout_s)
            except SyntaxError as e:
                raise InvalidQuery(f"SPARQL syntax error: {e}") from e
            except (OSError, RuntimeError, ValueError) as e:
                raise GraphError(f"query evaluation failed: {e}") from e

        if timeout_s is None:
            return evaluate(None)
        return self._deadlines.run(evaluate, timeout_s)

    @property
    def abandoned_queries(self) -> int:
        """Queries past their timeout whose worker thread Oxigraph still keeps busy."""
        return self._deadlines.abandoned

    def graph_iris(self) -> list[URIRef]:
        """Names of all non-empty named graphs, sorted."""
        store = self._open()
        names = (g for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(
            URIRef(g.value)
            for g in names
            if next(store.quads_for_pattern(None, None, None, g), None)
        )

    def count_triples(self, graph_iri: URIRef | None = None) -> int:
        """Triples in one graph, or quads in all named graphs."""
        store = self._open()
        if graph_iri is None:
            # Only named graphs count, as on an endpoint whose default graph is the union.
            return len(store) - sum(
                1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
            )
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {nt_iri(graph_iri)} {{ ?s ?p ?o }} }}"
        solutions = store.query(count)
        if not isinstance(solutions, ox.QuerySolutions):
            raise GraphError("Oxigraph answered COUNT with another result form")
        value = next(solutions)[0]
        return int(value.value) if isinstance(value, ox.Literal) else 0

    def dump(self, fmt: str, graph_iri: URIRef | None = None) -> bytes:
        """Serialise one graph or the whole dataset (names in ``DUMP_FORMATS``)."""
        store = self._open()
        is_dataset = check_dump_format(fmt, graph_iri)
        ox_format = _OX_FORMATS[fmt]
        prefixes = PREFIXES if fmt in {"turtle", "trig", "jsonld"} else None
        if graph_iri is None:
            return store.dump(format=ox_format, prefixes=prefixes) or b""
        graph = ox.NamedNode(str(graph_iri))
        if not store.contains_named_graph(graph):
            raise NotFound(f"graph {graph_iri} does not exist")
        if is_dataset:
            quads = store.quads_for_pattern(None, None, None, graph)
            data = ox.serialize(quads, format=ox_format, prefixes=prefixes)
        else:
            data = store.dump(format=ox_format, from_graph=graph, prefixes=prefixes)
        return data or b""

    def flush(self) -> None:
        """Make every committed write durable on disk."""
        self._open().flush()

    def close(self) -> None:
        """Flush and release the store; further calls raise ``StoreUnavailable``.

        A flush that fails (full disk) only costs the memtable-to-file step: committed writes
        are in RocksDB's log and come back when the store is opened again.
        """
        if self._store is not None and self.path is not None and not self._refuses_writes:
            try:
                self._store.flush()
            except OSError as e:
                logger.warning("could not flush the Oxigraph store %s: %s", self.path, e)
        self._store = None
