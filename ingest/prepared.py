"""A read document made ready for embedding: normalised, typed, parsed and chunked.

Split from the pipeline so that several documents can be prepared first and their passages
embedded together: per-document calls of three or four passages left the model padding
short batches, and embedding is most of the ingest time.
"""

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingest.chunking import chunk_document
from ingest.normalise import normalise
from ingest.records import Chunk, DocKind, NormalisedDocument, SourceDocument
from ingest.structure import parse_structure
from ingest.structure.kinds import detect_kind
from ingest.structure.records import DocumentStructure


@dataclass(frozen=True)
class PreparedDocument:
    """Everything about one file that does not need its vectors."""

    path: Path
    status: str  # new | updated
    source: SourceDocument
    doc: NormalisedDocument
    kind: DocKind
    structure: DocumentStructure
    chunks: list[Chunk]
    title: str
    doc_date: date | None
    started: float  # perf_counter when the file was opened, for its outcome's seconds

    def embedding_texts(self) -> list[str]:
        """What the encoder sees of each passage."""
        return [embedding_text(self.title, c) for c in self.chunks]


def prepare(path: Path, status: str, source: SourceDocument, started: float) -> PreparedDocument:
    """Normalise, detect the kind, parse the structure and cut the passages."""
    doc = normalise(source)
    kind = document_kind(doc)
    structure = parse_structure(doc, kind)
    chunks = chunk_document(doc)
    return PreparedDocument(
        path, status, source, doc, kind, structure, chunks,
        document_title(doc, structure), document_date(source, structure), started,
    )  # fmt: skip


def document_kind(doc: NormalisedDocument) -> DocKind:
    """Front matter wins; otherwise the cues in the text decide."""
    kind = doc.source.meta.get("kind")
    if kind in ("protocol", "project", "event", "page"):
        return kind  # type: ignore[no-any-return]
    return detect_kind(doc)


def document_title(doc: NormalisedDocument, structure: object) -> str:
    """Front matter title, else the parsed title, else the first heading, else the id."""
    meta_title = doc.source.meta.get("title")
    parsed = getattr(structure, "title", None)
    first_heading = next((b.text for b in doc.source.blocks if b.kind == "heading"), None)
    return str(meta_title or parsed or first_heading or doc.source.doc_id)[:300]


def document_date(source: SourceDocument, structure: object) -> date | None:
    """Front matter date (ISO), else the date the structure parser found."""
    raw = source.meta.get("date")
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            pass
    parsed = getattr(structure, "date", None)
    return parsed if isinstance(parsed, date) else None


def embedding_text(title: str, chunk: Chunk) -> str:
    """Title and heading path before the passage: the encoder sees what the passage is about."""
    heading = " > ".join(h for h in chunk.heading_path if h != title)
    prefix = f"{title}. {heading}: " if heading else f"{title}. "
    return prefix + chunk.text


class timed:  # noqa: N801 - a statement-like context manager
    """Add the time spent in a block to ``stages[name]`` (the benchmark's stage table)."""

    def __init__(self, stages: dict[str, float], name: str) -> None:
        self._stages, self._name = stages, name
        self._start = 0.0

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        spent = time.perf_counter() - self._start
        self._stages[self._name] = self._stages.get(self._name, 0.0) + spent
