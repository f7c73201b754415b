"""Normalising blocks: the text, separators, offsets and section heading paths."""

from pathlib import Path

import pytest

from ingest.normalise import normalise
from ingest.records import Block, SourceDocument
from tests.ingest.reader_checks import assert_offsets


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
