"""The compiled shapes report exactly what pyshacl reports, and fall back where they must."""

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

import ontology
from graph.shacl import validate
from graph.shape_index import DataIndex
from graph.shape_rules import CompiledShapes, UnsupportedShapes
from tests.ontology.test_ontology_shapes import CASES, MEMBERSHIP, SCHEMA, Case, sample_graph

EX = Namespace("urn:ex:")
Found = set[tuple[Node | None, Node | None, Node | None]]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ontology.shapes_file())


@pytest.fixture(scope="module")
def compiled(shapes: Graph) -> CompiledShapes:
    return CompiledShapes(shapes)


def _reference(data: Graph, shapes: Graph) -> Found:
    _, report, _ = pyshacl_validate(data, shacl_graph=shapes)
    assert isinstance(report, Graph)
    return {
        (
            report.value(r, SH.focusNode),
            report.value(r, SH.resultPath),
            report.value(r, SH.sourceConstraintComponent),
        )
        for r in report.objects(None, SH.result)
        if report.value(r, SH.resultSeverity) == SH.Violation
    }


def _compiled(data: Graph, compiled: CompiledShapes) -> Found:
    results = compiled.validate(data)
    return {(r.focus, r.path, r.component) for r in results if r.severity == SH.Violation}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_compiled_shapes_agree_with_pyshacl_on_every_defect(
    shapes: Graph, compiled: CompiledShapes, case: Case
) -> None:
    g = sample_graph()
    case.apply(g)
    assert _compiled(g, compiled) == _reference(g, shapes) == case.expected


def test_valid_sample_and_mixed_precision_dates_conform(compiled: CompiledShapes) -> None:
    g = sample_graph()
    assert _compiled(g, compiled) == set()
    g.set((MEMBERSHIP, SCHEMA.startDate, Literal("2016-03-16", datatype=XSD.date)))
    g.set((MEMBERSHIP, SCHEMA.endDate, Literal("2016", datatype=XSD.gYear)))
    assert _compiled(g, compiled) == set()
    g.set((MEMBERSHIP, SCHEMA.endDate, Literal("2015", datatype=XSD.gYear)))
    assert _compiled(g, compiled) == {(MEMBERSHIP, None, SH.SPARQLConstraintComponent)}


def test_reference_territory_agrees_with_pyshacl(shapes: Graph, compiled: CompiledShapes) -> None:
    """Municipalities exercise the ARS and geocoding SPARQL constraints and the patterns."""
    from tests.graph.test_reference import BIELEFELD, WN, territory_sample

    sample = territory_sample()
    assert _compiled(sample, compiled) == _reference(sample, shapes) == set()
    sample.set((BIELEFELD, WN.ags, Literal("5711000")))
    sample.set((BIELEFELD, WN.ars, Literal("057119999000")))
    sample.set((BIELEFELD, RDFS.label, Literal("x", datatype=XSD.integer)))
    found = _compiled(sample, compiled)
    assert found == _reference(sample, shapes)
    assert (BIELEFELD, None, SH.SPARQLConstraintComponent) in found


SMALL_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:n ; sh:datatype xsd:integer ; sh:lessThanOrEquals ex:m ] ;
  sh:property [ sh:path ex:label ; sh:uniqueLang true ] .
"""


@pytest.mark.parametrize(
    "triples",
    [
        [(EX.a, EX.n, Literal("zwei", datatype=XSD.integer))],  # ill-typed literal
        [(EX.a, EX.n, Literal(5)), (EX.a, EX.m, Literal(3))],  # 5 > 3
        [(EX.a, EX.n, Literal(3)), (EX.a, EX.m, Literal("drei"))],  # incomparable
        [(EX.a, EX.label, Literal("a", lang="de")), (EX.a, EX.label, Literal("b", lang="de"))],
        [(EX.a, EX.n, Literal(2)), (EX.a, EX.m, Literal(3))],  # conforms
    ],
    ids=["ill-typed", "greater", "incomparable", "lang-twice", "conforms"],
)
def test_edge_semantics_agree_with_pyshacl(triples: list[tuple[Node, Node, Node]]) -> None:
    shapes = Graph().parse(data=SMALL_SHAPES, format="turtle")
    data = Graph()
    data.add((EX.Sub, RDFS.subClassOf, EX.Thing))  # a target through a data subclass
    data.add((EX.a, RDF.type, EX.Sub))
    for triple in triples:
        data.add(triple)  # type: ignore[arg-type]
    assert _compiled(data, CompiledShapes(shapes)) == _reference(data, shapes)


def test_unknown_features_fall_back_to_pyshacl() -> None:
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
          sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:minCount 1 ;
                        sh:message "needs an owner" ] .""",
        format="turtle",
    )
    with pytest.raises(UnsupportedShapes):
        CompiledShapes(shapes)
    data = Graph()
    data.add((URIRef("urn:ex:a"), RDF.type, EX.Thing))
    violations = validate(data, shapes)
    assert len(violations) == 1
    assert violations[0].startswith("<urn:ex:a>")
    assert "needs an owner" in violations[0]


