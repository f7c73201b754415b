"""The records of an entity page: references, links, memberships, experiences, charts.

Pure data with ``to_dict``/``to_json`` for the API; :mod:`graph.entities` fills them from the
store. ``ref_of`` maps an IRI to the page that shows it (kind and key), so every node the UI
draws can link to its own page.
"""

import re
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from ontology.namespaces import ID_IRI, TOPIC_IRI

__all__ = [
    "ENTITY_KINDS",
    "EXPERIENCE_KINDS",
    "EXPERIENCE_LABELS",
    "INVERSE_LABELS",
    "KEY_PATTERN",
    "Bar",
    "Edge",
    "EntityKind",
    "EntityPage",
    "Evidence",
    "Experience",
    "Link",
    "Membership",
    "Neighbourhood",
    "Node",
    "Ref",
    "experience_kind",
    "ref_of",
    "relation_label",
]

EntityKind = Literal[
    "person", "organisation", "municipality", "topic", "project", "event", "document"
]
ENTITY_KINDS: tuple[EntityKind, ...] = get_args(EntityKind)
_SEGMENTS: dict[str, EntityKind] = {
    "person": "person",
    "organisation": "organisation",
    "body": "organisation",
    "region": "organisation",
    "network": "organisation",
    "municipality": "municipality",
    "project": "project",
    "event": "event",
    "document": "document",
    "passage": "document",
}
KEY_PATTERN = re.compile(r"[\w][\w.~-]{0,199}")
EXPERIENCE_KINDS = ("done", "presented", "planned", "asked", "mentioned")
EXPERIENCE_LABELS = {
    "done": "umgesetzt",
    "presented": "vorgestellt",
    "planned": "geplant",
    "asked": "angefragt",
    "mentioned": "erwähnt",
}
RELATION_LABELS = {
    "regiopolPate": "regiopolPate",
    "generalContact": "Ansprechperson",
    "contactPerson": "Ansprechperson",
    "hasMember": "Mitglied",
    "foundingMember": "Gründungsmitglied",
    "administers": "verwaltet",
    "municipality": "Kommune",
    "speaker": "Referent:in",
    "moderator": "Moderation",
    "organizer": "Veranstalter",
    "partner": "Partner",
    "topic": "Thema",
    "unitOf": "Teil von",
    "linkedTo": "verbunden mit",
    "kreis": "Kreis",
    "land": "Land",
    "about": "handelt von",
    "broader": "Oberbegriff",
    "narrower": "Unterbegriff",
    "related": "verwandt",
    "startDate": "Beginn",
    "endDate": "Ende",
    "date": "Datum",
    "status": "Status",
    "ags": "AGS",
    "population": "Einwohner",
    "email": "E-Mail",
    "phone": "Telefon",
    "sourcePath": "Quelle",
    "identifier": "Kennung",
    "documentKind": "Dokumentart",
    "goal": "Ziel",
    "problem": "Problem",
    "assignedTo": "zuständig",
    "workingGroup": "Arbeitsgruppe",
    "agendaItem": "Tagesordnungspunkt",
    "mentions": "erwähnt",
    "member": "Mitglied",
    "organization": "Organisation",
    "municipalityKind": "Art",
    "shortName": "Kurzname",
    "altLabel": "auch",
    "politicalGeocodingURI": "Geokodierung",
    "ars": "ARS",
    "postalCode": "PLZ",
    "regierungsbezirk": "Regierungsbezirk",
    "roleLabel": "Rolle",
    "eventKind": "Veranstaltungsart",
    "foundingDate": "gegründet",
    "url": "Webseite",
    "demonym": "Einwohnerbezeichnung",
    "administration": "Verwaltung",
    "inScheme": "Thesaurus",
    "topConceptOf": "Hauptthema in",
}
INVERSE_LABELS = {
    "hasMember": "Mitglied von",
    "foundingMember": "Gründungsmitglied von",
    "administers": "Verwaltung",
    "speaker": "Referent:in bei",
    "moderator": "Moderation bei",
    "contactPerson": "Ansprechperson für",
    "generalContact": "Ansprechperson für",
    "regiopolPate": "regiopolPate für",
    "unitOf": "Untereinheit",
    "partner": "Partner von",
    "municipality": "beteiligt an",
    "topic": "Thema von",
    "assignedTo": "Aufgabe",
    "linkedTo": "verbunden mit",
    "organizer": "veranstaltet von",
    "about": "beschrieben in",
}


def ref_of(iri: str) -> tuple[EntityKind | None, str | None]:
    """Page kind and key of an IRI, or ``(None, None)`` for nodes without a page."""
    if iri.startswith(TOPIC_IRI):
        key = iri[len(TOPIC_IRI) :]
        return ("topic", key) if KEY_PATTERN.fullmatch(key) else (None, None)
    if not iri.startswith(ID_IRI):
        return None, None
    segment, _, rest = iri[len(ID_IRI) :].partition("/")
    kind = _SEGMENTS.get(segment)
    key = rest.split("/", 1)[0]
    if kind is None or not KEY_PATTERN.fullmatch(key):
        return None, None
    return kind, key


