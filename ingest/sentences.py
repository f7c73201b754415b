"""Sentence boundaries from plain tokens, for German protocols that PDF text breaks up.

spaCy's sentencizer costs a Python call per token; ``ingest/nlp.py`` instead decides each
token's ``sent_start`` while it builds the tokens, with the rules here: after ".", "!", "?"
unless a lower-case word follows, and at line breaks that look like a new list or agenda
line rather than a line wrapped mid-sentence.
"""

from collections.abc import Sequence

from ingest.analysis import SentenceAnalysis
from ingest.tokens import Sentence, Token

_SENTENCE_END = frozenset({".", "!", "?", "…", "?!", "!?"})
_BULLETS = frozenset({"-", "+", "•", "*", "–", "→", "·", "▪"})


def starts_sentence(previous: Token, word: str, newline: bool) -> bool:
    """Whether ``word``, following ``previous`` (after a line break or not), opens a sentence."""
    if previous.text in _SENTENCE_END:
        return not word[:1].islower()
    return newline and _line_break_ends_sentence(previous, word)


def _line_break_ends_sentence(previous: Token, word: str) -> bool:
    """PDF text breaks lines mid-sentence; a break after a lower-case word is no boundary."""
    if word in _BULLETS or previous.text[-1:] in ".:!?;)":
        return True
    starts_like_sentence = word[:1].isupper() or word[:1].isdigit()
    previous_is_prose = previous.text[:1].islower() or previous.text.endswith("-")
    return starts_like_sentence and not previous_is_prose


def sentences(tokens: Sequence[Token]) -> list[Sentence]:
    """Sentences from the tokens' ``sent_start`` flags."""
    starts = [t.i for t in tokens if t.sent_start] or [0]
    bounds = [*starts[1:], len(tokens)]
    return [
        Sentence(first, last, tokens[first].start, tokens[last - 1].end)
        for first, last in zip(starts, bounds, strict=True)
        if last > first
    ]


def sentence_analysis(sentence: Sentence, tokens: Sequence[Token]) -> SentenceAnalysis:
    """The sentence's span and the lemmas of its words (punctuation dropped)."""
    words = tokens[sentence.first : sentence.last]
    lemmas = tuple(t.lemma for t in words if any(c.isalnum() for c in t.text))
    return SentenceAnalysis(sentence.start, sentence.end, lemmas)
