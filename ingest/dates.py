"""German dates and clock times with their spans.

Protocols write "Mittwoch, 18. Dezember 2019", "18.12.2019", "am 19.09.23", "2023-10-25" and,
for the next meeting, "29. April" without a year; a yearless date takes the year that puts it
closest to the document's reference date (a December protocol's "29. April" is next April).
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

MONTHS: dict[str, int] = {
    "januar": 1, "jan": 1, "jänner": 1, "februar": 2, "feb": 2, "febr": 2, "märz": 3,
    "maerz": 3, "marz": 3, "mär": 3, "mrz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6,
    "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = r"(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag|Mo|Di|Mi|Do|Fr|Sa|So)"
_NAMED = re.compile(
    rf"\b(?P<day>\d{{1,2}})\.\s*(?P<month>{_MONTH})\b\.?(?:\s+(?P<year>\d{{4}})\b)?",
    re.IGNORECASE,
)
_WEEKDAY_BEFORE = re.compile(rf"\b{_WEEKDAY}\.?,?\s+(?:den\s+)?$", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b(?P<month>{_MONTH})\.?\s+(?P<year>\d{{4}})\b", re.IGNORECASE)
_NUMERIC = re.compile(
    r"(?<![\d.])(?P<day>\d{1,2})\.\s?(?P<month>\d{1,2})\.\s?(?P<year>\d{4}|\d{2})(?![\d.]\d)"
)
_ISO = re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)")
_TIME = re.compile(
    r"(?<![\d.:])(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*Uhr\b"
    r"|(?<![\d.:])(?P<h2>\d{1,2}):(?P<m2>\d{2})(?![\d:])"
)


@dataclass(frozen=True)
class DateMention:
    """A date in the text: ISO value, precision and whether the year was inferred."""

    iso: str  # "2019-12-18", or "2019-12" for month precision
    start: int
    end: int
    text: str
    precision: Literal["day", "month"] = "day"
    year_inferred: bool = False

    @property
    def value(self) -> date:
        """The date (the first of the month for month precision)."""
        return date.fromisoformat(self.iso if self.precision == "day" else f"{self.iso}-01")


@dataclass(frozen=True)
class TimeMention:
    """A clock time ("10:00 Uhr", "9.30 Uhr") as "HH:MM"."""

    value: str
    start: int
    end: int
    text: str


def find_dates(text: str, reference_date: date | None = None) -> list[DateMention]:
    """All dates in ``text``; yearless ones only when a reference date is given."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_NAMED, _NUMERIC, _ISO, _MONTH_YEAR):
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            mention = _mention(text, match, reference_date, month_only=pattern is _MONTH_YEAR)
            if mention is not None:
                found.append(mention)
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def _mention(
    text: str, match: re.Match[str], reference: date | None, month_only: bool
) -> DateMention | None:
    groups = match.groupdict()
    month_text = groups["month"]
    month = int(month_text) if month_text.isdigit() else MONTHS[month_text.lower().rstrip(".")]
    year_text = groups.get("year")
    start, end = match.start(), match.end()
    if month_only:
        if year_text is None or not 1 <= month <= 12:
            return None
        return DateMention(f"{year_text}-{month:02d}", start, end, text[start:end], "month")
    day = int(groups["day"])
    weekday = _WEEKDAY_BEFORE.search(text, max(0, start - 16), start)
    start = weekday.start() if weekday else start
    if year_text is None:
        if reference is None:
            return None
        value = _closest(day, month, reference)
    else:
        value = _safe_date(_full_year(year_text, reference), month, day)
    if value is None:
        return None
    end = end - 1 if text[start:end].endswith(".") and year_text is None else end
    return DateMention(value.isoformat(), start, end, text[start:end], "day", year_text is None)


def _full_year(year_text: str, reference: date | None) -> int:
    """ "19.09.23" -> 2023; two-digit years up to ten years ahead of the reference."""
    year = int(year_text)
    if len(year_text) == 4:
        return year
    pivot = ((reference or date.today()).year + 10) % 100
    return 2000 + year if year <= pivot else 1900 + year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _closest(day: int, month: int, reference: date) -> date | None:
    candidates = [_safe_date(reference.year + k, month, day) for k in (-1, 0, 1)]
    valid = [c for c in candidates if c is not None]
    return min(valid, key=lambda c: abs((c - reference).days)) if valid else None


def find_times(text: str) -> list[TimeMention]:
    """Clock times: "10:00 Uhr", "9.30 Uhr", "15 Uhr", and bare "10:00"."""
    times = []
    for match in _TIME.finditer(text):
        hour = int(match["hour"] or match["h2"])
        minute = int(match["minute"] or match["m2"] or 0)
        if hour <= 24 and minute < 60:
            value = f"{hour:02d}:{minute:02d}"
            times.append(TimeMention(value, match.start(), match.end(), match.group(0)))
    return times
