"""Decide which gazetteer hits are places, and which place an ambiguous name means.

A phrase matcher over 10,751 municipality names fires on "Lage", "Essen" and "Halle" in
ordinary prose, so every hit passes three gates here: spelling (capitalised, or the exact
spelling for brand names such as "regiopolREGION"), a cue for names that are also common
words ("Stadt Lage", "in Lage", a list of other towns), and a size/region prior for tiny
villages far from Ostwestfalen-Lippe. Ambiguous names ("Halle", "Neustadt") are resolved by
the Kreise and Länder the document mentions, then by the regional prior; a bare region name
("Regiopolregion", "regiopolREGION") by the rules of ``ingest/regions.py``.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.gazetteer import Gazetteer, Place, SurfaceForm
from ingest.geo import GeoContext
from ingest.records import Mention
from ingest.regions import BodySpan, resolve_region
from ingest.tokens import DETERMINERS, Token, TokenMatch, longest_first

STRONG_CUES = frozenset(
    {
        "stadt", "gemeinde", "stadtverwaltung", "gemeindeverwaltung", "hansestadt",
        "kreisstadt", "kommune", "stadtgebiet", "gemeindegebiet", "ortsteil", "standort",
    }
)  # fmt: skip
PREPOSITION_CUES = frozenset(
    {"in", "aus", "nach", "von", "bei", "für", "zwischen", "bis", "gegenüber", "über"}
)
_LIST_JOINERS = frozenset({",", "und", "sowie", "oder", "/", "bzw.", "&"})
_MIN_UNCUED_POPULATION = 10_000


@dataclass(frozen=True, slots=True)
class _Hit:
    first: int  # token range
    last: int
    start: int  # character span of the name itself
    end: int
    surface: SurfaceForm
    keys: tuple[str, ...]  # candidates, narrowed by the exact spelling where that matters
    cue: str | None


def find_places(
    text: str,
    tokens: Sequence[Token],
    matches: Sequence[TokenMatch],
    gazetteer: Gazetteer,
    context: GeoContext | None = None,
    bodies: Sequence[BodySpan] = (),
) -> list[Mention]:
    """Municipality, Kreis and region mentions from phrase-matcher hits.

    ``context`` is the document's; ``bodies`` are the known organisations of this text that
    tell which region a bare "Regiopolregion" means.
    """
    accepted = _accept(tokens, _hits(text, tokens, matches, gazetteer), gazetteer)
    sure = [_mention(text, h, gazetteer, h.keys[0], 1.0) for h in accepted if len(h.keys) == 1]
    local = GeoContext.from_mentions(sure, gazetteer).merged(context)
    if bodies:
        local = local.merged(GeoContext.of_regions(b.region for b in bodies))
    mentions = list(sure)
    for hit in accepted:
        if len(hit.keys) == 1:
            continue
        if gazetteer.place(hit.keys[0]).kind == "region":
            inside = [b.region for b in bodies if b.start <= hit.start and hit.end <= b.end]
            key, factor = resolve_region(hit.keys, gazetteer, local, inside)
        else:
            key, factor = _disambiguate(hit.keys, gazetteer, local)
        mentions.append(_mention(text, hit, gazetteer, key, factor))
    return sorted(mentions, key=lambda m: m.start)


def _hits(
    text: str, tokens: Sequence[Token], matches: Sequence[TokenMatch], gazetteer: Gazetteer
) -> list[_Hit]:
    """Matches spelled like a name, longest first, plus region prefixes ("OWL-weit")."""
    valid: list[TokenMatch] = []
    surfaces: dict[tuple[int, int], tuple[SurfaceForm, tuple[str, ...]]] = {}
    for match in matches:
        surface = gazetteer.surfaces.get(match.key)
        matched = text[tokens[match.first].start : tokens[match.last - 1].end]
        keys = surface.keys_for(matched) if surface else ()
        if surface is not None and keys and _spelled_like_a_name(matched, surface):
            valid.append(match)
            surfaces[match.first, match.last] = (surface, keys)
    hits = []
    for match in longest_first(valid):
        surface, keys = surfaces[match.first, match.last]
        start, end = tokens[match.first].start, tokens[match.last - 1].end
        cue = _cue(tokens, match.first)
        hits.append(_Hit(match.first, match.last, start, end, surface, keys, cue))
    covered = {i for m in matches for i in range(m.first, m.last)}
    return hits + _hyphen_prefix_regions(tokens, gazetteer, covered)


def _spelled_like_a_name(matched: str, surface: SurfaceForm) -> bool:
    if surface.exact:
        return True  # checked by keys_for
    if not (matched[:1].isupper() or matched[:1] == surface.spelling[:1]):
        return False
    if matched.isupper() and len(matched) > 1:
        return not surface.common and len(surface.text) >= 4 and surface.form != "demonym"
    return True


def _cue(tokens: Sequence[Token], first: int) -> str | None:
    if first == 0:
        return None
    previous = tokens[first - 1].lower
    if previous in STRONG_CUES:
        return "strong"
    if previous in PREPOSITION_CUES:
        return "preposition"
    return None


def _hyphen_prefix_regions(
    tokens: Sequence[Token], gazetteer: Gazetteer, covered: set[int]
) -> list[_Hit]:
    """ "OWL-weit", "OWL-Tarifsystem": a region name as first part of a hyphenated word."""
    hits = []
    for token in tokens:
        if token.i in covered or "-" not in token.text[1:-1]:
            continue
        prefix = token.text.split("-", 1)[0]
        surface = gazetteer.surfaces.get(prefix.lower())
        keys = surface.keys_for(prefix) if surface else ()
        if surface and keys and surface.form == "region" and _spelled_like_a_name(prefix, surface):
            end = token.start + len(prefix)
            hits.append(_Hit(token.i, token.i + 1, token.start, end, surface, keys, None))
    return hits


def _accept(tokens: Sequence[Token], hits: list[_Hit], gazetteer: Gazetteer) -> list[_Hit]:
    """Hits that pass on their own, then those listed next to an accepted place."""
    verdicts = [_verdict(tokens, hit, gazetteer) for hit in hits]
    for _ in range(2):
        for i in range(len(hits)):
            if verdicts[i] == "list" and _listed_with_accepted(tokens, hits, verdicts, i):
                verdicts[i] = "yes"
    return [hit for hit, verdict in zip(hits, verdicts, strict=True) if verdict == "yes"]


def _verdict(tokens: Sequence[Token], hit: _Hit, gazetteer: Gazetteer) -> str:
    """ "yes", "no", or "list" (accept only next to other places)."""
    surface = hit.surface
    if surface.form in {"region", "kreis"} or hit.cue == "strong":
        return "yes"
    if len(surface.text) < 4:
        return "no"
    best = max((gazetteer.place(k) for k in hit.keys), key=_prior)
    near = best.is_home or best.in_home_land
    if surface.common:
        first = tokens[hit.first]
        previous = tokens[hit.first - 1].lower if hit.first else ""
        if surface.capital_ok and not first.sent_start and previous not in DETERMINERS:
            return "yes"
        if hit.cue == "preposition" and (near or best.population >= 20_000):
            return "yes"
        return "list"
    if not near and best.population < _MIN_UNCUED_POPULATION and hit.cue is None:
        return "list"
    return "yes"


def _listed_with_accepted(
    tokens: Sequence[Token], hits: list[_Hit], verdicts: list[str], index: int
) -> bool:
    hit = hits[index]
    for j, other in enumerate(hits):
        if verdicts[j] != "yes" or j == index:
            continue
        gap = (
            range(other.last, hit.first)
            if other.last <= hit.first
            else range(hit.last, other.first)
        )
        if 0 < len(gap) <= 2 and all(tokens[k].lower in _LIST_JOINERS for k in gap):
            return True
    return False


def _prior(place: Place) -> float:
    """Regional prior: OWL first, then NRW, then size."""
    bonus = 2.0 if place.is_home else 1.0 if place.in_home_land else 0.0
    return bonus + math.log10(place.population + 1) / 7


def _disambiguate(
    keys: tuple[str, ...], gazetteer: Gazetteer, context: GeoContext
) -> tuple[str, float]:
    """The most likely place for an ambiguous name, with a confidence factor."""
    candidates = [gazetteer.place(k) for k in keys]

    def score(place: Place) -> float:
        in_kreis = 4.0 if place.kreis_key in context.kreis_keys else 0.0
        in_land = 2.0 if place.land_key in context.land_keys else 0.0
        return in_kreis + in_land + _prior(place)

    best = max(candidates, key=score)
    if best.kreis_key in context.kreis_keys:
        return best.key, 0.9
    return best.key, 0.8 if best.land_key in context.land_keys else 0.7


def _base_confidence(place: Place, hit: _Hit) -> float:
    if place.kind != "municipality":
        return 0.95
    if place.is_home:
        conf = 0.95
    elif place.in_home_land:
        conf = 0.9
    else:
        conf = 0.85 if place.population >= 100_000 else 0.75 if place.population >= 20_000 else 0.6
    conf *= {"demonym": 0.85, "alias": 0.9, "base": 0.95, "genitive": 0.95}.get(
        hit.surface.form, 1.0
    )
    if hit.surface.common and hit.cue != "strong":
        conf *= 0.85
    return max(conf, 0.9) if hit.cue == "strong" else conf


def _mention(text: str, hit: _Hit, gazetteer: Gazetteer, key: str, factor: float) -> Mention:
    place = gazetteer.place(key)
    extra: dict[str, object] = {"name": place.name, "form": hit.surface.form}
    if hit.cue:
        extra["cue"] = hit.cue
    if len(hit.keys) > 1:
        extra["candidates"] = list(hit.keys)
    if place.regbez_key and place.kind == "region":
        extra["regbez"] = place.regbez_key
    return Mention(
        kind=place.kind,
        text=text[hit.start : hit.end],
        start=hit.start,
        end=hit.end,
        key=key,
        confidence=round(_base_confidence(place, hit) * factor, 3),
        extra=extra,
    )
