"""Agenda items of a protocol: a timed programme ("10.15 Uhr Einführung") or "TOP n" items.

The lines under a programme point often name the speakers ("Herr Michael Dreier – Bürgermeister
der Stadt Paderborn ..."); they are kept raw, with a hint whether they look like a person line,
so the NLP stage can resolve people and roles with its gazetteers.
"""

import re
from collections.abc import Sequence

from ingest.structure._dates import clock
from ingest.structure._lines import Line, collapse, heading_label, is_caps
from ingest.structure.records import AgendaItem, PersonLine

_CLOCK = r"(?P<{0}h>[01]?\d|2[0-3])[.:](?P<{0}m>[0-5]\d)"
_TIMED = re.compile(
    _CLOCK.format("a") + r"(?:\s*(?:Uhr\s*)?(?:[-–—]|bis)\s*" + _CLOCK.format("b") + r")?"
    r"(?:\s*Uhr\b|(?=\s))[\s:–—-]*"
)
_TOP = re.compile(r"TOP\s*(?P<num>\d{1,2}[a-z]?)\b\.?\s*[:.)–—-]?\s*")
_AGENDA_HEADING = re.compile(r"(?:ablauf|ablaufplan|tagesordnung|programm|agenda)\b.{0,40}", re.I)
_PERSON = re.compile(
    r"\b(?:Herrn?|Frau|Prof\.|Dr\.|Dipl\.-)"
    r"|^(?:sowie\s+|und\s+)?[A-ZÄÖÜ][\w.-]+(?:\s+[A-ZÄÖÜ][\w.-]+){1,3}\s*(?:[–—-]\s+\S|\()"
)


def looks_like_person(text: str) -> bool:
    """A line that probably names people: a title word or "Name Name – role/organisation"."""
    return _PERSON.search(text) is not None


def person_lines(lines: Sequence[Line], text: str) -> list[PersonLine]:
    """Raw lines with the person hint; a lower-case line continues the person line above it."""
    out: list[PersonLine] = []
    for line in lines:
        person = looks_like_person(line.text)
        starts_lower = line.text[:1].islower()
        if out and out[-1].looks_like_person and starts_lower and not person:
            previous = out[-1]
            out[-1] = PersonLine(
                collapse(text[previous.start : line.end]),
                previous.start,
                line.end,
                looks_like_person=True,
            )
        else:
            out.append(PersonLine(line.text, line.start, line.end, looks_like_person=person))
    return out


def parse_agenda(lines: Sequence[Line], text: str) -> list[AgendaItem]:
    """Agenda items: a timed programme, else "TOP" items, else the programme's list items."""
    region = _agenda_region(lines)
    if region is not None and (timed := _timed(lines, *region, text)):
        return timed
    tops = _tops(lines, text)
    if tops:
        return tops
    return _listed(lines, *region, text) if region is not None else []


def _agenda_region(lines: Sequence[Line]) -> tuple[int, int] | None:
    for index, line in enumerate(lines):
        label = heading_label(line) if (line.heading or is_caps(line) or not line.bullet) else None
        if label is None or not _AGENDA_HEADING.fullmatch(label) or len(label.split()) > 5:
            continue
        end = index + 1
        while end < len(lines) and not _closes(lines[end], line):
            end += 1
        return index + 1, end
    return None


def _closes(line: Line, opener: Line) -> bool:
    if line.heading:
        return not opener.heading or line.heading_level <= opener.heading_level
    return is_caps(line)


def _timed(lines: Sequence[Line], start: int, end: int, text: str) -> list[AgendaItem]:
    starters = [i for i in range(start, end) if _TIMED.match(lines[i].raw)]
    return _build(lines, starters, end, text)


def _tops(lines: Sequence[Line], text: str) -> list[AgendaItem]:
    """ "TOP n" lines; where TOP headings exist, a TOP list in the programme only repeats them."""
    starters = [i for i, line in enumerate(lines) if _TOP.match(line.raw)]
    if any(lines[i].heading for i in starters):
        starters = [i for i in starters if lines[i].heading]
    items: list[AgendaItem] = []
    for position, index in enumerate(starters):
        stop = starters[position + 1] if position + 1 < len(starters) else len(lines)
        items.extend(_build(lines, [index], _section_stop(lines, index, stop), text))
    return items


def _section_stop(lines: Sequence[Line], index: int, stop: int) -> int:
    """A TOP item's body ends at the next heading of the same or a higher level."""
    opener = lines[index]
    for position in range(index + 1, stop):
        if _closes(lines[position], opener):
            return position
    return stop


def _listed(lines: Sequence[Line], start: int, end: int, text: str) -> list[AgendaItem]:
    starters = [i for i in range(start, end) if lines[i].bullet and lines[i].level == 0]
    return _build(lines, starters, end, text)


def _build(lines: Sequence[Line], starters: list[int], end: int, text: str) -> list[AgendaItem]:
    items: list[AgendaItem] = []
    for position, index in enumerate(starters):
        stop = starters[position + 1] if position + 1 < len(starters) else end
        items.append(_item(lines[index], lines[index + 1 : stop], text))
    return items


def _item(line: Line, body: Sequence[Line], text: str) -> AgendaItem:
    timed, top = _TIMED.match(line.raw), _TOP.match(line.raw)
    title_start = timed.end() if timed else top.end() if top else 0
    details = person_lines(body, text)
    return AgendaItem(
        title=collapse(line.raw[title_start:]).strip("*_ :") or line.text,
        text=line.text,
        start=line.start,
        end=line.end,
        body_end=body[-1].end if body else line.end,
        starts_at=clock(timed["ah"], timed["am"]) if timed else None,
        ends_at=clock(timed["bh"], timed["bm"]) if timed else None,
        number=top["num"] if top else None,
        lines=tuple(details),
    )
