"""The embedding leg of topic assignment: a passage no label matched gets its nearest concept.

multilingual-e5 similarities crowd between 0.80 and 0.90 for any German text, so an absolute
threshold alone adds noise (a sentence about the next meeting date scored 0.84 against
"E-Akte"). Only passages without any label match take part, only the single nearest concept is
kept, and only above ``threshold`` (0.86, chosen on hand-checked passages: "Wärmenetz für das
Neubaugebiet" -> Kommunale Wärmeplanung 0.869; a meeting-date sentence stays without topic).

Embedding the ~118 definitions costs ~4 s of CPU, paid by every ingest run and every API
start, so the vectors are cached in one ``.npz`` file in the data directory. Its key is a
sha256 over the model's identity (id, dimension, weights checksum, as the vector index
records it) and every (IRI, label, definition) embedded: another model or any thesaurus edit
misses, so the file can never serve stale vectors. A missing, unreadable or foreign file is
rebuilt; a cache that cannot be written costs time, never the run.
"""

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from graph.embedding import Embedder
from graph.store import GraphStore, SelectResult
from ingest.analysis import TextAnalysis
from ingest.topics import TopicMatch
from ontology.namespaces import sparql_prologue

logger = logging.getLogger(__name__)

CACHE_FILE = "concept_vectors.npz"
# Bump when what is embedded changes in a way the rows do not show (e.g. the text template).
_CACHE_FORMAT = 1

_DEFINITIONS = (
    sparql_prologue()
    + """SELECT ?c ?label ?definition WHERE { ?c a skos:Concept ; skos:prefLabel ?label ;
    skos:definition ?definition . FILTER(LANG(?label) = "de") }"""
)

# (concept IRI, German label, definition), sorted: the cache key depends on the order.
Row = tuple[str, str, str]


def concept_cache_file(data_dir: Path) -> Path:
    """Where the concept vectors of a data directory are cached."""
    return Path(data_dir) / CACHE_FILE


def cache_key(rows: Sequence[Row], embedder: Embedder) -> str:
    """sha256 of everything the vectors depend on: model identity and the embedded rows."""
    # Imported here: graph.backends pulls in both qdrant clients (~1-2 s), which callers
    # that open a knowledge base have loaded anyway and importers of this module need not.
    from graph.backends import identity_of

    body = {"format": _CACHE_FORMAT, "model": identity_of(embedder).to_dict(), "rows": rows}
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ConceptEmbeddings:
    """Vectors of "label: definition" for every thesaurus concept."""

    iris: tuple[str, ...]
    labels: tuple[str, ...]
    vectors: np.ndarray
    threshold: float = 0.86

    @classmethod
    def from_store(cls, store: GraphStore, embedder: Embedder) -> "ConceptEmbeddings":
        """Embed the definitions of the thesaurus graph (seconds of CPU; see ``cached``)."""
        rows = concept_rows(store)
        return cls._of(rows, _embed(rows, embedder))

    @classmethod
    def cached(
        cls, store: GraphStore, embedder: Embedder, cache: Path | None
    ) -> "ConceptEmbeddings":
        """``from_store``, with the vectors read from ``cache`` when its key matches.

        A miss embeds and rewrites the file; without a ``cache`` this is ``from_store``.
        """
        if cache is None:
            return cls.from_store(store, embedder)
        rows = concept_rows(store)
        if not rows:
            return cls._of(rows, _embed(rows, embedder))
        key = cache_key(rows, embedder)
        vectors = _read_cache(cache, key, (len(rows), embedder.dimension))
        if vectors is not None:
            return cls._of(rows, vectors)
        fresh = cls.from_store(store, embedder)  # the one embedding path, also for test doubles
        if fresh.iris == tuple(r[0] for r in rows):
            _write_cache(cache, key, fresh.vectors)
        return fresh

    @classmethod
    def _of(cls, rows: Sequence[Row], vectors: np.ndarray) -> "ConceptEmbeddings":
        return cls(tuple(r[0] for r in rows), tuple(r[1] for r in rows), vectors)

    def complete(self, analysis: TextAnalysis, passage_vector: np.ndarray) -> TextAnalysis:
        """Add the nearest concept to an analysis that found no topic by label."""
        if analysis.topics or not self.iris:
            return analysis
        similarities = self.vectors @ np.asarray(passage_vector, dtype=np.float32)
        best = int(np.argmax(similarities))
        score = float(similarities[best])
        if score < self.threshold:
            return analysis
        match = TopicMatch(self.iris[best], self.labels[best], round(score, 4), "embedding")
        return replace(analysis, topics=(match,))


def concept_rows(store: GraphStore) -> list[Row]:
    """What gets embedded, one row per concept with a German label and a definition."""
    result = store.query(_DEFINITIONS)
    assert isinstance(result, SelectResult)
    return sorted({(str(c), str(label), str(d)) for c, label, d in result.rows})


def _embed(rows: Sequence[Row], embedder: Embedder) -> np.ndarray:
    if not rows:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.asarray(embedder.embed_passages([f"{label}: {d}" for _, label, d in rows]))


def _read_cache(path: Path, key: str, shape: tuple[int, int]) -> np.ndarray | None:
    """The cached vectors if ``path`` holds exactly the ones for ``key``, else None."""
    try:
        with np.load(path, allow_pickle=False) as data:
            stored_key, vectors = str(data["key"]), np.array(data["vectors"])
    except FileNotFoundError:
        logger.info("No concept vector cache at %s yet: embedding the thesaurus", path)
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
        logger.info("Concept vector cache %s unreadable (%s): embedding the thesaurus", path, e)
        return None
    if stored_key != key:
        logger.info("Concept vector cache %s is for another model or thesaurus: re-embedding", path)
        return None
    if vectors.shape != shape or vectors.dtype != np.float32 or not np.isfinite(vectors).all():
        logger.info("Concept vector cache %s holds malformed vectors: re-embedding", path)
        return None
    logger.info("Concept vectors read from %s", path)
    return vectors


def _write_cache(path: Path, key: str, vectors: np.ndarray) -> None:
    """Replace the file atomically: a reader (another process) sees old or new, never half."""
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        tmp = Path(name)
        with os.fdopen(handle, "wb") as out:
            np.savez(out, key=np.array(key), vectors=np.asarray(vectors, dtype=np.float32))
        os.replace(tmp, path)
    except OSError as e:
        logger.warning(
            "Cannot write concept vector cache %s (%s): the next start re-embeds", path, e
        )
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
