"""Each reader turns a well-formed file into the right blocks, metadata and ids."""

import hashlib
import itertools
import shutil
from pathlib import Path

import pytest

from ingest.normalise import normalise, normalise_block_text
from ingest.readers import read_document
from ingest.readers.frontmatter import DOC_ID_PATTERN
from ingest.records import Block, NormalisedDocument, SourceDocument
from tests.ingest.bad_inputs import make_docx, make_pdf

SEED_002 = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "002_04082e3a3c9b2262.txt"
AG_QUARTIER = 'ARBEITSGRUPPE "DAS NEUE STADT LAND QUARTIER"'
ARROW = "→ Vorläufiger Arbeitsauftrag"

PROTOCOL_EXCERPT = f"""PROTOKOLL ZUR WERKSTATT AM 18. DEZEMBER 2019

Datum: Mittwoch, 18. Dezember 2019

ABLAUF:

9.30 Uhr Zusammenkommen

{AG_QUARTIER}

[Thematische Schwerpunkte des Aktionsfeldes]

- + Lebendige und integrierte Quartiersentwicklung
- + Gesundheitsversorgung, Rehabilitation und Prävention

Siedlungsentwicklung

- + Die Bandbreite zwischen verdichteten Räumen und Wohnungsnot
 ein Ausgleich der Siedlungsentwicklung ist herzustellen.
 - + Ziel dabei muss es sein, Innenentwicklung voranzutreiben.
 • Dritte Ebene mit anderem Zeichen
+ Wieder oben.

{ARROW}

Prozessorganisation:

- + Wissen generieren: Erfassung der IST-Situation.

ARBEITSGRUPPENÜBERGREIFENDE VEREINBARUNG:

+\tBenennung eines regiopolPaten aus jeder Kommune. Sie dienen als zentrale Kontaktstelle für den
\tVorstand des Vereins.
"""


