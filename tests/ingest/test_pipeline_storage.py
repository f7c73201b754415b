"""Idempotence, exact replacement, pruning, locking and bad input through the real pipeline."""

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.iris import document_graph_iri
from graph.journal import WriterLock, WriterLocked
from graph.knowledge_base import KnowledgeBase
from ingest.readers import discover
from tests.conftest import REPO
from tests.factories import make_ingestor, make_kb
from tests.ingest.bad_inputs import build_bad_inputs
from wissensnetz_cli import app

pytestmark = pytest.mark.slow
SAMPLES = ["projekte/starkregen-verl.md", "akademie/akademie-2024-04-starkregen.md",
           "seiten/regiopolpaten.md"]  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for name in SAMPLES:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "corpus" / name, target)
    return root


@pytest.fixture
def kb(tmp_path: Path, real_embedder, model_dir: Path) -> Iterator[KnowledgeBase]:  # type: ignore[no-untyped-def]
    base = make_kb(tmp_path / "data", real_embedder, model_dir)
    yield base
    base.close()


def _state(kb: KnowledgeBase) -> tuple[int, int, dict[str, str]]:
    per_graph = {
        str(g): hashlib.sha256(b"".join(sorted(kb.store.dump("nt", g).splitlines()))).hexdigest()
        for g in kb.store.graph_iris()
    }
    return kb.store.count_triples(), kb.index.count(), per_graph


def test_second_run_changes_nothing(kb: KnowledgeBase, corpus: Path, real_embedder) -> None:  # type: ignore[no-untyped-def]
    ingestor = make_ingestor(kb, real_embedder)
    first = ingestor.ingest_paths([corpus])
    assert first.count("new") == 3
    before = _state(kb)
    second = ingestor.ingest_paths([corpus])
    assert second.count("unchanged") == 3
    assert _state(kb) == before


def test_edit_replaces_exactly_one_document(kb: KnowledgeBase, corpus: Path, real_embedder) -> None:  # type: ignore[no-untyped-def]
    ingestor = make_ingestor(kb, real_embedder)
    ingestor.ingest_paths([corpus])
    _, _, graphs_before = _state(kb)
    path = corpus / SAMPLES[0]
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\nNachtrag: Die Karte wird 2026 fortgeschrieben.\n",
        encoding="utf-8",
    )
    summary = ingestor.ingest_paths([corpus])
    assert (summary.count("updated"), summary.count("unchanged")) == (1, 2)
    _, _, graphs_after = _state(kb)
    changed = {g for g in graphs_before if graphs_before[g] != graphs_after.get(g)}
    assert changed == {str(document_graph_iri("starkregen-verl"))}
    assert kb.index.document_ids() == set(kb.document_hashes())


def test_prune_removes_documents_whose_files_are_gone(
    kb: KnowledgeBase, corpus: Path, real_embedder
) -> None:  # type: ignore[no-untyped-def]
    ingestor = make_ingestor(kb, real_embedder)
    ingestor.ingest_paths([corpus])
    (corpus / SAMPLES[1]).unlink()
    summary = ingestor.ingest_paths([corpus], prune=True)
    assert summary.count("pruned") == 1
    assert "akademie-2024-04-starkregen" not in kb.document_hashes()
    assert "akademie-2024-04-starkregen" not in kb.index.document_ids()


def test_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with WriterLock(tmp_path):
        with pytest.raises(WriterLocked, match="another process"):
            WriterLock(tmp_path).acquire()
        result = CliRunner().invoke(app, ["ingest", str(tmp_path), "--data-dir", str(tmp_path)])
        assert result.exit_code == 1
        assert "another process" in result.stderr


def test_bad_files_are_reported_and_the_rest_ingests(
    tmp_path: Path, corpus: Path, model_dir: Path
) -> None:
    cases = build_bad_inputs(tmp_path / "bad")
    bad = tmp_path / "bad" / "root"
    shutil.copy(corpus / SAMPLES[0], bad / "gut.md")
    # Walking a folder skips unsupported suffixes and never reaches "../" paths; the rest
    # must each fail with a line naming the file.
    walked = {str(found.path) for found in discover([bad])}
    expected_failures = sum(1 for c in cases if c.error is not None and str(c.path) in walked)
    assert expected_failures >= 25
    env = {"WN_EMBEDDING_MODEL": str(model_dir)}
    result = CliRunner().invoke(
        app, ["ingest", str(bad), "--data-dir", str(tmp_path / "d"), "--json"], env=env
    )
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["documents"]["new"] >= 1
    assert summary["documents"]["failed"] == expected_failures, summary["errors"]
    for error in summary["errors"]:
        assert error["reason"], error
    assert len(cases) >= 25
    assert summary["documents"]["new"] == 1 + sum(
        1 for c in cases if c.error is None and str(c.path) in walked
    )
