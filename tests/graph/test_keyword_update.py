"""``KeywordIndex.update`` keeps the index equal to one built from scratch.

The lexicon (corpus words plus thesaurus labels) decides how compounds split, so a passage
added or removed can change the terms of passages elsewhere. ``update`` takes the old words
back out of the lexicon and analyses again exactly the passages whose terms moved.
"""

import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.german import GermanAnalyzer, containing, surface_tokens
from graph.keyword import KeywordIndex

POOL = (
    "Die Starkregengefahrenkarte der Stadt wurde im Ausschuss vorgestellt.",
    "Eine Gefahrenkarte für Starkregen liegt für das Kreisgebiet vor.",
    "Regenwasserzisternen entlasten die Kanalisation.",
    "Zuschuss für jede Zisterne im Ortsteil.",
    "Der Radweg entlang der Landstraße wird saniert.",
    "Radwegebau und Radwegeplanung kommen voran.",
    "Die Bürgerbeteiligung in Gütersloh war gut besucht.",
    "Das Bürgerbudget finanziert Regentonnen und Gründächer.",
    "Die Umsetzung des Onlinezugangsgesetzes überfordert kleine Verwaltungen.",
    "Eine Arbeitsgruppe für die Satzung wurde gegründet.",
    "Die Fördermittelakquise übernimmt künftig eine zentrale Stelle.",
    "Wärmeplanung und Wärmenetze: die kommunale Wärmeplanung beginnt.",
    "Netze, Wärme und Planung im Kreis Herford.",
    "Hitzeschutz-Aktionsplan und Hitzeschutz für Kitas.",
    "Regenwasser versickert vor Ort.",
    "Der Aktionsplan Starkregen nennt Gefahren.",
)
SYNONYMS = {"OZG": ["Onlinezugangsgesetz"], "Kita": ["Kindertagesstätte"]}
LABELS = ["Fördermittel", "Arbeit", "Klimaanpassung", "Starkregen"]
KEYS = [f"p{i}" for i in range(6)]
QUERIES = sorted({t for text in POOL for t in surface_tokens(text)} | {"OZG", "Kita"})


def fresh(texts: dict[str, str]) -> KeywordIndex:
    index = KeywordIndex(SYNONYMS, LABELS)
    index.build(texts.items())
    return index


def state(index: KeywordIndex) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index.json.gz"
        index.save(path)
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            saved: dict[str, Any] = json.load(handle)
    return saved


@settings(max_examples=40, deadline=None)
@given(
    start=st.dictionaries(st.sampled_from(KEYS), st.sampled_from(POOL), max_size=4),
    steps=st.lists(st.tuples(st.sampled_from(KEYS), st.none() | st.sampled_from(POOL)), max_size=6),
)
def test_updates_equal_a_fresh_build(
    start: dict[str, str], steps: list[tuple[str, str | None]]
) -> None:
    index, texts = fresh(start), dict(start)
    for key, text in steps:
        removed = {key: texts.pop(key)} if key in texts else {}
        added = [] if text is None else [(key, text)]
        if text is not None:
            texts[key] = text
        index.update(removed, added, texts.__getitem__)
        assert index.exact_updates
    expected = fresh(texts)
    assert state(index) == state(expected)
    for query in QUERIES:
        assert index.search(query, 10) == expected.search(query, 10)


def test_a_new_part_splits_an_indexed_compound() -> None:
    texts = {"zisternen": POOL[2], "wasser": "Regenwasser versickert vor Ort."}
    index = fresh(texts)
    assert index.search("Zisterne", 5) == []
    assert index.update({}, [("zisterne", POOL[3])], texts.__getitem__) == 1
    assert {key for key, _ in index.search("Zisterne", 5)} == {"zisterne", "zisternen"}
    assert index.update({"zisterne": POOL[3]}, [], texts.__getitem__) == 1
    assert index.search("Zisterne", 5) == []


