"""Records the structure parsers extract from one normalised document.

Every record that has ``start``/``end`` points into ``NormalisedDocument.text`` so later
stages (NLP, triples, evidence passages) can cite the exact source; its ``text`` is that span
with whitespace runs collapsed to single spaces. Derived values (dates, names, statuses) sit
beside the raw text, never instead of it, because the NLP stage re-reads the raw lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from ingest.records import DocKind

ProjectStatus = Literal["idea", "planned", "running", "completed"]
EventFormat = Literal["digital", "presence", "hybrid"]
OfferNeedKind = Literal["offer", "need"]
ResolutionKind = Literal["decision", "result"]


@dataclass(frozen=True)
class KindDecision:
    """The detected document kind and why, so a surprising choice can be explained."""

    kind: DocKind
    reason: str
    scores: tuple[tuple[DocKind, float], ...] = ()


@dataclass(frozen=True)
class TextItem:
    """A raw piece of text (a bullet, a list entry, a paragraph) with its span."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Bullet:
    """A list item with its nesting level (0 = top level)."""

    text: str
    start: int
    end: int
    level: int = 0


@dataclass(frozen=True)
class Heading:
    """A heading of a page, level 1 = top."""

    text: str
    start: int
    end: int
    level: int = 1


@dataclass(frozen=True)
class PersonLine:
    """A raw line that may name people; the NLP stage splits it into persons and roles."""

    text: str
    start: int
    end: int
    looks_like_person: bool


@dataclass(frozen=True)
class Place:
    """Where a meeting took place, split into the parts a German address line has."""

    text: str
    start: int
    end: int
    name: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class AgendaItem:
    """One programme point ("10.15 Uhr Einführung", "TOP 2: Wärmeplanung")."""

    title: str
    text: str
    start: int
    end: int
    body_end: int  # end of the lines that belong to this item
    starts_at: time | None = None
    ends_at: time | None = None
    number: str | None = None
    lines: tuple[PersonLine, ...] = ()


@dataclass(frozen=True)
class ProtocolSection:
    """A heading of a protocol (EINFÜHRUNG, a sub-heading of a working group) and its bullets."""

    title: str
    text: str
    start: int
    end: int
    body_end: int
    level: int = 1
    bullets: tuple[Bullet, ...] = ()


@dataclass(frozen=True)
class WorkingGroup:
    """A working group of a workshop with its focus topics and sub-sections."""

    name: str  # display form, e.g. "Das neue Stadt Land Quartier"
    name_raw: str  # as written, e.g. "DAS NEUE STADT LAND QUARTIER"
    text: str
    start: int
    end: int
    body_end: int
    focus_topics: tuple[Bullet, ...] = ()
    subsections: tuple[ProtocolSection, ...] = ()


@dataclass(frozen=True)
class TaskItem:
    """A work assignment, next step or agreement; ``parent`` indexes the same tuple."""

    text: str
    start: int
    end: int
    group: str | None = None  # working group display name
    category: str | None = None  # e.g. "Prozessorganisation"
    label: str | None = None  # prefix before the first colon, e.g. "Wissen generieren"
    due: date | None = None
    due_text: str | None = None
    assignee: str | None = None  # raw, e.g. "Stadt Herford"
    level: int = 0
    parent: int | None = None
    is_question: bool = False
    agreement: bool = False


@dataclass(frozen=True)
class OfferNeed:
    """An "Ich biete" / "Ich suche" line: what is offered or needed and by whom (raw)."""

    kind: OfferNeedKind
    text: str
    start: int
    end: int
    what: str
    who: str | None = None


@dataclass(frozen=True)
class NextMeeting:
    """An announced follow-up meeting."""

    text: str
    start: int
    end: int
    date: date | None = None
    kind: str | None = None  # "Werkstatt", "Sitzung", "Treffen", ...


@dataclass(frozen=True)
class ParticipantCount:
    """How many took part ("rund 50 Akteure" -> 50, approx)."""

    text: str
    start: int
    end: int
    value: int
    approx: bool = False


