"""Contact persons of a project: "Name, Rolle, E-Mail, Telefon" lines, sub-lists and tables.

Names and roles stay raw (the NLP stage resolves people); only e-mail addresses and phone
numbers are pulled out here, because their shape is unambiguous.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.structure._lines import Line, cells, collapse, split_items
from ingest.structure._lines import field as split_field
from ingest.structure.records import ContactPerson

EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w@.])(?:\+\d{2,3}|0)[\d ()/\-–]{4,22}\d")
_COMMA = re.compile(r"[,;]")
_SUB_FIELDS = (
    ("name", r"name|ansprechpartner(?:[:*/]?in)?|person"),
    ("role", r"rolle|funktion|position|aufgabe|stelle|organisation|institution|dienststelle|amt"),
    ("email", r"e-?mail|mail"),
    ("phone", r"telefon|tel\.?|fon|phone|mobil"),
)
_SEPARATOR_ROW = re.compile(r"[\s|:\-–]+")


def find_email(text: str) -> str | None:
    """The first e-mail address."""
    match = EMAIL.search(text)
    return match.group() if match is not None else None


def find_phone(text: str) -> str | None:
    """The first phone number with at least six digits."""
    for match in PHONE.finditer(text):
        if 6 <= sum(char.isdigit() for char in match.group()) <= 15:
            return match.group().strip()
    return None


def _sub_key(label: str) -> str | None:
    lowered = label.strip("*_ ").lower()
    return next((key for key, p in _SUB_FIELDS if re.fullmatch(p, lowered)), None)


@dataclass
class _Pending:
    """A contact assembled from "Name:", "Rolle:", "E-Mail:" lines."""

    lines: list[Line] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    def contact(self, text: str) -> ContactPerson:
        start, end = self.lines[0].start, self.lines[-1].end
        joined = collapse(text[start:end])
        return ContactPerson(
            joined,
            start,
            end,
            name=self.values.get("name"),
            role=self.values.get("role"),
            email=find_email(self.values.get("email", "")) or find_email(joined),
            phone=find_phone(self.values.get("phone", "")) or find_phone(joined),
        )


def contacts_from_entries(entries: Sequence[Line], text: str) -> list[ContactPerson]:
    """Contacts from the lines under a contact label (one per line, or a field sub-list)."""
    found: list[ContactPerson] = []
    pending = _Pending()
    for line in entries:
        sub = split_field(line)
        key = _sub_key(sub.label) if sub is not None else None
        if sub is not None and key is not None and not line.table:
            if key in pending.values and key == "name":
                found.append(pending.contact(text))
                pending = _Pending()
            pending.lines.append(line)
            pending.values.setdefault(key, sub.value.text if sub.value else "")
            continue
        if pending.lines:
            found.append(pending.contact(text))
            pending = _Pending()
        if not line.table:
            found.append(contact_from_line(line))
    if pending.lines:
        found.append(pending.contact(text))
    return found


def contact_from_line(line: Line) -> ContactPerson:
    """ "Dr. Anna Beispiel, Klimaschutzmanagerin, anna@verl.de, 05246 123" -> one contact."""
    parts = split_items(line, 0, len(line.raw), _COMMA)
    kept = [p.text for p in parts if not EMAIL.search(p.text) and find_phone(p.text) is None]
    kept = [p for p in kept if not re.match(r"(?:e-?mail|tel\.?|telefon|fon)\b", p, re.I)]
    return ContactPerson(
        line.text,
        line.start,
        line.end,
        name=kept[0] if kept else None,
        role=", ".join(kept[1:]) or None,
        email=find_email(line.raw),
        phone=find_phone(line.raw),
    )


def contacts_from_tables(lines: Sequence[Line]) -> list[ContactPerson]:
    """Contacts from table rows under a header with a name column ("Name | Rolle | E-Mail")."""
    found: list[ContactPerson] = []
    columns: dict[str, int] | None = None
    for line in lines:
        if not line.table:
            columns = None
            continue
        if _SEPARATOR_ROW.fullmatch(line.raw):
            continue
        header = _header_columns(line)
        if header is not None:
            columns = header
        elif columns is not None:
            found.append(_row_contact(line, columns))
    return found


def _header_columns(line: Line) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells(line)):
        key = _sub_key(cell.text) if cell is not None else None
        if key is not None and key not in columns:
            columns[key] = index
    return columns if "name" in columns and len(columns) >= 2 else None


def _row_contact(line: Line, columns: dict[str, int]) -> ContactPerson:
    row = cells(line)

    def cell(key: str) -> str | None:
        index = columns.get(key)
        value = row[index] if index is not None and index < len(row) else None
        return value.text if value is not None else None

    return ContactPerson(
        line.text,
        line.start,
        line.end,
        name=cell("name"),
        role=cell("role"),
        email=find_email(cell("email") or "") or find_email(line.raw),
        phone=find_phone(cell("phone") or "") or find_phone(line.raw),
    )
