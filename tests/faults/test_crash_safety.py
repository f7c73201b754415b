"""Crash safety: SIGKILL the ingest once per stage, recover, and find nothing lost or half-written.

The short version of ``benchmarks/crash.py`` (20 trials, recovery by the ``wissensnetz``
command): five seeded trials, one per stage, recovered by the CLI's ``run_ingest`` in this
process so the model is loaded once. Plus a regression test for a kill while the vector
shard is being created, which used to leave a data directory no ingest could open again.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from graph.iris import document_graph_iri
from graph.qdrant_edge_index import QdrantEdgeIndex
from graph.store import OxigraphStore
from graph.vectors import IndexIdentity, PassagePoint
from ontology.namespaces import ID_IRI, WN
from tests.conftest import REPO
from tests.faults.crash_harness import (
    KILL_POINTS,
    CorpusPool,
    CrashHarness,
    TrialPlan,
    inprocess_recover,
    plan_trials,
)
from tests.faults.crash_invariants import check
from tests.faults.crash_report import landing, repair_from_log

SEED = 11
# Small files (3-7 passages each) in four formats keep the five trials within ~90 s.
POOL = CorpusPool(
    base=("seiten/regiopolpaten.md", "akademie/akademie-2023-10-vergaberecht.md",
          "seiten/news-akademie-programm-2026.html"),
    extra=("seiten/regiopolregion-paderborn.md", "protokolle/steuerungskreis-2025-05.pdf",
           "protokolle/projektgruppe-buechereien-2025-06.docx"),
    per_trial=(6, 6),
)  # fmt: skip
PLANS = plan_trials(5, SEED, POOL)


@pytest.fixture(scope="module")
def harness(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: object, model_dir: Path
) -> CrashHarness:
    work = tmp_path_factory.mktemp("crash")
    concepts = work / "concepts.npz"
    recover = inprocess_recover(real_embedder, model_dir, concepts)
    crash = CrashHarness(work, model_dir, recover, pool=POOL, concepts=concepts)
    crash.prepare()
    return crash


def test_the_short_plan_has_one_trial_per_stage() -> None:
    assert [p.stage for p in PLANS] == list(KILL_POINTS)
    assert any(p.edits for p in PLANS), "some trial must kill while updating a document"


def test_twenty_trials_cover_every_kill_point() -> None:
    plans = plan_trials(20, 7)
    covered = {(p.target, p.mode) for p in plans}
    assert covered == {point for points in KILL_POINTS.values() for point in points}
    assert plans == plan_trials(20, 7), "plans must be reproducible from the seed"


@pytest.mark.slow
@pytest.mark.parametrize("plan", PLANS, ids=[p.stage.replace(" ", "-") for p in PLANS])
def test_a_kill_loses_and_half_writes_nothing(harness: CrashHarness, plan: TrialPlan) -> None:
    result = harness.run_trial(plan)
    detail = f"{plan.kill_point}; landed {result.landed}; repair {result.recovery.repair}"
    assert result.notes == [], detail
    assert result.verdict.problems == [], detail
    if plan.target != "parent":
        assert result.exit_code == -9, detail
        assert not result.landed.startswith("not killed"), detail


def test_the_checker_flags_a_half_written_document(tmp_path: Path) -> None:
    """The invariants have teeth: vectors without graph, a graph without vectors, a journal."""
    data, corpus = tmp_path / "data", tmp_path / "corpus"
    (data / "journal").mkdir(parents=True)
    (data / "journal" / "left-over.json").write_text("{}", encoding="utf-8")
    corpus.mkdir()
    (corpus / "kept.md").write_text("# Kept\n\nText.\n", encoding="utf-8")
    index = QdrantEdgeIndex(data / "vectors", IndexIdentity("crash-test", 4, "0"))
    index.upsert([PassagePoint("https://example.org/p/ghost/0", "ghost", np.ones(4, np.float32))])
    index.close()
    doc, passage = URIRef(ID_IRI + "kept"), URIRef(ID_IRI + "passage/kept/0")  # id: kept.md
    graph = Graph()
    graph.add((doc, RDF.type, WN.Document))
    graph.add((doc, DCTERMS.identifier, Literal("kept.md")))
    graph.add((doc, WN.contentHash, Literal("sha256:" + "0" * 64)))
    graph.add((passage, RDF.type, WN.Passage))
    graph.add((passage, DCTERMS.isPartOf, doc))
    store = OxigraphStore(data / "graph")
    store.replace_document(document_graph_iri("kept.md"), graph)
    store.close()
    problems = "\n".join(check(data, corpus).problems)
    for expected in ("journal not empty", "ghost: stored but no source file", "orphan vectors",
                     "kept.md: 1 passages in the graph, 0 vectors", "kept.md: no vectors",
                     "kept.md: graph holds a stale version", "SHACL"):  # fmt: skip
        assert expected in problems


def test_the_report_reads_markers_and_the_repair_log() -> None:
    lines = ["enter read a.md", "exit read a.md", "start", "exit journal_end d1",
             "kill graph_commit during d2", "returned graph_commit d2"]  # fmt: skip
    assert landing(lines, -9) == ("graph_commit during [d2] after the call returned", 1)
    assert landing(["start", "enter vector_upsert d3"], -9) == ("inside vector_upsert [d3]", 0)
    log = (
        "x WARNING graph.knowledge_base: repaired the knowledge base: RepairReport("
        "rolled_back=('d2',), orphan_vector_documents=(), graphs_without_vectors=('a', 'b'))"
    )
    assert repair_from_log(log) == {"rolled_back": ["d2"], "graphs_without_vectors": ["a", "b"]}
    assert repair_from_log("nothing logged") == {}


# Opens a fresh index and dies by SIGKILL at the n-th payload index it creates.
_DIE_WHILE_INDEXING = """
import json, os, signal, sys
from pathlib import Path
import graph.qdrant_edge_index as edge
from graph.vectors import IndexIdentity

real = edge.UpdateOperation
calls = []

class Dying:
    @staticmethod
    def create_field_index(*args):
        calls.append(args)
        if len(calls) == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
        return real.create_field_index(*args)

edge.UpdateOperation = Dying
edge.QdrantEdgeIndex(Path(sys.argv[1]), IndexIdentity(**json.loads(sys.argv[3])))
"""


@pytest.mark.parametrize("dies_at", [1, 4])
def test_a_kill_while_the_vector_shard_is_created_leaves_an_index_that_opens(
    tmp_path: Path, dies_at: int
) -> None:
    identity = IndexIdentity("crash-test", 4, "0")
    killed = subprocess.run(
        [sys.executable, "-c", _DIE_WHILE_INDEXING, str(tmp_path), str(dies_at),
         json.dumps(vars(identity))],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    index = QdrantEdgeIndex(tmp_path, identity)
    try:
        point = PassagePoint("https://example.org/p/1", "doc-1", np.ones(4, dtype=np.float32))
        index.upsert([point])
        assert index.document_ids() == {"doc-1"}  # the facet repair() needs
        assert index.delete_document("doc-1") == 1
    finally:
        index.close()
