"""The hand-built knowledge base of the retrieval tests: triples, vector points, the stores.

The triples follow the RDF shape the ingest pipeline writes; the passages are embedded with
the real multilingual-e5-small model. ``tests/graph/conftest.py`` builds it once per test run.
"""

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

from graph import iris
from graph.backends import identity_of
from graph.embedding import SentenceTransformerEmbedder
from graph.qdrant_edge_index import QdrantEdgeIndex
from graph.reference import load_reference_data
from graph.search import Searcher
from graph.store import OxigraphStore
from graph.vectors import PassagePoint
from graph.vocabulary import Vocabulary
from ontology.namespaces import ORG, SCHEMA, WN
from tests.graph.retrieval_documents import DOCS, ORGS, PERSONS, Doc


def org_iri(ags: str) -> URIRef:
    """Reference administration, or a Stadt minted in the document (Delbrück)."""
    if ags in ORGS:
        return URIRef(f"https://w3id.org/wissensnetz/id/organisation/{ORGS[ags]}")
    return iris.organisation_iri(f"Stadt {ags}")


def person(name: str) -> URIRef:
    ags, _ = PERSONS[name]
    return iris.person_iri(name, f"Stadt {ags}")


def agent(key: str) -> URIRef:
    return iris.municipality_iri(key) if key.isdigit() else person(key)


def document_graph(doc: Doc) -> Graph:
    """The triples of one document in the shape the ingest pipeline writes."""
    g = Graph()
    d = iris.document_iri(doc.id)
    g.add((d, RDF.type, WN.Document))
    g.add((d, DCTERMS.identifier, Literal(doc.id)))
    g.add((d, DCTERMS.title, Literal(doc.title)))
    g.add((d, DCTERMS.date, Literal(doc.date, datatype=XSD.date)))
    g.add((d, WN.documentKind, WN[doc.kind]))
    g.add((d, WN.sourcePath, Literal(f"corpus/{doc.id}.md")))
    g.add((d, WN.contentHash, Literal("sha256:" + doc.id)))
    names = {n for p in doc.passages for n in p.mentions if not n.isdigit()}
    names |= {a for p in doc.passages for a, _, _ in p.experiences if not a.isdigit()}
    names |= set(doc.pates.values())
    offset = 0
    for position, spec in enumerate(doc.passages):
        p = iris.passage_iri(doc.id, position)
        g.add((p, RDF.type, WN.Passage))
        g.add((p, DCTERMS.isPartOf, d))
        g.add((p, WN.text, Literal(spec.text)))
        g.add((p, WN.startOffset, Literal(offset)))
        g.add((p, WN.endOffset, Literal(offset + len(spec.text))))
        g.add((p, WN.position, Literal(position)))
        offset += len(spec.text) + 2
        for topic in spec.topics:
            g.add((p, WN.topic, iris.topic_iri(topic)))
        for key in spec.mentions:
            g.add((p, WN.mentions, agent(key)))
        for number, (who, kind, topic) in enumerate(spec.experiences):
            e = iris.mint("experience", doc.id, str(position), str(number))
            g.add((e, RDF.type, WN.Experience))
            g.add((e, WN.agent, agent(who)))
            g.add((e, WN.topic, iris.topic_iri(topic)))
            g.add((e, WN.experienceKind, WN[kind]))
            g.add((e, WN.evidence, p))
            g.add((e, WN.confidence, Literal("0.9", datatype=XSD.decimal)))
    if doc.project:
        add_project(g, doc, d)
        names.add(doc.project[1])
    if doc.event:
        add_event(g, doc, d)
    for ags, name in doc.pates.items():
        g.add((iris.municipality_iri(ags), WN.regiopolPate, person(name)))
    for name in names:
        add_person(g, name)
    return g


def add_project(g: Graph, doc: Doc, d: URIRef) -> None:
    assert doc.project is not None
    ags, contact, status = doc.project
    proj = iris.mint("project", doc.id)
    g.add((proj, RDF.type, WN.Project))
    g.add((proj, DCTERMS.title, Literal(doc.title)))
    g.add((proj, WN.municipality, iris.municipality_iri(ags)))
    g.add((proj, WN.contactPerson, person(contact)))
    g.add((proj, WN.status, Literal(status)))
    for topic in doc.topics:
        g.add((proj, WN.topic, iris.topic_iri(topic)))
    g.add((d, SCHEMA.about, proj))


