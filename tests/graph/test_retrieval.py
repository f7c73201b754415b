"""Hybrid search, "who did X" and the speaker finder on a small hand-built knowledge base.

Eight document graphs follow the RDF shape the ingest pipeline writes; their passages are
embedded with the real multilingual-e5-small model and stored in a qdrant-edge index, and
the reference data (municipalities, regions, administrations) is loaded as in production.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD
from typer.testing import CliRunner

from graph import iris, retrieval_cli
from graph.backends import identity_of
from graph.embedding import SentenceTransformerEmbedder
from graph.errors import InvalidQuery, NotFound
from graph.experts import ExperienceFinder
from graph.qdrant_edge_index import QdrantEdgeIndex
from graph.reference import load_reference_data
from graph.search import Searcher
from graph.speakers import SpeakerFinder, speaker_topic
from graph.store import OxigraphStore
from graph.vectors import PassagePoint
from graph.vocabulary import Vocabulary
from ontology.namespaces import ORG, SCHEMA, WN
from tests.conftest import MODEL_DIR

VERL, OERLINGHAUSEN, DELBRUECK = "05754044", "05766056", "05774020"
HERFORD, GUETERSLOH, BIELEFELD = "05758012", "05754008", "05711000"
ORGS = {
    VERL: "stadt-verl",
    OERLINGHAUSEN: "stadt-oerlinghausen",
    HERFORD: "stadt-herford",
    GUETERSLOH: "stadt-guetersloh",
    BIELEFELD: "stadt-bielefeld",
}
TODAY = date(2026, 11, 21)


def org_iri(ags: str) -> URIRef:
    """Reference administration, or a Stadt minted in the document (Delbrück)."""
    if ags in ORGS:
        return URIRef(f"https://w3id.org/wissensnetz/id/organisation/{ORGS[ags]}")
    return iris.organisation_iri(f"Stadt {ags}")


@dataclass
class P:
    text: str
    topics: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()  # AGS or person names
    experiences: tuple[tuple[str, str, str], ...] = ()  # (agent, kind, topic)


@dataclass
class Doc:
    id: str
    kind: str  # Protocol | ProjectDescription | EventDescription | Page
    title: str
    date: str
    passages: list[P]
    topics: tuple[str, ...] = ()
    project: tuple[str, str, str] | None = None  # (AGS, contact name, status)
    event: tuple[str, tuple[str, ...]] | None = None  # (start date, speaker names)
    pates: dict[str, str] = field(default_factory=dict)  # AGS -> person name


# Persons: name -> (AGS of the employing administration, role)
PERSONS = {
    "Annika Strothmann": (VERL, "Klimaschutzmanagerin"),
    "Tim Hagedorn": (VERL, "Mobilitätsmanager"),
    "Daniel Rottmann": (OERLINGHAUSEN, "Sachgebietsleiter Tiefbau"),
    "Matthias Schlüter": (DELBRUECK, "Abwasserbetrieb"),
    "Miriam Kowalski": (HERFORD, "Klimaanpassungsmanagerin"),
    "Elke Sundermann": (GUETERSLOH, "Leiterin Gesundheitsamt"),
    "Jan-Philipp Kuhlmann": (GUETERSLOH, "Energieplaner"),
    "Henrike Placke": (BIELEFELD, "regiopolPatin"),
}

DOCS = [
    Doc(
        "starkregen-verl",
        "ProjectDescription",
        "Starkregengefahrenkarte Verl",
        "2023-09-12",
        [
            P(
                "Die Stadt Verl hat 2023 eine Starkregengefahrenkarte für das gesamte Stadtgebiet "
                "fertiggestellt. Sie zeigt, wo bei heftigen Gewittern Straßen und Keller "
                "volllaufen können, und wird in der Bauleitplanung genutzt.",
                ("starkregen",),
                (VERL,),
                ((VERL, "Done", "starkregen"), ("Annika Strothmann", "Done", "starkregen")),
            ),
            P(
                "Ansprechpartnerin ist Dr. Annika Strothmann, Klimaschutzmanagerin der Stadt Verl.",
                (),
                (VERL, "Annika Strothmann"),
            ),
        ],
        ("starkregen",),
        project=(VERL, "Annika Strothmann", "completed"),
    ),
    Doc(
        "starkregen-oerlinghausen",
        "ProjectDescription",
        "Starkregenrisikomanagement am Hang – Oerlinghausen",
        "2025-04-10",
        [
            P(
                "Oerlinghausen liegt am Hang. Bei kurzen, heftigen Niederschlägen fließt Wasser "
                "aus dem Wald in die Altstadt. Die Stadt hat ein Handlungskonzept zur "
                "Überflutungsvorsorge erarbeitet und 2025 ein Rückhaltebecken gebaut.",
                ("starkregen",),
                (OERLINGHAUSEN,),
                ((OERLINGHAUSEN, "Done", "starkregen"), ("Daniel Rottmann", "Done", "starkregen")),
            ),
        ],
        ("starkregen",),
        project=(OERLINGHAUSEN, "Daniel Rottmann", "running"),
    ),
    Doc(
        "starkregen-delbrueck",
        "ProjectDescription",
        "Starkregenvorsorge im flachen Land – Delbrück",
        "2025-10-01",
        [
            P(
                "Die Stadt Delbrück plant eine Starkregengefahrenkarte für das flache "
                "Gemeindegebiet und will dabei die Erfahrungen aus Verl nutzen.",
                ("starkregen",),
                (DELBRUECK, VERL),
                ((DELBRUECK, "Planned", "starkregen"), (VERL, "Mentioned", "starkregen")),
            ),
        ],
        ("starkregen",),
        project=(DELBRUECK, "Matthias Schlüter", "planned"),
    ),
    Doc(
        "akademie-2024-04-starkregen",
        "EventDescription",
        "Regiopol Akademie: Starkregen – von der Gefahrenkarte zur Vorsorge",
        "2024-04-25",
        [
            P(
                "Dr. Annika Strothmann stellte den Weg von der Ratsentscheidung bis zur "
                "veröffentlichten Starkregenkarte in Verl vor.",
                ("starkregen",),
                (VERL, "Annika Strothmann"),
                (("Annika Strothmann", "Presented", "starkregen"),),
            ),
            P(
                "Daniel Rottmann berichtete, wie Oerlinghausen aus der Karte ein Handlungskonzept "
                "mit baulichen Maßnahmen gegen Sturzfluten ableitet.",
                ("starkregen",),
                (OERLINGHAUSEN, "Daniel Rottmann"),
                (("Daniel Rottmann", "Presented", "starkregen"),),
            ),
            P(
                "Tim Hagedorn aus Verl ergänzte, wie die Feuerwehr die Karte für Einsätze bei "
                "Unwettern nutzt.",
                ("starkregen",),
                (VERL, "Tim Hagedorn"),
                (("Tim Hagedorn", "Presented", "starkregen"),),
            ),
        ],
        ("starkregen",),
        event=("2024-04-25", ("Annika Strothmann", "Daniel Rottmann")),
    ),
    Doc(
        "hitzeaktionsplan-herford",
        "ProjectDescription",
        "Hitzeaktionsplan Herford",
        "2024-05-02",
        [
            P(
                "Die Hansestadt Herford hat 2024 einen Hitzeaktionsplan beschlossen: Warnketten "
                "an Pflegeheime und Kitas, Trinkwasserbrunnen und kühle Räume für ältere Menschen "
                "bei tagelanger Sommerhitze.",
                ("hitzeschutz",),
                (HERFORD,),
                ((HERFORD, "Done", "hitzeschutz"), ("Miriam Kowalski", "Done", "hitzeschutz")),
            ),
        ],
        ("hitzeschutz",),
        project=(HERFORD, "Miriam Kowalski", "completed"),
    ),
    Doc(
        "akademie-2026-09-hitze",
        "EventDescription",
        "Regiopol Akademie: Hitze in der Stadt",
        "2026-09-10",
        [
            P(
                "Dr. Miriam Kowalski stellte den Herforder Hitzeaktionsplan vor: Warnketten für "
                "Pflegeheime bei Hitzewellen und kühle Orte in der Innenstadt.",
                ("hitzeschutz",),
                (HERFORD, "Miriam Kowalski"),
                (("Miriam Kowalski", "Presented", "hitzeschutz"),),
            ),
        ],
        ("hitzeschutz",),
        event=("2026-09-10", ("Miriam Kowalski",)),
    ),
    Doc(
        "waermeplanung-guetersloh",
        "ProjectDescription",
        "Kommunale Wärmeplanung Gütersloh",
        "2025-02-01",
        [
            P(
                "Gütersloh hat die kommunale Wärmeplanung abgeschlossen: Gebiet für Gebiet ist "
                "festgelegt, wo Fernwärme ausgebaut wird und wo Wärmepumpen die Häuser heizen.",
                ("kommunale-waermeplanung",),
                (GUETERSLOH,),
                (
                    (GUETERSLOH, "Done", "kommunale-waermeplanung"),
                    ("Jan-Philipp Kuhlmann", "Done", "kommunale-waermeplanung"),
                ),
            ),
        ],
        ("kommunale-waermeplanung",),
        project=(GUETERSLOH, "Jan-Philipp Kuhlmann", "completed"),
    ),
    Doc(
        "fachgruppe-2025-06",
        "Protocol",
        "Protokoll der Fachgruppe Klimaanpassung, Juni 2025",
        "2025-06-17",
        [
            P(
                "Bielefeld fragt, welche Partner schon Erfahrungen mit Hitzeschutz für ältere "
                "Menschen haben; Herford verweist auf seinen Hitzeaktionsplan.",
                ("hitzeschutz",),
                (BIELEFELD, HERFORD),
                ((BIELEFELD, "Asked", "hitzeschutz"),),
            ),
            P(
                "Elke Sundermann vom Gütersloher Gesundheitsamt berichtete, wie Gütersloh seit "
                "2024 Pflegeheime mit einer Hitzewarnkette vor Hitzewellen warnt.",
                ("hitzeschutz",),
                (GUETERSLOH, "Elke Sundermann"),
                (
                    ("Elke Sundermann", "Presented", "hitzeschutz"),
                    (GUETERSLOH, "Done", "hitzeschutz"),
                ),
            ),
            P(
                "Die regiopolPatin Henrike Placke nimmt Anfragen aus Bielefeld entgegen.",
                (),
                (BIELEFELD, "Henrike Placke"),
            ),
        ],
        pates={BIELEFELD: "Henrike Placke"},
    ),
]


def person(name: str) -> URIRef:
    ags, _ = PERSONS[name]
    return iris.person_iri(name, f"Stadt {ags}")


def agent(key: str) -> URIRef:
    return iris.municipality_iri(key) if key.isdigit() else person(key)


def document_graph(doc: Doc) -> Graph:
    """The triples of one document in the shape the ingest pipeline writes."""
    g = Graph()
    d = iris.document_iri(doc.id)
    g.add((d, RDF.type, WN.Document))
    g.add((d, DCTERMS.identifier, Literal(doc.id)))
    g.add((d, DCTERMS.title, Literal(doc.title)))
    g.add((d, DCTERMS.date, Literal(doc.date, datatype=XSD.date)))
    g.add((d, WN.documentKind, WN[doc.kind]))
    g.add((d, WN.sourcePath, Literal(f"corpus/{doc.id}.md")))
    g.add((d, WN.contentHash, Literal("sha256:" + doc.id)))
    names = {n for p in doc.passages for n in p.mentions if not n.isdigit()}
    names |= {a for p in doc.passages for a, _, _ in p.experiences if not a.isdigit()}
    names |= set(doc.pates.values())
    offset = 0
    for position, spec in enumerate(doc.passages):
        p = iris.passage_iri(doc.id, position)
        g.add((p, RDF.type, WN.Passage))
        g.add((p, DCTERMS.isPartOf, d))
        g.add((p, WN.text, Literal(spec.text)))
        g.add((p, WN.startOffset, Literal(offset)))
        g.add((p, WN.endOffset, Literal(offset + len(spec.text))))
        g.add((p, WN.position, Literal(position)))
        offset += len(spec.text) + 2
        for topic in spec.topics:
            g.add((p, WN.topic, iris.topic_iri(topic)))
        for key in spec.mentions:
            g.add((p, WN.mentions, agent(key)))
        for number, (who, kind, topic) in enumerate(spec.experiences):
            e = iris.mint("experience", doc.id, str(position), str(number))
            g.add((e, RDF.type, WN.Experience))
            g.add((e, WN.agent, agent(who)))
            g.add((e, WN.topic, iris.topic_iri(topic)))
            g.add((e, WN.experienceKind, WN[kind]))
            g.add((e, WN.evidence, p))
            g.add((e, WN.confidence, Literal("0.9", datatype=XSD.decimal)))
    if doc.project:
        add_project(g, doc, d)
        names.add(doc.project[1])
    if doc.event:
        add_event(g, doc, d)
    for ags, name in doc.pates.items():
        g.add((iris.municipality_iri(ags), WN.regiopolPate, person(name)))
    for name in names:
        add_person(g, name)
    return g


def add_project(g: Graph, doc: Doc, d: URIRef) -> None:
    assert doc.project is not None
    ags, contact, status = doc.project
    proj = iris.mint("project", doc.id)
    g.add((proj, RDF.type, WN.Project))
    g.add((proj, DCTERMS.title, Literal(doc.title)))
    g.add((proj, WN.municipality, iris.municipality_iri(ags)))
    g.add((proj, WN.contactPerson, person(contact)))
    g.add((proj, WN.status, Literal(status)))
    for topic in doc.topics:
        g.add((proj, WN.topic, iris.topic_iri(topic)))
    g.add((d, SCHEMA.about, proj))


def add_event(g: Graph, doc: Doc, d: URIRef) -> None:
    assert doc.event is not None
    start, speakers = doc.event
    ev = iris.mint("event", doc.id)
    g.add((ev, RDF.type, WN.Event))
    g.add((ev, WN.eventKind, WN.AkademieSession))
    g.add((ev, SCHEMA.name, Literal(doc.title.removeprefix("Regiopol Akademie: "))))
    g.add((ev, SCHEMA.startDate, Literal(start, datatype=XSD.date)))
    for name in speakers:
        g.add((ev, WN.speaker, person(name)))
    for topic in doc.topics:
        g.add((ev, WN.topic, iris.topic_iri(topic)))
    g.add((d, SCHEMA.about, ev))


def add_person(g: Graph, name: str) -> None:
    ags, role = PERSONS[name]
    p = person(name)
    org = org_iri(ags)
    g.add((p, RDF.type, FOAF.Person))
    g.add((p, FOAF.name, Literal(name)))
    membership = iris.mint("membership", name, str(org))
    g.add((membership, RDF.type, ORG.Membership))
    g.add((membership, ORG.member, p))
    g.add((membership, ORG.organization, org))
    g.add((membership, WN.roleLabel, Literal(role)))
    if ags not in ORGS:
        g.add((org, RDF.type, ORG.Organization))
        g.add((org, RDFS.label, Literal("Stadt Delbrück")))
        g.add((org, WN.administers, iris.municipality_iri(ags)))


def points(
    doc: Doc, vocab: Vocabulary, embedder: SentenceTransformerEmbedder
) -> list[PassagePoint]:
    vectors = embedder.embed_passages([p.text for p in doc.passages])
    result = []
    for position, (spec, vector) in enumerate(zip(doc.passages, vectors, strict=True)):
        towns = {k for k in spec.mentions if k.isdigit()}
        if doc.project:
            towns.add(doc.project[0])
        topics: set[str] = set()
        for topic in spec.topics:
            topics |= vocab.thesaurus.broader_closure(str(iris.topic_iri(topic)))
        kind = {"ProjectDescription": "project", "EventDescription": "event"}.get(doc.kind, "")
        result.append(
            PassagePoint(
                str(iris.passage_iri(doc.id, position)),
                doc.id,
                vector,
                tuple(sorted(towns)),
                tuple(sorted({vocab.municipalities[t].kreis for t in towns})),
                tuple(sorted(topics)),
                kind or doc.kind.casefold(),
                int(doc.date[:4]),
                doc.date,
                spec.text,
            )
        )
    return result


@dataclass
class KB:
    store: OxigraphStore
    index: QdrantEdgeIndex
    embedder: SentenceTransformerEmbedder
    searcher: Searcher


def add_document(kb: KB, doc: Doc) -> None:
    kb.store.replace_document(iris.document_graph_iri(doc.id), document_graph(doc))
    kb.index.upsert(points(doc, kb.searcher.vocabulary, kb.embedder))


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KB]:
    if not (MODEL_DIR / "model.safetensors").is_file():
        pytest.fail(f"embedding model missing in {MODEL_DIR}: run `wissensnetz model install`")
    embedder = SentenceTransformerEmbedder(str(MODEL_DIR), threads=1)
    embedder.load()
    root: Path = tmp_path_factory.mktemp("retrieval")
    store = OxigraphStore(None)  # in memory: loading the reference data is 3x faster
    load_reference_data(store)
    vocab = Vocabulary.load(store)
    index = QdrantEdgeIndex(root / "vectors", identity_of(embedder))
    for doc in DOCS:
        store.replace_document(iris.document_graph_iri(doc.id), document_graph(doc))
        index.upsert(points(doc, vocab, embedder))
    searcher = Searcher(store, index, embedder)
    yield KB(store, index, embedder, searcher)
    index.close()
    store.close()


def doc_ids(result: object) -> list[str]:
    return [hit.document.id for hit in result.hits]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- search


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


# ---------------------------------------------------------------- who


def test_who_ranks_done_before_planned_with_contacts(kb: KB) -> None:
    result = ExperienceFinder(kb.searcher).who(
        "Wer hat schon eine Karte erstellt, die zeigt, wo bei heftigen Gewittern Keller volllaufen?"
    )
    ranked = [m.ags for m in result.municipalities]
    assert ranked[:2] == [VERL, OERLINGHAUSEN] or ranked[0] == VERL
    assert ranked.index(VERL) < ranked.index(DELBRUECK)
    verl = result.municipalities[0]
    assert verl.contacts[0].name == "Annika Strothmann"
    assert "Klimaschutzmanagerin" in verl.contacts[0].roles
    assert verl.evidence
    assert verl.evidence[0].document.id.startswith(("starkregen", "akademie"))
    data = result.to_json()
    assert set(data) == {"query", "municipalities", "actors"}
    assert set(data["municipalities"][0]) == {"id", "name", "ags", "score", "evidence", "contacts"}
    assert set(data["actors"][0]) == {"id", "name", "type", "score", "affiliations", "evidence"}


def test_who_applies_region_kreis_and_exclusion(kb: KB) -> None:
    finder = ExperienceFinder(kb.searcher)
    region = finder.who(
        "Wer in unserer Regiopolregion hat Erfahrung mit Vorsorge gegen Sturzfluten?"
    )
    assert DELBRUECK not in [m.ags for m in region.municipalities]
    assert region.municipalities[0].ags in {VERL, OERLINGHAUSEN}
    kreis = finder.who("Welche Kommunen im Kreis Gütersloh haben Erfahrung mit Starkregenkarten?")
    assert {m.ags[:5] for m in kreis.municipalities} == {"05754"}
    excluded = finder.who("Wer außer Verl hat schon eine Starkregengefahrenkarte?")
    assert VERL not in [m.ags for m in excluded.municipalities]
    assert all("Verl" not in a.actor.name for a in excluded.actors)


def test_who_falls_back_to_the_regiopol_pate(kb: KB) -> None:
    result = ExperienceFinder(kb.searcher).who(
        "Wer hat Erfahrung mit Hitzeschutz für ältere Menschen?"
    )
    ranked = {m.ags: m for m in result.municipalities}
    assert next(iter(ranked)) == HERFORD
    assert ranked[HERFORD].contacts[0].name == "Miriam Kowalski"
    assert [c.name for c in ranked[BIELEFELD].contacts] == ["Henrike Placke"]


def test_who_in_english(kb: KB) -> None:
    result = ExperienceFinder(kb.searcher).who("Which municipalities have done heat planning?")
    assert result.question.lang == "en"
    assert result.municipalities[0].ags == GUETERSLOH


# ---------------------------------------------------------------- speakers


def test_speaker_topic_drops_the_request_words() -> None:
    assert speaker_topic("Referentin oder Referent zum Thema offene Verwaltungsdaten") == (
        "offene Verwaltungsdaten"
    )


def test_recent_akademie_speaker_is_down_weighted(kb: KB) -> None:
    def scores(**options: float) -> dict[str, float]:
        finder = SpeakerFinder(kb.searcher, today=lambda: TODAY, **options)  # type: ignore[arg-type]
        return {s.actor.name: s.score for s in finder.suggest("Hitzeschutz").speakers}

    relaxed, recent = scores(recent_months=1), scores()
    assert next(iter(relaxed)) == "Miriam Kowalski"
    assert recent["Miriam Kowalski"] == pytest.approx(relaxed["Miriam Kowalski"] / 2)
    assert recent["Elke Sundermann"] == pytest.approx(relaxed["Elke Sundermann"])
    assert next(iter(scores(recency_factor=0.2))) == "Elke Sundermann"
    result = SpeakerFinder(kb.searcher, today=lambda: TODAY).suggest("Hitzeschutz")
    assert result.concept == str(iris.topic_iri("hitzeschutz"))
    kowalski = next(s for s in result.speakers if s.actor.name == "Miriam Kowalski")
    assert any(
        r.startswith("sprach zuletzt am 10.09.2026 in der Akademie") for r in kowalski.reasons
    )
    assert any("Herford" in r and "umgesetzt" in r for r in kowalski.reasons)


def test_speakers_spread_across_municipalities(kb: KB) -> None:
    finder = SpeakerFinder(kb.searcher, today=lambda: TODAY)
    result = finder.suggest("Starkregengefahrenkarte")
    top_two = result.speakers[:2]
    assert {s.actor.name for s in top_two} == {"Annika Strothmann", "Daniel Rottmann"}
    hagedorn = next(s for s in result.speakers if s.actor.name == "Tim Hagedorn")
    assert any("derselben Kommune" in r for r in hagedorn.reasons)
    data = result.to_json()
    assert set(data["speakers"][0]) == {
        "id",
        "name",
        "affiliations",
        "score",
        "reasons",
        "evidence",
    }


def test_free_text_topic_resolves_by_definition(kb: KB) -> None:
    finder = SpeakerFinder(kb.searcher, today=lambda: TODAY)
    assert finder.resolve_topic("Wo soll künftig Fernwärme liegen?") == str(
        iris.topic_iri("kommunale-waermeplanung")
    )


# ---------------------------------------------------------------- refresh


def test_refresh_makes_new_passages_keyword_searchable(kb: KB) -> None:
    extra = Doc(
        "dorfauto-test",
        "ProjectDescription",
        "Dorfauto",
        "2025-03-01",
        [P("Ein Zwiebelkuchenautomat-Dorfauto wird von allen im Ort geteilt.", (), (VERL,))],
    )
    before = kb.searcher.search("Zwiebelkuchenautomat", mode="keyword")
    assert not before.hits
    add_document(kb, extra)
    kb.searcher.refresh()
    after = kb.searcher.search("Zwiebelkuchenautomat", mode="keyword")
    assert doc_ids(after) == ["dorfauto-test"]


# ---------------------------------------------------------------- CLI


@pytest.fixture
def runner(kb: KB, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The retrieval commands, opened on the fixture's knowledge base instead of a data dir."""

    @contextmanager
    def opened(data_dir: Path | None) -> Iterator[Searcher]:
        yield kb.searcher

    monkeypatch.setattr(retrieval_cli, "opened_searcher", opened)
    return CliRunner()


