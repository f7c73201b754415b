"""SHACL shapes accept one valid document graph and reject each kind of broken graph.

Every invalid case is the valid sample with one defect; the test asserts the exact set of
(focus node, result path, constraint component) it produces, so a shape that fails for the
wrong reason, or an extra unexpected violation, is caught.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from pyshacl import validate
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF
from rdflib.term import Node

import ontology
from ontology import ORG, WN, WNID, WNTOPIC

SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
WNSH = Namespace("https://w3id.org/wissensnetz/shapes#")
DCATDE_GEO = URIRef("http://dcat-ap.de/def/dcatde/politicalGeocodingURI")

DOC = WNID["document/protokoll-werkstatt-2019-12-18"]
P0 = WNID["passage/protokoll-werkstatt-2019-12-18/0"]
P1 = WNID["passage/protokoll-werkstatt-2019-12-18/1"]
PERSON = WNID["person/rudolf-scheuvens-1a2b3c4d"]
MEMBERSHIP = WNID["membership/rudolf-scheuvens-1a2b3c4d"]
EXPERIENCE = WNID["experience/borchen-carsharing-0a1b2c3d"]
EVENT = WNID["event/werkstatt-2019-12-18-5e6f7a8b"]
AGENDA = WNID["agenda/begruessung-9c0d1e2f"]
PROJECT = WNID["project/e-auto-fuer-das-dorf-3a4b5c6d"]
PROBLEM = WNID["problem/finanzierung-7e8f9a0b"]
GOAL = WNID["goal/mobilitaet-im-dorf-1c2d3e4f"]
TASK = WNID["task/arbeitsgruppe-mittelstand-5a6b7c8d"]
OFFER = WNID["offer/erfahrung-dorfauto-9e0f1a2b"]
NEED = WNID["need/austauschplattform-3c4d5e6f"]
BORCHEN = WNID["municipality/05774012"]
PADERBORN = WNID["municipality/05774032"]
STADT_PADERBORN = WNID["organisation/stadt-paderborn"]
SCHEUVENS = WNID["organisation/scheuvens-wachten-plus"]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ontology.shapes_file())


def _add_document(g: Graph, doc: URIRef, title: str) -> None:
    g.add((doc, RDF.type, WN.Document))
    g.add((doc, DCTERMS.title, Literal(title, lang="de")))
    g.add((doc, WN.documentKind, WN.Protocol))
    g.add((doc, WN.sourcePath, Literal("protokolle/werkstatt-2019-12-18.md")))
    g.add((doc, WN.contentHash, Literal("ab" * 32)))
    g.add((doc, DCTERMS.date, Literal("2019-12-18", datatype=XSD.date)))
    g.add((doc, WN.language, Literal("de")))


def _add_passage(g: Graph, passage: URIRef, position: int, start: int, end: int) -> None:
    g.add((passage, RDF.type, WN.Passage))
    g.add((passage, WN.text, Literal("Borchen: E-Auto für das gesamte Dorf.")))
    g.add((passage, DCTERMS.isPartOf, DOC))
    g.add((passage, WN.startOffset, Literal(start)))
    g.add((passage, WN.endOffset, Literal(end)))
    g.add((passage, WN.position, Literal(position)))
    g.add((passage, WN.page, Literal(3)))
    g.add((passage, WN.headingPath, Literal("Arbeitsgruppe Die neue Mobilität > Projekte")))
    g.add((passage, WN.topic, WNTOPIC["carsharing"]))
    g.add((passage, WN.topicConfidence, Literal(0.82)))
    g.add((passage, WN.mentions, BORCHEN))


def _add_people_and_experience(g: Graph) -> None:
    g.add((PERSON, RDF.type, FOAF.Person))
    g.add((PERSON, FOAF.name, Literal("Rudolf Scheuvens")))
    g.add((MEMBERSHIP, RDF.type, ORG.Membership))
    g.add((MEMBERSHIP, ORG.member, PERSON))
    g.add((MEMBERSHIP, ORG.organization, SCHEUVENS))
    g.add((MEMBERSHIP, WN.roleLabel, Literal("Professor")))
    g.add((MEMBERSHIP, SCHEMA.startDate, Literal("2010", datatype=XSD.gYear)))
    g.add((MEMBERSHIP, SCHEMA.endDate, Literal("2030", datatype=XSD.gYear)))
    g.add((EXPERIENCE, RDF.type, WN.Experience))
    g.add((EXPERIENCE, WN.agent, BORCHEN))
    g.add((EXPERIENCE, WN.topic, WNTOPIC["carsharing"]))
    g.add((EXPERIENCE, WN.topic, WNTOPIC["e-mobilitaet"]))
    g.add((EXPERIENCE, WN.experienceKind, WN.Done))
    g.add((EXPERIENCE, WN.evidence, P1))
    g.add((EXPERIENCE, WN.confidence, Literal(0.9)))


def _add_event(g: Graph) -> None:
    g.add((EVENT, RDF.type, WN.Event))
    g.add((EVENT, DCTERMS.title, Literal("Werkstatt der regiopolREGION", lang="de")))
    g.add((EVENT, WN.eventKind, WN.Workshop))
    g.add((EVENT, SCHEMA.startDate, Literal("2019-12-18", datatype=XSD.date)))
    g.add((EVENT, WN.startTime, Literal("10:00")))
    g.add((EVENT, WN.endTime, Literal("15:00")))
    g.add((EVENT, SCHEMA.location, Literal("Heinz Nixdorf MuseumsForum, Paderborn")))
    g.add((EVENT, SCHEMA.organizer, WNID["organisation/regiopolregion-paderborn-ev"]))
    g.add((EVENT, WN.moderator, PERSON))
    g.add((EVENT, WN.speaker, PERSON))
    g.add((EVENT, WN.participantCount, Literal(50)))
    g.add((EVENT, WN.topic, WNTOPIC["die-neue-mobilitaet"]))
    g.add((EVENT, WN.agendaItem, AGENDA))
    g.add((EVENT, WN.task, TASK))
    g.add((AGENDA, RDF.type, WN.AgendaItem))
    g.add((AGENDA, DCTERMS.title, Literal("Begrüßung")))
    g.add((AGENDA, WN.startTime, Literal("10:00")))
    g.add((AGENDA, WN.position, Literal(1)))


def _add_project_and_items(g: Graph) -> None:
    g.add((PROJECT, RDF.type, WN.Project))
    g.add((PROJECT, DCTERMS.title, Literal("E-Auto für das gesamte Dorf")))
    g.add((PROJECT, WN.municipality, BORCHEN))
    g.add((PROJECT, WN.status, Literal("running")))
    g.add((PROJECT, WN.problem, PROBLEM))
    g.add((PROJECT, WN.goal, GOAL))
    g.add((PROBLEM, RDF.type, WN.Problem))
    g.add((PROBLEM, WN.text, Literal("Finanzierung über den Sportverein.")))
    g.add((GOAL, RDF.type, WN.Goal))
    g.add((GOAL, WN.text, Literal("Mobilität für 2.000 Einwohner ohne eigenes Auto.")))
    g.add((TASK, RDF.type, WN.Task))
    g.add((TASK, WN.text, Literal("Austausch in einer kleineren Arbeitsgruppe.")))
    g.add((TASK, WN.assignedTo, WNID["body/ag-der-neue-mittelstand-0f1e2d3c"]))
    g.add((TASK, WN.dueDate, Literal("2020-04-29", datatype=XSD.date)))
    g.add((OFFER, RDF.type, WN.Offer))
    g.add((OFFER, WN.text, Literal("Erfahrungen mit dem Dorfauto.")))
    g.add((OFFER, WN.offeredBy, BORCHEN))
    g.add((NEED, RDF.type, WN.Need))
    g.add((NEED, WN.text, Literal("Eine interkommunale Austauschplattform.")))
    g.add((NEED, WN.neededBy, STADT_PADERBORN))


def sample_graph() -> Graph:
    """One valid document graph using every document-level class."""
    g = Graph()
    _add_document(g, DOC, "Protokoll zur Werkstatt am 18. Dezember 2019")
    _add_passage(g, P0, 0, 0, 120)
    _add_passage(g, P1, 1, 120, 157)
    _add_people_and_experience(g)
    _add_event(g)
    _add_project_and_items(g)
    return g


def _violations(data: Graph, shapes: Graph) -> set[tuple[Node | None, Node | None, Node | None]]:
    conforms, report, _ = validate(data, shacl_graph=shapes)
    assert isinstance(report, Graph)
    # Only top-level results: pyshacl also types the nested results of sh:node as results.
    found = {
        (
            report.value(r, SH.focusNode),
            report.value(r, SH.resultPath),
            report.value(r, SH.sourceConstraintComponent),
        )
        for r in report.objects(None, SH.result)
    }
    assert conforms == (not found)
    return found


def test_sample_graph_conforms(shapes: Graph) -> None:
    assert _violations(sample_graph(), shapes) == set()


def test_sample_graph_exercises_every_document_level_shape(shapes: Graph) -> None:
    g = sample_graph()
    used = set(g.objects(None, RDF.type))
    document_level = {
        WN.Document, WN.Passage, FOAF.Person, ORG.Membership, WN.Experience, WN.Event,
        WN.AgendaItem, WN.Project, WN.Problem, WN.Goal, WN.Task, WN.Offer, WN.Need,
    }  # fmt: skip
    assert document_level <= used
    assert used <= set(shapes.objects(None, SH.targetClass))


@dataclass(frozen=True)
class Case:
    """One defect applied to the valid sample and the violations it must produce."""

    name: str
    apply: Callable[[Graph], None]
    expected: set[tuple[Node | None, Node | None, Node | None]]


def _municipality(g: Graph, ags: str, ars: str, geo: str | None = None) -> URIRef:
    node = WNID["municipality/05774012"]
    g.add((node, RDF.type, WN.Municipality))
    g.add((node, RDFS.label, Literal("Borchen")))
    g.add((node, WN.ags, Literal(ags)))
    g.add((node, WN.ars, Literal(ars)))
    if geo is not None:
        g.add((node, DCATDE_GEO, URIRef(geo)))
    return node


def _second_document(g: Graph) -> None:
    other = WNID["document/other"]
    _add_document(g, other, "Anderes Dokument")
    g.add((P0, DCTERMS.isPartOf, other))


def _replace(node: URIRef, prop: URIRef, value: Node) -> Callable[[Graph], None]:
    def apply(g: Graph) -> None:
        g.set((node, prop, value))

    return apply


def _remove(node: URIRef, prop: URIRef) -> Callable[[Graph], None]:
    def apply(g: Graph) -> None:
        g.remove((node, prop, None))

    return apply


GEO = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/"
CASES = [
    Case("passage without text", _remove(P0, WN.text),
         {(P0, WN.text, SH.MinCountConstraintComponent)}),
    Case("passage in two documents", _second_document,
         {(P0, DCTERMS.isPartOf, SH.MaxCountConstraintComponent)}),
    Case("passage of a document not in the graph",
         _replace(P0, DCTERMS.isPartOf, WNID["document/elsewhere"]),
         {(P0, DCTERMS.isPartOf, SH.ClassConstraintComponent)}),
    Case("offsets start > end", _replace(P1, WN.startOffset, Literal(200)),
         {(P1, WN.startOffset, SH.LessThanOrEqualsConstraintComponent)}),
    Case("negative offset", _replace(P0, WN.startOffset, Literal(-1)),
         {(P0, WN.startOffset, SH.MinInclusiveConstraintComponent)}),
    Case("offset as string", _replace(P0, WN.endOffset, Literal("120")),
         {(P0, WN.endOffset, SH.DatatypeConstraintComponent),
          (P0, WN.endOffset, SH.MinInclusiveConstraintComponent),
          (P0, WN.startOffset, SH.LessThanOrEqualsConstraintComponent)}),
    Case("experience without evidence", _remove(EXPERIENCE, WN.evidence),
         {(EXPERIENCE, WN.evidence, SH.MinCountConstraintComponent)}),
    Case("experience citing a non-passage", _replace(EXPERIENCE, WN.evidence, DOC),
         {(EXPERIENCE, WN.evidence, SH.ClassConstraintComponent)}),
    Case("experience with unknown kind", _replace(EXPERIENCE, WN.experienceKind, WN.Workshop),
         {(EXPERIENCE, WN.experienceKind, SH.InConstraintComponent)}),
    Case("experience without topic", _remove(EXPERIENCE, WN.topic),
         {(EXPERIENCE, WN.topic, SH.MinCountConstraintComponent)}),
    Case("experience with literal agent", _replace(EXPERIENCE, WN.agent, Literal("Borchen")),
         {(EXPERIENCE, WN.agent, SH.NodeKindConstraintComponent)}),
    Case("confidence above 1", _replace(EXPERIENCE, WN.confidence, Literal(1.5)),
         {(EXPERIENCE, WN.confidence, SH.NodeConstraintComponent)}),
    Case("municipality with 7-digit AGS",
         lambda g: _municipality(g, "0577401", "057740012012"),
         {(BORCHEN, WN.ags, SH.PatternConstraintComponent)}),
    Case("municipality whose ARS contradicts its AGS",
         lambda g: _municipality(g, "05774012", "057740012099"),
         {(BORCHEN, None, SH.SPARQLConstraintComponent)}),
    Case("municipality with a foreign geocoding URI",
         lambda g: _municipality(g, "05774012", "057740012012", GEO + "05774032"),
         {(BORCHEN, None, SH.SPARQLConstraintComponent)}),
    Case("person without name", _remove(PERSON, FOAF.name),
         {(PERSON, FOAF.name, SH.MinCountConstraintComponent)}),
    Case("membership without organisation", _remove(MEMBERSHIP, ORG.organization),
         {(MEMBERSHIP, ORG.organization, SH.MinCountConstraintComponent)}),
    Case("membership ending before it starts",
         _replace(MEMBERSHIP, SCHEMA.endDate, Literal("2001", datatype=XSD.gYear)),
         {(MEMBERSHIP, None, SH.SPARQLConstraintComponent)}),
    Case("membership ending on an earlier full date",
         _replace(MEMBERSHIP, SCHEMA.endDate, Literal("2009-12-31", datatype=XSD.date)),
         {(MEMBERSHIP, None, SH.SPARQLConstraintComponent)}),
    Case("document without kind", _remove(DOC, WN.documentKind),
         {(DOC, WN.documentKind, SH.MinCountConstraintComponent)}),
    Case("document with a malformed hash", _replace(DOC, WN.contentHash, Literal("md5:abc")),
         {(DOC, WN.contentHash, SH.PatternConstraintComponent)}),
    Case("document without title", _remove(DOC, DCTERMS.title),
         {(DOC, DCTERMS.title, SH.MinCountConstraintComponent)}),
    Case("event without title", _remove(EVENT, DCTERMS.title),
         {(EVENT, None, SH.NodeConstraintComponent)}),
    Case("event with a malformed time", _replace(EVENT, WN.startTime, Literal("10 Uhr")),
         {(EVENT, WN.startTime, SH.NodeConstraintComponent)}),
    Case("project without title", _remove(PROJECT, DCTERMS.title),
         {(PROJECT, DCTERMS.title, SH.MinCountConstraintComponent)}),
    Case("project with unknown status", _replace(PROJECT, WN.status, Literal("laufend")),
         {(PROJECT, WN.status, SH.InConstraintComponent)}),
    Case("task without text", _remove(TASK, WN.text),
         {(TASK, WN.text, SH.MinCountConstraintComponent)}),
    Case("offer with two texts", lambda g: g.add((OFFER, WN.text, Literal("Noch ein Text."))),
         {(OFFER, WN.text, SH.MaxCountConstraintComponent)}),
    Case("need without text", _remove(NEED, WN.text),
         {(NEED, WN.text, SH.MinCountConstraintComponent)}),
    Case("problem without text", _remove(PROBLEM, WN.text),
         {(PROBLEM, WN.text, SH.MinCountConstraintComponent)}),
    Case("goal without text", _remove(GOAL, WN.text),
         {(GOAL, WN.text, SH.MinCountConstraintComponent)}),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_invalid_graph_is_rejected_for_the_right_reason(shapes: Graph, case: Case) -> None:
    g = sample_graph()
    case.apply(g)
    assert _violations(g, shapes) == case.expected


def test_membership_dates_of_mixed_precision_conform(shapes: Graph) -> None:
    g = sample_graph()
    g.set((MEMBERSHIP, SCHEMA.startDate, Literal("2016-03-16", datatype=XSD.date)))
    g.set((MEMBERSHIP, SCHEMA.endDate, Literal("2016", datatype=XSD.gYear)))
    assert _violations(g, shapes) == set()


def test_violation_names_its_source_shape(shapes: Graph) -> None:
    g = sample_graph()
    g.remove((EVENT, DCTERMS.title, None))
    _, report, _ = validate(g, shacl_graph=shapes)
    assert isinstance(report, Graph)
    results = list(report.objects(None, SH.result))
    assert [report.value(r, SH.sourceShape) for r in results] == [WNSH.EventShape]


def test_shapes_validate_without_reference_data(shapes: Graph) -> None:
    """Nothing in the sample points into the reference graph with sh:class."""
    g = sample_graph()
    referenced = {o for o in g.objects() if isinstance(o, URIRef)}
    assert BORCHEN in referenced
    assert (BORCHEN, None, None) not in g
    assert _violations(g, shapes) == set()


def test_sample_conforms_with_the_ontology_mixed_in(shapes: Graph) -> None:
    """The documented contract: ont_graph may be given, but inference stays "none"."""
    onto = Graph().parse(ontology.ontology_file())
    conforms, _, text = validate(sample_graph(), shacl_graph=shapes, ont_graph=onto)
    assert conforms, text
