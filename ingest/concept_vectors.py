"""The embedding leg of topic assignment: a passage no label matched gets its nearest concept.

multilingual-e5 similarities crowd between 0.80 and 0.90 for any German text, so an absolute
threshold alone adds noise (a sentence about the next meeting date scored 0.84 against
"E-Akte"). Only passages without any label match take part, only the single nearest concept is
kept, and only above ``threshold`` (0.86, chosen on hand-checked passages: "Wärmenetz für das
Neubaugebiet" -> Kommunale Wärmeplanung 0.869; a meeting-date sentence stays without topic).
"""

from dataclasses import dataclass, replace

import numpy as np

from graph.embedding import Embedder
from graph.store import GraphStore, SelectResult
from ingest.analysis import TextAnalysis
from ingest.topics import TopicMatch
from ontology.namespaces import sparql_prologue

_DEFINITIONS = (
    sparql_prologue()
    + """SELECT ?c ?label ?definition WHERE { ?c a skos:Concept ; skos:prefLabel ?label ;
    skos:definition ?definition . FILTER(LANG(?label) = "de") }"""
)


@dataclass(frozen=True)
class ConceptEmbeddings:
    """Vectors of "label: definition" for every thesaurus concept."""

    iris: tuple[str, ...]
    labels: tuple[str, ...]
    vectors: np.ndarray
    threshold: float = 0.86

    @classmethod
    def from_store(cls, store: GraphStore, embedder: Embedder) -> "ConceptEmbeddings":
        """Embed the definitions of the thesaurus graph once per ingestor."""
        result = store.query(_DEFINITIONS)
        assert isinstance(result, SelectResult)
        rows = sorted({(str(c), str(label), str(d)) for c, label, d in result.rows})
        if not rows:
            return cls((), (), np.zeros((0, embedder.dimension), dtype=np.float32))
        vectors = embedder.embed_passages([f"{label}: {d}" for _, label, d in rows])
        return cls(tuple(r[0] for r in rows), tuple(r[1] for r in rows), np.asarray(vectors))

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
