"""One document's triples: the document, its passages, actors, topics and experiences.

Everything of a source file goes into one rdflib ``Graph`` that becomes the file's named
graph, so replacing or deleting the file replaces or deletes exactly these triples.
Structure-specific nodes (events, projects, tasks) are added by ``ingest.structure_triples``.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF

from graph.iris import document_iri, mint, passage_iri
from ingest.analysis import TextAnalysis
from ingest.identities import Identities
from ingest.records import Chunk, DocKind, Mention, NormalisedDocument
from ingest.resolution import AliasTable, ResolvedPerson, resolve_in_document
from ingest.structure.records import DocumentStructure
from ontology.namespaces import ORG, SCHEMA, WN

DOC_KINDS: dict[DocKind, URIRef] = {
    "protocol": WN.Protocol,
    "project": WN.ProjectDescription,
    "event": WN.EventDescription,
    "page": WN.Page,
}
EXPERIENCE_KINDS: dict[str, URIRef] = {
    "done": WN.Done,
    "presented": WN.Presented,
    "planned": WN.Planned,
    "asked": WN.Asked,
    "mentioned": WN.Mentioned,
}
AGENT_KINDS = ("municipality", "organisation", "person", "region")


@dataclass(frozen=True)
class AnalysedDocument:
    """What the earlier stages produced for one document."""

    doc: NormalisedDocument
    kind: DocKind
    structure: DocumentStructure
    chunks: list[Chunk]
    analyses: list[TextAnalysis]
    title: str
    doc_date: date | None


@dataclass
class DocumentGraph:
    """The graph of one document plus what the summary and the vector payload need."""

    graph: Graph
    iri: URIRef
    persons: dict[str, URIRef] = field(default_factory=dict)  # mention key -> person IRI
    passage_topics: list[set[URIRef]] = field(default_factory=list)
    passage_municipalities: list[set[str]] = field(default_factory=list)
    entity_counts: Counter[str] = field(default_factory=Counter)
    experiences: int = 0

    def add_experience(
        self, agent: URIRef, topic: URIRef, kind: str, passage: URIRef, confidence: float
    ) -> None:
        """One Experience node; repeats of the same fact in the same passage collapse."""
        node = mint("experience", str(agent), str(topic), kind, str(passage))
        if (node, RDF.type, WN.Experience) in self.graph:
            return
        g = self.graph
        g.add((node, RDF.type, WN.Experience))
        g.add((node, WN.agent, agent))
        g.add((node, WN.topic, topic))
        g.add((node, WN.experienceKind, EXPERIENCE_KINDS[kind]))
        g.add((node, WN.evidence, passage))
        g.add((node, WN.confidence, Literal(Decimal(f"{min(max(confidence, 0.0), 1.0):.3f}"))))
        self.experiences += 1


def build_document_graph(
    ad: AnalysedDocument, identities: Identities, aliases: AliasTable | None = None
) -> DocumentGraph:
    """Document, passages, persons, organisations, mentions and passage experiences."""
    source = ad.doc.source
    iri = document_iri(source.doc_id)
    dg = DocumentGraph(Graph(), iri)
    _document(dg.graph, iri, ad)
    persons = resolve_in_document([p for a in ad.analyses for p in a.persons], aliases)
    for person in persons:
        person_node = identities.person(person)
        for record in person.records:
            dg.persons[record.to_mention(ad.doc.text).key] = person_node
        _person(dg, person_node, person, identities)
    for chunk, analysis in zip(ad.chunks, ad.analyses, strict=True):
        _passage(dg, ad, chunk, analysis, identities)
    doc_topics = set().union(*dg.passage_topics) if dg.passage_topics else set()
    for topic in doc_topics:
        dg.graph.add((iri, WN.topic, topic))
    return dg


def _document(g: Graph, iri: URIRef, ad: AnalysedDocument) -> None:
    source = ad.doc.source
    g.add((iri, RDF.type, WN.Document))
    g.add((iri, DCTERMS.identifier, Literal(source.doc_id)))
    g.add((iri, DCTERMS.title, Literal(ad.title)))
    g.add((iri, WN.documentKind, DOC_KINDS[ad.kind]))
    g.add((iri, WN.sourcePath, Literal(source.source)))
    g.add((iri, WN.contentHash, Literal(source.content_hash)))
    g.add((iri, WN.language, Literal(str(source.meta.get("language") or "de"))))
    if ad.doc_date is not None:
        g.add((iri, DCTERMS.date, Literal(ad.doc_date.isoformat(), datatype=XSD.date)))


def _person(dg: DocumentGraph, node: URIRef, person: ResolvedPerson, ids: Identities) -> None:
    g = dg.graph
    g.add((node, RDF.type, FOAF.Person))
    g.add((node, FOAF.name, Literal(person.name)))
    for title in person.titles:
        g.add((node, SCHEMA.honorificPrefix, Literal(title)))
    dg.entity_counts["person"] += 1
    main = person.main_affiliation
    for role in person.roles or ():
        affiliation = role.affiliation or main
        if affiliation is None:
            continue
        org = organisation_node(dg, ids, affiliation.name, affiliation.municipality)
        membership = mint("membership", str(node), str(org), role.label)
        g.add((membership, RDF.type, ORG.Membership))
        g.add((membership, ORG.member, node))
        g.add((membership, ORG.organization, org))
        g.add((membership, WN.roleLabel, Literal(role.label)))
    if not person.roles and main is not None:
        org = organisation_node(dg, ids, main.name, main.municipality)
        membership = mint("membership", str(node), str(org), "")
        g.add((membership, RDF.type, ORG.Membership))
        g.add((membership, ORG.member, node))
        g.add((membership, ORG.organization, org))


def organisation_node(
    dg: DocumentGraph, ids: Identities, name: str, municipality: str | None
) -> URIRef:
    """IRI of an organisation, described in this graph unless reference data has it."""
    node = ids.organisation(name, municipality)
    if not ids.is_reference(node):
        dg.graph.add((node, RDF.type, ORG.Organization))
        dg.graph.add((node, RDFS.label, Literal(name)))
        dg.entity_counts["organisation"] += 1
    return node


def _passage(
    dg: DocumentGraph, ad: AnalysedDocument, chunk: Chunk, analysis: TextAnalysis, ids: Identities
) -> None:
    g = dg.graph
    node = passage_iri(ad.doc.source.doc_id, chunk.position)
    g.add((node, RDF.type, WN.Passage))
    g.add((node, DCTERMS.isPartOf, dg.iri))
    g.add((node, WN.text, Literal(chunk.text)))
    g.add((node, WN.startOffset, Literal(chunk.start)))
    g.add((node, WN.endOffset, Literal(chunk.end)))
    g.add((node, WN.position, Literal(chunk.position)))
    if chunk.heading_path:
        g.add((node, WN.headingPath, Literal(" > ".join(chunk.heading_path))))
    if chunk.page is not None:
        g.add((node, WN.page, Literal(chunk.page)))
    topics = {URIRef(t.iri) for t in analysis.topics}
    for topic in topics:
        g.add((node, WN.topic, topic))
    dg.passage_topics.append(topics)
    dg.passage_municipalities.append({m.key for m in analysis.of_kind("municipality")})
    for mention in analysis.of_kind(*AGENT_KINDS):
        agent = _agent_node(dg, ids, mention)
        if agent is not None:
            g.add((node, WN.mentions, agent))
            dg.entity_counts[mention.kind] += 1
    for exp in analysis.experiences:
        agent = _agent_node(dg, ids, exp.agent)
        if agent is not None and not exp.negated:
            dg.add_experience(agent, URIRef(exp.topic_iri), exp.kind, node, exp.confidence)


def _agent_node(dg: DocumentGraph, ids: Identities, mention: Mention) -> URIRef | None:
    if mention.kind == "organisation":
        name = str(mention.extra.get("name") or mention.text)
        municipality = mention.extra.get("municipality")
        return organisation_node(dg, ids, name, str(municipality) if municipality else None)
    return ids.agent(mention, dg.persons)


def passages_containing(ad: AnalysedDocument, start: int, end: int) -> list[URIRef]:
    """Passages whose span overlaps ``[start, end)``: the evidence for a structured fact."""
    doc_id = ad.doc.source.doc_id
    return [
        passage_iri(doc_id, c.position)
        for c in ad.chunks
        if c.start < max(end, start + 1) and c.end > start
    ]


def first_passage(ad: AnalysedDocument) -> URIRef | None:
    """The first passage, evidence of last resort for document-level facts."""
    return passage_iri(ad.doc.source.doc_id, ad.chunks[0].position) if ad.chunks else None


def all_topics(dg: DocumentGraph) -> set[URIRef]:
    """Every topic any passage of the document has."""
    found: set[URIRef] = set()
    for topics in dg.passage_topics:
        found |= topics
    return found


def literal_list(values: Iterable[str]) -> list[Literal]:
    """Non-empty stripped strings as literals."""
    return [Literal(v.strip()) for v in values if v and v.strip()]
