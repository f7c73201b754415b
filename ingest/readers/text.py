"""Plain-text structure: paragraphs, headings and nested bullet lists found by heuristics.

Protocols exported to text keep their structure only in typography: ALL-CAPS section titles,
``ARBEITSGRUPPE "…"`` lines, short sub-titles right above a bullet list, ``- +`` bullets whose
nesting is one leading space, and ``→`` lines that introduce the agreed tasks. PDF text uses the
same rules plus a line-length rule, because pypdf does not separate paragraphs by blank lines.
"""

import itertools
import re
from dataclasses import dataclass, field
from typing import Literal

from ingest.records import Block

__all__ = ["parse_text"]

_BULLET = re.compile(r"(?P<indent>[ \t]*)(?P<marker>(?:[-–—•*+→▪◦‣●○■➢►](?=\s)\s*)+)(?P<text>\S.*)")
_QUOTED_TITLE = re.compile(r"[A-ZÄÖÜ]{4,}[A-ZÄÖÜ \-]*\s+[\"„“»'].+[\"“”«']:?")
_RULE = re.compile(r"([-=_*~#.·•])\1{2,}")
_SENTENCE_END = (".", "!", "?", ":")
_NO_HEADING_END = (".", ",", ":", ";", "!", "?")
_TAB_WIDTH = 4


@dataclass
class _Pending:
    """A paragraph or list item whose lines are still being collected."""

    kind: Literal["paragraph", "list_item"]
    lines: list[str]
    level: int = 0
    marker: str = ""


@dataclass
class _TextParser:
    """Line-by-line state machine; ``wrapped`` turns on the PDF paragraph rule."""

    wrapped: bool
    wrap_width: int = 0
    items: list[_Pending | Block] = field(default_factory=list)
    current: _Pending | None = None
    indents: list[int] = field(default_factory=list)

    def feed(self, line: str, next_line: str) -> None:
        stripped = line.strip()
        if not stripped or _RULE.fullmatch(stripped):
            self.flush()
            return
        bullet = _BULLET.fullmatch(line.rstrip())
        if bullet is not None and not _is_arrow_heading(bullet, next_line):
            self.flush()
            width = len(bullet.group("indent").expandtabs(_TAB_WIDTH))
            marker = bullet.group("marker").strip()
            self.current = _Pending("list_item", [bullet.group("text")], self._level(width), marker)
        elif bullet is not None or _is_caps_heading(stripped):
            self.flush()
            self.indents.clear()
            self.items.append(Block("heading", stripped, level=2 if bullet else 1))
            return
        elif self.current is not None:
            self.current.lines.append(stripped)
        else:
            self.indents.clear()
            self.current = _Pending("paragraph", [stripped])
        if self.wrapped and self._ends_paragraph(stripped):
            self.flush()

    def flush(self) -> None:
        if self.current is not None:
            self.items.append(self.current)
            self.current = None

    def _level(self, width: int) -> int:
        while self.indents and self.indents[-1] > width:
            self.indents.pop()
        if not self.indents or self.indents[-1] < width:
            self.indents.append(width)
        return len(self.indents) - 1

    def _ends_paragraph(self, line: str) -> bool:
        return line.endswith(_SENTENCE_END) and len(line) < 0.75 * self.wrap_width


def parse_text(text: str, *, page: int | None = None, wrapped: bool = False) -> list[Block]:
    """Split text (``\\n`` line endings) into blocks.

    Args:
        text: The decoded text without front matter.
        page: Page number to put on every block (PDF pages).
        wrapped: Lines are hard-wrapped and paragraphs may not be separated by blank lines.
    """
    lines = text.split("\n")
    width = _typical_width(lines)
    if _is_double_spaced(lines, width):
        lines = _rejoin_double_spaced(lines, width)
    parser = _TextParser(wrapped=wrapped, wrap_width=width)
    for index, line in enumerate(lines):
        parser.feed(line, lines[index + 1] if index + 1 < len(lines) else "")
    parser.flush()
    return [_with_page(block, page) for block in _to_blocks(parser.items)]


