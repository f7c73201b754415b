"""Fusion of the dense and the keyword leg: pure functions over score maps.

Dense-weighted score fusion, not reciprocal rank fusion: on paraphrased German questions
the dense leg is much stronger than BM25, and RRF gives both legs equal say (a scout run
dropped R@1 from 1.00 to 0.63). Here the fused score is the cosine similarity plus a small
boost, ``keyword_weight`` times the min-max normalised BM25 score, so BM25 only reorders
passages whose dense scores are close: exact terms, names and abbreviations ("OZG") that a
paraphrase-trained encoder blurs. With ``keyword_weight = 0`` the ranking is exactly the
dense ranking; the weight is tuned on the dev set (docs/retrieval.md).
"""

from collections.abc import Mapping, Sequence

__all__ = ["DEFAULT_KEYWORD_WEIGHT", "fuse", "min_max", "rrf"]

DEFAULT_KEYWORD_WEIGHT = 0.01


def min_max(scores: Mapping[str, float]) -> dict[str, float]:
    """Scores scaled to [0, 1]; all-equal positive scores become 1, so a lone hit counts fully."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high <= low:
        return {key: (1.0 if value > 0 else 0.0) for key, value in scores.items()}
    return {key: (value - low) / (high - low) for key, value in scores.items()}


def fuse(
    dense: Mapping[str, float],
    keyword: Mapping[str, float],
    keyword_weight: float = DEFAULT_KEYWORD_WEIGHT,
    missing_dense: float | None = None,
) -> list[tuple[str, float]]:
    """Every key of either leg with ``dense + keyword_weight * min_max(keyword)``, best first.

    Args:
        dense: cosine similarity per key.
        keyword: BM25 score per key (keys without a keyword match get no boost).
        keyword_weight: size of the largest possible boost, in cosine units.
        missing_dense: dense score assumed for keys only the keyword leg found; defaults to
            the lowest dense score seen (the key was not in the dense top list, so it
            scores at most that).

    Ties are broken by the dense score, then by key, so the order is deterministic.
    """
    boost = min_max(keyword)
    floor = missing_dense
    if floor is None:
        floor = min(dense.values()) if dense else 0.0
    keys = list(dict.fromkeys([*dense, *keyword]))
    scored = [
        (key, dense.get(key, floor), dense.get(key, floor) + keyword_weight * boost.get(key, 0.0))
        for key in keys
    ]
    scored.sort(key=lambda item: (-item[2], -item[1], item[0]))
    return [(key, fused) for key, _, fused in scored]


def rrf(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion (Cormack et al. 2009), kept as the baseline the tuning beats."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
