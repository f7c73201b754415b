"""Dev-set evaluation of search, "who did X" and the speaker finder (tests/eval/queries.yaml).

Metrics follow tests/eval/README.md: for ``search`` queries the documents of the top
passages, de-duplicated in rank order, are judged with binary nDCG@10, Recall@10 and MRR;
``who`` queries judge the ranked municipalities (Recall@5, MRR within the top 5) and the
contact persons shown for them; ``speaker`` queries the ranked persons. Each metric is
averaged over the queries of its type, overall and per language. The same code backs
``wissensnetz eval``, the target test and the tuning of the fusion weight.
"""

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from graph.errors import GraphError
from graph.experts import ExperienceFinder
from graph.search import Mode, Searcher
from graph.speakers import SpeakerFinder

__all__ = [
    "EvalQuery",
    "EvalReport",
    "EvalSet",
    "MetricRow",
    "evaluate",
    "load_eval_set",
    "name_key",
    "ndcg_at_k",
    "recall_at_k",
    "reciprocal_rank",
    "tune_keyword_weight",
]

SEARCH_K = 10
WHO_K = 5
DOCUMENT_DEPTH = 50
MODES: tuple[Mode, ...] = ("keyword", "dense", "hybrid")
_TITLES = re.compile(r"\b(?:dr|prof|herr|frau|dipl|ing|med|rer|nat)\b\.?", re.IGNORECASE)


@dataclass(frozen=True)
class EvalQuery:
    """One dev-set query with its gold answers."""

    id: str
    text: str
    type: str  # search | who | speaker
    lang: str = "de"
    gold_documents: tuple[str, ...] = ()
    gold_municipalities: tuple[str, ...] = ()
    gold_persons: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvalSet:
    """The queries and the date that counts as "today" for recency questions."""

    queries: tuple[EvalQuery, ...]
    reference_date: date | None = None


