"""Organisations: the catalogue, legal forms, head nouns and town administrations."""

from functools import cache

from ingest.nlp import Analyzer
from ingest.organisations import load_catalogue
from ingest.records import Mention


@cache
def analyzer() -> Analyzer:
    return Analyzer()


def organisations(text: str) -> list[Mention]:
    return analyzer().analyse(text).of_kind("organisation")


def names(text: str) -> list[str]:
    return [str(m.extra["name"]) for m in organisations(text)]


def test_catalogue_entries_are_consistent() -> None:
    catalogue = load_catalogue()
    for entry in catalogue.entries.values():
        if entry.maps_to:
            assert entry.maps_to in catalogue.entries, entry.name
    assert catalogue.surfaces["regiopolregion paderborn e.v."] == "regiopolREGION PADERBORN e.V."


def test_known_names_case_insensitive_but_acronyms_exact() -> None:
    text = (
        "Die KGSt, NRW.Energy4Climate, das Zukunftsnetz Mobilität NRW und die "
        "regiopolREGION Paderborn e.V. waren da."
    )
    assert names(text) == [
        "KGSt",
        "NRW.Energy4Climate",
        "Zukunftsnetz Mobilität NRW",
        "regiopolREGION PADERBORN e.V.",
    ]
    assert names("Die kgst-artige Lösung") == []


def test_regionale_maps_to_owl_gmbh_with_lower_confidence() -> None:
    mention = organisations("Vorstellung der REGIONALE 2022 in Lemgo")[0]
    assert mention.key == "ostwestfalenlippe gmbh"
    assert mention.extra["via"] == "REGIONALE 2022"
    assert mention.confidence == 0.7


def test_scheuvens_office_and_museum_are_organisations_not_persons() -> None:
    analysis = analyzer().analyse(
        "Das Treffen im Heinz Nixdorf MuseumsForum wurde vom Büro scheuvens + wachten plus betreut."
    )
    assert [m.extra["name"] for m in analysis.of_kind("organisation")] == [
        "Heinz Nixdorf MuseumsForum",
        "Büro scheuvens + wachten plus",
    ]
    assert analysis.persons == ()


def test_town_administration_points_at_municipality() -> None:
    found = organisations("Die Stadt Paderborn und die Gemeinde Borchen kooperieren.")
    assert [(m.extra["name"], m.extra["municipality"]) for m in found] == [
        ("Stadt Paderborn", "05774032"),
        ("Gemeinde Borchen", "05774012"),
    ]


def test_legal_form_and_head_noun_patterns() -> None:
    text = (
        "Die Weser Energie GmbH, die Bezirksregierung Münster, der Nahverkehrsverbund "
        "Paderborn/Höxter und das Ministerium für Umwelt, Naturschutz und Verkehr des Landes "
        "NRW sowie die Stadtwerke Gütersloh berieten. Die AG Regiopolregion tagte."
    )
    found = names(text)
    assert "Weser Energie GmbH" in found
    assert "Bezirksregierung Münster" in found
    assert "Nahverkehrsverbund Paderborn/Höxter" in found
    assert "Ministerium für Umwelt, Naturschutz und Verkehr des Landes NRW" in found
    assert "Stadtwerke Gütersloh" in found
    # A body of the region is known by name (catalogue), not guessed from "AG" as a legal form.
    assert [n for n in found if n.startswith("AG")] == ["AG Regiopolregion"]


def test_kreis_as_acting_administration() -> None:
    found = organisations("Der Kreis Gütersloh hat ein Konzept erstellt.")
    assert found[0].extra == {
        "source": "administration",
        "kreis": "05754",
        "name": "Kreis Gütersloh",
    }
    assert organisations("Im Kreis Gütersloh gibt es viele Radwege.") == []
