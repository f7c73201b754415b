"""German BM25 leg of the hybrid search: the keyword index over analysed passages.

The analysis (folding, stopwords, decompounding, stemming) is ``graph.german``. BM25 itself
is bm25s (chosen over qdrant-edge's built-in German BM25, which has no decompounding and
would tie the keyword leg to one vector backend; see docs/vectors.md for the measurement).
"""

import gzip
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from graph.errors import StoreUnavailable
from graph.german import Decompounder, GermanAnalyzer, analyze, fold, surface_tokens

__all__ = ["Decompounder", "GermanAnalyzer", "KeywordIndex", "analyze", "fold"]

logger = logging.getLogger(__name__)

_FORMAT = 1


class KeywordIndex:
    """BM25 (bm25s, Lucene variant) over analysed passages, keyed by the caller's doc keys.

    Writes only mark the index stale; the bm25s matrix is rebuilt on the next search,
    which takes ~1.5 s for 20k passages on two busy cores. ``synonyms`` (thesaurus altLabels,
    built by the caller) expand the query: a key found in the query adds its values.
    ``update`` swaps passages so the index stays equal to one built from scratch, which
    after an upload costs a fraction of a build (``benchmarks/results/table_update.md``).
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
        self._exact = True
        for label in lexicon:
            self._analyzer.learn(label, domain=True)
        self._synonyms: dict[str, list[tuple[tuple[str, ...], list[str]]]] = {}
        for key, values in (synonyms or {}).items():
            self._add_synonym(key, values)

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_key: object) -> bool:
        return doc_key in self._docs

    @property
    def exact_updates(self) -> bool:
        """Whether ``update`` keeps this index equal to one built from scratch.

        True after ``build`` into an empty index and after ``update``: the lexicon then
        counts exactly the indexed passages and the analyzer's cache holds every indexed
        word. ``add`` and ``remove`` leave other passages as they were analysed, and an
        index read from disk has analysed nothing, so after those it is False.
        """
        return self._exact

    def analyze(self, text: str) -> list[str]:
        """Index terms of ``text`` with this index's lexicon."""
        with self._lock:
            return self._analyzer.analyze(text)

    def add(self, doc_key: str, text: str) -> None:
        """Add or replace one passage; its words join the lexicon first.

        Words of a replaced passage stay in the lexicon; ``update`` takes them back.
        """
        tokens = surface_tokens(text)
        with self._lock:
            self._exact = False
            dropped = self._analyzer.learn_counts(Counter(tokens))
            self._analyzer.analyze_tokens(dropped)  # keep every indexed token cached
            self._docs[doc_key] = self._analyzer.analyze_tokens(tokens)
            self._retriever = None

    def update(
        self,
        removed: Mapping[str, str],
        added: Iterable[tuple[str, str]],
        text_of: Callable[[str], str],
    ) -> int:
        """Swap passages so the index equals one built from scratch over the new set.

        ``removed`` maps each outgoing key to the text it was indexed with (its words leave
        the lexicon), ``added`` gives the new ``(key, text)`` pairs, and ``text_of`` the
        text of any other indexed passage: one whose analysis changes because the lexicon
        did (a new word lets a compound elsewhere split) is analysed again. BM25
        statistics need no care: the matrix is rebuilt from the passages on the next
        search. Returns how many other passages were analysed again.
        """
        incoming = [(key, surface_tokens(text)) for key, text in added]
        if not removed and not incoming:
            return 0
        delta: Counter[str] = Counter()
        for text in removed.values():
            delta.subtract(surface_tokens(text))
        for _, tokens in incoming:
            delta.update(tokens)
        with self._lock:
            for key in removed:
                self._docs.pop(key, None)
            before = self._analyzer.learn_counts(delta)
            moved = {
                terms[0]  # a passage with the token has its stem among its terms
                for token, terms in before.items()
                if terms and self._analyzer.analyze_tokens([token]) != terms
            }
            again = [key for key, terms in self._docs.items() if not moved.isdisjoint(terms)]
            for key in again:
                self._docs[key] = self._analyzer.analyze(text_of(key))
            for key, tokens in incoming:
                self._docs[key] = self._analyzer.analyze_tokens(tokens)
            self._retriever = None
        return len(again)

    def build(self, items: Iterable[tuple[str, str]]) -> None:
        """Replace the whole index; the lexicon sees every passage before any is split."""
        tokenized = [(key, surface_tokens(text)) for key, text in items]
        with self._lock:
            self._exact = not self._docs  # words of replaced passages stay in the lexicon
            self._analyzer.learn_counts(Counter(t for _, tokens in tokenized for t in tokens))
            self._docs = {key: self._analyzer.analyze_tokens(tokens) for key, tokens in tokenized}
            self._retriever = None
        logger.info("keyword index built over %d passages", len(tokenized))

    def remove(self, doc_keys: Iterable[str]) -> int:
        """Drop passages; returns how many were present."""
        with self._lock:
            removed = sum(self._docs.pop(key, None) is not None for key in doc_keys)
            if removed:
                self._exact = False  # their words stay in the lexicon; see ``update``
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
        index._exact = not index._docs
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
        with self._lock:  # an update must not meet a split half computed before it
            return self._analyzer.analyze(" ".join([query, *expansions]))

    def _current(self) -> tuple[Any, list[str], dict[str, int]]:
        with self._lock:
            if self._retriever is None:
                keys = sorted(self._docs)  # rows and ties independent of insertion order
                retriever = bm25s.BM25(k1=self._k1, b=self._b, method="lucene")
                corpus = [self._docs[k] or [""] for k in keys] or [[""]]
                retriever.index(corpus, show_progress=False)
                self._retriever = (retriever, keys, {k: i for i, k in enumerate(keys)})
            return self._retriever
