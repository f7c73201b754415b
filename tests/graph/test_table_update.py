"""A write of known documents updates the passage table in place of a full reload.

``Searcher.refresh(doc_ids)`` (uploads, deletes) and ``Searcher.sync()`` (other processes'
writes) replace only the changed documents. Each test compares the updated searcher with
one built from scratch on the same store: the table, its postings, the keyword index
(lexicon and analysed passages, via ``KeywordIndex.save``) and search results in every
mode must be identical. The documents follow the RDF shape ingest writes, over the real
reference data and thesaurus; vectors come from the hashing embedder (pure table logic).
"""

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from graph import iris, table_sync
from graph.backends import identity_of
from graph.hashing_embedder import HashingEmbedder
from graph.keyword import KeywordIndex
from graph.qdrant_server_index import QdrantServerIndex
from graph.reference import load_reference_data
from graph.search import Searcher
from graph.store import OxigraphStore
from graph.table_sync import StoreVersions
from graph.vectors import PassagePoint
from ontology.namespaces import ID_IRI, SCHEMA, WN

EMBEDDER = HashingEmbedder()
GUETERSLOH, BIELEFELD, HERFORD = "05754008", "05711000", "05758012"
GUETERSLOH_ADMIN = URIRef(f"{ID_IRI}organisation/stadt-guetersloh")
QUERIES = ("Starkregen", "Zisterne", "Radweg Gütersloh", "Gefahrenkarte", "Bürgerbudget")
FILTERS: tuple[dict[str, Any], ...] = (
    {},
    {"municipality": "Gütersloh"},
    {"kreis": "Kreis Gütersloh"},
    {"topic": "Klimaanpassung"},
    {"kind": "project", "date_from": "2024"},
)


@dataclass(frozen=True)
class Spec:
    """One document: passages plus what ingest would attach to them."""

    doc_id: str
    texts: tuple[str, ...]
    kind: str = "ProjectDescription"
    date: str = "2024-05-01"
    topics: tuple[str, ...] = ()  # thesaurus local names, on every passage
    towns: tuple[str, ...] = ()  # AGS every passage mentions
    admin: bool = False  # the passages also mention the Gütersloh administration
    project: str | None = None  # AGS of the project the document is about
    speakers: tuple[str, ...] = ()  # names of the speakers of the event it is about
    version: str = "1"


def document_graph(spec: Spec) -> Graph:
    g = Graph()
    d = iris.document_iri(spec.doc_id)
    g.add((d, RDF.type, WN.Document))
    g.add((d, DCTERMS.identifier, Literal(spec.doc_id)))
    g.add((d, DCTERMS.title, Literal(f"Titel {spec.doc_id}")))
    g.add((d, DCTERMS.date, Literal(spec.date, datatype=XSD.date)))
    g.add((d, WN.documentKind, WN[spec.kind]))
    g.add((d, WN.contentHash, Literal(hashlib.sha256(repr(spec).encode()).hexdigest())))
    offset = 0
    for position, text in enumerate(spec.texts):
        p = iris.passage_iri(spec.doc_id, position)
        g.add((p, RDF.type, WN.Passage))
        g.add((p, DCTERMS.isPartOf, d))
        g.add((p, WN.text, Literal(text)))
        g.add((p, WN.startOffset, Literal(offset)))
        g.add((p, WN.endOffset, Literal(offset + len(text))))
        offset += len(text) + 2
        for topic in spec.topics:
            g.add((p, WN.topic, iris.topic_iri(topic)))
        for ags in spec.towns:
            g.add((p, WN.mentions, iris.municipality_iri(ags)))
        if spec.admin:
            g.add((p, WN.mentions, GUETERSLOH_ADMIN))
    if spec.project:
        node = iris.mint("project", spec.doc_id)
        g.add((node, RDF.type, WN.Project))
        g.add((node, WN.municipality, iris.municipality_iri(spec.project)))
        g.add((node, WN.contactPerson, iris.person_iri("Paula Probe", spec.doc_id)))
        g.add((node, WN.status, Literal("in Umsetzung")))
        g.add((d, SCHEMA.about, node))
    if spec.speakers:
        event = iris.mint("event", spec.doc_id)
        g.add((event, RDF.type, WN.Event))
        for name in spec.speakers:
            g.add((event, WN.speaker, iris.person_iri(name)))
        g.add((d, SCHEMA.about, event))
    return g


