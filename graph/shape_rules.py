"""The SHACL shapes compiled into plain Python checks over an rdflib graph.

pyshacl spent 45 ms on a typical 500-triple document graph (most of it building result
descriptions for ``sh:or`` branches that end up conforming), which capped the ingest write
stage near 40 passages/s. Our shapes use a small part of SHACL Core (simple predicate paths,
counts, node kinds, datatypes, patterns, ``sh:in``, ``sh:class``, ranges, ``sh:node``,
``sh:or``, ``sh:lessThanOrEquals``, ``sh:uniqueLang``) plus three SPARQL constraints; this
module implements exactly that part. Compiling a shapes graph with anything else raises
``UnsupportedShapes`` and ``graph.shacl`` falls back to pyshacl, which also stays the
reference: a test checks both report the same (focus node, path, component) on every case.
"""

import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection as RDFList
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from graph.shape_checks import (
    Check,
    Passes,
    class_check,
    less_or_equal_check,
    max_count_check,
    min_count_check,
    node_check,
    or_check,
    per_value_check,
    unique_lang_check,
)
from graph.shape_index import DataIndex
from graph.shape_values import (
    UnsupportedShapes,
    datatype_ok,
    in_ok,
    node_kind_ok,
    pattern_ok,
    range_ok,
)

__all__ = ["CompiledShapes", "ShapeResult", "UnsupportedShapes"]


@dataclass(frozen=True)
class ShapeResult:
    """One validation result, as pyshacl would report it at the top level."""

    focus: Node
    path: Node | None
    component: URIRef
    message: str
    value: Node | None
    severity: URIRef = SH.Violation


_IGNORED = {SH.name, SH.description, SH.order, SH.group, SH.message, SH.severity, SH.flags}
_SHAPE_KEYS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
               SH.property, SH.path, SH.sparql, SH.deactivated}  # fmt: skip
_COUNTS = {SH.minCount, SH.maxCount}


