"""Thesaurus topics of a passage: lemmatised label matching plus an optional embedding leg.

German writes "Starkregengefahrenkarte", "Wärmeplanungsprozess" and "Starkregen-Gefahrenkarte"
where the thesaurus says "Starkregen" and "Wärmeplanung", so besides exact label matches a
long word is split at known label boundaries (first part or head). Embeddings catch passages
that never use a label; the vectors come precomputed so this module needs no encoder.
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal as TypeLiteral

import numpy as np
from numpy.typing import NDArray
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ingest.records import Mention
from ingest.tokens import Token

TopicMethod = TypeLiteral["label", "alt_label", "compound", "embedding"]
CONFIDENCE: dict[TopicMethod, float] = {"label": 1.0, "alt_label": 0.9, "compound": 0.8}
HEAD_CONFIDENCE = 0.7  # long head noun of a multi-word label ("…Mobilitätskonzept")
MIN_PART = 5  # shortest label that may be a compound part ("Rad" would hit "radikal")
_FUGEN = ("", "s", "es", "n", "en", "-")
_PLURAL_ENDINGS = ("en", "er", "es", "e", "n", "s")
_WORD = re.compile(r"\w[\w-]*")

Vector = NDArray[np.floating]


@dataclass(frozen=True)
class ConceptLabels:
    """A SKOS concept as plain data: what topic matching needs of the thesaurus."""

    iri: str
    pref_de: str
    alt_labels: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    pref_en: str | None = None

    @property
    def local_name(self) -> str:
        """The part of the IRI after the last "/" or "#" (the concept id)."""
        return re.split(r"[/#]", self.iri)[-1]


@dataclass(frozen=True)
class TopicMatch:
    """A concept assigned to a passage, with the evidence spans in the passage text."""

    iri: str
    label: str
    confidence: float
    method: TopicMethod
    spans: tuple[tuple[int, int], ...] = ()

    @property
    def local_name(self) -> str:
        """Concept id, used as ``Mention.key``."""
        return re.split(r"[/#]", self.iri)[-1]

    def mentions(self, text: str) -> list[Mention]:
        """One topic :class:`Mention` per evidence span."""
        extra = {"iri": self.iri, "label": self.label, "method": self.method}
        return [
            Mention("topic", text[s:e], s, e, self.local_name, self.confidence, dict(extra))
            for s, e in self.spans
        ]


@dataclass(frozen=True)
class _Label:
    iri: str
    label: str
    confidence: float
    method: TopicMethod


def token_forms(token: Token) -> tuple[str, ...]:
    """Lemma, lower-cased text and crude singular stems, for inflection-tolerant matching."""
    lower = token.lower
    stems = [lower[: -len(e)] for e in _PLURAL_ENDINGS if lower.endswith(e) and len(lower) > 5]
    return tuple(dict.fromkeys((token.lemma, lower, *stems)))


class TopicIndex:
    """Label index of a thesaurus, built once; :meth:`assign_topics` runs per passage."""

    def __init__(
        self, concepts: Iterable[ConceptLabels], lemmatise: Callable[[str], list[str]]
    ) -> None:
        """Index pref/alt labels by their lemmas; ``lemmatise`` comes from ``ingest.nlp``."""
        self.concepts = {c.iri: c for c in concepts}
        self._phrases: dict[str, list[tuple[tuple[str, ...], _Label]]] = {}
        self._parts: dict[str, _Label] = {}
        self._form_memo: dict[tuple[str, str], tuple[str, ...]] = {}
        self._compound_memo: dict[str, list[_Label]] = {}
        for concept in self.concepts.values():
            labels: list[tuple[str, TopicMethod]] = [(concept.pref_de, "label")]
            labels += [(alt, "alt_label") for alt in concept.alt_labels]
            for text, method in labels:
                label = _Label(concept.iri, text, CONFIDENCE[method], method)
                self._add(text, label, lemmatise(text))
        for entries in self._phrases.values():
            entries.sort(key=lambda entry: (-len(entry[0]), -entry[1].confidence))
        # prefilter: a word can contain a label only where the label's first five letters occur
        self._part_heads = frozenset(part[:MIN_PART] for part in self._parts)

    def _add(self, text: str, label: _Label, lemmas: list[str]) -> None:
        plain = [w.lower() for w in _WORD.findall(text)]
        for sequence in {tuple(lemmas), tuple(plain)}:
            if sequence:
                self._phrases.setdefault(sequence[0], []).append((sequence, label))
        if len(plain) == 1 and len(plain[0]) >= MIN_PART:
            for form in {plain[0], *lemmas}:
                self._keep_part(form, label)
        elif len(plain) > 1 and len(plain[-1]) >= 10:
            head = _Label(label.iri, label.label, HEAD_CONFIDENCE, "compound")
            self._keep_part(plain[-1], head)

    def _keep_part(self, form: str, label: _Label) -> None:
        current = self._parts.get(form)
        if current is None or current.confidence < label.confidence:
            self._parts[form] = label

    def assign_topics(
        self,
        text: str,
        tokens: Sequence[Token],
        concept_vectors: Mapping[str, Vector] | None = None,
        passage_vector: Vector | None = None,
        threshold: float = 0.83,
    ) -> list[TopicMatch]:
        """Topics of a passage: label matches first, then embedding similarity above threshold.

        ``tokens`` carry the lemmas and offsets (from ``ingest.nlp``); ``concept_vectors`` maps
        concept IRIs to vectors of the same encoder as ``passage_vector``.
        """
        found: dict[str, tuple[_Label, list[tuple[int, int]]]] = {}
        forms = [self._forms(t) for t in tokens]
        i = 0
        while i < len(tokens):
            width, label = self._phrase_at(forms, i)
            if label is None:
                for label_part in self._compound(tokens[i].lower):
                    _record(found, label_part, (tokens[i].start, tokens[i].end))
                i += 1
                continue
            _record(found, label, (tokens[i].start, tokens[i + width - 1].end))
            i += width
        matches = [
            TopicMatch(lab.iri, lab.label, lab.confidence, lab.method, tuple(spans))
            for lab, spans in found.values()
        ]
        if concept_vectors is not None and passage_vector is not None:
            matches = _with_embeddings(matches, self, concept_vectors, passage_vector, threshold)
        return sorted(matches, key=lambda m: (-m.confidence, m.iri))

    def _forms(self, token: Token) -> tuple[str, ...]:
        key = (token.lower, token.lemma)
        cached = self._form_memo.get(key)
        if cached is None:
            cached = self._form_memo[key] = token_forms(token)
        return cached

    def _phrase_at(self, forms: list[tuple[str, ...]], i: int) -> tuple[int, _Label | None]:
        for form in forms[i]:
            for sequence, label in self._phrases.get(form, ()):
                width = len(sequence)
                if i + width > len(forms):
                    continue
                if all(sequence[k] in forms[i + k] for k in range(1, width)):
                    return width, label
        return 0, None

    def _compound(self, word: str) -> list[_Label]:
        """Labels that are the first part or the head of a compound ("Starkregen…karte")."""
        if len(word) < MIN_PART + 3 or not word[:1].isalpha():
            return []
        cached = self._compound_memo.get(word)
        if cached is None:
            cached = self._compound_memo[word] = self._split_compound(word)
        return cached

    def _split_compound(self, word: str) -> list[_Label]:
        heads = self._part_heads
        if not any(word[k : k + MIN_PART] in heads for k in range(len(word) - MIN_PART + 1)):
            return []  # no label starts anywhere in the word
        parts = [p for p in word.split("-") if p]
        found = [self._parts[p] for p in parts if len(parts) > 1 and p in self._parts]
        for part in parts:
            found += [x for x in (self._prefix(part), self._head(part)) if x is not None]
        labels = {label.iri: label for label in found}
        return [_Label(x.iri, x.label, min(x.confidence, 0.8), "compound") for x in labels.values()]

    def _prefix(self, part: str) -> _Label | None:
        for k in range(len(part) - 3, MIN_PART - 1, -1):
            label = self._parts.get(part[:k])
            if label is not None and _is_compound_rest(part[k:]):
                return label
        return None

    def _head(self, part: str) -> _Label | None:
        for k in range(3, len(part) - MIN_PART + 1):
            suffix = part[k:]
            for form in (
                suffix,
                *(suffix[: -len(e)] for e in _PLURAL_ENDINGS if suffix.endswith(e)),
            ):
                if form in self._parts:
                    return self._parts[form]
        return None


def _is_compound_rest(rest: str) -> bool:
    """What follows a first part must be a linking element plus a word of its own."""
    return any(rest.startswith(f) and len(rest) - len(f) >= 4 for f in _FUGEN)


def _record(
    found: dict[str, tuple[_Label, list[tuple[int, int]]]], label: _Label, span: tuple[int, int]
) -> None:
    current = found.get(label.iri)
    if current is None:
        found[label.iri] = (label, [span])
        return
    best = label if label.confidence > current[0].confidence else current[0]
    found[label.iri] = (best, [*current[1], span])


def _with_embeddings(
    matches: list[TopicMatch],
    index: TopicIndex,
    concept_vectors: Mapping[str, Vector],
    passage_vector: Vector,
    threshold: float,
) -> list[TopicMatch]:
    by_iri = {m.iri: m for m in matches}
    query = np.asarray(passage_vector, dtype=np.float64)
    query_norm = float(np.linalg.norm(query)) or 1.0
    for iri, vector in concept_vectors.items():
        candidate = np.asarray(vector, dtype=np.float64)
        similarity = float(candidate @ query) / (
            (float(np.linalg.norm(candidate)) or 1.0) * query_norm
        )
        if similarity < threshold or (iri in by_iri and by_iri[iri].confidence >= similarity):
            continue
        concept = index.concepts.get(iri)
        label = concept.pref_de if concept else iri
        spans = by_iri[iri].spans if iri in by_iri else ()
        by_iri[iri] = TopicMatch(iri, label, round(similarity, 4), "embedding", spans)
    return list(by_iri.values())


def load_concepts(path: Path) -> tuple[ConceptLabels, ...]:
    """Concepts of a SKOS Turtle file (``ontology/data/topics.ttl``) as plain records."""
    graph = Graph()
    graph.parse(path, format="turtle")
    concepts = []
    subjects = {s for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)}
    for subject in sorted(subjects):
        labels = {
            lit.language: str(lit)
            for lit in graph.objects(subject, SKOS.prefLabel)
            if isinstance(lit, Literal)
        }
        alts = [
            str(a)
            for p in (SKOS.altLabel, SKOS.hiddenLabel)
            for a in graph.objects(subject, p)
            if isinstance(a, Literal) and a.language in (None, "de")
        ]
        broader = sorted(str(b) for b in graph.objects(subject, SKOS.broader))
        pref = labels.get("de") or next(iter(labels.values()), "")
        if pref:
            concepts.append(
                ConceptLabels(
                    str(subject), pref, tuple(sorted(set(alts))), tuple(broader), labels.get("en")
                )
            )
    return tuple(concepts)
