"""Dates and times for the structure parsers, on top of ``ingest.dates``.

``ingest.dates`` finds German dates and clock times; this adapter adds what structure needs
beyond that: time ranges ("10:00–11:00 Uhr"), period bounds ("03/2023 – 12/2024", "seit 2022")
and completing a yearless deadline from the meetings a protocol announces.
"""

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from ingest import dates

_RANGE_GAP = re.compile(r"\s*(?:Uhr\s*)?(?:[-–—]|bis)\s*")
_SLASH_MONTH = re.compile(r"(?<![\d./])(?P<m>\d{1,2})/(?P<y>\d{4})\b")
_YEAR = re.compile(r"(?<![\d./])(?P<y>(?:19|20)\d{2})(?![\d/])")

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True)
class DateHit:
    """A date with its offsets in the searched string."""

    value: date  # the first day for month or year precision
    start: int
    end: int
    precision: Precision = "day"
    year_inferred: bool = False

    def last_day(self) -> date:
        """The last day the hit can mean (end of a period)."""
        if self.precision == "year":
            return date(self.value.year, 12, 31)
        if self.precision == "month":
            days = calendar.monthrange(self.value.year, self.value.month)[1]
            return self.value.replace(day=days)
        return self.value


def day_dates(text: str, reference: date | None = None) -> list[DateHit]:
    """Day-precision dates; yearless ones ("29. April") only when a reference date is given."""
    return [
        DateHit(m.value, m.start, m.end, "day", m.year_inferred)
        for m in dates.find_dates(text, reference)
        if m.precision == "day"
    ]


def first_date(text: str) -> DateHit | None:
    """The first date with day, month and year written out."""
    return next((hit for hit in day_dates(text) if not hit.year_inferred), None)


def period_dates(text: str) -> list[DateHit]:
    """Day, month ("März 2023", "03/2023") and bare year dates, in text order."""
    hits = [
        DateHit(m.value, m.start, m.end, "day" if m.precision == "day" else "month")
        for m in dates.find_dates(text)
    ]
    for match in _SLASH_MONTH.finditer(text):
        if 1 <= int(match["m"]) <= 12:
            hits.append(DateHit(date(int(match["y"]), int(match["m"]), 1), *match.span(), "month"))
    for match in _YEAR.finditer(text):
        hits.append(DateHit(date(int(match["y"]), 1, 1), *match.span(), "year"))
    return _without_overlaps(hits)


def _without_overlaps(hits: list[DateHit]) -> list[DateHit]:
    kept: list[DateHit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if not any(k.start < hit.end and hit.start < k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def complete(text: str, reference: date | None, anchors: Sequence[date]) -> DateHit | None:
    """The first day date of ``text``; a yearless one takes an anchor (an announced meeting) on
    the same day and month, else the year closest to the reference date."""
    for hit in day_dates(text, reference or (anchors[0] if anchors else None)):
        if hit.year_inferred:
            same_day = [a for a in anchors if (a.month, a.day) == (hit.value.month, hit.value.day)]
            if same_day:
                return DateHit(same_day[0], hit.start, hit.end, "day", True)
        return hit
    return None


def time_range(text: str) -> tuple[time | None, time | None]:
    """The first clock time, and the second when a dash or "bis" joins them ("10:00–11:00 Uhr")."""
    found = dates.find_times(text)
    if not found:
        return None, None
    first = _parse_clock(found[0].value)
    if len(found) > 1 and _RANGE_GAP.fullmatch(text[found[0].end : found[1].start]):
        return first, _parse_clock(found[1].value)
    return first, None


def _parse_clock(value: str) -> time | None:
    hour, _, minute = value.partition(":")
    return clock(hour, minute)


def clock(hour: str | None, minute: str | None) -> time | None:
    """A ``time`` from regex groups, None when out of range."""
    if hour is None:
        return None
    try:
        return time(int(hour), int(minute or 0))
    except ValueError:
        return None


def coerce_date(value: object) -> date | None:
    """A front matter date: ``date``/``datetime`` objects or ISO / German strings."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        found = first_date(value)
        return found.value if found is not None else None
    return None
