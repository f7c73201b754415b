"""The speaker finder on the hand-built knowledge base: recency, spread, topic resolution."""

from datetime import date

import pytest

from graph import iris
from graph.speakers import SpeakerFinder, speaker_topic
from tests.graph.retrieval_kb import KB

TODAY = date(2026, 11, 21)


def test_speaker_topic_drops_the_request_words() -> None:
    assert speaker_topic("Referentin oder Referent zum Thema offene Verwaltungsdaten") == (
        "offene Verwaltungsdaten"
    )


def test_recent_akademie_speaker_is_down_weighted(kb: KB) -> None:
    def scores(**options: float) -> dict[str, float]:
        finder = SpeakerFinder(kb.searcher, today=lambda: TODAY, **options)  # type: ignore[arg-type]
        return {s.actor.name: s.score for s in finder.suggest("Hitzeschutz").speakers}

    relaxed, recent = scores(recent_months=1), scores()
    assert next(iter(relaxed)) == "Miriam Kowalski"
    assert recent["Miriam Kowalski"] == pytest.approx(relaxed["Miriam Kowalski"] / 2)
    assert recent["Elke Sundermann"] == pytest.approx(relaxed["Elke Sundermann"])
    assert next(iter(scores(recency_factor=0.2))) == "Elke Sundermann"
    result = SpeakerFinder(kb.searcher, today=lambda: TODAY).suggest("Hitzeschutz")
    assert result.concept == str(iris.topic_iri("hitzeschutz"))
    kowalski = next(s for s in result.speakers if s.actor.name == "Miriam Kowalski")
    assert any(
        r.startswith("sprach zuletzt am 10.09.2026 in der Akademie") for r in kowalski.reasons
    )
    assert any("Herford" in r and "umgesetzt" in r for r in kowalski.reasons)


def test_speakers_spread_across_municipalities(kb: KB) -> None:
    finder = SpeakerFinder(kb.searcher, today=lambda: TODAY)
    result = finder.suggest("Starkregengefahrenkarte")
    top_two = result.speakers[:2]
    assert {s.actor.name for s in top_two} == {"Annika Strothmann", "Daniel Rottmann"}
    hagedorn = next(s for s in result.speakers if s.actor.name == "Tim Hagedorn")
    assert any("derselben Kommune" in r for r in hagedorn.reasons)
    data = result.to_json()
    assert set(data["speakers"][0]) == {
        "id",
        "name",
        "affiliations",
        "score",
        "reasons",
        "evidence",
    }


def test_free_text_topic_resolves_by_definition(kb: KB) -> None:
    finder = SpeakerFinder(kb.searcher, today=lambda: TODAY)
    assert finder.resolve_topic("Wo soll künftig Fernwärme liegen?") == str(
        iris.topic_iri("kommunale-waermeplanung")
    )
