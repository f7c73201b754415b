"""Files are cut into groups by passages: one encoder call per group, one write per group."""

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from graph.knowledge_base import KnowledgeBase
from ingest.pipeline import Ingestor
from tests.conftest import REPO
from tests.factories import make_kb

pytestmark = pytest.mark.slow
SAMPLES = ["projekte/starkregen-verl.md", "projekte/museen-enger.md",
           "projekte/quartier-spenge.md", "seiten/regiopolpaten.md"]  # fmt: skip


class CountingEmbedder:
    """The real encoder, counting the passages of each ``embed_passages`` call."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def embed_passages(self, texts: Sequence[str]) -> Any:
        self.calls.append(len(texts))
        return self._inner.embed_passages(texts)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for name in SAMPLES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "corpus" / name, root / name)
    (root / "kaputt.txt").write_bytes(b"\x00\x01\x02 binary \xff" * 50)
    return root


@pytest.fixture
def kb(tmp_path: Path, real_embedder: Any, model_dir: Path) -> Iterator[KnowledgeBase]:
    base = make_kb(tmp_path / "data", real_embedder, model_dir)
    yield base
    base.close()


def _run(kb: KnowledgeBase, embedder: Any, corpus: Path, **groups: int) -> tuple[Any, list[int]]:
    from ingest.nlp import default_analyzer

    counting = CountingEmbedder(embedder)
    ingestor = Ingestor(kb, counting, default_analyzer(), **groups)  # type: ignore[arg-type]
    counting.calls.clear()  # the thesaurus definitions are embedded at start-up
    return ingestor.ingest_paths([corpus]), counting.calls


def test_a_group_closes_at_its_passage_target(
    kb: KnowledgeBase, real_embedder: Any, corpus: Path
) -> None:
    summary, calls = _run(kb, real_embedder, corpus, group_size=64, group_passages=15)
    passages = [f.passages for f in summary.files if f.status == "new"]  # file order
    assert len(passages) == 4
    expected, pending = [], 0
    for count in passages:  # whole files until the target is reached
        pending += count
        if pending >= 15:
            expected.append(pending)
            pending = 0
    assert calls == [*expected, pending] if pending else calls == expected
    assert len(calls) < len(passages)  # the demo files are short enough to share calls
    failed = [f for f in summary.files if f.status == "failed"]
    assert [Path(f.path).name for f in failed] == ["kaputt.txt"]  # fails alone


def test_group_size_caps_the_files_of_a_group(
    kb: KnowledgeBase, real_embedder: Any, corpus: Path
) -> None:
    summary, calls = _run(kb, real_embedder, corpus, group_size=1, group_passages=10_000)
    assert summary.count("new") == 4
    assert len(calls) == 4  # one file per group, the broken one needs no call


def test_one_group_for_a_small_folder(kb: KnowledgeBase, real_embedder: Any, corpus: Path) -> None:
    summary, calls = _run(kb, real_embedder, corpus, group_size=64, group_passages=10_000)
    assert summary.count("new") == 4
    assert calls == [sum(f.passages for f in summary.files)]