class Kb:
    """Reference data plus documents, written the way ``KnowledgeBase`` writes them."""

    def __init__(self) -> None:
        self.store = OxigraphStore()
        load_reference_data(self.store)
        self.index = QdrantServerIndex(None, None, "p", identity_of(EMBEDDER), location=":memory:")

    def write(self, spec: Spec) -> None:
        vectors = EMBEDDER.embed_passages(list(spec.texts))
        points = [
            PassagePoint(str(iris.passage_iri(spec.doc_id, i)), spec.doc_id, v, text=t)
            for i, (t, v) in enumerate(zip(spec.texts, vectors, strict=True))
        ]
        self.index.delete_document(spec.doc_id)
        self.index.upsert(points)
        self.store.replace_document(iris.document_graph_iri(spec.doc_id), document_graph(spec))

    def delete(self, doc_id: str) -> None:
        self.index.delete_document(doc_id)
        self.store.delete_document(iris.document_graph_iri(doc_id))

    def searcher(self) -> Searcher:
        return Searcher(self.store, self.index, EMBEDDER, sync_interval_s=0.0)


REGEN = Spec(
    "regen",
    (
        "Die Starkregengefahrenkarte der Stadt wurde im Ausschuss vorgestellt.",
        "Regenwasserzisternen entlasten die Kanalisation bei Starkregen.",
        "Regenwasser versickert vor Ort.",
    ),
    topics=("starkregen",),
    towns=(GUETERSLOH,),
    project=GUETERSLOH,
)
RADWEG = Spec(
    "radweg",
    ("Der Radweg entlang der Landstraße in Bielefeld wird saniert.",),
    kind="Protocol",
    date="2023-11-02",
    towns=(BIELEFELD,),
)
AKADEMIE = Spec(
    "akademie",
    ("Vortrag über Klimaanpassung und Hitzeschutz in Herford.", "Fragen zur Gefahrenkarte."),
    kind="EventDescription",
    topics=("klimaanpassung",),
    towns=(HERFORD,),
    speakers=("Erika Muster", "Max Beispiel"),
)


@pytest.fixture(scope="module")
def shared_kb() -> Iterator[Kb]:
    """Loading the reference data takes seconds: once per module, reset per test."""
    built = Kb()
    yield built
    built.index.close()
    built.store.close()


@pytest.fixture
def kb(shared_kb: Kb) -> Kb:
    for doc_id in StoreVersions.read(shared_kb.store).documents:
        shared_kb.delete(doc_id)
    load_reference_data(shared_kb.store)  # only graphs a test changed are loaded again
    for spec in (REGEN, RADWEG, AKADEMIE):
        shared_kb.write(spec)
    return shared_kb


def keyword_state(searcher: Searcher, path: Path) -> dict[str, Any]:
    searcher.keyword.save(path)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        state: dict[str, Any] = json.load(handle)
    return state


def assert_same_as_fresh(kb: Kb, searcher: Searcher, tmp_path: Path) -> None:
    fresh = kb.searcher()
    table, expected = searcher.table, fresh.table
    assert table.passages == expected.passages
    assert table.documents == expected.documents
    assert table.postings == expected.postings
    assert table.by_document == expected.by_document
    assert table.subjects == expected.subjects
    assert keyword_state(searcher, tmp_path / "a.gz") == keyword_state(fresh, tmp_path / "b.gz")
    for query in QUERIES:
        for mode in ("hybrid", "keyword", "dense"):
            for flt in FILTERS:
                got = searcher.search(query, mode=mode, limit=20, **flt)
                want = fresh.search(query, mode=mode, limit=20, **flt)
                assert got.to_json(include_facets=True) == want.to_json(include_facets=True)


