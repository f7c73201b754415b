"""Labelled parts of a description: "Ziele:" fields, "## Ziele" headings and what follows them.

Project and event notes write the same facts either as "Feld: Wert" lines or as a heading with
a list below; both end up as a ``FieldBlock`` whose entries are the inline value and the lines
up to the next recognised label or heading.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ingest.structure._lines import Line, heading_label, label_splitter
from ingest.structure._lines import field as split_field
from ingest.structure.records import TextItem


@dataclass
class FieldBlock:
    """One labelled part: its key, the line that opened it and its entries."""

    key: str
    label: str
    head: Line
    entries: list[Line] = field(default_factory=list)
    inline: bool = False  # the value stood on the label's line

    def items(self) -> list[TextItem]:
        """The entries as records."""
        return [entry.item() for entry in self.entries]


@dataclass(frozen=True)
class FieldKeys:
    """Label patterns per key; entries of ``sticky`` keys may themselves be "Label: value"."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    splitter: re.Pattern[str]
    sticky: frozenset[str] = frozenset()

    def key(self, label: str) -> str | None:
        """The key whose pattern matches the whole label, ignoring case and Markdown marks."""
        cleaned = " ".join(label.strip("*_#→: ").split())
        return next((key for key, pattern in self.patterns if pattern.fullmatch(cleaned)), None)


def keys(*pairs: tuple[str, str], sticky: frozenset[str] = frozenset()) -> FieldKeys:
    """Compile ``(key, pattern)`` pairs, case-insensitive."""
    alternation = "|".join(f"(?:{pattern})" for _, pattern in pairs)
    compiled = tuple((key, re.compile(pattern, re.I)) for key, pattern in pairs)
    return FieldKeys(compiled, label_splitter(alternation), sticky)


def collect_fields(
    lines: Sequence[Line], field_keys: FieldKeys
) -> tuple[list[FieldBlock], list[Line]]:
    """The labelled blocks and the lines that belong to none of them."""
    blocks: list[FieldBlock] = []
    rest: list[Line] = []
    current: FieldBlock | None = None
    for line in lines:
        found = split_field(line)
        label = found.label if found is not None else heading_label(line)
        key = field_keys.key(label) if label else None
        if key is not None and label is not None:
            current = FieldBlock(key, " ".join(label.strip("*_#→: ").split()), line)
            blocks.append(current)
            if found is not None and found.value is not None:
                current.entries.append(_value_line(line, found.value))
                current.inline = True
            continue
        if current is not None and _ends(current, line, found is not None, field_keys):
            current = None
        if current is None:
            rest.append(line)
        else:
            current.entries.append(line)
    return blocks, rest


def _ends(current: FieldBlock, line: Line, is_field: bool, field_keys: FieldKeys) -> bool:
    """A heading ends a field; so does a paragraph after an inline value or an unknown
    "Label: value" line, except in sticky fields whose entries are such lines."""
    if line.heading:
        return True
    if line.bullet or (is_field and current.key in field_keys.sticky):
        return False
    return current.inline or is_field


def _value_line(line: Line, value: TextItem) -> Line:
    offset = value.start - line.start
    raw = line.raw[offset : offset + value.end - value.start]
    return replace(line, raw=raw, start=value.start, end=value.end)


def first_block(blocks: Sequence[FieldBlock], key: str) -> FieldBlock | None:
    """The first block of a key."""
    return next((block for block in blocks if block.key == key), None)


def entries(blocks: Sequence[FieldBlock], key: str) -> list[Line]:
    """All entries of all blocks of a key."""
    return [entry for block in blocks if block.key == key for entry in block.entries]
