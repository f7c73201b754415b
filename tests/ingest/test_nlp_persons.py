"""Persons from the seed protocols: names, titles, roles and affiliations."""

from functools import cache

from ingest.nlp import Analyzer
from ingest.persons import PersonRecord

AGENDA = """10.00 Uhr Begrüßung

Herr Michael Dreier – Bürgermeister der Stadt Paderborn sowie Vereinsvorsitzender

der regiopolREGION PADERBORN e.V.

10.15 Uhr Einführung

Prof. Rudolf Scheuvens - Büro scheuvens + wachten plus // Raumposition

Vorstellung des Gesamtprojektes, Erläuterung der Werkstatt

sowie Frau Annette Nothnagel und Katharina Neubert - REGIONALE 2022

Vorstellung der REGIONALE 2022 OstWestfalenLippe

15.00 Uhr Abschluss im Plenum

Prof. Rudolf Scheuvens – Büro scheuvens + wachten plus // Raumposition \
Jürgen Geisler – Geschäftsstellenleiter regiopolREGION Paderborn e.V.
"""
SIGNATURE = """gewinnen.

gez.

Clausen

Oberbürgermeister
"""
OWL_GMBH = "ostwestfalenlippe gmbh"


@cache
def analyzer() -> Analyzer:
    return Analyzer()


def persons(text: str) -> dict[str, PersonRecord]:
    return {p.name: p for p in analyzer().analyse(text).persons}


def test_dreier_has_two_roles_with_two_organisations() -> None:
    dreier = persons(AGENDA)["Michael Dreier"]
    assert dreier.salutation == "Herr"
    roles = [(r.label, r.affiliation.name if r.affiliation else None) for r in dreier.roles]
    assert roles == [
        ("Bürgermeister", "Stadt Paderborn"),
        ("Vereinsvorsitzender", "regiopolREGION PADERBORN e.V."),
    ]
    stadt = dreier.roles[0].affiliation
    assert stadt is not None
    assert stadt.municipality == "05774032"


def test_scheuvens_title_and_office() -> None:
    found = persons(AGENDA)
    scheuvens = found["Rudolf Scheuvens"]
    assert scheuvens.titles == ("Prof.",)
    assert scheuvens.main_affiliation is not None
    assert scheuvens.main_affiliation.name == "Büro scheuvens + wachten plus"
    assert "Prof. Rudolf Scheuvens" not in found


def test_nothnagel_and_neubert_share_the_regionale_affiliation() -> None:
    found = persons(AGENDA)
    for name in ("Annette Nothnagel", "Katharina Neubert"):
        affiliation = found[name].main_affiliation
        assert affiliation is not None
        assert affiliation.raw == "REGIONALE 2022"
        assert affiliation.key == OWL_GMBH
        assert affiliation.confidence < 0.9  # the programme stands for the GmbH
    assert found["Annette Nothnagel"].salutation == "Frau"


def test_geisler_is_geschaeftsstellenleiter_and_tail_stops_at_next_name() -> None:
    found = persons(AGENDA)
    geisler = found["Jürgen Geisler"]
    assert [r.label for r in geisler.roles] == ["Geschäftsstellenleiter"]
    assert geisler.main_affiliation is not None
    assert geisler.main_affiliation.name == "regiopolREGION PADERBORN e.V."
    scheuvens_affiliations = [a.name for a in found["Rudolf Scheuvens"].affiliations]
    assert "Jürgen Geisler" not in " ".join(scheuvens_affiliations)


def test_signature_gives_surname_with_role() -> None:
    clausen = persons(SIGNATURE)["Clausen"]
    assert clausen.signature
    assert clausen.given_names == ()
    assert [r.label for r in clausen.roles] == ["Oberbürgermeister"]


def test_apposition_with_und_zugleich_and_von_der() -> None:
    text = (
        "Zu Beginn hieß Michael Dreier, Bürgermeister der Stadt Paderborn und zugleich "
        "Vorstandsvorsitzender des Vereins regiopolREGION Paderborn e.V., alle Gäste willkommen. "
        "Frau Annette Nothnagel und Katharina Neubert von der OstWestfalenLippe GmbH stellten "
        "aktuelle Projekte vor."
    )
    found = persons(text)
    assert [r.label for r in found["Michael Dreier"].roles] == [
        "Bürgermeister",
        "Vorstandsvorsitzender",
    ]
    for name in ("Annette Nothnagel", "Katharina Neubert"):
        affiliation = found[name].main_affiliation
        assert affiliation is not None
        assert affiliation.key == OWL_GMBH
        assert affiliation.confidence >= 0.9


