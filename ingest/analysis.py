"""What the NLP stage returns for a passage, and how passage offsets become document offsets.

Kept apart from ``ingest/nlp.py`` so that consumers (triples, pipeline) can import the result
types without pulling in spaCy.
"""

from dataclasses import dataclass, replace

from ingest.dates import DateMention, TimeMention
from ingest.experiences import ExperienceRecord
from ingest.geo import GeoContext
from ingest.persons import PersonRecord
from ingest.records import Mention
from ingest.topics import TopicMatch, Vector


@dataclass(frozen=True)
class AnalysisContext:
    """What the caller knows about a passage beyond its text."""

    offset: int = 0  # added to every span: the passage's start in the normalised document
    heading_path: tuple[str, ...] = ()  # agents/topics of headings pair with the passage's
    geo: GeoContext | None = None  # Kreise/Länder of the whole document (see geo_context)
    passage_vector: Vector | None = None  # for the embedding leg of topic assignment


@dataclass(frozen=True)
class SentenceAnalysis:
    """A sentence span with its lemmas (for keyword search and debugging)."""

    start: int
    end: int
    lemmas: tuple[str, ...]


@dataclass(frozen=True)
class TextAnalysis:
    """Everything the NLP stage found in one passage; spans are document offsets."""

    mentions: tuple[Mention, ...]  # places, organisations, persons and topics, by start
    persons: tuple[PersonRecord, ...]
    topics: tuple[TopicMatch, ...]
    experiences: tuple[ExperienceRecord, ...]
    dates: tuple[DateMention, ...]
    times: tuple[TimeMention, ...]
    sentences: tuple[SentenceAnalysis, ...]
    geo: GeoContext

    def of_kind(self, *kinds: str) -> list[Mention]:
        """Mentions of the given kinds ("municipality", "person", ...)."""
        return [m for m in self.mentions if m.kind in kinds]


def shifted(analysis: TextAnalysis, offset: int) -> TextAnalysis:
    """The analysis with every span moved by ``offset`` (passage -> document offsets)."""

    def mention(m: Mention) -> Mention:
        if m.extra.get("in_heading"):
            return m
        return replace(m, start=m.start + offset, end=m.end + offset)

    return replace(
        analysis,
        mentions=tuple(mention(m) for m in analysis.mentions),
        persons=tuple(
            replace(p, start=p.start + offset, end=p.end + offset) for p in analysis.persons
        ),
        topics=tuple(
            replace(t, spans=tuple((s + offset, e + offset) for s, e in t.spans))
            for t in analysis.topics
        ),
        experiences=tuple(
            replace(x, agent=mention(x.agent), start=x.start + offset, end=x.end + offset)
            for x in analysis.experiences
        ),
        dates=tuple(replace(d, start=d.start + offset, end=d.end + offset) for d in analysis.dates),
        times=tuple(replace(t, start=t.start + offset, end=t.end + offset) for t in analysis.times),
        sentences=tuple(
            replace(s, start=s.start + offset, end=s.end + offset) for s in analysis.sentences
        ),
    )
