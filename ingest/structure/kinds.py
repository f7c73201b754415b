"""Which parser a document needs: protocol, project description, event note or plain page.

Front matter ``kind`` wins. Otherwise cue patterns vote; each cue counts once, and cues in the
form the genre writes them (a "Status:" field, a "Referentin:" line, "Protokoll" in the title)
weigh more than the same word in running text, because a protocol that *mentions* a project
database is still a protocol.
"""

import re
from dataclasses import dataclass
from typing import Literal

from ingest.records import DocKind, NormalisedDocument
from ingest.structure.records import KindDecision

Where = Literal["head", "line", "any"]

_HEAD_CHARS = 600
_THRESHOLD = 3.0
_ORDER: tuple[DocKind, ...] = ("protocol", "project", "event")
_ALIASES: dict[str, DocKind] = {
    "protocol": "protocol", "protokoll": "protocol", "project": "project", "projekt": "project",
    "projektbeschreibung": "project", "event": "event", "veranstaltung": "event",
    "akademie": "event", "page": "page", "seite": "page", "news": "page", "meldung": "page",
}  # fmt: skip


@dataclass(frozen=True)
class _Cue:
    kind: DocKind
    name: str
    pattern: re.Pattern[str]
    weight: float
    where: Where


def _cue(
    kind: DocKind,
    name: str,
    pattern: str,
    weight: float,
    where: Where = "any",
    *,
    caps: bool = False,
) -> _Cue:
    flags = re.MULTILINE if caps else re.MULTILINE | re.IGNORECASE
    return _Cue(kind, name, re.compile(pattern, flags), weight, where)


_CUES = (
    _cue("protocol", "Protokoll im Titel", r"\bProtokoll", 3.0, "head"),
    _cue("protocol", "Protokoll", r"\bProtokoll", 1.0),
    _cue("protocol", "Werkstatt", r"\bWerkstatt", 1.0),
    _cue("protocol", "Sitzung", r"\bSitzung\b", 1.0),
    _cue("protocol", "TOP", r"^\W{0,6}TOP\s*\d", 2.0, "line", caps=True),
    _cue("protocol", "Tagesordnung", r"\bTagesordnung\b", 2.0),
    _cue("protocol", "Teilnehmende", r"\bTeilnehmende\b", 1.0),
    _cue("protocol", "Arbeitsauftrag", r"^\W{0,6}(?:Vorläufiger\s+)?Arbeitsauftrag", 2.0, "line"),
    _cue("protocol", "Beschluss", r"^\W{0,6}(?:Beschluss|Ergebnis)\s*:", 1.0, "line"),
    _cue("protocol", "Ablauf", r"^\W{0,6}ABLAUF:?\s*$", 1.0, "line", caps=True),
    _cue("protocol", "Arbeitsgruppe", r"^\W{0,6}ARBEITSGRUPPE\b", 1.0, "line", caps=True),
    _cue("project", "Projekttitel", r"^\W{0,6}Projekttitel\s*:", 3.0, "line"),
    _cue("project", "Projektdatenbank", r"\bProjektdatenbank", 1.0),
    _cue("project", "Ansprechpartner-Feld", r"^\W{0,6}Ansprechpartner", 2.0, "line"),
    _cue("project", "Ansprechpartner", r"\bAnsprechpartner", 0.5),
    _cue("project", "Status-Feld", r"^\W{0,6}(?:Projekt)?[Ss]tatus\s*:", 2.0, "line"),
    _cue("project", "Ziele-Abschnitt", r"^\W{0,6}Ziele\s*:?\s*$|^\W{0,6}Ziele\s*:", 2.0, "line"),
    _cue("project", "Ziele", r"\bZiele\b", 0.5),
    _cue("project", "Aufgetretene Probleme", r"\bAufgetretene\s+Probleme", 2.0),
    _cue("project", "Zeitraum", r"^\W{0,6}(?:Zeitraum|Laufzeit|Projektlaufzeit)\s*:", 1.0, "line"),
    _cue(
        "project",
        "Kommunen-Feld",
        r"^\W{0,6}(?:Beteiligte\s+)?Kommune(?:n|\(n\))?\s*:",
        2.0,
        "line",
    ),
    _cue("event", "Regiopol Akademie", r"\bRegiopol[- ]?Akademie", 2.0),
    _cue("event", "Referent-Feld", r"^\W{0,6}Referent(?:in|en|innen|\*in|:in)?\s*:", 3.0, "line"),
    _cue("event", "Referent", r"\bReferent", 1.0),
    _cue("event", "Termin-Feld", r"^\W{0,6}Termin\s*:", 2.0, "line"),
    _cue("event", "Termin", r"\bTermin\b", 0.5),
    _cue("event", "Uhrzeit", r"\bUhrzeit\b", 1.0),
    _cue("event", "Format", r"\bFormat\s*:\s*(?:digital|online|Präsenz|hybrid)", 2.0),
    _cue("event", "Anmeldung", r"\bAnmeldung\b", 1.0),
)


def detect_kind(doc: NormalisedDocument) -> DocKind:
    """The document kind (see ``classify`` for the reason)."""
    return classify(doc).kind


def classify(doc: NormalisedDocument) -> KindDecision:
    """The document kind with the cues that decided it."""
    declared = doc.source.meta.get("kind")
    if isinstance(declared, str) and declared.strip().lower() in _ALIASES:
        return KindDecision(_ALIASES[declared.strip().lower()], f"front matter kind {declared!r}")
    scores: dict[DocKind, float] = dict.fromkeys(_ORDER, 0.0)
    hits: dict[DocKind, list[str]] = {kind: [] for kind in _ORDER}
    for cue in _CUES:
        target = doc.text[:_HEAD_CHARS] if cue.where == "head" else doc.text
        if cue.pattern.search(target):
            scores[cue.kind] += cue.weight
            hits[cue.kind].append(cue.name)
    ranked = tuple((kind, scores[kind]) for kind in _ORDER)
    best = max(_ORDER, key=lambda kind: scores[kind])
    if scores[best] < _THRESHOLD:
        summary = ", ".join(f"{kind} {score:g}" for kind, score in ranked)
        return KindDecision(
            "page", f"no kind reached {_THRESHOLD:g} cue points ({summary})", ranked
        )
    cues = ", ".join(hits[best])
    return KindDecision(best, f"{best} cues: {cues} ({scores[best]:g} points)", ranked)
