"""Hybrid search on the hand-built knowledge base: result shape, ranking, filters, refresh.

The knowledge base (``retrieval_kb.py``, fixture ``kb`` in ``conftest.py``) holds eight
document graphs in the shape the ingest pipeline writes, embedded with the real model, and
the reference data as in production.
"""

from collections.abc import Callable, Iterator

import pytest

from graph import iris
from graph.errors import InvalidQuery, NotFound
from tests.graph.retrieval_documents import OERLINGHAUSEN, VERL, Doc, P
from tests.graph.retrieval_kb import KB, add_document, remove_document


def doc_ids(result: object) -> list[str]:
    return [hit.document.id for hit in result.hits]  # type: ignore[attr-defined]


@pytest.fixture
def add_scratch(kb: KB) -> Iterator[Callable[[Doc], None]]:
    """Adds documents to the shared knowledge base and takes them out again after the test.

    Every file that shares ``kb`` then sees the same eight documents, in whatever order the
    files run.
    """
    added: list[str] = []

    def add(doc: Doc) -> None:
        add_document(kb, doc)
        added.append(doc.id)

    yield add
    for doc_id in added:
        remove_document(kb, doc_id)
    kb.searcher.refresh()


def test_search_json_has_exactly_the_documented_shape(kb: KB) -> None:
    data = kb.searcher.search("Karte der Überflutungsrisiken bei Gewittern", limit=3).to_json()
    assert set(data) == {"query", "hits"}
    hit = data["hits"][0]
    assert set(hit) == {"score", "document", "passage", "municipalities", "topics"}
    assert set(hit["document"]) == {"id", "title", "source", "kind", "date"}
    assert set(hit["passage"]) == {"id", "text", "start", "end"}
    assert set(hit["municipalities"][0]) == {"id", "name", "ags"}
    assert set(hit["topics"][0]) == {"id", "label"}
    assert "starkregen" in hit["document"]["id"]


def test_paraphrased_query_finds_the_project(kb: KB) -> None:
    result = kb.searcher.search("Wie heizen die Häuser künftig, Fernwärme oder Wärmepumpe?")
    assert doc_ids(result)[0] == "waermeplanung-guetersloh"


def test_keyword_leg_splits_compounds(kb: KB) -> None:
    result = kb.searcher.search("Starkregen", mode="keyword", limit=3)
    assert "starkregen-verl" in doc_ids(result)


def test_municipality_filter_by_name_and_ags(kb: KB) -> None:
    by_name = kb.searcher.search("Starkregen", municipality="Oerlinghausen")
    by_ags = kb.searcher.search("Starkregen", municipality=OERLINGHAUSEN)
    assert doc_ids(by_name) == doc_ids(by_ags)
    assert set(doc_ids(by_name)) <= {"starkregen-oerlinghausen", "akademie-2024-04-starkregen"}


def test_region_and_kreis_filters(kb: KB) -> None:
    region = kb.searcher.search("Starkregengefahrenkarte", region="Regiopolregion Bielefeld")
    members = kb.searcher.vocabulary.region_members("Regiopolregion Bielefeld")
    assert region.hits
    assert all(hit.passage.places & members for hit in region.hits)
    paderborn = kb.searcher.search("Starkregengefahrenkarte", kreis="Paderborn")
    assert doc_ids(paderborn) == ["starkregen-delbrueck"]


def test_topic_filter_includes_narrower_concepts(kb: KB) -> None:
    result = kb.searcher.search("Vorsorge für ältere Menschen", topic="Klimaanpassung", limit=20)
    assert result.hits
    assert all(
        {t for t, _ in hit.topics}
        & {str(iris.topic_iri("starkregen")), str(iris.topic_iri("hitzeschutz"))}
        for hit in result.hits
    )


def test_kind_and_date_filters(kb: KB) -> None:
    events = kb.searcher.search("Starkregen", kind="event")
    assert {h.document.kind for h in events.hits} == {"event"}
    recent = kb.searcher.search("Starkregen", date_from="2025-01-01", date_to="2025-12-31")
    assert recent.hits
    assert all(
        h.document.date is not None and h.document.date.startswith("2025") for h in recent.hits
    )


def test_facets_count_the_candidates(kb: KB) -> None:
    result = kb.searcher.search("Starkregen")
    kinds = {f.value: f.count for f in result.facets["kind"]}
    assert kinds["event"] >= 1
    assert kinds["project"] >= 3
    assert any(f.label == "Verl" for f in result.facets["municipality"])


def test_offset_pages_through_the_ranking(kb: KB) -> None:
    first = kb.searcher.search("Starkregen", limit=2)
    second = kb.searcher.search("Starkregen", limit=2, offset=2)
    assert not {h.passage.iri for h in first.hits} & {h.passage.iri for h in second.hits}


def test_unknown_filter_values_and_empty_query_are_errors(kb: KB) -> None:
    with pytest.raises(NotFound):
        kb.searcher.search("Starkregen", municipality="Atlantis")
    with pytest.raises(InvalidQuery):
        kb.searcher.search("   ")
    with pytest.raises(InvalidQuery):
        kb.searcher.search("Starkregen", kind="novel")
    with pytest.raises(InvalidQuery):
        kb.searcher.search("Starkregen", date_from="letzte Woche")


def test_refresh_makes_new_passages_keyword_searchable(
    kb: KB, add_scratch: Callable[[Doc], None]
) -> None:
    extra = Doc(
        "dorfauto-test",
        "ProjectDescription",
        "Dorfauto",
        "2025-03-01",
        [P("Ein Zwiebelkuchenautomat-Dorfauto wird von allen im Ort geteilt.", (), (VERL,))],
    )
    before = kb.searcher.search("Zwiebelkuchenautomat", mode="keyword")
    assert not before.hits
    add_scratch(extra)
    kb.searcher.refresh()
    after = kb.searcher.search("Zwiebelkuchenautomat", mode="keyword")
    assert doc_ids(after) == ["dorfauto-test"]
