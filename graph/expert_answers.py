"""What "Wer hat schon X gemacht?" answers: the answer records and whom to call.

A municipality's contact is, first, a person with experience on the topic who works for it
or runs its project (from the expertise tally); failing that, its regiopolPate or general
contact from the graph. :mod:`graph.experts` ranks the candidates and re-exports the records.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.actors import Actor, Evidence, Scores, names, select_each, values
from graph.questions import Question
from graph.store import GraphStore

MAX_CONTACTS = 2

_PATE_HEAD = "SELECT DISTINCT ?m ?x ?rel WHERE { VALUES ?m { %s } "
_PATES = (
    '?m wn:regiopolPate ?x BIND("regiopolPate" AS ?rel)',
    '?x wn:regiopolPate ?m BIND("regiopolPate" AS ?rel)',
    '?m wn:generalContact ?x BIND("Ansprechperson" AS ?rel)',
)


@dataclass(frozen=True)
class Contact:
    """A person to call, with the roles that make them the right one."""

    id: str
    name: str
    roles: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form: id, name, roles."""
        return {"id": self.id, "name": self.name, "roles": list(self.roles)}


@dataclass(frozen=True)
class MunicipalityAnswer:
    """A municipality with experience, its proof and whom to contact."""

    id: str
    name: str
    ags: str
    score: float
    evidence: tuple[Evidence, ...]
    contacts: tuple[Contact, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the answer."""
        return {
            "id": self.id,
            "name": self.name,
            "ags": self.ags,
            "score": round(self.score, 6),
            "evidence": [e.to_dict() for e in self.evidence],
            "contacts": [c.to_dict() for c in self.contacts],
        }


@dataclass(frozen=True)
class ActorAnswer:
    """A person or organisation with experience."""

    actor: Actor
    score: float
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form: id, name, type, score, affiliations, evidence."""
        return {
            "id": self.actor.iri,
            "name": self.actor.name,
            "type": self.actor.type,
            "score": round(self.score, 6),
            "affiliations": [a.to_dict() for a in self.actor.affiliations],
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class WhoResult:
    """Answer to a "who did X" question."""

    query: str
    question: Question
    municipalities: list[MunicipalityAnswer]
    actors: list[ActorAnswer]

    def to_json(self) -> dict[str, Any]:
        """``{"query", "municipalities": [...], "actors": [...]}``."""
        return {
            "query": self.query,
            "municipalities": [m.to_dict() for m in self.municipalities],
            "actors": [a.to_dict() for a in self.actors],
        }


def topic_contacts(
    ags: str, staff: Mapping[str, Scores], actors: Mapping[str, Actor], size: int = MAX_CONTACTS
) -> list[Contact]:
    """Persons with experience on the topic who work for the town or run its project."""
    ranked = sorted(staff, key=lambda i: (-staff[i].total, i))[:size]
    return [
        Contact(iri, actors[iri].name, tuple(actors[iri].roles(ags) or actors[iri].roles()))
        for iri in ranked
    ]


def fallback_contacts(store: GraphStore, towns: Mapping[str, str]) -> dict[str, list[Contact]]:
    """regiopolPate or general contact of each municipality, by AGS (``towns``: AGS -> IRI)."""
    block = values(towns.values())
    if not block:
        return {}
    by_iri = {iri: ags for ags, iri in towns.items()}
    rows = select_each(store, _PATE_HEAD % block, _PATES)
    people = names(store, {person for _, person, _ in rows if person})
    found: dict[str, dict[str, Contact]] = defaultdict(dict)
    for m, person, rel in rows:
        if m in by_iri and person in people:
            found[by_iri[m]].setdefault(person, Contact(person, people[person], (rel or "",)))
    return {ags: list(contacts.values()) for ags, contacts in found.items()}
