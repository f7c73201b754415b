"""The compiled shapes report exactly what pyshacl reports, and fall back where they must."""

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

import ontology
from graph.shacl import validate
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
