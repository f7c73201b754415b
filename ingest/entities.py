"""Places, organisations and persons of one parsed text, in the order they depend on each other.

The spaCy stage (``ingest/nlp.py``) tokenises a text and runs the phrase matchers once; the
rules here only read those plain records. Known organisations come first because the bodies
among them ("Geschäftsstelle der Regiopolregion") say which region a bare "Regiopolregion"
means; places next, because organisation patterns need them ("Stadt Paderborn"); persons
last, because their affiliations need both.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from ingest.gazetteer import Gazetteer
from ingest.geo import GeoContext
from ingest.organisations import OrganisationCatalogue, find_organisations, known_regions
from ingest.persons import PersonRecord, find_persons
from ingest.places import find_places
from ingest.records import Mention
from ingest.regions import BodySpan
from ingest.roles import PersonLexicon
from ingest.tokens import Token, TokenMatch


class ParsedText(NamedTuple):
    """A text's tokens and phrase-matcher hits: all the rules need of its spaCy ``Doc``."""

    tokens: list[Token]
    places: list[TokenMatch]  # gazetteer surface forms
    known: list[TokenMatch]  # catalogue organisations


@dataclass(frozen=True)
class EntityFinder:
    """The gazetteer, catalogue and person lexicon, applied to parsed texts."""

    gazetteer: Gazetteer
    catalogue: OrganisationCatalogue
    lexicon: PersonLexicon
    is_common: Callable[[str], bool]

    def geo_context(self, texts: Iterable[tuple[str, ParsedText]]) -> GeoContext:
        """Kreise, Länder and regions that a document's texts name without ambiguity."""
        places: list[Mention] = []
        regions: list[str] = []
        for text, parsed in texts:
            found, bodies = self.places(text, parsed, None)
            places += found
            regions += [b.region for b in bodies]
        context = GeoContext.from_mentions(places, self.gazetteer)
        return context.merged(GeoContext.of_regions(regions)) if regions else context

    def places(
        self, text: str, parsed: ParsedText, geo: GeoContext | None
    ) -> tuple[list[Mention], list[BodySpan]]:
        """Places, and the known organisations that are regions or their bodies."""
        bodies = known_regions(text, parsed.tokens, parsed.known, self.catalogue)
        found = find_places(text, parsed.tokens, parsed.places, self.gazetteer, geo, bodies)
        return found, bodies

    def entities(
        self, text: str, parsed: ParsedText, geo: GeoContext | None
    ) -> tuple[list[Mention], list[Mention], list[PersonRecord]]:
        """Places, organisations and persons of one text (``geo``: its document's context)."""
        places, _bodies = self.places(text, parsed, geo)
        tokens = parsed.tokens
        organisations = find_organisations(
            text, tokens, parsed.known, places, self.catalogue, self.is_common
        )
        persons = find_persons(text, tokens, organisations, places, self.lexicon)
        # a person's name wins over a namesake town ("gez. Clausen" is no village in the Pfalz)
        places = [p for p in places if not any(_overlap(p, q) for q in persons)]
        return places, organisations, persons


def _overlap(place: Mention, person: PersonRecord) -> bool:
    return place.start < person.end and person.start < place.end