def add_event(g: Graph, doc: Doc, d: URIRef) -> None:
    assert doc.event is not None
    start, speakers = doc.event
    ev = iris.mint("event", doc.id)
    g.add((ev, RDF.type, WN.Event))
    g.add((ev, WN.eventKind, WN.AkademieSession))
    g.add((ev, SCHEMA.name, Literal(doc.title.removeprefix("Regiopol Akademie: "))))
    g.add((ev, SCHEMA.startDate, Literal(start, datatype=XSD.date)))
    for name in speakers:
        g.add((ev, WN.speaker, person(name)))
    for topic in doc.topics:
        g.add((ev, WN.topic, iris.topic_iri(topic)))
    g.add((d, SCHEMA.about, ev))


def add_person(g: Graph, name: str) -> None:
    ags, role = PERSONS[name]
    p = person(name)
    org = org_iri(ags)
    g.add((p, RDF.type, FOAF.Person))
    g.add((p, FOAF.name, Literal(name)))
    membership = iris.mint("membership", name, str(org))
    g.add((membership, RDF.type, ORG.Membership))
    g.add((membership, ORG.member, p))
    g.add((membership, ORG.organization, org))
    g.add((membership, WN.roleLabel, Literal(role)))
    if ags not in ORGS:
        g.add((org, RDF.type, ORG.Organization))
        g.add((org, RDFS.label, Literal("Stadt Delbrück")))
        g.add((org, WN.administers, iris.municipality_iri(ags)))


def points(
    doc: Doc, vocab: Vocabulary, embedder: SentenceTransformerEmbedder
) -> list[PassagePoint]:
    vectors = embedder.embed_passages([p.text for p in doc.passages])
    result = []
    for position, (spec, vector) in enumerate(zip(doc.passages, vectors, strict=True)):
        towns = {k for k in spec.mentions if k.isdigit()}
        if doc.project:
            towns.add(doc.project[0])
        topics: set[str] = set()
        for topic in spec.topics:
            topics |= vocab.thesaurus.broader_closure(str(iris.topic_iri(topic)))
        kind = {"ProjectDescription": "project", "EventDescription": "event"}.get(doc.kind, "")
        result.append(
            PassagePoint(
                str(iris.passage_iri(doc.id, position)),
                doc.id,
                vector,
                tuple(sorted(towns)),
                tuple(sorted({vocab.municipalities[t].kreis for t in towns})),
                tuple(sorted(topics)),
                kind or doc.kind.casefold(),
                int(doc.date[:4]),
                doc.date,
                spec.text,
            )
        )
    return result


@dataclass
class KB:
    store: OxigraphStore
    index: QdrantEdgeIndex
    embedder: SentenceTransformerEmbedder
    searcher: Searcher


def add_document(kb: KB, doc: Doc) -> None:
    kb.store.replace_document(iris.document_graph_iri(doc.id), document_graph(doc))
    kb.index.upsert(points(doc, kb.searcher.vocabulary, kb.embedder))


def remove_document(kb: KB, doc_id: str) -> None:
    """Undo ``add_document``; the caller refreshes the searcher."""
    kb.store.delete_document(iris.document_graph_iri(doc_id))
    kb.index.delete_document(doc_id)


def build_kb(root: Path, model_dir: Path) -> KB:
    """Reference data, the eight documents and a searcher; the caller closes index and store."""
    embedder = SentenceTransformerEmbedder(str(model_dir), threads=1)
    embedder.load()
    store = OxigraphStore(None)  # in memory: loading the reference data is 3x faster
    load_reference_data(store)
    vocab = Vocabulary.load(store)
    index = QdrantEdgeIndex(root / "vectors", identity_of(embedder))
    for doc in DOCS:
        store.replace_document(iris.document_graph_iri(doc.id), document_graph(doc))
        index.upsert(points(doc, vocab, embedder))
    searcher = Searcher(store, index, embedder)
    return KB(store, index, embedder, searcher)
