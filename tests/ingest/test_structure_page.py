"""Pages and news items: title, date, headings, paragraphs."""

from datetime import date
from pathlib import Path

from ingest.normalise import normalise
from ingest.readers import read_document
from ingest.records import NormalisedDocument
from ingest.structure import PageStructure, parse_structure

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

NEWS = """\
---
title: Neue Radwege in der Regiopolregion
date: 2024-05-12
---

# Neue Radwege in der Regiopolregion

Stand: 12.05.2024

Die Partnerkommunen haben neue Radwege eröffnet.

## Hintergrund

Der Radverkehr soll bis 2030 verdoppelt werden.
"""


def _page(doc: NormalisedDocument) -> PageStructure:
    parsed = parse_structure(doc, "page")
    assert isinstance(parsed, PageStructure)
    return parsed


def test_markdown_news(tmp_path: Path) -> None:
    path = tmp_path / "news.md"
    path.write_text(NEWS, encoding="utf-8")
    doc = normalise(read_document(path, tmp_path))
    page = _page(doc)
    assert page.title == "Neue Radwege in der Regiopolregion"
    assert page.date == date(2024, 5, 12)
    assert [(h.text, h.level) for h in page.headings] == [("Hintergrund", 2)]
    assert [p.text for p in page.paragraphs] == [
        "Stand: 12.05.2024",
        "Die Partnerkommunen haben neue Radwege eröffnet.",
        "Der Radverkehr soll bis 2030 verdoppelt werden.",
    ]
    for item in (*page.headings, *page.paragraphs):
        assert doc.text[item.start : item.end] == item.text


def test_seed_page_headings() -> None:
    doc = normalise(read_document(SEEDS / "000_8d066401b9da103d.txt", SEEDS))
    page = _page(doc)
    assert page.title == "Wie wir arbeiten"
    assert page.title_span == (0, len("Wie wir arbeiten"))
    headings = [h.text for h in page.headings]
    assert "Steuerungskreis der Regiopolregion" in headings
    assert "Bereich Mobilität" in headings
    assert page.date is None
    assert any(
        p.text.startswith("Der Steuerungskreis ist das zentrale Gremium") for p in page.paragraphs
    )


def test_seed_notice_date_from_first_lines() -> None:
    doc = normalise(read_document(SEEDS / "004_ae2a2a8725a018bf.txt", SEEDS))
    page = _page(doc)
    assert page.title == "Mitteilung"
    assert page.date == date(2023, 10, 25)
    assert page.date_span is not None
    assert doc.text[slice(*page.date_span)] == "25.10.2023"
