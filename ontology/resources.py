"""Packaged data files of the ontology and loaders for the Destatis gazetteer.

Nothing is read at import time: every loader reads its file on first call and caches the
result, so importing :mod:`ontology` stays cheap for processes that never need the 10,751
municipalities. Records are frozen dataclasses with string keys, because the leading zeros
of AGS, ARS and Kreis keys are significant.
"""

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType

ONTOLOGY_FILE = "wissensnetz.ttl"
SHAPES_FILE = "shapes.ttl"
TOPICS_FILE = "topics.ttl"
REFERENCE_FILE = "reference.ttl"
MUNICIPALITIES_FILE = "gemeinden.csv"
KREISE_FILE = "kreise.csv"
LAENDER_FILE = "laender.csv"


@dataclass(frozen=True)
class MunicipalityRecord:
    """One Gemeinde of the Destatis GV100AD extract."""

    ags: str  # 8-digit Amtlicher Gemeindeschlüssel
    ars: str  # 12-digit Amtlicher Regionalschlüssel
    name: str  # official name with suffix, e.g. "Bielefeld, Stadt"
    short_name: str  # name cut at the first comma; not unique in Germany
    kind: str  # Stadt, Gemeinde, kreisfreie Stadt, Markt, ...
    kreis_key: str  # 5 digits
    kreis_name: str
    land: str
    regbez: str | None  # only NW, HE, BW and BY have Regierungsbezirke
    population: int
    plz: str | None  # postcode of the municipality or of its seat

    @property
    def land_key(self) -> str:
        """The 2-digit Land key (first two digits of the AGS)."""
        return self.ags[:2]

    @property
    def regbez_key(self) -> str | None:
        """The 3-digit Regierungsbezirk key, or None where the Land has none."""
        return self.ags[:3] if self.regbez else None


@dataclass(frozen=True)
class KreisRecord:
    """One Kreis, Landkreis or kreisfreie Stadt (Satzart 40)."""

    kreis_key: str  # 5 digits
    ars: str  # Kreis key plus 7 zeros
    name: str
    short_name: str
    kind: str  # kreisfreie Stadt, Kreis, Landkreis, Stadtkreis, Regionalverband
    seat: str
    land_key: str
    land: str
    regbez: str | None
    municipality_count: int
    population: int


@dataclass(frozen=True)
class LandRecord:
    """One German Land (Satzart 10)."""

    land_key: str  # 2 digits
    name: str
    seat: str
    kreis_count: int
    municipality_count: int
    population: int


def data_path(name: str) -> Path:
    """Path of a file in ``ontology/data``.

    Resolved through :mod:`importlib.resources` so it works from a checkout and from an
    installed wheel alike; ``__file__`` arithmetic would break the latter.

    Raises:
        ValueError: if ``name`` is not a plain file name.
        FileNotFoundError: if the package holds no such data file.
    """
    if not name or "/" in name or "\\" in name or name in {".", ".."}:
        raise ValueError(f"expected a plain data file name such as {ONTOLOGY_FILE!r}, got {name!r}")
    resource = files("ontology").joinpath("data", name)
    if not isinstance(resource, Path):
        raise FileNotFoundError(
            f"ontology data {name!r} is not on the file system (zipped install?); "
            "install the wissensnetz package unpacked"
        )
    if not resource.is_file():
        raise FileNotFoundError(f"ontology data file {name!r} not found in {resource.parent}")
    return resource


def ontology_file() -> Path:
    """The OWL ontology (``wissensnetz.ttl``)."""
    return data_path(ONTOLOGY_FILE)


def shapes_file() -> Path:
    """The SHACL shapes (``shapes.ttl``)."""
    return data_path(SHAPES_FILE)


def topics_file() -> Path:
    """The SKOS topic thesaurus (``topics.ttl``)."""
    return data_path(TOPICS_FILE)


def reference_file() -> Path:
    """Hand-written reference instances: regions, networks, bodies, organisations."""
    return data_path(REFERENCE_FILE)


def _rows(name: str) -> Iterator[dict[str, str]]:
    with data_path(name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _optional(value: str) -> str | None:
    return value or None


@cache
def municipalities() -> tuple[MunicipalityRecord, ...]:
    """All 10,751 Gemeinden, in AGS order as Destatis lists them."""
    return tuple(
        MunicipalityRecord(
            ags=row["ags"],
            ars=row["ars"],
            name=row["name"],
            short_name=row["short_name"],
            kind=row["kind"],
            kreis_key=row["kreis_ags"],
            kreis_name=row["kreis_name"],
            land=row["land"],
            regbez=_optional(row["regbez"]),
            population=int(row["population"]),
            plz=_optional(row["plz"]),
        )
        for row in _rows(MUNICIPALITIES_FILE)
    )


@cache
def municipalities_by_ags() -> Mapping[str, MunicipalityRecord]:
    """Read-only lookup of :func:`municipalities` by AGS."""
    return MappingProxyType({record.ags: record for record in municipalities()})


@cache
def kreise() -> tuple[KreisRecord, ...]:
    """All 400 Kreise and kreisfreie Städte."""
    return tuple(
        KreisRecord(
            kreis_key=row["kreis_ags"],
            ars=row["ars"],
            name=row["name"],
            short_name=row["short_name"],
            kind=row["kind"],
            seat=row["sitz"],
            land_key=row["land_key"],
            land=row["land"],
            regbez=_optional(row["regbez"]),
            municipality_count=int(row["n_gemeinden"]),
            population=int(row["population"]),
        )
        for row in _rows(KREISE_FILE)
    )


@cache
def laender() -> tuple[LandRecord, ...]:
    """The 16 Länder."""
    return tuple(
        LandRecord(
            land_key=row["land_key"],
            name=row["name"],
            seat=row["sitz"],
            kreis_count=int(row["n_kreise"]),
            municipality_count=int(row["n_gemeinden"]),
            population=int(row["population"]),
        )
        for row in _rows(LAENDER_FILE)
    )
