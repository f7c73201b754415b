"""The Markdown meeting protocol format, and protocols whose reader kept list markers."""

from datetime import date, time
from pathlib import Path

import pytest

from ingest.normalise import normalise
from ingest.readers import read_document
from ingest.records import Block, NormalisedDocument, SourceDocument
from ingest.structure import ProtocolStructure, detect_kind, parse_structure

MARKDOWN = """\
---
title: Protokoll der 3. Sitzung der AG Klimaschutz
date: 2025-01-15
---

# Protokoll der 3. Sitzung der AG Klimaschutz

Ort: Rathaus Verl, Paderborner Straße 5-9, 33415 Verl
Uhrzeit: 14:00–16:30 Uhr
Moderation: Frau Petra Muster (Regiopolregion)

## Teilnehmende

- Frau Dr. Anna Beispiel (Stadt Verl, Klimaschutzmanagerin)
- Herr Jan Probe (Stadt Herford, Umweltamt)
- Katrin Test (Kreis Gütersloh)

## TOP 1: Begrüßung und Protokoll

Frau Muster begrüßt die 12 Teilnehmenden.

Beschluss: Das Protokoll der 2. Sitzung wird ohne Änderungen angenommen.

## TOP 2: Kommunale Wärmeplanung

Die Stadt Verl berichtet über den Stand der Wärmeplanung.

Ergebnis: Ein gemeinsamer Leitfaden wird erarbeitet.

## Nächste Schritte

- Entwurf des Leitfadens erstellen (verantwortlich: Stadt Herford, bis 30.06.2025)
- Daten zur Wärmeplanung sammeln (verantwortlich: Kreis Gütersloh)
  - Welche Daten liefern die Stadtwerke?

## Ich biete / Ich suche

- Ich biete: Mustervorlagen für die Ausschreibung der Wärmeplanung (Stadt Verl)
- Stadt Herford: Ich suche: Erfahrungen mit Bürgerbeteiligung bei Windenergie
- Die Plattform soll später Einträge wie "Ich biete: ..." sammeln.

Nächste Sitzung: 12.03.2025
"""


def _read(tmp_path: Path, name: str, text: str) -> NormalisedDocument:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return normalise(read_document(path, tmp_path))


@pytest.fixture
def protocol(tmp_path: Path) -> ProtocolStructure:
    doc = _read(tmp_path, "protokoll.md", MARKDOWN)
    assert detect_kind(doc) == "protocol"
    parsed = parse_structure(doc, "protocol")
    assert isinstance(parsed, ProtocolStructure)
    return parsed


def test_header_from_front_matter_and_field_lines(protocol: ProtocolStructure) -> None:
    assert protocol.title == "Protokoll der 3. Sitzung der AG Klimaschutz"
    assert protocol.title_span is None
    assert protocol.date == date(2025, 1, 15)
    assert (protocol.starts_at, protocol.ends_at) == (time(14, 0), time(16, 30))
    assert protocol.place is not None
    assert (protocol.place.name, protocol.place.street) == (
        "Rathaus Verl",
        "Paderborner Straße 5-9",
    )
    assert (protocol.place.postal_code, protocol.place.city) == ("33415", "Verl")
    assert [m.moderator for m in protocol.moderation] == ["Frau Petra Muster (Regiopolregion)"]


def test_participants_are_raw_person_lines(protocol: ProtocolStructure) -> None:
    texts = [p.text for p in protocol.participants]
    assert texts[0] == "Frau Dr. Anna Beispiel (Stadt Verl, Klimaschutzmanagerin)"
    assert len(texts) == 3
    assert all(p.looks_like_person for p in protocol.participants)
    assert protocol.participant_count is not None
    assert protocol.participant_count.value == 12
    assert not protocol.participant_count.approx


def test_top_items_and_resolutions(protocol: ProtocolStructure) -> None:
    assert [(a.number, a.title) for a in protocol.agenda] == [
        ("1", "Begrüßung und Protokoll"),
        ("2", "Kommunale Wärmeplanung"),
    ]
    assert [(r.kind, r.agenda_item) for r in protocol.resolutions] == [
        ("decision", "Begrüßung und Protokoll"),
        ("result", "Kommunale Wärmeplanung"),
    ]
    assert protocol.resolutions[1].content == "Ein gemeinsamer Leitfaden wird erarbeitet."


