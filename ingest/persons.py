"""Person mentions with salutation, titles, roles and affiliations.

Protocols name people in a handful of shapes: "Herr Michael Dreier – Bürgermeister der Stadt
Paderborn sowie Vereinsvorsitzender der regiopolREGION PADERBORN e.V.", "Frau A und B -
Organisation", "Name (Organisation, Rolle)", "Rolle Name", and a signature "gez. Clausen /
Oberbürgermeister". Without a trained NER model a name is a salutation, title or known first
name followed by a capitalised surname; the text after it is parsed as a chain of roles and
organisations joined by "sowie" / "und zugleich" / "//".
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from graph.iris import normalise_name
from ingest.records import Mention
from ingest.roles import (
    Affiliation,
    PersonLexicon,
    Role,
    TailContext,
    parse_tail,
    prefix_role,
)
from ingest.tokens import Token

_SURNAME = re.compile(r"^[A-ZÄÖÜ][a-zäöüßéèáàç']+(?:-[A-ZÄÖÜ][a-zäöüßéèáàç']+)*$")
_NOUN_ENDINGS = (
    "ung", "heit", "keit", "schaft", "tion", "tät", "ismus", "ment", "wesen", "wende",
    "stelle", "politik", "bereich", "planung", "technik", "logie", "gramm",
)  # fmt: skip
PARTICLES = frozenset({"von", "van", "de", "der", "den", "zu", "vom", "ter", "ten", "zur"})
_NOT_SURNAMES = frozenset(
    {
        "Der", "Die", "Das", "Des", "Dem", "Den", "Ein", "Eine", "Und", "Mit", "Im", "In", "Am",
        "Zum", "Zur", "Von", "Vom", "Bei", "Für", "Auf", "Aus", "Nach", "Stadt", "Gemeinde",
        "Kreis", "Uhr", "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
        "September", "Oktober", "November", "Dezember", "Montag", "Dienstag", "Mittwoch",
        "Donnerstag", "Freitag", "Samstag", "Sonntag", "Herr", "Herrn", "Frau", "Prof", "Dr",
        "Vorstellung", "Begrüßung", "Einführung", "Moderation", "Input", "Thema", "Ort",
    }
)  # fmt: skip


@dataclass(frozen=True)
class PersonRecord:
    """A person as found in one place of the text."""

    name: str  # full name without salutation or title ("Michael Dreier", or "Dreier")
    surname: str
    given_names: tuple[str, ...]
    start: int  # span of the name itself
    end: int
    salutation: str | None = None
    titles: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    affiliations: tuple[Affiliation, ...] = ()
    confidence: float = 0.85
    signature: bool = False

    @property
    def main_affiliation(self) -> Affiliation | None:
        """The first affiliation: the one the text names first is the person's main one."""
        return self.affiliations[0] if self.affiliations else None

    def to_mention(self, text: str) -> Mention:
        """The person as a :class:`Mention` (roles and affiliation in ``extra``)."""
        main = self.main_affiliation
        extra: dict[str, object] = {
            "surname": self.surname,
            "given_names": list(self.given_names),
            "roles": [_role_dict(r) for r in self.roles],
            "affiliations": [a.name for a in self.affiliations],
        }
        if self.salutation:
            extra["salutation"] = self.salutation
        if self.titles:
            extra["titles"] = list(self.titles)
        if main:
            extra["affiliation"] = main.name
            extra["affiliation_key"] = main.key
        return Mention(
            "person", text[self.start : self.end], self.start, self.end,
            normalise_name(self.name), self.confidence, extra,
        )  # fmt: skip


def _role_dict(role: Role) -> dict[str, str | None]:
    affiliation = role.affiliation
    return {
        "label": role.label,
        "unit": role.unit,
        "organisation": affiliation.name if affiliation else None,
        "organisation_key": affiliation.key if affiliation else None,
        "municipality": affiliation.municipality if affiliation else None,
    }


@dataclass(frozen=True)
class _Name:
    first: int  # first token including salutation, title or "gez."
    name_first: int
    last: int  # exclusive
    given: tuple[str, ...]
    surname: str
    salutation: str | None
    titles: tuple[str, ...]
    signature: bool
    confidence: float


def find_persons(
    text: str,
    tokens: Sequence[Token],
    organisations: Sequence[Mention],
    places: Sequence[Mention],
    lexicon: PersonLexicon,
) -> list[PersonRecord]:
    """Persons with roles and affiliations; a coordinated group shares its tail."""
    blocked = {t.i for t in tokens for m in organisations if m.start <= t.start < m.end}
    org_at = {m.start: m for m in organisations}
    ctx = TailContext(text, tokens, lexicon, org_at, {m.start: m for m in places})
    groups = _groups(tokens, _names(tokens, lexicon, blocked))
    records: list[PersonRecord] = []
    for index, group in enumerate(groups):
        limit = groups[index + 1][0].first if index + 1 < len(groups) else len(tokens)
        roles, affiliations = parse_tail(ctx, group[-1].last, limit)
        prefix = prefix_role(ctx, group[0].first)
        if prefix:
            roles.insert(0, Role(prefix, affiliations[0] if affiliations else None))
        records += [_record(ctx, name, roles, affiliations) for name in group]
    return records