def _to_blocks(items: list[_Pending | Block]) -> list[Block]:
    blocks: list[Block] = []
    for index, item in enumerate(items):
        if isinstance(item, Block):
            blocks.append(item)
            continue
        following = items[index + 1] if index + 1 < len(items) else None
        followed_by_list = isinstance(following, _Pending) and following.kind == "list_item"
        if item.kind == "list_item":
            blocks.append(Block("list_item", _join(item.lines), level=item.level))
        elif len(item.lines) == 1 and followed_by_list and _looks_like_subheading(item.lines[0]):
            blocks.append(Block("heading", item.lines[0], level=2))
        elif len(item.lines) > 1 and _starts_with_title(item.lines):
            blocks.append(Block("heading", item.lines[0], level=2))
            blocks.append(Block("paragraph", _join(item.lines[1:])))
        else:
            blocks.append(Block("paragraph", _join(item.lines)))
    return blocks


def _join(lines: list[str]) -> str:
    """Join hard-wrapped lines; ``Jakob-`` + ``Kaiser-Haus`` keep the hyphen, lose the space."""
    parts = [lines[0]]
    for previous, line in itertools.pairwise(lines):
        glued = (
            len(previous) > 1
            and previous.endswith("-")
            and previous[-2].isalpha()
            and line[:1].isupper()
        )
        parts.append(line if glued else f" {line}")
    return "".join(parts)


def _is_caps_heading(line: str) -> bool:
    """ALL-CAPS title (``EINFÜHRUNG``, ``ABLAUF:``) or ``ARBEITSGRUPPE "Titel"``."""
    if len(line) > 120 or len(line.split()) > 15:
        return False
    if _QUOTED_TITLE.fullmatch(line):
        return True
    # upper() changes the line iff it has a lowercase letter; checked first because it is cheap.
    return line == line.upper() and sum(map(str.isalpha, line)) >= 5


def _is_arrow_heading(bullet: re.Match[str], next_line: str) -> bool:
    """A lone short ``→ Vorläufiger Arbeitsauftrag`` line introduces a block, it is no bullet."""
    text = bullet.group("text").strip()
    return (
        bullet.group("marker").strip() == "→"
        and not bullet.group("indent")
        and not next_line.strip()
        and len(text) <= 80
        and not text.endswith(_NO_HEADING_END)
    )


def _looks_like_subheading(line: str) -> bool:
    """A short capitalised line without closing punctuation right above a bullet list."""
    return (
        len(line) <= 150
        and len(line.split()) <= 20
        and line[0].isupper()
        and not line.endswith(_NO_HEADING_END)
    )


def _starts_with_title(lines: list[str]) -> bool:
    """``Steuerungskreis der Regiopolregion`` on its own line above a long unbroken paragraph."""
    first, rest = lines[0], " ".join(lines[1:])
    return (
        len(first) <= 80
        and len(first.split()) <= 10
        and first[0].isupper()
        and not first.endswith(_NO_HEADING_END)
        and rest[:1].isupper()
        and len(rest) >= max(60, 2 * len(first))
    )


def _is_double_spaced(lines: list[str], width: int) -> bool:
    """Nearly every line is followed by a blank one, and many run to full width unfinished."""
    filled = [index for index, line in enumerate(lines) if line.strip()]
    if len(filled) < 4:
        return False
    spaced = sum(1 for index in filled if index + 1 < len(lines) and not lines[index + 1].strip())
    wrapped = sum(1 for index in filled if _is_wrapped(lines[index], width))
    return spaced >= 0.7 * len(filled) and wrapped >= 0.3 * len(filled)


def _rejoin_double_spaced(lines: list[str], width: int) -> list[str]:
    """Drop the blank line a PDF-to-text export puts after every hard-wrapped line.

    Only where the line above runs to (nearly) full width without closing punctuation: that
    is a wrapped sentence, while a short or finished line ends a paragraph.
    """
    out: list[str] = []
    for index, line in enumerate(lines):
        if (
            not line.strip()
            and out
            and _is_wrapped(out[-1], width)
            and index + 1 < len(lines)
            and lines[index + 1].strip()
            and _BULLET.fullmatch(lines[index + 1].rstrip()) is None
        ):
            continue
        out.append(line)
    return out


def _is_wrapped(line: str, width: int) -> bool:
    stripped = line.strip()
    return (
        width >= 40
        and _BULLET.fullmatch(line.rstrip()) is None
        and len(stripped) >= 0.7 * width
        and not stripped.endswith((*_SENTENCE_END, ";"))
    )


def _typical_width(lines: list[str]) -> int:
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


def _with_page(block: Block, page: int | None) -> Block:
    if page is None:
        return block
    return Block(block.kind, block.text, level=block.level, page=page)
