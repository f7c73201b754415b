"""Answers "Wer hat schon X gemacht?": rank municipalities and actors by their experience with X.

Document-centric expertise model (Balog, Azzopardi & de Rijke 2006, Model 2): retrieve the
passages most relevant to the topic, then score each candidate by
``Σ_p relevance(p) × association(candidate, p)``. Associations come from the graph, not
from co-occurrence alone: an ``wn:Experience`` whose evidence is ``p`` weighs by its kind
(done > presented > planned > asked > mentioned) and confidence, a plain ``wn:mentions``
only a little. A person's or an administration's association also counts for the
municipality it works for, so "Frau Strothmann stellte die Karte vor" is evidence for Verl.
Relevance decays exponentially with the distance to the best passage's score: cosine
scores of a paraphrase-trained encoder are compressed, and summing raw scores would rank
candidates by how often they are mentioned rather than by how well they match.
"""

import math
import threading
from collections.abc import Iterable, Mapping, Sequence

from graph.actors import Actor, Evidence, Link, Scores, Tally, load_actors, passage_links
from graph.errors import InvalidQuery
from graph.expert_answers import (
    ActorAnswer,
    Contact,
    MunicipalityAnswer,
    WhoResult,
    fallback_contacts,
    topic_contacts,
)
from graph.questions import Question, parse_question
from graph.search import Ranked, Searcher, constraint_filter

__all__ = ["KIND_WEIGHTS", "ActorAnswer", "Contact", "ExperienceFinder", "MunicipalityAnswer"]
__all__ += ["WhoResult"]

KIND_WEIGHTS: Mapping[str, float] = {
    "done": 1.0,
    "presented": 0.8,
    "planned": 0.5,
    "asked": 0.3,
    "mentioned": 0.2,
    "mention": 0.1,
    "speaker": 0.6,
    "contact": 0.8,
}
_PLANNED_STATUS = {"idea", "planned", "idee", "geplant", "in planung"}
DEFAULT_CONFIDENCE = 0.8
PROJECT_FACTOR = 0.9  # a project's municipality, from the project record rather than the text
OFF_TOPIC_FACTOR = 0.6
MAX_EVIDENCE = 3
ACTOR_CACHE = 50_000
# Links that tie a person to the topic; being named in a passage is not enough to be the
# one to call.
CONTACT_KINDS = frozenset({"done", "presented", "planned", "asked", "contact", "speaker"})


