"""Export of one graph or the whole store in every supported RDF format."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from graph.errors import GraphError, NotFound
from graph.export import EXPORT_FORMATS, export, export_format, export_to_file, media_type
from graph.store import OxigraphStore

EX = "http://example.org/"
G1 = URIRef(f"{EX}graph/one")
G2 = URIRef(f"{EX}graph/two")
RDFLIB = {"turtle": "turtle", "trig": "trig", "nt": "nt", "nquads": "nquads", "jsonld": "json-ld"}


def document(tag: str) -> Graph:
    graph = Graph()
    subject, blank = URIRef(f"{EX}{tag}"), BNode()
    graph.add((subject, RDFS.label, Literal(f"Gütersloh {tag}", lang="de")))
    graph.add((subject, RDFS.comment, Literal('zwei\nZeilen "zitiert"')))
    graph.add((subject, URIRef(f"{EX}n"), Literal(7)))
    graph.add((subject, URIRef(f"{EX}d"), Literal("2025-01-31", datatype=XSD.date)))
    graph.add((subject, URIRef(f"{EX}b"), blank))
    graph.add((blank, RDFS.label, Literal("leer")))
    return graph


@pytest.fixture
def export_store() -> Iterator[OxigraphStore]:
    store = OxigraphStore()
    store.replace_document(G1, document("a"))
    store.replace_document(G2, document("b"))
    yield store
    store.close()


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_whole_store_round_trips(export_store: OxigraphStore, fmt: str) -> None:
    parsed = Dataset()
    parsed.parse(data=export(export_store, fmt), format=RDFLIB[fmt])
    assert isomorphic(parsed.graph(G1), document("a"))
    assert isomorphic(parsed.graph(G2), document("b"))


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_one_graph_round_trips(export_store: OxigraphStore, fmt: str) -> None:
    data = export(export_store, fmt, G2)
    if fmt in {"turtle", "nt"}:
        assert isomorphic(Graph().parse(data=data, format=RDFLIB[fmt]), document("b"))
    else:
        parsed = Dataset()
        parsed.parse(data=data, format=RDFLIB[fmt])
        assert isomorphic(parsed.graph(G2), document("b"))
        assert len(parsed.graph(G1)) == 0


def test_export_loads_into_a_fresh_store(export_store: OxigraphStore) -> None:
    parsed = Dataset()
    parsed.parse(data=export(export_store, "nquads"), format="nquads")
    copy = OxigraphStore()
    for name in (G1, G2):
        copy.replace_document(name, parsed.graph(name))
    assert copy.count_triples() == export_store.count_triples() == 12
    assert isomorphic(Graph().parse(data=export(copy, "nt", G1), format="nt"), document("a"))


def test_turtle_uses_our_prefixes(export_store: OxigraphStore) -> None:
    assert b"@prefix rdfs:" in export(export_store, "turtle", G1)


def test_graph_format_needs_a_graph(export_store: OxigraphStore) -> None:
    with pytest.raises(GraphError, match="single graph"):
        export(export_store, "turtle")


def test_unknown_format_and_missing_graph(export_store: OxigraphStore) -> None:
    with pytest.raises(GraphError, match="cannot export"):
        export(export_store, "rdf/xml")
    with pytest.raises(NotFound):
        export(export_store, "nt", URIRef(f"{EX}graph/none"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("TTL", "turtle"), (".nq", "nquads"), ("application/ld+json", "jsonld"), ("n-triples", "nt")],
)
def test_format_aliases(name: str, expected: str) -> None:
    assert export_format(name) == expected


def test_media_type() -> None:
    assert media_type("trig") == "application/trig"


def test_export_to_file(export_store: OxigraphStore, tmp_path: Path) -> None:
    target = tmp_path / "dump.trig"
    written = export_to_file(export_store, target)
    assert written == target.stat().st_size > 0
    parsed = Dataset()
    parsed.parse(target, format="trig")
    assert len(parsed) == 12
