"""Files into the knowledge base: read, structure, chunk, embed, analyse, triples, write.

A file is the unit of work and of failure: a bad file is reported with its reason and the
batch goes on; a file's graph and vectors are written together through the journaled
``KnowledgeBase`` so a crash never leaves half a document.
"""

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from rdflib import URIRef

from graph.embedding import Embedder
from graph.errors import GraphError
from graph.knowledge_base import KnowledgeBase
from graph.vectors import PassagePoint
from ingest.analysis import AnalysisContext
from ingest.chunking import chunk_document
from ingest.concept_vectors import ConceptEmbeddings
from ingest.errors import IngestError
from ingest.identities import Identities
from ingest.nlp import Analyzer
from ingest.normalise import normalise
from ingest.readers import discover, read_document
from ingest.records import Chunk, DocKind, NormalisedDocument, SourceDocument
from ingest.resolution import AliasTable
from ingest.structure import parse_structure
from ingest.structure.kinds import detect_kind
from ingest.structure_triples import add_structure
from ingest.triples import AnalysedDocument, DocumentGraph, build_document_graph

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file."""

    path: str
    status: str  # new | updated | unchanged | failed | pruned
    doc_id: str | None = None
    passages: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    experiences: int = 0
    error: str | None = None
    seconds: float = 0.0


@dataclass
class IngestSummary:
    """Totals of one ingest run, printed by the CLI and returned by the API."""

    files: list[FileOutcome] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def count(self, status: str) -> int:
        """Files with the given status."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return self.count("failed") == 0

    def to_json(self) -> dict[str, Any]:
        """Stable JSON shape of the summary."""
        entities: Counter[str] = Counter()
        for f in self.files:
            entities.update(f.entities)
        return {
            "documents": {
                s: self.count(s) for s in ("new", "updated", "unchanged", "failed", "pruned")
            },
            "passages": sum(f.passages for f in self.files),
            "entities": dict(sorted(entities.items())),
            "experiences": sum(f.experiences for f in self.files),
            "errors": [{"path": f.path, "reason": f.error} for f in self.files if f.error],
            "stage_seconds": {k: round(v, 3) for k, v in sorted(self.stage_seconds.items())},
        }


