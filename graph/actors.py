"""Who is behind a passage: agents, their names, affiliations and municipalities.

Shared by the experience finder and the speaker finder. Everything is read with a few
SPARQL queries per request, each bound to the handful of passages or agents at hand by a
``VALUES`` block, so the cost does not grow with the size of the graph.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.iris import municipality_iri
from graph.ntriples import nt_iri
from graph.passages import DocumentInfo, PassageInfo, PassageTable, Subject
from graph.search import snippet
from graph.store import GraphStore, Row, SelectResult
from graph.vocabulary import select
from ontology.namespaces import sparql_prologue

__all__ = [
    "Actor",
    "Affiliation",
    "Evidence",
    "Link",
    "Scores",
    "Tally",
    "load_actors",
    "names",
    "passage_links",
    "select_each",
    "values",
]

_TYPES = {
    "https://w3id.org/wissensnetz/def#Municipality": "municipality",
    "http://xmlns.com/foaf/0.1/Person": "person",
    "http://www.w3.org/ns/org#Organization": "organisation",
    "http://www.w3.org/ns/org#FormalOrganization": "organisation",
    "https://w3id.org/wissensnetz/def#Body": "organisation",
    "https://w3id.org/wissensnetz/def#Region": "region",
    "https://w3id.org/wissensnetz/def#Network": "region",
    "https://w3id.org/wissensnetz/def#Kreis": "kreis",
}
_TYPE_ORDER = ("municipality", "person", "organisation", "region", "kreis")

# DISTINCT everywhere: the default graph is the union of all document graphs, and a person
# or project is described again in every document that names it. Alternatives run as one
# query each, in small steps: Oxigraph evaluates a UNION, or OPTIONALs joined to a VALUES
# block, many times slower than the same patterns one after the other.
_EVIDENCE = "SELECT DISTINCT ?p ?e WHERE { VALUES ?p { %s } ?e wn:evidence ?p }"
_EXPERIENCE_HEAD = "SELECT DISTINCT ?e ?k ?v WHERE { VALUES ?e { %s } "
_EXPERIENCE = (
    '?e wn:agent ?v BIND("agent" AS ?k)',
    '?e wn:experienceKind ?v BIND("kind" AS ?k)',
    '?e wn:confidence ?v BIND("confidence" AS ?k)',
    '?e wn:topic ?v BIND("topic" AS ?k)',
)
# One row per fact, not per combination of facts (several labels times several types).
_FACT_HEAD = "SELECT DISTINCT ?x ?k ?v WHERE { VALUES ?x { %s } "
_FACTS = (
    '?x a ?v BIND("type" AS ?k)',
    '?x foaf:name ?v BIND("name" AS ?k)',
    '?x rdfs:label ?v BIND("label" AS ?k)',
    '?x wn:ags ?v BIND("ags" AS ?k)',
    '?x wn:administers/wn:ags ?v BIND("adm" AS ?k)',
)
# Memberships in two steps: a membership is restated in every document that names the
# person, and in the union graph one join over its triples multiplies those copies.
_MEMBER_HEAD = "SELECT DISTINCT ?x ?ms WHERE { VALUES ?x { %s } "
_MEMBERSHIP_HEAD = "SELECT DISTINCT ?ms ?k ?v WHERE { VALUES ?ms { %s } "
_MEMBERSHIP = (
    '?ms org:organization ?v BIND("org" AS ?k)',
    '?ms wn:roleLabel ?v BIND("role" AS ?k)',
)


def select_each(
    store: GraphStore, head: str, bodies: Iterable[str]
) -> list[tuple[str | None, ...]]:
    """Rows of ``head`` (a SELECT up to its open WHERE brace) with each body in turn."""
    rows: list[tuple[str | None, ...]] = []
    for body in bodies:
        rows.extend(select(store, f"{head}{body} }}"))
    return rows


def values(iris: Iterable[str]) -> str:
    """Body of a SPARQL ``VALUES`` block for IRIs (validated against injection)."""
    return " ".join(nt_iri(i) for i in dict.fromkeys(iris))


@dataclass(frozen=True)
class Link:
    """One reason to associate an agent with a passage.

    ``kind`` is an experience kind (done, presented, planned, asked, mentioned), "mention"
    for a plain ``wn:mentions``, or a link through the document's subject: "project"
    (the project's municipality), "contact" (its contact person), "speaker" (an event's
    speaker, only on passages that name them: a meeting protocol covers many topics).
    """

    passage: str
    agent: str
    kind: str
    confidence: float | None = None
    topic: str | None = None
    municipality: str | None = None  # AGS of the project, for "contact" links
    status: str | None = None  # project status, for "project" and "contact" links


def passage_links(store: GraphStore, passages: Iterable[str], table: PassageTable) -> list[Link]:
    """Every agent link of the given passages.

    Experiences come from the store; mentions and the projects and events of the passages'
    documents come from the passage table.
    """
    wanted = list(dict.fromkeys(passages))
    links = _experience_links(store, wanted)
    for iri in wanted:
        passage = table.passages.get(iri)
        if passage is None:
            continue
        links.extend(Link(iri, entity, "mention") for entity in passage.mentions)
        for subject in table.subjects.get(passage.document_id, ()):
            links.extend(_subject_links(iri, subject, passage.mentions))
    return links


def _subject_links(passage: str, subject: Subject, mentions: Sequence[str]) -> list[Link]:
    if subject.kind == "event":
        # A meeting covers many topics: a speaker counts only where the passage names them.
        return [Link(passage, s, "speaker") for s in subject.speakers if s in mentions]
    links = [
        Link(passage, str(municipality_iri(ags)), "project", status=subject.status)
        for ags in subject.municipalities
    ]
    towns: Sequence[str | None] = subject.municipalities or (None,)
    links += [
        Link(passage, person, "contact", municipality=town, status=subject.status)
        for person in subject.contacts
        for town in towns
    ]
    return links


def _experience_links(store: GraphStore, passages: Sequence[str]) -> list[Link]:
    block = values(passages)
    pairs = [(p, e) for p, e in select(store, _EVIDENCE % block) if p and e] if block else []
    facts: dict[str, dict[str, list[str]]] = {}
    block = values(e for _, e in pairs)
    for e, key, value in select_each(store, _EXPERIENCE_HEAD % block, _EXPERIENCE) if block else ():
        if e and key and value:
            facts.setdefault(e, {}).setdefault(key, []).append(value)
    links = []
    for passage, experience in pairs:
        info = facts.get(experience, {})
        confidence = _first(info, "confidence")
        for agent in info.get("agent", ()):
            for kind in info.get("kind", ()):
                links.append(
                    Link(
                        passage,
                        agent,
                        kind.rsplit("#", 1)[-1].casefold(),
                        float(confidence) if confidence else None,
                        _first(info, "topic"),
                    )
                )
    return links


@dataclass(frozen=True)
class Affiliation:
    """A membership: organisation, its label, the role, the municipality it administers."""

    organisation: str
    name: str
    role: str | None = None
    municipality: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form: id, name, role."""
        return {"id": self.organisation, "name": self.name, "role": self.role}


