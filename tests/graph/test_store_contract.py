"""One contract for every ``GraphStore`` backend: embedded Oxigraph and a SPARQL endpoint."""

import threading
import time
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from graph.errors import GraphError, InvalidQuery, NotFound, QueryTimeout, StoreUnavailable
from graph.store import AskResult, GraphResult, GraphStore, OxigraphStore, SelectResult

EX = "http://example.org/"
G1 = URIRef(f"{EX}graph/one")
G2 = URIRef(f"{EX}graph/two")
P = URIRef(f"{EX}p")
TIMEOUT_S = 1.0
GRACE_S = 1.5  # the test machine is shared; a busy scheduler adds latency


def make_graph(n: int, tag: str = "a") -> Graph:
    graph = Graph()
    for i in range(n):
        graph.add((URIRef(f"{EX}{tag}/{i}"), P, Literal(f"{tag} {i}")))
    return graph


def graph_content(store: GraphStore, graph_iri: URIRef) -> Graph:
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, GraphResult)
    return result.graph


def select(store: GraphStore, sparql: str, **kwargs: object) -> SelectResult:
    result = store.query(sparql, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, SelectResult)
    return result


def test_is_a_graph_store(contract_store: GraphStore) -> None:
    assert isinstance(contract_store, GraphStore)


def test_replace_is_idempotent(contract_store: GraphStore) -> None:
    data = make_graph(50)
    contract_store.replace_document(G1, data)
    contract_store.replace_document(G1, data)
    assert contract_store.count_triples(G1) == 50
    assert isomorphic(graph_content(contract_store, G1), data)


MARK = URIRef(f"{EX}mark")


def with_marker(n: int, tag: str) -> Graph:
    graph = make_graph(n, tag)
    graph.add((URIRef(f"{EX}{tag}"), MARK, Literal(f"done {tag}")))
    return graph


def test_add_documents_writes_new_and_replaces_stored_graphs(contract_store: GraphStore) -> None:
    contract_store.replace_document(G2, make_graph(7, "old"))
    g3 = URIRef(f"{EX}graph/three")
    batch = [(G1, with_marker(30, "a")), (G2, with_marker(4, "b")), (g3, Graph())]
    contract_store.add_documents(batch, marker=MARK)
    assert isomorphic(graph_content(contract_store, G1), with_marker(30, "a"))
    assert isomorphic(graph_content(contract_store, G2), with_marker(4, "b"))  # old triples gone
    assert contract_store.count_triples(g3) == 0
    assert contract_store.count_triples() == 31 + 5


def test_add_documents_keeps_awkward_literals_whole(contract_store: GraphStore) -> None:
    graph = Graph()
    odd = 'Zeile\u2028zwei\x85drei . <x> "Zitat" \n Ende'
    graph.add((URIRef(f"{EX}s"), P, Literal(odd, lang="de")))
    graph.add((URIRef(f"{EX}s"), MARK, Literal("1", datatype=XSD.integer)))
    contract_store.add_documents([(G1, graph)], marker=MARK)
    assert isomorphic(graph_content(contract_store, G1), graph)


def test_replace_swaps_exactly_one_graph(contract_store: GraphStore) -> None:
    contract_store.replace_document(G1, make_graph(10, "a"))
    contract_store.replace_document(G2, make_graph(20, "b"))
    contract_store.replace_document(G1, make_graph(5, "c"))
    assert isomorphic(graph_content(contract_store, G1), make_graph(5, "c"))
    assert isomorphic(graph_content(contract_store, G2), make_graph(20, "b"))


def test_replace_graph_accepts_plain_triples(contract_store: GraphStore) -> None:
    contract_store.replace_graph(G1, iter(make_graph(3)))
    assert contract_store.count_triples(G1) == 3


