"""Event parser: Regiopol Akademie sessions and other event notes."""

import re
from collections.abc import Sequence
from datetime import date, time

from ingest.records import NormalisedDocument
from ingest.structure._dates import first_date, time_range
from ingest.structure._fields import FieldBlock, collect_fields, entries, first_block, keys
from ingest.structure._lines import Line, document_lines, split_items
from ingest.structure._place import parse_place
from ingest.structure.protocol import Header, parse_header
from ingest.structure.records import EventFormat, EventStructure, Speaker, TextItem

_KEYS = keys(
    ("title", r"titel|veranstaltungstitel|thema der veranstaltung"),
    ("when", r"termin|datum|wann|zeit|uhrzeit|zeitpunkt"),
    ("format", r"format|veranstaltungsformat|durchführung"),
    ("place", r"ort|veranstaltungsort|wo"),
    (
        "speakers",
        r"referent(?:in|en|innen|[:*/]in(?:nen)?)?|referierende[rn]?|vortragende[rn]?|"
        r"input(?:geber(?:in)?)?|impuls(?:geber(?:in)?)?|speaker|mit",
    ),
    ("topics", r"themen?|schwerpunkte?|schlagw(?:o|ö)rte|stichw(?:o|ö)rte"),
    ("organiser", r"veranstalter(?:in)?|ausrichter(?:in)?|organisation|organisiert von"),
    ("partners", r"partner(?:innen)?|kooperationspartner(?:innen)?|in kooperation mit"),
    ("registration", r"anmeldung|anmeldeschluss|registrierung"),
    ("summary", r"zusammenfassung|inhalt|beschreibung|rückblick|ergebnisse|kurzbeschreibung"),
)
_FORMATS: tuple[tuple[EventFormat, re.Pattern[str]], ...] = (
    ("hybrid", re.compile(r"\bhybrid", re.I)),
    ("digital", re.compile(r"digital|online|virtuell|webex|zoom|teams|videokonferenz", re.I)),
    ("presence", re.compile(r"präsenz|vor ort|persönlich", re.I)),
)
_SERIES = re.compile(r"(?:die\s+)?(?:digitale\s+)?regiopol[- ]?akademie", re.I)
_SPEAKER_SPLIT = re.compile(r";")
_NAME_END = re.compile(r",|\s[–—-]\s|\s\(")


def parse_event(doc: NormalisedDocument) -> EventStructure:
    """Everything an event note carries; missing fields stay None or empty."""
    lines = document_lines(doc, _KEYS.splitter)
    blocks, rest = collect_fields(lines, _KEYS)
    header = parse_header(doc, lines)
    title, title_span = _title(header, blocks)
    title_lines = {span[0] for span in (title_span, header.title_span) if span is not None}
    if header.subtitle is not None:
        title_lines.add(header.subtitle.start)
    day, day_span, starts_at, ends_at = _when(blocks, header.day, header.day_span)
    format_item = _first_item(blocks, "format")
    place_item = _first_item(blocks, "place")
    return EventStructure(
        title=title,
        title_span=title_span,
        date=day,
        date_span=day_span,
        starts_at=starts_at or header.starts_at,
        ends_at=ends_at or header.ends_at,
        format=_format(format_item, place_item),
        format_text=format_item,
        place=parse_place(place_item) if place_item else None,
        speakers=tuple(_all_speakers(blocks)),
        topics=tuple(_split(entries(blocks, "topics"))),
        organiser=_first_item(blocks, "organiser"),
        partners=tuple(_split(entries(blocks, "partners"))),
        registration=_first_item(blocks, "registration"),
        summary=tuple(_summary(blocks, rest, title_lines)),
    )


def _title(
    header: Header, blocks: Sequence[FieldBlock]
) -> tuple[str | None, tuple[int, int] | None]:
    """A "Titel:" field, else the first line; a bare series name yields to the line below it."""
    block = first_block(blocks, "title")
    if block is not None and block.entries:
        entry = block.entries[0]
        return entry.text, (entry.start, entry.end)
    if header.title and _SERIES.fullmatch(header.title) and header.subtitle is not None:
        return header.subtitle.text, (header.subtitle.start, header.subtitle.end)
    return header.title, header.title_span


def _first_item(blocks: Sequence[FieldBlock], key: str) -> TextItem | None:
    found = entries(blocks, key)
    return found[0].item() if found else None


def _when(
    blocks: Sequence[FieldBlock], day: date | None, day_span: tuple[int, int] | None
) -> tuple[date | None, tuple[int, int] | None, time | None, time | None]:
    """Date and times from the "Termin:" field ("Donnerstag, 14. März 2024, 10:00–11:00 Uhr")."""
    for line in entries(blocks, "when"):
        starts_at, ends_at = time_range(line.raw)
        hit = first_date(line.raw)
        if hit is not None:
            return hit.value, (line.start + hit.start, line.start + hit.end), starts_at, ends_at
        if starts_at is not None:
            return day, day_span, starts_at, ends_at
    return day, day_span, None, None


def _format(format_item: TextItem | None, place_item: TextItem | None) -> EventFormat | None:
    for item in (format_item, place_item):
        if item is None:
            continue
        found = next((kind for kind, pattern in _FORMATS if pattern.search(item.text)), None)
        if found is not None:
            return found
    return None


def _all_speakers(blocks: Sequence[FieldBlock]) -> list[Speaker]:
    return [
        speaker
        for block in blocks
        if block.key == "speakers"
        for line in block.entries
        for speaker in _speakers(line, block.label)
    ]


def _speakers(line: Line, label: str) -> list[Speaker]:
    """One speaker per ";"-separated part; name and affiliation split at the first comma."""
    speakers: list[Speaker] = []
    for part in split_items(line, 0, len(line.raw), _SPEAKER_SPLIT):
        cut = _NAME_END.search(part.text)
        name = part.text[: cut.start()].strip() if cut else part.text
        affiliation = part.text[cut.end() :].strip(" ()") if cut else None
        speakers.append(
            Speaker(
                part.text,
                part.start,
                part.end,
                label=label,
                name=name or None,
                affiliation=affiliation or None,
            )
        )
    return speakers


def _split(lines: Sequence[Line]) -> list[TextItem]:
    return [item for line in lines for item in split_items(line, 0, len(line.raw))]


def _summary(
    blocks: Sequence[FieldBlock], rest: Sequence[Line], title_lines: set[int]
) -> list[TextItem]:
    """The summary field plus the free paragraphs (not the title lines, not headings)."""
    summary = [entry.item() for entry in entries(blocks, "summary")]
    taken = {item.start for item in summary} | title_lines
    free = [line.item() for line in rest if not line.heading and not line.table]
    return summary + [item for item in free if item.start not in taken]
