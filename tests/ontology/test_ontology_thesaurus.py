"""The SKOS topic thesaurus: coverage of the seed topics and SKOS integrity."""

import re
from collections.abc import Iterator

import pytest
from pyshacl import validate
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS

import ontology
from ontology import WNTOPIC

SCHEME = WNTOPIC["scheme"]
TOP_LABELS = {
    "Mobilität",
    "Wirtschaft und Forschung",
    "Verwaltungskooperation",
    "Kultur",
    "Gesundheit und Pflege",
    "Der neue Mittelstand",
    "Die neue Mobilität",
    "Die neuen Kommunen ohne Grenzen",
    "Das neue Stadt Land Quartier",
    "Klima und Umwelt",
}
# Every topic the seed documents name, as a label or altLabel.
SEED_TOPICS = [
    "Kommunale Wärmeplanung", "KWP", "Starkregen", "Überflutungsvorsorge",
    "Starkregengefahrenkarte", "Onlinezugangsgesetz", "OZG", "Vergaberecht",
    "gemeinsame Beschaffung", "Radverkehr", "ÖPNV", "Carsharing", "E-Mobilität",
    "Elektromobilität", "E-Auto", "Fachkräftesicherung", "StartUp-Förderung",
    "Wirtschaftsförderung", "Ökoprofit", "Gesundheitsversorgung", "Pflege",
    "Quartiersentwicklung", "Wohnen", "Ausgleichsflächen", "Bibliotheken", "Büchereien",
    "Museen", "Tourismus", "Open Data", "Digitalisierung", "Klimaschutz", "Klimaanpassung",
    "Mobilitätsmanagement", "Bürgerbusse", "Bürgerschaftliche Mobilität",
    "Siedlungsentwicklung", "Innenentwicklung", "Demografischer Wandel", "Daseinsvorsorge",
    "Integration", "Zuwanderung", "Personalpolitik", "Prozessstandardisierung", "Feuerwehr",
    "Schul-IT", "EVD-Support", "Regionale Identität", "Regionalmarketing", "Wissenstransfer",
    "Industrie 4.0", "Hochschulkooperation", "Ausbildung", "Mobilitätsstationen",
    "Haushaltsbefragung", "Tarifsystem", "Landwirtschaft", "Kultureinrichtungen",
    "Mobilitätswende", "Knowhow-Transfer", "Prävention", "Selbstständigkeit im Alter",
    "Ausgleichsflächenpool", "Betriebshöfe", "Weiterbildung", "Handwerk", "Freizeit und Erholung",
]  # fmt: skip
CONCEPT_IRI = re.compile(r"^https://w3id\.org/wissensnetz/topic/[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def thesaurus() -> Graph:
    return Graph().parse(ontology.topics_file())


def _concepts(graph: Graph) -> set[URIRef]:
    return {c for c in graph.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef)}


def _tops(graph: Graph) -> set[URIRef]:
    return {c for c in graph.subjects(SKOS.topConceptOf, SCHEME) if isinstance(c, URIRef)}


def _labels(graph: Graph, concept: URIRef, prop: URIRef, lang: str) -> list[str]:
    return [
        str(o)
        for o in graph.objects(concept, prop)
        if isinstance(o, Literal) and o.language == lang
    ]


def _ancestors(graph: Graph, concept: URIRef) -> Iterator[URIRef]:
    stack = [b for b in graph.objects(concept, SKOS.broader) if isinstance(b, URIRef)]
    seen: set[URIRef] = set()
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            yield node
            stack.extend(b for b in graph.objects(node, SKOS.broader) if isinstance(b, URIRef))


def test_ten_top_concepts(thesaurus: Graph) -> None:
    tops = _tops(thesaurus)
    assert {_labels(thesaurus, t, SKOS.prefLabel, "de")[0] for t in tops} == TOP_LABELS
    assert set(thesaurus.objects(SCHEME, SKOS.hasTopConcept)) == tops
    assert all(thesaurus.value(t, SKOS.broader) is None for t in tops)


def test_at_least_80_concepts_below_the_top(thesaurus: Graph) -> None:
    below = _concepts(thesaurus) - _tops(thesaurus)
    assert len(below) >= 80
    tops = _tops(thesaurus)
    for concept in below:
        assert set(_ancestors(thesaurus, concept)) & tops, f"{concept} reaches no top concept"


def test_every_concept_is_documented(thesaurus: Graph) -> None:
    for concept in _concepts(thesaurus):
        assert CONCEPT_IRI.match(str(concept)), concept
        assert (concept, SKOS.inScheme, SCHEME) in thesaurus
        assert len(_labels(thesaurus, concept, SKOS.prefLabel, "de")) == 1, concept
        assert len(_labels(thesaurus, concept, SKOS.prefLabel, "en")) == 1, concept
        definitions = _labels(thesaurus, concept, SKOS.definition, "de")
        assert len(definitions) == 1, concept
        assert len(definitions[0]) >= 60, f"definition of {concept} too short to embed well"
        assert definitions[0].endswith("."), concept


def test_labels_are_unambiguous(thesaurus: Graph) -> None:
    """A label or altLabel names one concept only, so label matching is deterministic."""
    owner: dict[str, URIRef] = {}
    for concept in _concepts(thesaurus):
        names = _labels(thesaurus, concept, SKOS.prefLabel, "de")
        names += _labels(thesaurus, concept, SKOS.altLabel, "de")
        for name in names:
            key = name.casefold()
            assert owner.setdefault(key, concept) == concept, f"{name!r} names two concepts"
    english = [
        label.casefold()
        for c in _concepts(thesaurus)
        for label in _labels(thesaurus, c, SKOS.prefLabel, "en")
    ]
    assert len(english) == len(set(english))


@pytest.mark.parametrize("topic", SEED_TOPICS)
def test_seed_topic_is_present(thesaurus: Graph, topic: str) -> None:
    names = {
        str(o).casefold()
        for prop in (SKOS.prefLabel, SKOS.altLabel)
        for o in thesaurus.objects(None, prop)
        if isinstance(o, Literal) and o.language == "de"
    }
    assert topic.casefold() in names


def test_broader_and_narrower_are_symmetric(thesaurus: Graph) -> None:
    broader = {(s, o) for s, o in thesaurus.subject_objects(SKOS.broader)}
    narrower = {(o, s) for s, o in thesaurus.subject_objects(SKOS.narrower)}
    assert broader == narrower


def test_hierarchy_is_acyclic(thesaurus: Graph) -> None:
    for concept in _concepts(thesaurus):
        assert concept not in set(_ancestors(thesaurus, concept)), f"cycle through {concept}"


def test_related_is_symmetric_and_disjoint_from_hierarchy(thesaurus: Graph) -> None:
    pairs = set(thesaurus.subject_objects(SKOS.related))
    assert pairs == {(o, s) for s, o in pairs}
    for s, o in pairs:
        assert isinstance(s, URIRef)
        assert isinstance(o, URIRef)
        assert o not in set(_ancestors(thesaurus, s)), f"{s} related to its ancestor {o}"


def test_references_resolve(thesaurus: Graph) -> None:
    concepts = _concepts(thesaurus)
    for prop in (SKOS.broader, SKOS.narrower, SKOS.related):
        assert set(thesaurus.objects(None, prop)) <= concepts


def test_thesaurus_conforms_to_shapes(thesaurus: Graph) -> None:
    shapes = Graph().parse(ontology.shapes_file())
    conforms, _, text = validate(thesaurus, shacl_graph=shapes)
    assert conforms, text
