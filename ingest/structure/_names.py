"""Display forms of names a protocol writes in capitals ("DAS NEUE STADT LAND QUARTIER").

German capitalisation cannot be guessed from the word alone (nouns upper, adjectives lower), so
the document itself is asked first: protocols usually mention the same name in running text.
"""

import re
from collections import Counter

_SMALL_WORDS = {
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "und", "oder", "ohne", "mit",
    "für", "von", "vom", "zu", "zum", "zur", "im", "in", "am", "an", "auf", "aus", "bei", "über",
    "unter", "neue", "neuen", "neuer", "neues", "als", "nach",
}  # fmt: skip
_WORD = re.compile(r"\w+")
_PHRASE_LOOKUPS = 50  # each phrase lookup scans the text; bound the work per document


class NameCaser:
    """Casing lookups against one document's text, indexed once."""

    def __init__(self, text: str) -> None:
        """Remember the text; the word index is built on first use."""
        self._text = text
        self._forms: dict[str, Counter[str]] | None = None
        self._cache: dict[str, str] = {}

    def display(self, raw: str) -> str:
        """The casing the document uses elsewhere, else a German-aware title case."""
        raw = " ".join(raw.split())
        if not raw or any(char.islower() for char in raw):
            return raw
        if raw not in self._cache:
            phrase = self._phrase(raw) if len(self._cache) < _PHRASE_LOOKUPS else None
            self._cache[raw] = phrase or self._by_words(raw)
        return self._cache[raw]

    def _phrase(self, phrase: str) -> str | None:
        escaped = re.escape(phrase).replace(r"\ ", r"\s+")
        pattern = re.compile(r"(?<!\w)" + escaped + r"(?!\w)", re.I)
        for match in pattern.finditer(self._text):
            found = " ".join(match.group().split())
            if any(char.islower() for char in found):
                return found
        return None

    def _by_words(self, raw: str) -> str:
        words = [self._word(word) for word in raw.split(" ")]
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words)

    def _word(self, word: str) -> str:
        if self._forms is None:
            self._forms = {}
            for match in _WORD.finditer(self._text):
                form = match.group()
                if not form.isupper():
                    self._forms.setdefault(form.lower(), Counter())[form] += 1
        forms = self._forms.get(word.lower())
        if forms:
            return forms.most_common(1)[0][0]
        lowered = word.lower()
        return lowered if lowered in _SMALL_WORDS else lowered[:1].upper() + lowered[1:]