def test_role_before_name_and_parenthesis() -> None:
    text = (
        "Es sprach Bürgermeister Hans Müller-Lüdenscheidt (Gemeinde Borchen). Danach "
        "berichtete Dr. Miriam Kowalski (Stadt Herford, Klimaschutzmanagerin) über Starkregen."
    )
    found = persons(text)
    mueller = found["Hans Müller-Lüdenscheidt"]
    assert mueller.roles[0].label == "Bürgermeister"
    assert mueller.roles[0].affiliation is not None
    assert mueller.roles[0].affiliation.municipality == "05774012"
    kowalski = found["Miriam Kowalski"]
    assert kowalski.titles == ("Dr.",)
    assert [(r.label, r.affiliation.name if r.affiliation else None) for r in kowalski.roles] == [
        ("Klimaschutzmanagerin", "Stadt Herford")
    ]


def test_particles_and_salutation_with_surname_only() -> None:
    found = persons("Frau Dr. Ursula von der Leyen und Herr Dreier diskutierten.")
    assert "Ursula von der Leyen" in found
    assert found["Dreier"].given_names == ()


def test_no_persons_in_ordinary_sentences() -> None:
    text = (
        "Nur Projekte mit Förderung werden umgesetzt. Frank und frei wurde diskutiert. "
        "Das Heinz Nixdorf MuseumsForum liegt in Paderborn."
    )
    assert persons(text) == {}


def test_person_wins_over_namesake_village() -> None:
    analysis = analyzer().analyse(SIGNATURE)
    assert [m.kind for m in analysis.mentions] == ["person"]
    mention = analysis.mentions[0]
    assert mention.key == "clausen"
    assert mention.extra["roles"][0]["label"] == "Oberbürgermeister"


def test_unit_between_role_and_organisation() -> None:
    text = (
        "Referent: Markus Tiemann, Leiter der Zentralen Vergabestelle der Stadt Halle (Westf.). "
        "Dr. Frank Ahlers, Programmbereich Personalmanagement der KGSt, ergänzte."
    )
    found = persons(text)
    tiemann = found["Markus Tiemann"]
    leiter = next(r for r in tiemann.roles if r.label == "Leiter")
    assert leiter.unit == "Zentralen Vergabestelle"
    assert leiter.affiliation is not None
    assert leiter.affiliation.municipality == "05754012"
    ahlers = found["Frank Ahlers"].main_affiliation
    assert ahlers is not None
    assert ahlers.name == "KGSt"


def test_listed_persons_share_a_parenthesis_and_units_stay_units() -> None:
    text = (
        "- Frau Katrin Höltkemeier, Herr Jonas Brinkmann (Geschäftsstelle der Regiopolregion "
        "Bielefeld)\n- Herr Yusuf Demir (Stadt Herford, Mobilitätsmanagement, regiopolPate)"
    )
    found = persons(text)
    for name in ("Katrin Höltkemeier", "Jonas Brinkmann"):
        affiliation = found[name].main_affiliation
        assert affiliation is not None
        assert affiliation.name == "Geschäftsstelle der Regiopolregion"
    demir = found["Yusuf Demir"]
    assert [a.name for a in demir.affiliations] == ["Stadt Herford"]
    assert [(r.label, r.unit) for r in demir.roles] == [("regiopolPate", "Mobilitätsmanagement")]


def test_planning_office_brand_and_role_after_double_slash() -> None:
    wallbaum = persons("sowie Prof. Dr. Ines Wallbaum - Büro stadtraum+dialog // Moderation")
    person = wallbaum["Ines Wallbaum"]
    assert person.titles == ("Prof.", "Dr.")
    assert [a.name for a in person.affiliations] == ["Büro stadtraum+dialog"]
    assert [r.label for r in person.roles] == ["Moderation"]


def test_abstract_nouns_after_roles_are_no_surnames() -> None:
    assert persons("Referentin Digitalisierung und Projektleiter Wärmeplanung") == {}


def test_westphalian_double_surname() -> None:
    found = persons("- **Referent:** Christian Meyer zu Hartum, Radverkehrsbeauftragter")
    assert "Christian Meyer zu Hartum" in found
    assert found["Christian Meyer zu Hartum"].surname == "Meyer zu Hartum"
