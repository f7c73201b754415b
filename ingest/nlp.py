"""The spaCy stage: the only module that imports spaCy.

No trained German model is available, so the pipeline is ``spacy.blank("de")`` with the
lookup lemmatizer from ``spacy-lookups-data`` and a sentencizer. Everything else is rules and
gazetteers in pure-Python modules; this module converts each ``Doc`` into plain
:class:`ingest.tokens.Token` records (sentence starts by :mod:`ingest.sentences`), runs the
phrase matchers (built once, attribute ``LOWER``) and hands the hits to those modules.
"""

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import cache
from typing import cast

import spacy
from spacy.attrs import IDX, ORTH
from spacy.language import Language
from spacy.lookups import Table
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Lemmatizer
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from ingest.analysis import AnalysisContext, SentenceAnalysis, TextAnalysis, shifted
from ingest.common_words import is_common_word_test
from ingest.dates import find_dates, find_times
from ingest.entities import EntityFinder, ParsedText
from ingest.experiences import find_experiences
from ingest.gazetteer import Gazetteer, default_gazetteer
from ingest.geo import GeoContext
from ingest.organisations import OrganisationCatalogue, load_catalogue
from ingest.records import Mention
from ingest.roles import PersonLexicon, load_lexicon
from ingest.sentences import sentence_analysis, sentences, starts_sentence
from ingest.tokens import Token, TokenMatch
from ingest.topics import ConceptLabels, TopicIndex, TopicMatch, Vector, load_concepts
from ontology.resources import topics_file

__all__ = [
    "AnalysisContext",
    "Analyzer",
    "SentenceAnalysis",
    "TextAnalysis",
    "analyse",
    "build_pipeline",
    "common_word_test",
    "default_analyzer",
    "doc_tokens",
    "lemmatise",
    "sentences",
]

logger = logging.getLogger(__name__)

_SPECIAL_CASES = (
    "gez.", "Westf.", "Dipl.-Ing.", "Dr.-Ing.", "stellv.", "Bgm.", "Oldb.", "Dipl.-Kfm.",
    "Dipl.-Geogr.", "Ing.", "Dipl.", "M.Sc.", "B.Sc.", "M.A.", "Reg.-Bez.", "Nr.", "ggf.", "bzw.",
)  # fmt: skip
_SIMPLE_PHRASE = re.compile(r"^[^\W\d_]+(?:[ -][^\W\d_]+)*$")
_PARSE_CACHE = 512  # parses kept between geo_context_of and analyse (one document's worth)


@cache
def build_pipeline() -> Language:
    """``blank("de")`` + lookup lemmatizer + sentencizer, built once per process."""
    nlp = spacy.blank("de")
    tokenizer = cast(Tokenizer, nlp.tokenizer)
    for special in _SPECIAL_CASES:
        tokenizer.add_special_case(special, [{ORTH: special}])
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("sentencizer")
    nlp.initialize()
    return nlp


def _lemma_table(nlp: Language) -> Table:
    table: Table = cast(Lemmatizer, nlp.get_pipe("lemmatizer")).lookups.get_table("lemma_lookup")
    return table


def lemmatise(text: str) -> list[str]:
    """Lower-cased lookup lemmas of the words in ``text`` (punctuation dropped)."""
    nlp = build_pipeline()
    tokens = doc_tokens(nlp.make_doc(text), _lemma_table(nlp), text=text)
    return [t.lemma for t in tokens if any(c.isalnum() for c in t.text)]


def common_word_test(nlp: Language, first_names: Iterable[str] = ()) -> Callable[[str], bool]:
    """Whether a capitalised name is also an ordinary German word (or a first name).

    The rules are in :func:`ingest.common_words.is_common_word_test`; this reads the table.
    """
    return is_common_word_test(_lemma_table(nlp), first_names)


def doc_tokens(
    doc: Doc,
    table: Table,
    memo: dict[str, tuple[str, str]] | None = None,
    text: str | None = None,
) -> list[Token]:
    """Plain tokens with lookup lemmas and sentence starts, without whitespace tokens.

    Reads the tokenizer's arrays instead of calling the lemmatizer and sentencizer
    components: their per-token Python calls cost about 3 ms per passage, the whole budget of
    the NLP stage. The lemmas come from the same lookup table; sentences start after ".", "!",
    "?" and at line breaks that look like a new line of a list or agenda. ``memo`` caches
    (lower, lemma) per word across calls: most words recur from passage to passage. Pass
    the ``text`` the doc was made from: ``Doc.text`` rebuilds it from a Python object per
    token, which cost a quarter of the NLP stage.
    """
    memo = {} if memo is None else memo
    text = doc.text if text is None else text
    strings = doc.vocab.strings
    tokens: list[Token] = []
    previous_end = 0
    for orth, idx in doc.to_array([ORTH, IDX]).tolist():
        word = strings[orth]
        if word.isspace():
            continue
        known = memo.get(word)
        if known is None:
            lower = word.lower()
            known = memo[word] = (lower, (table.get(word) or table.get(lower) or word).lower())
        lower, lemma = known
        gap = text[previous_end:idx]
        newline = bool(tokens) and "\n" in gap
        tokens.append(
            Token(
                i=len(tokens),
                text=word,
                lower=lower,
                lemma=lemma,
                start=idx,
                end=idx + len(word),
                sent_start=not tokens or starts_sentence(tokens[-1], word, newline),
                newline_before=newline,
                space_before=bool(gap),
            )
        )
        previous_end = idx + len(word)
    return tokens


