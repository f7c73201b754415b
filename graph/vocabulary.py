"""Names and hierarchies that search filters and questions are resolved against.

Search accepts "Gütersloh", "05754008", "Kreis Gütersloh" or a topic label where the index
stores AGS and concept IRIs. This module reads those names once (municipalities and Kreise
from the packaged gazetteer, regions and the SKOS thesaurus from the store) and answers
look-ups in memory, so no request pays for a SPARQL round trip to translate a filter.
"""

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from graph.errors import NotFound
from graph.iris import THESAURUS_GRAPH, municipality_iri
from graph.questions import PlaceNames, normalise
from graph.store import GraphStore, SelectResult
from ontology.namespaces import ID_IRI, TOPIC_IRI, sparql_prologue
from ontology.resources import kreise, municipalities

__all__ = ["HOME_REGION", "Concept", "Municipality", "Region", "Thesaurus", "Vocabulary"]

logger = logging.getLogger(__name__)

HOME_REGION = f"{ID_IRI}region/regiopolregion-bielefeld"
_FILLERS = frozenset({"a", "an", "the", "of", "for", "and", "with", "in", "on", "to", "by"})
_MAX_COVER_WORDS = 4
_DETMOLD = "057"

_REGIONS = """SELECT ?r ?ags WHERE { { ?r a wn:Region } UNION { ?r a wn:Network }
  ?r org:hasMember ?m . ?m wn:ags ?ags }"""
_REGION_LABELS = """SELECT ?r ?label WHERE { { ?r a wn:Region } UNION { ?r a wn:Network }
  ?r rdfs:label|skos:altLabel ?label }"""
_CONCEPT_LABELS = """SELECT ?c ?p ?label WHERE { GRAPH <%s> {
  ?c a skos:Concept ; ?p ?label . VALUES ?p { skos:prefLabel skos:altLabel skos:definition } } }"""
_BROADER = """SELECT ?c ?b WHERE { GRAPH <%s> { ?c a skos:Concept ; skos:broader ?b } }"""


@dataclass(frozen=True)
class Municipality:
    """A German municipality as search results show it."""

    iri: str
    ags: str
    name: str
    kreis: str


@dataclass(frozen=True)
class Region:
    """A cooperation region or network with its member municipalities."""

    iri: str
    label: str
    names: tuple[str, ...]
    members: frozenset[str]


@dataclass(frozen=True)
class Concept:
    """A thesaurus concept: German preferred label, all labels, definition, parents."""

    iri: str
    label: str
    labels: tuple[str, ...]
    definition: str
    broader: frozenset[str]


def select(store: GraphStore, query: str) -> list[tuple[str | None, ...]]:
    """Rows of a SELECT query as strings (``None`` for unbound), with the standard prefixes."""
    result = store.query(sparql_prologue() + query)
    if not isinstance(result, SelectResult):
        raise TypeError("expected a SELECT query")
    return [tuple(None if t is None else str(t) for t in row) for row in result.rows]