class ExperienceFinder:
    """Answers "Wer hat schon X gemacht?" over a ``Searcher``'s knowledge base."""

    def __init__(
        self,
        searcher: Searcher,
        *,
        depth: int = 30,
        temperature: float = 0.02,
        kind_weights: Mapping[str, float] = KIND_WEIGHTS,
    ) -> None:
        """``depth`` passages are retrieved per question; ``temperature`` sets the decay."""
        self.searcher = searcher
        self.depth = depth
        self.temperature = temperature
        self.kind_weights = dict(kind_weights)
        self._cache: dict[str, Actor] = {}
        self._pates: dict[str, list[Contact]] = {}
        self._cache_table: object = None
        self._lock = threading.Lock()

    def _caches(self) -> tuple[dict[str, Actor], dict[str, list[Contact]]]:
        """The caches, emptied when the searcher's passage table was replaced (refresh)."""
        with self._lock:
            if self._cache_table is not self.searcher.table:
                self._cache, self._pates = {}, {}
                self._cache_table = self.searcher.table
            return self._cache, self._pates

    def actors(self, iris: Iterable[str]) -> dict[str, Actor]:
        """Actors by IRI, cached until the searcher's passage table is replaced.

        Names, types and memberships only change with an ingest, and the same people and
        municipalities answer question after question.
        """
        cache, _ = self._caches()
        wanted = set(iris)
        missing = wanted - cache.keys()
        if missing:
            loaded = load_actors(self.searcher.store, missing)
            with self._lock:
                if len(cache) > ACTOR_CACHE:
                    cache.clear()
                cache.update(loaded)
        found = {iri: cache.get(iri) for iri in wanted}
        return {iri: actor for iri, actor in found.items() if actor is not None}

    def who(self, query: str, *, limit: int = 10) -> WhoResult:
        """Ranked municipalities and actors with experience on the question's topic.

        Raises:
            InvalidQuery: for an empty question.
        """
        if not query.strip():
            raise InvalidQuery("the question is empty; ask e.g. 'Wer hat schon X gemacht?'")
        question = parse_question(query, self.searcher.vocabulary.place_names)
        ranked = self.passages(question)
        relevance = self.relevance(ranked)
        links = passage_links(self.searcher.store, relevance, self.searcher.table)
        topics = self._query_topics(question.topic)
        actors = self.actors({link.agent for link in links})
        tally = self.tally(links, relevance, actors, topics)
        towns, people = tally.towns, tally.people
        allowed = [a for a in towns if question.constraints.allows(a, self._kreis(a))]
        top_towns = sorted(allowed, key=lambda a: (-towns[a].total, a))[:limit]
        municipalities = self._municipality_answers(question, top_towns, tally, actors)
        kept = [iri for iri in people if self._actor_allowed(question, actors[iri])]
        top_people = sorted(kept, key=lambda i: (-people[i].total, i))[:limit]
        answers = [
            ActorAnswer(actors[i], people[i].total, self.evidence(people[i], question.topic))
            for i in top_people
        ]
        return WhoResult(query, question, municipalities, answers)

    def focus(self, question: Question) -> str:
        """Retrieval text: the topic, plus German labels of concepts an English topic names.

        The corpus is German; "heat planning" alone pulls the encoder towards "Hitze",
        "heat planning Kommunale Wärmeplanung" does not.
        """
        if question.lang != "en":
            return question.topic
        thesaurus = self.searcher.vocabulary.thesaurus
        concepts = thesaurus.mentioned(question.topic)[:1] or thesaurus.covering(question.topic)[:1]
        labels = [thesaurus.label(c) for c in concepts]
        return " ".join([question.topic, *labels])

    def passages(self, question: Question) -> list[Ranked]:
        """Hybrid retrieval for the topic; constrained and unconstrained lists merged."""
        searcher = self.searcher
        text = self.focus(question)
        vector = searcher.embedder.embed_query(text)
        ranked = searcher.retrieve(text, None, depth=self.depth, vector=vector)
        flt = constraint_filter(question.constraints, exclusions=False)
        if flt is not None:
            best = {r.passage_iri: r for r in ranked}
            for item in searcher.retrieve(text, flt, depth=self.depth, vector=vector):
                if item.passage_iri not in best or best[item.passage_iri].score < item.score:
                    best[item.passage_iri] = item
            ranked = sorted(best.values(), key=lambda r: (-r.score, r.passage_iri))
        return ranked

    def relevance(self, ranked: Sequence[Ranked]) -> dict[str, float]:
        """exp((score - best) / temperature) per passage."""
        if not ranked:
            return {}
        best = max(r.score for r in ranked)
        return {r.passage_iri: math.exp((r.score - best) / self.temperature) for r in ranked}

    def association(self, link: Link, topics: frozenset[str], *, planned: bool = False) -> float:
        """Strength of one link: kind weight × confidence × topic fit.

        ``planned`` marks a passage of a project that is still an idea or a plan: the
        project record's status overrides a "done" the text analysis may have read.
        """
        kind = link.kind
        weights = self.kind_weights
        weight = weights.get(kind, 0.0)
        if kind in {"project", "contact"}:
            status = weights.get("planned", 0.0) if _is_planned(link) else weights.get("done", 0.0)
            weight = status * PROJECT_FACTOR if kind == "project" else weight * status
        elif kind == "done" and planned:
            weight = weights.get("planned", 0.0)
        if kind in {"done", "presented", "planned", "asked", "mentioned"}:
            weight *= link.confidence if link.confidence is not None else DEFAULT_CONFIDENCE
            if topics and link.topic and link.topic not in topics:
                weight *= OFF_TOPIC_FACTOR
        return weight

    def _query_topics(self, topic: str) -> frozenset[str]:
        """Concepts named in the topic text, with their narrower and broader concepts."""
        thesaurus = self.searcher.vocabulary.thesaurus
        related: set[str] = set()
        for iri in thesaurus.mentioned(topic)[:3] or thesaurus.covering(topic)[:1]:
            related |= thesaurus.narrower_closure(iri) | thesaurus.broader_closure(iri)
        return frozenset(related)

    def tally(
        self,
        links: Sequence[Link],
        relevance: Mapping[str, float],
        actors: Mapping[str, Actor],
        topics: frozenset[str],
    ) -> Tally:
        """Credit every link's agent, and the municipalities it stands for, per passage."""
        tally = Tally()
        passages = self.searcher.passages
        planned = {link.passage for link in links if link.kind == "project" and _is_planned(link)}
        for link in links:
            actor = actors.get(link.agent)
            if actor is None:
                continue
            association = self.association(link, topics, planned=link.passage in planned)
            value = relevance.get(link.passage, 0.0) * association
            if value <= 0:
                continue
            info = passages.get(link.passage)
            document = info.document_id if info else None
            credited = set(actor.municipalities)
            if link.kind == "contact" and link.municipality:
                credited.add(link.municipality)
            for ags in credited:
                tally.towns[ags].add(link.passage, value, document)
                if actor.type == "person" and link.kind in CONTACT_KINDS:
                    tally.staff[ags][actor.iri].add(link.passage, value, document)
            if actor.type in {"person", "organisation"}:
                tally.people[actor.iri].add(link.passage, value, document)
        return tally

    def _kreis(self, ags: str) -> str:
        town = self.searcher.vocabulary.municipalities.get(ags)
        return town.kreis if town else ags[:5]

    def _actor_allowed(self, question: Question, actor: Actor) -> bool:
        constraints = question.constraints
        towns = actor.municipalities
        if not towns:
            return not (constraints.municipalities or constraints.kreise)
        return any(constraints.allows(ags, self._kreis(ags)) for ags in towns)

    def evidence(self, scores: Scores, query: str) -> tuple[Evidence, ...]:
        """The best passages of a candidate, at most one per document."""
        searcher = self.searcher
        chosen: list[Evidence] = []
        seen: set[str] = set()
        for iri, value in sorted(scores.passages.items(), key=lambda kv: (-kv[1], kv[0])):
            passage = searcher.passages.get(iri)
            if passage is None or passage.document_id in seen:
                continue
            seen.add(passage.document_id)
            document = searcher.documents.get(passage.document_id)
            if document is not None:
                chosen.append(Evidence.of(passage, document, query, value))
            if len(chosen) == MAX_EVIDENCE:
                break
        return tuple(chosen)

    def _municipality_answers(
        self,
        question: Question,
        top: Sequence[str],
        tally: Tally,
        actors: Mapping[str, Actor],
    ) -> list[MunicipalityAnswer]:
        vocab = self.searcher.vocabulary
        fallback = self._fallback_contacts([a for a in top if a in vocab.municipalities])
        answers = []
        for ags in top:
            town = vocab.municipalities.get(ags)
            if town is None:
                continue
            contacts = topic_contacts(ags, tally.staff[ags], actors) or fallback.get(ags, [])
            scores = tally.towns[ags]
            evidence = self.evidence(scores, question.topic)
            answers.append(
                MunicipalityAnswer(
                    town.iri, town.name, ags, scores.total, evidence, tuple(contacts)
                )
            )
        return answers

    def _fallback_contacts(self, towns: Sequence[str]) -> dict[str, list[Contact]]:
        """regiopolPate or general contact per municipality (cached like the actors)."""
        _, cache = self._caches()
        missing = [a for a in towns if a not in cache]
        if missing:
            iris = {ags: self.searcher.vocabulary.municipalities[ags].iri for ags in missing}
            loaded = fallback_contacts(self.searcher.store, iris)
            with self._lock:
                cache.update({ags: loaded.get(ags, []) for ags in missing})
        return {ags: cache.get(ags, []) for ags in towns}


def _is_planned(link: Link) -> bool:
    """A project link whose status says idea or plan (a project counts as done otherwise)."""
    return (link.status or "").casefold() in _PLANNED_STATUS