def test_replace_graph_swaps_changed_content(contract_store: GraphStore) -> None:
    contract_store.replace_graph(G2, make_graph(5, "b"))
    contract_store.replace_graph(G1, make_graph(20, "a"))
    changed = make_graph(15, "a") + make_graph(3, "c")
    contract_store.replace_graph(G1, changed)
    assert isomorphic(graph_content(contract_store, G1), changed)
    with_blank = changed + Graph()
    with_blank.add((BNode(), P, Literal("anonym")))
    contract_store.replace_graph(G1, with_blank)
    contract_store.replace_graph(G1, changed)
    assert isomorphic(graph_content(contract_store, G1), changed)
    assert contract_store.count_triples(G2) == 5


@pytest.mark.slow
def test_replace_large_graph(contract_store: GraphStore) -> None:
    big = make_graph(21_000, "big")
    contract_store.replace_graph(G1, big)
    assert contract_store.count_triples(G1) == 21_000
    last = sorted(big)[-1]
    contract_store.replace_graph(G1, (t for t in big if t != last))
    assert contract_store.count_triples(G1) == 20_999
    assert contract_store.query(f"ASK {{ GRAPH <{G1}> {{ <{last[0]}> ?p ?o }} }}") == AskResult(
        False
    )


def test_replace_with_nothing_empties_the_graph(contract_store: GraphStore) -> None:
    contract_store.replace_document(G1, make_graph(3))
    contract_store.replace_document(G1, Graph())
    assert contract_store.count_triples(G1) == 0
    assert G1 not in contract_store.graph_iris()


def test_delete(contract_store: GraphStore) -> None:
    contract_store.replace_document(G1, make_graph(3))
    contract_store.replace_document(G2, make_graph(4, "b"))
    assert contract_store.delete_document(G1) is True
    assert contract_store.delete_document(G1) is False
    assert contract_store.graph_iris() == [G2]
    assert contract_store.count_triples(G1) == 0


def test_counts_and_graph_names(contract_store: GraphStore) -> None:
    assert contract_store.count_triples() == 0
    assert contract_store.graph_iris() == []
    contract_store.replace_document(G2, make_graph(7, "b"))
    contract_store.replace_document(G1, make_graph(3))
    assert contract_store.count_triples(G1) == 3
    assert contract_store.count_triples(G2) == 7
    assert contract_store.count_triples() == 10
    assert contract_store.graph_iris() == [G1, G2]


def test_union_default_graph(contract_store: GraphStore) -> None:
    contract_store.replace_document(G1, make_graph(3, "a"))
    contract_store.replace_document(G2, make_graph(4, "b"))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert select(contract_store, count).rows == [(Literal(7),)]
    only_one = select(contract_store, count, default_graph_uris=[str(G1)])
    assert only_one.rows == [(Literal(3),)]


def test_graph_queries(contract_store: GraphStore) -> None:
    contract_store.replace_document(G1, make_graph(3, "a"))
    contract_store.replace_document(G2, make_graph(4, "b"))
    sparql = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    assert select(contract_store, sparql).rows == [(G1, Literal(3)), (G2, Literal(4))]
    named = select(contract_store, sparql, named_graph_uris=[str(G2)])
    assert named.rows == [(G2, Literal(4))]


def test_terms_round_trip(contract_store: GraphStore) -> None:
    subject, blank = URIRef(f"{EX}s"), BNode()
    data = Graph()
    data.add((subject, RDFS.label, Literal('Zeile 1\nZeile "2"', lang="de")))
    data.add((subject, P, Literal(42)))
    data.add((subject, P, Literal("2024-05-01", datatype=XSD.date)))
    data.add((subject, P, Literal("schlicht")))
    data.add((subject, URIRef(f"{EX}q"), blank))
    data.add((blank, RDFS.label, Literal("anonym")))
    contract_store.replace_document(G1, data)
    assert isomorphic(graph_content(contract_store, G1), data)
    rows = select(contract_store, "SELECT ?o ?x WHERE { ?s <http://example.org/p> ?o }").rows
    assert {row[0] for row in rows} == {
        Literal(42),
        Literal("2024-05-01", datatype=XSD.date),
        Literal("schlicht"),
    }
    assert all(row[1] is None for row in rows)


