"""Triples for what the structure parsers found: events, protocols, projects, pages.

Structured facts are also turned into experiences, because they are the strongest evidence
the corpus has: a project's status says what its municipalities and contacts *did*, an
Akademie speaker *presented* the session's topics, a regiopolPate is a municipality's contact.
"""

from collections.abc import Callable, Iterable
from datetime import date, time

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from graph.iris import mint, municipality_iri
from ingest.experiences import kind_from_status
from ingest.structure.records import (
    EventStructure,
    PageStructure,
    ProjectStructure,
    ProtocolStructure,
    TaskItem,
)
from ingest.triples import (
    AnalysedDocument,
    DocumentGraph,
    all_topics,
    first_passage,
    passages_containing,
)
from ontology.namespaces import SCHEMA, WN

TopicLookup = Callable[[str], set[URIRef]]
_STATUS_KIND = {"completed": "done", "running": "done", "planned": "planned", "idea": "planned"}


def add_structure(dg: DocumentGraph, ad: AnalysedDocument, topics_of: TopicLookup) -> None:
    """Dispatch on the parsed structure of the document."""
    structure = ad.structure
    if isinstance(structure, ProjectStructure):
        _project(dg, ad, structure, topics_of)
    elif isinstance(structure, EventStructure):
        _event(dg, ad, structure, topics_of)
    elif isinstance(structure, ProtocolStructure):
        _protocol(dg, ad, structure, topics_of)
    elif isinstance(structure, PageStructure):
        _patrons(dg, ad)


def _meta_topics(ad: AnalysedDocument, topics_of: TopicLookup) -> set[URIRef]:
    raw = ad.doc.source.meta.get("topics") or []
    labels = [raw] if isinstance(raw, str) else [str(t) for t in raw]
    found: set[URIRef] = set()
    for label in labels:
        found |= topics_of(label)
    return found


def persons_in(dg: DocumentGraph, ad: AnalysedDocument, start: int, end: int) -> list[URIRef]:
    """Persons the NLP stage found inside a span (a speaker line, a contact line)."""
    found: list[URIRef] = []
    for analysis in ad.analyses:
        for record in analysis.persons:
            if record.start >= start and record.end <= end:
                node = dg.persons.get(record.to_mention(ad.doc.text).key)
                if node is not None and node not in found:
                    found.append(node)
    return found


def _municipalities(ad: AnalysedDocument) -> set[str]:
    """AGS of municipalities named in front matter or in the document's first passage."""
    found: set[str] = set()
    for analysis in ad.analyses[:1]:
        found |= {m.key for m in analysis.of_kind("municipality")}
    return found


def _project(
    dg: DocumentGraph, ad: AnalysedDocument, p: ProjectStructure, topics_of: TopicLookup
) -> None:
    g = dg.graph
    node = mint("project", ad.doc.source.doc_id)
    g.add((node, RDF.type, WN.Project))
    g.add((node, DCTERMS.title, Literal(p.title or ad.title)))
    g.add((dg.iri, SCHEMA.about, node))
    topics = _meta_topics(ad, topics_of) | {t for item in p.topics for t in topics_of(item.text)}
    topics = topics or all_topics(dg)
    for topic in topics:
        g.add((node, WN.topic, topic))
    if p.status:
        g.add((node, WN.status, Literal(p.status)))
    if p.period and p.period.begins:
        g.add((node, SCHEMA.startDate, Literal(p.period.begins.isoformat(), datatype=XSD.date)))
    if p.period and p.period.ends:
        g.add((node, SCHEMA.endDate, Literal(p.period.ends.isoformat(), datatype=XSD.date)))
    for text in p.implementation:
        g.add((node, WN.implementation, Literal(text.text)))
    for part, items in (("goal", p.goals), ("problem", p.problems)):
        for i, item in enumerate(items):
            child = mint(part, ad.doc.source.doc_id, str(i))
            g.add((child, RDF.type, WN.Goal if part == "goal" else WN.Problem))
            g.add((child, WN.text, Literal(item.text)))
            g.add((node, WN.goal if part == "goal" else WN.problem, child))
    municipalities = _project_municipalities(ad, p)
    for ags in municipalities:
        g.add((node, WN.municipality, municipality_iri(ags)))
    contacts = _project_contacts(dg, ad, p)
    for person in contacts:
        g.add((node, WN.contactPerson, person))
    meta_status = str(ad.doc.source.meta.get("status", ""))
    kind: str | None = _STATUS_KIND.get(p.status or "") or kind_from_status(meta_status)
    evidence = _evidence(ad, p.status_text.start if p.status_text else None)
    if kind and evidence is not None:
        agents = [municipality_iri(a) for a in municipalities] + contacts
        for agent in agents:
            for topic in topics:
                dg.add_experience(agent, topic, kind, evidence, 0.95)


