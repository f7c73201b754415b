"""Speaker finder: who could give the practical input of a Regiopol Akademie session on X.

A good speaker has *done* or *presented* X (or a narrower topic), works in a municipality
of the region (practitioners first, the Akademie's principle of sharing knowledge between
partners), has not spoken at the Akademie within the last months (spread the load), and
the suggestions cover several municipalities. Evidence comes from two sides: experiences
and projects filed under the topic's concept (precise, independent of wording) and hybrid
retrieval of the free-text topic (covers topics the thesaurus lacks). Each document counts
once per person, so a long project description does not outweigh two talks.
"""

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from graph.actors import Actor, Evidence, Scores, passage_links, select_each, values
from graph.experts import ExperienceFinder
from graph.questions import Question, parse_question, strip_frame
from graph.search import Searcher
from graph.vocabulary import HOME_REGION, select

__all__ = ["SPEAKER_WEIGHTS", "SpeakerFinder", "SpeakerResult", "SpeakerSuggestion", "Talk"]

SPEAKER_WEIGHTS: Mapping[str, float] = {
    "done": 1.0,
    "presented": 0.9,
    "contact": 0.9,
    "speaker": 0.9,
}
CONCEPT_SHARE = 0.5  # weight of concept evidence the retrieval did not find
NARROWER_FACTOR = 0.85
REGION_FACTOR = 1.25
EXTERNAL_FACTOR = 0.85
# Words about the request, not the topic; function words stay (the encoder uses them).
_SPEAKER_WORDS = frozenset(
    {"referentin", "referent", "referenten", "referentinnen", "speaker", "speakers", "expert"}
    | {"experte", "expertin", "akademie", "regiopol", "termin", "session", "vortrag", "input"}
    | {"schulterblick", "gesucht", "einladen", "laden", "wen", "wir", "thema", "oder"}
)

_LEADING = re.compile(
    r"^(?:(?:zum|zur|zu|für|über|on|about|for|a|an|the|einen|eine|ein)\s+)+", re.IGNORECASE
)

_EVIDENCE_HEAD = "SELECT DISTINCT ?x ?p ?rel ?c ?t ?id WHERE { VALUES ?t { %s } "
_CONCEPT_EVIDENCE = (
    """?e wn:topic ?t ; wn:agent ?x ; wn:experienceKind ?rel ; wn:evidence ?p .
    VALUES ?rel { wn:Done wn:Presented } OPTIONAL { ?e wn:confidence ?c }""",
    """?o a wn:Project ; wn:topic ?t ; wn:contactPerson ?x . ?d schema:about ?o ;
    dcterms:identifier ?id . BIND("contact" AS ?rel)""",
    """?o a wn:Event ; wn:topic ?t ; wn:speaker ?x . ?d schema:about ?o ;
    dcterms:identifier ?id . BIND("speaker" AS ?rel)""",
)
_TALKS = """SELECT DISTINCT ?x ?ev ?name ?date WHERE { VALUES ?x { %s }
  ?ev a wn:Event ; wn:eventKind wn:AkademieSession ; wn:speaker ?x ; schema:startDate ?date .
  OPTIONAL { ?ev schema:name ?name } }"""


@dataclass(frozen=True)
class Talk:
    """An Akademie session a person spoke at."""

    event: str
    name: str
    day: date


