"""What a search returns: ranked passages, hydrated hits, facet counts and snippets.

Kept apart from ``graph.search`` (which decides *which* passages) because hydrating a hit
and counting facets only read a passage table and the vocabulary; the CLI, the API and the
"who did X" finders share these records.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.passages import DocumentInfo, PassageInfo, PassageTable
from graph.vocabulary import Vocabulary

__all__ = [
    "FACET_SIZE",
    "Facet",
    "Ranked",
    "SearchHit",
    "SearchResult",
    "facet_counts",
    "hydrate",
    "snippet",
]

FACET_SIZE = 20


@dataclass(frozen=True)
class Ranked:
    """A passage with its fused score and the two leg scores behind it."""

    passage_iri: str
    score: float
    dense: float | None = None
    keyword: float | None = None


@dataclass(frozen=True)
class SearchHit:
    """One result as the API and the CLI show it."""

    score: float
    document: DocumentInfo
    passage: PassageInfo
    municipalities: tuple[tuple[str, str, str], ...]  # (iri, name, ags)
    topics: tuple[tuple[str, str], ...]  # (iri, label)

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the hit, shared by the CLI and the HTTP API."""
        passage = self.passage
        return {
            "score": round(self.score, 6),
            "document": self.document.to_dict(),
            "passage": {
                "id": passage.iri,
                "text": passage.text,
                "start": passage.start,
                "end": passage.end,
            },
            "municipalities": [{"id": i, "name": n, "ags": a} for i, n, a in self.municipalities],
            "topics": [{"id": i, "label": label} for i, label in self.topics],
        }


@dataclass(frozen=True)
class Facet:
    """Count of candidates with one value of a facet field."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    """A page of hits plus facet counts over all candidates."""

    query: str
    hits: list[SearchHit]
    facets: dict[str, list[Facet]] = field(default_factory=dict)
    total: int = 0

    def to_json(self, *, include_facets: bool = False) -> dict[str, Any]:
        """``{"query", "hits": [...]}``; with ``include_facets`` also facets and total."""
        data: dict[str, Any] = {"query": self.query, "hits": [h.to_dict() for h in self.hits]}
        if include_facets:
            data["total"] = self.total
            data["facets"] = {
                name: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
                for name, values in self.facets.items()
            }
        return data


def hydrate(table: PassageTable, vocab: Vocabulary, ranked: Ranked) -> SearchHit:
    """A ranked passage with its document, places and topics."""
    passage = table.passages.get(ranked.passage_iri) or PassageInfo(ranked.passage_iri, "", "")
    document = table.documents.get(passage.document_id) or DocumentInfo(passage.document_id)
    towns = tuple(
        (vocab.municipalities[a].iri, vocab.municipalities[a].name, a)
        for a in passage.municipalities
        if a in vocab.municipalities
    )
    topics = tuple((t, vocab.thesaurus.label(t)) for t in passage.topics)
    return SearchHit(ranked.score, document, passage, towns, topics)


def facet_counts(
    table: PassageTable, vocab: Vocabulary, ranked: Iterable[Ranked]
) -> dict[str, list[Facet]]:
    """Counts per municipality, Kreis, topic, kind and year over the candidates."""
    counters: dict[str, Counter[str]] = {
        n: Counter() for n in ("municipality", "kreis", "topic", "kind", "year")
    }
    for item in ranked:
        passage = table.passages.get(item.passage_iri)
        if passage is None:
            continue
        document = table.documents.get(passage.document_id)
        counters["municipality"].update(set(passage.places))
        counters["kreis"].update({vocab.municipalities[a].kreis for a in passage.places})
        counters["topic"].update(set(passage.topics))
        if document and document.kind:
            counters["kind"][document.kind] += 1
        if document and document.year:
            counters["year"][str(document.year)] += 1
    labels: dict[str, Callable[[str], str]] = {
        "municipality": vocab.municipality_name,
        "kreis": lambda k: vocab.kreise.get(k, k),
        "topic": vocab.thesaurus.label,
    }
    return {
        name: [
            Facet(value, labels.get(name, str)(value), count)
            for value, count in _most_common(counter)
        ]
        for name, counter in counters.items()
    }


def _most_common(counter: Counter[str]) -> list[tuple[str, int]]:
    """The top ``FACET_SIZE`` values; ties by value, as set order differs between processes."""
    return sorted(counter.items(), key=lambda vc: (-vc[1], vc[0]))[:FACET_SIZE]


_WORD = re.compile(r"\w{4,}")


def snippet(text: str, query: str, width: int = 280) -> str:
    """About ``width`` characters of ``text`` around the first word it shares with ``query``."""
    if len(text) <= width:
        return text
    lowered = text.casefold()
    positions = [lowered.find(w.casefold()[:6]) for w in _WORD.findall(query)]
    found = [p for p in positions if p >= 0]
    start = max(0, min(found) - width // 3) if found else 0
    start = text.rfind(" ", 0, start) + 1 if start else 0
    piece = text[start : start + width].rsplit(" ", 1)[0]
    return ("… " if start else "") + piece + " …"
