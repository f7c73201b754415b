"""Organisation mentions: a curated catalogue plus name patterns.

Known organisations (``ingest/data/organisations.yaml``) are matched by the phrase matcher in
``ingest/nlp.py``; unknown ones are found by their legal form ("… e.V.", "… GmbH") or by a
head noun followed by a place or a "für"-phrase ("Bezirksregierung Detmold", "Ministerium
für …"). A town's administration ("Stadt Paderborn") is an organisation that points at the
municipality, so "who did X" can credit the town.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from graph.iris import normalise_name
from ingest.records import Mention
from ingest.regions import BodySpan
from ingest.tokens import DETERMINERS, Token, TokenMatch, longest_first

LEGAL_FORMS = frozenset(
    {"e.V.", "GmbH", "gGmbH", "mbH", "AG", "KG", "eG", "GbR", "AöR", "UG", "SE", "e.G.", "KdöR"}
)
PLACE_HEADS = frozenset(
    {
        "Universität", "Hochschule", "Fachhochschule", "Bezirksregierung", "Kreisverwaltung",
        "Stadtverwaltung", "Stadtwerke", "Zweckverband", "Nahverkehrsverbund", "Verkehrsverbund",
        "Sparkasse", "Volksbank", "Handwerkskammer", "Wirtschaftsförderung",
        "Kreishandwerkerschaft", "Landesverband", "Kreisverband", "Stadtsportbund",
        "Kreissportbund", "Jobcenter", "Verbraucherzentrale", "Landesamt", "Polizei",
        "Feuerwehr", "Volkshochschule",
    }
)  # fmt: skip
FUER_HEADS = frozenset(
    {
        "Ministerium", "Landesministerium", "Bundesministerium", "Stiftung", "Institut",
        "Verband", "Verein", "Gesellschaft", "Akademie", "Agentur", "Netzwerk", "Zentrum",
        "Landesamt", "Bundesamt", "Bundesinstitut", "Büro", "Kompetenzzentrum",
    }
)  # fmt: skip
_ADMIN_CUES = {
    "stadt": "Stadt", "stadtverwaltung": "Stadt", "hansestadt": "Stadt", "kreisstadt": "Stadt",
    "gemeinde": "Gemeinde", "gemeindeverwaltung": "Gemeinde",
}  # fmt: skip
_NAME_JOINERS = frozenset({"&", "+", "-", "/", "und", "für", "Co.", "zu"})
_LAND_TAIL = frozenset({"NRW", "Nordrhein-Westfalen", "Niedersachsen", "Hessen"})
_STOP = frozenset({".", ",", ";", ":", "!", "?", "(", ")", "„", "“", '"', "–", "—"})


@dataclass(frozen=True)
class OrganisationEntry:
    """One known organisation of the catalogue."""

    name: str
    aliases: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    type: str = "organisation"
    maps_to: str | None = None
    confidence: float = 0.95
    region: str | None = None
    part_of: str | None = None  # region slug of a region's body ("Geschäftsstelle der …")
    municipality: str | None = None
    reference: str | None = None  # instance path in ontology/data/reference.ttl

    @property
    def target(self) -> str:
        """Canonical name of the organisation a mention of this entry stands for."""
        return self.maps_to or self.name


@dataclass(frozen=True)
class OrganisationCatalogue:
    """Known organisations by canonical name, and every surface form by lower-cased text."""

    entries: Mapping[str, OrganisationEntry]
    surfaces: Mapping[str, str] = field(default_factory=dict)  # lower-cased form -> name

    @classmethod
    def from_entries(cls, entries: Sequence[OrganisationEntry]) -> "OrganisationCatalogue":
        """Index the entries; an exact-only spelling is indexed lower-cased and checked later."""
        surfaces: dict[str, str] = {}
        for entry in entries:
            for form in (entry.name, *entry.aliases, *entry.exact):
                surfaces.setdefault(form.lower(), entry.name)
        return cls({e.name: e for e in entries}, surfaces)

    def accepts(self, name: str, matched: str) -> bool:
        """Whether ``matched`` is a valid spelling of the entry (case rules for acronyms)."""
        entry = self.entries[name]
        if matched in entry.exact:
            return True
        folded = matched.lower()
        return any(folded == form.lower() for form in (entry.name, *entry.aliases))


def _entry(raw: Mapping[str, Any]) -> OrganisationEntry:
    return OrganisationEntry(
        name=str(raw["name"]),
        aliases=tuple(str(a) for a in raw.get("aliases", ())),
        exact=tuple(str(a) for a in raw.get("exact", ())),
        type=str(raw.get("type", "organisation")),
        maps_to=raw.get("maps_to"),
        confidence=float(raw.get("confidence", 0.95)),
        region=raw.get("region"),
        part_of=raw.get("part_of"),
        municipality=raw.get("municipality"),
        reference=raw.get("reference"),
    )


@cache
def load_catalogue() -> OrganisationCatalogue:
    """The packaged catalogue ``ingest/data/organisations.yaml``."""
    raw = yaml.safe_load(files("ingest").joinpath("data", "organisations.yaml").read_text("utf-8"))
    return OrganisationCatalogue.from_entries([_entry(r) for r in raw["organisations"]])


def known_regions(
    text: str,
    tokens: Sequence[Token],
    known: Sequence[TokenMatch],
    catalogue: OrganisationCatalogue,
) -> list[BodySpan]:
    """Known organisations of a text that are a region or one of its bodies, with the region.

    "regiopolREGION PADERBORN e.V." or the "Geschäftsstelle der Regiopolregion" tell which
    region a bare "regiopolREGION" elsewhere in the document means (``ingest/regions.py``).
    """
    spans: list[BodySpan] = []
    for match in longest_first(known):
        entry = catalogue.entries[match.key]
        region = entry.region or entry.part_of
        start, end = tokens[match.first].start, tokens[match.last - 1].end
        if region and catalogue.accepts(match.key, text[start:end]):
            spans.append(BodySpan(start, end, region))
    return spans


def find_organisations(
    text: str,
    tokens: Sequence[Token],
    known: Sequence[TokenMatch],
    places: Sequence[Mention],
    catalogue: OrganisationCatalogue,
    is_common: Callable[[str], bool] = lambda _word: False,
) -> list[Mention]:
    """Organisation mentions, known names first, patterns only where nothing known matched."""
    found = _known(text, tokens, known, catalogue)
    place_at = {m.start: m for m in places}
    found += _legal_forms(text, tokens)
    found += _headed(text, tokens, place_at, is_common)
    found += _administrations(text, tokens, places)
    return _without_overlaps(found)


def _known(
    text: str,
    tokens: Sequence[Token],
    matches: Sequence[TokenMatch],
    catalogue: OrganisationCatalogue,
) -> list[Mention]:
    mentions = []
    for match in longest_first(matches):
        start, end = tokens[match.first].start, tokens[match.last - 1].end
        if not catalogue.accepts(match.key, text[start:end]):
            continue
        entry = catalogue.entries[match.key]
        target = catalogue.entries.get(entry.target, entry)
        extra: dict[str, Any] = {"name": entry.target, "source": "known", "type": target.type}
        if entry.maps_to:
            extra["via"] = entry.name
        for attribute in ("region", "municipality", "reference"):
            value = getattr(entry, attribute) or getattr(target, attribute)
            if value:
                extra[attribute] = value
        mentions.append(_org(text, start, end, entry.target, entry.confidence, extra))
    return mentions


def _org(
    text: str, start: int, end: int, name: str, confidence: float, extra: dict[str, Any]
) -> Mention:
    extra.setdefault("name", name)
    return Mention(
        "organisation", text[start:end], start, end, normalise_name(name), confidence, extra
    )


def _name_like(token: Token) -> bool:
    word = token.text
    return word[:1].isupper() or any(c.isupper() for c in word[1:]) or word[:1].isdigit()


def _legal_forms(text: str, tokens: Sequence[Token]) -> list[Mention]:
    """ "OstWestfalenLippe GmbH", "Kommunal Agentur NRW GmbH": name tokens before a legal form."""
    mentions = []
    for token in tokens:
        if token.text not in LEGAL_FORMS or token.i == 0:
            continue
        first = token.i
        while first > 0 and token.i - first < 6:
            previous = tokens[first - 1]
            if previous.text in _NAME_JOINERS and first - 2 >= 0 and _name_like(tokens[first - 2]):
                first -= 1
                continue
            if not _name_like(previous) or previous.lower in DETERMINERS or previous.text in _STOP:
                break
            first -= 1
            if previous.sent_start or previous.newline_before:
                break
        if first == token.i or tokens[first].text in _NAME_JOINERS:
            continue
        start, end = tokens[first].start, token.end
        name = text[start:end]
        mentions.append(_org(text, start, end, name, 0.8, {"source": "legal_form"}))
    return mentions


def _headed(
    text: str,
    tokens: Sequence[Token],
    place_at: Mapping[int, Mention],
    is_common: Callable[[str], bool],
) -> list[Mention]:
    """ "Bezirksregierung Detmold", "Ministerium für Bauen, Wohnen … des Landes NRW"."""
    mentions = []
    for token in tokens:
        head = token.text
        is_place_head = head in PLACE_HEADS or head.startswith("Stadtwerke")
        is_fuer_head = head in FUER_HEADS or head.endswith("ministerium")
        if not (is_place_head or is_fuer_head) or token.i + 1 >= len(tokens):
            continue
        end_token = _place_tail(tokens, token.i + 1, place_at)
        confidence = 0.8
        if end_token is None and is_fuer_head and tokens[token.i + 1].lower == "für":
            end_token, confidence = _fuer_tail(tokens, token.i + 2), 0.75
        if end_token is None and head == "Büro":
            end_token, confidence = _brand_tail(tokens, token.i + 1), 0.7
        if end_token is None and is_fuer_head:
            following = tokens[token.i + 1]
            if _name_like(following) and not is_common(following.text) and not following.sent_start:
                end_token, confidence = token.i + 2, 0.6
        if end_token is None:
            continue
        start, end = token.start, tokens[end_token - 1].end
        mentions.append(_org(text, start, end, text[start:end], confidence, {"source": "head"}))
    return mentions


def _brand_tail(tokens: Sequence[Token], i: int) -> int | None:
    """Planning offices' brand names: "Büro stadtraum+dialog", "Büro Müller & Partner"."""
    end = i
    stylised = tokens[i].text[:1].islower() if i < len(tokens) else False  # "stadtraum+dialog"
    while end < min(len(tokens), i + 5) and not tokens[end].newline_before:
        word = tokens[end].text
        if word in _STOP or word == "/" or not (word[:1].isalpha() or word in {"+", "&"}):
            break
        if word[:1].isalpha() and word[:1].islower() != stylised:
            break  # "Büro Müller & Partner plant": the verb is no part of the name
        end += 1
    words = " ".join(t.text for t in tokens[i:end])
    return end if end > i and ("+" in words or "&" in words) and words[-1:].isalnum() else None