def test_a_new_document_is_added_without_a_reload(kb: Kb, tmp_path: Path) -> None:
    searcher = kb.searcher()
    kb.write(Spec("zisterne", ("Zuschuss für jede Zisterne im Kreis Gütersloh.",), admin=True))
    searcher.refresh(["zisterne"])
    assert (searcher.keeper.partial_updates, searcher.keeper.full_reloads) == (1, 1)
    assert [p.iri for p in searcher.document_passages("zisterne")]
    assert_same_as_fresh(kb, searcher, tmp_path)


def test_a_new_word_splits_compounds_in_other_documents(kb: Kb, tmp_path: Path) -> None:
    """ "Zisterne" is new: "Regenwasserzisternen" in another document must now split."""
    searcher = kb.searcher()
    assert "regen" not in {h.document.id for h in searcher.search("Zisterne", mode="keyword").hits}
    kb.write(Spec("zisterne", ("Zuschuss für jede Zisterne.", "Die Zisterne speichert Regen.")))
    searcher.refresh(["zisterne"])
    found = {h.document.id for h in searcher.search("Zisterne", mode="keyword").hits}
    assert {"regen", "zisterne"} <= found
    assert_same_as_fresh(kb, searcher, tmp_path)


@pytest.mark.parametrize(
    "texts",
    [
        ("Nur noch ein Absatz zur Starkregenvorsorge.",),
        (
            "Die Starkregengefahrenkarte wurde überarbeitet.",
            "Zisternen und Gründächer halten Wasser zurück.",
            "Ein Bürgerbudget finanziert Regentonnen.",
            "Die Kanalisation wird bis 2027 erweitert.",
        ),
    ],
    ids=["fewer-passages", "more-passages"],
)
def test_a_replaced_document_is_replaced_whole(
    kb: Kb, tmp_path: Path, texts: tuple[str, ...]
) -> None:
    searcher = kb.searcher()
    changed = replace(REGEN, texts=texts, topics=("klimaanpassung",), towns=(HERFORD,))
    kb.write(changed)
    searcher.refresh(["regen"])
    assert searcher.keeper.partial_updates == 1
    assert len(searcher.document_passages("regen")) == len(texts)
    assert_same_as_fresh(kb, searcher, tmp_path)


def test_a_deleted_document_leaves_no_trace(kb: Kb, tmp_path: Path) -> None:
    searcher = kb.searcher()
    kb.delete("regen")
    searcher.refresh(["regen"])
    assert searcher.keeper.partial_updates == 1
    assert "regen" not in searcher.documents
    hits = searcher.search("Starkregengefahrenkarte", mode="keyword").hits
    assert "regen" not in {hit.document.id for hit in hits}
    assert_same_as_fresh(kb, searcher, tmp_path)


def test_a_sequence_of_writes_stays_equal_to_a_fresh_build(kb: Kb, tmp_path: Path) -> None:
    searcher = kb.searcher()
    kb.write(Spec("budget", ("Ein Bürgerbudget für Gütersloh.",), towns=(GUETERSLOH,)))
    searcher.refresh(["budget"])
    kb.write(replace(RADWEG, texts=("Radwegebau und Radwegeplanung.",) * 2, version="2"))
    searcher.refresh(["radweg"])
    kb.delete("budget")
    searcher.refresh(["budget"])
    kb.write(replace(AKADEMIE, speakers=("Max Beispiel",), version="2"))
    searcher.refresh(["akademie"])
    assert searcher.keeper.partial_updates == 4
    assert_same_as_fresh(kb, searcher, tmp_path)