class _PhraseIndex:
    """A ``PhraseMatcher`` over one vocabulary plus the map from matched tokens to its key."""

    def __init__(self, nlp: Language, spellings: Mapping[str, str]) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.keys: dict[tuple[str, ...], str] = {}
        simple = {s: k for s, k in spellings.items() if _SIMPLE_PHRASE.match(s)}
        other = {s: k for s, k in spellings.items() if s not in simple}
        # plain words need no tokenizer run: 20x faster for the 21k simple place names
        patterns = [(Doc(nlp.vocab, words=s.split()), k) for s, k in simple.items()]
        tokenizer = cast(Tokenizer, nlp.tokenizer)
        patterns += list(zip(tokenizer.pipe(other), other.values(), strict=True))
        for doc, key in patterns:
            self.keys.setdefault(tuple(t.lower_ for t in doc), key)
        self.matcher.add("PHRASE", [doc for doc, _key in patterns])

    def matches(self, doc: Doc, position: Mapping[int, int]) -> list[TokenMatch]:
        found = []
        for _match_id, start, end in self.matcher(doc):
            key = self.keys.get(tuple(t.lower_ for t in doc[start:end]))
            first, last = position.get(doc[start].idx), position.get(doc[end - 1].idx)
            if key is not None and first is not None and last is not None:
                found.append(TokenMatch(first, last + 1, key))
        return found