def _place_tail(tokens: Sequence[Token], i: int, place_at: Mapping[int, Mention]) -> int | None:
    """End token after one or more places joined by "/" ("Paderborn/Höxter")."""
    end: int | None = None
    while i < len(tokens) and tokens[i].start in place_at:
        place_end = place_at[tokens[i].start].end
        while i < len(tokens) and tokens[i].end <= place_end:
            i += 1
        end = i
        if i + 1 < len(tokens) and tokens[i].text == "/" and tokens[i + 1].start in place_at:
            i += 1
            continue
        break
    return end


def _fuer_tail(tokens: Sequence[Token], i: int) -> int | None:
    """Capitalised items joined by commas and "und", then an optional "des Landes NRW"."""
    end: int | None = None
    while i < len(tokens) and (tokens[i].is_title or tokens[i].text in {",", "und", "-"}):
        if tokens[i].newline_before:
            break
        if tokens[i].is_title:
            end = i + 1
        i += 1
    if end is None:
        return None
    if end + 2 < len(tokens) and tokens[end].lower == "des" and tokens[end + 1].text == "Landes":
        return end + 3 if tokens[end + 2].text in _LAND_TAIL else end
    if end < len(tokens) and tokens[end].text in _LAND_TAIL:
        return end + 1
    return end