@dataclass(frozen=True)
class Actor:
    """An agent with what is needed to rank and show it."""

    iri: str
    name: str
    type: str
    ags: str | None = None
    administers: frozenset[str] = frozenset()
    affiliations: tuple[Affiliation, ...] = ()

    @property
    def municipalities(self) -> frozenset[str]:
        """Municipalities the actor stands for: itself, the one it administers, employers'."""
        if self.ags:
            return frozenset({self.ags})
        towns = set(self.administers)
        towns.update(a.municipality for a in self.affiliations if a.municipality)
        return frozenset(towns)

    def roles(self, municipality: str | None = None) -> list[str]:
        """Role labels, optionally only those in the given municipality's administration."""
        roles = [
            a.role
            for a in self.affiliations
            if a.role and (municipality is None or a.municipality == municipality)
        ]
        return list(dict.fromkeys(roles))


def load_actors(store: GraphStore, iris: Iterable[str]) -> dict[str, Actor]:
    """Type, name, AGS, administered municipalities and memberships of each IRI."""
    wanted = list(dict.fromkeys(iris))
    if not wanted:
        return {}
    facts = _facts(store, wanted)
    memberships = _memberships(store, wanted)
    actors = {}
    for iri, info in facts.items():
        types = {_TYPES[t] for t in info.get("type", ()) if t in _TYPES}
        kind = next((t for t in _TYPE_ORDER if t in types), "other")
        name = _first(info, "name", "label") or iri.rsplit("/", 1)[-1]
        affiliations = tuple(memberships.get(iri, ()))
        administers = frozenset(info.get("adm", ()))
        actors[iri] = Actor(iri, name, kind, _first(info, "ags"), administers, affiliations)
    return actors