class Ingestor:
    """Runs the pipeline into one knowledge base; build once per run or per app."""

    def __init__(
        self,
        kb: KnowledgeBase,
        embedder: Embedder,
        analyzer: Analyzer,
        *,
        max_bytes: int = 50 * 1024 * 1024,
        batch_size: int = 32,
        aliases: AliasTable | None = None,
    ) -> None:
        self.kb = kb
        self.aliases = aliases or AliasTable()
        self.embedder = embedder
        self.analyzer = analyzer
        self.max_bytes = max_bytes
        self.batch_size = batch_size
        self.identities = Identities.from_store(kb.store)
        self._broader = {iri: c.broader for iri, c in analyzer.topic_index.concepts.items()}
        self._topic_cache: dict[str, set[URIRef]] = {}
        self._concepts = ConceptEmbeddings.from_store(kb.store, embedder)

    def ingest_paths(
        self,
        paths: Sequence[Path],
        *,
        prune: bool = False,
        on_file: Callable[[FileOutcome], None] | None = None,
    ) -> IngestSummary:
        """Ingest every supported file below ``paths``; unchanged files are skipped."""
        summary = IngestSummary()
        known = self.kb.document_hashes()
        seen: set[str] = set()
        for found in discover(paths):
            if found.error is not None:
                outcome = FileOutcome(str(found.path), "failed", error=str(found.error))
            else:
                outcome = self.ingest_file(found.path, found.root, known, summary.stage_seconds)
            if outcome.doc_id:
                seen.add(outcome.doc_id)
            summary.files.append(outcome)
            if on_file is not None:
                on_file(outcome)
        if prune:
            for doc_id in sorted(set(known) - seen):
                self.kb.delete_document(doc_id)
                summary.files.append(FileOutcome(doc_id, "pruned", doc_id=doc_id))
        return summary

    def ingest_file(
        self,
        path: Path,
        root: Path,
        known: dict[str, str] | None = None,
        stages: dict[str, float] | None = None,
    ) -> FileOutcome:
        """One file end to end; a domain error becomes a ``failed`` outcome, never a raise."""
        started = time.perf_counter()
        stages = stages if stages is not None else {}
        known = known if known is not None else self.kb.document_hashes()
        try:
            with _timed(stages, "read"):
                source = read_document(path, root, max_bytes=self.max_bytes)
            if known.get(source.doc_id) == source.content_hash:
                return FileOutcome(str(path), "unchanged", source.doc_id)
            status = "updated" if source.doc_id in known else "new"
            dg, points = self._process(source, stages)
            with _timed(stages, "write"):
                self.kb.replace_document(source.doc_id, source.content_hash, dg.graph, points)
            known[source.doc_id] = source.content_hash
        except (IngestError, GraphError) as exc:
            logger.warning("%s: %s", path, exc)
            return FileOutcome(str(path), "failed", error=str(exc))
        return FileOutcome(
            str(path), status, source.doc_id, len(points), dict(dg.entity_counts),
            dg.experiences, seconds=time.perf_counter() - started,
        )  # fmt: skip

    def _process(
        self, source: SourceDocument, stages: dict[str, float]
    ) -> tuple[DocumentGraph, list[PassagePoint]]:
        with _timed(stages, "structure"):
            doc = normalise(source)
            kind = _kind(doc)
            structure = parse_structure(doc, kind)
            chunks = chunk_document(doc)
        title = _title(doc, structure)
        with _timed(stages, "embed"):
            vectors = self._embed(title, chunks)
        with _timed(stages, "nlp"):
            doc_date = _doc_date(source, structure)
            geo = self.analyzer.geo_context(doc.text)
            analyses = [
                self._concepts.complete(
                    self.analyzer.analyse(
                        c.text,
                        reference_date=doc_date,
                        context=AnalysisContext(c.start, c.heading_path, geo, vectors[i]),
                    ),
                    vectors[i],
                )
                for i, c in enumerate(chunks)
            ]
        with _timed(stages, "triples"):
            ad = AnalysedDocument(doc, kind, structure, chunks, analyses, title, doc_date)
            dg = build_document_graph(ad, self.identities, self.aliases)
            add_structure(dg, ad, self.topics_of)
            points = self._points(ad, dg, vectors)
        return dg, points

    def _embed(self, title: str, chunks: list[Chunk]) -> np.ndarray:
        texts = [_embedding_text(title, c) for c in chunks]
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.asarray(self.embedder.embed_passages(texts), dtype=np.float32)

    def topics_of(self, label: str) -> set[URIRef]:
        """Concepts a label or short text names (front matter topics, task texts)."""
        if label not in self._topic_cache:
            found = self.analyzer.analyse(label).topics
            self._topic_cache[label] = {URIRef(t.iri) for t in found if t.confidence >= 0.8}
        return self._topic_cache[label]

    def _with_broader(self, topics: Iterable[URIRef]) -> set[str]:
        out: set[str] = set()
        stack = [str(t) for t in topics]
        while stack:
            iri = stack.pop()
            if iri not in out:
                out.add(iri)
                stack.extend(self._broader.get(iri, ()))
        return out

    def _points(
        self, ad: AnalysedDocument, dg: DocumentGraph, vectors: np.ndarray
    ) -> list[PassagePoint]:
        doc_ags = _front_matter_municipalities(ad, self.analyzer)
        points: list[PassagePoint] = []
        for i, chunk in enumerate(ad.chunks):
            ags = tuple(sorted(dg.passage_municipalities[i] | doc_ags))
            points.append(
                PassagePoint(
                    passage_iri=str(_passage_iri(ad, chunk)),
                    document_id=ad.doc.source.doc_id,
                    vector=vectors[i],
                    municipalities=ags,
                    kreise=tuple(sorted({a[:5] for a in ags})),
                    topics=tuple(sorted(self._with_broader(dg.passage_topics[i]))),
                    kind=ad.kind,
                    year=ad.doc_date.year if ad.doc_date else None,
                    date=ad.doc_date.isoformat() if ad.doc_date else None,
                    text=chunk.text,
                )
            )
        return points


