"""Facts a protocol states in running text: next meetings, head counts, moderation, resolutions.

They are found per block with sentence-level patterns, because they sit inside ordinary
bullets ("Das nächste Werkstatt-Treffen ist für den 29. April 2020 geplant ...").
"""

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ingest.structure._dates import day_dates
from ingest.structure._lines import Line, collapse, span_item
from ingest.structure.records import (
    AgendaItem,
    Moderation,
    NextMeeting,
    ParticipantCount,
    Resolution,
    ResolutionKind,
)

_NEXT = re.compile(r"\bnächste[nrs]?\s+(?P<kind>[\w-]{3,40})", re.I)
_MEETING_KINDS = (
    ("werkstatt", "Werkstatt"), ("sitzung", "Sitzung"), ("workshop", "Workshop"),
    ("treffen", "Treffen"), ("termin", "Termin"), ("runde", "Runde"),
    ("veranstaltung", "Veranstaltung"), ("austausch", "Austausch"), ("akademie", "Akademie"),
)  # fmt: skip
_SENTENCE_STOP = re.compile(r"(?<!\d)[.!?](?=\s+[A-ZÄÖÜ])|\n")
_APPROX = (
    r"(?P<approx>\b(?:rund|ca\.|circa|etwa|ungefähr|über|mehr\s+als|knapp|gut|annähernd|fast)\s+)?"
)
_COUNT = re.compile(
    _APPROX + r"(?<![\d.,])(?P<n>\d{1,4})\s+(?P<noun>teilnehmende[n]?|teilnehmer(?:innen)?|"
    r"akteur(?:e|en|innen)|personen|gäste[n]?|vertreter(?:innen)?|mitwirkende[n]?|"
    r"interessierte[n]?)\b",
    re.I,
)
_COUNT_FIELD = re.compile(
    r"(?:teilnehmende|teilnehmer(?:zahl)?|anzahl\s+(?:der\s+)?teilnehmenden)\s*:\s*"
    + _APPROX
    + r"(?P<n>\d{1,4})\b",
    re.I,
)
_MODERATED = re.compile(
    r"\bmoderiert\b[^.\n]{0,80}?\b(?:durch|von)\s+"
    r"|\bmoderation\b(?:\s*:\s*|\s+(?:übernahm|übernimmt|übernahmen|lag\s+bei|hatte|hatten|durch)\s+)",
    re.I,
)
_WHO_CHARS = 200
_ABBREVIATIONS = {"prof", "dr", "dipl", "ing", "st", "bzw", "ggf", "vgl", "z.b", "u.a", "e.v", "hr"}
_RESOLUTION = re.compile(
    r"[*_]*(?P<kind>beschluss|beschlossen|ergebnis|entscheidung|votum)[*_]*\s*:[*_ \t]*"
    r"(?P<content>\S.*)",
    re.I | re.S,
)


@dataclass(frozen=True)
class DateContext:
    """What a date without a year is completed from: the protocol date and announced meetings."""

    reference: date | None = None
    anchors: tuple[date, ...] = ()


def next_meetings(
    text: str, spans: Sequence[tuple[int, int]], reference: date | None
) -> list[NextMeeting]:
    """Announced next meetings ("Das nächste Werkstatt-Treffen ist für den 29. April 2020 ...")."""
    found: list[NextMeeting] = []
    for start, end in spans:
        for match in _NEXT.finditer(text, start, end):
            kind = _meeting_kind(match["kind"])
            if kind is None:
                continue
            stop = _SENTENCE_STOP.search(text, match.end(), min(end, match.end() + 160))
            window_end = stop.start() if stop is not None else min(end, match.end() + 160)
            hits = day_dates(text[match.end() : window_end], reference)
            if not hits:
                continue
            hit_end = match.end() + hits[0].end
            phrase = collapse(text[match.start() : hit_end])
            found.append(NextMeeting(phrase, match.start(), hit_end, date=hits[0].value, kind=kind))
    return _unique_meetings(found)


def _meeting_kind(word: str) -> str | None:
    lowered = word.lower()
    return next((label for key, label in _MEETING_KINDS if key in lowered), None)


def _unique_meetings(found: list[NextMeeting]) -> list[NextMeeting]:
    seen: set[date | None] = set()
    unique: list[NextMeeting] = []
    for meeting in found:
        if meeting.date not in seen or meeting.date is None:
            unique.append(meeting)
            seen.add(meeting.date)
    return unique


def participant_count(text: str, spans: Sequence[tuple[int, int]]) -> ParticipantCount | None:
    """The first stated number of participants ("rund 50 Akteure", "Teilnehmende: 35")."""
    for start, end in spans:
        block = text[start:end]
        match = _COUNT_FIELD.search(block) or _COUNT.search(block)
        if match is not None and int(match["n"]) > 0:
            return ParticipantCount(
                collapse(match.group()),
                start + match.start(),
                start + match.end(),
                value=int(match["n"]),
                approx=match["approx"] is not None,
            )
    return None


def moderations(text: str, spans: Sequence[tuple[int, int]]) -> list[Moderation]:
    """Who moderated ("Moderiert wurde ... durch Prof. Rudolf Scheuvens.", "Moderation: ...")."""
    found: list[Moderation] = []
    for start, end in spans:
        for match in _MODERATED.finditer(text, start, end):
            who_end = _sentence_end(text, match.end(), end)
            who = span_item(text, 0, match.end(), who_end)
            if who is None:
                continue
            found.append(
                Moderation(
                    collapse(text[match.start() : who.end]),
                    match.start(),
                    who.end,
                    moderator=who.text.rstrip("."),
                )
            )
    return found


def _sentence_end(text: str, start: int, end: int) -> int:
    """End of the sentence that starts before ``start``; "Prof." and "Dr." do not end it.

    The scan stops after ``_WHO_CHARS`` characters: a moderator phrase is short, and an
    unbounded scan per match would make a hostile document quadratic.
    """
    stop = min(end, start + _WHO_CHARS)
    for position in range(start, stop):
        char = text[position]
        if char == "\n" or (char in "!?;" and position > start):
            return position
        if char == "." and not _abbreviation(text, start, position):
            following = text[position + 1 : position + 2]
            if not following or following.isspace():
                return position
    return stop


def _abbreviation(text: str, start: int, dot: int) -> bool:
    word_start = dot
    while word_start > max(start, dot - 8) and not text[word_start - 1].isspace():
        word_start -= 1
    return text[word_start:dot].lower().rstrip(".") in _ABBREVIATIONS


def resolutions(lines: Sequence[Line], agenda: Sequence[AgendaItem]) -> list[Resolution]:
    """ "Beschluss:" / "Ergebnis:" lines, each tied to the agenda item whose body holds it."""
    items = sorted(agenda, key=lambda item: item.start)
    starts = [item.start for item in items]
    found: list[Resolution] = []
    for line in lines:
        match = _RESOLUTION.match(line.raw)
        if match is None:
            continue
        kind: ResolutionKind = "result" if match["kind"].lower() == "ergebnis" else "decision"
        index = bisect_right(starts, line.start) - 1
        owner = items[index] if index >= 0 and line.start < items[index].body_end else None
        found.append(
            Resolution(
                kind,
                line.text,
                line.start,
                line.end,
                content=collapse(match["content"]),
                agenda_item=owner.title if owner is not None else None,
            )
        )
    return found
