"""Value tests of the compiled SHACL shapes: node kinds, datatypes, patterns, ranges.

Split from ``graph.shape_rules`` (which walks shapes and focus nodes): these only look at one
RDF term, so they read and test on their own.
"""

import re
from collections.abc import Callable
from decimal import Decimal

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

_NUMERIC = (int, float, Decimal)


class UnsupportedShapes(Exception):
    """The shapes use a SHACL feature this compiler does not implement."""


# resolved once: attribute access on rdflib's closed namespaces runs Python code every time
_LANG_STRING = URIRef(str(RDF.langString))
_XSD_STRING = XSD.string


def literal_datatype(value: Literal) -> URIRef:
    if value.language:
        return _LANG_STRING
    return value.datatype or _XSD_STRING


_NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,), SH.Literal: (Literal,), SH.BlankNode: (BNode,),
    SH.BlankNodeOrIRI: (BNode, URIRef), SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}  # fmt: skip


def node_kind_ok(kind: Node) -> Callable[[Node], bool]:
    if kind not in _NODE_KINDS:
        raise UnsupportedShapes(f"unknown sh:nodeKind {kind}")
    allowed = _NODE_KINDS[kind]
    return lambda v: isinstance(v, allowed)


def compare(value: Node, bound: Literal) -> int | None:
    """-1/0/1 for value against bound, ``None`` if they cannot be ordered (a violation)."""
    if not isinstance(value, Literal) or value.ill_typed:
        return None
    left, right = value.toPython(), bound.toPython()
    if isinstance(left, bool) or isinstance(right, bool):
        return None
    if isinstance(left, _NUMERIC) and isinstance(right, _NUMERIC):
        a, b = Decimal(str(left)), Decimal(str(right))
    elif type(left) is type(right) and not isinstance(left, Literal):
        a, b = left, right
    else:
        return None
    try:
        return (a > b) - (a < b)
    except TypeError:
        return None


def datatype_ok(datatype: Node) -> Callable[[Node], bool]:
    # rdflib's ``URIRef.__eq__`` (same type and same string) without its Python call
    kind, text = type(datatype), str(datatype)

    def test(v: Node) -> bool:
        if not isinstance(v, Literal) or v.ill_typed:
            return False
        actual = literal_datatype(v)
        return type(actual) is kind and str.__eq__(actual, text)

    return test


def pattern_ok(pattern: str, flags: str) -> Callable[[Node], bool]:
    compiled = re.compile(pattern, sum(getattr(re, f.upper(), 0) for f in flags if f in "imsx"))
    return lambda v: not isinstance(v, BNode) and compiled.search(str(v)) is not None


def in_ok(allowed: set[Node]) -> Callable[[Node], bool]:
    return lambda v: v in allowed


def _compare_to(bound: Node) -> Callable[[Node], int | None]:
    """``compare(value, bound)`` with the bound's half worked out once, for a numeric bound."""
    right = bound.toPython() if isinstance(bound, Literal) else None
    if not isinstance(right, _NUMERIC) or isinstance(right, bool):
        return lambda v: compare(v, bound)  # type: ignore[arg-type]
    b = Decimal(str(right))

    def numeric(value: Node) -> int | None:
        if not isinstance(value, Literal) or value.ill_typed:
            return None
        left = value.toPython()
        if isinstance(left, bool) or not isinstance(left, _NUMERIC):
            return None
        # Decimal(str(x)) is x for ints and Decimals, which compare with Decimal exactly
        a = Decimal(str(left)) if isinstance(left, float) else left
        return (a > b) - (a < b)

    return numeric


def range_ok(bound: Literal, allowed: set[int]) -> Callable[[Node], bool]:
    compare_to = _compare_to(bound)
    return lambda v: compare_to(v) in allowed
