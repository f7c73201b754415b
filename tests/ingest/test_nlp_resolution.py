"""Entity resolution within and across documents, and the alias file."""

from functools import cache
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.nlp import Analyzer
from ingest.resolution import (
    PersonRegistry,
    ResolvedPerson,
    load_aliases,
    resolve_in_document,
)


@cache
def analyzer() -> Analyzer:
    return Analyzer()


def resolve(text: str, aliases_path: Path | None = None) -> dict[str, ResolvedPerson]:
    aliases = load_aliases(aliases_path) if aliases_path else None
    people = resolve_in_document(analyzer().analyse(text).persons, aliases)
    return {p.name: p for p in people}


PROTOCOL = (
    "Herr Michael Dreier – Bürgermeister der Stadt Paderborn. "
    "Prof. Rudolf Scheuvens - Büro scheuvens + wachten plus. "
    "Anschließend führte Rudolf Scheuvens in die Veranstaltung ein. "
    "Herr Dreier dankte allen. Dreier und Herr Scheuvens schlossen."
)


def test_within_document_surnames_join_full_names() -> None:
    people = resolve(PROTOCOL)
    assert sorted(people) == ["Michael Dreier", "Rudolf Scheuvens"]
    dreier = people["Michael Dreier"]
    assert len(dreier.records) >= 2
    assert dreier.key == "michael dreier|ags:05774032"
    scheuvens = people["Rudolf Scheuvens"]
    assert scheuvens.titles == ("Prof.",)
    assert len(scheuvens.records) == 3


def test_across_documents_by_name_and_affiliation() -> None:
    registry = PersonRegistry()
    first = resolve(PROTOCOL)["Michael Dreier"]
    key = registry.resolve(first)
    again = resolve("Michael Dreier, Bürgermeister der Stadt Paderborn, sprach.")["Michael Dreier"]
    assert registry.resolve(again) == key
    bare = resolve("Michael Dreier war auch da.")["Michael Dreier"]
    assert registry.resolve(bare) == key
    other = resolve("Michael Dreier - Stadtwerke Bielefeld")["Michael Dreier"]
    assert registry.resolve(other) != key


def test_unaffiliated_name_stays_apart_when_namesakes_exist() -> None:
    registry = PersonRegistry()
    registry.resolve(resolve("Thomas Müller - Stadt Bielefeld")["Thomas Müller"])
    registry.resolve(resolve("Thomas Müller - Stadt Herford")["Thomas Müller"])
    assert registry.resolve(resolve("Thomas Müller kam.")["Thomas Müller"]) == "thomas müller|"


def test_alias_file_merges_and_splits(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "merge:\n"
        "  - canonical: Michael Dreier\n"
        "    aliases: [M. Dreier, Michael Dreyer]\n"
        "    affiliation: Stadt Paderborn\n"
        "split:\n"
        "  - name: Jürgen Geisler\n",
        encoding="utf-8",
    )
    aliases = load_aliases(path)
    assert aliases.person("michael  DREYER") == "Michael Dreier"
    people = resolve("Herr Michael Dreyer begrüßte alle.", path)
    assert list(people) == ["Michael Dreier"]
    registry = PersonRegistry(aliases)
    registry.resolve(
        resolve("Jürgen Geisler – Geschäftsstellenleiter regiopolREGION Paderborn e.V.")[
            "Jürgen Geisler"
        ]
    )
    assert registry.resolve(resolve("Jürgen Geisler kam.")["Jürgen Geisler"]) == "jürgen geisler|"


def test_alias_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("merge:\n  - aliases: [x]\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"broken\.yaml"):
        load_aliases(path)
