"""Regiopol Akademie sessions and other event notes."""

from datetime import date, time
from pathlib import Path

from ingest.normalise import normalise
from ingest.readers import read_document
from ingest.records import NormalisedDocument
from ingest.structure import EventStructure, detect_kind, parse_structure

MARKDOWN = """\
# Regiopol Akademie: Kommunale Wärmeplanung in der Praxis

Termin: Donnerstag, 14. März 2024, 10:00–11:00 Uhr
Format: digital (Webex)
Referentin: Dr. Miriam Kowalski, Klimaschutzmanagerin der Stadt Herford
Themen: Wärmeplanung, Klimaschutz; Energie
Veranstalter: Regiopolregion Bielefeld
Partner: Regiopolregion Paderborn, NRW.Energy4Climate
Anmeldung: bis 10. März 2024 per E-Mail an akademie@example.org

Die Stadt Herford stellte ihren Weg zur kommunalen Wärmeplanung vor.

Im Anschluss diskutierten 25 Teilnehmende über Datenbeschaffung und Beteiligung.
"""

TEXT = """\
Regiopol Akademie

Starkregenvorsorge in kleinen Kommunen

Datum: 05.06.2024
Uhrzeit: 14:00 - 15:00 Uhr
Ort: Rathaus Bünde, Eschstraße 15, 32257 Bünde (hybrid)

Referierende:

- Jan Probe – Stadtentwässerung Bünde
- Katrin Test (Kreis Herford)

Zusammenfassung

Die Referierenden zeigten Karten und Förderwege.
"""


def _read(tmp_path: Path, name: str, text: str) -> NormalisedDocument:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return normalise(read_document(path, tmp_path))


def _event(tmp_path: Path, name: str, text: str) -> tuple[NormalisedDocument, EventStructure]:
    doc = _read(tmp_path, name, text)
    assert detect_kind(doc) == "event"
    parsed = parse_structure(doc, "event")
    assert isinstance(parsed, EventStructure)
    return doc, parsed


def test_akademie_session(tmp_path: Path) -> None:
    doc, event = _event(tmp_path, "akademie.md", MARKDOWN)
    assert event.title == "Regiopol Akademie: Kommunale Wärmeplanung in der Praxis"
    assert event.date == date(2024, 3, 14)
    assert event.date_span is not None
    assert doc.text[slice(*event.date_span)] == "Donnerstag, 14. März 2024"
    assert (event.starts_at, event.ends_at) == (time(10, 0), time(11, 0))
    assert event.format == "digital"
    assert event.format_text is not None
    assert event.format_text.text == "digital (Webex)"


def test_speakers_topics_and_partners(tmp_path: Path) -> None:
    doc, event = _event(tmp_path, "akademie.md", MARKDOWN)
    (speaker,) = event.speakers
    assert speaker.label == "Referentin"
    assert speaker.text == "Dr. Miriam Kowalski, Klimaschutzmanagerin der Stadt Herford"
    assert (speaker.name, speaker.affiliation) == (
        "Dr. Miriam Kowalski",
        "Klimaschutzmanagerin der Stadt Herford",
    )
    assert doc.text[speaker.start : speaker.end] == speaker.text
    assert [t.text for t in event.topics] == ["Wärmeplanung", "Klimaschutz", "Energie"]
    assert event.organiser is not None
    assert event.organiser.text == "Regiopolregion Bielefeld"
    assert [p.text for p in event.partners] == ["Regiopolregion Paderborn", "NRW.Energy4Climate"]
    assert event.registration is not None
    assert event.registration.text.startswith("bis 10. März 2024")
    assert [s.text[:20] for s in event.summary] == ["Die Stadt Herford st", "Im Anschluss diskuti"]


def test_plain_text_event_with_speaker_list(tmp_path: Path) -> None:
    _, event = _event(tmp_path, "akademie.txt", TEXT)
    assert event.title == "Starkregenvorsorge in kleinen Kommunen"  # the series name yields
    assert event.date == date(2024, 6, 5)
    assert (event.starts_at, event.ends_at) == (time(14, 0), time(15, 0))
    assert event.format == "hybrid"
    assert event.place is not None
    assert (event.place.postal_code, event.place.street) == ("32257", "Eschstraße 15")
    assert [(s.name, s.affiliation) for s in event.speakers] == [
        ("Jan Probe", "Stadtentwässerung Bünde"),
        ("Katrin Test", "Kreis Herford"),
    ]
    assert [s.text for s in event.summary] == ["Die Referierenden zeigten Karten und Förderwege."]
