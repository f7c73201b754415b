"""Example queries of the SPARQL editor: what analysts ask first, in German."""

from dataclasses import dataclass

from ontology.namespaces import ID_IRI

__all__ = ["EXAMPLES", "Example"]


@dataclass(frozen=True)
class Example:
    """A titled example query (prefixes are added by the editor)."""

    title: str
    query: str


_REGION = f"<{ID_IRI}region/regiopolregion-bielefeld>"

EXAMPLES: tuple[Example, ...] = (
    Example(
        "Welche Kommunen haben Erfahrung mit Kommunaler Wärmeplanung?",
        """SELECT ?kommune ?name (COUNT(DISTINCT ?e) AS ?erfahrungen) WHERE {
  ?e a wn:Experience ; wn:topic ?t ; wn:agent ?agent .
  ?t skos:broader* topic:kommunale-waermeplanung .
  { ?agent a wn:Municipality . BIND(?agent AS ?kommune) }
  UNION { ?agent wn:administers ?kommune }
  UNION { ?m org:member ?agent ; org:organization/wn:administers ?kommune }
  ?kommune rdfs:label ?name .
}
GROUP BY ?kommune ?name
ORDER BY DESC(?erfahrungen) ?name""",
    ),
    Example(
        "Referent:innen der Akademie nach Thema",
        """SELECT ?thema ?person ?name (COUNT(DISTINCT ?termin) AS ?termine) WHERE {
  ?termin a wn:Event ; wn:speaker ?person ; wn:topic ?t .
  ?person foaf:name ?name .
  ?t skos:prefLabel ?thema . FILTER(LANG(?thema) = "de")
}
GROUP BY ?thema ?person ?name
ORDER BY ?thema ?name""",
    ),
    Example(
        "Ansprechpersonen in den Partnerkommunen der Regiopolregion",
        f"""SELECT ?kommune ?name ?person ?personName ?rolle WHERE {{
  {_REGION} org:hasMember ?kommune .
  ?kommune rdfs:label ?name .
  {{ ?kommune wn:regiopolPate ?person BIND("regiopolPate" AS ?rolle) }}
  UNION {{ ?kommune wn:contactPerson|wn:generalContact ?person BIND("Ansprechperson" AS ?rolle) }}
  UNION {{ ?verwaltung wn:administers ?kommune .
          ?ms org:organization ?verwaltung ; org:member ?person ; wn:roleLabel ?rolle }}
  ?person foaf:name ?personName .
}}
ORDER BY ?name ?personName""",
    ),
    Example(
        "Projekte mit Kommune und Status",
        """SELECT ?projekt ?titel ?kommune ?status WHERE {
  ?projekt a wn:Project ; dcterms:title ?titel .
  OPTIONAL { ?projekt wn:municipality/rdfs:label ?kommune }
  OPTIONAL { ?projekt wn:status ?status }
}
ORDER BY ?kommune ?titel""",
    ),
    Example(
        "Themen mit den meisten Erfahrungen",
        """SELECT ?thema (COUNT(DISTINCT ?e) AS ?erfahrungen) WHERE {
  ?e a wn:Experience ; wn:topic ?t .
  ?t skos:prefLabel ?thema . FILTER(LANG(?thema) = "de")
}
GROUP BY ?thema
ORDER BY DESC(?erfahrungen)
LIMIT 20""",
    ),
    Example(
        "Dokumente nach Art und Jahr",
        """SELECT ?art ?jahr (COUNT(?d) AS ?dokumente) WHERE {
  ?d a wn:Document ; wn:documentKind ?art .
  OPTIONAL { ?d dcterms:date ?datum }
}
GROUP BY ?art (YEAR(?datum) AS ?jahr)
ORDER BY ?art ?jahr""",
    ),
    Example(
        "Belegstellen: Wer hat was umgesetzt?",
        """SELECT ?akteur ?thema ?dokument ?text WHERE {
  ?e wn:experienceKind wn:Done ; wn:agent ?a ; wn:topic ?t ; wn:evidence ?p .
  ?a foaf:name|rdfs:label ?akteur .
  ?t skos:prefLabel ?thema . FILTER(LANG(?thema) = "de")
  ?p wn:text ?text ; dcterms:isPartOf/dcterms:title ?dokument .
}
LIMIT 50""",
    ),
    Example(
        "Gibt es Erfahrungen mit Starkregen? (ASK)",
        """ASK { ?e a wn:Experience ; wn:topic/skos:broader* topic:starkregen }""",
    ),
    Example(
        "Teilgraph der Stadt Gütersloh (CONSTRUCT)",
        f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  BIND(<{ID_IRI}municipality/05754008> AS ?s)
  ?s ?p ?o .
}}""",
    ),
)
