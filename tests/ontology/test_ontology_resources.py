"""Loaders of the packaged gazetteer and paths of the packaged data files."""

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ontology
from ontology import resources

REGIOPOLREGION_BIELEFELD = {
    "05711000": "Bielefeld",
    "05754008": "Gütersloh",
    "05758012": "Herford",
    "05766008": "Bad Salzuflen",
    "05754036": "Schloß Holte-Stukenbrock",
    "05754044": "Verl",
    "05754012": "Halle (Westf.)",
    "05754040": "Steinhagen",
    "05758008": "Enger",
    "05766056": "Oerlinghausen",
    "05766048": "Leopoldshöhe",
    "05758032": "Spenge",
    "05754052": "Werther (Westf.)",
}


def test_municipality_count_and_keys() -> None:
    records = ontology.municipalities()
    assert len(records) == 10_751
    ags = [r.ags for r in records]
    ars = [r.ars for r in records]
    assert all(re.fullmatch(r"\d{8}", a) for a in ags)
    assert all(re.fullmatch(r"\d{12}", a) for a in ars)
    assert len(set(ags)) == len(ags)
    assert len(set(ars)) == len(ars)


def test_ars_contains_ags_for_every_municipality() -> None:
    """The rule the SHACL SPARQL constraint enforces holds for all real data."""
    for r in ontology.municipalities():
        assert r.ars[:5] == r.ags[:5] == r.kreis_key, r
        assert r.ars[9:] == r.ags[5:], r


def test_regiopolregion_partners_in_gazetteer() -> None:
    by_ags = ontology.municipalities_by_ags()
    for ags, short_name in REGIOPOLREGION_BIELEFELD.items():
        record = by_ags[ags]
        assert record.short_name == short_name
        assert record.land == "Nordrhein-Westfalen"
        assert record.regbez == "Detmold"


def test_bielefeld_record() -> None:
    bielefeld = ontology.municipalities_by_ags()["05711000"]
    assert bielefeld.name == "Bielefeld, Stadt"
    assert bielefeld.kind == "kreisfreie Stadt"
    assert bielefeld.kreis_key == "05711"
    assert bielefeld.land_key == "05"
    assert bielefeld.regbez_key == "057"
    assert bielefeld.population > 300_000
    assert bielefeld.plz is not None
    assert re.fullmatch(r"\d{5}", bielefeld.plz)


def test_regbez_is_none_outside_the_four_laender() -> None:
    erfurt = ontology.municipalities_by_ags()["16051000"]
    assert erfurt.regbez is None
    assert erfurt.regbez_key is None


def test_records_are_frozen() -> None:
    record = ontology.municipalities()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.ags = "00000000"  # type: ignore[misc]


def test_nrw_count() -> None:
    assert sum(1 for r in ontology.municipalities() if r.land_key == "05") == 396


def test_kreise_and_laender() -> None:
    kreise = ontology.kreise()
    laender = ontology.laender()
    assert len(kreise) == 400
    assert len(laender) == 16
    assert len({k.kreis_key for k in kreise}) == 400
    assert all(re.fullmatch(r"\d{5}", k.kreis_key) for k in kreise)
    assert all(re.fullmatch(r"\d{2}", land.land_key) for land in laender)
    assert sum(land.population for land in laender) == 83_577_140
    assert sum(land.municipality_count for land in laender) == 10_751
    paderborn = next(k for k in kreise if k.kreis_key == "05774")
    assert paderborn.kind == "Kreis"
    assert paderborn.municipality_count == 10
    assert paderborn.regbez == "Detmold"


def test_every_municipality_has_its_kreis() -> None:
    kreis_keys = {k.kreis_key for k in ontology.kreise()}
    assert {r.kreis_key for r in ontology.municipalities()} <= kreis_keys


def test_loaders_are_cached() -> None:
    assert ontology.municipalities() is ontology.municipalities()
    assert ontology.kreise() is ontology.kreise()
    assert ontology.laender() is ontology.laender()


def test_lookup_is_read_only() -> None:
    lookup = ontology.municipalities_by_ags()
    with pytest.raises(TypeError):
        lookup["x"] = lookup["05711000"]  # type: ignore[index]


@pytest.mark.parametrize(
    "getter",
    [ontology.ontology_file, ontology.shapes_file, ontology.topics_file, ontology.reference_file],
)
def test_packaged_files_exist(getter: object) -> None:
    assert callable(getter)
    path = getter()
    assert isinstance(path, Path)
    assert path.is_file()
    assert path.parent.name == "data"
    assert path.parent.parent.name == "ontology"


@pytest.mark.parametrize("name", ["", "..", "../pyproject.toml", "data/x.ttl", "a\\b"])
def test_data_path_rejects_paths(name: str) -> None:
    with pytest.raises(ValueError, match="plain data file name"):
        ontology.data_path(name)


def test_data_path_reports_missing_file() -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.ttl"):
        ontology.data_path("nope.ttl")


def test_import_does_no_io_and_stays_light() -> None:
    code = (
        "import sys, ontology\n"
        "from ontology.resources import municipalities, kreise, laender\n"
        "assert municipalities.cache_info().currsize == 0\n"
        "assert kreise.cache_info().currsize == 0\n"
        "assert laender.cache_info().currsize == 0\n"
        "heavy = {'graph', 'ingest', 'search_api', 'pyshacl', 'spacy', 'torch'}\n"
        "assert not heavy & set(sys.modules), heavy & set(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_all_exports_resolve() -> None:
    for name in ontology.__all__:
        assert hasattr(ontology, name), name
    assert resources.municipalities is ontology.municipalities
