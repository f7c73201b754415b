"""Fusion of the dense and keyword legs: properties that hold for any scores."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.fusion import fuse, min_max, rrf

keys = st.text(alphabet="abcdefghij", min_size=1, max_size=3)
# Coarse grids: real scores differ by far more than the last bits of a float.
cosines = st.integers(min_value=-100, max_value=100).map(lambda x: x / 100)
bm25 = st.integers(min_value=0, max_value=500).map(lambda x: x / 10)
dense_maps = st.dictionaries(keys, cosines, max_size=12)
keyword_maps = st.dictionaries(keys, bm25, max_size=12)
weights = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(dense_maps, keyword_maps, weights)
def test_fused_ranking_is_a_permutation_of_both_legs(
    dense: dict[str, float], keyword: dict[str, float], weight: float
) -> None:
    ranked = [key for key, _ in fuse(dense, keyword, weight)]
    assert sorted(ranked) == sorted(set(dense) | set(keyword))


@given(dense_maps, keyword_maps, weights)
def test_fused_scores_are_sorted_and_the_boost_is_bounded(
    dense: dict[str, float], keyword: dict[str, float], weight: float
) -> None:
    fused = fuse(dense, keyword, weight, missing_dense=-1.0)
    scores = [score for _, score in fused]
    assert scores == sorted(scores, reverse=True)
    for key, score in fused:
        base = dense.get(key, -1.0)
        assert base - 1e-9 <= score <= base + weight + 1e-9


@given(dense_maps, keyword_maps)
def test_zero_weight_is_exactly_dense_order(
    dense: dict[str, float], keyword: dict[str, float]
) -> None:
    dense_only = dict(dense)
    fused = [key for key, _ in fuse(dense_only, {}, 0.0)]
    assert fused == [k for k, _ in sorted(dense_only.items(), key=lambda kv: (-kv[1], kv[0]))]
    with_keyword = [key for key, _ in fuse(dense, keyword, 0.0, missing_dense=-2.0)]
    assert with_keyword[: len(dense)] == fused


@given(dense_maps, bm25, weights)
def test_monotone_in_dense_score_when_bm25_ties(
    dense: dict[str, float], tied: float, weight: float
) -> None:
    keyword = dict.fromkeys(dense, tied)
    order = {key: rank for rank, (key, _) in enumerate(fuse(dense, keyword, weight))}
    for a in dense:
        for b in dense:
            if dense[a] > dense[b]:
                assert order[a] < order[b]


@given(keyword_maps, cosines, st.floats(min_value=0.001, max_value=1.0))
def test_monotone_in_bm25_score_when_dense_ties(
    keyword: dict[str, float], tied: float, weight: float
) -> None:
    dense = dict.fromkeys(keyword, tied)
    order = {key: rank for rank, (key, _) in enumerate(fuse(dense, keyword, weight))}
    for a in keyword:
        for b in keyword:
            if keyword[a] > keyword[b]:
                assert order[a] < order[b]


@given(st.dictionaries(keys, bm25, min_size=1, max_size=12))
def test_min_max_maps_into_the_unit_interval(scores: dict[str, float]) -> None:
    scaled = min_max(scores)
    assert set(scaled) == set(scores)
    assert all(0.0 <= v <= 1.0 for v in scaled.values())
    best = max(scores, key=lambda k: scores[k])
    assert scaled[best] == pytest.approx(1.0) or scores[best] == 0.0


def test_keyword_only_hit_gets_the_floor_and_a_boost() -> None:
    fused = dict(fuse({"a": 0.9, "b": 0.8}, {"c": 10.0, "a": 5.0}, 0.05))
    assert fused["c"] == pytest.approx(0.8 + 0.05)
    assert fused["a"] == pytest.approx(0.9)  # the lowest BM25 score of the leg scales to 0


def test_small_weight_only_reorders_near_ties() -> None:
    dense = {"far": 0.95, "near1": 0.851, "near2": 0.85}
    keyword = {"near2": 12.0, "near1": 1.0}
    ranked = [key for key, _ in fuse(dense, keyword, 0.02)]
    assert ranked == ["far", "near2", "near1"]


@given(st.lists(st.lists(keys, max_size=8, unique=True), max_size=3))
def test_rrf_is_a_deterministic_permutation(rankings: list[list[str]]) -> None:
    fused = rrf(rankings)
    assert sorted(k for k, _ in fused) == sorted({k for r in rankings for k in r})
    assert fused == rrf(rankings)