def _evidence(ad: AnalysedDocument, offset: int | None) -> URIRef | None:
    if offset is not None:
        hits = passages_containing(ad, offset, offset + 1)
        if hits:
            return hits[0]
    return first_passage(ad)


def _project_municipalities(ad: AnalysedDocument, p: ProjectStructure) -> list[str]:
    found: list[str] = []
    for item in p.municipalities:
        for analysis in ad.analyses:
            for m in analysis.of_kind("municipality"):
                if m.start >= item.start and m.end <= item.end and m.key not in found:
                    found.append(m.key)
    return found or sorted(_municipalities(ad))


def _project_contacts(dg: DocumentGraph, ad: AnalysedDocument, p: ProjectStructure) -> list[URIRef]:
    found: list[URIRef] = []
    for contact in p.contacts:
        for person in persons_in(dg, ad, contact.start, contact.end):
            if person not in found:
                found.append(person)
                _contact_details(dg, person, contact.email, contact.phone)
    return found


def _contact_details(
    dg: DocumentGraph, person: URIRef, email: str | None, phone: str | None
) -> None:
    if email:
        dg.graph.add((person, WN.email, Literal(email)))
    if phone:
        dg.graph.add((person, WN.phone, Literal(phone)))


def _event_node(dg: DocumentGraph, ad: AnalysedDocument, title: str, day: date | None) -> URIRef:
    g = dg.graph
    node = mint("event", ad.doc.source.doc_id)
    g.add((node, RDF.type, WN.Event))
    g.add((node, SCHEMA.name, Literal(title)))
    g.add((dg.iri, SCHEMA.about, node))
    if day is not None:
        g.add((node, SCHEMA.startDate, Literal(day.isoformat(), datatype=XSD.date)))
    return node


def _clock(value: time | None) -> Literal | None:
    return Literal(value.strftime("%H:%M")) if value is not None else None


def _event(
    dg: DocumentGraph, ad: AnalysedDocument, e: EventStructure, topics_of: TopicLookup
) -> None:
    g = dg.graph
    node = _event_node(dg, ad, e.title or ad.title, e.date or ad.doc_date)
    akademie = (
        "akademie" in f"{e.title} {ad.title} {e.organiser.text if e.organiser else ''}".lower()
    )
    g.add((node, WN.eventKind, WN.AkademieSession if akademie else WN.Meeting))
    for prop, value in ((WN.startTime, _clock(e.starts_at)), (WN.endTime, _clock(e.ends_at))):
        if value is not None:
            g.add((node, prop, value))
    if e.format:
        g.add((node, WN.format, Literal(e.format)))
    topics = _meta_topics(ad, topics_of) | {t for item in e.topics for t in topics_of(item.text)}
    topics = topics or all_topics(dg)
    for topic in topics:
        g.add((node, WN.topic, topic))
    for speaker in e.speakers:
        evidence = _evidence(ad, speaker.start)
        for person in persons_in(dg, ad, speaker.start, speaker.end):
            g.add((node, WN.speaker, person))
            for topic in topics:
                if evidence is not None:
                    dg.add_experience(person, topic, "presented", evidence, 0.9)


def _protocol(
    dg: DocumentGraph, ad: AnalysedDocument, p: ProtocolStructure, topics_of: TopicLookup
) -> None:
    g = dg.graph
    title = p.title or ad.title
    node = _event_node(dg, ad, title, p.date or ad.doc_date)
    heading = f"{title} {p.subtitle.text if p.subtitle else ''}".lower()
    workshop = "werkstatt" in heading or "workshop" in heading
    g.add((node, WN.eventKind, WN.Workshop if workshop else WN.Meeting))
    for prop, value in ((WN.startTime, _clock(p.starts_at)), (WN.endTime, _clock(p.ends_at))):
        if value is not None:
            g.add((node, prop, value))
    if p.place is not None:
        g.add((node, SCHEMA.location, Literal(p.place.text)))
    if p.participant_count is not None:
        g.add((node, WN.participantCount, Literal(p.participant_count.value)))
    for moderation in p.moderation:
        for person in persons_in(dg, ad, moderation.start, moderation.end):
            g.add((node, WN.moderator, person))
    _agenda(dg, ad, node, p)
    _working_groups(dg, ad, node, p, topics_of)
    _tasks(dg, ad, node, [*p.tasks, *p.agreements], topics_of)
    _offers(dg, ad, node, p, topics_of)
    for i, meeting in enumerate(p.next_meetings):
        if meeting.date is None:
            continue
        nxt = mint("event", ad.doc.source.doc_id, "next", str(i))
        g.add((nxt, RDF.type, WN.Event))
        g.add(
            (nxt, SCHEMA.name, Literal(f"{meeting.kind or 'Treffen'} am {meeting.date:%d.%m.%Y}"))
        )
        g.add((nxt, SCHEMA.startDate, Literal(meeting.date.isoformat(), datatype=XSD.date)))
        g.add((node, WN.nextEvent, nxt))


