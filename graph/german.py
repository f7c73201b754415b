"""German text analysis for the keyword leg: folding, stopwords, decompounding, stemming.

German glues words together ("Starkregengefahrenkarte"), so a plain stemmer never lets the
query "Starkregen" find that passage. The analyzer therefore splits compounds against a
lexicon of known words (corpus vocabulary plus thesaurus labels) and indexes the compound
and its parts.

The lexicon changes with every passage added or removed, and with it the best split of
words elsewhere in the corpus. The caches of splits and terms are therefore kept exact
rather than cleared. A split of word ``w`` only ever looks up lexicon keys derived from
pieces of ``w``: a piece, a piece plus "e", a piece without its Fuge, the Snowball stem of
a piece. With every "e" deleted from both, each such key is a substring of ``w``
(Snowball German only cuts suffixes and merges "ae"/"oe"/"ue" into "a"/"o"/"u"; a test
checks this on every piece of the demo corpus's words). When keys change, only cached
words that contain one of them in this sense can change; ``Decompounder`` drops those
whose split is not clear enough of the runner-up to survive the change.
"""

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

import Stemmer
from bm25s.stopwords import STOPWORDS_GERMAN

__all__ = ["STOPWORDS", "Decompounder", "GermanAnalyzer", "analyze", "fold", "surface_tokens"]

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# Linking elements (Fugen) between compound parts, longest first: Arbeit-s-gruppe,
# Land-es-amt, Gefahr-en-karte, Kind-er-garten, Hund-e-hütte.
_FUGEN = ("es", "en", "er", "s", "n", "e")
MIN_PART = 3
MAX_PARTS = 4
MAX_WORD = 48
_MIN_DOMAIN = 5
# Above this many changed keys one pass over the cache per key costs more than refilling it.
_FORGET_ALL = 5_000
# A key whose log frequency moves more than this drops every cached word that may read it;
# one that moves less only words whose split is that close to another (a word seen 10+
# times moves by < 0.1 when one passage with it comes or goes).
_DRIFT = 0.1
_EPSILON = 1e-9  # float error of summed log frequencies

_Trie = dict[str, "_Trie"]
_Part = tuple[str, int, float]  # lexicon form, frequency, margin to the runner-up form


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


def containing(words: Iterable[str], keys: Iterable[str]) -> list[str]:
    """The ``words`` whose analysis may read one of ``keys`` (see the module docstring).

    Compares with every "e" deleted; one regex shaped like a trie of the keys scans each
    word once, however many keys there are.
    """
    trie: _Trie = {}
    for key in keys:
        node = trie
        for char in key.replace("e", ""):
            node = node.setdefault(char, {})
        node[""] = {}
    if not trie:
        return []
    pattern = re.compile(_trie_pattern(trie))
    return [word for word in words if pattern.search(word.replace("e", ""))]


def _trie_pattern(node: _Trie) -> str:
    if "" in node:
        return ""  # a shorter key already occurs: no need to match a longer one
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items())]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _bump(counter: Counter[str], key: str, delta: int) -> None:
    """Add ``delta``; a count that reaches zero is removed, as a fresh lexicon never has it."""
    value = counter[key] + delta
    if value > 0:
        counter[key] = value
    else:
        del counter[key]


