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

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from graph.shape_values import (
    UnsupportedShapes,
    compare,
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


# (focus, value nodes) -> failing (value, message) pairs
_Check = Callable[["_Context", Node, list[Node]], Iterable[tuple[Node | None, str]]]

_IGNORED = {SH.name, SH.description, SH.order, SH.group, SH.message, SH.severity, SH.flags}
_SHAPE_KEYS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
               SH.property, SH.path, SH.sparql, SH.deactivated}  # fmt: skip
_COUNTS = {SH.minCount, SH.maxCount}
_NUMERIC = (int, float, Decimal)


class _Context:
    """The data graph indexed once into dicts: rdflib's store lookups cost ~10 µs each."""

    def __init__(self, data: Graph, shapes: "CompiledShapes") -> None:
        self.data = data
        self.shapes = shapes
        self._out: dict[Node, dict[Node, list[Node]]] = {}
        self._subjects: dict[Node, set[Node]] = {}
        self._objects: dict[Node, set[Node]] = {}
        for s, p, o in data:
            self._out.setdefault(s, {}).setdefault(p, []).append(o)
            self._subjects.setdefault(p, set()).add(s)
            self._objects.setdefault(p, set()).add(o)
        self._supers: dict[Node, set[Node]] = {}
        self._instances: dict[Node, set[Node]] | None = None

    def objects(self, node: Node, predicate: Node) -> list[Node]:
        """Values of ``predicate`` on ``node`` (no duplicates: a graph is a set)."""
        return self._out.get(node, {}).get(predicate, [])

    def subjects_of(self, predicate: Node) -> set[Node]:
        return self._subjects.get(predicate, set())

    def objects_of(self, predicate: Node) -> set[Node]:
        return self._objects.get(predicate, set())

    def is_instance(self, node: Node, cls: Node) -> bool:
        """rdf:type with rdfs:subClassOf as far as the data graph states it (SHACL 3.2)."""
        return any(cls in self._superclasses(t) for t in self.objects(node, RDF.type))

    def instances(self, cls: Node) -> set[Node]:
        """Focus nodes of ``sh:targetClass cls``, computed for all classes on first use."""
        if self._instances is None:
            self._instances = {}
            for node in self.subjects_of(RDF.type):
                for t in self.objects(node, RDF.type):
                    for c in self._superclasses(t):
                        self._instances.setdefault(c, set()).add(node)
        return self._instances.get(cls, set())

    def _superclasses(self, cls: Node) -> set[Node]:
        if cls not in self._supers:
            found: set[Node] = set()
            stack = [cls]
            while stack:
                current = stack.pop()
                if current not in found:
                    found.add(current)
                    stack.extend(self.objects(current, RDFS.subClassOf))
            self._supers[cls] = found
        return self._supers[cls]


@dataclass
class _Shape:
    node: Node
    path: URIRef | None = None
    checks: list[tuple[URIRef, _Check]] = field(default_factory=list)
    properties: list["_Shape"] = field(default_factory=list)
    sparql: list[tuple[Query, str]] = field(default_factory=list)
    message: str | None = None
    severity: URIRef = SH.Violation
    deactivated: bool = False


def _per_value(test: Callable[[Node], bool], message: str) -> _Check:
    def check(ctx: _Context, focus: Node, values: list[Node]) -> Iterator[tuple[Node, str]]:
        return ((v, message) for v in values if not test(v))

    return check


def _count_check(minimum: int | None, maximum: int | None) -> _Check:
    def check(ctx: _Context, focus: Node, values: list[Node]) -> list[tuple[None, str]]:
        if minimum is not None and len(values) < minimum:
            return [(None, f"needs at least {minimum} value(s), has {len(values)}")]
        if maximum is not None and len(values) > maximum:
            return [(None, f"allows at most {maximum} value(s), has {len(values)}")]
        return []

    return check


def _class_check(cls: Node) -> _Check:
    def check(ctx: _Context, focus: Node, values: list[Node]) -> Iterator[tuple[Node, str]]:
        return ((v, f"must be an instance of {cls}") for v in values if not ctx.is_instance(v, cls))

    return check


