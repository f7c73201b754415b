"""Page parser: web pages and news items, headings and paragraphs only."""

import re
from collections.abc import Sequence
from datetime import date

from ingest.records import NormalisedDocument
from ingest.structure._dates import coerce_date, first_date
from ingest.structure._lines import (
    Line,
    document_lines,
    field,
    is_caps,
    is_short_title,
    joined_item,
)
from ingest.structure.records import Heading, PageStructure, TextItem

_DATE_LINES = 5
_SKIP_LINK = re.compile(r"(?:zum|zur|direkt zum)\s+(?:haupt)?inhalt\b|skip to", re.I)


def parse_page(doc: NormalisedDocument) -> PageStructure:
    """Title, date, headings and paragraphs (consecutive lines of one block form a paragraph)."""
    lines = document_lines(doc)
    title_line = _title_line(lines)
    meta_title = doc.source.meta.get("title")
    if isinstance(meta_title, str) and meta_title.strip():
        title, title_span = " ".join(meta_title.split()), None
    elif title_line is not None:
        title, title_span = title_line.text, (title_line.start, title_line.end)
    else:
        title, title_span = None, None
    day, day_span = _date(doc, lines)
    headings = [_heading(line) for line in lines if _is_heading(line) and line is not title_line]
    paragraphs = _paragraphs(doc.text, [line for line in lines if not _is_heading(line)])
    return PageStructure(
        title=title,
        title_span=title_span,
        date=day,
        date_span=day_span,
        headings=tuple(headings),
        paragraphs=tuple(p for p in paragraphs if title_span is None or p.start != title_span[0]),
    )


def _title_line(lines: Sequence[Line]) -> Line | None:
    """The first line if it reads as a title (skip links aside), else the first heading."""
    content = [line for line in lines if not _SKIP_LINK.match(line.text)]
    if content and (content[0].heading or is_short_title(content[0])):
        return content[0]
    return next((line for line in content if line.heading), content[0] if content else None)


def _is_heading(line: Line) -> bool:
    if line.heading:
        return True
    if line.bullet or field(line) is not None:
        return False
    return is_caps(line) or (is_short_title(line) and len(line.text.split()) <= 8)


def _heading(line: Line) -> Heading:
    return Heading(line.text, line.start, line.end, line.heading_level or 2)


def _date(
    doc: NormalisedDocument, lines: Sequence[Line]
) -> tuple[date | None, tuple[int, int] | None]:
    meta_date = coerce_date(doc.source.meta.get("date"))
    if meta_date is not None:
        return meta_date, None
    for line in lines[:_DATE_LINES]:
        found = first_date(line.raw)
        if found is not None:
            return found.value, (line.start + found.start, line.start + found.end)
    return None, None


def _paragraphs(text: str, lines: Sequence[Line]) -> list[TextItem]:
    """Join consecutive non-heading lines of the same block."""
    paragraphs: list[TextItem] = []
    current: list[Line] = []
    for line in lines:
        if current and (line.block != current[-1].block or line.bullet):
            paragraphs.append(joined_item(text, current[0].start, current[-1].end))
            current = []
        current.append(line)
    if current:
        paragraphs.append(joined_item(text, current[0].start, current[-1].end))
    return paragraphs