def _memberships(store: GraphStore, persons: Sequence[str]) -> dict[str, list[Affiliation]]:
    """Affiliations per person: organisation, its label, role, administered municipality."""
    pairs = [
        (x, ms)
        for x, ms in select_each(store, _MEMBER_HEAD % values(persons), ["?ms org:member ?x"])
        if x and ms
    ]
    details: dict[str, dict[str, list[str]]] = {}
    block = values(ms for _, ms in pairs)
    for ms, key, value in (
        select_each(store, _MEMBERSHIP_HEAD % block, _MEMBERSHIP) if block else ()
    ):
        if ms and key and value:
            details.setdefault(ms, {}).setdefault(key, []).append(value)
    organisations = _facts(store, {o for d in details.values() for o in d.get("org", ())})
    found: dict[str, dict[tuple[str, str | None], Affiliation]] = {}
    for x, ms in pairs:
        info = details.get(ms, {})
        for org in info.get("org", ()):
            facts = organisations.get(org, {})
            name = _first(facts, "label", "name") or org.rsplit("/", 1)[-1]
            roles: list[str | None] = list(info.get("role", ())) or [None]
            for role in roles:
                found.setdefault(x, {}).setdefault(
                    (org, role), Affiliation(org, name, role, _first(facts, "adm"))
                )
    return {x: list(by_key.values()) for x, by_key in found.items()}


def names(store: GraphStore, iris: Iterable[str]) -> dict[str, str]:
    """Name (foaf:name, else German rdfs:label) of each IRI that has one."""
    facts = _facts(store, iris, bodies=_FACTS[1:3])
    return {iri: name for iri, info in facts.items() if (name := _first(info, "name", "label"))}


def _facts(
    store: GraphStore, iris: Iterable[str], bodies: Sequence[str] = _FACTS
) -> dict[str, dict[str, list[str]]]:
    """Per IRI: its types, names, labels, AGS and administered AGS, German labels first."""
    block = values(iris)
    if not block:
        return {}
    rows: list[Row] = []
    for body in bodies:
        result = store.query(f"{sparql_prologue()}{_FACT_HEAD % block}{body} }}")
        assert isinstance(result, SelectResult)
        rows.extend(result.rows)
    rows.sort(key=lambda r: getattr(r[2], "language", None) not in (None, "de"))
    facts: dict[str, dict[str, list[str]]] = {}
    for x, key, value in rows:
        if x is not None and key is not None and value is not None:
            facts.setdefault(str(x), {}).setdefault(str(key), []).append(str(value))
    return facts


def _first(info: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if info.get(key):
            return info[key][0]
    return None


@dataclass(frozen=True)
class Evidence:
    """A passage that proves an answer, with its document and a snippet."""

    document: DocumentInfo
    passage: PassageInfo
    text: str
    score: float

    @classmethod
    def of(
        cls, passage: PassageInfo, document: DocumentInfo, query: str, score: float
    ) -> "Evidence":
        """Evidence with a snippet of the passage around the query's words."""
        return cls(document, passage, snippet(passage.text, query), score)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: document and passage (id, snippet text, offsets)."""
        return {
            "document": self.document.to_dict(),
            "passage": {
                "id": self.passage.iri,
                "text": self.text,
                "start": self.passage.start,
                "end": self.passage.end,
            },
        }


@dataclass
class Scores:
    """Score of one candidate: per document the strongest association counts, once.

    Counting each passage would let a long project description with ten passages outweigh
    two short, equally relevant documents; experience is evidenced per source.
    """

    total: float = 0.0
    passages: dict[str, float] = field(default_factory=dict)
    documents: dict[str, float] = field(default_factory=dict)

    def add(self, passage: str, value: float, document: str | None = None) -> None:
        """Record ``value`` for a passage; the total grows if it beats its document's best."""
        if value > self.passages.get(passage, 0.0):
            self.passages[passage] = value
        key = document or passage
        previous = self.documents.get(key, 0.0)
        if value > previous:
            self.total += value - previous
            self.documents[key] = value


@dataclass
class Tally:
    """Scores of municipalities, of actors, and of persons per municipality (contacts)."""

    towns: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    people: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    staff: dict[str, dict[str, Scores]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Scores))
    )
