"""Checks and one rewrite that keep hostile SPARQL from hurting the store or the process.

Two problems of the embedded Oxigraph are handled here, before a query reaches it:

* **ORDER BY can abort the process.** Oxigraph compares literals of unrelated types (a
  string and an integer) as "equal", which is not a total order; Rust's sort detects that
  and panics, and pyoxigraph is built with ``panic = "abort"``. ``SELECT ?o { ?s ?p ?o }
  ORDER BY ?o`` over the reference data kills the server. :func:`total_order_by` puts a key
  in front of every sort condition that separates the literal kinds (numbers, each datatype
  and language, NaN, dates with and without a time zone); within one kind Oxigraph's
  comparison is a total order, and numbers still sort by value across numeric types.
* **Cartesian products** (patterns that share no variable) grow as the product of their
  matches: four patterns over the 10,751 municipalities never finish, and under ORDER BY or
  GROUP BY Oxigraph buffers every row, so an abandoned query grows by 100-200 MB a second.
  :func:`cartesian_parts` finds them in rdflib's parse tree so they are refused up front.

The rewrite works on tokens (strings, IRIs and comments are skipped), because rdflib's parse
tree does not keep source positions; the query has already parsed when it runs.

Parsing itself is bounded too: rdflib's grammar spends about 2,000 Python calls on every
operand of an expression, so a 9 KB chain ``?a + ?a + ...`` parses for 20 s while holding
the (shared, locked) parser and the GIL. :func:`parse` stops after a fixed number of calls.
"""

import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any

from pyparsing import ParseBaseException, ParseResults
from rdflib import BNode, Variable
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from graph.errors import InvalidQuery, StoreUnavailable

# rdflib's pyparsing grammar is shared module state; parse one query at a time.
_PARSE_LOCK = threading.Lock()
PARSE_WAIT_S = 5.0
# Five times what the editor's largest example query needs (90,000 calls), twice a
# 20-branch UNION with filters; about a second of parsing on an idle core.
PARSE_CALL_BUDGET = 500_000

