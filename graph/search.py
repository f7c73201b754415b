"""Hybrid passage search: dense (qdrant) plus German BM25, fused, filtered and faceted.

``Searcher`` keeps the passage table (``graph.passages``) read from the store at
construction; it serves the keyword leg's filters, the facets and the hydration of hits
without a SPARQL round trip per request. Call ``refresh(doc_ids)`` after writing or
deleting documents in this process (only those are re-read) and ``refresh()`` after an
ingest run; ``sync()`` (the API calls it per request) notices writes by other processes
that share the store, so API replicas behind a proxy stay stateless (``graph.table_sync``).
What a search returns (hits, facets, snippets) is ``graph.search_results``.
"""

import logging
from collections.abc import Iterable, Sequence
from typing import Literal

from graph.embedding import Embedder, Vector
from graph.errors import InvalidQuery
from graph.fusion import DEFAULT_KEYWORD_WEIGHT, fuse
from graph.keyword import KeywordIndex
from graph.passages import KINDS, DocumentInfo, PassageInfo, PassageTable
from graph.questions import Constraints
from graph.search_results import (
    Facet,
    Ranked,
    SearchHit,
    SearchResult,
    facet_counts,
    hydrate,
    snippet,
)
from graph.store import GraphStore
from graph.table_sync import SYNC_INTERVAL_S, TableKeeper
from graph.vectors import VectorFilter, VectorIndex
from graph.vocabulary import Vocabulary

__all__ = [
    "DocumentInfo",
    "Facet",
    "Mode",
    "PassageInfo",
    "Ranked",
    "SearchHit",
    "SearchResult",
    "Searcher",
    "constraint_filter",
    "snippet",
]

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "keyword"]
_KIND_ALIASES = {"protokoll": "protocol", "projekt": "project", "veranstaltung": "event"}
_KIND_ALIASES |= {"seite": "page", "akademie": "event"}
DEFAULT_DEPTH = 100
KEYWORD_PREFILTER_MAX = 5_000
KEYWORD_OVERFETCH = 10


