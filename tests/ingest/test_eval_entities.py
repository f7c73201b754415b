"""Extraction quality on the demo corpus against the gold file (targets of issue 3)."""

import pytest

from ingest.evaluation import evaluate
from ingest.nlp import default_analyzer
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_entity_f1_meets_the_targets() -> None:
    scores = evaluate(REPO / "tests/eval/entities_gold.yaml", REPO / "corpus", default_analyzer())
    assert scores["municipality"].f1 >= 0.90, scores["municipality"].misses
    assert scores["person"].f1 >= 0.80, scores["person"].misses
    assert scores["organisation"].f1 >= 0.80, scores["organisation"].misses
    assert sum(s.tp + s.fn for s in scores.values()) > 250  # the gold file is not trivial
