"""Normalised document text with block spans and sections.

Everything downstream (chunks, mentions, passages in the graph) points into this one string by
offset, so the invariant ``text[start:end] == normalise_block_text(block.text)`` holds for every
block span, and sections are built from block spans rather than by searching the text.

Sections are disjoint runs: each starts at a heading and runs to the next heading of any level;
its ``heading_path`` lists the enclosing headings (a heading closes every open heading of the same
or a deeper level). Blocks before the first heading form a section of their own. Disjoint
sections let the chunker cut at section boundaries without passing text twice.
"""

import functools
import re
import sys
import unicodedata
from collections.abc import Sequence

from ingest.records import Block, NormalisedDocument, Section, SourceDocument

__all__ = ["BLOCK_SEPARATOR", "LINE_SEPARATOR", "normalise", "normalise_block_text"]

BLOCK_SEPARATOR = "\n\n"
LINE_SEPARATOR = "\n"  # between consecutive list items and between consecutive table rows
# Format characters (soft hyphen, zero-width space, bidi overrides), controls and lone surrogates
# are invisible or unencodable; left in, they split words for search and break serialisers.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})
_LINE_KINDS = frozenset({"list_item", "table_row"})


def normalise_block_text(text: str) -> str:
    """NFC, invisible characters removed, every whitespace run one space, stripped."""
    # str.split() runs in C and splits on exactly the Unicode whitespace set; tabs and newlines
    # are Cc too and must become spaces before invisible characters are deleted.
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if not text.isprintable():  # C-speed pre-check; the regex below is only built when needed
        text = " ".join(_invisible_pattern().sub("", text).split())
    return text


@functools.cache
def _invisible_pattern() -> re.Pattern[str]:
    """One character class of every Cc, Cf and Cs code point of this Python's Unicode version."""
    ranges: list[str] = []
    start: int | None = None
    for code in range(sys.maxunicode + 2):
        hit = code <= sys.maxunicode and unicodedata.category(chr(code)) in _INVISIBLE
        if hit and start is None:
            start = code
        elif not hit and start is not None:
            ranges.append(f"\\U{start:08x}-\\U{code - 1:08x}")
            start = None
    return re.compile(f"[{''.join(ranges)}]")


def normalise(doc: SourceDocument) -> NormalisedDocument:
    """Join the normalised blocks into one text and locate blocks and sections in it."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    cursor = 0
    previous: Block | None = None
    for block in doc.blocks:
        text = normalise_block_text(block.text)
        if text and previous is not None:
            separator = _separator(previous, block)
            parts.append(separator)
            cursor += len(separator)
        spans.append((cursor, cursor + len(text)))
        if text:
            parts.append(text)
            cursor += len(text)
            previous = block
    full_text = "".join(parts)
    sections = _sections(doc.blocks, spans, full_text, _title(doc))
    return NormalisedDocument(
        source=doc, text=full_text, sections=tuple(sections), block_spans=tuple(spans)
    )


def _separator(previous: Block, block: Block) -> str:
    if previous.kind == block.kind and block.kind in _LINE_KINDS:
        return LINE_SEPARATOR
    return BLOCK_SEPARATOR


def _title(doc: SourceDocument) -> str | None:
    """The meta title, used as outermost heading only when no level-1 heading exists."""
    title = doc.meta.get("title")
    if not isinstance(title, str) or not normalise_block_text(title):
        return None
    if any(block.kind == "heading" and block.level <= 1 for block in doc.blocks):
        return None
    return normalise_block_text(title)


def _sections(
    blocks: Sequence[Block], spans: Sequence[tuple[int, int]], text: str, title: str | None
) -> list[Section]:
    root: tuple[str, ...] = (title,) if title else ()
    open_headings: list[tuple[int, str]] = []
    sections: list[Section] = []
    current: tuple[tuple[str, ...], int, int, int | None] | None = None
    for block, (start, end) in zip(blocks, spans, strict=True):
        if start == end:
            continue
        if block.kind == "heading":
            if current is not None:
                sections.append(Section(current[0], current[1], current[2], current[3]))
            while open_headings and open_headings[-1][0] >= block.level:
                open_headings.pop()
            open_headings.append((block.level, text[start:end]))
            path = root + tuple(heading for _, heading in open_headings)
            if path[:1] == path[1:2]:  # a title repeated as first heading is listed once
                path = path[1:]
            current = (path, start, end, block.page)
        elif current is None:
            current = (root, start, end, block.page)
        else:
            current = (current[0], current[1], end, current[3])
    if current is not None:
        sections.append(Section(current[0], current[1], current[2], current[3]))
    return sections
