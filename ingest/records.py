"""Records passed between the ingest stages (reader -> structure -> NLP -> triples).

Frozen dataclasses so a stage cannot change what an earlier stage produced.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table_row"]
DocKind = Literal["protocol", "project", "event", "page"]


@dataclass(frozen=True)
class Block:
    """One structural unit as a reader found it: a heading, a paragraph, a list item."""

    kind: BlockKind
    text: str
    level: int = 0  # heading level (1 = top) or list nesting depth (0 = top level)
    page: int | None = None  # 1-based PDF page, None for formats without pages


@dataclass(frozen=True)
class SourceDocument:
    """What a reader returns: the blocks of one file plus its front matter."""

    path: Path
    doc_id: str  # content-independent id: front matter ``id`` or the path relative to the root
    content_hash: str  # sha256 of the raw bytes
    source: str  # path relative to the input root, or front matter source/source_url
    meta: dict[str, Any]  # validated front matter (title, date, kind, municipality, ...)
    blocks: tuple[Block, ...]
    media_type: str  # text/plain, text/markdown, text/html, application/pdf, ...


@dataclass(frozen=True)
class Section:
    """A run of blocks under one heading path, located in the normalised text."""

    heading_path: tuple[str, ...]
    start: int  # offset into the normalised text
    end: int
    page: int | None = None


@dataclass(frozen=True)
class NormalisedDocument:
    """The stored normalised text of a document and its sections with offsets."""

    source: SourceDocument
    text: str
    sections: tuple[Section, ...]
    block_spans: tuple[tuple[int, int], ...]  # (start, end) of each block in ``text``


@dataclass(frozen=True)
class Chunk:
    """A passage: section-aware, 80-250 words, never across a section boundary."""

    position: int
    text: str
    start: int
    end: int
    heading_path: tuple[str, ...]
    page: int | None = None


@dataclass(frozen=True)
class Mention:
    """An entity found in text, with its span in the normalised document text."""

    kind: Literal["municipality", "kreis", "region", "person", "organisation", "topic"]
    text: str
    start: int
    end: int
    key: str  # AGS for municipalities, concept id for topics, normalised name otherwise
    confidence: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)
