"""Section-aware passages: the unit that is embedded, cited and linked to experiences.

A passage never crosses a section boundary, so its heading path is exact and the evidence
shown to a user belongs to one topic of the document.
"""

import re
from collections.abc import Iterator

from ingest.records import Chunk, NormalisedDocument, Section

MIN_WORDS = 80
MAX_WORDS = 250
TARGET_WORDS = 180
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9\"„(])")
_WORD = re.compile(r"\S+")


def word_count(text: str) -> int:
    """Whitespace-separated words, the unit of the chunk-size budget."""
    return len(_WORD.findall(text))


def chunk_document(doc: NormalisedDocument) -> list[Chunk]:
    """Cut every section into passages of about 80-250 words with exact offsets."""
    chunks: list[Chunk] = []
    pages = _block_pages(doc)
    for section in doc.sections:
        for start, end in _section_spans(doc, section):
            text = doc.text[start:end]
            if not text.strip():
                continue
            chunks.append(
                Chunk(
                    position=len(chunks),
                    text=text,
                    start=start,
                    end=end,
                    heading_path=section.heading_path,
                    page=_page_at(pages, start) or section.page,
                )
            )
    return chunks


def _block_pages(doc: NormalisedDocument) -> list[tuple[int, int | None]]:
    blocks = doc.source.blocks
    return [(span[0], blocks[i].page) for i, span in enumerate(doc.block_spans) if i < len(blocks)]


def _page_at(pages: list[tuple[int, int | None]], offset: int) -> int | None:
    page: int | None = None
    for start, block_page in pages:
        if start > offset:
            break
        page = block_page
    return page


def _section_spans(doc: NormalisedDocument, section: Section) -> Iterator[tuple[int, int]]:
    """Greedy packing of the section's pieces (blocks, or sentences of long blocks)."""
    pieces = list(_pieces(doc, section))
    current: list[tuple[int, int]] = []
    words = 0
    for start, end in pieces:
        size = word_count(doc.text[start:end])
        if current and words + size > MAX_WORDS:
            yield current[0][0], current[-1][1]
            current, words = [], 0
        current.append((start, end))
        words += size
        if words >= TARGET_WORDS:
            yield current[0][0], current[-1][1]
            current, words = [], 0
    if current:
        yield current[0][0], current[-1][1]


def _pieces(doc: NormalisedDocument, section: Section) -> Iterator[tuple[int, int]]:
    for start, end in doc.block_spans:
        if start < section.start or end > section.end or start >= end:
            continue
        if word_count(doc.text[start:end]) <= MAX_WORDS:
            yield start, end
        else:
            yield from _split_long(doc.text, start, end)


def _split_long(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentences of an over-long block; a sentence over the budget is cut by words."""
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        yield from _cap_words(text, cursor, match.start())
        cursor = match.end()
    yield from _cap_words(text, cursor, end)


def _cap_words(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    words = list(_WORD.finditer(text, start, end))
    for i in range(0, len(words), MAX_WORDS):
        group = words[i : i + MAX_WORDS]
        yield group[0].start(), group[-1].end()


def document_pieces(doc: NormalisedDocument, chunks: list[Chunk]) -> list[str]:
    """The whole text as the chunks plus the stretches between them (headings, gaps).

    Together they hold every word of ``doc.text`` exactly once, split only where chunks
    start or end, so the NLP stage can read a document's geo context from pieces it parses
    anyway instead of tokenising the whole text a second time.
    """
    pieces: list[str] = []
    position = 0
    for chunk in sorted(chunks, key=lambda c: c.start):
        if chunk.start > position and doc.text[position : chunk.start].strip():
            pieces.append(doc.text[position : chunk.start])
        pieces.append(chunk.text)
        position = max(position, chunk.end)
    if doc.text[position:].strip():
        pieces.append(doc.text[position:])
    return pieces