def _agenda(dg: DocumentGraph, ad: AnalysedDocument, event: URIRef, p: ProtocolStructure) -> None:
    g = dg.graph
    for i, item in enumerate(p.agenda):
        node = mint("agenda", ad.doc.source.doc_id, str(i))
        g.add((node, RDF.type, WN.AgendaItem))
        g.add((node, SCHEMA.name, Literal(item.title or item.text)))
        g.add((node, WN.position, Literal(i)))
        start = _clock(item.starts_at)
        if start is not None:
            g.add((node, WN.startTime, start))
        g.add((event, WN.agendaItem, node))
        for person in persons_in(dg, ad, item.start, item.body_end):
            g.add((node, WN.speaker, person))
            g.add((event, WN.speaker, person))


def _working_groups(
    dg: DocumentGraph,
    ad: AnalysedDocument,
    event: URIRef,
    p: ProtocolStructure,
    topics_of: TopicLookup,
) -> None:
    g = dg.graph
    for group in p.working_groups:
        node = mint("body", ad.doc.source.doc_id, group.name)
        g.add((node, RDF.type, WN.Body))
        g.add((node, RDFS.label, Literal(f"Arbeitsgruppe „{group.name}“")))
        g.add((event, WN.workingGroup, node))
        for topic in topics_of(" ".join([group.name, *(b.text for b in group.focus_topics)])):
            g.add((node, WN.topic, topic))


def _tasks(
    dg: DocumentGraph,
    ad: AnalysedDocument,
    event: URIRef,
    tasks: Iterable[TaskItem],
    topics_of: TopicLookup,
) -> None:
    g = dg.graph
    for i, task in enumerate(tasks):
        node = mint("task", ad.doc.source.doc_id, str(i))
        g.add((node, RDF.type, WN.Task))
        g.add((node, WN.text, Literal(task.text)))
        g.add((node, WN.position, Literal(i)))
        if task.due is not None:
            g.add((node, WN.dueDate, Literal(task.due.isoformat(), datatype=XSD.date)))
        if task.group:
            g.add((node, WN.assignedTo, mint("body", ad.doc.source.doc_id, task.group)))
        for topic in topics_of(task.text):
            g.add((node, WN.topic, topic))
        g.add((event, WN.task, node))
        g.add((dg.iri, WN.task, node))


def _offers(
    dg: DocumentGraph,
    ad: AnalysedDocument,
    event: URIRef,
    p: ProtocolStructure,
    topics_of: TopicLookup,
) -> None:
    g = dg.graph
    for i, item in enumerate(p.offers_needs):
        node = mint("offer" if item.kind == "offer" else "need", ad.doc.source.doc_id, str(i))
        g.add((node, RDF.type, WN.Offer if item.kind == "offer" else WN.Need))
        g.add((node, WN.text, Literal(item.what or item.text)))
        for topic in topics_of(item.what or item.text):
            g.add((node, WN.topic, topic))
        for analysis in ad.analyses:
            for m in analysis.of_kind("municipality"):
                if m.start >= item.start and m.end <= item.end:
                    g.add((node, WN.municipality, municipality_iri(m.key)))
                    prop = WN.offeredBy if item.kind == "offer" else WN.neededBy
                    g.add((node, prop, municipality_iri(m.key)))


def _patrons(dg: DocumentGraph, ad: AnalysedDocument) -> None:
    """A regiopolPate named with a municipality becomes that municipality's contact."""
    for analysis in ad.analyses:
        for record in analysis.persons:
            for role in record.roles:
                label = role.label.lower()
                if "regiopolpat" not in label or role.affiliation is None:
                    continue
                ags = role.affiliation.municipality
                node = dg.persons.get(record.to_mention(ad.doc.text).key)
                if ags and node is not None:
                    dg.graph.add((municipality_iri(ags), WN.regiopolPate, node))
