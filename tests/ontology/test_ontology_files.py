"""Every packaged data file parses and carries its licence."""

import csv

import pytest
from rdflib import Graph

import ontology

TTL_FILES = ["wissensnetz.ttl", "shapes.ttl", "topics.ttl", "reference.ttl"]


@pytest.mark.parametrize("name", TTL_FILES)
def test_turtle_parses(name: str) -> None:
    graph = Graph().parse(ontology.data_path(name), format="turtle")
    assert len(graph) > 100


@pytest.mark.parametrize("name", ["gemeinden.csv", "kreise.csv", "laender.csv"])
def test_csv_has_header_and_utf8(name: str) -> None:
    path = ontology.data_path(name)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[0] in {"ags", "kreis_ags", "land_key"}


def test_destatis_licence_note() -> None:
    text = ontology.data_path("LICENCE-destatis.md").read_text(encoding="utf-8")
    attribution = (
        "© Statistisches Bundesamt (Destatis), Datenlizenz Deutschland – Namensnennung – 2.0"
    )
    assert attribution in text
    assert "What was changed" in text
    assert "dl-de/by-2-0" in text