def _record(
    ctx: TailContext, name: _Name, roles: list[Role], affiliations: list[Affiliation]
) -> PersonRecord:
    tokens = ctx.tokens
    unique = list({a.key: a for a in affiliations}.values())
    return PersonRecord(
        name=" ".join(t.text for t in tokens[name.name_first : name.last]),
        surname=name.surname,
        given_names=name.given,
        start=tokens[name.name_first].start,
        end=tokens[name.last - 1].end,
        salutation=name.salutation,
        titles=name.titles,
        roles=tuple(roles),
        affiliations=tuple(unique),
        confidence=name.confidence,
        signature=name.signature,
    )


def _names(tokens: Sequence[Token], lexicon: PersonLexicon, blocked: set[int]) -> list[_Name]:
    names: list[_Name] = []
    i = 0
    while i < len(tokens):
        found = _name_at(tokens, i, lexicon, blocked)
        names += [found] if found else []
        i = found.last if found else i + 1
    return names


def _name_at(
    tokens: Sequence[Token], i: int, lexicon: PersonLexicon, blocked: set[int]
) -> _Name | None:
    token = tokens[i]
    if not (
        token.text in lexicon.salutations
        or token.text in lexicon.titles
        or lexicon.is_first_name(token.text)
        or token.lower == "gez."
        or (i > 0 and token.is_title and lexicon.role_label(tokens[i - 1].text))
    ):
        return None  # fast exit: most tokens cannot start a name
    j, salutation, signature = i, None, token.lower == "gez."
    if tokens[i].text in lexicon.salutations:
        salutation = "Frau" if tokens[i].text.startswith("F") else "Herr"
        j += 1
    j += signature
    titles: list[str] = []
    while j < len(tokens) and tokens[j].text in lexicon.titles:
        titles.append(tokens[j].text)
        j += 1
    cued = bool(salutation or titles or signature)
    parsed = _parse_name(tokens, j, lexicon, blocked, cued)
    if parsed is None:
        return None
    given, surname_at, last = parsed
    surname = " ".join(t.text for t in tokens[surname_at:last])
    if cued:
        confidence = 0.75 if signature else 0.95 if given else 0.8
    elif _looks_like_a_noun(surname):
        return None  # "Referentin Digitalisierung", "Projektleiter Wärmeplanung"
    elif given:
        if not _plausible_uncued(tokens, i, given, surname, lexicon):
            return None
        confidence = 0.7 if lexicon.is_common(surname) else 0.85
    elif i > 0 and lexicon.role_label(tokens[i - 1].text) and not lexicon.is_common(surname):
        confidence = 0.7
    else:
        return None
    return _Name(i, j, last, given, surname, salutation, tuple(titles), signature, confidence)


def _plausible_uncued(
    tokens: Sequence[Token], i: int, given: tuple[str, ...], surname: str, lexicon: PersonLexicon
) -> bool:
    """ "Ernst Meier" yes; a sentence opening with two common words ("Ernst Lage …") no."""
    first_is_word = lexicon.is_common(given[0].lower())
    if first_is_word and tokens[i].sent_start and lexicon.is_common(surname):
        return False
    return not tokens[i].is_upper


def _looks_like_a_noun(word: str) -> bool:
    """Abstract-noun endings that German surnames practically never have."""
    return len(word) > 7 and word.lower().endswith(_NOUN_ENDINGS)


def _surname_like(token: Token) -> bool:
    return bool(_SURNAME.match(token.text)) and token.text not in _NOT_SURNAMES


def _parse_name(
    tokens: Sequence[Token], j: int, lexicon: PersonLexicon, blocked: set[int], cued: bool
) -> tuple[tuple[str, ...], int, int] | None:
    """Given names, the surname's first token and the end of the name, from token ``j``."""
    n, given, k = len(tokens), [], j
    while k + 1 < n and lexicon.is_first_name(tokens[k].text) and not tokens[k + 1].newline_before:
        after = tokens[k + 1]
        if not (_surname_like(after) or after.lower in PARTICLES) or k + 1 in blocked:
            break
        given.append(tokens[k].text)
        k += 1
    run = 0
    while k + run < n and tokens[k + run].lower in PARTICLES and (given or cued):
        run += 1  # "von der Leyen", "van den Berg"
    if run and k + run < n and _surname_like(tokens[k + run]):
        k += run
    if k >= n or k in blocked or not _surname_like(tokens[k]):
        return None
    if lexicon.role_label(tokens[k].text) or (k > j and tokens[k].newline_before):
        return None
    end = k + 1
    if end + 1 < n and tokens[end].lower in {"zu", "zur"} and _surname_like(tokens[end + 1]):
        end += 2  # Westphalian farm names: "Meyer zu Hartum", "Schulze zur Wiesch"
    return tuple(given), k, end


def _groups(tokens: Sequence[Token], names: list[_Name]) -> list[list[_Name]]:
    """ "Frau Annette Nothnagel und Katharina Neubert": coordinated names share a tail."""
    groups: list[list[_Name]] = []
    for name in names:
        previous = groups[-1][-1] if groups else None
        joiner = tokens[previous.last].lower if previous and previous.last < len(tokens) else ""
        listed = joiner == "," and name.salutation is not None  # "Frau A, Herr B (Org)"
        if (
            previous
            and name.first == previous.last + 1
            and (joiner in {"und", "sowie", "&"} or listed)
        ):
            groups[-1].append(name)
        else:
            groups.append([name])
    return groups