class Analyzer:
    """The NLP stage with its gazetteers and matchers, built once and reused per passage."""

    def __init__(
        self,
        topics: Iterable[ConceptLabels] = (),
        concept_vectors: Mapping[str, Vector] | None = None,
        gazetteer: Gazetteer | None = None,
        catalogue: OrganisationCatalogue | None = None,
        lexicon: PersonLexicon | None = None,
    ) -> None:
        """Build pipeline, gazetteer (all municipalities by default) and phrase matchers."""
        self.nlp = build_pipeline()
        self._table = _lemma_table(self.nlp)
        self._memo: dict[str, tuple[str, str]] = {}
        self._is_common = common_word_test(self.nlp)
        lexicon = lexicon or load_lexicon()
        self.lexicon = replace(lexicon, is_common=self._is_common)
        if gazetteer is None:
            self.gazetteer, self._places = _default_places()
        else:
            self.gazetteer, self._places = gazetteer, _place_index(self.nlp, gazetteer)
        self.catalogue = catalogue or load_catalogue()
        self.topic_index = TopicIndex(topics, self.lemmatise)
        self.concept_vectors = concept_vectors
        self._organisations = _PhraseIndex(self.nlp, _organisation_spellings(self.catalogue))
        self._finder = EntityFinder(self.gazetteer, self.catalogue, self.lexicon, self._is_common)
        self._headings: dict[
            tuple[str, GeoContext | None], tuple[list[Mention], list[TopicMatch]]
        ] = {}
        self._parsed: dict[str, ParsedText] = {}

    def lemmatise(self, text: str) -> list[str]:
        """Lower-cased lemmas of the words in ``text``."""
        tokens = doc_tokens(self.nlp.make_doc(text), self._table, self._memo, text)
        return [t.lemma for t in tokens if any(c.isalnum() for c in t.text)]

    def geo_context(self, text: str) -> GeoContext:
        """Kreise, Länder and regions a whole document names: pass it to every passage."""
        return self.geo_context_of([text])

    def geo_context_of(self, texts: Sequence[str]) -> GeoContext:
        """The geo context of a document given as its passages and headings.

        Their parses are kept for the ``analyse`` calls that follow, so a document is
        tokenised once rather than once whole and again passage by passage (a third of the
        NLP stage's time).
        """
        unique = dict.fromkeys(texts)
        return self._finder.geo_context((text, self._parse(text)) for text in unique)

    def _parse(self, text: str) -> ParsedText:
        """Tokens and matches of a text, from a small cache filled by ``geo_context_of``."""
        parsed = self._parsed.get(text)
        if parsed is None:
            parsed = self._read(text)
            if len(self._parsed) >= _PARSE_CACHE:
                self._parsed.clear()
            self._parsed[text] = parsed
        return parsed

    def _read(self, text: str) -> ParsedText:
        """Tokenise once and run both phrase matchers; the ``Doc`` itself is not kept."""
        doc = self.nlp.make_doc(text)
        tokens = doc_tokens(doc, self._table, self._memo, text)
        position = {t.start: t.i for t in tokens}
        places = self._places.matches(doc, position)
        return ParsedText(tokens, places, self._organisations.matches(doc, position))

    def analyse(
        self,
        text: str,
        *,
        reference_date: date | None = None,
        context: AnalysisContext | None = None,
    ) -> TextAnalysis:
        """Mentions, persons, topics, experiences, dates and sentences of one passage."""
        context = context or AnalysisContext()
        parsed = self._parse(text)
        tokens = parsed.tokens
        spans = sentences(tokens)
        places, organisations, persons = self._finder.entities(text, parsed, context.geo)
        people = [p.to_mention(text) for p in persons]
        topics = self.topic_index.assign_topics(
            text, tokens, self.concept_vectors, context.passage_vector
        )
        heading_agents, heading_topics = self._heading(
            " / ".join(context.heading_path), context.geo
        )
        experiences = find_experiences(
            tokens,
            spans,
            [*places, *organisations, *people],
            topics,
            heading_agents,
            heading_topics,
        )
        topic_mentions = [m for t in topics for m in t.mentions(text)]
        mentions = sorted([*places, *organisations, *people, *topic_mentions], key=_position)
        analysis = TextAnalysis(
            mentions=tuple(mentions),
            persons=tuple(persons),
            topics=tuple(topics),
            experiences=tuple(experiences),
            dates=tuple(find_dates(text, reference_date)),
            times=tuple(find_times(text)),
            sentences=tuple(sentence_analysis(s, tokens) for s in spans),
            geo=GeoContext.from_mentions(places, self.gazetteer).merged(context.geo),
        )
        return shifted(analysis, context.offset) if context.offset else analysis

    def _heading(
        self, heading: str, geo: GeoContext | None
    ) -> tuple[list[Mention], list[TopicMatch]]:
        """Agents and topics of a heading path, cached: all passages of a section share it.

        Keyed by the document's context too: a bare "Regiopolregion" in a heading means the
        region of the document it heads.
        """
        if not heading:
            return [], []
        key = (heading, geo)
        if key not in self._headings:
            parsed = self._read(heading)
            places, organisations, persons = self._finder.entities(heading, parsed, geo)
            agents = [*places, *organisations, *(p.to_mention(heading) for p in persons)]
            flagged = [replace(m, extra={**m.extra, "in_heading": heading}) for m in agents]
            topics = self.topic_index.assign_topics(heading, parsed.tokens)
            if len(self._headings) >= _PARSE_CACHE:
                self._headings.clear()
            self._headings[key] = (flagged, [replace(t, spans=()) for t in topics])
        return self._headings[key]


def _place_index(nlp: Language, gazetteer: Gazetteer) -> _PhraseIndex:
    surfaces = gazetteer.surfaces.values()
    return _PhraseIndex(nlp, {s.spelling or s.text: s.text for s in surfaces})


@cache
def _default_places() -> tuple[Gazetteer, _PhraseIndex]:
    """All municipalities and their matcher: the slow part of start-up, shared per process."""
    nlp = build_pipeline()
    gazetteer = default_gazetteer(common_word_test(nlp, load_lexicon().first_names))
    return gazetteer, _place_index(nlp, gazetteer)


def _organisation_spellings(catalogue: OrganisationCatalogue) -> dict[str, str]:
    spellings: dict[str, str] = {}
    for entry in catalogue.entries.values():
        for form in (entry.name, *entry.aliases, *entry.exact):
            spellings.setdefault(form, entry.name)
    return spellings


def _position(mention: Mention) -> tuple[int, int]:
    return mention.start, -mention.end


@cache
def default_analyzer() -> Analyzer:
    """The analyzer over all municipalities and the packaged thesaurus, built once."""
    try:
        concepts = load_concepts(topics_file())
    except FileNotFoundError:
        logger.warning("no thesaurus at ontology/data/topics.ttl; passages get no topics")
        concepts = ()
    return Analyzer(concepts)


def analyse(
    text: str, *, reference_date: date | None = None, context: AnalysisContext | None = None
) -> TextAnalysis:
    """Analyse one passage with the :func:`default_analyzer`."""
    return default_analyzer().analyse(text, reference_date=reference_date, context=context)