@dataclass(frozen=True)
class Ref:
    """A node as a link: IRI, label and, where it has a page, its kind and key."""

    iri: str
    label: str
    kind: EntityKind | None = None
    key: str | None = None
    date: str | None = None

    @classmethod
    def of(cls, iri: str, label: str | None = None, date: str | None = None) -> "Ref":
        """A reference with the page address derived from the IRI."""
        kind, key = ref_of(iri)
        local = iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return cls(iri, label or local, kind, key, date)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: iri, label, kind, key (kind and key null without a page), date."""
        return {
            "iri": self.iri,
            "label": self.label,
            "kind": self.kind,
            "key": self.key,
            "date": self.date,
        }


@dataclass(frozen=True)
class Link:
    """A relation of the page's entity to another node (or a literal value)."""

    relation: str
    target: Ref | None = None
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form: relation, entity (or null), text (or null)."""
        entity = self.target.to_dict() if self.target else None
        return {"relation": self.relation, "entity": entity, "text": self.text}


@dataclass(frozen=True)
class Membership:
    """Person in organisation, with role and period."""

    person: Ref
    organisation: Ref
    role: str | None = None
    start: str | None = None
    end: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the membership."""
        return {
            "person": self.person.to_dict(),
            "organisation": self.organisation.to_dict(),
            "role": self.role,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class Evidence:
    """A passage that proves an experience."""

    passage: str
    text: str
    document: dict[str, Any]
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form: document and passage, as in search hits."""
        passage = {"id": self.passage, "text": self.text, "start": self.start, "end": self.end}
        return {"document": self.document, "passage": passage}


@dataclass(frozen=True)
class Experience:
    """An agent did/presented/planned/asked/mentioned a topic, with its evidence."""

    iri: str
    agent: Ref
    kind: str
    topics: tuple[Ref, ...]
    confidence: float | None
    evidence: tuple[Evidence, ...]
    municipalities: tuple[Ref, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the experience."""
        return {
            "id": self.iri,
            "agent": self.agent.to_dict(),
            "kind": self.kind,
            "topics": [t.to_dict() for t in self.topics],
            "confidence": self.confidence,
            "evidence": [e.to_dict() for e in self.evidence],
            "municipalities": [m.to_dict() for m in self.municipalities],
        }


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: label, count and the entity it stands for."""

    label: str
    count: int
    entity: Ref | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the bar."""
        entity = self.entity.to_dict() if self.entity else None
        return {"label": self.label, "count": self.count, "entity": entity}


@dataclass(frozen=True)
class Node:
    """A node of the picture; ``kind`` and ``key`` are set where the node has a page."""

    iri: str
    label: str
    kind: str | None = None
    key: str | None = None
    centre: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the node."""
        return {
            "iri": self.iri,
            "label": self.label,
            "kind": self.kind,
            "key": self.key,
            "centre": self.centre,
        }


@dataclass(frozen=True)
class Edge:
    """A labelled relation between two nodes (by IRI)."""

    source: str
    target: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the edge."""
        return {"source": self.source, "target": self.target, "label": self.label}


@dataclass
class Neighbourhood:
    """Nodes and edges around one entity."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: nodes and edges."""
        return {
            "nodes": [n.to_dict() for n in self.nodes],
            "edges": [e.to_dict() for e in self.edges],
        }


@dataclass
class EntityPage:
    """What an entity page shows; ``to_json`` is the API's answer."""

    kind: EntityKind
    key: str
    ref: Ref
    types: list[str] = field(default_factory=list)
    description: str = ""
    facts: list[Link] = field(default_factory=list)
    contacts: list[Link] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    experiences: list[Experience] = field(default_factory=list)
    experience_count: int = 0
    related: list[Link] = field(default_factory=list)
    events: list[Link] = field(default_factory=list)
    projects: list[Link] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    passages: list[dict[str, Any]] = field(default_factory=list)
    chart_title: str = ""
    chart: list[Bar] = field(default_factory=list)
    neighbourhood: Neighbourhood = field(default_factory=Neighbourhood)

    def to_json(self) -> dict[str, Any]:
        """JSON form of the page, neighbourhood graph included."""
        links = ("facts", "contacts", "related", "events", "projects")
        data: dict[str, Any] = {
            "kind": self.kind,
            "key": self.key,
            "iri": self.ref.iri,
            "label": self.ref.label,
            "types": self.types,
            "description": self.description,
        }
        data |= {name: [item.to_dict() for item in getattr(self, name)] for name in links}
        data["memberships"] = [m.to_dict() for m in self.memberships]
        data["experiences"] = [e.to_dict() for e in self.experiences]
        data["experience_count"] = self.experience_count
        data["documents"] = self.documents
        data["passages"] = self.passages
        data["chart"] = {"title": self.chart_title, "bars": [b.to_dict() for b in self.chart]}
        data["neighbourhood"] = self.neighbourhood.to_dict()
        return data


def relation_label(predicate: str, *, inverse: bool = False) -> str:
    """German label of a predicate (read backwards with ``inverse``), or its local name."""
    local = re.split(r"[#/]", predicate)[-1]
    if inverse:
        return INVERSE_LABELS.get(local, f"{RELATION_LABELS.get(local, local)} (von)")
    return RELATION_LABELS.get(local, local)


def experience_kind(iri: str) -> str:
    """``wn:Done`` -> ``done``."""
    return iri.rsplit("#", 1)[-1].casefold()
