"""Response models: the JSON shapes of the API, shared with the CLI's ``--json`` output.

The graph layer produces plain dicts (``to_json``); these models validate them on the way
out and document them, with examples, in the OpenAPI schema.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

_DOC_EXAMPLE: JsonDict = {
    "id": "akademie-2023-03-waermeplanung",
    "title": "Regiopol Akademie: Kommunale Wärmeplanung",
    "source": "corpus/akademie/akademie-2023-03-waermeplanung.md",
    "kind": "event",
    "date": "2023-03-15",
}
_PASSAGE_EXAMPLE: JsonDict = {
    "id": "https://w3id.org/wissensnetz/id/passage/akademie-2023-03-waermeplanung/0",
    "text": "Gütersloh hat die Bestandsanalyse abgeschlossen …",
    "start": 0,
    "end": 180,
}


class ErrorBody(BaseModel):
    """Code and human-readable message of an error."""

    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["no person with key 'x'"])


class ErrorResponse(BaseModel):
    """The one envelope of every 4xx/5xx answer."""

    error: ErrorBody


class DocumentOut(BaseModel):
    """A source document as hits and evidence show it."""

    model_config = ConfigDict(json_schema_extra={"examples": [_DOC_EXAMPLE]})
    id: str
    title: str = ""
    source: str = ""
    kind: str = Field("", description="protocol, project, event or page")
    date: str | None = None


class PassageOut(BaseModel):
    """A passage: IRI, text and character offsets into the document's normalised text."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PASSAGE_EXAMPLE]})
    id: str
    text: str
    start: int | None = None
    end: int | None = None


class MunicipalityRef(BaseModel):
    """A municipality named in a hit."""

    id: str
    name: str
    ags: str = Field(examples=["05754008"])


class TopicRef(BaseModel):
    """A thesaurus concept."""

    id: str
    label: str


class Hit(BaseModel):
    """One ranked passage with its document, places and topics."""

    score: float
    document: DocumentOut
    passage: PassageOut
    municipalities: list[MunicipalityRef]
    topics: list[TopicRef]


class FacetValue(BaseModel):
    """A facet value with the number of candidates that have it."""

    value: str
    label: str
    count: int


class SearchResponse(BaseModel):
    """Hits of a search plus facet counts over all candidates."""

    query: str = Field(examples=["Kommunale Wärmeplanung"])
    total: int = Field(0, description="Number of candidates (before paging).")
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = Field(
        default_factory=dict, description="municipality, kreis, topic, kind, year"
    )


class Evidence(BaseModel):
    """The passage that proves an answer."""

    document: DocumentOut
    passage: PassageOut


class Contact(BaseModel):
    """A person to contact, with roles."""

    id: str
    name: str
    roles: list[str]


class MunicipalityAnswer(BaseModel):
    """A municipality with experience on the asked topic."""

    id: str
    name: str
    ags: str
    score: float
    evidence: list[Evidence]
    contacts: list[Contact]


class Affiliation(BaseModel):
    """Membership of a person in an organisation."""

    id: str
    name: str
    role: str | None = None


class ActorAnswer(BaseModel):
    """A person or organisation with experience."""

    id: str
    name: str
    type: str = Field(examples=["person"])
    score: float
    affiliations: list[Affiliation]
    evidence: list[Evidence]


class WhoResponse(BaseModel):
    """Answer to "Wer hat schon X gemacht?"."""

    query: str = Field(examples=["Wer hat schon eine kommunale Wärmeplanung gemacht?"])
    municipalities: list[MunicipalityAnswer]
    actors: list[ActorAnswer]


class SpeakerTopic(BaseModel):
    """The topic the suggestions are for: concept (if resolved), label and the text asked."""

    id: str | None
    label: str
    text: str


class Speaker(BaseModel):
    """A suggested speaker with the reasons and proving passages."""

    id: str
    name: str
    affiliations: list[Affiliation]
    score: float
    reasons: list[str]
    evidence: list[Evidence]


class SpeakersResponse(BaseModel):
    """Speaker suggestions for one topic."""

    topic: SpeakerTopic
    speakers: list[Speaker]


class EntityRef(BaseModel):
    """A node as a link; ``kind`` and ``key`` address its page (null without one)."""

    iri: str
    label: str
    kind: str | None = None
    key: str | None = None
    date: str | None = None


