"""Plain token and sentence records that the rule modules read instead of spaCy objects.

``ingest/nlp.py`` is the only module that may import spaCy, so it converts each ``Doc``
into these frozen records once; gazetteer, person, organisation, topic and experience rules
then stay pure Python and can be tested with hand-made tokens.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

DETERMINERS = frozenset(
    {
        "der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "eines", "einem",
        "einen", "im", "zum", "zur", "vom", "beim", "am", "ins", "ans", "unser", "unsere",
        "unserer", "unseres", "unserem", "unseren", "ihr", "ihre", "ihrer", "ihres", "ihrem",
        "sein", "seine", "seiner", "seines", "seinem", "dieser", "diese", "dieses", "diesem",
        "diesen", "jede", "jeder", "jedes", "kein", "keine", "gutes", "gute", "guten",
    }
)  # fmt: skip


class Token(NamedTuple):
    """One non-whitespace token with its character offsets in the analysed text.

    A ``NamedTuple`` rather than a frozen dataclass: about 180 are built per passage, and a
    frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field) took a third of the
    tokenisation time.
    """

    i: int
    text: str
    lower: str
    lemma: str  # lower-cased lookup lemma (the token itself where the table has none)
    start: int
    end: int
    sent_start: bool
    newline_before: bool  # a line break separates this token from the previous one
    space_before: bool

    @property
    def is_title(self) -> bool:
        """Starts with an upper-case letter: German nouns and names."""
        return self.text[:1].isupper()

    @property
    def is_upper(self) -> bool:
        """All letters upper case (headings, acronyms)."""
        return self.text.isupper()


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as token range ``[first, last)`` and character span ``[start, end)``."""

    first: int
    last: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """A phrase-matcher hit: tokens ``[first, last)`` matched the surface form ``key``."""

    first: int
    last: int
    key: str


def span_text(text: str, tokens: Sequence[Token], first: int, last: int) -> str:
    """The original text covered by tokens ``[first, last)``."""
    return text[tokens[first].start : tokens[last - 1].end]


def sentence_of(sentences: Sequence[Sentence], offset: int) -> int:
    """Index of the sentence containing character ``offset`` (the last one before it)."""
    low, high = 0, len(sentences) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if sentences[mid].start <= offset:
            low = mid
        else:
            high = mid - 1
    return low


def longest_first(matches: Sequence[TokenMatch]) -> list[TokenMatch]:
    """Non-overlapping matches, preferring the longest and then the earliest."""
    ordered = sorted(matches, key=lambda m: (m.first - m.last, m.first))
    taken: set[int] = set()
    kept: list[TokenMatch] = []
    for match in ordered:
        positions = range(match.first, match.last)
        if any(p in taken for p in positions):
            continue
        taken.update(positions)
        kept.append(match)
    kept.sort(key=lambda m: m.first)
    return kept
