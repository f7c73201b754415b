"""Golden test: the real workshop protocol (seed 002) through reader, normaliser and parser."""

import dataclasses
from datetime import date, time
from pathlib import Path

import pytest

from ingest.normalise import normalise
from ingest.readers import read_document
from ingest.records import NormalisedDocument
from ingest.structure import ProtocolStructure, TaskItem, WorkingGroup, detect_kind, parse_structure

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED = SEEDS / "002_04082e3a3c9b2262.txt"

STADT_LAND = "Das neue Stadt Land Quartier"
MITTELSTAND = "Der neue Mittelstand"
MOBILITAET = "Die neue Mobilität"
KOMMUNEN = "Die Kommunen ohne Grenzen"


@pytest.fixture(scope="module")
def doc() -> NormalisedDocument:
    return normalise(read_document(SEED, SEEDS))


@pytest.fixture(scope="module")
def protocol(doc: NormalisedDocument) -> ProtocolStructure:
    parsed = parse_structure(doc, detect_kind(doc))
    assert isinstance(parsed, ProtocolStructure)
    return parsed


def _spanned(value: object) -> list[object]:
    """Every record with text/start/end inside a structure."""
    found: list[object] = []
    if isinstance(value, tuple):
        for item in value:
            found.extend(_spanned(item))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = {f.name for f in dataclasses.fields(value)}
        if {"text", "start", "end"} <= names:
            found.append(value)
        for name in names:
            found.extend(_spanned(getattr(value, name)))
    return found


def _group(protocol: ProtocolStructure, name: str) -> WorkingGroup:
    return next(group for group in protocol.working_groups if group.name == name)


def _tasks(protocol: ProtocolStructure, group: str) -> list[TaskItem]:
    return [task for task in protocol.tasks if task.group == group]


def test_every_record_points_at_its_text(
    doc: NormalisedDocument, protocol: ProtocolStructure
) -> None:
    records = _spanned(protocol)
    assert len(records) > 150
    for record in records:
        start, end, text = record.start, record.end, record.text  # type: ignore[attr-defined]
        assert 0 <= start <= end <= len(doc.text)
        assert " ".join(doc.text[start:end].split()) == text


def test_header(doc: NormalisedDocument, protocol: ProtocolStructure) -> None:
    assert protocol.title is not None
    assert protocol.title.startswith("Fachliche Begleitung zur Projektausarbeitung")
    assert protocol.subtitle is not None
    assert protocol.subtitle.text == "Protokoll zur Werkstatt am 18. Dezember 2019"
    assert protocol.date == date(2019, 12, 18)
    assert protocol.date_span is not None
    assert doc.text[slice(*protocol.date_span)] == "Mittwoch, 18. Dezember 2019"
    assert (protocol.starts_at, protocol.ends_at) == (time(10, 0), time(15, 0))


def test_place(protocol: ProtocolStructure) -> None:
    place = protocol.place
    assert place is not None
    assert place.name == "Heinz Nixdorf MuseumsForum"
    assert place.street == "Fürstenallee 7"
    assert (place.postal_code, place.city) == ("33102", "Paderborn")


def test_agenda_times_and_titles(protocol: ProtocolStructure) -> None:
    times = [item.starts_at for item in protocol.agenda]
    assert times == [
        time(9, 30), time(10, 0), time(10, 15), time(10, 45),
        time(12, 30), time(13, 15), time(15, 0), time(15, 30),
    ]  # fmt: skip
    titles = [item.title for item in protocol.agenda]
    assert titles[:3] == ["Zusammenkommen", "Begrüßung", "Einführung"]
    assert titles[3] == "1. Arbeitsphase inkl. Rückkopplung"
    assert titles[-1] == "Ausklang bei Kaffee und Kuchen"


def test_agenda_person_lines(protocol: ProtocolStructure) -> None:
    by_time = {item.starts_at: item for item in protocol.agenda}
    welcome = by_time[time(10, 0)].lines
    assert len(welcome) == 1  # the wrapped "der regiopolREGION PADERBORN e.V." joins the line
    assert welcome[0].looks_like_person
    assert welcome[0].text.startswith("Herr Michael Dreier – Bürgermeister der Stadt Paderborn")
    assert welcome[0].text.endswith("der regiopolREGION PADERBORN e.V.")

    intro = by_time[time(10, 15)].lines
    people = [line.text for line in intro if line.looks_like_person]
    assert any("Prof. Rudolf Scheuvens" in text for text in people)
    assert any("Annette Nothnagel" in text and "Katharina Neubert" in text for text in people)
    assert not next(line for line in intro if line.text.startswith("Vorstellung")).looks_like_person

    closing = " ".join(line.text for line in by_time[time(15, 0)].lines)
    assert "Scheuvens" in closing
    assert "Jürgen Geisler" in closing
    assert by_time[time(9, 30)].lines[0].text == "Eintreffen der Teilnehmenden"
    assert not by_time[time(9, 30)].lines[0].looks_like_person
    assert by_time[time(12, 30)].lines == ()


