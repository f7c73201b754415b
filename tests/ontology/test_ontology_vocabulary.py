"""The OWL ontology declares exactly the closed `WN` namespace, each term documented."""

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

import ontology
from ontology import WN, WN_IRI

SH = Namespace("http://www.w3.org/ns/shacl#")
ONTOLOGY_IRI = URIRef("https://w3id.org/wissensnetz/def")
WN_TERMS = {WN[name] for name in WN.__annotations__}
KIND_INDIVIDUALS = {
    WN.DocumentKind: {WN.Protocol, WN.ProjectDescription, WN.EventDescription, WN.Page},
    WN.EventKind: {WN.Workshop, WN.AkademieSession, WN.Meeting},
    WN.ExperienceKind: {WN.Done, WN.Presented, WN.Planned, WN.Asked, WN.Mentioned},
}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ontology.ontology_file())


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ontology.shapes_file())


def _declared(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(WN_IRI)}


def _classes(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, OWL.Class) if s in WN_TERMS}


def _properties(graph: Graph) -> set[URIRef]:
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if s in WN_TERMS}


def test_every_wn_term_is_declared_and_nothing_else(onto: Graph) -> None:
    declared = _declared(onto)
    assert WN_TERMS - declared == set(), "terms of namespaces.py missing from wissensnetz.ttl"
    assert declared - WN_TERMS == set(), "terms in wissensnetz.ttl missing from namespaces.py"


def test_no_undeclared_wn_term_is_used(onto: Graph) -> None:
    used = {
        node
        for triple in onto
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(WN_IRI)
    }
    assert used <= WN_TERMS


def test_ontology_header(onto: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    titles = {t.language for t in onto.objects(ONTOLOGY_IRI, DCTERMS.title)}
    assert titles == {"de", "en"}
    assert onto.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert onto.value(ONTOLOGY_IRI, DCTERMS.license) is not None


@pytest.mark.parametrize("term", sorted(WN_TERMS), ids=lambda t: t.split("#")[-1])
def test_term_has_german_and_english_label_and_comment(onto: Graph, term: URIRef) -> None:
    labels = [lab for lab in onto.objects(term, RDFS.label) if isinstance(lab, Literal)]
    assert sorted(str(lab.language) for lab in labels) == ["de", "en"]
    assert len(str(onto.value(term, RDFS.comment) or "")) >= 15


def test_every_term_is_typed(onto: Graph) -> None:
    typed = _classes(onto) | _properties(onto)
    individuals = {i for members in KIND_INDIVIDUALS.values() for i in members}
    assert WN_TERMS - typed - individuals == set()


def test_classes_are_anchored_in_reused_vocabularies(onto: Graph) -> None:
    for cls in _classes(onto):
        anchored = onto.value(cls, RDFS.subClassOf) or onto.value(cls, OWL.equivalentClass)
        assert anchored is not None, f"{cls} has neither rdfs:subClassOf nor owl:equivalentClass"


def test_properties_have_domain_or_range(onto: Graph) -> None:
    for prop in _properties(onto):
        has_either = onto.value(prop, RDFS.domain) or onto.value(prop, RDFS.range)
        assert has_either is not None, prop


def test_required_alignments(onto: Graph) -> None:
    schema = Namespace("https://schema.org/")
    org = Namespace("http://www.w3.org/ns/org#")
    prov = Namespace("http://www.w3.org/ns/prov#")
    expected = [
        (WN.Municipality, schema.AdministrativeArea),
        (WN.Region, org.OrganizationalCollaboration),
        (WN.Network, org.OrganizationalCollaboration),
        (WN.Body, org.OrganizationalUnit),
        (WN.Event, schema.Event),
        (WN.Project, schema.Project),
        (WN.Experience, prov.Entity),
        (WN.Task, prov.Plan),
    ]
    for cls, parent in expected:
        assert (cls, RDFS.subClassOf, parent) in onto, (cls, parent)
    assert (WN.foundingMember, RDFS.subPropertyOf, org.hasMember) in onto
    assert (WN.evidence, RDFS.range, WN.Passage) in onto


@pytest.mark.parametrize("kind", sorted(KIND_INDIVIDUALS), ids=lambda t: t.split("#")[-1])
def test_kind_individuals(onto: Graph, kind: URIRef) -> None:
    assert set(onto.subjects(RDF.type, kind)) == KIND_INDIVIDUALS[kind]


def test_every_class_has_a_node_shape(onto: Graph, shapes: Graph) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))
    assert _classes(onto) - targeted == set()


def test_every_property_is_constrained_by_a_shape(onto: Graph, shapes: Graph) -> None:
    paths = set(shapes.objects(None, SH.path))
    assert _properties(onto) - paths == set()