class Searcher:
    """Hybrid search over the knowledge base; thread-safe for concurrent ``search`` calls."""

    def __init__(
        self,
        store: GraphStore,
        index: VectorIndex,
        embedder: Embedder,
        keyword: KeywordIndex | None = None,
        *,
        keyword_weight: float = DEFAULT_KEYWORD_WEIGHT,
        depth: int = DEFAULT_DEPTH,
        sync_interval_s: float = SYNC_INTERVAL_S,
    ) -> None:
        """Read vocabulary and passages from the store and build the keyword index.

        ``keyword`` may be a prebuilt index (loaded from disk); it must be keyed by passage
        IRI. An empty or missing one is built from the passage texts. ``sync()`` asks the
        store for changes at most every ``sync_interval_s`` seconds.
        """
        self.store = store
        self.index = index
        self.embedder = embedder
        self.keyword_weight = keyword_weight
        self.depth = depth
        self._keeper = TableKeeper(store, keyword, sync_interval_s)

    def refresh(self, doc_ids: Iterable[str] | None = None) -> None:
        """Catch up with a write in this process.

        ``doc_ids``: the documents an upload or a delete wrote or removed; only they (and
        any others the store shows as changed) are re-read. Without them (after an ingest
        run) passages are re-read and the keyword index rebuilt in full.
        """
        self._keeper.refresh(doc_ids)

    def sync(self) -> bool:
        """Catch up if another process wrote to the store meanwhile (see ``TableKeeper``)."""
        return self._keeper.sync()

    @property
    def keeper(self) -> TableKeeper:
        """What keeps the table current, with its counts of partial and full updates."""
        return self._keeper

    @property
    def vocabulary(self) -> Vocabulary:
        """Place names, regions and thesaurus, as of the last (re)load."""
        return self._keeper.vocabulary

    @property
    def _table(self) -> PassageTable:
        return self._keeper.table

    @property
    def table(self) -> PassageTable:
        """The current passage table; a new object after every ``refresh``."""
        return self._table

    @property
    def keyword(self) -> KeywordIndex:
        """The current keyword index (to save it, or to hand to a searcher of the same store).

        A partial ``refresh`` updates it in place, so two searchers sharing one must not
        both write.
        """
        return self._table.keyword

    @property
    def passages(self) -> dict[str, PassageInfo]:
        """All passages by IRI (read-only use)."""
        return self._table.passages

    def document_passages(self, document_id: str) -> list[PassageInfo]:
        """Passages of one document in text order."""
        table = self._table
        return [table.passages[i] for i in table.by_document.get(document_id, ())]

    @property
    def documents(self) -> dict[str, DocumentInfo]:
        """All documents by id (read-only use)."""
        return self._table.documents

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        municipality: str | Sequence[str] | None = None,
        kreis: str | None = None,
        region: str | None = None,
        topic: str | None = None,
        kind: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        mode: Mode = "hybrid",
    ) -> SearchResult:
        """Ranked passages for ``query`` under the given filters, plus facets.

        Raises:
            InvalidQuery: for an empty query or a negative limit/offset.
            NotFound: for an unknown municipality, Kreis, region or topic.
        """
        if not query.strip():
            raise InvalidQuery("the search query is empty; type a few words")
        if limit < 0 or offset < 0:
            raise InvalidQuery("limit and offset must not be negative")
        flt = self.make_filter(
            municipality=municipality,
            kreis=kreis,
            region=region,
            topic=topic,
            kind=kind,
            date_from=date_from,
            date_to=date_to,
        )
        ranked = self.retrieve(query, flt, depth=max(self.depth, offset + limit), mode=mode)
        hits = [self.hit(r) for r in ranked[offset : offset + limit]]
        return SearchResult(query, hits, self.facets(ranked), len(ranked))

    def make_filter(
        self,
        *,
        municipality: str | Sequence[str] | None = None,
        kreis: str | None = None,
        region: str | None = None,
        topic: str | None = None,
        kind: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> VectorFilter | None:
        """Resolve names to keys and build the backend-neutral filter (None: no filter).

        Raises:
            InvalidQuery: for an unknown kind or a malformed date.
            NotFound: for an unknown municipality, Kreis, region or topic.
        """
        vocab = self.vocabulary
        towns: frozenset[str] | None = None
        if municipality:
            names = [municipality] if isinstance(municipality, str) else list(municipality)
            towns = frozenset().union(*(vocab.municipality_set(n) for n in names))
        if region:
            members = vocab.region_members(region)
            towns = members if towns is None else towns & members
        try:
            flt = VectorFilter(
                municipalities=towns,
                kreise=frozenset({vocab.kreis_key(kreis)}) if kreis else None,
                topics=vocab.topic_set(topic) if topic else None,
                kinds=frozenset({_kind(kind)}) if kind else None,
                date_from=date_from or None,
                date_to=date_to or None,
            )
        except ValueError as e:
            raise InvalidQuery(f"{e}; dates are YYYY, YYYY-MM or YYYY-MM-DD") from e
        return None if flt == VectorFilter() else flt

    def retrieve(
        self,
        query: str,
        flt: VectorFilter | None = None,
        *,
        depth: int | None = None,
        mode: Mode = "hybrid",
        vector: Vector | None = None,
    ) -> list[Ranked]:
        """The best ``depth`` passages by the chosen leg(s), best first.

        ``vector`` is the query's embedding if the caller already has it (several
        retrievals for one question embed it once).
        """
        depth = depth or self.depth
        table = self._table
        dense: dict[str, float] = {}
        if mode != "keyword":
            if vector is None:
                vector = self.embedder.embed_query(query)
            # Vectors are written before the graph: a passage the table does not know is
            # mid-write or newer than the table, and would be shown without its text.
            found = self.index.search(vector, depth, flt, fields=())
            dense = {h.passage_iri: h.score for h in found if h.passage_iri in table.passages}
        keyword: dict[str, float] = {}
        if mode != "dense":
            keyword = self._keyword_hits(table, query, depth, flt)
        if mode == "dense":
            fused = sorted(dense.items(), key=lambda kv: (-kv[1], kv[0]))
        elif mode == "keyword":
            fused = sorted(keyword.items(), key=lambda kv: (-kv[1], kv[0]))
        else:
            # A passage only BM25 found is below the dense top list: with this floor it can
            # at best tie the last dense candidate. Asking the index for its exact cosine
            # cost a second vector query and changed no dev-set figure.
            floor = (min(dense.values()) if dense else 0.0) - self.keyword_weight
            fused = fuse(dense, keyword, self.keyword_weight, missing_dense=floor)
        return [
            Ranked(key, score, dense.get(key), keyword.get(key)) for key, score in fused[:depth]
        ]

    @staticmethod
    def _keyword_hits(
        table: PassageTable, query: str, depth: int, flt: VectorFilter | None
    ) -> dict[str, float]:
        """BM25 hits passing the filter.

        A broad filter (a region: tens of thousands of passages) is applied after an
        over-fetched unfiltered search; handing the keyword index that many allowed keys
        cost ~45 ms per query at 100k passages; the over-fetch costs what an unfiltered
        search costs.
        """
        allowed = table.allowed(flt)
        if allowed is None or len(allowed) <= KEYWORD_PREFILTER_MAX:
            hits = table.keyword.search(query, depth, allowed)
        else:
            found = table.keyword.search(query, depth * KEYWORD_OVERFETCH)
            hits = [(key, score) for key, score in found if key in allowed][:depth]
        # The keyword index is shared with the next table: a key this one lacks is newer.
        return {key: score for key, score in hits if key in table.passages}

    def hit(self, ranked: Ranked) -> SearchHit:
        """Hydrate a ranked passage with its document, places and topics."""
        return hydrate(self._table, self.vocabulary, ranked)

    def facets(self, ranked: Iterable[Ranked]) -> dict[str, list[Facet]]:
        """Counts per municipality, Kreis, topic, kind and year over the candidates."""
        return facet_counts(self._table, self.vocabulary, ranked)


def _kind(value: str) -> str:
    text = value.strip()
    kind = KINDS.get(text) or _KIND_ALIASES.get(text.casefold()) or text.casefold()
    if kind not in KINDS.values():
        raise InvalidQuery(
            f"unknown document kind {value!r}; use one of {', '.join(KINDS.values())}"
        )
    return kind


def constraint_filter(constraints: Constraints, *, exclusions: bool = True) -> VectorFilter | None:
    """Passage filter for a question's constraints (None when unconstrained)."""
    flt = VectorFilter(
        municipalities=constraints.municipalities or None,
        kreise=constraints.kreise or None,
        date_from=str(constraints.year_from) if constraints.year_from else None,
        date_to=str(constraints.year_to) if constraints.year_to else None,
        exclude_municipalities=constraints.exclude_municipalities if exclusions else frozenset(),
    )
    return None if flt == VectorFilter() else flt
