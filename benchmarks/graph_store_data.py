"""The graph store benchmark's data: a seeded graph of the Wissensnetz shape, and its queries.

All 10,751 municipalities with Kreise and Länder, the real thesaurus plus synthetic sub-topics
in skos:broader chains, and per document one named graph with persons, memberships, passages
with text and experiences with topics and evidence. Every backend's worker process calls
``generate`` with the same scale and gets the same N-Triples, so the backends load equal data.
"""

import random
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from graph import iris
from graph.ntriples import ntriples
from graph.reference import territory_ntriples
from ontology.resources import kreise, laender, municipalities, topics_file

SEED = 20_251_130
DOCUMENTS_AT_SCALE_1 = 3_250
OWL_KREISE = {"05711", "05754", "05758", "05762", "05766", "05770", "05774"}
# Compact word lists; a list literal would take a line per word.
WORDS = (  # noqa: SIM905
    "Radverkehr Bürgerbeteiligung Quartier Förderprogramm Digitalisierung Klimaschutz Kita "
    "Ehrenamt Wohnraum Innenstadt Nahverkehr Mobilstation Breitband Pflege Verwaltung Bauhof "
    "Wärmeplanung Sanierung Jugend Sport Tourismus Kultur Gewerbe Fachkräfte Schule Dorf "
    "Leerstand Projekt Antrag Sitzung Arbeitsgruppe Ergebnis Workshop Erfahrung Kooperation"
).split()
FILLER = "der die das und mit für im am zur zum wurde werden hat haben eine sich auch".split()  # noqa: SIM905
FIRST = "Anna Bernd Claudia Dirk Eva Frank Gabi Hans Ines Jan Katrin Lars Maria Nils Olga".split()  # noqa: SIM905
LAST = "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch".split()  # noqa: SIM905
ROLES = ("Bürgermeister", "Klimaschutzmanagerin", "Amtsleitung")
NS = {
    "wn": "https://w3id.org/wissensnetz/def#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def term(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return f"<{NS[prefix]}{local}>"


def lit(text: str, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"' + (f"^^{term(datatype)}" if datatype else "")


@dataclass
class Dataset:
    """Named graphs as N-Triples text, plus the IRIs the queries ask about."""

    graphs: list[tuple[str, str]] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return sum(text.count("\n") for _, text in self.graphs)


def topic_graph(rnd: random.Random) -> tuple[str, list[str], str]:
    """The real thesaurus plus 400 synthetic sub-topics in broader chains up to 6 deep."""
    thesaurus = Graph().parse(topics_file(), format="turtle")
    concepts = sorted(
        str(s)
        for s in thesaurus.subjects(URIRef(NS["rdf"] + "type"), URIRef(NS["skos"] + "Concept"))
    )
    lines = [ntriples(thesaurus)]
    all_topics = list(concepts)
    for i in range(400):
        child = str(iris.topic_iri(f"synthetic-{i}"))
        parent = rnd.choice(all_topics)
        lines.append(f"<{child}> {term('rdf:type')} {term('skos:Concept')} .\n")
        lines.append(f"<{child}> {term('skos:prefLabel')} {lit(f'Unterthema {i}')} .\n")
        lines.append(f"<{child}> {term('skos:broader')} <{parent}> .\n")
        all_topics.append(child)
    return "".join(lines), all_topics, str(iris.topic_iri("mobilitaet"))


def passage_text(rnd: random.Random) -> str:
    words = [rnd.choice(WORDS) if rnd.random() < 0.35 else rnd.choice(FILLER) for _ in range(45)]
    return " ".join(words).capitalize() + "."


def people_lines(rnd: random.Random, places: list[str], out: list[str]) -> list[tuple[str, str]]:
    """Five persons with a membership in a municipality each; returns (person, place)."""
    people: list[tuple[str, str]] = []
    for _ in range(5):
        name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)} {rnd.randrange(400)}"
        place = rnd.choice(places)
        person, membership = iris.person_iri(name, place), iris.mint("membership", name, place)
        people.append((person, place))
        out += [
            f"<{person}> {term('rdf:type')} {term('foaf:Person')} .\n",
            f"<{person}> {term('foaf:name')} {lit(name)} .\n",
            f"<{membership}> {term('rdf:type')} {term('org:Membership')} .\n",
            f"<{membership}> {term('org:member')} <{person}> .\n",
            f"<{membership}> {term('org:organization')} <{place}> .\n",
            f"<{membership}> {term('wn:roleLabel')} {lit(rnd.choice(ROLES))} .\n",
        ]
    return people


def experience_lines(
    rnd: random.Random, iri: str, passage: str, people: list[tuple[str, str]], topics: list[str]
) -> list[str]:
    """One experience of a person, with the passage as evidence."""
    person, place = rnd.choice(people)
    kind = rnd.choice(["Done", "Presented", "Planned", "Asked"])
    return [
        f"{iri} {term('rdf:type')} {term('wn:Experience')} .\n",
        f"{iri} {term('wn:agent')} <{person}> .\n",
        f"{iri} {term('wn:topic')} <{rnd.choice(topics)}> .\n",
        f"{iri} {term('wn:experienceKind')} {term('wn:' + kind)} .\n",
        f"{iri} {term('wn:evidence')} {passage} .\n",
        f"{iri} {term('wn:municipality')} <{place}> .\n",
        f"{iri} {term('wn:confidence')} {lit('0.8', 'xsd:decimal')} .\n",
    ]