class Decompounder:
    """Splits German compounds into lexicon words (Koehn & Knight frequency criterion).

    Among all splits into 2-4 known parts (with Fugen and a dropped final "e" allowed
    between parts, any inflection on the last part) the one with the highest geometric
    mean of part frequencies wins; parts are split again recursively.

    Each cached split also keeps its *slack*: half the gap to the runner-up split (and
    between the chosen form of each part and its runner-up), in log frequency. A change of
    frequencies that moves no log count it reads by more than the slack cannot change the
    split, so an update drops only words that read a key which appeared, vanished or moved
    by more than ``_DRIFT``, and words with little slack that read a key which moved less.
    """

    def __init__(self, stem: "_Stemmer", counts: Mapping[str, int] | None = None) -> None:
        self._stem = stem
        self._words: Counter[str] = Counter()
        self._stems: Counter[str] = Counter()
        self._domain: set[str] = set()
        self._cache: dict[str, list[str]] = {}
        # Slack of each cached split plus the drift spent when it was computed: the split
        # is safe while ``limit - self._spent`` exceeds the next drift.
        self._limit: dict[str, float] = {}
        self._spent = 0.0
        if counts:
            self.learn_counts(counts)

    @property
    def domain(self) -> set[str]:
        """Thesaurus words: also split off a compound whose other part is unknown."""
        return set(self._domain)

    def learn_domain(self, words: Iterable[str]) -> set[str]:
        """Mark words as domain terms (thesaurus labels) and add them to the lexicon.

        Returns the cached words dropped because of it (see ``learn_counts``).
        """
        usable = [w for w in words if _lexical(w)]
        fresh = {w for w in usable if len(w) >= _MIN_DOMAIN} - self._domain
        self._domain |= fresh
        return self.learn(usable) | self._forget(dict.fromkeys(fresh, math.inf))

    @property
    def counts(self) -> dict[str, int]:
        """Known words and their frequencies (persisted with the index)."""
        return dict(self._words)

    def learn(self, words: Iterable[str]) -> set[str]:
        """Count folded words as known; stopwords, short and numeric tokens are skipped."""
        return self.learn_counts(Counter(words))

    def learn_counts(self, counts: Mapping[str, int]) -> set[str]:
        """Add (or, with negative counts, take back) word frequencies.

        Returns the cached words dropped because a split of theirs may have changed.
        """
        words: Counter[str] = Counter()
        stems: Counter[str] = Counter()
        for word, count in counts.items():
            if count and _lexical(word):
                words[word] += count
                stems[self._stem(word)] += count
        moved: dict[str, float] = {}
        for counter, deltas in ((self._words, words), (self._stems, stems)):
            for key, delta in deltas.items():
                if delta:
                    before = counter[key]
                    _bump(counter, key, delta)
                    after = counter[key]
                    drift = abs(math.log1p(after) - math.log1p(before))
                    drift = math.inf if not before or not after else drift
                    moved[key] = max(moved.get(key, 0.0), drift)
        return self._forget(moved)

    def _forget(self, moved: dict[str, float]) -> set[str]:
        """Drop the cached splits that keys moving by ``moved`` (log counts) may change."""
        if not moved or not self._cache:
            return set()
        if len(moved) > _FORGET_ALL:
            dropped = set(self._cache)
        else:
            sharp = [key for key, drift in moved.items() if drift > _DRIFT]
            mild = [key for key, drift in moved.items() if drift <= _DRIFT]
            dropped = set(containing(self._cache, sharp))
            if mild:
                drift = max(moved[key] for key in mild) + _EPSILON
                exposed = [w for w, limit in self._limit.items() if limit - self._spent <= drift]
                dropped.update(containing(exposed, mild))
                self._spent += drift
        for word in dropped:
            del self._cache[word]
            del self._limit[word]
        return dropped

    def parts(self, word: str) -> list[str]:
        """All parts of a folded word at every level, or ``[]`` if it is no compound."""
        cached = self._cache.get(word)
        if cached is None:
            cached = []
            if len(word) > MAX_WORD:
                return cached  # ids, hashes, run-together garbage: no split worth the time
            split, slack = self._best_split(word)
            for part in split:
                cached.append(part)
                cached.extend(p for p in self.parts(part) if p not in cached)
                slack = min(slack, self._limit.get(part, math.inf) - self._spent)
            self._cache[word] = cached
            self._limit[word] = slack + self._spent
        return cached

    def _best_split(self, word: str) -> tuple[list[str], float]:
        split, slack = self._frequency_split(word)
        if split:
            return split, slack
        # Whether any frequency split exists depends on which words are known, not on
        # how often: only a key appearing or vanishing (dropped in any case) changes it.
        return self._domain_split(word), math.inf

    def _domain_split(self, word: str) -> list[str]:
        # "Fördermittelakquise": the tail is unknown, but the query "Fördermittel" must hit.
        for size in range(len(word) - MIN_PART, _MIN_DOMAIN - 1, -1):
            for piece in (word[:size], word[-size:]):
                if piece in self._domain:
                    return [piece]
        return []

    def _frequency_split(self, word: str) -> tuple[list[str], float]:
        """The best split and its slack (half the smallest gap that keeps it best)."""
        best: tuple[float, list[_Part]] = (0.0, [])
        runner_up = -math.inf
        for split in self._splits(word, 0, MAX_PARTS):
            if len(split) < 2:
                continue
            score = sum(math.log1p(count) for _, count, _ in split) / len(split)
            if score > best[0] or (score == best[0] and len(split) < len(best[1])):
                if best[1]:
                    runner_up = max(runner_up, best[0])
                best = (score, split)
            else:
                runner_up = max(runner_up, score)
        gap = min([best[0] - runner_up, *(margin for _, _, margin in best[1])])
        return [form for form, _, _ in best[1]], gap / 2

    def _splits(self, word: str, start: int, budget: int) -> Iterable[list[_Part]]:
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

    def _part(self, piece: str, *, final: bool) -> _Part | None:
        """``(lexicon form, frequency, margin)`` of a piece, or ``None`` if no known word.

        The margin is the gap in log frequency to the runner-up form of the piece.
        """
        if final:
            count = self._words.get(piece) or self._stems.get(self._stem(piece), 0)
            return (piece, count, math.inf) if count and piece not in STOPWORDS else None
        candidates = [piece, piece + "e"]
        candidates += [piece[: -len(f)] for f in _FUGEN if piece.endswith(f)]
        found = [(c, self._words[c]) for c in candidates if len(c) >= MIN_PART and c in self._words]
        if not found:
            return None
        form, count = max(found, key=lambda pair: pair[1])
        others = [math.log1p(n) for c, n in found if c != form] or [-math.inf]
        return form, count, math.log1p(count) - max(others)


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
    """Text -> index terms: fold umlauts/ß, drop stopwords, decompound, Snowball-stem.

    Change the lexicon through this class (not its ``decompounder``), so the term cache
    stays in step with the split cache.
    """

    def __init__(self, lexicon: Mapping[str, int] | None = None) -> None:
        self._stem = _Stemmer()
        self.decompounder = Decompounder(self._stem, lexicon)
        self._terms: dict[str, list[str]] = {}

    def learn(self, text: str, *, domain: bool = False) -> None:
        """Add the words of ``text`` to the lexicon; ``domain`` for thesaurus labels."""
        tokens = surface_tokens(text)
        if domain:
            self._forget(self.decompounder.learn_domain(tokens))
        else:
            self._forget(self.decompounder.learn(tokens))

    def learn_counts(self, counts: Mapping[str, int]) -> dict[str, list[str]]:
        """Add (negative: take back) word frequencies.

        Returns the term-cache entries dropped because of it, as they were before: the
        tokens whose terms may have changed, for the caller to compare.
        """
        return self._forget(self.decompounder.learn_counts(counts))

    def _forget(self, words: set[str]) -> dict[str, list[str]]:
        # A token's terms are its stem and its parts: they change exactly when its split does.
        return {token: self._terms.pop(token) for token in words if token in self._terms}

    def analyze(self, text: str) -> list[str]:
        """Index terms of ``text``: each word's stem followed by the stems of its parts."""
        return self.analyze_tokens(surface_tokens(text))

    def analyze_tokens(self, tokens: Iterable[str]) -> list[str]:
        """Index terms of already folded surface tokens (see ``surface_tokens``)."""
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
