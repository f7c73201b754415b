"""Whether a capitalised name is also an ordinary German word, from the lemma lookup table.

Town names such as "Lage", "Essen" or "Enger" are common words too; the gazetteer marks
those so that ``ingest/places.py`` asks for a cue ("Stadt Lage", "in Lage"). The test only
needs the lookup table as a mapping (inflected form -> lemma), so it lives outside the spaCy
module and can be tried with a hand-made table.
"""

from collections.abc import Callable, Iterable, Mapping


def is_common_word_test(
    table: Mapping[str, str], first_names: Iterable[str] = ()
) -> Callable[[str], bool]:
    """A test for words that are common German words (or first names).

    A word counts as common if the lemma table knows it as an inflected form, knows its
    lower-case form (verbs, adjectives: "Enger", "Essen"), or knows plural forms of it
    ("Orte" -> "Ort"); names of towns only ever take the genitive "-s".
    """
    values = frozenset(table.values())
    names = frozenset(first_names)

    def is_common(word: str) -> bool:
        low = word.lower()
        if word in names or word in table or low in table or low in values:
            return True
        if word not in values:
            return False
        umlauted = _umlaut(word)
        plurals = (word + "e", word + "en", word + "n", word + "er", umlauted + "e")
        return any(table.get(form) == word for form in (*plurals, umlauted + "er"))

    return is_common


def _umlaut(word: str) -> str:
    """The word with its last back vowel umlauted ("Ort" -> "Ört", "Haus" -> "Häus")."""
    for plain, marked in (("au", "äu"), ("a", "ä"), ("o", "ö"), ("u", "ü")):
        index = word.rfind(plain)
        if index >= 0:
            return word[:index] + marked + word[index + len(plain) :]
    return word
