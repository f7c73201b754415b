"""Stable IRIs for the actors a document names, shared with what the store already knows.

Organisations and regions named in reference data keep their reference IRIs (found by label
or altLabel); a person named without affiliation resolves to the one person of that name the
store already knows. The store is read once per ingest run, so re-ingesting one changed file
yields the same IRIs as ingesting the whole corpus.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import URIRef

from graph.iris import municipality_iri, normalise_name, organisation_iri, person_iri
from graph.store import GraphStore, SelectResult
from ingest.records import Mention
from ingest.resolution import ResolvedPerson, affiliation_key
from ontology.namespaces import sparql_prologue

_ORGS = (
    sparql_prologue()
    + """SELECT ?o ?label ?m WHERE {
  ?o a ?type . VALUES ?type { org:Organization wn:Region wn:Network wn:Body }
  ?o rdfs:label|skos:altLabel ?label .
  OPTIONAL { ?o wn:administers ?m }
}"""
)
_PERSONS = (
    sparql_prologue()
    + """SELECT ?p ?name ?orgLabel WHERE {
  ?p a foaf:Person ; foaf:name ?name .
  OPTIONAL { ?ms org:member ?p ; org:organization ?o . ?o rdfs:label ?orgLabel }
}"""
)


@dataclass
class _KnownPerson:
    iri: URIRef
    affiliations: set[str] = field(default_factory=set)


class Identities:
    """Resolves mentions to IRIs; remembers persons across the documents of a run."""

    def __init__(self) -> None:
        self._orgs: dict[str, URIRef] = {}
        self._admin_of: dict[str, URIRef] = {}  # AGS -> administration IRI
        self._persons: dict[str, list[_KnownPerson]] = {}

    @classmethod
    def from_store(cls, store: GraphStore) -> "Identities":
        """Seed from reference data and the persons of already ingested documents."""
        identities = cls()
        orgs = store.query(_ORGS)
        assert isinstance(orgs, SelectResult)
        for iri, label, municipality in orgs.rows:
            if isinstance(iri, URIRef) and label is not None:
                identities._orgs.setdefault(normalise_name(str(label)), iri)
                if municipality is not None:
                    identities._admin_of[str(municipality).rsplit("/", 1)[-1]] = iri
        persons = store.query(_PERSONS)
        assert isinstance(persons, SelectResult)
        for iri, name, org_label in persons.rows:
            if isinstance(iri, URIRef) and name is not None:
                org_key = normalise_name(str(org_label)) if org_label is not None else None
                identities._remember(str(name), iri, {org_key} if org_key else set())
        return identities

    def organisation(self, name: str, municipality: str | None = None) -> URIRef:
        """IRI of an organisation; a municipal administration is found by its AGS."""
        if municipality and municipality in self._admin_of:
            return self._admin_of[municipality]
        known = self._orgs.get(normalise_name(name))
        return known if known is not None else organisation_iri(name)

    def is_reference(self, iri: URIRef) -> bool:
        """True if the IRI comes from reference data (its description lives there)."""
        return iri in self._orgs.values()

    def region(self, name: str) -> URIRef | None:
        """IRI of a region or network named in reference data."""
        return self._orgs.get(normalise_name(name))

    def person(self, person: ResolvedPerson) -> URIRef:
        """IRI of a document's person, shared with namesakes of overlapping affiliation."""
        own = {affiliation_key(a) for a in person.affiliations}
        candidates = self._persons.get(normalise_name(person.name), [])
        for known in candidates:
            if own & known.affiliations:
                known.affiliations |= own
                return known.iri
        if len(candidates) == 1 and (not own or not candidates[0].affiliations):
            candidates[0].affiliations |= own
            return candidates[0].iri
        if not person.given_names and not candidates:
            by_surname = self._by_surname(person.surname)
            if by_surname is not None:
                return by_surname
        iri = person_iri(person.name, affiliation_key(person.main_affiliation))
        self._remember(person.name, iri, own)
        return iri

    def _by_surname(self, surname: str) -> URIRef | None:
        """The one known person with this surname ("gez. Clausen" -> Pit Clausen), if unique."""
        wanted = normalise_name(surname)
        matches = {k.iri for name, entries in self._persons.items() for k in entries
                   if name.split(" ")[-1] == wanted and " " in name}  # fmt: skip
        return next(iter(matches)) if len(matches) == 1 else None

    def _remember(self, name: str, iri: URIRef, affiliations: Iterable[str]) -> None:
        entries = self._persons.setdefault(normalise_name(name), [])
        for known in entries:
            if known.iri == iri:
                known.affiliations |= set(affiliations)
                return
        entries.append(_KnownPerson(iri, set(affiliations)))

    def agent(self, mention: Mention, persons: dict[str, URIRef]) -> URIRef | None:
        """IRI of the agent a mention names (municipality, organisation, person, region)."""
        if mention.kind == "municipality":
            return municipality_iri(mention.key)
        if mention.kind == "organisation":
            name = str(mention.extra.get("name") or mention.text)
            municipality = mention.extra.get("municipality")
            return self.organisation(name, str(municipality) if municipality else None)
        if mention.kind == "person":
            return persons.get(mention.key)
        if mention.kind == "region":
            # by the gazetteer's name: the bare "regiopolREGION" folds to the Bielefeld
            # region's altLabel "Regiopolregion" whichever region the NLP stage resolved
            name = str(mention.extra.get("name") or mention.text)
            return self.region(name) or self.region(mention.text)
        return None
