"""Closed vocabularies: our own terms plus the W3C vocabularies rdflib does not ship.

Closed (``_fail = True``) so a typo such as ``WN.agnet`` fails at import time
instead of silently writing a triple nobody queries.
"""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

WN_IRI = "https://w3id.org/wissensnetz/def#"
ID_IRI = "https://w3id.org/wissensnetz/id/"
TOPIC_IRI = "https://w3id.org/wissensnetz/topic/"
GEO_KEY_IRI = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/"


class WN(DefinedNamespace):
    """The Wissensnetz ontology: only what ORG, FOAF, schema.org, SKOS, PROV-O and OA lack."""

    _NS = Namespace(WN_IRI)
    _fail = True

    # Classes
    Municipality: URIRef  # A German Gemeinde, keyed by its 8-digit AGS.
    Kreis: URIRef  # A Kreis, Landkreis or kreisfreie Stadt (5-digit key).
    Land: URIRef  # A German Land (2-digit key).
    Regierungsbezirk: URIRef  # A Regierungsbezirk (3-digit key).
    Region: URIRef  # A cooperation region of municipalities (Regiopolregion).
    Network: URIRef  # A network of cities or regions (RegioPole-Netzwerk).
    Body: URIRef  # A Gremium or working unit of an organisation (Steuerungskreis, AG).
    Document: URIRef  # An ingested source document.
    DocumentKind: URIRef  # Kind of a document (protocol, project description, ...).
    Passage: URIRef  # A citable chunk of a document's normalised text.
    Event: URIRef  # A workshop, meeting or Akademie session.
    EventKind: URIRef  # Kind of an event.
    Project: URIRef  # A municipal or regional project.
    Problem: URIRef  # A problem encountered in a project.
    Goal: URIRef  # A goal of a project.
    Task: URIRef  # A work assignment recorded in a protocol.
    Offer: URIRef  # "Ich biete": something an actor offers to others.
    Need: URIRef  # "Ich suche": something an actor is looking for.
    Experience: URIRef  # An agent did/presented/planned/asked about a topic, with evidence.
    ExperienceKind: URIRef  # done, presented, planned, asked, mentioned.
    AgendaItem: URIRef  # One point of an event's agenda.

    # Keys and identity
    ags: URIRef  # Amtlicher Gemeindeschlüssel, 8 digits.
    ars: URIRef  # Amtlicher Regionalschlüssel, 12 digits.
    kreisKey: URIRef  # 5-digit Kreis key.
    landKey: URIRef  # 2-digit Land key.
    kreis: URIRef  # Municipality -> its Kreis.
    land: URIRef  # Municipality or Kreis -> its Land.
    regierungsbezirk: URIRef  # Municipality or Kreis -> its Regierungsbezirk.
    municipalityKind: URIRef  # Stadt, Gemeinde, kreisfreie Stadt, Markt, ...
    shortName: URIRef  # Name without the official suffix (", Stadt").
    population: URIRef  # Inhabitants at populationDate.
    administration: URIRef  # Municipality -> the organisation that administers it.
    administers: URIRef  # Organisation (Stadtverwaltung) -> municipality.
    regiopolPate: URIRef  # Municipality -> its contact person for the region (regiopolPate).
    generalContact: URIRef  # Municipality or organisation -> general contact person.
    demonym: URIRef  # Adjective or inhabitant noun ("Bielefelder").

    # Documents and passages
    documentKind: URIRef  # Document -> DocumentKind.
    sourcePath: URIRef  # Path or URL the document was read from.
    contentHash: URIRef  # sha256 of the raw source bytes (idempotent re-ingest).
    normalisedText: URIRef  # The stored normalised text that passage offsets index into.
    language: URIRef  # BCP 47 language tag of the document.
    text: URIRef  # The text of a passage, problem, goal, task, offer or need.
    startOffset: URIRef  # Character offset of a passage's first character.
    endOffset: URIRef  # Character offset one past a passage's last character.
    page: URIRef  # 1-based PDF page of a passage.
    headingPath: URIRef  # Headings above a passage, joined by " > ".
    position: URIRef  # 0-based order of a passage or item within its document.
    mentions: URIRef  # Passage or document -> an entity it names.
    topicConfidence: URIRef  # Confidence of a topic assignment (0..1).
    confidence: URIRef  # Confidence of an extraction (0..1).

    # Events
    eventKind: URIRef  # Event -> EventKind.
    speaker: URIRef  # Event or agenda item -> person who gave input.
    moderator: URIRef  # Event -> person who moderated.
    participantCount: URIRef  # Number of participants.
    nextEvent: URIRef  # Event -> the follow-up event it announces.
    agendaItem: URIRef  # Event -> AgendaItem.
    startTime: URIRef  # Local start time "HH:MM".
    endTime: URIRef  # Local end time "HH:MM".
    format: URIRef  # Event format (digital, Präsenz, hybrid).
    partner: URIRef  # Event or project -> partner organisation.
    workingGroup: URIRef  # Event -> Body formed as a working group.

    # Projects
    municipality: URIRef  # Project, offer, need or experience -> municipality involved.
    contactPerson: URIRef  # Project or municipality -> contact person.
    status: URIRef  # Project status (idea, planned, running, completed).
    goal: URIRef  # Project -> Goal.
    problem: URIRef  # Project -> Problem.
    implementation: URIRef  # How a project was implemented (text).
    email: URIRef  # Contact e-mail.
    phone: URIRef  # Contact phone.

    # Tasks, offers and needs
    task: URIRef  # Document or event -> Task.
    assignedTo: URIRef  # Task -> agent or body responsible.
    dueDate: URIRef  # Task -> date it is due.
    offeredBy: URIRef  # Offer -> agent.
    neededBy: URIRef  # Need -> agent.

    # Experiences
    agent: URIRef  # Experience -> municipality, organisation or person.
    topic: URIRef  # Experience, project, event or passage -> skos:Concept.
    experienceKind: URIRef  # Experience -> ExperienceKind.
    evidence: URIRef  # Experience -> Passage that proves it.

    # Roles
    roleLabel: URIRef  # Membership -> role as written ("Bürgermeister").
    # Added for reference.ttl: the RegioPole-Netzwerk distinguishes its founding cities from
    # those that joined later; a sub-property of org:hasMember keeps plain member queries working.
    foundingMember: URIRef  # Region or network -> a member that founded it.

    # Individuals: document kinds
    Protocol: URIRef  # Protocol of a meeting or workshop.
    ProjectDescription: URIRef  # Entry of a project database.
    EventDescription: URIRef  # Announcement or report of an event / Akademie session.
    Page: URIRef  # Web page or news item.

    # Individuals: event kinds
    Workshop: URIRef  # Workshop / Werkstatt.
    AkademieSession: URIRef  # A session of the Regiopol Akademie.
    Meeting: URIRef  # A meeting of a body.

    # Individuals: experience kinds
    Done: URIRef  # The agent did or implemented it.
    Presented: URIRef  # The agent presented or reported on it.
    Planned: URIRef  # The agent plans it or had the idea.
    Asked: URIRef  # The agent asked about it or needs it.
    Mentioned: URIRef  # The agent was mentioned with it.


ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
WNID = Namespace(ID_IRI)
WNTOPIC = Namespace(TOPIC_IRI)

PREFIXES: dict[str, str] = {
    "wn": WN_IRI,
    "wnid": ID_IRI,
    "topic": TOPIC_IRI,
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "oa": "http://www.w3.org/ns/oa#",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def sparql_prologue() -> str:
    """PREFIX lines for every prefix, so product queries and UI examples share one list."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
