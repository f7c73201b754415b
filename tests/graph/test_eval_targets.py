"""Quality targets on the dev set: the demo corpus ingested by the real pipeline.

Builds the knowledge base exactly as ``wissensnetz ingest corpus`` does (pipeline API,
real multilingual-e5-small, spaCy analyzer) in a temporary data directory, then runs the
evaluation of tests/eval/queries.yaml. Slow (minutes on two cores): the ingest dominates.
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from graph.backends import open_embedder, open_knowledge_base
from graph.evaluation import EvalReport, evaluate, load_eval_set
from graph.search import Searcher
from ingest.nlp import default_analyzer
from ingest.pipeline import Ingestor
from ingest.settings import IngestSettings
from tests.conftest import MODEL_DIR, REPO

QUERIES = REPO / "tests" / "eval" / "queries.yaml"
CORPUS = REPO / "corpus"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EvalReport]:
    if not (MODEL_DIR / "model.safetensors").is_file():
        pytest.fail(f"embedding model missing in {MODEL_DIR}: run `wissensnetz model install`")
    data_dir: Path = tmp_path_factory.mktemp("eval-kb")
    settings = IngestSettings(data_dir=data_dir, embedding_model=str(MODEL_DIR))
    embedder = open_embedder(settings)
    kb = open_knowledge_base(settings, embedder)
    try:
        summary = Ingestor(kb, embedder, default_analyzer()).ingest_paths([CORPUS])
        failed = [(f.path, f.error) for f in summary.files if f.status == "failed"]
        assert not failed, f"the pipeline failed on {len(failed)} files: {failed[:3]}"
        kb.index.optimize()
        eval_set = load_eval_set(QUERIES)
        assert eval_set.reference_date == date(2026, 11, 21)
        yield evaluate(Searcher(kb.store, kb.index, embedder), eval_set)
    finally:
        kb.close()


def test_corpus_documents_carry_the_ids_the_gold_data_uses(report: EvalReport) -> None:
    ranked = {d for row in report.details if row["system"] == "hybrid" for d in row["ranked"]}
    gold = {d for q in load_eval_set(QUERIES).queries for d in q.gold_documents}
    assert ranked & gold, "no ranked document id matches a gold id (ids = file stems)"
    assert not {d for d in ranked if "--" in d or d.endswith((".txt", ".md", ".pdf"))}


def test_hybrid_search_reaches_the_ndcg_target(report: EvalReport) -> None:
    assert report.get("search/hybrid", "nDCG@10") >= 0.85


def test_hybrid_is_never_worse_than_dense_and_dense_beats_bm25(report: EvalReport) -> None:
    for metric in ("nDCG@10", "R@10", "MRR"):
        hybrid = report.get("search/hybrid", metric)
        dense = report.get("search/dense", metric)
        keyword = report.get("search/keyword", metric)
        assert hybrid >= dense >= keyword, metric


def test_who_finds_the_municipalities(report: EvalReport) -> None:
    assert report.get("who", "R@5") >= 0.90
    assert report.get("who", "MRR") >= 0.90


def test_speaker_finder_recall(report: EvalReport) -> None:
    assert report.get("speaker", "R@5") >= 0.75