@dataclass(frozen=True)
class Moderation:
    """Who moderated: the raw sentence plus the raw moderator phrase."""

    text: str
    start: int
    end: int
    moderator: str | None = None


@dataclass(frozen=True)
class Resolution:
    """A "Beschluss:" or "Ergebnis:" line, tied to the agenda item it appears under."""

    kind: ResolutionKind
    text: str
    start: int
    end: int
    content: str
    agenda_item: str | None = None


@dataclass(frozen=True)
class ProtocolStructure:
    """Everything the protocol parser found in a workshop or meeting protocol."""

    title: str | None = None
    title_span: tuple[int, int] | None = None  # None when the title came from front matter
    subtitle: TextItem | None = None
    date: date | None = None
    date_span: tuple[int, int] | None = None
    starts_at: time | None = None
    ends_at: time | None = None
    place: Place | None = None
    agenda: tuple[AgendaItem, ...] = ()
    sections: tuple[ProtocolSection, ...] = ()
    working_groups: tuple[WorkingGroup, ...] = ()
    tasks: tuple[TaskItem, ...] = ()
    agreements: tuple[TaskItem, ...] = ()
    offers_needs: tuple[OfferNeed, ...] = ()
    next_meetings: tuple[NextMeeting, ...] = ()
    participant_count: ParticipantCount | None = None
    participants: tuple[PersonLine, ...] = ()
    moderation: tuple[Moderation, ...] = ()
    resolutions: tuple[Resolution, ...] = ()


@dataclass(frozen=True)
class ContactPerson:
    """A contact of a project; ``name`` and ``role`` stay raw for the NLP stage."""

    text: str
    start: int
    end: int
    name: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Period:
    """A project's running time; month or year precision is widened to whole months/years."""

    text: str
    start: int
    end: int
    begins: date | None = None
    ends: date | None = None
    ongoing: bool = False


@dataclass(frozen=True)
class ProjectStructure:
    """A project description ("Projektdatenbank" entry)."""

    title: str | None = None
    title_span: tuple[int, int] | None = None
    municipalities: tuple[TextItem, ...] = ()
    contacts: tuple[ContactPerson, ...] = ()
    status: ProjectStatus | None = None
    status_text: TextItem | None = None
    period: Period | None = None
    goals: tuple[TextItem, ...] = ()
    implementation: tuple[TextItem, ...] = ()
    problems: tuple[TextItem, ...] = ()
    topics: tuple[TextItem, ...] = ()
    description: tuple[TextItem, ...] = ()
    offers_needs: tuple[OfferNeed, ...] = ()


@dataclass(frozen=True)
class Speaker:
    """A speaker ("Referentin: Dr. Miriam Kowalski, Klimaschutzmanagerin der Stadt Herford")."""

    text: str
    start: int
    end: int
    label: str | None = None  # "Referentin"
    name: str | None = None  # raw text before the first comma
    affiliation: str | None = None  # raw text after it


@dataclass(frozen=True)
class EventStructure:
    """A Regiopol Akademie session or other event note."""

    title: str | None = None
    title_span: tuple[int, int] | None = None
    date: date | None = None
    date_span: tuple[int, int] | None = None
    starts_at: time | None = None
    ends_at: time | None = None
    format: EventFormat | None = None
    format_text: TextItem | None = None
    place: Place | None = None
    speakers: tuple[Speaker, ...] = ()
    topics: tuple[TextItem, ...] = ()
    organiser: TextItem | None = None
    partners: tuple[TextItem, ...] = ()
    registration: TextItem | None = None
    summary: tuple[TextItem, ...] = ()


@dataclass(frozen=True)
class PageStructure:
    """A web page or news item: headings and paragraphs only."""

    title: str | None = None
    title_span: tuple[int, int] | None = None
    date: date | None = None
    date_span: tuple[int, int] | None = None
    headings: tuple[Heading, ...] = ()
    paragraphs: tuple[TextItem, ...] = ()


DocumentStructure = ProtocolStructure | ProjectStructure | EventStructure | PageStructure
