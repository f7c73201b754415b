"""Task records: the bullets of an "Arbeitsauftrag" / "Nächste Schritte" block or an agreement.

Due dates are often written without a year ("Bis zum Termin der 2. Werkstatt (29. April)"); they
are completed from the meetings the protocol announces and from the protocol's own date.
"""

import re
from datetime import date

from ingest.structure._dates import complete
from ingest.structure._lines import Line, collapse
from ingest.structure._meetings import DateContext
from ingest.structure.records import TaskItem

_DUE_CUE = re.compile(
    r"\b(?:bis(?:\s+(?:zum|zur|spätestens|ende))?|spätestens|frist|fällig(?:\s+am)?|deadline)\b",
    re.I,
)
_ASSIGNEE = re.compile(
    r"\b(?:verantwortlich|zuständig|federführend|federführung)\b\s*(?::|bei)?\s*(?P<who>[^,;()\n]+)",
    re.I,
)
_LABEL = re.compile(r"(?P<label>[^:()\"„“”]{2,60}?)\s*:\s+\S")
_DUE_WINDOW = 80


def make_task(
    line: Line,
    *,
    parent: tuple[int, TaskItem] | None,
    group: str | None,
    category: str | None,
    agreement: bool,
    dates: DateContext,
) -> TaskItem:
    """One task; a nested bullet inherits due date and assignee from its parent task."""
    due = find_due(line.raw, dates)
    parent_task = parent[1] if parent is not None else None
    assignee = find_assignee(line.raw)
    if parent_task is not None:
        if due is None and parent_task.due is not None:
            due = parent_task.due, parent_task.due_text or ""
        assignee = assignee or parent_task.assignee
    return TaskItem(
        text=line.text,
        start=line.start,
        end=line.end,
        group=group,
        category=category,
        label=task_label(line.text),
        due=due[0] if due else None,
        due_text=due[1] if due else None,
        assignee=assignee,
        level=line.level if line.bullet else 0,
        parent=parent[0] if parent is not None else None,
        is_question=parent is not None and "?" in line.text,
        agreement=agreement,
    )


def task_label(text: str) -> str | None:
    """The short prefix before the first colon ("Wissen generieren: ..." -> "Wissen generieren")."""
    match = _LABEL.match(text)
    if match is None or len(match["label"].split()) > 6:
        return None
    return match["label"].strip("*_ ") or None


def find_due(text: str, dates: DateContext) -> tuple[date, str] | None:
    """The first date after a deadline cue ("bis", "spätestens", "Frist"), completed if partial."""
    for cue in _DUE_CUE.finditer(text):
        hit = complete(text[cue.end() : cue.end() + _DUE_WINDOW], dates.reference, dates.anchors)
        if hit is None:
            continue
        phrase_end = cue.end() + hit.end
        if text[phrase_end : phrase_end + 1] == ")" and "(" in text[cue.start() : phrase_end]:
            phrase_end += 1
        return hit.value, collapse(text[cue.start() : phrase_end])
    return None


def find_assignee(text: str) -> str | None:
    """Who is responsible ("verantwortlich: Stadt Herford"), raw."""
    match = _ASSIGNEE.search(text)
    if match is None:
        return None
    who = collapse(match["who"]).strip("*_ .")
    return who or None
