"""The PDF and DOCX readers: pages, titles, heading and list styles, tables."""

from pathlib import Path

from ingest.normalise import normalise
from tests.ingest.bad_inputs import make_docx, make_pdf
from tests.ingest.reader_checks import assert_offsets, read_sample


def test_pdf_pages_and_title(tmp_path: Path) -> None:
    pdf = make_pdf(
        [
            ["EINLADUNG", "Die Werkstatt beginnt um 10 Uhr im Forum.", "- Begrüßung", "- Vortrag"],
            ["PROTOKOLL", "Zweite Seite mit Ergebnissen der Arbeitsgruppen."],
        ],
        title="Werkstatt 2019",
    )
    doc = read_sample(tmp_path, "werkstatt.pdf", pdf)
    assert doc.media_type == "application/pdf"
    assert doc.meta["title"] == "Werkstatt 2019"
    assert [(b.kind, b.page, b.text) for b in doc.blocks] == [
        ("heading", 1, "EINLADUNG"),
        ("paragraph", 1, "Die Werkstatt beginnt um 10 Uhr im Forum."),
        ("list_item", 1, "Begrüßung"),
        ("list_item", 1, "Vortrag"),
        ("heading", 2, "PROTOKOLL"),
        ("paragraph", 2, "Zweite Seite mit Ergebnissen der Arbeitsgruppen."),
    ]
    normalised = normalise(doc)
    assert_offsets(normalised)
    assert [(s.heading_path, s.page) for s in normalised.sections] == [
        (("EINLADUNG",), 1),
        (("PROTOKOLL",), 2),
    ]


def test_docx_headings_lists_and_tables(tmp_path: Path) -> None:
    doc = read_sample(tmp_path, "protokoll.docx", make_docx())
    assert doc.meta["title"] == "Protokoll Werkstatt"
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Arbeitsgruppe Mobilität"),
        ("paragraph", 0, "Ergebnisse der Arbeitsphase."),
        ("list_item", 0, "Radverkehr stärken"),
        ("list_item", 1, "Radschnellweg Paderborn"),
        ("list_item", 2, "Direkt nummeriert"),
        ("heading", 2, "Teilnehmende"),
        ("table_row", 0, "Name | Kommune"),
        ("table_row", 0, "Jürgen Geisler | Paderborn"),
        ("table_row", 0, "Verbundene Zelle"),
    ]
    assert_offsets(normalise(doc))
