"""Which cooperation region a bare "Regiopolregion" or "regiopolREGION" means.

Two different bodies share the word: the Regiopolregion Bielefeld (13 partner municipalities
in the Kreise Bielefeld, Gütersloh, Herford and Lippe) and the regiopolREGION Paderborn (an
e.V. around the Kreise Paderborn and Höxter). Their documents drop the place name, so the
bare word is resolved like an ambiguous town name, by what the document says elsewhere:

- Inside the name of a region's body ("Geschäftsstelle der Regiopolregion") it is that
  body's region (``part_of`` in ``ingest/data/organisations.yaml``).
- Otherwise each region collects evidence from the document (its passage counted twice, as
  for towns): :data:`NAMED_WEIGHT` for every mention of the region by its full name or of an
  organisation that is the region or one of its bodies ("regiopolREGION PADERBORN e.V."),
  one for every municipality or Kreis mentioned in one of the region's Kreise (``kreise`` in
  ``ingest/data/places.yaml``; mentions, not distinct Kreise, so that the region with more
  Kreise does not win by its size).
- The spelling names a default, the first region ``ambiguous_regions`` lists for it: each
  region writes its own name its own way ("Regiopolregion" in Bielefeld, the brand
  "regiopolREGION" in Paderborn), and the other region's documents use that spelling for
  it ("Die Kommunen der regiopolREGION" in a Bielefeld protocol is Paderborn). So the other
  region wins only with clearly more evidence: :data:`CLEAR_MARGIN` times the default's plus
  :data:`SPELLING_WEIGHT`. Without evidence of its own the default stands, with low confidence.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ingest.gazetteer import Gazetteer
from ingest.geo import GeoContext

NAMED_WEIGHT = 3.0
SPELLING_WEIGHT = 4.0
CLEAR_MARGIN = 2.0  # the winner's evidence at least this multiple of the other's
IN_BODY = 0.95  # confidence factors, from a body's name down to the spelling alone
CLEAR = 0.9
LEANING = 0.75
DEFAULT = 0.6


@dataclass(frozen=True, slots=True)
class BodySpan:
    """Where a text names a known organisation that is a region or one of its bodies."""

    start: int
    end: int
    region: str


def region_evidence(key: str, gazetteer: Gazetteer, context: GeoContext) -> float:
    """How strongly a context points at one region."""
    named = dict(context.region_counts).get(key, 0)
    counts: Mapping[str, int] = dict(context.kreis_counts)
    nearby = sum(
        counts.get(kreis, int(kreis in context.kreis_keys))
        for kreis in gazetteer.region_kreise.get(key, frozenset())
    )
    return NAMED_WEIGHT * named + nearby


def resolve_region(
    keys: Sequence[str],
    gazetteer: Gazetteer,
    context: GeoContext,
    inside: Iterable[str] = (),
) -> tuple[str, float]:
    """The region a bare name means here, with a confidence factor.

    Args:
        keys: Candidates in the order ``places.yaml`` lists them for the spelling.
        gazetteer: Knows each region's Kreise.
        context: The document's evidence, the passage's own merged in.
        inside: Regions of the bodies whose names contain the mention.
    """
    body = next((region for region in inside if region in keys), None)
    if body is not None:
        return body, IN_BODY
    evidence = {key: region_evidence(key, gazetteer, context) for key in keys}
    default = keys[0]
    rival = max(keys[1:], key=lambda key: evidence[key])  # ties: the first listed
    if evidence[rival] >= CLEAR_MARGIN * evidence[default] + SPELLING_WEIGHT:
        return rival, CLEAR
    if evidence[default] >= max(CLEAR_MARGIN * evidence[rival], NAMED_WEIGHT):
        return default, CLEAR
    return default, LEANING if evidence[default] else DEFAULT