def document_graph(rnd: random.Random, n: int, topics: list[str], places: list[str]) -> str:
    """One document's named graph: ~270 triples."""
    doc_id = f"bench-doc-{n}"
    doc = f"<{iris.document_iri(doc_id)}>"
    date = f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}"
    out = [
        f"{doc} {term('rdf:type')} {term('wn:Document')} .\n",
        f"{doc} {term('wn:documentKind')} {term('wn:Protocol')} .\n",
        f"{doc} {term('dcterms:title')} {lit(f'Protokoll {n}: ' + rnd.choice(WORDS))} .\n",
        f"{doc} {term('dcterms:date')} {lit(date, 'xsd:date')} .\n",
        f"{doc} {term('wn:sourcePath')} {lit(f'corpus/protokolle/{doc_id}.pdf')} .\n",
        f"{doc} {term('wn:contentHash')} {lit(f'sha256:{n:064x}')} .\n",
    ]
    people = people_lines(rnd, places, out)
    for position in range(20):
        passage = f"<{iris.passage_iri(doc_id, position)}>"
        start = position * 400
        out += [
            f"{passage} {term('rdf:type')} {term('wn:Passage')} .\n",
            f"{passage} {term('wn:text')} {lit(passage_text(rnd))} .\n",
            f"{passage} {term('wn:startOffset')} {lit(str(start), 'xsd:integer')} .\n",
            f"{passage} {term('wn:endOffset')} {lit(str(start + 380), 'xsd:integer')} .\n",
            f"{passage} {term('wn:position')} {lit(str(position), 'xsd:integer')} .\n",
            f"{passage} {term('dcterms:isPartOf')} {doc} .\n",
            f"{passage} {term('wn:topic')} <{rnd.choice(topics)}> .\n",
            f"{passage} {term('wn:mentions')} <{rnd.choice(people)[0]}> .\n",
        ]
        if position % 2 == 0:
            iri = f"<{iris.mint('experience', doc_id, str(position))}>"
            out += experience_lines(rnd, iri, passage, people, topics)
    return "".join(out)


def generate(scale: float) -> Dataset:
    """The benchmark data, identical for every call with the same scale."""
    rnd = random.Random(SEED)
    data = Dataset()
    gemeinden = municipalities()
    territory = territory_ntriples(gemeinden, kreise(), laender())
    topics_text, topics, broad_topic = topic_graph(rnd)
    data.graphs.append((str(iris.REFERENCE_GRAPH), territory))
    data.graphs.append((str(iris.THESAURUS_GRAPH), topics_text))
    places = [str(iris.municipality_iri(m.ags)) for m in gemeinden if m.kreis_key in OWL_KREISE]
    for n in range(int(DOCUMENTS_AT_SCALE_1 * scale)):
        graph = str(iris.document_graph_iri(f"bench-doc-{n}"))
        data.graphs.append((graph, document_graph(rnd, n, topics, places)))
    first_doc = data.graphs[2][1]
    person = first_doc.split(f" {term('wn:agent')} ", 1)[1].split(" ", 1)[0]
    data.params = {
        "person": person,
        "broad_topic": broad_topic,
        "place": str(iris.municipality_iri("05711000")),
    }
    return data


def queries(params: dict[str, str]) -> dict[str, str]:
    """The five typical queries; written without UNION, which Oxigraph plans poorly."""
    return {
        "entity page (person, OPTIONALs)": f"""
            SELECT ?name ?role ?org ?orgLabel ?experience ?topicLabel ?kind ?title WHERE {{
              {params["person"]} foaf:name ?name .
              OPTIONAL {{ ?m org:member {params["person"]} ; org:organization ?org ;
                          wn:roleLabel ?role . OPTIONAL {{ ?org rdfs:label ?orgLabel }} }}
              OPTIONAL {{ ?experience wn:agent {params["person"]} ; wn:topic ?topic ;
                          wn:experienceKind ?kind ; wn:evidence ?passage .
                          OPTIONAL {{ ?topic skos:prefLabel ?topicLabel }}
                          ?passage dcterms:isPartOf ?doc . ?doc dcterms:title ?title }}
            }}""",
        "COUNT GROUP BY topic": """
            SELECT ?topic (COUNT(?e) AS ?n) WHERE { ?e a wn:Experience ; wn:topic ?topic }
            GROUP BY ?topic ORDER BY DESC(?n) LIMIT 20""",
        # The sub-select makes Oxigraph expand the path once instead of per experience.
        "skos:broader* path": f"""
            SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
              {{ SELECT DISTINCT ?t WHERE {{ ?t skos:broader* <{params["broad_topic"]}> }} }}
              ?e wn:topic ?t ; a wn:Experience }}""",
        "text FILTER CONTAINS": """
            SELECT (COUNT(?p) AS ?n) WHERE {
              ?p wn:text ?text FILTER (CONTAINS(LCASE(?text), "bürgerbeteiligung quartier")) }""",
        "persons with topic X in municipality Y": f"""
            SELECT DISTINCT ?person ?name WHERE {{
              {{ SELECT DISTINCT ?t WHERE {{ ?t skos:broader* <{params["broad_topic"]}> }} }}
              ?e wn:municipality <{params["place"]}> ; wn:topic ?t ; wn:agent ?person .
              ?person foaf:name ?name }} ORDER BY ?name""",
    }