def test_cli_search_prints_json_and_a_table(runner: CliRunner) -> None:
    result = runner.invoke(retrieval_cli.app, ["search", "Starkregen", "--json", "-n", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["hits"]) == 2
    assert "facets" in data
    table = runner.invoke(retrieval_cli.app, ["search", "Starkregen", "--municipality", "Verl"])
    assert table.exit_code == 0
    assert "Verl" in table.stdout


def test_cli_who_and_speakers(runner: CliRunner) -> None:
    who = runner.invoke(retrieval_cli.app, ["who", "Wer hat schon einen Hitzeaktionsplan?"])
    assert who.exit_code == 0, who.output
    assert "Herford" in who.stdout
    speakers = runner.invoke(
        retrieval_cli.app, ["speakers", "Hitzeschutz", "--today", "2026-11-21", "--json"]
    )
    assert speakers.exit_code == 0, speakers.output
    assert json.loads(speakers.stdout)["speakers"]


def test_cli_domain_error_is_one_line(runner: CliRunner) -> None:
    result = runner.invoke(retrieval_cli.app, ["search", "Starkregen", "--topic", "Quantenkochen"])
    assert result.exit_code == 1
    assert "unknown topic" in result.output


def test_cli_eval_reports_all_systems(runner: CliRunner, tmp_path: Path) -> None:
    queries = tmp_path / "queries.yaml"
    queries.write_text(
        """reference_date: 2026-11-21
queries:
  - {id: s1, text: Wo laufen bei heftigen Gewittern Keller voll, type: search, lang: de,
     gold_documents: [starkregen-verl, akademie-2024-04-starkregen]}
  - {id: w1, text: "Wer hat schon einen Hitzeaktionsplan?", type: who, lang: de,
     gold_municipalities: ["05758012"], gold_persons: [Miriam Kowalski]}
  - {id: p1, text: Referentin zum Hitzeschutz, type: speaker, lang: de,
     gold_persons: [Elke Sundermann, Miriam Kowalski]}
""",
        encoding="utf-8",
    )
    result = runner.invoke(retrieval_cli.app, ["eval", "--queries", str(queries), "--json"])
    assert result.exit_code == 0, result.output
    rows = {(r["system"], r["lang"]): r for r in json.loads(result.stdout)["rows"]}
    assert rows[("search/hybrid", "all")]["MRR"] == 1.0
    assert rows[("who", "all")]["R@5"] == 1.0
    assert rows[("speaker", "all")]["R@5"] == 1.0
