"""The read-only SPARQL service: query forms, refusals, limits and result formats."""

import io
import json
import time
from collections.abc import Iterator

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD
from rdflib.query import Result

from graph.endpoint_store import SparqlEndpointStore
from graph.errors import InvalidQuery, QueryTimeout
from graph.sparql import (
    CSV,
    JSON_LD,
    N_TRIPLES,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
    TURTLE,
    SparqlService,
    classify,
    media_type,
    negotiate,
    serialize,
    serialize_graph,
    serialize_select,
)
from graph.store import AskResult, GraphResult, OxigraphStore, SelectResult

EX = "http://example.org/"
DOC = URIRef(f"{EX}graph/doc")
BIG = URIRef(f"{EX}graph/big")
TIMEOUT_S = 1.0
GRACE_S = 1.5  # the test machine is shared; a busy scheduler adds latency


def sample_graph() -> Graph:
    graph = Graph()
    bielefeld, blank = URIRef(f"{EX}bielefeld"), BNode("b1")
    graph.add((bielefeld, RDFS.label, Literal("Bielefeld")))
    graph.add((bielefeld, RDFS.comment, Literal('Tab\there, "Zitat" & <tag>\nZeile 2', lang="de")))
    graph.add((bielefeld, URIRef(f"{EX}population"), Literal(334195)))
    graph.add((bielefeld, URIRef(f"{EX}since"), Literal("1214-01-01", datatype=XSD.date)))
    graph.add((bielefeld, URIRef(f"{EX}contact"), blank))
    graph.add((blank, RDFS.label, Literal("Bürgerbüro Gütersloh")))
    return graph


@pytest.fixture
def sparql_store() -> Iterator[OxigraphStore]:
    store = OxigraphStore()
    store.replace_document(DOC, sample_graph())
    yield store
    store.close()


@pytest.fixture
def service(sparql_store: OxigraphStore) -> SparqlService:
    return SparqlService(sparql_store, timeout_s=TIMEOUT_S, row_cap=100)


def test_select(service: SparqlService) -> None:
    outcome = service.run("SELECT ?o WHERE { ?s rdfs:label ?o } ORDER BY ?o")
    assert outcome.kind == "SELECT"
    assert isinstance(outcome.result, SelectResult)
    assert outcome.result.rows == [(Literal("Bielefeld"),), (Literal("Bürgerbüro Gütersloh"),)]
    assert not outcome.truncated


def test_ask(service: SparqlService) -> None:
    outcome = service.run("ASK { ?s rdfs:label 'Bielefeld' }")
    assert (outcome.kind, outcome.result) == ("ASK", AskResult(True))


def test_construct_and_describe(service: SparqlService) -> None:
    built = service.run("CONSTRUCT { ?s rdfs:label ?o } WHERE { ?s rdfs:label ?o }")
    assert built.kind == "CONSTRUCT"
    assert isinstance(built.result, GraphResult)
    assert len(built.result.graph) == 2
    described = service.run(f"DESCRIBE <{EX}bielefeld>")
    assert described.kind == "DESCRIBE"
    assert isinstance(described.result, GraphResult)
    assert len(described.result.graph) >= 5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT DATA"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
        ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "DELETE/INSERT"),
        ("LOAD <http://example.org/data.ttl>", "LOAD"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP GRAPH <http://example.org/graph/doc>", "DROP"),
        ("CREATE GRAPH <http://example.org/g>", "CREATE"),
        ("SELECT * WHERE { ?s ?p ?o } ; DROP ALL", "not a valid"),
    ],
)
def test_updates_are_refused(service: SparqlService, query: str, message: str) -> None:
    with pytest.raises(InvalidQuery, match=message):
        service.run(query)
    assert service.store.count_triples(DOC) == 6


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://dbpedia.org/sparql> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o { SELECT ?x WHERE { SERVICE SILENT <http://x> { ?x ?y ?z } } } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://x> { ?s ?q ?r } } }",
        "ASK { ?s ?p ?o FILTER EXISTS { SERVICE ?endpoint { ?s ?q ?r } } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { SERVICE <http://x> { ?s ?p ?o } } }",
    ],
)
def test_service_is_refused_wherever_it_hides(service: SparqlService, query: str) -> None:
    with pytest.raises(InvalidQuery, match="SERVICE"):
        service.run(query)


def test_syntax_error(service: SparqlService) -> None:
    with pytest.raises(InvalidQuery, match="not a valid SPARQL query"):
        service.run("SELECT ?s WHERE { ?s ?p ")


def test_classify_caches_and_names_kinds() -> None:
    assert classify("SELECT * { ?s ?p ?o }") == "SELECT"
    assert classify("DESCRIBE <http://a>") == "DESCRIBE"


def test_row_cap_truncates(sparql_store: OxigraphStore) -> None:
    capped = SparqlService(sparql_store, row_cap=4).run("SELECT * WHERE { ?s ?p ?o }")
    assert isinstance(capped.result, SelectResult)
    assert (len(capped.result.rows), capped.truncated) == (4, True)
    assert b"truncated at the row cap" in serialize(capped, "table")


