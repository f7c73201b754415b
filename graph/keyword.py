"""German BM25 leg of the hybrid search: analyzer, decompounder and the keyword index.

German glues words together ("Starkregengefahrenkarte"), so a plain stemmer never lets the
query "Starkregen" find that passage. The analyzer therefore splits compounds against a
lexicon of known words (corpus vocabulary plus thesaurus labels) and indexes the compound
and its parts. BM25 itself is bm25s (chosen over qdrant-edge's built-in German BM25, which
has no decompounding and would tie the keyword leg to one vector backend; see
docs/vectors.md for the measurement).
"""

import gzip
import json
import logging
import math
import os
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_GERMAN

from graph.errors import StoreUnavailable

__all__ = ["Decompounder", "GermanAnalyzer", "KeywordIndex", "analyze", "fold"]

logger = logging.getLogger(__name__)

_FORMAT = 1
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# Linking elements (Fugen) between compound parts, longest first: Arbeit-s-gruppe,
# Land-es-amt, Gefahr-en-karte, Kind-er-garten, Hund-e-hütte.
_FUGEN = ("es", "en", "er", "s", "n", "e")
MIN_PART = 3
MAX_PARTS = 4
MAX_WORD = 48
_MIN_DOMAIN = 5


def fold(word: str) -> str:
    """Lower-case form with umlauts as digraphs, so "Bürger" == "Buerger", "Straße" == "Strasse".

    ``casefold`` already turns "ß" into "ss"; chained ``replace`` is far faster than a
    translation table on long passages.
    """
    folded = unicodedata.normalize("NFC", word).casefold()
    return folded.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")


STOPWORDS = frozenset(fold(w) for w in STOPWORDS_GERMAN)


def surface_tokens(text: str) -> list[str]:
    """Folded words of ``text``; a hyphenated word yields its parts and the joined form."""
    tokens: list[str] = []
    for word in _WORD.findall(fold(text)):
        if "-" in word:
            parts = word.split("-")
            tokens.extend(parts)
            tokens.append("".join(parts))
        else:
            tokens.append(word)
    return tokens


class Decompounder:
    """Splits German compounds into lexicon words (Koehn & Knight frequency criterion).

    Among all splits into 2-4 known parts (with Fugen and a dropped final "e" allowed
    between parts, any inflection on the last part) the one with the highest geometric
    mean of part frequencies wins; parts are split again recursively.
    """

    def __init__(self, stem: "_Stemmer", counts: Mapping[str, int] | None = None) -> None:
        self._stem = stem
        self._words: Counter[str] = Counter()
        self._stems: Counter[str] = Counter()
        self._domain: set[str] = set()
        self._cache: dict[str, list[str]] = {}
        self.generation = 0
        if counts:
            self.learn_counts(counts)

    @property
    def domain(self) -> set[str]:
        """Thesaurus words: also split off a compound whose other part is unknown."""
        return set(self._domain)

    def learn_domain(self, words: Iterable[str]) -> None:
        """Mark words as domain terms (thesaurus labels) and add them to the lexicon."""
        usable = [w for w in words if _lexical(w)]
        self._domain.update(w for w in usable if len(w) >= _MIN_DOMAIN)
        self.learn(usable)

    @property
    def counts(self) -> dict[str, int]:
        """Known words and their frequencies (persisted with the index)."""
        return dict(self._words)

    def learn(self, words: Iterable[str]) -> None:
        """Count folded words as known; stopwords, short and numeric tokens are skipped."""
        self.learn_counts(Counter(words))

    def learn_counts(self, counts: Mapping[str, int]) -> None:
        """Add word frequencies to the lexicon."""
        usable = {w: c for w, c in counts.items() if _lexical(w)}
        new_words = not usable.keys() <= self._words.keys()
        self._words.update(usable)
        for word, count in usable.items():
            self._stems[self._stem(word)] += count
        if new_words:
            # A new word can make cached words splittable; frequencies alone barely matter.
            self._cache.clear()
            self.generation += 1

    def parts(self, word: str) -> list[str]:
        """All parts of a folded word at every level, or ``[]`` if it is no compound."""
        cached = self._cache.get(word)
        if cached is None:
            cached = []
            if len(word) > MAX_WORD:
                return cached  # ids, hashes, run-together garbage: no split worth the time
            for part in self._best_split(word):
                cached.append(part)
                cached.extend(p for p in self.parts(part) if p not in cached)
            self._cache[word] = cached
        return cached

    def _best_split(self, word: str) -> list[str]:
        return self._frequency_split(word) or self._domain_split(word)

    def _domain_split(self, word: str) -> list[str]:
        # "Fördermittelakquise": the tail is unknown, but the query "Fördermittel" must hit.
        for size in range(len(word) - MIN_PART, _MIN_DOMAIN - 1, -1):
            for piece in (word[:size], word[-size:]):
                if piece in self._domain:
                    return [piece]
        return []

    def _frequency_split(self, word: str) -> list[str]:
        best: tuple[float, list[str]] = (0.0, [])
        for split in self._splits(word, 0, MAX_PARTS):
            if len(split) < 2:
                continue
            score = sum(math.log1p(count) for _, count in split) / len(split)
            if score > best[0] or (score == best[0] and len(split) < len(best[1])):
                best = (score, [form for form, _ in split])
        return best[1]

    def _splits(self, word: str, start: int, budget: int) -> Iterable[list[tuple[str, int]]]:
        final = self._part(word[start:], final=True)
        if final is not None:
            yield [final]
        if budget == 1:
            return
        for end in range(start + MIN_PART, len(word) - MIN_PART + 1):
            head = self._part(word[start:end], final=False)
            if head is not None:
                for tail in self._splits(word, end, budget - 1):
                    yield [head, *tail]

    def _part(self, piece: str, *, final: bool) -> tuple[str, int] | None:
        """``(lexicon form, frequency)`` of a piece, or ``None`` if it is no known word."""
        if final:
            count = self._words.get(piece) or self._stems.get(self._stem(piece), 0)
            return (piece, count) if count and piece not in STOPWORDS else None
        candidates = [piece, piece + "e"]
        candidates += [piece[: -len(f)] for f in _FUGEN if piece.endswith(f)]
        found = [(c, self._words[c]) for c in candidates if len(c) >= MIN_PART and c in self._words]
        return max(found, key=lambda pair: pair[1]) if found else None


