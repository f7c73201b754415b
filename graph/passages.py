"""The passage table: every passage and document of the store, in memory.

Search filters the keyword leg, computes facets and hydrates hits from this table instead
of asking the store per request. ``graph.table_queries`` reads it from the store;
``graph.table_sync`` keeps it current. A table is never changed in place (its keyword index aside):
searches running in the thread pool keep the snapshot they started with, and callers that
cache per table (``ExperienceFinder``) notice a new object. After a write of known documents,
``replace_documents`` builds the next table from this one and the rows of those documents.
"""

import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.keyword import KeywordIndex
from graph.vectors import VectorFilter, day_number
from graph.vocabulary import Vocabulary

__all__ = [
    "KINDS",
    "DocumentInfo",
    "PassageInfo",
    "PassageTable",
    "Subject",
    "TableRows",
    "build_table",
]

_ALLOWED_CACHE = 32
_POSTING_FIELDS = ("municipalities", "kreise", "topics", "kind", "document_id")

KINDS = {
    "Protocol": "protocol",
    "ProjectDescription": "project",
    "EventDescription": "event",
    "Page": "page",
}

Postings = dict[str, dict[str, set[str]]]  # payload field -> value -> passage IRIs


@dataclass(frozen=True)
class DocumentInfo:
    """What a hit shows of its document."""

    id: str
    title: str = ""
    source: str = ""
    kind: str = ""
    date: str | None = None

    @property
    def year(self) -> int | None:
        """Year of the document date, if it has one."""
        return int(self.date[:4]) if self.date and self.date[:4].isdigit() else None

    def to_dict(self) -> dict[str, Any]:
        """JSON form: id, title, source, kind, date."""
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "kind": self.kind,
            "date": self.date,
        }


@dataclass(frozen=True)
class PassageInfo:
    """A passage in the table: where it is and what it is about."""

    iri: str
    document_id: str
    text: str
    start: int | None = None
    end: int | None = None
    topics: tuple[str, ...] = ()  # concept IRIs assigned to the passage itself
    municipalities: tuple[str, ...] = ()  # AGS mentioned in the passage
    places: frozenset[str] = frozenset()  # AGS used for filtering (passage and document)
    mentions: tuple[str, ...] = ()  # IRIs of every entity the passage names, sorted


@dataclass(frozen=True)
class Subject:
    """What a document is about (``schema:about``): a project or an event, and who is in it.

    Kept in the table because "who did X" asks this for every retrieved passage, and at
    100k passages the property-path join per request cost more than the rest of it.
    """

    iri: str
    kind: str  # project | event
    municipalities: tuple[str, ...] = ()  # AGS of a project's municipalities
    contacts: tuple[str, ...] = ()  # a project's contact persons
    speakers: tuple[str, ...] = ()  # an event's speakers
    status: str | None = None  # a project's status


@dataclass(frozen=True)
class TableRows:
    """What the store says about some documents (or all of them): the table's raw input."""

    documents: dict[str, DocumentInfo]
    passages: dict[str, PassageInfo]
    subjects: dict[str, list[Subject]]