class _Shape:
    """One node or property shape; attributes are filled in by ``CompiledShapes._compile``."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.path: URIRef | None = None
        self.key: str | None = None  # the path as ``DataIndex.objects`` looks it up
        self.checks: list[Check] = []
        self.properties: list[_Shape] = []
        self.sparql: list[tuple[Query, str]] = []
        self.message: str | None = None
        self.severity: URIRef = SH.Violation
        self.deactivated = False
        # the checks in ``conforms``'s form, filled in by ``prepare``
        self.low, self.high = 0, sys.maxsize
        self.steps: list[tuple[Callable[[Node], bool] | None, Passes]] = []
        # a property shape its parent evaluates in place (a path, no nested properties)
        self.inline = False

    def conforms(self, index: DataIndex, focus: Node) -> bool:
        """True if validating ``focus`` against this shape would report nothing.

        Stops at the first failing check. Property shapes without nested properties run in
        place, without a call each: most of them find zero or one value, and the ~60 focus
        nodes of an ingest document have ~6 property shapes each.
        """
        if self.deactivated:
            return True
        values: Collection[Node] = (focus,) if self.key is None else index.objects(focus, self.key)
        if not self.passes(index, focus, values):
            return False
        by_predicate = index.spo.get(focus, {}) if self.properties else {}
        for prop in self.properties:
            if not prop.inline:
                if not prop.conforms(index, focus):
                    return False
                continue
            predicate = index.predicates.get(prop.key or "")  # inline shapes have a key
            values = by_predicate.get(predicate, ()) if predicate is not None else ()
            if not values:
                if prop.low > 0 or prop.high < 0:
                    return False
            elif not prop.passes(index, focus, values):
                return False
        return True

    def passes(self, index: DataIndex, focus: Node, values: Collection[Node]) -> bool:
        """True if no check of this shape itself (not its properties) fails on ``values``.

        Count checks come first, as in ``checks``; the others keep their order, which
        decides which ones an early failure skips.
        """
        if not self.low <= len(values) <= self.high:
            return False
        for test, passes in self.steps:
            if test is None:
                if not passes(index, focus, values):
                    return False
            else:
                for value in values:
                    if not test(value):
                        return False
        return True

    def prepare(self) -> None:
        """Fold the compiled checks into the fields ``conforms`` reads."""
        for check in self.checks:
            if check.bounds is None:
                self.steps.append((check.test, check.passes))
            else:
                self.low = max(self.low, check.bounds[0])
                self.high = min(self.high, check.bounds[1])
        self.inline = self.path is not None and not self.properties and not self.deactivated

    def conforms_nested(self, index: DataIndex, focus: Node) -> bool:
        """``conforms`` for sh:node and sh:or, which cannot run SPARQL constraints.

        Raises:
            UnsupportedShapes: if the shape has SPARQL constraints, which run per focus node.
        """
        if self.sparql:
            raise UnsupportedShapes("SPARQL constraints on shapes used by sh:node or sh:or")
        return self.conforms(index, focus)

    def conforms_remembered(self, index: DataIndex, focus: Node) -> bool:
        """``conforms_nested`` once per value and data graph, for sh:node.

        Ingest documents repeat a few confidence literals across ~60 experiences. Not used
        for the sh:or alternatives, which are cheaper to test than to look up.
        """
        key = (self, focus)
        known = index.conformance.get(key)
        if known is None:
            known = index.conformance[key] = self.conforms_nested(index, focus)
        return known


class CompiledShapes:
    """A shapes graph turned into checks; build once, validate many document graphs."""

    def __init__(self, shapes: Graph) -> None:
        self._graph = shapes
        self._shapes: dict[Node, _Shape] = {}
        self._targeted: list[tuple[_Shape, list[tuple[str, Node]]]] = []
        for node in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
            shape = self._compile(node)
            targets = self._targets(node)
            if targets:
                self._targeted.append((shape, targets))

    def validate(self, data: Graph) -> list[ShapeResult]:
        """Every result of every targeted shape on ``data``.

        Each focus node first runs the fast ``conforms``; only the few that fail are walked
        again to collect their results, in the order of their string form.
        """
        index = DataIndex(data)
        results: list[ShapeResult] = []
        for shape, targets in self._targeted:
            focus_nodes = self._focus_nodes(index, targets)
            failing = [focus for focus in focus_nodes if not shape.conforms(index, focus)]
            for focus in sorted(failing, key=str):
                results.extend(self._validate_node(index, shape, focus))
            if shape.sparql and focus_nodes:
                results.extend(self._sparql_results(data, shape, focus_nodes))
        return results

    def conforms(self, index: DataIndex, node: Node, shape_node: Node) -> bool:
        """True if ``node`` meets every constraint of the shape (used by sh:node, sh:or)."""
        return self._compile(shape_node).conforms_nested(index, node)

    # -- validation ---------------------------------------------------------------------

    def _validate_node(self, index: DataIndex, shape: _Shape, focus: Node) -> Iterator[ShapeResult]:
        if shape.deactivated:
            return
        values: Collection[Node] = (
            (focus,) if shape.key is None else index.objects(focus, shape.key)
        )
        for check in shape.checks:
            for value, message in check.results(index, focus, values):
                yield ShapeResult(
                    focus, shape.path, check.component, shape.message or message,
                    value if value is not None or shape.path is not None else focus,
                    shape.severity,
                )  # fmt: skip
        for prop in shape.properties:
            yield from self._validate_node(index, prop, focus)

    @staticmethod
    def _focus_nodes(index: DataIndex, targets: list[tuple[str, Node]]) -> Collection[Node]:
        if len(targets) == 1 and targets[0][0] == "class":
            return index.instances(targets[0][1])  # the common case, without a copy
        found: set[Node] = set()
        for kind, target in targets:
            if kind == "node":
                found.add(target)
            elif kind == "subjects":
                found.update(index.subjects_of(target))
            elif kind == "objects":
                found.update(index.objects_of(target))
            else:
                found.update(index.instances(target))
        return found

    @staticmethod
    def _sparql_results(
        data: Graph, shape: _Shape, focus_nodes: Collection[Node]
    ) -> list[ShapeResult]:
        """Each SELECT once over the graph, rows kept for the shape's focus nodes.

        Equivalent to pyshacl's pre-binding of ``$this`` per focus node for queries whose
        body does not hide ``$this`` in a sub-select, which holds for our shapes.
        """
        results: list[ShapeResult] = []
        for query, message in shape.sparql:
            for row in data.query(query):
                bound = row.asdict()  # type: ignore[union-attr]
                if bound.get("this") in focus_nodes:
                    path = bound.get("path", shape.path)
                    results.append(
                        ShapeResult(
                            bound["this"], path, SH.SPARQLConstraintComponent, message,
                            bound.get("value"),
                        )
                    )  # fmt: skip
        return results

    # -- compilation --------------------------------------------------------------------

    def _targets(self, node: Node) -> list[tuple[str, Node]]:
        kinds = {"class": SH.targetClass, "node": SH.targetNode,
                 "subjects": SH.targetSubjectsOf, "objects": SH.targetObjectsOf}  # fmt: skip
        return [(kind, t) for kind, key in kinds.items() for t in self._graph.objects(node, key)]

    def _compile(self, node: Node) -> _Shape:
        if node in self._shapes:
            return self._shapes[node]
        g = self._graph
        shape = _Shape(node)
        self._shapes[node] = shape  # before recursing: shapes may refer to each other
        path = g.value(node, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise UnsupportedShapes(f"only predicate paths are compiled, not {path}")
        shape.path = path
        shape.key = str(path) if path is not None else None
        message = g.value(node, SH.message)
        shape.message = str(message) if message is not None else None
        severity = g.value(node, SH.severity)
        shape.severity = severity if isinstance(severity, URIRef) else SH.Violation
        flag = g.value(node, SH.deactivated)
        shape.deactivated = isinstance(flag, Literal) and flag.toPython() is True
        shape.properties = [self._compile(p) for p in g.objects(node, SH.property)]
        shape.checks = self._checks(node)
        shape.sparql = [self._sparql(c) for c in g.objects(node, SH.sparql)]
        shape.prepare()
        return shape

    def _checks(self, node: Node) -> list[Check]:
        g = self._graph
        checks: list[Check] = []
        minimum, maximum = g.value(node, SH.minCount), g.value(node, SH.maxCount)
        if minimum is not None:
            checks.append(min_count_check(int(str(minimum))))
        if maximum is not None:
            checks.append(max_count_check(int(str(maximum))))
        for predicate, obj in sorted(g.predicate_objects(node), key=str):
            compiled = self._constraint(node, URIRef(str(predicate)), obj)
            if compiled is not None:
                checks.append(compiled)
        return checks

    def _constraint(self, node: Node, predicate: URIRef, obj: Any) -> Check | None:
        skipped = predicate in _IGNORED or predicate in _SHAPE_KEYS or predicate in _COUNTS
        if skipped or not str(predicate).startswith(str(SH)):
            return None
        g = self._graph
        builders: dict[URIRef, Callable[[], Check]] = {
            SH.nodeKind: lambda: per_value_check(SH.NodeKindConstraintComponent,
                node_kind_ok(obj), f"node kind must be {obj}"),
            SH.datatype: lambda: per_value_check(SH.DatatypeConstraintComponent,
                datatype_ok(obj), f"datatype must be {obj}"),
            SH.pattern: lambda: per_value_check(SH.PatternConstraintComponent,
                pattern_ok(str(obj), str(g.value(node, SH.flags) or "")),
                f"does not match {obj}"),
            SH["in"]: lambda: per_value_check(SH.InConstraintComponent,
                in_ok(set(RDFList(g, obj))), "is not one of the allowed values"),
            SH["class"]: lambda: class_check(obj),
            SH.minInclusive: lambda: per_value_check(SH.MinInclusiveConstraintComponent,
                range_ok(obj, {0, 1}), f"must be at least {obj}"),
            SH.maxInclusive: lambda: per_value_check(SH.MaxInclusiveConstraintComponent,
                range_ok(obj, {-1, 0}), f"must be at most {obj}"),
            SH.minExclusive: lambda: per_value_check(SH.MinExclusiveConstraintComponent,
                range_ok(obj, {1}), f"must be greater than {obj}"),
            SH.maxExclusive: lambda: per_value_check(SH.MaxExclusiveConstraintComponent,
                range_ok(obj, {-1}), f"must be less than {obj}"),
            SH.node: lambda: node_check(obj, self._compile(obj).conforms_remembered),
            SH["or"]: lambda: or_check(
                [self._compile(alt).conforms_nested for alt in RDFList(g, obj)]),
            SH.lessThanOrEquals: lambda: less_or_equal_check(obj),
            SH.uniqueLang: unique_lang_check,
        }  # fmt: skip
        if predicate not in builders:
            raise UnsupportedShapes(f"{predicate} is not compiled")
        if predicate == SH.uniqueLang and not obj.toPython():
            return None
        return builders[predicate]()

    def _sparql(self, constraint: Node) -> tuple[Query, str]:
        g = self._graph
        select = g.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShapes("SPARQL constraints other than sh:select")
        namespaces: dict[str, Any] = {}
        for prefixes in g.objects(constraint, SH.prefixes):
            for declaration in g.objects(prefixes, SH.declare):
                prefix = g.value(declaration, SH.prefix)
                namespace = g.value(declaration, SH.namespace)
                namespaces[str(prefix)] = URIRef(str(namespace))
        message = g.value(constraint, SH.message)
        text = str(message) if message is not None else "violates a SPARQL constraint"
        return prepareQuery(str(select), initNs=namespaces), text