def _write(root: Path, name: str, data: bytes | str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _read(root: Path, name: str, data: bytes | str) -> SourceDocument:
    return read_document(_write(root, name, data), root)


def assert_offsets(normalised: NormalisedDocument) -> None:
    """Every block span and section boundary points at exactly the normalised block text."""
    text = normalised.text
    assert len(normalised.block_spans) == len(normalised.source.blocks)
    for block, (start, end) in zip(normalised.source.blocks, normalised.block_spans, strict=True):
        assert text[start:end] == normalise_block_text(block.text)
    starts = {start for start, end in normalised.block_spans if end > start}
    ends = {end for start, end in normalised.block_spans if end > start}
    for section in normalised.sections:
        assert section.start in starts
        assert section.end in ends
    bounds = [(section.start, section.end) for section in normalised.sections]
    assert bounds == sorted(bounds)
    assert all(a_end < b_start for (_, a_end), (b_start, _) in itertools.pairwise(bounds))


def _find(blocks: tuple[Block, ...], prefix: str) -> Block:
    return next(block for block in blocks if block.text.startswith(prefix))


# --- plain text ----------------------------------------------------------------------------


def test_protocol_excerpt_structure(tmp_path: Path) -> None:
    doc = _read(tmp_path, "werkstatt.txt", PROTOCOL_EXCERPT)
    blocks = doc.blocks
    headings = [(block.level, block.text) for block in blocks if block.kind == "heading"]
    assert headings == [
        (1, "PROTOKOLL ZUR WERKSTATT AM 18. DEZEMBER 2019"),
        (1, "ABLAUF:"),
        (1, AG_QUARTIER),
        (2, "Siedlungsentwicklung"),
        (2, ARROW),
        (1, "ARBEITSGRUPPENÜBERGREIFENDE VEREINBARUNG:"),
    ]
    assert _find(blocks, "Datum:").kind == "paragraph"
    assert _find(blocks, "Prozessorganisation:").kind == "paragraph"
    assert _find(blocks, "[Thematische").kind == "paragraph"
    items = [block for block in blocks if block.kind == "list_item"]
    expected = [
        (0, "Lebendige und integriert"),
        (0, "Gesundheitsversorgung, R"),
        (0, "Die Bandbreite zwischen v"),
        (1, "Ziel dabei muss es sein, "),
        (1, "Dritte Ebene mit anderem"),
        (0, "Wieder oben."),
        (0, "Wissen generieren: Erfas"),
        (0, "Benennung eines regiopol"),
    ]
    assert len(items) == len(expected)
    for item, (level, prefix) in zip(items, expected, strict=True):
        assert (item.level, item.text[: len(prefix)]) == (level, prefix)
    assert _find(blocks, "Die Bandbreite").text.endswith("ist herzustellen.")
    assert _find(blocks, "Benennung").text.endswith("Vorstand des Vereins.")


def test_protocol_excerpt_sections(tmp_path: Path) -> None:
    normalised = normalise(_read(tmp_path, "werkstatt.txt", PROTOCOL_EXCERPT))
    assert_offsets(normalised)
    by_text = {
        normalised.text[section.start : section.end].split("\n")[0]: section.heading_path
        for section in normalised.sections
    }
    assert by_text["Siedlungsentwicklung"] == (AG_QUARTIER, "Siedlungsentwicklung")
    assert by_text[ARROW] == (AG_QUARTIER, ARROW)
    assert by_text["ARBEITSGRUPPENÜBERGREIFENDE VEREINBARUNG:"] == (
        "ARBEITSGRUPPENÜBERGREIFENDE VEREINBARUNG:",
    )
    task = normalised.text.index("Wissen generieren")
    (section,) = [s for s in normalised.sections if s.start <= task < s.end]
    assert section.heading_path == (AG_QUARTIER, ARROW)


def test_seed_002_protocol(tmp_path: Path) -> None:
    root = tmp_path / "korpus"
    root.mkdir()
    shutil.copy(SEED_002, root / "protokoll-002.txt")
    doc = read_document(root / "protokoll-002.txt", root)
    headings = {block.text: block.level for block in doc.blocks if block.kind == "heading"}
    assert headings[AG_QUARTIER] == 1
    assert headings['ARBEITSGRUPPE "DIE NEUE MOBILITÄT"'] == 1
    assert headings["EINFÜHRUNG"] == 1
    assert headings["ABLAUF:"] == 1
    assert headings["Identität der Region"] == 2
    assert headings[ARROW] == 2
    assert sum(block.text == ARROW for block in doc.blocks) == 4
    assert _find(doc.blocks, "Eine Option zur Sicherung").level == 1
    assert _find(doc.blocks, "Im Zuge des demographischen").level == 0
    assert _find(doc.blocks, "Im Zuge des demographischen").kind == "list_item"
    assert _find(doc.blocks, "Prozessorganisation:").kind == "paragraph"
    assert doc.doc_id == "protokoll-002.txt"
    assert doc.source == "protokoll-002.txt"
    assert doc.media_type == "text/plain"
    assert doc.content_hash == hashlib.sha256(SEED_002.read_bytes()).hexdigest()
    normalised = normalise(doc)
    assert_offsets(normalised)
    assert "\n- " not in normalised.text  # bullet markers are gone, the text stays


def test_first_line_title_and_double_spaced_pdf_export(tmp_path: Path) -> None:
    text = (
        "Steuerungskreis der Regiopolregion\n"
        "Der Steuerungskreis ist das zentrale Gremium der Regiopolregion und trifft sich oft.\n"
    )
    blocks = _read(tmp_path, "a.txt", text).blocks
    assert [block.kind for block in blocks] == ["heading", "paragraph"]
    wrapped = (
        "Der Rat der Stadt Bielefeld stimmte in seiner Sitzung am 12.03.2015 dem Beitritt der\n\n"
        "Stadt zum Städtenetzwerk zu und unterzeichnete in Berlin im Jakob-Kaiser-Haus des \n\n"
        "Deutschen Bundestages die Vereinbarung als Zeichen der Zusammenarbeit mit Jakob-\n\n"
        "Kaiser und allen anderen.\n\n \n\ngez. Clausen\n"
    )
    blocks = _read(tmp_path, "b.txt", wrapped).blocks
    assert [block.kind for block in blocks] == ["paragraph", "paragraph"]
    assert "Beitritt der Stadt zum" in blocks[0].text
    assert "mit Jakob-Kaiser und" in blocks[0].text


# --- markdown -------------------------------------------------------------------------------

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
    doc = _read(tmp_path, "protokolle/werkstatt.md", MARKDOWN)
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
    doc = _read(tmp_path, "p.md", "- + Oben eins\n- + Oben zwei\n  - + Unten\n")
    assert [(b.level, b.text) for b in doc.blocks] == [
        (0, "Oben eins"),
        (0, "Oben zwei"),
        (1, "Unten"),
    ]


def test_markdown_without_front_matter_gets_path_id(tmp_path: Path) -> None:
    doc = _read(tmp_path, "Protokolle 2019/Straßen Übersicht.md", "Text ohne Kopf.\n")
    assert doc.doc_id == "protokolle-2019--strassen-uebersicht.md"
    assert doc.source == "Protokolle 2019/Straßen Übersicht.md"
    assert doc.meta == {}


def test_unicode_and_long_names_give_valid_ids(tmp_path: Path) -> None:
    ids = {
        _read(tmp_path, name, "Text.\n").doc_id
        for name in ["פרוטוקול.txt", "Protokoll?.txt", "Protokoll!.txt", "x" * 200 + ".txt"]
    }
    assert len(ids) == 4
    assert all(DOC_ID_PATTERN.fullmatch(doc_id) for doc_id in ids)


# --- html -----------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html lang="de"><head><title>Regiopol Akademie</title>
<meta name="description" content="Wissen teilen">
<script>tracking()</script><style>body{}</style></head>
<body>
<header><nav><a href="/">Start</a> <a href="/kontakt">Kontakt</a></nav></header>
<div id="cookie-consent"><p>Wir verwenden Cookies.</p><button>OK</button></div>
<div class="cc-banner">Banner-Text</div>
<main>
<article>
<header><h1>Aufbau von Wissensnetzwerken</h1></header>
<p>Die Kommunen <b>teilen</b> Wissen.</p>
Freier Text im Artikel.
<ul><li>Erstens<ul><li>Unterpunkt</li></ul></li><li><p>Zweitens</p></li></ul>
<h2>Termine</h2>
<table><tr><th>Datum</th><th>Thema</th></tr><tr><td>12.03.</td><td>Wärmeplanung</td></tr></table>
<form><label>Suche</label><input name="q"></form>
<noscript>Bitte JavaScript aktivieren.</noscript>
</article>
<aside>Weitere Artikel</aside>
</main>
<footer><p>Impressum</p></footer>
<div hidden>Versteckt</div>
</body></html>"""


def test_html_keeps_content_and_drops_chrome(tmp_path: Path) -> None:
    doc = _read(tmp_path, "akademie.html", HTML)
    assert doc.media_type == "text/html"
    assert doc.meta["title"] == "Regiopol Akademie"
    assert doc.meta["language"] == "de"
    assert doc.meta["html_meta"] == {"description": "Wissen teilen"}
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Aufbau von Wissensnetzwerken"),
        ("paragraph", 0, "Die Kommunen teilen Wissen."),
        ("paragraph", 0, "Freier Text im Artikel."),
        ("list_item", 0, "Erstens"),
        ("list_item", 1, "Unterpunkt"),
        ("list_item", 0, "Zweitens"),
        ("heading", 2, "Termine"),
        ("table_row", 0, "Datum | Thema"),
        ("table_row", 0, "12.03. | Wärmeplanung"),
    ]
    assert_offsets(normalise(doc))


def test_html_in_cp1252_with_meta_charset(tmp_path: Path) -> None:
    html = '<html><head><meta charset="windows-1252"></head><body><p>Größe „x“</p></body></html>'
    doc = _read(tmp_path, "alt.htm", html.encode("cp1252"))
    assert doc.blocks == (Block("paragraph", "Größe „x“"),)


# --- pdf ------------------------------------------------------------------------------------


def test_pdf_pages_and_title(tmp_path: Path) -> None:
    pdf = make_pdf(
        [
            ["EINLADUNG", "Die Werkstatt beginnt um 10 Uhr im Forum.", "- Begrüßung", "- Vortrag"],
            ["PROTOKOLL", "Zweite Seite mit Ergebnissen der Arbeitsgruppen."],
        ],
        title="Werkstatt 2019",
    )
    doc = _read(tmp_path, "werkstatt.pdf", pdf)
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


# --- docx -----------------------------------------------------------------------------------


def test_docx_headings_lists_and_tables(tmp_path: Path) -> None:
    doc = _read(tmp_path, "protokoll.docx", make_docx())
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


# --- normalise ------------------------------------------------------------------------------


def _doc(blocks: list[Block], **meta: object) -> SourceDocument:
    return SourceDocument(
        path=Path("x.txt"),
        doc_id="x.txt",
        content_hash="0" * 64,
        source="x.txt",
        meta=dict(meta),
        blocks=tuple(blocks),
        media_type="text/plain",
    )


def test_normalise_text_and_separators() -> None:
    doc = _doc(
        [
            Block("heading", "  Tu\u0308tel \n"),  # decomposed umlaut becomes NFC
            Block("paragraph", "Ein\u00ad Absatz\t mit\u200b  Leerraum"),
            Block("list_item", "eins"),
            Block("list_item", "zwei", level=1),
            Block("paragraph", " \n "),
            Block("table_row", "a | b"),
            Block("table_row", "c | d"),
        ]
    )
    normalised = normalise(doc)
    assert normalised.text == "Tütel\n\nEin Absatz mit Leerraum\n\neins\nzwei\n\na | b\nc | d"
    assert normalised.block_spans[4][0] == normalised.block_spans[4][1]
    assert_offsets(normalised)


@pytest.mark.parametrize(
    ("meta", "expected_root"),
    [({"title": "Werkstatt"}, ("Werkstatt",)), ({}, ())],
)
def test_sections_use_title_when_no_level_one_heading(
    meta: dict[str, object], expected_root: tuple[str, ...]
) -> None:
    doc = _doc(
        [
            Block("paragraph", "Vorspann"),
            Block("heading", "Teil A", level=2),
            Block("paragraph", "a"),
            Block("heading", "Unterteil", level=3),
            Block("list_item", "b"),
            Block("heading", "Teil B", level=2),
            Block("paragraph", "c"),
        ],
        **meta,
    )
    paths = [section.heading_path for section in normalise(doc).sections]
    assert paths == [
        expected_root,
        (*expected_root, "Teil A"),
        (*expected_root, "Teil A", "Unterteil"),
        (*expected_root, "Teil B"),
    ]


def test_title_not_used_when_a_level_one_heading_exists() -> None:
    doc = _doc([Block("heading", "Haupt", level=1), Block("paragraph", "a")], title="Titel")
    assert [s.heading_path for s in normalise(doc).sections] == [("Haupt",)]


def test_empty_document_normalises_to_nothing() -> None:
    normalised = normalise(_doc([]))
    assert normalised.text == ""
    assert normalised.sections == ()
    assert normalised.block_spans == ()
