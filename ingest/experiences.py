"""Experiences: an agent (town, organisation, person) did, presented, planned or asked about X.

"Wer hat schon X gemacht?" needs more than co-occurrence: "Borchen: E-Auto …, welches über
den Sportverein finanziert wird" is done, "in Paderborn wird derzeit das IMOK aufgestellt" is
still planning, "Ich suche …" is a need. The kind comes from cue words of the sentence that
holds both the agent and the topic (a heading's agent or topic counts, with less confidence),
and a negation ("wurde nicht umgesetzt") turns a done into a mere mention.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ingest.records import Mention
from ingest.tokens import Sentence, Token
from ingest.topics import TopicMatch

ExperienceKind = Literal["done", "presented", "planned", "asked", "mentioned"]
AGENT_KINDS = frozenset({"municipality", "kreis", "region", "organisation", "person"})
BASE_CONFIDENCE: dict[ExperienceKind, float] = {
    "done": 0.8, "presented": 0.85, "planned": 0.7, "asked": 0.7, "mentioned": 0.5,
}  # fmt: skip
HEADING_FACTOR = 0.7  # agent or topic only in the heading, not in the sentence

DONE_VERBS = frozenset(
    {
        "umsetzen", "einführen", "erstellen", "abschließen", "finanzieren", "realisieren",
        "durchführen", "eröffnen", "betreiben", "errichten", "installieren", "starten",
        "gründen", "beschließen", "stattfinden", "einrichten", "bauen", "anschaffen",
        "etablieren", "entwickeln", "erarbeiten", "aufstellen", "fertigstellen", "einsetzen",
        "nutzen", "erproben", "testen", "sanieren", "ausbauen", "beschaffen", "verabschieden",
    }
)  # fmt: skip
ONGOING_IS_DONE = frozenset(
    {
        "finanzieren", "betreiben", "nutzen", "einsetzen", "anbieten", "fördern",
        "durchführen", "organisieren", "unterstützen", "koordinieren", "praktizieren",
    }
)  # fmt: skip
_ANY_DONE_VERB = DONE_VERBS | ONGOING_IS_DONE
_PERFECT_AUX = frozenset(
    {"hat", "haben", "hatte", "hatten", "wurde", "wurden", "ist", "sind", "war", "waren"}
)
_PRESENT_PASSIVE = frozenset({"wird", "werden"})
_MODALS = frozenset(
    {"kann", "können", "könnte", "könnten", "sollte", "sollten", "soll", "sollen", "muss",
     "müssen", "müsste", "müssten", "darf", "dürfen", "würde", "würden", "will", "wollen"}
)  # fmt: skip
_ALREADY = frozenset({"bereits", "schon", "erfolgreich", "seit", "inzwischen", "mittlerweile"})
_COMPLETED_WORDS = frozenset(
    {"abgeschlossen", "umgesetzt", "eingeführt", "realisiert", "fertig", "fertiggestellt"}
)
_PLANNED = frozenset(
    {
        "planen", "geplant", "idee", "soll", "sollen", "sollte", "sollten", "wollen", "will",
        "beabsichtigen", "vorgesehen", "künftig", "zukünftig", "angedacht", "wünschenswert",
        "wunsch", "empfehlen", "empfohlen", "planung", "vorhaben", "ziel", "zukunftsszenario",
    }
)  # fmt: skip
_IN_PROGRESS = frozenset({"derzeit", "aktuell", "gerade", "momentan", "zurzeit"})
_PRESENTED = frozenset(
    {
        "vorstellen", "präsentieren", "berichten", "referieren", "vortragen", "input",
        "vortrag", "präsentation", "vorstellung", "referent", "referentin", "erläutern",
        "impulsvortrag", "impuls",
    }
)  # fmt: skip
_ASKED = frozenset(
    {"suchen", "suche", "frage", "fragen", "bedarf", "fehlen", "benötigen", "brauchen", "gesucht"}
)
_CLAUSE_BREAKS = frozenset({",", ";"})
_NEGATIONS = frozenset({"nicht", "kein", "keine", "keinen", "keiner", "keinem", "nie", "niemals"})
_SEPARABLE = {"stellen": ("vor", "vorstellen"), "führen": ("ein", "vorstellen")}
_STATUS: dict[str, ExperienceKind] = {
    **dict.fromkeys(
        ("abgeschlossen", "umgesetzt", "fertig", "erledigt", "beendet", "in betrieb", "laufend",
         "läuft", "in umsetzung", "aktiv", "realisiert", "done"), "done"),
    **dict.fromkeys(
        ("idee", "geplant", "in planung", "planung", "in vorbereitung", "konzept", "entwurf",
         "vorgeschlagen", "planned"), "planned"),
    **dict.fromkeys(("gesucht", "bedarf", "frage", "offen"), "asked"),
    **dict.fromkeys(("vorgestellt", "präsentiert"), "presented"),
}  # fmt: skip


@dataclass(frozen=True)
class SentenceCues:
    """What one sentence says about the state of things."""

    done: str | None = None
    in_progress: str | None = None
    presented: str | None = None
    planned: str | None = None
    asked: str | None = None
    question: bool = False
    negated: bool = False


@dataclass(frozen=True)
class ExperienceRecord:
    """Evidence that an agent has experience of a topic, with the sentence as evidence."""

    agent: Mention
    topic_iri: str
    kind: ExperienceKind
    confidence: float
    start: int  # evidence span (the sentence) in the analysed text
    end: int
    negated: bool = False
    cue: str | None = None
    scope: Literal["sentence", "heading"] = "sentence"


def kind_from_status(status: str) -> ExperienceKind | None:
    """Kind implied by a project's front-matter status ("abgeschlossen" -> done).

    A project being implemented ("laufend", "in Umsetzung") counts as done: its team already
    has the hands-on experience a colleague asks for. Unknown statuses give None.
    """
    return _STATUS.get(" ".join(status.casefold().split()))


def sentence_cues(tokens: Sequence[Token]) -> SentenceCues:
    """Cue words of one sentence (lemma-based, so "finanziert wird" finds "finanzieren")."""
    lowers = {t.lower for t in tokens}
    lemmas = {t.lemma for t in tokens}
    words = lowers | lemmas
    found = _done_cue(tokens, lowers)
    done = found[0] if found and not found[1] else None
    in_progress = found[0] if found and found[1] else None
    presented = _first(words, _PRESENTED) or _separable(tokens)
    if presented and _announced(lowers):
        presented, in_progress = None, in_progress or presented  # "wird im Herbst vorgestellt"
    planned = _first(words, _PLANNED) or in_progress
    return SentenceCues(
        done=done,
        in_progress=in_progress,
        presented=presented,
        planned=planned,
        asked=_first(words, _ASKED),
        question=bool(tokens) and tokens[-1].text == "?",
        negated=bool(lowers & _NEGATIONS),
    )


def _announced(lowers: set[str]) -> bool:
    """A presentation still to come: present passive without "bereits" or a perfect."""
    return bool(lowers & _PRESENT_PASSIVE) and not lowers & (_PERFECT_AUX | _ALREADY)


def _first(words: set[str], cues: frozenset[str]) -> str | None:
    hits = words & cues
    return min(hits) if hits else None


def _separable(tokens: Sequence[Token]) -> str | None:
    """ "stellten … vor" has lemma "stellen" and a detached "vor"."""
    for i, token in enumerate(tokens):
        particle = _SEPARABLE.get(token.lemma)
        if particle and any(t.lower == particle[0] for t in tokens[i + 1 :]):
            return particle[1]
    return None


def _done_cue(tokens: Sequence[Token], lowers: set[str]) -> tuple[str, bool] | None:
    """The completed-action cue, and whether it is only in progress ("wird derzeit …t")."""
    if lowers & _COMPLETED_WORDS:
        return min(lowers & _COMPLETED_WORDS), False
    already = bool(lowers & _ALREADY)
    hypothetical = bool(lowers & _MODALS) and not already
    for token in tokens:
        if token.lemma not in _ANY_DONE_VERB or token.lower == token.lemma:
            continue
        if hypothetical:
            return token.lemma, True  # "können … genutzt werden": a possibility, not a fact
        if already or lowers & _PERFECT_AUX:
            return token.lemma, False
        if lowers & _PRESENT_PASSIVE:
            ongoing = token.lemma in ONGOING_IS_DONE and not lowers & _IN_PROGRESS
            return token.lemma, not ongoing
    if already and any(t.lemma in {"laufen", "geben", "existieren", "bestehen"} for t in tokens):
        return "bereits", False
    return None


def kind_for(agent: Mention, cues: SentenceCues) -> tuple[ExperienceKind, str | None]:
    """The experience kind of one agent in a sentence with these cues."""
    if cues.question:
        return "asked", "?"
    if agent.kind == "person" and cues.presented:
        return "presented", cues.presented
    if cues.done:
        return ("mentioned", cues.done) if cues.negated else ("done", cues.done)
    if cues.presented:
        return "presented", cues.presented
    if cues.planned:
        return ("mentioned", cues.planned) if cues.negated else ("planned", cues.planned)
    if cues.asked:
        return "asked", cues.asked
    return "mentioned", None


def find_experiences(
    tokens: Sequence[Token],
    sentences: Sequence[Sentence],
    mentions: Sequence[Mention],
    topics: Sequence[TopicMatch],
    heading_agents: Sequence[Mention] = (),
    heading_topics: Sequence[TopicMatch] = (),
) -> list[ExperienceRecord]:
    """Agent-topic pairs per sentence; heading agents/topics fill in where a side is missing."""
    agents = _agents(mentions)
    best: dict[tuple[str, str, str, str], ExperienceRecord] = {}
    for sentence in sentences:
        words = tokens[sentence.first : sentence.last]
        in_sentence = [a for a in agents if sentence.start <= a.start < sentence.end]
        spans = [t for t in topics if any(sentence.start <= s < sentence.end for s, _ in t.spans)]
        pairs = _pairs(in_sentence, spans, heading_agents, heading_topics)
        pairs = _same_clause(pairs, [t.start for t in words if t.text in _CLAUSE_BREAKS])
        if not pairs:
            continue
        cues = sentence_cues(words)
        for agent, topic, factor in pairs:
            kind, cue = kind_for(agent, cues)
            confidence = BASE_CONFIDENCE[kind] * agent.confidence * topic.confidence * factor
            record = ExperienceRecord(
                agent, topic.iri, kind, round(confidence, 3), sentence.start, sentence.end,
                cues.negated, cue, "sentence" if factor == 1.0 else "heading",
            )  # fmt: skip
            key = (agent.kind, agent.key, topic.iri, kind)
            if key not in best or best[key].confidence < record.confidence:
                best[key] = record
    return sorted(best.values(), key=lambda r: (r.start, r.agent.start, r.topic_iri))


def _pairs(
    agents: list[Mention],
    topics: list[TopicMatch],
    heading_agents: Sequence[Mention],
    heading_topics: Sequence[TopicMatch],
) -> list[tuple[Mention, TopicMatch, float]]:
    if agents and topics:
        return [(a, t, 1.0) for a in agents for t in topics]
    if agents:
        return [(a, t, HEADING_FACTOR) for a in agents for t in heading_topics]
    if topics:
        return [(a, t, HEADING_FACTOR) for a in _agents(heading_agents) for t in topics]
    return []


def _same_clause(
    pairs: list[tuple[Mention, TopicMatch, float]], breaks: list[int]
) -> list[tuple[Mention, TopicMatch, float]]:
    """Drop a pair whose topic sits in another clause that has an agent of its own.

    "Die Starkregenkarte der Stadt Herford ist fertig, der Wärmeplan in Gütersloh läuft":
    the Wärmeplan belongs to Gütersloh, not to Herford. A clause without an agent (a relative
    clause: "…, welches über den Sportverein finanziert wird") still belongs to the sentence.
    """
    if not breaks or len({id(a) for a, _t, _f in pairs}) < 2:
        return pairs

    def clause(offset: int) -> int:
        return sum(1 for b in breaks if b < offset)

    agent_clauses = {clause(a.start) for a, _t, f in pairs if f == 1.0}
    kept = []
    for agent, topic, factor in pairs:
        clauses = {clause(start) for start, _end in topic.spans}
        if factor != 1.0 or clause(agent.start) in clauses or clauses - agent_clauses:
            kept.append((agent, topic, factor))
    return kept


def _agents(mentions: Sequence[Mention]) -> list[Mention]:
    """Agents, without places inside an organisation's name ("Universität Paderborn").

    A town's administration ("Stadt Paderborn") gives way to the town itself, so the
    experience is credited once, to the municipality.
    """
    named = [
        m
        for m in mentions
        if m.kind == "organisation" and m.extra.get("source") != "administration"
    ]
    agents = []
    for mention in mentions:
        if mention.kind not in AGENT_KINDS or mention.extra.get("source") == "administration":
            continue
        inside = any(o.start <= mention.start and mention.end <= o.end for o in named)
        if inside and mention.kind not in {"organisation", "person"}:
            continue
        agents.append(mention)
    return agents
