"""``parse_structure`` never raises and every record it returns points at its own text."""

import dataclasses
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.normalise import normalise
from ingest.records import Block, NormalisedDocument, SourceDocument
from ingest.structure import detect_kind, parse_structure

KINDS = ("protocol", "project", "event", "page")
FRAGMENTS = (
    "Datum: ", "Mittwoch, 18. Dezember 2019", "Beginn: 10:00 Uhr **Ende**: 15:00 Uhr", "9.30 Uhr ",
    "10:00–11:00 Uhr", "99:99 Uhr", "31.13.2020", "29.02.2023", "29. April", "bis 29. April",
    "TOP 1: ", "ABLAUF:", "EINFÜHRUNG", 'ARBEITSGRUPPE "DIE NEUE MOBILITÄT"', "→ ", "- + ",
    " - + ", "+\t", "[Thematische Schwerpunkte]", "Vorläufiger Arbeitsauftrag", "Instrumente:",
    "ARBEITSGRUPPENÜBERGREIFENDE VEREINBARUNG:", "Ich biete: ", "Ich suche...", "Suche: ",
    "Stadt Verl: ", "Beschluss: ", "Nächste Sitzung: 12.03.2025", "Das nächste Treffen am ",
    "rund 50 Akteure", "Moderiert durch Prof. X.", "Moderation: ", "Herr ", "Frau Dr. ", "e.V.",
    "Referentin: ", "Termin: ", "Format: hybrid", "Status: in Umsetzung", "Zeitraum: 03/2023 – ",
    "seit 2022", "Ansprechpartner:in: ", "a@b.de", "+49 5221 1", "Name | Rolle | E-Mail", " | ",
    "Kommune(n): ", "Themen: ", "Ziele", "Teilnehmende", "Ort: ", "33102 Paderborn", "(", ")",
    '"', ":", ",", ";", "\n", "\t", "  ", "#", "**", "|",
)  # fmt: skip

texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=12).map(
    "".join
)
blocks = st.builds(
    Block,
    kind=st.sampled_from(("heading", "paragraph", "list_item", "table_row")),
    text=texts,
    level=st.integers(min_value=0, max_value=6),
)
metas = st.fixed_dictionaries(
    {},
    optional={
        "title": st.one_of(st.none(), st.text(max_size=20), st.integers()),
        "date": st.one_of(st.none(), st.text(max_size=12), st.dates(), st.integers()),
        "kind": st.one_of(st.sampled_from(KINDS), st.text(max_size=8)),
    },
)


def _source(block_list: list[Block], meta: dict[str, object]) -> SourceDocument:
    return SourceDocument(
        Path("fuzz.txt"), "fuzz", "0", "fuzz.txt", dict(meta), tuple(block_list), "text/plain"
    )


def _records(value: object) -> list[object]:
    found: list[object] = []
    if isinstance(value, tuple):
        for item in value:
            found.extend(_records(item))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = {f.name for f in dataclasses.fields(value)}
        if {"text", "start", "end"} <= names:
            found.append(value)
        for name in names:
            found.extend(_records(getattr(value, name)))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block_list=st.lists(blocks, max_size=25), meta=metas)
def test_parsers_never_raise_and_spans_hold(
    block_list: list[Block], meta: dict[str, object]
) -> None:
    doc = normalise(_source(block_list, meta))
    detect_kind(doc)
    for kind in KINDS:
        structure = parse_structure(doc, kind)  # type: ignore[arg-type]
        for record in _records(structure):
            start, end, text = record.start, record.end, record.text  # type: ignore[attr-defined]
            assert 0 <= start <= end <= len(doc.text)
            assert " ".join(doc.text[start:end].split()) == text
        assert getattr(structure, "date", None) is None or isinstance(structure.date, date)


@settings(max_examples=100, deadline=None)
@given(
    block_list=st.lists(blocks, max_size=15),
    text=texts,
    spans=st.lists(st.tuples(st.integers(-5, 400), st.integers(-5, 400)), max_size=20),
)
def test_inconsistent_spans_do_not_raise(
    block_list: list[Block], text: str, spans: list[tuple[int, int]]
) -> None:
    doc = NormalisedDocument(
        source=_source(block_list, {}), text=text, sections=(), block_spans=tuple(spans)
    )
    for kind in KINDS:
        parse_structure(doc, kind)  # type: ignore[arg-type]
