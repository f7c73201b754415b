"""Keeping a process's passage table current: after its own writes and after other processes'.

Several API processes share one store and each keeps a passage table and a keyword index
in memory. Rebuilding both is the expensive part of a write (seconds at a few thousand
passages, growing with the corpus), so after a write of known documents only those are
re-read and replaced (``PassageTable.replace_documents``). Which documents changed is
known from the caller (an upload or a delete names them) and, for writes by other
processes, from the store: every graph carries a ``wn:contentHash``, so comparing the
(document id, hash) pairs with those the table was read at names the changed documents.
After a write of named documents only their hashes are read; if the change token then is
the one the known versions predict, nobody else has written and the comparison is skipped.

A full reload stays the answer whenever a partial one could differ from it:

* the caller names no documents (an ingest run, a repair): anything may have changed;
* a graph that is not a document graph changed (reference data, thesaurus, ontology): the
  vocabulary, the thesaurus closure in the postings, the keyword index's synonyms and
  lexicon and the places of every passage depend on it;
* a changed document's graph states places or regions (``wn:ags``, ``wn:administers``,
  ``org:hasMember``, ``wn:Region``/``wn:Network`` or a region's labels): other documents'
  places or the vocabulary then depend on it. Ingest never writes these into a document
  graph (only the reference graph has them), so this is a guard, not the common case;
* more than ``INCREMENTAL_MAX_DOCUMENTS`` documents changed at once: one scan is then
  cheaper than that many scoped reads;
* the keyword index cannot be updated exactly (``KeywordIndex.exact_updates``: one read
  from disk has not analysed its passages); the reload builds a fresh one.

Everything else a document contributes (its passages, topics, mentions, places, subjects)
lives in its own named graph, as ``graph.iris`` mints the IRIs of passages, projects and
events from the document id.
"""

import logging
import threading
import time
from collections.abc import Collection, Iterable

from graph.iris import document_graph_iri
from graph.keyword import KeywordIndex
from graph.ntriples import nt_literal
from graph.passages import PassageTable
from graph.store import GraphStore
from graph.table_queries import load_table, read_rows
from graph.vocabulary import Vocabulary, select

__all__ = [
    "INCREMENTAL_MAX_DOCUMENTS",
    "SYNC_INTERVAL_S",
    "StoreVersions",
    "TableKeeper",
    "change_token",
    "linking_graphs",
]

logger = logging.getLogger(__name__)

SYNC_INTERVAL_S = 1.0
INCREMENTAL_MAX_DOCUMENTS = 100

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
# The same hashes one by one: per document graph with its document id, else per graph.
_VERSIONS = """SELECT ?g ?h ?id WHERE { GRAPH ?g { ?x wn:contentHash ?h
  OPTIONAL { ?x a wn:Document ; dcterms:identifier ?id } } }"""
_DOCUMENT_VERSIONS = """SELECT ?id ?h WHERE { VALUES ?id { %s }
  GRAPH ?g { ?x wn:contentHash ?h ; a wn:Document ; dcterms:identifier ?id } }"""
# Graphs that state places or regions other documents' rows (or the vocabulary: regions,
# their members and labels) depend on. Starting from the predicates keeps it to a few ms.
_LINKING = """SELECT DISTINCT ?g WHERE {
  { GRAPH ?g { { ?s wn:ags|wn:administers|org:hasMember ?o } UNION { ?s a wn:Region }
    UNION { ?s a wn:Network } } }
  UNION { ?s a ?c . VALUES ?c { wn:Region wn:Network }
    GRAPH ?g { ?s rdfs:label|skos:altLabel ?o } } }"""


def change_token(store: GraphStore) -> tuple[str | None, ...]:
    """Fingerprint of the versions of all graphs in the store; it changes with every write.

    Several API processes share one store, and each keeps a passage table: comparing this
    token (a few ms at the store) tells a process that another one has written since.
    """
    rows = select(store, _CHANGE_TOKEN)
    return rows[0] if rows else ()


def linking_graphs(store: GraphStore) -> set[str]:
    """IRIs of the graphs that state places or regions (the reference graph among them)."""
    return {row[0] for row in select(store, _LINKING) if row[0]}


class StoreVersions:
    """The content hash of every graph: per document id, and per IRI for the other graphs."""

    def __init__(self, documents: dict[str, frozenset[str]], others: dict[str, str]) -> None:
        self.documents = documents
        self.others = others

    @classmethod
    def read(cls, store: GraphStore) -> "StoreVersions":
        """One row per graph (~0.1 s at 1,500 documents on a busy machine)."""
        documents: dict[str, set[str]] = {}
        others: dict[str, str] = {}
        for graph, digest, doc_id in select(store, _VERSIONS):
            if doc_id:
                documents.setdefault(doc_id, set()).add(digest or "")
            elif graph:
                others[graph] = digest or ""
        return cls({d: frozenset(h) for d, h in documents.items()}, others)

    def reread(self, store: GraphStore, doc_ids: Collection[str]) -> "StoreVersions":
        """These versions with the hashes of ``doc_ids`` read again (absent: deleted)."""
        values = " ".join(nt_literal(d) for d in sorted(doc_ids))
        found: dict[str, set[str]] = {}
        for doc_id, digest in select(store, _DOCUMENT_VERSIONS % values):
            if doc_id:
                found.setdefault(doc_id, set()).add(digest or "")
        documents = {d: h for d, h in self.documents.items() if d not in doc_ids}
        documents |= {d: frozenset(h) for d, h in found.items()}
        return StoreVersions(documents, self.others)

    def token(self) -> tuple[str, str]:
        """What ``change_token`` answers for a store holding exactly these versions."""
        digests = [h for hashes in self.documents.values() for h in hashes]
        digests += self.others.values()
        return str(len(digests)), str(sum(_digit_sum(h) for h in digests))

    def changed_documents(self, before: "StoreVersions") -> set[str] | None:
        """Documents added, removed or rewritten since ``before``; None if another graph was."""
        if self.others != before.others:
            return None
        ids = self.documents.keys() | before.documents.keys()
        return {d for d in ids if self.documents.get(d) != before.documents.get(d)}