def _node_check(shape_node: Node) -> _Check:
    def check(ctx: _Context, focus: Node, values: list[Node]) -> Iterator[tuple[Node, str]]:
        message = f"must conform to {shape_node}"
        return ((v, message) for v in values if not ctx.shapes.conforms(ctx, v, shape_node))

    return check


def _or_check(alternatives: list[Node]) -> _Check:
    def check(ctx: _Context, focus: Node, values: list[Node]) -> Iterator[tuple[Node, str]]:
        message = "conforms to none of the sh:or alternatives"
        return (
            (v, message)
            for v in values
            if not any(ctx.shapes.conforms(ctx, v, alt) for alt in alternatives)
        )

    return check


def _less_or_equal_check(other: URIRef) -> _Check:
    def check(ctx: _Context, focus: Node, values: list[Node]) -> Iterator[tuple[Node, str]]:
        bounds = ctx.objects(focus, other)
        for value in values:
            for bound in bounds:
                ordered = compare(value, bound) if isinstance(bound, Literal) else None
                if ordered is None or ordered > 0:
                    yield value, f"must not be greater than {other} ({bound})"

    return check


def _unique_lang_check(ctx: _Context, focus: Node, values: list[Node]) -> list[tuple[None, str]]:
    languages = [v.language for v in values if isinstance(v, Literal) and v.language]
    twice = sorted({lang for lang in languages if languages.count(lang) > 1})
    return [(None, f"language {lang!r} used more than once") for lang in twice]


