"""The outline of a protocol: sections, working groups, task blocks and what they contain.

One pass over the lines with a small state machine, because the meaning of a bullet depends on
what came before it: under "[Thematische Schwerpunkte ...]" it is a focus topic, under
"→ Vorläufiger Arbeitsauftrag" a task (with "Instrumente:" as its category), under
"ARBEITSGRUPPENÜBERGREIFENDE VEREINBARUNG" an agreement of the whole event.
"""

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from ingest.structure._agenda import person_lines
from ingest.structure._lines import Line, is_caps, is_short_title, split_items
from ingest.structure._lines import field as split_field
from ingest.structure._meetings import DateContext
from ingest.structure._names import NameCaser
from ingest.structure._offers import ExchangeMode, exchange_mode, offer_need
from ingest.structure._tasks import make_task
from ingest.structure.records import (
    Bullet,
    OfferNeed,
    PersonLine,
    ProtocolSection,
    TaskItem,
    WorkingGroup,
)

Mode = Literal["body", "focus", "tasks", "agreement", "participants", "exchange", "agenda"]

_GROUP = re.compile(
    r"(?:(?i:arbeitsgruppe)|AG)\b\s*(?:\d{1,2}\s*)?[:.–—-]?\s*[„\"“”»«']?"
    r"(?P<name>[^\"„“”»«']{2,80}?)[„\"“”»«']?\s*:?"
)
_FOCUS = re.compile(r"\[?\s*(?:thematische\s+)?schwerpunkte\b.{0,60}", re.I)
_TASKS = re.compile(
    r"(?:vorläufiger\s+)?arbeitsauftr(?:ag|äge)|nächste\s+schritte|weitere[s]?\s+vorgehen"
    r"|aufgaben|to-?dos?|offene\s+punkte|vereinbarte\s+(?:aufgaben|schritte|maßnahmen)",
    re.I,
)
_AGREEMENT = re.compile(r".*vereinbarung(?:en)?\b.*", re.I)
_PARTICIPANTS = re.compile(
    r"(?:teilnehmende|teilnehmer(?:innen)?(?:liste)?|anwesend[e]?|anwesenheit|teilnahme)"
    r"(?:\s*\([^()]{0,40}\))?",
    re.I,
)
_SEMICOLON = re.compile(";")
_AGENDA = re.compile(r"(?:ablauf|ablaufplan|tagesordnung|programm|agenda)\b.{0,40}", re.I)


def clean_label(text: str) -> str:
    """A heading's words without arrow, Markdown marks and trailing colon."""
    return text.strip().lstrip("→#*_ ").rstrip(":*_ ").strip()


@dataclass(frozen=True)
class Outline:
    """What the outline pass found."""

    sections: tuple[ProtocolSection, ...] = ()
    working_groups: tuple[WorkingGroup, ...] = ()
    tasks: tuple[TaskItem, ...] = ()
    agreements: tuple[TaskItem, ...] = ()
    participants: tuple[PersonLine, ...] = ()
    offers_needs: tuple[OfferNeed, ...] = ()


@dataclass
class _Open:
    """A section or sub-section whose bullets are still being collected."""

    title: str
    line: Line
    level: int
    bullets: list[Bullet] = field(default_factory=list)
    body_end: int = 0

    def close(self) -> ProtocolSection:
        line = self.line
        body_end = max(self.body_end, line.end)
        return ProtocolSection(
            self.title, line.text, line.start, line.end, body_end, self.level, tuple(self.bullets)
        )


@dataclass
class _OpenGroup:
    """A working group whose focus topics and sub-sections are still being collected."""

    name: str
    name_raw: str
    line: Line
    focus: list[Bullet] = field(default_factory=list)
    subsections: list[ProtocolSection] = field(default_factory=list)
    body_end: int = 0

    def close(self) -> WorkingGroup:
        line = self.line
        body_end = max(self.body_end, line.end)
        return WorkingGroup(
            self.name,
            self.name_raw,
            line.text,
            line.start,
            line.end,
            body_end,
            tuple(self.focus),
            tuple(self.subsections),
        )


