"""Surface forms of every German municipality, Kreis and the region's cooperation areas.

The Destatis extract knows each Gemeinde once, by its official name; documents write
"Halle/Westfalen", "Paderborns", "der Bielefelder Oberbürgermeister" or just "Halle". This
module turns the records into a lower-cased surface-form table that ``ingest/nlp.py`` feeds to
a spaCy ``PhraseMatcher``; ``ingest/places.py`` then decides which hits are real places.
Pure Python, so the table can be tested and inspected without spaCy.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml

from ontology.resources import KreisRecord, MunicipalityRecord, kreise, municipalities

PlaceKind = Literal["municipality", "kreis", "region"]
FormKind = Literal["official", "variant", "alias", "base", "genitive", "demonym", "kreis", "region"]
HOME_REGBEZ = "057"  # Regierungsbezirk Detmold = Ostwestfalen-Lippe, the corpus' home
HOME_LAND = "05"  # Nordrhein-Westfalen
_FORM_RANK: dict[str, int] = {
    "official": 0, "kreis": 0, "region": 0, "variant": 1, "alias": 2, "base": 3,
    "genitive": 4, "demonym": 5,
}  # fmt: skip
_QUALIFIER_EXPANSIONS = {"Westf.": ("Westfalen", "Westf"), "Oldb": ("Oldenburg", "Oldb.")}
_TRAILING_QUALIFIER = re.compile(
    r"^(?P<stem>.+?)\s+(?:an der|am|im|in der|in|a\.\s?d\.|ob der|bei|vor der|auf der|i\.)\s+.+$"
)
_PAREN_QUALIFIER = re.compile(r"^(?P<stem>.+?)\s*\((?P<qual>[^)]+)\)$")
_KREIS_PREFIXES = ("Kreis", "Kreises", "Landkreis", "Landkreises")

CommonWordTest = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Place:
    """A municipality, Kreis or region that a mention can point at."""

    kind: PlaceKind
    key: str  # AGS (8 digits), Kreis key (5 digits) or region slug
    name: str
    kreis_key: str | None = None
    land_key: str | None = None
    regbez_key: str | None = None
    population: int = 0

    @property
    def is_home(self) -> bool:
        """In Ostwestfalen-Lippe (Regierungsbezirk Detmold), where the corpus comes from."""
        return self.regbez_key == HOME_REGBEZ

    @property
    def in_home_land(self) -> bool:
        """In Nordrhein-Westfalen."""
        return self.land_key == HOME_LAND


@dataclass(frozen=True, slots=True)
class SurfaceForm:
    """One lower-cased spelling and the places it may name."""

    text: str
    keys: tuple[str, ...]
    form: FormKind
    spelling: str = ""  # the form as first written (tokenised for the phrase matcher)
    common: bool = False  # also an ordinary German word or first name: needs a cue
    capital_ok: bool = False  # capitalised mid-sentence is enough evidence
    exact: tuple[tuple[str, tuple[str, ...]], ...] = ()  # only accepted spellings -> their keys

    def keys_for(self, matched: str) -> tuple[str, ...]:
        """Candidate keys for the text as written; empty if the spelling is not accepted."""
        if not self.exact:
            return self.keys
        return next((keys for spelling, keys in self.exact if spelling == matched), ())


@dataclass(frozen=True)
class PlaceExtras:
    """The hand-curated part of the gazetteer (``ingest/data/places.yaml``)."""

    regions: tuple[dict[str, Any], ...] = ()
    ambiguous_regions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    demonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    short_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    needs_cue: frozenset[str] = frozenset()
    capital_ok: frozenset[str] = frozenset()


@cache
def load_place_extras() -> PlaceExtras:
    """Read ``ingest/data/places.yaml`` once."""
    raw = yaml.safe_load(files("ingest").joinpath("data", "places.yaml").read_text("utf-8"))
    return PlaceExtras(
        regions=tuple(raw.get("regions", ())),
        ambiguous_regions={k: tuple(v) for k, v in raw.get("ambiguous_regions", {}).items()},
        demonyms={k: tuple(v) for k, v in raw.get("demonyms", {}).items()},
        short_aliases={k: tuple(v) for k, v in raw.get("short_aliases", {}).items()},
        needs_cue=frozenset(raw.get("needs_cue", ())),
        capital_ok=frozenset(raw.get("capital_ok", ())),
    )


def name_variants(short_name: str) -> tuple[list[str], str | None]:
    """Spelling variants of an official short name, and its bare stem if it has a qualifier.

    "Halle (Westf.)" yields "Halle/Westfalen", "Halle Westf." and more, with stem "Halle";
    the stem is what people write in running text, so it is matched too but is ambiguous.
    """
    variants = [short_name]
    stem: str | None = None
    paren = _PAREN_QUALIFIER.match(short_name)
    if paren:
        stem, qual = paren["stem"], paren["qual"]
        for q in (qual, *_QUALIFIER_EXPANSIONS.get(qual, ())):
            variants += [f"{stem} ({q})", f"{stem}/{q}", f"{stem} {q}", f"{stem} i. {q}"]
    elif "/" in short_name:
        stem = short_name.split("/", 1)[0].strip()
    else:
        trailing = _TRAILING_QUALIFIER.match(short_name)
        if trailing:
            stem = trailing["stem"]
    variants += [v.replace("ß", "ss") for v in variants if "ß" in v]
    variants += [v.replace("St. ", "Sankt ") for v in variants if v.startswith("St. ")]
    return list(dict.fromkeys(variants)), stem


def regular_demonym(name: str) -> str | None:
    """The "-er" inhabitant adjective ("Paderborner", "Bünder"), or None where unsafe."""
    if " " in name or not name[-1:].isalpha() or name.endswith(("er", "el", "s", "ß")):
        return None
    return f"{name}r" if name.endswith("e") else f"{name}er"


class _FormTable:
    """Accumulates surface forms; a spelling shared by several places lists all of them."""

    def __init__(self) -> None:
        self.keys: dict[str, list[str]] = {}
        self.form: dict[str, FormKind] = {}
        self.exact: dict[str, dict[str, list[str]]] = {}
        self.original: dict[str, str] = {}

    def add(self, text: str, key: str, form: FormKind, exact: bool = False) -> None:
        low = text.lower()
        self.original.setdefault(low, text)
        keys = self.keys.setdefault(low, [])
        if key not in keys:
            keys.append(key)
        if low not in self.form or _FORM_RANK[form] < _FORM_RANK[self.form[low]]:
            self.form[low] = form
        if exact:
            self.exact.setdefault(low, {}).setdefault(text, []).append(key)


class Gazetteer:
    """Places by key and surface forms by lower-cased spelling."""

    def __init__(self, places: Mapping[str, Place], surfaces: Mapping[str, SurfaceForm]) -> None:
        """Wrap prepared tables; use :meth:`build` to derive them from the records."""
        self.places = places
        self.surfaces = surfaces
        self.region_kreise: Mapping[str, frozenset[str]] = {}

    def place(self, key: str) -> Place:
        """The place with this AGS, Kreis key or region slug."""
        return self.places[key]

    @classmethod
    def build(
        cls,
        municipality_records: Iterable[MunicipalityRecord],
        kreis_records: Iterable[KreisRecord],
        is_common: CommonWordTest,
        extras: PlaceExtras | None = None,
    ) -> "Gazetteer":
        """Derive every surface form from the Destatis records and the curated extras."""
        extras = extras or load_place_extras()
        places: dict[str, Place] = {}
        table = _FormTable()
        for record in municipality_records:
            place = Place(
                "municipality",
                record.ags,
                record.short_name,
                record.kreis_key,
                record.ags[:2],
                record.ags[:3] if record.regbez else None,
                record.population,
            )
            places[record.ags] = place
            _add_municipality(table, place, extras)
        for kreis in kreis_records:
            _add_kreis(table, places, kreis)
        _add_regions(table, places, extras)
        surfaces = _finish(table, places, is_common, extras)
        gazetteer = cls(places, surfaces)
        gazetteer.region_kreise = {
            str(r["key"]): frozenset(str(k) for k in r.get("kreise", ())) for r in extras.regions
        }
        return gazetteer


def _add_municipality(table: _FormTable, place: Place, extras: PlaceExtras) -> None:
    variants, stem = name_variants(place.name)
    for i, variant in enumerate(variants):
        table.add(variant, place.key, "official" if i == 0 else "variant")
    base = stem or place.name
    if stem:
        table.add(stem, place.key, "base")
    for alias in extras.short_aliases.get(place.key, ()):
        table.add(alias, place.key, "alias")
    if not base.endswith(("s", "ß", "x", "z")):
        table.add(f"{base}s", place.key, "genitive")
    demonyms = list(extras.demonyms.get(place.key, ()))
    if not demonyms and (place.is_home or place.population >= 20_000):
        demonyms = [d for d in [regular_demonym(base)] if d]
    for demonym in demonyms:
        table.add(demonym, place.key, "demonym")


def _add_kreis(table: _FormTable, places: dict[str, Place], kreis: KreisRecord) -> None:
    if kreis.kind not in {"Kreis", "Landkreis", "Regionalverband"}:
        return  # kreisfreie Städte are found as municipalities
    place = Place(
        "kreis",
        kreis.kreis_key,
        kreis.short_name,
        kreis.kreis_key,
        kreis.land_key,
        kreis.kreis_key[:3] if kreis.regbez else None,
        kreis.population,
    )
    places[kreis.kreis_key] = place
    names, _stem = name_variants(kreis.short_name)
    for name in names:
        if re.search(r"kreis|region", name, re.IGNORECASE):
            table.add(name, kreis.kreis_key, "kreis")
        for prefix in _KREIS_PREFIXES:
            table.add(f"{prefix} {name}", kreis.kreis_key, "kreis")


def _add_regions(table: _FormTable, places: dict[str, Place], extras: PlaceExtras) -> None:
    for region in extras.regions:
        key = str(region["key"])
        regbez = region.get("regbez")
        places[key] = Place("region", key, str(region["name"]), regbez_key=regbez)
        exact = set(region.get("case_sensitive", ()))
        for form in region.get("forms", ()):
            table.add(str(form), key, "region", exact=form in exact)
    for form, keys in extras.ambiguous_regions.items():
        for key in keys:
            table.add(form, key, "region", exact=True)


def _finish(
    table: _FormTable,
    places: Mapping[str, Place],
    is_common: CommonWordTest,
    extras: PlaceExtras,
) -> dict[str, SurfaceForm]:
    surfaces: dict[str, SurfaceForm] = {}
    for low, keys in table.keys.items():
        form = table.form[low]
        natural = table.original[low]
        word = natural[:-1] if form == "genitive" else natural
        # inhabitants' nouns inflect like common nouns ("den Bielefeldern"): for a demonym only
        # a lower-case reading ("enger") makes it a common word
        probe = word.lower() if form == "demonym" else word
        common = form not in {"region", "kreis"} and (
            word in extras.needs_cue or (" " not in word and is_common(probe))
        )
        if form == "demonym" and common:
            continue  # "Lager" is no safe demonym of Lage
        if form == "demonym" and len(keys) > 1 and not any(places[k].is_home for k in keys):
            continue
        surfaces[low] = SurfaceForm(
            text=low,
            keys=tuple(keys),
            form=form,
            spelling=natural,
            common=common,
            capital_ok=natural in extras.capital_ok,
            exact=tuple((t, tuple(k)) for t, k in table.exact.get(low, {}).items()),
        )
    return surfaces


def default_gazetteer(is_common: CommonWordTest) -> Gazetteer:
    """The gazetteer over all 10,751 municipalities of ``ontology.resources``."""
    return Gazetteer.build(municipalities(), kreise(), is_common)