def test_slow_query_times_out(sparql_store: OxigraphStore) -> None:
    big = Graph()
    for i in range(1000):  # one hub: a connected join (cartesian products are refused)
        big.add((URIRef(f"{EX}n/{i}"), RDFS.seeAlso, URIRef(f"{EX}hub")))
    sparql_store.replace_document(BIG, big)
    slow = SparqlService(sparql_store, timeout_s=TIMEOUT_S)
    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        slow.run("SELECT ?a ?b WHERE { ?a rdfs:seeAlso ?h . ?b rdfs:seeAlso ?h } ORDER BY ?b ?a")
    assert time.monotonic() - start < TIMEOUT_S + GRACE_S


@pytest.mark.server
def test_slow_query_times_out_on_endpoint(endpoint_store: SparqlEndpointStore) -> None:
    big = Graph()
    for i in range(600):
        big.add((URIRef(f"{EX}n/{i}"), RDFS.seeAlso, URIRef(f"{EX}hub")))
    endpoint_store.replace_document(BIG, big)
    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        SparqlService(endpoint_store, timeout_s=TIMEOUT_S).run(
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?h . ?b ?q ?h . ?c ?r ?h }"
        )
    assert time.monotonic() - start < TIMEOUT_S + GRACE_S


@pytest.fixture
def select_result(service: SparqlService) -> SelectResult:
    result = service.run(
        "SELECT ?s ?p ?o ?missing WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?missing } }"
    ).result
    assert isinstance(result, SelectResult)
    return result


def _rows(result: Result) -> set[tuple[object, ...]]:
    return {tuple(row) for row in result}  # type: ignore[arg-type]


@pytest.mark.parametrize(("fmt", "rdflib_format"), [(SPARQL_JSON, "json"), (SPARQL_XML, "xml")])
def test_json_and_xml_round_trip(select_result: SelectResult, fmt: str, rdflib_format: str) -> None:
    parsed = Result.parse(io.BytesIO(serialize_select(select_result, fmt)), format=rdflib_format)
    assert [str(v) for v in parsed.vars or []] == select_result.variables
    assert _rows(parsed) == set(select_result.rows)


def test_tsv_round_trip(select_result: SelectResult) -> None:
    data = serialize_select(select_result, TSV)
    parsed = Result.parse(io.BytesIO(data), format="tsv")
    assert [str(v) for v in parsed.vars or []] == select_result.variables
    assert len(_rows(parsed)) == len(select_result.rows)
    assert {row[2] for row in _rows(parsed)} == {row[2] for row in select_result.rows}


def test_csv_round_trip(select_result: SelectResult) -> None:
    data = serialize_select(select_result, CSV)
    assert data.startswith(b"s,p,o,missing\r\n")
    parsed = Result.parse(io.BytesIO(data), format="csv")
    expected = {
        tuple("" if t is None else f"_:{t}" if isinstance(t, BNode) else str(t) for t in row)
        for row in select_result.rows
    }
    assert {tuple("" if t is None else str(t) for t in row) for row in _rows(parsed)} == expected


@pytest.mark.parametrize("fmt", [SPARQL_JSON, SPARQL_XML])
def test_ask_round_trip(fmt: str) -> None:
    data = serialize_select(AskResult(True), fmt)
    parsed = Result.parse(io.BytesIO(data), format="json" if fmt == SPARQL_JSON else "xml")
    assert parsed.askAnswer is True


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"), [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]
)
def test_graph_formats_round_trip(fmt: str, rdflib_format: str) -> None:
    original = sample_graph()
    data = serialize_graph(GraphResult(original), fmt)
    assert isomorphic(Graph().parse(data=data, format=rdflib_format), original)


def test_table_format(select_result: SelectResult) -> None:
    text = serialize_select(select_result, "table").decode()
    assert text.splitlines()[0].split() == ["s", "p", "o", "missing"]
    assert "rdfs:label" in text
    assert text.rstrip().endswith(f"({len(select_result.rows)} rows)")
    graph_text = serialize_graph(GraphResult(sample_graph()), "table").decode()
    assert graph_text.splitlines()[0].split() == ["subject", "predicate", "object"]


def test_wrong_format_for_result_kind() -> None:
    with pytest.raises(InvalidQuery, match="graph format"):
        serialize_select(AskResult(True), TURTLE)
    with pytest.raises(InvalidQuery, match="results format"):
        serialize_graph(GraphResult(Graph()), CSV)
    with pytest.raises(InvalidQuery, match="unknown result format"):
        media_type("image/png")


def test_json_is_standard(select_result: SelectResult) -> None:
    document = json.loads(serialize_select(select_result, "json"))
    assert document["head"]["vars"] == ["s", "p", "o", "missing"]
    assert any(b["o"].get("xml:lang") == "de" for b in document["results"]["bindings"])


@pytest.mark.parametrize(
    ("accept", "kind", "expected"),
    [
        (None, "SELECT", SPARQL_JSON),
        ("*/*", "CONSTRUCT", TURTLE),
        ("text/csv", "SELECT", CSV),
        ("application/xml", "ASK", SPARQL_XML),
        ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "SELECT", SPARQL_JSON),
        ("application/n-triples;q=0.5, text/turtle;q=0.4", "DESCRIBE", N_TRIPLES),
        ("application/json", "CONSTRUCT", JSON_LD),
        ("text/*", "SELECT", CSV),
        ("image/png", "SELECT", SPARQL_JSON),
        ("text/turtle;q=0, */*", "CONSTRUCT", N_TRIPLES),
    ],
)
def test_negotiate(accept: str | None, kind: str, expected: str) -> None:
    assert negotiate(accept, kind) == expected  # type: ignore[arg-type]