class CompiledShapes:
    """A shapes graph turned into checks; build once, validate many document graphs."""

    def __init__(self, shapes: Graph) -> None:
        self._graph = shapes
        self._shapes: dict[Node, _Shape] = {}
        self._targeted: list[tuple[_Shape, list[tuple[URIRef, Node]]]] = []
        for node in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
            shape = self._compile(node)
            targets = self._targets(node)
            if targets:
                self._targeted.append((shape, targets))

    def validate(self, data: Graph) -> list[ShapeResult]:
        """Every result of every targeted shape on ``data``."""
        ctx = _Context(data, self)
        results: list[ShapeResult] = []
        for shape, targets in self._targeted:
            focus_nodes = self._focus_nodes(ctx, targets)
            for focus in sorted(focus_nodes, key=str):
                results.extend(self._validate_node(ctx, shape, focus, shape.node))
            if shape.sparql and focus_nodes:
                results.extend(self._sparql_results(data, shape, focus_nodes))
        return results

    def conforms(self, ctx: _Context, node: Node, shape_node: Node) -> bool:
        """True if ``node`` meets every constraint of the shape (used by sh:node, sh:or)."""
        shape = self._compile(shape_node)
        if shape.sparql:
            raise UnsupportedShapes("SPARQL constraints on shapes used by sh:node or sh:or")
        return not any(self._validate_node(ctx, shape, node, shape.node))

    # -- validation ---------------------------------------------------------------------

    def _validate_node(
        self, ctx: _Context, shape: _Shape, focus: Node, source: Node
    ) -> Iterator[ShapeResult]:
        if shape.deactivated:
            return
        values = [focus] if shape.path is None else ctx.objects(focus, shape.path)
        for component, check in shape.checks:
            for value, message in check(ctx, focus, values):
                yield ShapeResult(
                    focus, shape.path, component, shape.message or message,
                    value if value is not None or shape.path is not None else focus,
                    shape.severity,
                )  # fmt: skip
        for prop in shape.properties:
            yield from self._validate_node(ctx, prop, focus, prop.node)

    @staticmethod
    def _focus_nodes(ctx: _Context, targets: list[tuple[URIRef, Node]]) -> set[Node]:
        found: set[Node] = set()
        for kind, target in targets:
            if kind == SH.targetNode:
                found.add(target)
            elif kind == SH.targetSubjectsOf:
                found.update(ctx.subjects_of(target))
            elif kind == SH.targetObjectsOf:
                found.update(ctx.objects_of(target))
            else:
                found.update(ctx.instances(target))
        return found

    @staticmethod
    def _sparql_results(data: Graph, shape: _Shape, focus_nodes: set[Node]) -> list[ShapeResult]:
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

    def _targets(self, node: Node) -> list[tuple[URIRef, Node]]:
        kinds = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        return [(kind, t) for kind in kinds for t in self._graph.objects(node, kind)]

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
        message = g.value(node, SH.message)
        shape.message = str(message) if message is not None else None
        severity = g.value(node, SH.severity)
        shape.severity = severity if isinstance(severity, URIRef) else SH.Violation
        flag = g.value(node, SH.deactivated)
        shape.deactivated = isinstance(flag, Literal) and flag.toPython() is True
        shape.properties = [self._compile(p) for p in g.objects(node, SH.property)]
        shape.checks = self._checks(node)
        shape.sparql = [self._sparql(c) for c in g.objects(node, SH.sparql)]
        return shape

    def _checks(self, node: Node) -> list[tuple[URIRef, _Check]]:
        g = self._graph
        checks: list[tuple[URIRef, _Check]] = []
        minimum, maximum = g.value(node, SH.minCount), g.value(node, SH.maxCount)
        if minimum is not None:
            checks.append((SH.MinCountConstraintComponent, _count_check(int(str(minimum)), None)))
        if maximum is not None:
            checks.append((SH.MaxCountConstraintComponent, _count_check(None, int(str(maximum)))))
        for predicate, obj in sorted(g.predicate_objects(node), key=str):
            compiled = self._constraint(node, URIRef(str(predicate)), obj)
            if compiled is not None:
                checks.append(compiled)
        return checks

    def _constraint(self, node: Node, predicate: URIRef, obj: Any) -> tuple[URIRef, _Check] | None:
        skipped = predicate in _IGNORED or predicate in _SHAPE_KEYS or predicate in _COUNTS
        if skipped or not str(predicate).startswith(str(SH)):
            return None
        g = self._graph
        builders: dict[URIRef, Callable[[], tuple[URIRef, _Check]]] = {
            SH.nodeKind: lambda: (SH.NodeKindConstraintComponent, _per_value(
                node_kind_ok(obj), f"node kind must be {obj}")),
            SH.datatype: lambda: (SH.DatatypeConstraintComponent, _per_value(
                datatype_ok(obj), f"datatype must be {obj}")),
            SH.pattern: lambda: (SH.PatternConstraintComponent, _per_value(
                pattern_ok(str(obj), str(g.value(node, SH.flags) or "")),
                f"does not match {obj}")),
            SH["in"]: lambda: (SH.InConstraintComponent, _per_value(
                in_ok(set(Collection(g, obj))), "is not one of the allowed values")),
            SH["class"]: lambda: (SH.ClassConstraintComponent, _class_check(obj)),
            SH.minInclusive: lambda: (SH.MinInclusiveConstraintComponent, _per_value(
                range_ok(obj, {0, 1}), f"must be at least {obj}")),
            SH.maxInclusive: lambda: (SH.MaxInclusiveConstraintComponent, _per_value(
                range_ok(obj, {-1, 0}), f"must be at most {obj}")),
            SH.minExclusive: lambda: (SH.MinExclusiveConstraintComponent, _per_value(
                range_ok(obj, {1}), f"must be greater than {obj}")),
            SH.maxExclusive: lambda: (SH.MaxExclusiveConstraintComponent, _per_value(
                range_ok(obj, {-1}), f"must be less than {obj}")),
            SH.node: lambda: (SH.NodeConstraintComponent, _node_check(self._compiled(obj))),
            SH["or"]: lambda: (SH.OrConstraintComponent, _or_check(
                [self._compiled(alt) for alt in Collection(g, obj)])),
            SH.lessThanOrEquals: lambda: (
                SH.LessThanOrEqualsConstraintComponent, _less_or_equal_check(obj)),
            SH.uniqueLang: lambda: (SH.UniqueLangConstraintComponent, _unique_lang_check),
        }  # fmt: skip
        if predicate not in builders:
            raise UnsupportedShapes(f"{predicate} is not compiled")
        if predicate == SH.uniqueLang and not obj.toPython():
            return None
        return builders[predicate]()

    def _compiled(self, node: Node) -> Node:
        self._compile(node)
        return node

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