def _digit_sum(digest: str) -> int:
    """``_CHANGE_TOKEN``'s value of one hash: its last seven characters read as hex."""
    tail = digest[-7:].lower()
    return sum(max(_HEX.find(char), 0) * 16 ** (6 - i) for i, char in enumerate(tail))


class TableKeeper:
    """The vocabulary and passage table of one process, kept current with the store.

    ``refresh(doc_ids)`` follows this process's own writes, ``sync()`` (called per
    request, asking the store at most every ``sync_interval_s``) those of other processes.
    Both replace only the changed documents unless the module docstring's rules call for
    a full reload. ``partial_updates`` and ``full_reloads`` count what was done.
    """

    def __init__(
        self,
        store: GraphStore,
        keyword: KeywordIndex | None = None,
        sync_interval_s: float = SYNC_INTERVAL_S,
    ) -> None:
        """Read vocabulary and table now (``keyword``: see ``build_table``)."""
        self.store = store
        self.sync_interval_s = sync_interval_s
        self.partial_updates = 0
        self.full_reloads = 0
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._read_all(keyword)

    def refresh(self, doc_ids: Iterable[str] | None = None) -> None:
        """Catch up with a write in this process; ``doc_ids``: the documents it wrote or deleted.

        Without ``doc_ids`` (an ingest run) everything is re-read. With them, those
        documents and any others the store's versions show as changed are replaced.
        """
        with self._lock:
            if doc_ids is None:
                self._read_all()
            else:
                self._update(set(doc_ids))

    def sync(self) -> bool:
        """Catch up if the store changed since the last look (at most every interval).

        The caller that finds a change waits for the update, so its answer is current;
        callers arriving meanwhile answer from the previous table rather than queue behind
        it. Returns True if the store had changed.
        """
        if time.monotonic() - self._checked < self.sync_interval_s:
            return False
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self._checked = time.monotonic()
            if change_token(self.store) == self._token:
                return False
            logger.info("the store changed since the passage table was read; updating")
            self._update(set())
            return True
        finally:
            self._lock.release()

    def _read_all(self, keyword: KeywordIndex | None = None) -> None:
        # Token and versions first: a write during the reload then causes one more
        # update, never a miss.
        token = change_token(self.store)
        versions = StoreVersions.read(self.store)
        vocabulary = Vocabulary.load(self.store)
        table = load_table(self.store, vocabulary, keyword)
        linking = linking_graphs(self.store)
        self.vocabulary: Vocabulary = vocabulary
        self.table: PassageTable = table
        self._token, self._versions, self._linking = token, versions, linking
        self.full_reloads += 1
        self._checked = time.monotonic()

    def _update(self, named: set[str]) -> None:
        token = change_token(self.store)
        versions = self._versions.reread(self.store, named) if named else None
        if versions is None or versions.token() != token:
            # Someone else wrote too (or the fast check cannot tell): compare every graph.
            versions = StoreVersions.read(self.store)
        found = versions.changed_documents(self._versions)
        changed = set() if found is None else found | named
        reason = self._reload_reason(found is None, changed) or self._replace(changed)
        if reason is not None:
            logger.info("passage table: full reload, %s", reason)
            self._read_all()
            return
        self._token, self._versions = token, versions
        self._checked = time.monotonic()

    def _reload_reason(self, other_graphs: bool, changed: set[str]) -> str | None:
        """Why the changes cannot be applied document by document, or None."""
        if other_graphs:
            return "a graph other than a document graph changed"
        if len(changed) > INCREMENTAL_MAX_DOCUMENTS:
            return f"{len(changed)} documents changed"
        if not self.table.keyword.exact_updates:
            return "the keyword index cannot be updated exactly (read from disk, or add/remove)"
        return None

    def _replace(self, changed: set[str]) -> str | None:
        """Replace the changed documents in the table, or say why that would be wrong."""
        if not changed:
            return None
        graphs = {str(document_graph_iri(doc_id)) for doc_id in changed}
        linking = linking_graphs(self.store)
        if graphs & (linking | self._linking):  # as they are now, or as they were
            return "a changed document states places or regions"
        rows = read_rows(self.store, changed)
        self.table = self.table.replace_documents(changed, rows, self.vocabulary)
        self._linking = linking
        self.partial_updates += 1
        logger.info("passage table: %d documents replaced", len(changed))
        return None