@dataclass
class PassageTable:
    """Snapshot of all passages and documents; replaced, never changed, when the store is."""

    passages: dict[str, PassageInfo]
    documents: dict[str, DocumentInfo]
    keyword: KeywordIndex
    postings: Postings
    by_document: dict[str, list[str]] = field(default_factory=dict)  # in text order
    subjects: dict[str, list[Subject]] = field(default_factory=dict)  # per document id
    _allowed: dict[VectorFilter, set[str]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def allowed(self, flt: VectorFilter | None) -> set[str] | None:
        """Passages passing ``flt`` (None for all), by intersecting inverted lists.

        The last few answers are kept: the same filter comes back with every page and
        facet click, and a region's union of postings at 100k passages costs ~10 ms.
        """
        if flt is None:
            return None
        cached = self._allowed.get(flt)
        if cached is None:
            cached = self._compute_allowed(flt)
            with self._lock:  # searches run in a thread pool
                if len(self._allowed) >= _ALLOWED_CACHE:
                    self._allowed.pop(next(iter(self._allowed)))
                self._allowed[flt] = cached
        return cached

    def _compute_allowed(self, flt: VectorFilter) -> set[str]:
        keys: set[str] | None = None
        for name, values in flt.any_of().items():
            postings = self.postings.get(name, {})
            matching = set().union(*(postings.get(v, set()) for v in values))
            keys = matching if keys is None else keys & matching
        if keys is None:
            keys = set(self.passages)
        for ags in flt.exclude_municipalities:
            keys -= self.postings["municipalities"].get(ags, set())
        if flt.date_from or flt.date_to:
            keys = {k for k in keys if flt.matches(self.payload(k))}
        return keys

    def payload(self, iri: str) -> dict[str, Any]:
        """The date part of a passage's payload, for ``VectorFilter.matches``."""
        passage = self.passages[iri]
        document = self.documents.get(passage.document_id)
        payload: dict[str, Any] = {}
        if document and document.date:
            payload["day"] = day_number(document.date)
        if document and document.year:
            payload["year"] = document.year
        return payload

    def replace_documents(
        self, doc_ids: Collection[str], rows: TableRows, vocabulary: Vocabulary
    ) -> "PassageTable":
        """The next table: ``doc_ids`` as ``rows`` has them now (absent from ``rows``: deleted).

        Equal to a table built from scratch as long as no other document's rows depend on
        these documents' graphs (``graph.table_sync`` checks when that may not hold).
        Costs a shallow copy of the dicts plus the work for the changed passages. The
        keyword index is the one object tables share: it is updated in place (under its
        own lock), so a search still on the previous table may meet a key that table
        lacks; ``Searcher`` drops such hits as it drops dense hits of unknown passages.
        """
        wanted = set(doc_ids)
        old = {iri for doc_id in wanted for iri in self.by_document.get(doc_id, ())}
        new = {iri: p for iri, p in rows.passages.items() if p.document_id in wanted}
        passages = {iri: p for iri, p in self.passages.items() if iri not in old} | new
        documents = {d: info for d, info in self.documents.items() if d not in wanted}
        documents |= {d: info for d, info in rows.documents.items() if d in wanted}
        postings = _changed_postings(self, old, new, documents, vocabulary)
        by_document = {d: iris for d, iris in self.by_document.items() if d not in wanted}
        by_document |= _by_document(new.values())
        subjects = {d: s for d, s in self.subjects.items() if d not in wanted}
        subjects |= {d: s for d, s in rows.subjects.items() if d in wanted and s}
        self.keyword.update(
            {iri: self.passages[iri].text for iri in old},
            [(iri, p.text) for iri, p in new.items()],
            lambda iri: passages[iri].text,
        )
        return PassageTable(passages, documents, self.keyword, postings, by_document, subjects)


def build_table(
    rows: TableRows, vocabulary: Vocabulary, keyword: KeywordIndex | None = None
) -> PassageTable:
    """The table over ``rows``; builds the keyword index unless a filled one is given.

    ``keyword`` may be a prebuilt index keyed by passage IRI (loaded from disk); an empty
    one is built from the passage texts, with thesaurus labels as lexicon and synonyms.
    """
    if keyword is None or not len(keyword):
        thesaurus = vocabulary.thesaurus
        keyword = KeywordIndex(thesaurus.synonyms(), thesaurus.all_labels())
        keyword.build((p.iri, p.text) for p in rows.passages.values())
    postings: Postings = {name: {} for name in _POSTING_FIELDS}
    closure: dict[str, frozenset[str]] = {}
    for iri, passage in rows.passages.items():
        values = _posting_values(passage, rows.documents, vocabulary, closure)
        for name, keys in values.items():
            for key in keys:
                postings[name].setdefault(key, set()).add(iri)
    return PassageTable(
        rows.passages,
        rows.documents,
        keyword,
        postings,
        _by_document(rows.passages.values()),
        {d: s for d, s in rows.subjects.items() if s},
    )


def _by_document(passages: Iterable[PassageInfo]) -> dict[str, list[str]]:
    by_document: dict[str, list[str]] = {}
    for passage in sorted(passages, key=lambda p: (p.start or 0, p.iri)):
        by_document.setdefault(passage.document_id, []).append(passage.iri)
    return by_document


def _posting_values(
    passage: PassageInfo,
    documents: Mapping[str, DocumentInfo],
    vocab: Vocabulary,
    closure: dict[str, frozenset[str]],
) -> dict[str, set[str]]:
    """The values a passage is listed under, per payload field the keyword leg filters on."""
    document = documents.get(passage.document_id)
    return {
        "municipalities": set(passage.places),
        "kreise": {vocab.municipalities[a].kreis for a in passage.places},
        "topics": set().union(
            *(closure.setdefault(t, vocab.thesaurus.broader_closure(t)) for t in passage.topics)
        ),
        "kind": {document.kind} if document and document.kind else set(),
        "document_id": {passage.document_id},
    }


def _changed_postings(
    table: PassageTable,
    old: Collection[str],
    new: Mapping[str, PassageInfo],
    documents: Mapping[str, DocumentInfo],
    vocab: Vocabulary,
) -> Postings:
    """Postings without the ``old`` passages and with the ``new`` ones.

    Only the lists that change are copied; the rest are shared with the previous table,
    which nobody writes to. Emptied lists are dropped, as a fresh build never has them.
    """
    postings: Postings = {name: dict(lists) for name, lists in table.postings.items()}
    copied: set[tuple[str, str]] = set()
    closure: dict[str, frozenset[str]] = {}

    def touch(name: str, key: str) -> set[str]:
        lists = postings.setdefault(name, {})
        if (name, key) not in copied:
            copied.add((name, key))
            lists[key] = set(lists.get(key, ()))
        return lists[key]

    for iri in old:
        values = _posting_values(table.passages[iri], table.documents, vocab, closure)
        for name, keys in values.items():
            for key in keys:
                touch(name, key).discard(iri)
    for iri, passage in new.items():
        for name, keys in _posting_values(passage, documents, vocab, closure).items():
            for key in keys:
                touch(name, key).add(iri)
    for name, key in copied:
        if not postings[name][key]:
            del postings[name][key]
    return postings
