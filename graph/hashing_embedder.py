"""A tiny deterministic ``Embedder`` for unit tests of pure logic (fusion, ranking, filters).

It hashes lower-cased word tokens into a fixed number of buckets (a bag of words) and
L2-normalises the counts, so texts that share words get a positive cosine and every run gives
the same vectors without torch or a model folder.

It is **never** a product fallback: it knows nothing about meaning or German morphology, and an
index built with it would silently return poor answers. The product, ``make run`` and the
end-to-end tests use multilingual-e5-small through ``SentenceTransformerEmbedder``; its
``model_id`` here starts with ``test/`` so an index built with it is refused by the real one.
"""

import hashlib
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["HashingEmbedder"]

_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Bag of hashed words, normalised; satisfies ``graph.embedding.Embedder``."""

    def __init__(self, dimension: int = 384) -> None:
        if dimension < 1:
            raise ValueError("dimension must be positive")
        self._dimension = dimension

    @property
    def model_id(self) -> str:
        """Marks vectors as test-only, so a real index refuses them."""
        return f"test/hashing-{self._dimension}"

    @property
    def dimension(self) -> int:
        """Number of hash buckets."""
        return self._dimension

    @property
    def checksum(self) -> str:
        """Stable for a given dimension, as the vectors are."""
        return hashlib.sha256(self.model_id.encode("utf-8")).hexdigest()

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One normalised row per text, in order."""
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._vector(text)
        return out

    def embed_query(self, text: str) -> npt.NDArray[np.float32]:
        """Same recipe as passages: with no prefixes, identical texts get identical vectors."""
        return self._vector(text)

    def _vector(self, text: str) -> npt.NDArray[np.float32]:
        vector = np.zeros(self._dimension, dtype=np.float32)
        for token in _TOKEN.findall(text.lower()):
            # blake2b rather than hash(): str hashes change per process (PYTHONHASHSEED).
            digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
            vector[int.from_bytes(digest, "little") % self._dimension] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector
