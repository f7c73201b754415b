"""The constraint components of the compiled SHACL shapes, each in a fast and a full form.

Almost every node of an ingest document conforms, so each check has a ``passes`` form that
only answers whether it would report anything, stopping at the first failing value without
building results, and a ``results`` form that lists every failure with its message. The
validator runs ``results`` only for focus nodes that ``passes`` rejected; a test compares
both forms on every defect case.
"""

import sys
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from graph.shape_index import DataIndex
from graph.shape_values import compare

__all__ = [
    "Check",
    "Conforms",
    "Passes",
    "class_check",
    "less_or_equal_check",
    "max_count_check",
    "min_count_check",
    "node_check",
    "or_check",
    "per_value_check",
    "unique_lang_check",
]

Values = Collection[Node]
# (index, focus, value nodes) -> failing (value, message) pairs
Results = Callable[[DataIndex, Node, Values], Iterable[tuple[Node | None, str]]]
# (index, focus, value nodes) -> True when ``Results`` would be empty
Passes = Callable[[DataIndex, Node, Values], bool]
# (index, node) -> True when the node meets a whole shape
Conforms = Callable[[DataIndex, Node], bool]


@dataclass(frozen=True, slots=True)
class Check:
    """One compiled constraint component of a shape."""

    component: URIRef
    results: Results
    passes: Passes
    # set for checks that test each value alone: ``passes`` is all(test(v) for v in values)
    test: Callable[[Node], bool] | None = None
    # set for count checks: ``passes`` is low <= len(values) <= high
    bounds: tuple[int, int] | None = None


def _passes_if_no_results(results: Results) -> Passes:
    """For rare components, where a dedicated fast form is not worth its code."""

    def passes(index: DataIndex, focus: Node, values: Values) -> bool:
        return next(iter(results(index, focus, values)), None) is None

    return passes


def per_value_check(component: URIRef, test: Callable[[Node], bool], message: str) -> Check:
    def results(index: DataIndex, focus: Node, values: Values) -> Iterator[tuple[Node, str]]:
        return ((v, message) for v in values if not test(v))

    def passes(index: DataIndex, focus: Node, values: Values) -> bool:
        return all(map(test, values))

    return Check(component, results, passes, test=test)


def min_count_check(minimum: int) -> Check:
    def results(index: DataIndex, focus: Node, values: Values) -> list[tuple[None, str]]:
        if len(values) < minimum:
            return [(None, f"needs at least {minimum} value(s), has {len(values)}")]
        return []

    def passes(index: DataIndex, focus: Node, values: Values) -> bool:
        return len(values) >= minimum

    return Check(SH.MinCountConstraintComponent, results, passes, bounds=(minimum, sys.maxsize))


def max_count_check(maximum: int) -> Check:
    def results(index: DataIndex, focus: Node, values: Values) -> list[tuple[None, str]]:
        if len(values) > maximum:
            return [(None, f"allows at most {maximum} value(s), has {len(values)}")]
        return []

    def passes(index: DataIndex, focus: Node, values: Values) -> bool:
        return len(values) <= maximum

    return Check(SH.MaxCountConstraintComponent, results, passes, bounds=(0, maximum))


def class_check(cls: Node) -> Check:
    message = f"must be an instance of {cls}"

    def results(index: DataIndex, focus: Node, values: Values) -> Iterator[tuple[Node, str]]:
        return ((v, message) for v in values if not index.is_instance(v, cls))

    def passes(index: DataIndex, focus: Node, values: Values) -> bool:
        return all(index.is_instance(value, cls) for value in values)

    return Check(SH.ClassConstraintComponent, results, passes)


def node_check(shape_node: Node, conforms: Conforms) -> Check:
    message = f"must conform to {shape_node}"

    def results(index: DataIndex, focus: Node, values: Values) -> Iterator[tuple[Node, str]]:
        return ((v, message) for v in values if not conforms(index, v))

    def passes(index: DataIndex, focus: Node, values: Values) -> bool:
        return all(conforms(index, value) for value in values)

    return Check(SH.NodeConstraintComponent, results, passes)


def or_check(alternatives: list[Conforms]) -> Check:
    message = "conforms to none of the sh:or alternatives"

    def one_of(index: DataIndex, value: Node) -> bool:
        return any(conforms(index, value) for conforms in alternatives)

    def results(index: DataIndex, focus: Node, values: Values) -> Iterator[tuple[Node, str]]:
        return ((v, message) for v in values if not one_of(index, v))

    def passes(index: DataIndex, focus: Node, values: Values) -> bool:
        return all(one_of(index, value) for value in values)

    return Check(SH.OrConstraintComponent, results, passes)


def less_or_equal_check(other: Node) -> Check:
    def results(index: DataIndex, focus: Node, values: Values) -> Iterator[tuple[Node, str]]:
        bounds = index.spo.get(focus, {}).get(other, ())
        for value in values:
            for bound in bounds:
                ordered = compare(value, bound) if isinstance(bound, Literal) else None
                if ordered is None or ordered > 0:
                    yield value, f"must not be greater than {other} ({bound})"

    return Check(SH.LessThanOrEqualsConstraintComponent, results, _passes_if_no_results(results))


def _unique_lang(index: DataIndex, focus: Node, values: Values) -> list[tuple[None, str]]:
    languages = [v.language for v in values if isinstance(v, Literal) and v.language]
    twice = sorted({lang for lang in languages if languages.count(lang) > 1})
    return [(None, f"language {lang!r} used more than once") for lang in twice]


def unique_lang_check() -> Check:
    return Check(
        SH.UniqueLangConstraintComponent, _unique_lang, _passes_if_no_results(_unique_lang)
    )
