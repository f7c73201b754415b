"""Golden test: the five real seed documents end up in the graph as the issue names them."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.knowledge_base import KnowledgeBase
from graph.store import SelectResult
from ontology.namespaces import sparql_prologue
from tests.conftest import SEEDS
from tests.factories import make_ingestor, make_kb

pytestmark = pytest.mark.slow

REGION = "https://w3id.org/wissensnetz/id/region/"


@pytest.fixture(scope="module")
def kb(
    tmp_path_factory: pytest.TempPathFactory, real_embedder, model_dir: Path
) -> Iterator[KnowledgeBase]:  # type: ignore[no-untyped-def]
    base = make_kb(tmp_path_factory.mktemp("seeds"), real_embedder, model_dir)
    summary = make_ingestor(base, real_embedder).ingest_paths([SEEDS])
    assert summary.ok, summary.to_json()["errors"]
    assert summary.count("new") == 5
    yield base
    base.close()


def rows(kb: KnowledgeBase, query: str) -> list[tuple[str, ...]]:
    result = kb.store.query(sparql_prologue() + query)
    assert isinstance(result, SelectResult)
    return [tuple("" if v is None else str(v) for v in row) for row in result.rows]


def roles_of(kb: KnowledgeBase, name: str) -> set[tuple[str, str]]:
    return set(
        rows(
            kb,
            f"""SELECT (STR(?r) AS ?role) (STR(?o_label) AS ?org) WHERE {{ ?p foaf:name "{name}" .
            ?m org:member ?p ; org:organization ?o ; wn:roleLabel ?r . ?o rdfs:label ?o_label }}""",
        )
    )


def test_werkstatt_2019_at_heinz_nixdorf_museumsforum(kb: KnowledgeBase) -> None:
    found = rows(
        kb,
        """SELECT ?loc ?next ?n WHERE { ?e a wn:Event ; wn:eventKind wn:Workshop ;
        schema:startDate "2019-12-18"^^xsd:date ; schema:location ?loc ;
        wn:participantCount ?n ; wn:nextEvent/schema:startDate ?next }""",
    )
    assert len(found) == 1
    loc, next_date, participants = found[0]
    assert "Heinz Nixdorf MuseumsForum" in loc
    assert "Paderborn" in loc
    assert next_date == "2020-04-29"
    assert participants == "50"


def test_dreier_is_mayor_and_chair_of_the_association(kb: KnowledgeBase) -> None:
    roles = roles_of(kb, "Michael Dreier")
    assert ("Bürgermeister", "Stadt Paderborn") in roles
    assert ("Vereinsvorsitzender", "regiopolREGION PADERBORN e.V.") in roles
    administers = rows(
        kb,
        """SELECT ?ags WHERE { ?p foaf:name "Michael Dreier" . ?m org:member ?p ;
        wn:roleLabel "Bürgermeister" ; org:organization/wn:administers/wn:ags ?ags }""",
    )
    assert ("05774032",) in administers


def test_scheuvens_moderates_for_his_office(kb: KnowledgeBase) -> None:
    assert rows(kb, 'SELECT ?e WHERE { ?e wn:moderator/foaf:name "Rudolf Scheuvens" }')
    orgs = rows(
        kb,
        """SELECT ?org WHERE { ?p foaf:name "Rudolf Scheuvens" .
        ?m org:member ?p ; org:organization/rdfs:label ?org }""",
    )
    assert any("scheuvens + wachten plus" in o[0] for o in orgs)


@pytest.mark.parametrize("name", ["Annette Nothnagel", "Katharina Neubert"])
def test_regionale_presenters_belong_to_owl_gmbh(kb: KnowledgeBase, name: str) -> None:
    orgs = rows(
        kb,
        f"""SELECT ?org WHERE {{ ?p foaf:name "{name}" .
        ?m org:member ?p ; org:organization/rdfs:label ?org }}""",
    )
    assert ("OstWestfalenLippe GmbH",) in orgs


def test_geisler_heads_the_office(kb: KnowledgeBase) -> None:
    assert ("Geschäftsstellenleiter", "regiopolREGION PADERBORN e.V.") in roles_of(
        kb, "Jürgen Geisler"
    )


def test_four_working_groups_with_topics_and_tasks(kb: KnowledgeBase) -> None:
    groups = rows(
        kb,
        """SELECT ?label (COUNT(DISTINCT ?t) AS ?tasks) (COUNT(DISTINCT ?topic) AS ?topics)
        WHERE { ?e wn:workingGroup ?g . ?g rdfs:label ?label .
        OPTIONAL { ?t wn:assignedTo ?g } OPTIONAL { ?g wn:topic ?topic } } GROUP BY ?label""",
    )
    labels = {g[0] for g in groups}
    for name in ("Stadt Land Quartier", "Mittelstand", "Mobilität", "Kommunen ohne Grenzen"):
        assert any(name in label for label in labels), labels
    assert all(int(tasks) >= 2 and int(topics) >= 1 for _, tasks, topics in groups), groups


def test_borchen_village_ecar_is_a_done_mobility_experience(kb: KnowledgeBase) -> None:
    found = rows(
        kb,
        """SELECT ?topic WHERE { ?x wn:agent wnid:municipality\\/05774012 ;
        wn:experienceKind wn:Done ; wn:topic ?topic .
        ?topic skos:broader* topic:mobilitaet }""",
    )
    assert found


def test_paderborn_imok_is_a_mobility_experience(kb: KnowledgeBase) -> None:
    found = rows(
        kb,
        """SELECT ?kind WHERE { ?x wn:agent wnid:municipality\\/05774032 ; wn:experienceKind ?kind ;
        wn:topic ?topic ; wn:evidence/wn:text ?text .
        ?topic skos:broader* topic:mobilitaet . FILTER(CONTAINS(?text, "IMOK")) }""",
    )
    assert found


def test_projektdatenbank_and_platform_are_recorded_ideas(kb: KnowledgeBase) -> None:
    tasks = [t[0] for t in rows(kb, "SELECT ?text WHERE { ?t a wn:Task ; wn:text ?text }")]
    assert any("Projektdatenbank" in t for t in tasks)
    assert any("Plattform" in t for t in tasks)


def test_regiopole_network_and_clausen(kb: KnowledgeBase) -> None:
    members = {
        r[0]
        for r in rows(
            kb,
            "SELECT ?name WHERE { ?n a wn:Network ; org:hasMember/rdfs:label ?name }",
        )
    }
    assert {"Bielefeld", "Erfurt", "Paderborn", "Rostock", "Siegen", "Trier"} <= members
    assert {"Koblenz", "Würzburg"} <= members
    roles = rows(
        kb,
        """SELECT ?name WHERE {
        GRAPH ?g { ?p foaf:name ?name . FILTER(CONTAINS(?name, "Clausen")) }
        ?d dcterms:identifier ?id . FILTER(STRSTARTS(?id, "004"))
        ?passage dcterms:isPartOf ?d ; wn:mentions ?p .
        ?m org:member ?p ; wn:roleLabel ?role ; org:organization/wn:administers/wn:ags "05711000"
        FILTER(STR(?role) = "Oberbürgermeister") }""",
    )
    assert roles


def test_akademie_topics_from_seed_001(kb: KnowledgeBase) -> None:
    topics = {
        t[0]
        for t in rows(
            kb,
            """SELECT ?label WHERE { ?d dcterms:identifier ?id . FILTER(STRSTARTS(?id, "001"))
            ?p dcterms:isPartOf ?d ; wn:topic/skos:prefLabel ?label .
            FILTER(LANG(?label) = "de") }""",
        )
    }
    for expected in ("Kommunale Wärmeplanung", "Onlinezugangsgesetz", "Vergaberecht"):
        assert expected in topics, topics
    assert any("Starkregen" in t for t in topics), topics


def test_bare_regiopolregion_of_the_protocol_is_the_paderborn_region(kb: KnowledgeBase) -> None:
    regions = rows(
        kb,
        """SELECT DISTINCT ?region WHERE { ?d dcterms:identifier ?id .
        FILTER(STRSTARTS(?id, "002"))
        ?p dcterms:isPartOf ?d ; wn:text ?text ; wn:mentions ?region . ?region a wn:Region .
        FILTER(CONTAINS(?text, "regiopolREGION") && !CONTAINS(LCASE(?text), "paderborn"))
        FILTER(CONTAINS(STR(?region), "/regiopolregion-")) }""",
    )
    assert regions == [(REGION + "regiopolregion-paderborn",)]