def test_working_groups_and_focus_topics(protocol: ProtocolStructure) -> None:
    assert [g.name for g in protocol.working_groups] == [
        STADT_LAND,
        MITTELSTAND,
        MOBILITAET,
        KOMMUNEN,
    ]
    assert protocol.working_groups[0].name_raw == "DAS NEUE STADT LAND QUARTIER"
    focus = {g.name: [b.text for b in g.focus_topics] for g in protocol.working_groups}
    assert [len(focus[name]) for name in focus] == [5, 5, 4, 5]
    assert focus[STADT_LAND][0] == "Lebendige und integrierte Quartiersentwicklung"
    assert focus[MOBILITAET][1].startswith("Radfahren mit der nötigen Radinfrastruktur")
    assert (
        focus[KOMMUNEN][-1]
        == "Bündelung und Vernetzung von Freizeit-, Tourismus- und Kulturprojekten"
    )


def test_working_group_subsections(protocol: ProtocolStructure) -> None:
    stadt_land = {s.title: s for s in _group(protocol, STADT_LAND).subsections}
    health = stadt_land["Gesundheitsversorgung / Daseinsvorsorge"]
    assert [b.level for b in health.bullets] == [0, 1, 1]
    settlement = stadt_land["Siedlungsentwicklung"].bullets
    assert settlement[0].text.startswith("Für die Weiterentwicklung der regiopolREGION")
    wrapped = next(b for b in settlement if b.text.startswith("Die Bandbreite"))
    assert wrapped.text.endswith("unterschiedlichen Anforderungen an die Funktion Wohnen.")
    mobility = {s.title: s for s in _group(protocol, MOBILITAET).subsections}
    assert len(mobility["Projekte Mobilität"].bullets) == 5
    assert "Prozessorganisation" in mobility  # a sub-heading there, not a task category


def test_sections(protocol: ProtocolStructure) -> None:
    titles = [s.title for s in protocol.sections if s.level == 1]
    assert "EINFÜHRUNG" in titles
    assert "ARBEITSGRUPPENÜBERGREIFENDE VEREINBARUNG" in titles
    intro = next(s for s in protocol.sections if s.title == "EINFÜHRUNG")
    assert len(intro.bullets) == 7


def test_tasks_of_stadt_land_quartier(protocol: ProtocolStructure) -> None:
    tasks = _tasks(protocol, STADT_LAND)
    assert [t.category for t in tasks] == ["Prozessorganisation"] * 4 + ["Instrumente"] * 2
    assert tasks[0].label == "Wissen generieren"
    database = next(t for t in tasks if "Projektdatenbank" in t.text)
    assert database.category == "Prozessorganisation"
    assert database.due is None
    assert "regiopolPaten" in tasks[4].text


def test_questions_of_mittelstand_are_due_at_the_next_workshop(protocol: ProtocolStructure) -> None:
    tasks = _tasks(protocol, MITTELSTAND)
    assert len(tasks) == 5
    main, questions = tasks[0], tasks[1:]
    assert main.text.startswith("Bis zum Termin der 2. Werkstatt (29. April)")
    assert main.due == date(2020, 4, 29)
    assert main.due_text == "Bis zum Termin der 2. Werkstatt (29. April)"
    assert all(q.is_question and q.due == date(2020, 4, 29) for q in questions)
    parent = protocol.tasks.index(main)
    assert all(q.parent == parent and q.level == 1 for q in questions)


def test_tasks_of_mobility_and_kommunen(protocol: ProtocolStructure) -> None:
    mobility = _tasks(protocol, MOBILITAET)
    assert len(mobility) == 5
    assert all(t.due is None and t.category is None for t in mobility)
    assert mobility[2].label == "Idee zur Datenerfassung"
    kommunen = _tasks(protocol, KOMMUNEN)
    assert [t.is_question for t in kommunen] == [False, True, True]
    assert {t.due for t in kommunen} == {date(2020, 4, 29)}


def test_cross_group_agreement(protocol: ProtocolStructure) -> None:
    assert len(protocol.agreements) == 1
    agreement = protocol.agreements[0]
    assert agreement.agreement
    assert agreement.group is None
    assert agreement.text.startswith("Benennung eines regiopolPaten aus jeder Kommune.")
    assert agreement.text.endswith("Bindeglied zwischen Verein und den Kommunen darstellen.")


def test_meeting_facts(protocol: ProtocolStructure) -> None:
    assert [(m.date, m.kind) for m in protocol.next_meetings] == [(date(2020, 4, 29), "Werkstatt")]
    count = protocol.participant_count
    assert count is not None
    assert (count.value, count.approx, count.text) == (50, True, "rund 50 Akteure")
    assert [m.moderator for m in protocol.moderation] == ["Prof. Rudolf Scheuvens"]
    assert protocol.moderation[0].text.startswith("Moderiert wurde die gesamte Veranstaltung")


def test_quoted_platform_idea_is_no_offer(
    doc: NormalisedDocument, protocol: ProtocolStructure
) -> None:
    assert "Ich suche..., Ich biete..." in doc.text
    assert protocol.offers_needs == ()
    assert protocol.resolutions == ()