@dataclass
class _Walker:
    """The state machine; one ``feed`` per line, then ``finish``."""

    text: str
    dates: DateContext
    section_level: int
    sections: list[ProtocolSection] = field(default_factory=list)
    groups: list[WorkingGroup] = field(default_factory=list)
    tasks: list[TaskItem] = field(default_factory=list)
    agreements: list[TaskItem] = field(default_factory=list)
    participants: list[Line] = field(default_factory=list)
    offers: list[OfferNeed] = field(default_factory=list)
    section: _Open | None = None
    sub: _Open | None = None
    group: _OpenGroup | None = None
    mode: Mode = "body"
    exchange: ExchangeMode | None = None
    category: str | None = None
    stack: list[tuple[int, int]] = field(default_factory=list)
    listed_tasks: bool = False  # the task block has bullets, so a paragraph closes it
    names: NameCaser | None = None

    def feed(self, line: Line, following: Line | None) -> None:
        label = clean_label(line.text)
        if self._is_top(line):
            self._open_top(line, label)
        elif not line.bullet and _FOCUS.fullmatch(label) and self.group is not None:
            self._set_mode("focus")
        elif _TASKS.fullmatch(label) and (line.heading or line.arrow or len(label) < 40):
            self._open_sub(line, label)
            self._set_mode("tasks")
        elif self._is_sub(line, following):
            self._sub_heading(line, label)
        else:
            self._content(line)

    def _is_top(self, line: Line) -> bool:
        if line.heading:
            return line.heading_level <= self.section_level
        return is_caps(line)

    def _is_sub(self, line: Line, following: Line | None) -> bool:
        if line.heading:
            return True
        if line.bullet or line.table or not is_short_title(line):
            return False
        return following is not None and following.bullet

    def _set_mode(self, mode: Mode, exchange: ExchangeMode | None = None) -> None:
        self.mode, self.exchange, self.category = mode, exchange, None
        self.listed_tasks = False
        self.stack.clear()

    def _open_top(self, line: Line, label: str) -> None:
        self._close_section()
        self._close_group()
        group = _GROUP.fullmatch(label)
        self.section = _Open(label, line, 1)
        if group is not None:
            name_raw = group["name"].strip()
            self.names = self.names or NameCaser(self.text)
            self.group = _OpenGroup(self.names.display(name_raw), name_raw, line)
        self._set_mode(*_mode_for(label))

    def _sub_heading(self, line: Line, label: str) -> None:
        if self.mode == "tasks" and line.text.rstrip("*_ ").endswith(":"):
            self.category = label
            self.stack.clear()
            return
        self._open_sub(line, label)
        mode = _mode_for(label)
        keep = self.mode in ("participants", "exchange", "agenda") and mode[0] == "body"
        if not keep:
            self._set_mode(*mode)

    def _open_sub(self, line: Line, label: str) -> None:
        self._close_sub()
        self.sub = _Open(label, line, 2)

    def _content(self, line: Line) -> None:
        for open_part in (self.section, self.sub, self.group):
            if open_part is not None:
                open_part.body_end = line.end
        offer = offer_need(line, self.exchange if self.mode == "exchange" else None)
        if offer is not None:
            self.offers.append(offer)
            return
        if self.mode == "focus" and line.bullet and self.group is not None:
            self.group.focus.append(Bullet(line.text, line.start, line.end, line.level))
            return
        if line.bullet:
            target = self.sub or self.section
            if target is not None:
                target.bullets.append(Bullet(line.text, line.start, line.end, line.level))
        if self.mode in ("tasks", "agreement") and not line.bullet and self.listed_tasks:
            self._set_mode("body")
        if self.mode in ("tasks", "agreement") and not line.table:
            self.listed_tasks = self.listed_tasks or line.bullet
            self._task(line)
        elif self.mode == "participants":
            self.participants.append(line)
        else:
            self.participants.extend(_participant_field(line))

    def _task(self, line: Line) -> None:
        agreement = self.mode == "agreement"
        target = self.agreements if agreement else self.tasks
        level = line.level if line.bullet else 0
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        parent = (self.stack[-1][1], target[self.stack[-1][1]]) if self.stack else None
        group = self.group.name if self.group is not None and not agreement else None
        target.append(
            make_task(
                line,
                parent=parent,
                group=group,
                category=self.category,
                agreement=agreement,
                dates=self.dates,
            )
        )
        self.stack.append((level, len(target) - 1))

    def _close_sub(self) -> None:
        if self.sub is None:
            return
        closed = self.sub.close()
        if self.group is not None:
            self.group.subsections.append(closed)
        self.sections.append(closed)
        self.sub = None

    def _close_section(self) -> None:
        self._close_sub()
        if self.section is not None:
            self.sections.append(self.section.close())
        self.section = None

    def _close_group(self) -> None:
        if self.group is not None:
            self.groups.append(self.group.close())
        self.group = None

    def finish(self) -> Outline:
        self._close_section()
        self._close_group()
        return Outline(
            sections=tuple(sorted(self.sections, key=lambda s: s.start)),
            working_groups=tuple(self.groups),
            tasks=tuple(self.tasks),
            agreements=tuple(self.agreements),
            participants=tuple(person_lines(self.participants, self.text)),
            offers_needs=tuple(self.offers),
        )


def _participant_field(line: Line) -> list[Line]:
    """ "Teilnehmende: Frau A (Stadt X); Herr B" -> one line per person ("Teilnehmende: 35" is
    a head count, found elsewhere)."""
    found = split_field(line)
    if found is None or found.value is None or not _PARTICIPANTS.fullmatch(found.label):
        return []
    if found.value.text[:1].isdigit():
        return []
    offset = found.value.start - line.start
    return [
        replace(
            line,
            raw=line.raw[i.start - line.start : i.end - line.start],
            start=i.start,
            end=i.end,
            bullet=False,
        )
        for i in split_items(line, offset, len(line.raw), _SEMICOLON)
    ]


def _mode_for(label: str) -> tuple[Mode, ExchangeMode | None]:
    exchange = exchange_mode(label)
    if exchange is not None:
        return "exchange", exchange
    if _TASKS.fullmatch(label):
        return "tasks", None
    if _AGREEMENT.fullmatch(label):
        return "agreement", None
    if _PARTICIPANTS.fullmatch(label):
        return "participants", None
    if _AGENDA.fullmatch(label):
        return "agenda", None
    return "body", None


def section_level(lines: list[Line]) -> int:
    """The heading level of top sections: a leading H1 is the document title, not a section."""
    levels = [line.heading_level for line in lines[1:] if line.heading]
    if lines and lines[0].heading and not levels:
        return lines[0].heading_level
    return min(levels) if levels else 1


def parse_outline(lines: list[Line], text: str, dates: DateContext) -> Outline:
    """Walk all lines once and collect the outline."""
    walker = _Walker(text=text, dates=dates, section_level=section_level(lines))
    for index, line in enumerate(lines):
        walker.feed(line, lines[index + 1] if index + 1 < len(lines) else None)
    return walker.finish()
