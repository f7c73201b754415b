"""What must hold after a crash: both stores agree once ``repair()`` ran, and after one
ordinary ingest run nothing is lost or half-written.

Checked straight on the stores of a closed data directory, without the model and without
``repair()``, so the check cannot mend what it inspects.
"""

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import patch

from graph.backends import open_embedder, open_knowledge_base
from graph.cli import validate_documents
from graph.knowledge_base import KnowledgeBase, RepairReport
from graph.qdrant_edge_index import IDENTITY_FILE, QdrantEdgeIndex
from graph.settings import GraphSettings
from graph.store import OxigraphStore, SelectResult
from graph.vectors import IndexIdentity
from ingest.readers import discover, read_document
from ontology.namespaces import sparql_prologue

_PASSAGES = (
    sparql_prologue()
    + """SELECT ?doc ?p ?pos WHERE { GRAPH ?g {
    ?p a wn:Passage ; dcterms:isPartOf ?d . ?d dcterms:identifier ?doc .
    OPTIONAL { ?p wn:position ?pos } } }"""
)


@dataclass
class Verdict:
    """Documents lost or half-written, plus every broken invariant as one line."""

    lost: set[str] = field(default_factory=set)
    half_written: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every invariant holds."""
        return not self.problems

    def fail(self, message: str, *, lost: str | None = None, half: str | None = None) -> None:
        """Record one broken invariant and the document it concerns."""
        self.problems.append(message)
        if lost is not None:
            self.lost.add(lost)
        if half is not None:
            self.half_written.add(half)


def source_hashes(corpus: Path) -> dict[str, str]:
    """Document id -> content hash of every readable file, as the pipeline computes them."""
    hashes: dict[str, str] = {}
    for found in discover([corpus]):
        if found.error is None:
            source = read_document(found.path, found.root)
            hashes[source.doc_id] = source.content_hash
    return hashes


def open_stores(data_dir: Path) -> KnowledgeBase:
    """The data directory's stores, opened like the product does but without repair."""
    vectors = data_dir / "vectors"
    raw = json.loads((vectors / IDENTITY_FILE).read_text(encoding="utf-8"))
    index = QdrantEdgeIndex(vectors, IndexIdentity.from_dict(raw))
    return KnowledgeBase(OxigraphStore(data_dir / "graph"), index, data_dir / "journal")


@contextmanager
def capturing_repair() -> Iterator[list[RepairReport]]:
    """Collect what ``KnowledgeBase.repair`` returns while the block runs."""
    reports: list[RepairReport] = []
    original = KnowledgeBase.repair

    def capture(kb: KnowledgeBase, *args: Any, **kwargs: Any) -> RepairReport:
        reports.append(original(kb, *args, **kwargs))
        return reports[-1]

    with patch.object(KnowledgeBase, "repair", capture):
        yield reports


def report_dict(report: RepairReport) -> dict[str, list[str]]:
    """The non-empty fields of a repair report, as the table shows them."""
    return {key: list(value) for key, value in vars(report).items() if value}


def check_repair(
    data_dir: Path, model_dir: Path, copy: Path
) -> tuple[dict[str, list[str]], Verdict]:
    """Open a copy of the crashed data directory as the product does, so ``repair()`` runs
    alone, and check that both stores agree before anything is ingested again.

    A copy, so that the ordinary ingest afterwards still meets the crash and repairs it itself.
    """
    shutil.copytree(data_dir, copy)
    settings = GraphSettings(data_dir=copy, embedding_model=str(model_dir))
    with capturing_repair() as reports:
        open_knowledge_base(settings, open_embedder(settings, load=False)).close()
    try:
        return report_dict(reports[0]), check(copy, None)
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def check(data_dir: Path, corpus: Path | None) -> Verdict:
    """Every invariant of the brief, on a data directory no process has open.

    With ``corpus=None`` the sources are not compared: that is the state right after
    ``repair()``, when rolled-back documents wait for the next ingest.
    """
    verdict = Verdict()
    journal = sorted(p.name for p in (data_dir / "journal").iterdir())
    if journal:
        verdict.fail(f"journal not empty: {journal}")
    kb = open_stores(data_dir)
    try:
        passages = _check_passages(kb, verdict)
        sources = None if corpus is None else source_hashes(corpus)
        _check_documents(kb, passages, sources, verdict)
        for graph_iri, violations in validate_documents(kb.store).items():
            verdict.fail(f"SHACL: {graph_iri}: {violations[0]}", half=graph_iri)
    finally:
        kb.close()
    return verdict


def _check_documents(
    kb: KnowledgeBase,
    passages: dict[str, set[str]],
    sources: dict[str, str] | None,
    verdict: Verdict,
) -> None:
    """Graph ids == vector ids (== source ids, current versions, when sources are given)."""
    in_graph = kb.document_hashes()
    in_index = kb.index.document_ids()
    # A document without passages rightly has no vectors.
    expected = set(sources) if sources is not None else set(in_graph)
    for doc_id in sorted(expected - set(in_graph)):
        verdict.fail(f"{doc_id}: in the sources, not in the graph", lost=doc_id)
    for doc_id in sorted(d for d in expected - in_index if passages.get(d) or d not in in_graph):
        verdict.fail(f"{doc_id}: no vectors", lost=doc_id)
    extra = "stored but no source file" if sources is not None else "vectors but no graph"
    for doc_id in sorted((set(in_graph) | in_index) - expected):
        verdict.fail(f"{doc_id}: {extra}", half=doc_id)
    for doc_id, stored in sorted(in_graph.items()):
        if sources is not None and doc_id in sources and stored != sources[doc_id]:
            verdict.fail(f"{doc_id}: graph holds a stale version", lost=doc_id)


def _check_passages(kb: KnowledgeBase, verdict: Verdict) -> dict[str, set[str]]:
    """Same passages per document in both stores, none twice, no orphan vectors."""
    result = kb.store.query(_PASSAGES)
    assert isinstance(result, SelectResult)
    per_doc: dict[str, list[tuple[str, str]]] = {}
    for doc, passage, position in result.rows:
        per_doc.setdefault(str(doc), []).append((str(passage), str(position)))
    found: dict[str, set[str]] = {}
    for doc_id, rows in sorted(per_doc.items()):
        iris = Counter(p for p, _ in rows)
        positions = Counter(pos for _, pos in set(rows))
        twice = sorted(p for p, n in iris.items() if n > 1)
        twice += sorted(f"position {pos}" for pos, n in positions.items() if n > 1)
        if twice:
            verdict.fail(f"{doc_id}: duplicate passages {twice[:3]}", half=doc_id)
        vectors = kb.index.passage_iris(doc_id)
        if vectors != set(iris):
            verdict.fail(
                f"{doc_id}: {len(iris)} passages in the graph, {len(vectors)} vectors, "
                f"{len(vectors ^ set(iris))} differ",
                half=doc_id,
            )
        found[doc_id] = set(iris)
    in_graph = set().union(*found.values()) if found else set()
    orphans = kb.index.passage_iris() - in_graph
    if orphans:
        verdict.fail(f"{len(orphans)} orphan vectors, e.g. {sorted(orphans)[0]}")
    if kb.index.count() != len(in_graph):
        verdict.fail(f"{kb.index.count()} vectors for {len(in_graph)} graph passages")
    return found
