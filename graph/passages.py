"""The passage table: every passage and document of the store, in memory.

Search filters the keyword leg, computes facets and hydrates hits from this table instead
of asking the store per request. It is read with a handful of SPARQL queries over the
whole store (passage texts in one), and replaced as a whole when the corpus changes.
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from graph.keyword import KeywordIndex
from graph.store import GraphStore
from graph.vectors import VectorFilter, day_number
from graph.vocabulary import Vocabulary, select

__all__ = [
    "KINDS",
    "SYNC_INTERVAL_S",
    "DocumentInfo",
    "PassageInfo",
    "PassageTable",
    "Subject",
    "TableKeeper",
    "change_token",
    "load_table",
]

logger = logging.getLogger(__name__)

_ALLOWED_CACHE = 32
SYNC_INTERVAL_S = 1.0

KINDS = {
    "Protocol": "protocol",
    "ProjectDescription": "project",
    "EventDescription": "event",
    "Page": "page",
}
_PASSAGES = """SELECT ?p ?id ?text ?start ?end WHERE { ?p a wn:Passage ; dcterms:isPartOf ?d ;
  wn:text ?text . ?d dcterms:identifier ?id .
  OPTIONAL { ?p wn:startOffset ?start } OPTIONAL { ?p wn:endOffset ?end } }"""
_DOCUMENTS = """SELECT ?id ?title ?date ?kind ?source WHERE { ?d a wn:Document ;
  dcterms:identifier ?id . OPTIONAL { ?d dcterms:title ?title } OPTIONAL { ?d dcterms:date ?date }
  OPTIONAL { ?d wn:documentKind ?kind } OPTIONAL { ?d wn:sourcePath ?source } }"""
_TOPICS = """SELECT ?p ?t WHERE { ?p a wn:Passage ; wn:topic ?t }"""
_MENTIONS = """SELECT DISTINCT ?p ?x WHERE { ?p a wn:Passage ; wn:mentions ?x }"""
_SUBJECT_HEAD = """SELECT DISTINCT ?id ?o ?v WHERE { ?d a wn:Document ; dcterms:identifier ?id ;
  schema:about ?o . """
_SUBJECT_FIELDS = {
    ("project", "municipalities"): "?o a wn:Project ; wn:municipality/wn:ags ?v }",
    ("project", "contacts"): "?o a wn:Project ; wn:contactPerson ?v }",
    ("project", "status"): "?o a wn:Project ; wn:status ?v }",
    ("event", "speakers"): "?o a wn:Event ; wn:speaker ?v }",
}
_PASSAGE_PLACES = """SELECT ?p ?ags WHERE { ?p a wn:Passage ; wn:mentions ?x .
  { ?x wn:ags ?ags } UNION { ?x wn:administers/wn:ags ?ags } }"""
_DOCUMENT_PLACES = """SELECT ?id ?ags WHERE { ?d a wn:Document ; dcterms:identifier ?id .
  { ?d schema:about/wn:municipality/wn:ags ?ags } UNION { ?d wn:mentions/wn:ags ?ags } }"""

# Every document graph and every reference graph carries a wn:contentHash (hex digest).
# Their count plus the sum of each digest's last seven hex digits changes with any write,
# delete or replacement, does not depend on result order, and comes back as one short row.
_HEX = "0123456789abcdef"
_DIGIT_SUM = " + ".join(
    f'STRLEN(STRBEFORE("{_HEX}", SUBSTR(?t, {i}, 1))) * {16 ** (7 - i)}' for i in range(1, 8)
)
_CHANGE_TOKEN = f"""SELECT (COUNT(?h) AS ?n) (SUM(?v) AS ?s) WHERE {{
  GRAPH ?g {{ ?x wn:contentHash ?h }}
  BIND(LCASE(SUBSTR(STR(?h), STRLEN(STR(?h)) - 6)) AS ?t) BIND({_DIGIT_SUM} AS ?v) }}"""


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
    mentions: tuple[str, ...] = ()  # IRIs of every entity the passage names


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


@dataclass
class PassageTable:
    """Snapshot of all passages and documents; replaced whole by ``refresh``."""

    passages: dict[str, PassageInfo]
    documents: dict[str, DocumentInfo]
    keyword: KeywordIndex
    postings: dict[str, dict[str, set[str]]]  # payload field -> value -> passage IRIs
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


def load_table(
    store: GraphStore, vocabulary: Vocabulary, keyword: KeywordIndex | None = None
) -> PassageTable:
    """Read all passages and documents; build the keyword index unless one is given.

    ``keyword`` may be a prebuilt index keyed by passage IRI (loaded from disk); an empty
    one is built from the passage texts, with thesaurus labels as lexicon and synonyms.
    """
    documents = _documents(store)
    passages = _passages(store, documents)
    if keyword is None or not len(keyword):
        thesaurus = vocabulary.thesaurus
        keyword = KeywordIndex(thesaurus.synonyms(), thesaurus.all_labels())
        keyword.build((p.iri, p.text) for p in passages.values())
    postings = _postings(passages, documents, vocabulary)
    by_document: dict[str, list[str]] = {}
    for passage in sorted(passages.values(), key=lambda p: (p.start or 0, p.iri)):
        by_document.setdefault(passage.document_id, []).append(passage.iri)
    logger.info("passage table: %d passages in %d documents", len(passages), len(documents))
    return PassageTable(passages, documents, keyword, postings, by_document, _subjects(store))


def change_token(store: GraphStore) -> tuple[str | None, ...]:
    """Fingerprint of the versions of all graphs in the store; it changes with every write.

    Several API processes share one store, and each keeps a passage table: comparing this
    token (a few ms at the store) tells a process that another one has written since.
    """
    rows = select(store, _CHANGE_TOKEN)
    return rows[0] if rows else ()


class TableKeeper:
    """The vocabulary and passage table of one process, reloaded when the store changes.

    Several API processes share one store; a write through one of them (or an ingest run)
    must reach the others without a restart, so ``sync()`` compares the store's
    ``change_token`` with the one the table was read at.
    """

    def __init__(
        self,
        store: GraphStore,
        keyword: KeywordIndex | None = None,
        sync_interval_s: float = SYNC_INTERVAL_S,
    ) -> None:
        """Read vocabulary and table now (``keyword``: see ``load_table``)."""
        self.store = store
        self.sync_interval_s = sync_interval_s
        self._lock = threading.Lock()
        self._token = change_token(store)
        self._checked = time.monotonic()
        self.vocabulary = Vocabulary.load(store)
        self.table = load_table(store, self.vocabulary, keyword)

    def refresh(self) -> None:
        """Re-read vocabulary and passages and rebuild the keyword index."""
        with self._lock:
            self._reload()

    def sync(self) -> bool:
        """Reload if the store changed since the last look (at most every interval).

        The caller that finds a change waits for the reload, so its answer is current;
        callers arriving meanwhile answer from the previous table rather than queue behind
        a reload that takes seconds at 100k passages. Returns True if it reloaded.
        """
        if time.monotonic() - self._checked < self.sync_interval_s:
            return False
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self._checked = time.monotonic()
            if change_token(self.store) == self._token:
                return False
            logger.info("the store changed since the passage table was read; reloading")
            self._reload()
            return True
        finally:
            self._lock.release()

    def _reload(self) -> None:
        # Token first: a write during the reload then causes one more reload, never a miss.
        token = change_token(self.store)
        vocabulary = Vocabulary.load(self.store)
        table = load_table(self.store, vocabulary)
        self.vocabulary, self.table, self._token = vocabulary, table, token
        self._checked = time.monotonic()


def _documents(store: GraphStore) -> dict[str, DocumentInfo]:
    documents: dict[str, DocumentInfo] = {}
    for doc_id, title, date, kind, source in select(store, _DOCUMENTS):
        if doc_id and doc_id not in documents:
            kind_name = KINDS.get((kind or "").rsplit("#", 1)[-1], "")
            documents[doc_id] = DocumentInfo(doc_id, title or "", source or "", kind_name, date)
    return documents


def _passages(store: GraphStore, documents: dict[str, DocumentInfo]) -> dict[str, PassageInfo]:
    topics: dict[str, list[str]] = {}
    for iri, concept in select(store, _TOPICS):
        if iri and concept:
            topics.setdefault(iri, []).append(concept)
    named: dict[str, list[str]] = {}
    for iri, entity in select(store, _MENTIONS):
        if iri and entity:
            named.setdefault(iri, []).append(entity)
    mentioned: dict[str, set[str]] = {}
    for iri, ags in select(store, _PASSAGE_PLACES):
        if iri and ags:
            mentioned.setdefault(iri, set()).add(ags)
    document_places: dict[str, set[str]] = {}
    for doc_id, ags in select(store, _DOCUMENT_PLACES):
        if doc_id and ags:
            document_places.setdefault(doc_id, set()).add(ags)
    passages: dict[str, PassageInfo] = {}
    for iri, doc_id, text, start, end in select(store, _PASSAGES):
        if not iri or not doc_id or iri in passages:
            continue
        own = mentioned.get(iri, set())
        passages[iri] = PassageInfo(
            iri,
            doc_id,
            text or "",
            int(start) if start else None,
            int(end) if end else None,
            tuple(sorted(set(topics.get(iri, ())))),
            tuple(sorted(own)),
            frozenset(own | document_places.get(doc_id, set())),
            tuple(named.get(iri, ())),
        )
    return passages


def _subjects(store: GraphStore) -> dict[str, list[Subject]]:
    """Projects and events each document is about, with their people and places."""
    fields: dict[tuple[str, str], dict[str, Any]] = {}
    for (kind, name), body in _SUBJECT_FIELDS.items():
        for doc_id, subject, value in select(store, _SUBJECT_HEAD + body):
            if doc_id and subject and value:
                entry = fields.setdefault((doc_id, subject), {"kind": kind})
                entry.setdefault(name, []).append(value)
    subjects: dict[str, list[Subject]] = {}
    for (doc_id, iri), entry in fields.items():
        status = entry.get("status")
        subjects.setdefault(doc_id, []).append(
            Subject(
                iri,
                entry["kind"],
                tuple(entry.get("municipalities", ())),
                tuple(entry.get("contacts", ())),
                tuple(entry.get("speakers", ())),
                status[0] if status else None,
            )
        )
    return subjects


def _postings(
    passages: dict[str, PassageInfo], documents: dict[str, DocumentInfo], vocab: Vocabulary
) -> dict[str, dict[str, set[str]]]:
    """Inverted lists over the payload fields the keyword leg filters on."""
    postings: dict[str, dict[str, set[str]]] = {
        n: {} for n in ("municipalities", "kreise", "topics", "kind", "document_id")
    }
    closure: dict[str, frozenset[str]] = {}
    for iri, passage in passages.items():
        document = documents.get(passage.document_id)
        values = {
            "municipalities": passage.places,
            "kreise": {vocab.municipalities[a].kreis for a in passage.places},
            "topics": set().union(
                *(closure.setdefault(t, vocab.thesaurus.broader_closure(t)) for t in passage.topics)
            ),
            "kind": {document.kind} if document and document.kind else set(),
            "document_id": {passage.document_id},
        }
        for name, keys in values.items():
            for key in keys:
                postings[name].setdefault(key, set()).add(iri)
    return postings
