"""Topic assignment: lemmatised labels, German compounds, embeddings."""

from functools import cache

import numpy as np

from ingest.nlp import Analyzer
from ingest.topics import ConceptLabels, TopicMatch

T = "https://w3id.org/wissensnetz/topic/"
THESAURUS = (
    ConceptLabels(T + "mobilitaet", "Mobilität", ("Verkehr", "Mobilitätswende")),
    ConceptLabels(
        T + "elektromobilitaet",
        "Elektromobilität",
        ("E-Mobilität", "E-Auto", "Elektroauto", "Carsharing"),
        (T + "mobilitaet",),
    ),
    ConceptLabels(T + "starkregen", "Starkregen", ("Starkregenereignis", "Sturzflut")),
    ConceptLabels(T + "waermeplanung", "Kommunale Wärmeplanung", ("Wärmeplanung", "Wärmeplan")),
    ConceptLabels(T + "radverkehr", "Radverkehr", ("Fahrradverkehr",), (T + "mobilitaet",)),
)


@cache
def analyzer() -> Analyzer:
    return Analyzer(THESAURUS)


def topics(text: str) -> dict[str, TopicMatch]:
    return {t.local_name: t for t in analyzer().analyse(text).topics}


def test_exact_and_alt_labels() -> None:
    found = topics("Die Mobilität und das E-Auto der Gemeinde.")
    assert found["mobilitaet"].confidence == 1.0
    assert found["mobilitaet"].method == "label"
    assert found["elektromobilitaet"].confidence == 0.9
    assert found["elektromobilitaet"].method == "alt_label"


def test_multi_word_label_with_inflection() -> None:
    found = topics("Zur Kommunalen Wärmeplanung gab es einen Austausch.")
    assert found["waermeplanung"].confidence == 1.0


def test_compound_first_part_and_head() -> None:
    found = topics("Die Starkregengefahrenkarte ist fertig, der Wärmeplanungsprozess läuft.")
    assert found["starkregen"].method == "compound"
    assert found["starkregen"].confidence == 0.8
    assert found["waermeplanung"].confidence == 0.8
    assert topics("Die Elektromobilität und die Mobilitätsangebote.")["mobilitaet"]


def test_hyphenated_and_plural_compounds() -> None:
    assert "starkregen" in topics("Eine Starkregen-Gefahrenkarte wurde erstellt.")
    assert "starkregen" in topics("Nach mehreren Starkregenereignissen handelte die Stadt.")
    assert "radverkehr" in topics("Die Radverkehrskonzepte der Kreise.")


def test_no_topic_from_short_fragments() -> None:
    assert topics("Ein radikaler Wandel der Verwaltungskultur.") == {}


def test_spans_point_at_the_evidence() -> None:
    text = "Borchen: E-Auto für das gesamte Dorf."
    match = topics(text)["elektromobilitaet"]
    assert [text[s:e] for s, e in match.spans] == ["E-Auto"]


def test_embedding_leg_uses_precomputed_vectors() -> None:
    index = analyzer().topic_index
    tokens = []  # no text evidence: only the vectors speak
    vectors = {T + "starkregen": np.array([1.0, 0.0]), T + "radverkehr": np.array([0.0, 1.0])}
    found = index.assign_topics("", tokens, vectors, np.array([0.9, 0.1]), threshold=0.83)
    assert [(m.local_name, m.method) for m in found] == [("starkregen", "embedding")]
    assert 0.83 <= found[0].confidence < 1.0


def test_topic_mentions_carry_concept_id() -> None:
    analysis = analyzer().analyse("Sturzflut in der Innenstadt.")
    mention = analysis.of_kind("topic")[0]
    assert mention.key == "starkregen"
    assert mention.extra["iri"] == T + "starkregen"