def _lexical(word: str) -> bool:
    return len(word) >= MIN_PART and word.isalpha() and word not in STOPWORDS


class _Stemmer:
    """Memoising, thread-safe Snowball German stemmer.

    PyStemmer objects must not be shared between threads without a lock, and the
    vocabulary is small next to the token count, so a dict in front saves most calls.
    """

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("german")
        self._lock = threading.Lock()
        self._memo: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stemmed = self._memo.get(word)
        if stemmed is None:
            with self._lock:
                stemmed = self._stemmer.stemWord(word)
            self._memo[word] = stemmed
        return stemmed


class GermanAnalyzer:
    """Text -> index terms: fold umlauts/ß, drop stopwords, decompound, Snowball-stem."""

    def __init__(self, lexicon: Mapping[str, int] | None = None) -> None:
        self._stem = _Stemmer()
        self.decompounder = Decompounder(self._stem, lexicon)
        self._terms: dict[str, list[str]] = {}
        self._generation = self.decompounder.generation

    def learn(self, text: str, *, domain: bool = False) -> None:
        """Add the words of ``text`` to the lexicon; ``domain`` for thesaurus labels."""
        if domain:
            self.decompounder.learn_domain(surface_tokens(text))
        else:
            self.decompounder.learn(surface_tokens(text))

    def analyze(self, text: str) -> list[str]:
        """Index terms of ``text``: each word's stem followed by the stems of its parts."""
        return self.analyze_tokens(surface_tokens(text))

    def analyze_tokens(self, tokens: Iterable[str]) -> list[str]:
        """Index terms of already folded surface tokens (see ``surface_tokens``)."""
        if self._generation != self.decompounder.generation:
            self._terms.clear()
            self._generation = self.decompounder.generation
        terms: list[str] = []
        for token in tokens:
            cached = self._terms.get(token)
            if cached is None:
                cached = self._token_terms(token)
                self._terms[token] = cached
            terms.extend(cached)
        return terms

    def _token_terms(self, token: str) -> list[str]:
        if token in STOPWORDS or len(token) < 2:
            return []
        parts = self.decompounder.parts(token)
        return [self._stem(token), *(self._stem(part) for part in parts)]


def analyze(text: str) -> list[str]:
    """Index terms of ``text`` without a lexicon (folding, stopwords, stemming only)."""
    return GermanAnalyzer().analyze(text)