class EntityLink(BaseModel):
    """A relation to another entity or a literal value."""

    relation: str
    entity: EntityRef | None = None
    text: str | None = None


class MembershipOut(BaseModel):
    """Person in organisation with role and period."""

    person: EntityRef
    organisation: EntityRef
    role: str | None = None
    start: str | None = None
    end: str | None = None


class ExperienceOut(BaseModel):
    """An experience of an agent with a topic, with evidence."""

    id: str
    agent: EntityRef
    kind: str = Field(description="done, presented, planned, asked or mentioned")
    topics: list[EntityRef]
    confidence: float | None = None
    evidence: list[Evidence]
    municipalities: list[EntityRef]


class DocumentSummary(DocumentOut):
    """A document related to the entity, with the number of related passages."""

    passages: int = 0
    iri: str = ""
    key: str | None = None


class DocumentPassage(PassageOut):
    """A passage of a document page."""

    heading: str | None = None


class Bar(BaseModel):
    """One bar of a chart."""

    label: str
    count: int
    entity: EntityRef | None = None


class Chart(BaseModel):
    """Experiences by topic or by municipality."""

    title: str
    bars: list[Bar]


class GraphNode(BaseModel):
    """A node of the neighbourhood picture."""

    iri: str
    label: str
    kind: str | None = None
    key: str | None = None
    centre: bool = False


class GraphEdge(BaseModel):
    """A labelled relation of the neighbourhood picture."""

    source: str
    target: str
    label: str


class NeighbourhoodOut(BaseModel):
    """The entity's neighbourhood subgraph."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]


class EntityResponse(BaseModel):
    """Everything an entity page shows."""

    kind: str = Field(examples=["municipality"])
    key: str = Field(examples=["05754008"])
    iri: str
    label: str = Field(examples=["Gütersloh"])
    types: list[str]
    description: str
    facts: list[EntityLink]
    contacts: list[EntityLink]
    related: list[EntityLink]
    events: list[EntityLink]
    projects: list[EntityLink]
    memberships: list[MembershipOut]
    experiences: list[ExperienceOut] = Field(description="The strongest experiences (at most 100).")
    experience_count: int = Field(0, description="All experiences, before the cut.")
    documents: list[DocumentSummary]
    passages: list[DocumentPassage]
    chart: Chart
    neighbourhood: NeighbourhoodOut


class TopicNode(BaseModel):
    """A thesaurus concept with counts and narrower concepts."""

    iri: str
    key: str
    label: str
    definition: str
    passages: int
    experiences: int
    total_passages: int
    total_experiences: int
    children: list["TopicNode"]


class TopicsResponse(BaseModel):
    """The thesaurus as a tree."""

    topics: list[TopicNode]


class KreisOut(BaseModel):
    """Key and name of a Kreis."""

    key: str
    name: str


class MunicipalityRow(BaseModel):
    """A municipality in the directory."""

    id: str
    name: str
    ags: str
    kreis: KreisOut
    documents: int
    experiences: int


class MunicipalitiesResponse(BaseModel):
    """One page of municipalities."""

    total: int
    municipalities: list[MunicipalityRow]


class UploadResponse(BaseModel):
    """Result of an upload: stored name, size and the ingest summary."""

    filename: str = Field(examples=["Protokoll_Mai_2025.pdf"])
    bytes: int
    summary: dict[str, Any] = Field(description="Summary reported by the ingest pipeline.")


class DeleteResponse(BaseModel):
    """Result of a deletion."""

    id: str
    deleted: bool


class StatsResponse(BaseModel):
    """Size of the knowledge base."""

    counts: dict[str, int]
    documents_by_kind: dict[str, int]
    documents_by_year: dict[str, int]
    municipalities_with_documents: int


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses, all with the envelope."""
    texts = {
        400: "Ungültige Anfrage",
        401: "API-Schlüssel fehlt oder ist ungültig",
        404: "Nicht gefunden",
        413: "Anfrage zu groß",
        415: "Dateityp nicht unterstützt",
        422: "Ungültige Parameter",
        503: "Dienst nicht verfügbar",
        504: "Zeitüberschreitung",
    }
    return {s: {"model": ErrorResponse, "description": texts.get(s, "Fehler")} for s in statuses}
