"""Real SPARQL clients against a running uvicorn server: SPARQLWrapper and rdflib's SPARQLStore."""

import csv
import io
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from ontology.namespaces import sparql_prologue

pytestmark = pytest.mark.server

SELECT = sparql_prologue() + (
    "SELECT ?name WHERE { ?p a foaf:Person ; foaf:name ?name } ORDER BY ?name"
)
ASK = sparql_prologue() + "ASK { ?e wn:experienceKind wn:Presented }"
CONSTRUCT = sparql_prologue() + (
    "CONSTRUCT { ?p foaf:name ?n } WHERE { ?p a foaf:Person ; foaf:name ?n }"
)
PEOPLE = {"Erika Musterfrau", "Jana Beispiel", "Max Muster"}


def wrapper(server: str, query: str, fmt: str, method: str = "GET") -> Any:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client.query()


def names_of(result: Any, fmt: str) -> set[str]:
    if fmt == JSON:
        return {b["name"]["value"] for b in result.convert()["results"]["bindings"]}
    if fmt == XML:
        document = result.convert()
        return {n.firstChild.data for n in document.getElementsByTagName("literal")}
    text = result.convert().decode("utf-8")
    if fmt == CSV:
        return {row[0] for row in list(csv.reader(io.StringIO(text)))[1:]}
    return {line.strip('"') for line in text.splitlines()[1:]}


@pytest.mark.parametrize("method", ["GET", POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_wrapper_select(server: str, fmt: str, method: str) -> None:
    result = wrapper(server, SELECT, fmt, method)
    assert names_of(result, fmt) >= PEOPLE


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_wrapper_ask(server: str, fmt: str) -> None:
    converted = wrapper(server, ASK, fmt).convert()
    if fmt == JSON:
        assert converted["boolean"] is True
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", [TURTLE, N3, JSONLD])
def test_wrapper_construct(server: str, fmt: str) -> None:
    graph = wrapper(server, CONSTRUCT, fmt).convert()
    if not isinstance(graph, Graph):  # SPARQLWrapper returns bytes for some formats
        graph = Graph().parse(data=graph, format="json-ld" if fmt == JSONLD else "turtle")
    assert {str(o) for o in graph.objects(None, FOAF.name)} >= PEOPLE


def test_wrapper_sees_refusals(server: str) -> None:
    service = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    with pytest.raises(QueryBadFormed):
        wrapper(server, service, JSON)


def test_rdflib_sparql_store(server: str) -> None:
    store = SPARQLStore(query_endpoint=f"{server}/sparql", returnFormat="json")
    graph = Graph(store=store)
    rows = graph.query(SELECT)
    assert {str(row[0]) for row in rows} >= PEOPLE
    asked = graph.query(ASK)
    assert asked.askAnswer is True
    person = URIRef(
        next(
            str(row[0])
            for row in graph.query(
                sparql_prologue() + 'SELECT ?p WHERE { ?p foaf:name "Max Muster" }'
            )
        )
    )
    assert (person, FOAF.name, Literal("Max Muster")) in graph
    assert Literal("Max Muster") in set(graph.objects(person, FOAF.name))
    store.close()


def test_rdflib_store_is_read_only(server: str) -> None:
    store = SPARQLStore(query_endpoint=f"{server}/sparql")
    graph = Graph(store=store)
    with pytest.raises(TypeError):
        graph.add((URIRef("urn:a"), URIRef("urn:b"), Literal("c")))