def _passage_iri(ad: AnalysedDocument, chunk: Chunk) -> URIRef:
    from graph.iris import passage_iri

    return passage_iri(ad.doc.source.doc_id, chunk.position)


class _timed:  # noqa: N801 - a statement-like context manager
    def __init__(self, stages: dict[str, float], name: str) -> None:
        self._stages, self._name = stages, name
        self._start = 0.0

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        spent = time.perf_counter() - self._start
        self._stages[self._name] = self._stages.get(self._name, 0.0) + spent


def _kind(doc: NormalisedDocument) -> DocKind:
    kind = doc.source.meta.get("kind")
    if kind in ("protocol", "project", "event", "page"):
        return kind  # type: ignore[no-any-return]
    return detect_kind(doc)


def _title(doc: NormalisedDocument, structure: object) -> str:
    meta_title = doc.source.meta.get("title")
    parsed = getattr(structure, "title", None)
    first_heading = next((b.text for b in doc.source.blocks if b.kind == "heading"), None)
    return str(meta_title or parsed or first_heading or doc.source.doc_id)[:300]


def _doc_date(source: SourceDocument, structure: object) -> date | None:
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


def _embedding_text(title: str, chunk: Chunk) -> str:
    heading = " > ".join(h for h in chunk.heading_path if h != title)
    prefix = f"{title}. {heading}: " if heading else f"{title}. "
    return prefix + chunk.text


def _front_matter_municipalities(ad: AnalysedDocument, analyzer: Analyzer) -> set[str]:
    raw = ad.doc.source.meta.get("municipality") or []
    names = [raw] if isinstance(raw, str) else [str(n) for n in raw]
    if not names:
        return set()
    analysis = analyzer.analyse(", ".join(f"Stadt {n}" for n in names))
    return {m.key for m in analysis.of_kind("municipality")}


class ApiIngestor:
    """The pipeline as the API's ``DocumentIngestor``: one uploaded file at a time."""

    def __init__(self, ingestor: Ingestor, upload_dir: Path) -> None:
        self._ingestor = ingestor
        self._dir = upload_dir

    def ingest_file(self, path: Path, *, original_name: str) -> dict[str, Any]:
        """Keep the upload under its sanitised name (its id derives from it) and ingest it."""
        self._dir.mkdir(parents=True, exist_ok=True)
        target = self._dir / Path(original_name).name
        if path.resolve() != target.resolve():
            target.write_bytes(path.read_bytes())
        summary = IngestSummary()
        summary.files.append(self._ingestor.ingest_file(target, self._dir))
        return summary.to_json() | {"document_ids": [f.doc_id for f in summary.files if f.doc_id]}

    def delete_document(self, doc_id: str) -> bool:
        """Remove the document from both stores."""
        return self._ingestor.kb.delete_document(doc_id)


def api_ingestor(kb: KnowledgeBase, settings: Any, embedder: Embedder | None = None) -> ApiIngestor:
    """Entry point ``wissensnetz.ingestors:default`` (see ``graph.ingestion``)."""
    from graph.backends import open_embedder
    from ingest.nlp import default_analyzer

    encoder = embedder if embedder is not None else open_embedder(settings)
    ingestor = Ingestor(kb, encoder, default_analyzer())
    return ApiIngestor(ingestor, Path(settings.data_dir) / "uploads")
