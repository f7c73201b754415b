"""Question understanding: split "Wer hat schon X gemacht?" into the topic X and constraints.

Pure functions over the question text and place names handed in as data (``PlaceNames``), so
the parser can be tested without a store and reused by the API. The topic part goes to the
hybrid search; the constraints ("im Kreis Gütersloh", "außer Bielefeld", "in unserer
Regiopolregion", "in the Gütersloh district") become filters on passages and candidates.
Place phrases are found by a left-to-right scan: a trigger word ("in", "außer", "except"),
optional determiners and type words ("Kreis", "Stadt", "district"), then the longest known
name. A trigger followed by anything that is not a place name is left alone, so "Erfahrung
in der Bauleitplanung" keeps its topic.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Constraints", "PlaceNames", "Question", "normalise", "parse_question"]

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_TOKEN = re.compile(r"\w+")
_YEAR = re.compile(r"(?:19|20)\d\d")
MAX_NAME_TOKENS = 5

_INCLUDE = frozenset({"in", "im", "aus", "from", "within", "innerhalb", "bei", "across", "for"})
_EXCLUDE = frozenset({"ausser", "ohne", "except", "excluding", "exklusive", "ausgenommen"})
_EXCLUDE_PAIRS = frozenset(
    {("nicht", "in"), ("not", "in"), ("other", "than"), ("abgesehen", "von"), ("but", "not")}
)
_DETERMINERS = frozenset(
    {"der", "dem", "den", "des", "die", "das", "the", "unserer", "unserem", "unseren", "unsere"}
    | {"our", "meiner", "meinem", "unser", "dieser", "diesem", "this", "my"}
)
_OWN = frozenset({"unserer", "unserem", "unseren", "unsere", "unser", "our", "meiner", "my"})
_KREIS_WORDS = frozenset(
    {"kreis", "kreises", "landkreis", "landkreises", "kreisgebiet", "district", "county"}
)
_TOWN_WORDS = frozenset(
    {"stadt", "gemeinde", "kommune", "city", "town", "municipality", "hansestadt"}
)
_REGION_WORDS = frozenset({"region", "regiopolregion"})
_CONJUNCTIONS = frozenset({"und", "and", "oder", "or", "sowie", "bzw"})
_YEAR_FROM = frozenset({"seit", "since", "ab", "nach", "after"})
_YEAR_TO = frozenset({"bis", "until", "vor", "before"})
_YEAR_IN = frozenset({"in", "im", "jahr", "during"})

_EN_WORDS = frozenset(
    {"who", "which", "has", "have", "already", "experience", "with", "the", "our", "of"}
    | {"municipalities", "towns", "cities", "district", "except", "done", "implemented", "is"}
)
_DE_WORDS = frozenset(
    {"wer", "welche", "hat", "haben", "schon", "bereits", "erfahrung", "mit", "der", "die"}
    | {"das", "unserer", "im", "kreis", "kommunen", "außer", "ausser", "ohne", "und", "ist"}
)

_FRAMES = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^(?:und\s+|also\s+)?wer\s+(?:von\s+\w+\s+)?(?:hat|haben|hatte|hätte)\s+"
        r"(?:denn\s+|eigentlich\s+|vielleicht\s+)?(?:schon\s+|bereits\s+)?(?:(?:mal|einmal)\s+)?"
        r"(?:(?:erfahrung(?:en)?|expertise)\s+(?:mit|bei|zu|in|im\s+bereich)\s+)?",
        r"^welche[rsnm]?\s+(?:kommunen|städte|gemeinden|orte|verwaltungen|partner\w*|kolleg\w*|"
        r"personen|leute|ansprechpersonen|ansprechpartner\w*|akteure)\s+(?:haben|hat|hatten|"
        r"verfügen\s+über|sind|kennen\s+sich|arbeiten)\s+(?:schon\s+|bereits\s+)?"
        r"(?:(?:erfahrung(?:en)?|wissen|know-how|expertise)\s+(?:mit|bei|zu|in|im\s+bereich|über)\s+)?",
        r"^(?:gibt\s+es|kennt\s+jemand|kennen\s+sie)\s+(?:schon\s+|bereits\s+)?(?:kommunen|"
        r"städte|gemeinden|beispiele|erfahrungen|jemanden|personen|ansprechpersonen)?\s*,?\s*"
        r"(?:die|der|mit|für|zu|zum|zur)?\s*(?:schon\s+|bereits\s+)?"
        r"(?:erfahrung(?:en)?\s+(?:mit|bei|zu)\s+)?",
        r"^wer\s+(?:kennt\s+sich\s+(?:mit|bei|in)|kann\s+(?:etwas\s+|was\s+)?(?:zu|über)|"
        r"könnte\s+(?:etwas\s+|einen\s+\w+\s+)?(?:zu|über)|weiß\s+(?:etwas\s+|was\s+|mehr\s+)?"
        r"(?:über|zu)|beschäftigt\s+sich\s+(?:mit)?|arbeitet\s+(?:an|mit|zu)|"
        r"macht\s+(?:schon\s+|bereits\s+)?|plant)\s+",
        r"^wo\s+(?:gibt\s+es|wurde|wird|hat\s+man)\s+(?:schon\s+|bereits\s+)?",
        r"^(?:ich\s+)?(?:suche|suchen)\s+(?:eine?n?\s+)?(?:kommunen?|ansprechperson(?:en)?|referent\w*|"
        r"expert\w*|jemanden)?\s*(?:mit\s+erfahrung(?:en)?\s+|für\s+|zu\s+|zum\s+|zur\s+|mit\s+)?",
        r"^(?:erfahrung(?:en)?|beispiele|ansprechperson(?:en)?|ansprechpartner\w*|referent\w*|expert\w*)"
        r"\s+(?:mit|zu|für|zum|zur|über)\s+",
        r"^who\s+(?:has|have|had)\s+(?:already\s+)?(?:got\s+)?(?:any\s+)?(?:experience\s+"
        r"(?:with|in|of)\s+|done\s+|implemented\s+|introduced\s+|worked\s+on\s+|tried\s+)?",
        r"^which\s+(?:municipalities|towns|cities|councils|authorities|communities|people|"
        r"persons|colleagues)\s+(?:have|has|had)\s+(?:already\s+)?(?:experience\s+"
        r"(?:with|in|of)\s+|done\s+|implemented\s+|introduced\s+|worked\s+on\s+)?",
        r"^(?:is|are)\s+there\s+(?:any\s+)?(?:municipalities|towns|cities|examples|people|"
        r"anyone|someone)\s+(?:who|that|with)?\s*(?:have|has)?\s*(?:already\s+)?"
        r"(?:experience\s+(?:with|in)\s+)?",
        r"^who\s+(?:can|could)\s+(?:talk|speak|present|tell\s+us)\s+(?:about|on)\s+",
        r"^who\s+knows\s+(?:something\s+)?about\s+",
        r"^(?:experience|examples|speakers?|experts?)\s+(?:with|on|for|about)\s+",
    )
)
_TRAILING = re.compile(
    r"\s+(?:schon\s+|bereits\s+|already\s+)?(?:gemacht|umgesetzt|eingeführt|realisiert|"
    r"durchgeführt|gesammelt|ausprobiert|erprobt|aus|berichten|erzählen|sagen|halten|"
    r"vorstellen|referieren|erstellt|eingerichtet|aufgebaut|entwickelt|gestartet|genutzt|"
    r"haben|hat|hatten|wurde|wurden|worden|sind|done|implemented|"
    r"introduced|before|already)$",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"^(?:eine?[nmrs]?|die|der|das|den|dem|the|an?|any|some)\s+", re.IGNORECASE)


def normalise(text: str) -> str:
    """Comparable form of a name: folded umlauts and ß, punctuation gone, single spaces.

    "Schloß Holte-Stukenbrock" and "Schloss Holte Stukenbrock" agree, as do "Halle (Westf.)"
    and "Halle Westf".
    """
    folded = unicodedata.normalize("NFC", text).casefold().translate(_UMLAUTS)
    return " ".join(_TOKEN.findall(folded))


@dataclass(frozen=True)
class PlaceNames:
    """Names the parser can resolve, each key in ``normalise`` form.

    Ambiguous municipality names ("Neustadt") are resolved by whoever builds this table,
    which knows the population and the regions; the parser just looks names up.
    """

    municipalities: Mapping[str, str] = field(default_factory=dict)  # name -> AGS
    kreise: Mapping[str, str] = field(default_factory=dict)  # name -> 5-digit key
    regions: Mapping[str, frozenset[str]] = field(default_factory=dict)  # name -> member AGS
    home_region: frozenset[str] = frozenset()  # members of "unsere Region"


@dataclass(frozen=True)
class Constraints:
    """Where answers may come from. Empty sets mean "no restriction" except for exclusions.

    Kinds of constraint combine with AND (region and Kreis: both must hold); names of one
    kind combine with OR ("in Herford oder Enger").
    """

    municipalities: frozenset[str] = frozenset()
    kreise: frozenset[str] = frozenset()
    exclude_municipalities: frozenset[str] = frozenset()
    exclude_kreise: frozenset[str] = frozenset()
    year_from: int | None = None
    year_to: int | None = None

    @property
    def is_empty(self) -> bool:
        """True if nothing is restricted."""
        return self == Constraints()

    def allows(self, ags: str, kreis_key: str | None = None) -> bool:
        """Whether a municipality (with its Kreis key, if known) passes the constraints."""
        kreis = kreis_key if kreis_key is not None else ags[:5]
        if ags in self.exclude_municipalities or kreis in self.exclude_kreise:
            return False
        if self.municipalities and ags not in self.municipalities:
            return False
        return not self.kreise or kreis in self.kreise


@dataclass(frozen=True)
class Question:
    """A parsed question: the topic to search for plus constraints on the answers."""

    text: str
    topic: str
    lang: str
    constraints: Constraints = Constraints()
    places: tuple[str, ...] = ()  # constraint phrases as written, for explanations


@dataclass(frozen=True)
class _Token:
    norm: str
    start: int
    end: int


@dataclass
class _Scan:
    include_m: set[str] = field(default_factory=set)
    include_k: set[str] = field(default_factory=set)
    exclude_m: set[str] = field(default_factory=set)
    exclude_k: set[str] = field(default_factory=set)
    year_from: int | None = None
    year_to: int | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Place:
    kind: str  # municipality | kreis | region
    members: frozenset[str]
    end: int  # index of the token after the place phrase


def parse_question(text: str, places: PlaceNames) -> Question:
    """Split a question into topic text, language and constraints.

    The topic is what remains after the constraint phrases and the question frame ("Wer hat
    schon …", "Which municipalities have experience with …") are removed; if nothing
    remains, the whole question is the topic.
    """
    tokens = [_Token(normalise(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    scan = _Scan()
    i = 0
    while i < len(tokens):
        i = _step(text, tokens, i, places, scan)
    remaining = _cut(text, scan.spans)
    topic = strip_frame(remaining) or strip_frame(text) or text.strip()
    constraints = Constraints(
        frozenset(scan.include_m),
        frozenset(scan.include_k),
        frozenset(scan.exclude_m),
        frozenset(scan.exclude_k),
        scan.year_from,
        scan.year_to,
    )
    phrases = tuple(text[a:b].strip() for a, b in scan.spans)
    return Question(text, topic, detect_language(tokens), constraints, phrases)


def _step(text: str, tokens: list[_Token], i: int, places: PlaceNames, scan: _Scan) -> int:
    """Consume one constraint phrase starting at token ``i``; returns the next index."""
    word = tokens[i].norm
    following = tokens[i + 1].norm if i + 1 < len(tokens) else ""
    year_end = _year(tokens, i, scan)
    if year_end is not None:
        scan.spans.append((tokens[i].start, tokens[year_end - 1].end))
        return year_end
    exclude = word in _EXCLUDE or (word, following) in _EXCLUDE_PAIRS
    start = i + (2 if (word, following) in _EXCLUDE_PAIRS else 1)
    if exclude and start < len(tokens) and tokens[start].norm in {"in", "im"}:
        start += 1  # "außer in Bielefeld"
    if not exclude and word not in _INCLUDE:
        if word not in _KREIS_WORDS:
            return i + 1
        start = i  # "Kommunen des Kreises Gütersloh": a type word alone also opens a phrase
    found = _place_list(text, tokens, start, places)
    if not found:
        return i + 1
    for place in found:
        target_m = scan.exclude_m if exclude else scan.include_m
        target_k = scan.exclude_k if exclude else scan.include_k
        (target_k if place.kind == "kreis" else target_m).update(place.members)
    scan.spans.append((tokens[i].start, tokens[found[-1].end - 1].end))
    return found[-1].end


def _year(tokens: list[_Token], i: int, scan: _Scan) -> int | None:
    """Consume "seit 2023", "in 2024", "im Jahr 2024", "before 2020"; end index or None."""
    word = tokens[i].norm
    j = i + 1
    if word == "im" and j < len(tokens) and tokens[j].norm == "jahr":
        j += 1
    if j >= len(tokens) or not _YEAR.fullmatch(tokens[j].norm):
        return None
    year = int(tokens[j].norm)
    if word in _YEAR_FROM:
        scan.year_from = year + (1 if word in {"nach", "after"} else 0)
    elif word in _YEAR_TO:
        scan.year_to = year - (1 if word in {"vor", "before"} else 0)
    elif word in _YEAR_IN:
        scan.year_from = scan.year_to = year
    else:
        return None
    return j + 1


def _place_list(text: str, tokens: list[_Token], start: int, places: PlaceNames) -> list[_Place]:
    """One place, or several joined by "und", "oder" or commas."""
    found: list[_Place] = []
    j = start
    while True:
        place = _place(tokens, j, places)
        if place is None:
            return found
        found.append(place)
        j = place.end
        if j < len(tokens) and tokens[j].norm in _CONJUNCTIONS:
            j += 1
        elif not (j < len(tokens) and "," in text[tokens[j - 1].end : tokens[j].start]):
            return found


def _place(tokens: list[_Token], j: int, places: PlaceNames) -> _Place | None:
    """The place phrase starting at token ``j``: determiners, type word, name, type word."""
    own = False
    while j < len(tokens) and tokens[j].norm in _DETERMINERS:
        own = own or tokens[j].norm in _OWN
        j += 1
    kind_hint = ""
    if j < len(tokens) and tokens[j].norm in _KREIS_WORDS | _TOWN_WORDS:
        kind_hint = "kreis" if tokens[j].norm in _KREIS_WORDS else "municipality"
        j += 1
        if j < len(tokens) and tokens[j].norm == "of":
            j += 1
    named = _longest_name(tokens, j, places, kind_hint)
    if named is not None:
        kind, members, end = named
        if end < len(tokens) and tokens[end].norm in _KREIS_WORDS and kind != "region":
            by_kreis = _lookup(" ".join(t.norm for t in tokens[j:end]), places, "kreis")
            if by_kreis is not None:
                kind, members = by_kreis
            end += 1
        return _Place(kind, members, end)
    if own and j < len(tokens) and tokens[j].norm in _REGION_WORDS and places.home_region:
        return _Place("region", places.home_region, j + 1)
    return None


def _longest_name(
    tokens: list[_Token], j: int, places: PlaceNames, kind_hint: str
) -> tuple[str, frozenset[str], int] | None:
    for size in range(min(MAX_NAME_TOKENS, len(tokens) - j), 0, -1):
        name = " ".join(t.norm for t in tokens[j : j + size])
        if not name or name in _DETERMINERS:
            continue
        found = _lookup(name, places, kind_hint)
        if found is not None:
            return found[0], found[1], j + size
    return None


def _lookup(name: str, places: PlaceNames, kind_hint: str) -> tuple[str, frozenset[str]] | None:
    """Resolve a name; the type word decides, else municipality > region > Kreis."""
    order = {
        "kreis": ("kreis", "municipality", "region"),
        "municipality": ("municipality", "region", "kreis"),
    }.get(kind_hint, ("municipality", "region", "kreis"))
    for kind in order:
        if kind == "municipality" and name in places.municipalities:
            return kind, frozenset({places.municipalities[name]})
        if kind == "region" and name in places.regions:
            return kind, places.regions[name]
        if kind == "kreis" and name in places.kreise:
            return kind, frozenset({places.kreise[name]})
    return None


def _cut(text: str, spans: Iterable[tuple[int, int]]) -> str:
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        pieces.append(text[position:start])
        position = max(position, end)
    pieces.append(text[position:])
    return re.sub(r"\s+", " ", " ".join(pieces)).strip()


def strip_frame(text: str) -> str:
    """The topic part of a question: question frame, trailing verb and article removed."""
    topic = re.sub(r"\s+", " ", text).strip().rstrip("?!.:; ").strip()
    for _ in range(3):
        before = topic
        for frame in _FRAMES:
            topic = frame.sub("", topic, count=1).strip()
        topic = _TRAILING.sub("", topic).strip().rstrip(",?!.:; ")
        topic = _ARTICLE.sub("", topic).strip()
        if topic == before:
            break
    return topic


def detect_language(tokens: Iterable[_Token] | str) -> str:
    """``"en"`` if English function words outnumber German ones, else ``"de"``."""
    words = (
        [normalise(t) for t in _TOKEN.findall(tokens)]
        if isinstance(tokens, str)
        else [t.norm for t in tokens]
    )
    english = sum(w in _EN_WORDS for w in words)
    german = sum(w in _DE_WORDS for w in words)
    return "en" if english > german else "de"
