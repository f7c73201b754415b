"""Roles and affiliations of persons: the lexicon and the "Rolle der Organisation" chains.

After a name, protocols write a chain such as "– Bürgermeister der Stadt Paderborn sowie
Vereinsvorsitzender der regiopolREGION PADERBORN e.V.", "- Büro scheuvens + wachten plus //
Raumposition", "von der OstWestfalenLippe GmbH" or "(Stadt Bielefeld, Klimaschutzmanagerin)".
This module parses such chains into :class:`Role` and :class:`Affiliation` records, using the
organisation and place mentions found before.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import yaml

from graph.iris import normalise_name
from ingest.records import Mention
from ingest.tokens import Token

_SEPARATORS = frozenset({"–", "-", "—", ":"})
_CONTINUATIONS = frozenset({"der", "des", "von", "vom", "für", "im", "beim", "bei", "am", "zur"})
_SKIPPED_HEADS = frozenset({"Verein", "Vereins", "Vereines", "Firma", "Büros"})
_JOINERS = frozenset({"sowie", "und", "zugleich", "/", "bzw.", "&", ","})
_CHAIN_STOP = frozenset({".", ";", "!", "?", ")", "(", "„", "“", '"', ":"})
_NOT_ORGANISATIONS = frozenset(
    {"Vorstellung", "Begrüßung", "Einführung", "Input", "Thema", "Vortrag", "Uhr", "Ende"}
)
_MAX_UNKNOWN_RUN = 5
_MAX_UNIT = 10
_CONNECTORS = frozenset(
    {"der", "des", "im", "in", "bei", "beim", "von", "vom", "am", "zur", "zum", "für"}
)


def _no_common_words(_word: str) -> bool:
    return False


@dataclass(frozen=True)
class PersonLexicon:
    """First names, salutations, titles and role words (``ingest/data``)."""

    first_names: frozenset[str]
    salutations: frozenset[str]
    titles: frozenset[str]
    roles: Mapping[str, str]  # spelling -> role label
    role_suffixes: tuple[str, ...]
    not_roles: frozenset[str] = frozenset()
    is_common: Callable[[str], bool] = field(default=_no_common_words)

    def is_first_name(self, word: str) -> bool:
        """A known first name, or a hyphenated pair of them ("Sven-Georg")."""
        if word in self.first_names:
            return True
        parts = word.split("-")
        return len(parts) > 1 and all(p in self.first_names for p in parts)

    def role_label(self, word: str) -> str | None:
        """The role a word names ("Bürgermeisters" -> "Bürgermeister"), or None."""
        if word in self.roles:
            return self.roles[word]
        if word in self.not_roles or (not word[:1].isupper() and not word.startswith("regiopol")):
            return None
        folded = word.lower()
        if len(folded) > 6 and folded.endswith(self.role_suffixes):
            return word
        return None


@cache
def load_lexicon() -> PersonLexicon:
    """The packaged lexicon: ``first_names.txt`` and ``roles.yaml``."""
    data = files("ingest").joinpath("data")
    names = data.joinpath("first_names.txt").read_text("utf-8").splitlines()
    raw = yaml.safe_load(data.joinpath("roles.yaml").read_text("utf-8"))
    roles: dict[str, str] = {}
    for label, spellings in raw["roles"].items():
        for spelling in (label, *(spellings or ())):
            roles[str(spelling)] = str(label)
    return PersonLexicon(
        first_names=frozenset(n.strip() for n in names if n.strip() and not n.startswith("#")),
        salutations=frozenset(raw["salutations"]),
        titles=frozenset(raw["titles"]),
        roles=roles,
        role_suffixes=tuple(str(s) for s in raw["role_suffixes"]),
        not_roles=frozenset(raw.get("not_roles", ())),
    )


@dataclass(frozen=True)
class Affiliation:
    """An organisation a person belongs to, as written and as resolved."""

    raw: str
    name: str  # canonical organisation name where known, else the raw text
    key: str  # normalised organisation name
    municipality: str | None = None  # AGS where the organisation is "Stadt X" / "Gemeinde X"
    confidence: float = 0.8


@dataclass(frozen=True)
class Role:
    """A role label, with the organisation it is held in where the text says so."""

    label: str
    affiliation: Affiliation | None = None
    unit: str | None = None  # department or field: "Zentrale Vergabestelle", "Wärmeplanung"


@dataclass(frozen=True)
class TailContext:
    """What the chain parser reads: tokens plus organisation and place mentions by offset."""

    text: str
    tokens: Sequence[Token]
    lexicon: PersonLexicon
    organisations: Mapping[int, Mention]  # by start offset
    places: Mapping[int, Mention]

    def role(self, index: int) -> str | None:
        """The role named by token ``index``, if any."""
        return self.lexicon.role_label(self.tokens[index].text)


def parse_tail(ctx: TailContext, start: int, limit: int) -> tuple[list[Role], list[Affiliation]]:
    """Roles and affiliations written after a name ending before token ``start``."""
    tokens = ctx.tokens
    if start >= limit:
        return [], []
    token = tokens[start]
    if token.text == "(":
        return _parenthesis(ctx, start + 1, limit)
    if token.newline_before and not ctx.role(start):
        return [], []
    if token.text == ",":
        following = start + 1
        if following >= limit:
            return [], []
        if ctx.role(following) or _segment(ctx, following, limit, False, False).affiliation:
            return _chain(ctx, following, limit, allow_unknown=False)
        return [], []
    if token.text in _SEPARATORS:
        return _chain(ctx, start + 1, limit, allow_unknown=True)
    if token.lower in {"von", "vom"}:
        return _chain(ctx, start + 1, limit, allow_unknown=False)
    if ctx.role(start):
        return _chain(ctx, start, limit, allow_unknown=False)
    return [], []


def prefix_role(ctx: TailContext, first: int) -> str | None:
    """A role written before the name: "Oberbürgermeister Pit Clausen", "Moderation: …"."""
    k = first - 1
    while k >= 0 and ctx.tokens[k].text in {":", "–", "-", ","}:
        k -= 1
    return ctx.role(k) if k >= 0 else None


def _chain(
    ctx: TailContext, p: int, limit: int, allow_unknown: bool
) -> tuple[list[Role], list[Affiliation]]:
    """Segments "Rolle [der] [Einheit der] Organisation" joined by "sowie", "und zugleich", "//"."""
    tokens, roles, affiliations, first = ctx.tokens, [], [], p
    while p < limit and tokens[p].text not in _CHAIN_STOP:
        if p > first and tokens[p].newline_before and not _continues(ctx, p):
            break
        label = ctx.role(p)
        p += 1 if label else 0
        while p < limit and (tokens[p].lower in _CONTINUATIONS or tokens[p].text in _SKIPPED_HEADS):
            p += 1
        segment = _segment(ctx, p, limit, label is not None, allow_unknown)
        if label is None and segment.affiliation is None:
            break
        affiliations += [segment.affiliation] if segment.affiliation else []
        roles += [Role(label, segment.affiliation, segment.unit)] if label else []
        p = _next_segment(ctx, segment.end, limit)
        if p < 0:
            break
        allow_unknown = allow_unknown and tokens[p - 1].text == "/"
    return roles, affiliations


def _continues(ctx: TailContext, p: int) -> bool:
    """A line break inside a chain: "Vereinsvorsitzender\\n\\nder regiopolREGION …"."""
    return ctx.tokens[p].lower in _CONTINUATIONS or ctx.role(p) is not None


def _next_segment(ctx: TailContext, p: int, limit: int) -> int:
    """Index of the next segment after joiners, or -1 where the chain ends."""
    q = p
    while q < limit and ctx.tokens[q].lower in _JOINERS:
        q += 1
    if q == p or q >= limit:
        return -1
    following = ctx.tokens[q]
    if ctx.tokens[q - 1].text == "," and not ctx.role(q):
        return -1
    if ctx.role(q) or following.start in ctx.organisations or ctx.tokens[q - 1].text == "/":
        return q
    return -1


@dataclass(frozen=True)
class _Segment:
    affiliation: Affiliation | None
    unit: str | None  # department or field between role and organisation
    end: int


def _segment(
    ctx: TailContext, p: int, limit: int, after_role: bool, allow_unknown: bool
) -> _Segment:
    """The organisation at token ``p``, possibly behind a unit of it.

    "Leiter der Zentralen Vergabestelle der Stadt Halle (Westf.)" gives the unit "Zentralen
    Vergabestelle" and the affiliation Stadt Halle (Westf.). Without a known organisation an
    unknown capitalised run is a unit after a role ("Projektleiter Wärmeplanung") and an
    affiliation after a dash ("- Raumposition").
    """
    known = _known_at(ctx, p) if p < limit else None
    if known is not None:
        return _Segment(_from_mention(known), None, _after(ctx, known, p, limit))
    q = p
    while q < min(limit, p + _MAX_UNIT) and _unit_word(ctx, q, p):
        known = _known_at(ctx, q) if q > p + 1 else None
        if known is not None and ctx.tokens[q - 1].lower in _CONNECTORS:
            unit = ctx.text[ctx.tokens[p].start : ctx.tokens[q - 2].end]
            return _Segment(_from_mention(known), unit, _after(ctx, known, q, limit))
        q += 1
    end = p
    while end < min(limit, p + _MAX_UNKNOWN_RUN) and _organisation_word(ctx, end, p):
        end += 1
    if end == p:
        return _Segment(None, None, p)
    raw = ctx.text[ctx.tokens[p].start : ctx.tokens[end - 1].end]
    if after_role and not _looks_like_organisation(raw):
        return _Segment(None, raw, end)
    if not (allow_unknown or after_role):
        return _Segment(None, None, p)
    return _Segment(Affiliation(raw, raw, normalise_name(raw), None, 0.6), None, end)


def _known_at(ctx: TailContext, index: int) -> Mention | None:
    start = ctx.tokens[index].start
    return ctx.organisations.get(start) or ctx.places.get(start)


def _after(ctx: TailContext, mention: Mention, index: int, limit: int) -> int:
    while index < limit and ctx.tokens[index].end <= mention.end:
        index += 1
    return index


def _unit_word(ctx: TailContext, index: int, first: int) -> bool:
    token = ctx.tokens[index]
    if index > first and (token.newline_before or ctx.role(index)):
        return False
    if token.text in _CHAIN_STOP or token.text in {",", ";"}:
        return False
    return token.text[:1].isupper() or token.lower in _CONNECTORS or token.text in {"+", "&", "-"}


def _looks_like_organisation(raw: str) -> bool:
    """Brand-like names: "stadtraum+dialog", "OWL GmbH", "Pro Wirtschaft GT"."""
    return any(c in raw for c in "+&") or any(w.isupper() and len(w) > 1 for w in raw.split())


def _organisation_word(ctx: TailContext, index: int, first: int) -> bool:
    token = ctx.tokens[index]
    if index > first and (token.newline_before or token.start in ctx.organisations):
        return False
    if token.text in _NOT_ORGANISATIONS or ctx.role(index):
        return False
    return token.text[:1].isupper() or token.text in {"+", "&"} or token.text[:1].isdigit()


def _from_mention(mention: Mention) -> Affiliation:
    name = str(mention.extra.get("name", mention.text))
    municipality = mention.extra.get("municipality")
    if mention.kind == "municipality":
        municipality = mention.key
    elif mention.kind == "kreis":
        name = f"Kreis {name}"
    return Affiliation(
        raw=mention.text,
        name=name,
        key=mention.key if mention.kind == "organisation" else normalise_name(name),
        municipality=str(municipality) if municipality else None,
        confidence=mention.confidence,
    )


def _parenthesis(ctx: TailContext, p: int, limit: int) -> tuple[list[Role], list[Affiliation]]:
    """ "(Stadt Herford, Mobilitätsmanagement, regiopolPatin)": items split by commas.

    Unknown items next to a known organisation are its units, not further affiliations.
    """
    labels: list[str] = []
    known: list[Affiliation] = []
    units: list[str] = []
    while p < limit and ctx.tokens[p].text != ")":
        label = ctx.role(p)
        p += 1 if label else 0
        while p < limit and ctx.tokens[p].lower in _CONTINUATIONS:
            p += 1
        segment = _segment(ctx, p, limit, after_role=False, allow_unknown=True)
        labels += [label] if label else []
        if segment.affiliation is not None and segment.affiliation.confidence > 0.6:
            known.append(segment.affiliation)
        elif segment.affiliation is not None:
            units.append(segment.affiliation.raw)
        units += [segment.unit] if segment.unit else []
        p = segment.end
        if p < limit and ctx.tokens[p].text not in {",", ")"}:
            break
        p += 1 if p < limit and ctx.tokens[p].text == "," else 0
    if not known:
        known = [Affiliation(u, u, normalise_name(u), None, 0.6) for u in units]
        units = []
    unit = ", ".join(units) or None
    main = next(iter(known), None)
    return [Role(label, main, unit) for label in labels], known