def _results(data: Graph, compiled: CompiledShapes) -> list[tuple[Node, Node | None, Node, str]]:
    return sorted((r.focus, r.path, r.component, r.message) for r in compiled.validate(data))


def test_every_store_layout_gives_the_same_results(compiled: CompiledShapes) -> None:
    """The Memory store is read in place only when it holds nothing but the data graph."""
    for case in CASES:
        plain = sample_graph()
        case.apply(plain)
        copied = Graph(store="SimpleMemory")
        dataset = Dataset()
        dataset.graph(EX.elsewhere).add((EX.a, RDF.type, ontology.WN.Passage))  # not ours
        shared = dataset.graph(EX.document)
        for triple in plain:
            copied.add(triple)
            shared.add(triple)
        expected = _results(plain, compiled)
        assert _results(copied, compiled) == _results(shared, compiled) == expected, case.name


def test_a_graph_alone_in_its_store_is_read_in_place() -> None:
    alone = sample_graph()
    assert DataIndex(alone).spo is DataIndex(alone).spo
    dataset = Dataset()
    dataset.graph(EX.elsewhere).add((EX.a, RDF.type, EX.Thing))
    shared = dataset.graph(EX.document)
    shared.add((EX.b, RDF.type, EX.Thing))
    assert DataIndex(shared).spo is not DataIndex(shared).spo
    assert set(DataIndex(shared).spo) == {EX.b}


NESTED_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Share a sh:NodeShape ; sh:or ( [ sh:datatype xsd:decimal ] [ sh:datatype xsd:double ] ) ;
  sh:minInclusive 0 ; sh:maxInclusive 1 .
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:share ; sh:maxCount 1 ; sh:node ex:Share ] ;
  sh:property [ sh:path ex:part ; sh:class ex:Thing ] .
ex:O a sh:NodeShape ; sh:targetObjectsOf ex:part ; sh:property [ sh:path ex:n ; sh:minCount 1 ] .
"""


def test_shared_values_subclasses_and_removed_triples_agree_with_pyshacl() -> None:
    """sh:node results are remembered per value: a repeated bad value fails every node."""
    shapes = Graph().parse(data=NESTED_SHAPES, format="turtle")
    data = Graph()
    data.add((EX.Sub, RDFS.subClassOf, EX.Thing))
    for node, share in [(EX.a, "1.5"), (EX.b, "1.5"), (EX.c, "0.5"), (EX.d, "0.5")]:
        data.add((node, RDF.type, EX.Sub if node in (EX.b, EX.c) else EX.Thing))
        data.add((node, EX.share, Literal(share, datatype=XSD.decimal)))
        data.add((node, EX.n, Literal(1)))
    data.add((EX.a, EX.part, EX.b))  # an instance through the data's subclass
    data.add((EX.c, EX.part, EX.e))  # not an instance, and without ex:n
    data.add((EX.d, EX.part, EX.f))
    data.remove((EX.d, EX.part, EX.f))  # Memory keeps an emptied dict: ex:f is no target
    found = _compiled(data, CompiledShapes(shapes))
    assert found == _reference(data, shapes)
    assert {focus for focus, _, component in found if component == SH.NodeConstraintComponent} == {
        EX.a,
        EX.b,
    }
    assert (EX.e, EX.n, SH.MinCountConstraintComponent) in found
    assert (EX.f, EX.n, SH.MinCountConstraintComponent) not in found