def _administrations(
    text: str, tokens: Sequence[Token], places: Sequence[Mention]
) -> list[Mention]:
    """ "Stadt Paderborn", "Gemeinde Borchen", "der Kreis Gütersloh" as administrations."""
    index = {t.start: t for t in tokens}
    mentions = []
    for place in places:
        token = index.get(place.start)
        if token is None or token.i == 0:
            continue
        cue = tokens[token.i - 1]
        if place.kind == "municipality" and cue.lower in _ADMIN_CUES:
            name = f"{_ADMIN_CUES[cue.lower]} {place.extra.get('name', place.text)}"
            extra = {"source": "administration", "municipality": place.key}
            mentions.append(_org(text, cue.start, place.end, name, 0.9, extra))
        elif place.kind == "kreis" and cue.lower in {"der", "dem", "den", "vom", "beim"}:
            # "der Kreis Gütersloh hat …" acts; "im Kreis" and "des Kreises" only locate
            name = str(place.extra.get("name", place.text))
            extra = {"source": "administration", "kreis": place.key}
            mentions.append(_org(text, place.start, place.end, f"Kreis {name}", 0.7, extra))
    return mentions


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Earlier strategies win; among equals the longer span."""
    kept: list[Mention] = []
    for mention in mentions:
        if any(m.start < mention.end and mention.start < m.end for m in kept):
            continue
        kept.append(mention)
    return sorted(kept, key=lambda m: m.start)