class KeywordIndex:
    """BM25 (bm25s, Lucene variant) over analysed passages, keyed by the caller's doc keys.

    Writes only mark the index stale; the bm25s matrix is rebuilt on the next search,
    which takes ~1.5 s for 20k passages on two busy cores. ``synonyms`` (thesaurus altLabels,
    built by the caller) expand the query: a key found in the query adds its values.
    """

    def __init__(
        self,
        synonyms: Mapping[str, Sequence[str]] | None = None,
        lexicon: Iterable[str] = (),
        *,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        """Create an empty index; ``lexicon`` seeds the decompounder (thesaurus labels)."""
        self._analyzer = GermanAnalyzer()
        self._k1, self._b = k1, b
        self._docs: dict[str, list[str]] = {}
        self._lock = threading.RLock()
        self._retriever: tuple[Any, list[str], dict[str, int]] | None = None
        for label in lexicon:
            self._analyzer.learn(label, domain=True)
        self._synonyms: dict[str, list[tuple[tuple[str, ...], list[str]]]] = {}
        for key, values in (synonyms or {}).items():
            self._add_synonym(key, values)

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_key: object) -> bool:
        return doc_key in self._docs

    def analyze(self, text: str) -> list[str]:
        """Index terms of ``text`` with this index's lexicon."""
        return self._analyzer.analyze(text)

    def add(self, doc_key: str, text: str) -> None:
        """Add or replace one passage; its words join the lexicon first."""
        tokens = surface_tokens(text)
        with self._lock:
            self._analyzer.decompounder.learn(tokens)
            self._docs[doc_key] = self._analyzer.analyze_tokens(tokens)
            self._retriever = None

    def build(self, items: Iterable[tuple[str, str]]) -> None:
        """Replace the whole index; the lexicon sees every passage before any is split."""
        tokenized = [(key, surface_tokens(text)) for key, text in items]
        with self._lock:
            self._analyzer.decompounder.learn(t for _, tokens in tokenized for t in tokens)
            self._docs = {key: self._analyzer.analyze_tokens(tokens) for key, tokens in tokenized}
            self._retriever = None
        logger.info("keyword index built over %d passages", len(tokenized))

    def remove(self, doc_keys: Iterable[str]) -> int:
        """Drop passages; returns how many were present."""
        with self._lock:
            removed = sum(self._docs.pop(key, None) is not None for key in doc_keys)
            if removed:
                self._retriever = None
        return removed

    def keys(self) -> set[str]:
        """Keys of all indexed passages."""
        return set(self._docs)

    def search(
        self, query: str, limit: int, allowed_keys: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """Best ``limit`` passages for ``query`` as ``(doc_key, bm25 score)``, score > 0."""
        retriever, keys, rows = self._current()
        terms = [t for t in dict.fromkeys(self._query_terms(query)) if t in retriever.vocab_dict]
        if not terms or limit <= 0:
            return []
        scores = retriever.get_scores(terms)
        if allowed_keys is None:
            candidates = np.flatnonzero(scores > 0)
        else:
            allowed_rows = np.fromiter((rows[k] for k in allowed_keys if k in rows), dtype=np.int64)
            candidates = allowed_rows[scores[allowed_rows] > 0]
        if candidates.size > limit:
            candidates = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
        ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(keys[i], float(scores[i])) for i in ordered]

    def save(self, path: Path) -> None:
        """Write lexicon and analysed passages (gzip JSON) atomically to ``path``."""
        with self._lock:
            state = {
                "format": _FORMAT,
                "bm25": {"k1": self._k1, "b": self._b},
                "lexicon": self._analyzer.decompounder.counts,
                "domain": sorted(self._analyzer.decompounder.domain),
                "docs": self._docs,
            }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=5) as handle:
            json.dump(state, handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)

    @classmethod
    def load(
        cls, path: Path, synonyms: Mapping[str, Sequence[str]] | None = None
    ) -> "KeywordIndex":
        """Read an index written by :meth:`save`; synonyms come fresh from the thesaurus.

        Raises:
            StoreUnavailable: if the file is missing, corrupt or of another format.
        """
        try:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                state = json.load(handle)
        except (OSError, ValueError) as e:
            raise StoreUnavailable(f"cannot read keyword index {path}: {e}; rebuild it") from e
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise StoreUnavailable(f"keyword index {path} has another format; rebuild it")
        index = cls(synonyms, k1=state["bm25"]["k1"], b=state["bm25"]["b"])
        index._analyzer.decompounder.learn_counts(state["lexicon"])
        index._analyzer.decompounder.learn_domain(state["domain"])
        index._docs = {str(k): list(v) for k, v in state["docs"].items()}
        return index

    def _add_synonym(self, key: str, values: Sequence[str]) -> None:
        key_tokens = tuple(surface_tokens(key))
        if not key_tokens:
            return
        self._synonyms.setdefault(key_tokens[0], []).append((key_tokens, list(values)))
        for label in (key, *values):
            self._analyzer.learn(label, domain=True)

    def _query_terms(self, query: str) -> list[str]:
        tokens = surface_tokens(query)
        expansions: list[str] = []
        for i, token in enumerate(tokens):
            for key_tokens, values in self._synonyms.get(token, ()):
                if tuple(tokens[i : i + len(key_tokens)]) == key_tokens:
                    expansions.extend(values)
        return self._analyzer.analyze(" ".join([query, *expansions]))

    def _current(self) -> tuple[Any, list[str], dict[str, int]]:
        with self._lock:
            if self._retriever is None:
                keys = list(self._docs)
                retriever = bm25s.BM25(k1=self._k1, b=self._b, method="lucene")
                corpus = [self._docs[k] or [""] for k in keys] or [[""]]
                retriever.index(corpus, show_progress=False)
                self._retriever = (retriever, keys, {k: i for i, k in enumerate(keys)})
            return self._retriever
