"""Project description parser ("Projektdatenbank" entries, Markdown or "Feld: Wert" lines)."""

import re
from collections.abc import Sequence

from ingest.records import NormalisedDocument
from ingest.structure._contacts import contacts_from_entries, contacts_from_tables
from ingest.structure._dates import period_dates
from ingest.structure._fields import FieldBlock, collect_fields, entries, first_block, keys
from ingest.structure._lines import Line, document_lines, split_items
from ingest.structure._offers import offer_need
from ingest.structure.records import Period, ProjectStatus, ProjectStructure, TextItem

_KEYS = keys(
    ("title", r"projekttitel|titel|projektname|name des projekts"),
    (
        "municipalities",
        r"(?:beteiligte |teilnehmende |partner)?(?:kommunen?|kommune\(n\)|"
        r"kommune/n|gemeinden?|städte)(?:\s*/\s*kreise?)?",
    ),
    (
        "contacts",
        r"ansprechpartner(?:[:*/]?in(?:nen)?)?(?:\s*\([^()]{0,40}\))?|ansprechperson(?:en)?|"
        r"kontakt(?:person(?:en)?|daten)?",
    ),
    ("status", r"(?:projekt)?status|umsetzungsstand"),
    ("period", r"zeitraum|laufzeit|projektlaufzeit|projektzeitraum|zeitrahmen|dauer"),
    ("goals", r"ziele?|projektziele?|zielsetzung(?:en)?"),
    (
        "implementation",
        r"umsetzung|vorgehen|maßnahmen|durchführung|umsetzungsschritte|"
        r"projektverlauf",
    ),
    (
        "problems",
        r"(?:aufgetretene )?probleme|herausforderungen|stolpersteine|hürden|"
        r"schwierigkeiten|hemmnisse",
    ),
    ("topics", r"themen|thema|themenfelder?|schlagw(?:o|ö)rte|stichw(?:o|ö)rte|handlungsfelder?"),
    ("description", r"kurzbeschreibung|beschreibung|projektbeschreibung|hintergrund|ausgangslage"),
    sticky=frozenset({"contacts"}),
)
_STATUS: tuple[tuple[ProjectStatus, re.Pattern[str]], ...] = (
    ("completed", re.compile(r"abgeschlossen|beendet|fertiggestellt|erledigt", re.I)),
    ("running", re.compile(r"in umsetzung|umsetzung|laufend|läuft|aktiv|in durchführung", re.I)),
    ("planned", re.compile(r"in planung|geplant|planung|vorbereitung|konzeption", re.I)),
    ("idea", re.compile(r"idee|ideenphase|vorschlag", re.I)),
)
_SINCE = re.compile(r"\b(?:seit|ab)\b", re.I)


def parse_project(doc: NormalisedDocument) -> ProjectStructure:
    """Everything a project description carries; missing fields stay None or empty."""
    lines = document_lines(doc, _KEYS.splitter)
    blocks, rest = collect_fields(lines, _KEYS)
    title, title_span = _title(doc, blocks, lines)
    status_block = first_block(blocks, "status")
    status_item = status_block.entries[0].item() if status_block and status_block.entries else None
    contacts = contacts_from_tables(lines) + contacts_from_entries(
        entries(blocks, "contacts"), doc.text
    )
    return ProjectStructure(
        title=title,
        title_span=title_span,
        municipalities=tuple(_split(entries(blocks, "municipalities"))),
        contacts=tuple(contacts),
        status=normalise_status(status_item.text) if status_item else None,
        status_text=status_item,
        period=_period(first_block(blocks, "period")),
        goals=tuple(_items(blocks, "goals")),
        implementation=tuple(_items(blocks, "implementation")),
        problems=tuple(_items(blocks, "problems")),
        topics=tuple(_split(entries(blocks, "topics"))),
        description=tuple(_items(blocks, "description")) + tuple(_prose(rest, title_span)),
        offers_needs=tuple(o for line in lines if (o := offer_need(line)) is not None),
    )


def normalise_status(text: str) -> ProjectStatus | None:
    """German status words to idea / planned / running / completed."""
    return next((status for status, pattern in _STATUS if pattern.search(text)), None)


def _title(
    doc: NormalisedDocument, blocks: Sequence[FieldBlock], lines: Sequence[Line]
) -> tuple[str | None, tuple[int, int] | None]:
    """ "Projekttitel:" names the project itself, so it wins over the document title."""
    block = first_block(blocks, "title")
    if block is not None and block.entries:
        entry = block.entries[0]
        return entry.text, (entry.start, entry.end)
    meta_title = doc.source.meta.get("title")
    if isinstance(meta_title, str) and meta_title.strip():
        return " ".join(meta_title.split()), None
    chosen = next((line for line in lines if line.heading), lines[0] if lines else None)
    return (chosen.text, (chosen.start, chosen.end)) if chosen is not None else (None, None)


def _items(blocks: Sequence[FieldBlock], key: str) -> list[TextItem]:
    return [entry.item() for entry in entries(blocks, key) if not entry.table]


def _split(lines: Sequence[Line]) -> list[TextItem]:
    return [item for line in lines for item in split_items(line, 0, len(line.raw))]


def _prose(rest: Sequence[Line], title_span: tuple[int, int] | None) -> list[TextItem]:
    """Paragraphs outside any field: the free description."""
    skip = title_span[0] if title_span else -1
    return [
        line.item() for line in rest if not line.heading and not line.table and line.start != skip
    ]


def _period(block: FieldBlock | None) -> Period | None:
    """ "03/2023 – 12/2024", "2021–2023", "seit 2022": first and last bound, widened to whole
    months or years when only those are written."""
    if block is None or not block.entries:
        return None
    entry = block.entries[0]
    hits = period_dates(entry.raw)
    begins = hits[0].value if hits else None
    ends = hits[-1].last_day() if len(hits) >= 2 else None
    ongoing = bool(_SINCE.search(entry.raw)) and ends is None
    return Period(entry.text, entry.start, entry.end, begins=begins, ends=ends, ongoing=ongoing)
