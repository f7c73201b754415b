""" "Ich biete / Ich suche" lines: offers and needs of municipalities, with who (raw).

The marker must open the line or follow a short "who" prefix ("Stadt Verl: Ich biete: ..."),
because protocols also *mention* such a platform ("wie ebayKleinanzeigen: Ich suche...,
Ich biete...") and that is a project idea, not an offer.
"""

import re
from typing import Literal

from ingest.structure._lines import Line, collapse
from ingest.structure.records import OfferNeed, OfferNeedKind

ExchangeMode = Literal["offers", "needs", "exchange"]

_WHO_PREFIX = r"(?:(?P<who>[^()\[\]:\"„“”–—]{2,80}?)[ \t]*(?::|[ \t][–—-])[ \t]*)?"
_MARKED = re.compile(
    _WHO_PREFIX
    + r"[*_]*(?:(?P<personal>(?:ich|wir)[ \t]+(?:biete|bieten|suche|suchen))[*_]*[ \t]*:?"
    r"|(?P<bare>biete|suche)[*_]*[ \t]*:)[*_]*[ \t]*(?P<what>[^\W_].*)",
    re.I | re.S,
)
_SECTION_ITEM = re.compile(r"(?P<who>[^():\"„“”]{2,60}?)[ \t]*:[ \t]*(?P<what>\S.*)", re.S)
_TRAILING_WHO = re.compile(r"\((?P<who>[^()]{2,80})\)\s*\.?\s*$")
_NEED_WORDS = ("such",)
_OFFER_HEADING = re.compile(r"(?:ich|wir)\s+biete[n]?|biete|angebote")
_NEED_HEADING = re.compile(r"(?:ich|wir)\s+suche[n]?|suche|gesuche")


def exchange_mode(label: str) -> ExchangeMode | None:
    """The mode a heading opens: offers, needs or both ("Ich biete / Ich suche")."""
    cleaned = " ".join(label.lower().strip("*_#: ").split())
    if len(cleaned.split()) > 6:
        return None
    offers = _OFFER_HEADING.search(cleaned) is not None
    needs = _NEED_HEADING.search(cleaned) is not None
    if offers and needs:
        return "exchange"
    if offers and _OFFER_HEADING.fullmatch(cleaned):
        return "offers"
    if needs and _NEED_HEADING.fullmatch(cleaned):
        return "needs"
    return None


def offer_need(line: Line, mode: ExchangeMode | None = None) -> OfferNeed | None:
    """The offer or need on this line, if it carries a marker or sits under such a heading."""
    if line.heading:
        return None
    match = _MARKED.match(line.raw)
    if match is not None and _plausible_who(match["who"]):
        marker = (match["personal"] or match["bare"] or "").lower()
        kind: OfferNeedKind = "need" if any(w in marker for w in _NEED_WORDS) else "offer"
        return _record(line, kind, match["what"], match["who"])
    if mode in ("offers", "needs"):
        kind = "offer" if mode == "offers" else "need"
        item = _SECTION_ITEM.match(line.raw)
        if item is not None and len(item["who"].split()) <= 6:
            return _record(line, kind, item["what"], item["who"])
        return _record(line, kind, line.raw, None)
    return None


def _plausible_who(who: str | None) -> bool:
    return who is None or (len(who.split()) <= 8 and not who.rstrip().endswith(","))


def _record(line: Line, kind: OfferNeedKind, what: str, who: str | None) -> OfferNeed:
    what_text = collapse(what).strip("*_ ")
    who_text = collapse(who).strip("*_ ") if who else None
    if not who_text:
        trailing = _TRAILING_WHO.search(what_text)
        if trailing is not None:
            who_text = trailing["who"].strip()
            what_text = what_text[: trailing.start()].rstrip()
    return OfferNeed(kind, line.text, line.start, line.end, what=what_text, who=who_text or None)
