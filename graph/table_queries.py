"""Reading the passage table from the store: all documents, or a few named ones.

Every query comes in two forms. Over the whole store it is a handful of scans (passage
texts in one), run at start-up and after an ingest run. Scoped to named documents
(``VALUES`` on ``dcterms:identifier``) it reads only what an upload or a delete changed.
Both forms match the same triples in the union graph, so a scoped read gives exactly the
rows a full read gives for those documents. Multi-valued fields are sorted: a store returns
rows in an order of its own, and two reads must agree.
"""

import logging
from collections.abc import Collection
from typing import Any

from graph.keyword import KeywordIndex
from graph.ntriples import nt_literal
from graph.passages import (
    KINDS,
    DocumentInfo,
    PassageInfo,
    PassageTable,
    Subject,
    TableRows,
    build_table,
)
from graph.store import GraphStore
from graph.vocabulary import Vocabulary, select

__all__ = ["load_table", "read_rows"]

logger = logging.getLogger(__name__)

Scope = Collection[str] | None  # document ids; None for the whole store

# "{doc}" marks where a scope on document ids goes, "{passage}" one on passages' documents.
_PASSAGES = """SELECT ?p ?id ?text ?start ?end WHERE { {doc} ?p a wn:Passage ;
  dcterms:isPartOf ?d ; wn:text ?text . ?d dcterms:identifier ?id .
  OPTIONAL { ?p wn:startOffset ?start } OPTIONAL { ?p wn:endOffset ?end } }"""
_DOCUMENTS = """SELECT ?id ?title ?date ?kind ?source WHERE { {doc} ?d a wn:Document ;
  dcterms:identifier ?id . OPTIONAL { ?d dcterms:title ?title } OPTIONAL { ?d dcterms:date ?date }
  OPTIONAL { ?d wn:documentKind ?kind } OPTIONAL { ?d wn:sourcePath ?source } }"""
_TOPICS = """SELECT ?p ?t WHERE { {passage} ?p a wn:Passage ; wn:topic ?t }"""
_MENTIONS = """SELECT DISTINCT ?p ?x WHERE { {passage} ?p a wn:Passage ; wn:mentions ?x }"""
_PASSAGE_PLACES = """SELECT ?p ?ags WHERE { {passage} ?p a wn:Passage ; wn:mentions ?x .
  { ?x wn:ags ?ags } UNION { ?x wn:administers/wn:ags ?ags } }"""
_DOCUMENT_PLACES = """SELECT ?id ?ags WHERE { {doc} ?d a wn:Document ; dcterms:identifier ?id .
  { ?d schema:about/wn:municipality/wn:ags ?ags } UNION { ?d wn:mentions/wn:ags ?ags } }"""
_SUBJECT_HEAD = """SELECT DISTINCT ?id ?o ?v WHERE { {doc} ?d a wn:Document ;
  dcterms:identifier ?id ; schema:about ?o . """
_SUBJECT_FIELDS = {
    ("project", "municipalities"): "?o a wn:Project ; wn:municipality/wn:ags ?v }",
    ("project", "contacts"): "?o a wn:Project ; wn:contactPerson ?v }",
    ("project", "status"): "?o a wn:Project ; wn:status ?v }",
    ("event", "speakers"): "?o a wn:Event ; wn:speaker ?v }",
}


def load_table(
    store: GraphStore, vocabulary: Vocabulary, keyword: KeywordIndex | None = None
) -> PassageTable:
    """Read all passages and documents; build the keyword index unless one is given."""
    rows = read_rows(store)
    logger.info(
        "passage table: %d passages in %d documents", len(rows.passages), len(rows.documents)
    )
    return build_table(rows, vocabulary, keyword)


def read_rows(store: GraphStore, doc_ids: Scope = None) -> TableRows:
    """Documents, passages and subjects of ``doc_ids`` (None: of the whole store)."""
    if doc_ids is not None and not doc_ids:
        return TableRows({}, {}, {})
    documents = _documents(store, doc_ids)
    return TableRows(documents, _passages(store, doc_ids), _subjects(store, doc_ids))


def _query(store: GraphStore, template: str, doc_ids: Scope) -> list[tuple[str | None, ...]]:
    doc = passage = ""
    if doc_ids is not None:
        values = " ".join(nt_literal(d) for d in sorted(doc_ids))
        doc = f"VALUES ?id {{ {values} }}"
        passage = f"VALUES ?sid {{ {values} }} ?p dcterms:isPartOf/dcterms:identifier ?sid ."
    return select(store, template.replace("{doc}", doc).replace("{passage}", passage))


def _documents(store: GraphStore, doc_ids: Scope) -> dict[str, DocumentInfo]:
    documents: dict[str, DocumentInfo] = {}
    for doc_id, title, date, kind, source in _query(store, _DOCUMENTS, doc_ids):
        if doc_id and doc_id not in documents:
            kind_name = KINDS.get((kind or "").rsplit("#", 1)[-1], "")
            documents[doc_id] = DocumentInfo(doc_id, title or "", source or "", kind_name, date)
    return documents


def _grouped(store: GraphStore, template: str, doc_ids: Scope) -> dict[str, set[str]]:
    """First column -> the set of second-column values, skipping unbound cells."""
    grouped: dict[str, set[str]] = {}
    for key, value in _query(store, template, doc_ids):
        if key and value:
            grouped.setdefault(key, set()).add(value)
    return grouped


def _passages(store: GraphStore, doc_ids: Scope) -> dict[str, PassageInfo]:
    topics = _grouped(store, _TOPICS, doc_ids)
    named = _grouped(store, _MENTIONS, doc_ids)
    mentioned = _grouped(store, _PASSAGE_PLACES, doc_ids)
    document_places = _grouped(store, _DOCUMENT_PLACES, doc_ids)
    passages: dict[str, PassageInfo] = {}
    for iri, doc_id, text, start, end in _query(store, _PASSAGES, doc_ids):
        if not iri or not doc_id or iri in passages:
            continue
        own = mentioned.get(iri, set())
        passages[iri] = PassageInfo(
            iri,
            doc_id,
            text or "",
            int(start) if start else None,
            int(end) if end else None,
            tuple(sorted(topics.get(iri, ()))),
            tuple(sorted(own)),
            frozenset(own | document_places.get(doc_id, set())),
            tuple(sorted(named.get(iri, ()))),
        )
    return passages


def _subjects(store: GraphStore, doc_ids: Scope) -> dict[str, list[Subject]]:
    """Projects and events each document is about, with their people and places."""
    fields: dict[tuple[str, str], dict[str, Any]] = {}
    for (kind, name), body in _SUBJECT_FIELDS.items():
        for doc_id, subject, value in _query(store, _SUBJECT_HEAD + body, doc_ids):
            if doc_id and subject and value:
                entry = fields.setdefault((doc_id, subject), {"kind": kind})
                entry.setdefault(name, set()).add(value)
    subjects: dict[str, list[Subject]] = {}
    for (doc_id, iri), entry in sorted(fields.items()):
        status = sorted(entry.get("status", ()))
        subjects.setdefault(doc_id, []).append(
            Subject(
                iri,
                entry["kind"],
                tuple(sorted(entry.get("municipalities", ()))),
                tuple(sorted(entry.get("contacts", ()))),
                tuple(sorted(entry.get("speakers", ()))),
                status[0] if status else None,
            )
        )
    return subjects
