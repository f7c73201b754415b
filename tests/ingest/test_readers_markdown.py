"""The Markdown reader: front matter, blocks, and ids from the path when there is none."""

from pathlib import Path

from ingest.normalise import normalise
from ingest.readers.frontmatter import DOC_ID_PATTERN
from tests.ingest.reader_checks import assert_offsets, read_sample

MARKDOWN = """---
id: werkstatt-2019-12
title: Werkstatt der regiopolREGION
date: 2019-12-18
kind: protocol
source_url: https://example.org/werkstatt
municipality: Paderborn
tags: [Mobilität, Wohnen]
speakers:
  - Rudolf Scheuvens
  - name: Annette Nothnagel
    organisation: OstWestfalenLippe GmbH
geheim: nicht vertrauenswürdig
---
# Ergebnisse

Ein Absatz mit [Link](https://example.org) und **fett**.

## Mobilität

- Radverkehr
  - Radschnellweg
    - Abschnitt Nord
- ÖPNV

1. Erstens

| Kommune | Thema |
|---------|-------|
| Borchen | E-Auto |

```
code bleibt Text
```
"""


def test_markdown_front_matter_and_blocks(tmp_path: Path) -> None:
    doc = read_sample(tmp_path, "protokolle/werkstatt.md", MARKDOWN)
    assert doc.doc_id == "werkstatt-2019-12"
    assert doc.source == "https://example.org/werkstatt"
    assert doc.media_type == "text/markdown"
    assert doc.meta["date"] == "2019-12-18"
    assert doc.meta["kind"] == "protocol"
    assert doc.meta["municipality"] == ["Paderborn"]
    assert doc.meta["tags"] == ["Mobilität", "Wohnen"]
    assert doc.meta["speakers"][1] == {
        "name": "Annette Nothnagel",
        "organisation": "OstWestfalenLippe GmbH",
    }
    assert doc.meta["extra"] == {"geheim": "nicht vertrauenswürdig"}
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Ergebnisse"),
        ("paragraph", 0, "Ein Absatz mit Link und fett."),
        ("heading", 2, "Mobilität"),
        ("list_item", 0, "Radverkehr"),
        ("list_item", 1, "Radschnellweg"),
        ("list_item", 2, "Abschnitt Nord"),
        ("list_item", 0, "ÖPNV"),
        ("list_item", 0, "Erstens"),
        ("table_row", 0, "Kommune | Thema"),
        ("table_row", 0, "Borchen | E-Auto"),
        ("paragraph", 0, "code bleibt Text"),
    ]
    normalised = normalise(doc)
    assert_offsets(normalised)
    assert "Radverkehr\nRadschnellweg\nAbschnitt Nord\nÖPNV" in normalised.text


def test_markdown_protocol_bullets_keep_their_level(tmp_path: Path) -> None:
    doc = read_sample(tmp_path, "p.md", "- + Oben eins\n- + Oben zwei\n  - + Unten\n")
    assert [(b.level, b.text) for b in doc.blocks] == [
        (0, "Oben eins"),
        (0, "Oben zwei"),
        (1, "Unten"),
    ]


def test_markdown_without_front_matter_gets_path_id(tmp_path: Path) -> None:
    doc = read_sample(tmp_path, "Protokolle 2019/Straßen Übersicht.md", "Text ohne Kopf.\n")
    assert doc.doc_id == "protokolle-2019--strassen-uebersicht.md"
    assert doc.source == "Protokolle 2019/Straßen Übersicht.md"
    assert doc.meta == {}


def test_unicode_and_long_names_give_valid_ids(tmp_path: Path) -> None:
    ids = {
        read_sample(tmp_path, name, "Text.\n").doc_id
        for name in ["פרוטוקול.txt", "Protokoll?.txt", "Protokoll!.txt", "x" * 200 + ".txt"]
    }
    assert len(ids) == 4
    assert all(DOC_ID_PATTERN.fullmatch(doc_id) for doc_id in ids)
