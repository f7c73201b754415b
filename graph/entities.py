"""Entity pages: everything the graph knows around one person, organisation, place or topic.

Each page is read with a handful of SPARQL queries bound to the one entity (outgoing and
incoming links, memberships, experiences with their evidence, documents), then labelled in
one batch. Route keys are the last segment of an IRI (``person/<key>``, ``topic/<key>``); a
document is also found by its ``dcterms:identifier``. Keys are checked against a strict
pattern before any of them reaches a query.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from graph.actors import Actor, load_actors, values
from graph.entity_page import (
    ENTITY_KINDS,
    EXPERIENCE_KINDS,
    KEY_PATTERN,
    Bar,
    EntityKind,
    EntityPage,
    Evidence,
    Experience,
    Link,
    Membership,
    Ref,
    experience_kind,
    ref_of,
    relation_label,
)
from graph.errors import NotFound
from graph.iris import document_iri
from graph.neighbourhood import neighbourhood
from graph.ntriples import nt_iri, nt_literal
from graph.search import Searcher, snippet
from graph.vocabulary import select
from ontology.namespaces import ID_IRI, PREFIXES, TOPIC_IRI, WN_IRI

__all__ = ["EntityReader"]

_CANDIDATES: dict[str, tuple[str, ...]] = {
    "person": ("person",),
    "organisation": ("organisation", "body", "region", "network"),
    "municipality": ("municipality",),
    "project": ("project",),
    "event": ("event",),
}
MAX_ITEMS = 40
MAX_EXPERIENCES = 100
_P = PREFIXES
_LABEL_PROPS = ("foaf:name", "skos:prefLabel", "rdfs:label", "dcterms:title", "schema:name")
_DESCRIPTION_PROPS = {
    _P["rdfs"] + "comment",
    _P["skos"] + "definition",
    _P["schema"] + "description",
    _P["dcterms"] + "description",
    WN_IRI + "text",
    WN_IRI + "implementation",
}
_CONTACT_PROPS = {WN_IRI + "regiopolPate", WN_IRI + "generalContact", WN_IRI + "contactPerson"}
_HIDDEN_PROPS = {_P["rdf"] + "type", WN_IRI + "normalisedText", WN_IRI + "contentHash"}
_OUT = "SELECT ?p ?o WHERE { %s ?p ?o } LIMIT 400"
_IN = """SELECT DISTINCT ?s ?p WHERE { ?s ?p %s . FILTER(isIRI(?s))
  FILTER NOT EXISTS { ?s a ?c . VALUES ?c { wn:Passage wn:Experience org:Membership wn:Document
  skos:Concept } } } LIMIT 300"""
_LABELS = """SELECT ?x ?label (LANG(?label) AS ?lang) ?type ?date WHERE { VALUES ?x { %s }
  OPTIONAL { ?x %s ?label } OPTIONAL { ?x a ?type }
  OPTIONAL { ?x schema:startDate|dcterms:date ?date } }"""
_TEXT_LABELS = "SELECT ?x ?label WHERE { VALUES ?x { %s } ?x wn:text ?label }"
_MEMBERSHIPS = """SELECT ?person ?org ?role ?start ?end WHERE {
  { ?ms org:member %(x)s ; org:organization ?org . BIND(%(x)s AS ?person) }
  UNION { ?ms org:organization %(x)s ; org:member ?person . BIND(%(x)s AS ?org) }
  UNION { ?org wn:administers %(x)s . ?ms org:organization ?org ; org:member ?person }
  OPTIONAL { ?ms wn:roleLabel ?role } OPTIONAL { ?ms schema:startDate ?start }
  OPTIONAL { ?ms schema:endDate ?end } } LIMIT 300"""
_SELECTORS = {
    "agent": "{ ?e wn:agent %(x)s } UNION { ?e wn:agent ?a . ?m org:member ?a ; "
    "org:organization %(x)s }",
    "municipality": "{ ?e wn:agent %(x)s } UNION { ?e wn:municipality %(x)s } UNION "
    "{ ?e wn:agent/wn:administers %(x)s } UNION { ?e wn:agent ?a . ?m org:member ?a ; "
    "org:organization/wn:administers %(x)s }",
    "topic": "?e wn:topic ?tt . ?tt skos:broader* %(x)s .",
    "document": "?e wn:evidence/dcterms:isPartOf %(x)s .",
    "subject": "?e wn:evidence/dcterms:isPartOf/schema:about %(x)s .",
}
_EXPERIENCES = """SELECT ?e ?agent ?kind ?topic ?conf ?p WHERE { { %s }
  ?e wn:agent ?agent ; wn:experienceKind ?kind . OPTIONAL { ?e wn:topic ?topic }
  OPTIONAL { ?e wn:confidence ?conf } OPTIONAL { ?e wn:evidence ?p } } LIMIT 3000"""
_DOC_SELECTORS = {
    "default": "{ ?d schema:about %(x)s } UNION { ?d wn:mentions %(x)s } UNION "
    "{ ?p dcterms:isPartOf ?d ; wn:mentions %(x)s }",
    "municipality": "{ ?d schema:about %(x)s } UNION { ?d wn:mentions %(x)s } UNION "
    "{ ?p dcterms:isPartOf ?d ; wn:mentions %(x)s } UNION "
    "{ ?d schema:about/wn:municipality %(x)s }",
    "topic": "{ ?d wn:topic ?tt } UNION { ?p dcterms:isPartOf ?d ; wn:topic ?tt } "
    "?tt skos:broader* %(x)s .",
}
_DOCUMENTS = """SELECT ?id (COUNT(DISTINCT ?p) AS ?n) WHERE { { %s }
  ?d a wn:Document ; dcterms:identifier ?id } GROUP BY ?id ORDER BY DESC(?n) ?id LIMIT 60"""
_BY_IDENTIFIER = "SELECT ?d WHERE { ?d a wn:Document ; dcterms:identifier %s } LIMIT 1"
_EXISTS = "SELECT ?o WHERE { %s ?p ?o } LIMIT 1"
_PASSAGES = """SELECT ?p ?text ?start ?end ?heading WHERE { ?p dcterms:isPartOf %s ; wn:text ?text
  OPTIONAL { ?p wn:startOffset ?start } OPTIONAL { ?p wn:endOffset ?end }
  OPTIONAL { ?p wn:headingPath ?heading } OPTIONAL { ?p wn:position ?pos } }
  ORDER BY ?pos ?start LIMIT 300"""
_MENTIONED = """SELECT ?x (COUNT(?p) AS ?n) WHERE { ?p dcterms:isPartOf %s ; wn:mentions ?x }
  GROUP BY ?x ORDER BY DESC(?n) LIMIT 40"""


@dataclass
class _Rows:
    """Raw query rows of one page, kept until every IRI in them is labelled."""

    out: list[tuple[str | None, ...]] = field(default_factory=list)
    into: list[tuple[str | None, ...]] = field(default_factory=list)
    memberships: list[tuple[str | None, ...]] = field(default_factory=list)
    experiences: list[tuple[str | None, ...]] = field(default_factory=list)
    mentioned: list[tuple[str | None, ...]] = field(default_factory=list)

    def iris(self) -> set[str]:
        """Every IRI that will be shown as a link."""
        found: set[str] = set()
        for row in (*self.out, *self.into, *self.memberships, *self.experiences, *self.mentioned):
            found.update(v for v in row if v and v.startswith(("http://", "https://")))
        return found


@dataclass(frozen=True)
class _Label:
    label: str
    types: frozenset[str]
    date: str | None


class EntityReader:
    """Reads entity pages from the searcher's store, using its in-memory passage table."""

    def __init__(self, searcher: Searcher) -> None:
        """Pages are read on demand; nothing is cached between requests."""
        self.searcher = searcher
        self.store = searcher.store

    def resolve(self, kind: str, key: str) -> str:
        """IRI of the entity a route names.

        Raises:
            NotFound: for an unknown kind, a malformed key or an entity without triples.
        """
        if kind not in ENTITY_KINDS:
            raise NotFound(f"unknown entity kind {kind!r}; use one of {', '.join(ENTITY_KINDS)}")
        if not KEY_PATTERN.fullmatch(key):
            raise NotFound(f"no {kind} with key {key!r}")
        if kind == "topic":
            candidates = [TOPIC_IRI + key]
        elif kind == "document":
            rows = select(self.store, _BY_IDENTIFIER % nt_literal(key))
            candidates = [r[0] for r in rows if r[0]] + [str(document_iri(key))]
        else:
            candidates = [f"{ID_IRI}{segment}/{key}" for segment in _CANDIDATES[kind]]
        for iri in candidates:
            if select(self.store, _EXISTS % nt_iri(iri)):
                return iri
        raise NotFound(f"no {kind} with key {key!r}")

    def page(self, kind: str, key: str) -> EntityPage:
        """The page of one entity.

        Raises:
            NotFound: if there is no such entity.
        """
        iri = self.resolve(kind, key)
        node = nt_iri(iri)
        rows = _Rows(
            out=select(self.store, _OUT % node),
            into=select(self.store, _IN % node),
        )
        if kind in {"person", "organisation", "municipality"}:
            rows.memberships = select(self.store, _MEMBERSHIPS % {"x": node})
        rows.experiences = select(
            self.store, _EXPERIENCES % (_SELECTORS[_selector(kind)] % {"x": node})
        )
        if kind == "document":
            rows.mentioned = select(self.store, _MENTIONED % node)
        labels = self._labels({iri} | rows.iris())
        page = _assemble(cast(EntityKind, kind), key, iri, rows, labels)
        page.experiences = self._experiences(rows.experiences, labels)
        if kind == "document":
            page.passages = self._passages(node)
        else:
            page.documents = self._documents(kind, node)
        _chart(page)  # over all experiences; the page lists the strongest ones
        page.experience_count = len(page.experiences)
        page.experiences = page.experiences[:MAX_EXPERIENCES]
        page.neighbourhood = neighbourhood(page)
        return page

    def _labels(self, iris: Iterable[str]) -> dict[str, _Label]:
        block = values(i for i in iris if not i.startswith(WN_IRI + "Passage"))
        if not block:
            return {}
        best: dict[str, tuple[int, str]] = {}
        types: dict[str, set[str]] = defaultdict(set)
        dates: dict[str, str] = {}
        for x, label, lang, rdf_type, date in select(
            self.store, _LABELS % (block, "|".join(_LABEL_PROPS))
        ):
            if not x:
                continue
            rank = {"de": 0, "": 1}.get(lang or "", 2)
            if label and (x not in best or rank < best[x][0]):
                best[x] = (rank, label)
            if rdf_type:
                types[x].add(rdf_type)
            if date:
                dates.setdefault(x, date)
        missing = [i for i in iris if i not in best]
        for x, text in select(self.store, _TEXT_LABELS % values(missing)) if missing else []:
            if x and text:
                best[x] = (3, snippet(text, "", 120))
        return {
            x: _Label(best[x][1] if x in best else "", frozenset(types[x]), dates.get(x))
            for x in {*best, *types, *dates}
        }

    def _experiences(
        self, rows: Sequence[tuple[str | None, ...]], labels: dict[str, _Label]
    ) -> list[Experience]:
        grouped: dict[str, dict[str, Any]] = {}
        for e, agent, kind, topic, conf, passage in rows:
            if not (e and agent and kind):
                continue
            entry = grouped.setdefault(
                e, {"agent": agent, "kind": kind, "topics": set(), "conf": conf, "p": set()}
            )
            entry["topics"].update({topic} - {None})
            entry["p"].update({passage} - {None})
        actors = load_actors(self.store, {g["agent"] for g in grouped.values()})
        found = [self._experience(iri, entry, labels, actors) for iri, entry in grouped.items()]
        order = {k: i for i, k in enumerate(EXPERIENCE_KINDS)}
        found.sort(key=lambda x: (order.get(x.kind, 9), -(x.confidence or 0), x.agent.label))
        return found

    def _experience(
        self, iri: str, entry: dict[str, Any], labels: dict[str, _Label], actors: dict[str, Actor]
    ) -> Experience:
        vocab = self.searcher.vocabulary
        actor = actors.get(entry["agent"])
        towns = sorted(actor.municipalities) if actor else []
        topics = tuple(Ref.of(t, vocab.thesaurus.label(t)) for t in sorted(entry["topics"]))
        focus = " ".join(t.label for t in topics)
        return Experience(
            iri,
            _ref(entry["agent"], labels),
            experience_kind(entry["kind"]),
            topics,
            float(entry["conf"]) if entry["conf"] else None,
            self._evidence(sorted(entry["p"]), focus),
            tuple(
                Ref.of(vocab.municipalities[a].iri, vocab.municipalities[a].name)
                for a in towns
                if a in vocab.municipalities
            ),
        )

    def _evidence(self, passages: Sequence[str], focus: str) -> tuple[Evidence, ...]:
        """Up to three passages, each cut to a snippet around the experience's topic."""
        table, documents = self.searcher.passages, self.searcher.documents
        evidence = []
        for iri in passages[:3]:
            info = table.get(iri)
            if info is None:
                continue
            document = documents.get(info.document_id)
            doc = document.to_dict() if document else {"id": info.document_id}
            text = snippet(info.text, focus, 400)
            evidence.append(Evidence(iri, text, doc, info.start, info.end))
        return tuple(evidence)

    def _documents(self, kind: str, node: str) -> list[dict[str, Any]]:
        selector = _DOC_SELECTORS.get(kind, _DOC_SELECTORS["default"]) % {"x": node}
        documents = self.searcher.documents
        found = []
        for doc_id, count in select(self.store, _DOCUMENTS % selector):
            if doc_id:
                info = documents[doc_id].to_dict() if doc_id in documents else {"id": doc_id}
                iri = str(document_iri(doc_id))
                extra = {"passages": int(count or 0), "iri": iri, "key": ref_of(iri)[1]}
                found.append(info | extra)
        return found

    def _passages(self, node: str) -> list[dict[str, Any]]:
        return [
            {
                "id": p,
                "text": text,
                "start": int(start) if start else None,
                "end": int(end) if end else None,
                "heading": heading,
            }
            for p, text, start, end, heading in select(self.store, _PASSAGES % node)
            if p and text
        ]