def test_a_small_move_of_a_frequent_word_can_flip_a_split() -> None:
    analyzer = GermanAnalyzer()
    analyzer.learn_counts({"regenwasser": 20, "stand": 20, "regen": 20, "wasserstand": 21})
    assert analyzer.analyze("Regenwasserstand")[1:] == ["reg", "wasserstand"]
    analyzer.learn_counts({"wasserstand": -2})  # log frequency moves by 0.095 only
    assert analyzer.analyze("Regenwasserstand")[1:] == ["regenwass", "stand"]
    analyzer.learn_counts({"stand": -1, "wasserstand": 3})  # and back
    assert analyzer.analyze("Regenwasserstand")[1:] == ["reg", "wasserstand"]


def test_small_moves_reach_the_chosen_form_and_compounds_of_compounds() -> None:
    analyzer = GermanAnalyzer()
    counts = {"arbeit": 21, "arbeits": 20, "gruppe": 30, "regenwasser": 20, "stand": 20}
    analyzer.learn_counts(counts | {"regen": 20, "wasserstand": 21})
    analyzer.learn_counts({"regenwasserstand": 200, "alt": 200})
    parts = analyzer.decompounder.parts
    assert parts("arbeitsgruppe") == ["arbeit", "gruppe"]
    assert parts("altregenwasserstand") == ["alt", "regenwasserstand", "regen", "wasserstand"]
    analyzer.learn_counts({"arbeit": -2, "wasserstand": -2})
    assert parts("arbeitsgruppe") == ["arbeits", "gruppe"]
    assert parts("altregenwasserstand") == ["alt", "regenwasserstand", "regenwasser", "stand"]


PARTS = (
    *("wasser", "stand", "erstand", "wass", "regen", "regenwasser", "stark", "starkregen"),
    *("gefahren", "karte", "gefahrenkarte", "karten", "standes", "amt", "wasserstand"),
)
COMPOUNDS = (
    "regenwasserstand",
    "starkregengefahrenkarte",
    "wasserstandskarte",
    "gefahrenkartenstand",
    "standesamtskarten",
    "starkregenwasserstandsamt",
)


@settings(max_examples=60, deadline=None)
@given(
    start=st.dictionaries(st.sampled_from(PARTS), st.integers(1, 60), min_size=4),
    steps=st.lists(st.tuples(st.sampled_from(PARTS), st.integers(-8, 8)), max_size=8),
)
def test_split_caches_follow_frequency_changes(
    start: dict[str, int], steps: list[tuple[str, int]]
) -> None:
    """Small moves of frequent words too: a cached split must equal a fresh one."""
    analyzer, counts = GermanAnalyzer(), dict(start)
    analyzer.learn_counts(counts)
    for word, delta in steps:
        analyzer.analyze_tokens(COMPOUNDS)  # fill the caches before every change
        delta = max(delta, -counts.get(word, 0))
        counts[word] = counts.get(word, 0) + delta
        analyzer.learn_counts({word: delta})
    expected = GermanAnalyzer()
    expected.learn_counts({w: c for w, c in counts.items() if c})
    for compound in COMPOUNDS:
        assert analyzer.analyze(compound) == expected.analyze(compound), compound


def test_add_and_remove_mark_the_index_inexact() -> None:
    index = fresh({"a": POOL[0]})
    index.add("b", POOL[1])
    assert not index.exact_updates
    other = fresh({"a": POOL[0]})
    other.remove(["a"])
    assert not other.exact_updates


def test_stems_are_prefixes_of_their_pieces_without_e() -> None:
    """Exact cache invalidation relies on it (``graph.german`` module docstring)."""
    stemmer = Stemmer.Stemmer("german")
    words = {w for text in POOL for w in surface_tokens(text)} | {"fuer", "bauen", "quelle"}
    pieces = {w[i:j] for w in words for i in range(len(w)) for j in range(i + 1, len(w) + 1)}
    for piece in pieces:
        assert piece.replace("e", "").startswith(stemmer.stemWord(piece).replace("e", ""))


@given(
    words=st.lists(st.text("aebnrs", min_size=1, max_size=9), max_size=20),
    keys=st.lists(st.text("aebnrs", min_size=1, max_size=5), max_size=8),
)
def test_containing_finds_each_word_with_a_key(words: list[str], keys: list[str]) -> None:
    cores = [k.replace("e", "") for k in keys]
    expected = [w for w in words if any(core in w.replace("e", "") for core in cores)]
    assert containing(words, keys) == expected
