"""The German BM25 leg: folding, stemming, decompounding, synonyms and persistence."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import StoreUnavailable
from graph.keyword import GermanAnalyzer, KeywordIndex, analyze, fold

PASSAGES = {
    "compound": "Die Starkregengefahrenkarte der Stadt wurde im Ausschuss vorgestellt.",
    "phrase": "Eine Gefahrenkarte für Starkregen liegt für das Kreisgebiet vor.",
    "regen": "Starkregen und Hochwasser beschäftigen den Kreis.",
    "radweg": "Der Radweg entlang der Landstraße wird saniert.",
    "strasse": "Die Sanierung der Straße am Marktplatz beginnt im Mai.",
    "buerger": "Die Bürgerbeteiligung in Gütersloh war gut besucht.",
    "ozg": "Die Umsetzung des Onlinezugangsgesetzes überfordert kleine Verwaltungen.",
    "gruppe": "Eine Gruppe für die Arbeit an der Satzung wurde gegründet.",
    "foerder": "Die Fördermittelakquise übernimmt künftig eine zentrale Stelle.",
    "other": "Der Haushalt wurde ohne Gegenstimmen beschlossen.",
}
SYNONYMS = {"OZG": ["Onlinezugangsgesetz"], "Kita": ["Kindertagesstätte"]}


@pytest.fixture
def index() -> KeywordIndex:
    keyword_index = KeywordIndex(SYNONYMS, lexicon=["Fördermittel", "Arbeit"])
    keyword_index.build(PASSAGES.items())
    return keyword_index


def keys(index: KeywordIndex, query: str, limit: int = 10) -> list[str]:
    return [key for key, _ in index.search(query, limit)]


def test_compound_in_passage_matches_its_part(index: KeywordIndex) -> None:
    assert "compound" in keys(index, "Starkregen")


def test_compound_query_matches_the_parts_spelled_apart(index: KeywordIndex) -> None:
    found = keys(index, "Starkregengefahrenkarte")
    assert found[0] == "compound"
    assert "phrase" in found[:2]


def test_hyphenated_compound_matches_the_closed_form(index: KeywordIndex) -> None:
    assert set(keys(index, "Starkregen-Gefahrenkarte")[:2]) == {"compound", "phrase"}
    assert "starkregengefahrenkart" in index.analyze("Starkregen-Gefahrenkarte")


def test_fugen_s_links_known_parts(index: KeywordIndex) -> None:
    parts = index.analyze("Arbeitsgruppe")
    assert set(parts) >= {index.analyze("Arbeit")[0], index.analyze("Gruppe")[0]}
    assert keys(index, "Arbeitsgruppe")[0] == "gruppe"


def test_thesaurus_term_splits_off_an_unknown_tail(index: KeywordIndex) -> None:
    assert keys(index, "Fördermittel") == ["foerder"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Strasse", "strasse"), ("Buergerbeteiligung", "buerger"), ("Guetersloh", "buerger")],
)
def test_umlauts_and_sharp_s_fold(index: KeywordIndex, query: str, expected: str) -> None:
    assert keys(index, query)[0] == expected


def test_stemming_joins_inflections(index: KeywordIndex) -> None:
    assert analyze("Radwege") == analyze("Radweg")
    assert keys(index, "Radwege") == ["radweg"]


def test_synonyms_expand_the_query(index: KeywordIndex) -> None:
    assert keys(index, "OZG") == ["ozg"]
    assert keys(index, "Kita") == []


def test_allowed_keys_restrict_results(index: KeywordIndex) -> None:
    assert keys(index, "Starkregen") != ["regen"]
    hits = index.search("Starkregen", 10, allowed_keys={"regen", "radweg", "missing"})
    assert [key for key, _ in hits] == ["regen"]
    assert index.search("Starkregen", 10, allowed_keys=set()) == []


def test_limit_and_order(index: KeywordIndex) -> None:
    hits = index.search("Starkregen Gefahrenkarte", 2)
    assert len(hits) == 2
    assert hits[0][1] >= hits[1][1] > 0


def test_remove_and_add(index: KeywordIndex) -> None:
    assert index.remove(["radweg", "nope"]) == 1
    assert keys(index, "Radweg") == []
    index.add("radweg2", "Neue Radwege im Ortsteil")
    assert keys(index, "Radweg") == ["radweg2"]
    assert len(index) == len(PASSAGES)
    assert "radweg2" in index


def test_stopwords_and_unknown_words_find_nothing(index: KeywordIndex) -> None:
    assert analyze("der die das und für über") == []
    assert index.search("und oder", 5) == []
    assert index.search("Quantencomputer", 5) == []


def test_empty_index_finds_nothing() -> None:
    assert KeywordIndex().search("Starkregen", 5) == []


def test_save_load_round_trip(index: KeywordIndex, tmp_path: Path) -> None:
    path = tmp_path / "keyword.json.gz"
    index.save(path)
    loaded = KeywordIndex.load(path, synonyms=SYNONYMS)
    assert loaded.keys() == index.keys()
    for query in ("Starkregengefahrenkarte", "OZG", "Fördermittel", "Radwege"):
        assert loaded.search(query, 5) == index.search(query, 5)
    assert loaded.analyze("Arbeitsgruppe") == index.analyze("Arbeitsgruppe")


def test_load_refuses_missing_or_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="rebuild"):
        KeywordIndex.load(tmp_path / "missing.json.gz")
    foreign = tmp_path / "foreign.json.gz"
    foreign.write_bytes(b"not gzip")
    with pytest.raises(StoreUnavailable):
        KeywordIndex.load(foreign)


def test_decompounder_prefers_frequent_parts() -> None:
    analyzer = GermanAnalyzer()
    analyzer.learn("Starkregen Starkregen Gefahrenkarte Karte Gefahren Stark Regen")
    # Best split first (starkregen | gefahrenkarte), then each part split again.
    assert analyzer.decompounder.parts("starkregengefahrenkarte") == [
        "starkregen",
        "stark",
        "regen",
        "gefahrenkarte",
        "gefahren",
        "karte",
    ]
    assert analyzer.decompounder.parts("haushalt") == []


@given(st.text(max_size=40))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