def test_ask_construct_and_our_prefixes(contract_store: GraphStore) -> None:
    contract_store.replace_document(G1, make_graph(3))
    assert contract_store.query("ASK { ?s rdfs:label ?o }") == AskResult(False)
    assert contract_store.query("ASK { ?s ?p ?o }") == AskResult(True)
    described = contract_store.query(f"DESCRIBE <{EX}a/1>")
    assert isinstance(described, GraphResult)
    assert len(described.graph) == 1


def test_max_rows_truncates(contract_store: GraphStore) -> None:
    contract_store.replace_document(G1, make_graph(30))
    capped = select(contract_store, "SELECT * WHERE { ?s ?p ?o }", max_rows=10)
    assert (len(capped.rows), capped.truncated) == (10, True)
    exact = select(contract_store, "SELECT * WHERE { ?s ?p ?o }", max_rows=30)
    assert (len(exact.rows), exact.truncated) == (30, False)
    graph = contract_store.query("CONSTRUCT WHERE { ?s ?p ?o }", max_rows=5)
    assert isinstance(graph, GraphResult)
    assert (len(graph.graph), graph.truncated) == (5, True)


def test_syntax_error_is_invalid_query(contract_store: GraphStore) -> None:
    with pytest.raises(InvalidQuery):
        contract_store.query("SELECT WHERE {")


def test_streaming_query_times_out(contract_store: GraphStore) -> None:
    contract_store.replace_document(G1, make_graph(400))
    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        contract_store.query(
            "SELECT * WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }", timeout_s=TIMEOUT_S
        )
    assert time.monotonic() - start < TIMEOUT_S + GRACE_S


def test_atomic_replace_under_concurrent_reads(contract_store: GraphStore) -> None:
    old, new = make_graph(800, "old"), make_graph(1300, "new")
    contract_store.replace_document(G1, old)
    seen: set[int] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.add(contract_store.count_triples(G1))

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        for i in range(10):
            contract_store.replace_document(G1, new if i % 2 == 0 else old)
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert seen <= {800, 1300}
    assert len(seen) == 2


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_dump_dataset(contract_store: GraphStore, fmt: str) -> None:
    contract_store.replace_document(G1, make_graph(3, "a"))
    contract_store.replace_document(G2, make_graph(4, "b"))
    parsed = Dataset()
    parsed.parse(data=contract_store.dump(fmt), format={"jsonld": "json-ld"}.get(fmt, fmt))
    assert len(parsed) == 7
    assert isomorphic(parsed.graph(G2), make_graph(4, "b"))
    one = Dataset()
    one.parse(data=contract_store.dump(fmt, G1), format={"jsonld": "json-ld"}.get(fmt, fmt))
    assert len(one) == 3


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_dump_graph(contract_store: GraphStore, fmt: str) -> None:
    contract_store.replace_document(G1, make_graph(3))
    parsed = Graph().parse(data=contract_store.dump(fmt, G1), format=fmt)
    assert isomorphic(parsed, make_graph(3))
    with pytest.raises(GraphError, match="single graph"):
        contract_store.dump(fmt)
    with pytest.raises(NotFound):
        contract_store.dump(fmt, G2)


def test_closed_store_refuses_calls(contract_store: GraphStore) -> None:
    contract_store.close()
    with pytest.raises(StoreUnavailable):
        contract_store.count_triples()


def test_oxigraph_store_persists(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "db")
    store.replace_document(G1, make_graph(3))
    store.close()
    reopened = OxigraphStore(tmp_path / "db")
    assert reopened.count_triples(G1) == 3
    reopened.close()


def test_oxigraph_blocking_query_times_out_on_time() -> None:
    store = OxigraphStore()
    store.replace_document(G1, make_graph(1000))
    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.query(
            "SELECT ?a WHERE { ?a ?p ?x . ?b ?q ?y } ORDER BY ?x ?y LIMIT 1", timeout_s=TIMEOUT_S
        )
    assert time.monotonic() - start < TIMEOUT_S + GRACE_S
