"""The plain-text reader: headings, list levels and wrapped lines of protocol exports."""

import hashlib
import shutil
from pathlib import Path

from ingest.normalise import normalise
from ingest.readers import read_document
from tests.ingest.reader_checks import assert_offsets, find_block, read_sample

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


def test_protocol_excerpt_structure(tmp_path: Path) -> None:
    doc = read_sample(tmp_path, "werkstatt.txt", PROTOCOL_EXCERPT)
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
    assert find_block(blocks, "Datum:").kind == "paragraph"
    assert find_block(blocks, "Prozessorganisation:").kind == "paragraph"
    assert find_block(blocks, "[Thematische").kind == "paragraph"
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
    assert find_block(blocks, "Die Bandbreite").text.endswith("ist herzustellen.")
    assert find_block(blocks, "Benennung").text.endswith("Vorstand des Vereins.")


def test_protocol_excerpt_sections(tmp_path: Path) -> None:
    normalised = normalise(read_sample(tmp_path, "werkstatt.txt", PROTOCOL_EXCERPT))
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
    assert find_block(doc.blocks, "Eine Option zur Sicherung").level == 1
    assert find_block(doc.blocks, "Im Zuge des demographischen").level == 0
    assert find_block(doc.blocks, "Im Zuge des demographischen").kind == "list_item"
    assert find_block(doc.blocks, "Prozessorganisation:").kind == "paragraph"
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
    blocks = read_sample(tmp_path, "a.txt", text).blocks
    assert [block.kind for block in blocks] == ["heading", "paragraph"]
    wrapped = (
        "Der Rat der Stadt Bielefeld stimmte in seiner Sitzung am 12.03.2015 dem Beitritt der\n\n"
        "Stadt zum Städtenetzwerk zu und unterzeichnete in Berlin im Jakob-Kaiser-Haus des \n\n"
        "Deutschen Bundestages die Vereinbarung als Zeichen der Zusammenarbeit mit Jakob-\n\n"
        "Kaiser und allen anderen.\n\n \n\ngez. Clausen\n"
    )
    blocks = read_sample(tmp_path, "b.txt", wrapped).blocks
    assert [block.kind for block in blocks] == ["paragraph", "paragraph"]
    assert "Beitritt der Stadt zum" in blocks[0].text
    assert "mit Jakob-Kaiser und" in blocks[0].text