def test_next_steps_with_assignee_and_due_date(protocol: ProtocolStructure) -> None:
    first, second, question = protocol.tasks
    assert (first.assignee, first.due) == ("Stadt Herford", date(2025, 6, 30))
    assert first.due_text == "bis 30.06.2025"
    assert (second.assignee, second.due) == ("Kreis Gütersloh", None)
    assert question.parent == 1
    assert question.is_question
    assert question.assignee == "Kreis Gütersloh"


def test_offers_needs_and_next_meeting(protocol: ProtocolStructure) -> None:
    assert [(o.kind, o.what, o.who) for o in protocol.offers_needs] == [
        ("offer", "Mustervorlagen für die Ausschreibung der Wärmeplanung", "Stadt Verl"),
        ("need", "Erfahrungen mit Bürgerbeteiligung bei Windenergie", "Stadt Herford"),
    ]
    assert [(m.date, m.kind) for m in protocol.next_meetings] == [(date(2025, 3, 12), "Sitzung")]


def _marker_doc(paragraphs: list[tuple[str, str, int]]) -> NormalisedDocument:
    """A document as a reader that keeps "- +" markers and line breaks would hand it over."""
    blocks = tuple(Block(kind, text, level) for kind, text, level in paragraphs)  # type: ignore[arg-type]
    spans, cursor = [], 0
    for block in blocks:
        spans.append((cursor, cursor + len(block.text)))
        cursor += len(block.text) + 2
    source = SourceDocument(Path("p.txt"), "p", "0", "p.txt", {}, blocks, "text/plain")
    text = "\n\n".join(block.text for block in blocks)
    return NormalisedDocument(source=source, text=text, sections=(), block_spans=tuple(spans))


def test_markers_and_wrapped_lines_kept_by_the_reader() -> None:
    doc = _marker_doc(
        [
            ("paragraph", "Protokoll zur Werkstatt am 18. Dezember 2019", 0),
            ("paragraph", 'ARBEITSGRUPPE "DIE NEUE MOBILITÄT"', 0),
            ("paragraph", "→ Vorläufiger Arbeitsauftrag", 0),
            ("list_item", "- + Bis zum 29. April sollen\n   folgende Fragen geklärt werden:", 0),
            ("list_item", " - + Wer macht mit?", 1),
            ("paragraph", "Das nächste Werkstatt-Treffen ist am 29. April 2020.", 0),
        ]
    )
    parsed = parse_structure(doc, "protocol")
    assert isinstance(parsed, ProtocolStructure)
    assert [g.name for g in parsed.working_groups] == ["Die neue Mobilität"]
    main, question = parsed.tasks
    assert main.text == "Bis zum 29. April sollen folgende Fragen geklärt werden:"
    assert doc.text[main.start : main.start + 3] == "Bis"
    assert (main.due, question.due) == (date(2020, 4, 29), date(2020, 4, 29))
    assert question.text == "Wer macht mit?"
    assert question.parent == 0


def test_participant_field_and_head_count(tmp_path: Path) -> None:
    text = (
        "# Sitzung Steuerungskreis\n\nDatum: 12.02.2025\n"
        "Teilnehmende: Frau A. Muster (Stadt Verl); Herr B. Probe (Stadt Herford)\n"
        "Teilnehmende: 35\n"
    )
    parsed = parse_structure(_read(tmp_path, "sitzung.md", text), "protocol")
    assert isinstance(parsed, ProtocolStructure)
    assert parsed.date == date(2025, 2, 12)
    assert [p.text for p in parsed.participants] == [
        "Frau A. Muster (Stadt Verl)",
        "Herr B. Probe (Stadt Herford)",
    ]
    assert parsed.participant_count is not None
    assert (parsed.participant_count.value, parsed.participant_count.approx) == (35, False)
