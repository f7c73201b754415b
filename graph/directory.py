"""Browsing the knowledge base: the topic thesaurus as a tree with counts, and municipalities.

Both lists are answered from memory (the searcher's vocabulary and passage table) plus one
grouped SPARQL count of experiences, so they stay fast however often the UI asks.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.entity_page import ref_of
from graph.questions import normalise
from graph.search import Searcher
from graph.vocabulary import select

__all__ = [
    "MunicipalityList",
    "MunicipalityRow",
    "TopicNode",
    "municipalities",
    "region_choices",
    "statistics",
    "topic_tree",
]

_TOPIC_EXPERIENCES = """SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e a wn:Experience ; wn:topic ?t } GROUP BY ?t"""
_CLASS_COUNTS = """SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES ?c { wn:Document wn:Passage wn:Experience foaf:Person wn:Event wn:Project
  org:Organization wn:Body wn:Region wn:Network skos:Concept } ?x a ?c } GROUP BY ?c"""
_STAT_NAMES = {
    "Document": "documents",
    "Passage": "passages",
    "Experience": "experiences",
    "Person": "persons",
    "Event": "events",
    "Project": "projects",
    "Organization": "organisations",
    "Body": "bodies",
    "Region": "regions",
    "Network": "networks",
    "Concept": "topics",
}
_PLACE_EXPERIENCES = """SELECT ?ags (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a wn:Experience .
  { ?e wn:agent/wn:ags ?ags } UNION { ?e wn:municipality/wn:ags ?ags }
  UNION { ?e wn:agent/wn:administers/wn:ags ?ags }
  UNION { ?e wn:agent ?a . ?m org:member ?a ; org:organization/wn:administers/wn:ags ?ags } }
  GROUP BY ?ags"""


@dataclass
class TopicNode:
    """A concept with its own and its subtree's counts, and its narrower concepts."""

    iri: str
    key: str
    label: str
    definition: str
    passages: int = 0
    experiences: int = 0
    total_passages: int = 0
    total_experiences: int = 0
    children: list["TopicNode"] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON form, children included."""
        return {
            "iri": self.iri,
            "key": self.key,
            "label": self.label,
            "definition": self.definition,
            "passages": self.passages,
            "experiences": self.experiences,
            "total_passages": self.total_passages,
            "total_experiences": self.total_experiences,
            "children": [c.to_dict() for c in self.children],
        }


def _counts(rows: list[tuple[str | None, ...]]) -> Counter[str]:
    return Counter({str(k): int(n or 0) for k, n in rows if k})


def topic_tree(searcher: Searcher) -> list[TopicNode]:
    """Top concepts with their narrower concepts; counts of passages and experiences.

    A concept with several broader concepts appears under each of them (polyhierarchy);
    subtree totals count each passage or experience once.
    """
    thesaurus = searcher.vocabulary.thesaurus
    passages: Counter[str] = Counter()
    for passage in searcher.passages.values():
        passages.update(set(passage.topics))
    experiences = _counts(select(searcher.store, _TOPIC_EXPERIENCES))
    narrower: dict[str, list[str]] = {iri: [] for iri in thesaurus.concepts}
    for concept in thesaurus.concepts.values():
        for parent in concept.broader:
            narrower.setdefault(parent, []).append(concept.iri)

    def build(iri: str, path: frozenset[str]) -> TopicNode:
        concept = thesaurus.concepts[iri]
        subtree = thesaurus.narrower_closure(iri)
        node = TopicNode(
            iri,
            ref_of(iri)[1] or iri,
            concept.label,
            concept.definition,
            passages[iri],
            experiences[iri],
            sum(passages[c] for c in subtree),
            sum(experiences[c] for c in subtree),
        )
        children = sorted(narrower.get(iri, []), key=thesaurus.label)
        node.children = [build(c, path | {c}) for c in children if c not in path]
        return node

    tops = [c.iri for c in thesaurus.concepts.values() if not c.broader]
    return [build(iri, frozenset({iri})) for iri in sorted(tops, key=thesaurus.label)]


@dataclass(frozen=True)
class MunicipalityRow:
    """A municipality with its Kreis and how much the knowledge base knows about it."""

    iri: str
    ags: str
    name: str
    kreis: str
    kreis_name: str
    documents: int
    experiences: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form: id (IRI), name, ags, kreis {key, name}, documents, experiences."""
        return {
            "id": self.iri,
            "name": self.name,
            "ags": self.ags,
            "kreis": {"key": self.kreis, "name": self.kreis_name},
            "documents": self.documents,
            "experiences": self.experiences,
        }


@dataclass(frozen=True)
class MunicipalityList:
    """One page of municipalities and how many matched in all."""

    total: int
    items: list[MunicipalityRow]

    def to_json(self) -> dict[str, Any]:
        """``{"total", "municipalities": [...]}``."""
        return {"total": self.total, "municipalities": [m.to_dict() for m in self.items]}


def _document_counts(searcher: Searcher) -> Counter[str]:
    seen: dict[str, set[str]] = {}
    for passage in searcher.passages.values():
        for ags in passage.places:
            seen.setdefault(ags, set()).add(passage.document_id)
    return Counter({ags: len(docs) for ags, docs in seen.items()})


def municipalities(
    searcher: Searcher,
    *,
    region: str | None = None,
    kreis: str | None = None,
    prefix: str | None = None,
    known_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> MunicipalityList:
    """Municipalities filtered by region, Kreis and name prefix, sorted by name.

    ``known_only`` keeps those with at least one document or experience.

    Raises:
        NotFound: for an unknown region or Kreis.
    """
    vocab = searcher.vocabulary
    towns = list(vocab.municipalities.values())
    if region:
        members = vocab.region_members(region)
        towns = [t for t in towns if t.ags in members]
    if kreis:
        key = vocab.kreis_key(kreis)
        towns = [t for t in towns if t.kreis == key]
    if prefix and prefix.strip():
        start = normalise(prefix)
        towns = [t for t in towns if normalise(t.name).startswith(start)]
    documents = _document_counts(searcher)
    experiences = _counts(select(searcher.store, _PLACE_EXPERIENCES))
    if known_only:
        towns = [t for t in towns if documents[t.ags] or experiences[t.ags]]
    towns.sort(key=lambda t: (normalise(t.name), t.ags))
    rows = [
        MunicipalityRow(
            t.iri,
            t.ags,
            t.name,
            t.kreis,
            vocab.kreise.get(t.kreis, t.kreis),
            documents[t.ags],
            experiences[t.ags],
        )
        for t in towns[offset : offset + limit]
    ]
    return MunicipalityList(len(towns), rows)


def region_choices(searcher: Searcher) -> Mapping[str, str]:
    """Region IRI -> label, for filter menus."""
    return {iri: r.label for iri, r in sorted(searcher.vocabulary.regions.items())}


def statistics(searcher: Searcher) -> dict[str, Any]:
    """Counts of the main classes, documents per kind and year, municipalities covered."""
    counts = dict.fromkeys(_STAT_NAMES.values(), 0)
    for cls, n in select(searcher.store, _CLASS_COUNTS):
        if cls:
            counts[_STAT_NAMES[cls.rsplit("#", 1)[-1].rsplit("/", 1)[-1]]] = int(n or 0)
    documents = searcher.documents.values()
    by_kind = Counter(d.kind or "unknown" for d in documents)
    by_year = Counter(str(d.year) for d in documents if d.year)
    return {
        "counts": counts,
        "documents_by_kind": dict(sorted(by_kind.items())),
        "documents_by_year": dict(sorted(by_year.items())),
        "municipalities_with_documents": len(_document_counts(searcher)),
    }