def _selector(kind: str) -> str:
    if kind in {"person", "organisation"}:
        return "agent"
    if kind in {"project", "event"}:
        return "subject"
    return kind


def _ref(iri: str, labels: dict[str, _Label]) -> Ref:
    found = labels.get(iri)
    return Ref.of(iri, found.label if found else None, found.date if found else None)


def _is(types: frozenset[str], *local: str) -> bool:
    return any(t.rsplit("#", 1)[-1] in local for t in types)


def _assemble(
    kind: EntityKind, key: str, iri: str, rows: _Rows, labels: dict[str, _Label]
) -> EntityPage:
    own = labels.get(iri)
    page = EntityPage(kind, key, _ref(iri, labels))
    page.types = sorted(t.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for t in own.types) if own else []
    for predicate, value in rows.out:
        if not predicate or value is None or predicate in _HIDDEN_PROPS:
            continue
        if predicate in _DESCRIPTION_PROPS:
            page.description = page.description or value
        elif value.startswith(("http://", "https://")):
            link = Link(relation_label(predicate), _ref(value, labels))
            (page.contacts if predicate in _CONTACT_PROPS else page.facts).append(link)
        elif not any(predicate.endswith(p.split(":")[1]) for p in _LABEL_PROPS):
            page.facts.append(Link(relation_label(predicate), text=value))
    for subject, predicate in rows.into:
        if not subject:
            continue
        link = Link(relation_label(predicate or "", inverse=True), _ref(subject, labels))
        types = labels[subject].types if subject in labels else frozenset()
        if predicate in _CONTACT_PROPS:
            page.contacts.append(link)
        elif _is(types, "Event"):
            page.events.append(link)
        elif _is(types, "Project"):
            page.projects.append(link)
        else:
            page.related.append(link)
    seen: set[tuple[str, str, str | None]] = set()
    for person, org, role, start, end in rows.memberships:
        if person and org and (person, org, role) not in seen:
            seen.add((person, org, role))
            membership = Membership(_ref(person, labels), _ref(org, labels), role, start, end)
            page.memberships.append(membership)
    for x, count in rows.mentioned:
        if x:
            page.related.append(Link(f"erwähnt ({count}×)", _ref(x, labels)))
    for name in ("facts", "contacts", "related", "events", "projects"):
        setattr(page, name, _unique(getattr(page, name))[: MAX_ITEMS * 2])
    return page


def _unique(links: list[Link]) -> list[Link]:
    seen: set[tuple[str, str | None, str | None]] = set()
    kept = []
    for link in links:
        marker = (link.relation, link.target.iri if link.target else None, link.text)
        if marker not in seen:
            seen.add(marker)
            kept.append(link)
    return kept


def _chart(page: EntityPage) -> None:
    """Experiences by topic (agents, places) or by municipality (topics)."""
    counts: Counter[Ref] = Counter()
    for experience in page.experiences:
        refs = experience.municipalities if page.kind == "topic" else experience.topics
        counts.update(set(refs))
    page.chart_title = (
        "Erfahrungen nach Kommune" if page.kind == "topic" else "Erfahrungen nach Thema"
    )
    page.chart = [Bar(r.label, n, r) for r, n in counts.most_common(12)]