@dataclass(frozen=True)
class SpeakerSuggestion:
    """A suggested speaker with the reasons, in German, and the proving passages."""

    actor: Actor
    score: float
    reasons: tuple[str, ...]
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form: id, name, affiliations, score, reasons, evidence."""
        return {
            "id": self.actor.iri,
            "name": self.actor.name,
            "affiliations": [a.to_dict() for a in self.actor.affiliations],
            "score": round(self.score, 6),
            "reasons": list(self.reasons),
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class SpeakerResult:
    """Suggestions for one topic."""

    topic: str
    concept: str | None
    label: str
    speakers: list[SpeakerSuggestion]

    def to_json(self) -> dict[str, Any]:
        """``{"topic": {"id", "label", "text"}, "speakers": [...]}``."""
        return {
            "topic": {"id": self.concept, "label": self.label, "text": self.topic},
            "speakers": [s.to_dict() for s in self.speakers],
        }


@dataclass
class _Candidate:
    actor: Actor
    base: float
    score: float
    documents: Scores
    reasons: list[str]


class SpeakerFinder:
    """Suggests speakers for a topic from the knowledge base behind a ``Searcher``."""

    def __init__(
        self,
        searcher: Searcher,
        *,
        region: str = HOME_REGION,
        recent_months: int = 12,
        today: Callable[[], date] = date.today,
        recency_factor: float = 0.5,
        same_town_factor: float = 0.6,
        depth: int = 40,
    ) -> None:
        """``today`` is injectable so tests and evaluations can fix the date."""
        self.searcher = searcher
        self.region = region
        self.recent_months = recent_months
        self.today = today
        self.recency_factor = recency_factor
        self.same_town_factor = same_town_factor
        self.finder = ExperienceFinder(searcher, depth=depth, kind_weights=SPEAKER_WEIGHTS)
        self._concept_vectors: tuple[list[str], Any] | None = None

    def resolve_topic(self, text: str) -> str | None:
        """Concept of a label, IRI or free text: labels first, then definition similarity."""
        thesaurus = self.searcher.vocabulary.thesaurus
        direct = thesaurus.resolve(text)
        if direct is not None:
            return direct
        named = thesaurus.mentioned(text)
        if named:
            return named[0]
        if not thesaurus.concepts or not text.strip():
            return None
        iris, matrix = self._vectors()
        query = np.asarray(self.searcher.embedder.embed_query(text), dtype=np.float32)
        return iris[int(np.argmax(matrix @ query))]

    def suggest(self, topic: str, *, limit: int = 5) -> SpeakerResult:
        """Ranked speaker suggestions for a topic (label, IRI or free text)."""
        question = parse_question(topic, self.searcher.vocabulary.place_names)
        text = speaker_topic(question.topic) or question.topic
        concept = self.resolve_topic(text)
        documents = self._retrieved(question, text)
        if concept is not None:
            self._add_concept_evidence(documents, concept)
        actors = self.finder.actors(documents)
        people = [a for a in actors.values() if a.type == "person" and _allowed(question, a)]
        talks = self._last_talks([a.iri for a in people])
        candidates = [self._candidate(a, documents[a.iri], talks.get(a.iri)) for a in people]
        chosen = self._diversify(candidates, limit)
        label = self.searcher.vocabulary.thesaurus.label(concept) if concept else text
        suggestions = [
            SpeakerSuggestion(c.actor, c.score, tuple(c.reasons), self._evidence(c, text))
            for c in chosen
        ]
        return SpeakerResult(topic, concept, label, suggestions)

    def _vectors(self) -> tuple[list[str], Any]:
        if self._concept_vectors is None:
            concepts = list(self.searcher.vocabulary.thesaurus.concepts.values())
            texts = [f"{c.label}: {c.definition}" for c in concepts]
            matrix = np.asarray(self.searcher.embedder.embed_passages(texts), dtype=np.float32)
            self._concept_vectors = ([c.iri for c in concepts], matrix)
        return self._concept_vectors

    def _retrieved(self, question: Question, text: str) -> dict[str, Scores]:
        """Per person, the best retrieval-weighted association per document."""
        finder = self.finder
        focused = Question(question.text, text, question.lang, question.constraints)
        relevance = finder.relevance(finder.passages(focused))
        links = [
            link
            for link in passage_links(self.searcher.store, relevance, self.searcher.table)
            if finder.association(link, frozenset()) > 0
        ]
        actors = self.finder.actors({link.agent for link in links})
        tally = finder.tally(links, relevance, actors, frozenset())
        return defaultdict(Scores, tally.people)

    def _add_concept_evidence(self, documents: dict[str, Scores], concept: str) -> None:
        thesaurus = self.searcher.vocabulary.thesaurus
        closure = thesaurus.narrower_closure(concept)
        head = _EVIDENCE_HEAD % values(closure)
        rows = select_each(self.searcher.store, head, _CONCEPT_EVIDENCE)
        for person, passage, rel, conf, topic, doc_id in rows:
            if not person or not rel:
                continue
            if passage is None and doc_id:
                first = self.searcher.document_passages(doc_id)
                passage = first[0].iri if first else None
            if passage is None:
                continue
            kind = rel.rsplit("#", 1)[-1].casefold()
            weight = SPEAKER_WEIGHTS.get(kind, 0.0) * (float(conf) if conf else 0.8)
            weight *= 1.0 if topic == concept else NARROWER_FACTOR
            info = self.searcher.passages.get(passage)
            document = info.document_id if info else None
            documents[person].add(passage, CONCEPT_SHARE * weight, document)

    def _candidate(self, actor: Actor, passages: Scores, talk: Talk | None) -> _Candidate:
        base = passages.total
        reasons = self._experience_reasons(actor, passages)
        region = self.searcher.vocabulary.regions.get(self.region)
        towns = actor.municipalities
        if region is not None and towns & region.members:
            base *= REGION_FACTOR
            names = ", ".join(sorted(self.searcher.vocabulary.municipality_name(a) for a in towns))
            reasons.append(f"arbeitet in {names}, einer Partnerkommune der {region.label}")
        elif not towns:
            base *= EXTERNAL_FACTOR
        if talk is not None:
            when = talk.day.strftime("%d.%m.%Y")
            reason = f"sprach zuletzt am {when} in der Akademie („{talk.name}“)"
            if self._is_recent(talk.day):
                base *= self.recency_factor
                reason += f" – innerhalb der letzten {self.recent_months} Monate, daher nachrangig"
            reasons.append(reason)
        return _Candidate(actor, base, base, passages, reasons)

    def _is_recent(self, day: date) -> bool:
        today = self.today()
        months = (today.year - day.year) * 12 + today.month - day.month
        if today.day < day.day:
            months -= 1
        return day <= today and months < self.recent_months

    def _experience_reasons(self, actor: Actor, passages: Scores) -> list[str]:
        """One German sentence per evidence document, best first (at most two)."""
        searcher = self.searcher
        reasons: list[str] = []
        seen: set[str] = set()
        for passage, _ in sorted(passages.passages.items(), key=lambda kv: -kv[1]):
            info = searcher.passages.get(passage)
            if info is None or info.document_id in seen:
                continue
            seen.add(info.document_id)
            document = searcher.documents.get(info.document_id)
            if document is None:
                continue
            year = f" {document.year}" if document.year else ""
            towns = sorted(searcher.vocabulary.municipality_name(a) for a in actor.municipalities)
            place = f" in {', '.join(towns)}" if towns else ""
            title = document.title.removeprefix("Regiopol Akademie: ")
            if document.kind == "event":
                reasons.append(f"hat{year} in der Akademie „{title}“ vorgestellt")
            elif document.kind == "project":
                reasons.append(f"hat{year}{place} „{title}“ umgesetzt")
            else:
                reasons.append(f"hat{year} in „{title}“ darüber berichtet")
            if len(reasons) == 2:
                break
        return reasons

    def _last_talks(self, persons: Sequence[str]) -> dict[str, Talk]:
        block = values(persons)
        if not block:
            return {}
        talks: dict[str, Talk] = {}
        for person, event, name, day in select(self.searcher.store, _TALKS % block):
            if not person or not event or not day:
                continue
            try:
                when = date.fromisoformat(day[:10])
            except ValueError:
                continue
            if when <= self.today() and (person not in talks or when > talks[person].day):
                talks[person] = Talk(event, name or "", when)
        return talks

    def _diversify(self, candidates: list[_Candidate], limit: int) -> list[_Candidate]:
        """Greedy pick; each earlier pick from the same municipality multiplies the score."""
        chosen: list[_Candidate] = []
        pool = [c for c in candidates if c.base > 0]
        while pool and len(chosen) < limit:
            for candidate in pool:
                overlap = sum(
                    bool(candidate.actor.municipalities & c.actor.municipalities) for c in chosen
                )
                candidate.score = candidate.base * math.pow(self.same_town_factor, overlap)
            best = max(pool, key=lambda c: (c.score, c.actor.iri))
            if best.score < best.base:
                best.reasons.append(
                    "weitere Person aus derselben Kommune – zur Streuung nachrangig"
                )
            chosen.append(best)
            pool.remove(best)
        return chosen

    def _evidence(self, candidate: _Candidate, text: str) -> tuple[Evidence, ...]:
        return self.finder.evidence(candidate.documents, text)


def _allowed(question: Question, actor: Actor) -> bool:
    constraints = question.constraints
    if not actor.municipalities:
        return not (constraints.municipalities or constraints.kreise)
    return any(constraints.allows(ags) for ags in actor.municipalities)


def speaker_topic(text: str) -> str:
    """The topic of a speaker request: question frame and words about speaking removed."""
    words = strip_frame(text).replace("(", " ").replace(")", " ").split()
    kept = [w for w in words if w.casefold().strip(",.;:!?–-") not in _SPEAKER_WORDS]
    return _LEADING.sub("", " ".join(kept)).strip(" ,.;:!?–-")