def load_eval_set(path: Path) -> EvalSet:
    """Read a queries.yaml file.

    Raises:
        GraphError: if the file is missing or not in the documented shape.
    """
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        queries = tuple(
            EvalQuery(
                str(q["id"]),
                str(q["text"]),
                str(q["type"]),
                str(q.get("lang", "de")),
                tuple(str(d) for d in q.get("gold_documents") or ()),
                tuple(str(m) for m in q.get("gold_municipalities") or ()),
                tuple(str(p) for p in q.get("gold_persons") or ()),
            )
            for q in data["queries"]
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
        raise GraphError(f"cannot read the evaluation queries {path}: {e}") from e
    reference = data.get("reference_date")
    if isinstance(reference, str):
        reference = date.fromisoformat(reference)
    return EvalSet(queries, reference if isinstance(reference, date) else None)


def ndcg_at_k(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """Binary nDCG@k; the ideal DCG counts ``min(|gold|, k)`` relevant items."""
    relevant = set(gold)
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal


def recall_at_k(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """|gold ∩ top k| / |gold|."""
    relevant = set(gold)
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """1 / rank of the first gold item within the top k, else 0."""
    relevant = set(gold)
    return next((1.0 / (i + 1) for i, item in enumerate(ranked[:k]) if item in relevant), 0.0)


def name_key(name: str) -> str:
    """Comparable person name: no titles or Herr/Frau, case and spacing folded."""
    text = unicodedata.normalize("NFC", _TITLES.sub(" ", name)).casefold()
    return " ".join(text.replace(".", " ").split())


@dataclass(frozen=True)
class MetricRow:
    """Averages of one system on the queries of one type and language."""

    system: str
    lang: str
    queries: int
    metrics: dict[str, float]


@dataclass
class EvalReport:
    """All rows plus the per-query ranked lists, for debugging a regression."""

    rows: list[MetricRow] = field(default_factory=list)
    details: list[dict[str, Any]] = field(default_factory=list)

    def get(self, system: str, metric: str, lang: str = "all") -> float:
        """One averaged figure, e.g. ``get("search/hybrid", "nDCG@10")``.

        Raises:
            KeyError: if the report has no such row.
        """
        for row in self.rows:
            if row.system == system and row.lang == lang:
                return row.metrics[metric]
        raise KeyError(f"no row {system}/{lang} in the evaluation report")

    def to_json(self) -> dict[str, Any]:
        """Rows and details as plain JSON."""
        return {
            "rows": [
                {"system": r.system, "lang": r.lang, "queries": r.queries, **r.metrics}
                for r in self.rows
            ],
            "queries": self.details,
        }


def _average(system: str, scored: list[tuple[str, dict[str, float]]], report: EvalReport) -> None:
    """Append the overall and per-language means of per-query metric dicts."""
    for lang in ("all", "de", "en"):
        chosen = [m for q_lang, m in scored if lang in {"all", q_lang}]
        if not chosen:
            continue
        names = list(chosen[0])
        means = {n: sum(m[n] for m in chosen) / len(chosen) for n in names}
        report.rows.append(MetricRow(system, lang, len(chosen), means))


def ranked_documents(searcher: Searcher, query: str, mode: Mode) -> list[str]:
    """Document ids of the top passages, de-duplicated in rank order."""
    ranked = searcher.retrieve(query, None, depth=DOCUMENT_DEPTH, mode=mode)
    ids = (
        searcher.passages[r.passage_iri].document_id
        for r in ranked
        if r.passage_iri in searcher.passages
    )
    return list(dict.fromkeys(ids))


def evaluate(
    searcher: Searcher,
    eval_set: EvalSet,
    *,
    modes: Sequence[Mode] = MODES,
    finder: ExperienceFinder | None = None,
    speakers: SpeakerFinder | None = None,
) -> EvalReport:
    """Run every query of the set and average the metrics per system and language."""
    report = EvalReport()
    queries = eval_set.queries
    for mode in modes:
        _average(f"search/{mode}", _search_scores(searcher, queries, mode, report), report)
    finder = finder or ExperienceFinder(searcher)
    _average("who", _who_scores(finder, queries, report), report)
    if speakers is None:
        today = eval_set.reference_date or date.today()
        speakers = SpeakerFinder(searcher, today=lambda: today)
    _average("speaker", _speaker_scores(speakers, queries, report), report)
    return report


def _search_scores(
    searcher: Searcher, queries: Sequence[EvalQuery], mode: Mode, report: EvalReport
) -> list[tuple[str, dict[str, float]]]:
    scored = []
    for q in queries:
        if q.type != "search":
            continue
        docs = ranked_documents(searcher, q.text, mode)
        metrics = {
            "nDCG@10": ndcg_at_k(docs, q.gold_documents, SEARCH_K),
            "R@10": recall_at_k(docs, q.gold_documents, SEARCH_K),
            "MRR": reciprocal_rank(docs, q.gold_documents, SEARCH_K),
        }
        scored.append((q.lang, metrics))
        report.details.append({"id": q.id, "system": mode, "ranked": docs[:SEARCH_K], **metrics})
    return scored


def _who_scores(
    finder: ExperienceFinder, queries: Sequence[EvalQuery], report: EvalReport
) -> list[tuple[str, dict[str, float]]]:
    scored = []
    for q in queries:
        if q.type != "who":
            continue
        result = finder.who(q.text, limit=10)
        towns = [m.ags for m in result.municipalities]
        contacts = [name_key(c.name) for m in result.municipalities[:WHO_K] for c in m.contacts]
        gold_people = [name_key(p) for p in q.gold_persons]
        metrics = {
            "R@5": recall_at_k(towns, q.gold_municipalities, WHO_K),
            "MRR": reciprocal_rank(towns, q.gold_municipalities, WHO_K),
            "contacts R@5": recall_at_k(list(dict.fromkeys(contacts)), gold_people, WHO_K),
        }
        scored.append((q.lang, metrics))
        report.details.append({"id": q.id, "system": "who", "ranked": towns[:WHO_K], **metrics})
    return scored


def _speaker_scores(
    speakers: SpeakerFinder, queries: Sequence[EvalQuery], report: EvalReport
) -> list[tuple[str, dict[str, float]]]:
    scored = []
    for q in queries:
        if q.type != "speaker":
            continue
        names = [name_key(s.actor.name) for s in speakers.suggest(q.text, limit=10).speakers]
        gold = [name_key(p) for p in q.gold_persons]
        metrics = {
            "R@5": recall_at_k(names, gold, WHO_K),
            "MRR": reciprocal_rank(names, gold, WHO_K),
        }
        scored.append((q.lang, metrics))
        report.details.append({"id": q.id, "system": "speaker", "ranked": names[:WHO_K], **metrics})
    return scored


def tune_keyword_weight(
    searcher: Searcher,
    eval_set: EvalSet,
    weights: Iterable[float],
    on_weight: Callable[[float, dict[str, float]], None] | None = None,
) -> list[tuple[float, dict[str, float]]]:
    """Search metrics of the hybrid leg for each candidate keyword weight.

    The searcher's weight is restored afterwards; pick the weight that maximises nDCG@10
    without falling below the dense-only figures.
    """
    original = searcher.keyword_weight
    results = []
    try:
        for weight in weights:
            searcher.keyword_weight = weight
            report = EvalReport()
            _average(
                "search/hybrid",
                _search_scores(searcher, eval_set.queries, "hybrid", report),
                report,
            )
            metrics = report.rows[0].metrics if report.rows else {}
            results.append((weight, metrics))
            if on_weight is not None:
                on_weight(weight, metrics)
    finally:
        searcher.keyword_weight = original
    return results
