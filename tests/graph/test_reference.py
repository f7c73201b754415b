"""Reference data in the store, and SHACL validation against the packaged shapes."""

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from graph import iris, reference
from graph.errors import ShapeViolation
from graph.ntriples import Triples
from graph.reference import load_reference_data, territory_ntriples
from graph.shacl import default_shapes, ensure_valid, validate
from graph.store import AskResult, OxigraphStore, SelectResult
from ontology.namespaces import GEO_KEY_IRI, WN
from ontology.resources import kreise, laender, municipalities, topics_file

BIELEFELD = iris.municipality_iri("05711000")


class SpyStore(OxigraphStore):
    """Counts the graph replacements, so a no-op load can be told from a reload."""

    replaced: int = 0

    def replace_graph(self, graph_iri: URIRef, triples: Triples) -> None:
        self.replaced += 1
        super().replace_graph(graph_iri, triples)


@pytest.fixture(scope="module")
def reference_store() -> Iterator[SpyStore]:
    store = SpyStore()
    store.counts = load_reference_data(store)  # type: ignore[attr-defined]
    yield store
    store.close()


def scalar(store: OxigraphStore, sparql: str) -> object:
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    value = result.rows[0][0]
    return value.toPython() if isinstance(value, Literal) else value


def test_all_municipalities_are_loaded(reference_store: SpyStore) -> None:
    count = scalar(reference_store, "SELECT (COUNT(?m) AS ?n) WHERE { ?m a wn:Municipality }")
    assert isinstance(count, int)
    assert count >= 10_000
    assert reference_store.counts["municipalities"] == count  # type: ignore[attr-defined]
    assert scalar(reference_store, "SELECT (COUNT(?k) AS ?n) WHERE { ?k a wn:Kreis }") == 400
    assert scalar(reference_store, "SELECT (COUNT(?l) AS ?n) WHERE { ?l a wn:Land }") == 16


def test_bielefeld(reference_store: SpyStore) -> None:
    ask = f"""ASK {{ GRAPH <{iris.REFERENCE_GRAPH}> {{
        <{BIELEFELD}> dcatde:politicalGeocodingURI <{GEO_KEY_IRI}05711000> ;
            rdfs:label "Bielefeld" ; schema:name "Bielefeld, Stadt" ; wn:ags "05711000" ;
            wn:kreis ?kreis ; wn:land ?land ; wn:regierungsbezirk ?regbez ; wn:population ?p .
        ?kreis a wn:Kreis ; wn:kreisKey "05711" ; wn:land ?land .
        ?land rdfs:label "Nordrhein-Westfalen" ; wn:landKey "05" .
        ?regbez a wn:Regierungsbezirk ; rdfs:label ?regbez_name .
        FILTER (?p > 300000)
    }} }}"""
    assert reference_store.query(ask) == AskResult(True)


def test_ontology_and_thesaurus_graphs(reference_store: SpyStore) -> None:
    counts = reference_store.counts  # type: ignore[attr-defined]
    assert counts["ontology"] > 100
    assert counts["thesaurus"] > 100
    concepts = f"ASK {{ GRAPH <{iris.THESAURUS_GRAPH}> {{ ?c a skos:Concept }} }}"
    assert reference_store.query(concepts) == AskResult(True)
    assert reference_store.count_triples(iris.ONTOLOGY_GRAPH) == counts["ontology"]


def test_second_load_is_a_no_op(reference_store: SpyStore) -> None:
    before = reference_store.replaced
    assert load_reference_data(reference_store) == reference_store.counts  # type: ignore[attr-defined]
    assert reference_store.replaced == before


@pytest.fixture
def small_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only Bielefeld, so tests that reload several times stay fast."""
    small = tuple(m for m in municipalities() if m.kreis_key == "05711")
    monkeypatch.setattr(reference, "municipalities", lambda: small)


@pytest.mark.usefixtures("small_reference")
def test_changed_inputs_reload(monkeypatch: pytest.MonkeyPatch) -> None:
    store = SpyStore()
    first = load_reference_data(store)
    assert (first["municipalities"], store.replaced) == (1, 3)
    assert load_reference_data(store) == first
    assert store.replaced == 3
    monkeypatch.setattr(reference, "MAPPING_VERSION", "test-changed")
    assert load_reference_data(store) == first
    assert store.replaced == 6
    assert load_reference_data(store, force=True) == first
    assert store.replaced == 9


@pytest.mark.usefixtures("small_reference")
def test_edited_thesaurus_reloads_only_the_thesaurus(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = SpyStore()
    first = load_reference_data(store)
    edited = tmp_path / "topics.ttl"
    extra = "\n<https://w3id.org/wissensnetz/topic/neu> a skos:Concept .\n"
    edited.write_text(topics_file().read_text(encoding="utf-8") + extra, encoding="utf-8")
    monkeypatch.setattr(reference, "topics_file", lambda: edited)
    second = load_reference_data(store)
    assert store.replaced == 4
    assert second == first | {"thesaurus": first["thesaurus"] + 1}


def territory_sample() -> Graph:
    sample = [m for m in municipalities() if m.kreis_key in {"05711", "05754", "06411"}]
    text = territory_ntriples(sample, kreise()[:20], laender())
    return Graph().parse(data=text, format="nt")


def test_territory_conforms_to_the_shapes() -> None:
    assert validate(territory_sample()) == []


def test_broken_municipality_is_reported() -> None:
    graph = territory_sample()
    graph.set((BIELEFELD, WN.ags, Literal("5711000")))
    graph.add((BIELEFELD, WN.shortName, Literal("Bielefeld (zweiter Name)")))
    violations = validate(graph)
    assert any(v.startswith("wnid:municipality/05711000 wn:ags:") for v in violations)
    assert any("wn:shortName" in v for v in violations)
    with pytest.raises(ShapeViolation) as raised:
        ensure_valid(graph)
    assert raised.value.violations == violations


def test_inline_shapes() -> None:
    shapes = Graph().parse(
        format="turtle",
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <urn:shape> a sh:NodeShape ; sh:targetClass <urn:Thing> ;
            sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:message "needs a label" ] .
        """,
    )
    data = Graph()
    data.add((URIRef("urn:a"), RDF.type, URIRef("urn:Thing")))
    assert validate(data, shapes) == ["<urn:a> rdfs:label: needs a label"]
    data.add((URIRef("urn:a"), RDFS.label, Literal("A")))
    ensure_valid(data, shapes)


def test_shapes_are_parsed_once() -> None:
    assert default_shapes() is default_shapes()
    assert len(default_shapes()) > 100


def test_record_change_changes_digest() -> None:
    records = municipalities()[:3]
    changed = (replace(records[0], population=records[0].population + 1), *records[1:])
    assert reference.input_digest([], records) != reference.input_digest([], changed)
