"""Project descriptions: "Feld: Wert" lines, Markdown headings, contact lists and tables."""

from datetime import date
from pathlib import Path

from ingest.normalise import normalise
from ingest.readers import read_document
from ingest.records import NormalisedDocument
from ingest.structure import ProjectStructure, detect_kind, parse_structure

FIELD_LINES = """\
---
title: Projektdatenbank – Klimafreundliche Verwaltung
---

# Klimafreundliche Verwaltung

Projekttitel: Klimafreundliche Verwaltung Verl
Kommune(n): Stadt Verl, Stadt Herford und Gemeinde Schloß Holte-Stukenbrock
Ansprechpartner:in: Dr. Anna Beispiel, Klimaschutzmanagerin, anna.beispiel@verl.de, 05246 961-123
Status: in Umsetzung
Zeitraum: 03/2023 – 12/2024
Themen: Klimaschutz, Energie; Verwaltung

## Ziele

- CO2-Ausstoß der Verwaltung bis 2030 halbieren
- Mitarbeitende für Energiesparen sensibilisieren

## Umsetzung

Die Stadt hat ein Energiemanagement eingeführt und Dienstfahrräder angeschafft.

## Aufgetretene Probleme

- Lieferengpässe bei Dienstfahrrädern
- Datenschutzfragen beim Energiemonitoring

## Weitere Kontakte

| Name | Rolle | E-Mail | Telefon |
|------|-------|--------|---------|
| Jan Probe | Umweltamt Herford | j.probe@herford.de | +49 5221 189-0 |
| Katrin Test | Energieberatung | katrin.test@example.org | 0521 51-1234 |
"""

HEADINGS = """\
# Radverkehrskonzept Bünde

Status: abgeschlossen

Laufzeit: seit 2022

## Ansprechpartner

- Name: Jan Probe
- Rolle: Mobilitätsmanager
- E-Mail: jan.probe@buende.de
- Telefon: 05223 161-0

## Stolpersteine

Die Abstimmung mit dem Kreis dauerte länger als geplant.

## Herausforderungen

- Flächenkonkurrenz an Hauptstraßen
"""


def _read(tmp_path: Path, name: str, text: str) -> NormalisedDocument:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return normalise(read_document(path, tmp_path))


def _project(tmp_path: Path, text: str) -> tuple[NormalisedDocument, ProjectStructure]:
    doc = _read(tmp_path, "projekt.md", text)
    assert detect_kind(doc) == "project"
    parsed = parse_structure(doc, "project")
    assert isinstance(parsed, ProjectStructure)
    return doc, parsed


def test_field_lines(tmp_path: Path) -> None:
    doc, project = _project(tmp_path, FIELD_LINES)
    assert project.title == "Klimafreundliche Verwaltung Verl"
    assert project.title_span is not None
    assert doc.text[slice(*project.title_span)] == project.title
    assert [m.text for m in project.municipalities] == [
        "Stadt Verl",
        "Stadt Herford",
        "Gemeinde Schloß Holte-Stukenbrock",
    ]
    assert project.status == "running"
    assert project.status_text is not None
    assert project.status_text.text == "in Umsetzung"
    assert project.period is not None
    assert (project.period.begins, project.period.ends) == (date(2023, 3, 1), date(2024, 12, 31))
    assert [t.text for t in project.topics] == ["Klimaschutz", "Energie", "Verwaltung"]


def test_sections_under_headings(tmp_path: Path) -> None:
    doc, project = _project(tmp_path, FIELD_LINES)
    assert [g.text for g in project.goals] == [
        "CO2-Ausstoß der Verwaltung bis 2030 halbieren",
        "Mitarbeitende für Energiesparen sensibilisieren",
    ]
    assert [i.text for i in project.implementation] == [
        "Die Stadt hat ein Energiemanagement eingeführt und Dienstfahrräder angeschafft."
    ]
    assert [p.text for p in project.problems] == [
        "Lieferengpässe bei Dienstfahrrädern",
        "Datenschutzfragen beim Energiemonitoring",
    ]
    for item in (*project.goals, *project.problems, *project.municipalities, *project.topics):
        assert doc.text[item.start : item.end] == item.text


def test_contacts_from_line_and_table(tmp_path: Path) -> None:
    doc, project = _project(tmp_path, FIELD_LINES)
    contacts = {c.name: c for c in project.contacts}
    assert set(contacts) == {"Dr. Anna Beispiel", "Jan Probe", "Katrin Test"}
    anna = contacts["Dr. Anna Beispiel"]
    assert (anna.role, anna.email, anna.phone) == (
        "Klimaschutzmanagerin",
        "anna.beispiel@verl.de",
        "05246 961-123",
    )
    jan = contacts["Jan Probe"]
    assert (jan.role, jan.email, jan.phone) == (
        "Umweltamt Herford",
        "j.probe@herford.de",
        "+49 5221 189-0",
    )
    assert contacts["Katrin Test"].phone == "0521 51-1234"
    for contact in project.contacts:
        assert " ".join(doc.text[contact.start : contact.end].split()) == contact.text


def test_heading_format_with_contact_sub_list(tmp_path: Path) -> None:
    _doc, project = _project(tmp_path, HEADINGS)
    assert project.title == "Radverkehrskonzept Bünde"
    assert project.status == "completed"
    assert project.period is not None
    assert (project.period.begins, project.period.ends) == (date(2022, 1, 1), None)
    assert project.period.ongoing
    (contact,) = project.contacts
    assert (contact.name, contact.role) == ("Jan Probe", "Mobilitätsmanager")
    assert (contact.email, contact.phone) == ("jan.probe@buende.de", "05223 161-0")
    assert contact.text.startswith("Name: Jan Probe")
    assert [p.text for p in project.problems] == [
        "Die Abstimmung mit dem Kreis dauerte länger als geplant.",
        "Flächenkonkurrenz an Hauptstraßen",
    ]


def test_status_words() -> None:
    from ingest.structure.project import normalise_status

    assert normalise_status("Idee") == "idea"
    assert normalise_status("in Planung") == "planned"
    assert normalise_status("in Umsetzung") == "running"
    assert normalise_status("abgeschlossen (2023)") == "completed"
    assert normalise_status("unbekannt") is None
