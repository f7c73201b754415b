"""Experiences: agent-topic pairs with a kind from the sentence's cue words."""

from functools import cache

import pytest

from ingest.experiences import ExperienceRecord, kind_from_status
from ingest.nlp import AnalysisContext, Analyzer
from ingest.topics import ConceptLabels

T = "https://w3id.org/wissensnetz/topic/"
THESAURUS = (
    ConceptLabels(T + "mobilitaet", "Mobilität", ("Verkehr", "Mobilitätskonzept")),
    ConceptLabels(
        T + "elektromobilitaet",
        "Elektromobilität",
        ("E-Mobilität", "E-Auto", "Carsharing", "E-Carsharing"),
        (T + "mobilitaet",),
    ),
    ConceptLabels(T + "starkregen", "Starkregen", ("Starkregengefahrenkarte",)),
    ConceptLabels(T + "regionalentwicklung", "Regionalentwicklung", ("REGIONALE",)),
)


@cache
def analyzer() -> Analyzer:
    return Analyzer(THESAURUS)


def experiences(text: str, heading: tuple[str, ...] = ()) -> list[ExperienceRecord]:
    return list(analyzer().analyse(text, context=AnalysisContext(heading_path=heading)).experiences)


def kinds(text: str, heading: tuple[str, ...] = ()) -> set[tuple[str, str, str]]:
    return {(x.agent.text, x.topic_iri.removeprefix(T), x.kind) for x in experiences(text, heading)}


def test_borchen_e_car_financed_is_done() -> None:
    text = (
        "Borchen: E-Auto für das gesamte Dorf (2.000 Einwohner), welches über den Sportverein "
        "finanziert wird."
    )
    found = experiences(text, ("Projekte Mobilität",))
    borchen = [x for x in found if x.agent.key == "05774012"]
    assert [(x.topic_iri.removeprefix(T), x.kind, x.scope) for x in borchen] == [
        ("elektromobilitaet", "done", "sentence")
    ]
    assert borchen[0].cue == "finanzieren"
    assert text[borchen[0].start : borchen[0].end].startswith("Borchen")


def test_paderborn_imok_being_drawn_up_is_planned() -> None:
    # "wird derzeit ... aufgestellt": the concept is still being written, i.e. planning work;
    # the completed Bürgerforen are another sentence without an agent.
    text = (
        "Im Themenfeld Mobilität wird derzeit in Paderborn das Integrierte Mobilitätskonzept "
        "(IMOK) aufgestellt, um auch alternative Mobilitätsangebote zu stärken. Erste "
        "Bürgerforen zu unterschiedlichen Stadtteilen haben bereits stattgefunden."
    )
    assert kinds(text) == {("Paderborn", "mobilitaet", "planned")}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Die Stadt Herford hat eine Starkregengefahrenkarte erstellt.", "done"),
        ("In Herford wurde die Starkregengefahrenkarte umgesetzt.", "done"),
        ("In Herford wurde die Starkregengefahrenkarte nicht umgesetzt.", "mentioned"),
        ("Herford plant eine Starkregengefahrenkarte.", "planned"),
        ("Herford soll eine Starkregengefahrenkarte bekommen.", "planned"),
        ("Herford sucht Erfahrungen zum Starkregen.", "asked"),
        ("Hat Herford schon Erfahrungen mit Starkregen?", "asked"),
        ("In Herford gibt es bereits eine Starkregengefahrenkarte.", "done"),
        ("Herford ist vom Starkregen betroffen.", "mentioned"),
        ("In Herford könnte eine Starkregengefahrenkarte genutzt werden.", "planned"),
    ],
)
def test_cue_words_decide_the_kind(text: str, kind: str) -> None:
    assert kinds(text) == {("Herford", "starkregen", kind)}


def test_presenters_are_presented_and_negation_is_flagged() -> None:
    text = (
        "Frau Annette Nothnagel und Katharina Neubert von der OstWestfalenLippe GmbH stellten "
        "aktuelle Projekte der Elektromobilität vor."
    )
    found = kinds(text)
    assert ("Annette Nothnagel", "elektromobilitaet", "presented") in found
    assert ("Katharina Neubert", "elektromobilitaet", "presented") in found
    negated = experiences("In Herford wurde die Starkregengefahrenkarte nicht umgesetzt.")
    assert negated[0].negated


def test_only_agents_and_topics_of_the_same_sentence_pair() -> None:
    text = "Paderborn hat viele Schulen. Das E-Carsharing wurde in Lemgo eingeführt."
    assert kinds(text) == {("Lemgo", "elektromobilitaet", "done")}


def test_heading_agent_pairs_with_lower_confidence() -> None:
    found = experiences("Ein E-Auto wurde angeschafft.", ("Gemeinde Borchen",))
    assert [(x.agent.key, x.kind, x.scope) for x in found] == [("05774012", "done", "heading")]
    assert found[0].confidence < 0.8 * 0.9


def test_place_inside_organisation_name_is_no_agent() -> None:
    text = "Die Universität Paderborn hat ein E-Auto angeschafft."
    assert {(a, k) for a, _t, k in kinds(text)} == {("Universität Paderborn", "done")}


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("abgeschlossen", "done"),
        ("In Umsetzung", "done"),
        ("Idee", "planned"),
        ("in  Planung", "planned"),
        ("unbekannt", None),
    ],
)
def test_kind_from_status(status: str, kind: str | None) -> None:
    assert kind_from_status(status) == kind


def test_topic_in_another_agents_clause_is_not_paired() -> None:
    text = (
        "Die Starkregengefahrenkarte der Stadt Herford ist fertig, die Elektromobilität in "
        "Lemgo wird bereits gefördert."
    )
    assert kinds(text) == {
        ("Herford", "starkregen", "done"),
        ("Lemgo", "elektromobilitaet", "done"),
    }


def test_announced_presentation_is_planned() -> None:
    assert kinds("In Herford wird die Elektromobilität im Herbst vorgestellt.") == {
        ("Herford", "elektromobilitaet", "planned")
    }
    assert kinds("In Herford wurde die Elektromobilität vorgestellt.") == {
        ("Herford", "elektromobilitaet", "presented")
    }