class Thesaurus:
    """The SKOS topics in memory: labels, hierarchy closures and label matching."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts: dict[str, Concept] = {c.iri: c for c in concepts}
        self._narrower: dict[str, set[str]] = {iri: set() for iri in self.concepts}
        for concept in self.concepts.values():
            for parent in concept.broader:
                self._narrower.setdefault(parent, set()).add(concept.iri)
        self._by_label: dict[str, str] = {}
        for concept in sorted(self.concepts.values(), key=lambda c: len(c.broader)):
            for label in concept.labels:
                self._by_label.setdefault(normalise(label), concept.iri)
        for concept in self.concepts.values():  # preferred labels win over altLabels
            self._by_label[normalise(concept.label)] = concept.iri

    def label(self, iri: str) -> str:
        """German preferred label, or the IRI's local name for unknown concepts."""
        concept = self.concepts.get(iri)
        return concept.label if concept else iri.rsplit("/", 1)[-1]

    def narrower_closure(self, iri: str) -> frozenset[str]:
        """The concept and everything below it (skos:broader*, inverted)."""
        return self._closure(iri, lambda c: self._narrower.get(c, set()))

    def broader_closure(self, iri: str) -> frozenset[str]:
        """The concept and all its ancestors."""
        return self._closure(iri, lambda c: self.concepts[c].broader if c in self.concepts else ())

    @staticmethod
    def _closure(iri: str, step: Callable[[str], Iterable[str]]) -> frozenset[str]:
        seen = {iri}
        todo = [iri]
        while todo:
            for other in step(todo.pop()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return frozenset(seen)

    def depth(self, iri: str) -> int:
        """Length of the longest path to a top concept (0 for a top concept)."""
        parents = self.concepts[iri].broader if iri in self.concepts else frozenset()
        return 1 + max((self.depth(p) for p in parents if p != iri), default=-1)

    def resolve(self, value: str) -> str | None:
        """Concept IRI of an IRI, ``topic:local``, local name or exact label; else None."""
        text = value.strip()
        for candidate in (text, TOPIC_IRI + text.removeprefix("topic:")):
            if candidate in self.concepts:
                return candidate
        return self._by_label.get(normalise(text))

    def mentioned(self, text: str) -> list[str]:
        """Concepts whose label occurs in ``text``, longest (most specific) label first."""
        padded = f" {normalise(text)} "
        hits = [
            (len(label), iri) for label, iri in self._by_label.items() if f" {label} " in padded
        ]
        ordered = [iri for _, iri in sorted(hits, key=lambda h: (-h[0], -self.depth(h[1])))]
        return list(dict.fromkeys(ordered))

    def covering(self, text: str) -> list[str]:
        """Concepts with a label that contains every word of a short ``text``.

        "heat planning" is covered by "Municipal heat planning": this is how an English
        topic finds its German concept when no label occurs in it verbatim.
        """
        words = set(normalise(text).split()) - _FILLERS
        if not words or len(words) > _MAX_COVER_WORDS:
            return []
        hits = [
            (len(label), iri)
            for label, iri in self._by_label.items()
            if words <= set(label.split())
        ]
        return list(dict.fromkeys(iri for _, iri in sorted(hits)))

    def synonyms(self) -> dict[str, list[str]]:
        """Label -> the other labels of its concept, for the keyword leg's query expansion."""
        table: dict[str, list[str]] = {}
        for concept in self.concepts.values():
            for label in concept.labels:
                others = [o for o in concept.labels if o != label]
                if others:
                    table.setdefault(label, []).extend(others)
        return table

    def all_labels(self) -> list[str]:
        """Every label, to seed the keyword leg's decompounder."""
        return [label for c in self.concepts.values() for label in c.labels]


class Vocabulary:
    """Municipalities, Kreise, regions and topics, loaded once per searcher."""

    def __init__(
        self,
        towns: Iterable[Municipality],
        kreis_names: Mapping[str, str],
        regions: Iterable[Region],
        thesaurus: Thesaurus,
        home_region: str = HOME_REGION,
    ) -> None:
        self.municipalities: dict[str, Municipality] = {m.ags: m for m in towns}
        self.kreise = dict(kreis_names)
        self.regions = {r.iri: r for r in regions}
        self.thesaurus = thesaurus
        self.home_region = self.regions.get(home_region)

    @classmethod
    def load(cls, store: GraphStore, home_region: str = HOME_REGION) -> "Vocabulary":
        """Gazetteer from the package, regions and thesaurus from the store."""
        towns = [
            Municipality(str(municipality_iri(r.ags)), r.ags, r.short_name, r.kreis_key)
            for r in municipalities()
        ]
        kreis_names = {k.kreis_key: k.short_name for k in kreise()}
        return cls(towns, kreis_names, load_regions(store), load_thesaurus(store), home_region)

    @cached_property
    def place_names(self) -> PlaceNames:
        """Name tables for the question parser; ambiguous names go to the nearest town."""
        members = {ags for region in self.regions.values() for ags in region.members}
        ranked = sorted(
            self.municipalities.values(),
            key=lambda m: (m.ags not in members, not m.ags.startswith(_DETMOLD), m.ags),
        )
        towns: dict[str, str] = {}
        for town in ranked:
            for name in _name_variants(town.name):
                towns.setdefault(name, town.ags)
        kreis_table: dict[str, str] = {}
        for key, name in sorted(self.kreise.items(), key=lambda kv: not kv[0].startswith("057")):
            for variant in _name_variants(name):
                kreis_table.setdefault(variant, key)
        region_table = {
            normalise(name): region.members
            for region in self.regions.values()
            for name in region.names
        }
        home = self.home_region.members if self.home_region else frozenset()
        return PlaceNames(towns, kreis_table, region_table, home)

    def municipality_set(self, value: str) -> frozenset[str]:
        """AGS of a municipality given by AGS or name.

        Raises:
            NotFound: if no municipality has that key or name.
        """
        text = value.strip()
        if text in self.municipalities:
            return frozenset({text})
        ags = self.place_names.municipalities.get(normalise(text))
        if ags is None:
            raise NotFound(f"unknown municipality {value!r}; give its name or 8-digit AGS")
        return frozenset({ags})

    def kreis_key(self, value: str) -> str:
        """5-digit key of a Kreis given by key or name ("Kreis Gütersloh", "Lippe").

        Raises:
            NotFound: if no Kreis matches.
        """
        text = value.strip()
        if text in self.kreise:
            return text
        name = normalise(text)
        for prefix in ("kreis ", "landkreis "):
            name = name.removeprefix(prefix)
        key = self.place_names.kreise.get(name)
        if key is None:
            raise NotFound(f"unknown Kreis {value!r}; give its name or 5-digit key")
        return key

    def region_members(self, value: str) -> frozenset[str]:
        """Member AGS of a region or network given by IRI or label.

        Raises:
            NotFound: if no region matches.
        """
        if value in self.regions:
            return self.regions[value].members
        members = self.place_names.regions.get(normalise(value))
        if members is None:
            known = ", ".join(sorted(r.label for r in self.regions.values()))
            raise NotFound(f"unknown region {value!r}; known: {known}")
        return members

    def topic_set(self, value: str) -> frozenset[str]:
        """A topic (IRI or label) with all narrower concepts.

        Raises:
            NotFound: if no concept matches.
        """
        iri = self.thesaurus.resolve(value)
        if iri is None:
            raise NotFound(f"unknown topic {value!r}; use a thesaurus label or concept IRI")
        return self.thesaurus.narrower_closure(iri)

    def municipality_name(self, ags: str) -> str:
        """Short name of a municipality, or the AGS itself if unknown."""
        town = self.municipalities.get(ags)
        return town.name if town else ags


def _name_variants(name: str) -> list[str]:
    """Normalised name, plus the name without a parenthesised suffix ("Halle (Westf.)")."""
    variants = [normalise(name)]
    if "(" in name:
        variants.append(normalise(name.split("(", 1)[0]))
    return [v for v in variants if v]


def load_regions(store: GraphStore) -> list[Region]:
    """Regions and networks with their labels and member AGS."""
    members: dict[str, set[str]] = {}
    for region, ags in select(store, _REGIONS):
        if region and ags:
            members.setdefault(region, set()).add(ags)
    names: dict[str, list[str]] = {}
    result = store.query(sparql_prologue() + _REGION_LABELS)
    assert isinstance(result, SelectResult)
    # German labels first: answers are written in German.
    rows = sorted(
        result.rows, key=lambda row: getattr(row[1], "language", None) not in (None, "de")
    )
    for region, label in rows:
        if region is not None and label is not None:
            names.setdefault(str(region), []).append(str(label))
    return [
        Region(iri, (names.get(iri) or [iri])[0], tuple(names.get(iri, [])), frozenset(ags))
        for iri, ags in sorted(members.items())
    ]


def load_thesaurus(store: GraphStore) -> Thesaurus:
    """All concepts of the thesaurus graph."""
    pref: dict[str, str] = {}
    labels: dict[str, list[str]] = {}
    definitions: dict[str, str] = {}
    result = store.query(sparql_prologue() + _CONCEPT_LABELS % THESAURUS_GRAPH)
    assert isinstance(result, SelectResult)
    for concept, predicate, label in result.rows:
        if concept is None or predicate is None or label is None:
            continue
        iri, text = str(concept), str(label)
        language = getattr(label, "language", None)
        if str(predicate).endswith("definition"):
            if language in (None, "de") or iri not in definitions:
                definitions[iri] = text
            continue
        labels.setdefault(iri, []).append(text)
        if str(predicate).endswith("prefLabel") and language in (None, "de"):
            pref[iri] = text
    broader: dict[str, set[str]] = {}
    for concept_iri, parent in select(store, _BROADER % THESAURUS_GRAPH):
        if concept_iri and parent:
            broader.setdefault(concept_iri, set()).add(parent)
    concepts = [
        Concept(
            iri,
            pref.get(iri, texts[0]),
            tuple(dict.fromkeys(texts)),
            definitions.get(iri, ""),
            frozenset(broader.get(iri, ())),
        )
        for iri, texts in labels.items()
    ]
    logger.debug("thesaurus: %d concepts", len(concepts))
    return Thesaurus(concepts)