def test_changed_documents_are_found_without_being_named(kb: Kb, tmp_path: Path) -> None:
    """An ingest summary without ids, or a replica: the content hashes name the documents."""
    writer, replica = kb.searcher(), kb.searcher()
    kb.write(Spec("zisterne", ("Zuschuss für jede Zisterne.",)))
    kb.delete("radweg")
    writer.refresh([])
    assert replica.sync() is True
    for searcher in (writer, replica):
        assert searcher.keeper.partial_updates == 1
        assert "zisterne" in searcher.documents
        assert "radweg" not in searcher.documents
        assert_same_as_fresh(kb, searcher, tmp_path)
    assert replica.sync() is False


def test_another_process_s_write_comes_along_with_one_s_own(kb: Kb, tmp_path: Path) -> None:
    searcher = kb.searcher()
    kb.write(Spec("zisterne", ("Zuschuss für jede Zisterne.",)))
    kb.write(replace(RADWEG, texts=("Radwege werden verbreitert.",), version="2"))  # elsewhere
    searcher.refresh(["zisterne"])
    assert searcher.keeper.partial_updates == 1
    assert [p.text for p in searcher.document_passages("radweg")] == ["Radwege werden verbreitert."]
    assert_same_as_fresh(kb, searcher, tmp_path)


def test_a_document_stating_places_forces_a_full_reload(kb: Kb, tmp_path: Path) -> None:
    """Its wn:administers gives places to passages of other documents."""
    searcher = kb.searcher()
    town = iris.organisation_iri("Stadt Steinhagen")
    extra = document_graph(Spec("steinhagen", ("Die Stadt Steinhagen plant einen Radweg.",)))
    extra.add((town, WN.administers, iris.municipality_iri("05754032")))
    kb.store.replace_document(iris.document_graph_iri("steinhagen"), extra)
    searcher.refresh(["steinhagen"])
    assert (searcher.keeper.partial_updates, searcher.keeper.full_reloads) == (0, 2)
    kb.delete("steinhagen")  # and so does taking it out again
    searcher.refresh(["steinhagen"])
    assert (searcher.keeper.partial_updates, searcher.keeper.full_reloads) == (0, 3)
    assert_same_as_fresh(kb, searcher, tmp_path)


def test_a_keyword_index_read_from_disk_is_rebuilt_once(kb: Kb, tmp_path: Path) -> None:
    """It has not analysed its passages, so ``update`` could not keep it exact."""
    kb.searcher().keyword.save(tmp_path / "keyword.json.gz")
    loaded = KeywordIndex.load(tmp_path / "keyword.json.gz")
    searcher = Searcher(kb.store, kb.index, EMBEDDER, loaded)
    kb.write(Spec("zisterne", ("Zuschuss für jede Zisterne.",)))
    searcher.refresh(["zisterne"])
    assert (searcher.keeper.partial_updates, searcher.keeper.full_reloads) == (0, 2)
    assert searcher.keyword is not loaded
    kb.delete("zisterne")
    searcher.refresh(["zisterne"])
    assert (searcher.keeper.partial_updates, searcher.keeper.full_reloads) == (1, 2)


def test_many_documents_at_once_reload_everything(kb: Kb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_sync, "INCREMENTAL_MAX_DOCUMENTS", 1)
    searcher = kb.searcher()
    kb.write(Spec("eins", ("Erstes Dokument.",)))
    kb.write(Spec("zwei", ("Zweites Dokument.",)))
    assert searcher.sync() is True
    assert (searcher.keeper.partial_updates, searcher.keeper.full_reloads) == (0, 2)
    assert {"eins", "zwei"} <= searcher.documents.keys()


def test_reference_data_changes_and_unnamed_writes_reload_everything(kb: Kb) -> None:
    searcher = kb.searcher()
    kb.store.replace_graph(iris.THESAURUS_GRAPH, [])
    searcher.refresh(["regen"])
    assert searcher.keeper.full_reloads == 2
    assert not searcher.vocabulary.thesaurus.concepts
    searcher.refresh()
    assert (searcher.keeper.partial_updates, searcher.keeper.full_reloads) == (0, 3)
