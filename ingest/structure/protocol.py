"""Protocol parser: workshop protocols (seed format) and the Markdown meeting protocols.

The header gives title, date, times and place; the agenda, the outline (sections, working groups,
tasks, agreements, participants, offers/needs) and the running-text facts (next meetings, head
count, moderation, resolutions) come from the private modules beside this one.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from ingest.records import NormalisedDocument
from ingest.structure._agenda import parse_agenda
from ingest.structure._dates import clock, coerce_date, first_date, time_range
from ingest.structure._lines import (
    Field,
    Line,
    block_spans,
    document_lines,
    field,
    is_caps,
    label_splitter,
)
from ingest.structure._meetings import (
    DateContext,
    moderations,
    next_meetings,
    participant_count,
    resolutions,
)
from ingest.structure._outline import parse_outline
from ingest.structure._place import parse_place
from ingest.structure.records import Place, ProtocolStructure, TextItem

_HEADER_SCAN = 40
_TITLE_LINES = 6
_DATE_LABEL = re.compile(r"(?:datum|termin|sitzungsdatum|tag|wann)", re.I)
_TIME_LABEL = re.compile(r"(?:uhrzeit|zeit|dauer)", re.I)
_PLACE_LABEL = re.compile(r"(?:ort|veranstaltungsort|ort der veranstaltung|sitzungsort|wo)", re.I)
_LABELS = label_splitter(
    r"datum|beginn|ende|uhrzeit|zeit|ort|veranstaltungsort|moderation|protokoll(?:führung)?"
    r"|teilnehmende|teilnehmer(?:innen)?|anwesend|entschuldigt|gäste|beschluss|ergebnis"
    r"|nächste[rs]? (?:sitzung|termin|treffen|werkstatt)"
)
_CLOCK = r"(?P<h>[01]?\d|2[0-3])(?:[.:](?P<m>[0-5]\d))?\s*(?:Uhr|h)\b"
_BEGIN = re.compile(r"\b(?:Beginn|Start)[*_\s]*:?[*_\s]*" + _CLOCK)
_END = re.compile(r"\b(?:Ende|Schluss)[*_\s]*:?[*_\s]*" + _CLOCK)


@dataclass(frozen=True)
class Header:
    """Title, date, times and place from a document's first lines (shared with events)."""

    title: str | None = None
    title_span: tuple[int, int] | None = None
    subtitle: TextItem | None = None
    day: date | None = None
    day_span: tuple[int, int] | None = None
    starts_at: time | None = None
    ends_at: time | None = None
    place: Place | None = None


def parse_protocol(doc: NormalisedDocument) -> ProtocolStructure:
    """Everything the protocol formats carry; missing parts stay None or empty."""
    lines = document_lines(doc, _LABELS)
    spans = block_spans(doc)
    header = parse_header(doc, lines)
    meetings = next_meetings(doc.text, spans, header.day)
    anchors = tuple(meeting.date for meeting in meetings if meeting.date is not None)
    outline = parse_outline(lines, doc.text, DateContext(header.day, anchors))
    agenda = parse_agenda(lines, doc.text)
    return ProtocolStructure(
        title=header.title,
        title_span=header.title_span,
        subtitle=header.subtitle,
        date=header.day,
        date_span=header.day_span,
        starts_at=header.starts_at,
        ends_at=header.ends_at,
        place=header.place,
        agenda=tuple(agenda),
        sections=outline.sections,
        working_groups=outline.working_groups,
        tasks=outline.tasks,
        agreements=outline.agreements,
        offers_needs=outline.offers_needs,
        next_meetings=tuple(meetings),
        participant_count=participant_count(doc.text, spans),
        participants=outline.participants,
        moderation=tuple(moderations(doc.text, spans)),
        resolutions=tuple(resolutions(lines, agenda)),
    )


def parse_header(doc: NormalisedDocument, lines: Sequence[Line]) -> Header:
    """The header facts; front matter wins over what the text says."""
    head = list(lines[:_HEADER_SCAN])
    fields = [found for line in head if not line.heading and (found := field(line)) is not None]
    title_lines = _title_lines(head)
    title, title_span = _title(doc, title_lines)
    day, day_span = _date(doc, fields, title_lines, head)
    starts_at, ends_at = _times(head, fields)
    place_field = _first(fields, _PLACE_LABEL)
    return Header(
        title=title,
        title_span=title_span,
        subtitle=_subtitle(title_lines, title),
        day=day,
        day_span=day_span,
        starts_at=starts_at,
        ends_at=ends_at,
        place=parse_place(place_field.value) if place_field and place_field.value else None,
    )


def _title_lines(head: Sequence[Line]) -> list[Line]:
    """Lines before the first field, bullet or later heading: the title block."""
    block: list[Line] = []
    for line in head[:_TITLE_LINES]:
        is_field = not line.heading and field(line) is not None
        if line.bullet or line.table or is_field or (block and line.heading):
            break
        block.append(line)
    return block


def _title(
    doc: NormalisedDocument, title_lines: list[Line]
) -> tuple[str | None, tuple[int, int] | None]:
    meta_title = doc.source.meta.get("title")
    if isinstance(meta_title, str) and meta_title.strip():
        return " ".join(meta_title.split()), None
    if not title_lines:
        return None, None
    first = title_lines[0]
    return first.text.lstrip("#→ ").strip() or None, (first.start, first.end)


def _subtitle(title_lines: list[Line], title: str | None) -> TextItem | None:
    """The second title line, preferring one that starts with "Protokoll"."""
    rest = title_lines
    if title_lines and title_lines[0].text.lstrip("#→ ").strip() == title:
        rest = title_lines[1:]
    rest = [line for line in rest if not is_caps(line) and line.text != title]
    preferred = [line for line in rest if line.text.lower().startswith("protokoll")]
    chosen = preferred or rest
    return chosen[0].item() if chosen else None


def _first(fields: Sequence[Field], label: re.Pattern[str]) -> Field | None:
    return next((found for found in fields if label.fullmatch(found.label)), None)


def _date(
    doc: NormalisedDocument, fields: Sequence[Field], title_lines: list[Line], head: list[Line]
) -> tuple[date | None, tuple[int, int] | None]:
    meta_date = coerce_date(doc.source.meta.get("date"))
    if meta_date is not None:
        return meta_date, None
    date_field = _first(fields, _DATE_LABEL)
    candidates = ([date_field.line] if date_field else []) + title_lines + head
    for line in candidates:
        hit = first_date(line.raw)
        if hit is not None:
            return hit.value, (line.start + hit.start, line.start + hit.end)
    return None, None


def _times(head: Sequence[Line], fields: Sequence[Field]) -> tuple[time | None, time | None]:
    """ "Beginn: 10:00 Uhr **Ende**: 15:00 Uhr", else a range in a time or date field."""
    starts_at = ends_at = None
    for line in head:
        begin, end = _BEGIN.search(line.raw), _END.search(line.raw)
        starts_at = starts_at or (clock(begin["h"], begin["m"]) if begin else None)
        ends_at = ends_at or (clock(end["h"], end["m"]) if end else None)
    if starts_at is None:
        for found in fields:
            if (
                _TIME_LABEL.fullmatch(found.label) or _DATE_LABEL.fullmatch(found.label)
            ) and found.value:
                first, last = time_range(found.value.text)
                if first is not None:
                    return first, last
    return starts_at, ends_at