_TOKEN = re.compile(
    r"""(?P<skip>\s+|\#[^\n\r]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    |(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    |(?P<var>[?$][^\s(){}\[\],;.=!<>|&+*/^"'\#@?$-]+)
    |(?P<word>[^\s(){}\[\],;=!<>|&+*/^"'\#?$@]+)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
# A literal's kind: numbers together (NaN apart), else datatype + language + "has a zone".
# Errors (IRIs, blank nodes, unbound) leave the key unbound, which sorts first, as SPARQL
# orders unbound < blank node < IRI < literal.
_KIND_KEY = (
    'IF(isNumeric({e}), IF({e} = {e}, "", "NaN"), CONCAT(STR(DATATYPE({e})), "@", LANG({e}),'
    ' COALESCE(IF(TZ({e}) = "", "", "+tz"), "")))'
)
_CONDITION_END = {"LIMIT", "OFFSET", "VALUES", "}", "ORDER", "GROUP", "HAVING"}
# Parts of a group that add rows (a VALUES block too: 20,000 values times every triple is
# a product); BIND only connects variables, FILTER and MINUS neither add nor connect.
_ROW_PARTS = {"TriplesBlock", "OptionalGraphPattern", "GroupOrUnionGraphPattern"}
_ROW_PARTS |= {"GraphGraphPattern", "ServiceGraphPattern", "InlineData"}
_LINK_PARTS = {"Bind"}


class _ParseBudgetError(BaseException):
    """Raised inside the parser; a BaseException so no ``except Exception`` swallows it."""


def parse(parser: Callable[[str], Any], query: str) -> Any:
    """Run one of rdflib's SPARQL parsers with a bounded amount of work.

    Raises:
        ParseBaseException: for a syntax error.
        InvalidQuery: for a query too complex or too deeply nested to check.
        StoreUnavailable: when other queries keep the parser busy for ``PARSE_WAIT_S``.
    """
    if not _PARSE_LOCK.acquire(timeout=PARSE_WAIT_S):
        raise StoreUnavailable("SPARQL is busy checking other queries; try again in a minute")
    calls = 0

    def budget(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal calls
        calls += 1
        if calls > PARSE_CALL_BUDGET:
            raise _ParseBudgetError

    previous = sys.gettrace()
    sys.settrace(budget)
    try:
        return parser(query)
    except _ParseBudgetError as e:
        raise InvalidQuery(
            "query too complex to check: split long chains of operators, UNION branches "
            "or OPTIONAL groups into smaller queries, and list values with VALUES, not IN (...)"
        ) from e
    except RecursionError as e:
        raise InvalidQuery(
            "query nested too deeply or too many triple patterns in one block to check; simplify it"
        ) from e
    finally:
        sys.settrace(previous)
        _PARSE_LOCK.release()


def update_refusal(query: str, error: ParseBaseException) -> InvalidQuery:
    """Why a text that is no query is refused: the update it is, or the syntax error."""
    try:
        operations = [op.name for op in parse(parseUpdate, query).request or []]
    except (ParseBaseException, InvalidQuery):
        operations = []
    if operations:
        # InsertData -> INSERT DATA; Modify is DELETE ... INSERT ... WHERE.
        spelled = (re.sub(r"(?<!^)(?=[A-Z])", " ", op).upper() for op in operations)
        names = ", ".join(dict.fromkeys(n.replace("MODIFY", "DELETE/INSERT") for n in spelled))
        return InvalidQuery(
            f"SPARQL Update ({names}) is not allowed: the knowledge base is read-only here; "
            "send a SELECT, ASK, CONSTRUCT or DESCRIBE query"
        )
    return InvalidQuery(f"not a valid SPARQL query: {error}")


def contains_service(node: Any) -> bool:
    """Whether a ``SERVICE`` clause hides anywhere in a parse tree."""
    if isinstance(node, CompValue):
        return node.name == "ServiceGraphPattern" or any(contains_service(v) for v in node.values())
    if isinstance(node, list | tuple | ParseResults):
        return any(contains_service(v) for v in node)
    return False


@dataclass(frozen=True)
class Token:
    """A significant token: its text and where it starts and ends in the query."""

    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        """Upper-case text, for comparing with SPARQL keywords."""
        return self.text.upper()


def tokens(query: str) -> list[Token]:
    """Significant tokens of a query: whitespace and comments dropped."""
    return [
        Token(m.group(), m.start(), m.end())
        for m in _TOKEN.finditer(query)
        if m.lastgroup != "skip"
    ]


def _closing(toks: list[Token], i: int) -> int:
    """Index of the ``)`` that closes the ``(`` at ``i``."""
    depth = 0
    for j in range(i, len(toks)):
        depth += {"(": 1, ")": -1}.get(toks[j].text, 0)
        if depth == 0:
            return j
    raise ValueError("unbalanced parentheses")


def _conditions(toks: list[Token], i: int) -> Iterator[tuple[str, int, int]]:
    """(direction, first, last token index) of each condition after ``ORDER BY`` at ``i``."""
    while i < len(toks) and toks[i].keyword not in _CONDITION_END:
        direction = toks[i].keyword if toks[i].keyword in {"ASC", "DESC"} else ""
        first = i + 1 if direction else i
        is_call = not toks[first].text.startswith(("?", "$", "("))
        if toks[first].text == "(":
            last = _closing(toks, first)
        elif is_call and toks[first + 1].text == "(":  # a built-in or function call
            last = _closing(toks, first + 1)
        else:  # a variable
            last = first
        yield direction, first, last
        i = last + 1


def total_order_by(query: str, parsed: Any) -> str:
    """The query with a literal-kind key in front of every ORDER BY condition.

    Raises:
        ValueError: if the tokens do not show the sort conditions rdflib parsed, so the
            query cannot be made safe (Oxigraph must not sort it as it is).
    """
    toks = tokens(query)
    edits: list[tuple[int, str]] = []
    try:
        for i in range(len(toks) - 1):
            if toks[i].keyword != "ORDER" or toks[i + 1].keyword != "BY":
                continue
            for direction, first, last in _conditions(toks, i + 2):
                expression = query[toks[first].start : toks[last].end]
                start = toks[first - 1 if direction else first].start
                edits.append((start, f" {direction}({_KIND_KEY.format(e=expression)}) "))
    except IndexError as e:
        raise ValueError("the ORDER BY clause ends early") from e
    if len(edits) != _order_conditions(parsed):
        raise ValueError("its sort conditions could not be told apart")
    for start, text in reversed(edits):
        query = query[:start] + text + query[start:]
    return query


def _order_conditions(node: Any) -> int:
    """How many ORDER BY conditions a parse tree holds, sub-selects included."""
    if isinstance(node, CompValue):
        own = len(node["condition"]) if node.name == "OrderClause" else 0
        return own + sum(_order_conditions(v) for v in node.values())
    if isinstance(node, list | tuple | ParseResults):
        return sum(_order_conditions(v) for v in node)
    return 0


def _terms(node: Any) -> Iterator[str]:
    """Variables and blank nodes anywhere under a parse-tree node."""
    if isinstance(node, Variable | BNode):
        yield node.n3() if isinstance(node, Variable) else f"_:{node}"
    elif isinstance(node, CompValue):
        for value in node.values():
            yield from _terms(value)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            yield from _terms(value)


def _parts(group: CompValue) -> Iterator[tuple[frozenset[str], bool]]:
    """(terms, adds rows) of each part of a group; a triple is a part of its own."""
    parts = group.get("part")
    for part in parts if isinstance(parts, list | ParseResults) else []:
        if not isinstance(part, CompValue):
            continue
        if part.name == "TriplesBlock":
            for triples in part["triples"]:
                for k in range(0, len(triples) - 2, 3):
                    terms = frozenset(_terms(triples[k : k + 3]))
                    yield terms, bool(terms)
        elif part.name in _ROW_PARTS or part.name in _LINK_PARTS:
            yield frozenset(_terms(part)), part.name in _ROW_PARTS


def _groups(node: Any) -> Iterator[CompValue]:
    """Every group pattern, except those in EXISTS (which sees the outer bindings)."""
    if isinstance(node, CompValue):
        if node.name == "GroupGraphPatternSub":
            yield node
        if node.name not in {"Builtin_EXISTS", "Builtin_NOTEXISTS"}:
            for value in node.values():
                yield from _groups(value)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            yield from _groups(value)


def product_message(parts: list[frozenset[str]]) -> str:
    """Why a cartesian product is refused, naming a few variables of each part."""
    named = (" ".join(sorted(p)[:4]) + (" …" if len(p) > 4 else "") for p in parts)
    return (
        f"the query is a cartesian product: the patterns with {{{'} and {'.join(named)}}} "
        "share no variable, so every match of one is paired with every match of the other; "
        "connect them through a shared variable (not FILTER(?x = ?y)) or send separate queries"
    )


def cartesian_parts(parsed: Any) -> list[frozenset[str]]:
    """Variables of the unconnected row-producing parts of the first cartesian group.

    Empty when every group's patterns are joined by shared variables (or blank nodes).
    """
    for group in _groups(parsed):
        components: list[tuple[frozenset[str], bool]] = []
        for terms, adds_rows in _parts(group):
            touching = [c for c in components if c[0] & terms]
            merged = terms.union(*(c[0] for c in touching))
            rows = adds_rows or any(c[1] for c in touching)
            components = [c for c in components if c not in touching] + [(merged, rows)]
        producing = [terms for terms, rows in components if rows and terms]
        if len(producing) > 1:
            return producing
    return []
