"""A five-document mini corpus written through ``KnowledgeBase.replace_document``.

The documents follow the core RDF shape of docs/architecture.md (documents, passages,
experiences with evidence, persons with memberships, an event with a speaker, a project with
a contact person) so every API route and every entity page has something real to show.
Passages are embedded with the real model by the caller.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

from graph import iris
from graph.embedding import Embedder
from graph.knowledge_base import KnowledgeBase
from graph.vectors import PassagePoint
from ontology.namespaces import ORG, SCHEMA, WN

GUETERSLOH, VERL, HERFORD, BIELEFELD = "05754008", "05754044", "05758012", "05711000"
ORGA = "https://w3id.org/wissensnetz/id/organisation/"
KINDS = {"event": WN.EventDescription, "project": WN.ProjectDescription}
KINDS |= {"protocol": WN.Protocol, "page": WN.Page}


@dataclass
class Person:
    name: str
    organisation: str  # local name under id/organisation/
    role: str

    @property
    def iri(self) -> URIRef:
        return iris.person_iri(self.name, self.organisation)


@dataclass
class PassageSpec:
    text: str
    places: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    persons: tuple[Person, ...] = ()


@dataclass
class ExperienceSpec:
    agent: URIRef
    kind: URIRef
    topic: str
    passage: int
    confidence: float = 0.9


@dataclass
class DocumentSpec:
    doc_id: str
    title: str
    kind: str
    date: str
    passages: list[PassageSpec]
    experiences: list[ExperienceSpec] = field(default_factory=list)
    event: dict[str, object] | None = None
    project: dict[str, object] | None = None


JANA = Person("Jana Beispiel", "stadt-guetersloh", "Klimaschutzmanagerin")
MAX = Person("Max Muster", "stadt-verl", "Mobilitätsmanager")
ERIKA = Person("Erika Musterfrau", "stadt-herford", "Leiterin Umweltamt")


def topic(local: str) -> URIRef:
    return iris.topic_iri(local)


def town(ags: str) -> URIRef:
    return iris.municipality_iri(ags)


DOCUMENTS = [
    DocumentSpec(
        "akademie-2023-03-waermeplanung",
        "Regiopol Akademie: Kommunale Wärmeplanung",
        "event",
        "2023-03-15",
        [
            PassageSpec(
                "Jana Beispiel von der Stadt Gütersloh stellte die kommunale Wärmeplanung vor. "
                "Gütersloh hat die Bestandsanalyse und die Potenzialanalyse abgeschlossen und "
                "ein Wärmekataster für alle Quartiere erstellt.",
                (GUETERSLOH,),
                ("kommunale-waermeplanung",),
                (JANA,),
            ),
            PassageSpec(
                "Die Teilnehmenden aus Bielefeld und Herford fragten nach der Beteiligung der "
                "Stadtwerke und nach den Kosten der Fernwärme-Eignungsgebiete.",
                (BIELEFELD, HERFORD),
                ("kommunale-waermeplanung", "energie"),
            ),
        ],
        [
            ExperienceSpec(JANA.iri, WN.Presented, "kommunale-waermeplanung", 0),
            ExperienceSpec(town(GUETERSLOH), WN.Done, "kommunale-waermeplanung", 0),
        ],
        event={
            "title": "Kommunale Wärmeplanung",
            "speaker": JANA,
            "topic": "kommunale-waermeplanung",
        },
    ),
    DocumentSpec(
        "projekt-mobilstationen-verl",
        "Mobilstationen in Verl",
        "project",
        "2024-05-02",
        [
            PassageSpec(
                "Die Stadt Verl hat an sechs Standorten Mobilstationen mit Leihrädern, "
                "Lastenrädern und E-Carsharing eingerichtet. Ansprechperson ist Max Muster.",
                (VERL,),
                ("mobilitaetsstationen", "carsharing"),
                (MAX,),
            ),
            PassageSpec(
                "Die Mobilstationen werden gut angenommen; vor allem Pendlerinnen und Pendler "
                "nutzen die Verknüpfung von Bus und Fahrrad.",
                (VERL,),
                ("mobilitaetsstationen", "pendlerverkehr"),
            ),
        ],
        [ExperienceSpec(town(VERL), WN.Done, "mobilitaetsstationen", 0)],
        project={"title": "Mobilstationen Verl", "town": VERL, "contact": MAX},
    ),
    DocumentSpec(
        "protokoll-steuerungskreis-2025-05",
        "Protokoll Steuerungskreis Mai 2025",
        "protocol",
        "2025-05-20",
        [
            PassageSpec(
                "Erika Musterfrau berichtete über den Hitzeaktionsplan der Hansestadt Herford: "
                "Trinkbrunnen, kühle Orte und ein Hitzetelefon für ältere Menschen.",
                (HERFORD,),
                ("hitzeschutz",),
                (ERIKA,),
            ),
            PassageSpec(
                "Bielefeld plant eine gemeinsame Wärmeplanung mit den Nachbarkommunen und "
                "bittet um Erfahrungsberichte.",
                (BIELEFELD,),
                ("kommunale-waermeplanung",),
            ),
        ],
        [
            ExperienceSpec(ERIKA.iri, WN.Presented, "hitzeschutz", 0),
            ExperienceSpec(town(HERFORD), WN.Done, "hitzeschutz", 0),
            ExperienceSpec(town(BIELEFELD), WN.Planned, "kommunale-waermeplanung", 1, 0.7),
        ],
    ),
    DocumentSpec(
        "seite-radverkehr-bielefeld",
        "Radverkehr in Bielefeld",
        "page",
        "2024-09-01",
        [
            PassageSpec(
                "Bielefeld baut seine Radschnellwege aus und hat 2024 zwölf Kilometer neue "
                "Radwege eröffnet. Die Radverkehrsstrategie wurde vom Rat beschlossen.",
                (BIELEFELD,),
                ("radverkehr",),
            ),
        ],
        [ExperienceSpec(town(BIELEFELD), WN.Done, "radverkehr", 0)],
    ),
    DocumentSpec(
        "akademie-2024-06-hitzeschutz",
        "Regiopol Akademie: Hitzeschutz in Kommunen",
        "event",
        "2024-06-12",
        [
            PassageSpec(
                "Erika Musterfrau aus Herford zeigte, wie Kommunen mit einem Hitzeaktionsplan "
                "Menschen bei Hitzewellen schützen. Die Stadt hat Hitzeschutz in die "
                "Klimaanpassung eingebunden.",
                (HERFORD,),
                ("hitzeschutz", "klimaanpassung"),
                (ERIKA,),
            ),
        ],
        [ExperienceSpec(ERIKA.iri, WN.Presented, "hitzeschutz", 0)],
        event={"title": "Hitzeschutz in Kommunen", "speaker": ERIKA, "topic": "hitzeschutz"},
    ),
]


def content_hash(spec: DocumentSpec) -> str:
    text = "\n".join(p.text for p in spec.passages)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _person(graph: Graph, person: Person) -> None:
    graph.add((person.iri, RDF.type, FOAF.Person))
    graph.add((person.iri, FOAF.name, Literal(person.name)))
    membership = iris.mint("membership", person.name, person.organisation)
    graph.add((membership, RDF.type, ORG.Membership))
    graph.add((membership, ORG.member, person.iri))
    graph.add((membership, ORG.organization, URIRef(ORGA + person.organisation)))
    graph.add((membership, WN.roleLabel, Literal(person.role, lang="de")))


def _subject(graph: Graph, spec: DocumentSpec, document: URIRef) -> None:
    if spec.event:
        event = iris.mint("event", spec.doc_id)
        speaker = spec.event["speaker"]
        assert isinstance(speaker, Person)
        graph.add((event, RDF.type, WN.Event))
        graph.add((event, DCTERMS.title, Literal(str(spec.event["title"]), lang="de")))
        graph.add((event, WN.eventKind, WN.AkademieSession))
        graph.add((event, SCHEMA.startDate, Literal(spec.date, datatype=XSD.date)))
        graph.add((event, WN.speaker, speaker.iri))
        graph.add((event, WN.topic, topic(str(spec.event["topic"]))))
        graph.add((document, SCHEMA.about, event))
        _person(graph, speaker)
    if spec.project:
        project = iris.mint("project", spec.doc_id)
        contact = spec.project["contact"]
        assert isinstance(contact, Person)
        graph.add((project, RDF.type, WN.Project))
        graph.add((project, DCTERMS.title, Literal(str(spec.project["title"]), lang="de")))
        graph.add((project, WN.municipality, town(str(spec.project["town"]))))
        graph.add((project, WN.contactPerson, contact.iri))
        graph.add((project, WN.status, Literal("running")))
        graph.add((project, WN.topic, topic("mobilitaetsstationen")))
        graph.add((document, SCHEMA.about, project))
        _person(graph, contact)


def document_graph(spec: DocumentSpec) -> Graph:
    graph = Graph()
    document = iris.document_iri(spec.doc_id)
    graph.add((document, RDF.type, WN.Document))
    graph.add((document, DCTERMS.identifier, Literal(spec.doc_id)))
    graph.add((document, DCTERMS.title, Literal(spec.title, lang="de")))
    graph.add((document, WN.documentKind, KINDS[spec.kind]))
    graph.add((document, WN.sourcePath, Literal(f"corpus/{spec.doc_id}.md")))
    graph.add((document, WN.contentHash, Literal(content_hash(spec))))
    graph.add((document, DCTERMS.date, Literal(spec.date, datatype=XSD.date)))
    offset = 0
    for position, passage in enumerate(spec.passages):
        node = iris.passage_iri(spec.doc_id, position)
        graph.add((node, RDF.type, WN.Passage))
        graph.add((node, WN.text, Literal(passage.text, lang="de")))
        graph.add((node, WN.startOffset, Literal(offset)))
        graph.add((node, WN.endOffset, Literal(offset + len(passage.text))))
        graph.add((node, WN.position, Literal(position)))
        graph.add((node, DCTERMS.isPartOf, document))
        for local in passage.topics:
            graph.add((node, WN.topic, topic(local)))
        for ags in passage.places:
            graph.add((node, WN.mentions, town(ags)))
        for person in passage.persons:
            graph.add((node, WN.mentions, person.iri))
            _person(graph, person)
        offset += len(passage.text) + 2
    for number, experience in enumerate(spec.experiences):
        node = iris.mint("experience", spec.doc_id, str(number))
        graph.add((node, RDF.type, WN.Experience))
        graph.add((node, WN.agent, experience.agent))
        graph.add((node, WN.topic, topic(experience.topic)))
        graph.add((node, WN.experienceKind, experience.kind))
        graph.add((node, WN.evidence, iris.passage_iri(spec.doc_id, experience.passage)))
        graph.add((node, WN.confidence, Literal(experience.confidence, datatype=XSD.double)))
    _subject(graph, spec, document)
    return graph


def points(spec: DocumentSpec, embedder: Embedder) -> list[PassagePoint]:
    vectors = embedder.embed_passages([p.text for p in spec.passages])
    return [
        PassagePoint(
            str(iris.passage_iri(spec.doc_id, position)),
            spec.doc_id,
            vectors[position],
            municipalities=passage.places,
            kreise=tuple(sorted({ags[:5] for ags in passage.places})),
            topics=tuple(str(topic(t)) for t in passage.topics),
            kind=spec.kind,
            year=int(spec.date[:4]),
            date=spec.date,
            text=passage.text,
        )
        for position, passage in enumerate(spec.passages)
    ]


def write(kb: KnowledgeBase, embedder: Embedder, specs: Sequence[DocumentSpec] = DOCUMENTS) -> None:
    for spec in specs:
        kb.replace_document(
            spec.doc_id, content_hash(spec), document_graph(spec), points(spec, embedder)
        )
