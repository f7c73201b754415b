"""Where a document is: the Kreise, Länder and regions it names without ambiguity.

Ambiguous names ("Halle", a bare "Regiopolregion") are read against this context, so it is
built from the unambiguous mentions of a whole document (``Analyzer.geo_context_of``) and
handed to every passage. Kept apart from ``ingest/places.py`` so that the region resolution
in ``ingest/regions.py`` can read it without an import cycle.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ingest.gazetteer import Gazetteer
from ingest.records import Mention

Counts = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class GeoContext:
    """The Kreise, Länder and regions a document names unambiguously, with counts."""

    kreis_keys: frozenset[str] = frozenset()
    land_keys: frozenset[str] = frozenset()
    region_counts: Counts = ()  # regions named, or implied by one of their bodies
    kreis_counts: Counts = ()  # mentions of places in each Kreis (a document's weight)

    @classmethod
    def from_mentions(cls, mentions: Iterable[Mention], gazetteer: Gazetteer) -> "GeoContext":
        """Context from mentions that were not themselves ambiguous."""
        kreise: Counter[str] = Counter()
        lands: set[str] = set()
        regions: Counter[str] = Counter()
        for mention in mentions:
            if mention.extra.get("candidates") or mention.key not in gazetteer.places:
                continue
            place = gazetteer.place(mention.key)
            if place.kind == "region":
                regions[place.key] += 1
            if place.kreis_key:
                kreise[place.kreis_key] += 1
            if place.land_key:
                lands.add(place.land_key)
        return cls(frozenset(kreise), frozenset(lands), _sorted(regions), _sorted(kreise))

    def __bool__(self) -> bool:
        """Whether the context knows anything at all."""
        return bool(self.kreis_keys or self.land_keys or self.region_counts or self.kreis_counts)

    @classmethod
    def of_regions(cls, region_keys: Iterable[str]) -> "GeoContext":
        """Context that only counts regions (those of the known bodies a text names)."""
        return cls(region_counts=_sorted(Counter(region_keys)))

    def merged(self, other: "GeoContext | None") -> "GeoContext":
        """Union of two contexts (the passage's own and its document's), counts summed."""
        if other is None or not other:
            return self
        if not self:
            return other  # most passages name no place: keep the document's as it is
        return GeoContext(
            self.kreis_keys | other.kreis_keys,
            self.land_keys | other.land_keys,
            _summed(self.region_counts, other.region_counts),
            _summed(self.kreis_counts, other.kreis_counts),
        )


def _summed(first: Counts, second: Counts) -> Counts:
    """Counts of both, summed per key (called for every passage: no ``Counter`` detour)."""
    if not first or not second:
        return first or second
    total = dict(first)
    for key, count in second:
        total[key] = total.get(key, 0) + count
    return _sorted(total)


def _sorted(counts: Mapping[str, int]) -> Counts:
    """Most frequent first; equal counts by key, so equal contexts compare equal."""
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
