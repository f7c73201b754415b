"""Extraction quality against a gold annotation file: precision, recall, F1 per entity type.

Runs the same readers, chunker and NLP stage as the pipeline (no model, no store), so the
figures describe what ingestion writes. Names are compared after ``normalise_name``;
organisations are compared against the gold organisations and bodies together, because the
extractor does not tell a body of the region from any other organisation.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.iris import normalise_name
from ingest.analysis import AnalysisContext
from ingest.chunking import chunk_document, document_pieces
from ingest.nlp import Analyzer
from ingest.normalise import normalise
from ingest.persons import PersonRecord
from ingest.readers import read_document
from ingest.resolution import resolve_in_document

TYPES = ("municipality", "person", "organisation")


@dataclass
class Score:
    """Counts of one entity type, summed over documents (micro average)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    def add(self, doc_id: str, predicted: set[str], gold: set[str]) -> None:
        """Compare one document's sets."""
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)
        self.misses += [f"{doc_id}: {g}" for g in sorted(gold - predicted)]
        self.spurious += [f"{doc_id}: {p}" for p in sorted(predicted - gold)]

    @property
    def precision(self) -> float:
        """Share of predictions that are in the gold set."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of gold entities that were found."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def predicted_entities(path: Path, root: Path, analyzer: Analyzer) -> dict[str, set[str]]:
    """What the pipeline's NLP stage finds in one file, by type."""
    doc = normalise(read_document(path, root))
    chunks = chunk_document(doc)
    geo = analyzer.geo_context_of(document_pieces(doc, chunks))
    found: dict[str, set[str]] = {t: set() for t in TYPES}
    records: list[PersonRecord] = []
    for chunk in chunks:
        analysis = analyzer.analyse(
            chunk.text, context=AnalysisContext(chunk.start, chunk.heading_path, geo)
        )
        found["municipality"] |= {m.key for m in analysis.of_kind("municipality")}
        found["organisation"] |= {
            normalise_name(str(m.extra.get("name") or m.text))
            for m in analysis.of_kind("organisation")
            if m.extra.get("source") != "administration" and not m.extra.get("region")
        }
        records.extend(analysis.persons)
    found["person"] = {
        normalise_name(p.name) for p in resolve_in_document(records) if p.given_names
    }
    return found


def gold_entities(entry: dict[str, Any]) -> dict[str, set[str]]:
    """The gold sets of one document entry."""
    organisations: Iterable[str] = [
        *(entry.get("organisations") or []),
        *(entry.get("bodies") or []),
    ]
    return {
        "municipality": {str(a) for a in entry.get("municipalities") or []},
        "person": {normalise_name(p["name"]) for p in entry.get("persons") or []},
        "organisation": {normalise_name(o) for o in organisations},
    }


def evaluate(gold_file: Path, corpus: Path, analyzer: Analyzer) -> dict[str, Score]:
    """Micro-averaged scores per type over every document of the gold file."""
    gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))["documents"]
    scores = {t: Score() for t in TYPES}
    for doc_id, entry in sorted(gold.items()):
        predicted = predicted_entities(corpus / entry["path"], corpus, analyzer)
        expected = gold_entities(entry)
        for kind in TYPES:
            scores[kind].add(doc_id, predicted[kind], expected[kind])
    return scores
