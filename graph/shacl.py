"""SHACL validation of one document graph before it is committed.

Validates without inference on the document graph alone: the shapes are written so a
document validates on its own (references into the reference graph are checked by node
kind, not class), and RDFS inference would only invent types whose keys live elsewhere.
The shapes run compiled (``graph.shape_rules``, ~16x faster than pyshacl on a document);
pyshacl takes over for shapes that use a feature the compiler does not know, and is the
reference the compiled checks are tested against.
"""

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import GraphError, ShapeViolation
from graph.shape_rules import CompiledShapes, ShapeResult, UnsupportedShapes
from ontology.namespaces import PREFIXES
from ontology.resources import shapes_file

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _parse_shapes(path: Path, mtime_ns: int) -> Graph:
    del mtime_ns  # part of the cache key only: an edited file is parsed again
    return Graph().parse(path, format="turtle")


def default_shapes() -> Graph:
    """The packaged ``shapes.ttl``, parsed once per process (and again if it changes)."""
    path = shapes_file()
    return _parse_shapes(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _PreparedQueryGraph(Graph):
    """A view of the data graph whose ``query`` parses each SPARQL text only once.

    pyshacl sends a SPARQL constraint's text again for every focus node, and rdflib's
    pyparsing grammar needs ~0.1 s per parse: without this, a document with 30 focus nodes
    spent 3 s parsing the same two queries. A prepared query is reusable with new bindings.
    """

    def query(self, query_object: str | Query, *args: Any, **kwargs: Any) -> Result:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def _label(node: Node | None) -> str:
    if node is None:
        return "-"
    text = str(node)
    if isinstance(node, URIRef):
        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
        return f"<{text}>"
    return text if len(text) <= 80 else text[:79] + "…"


def _describe(report: Graph, result: Node) -> str:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
    component = report.value(result, SH.sourceConstraintComponent)
    message = "; ".join(messages) or _label(component)
    value = report.value(result, SH.value)
    shown_value = f" (value {_label(value)})" if value is not None and value != focus else ""
    return f"{_label(focus)} {_label(path) if path is not None else '-'}: {message}{shown_value}"


_compiled: dict[int, tuple[Graph, CompiledShapes | None]] = {}


def _compiled_shapes(shapes: Graph) -> CompiledShapes | None:
    """The compiled form of a shapes graph, ``None`` if it needs pyshacl (cached per graph)."""
    cached = _compiled.get(id(shapes))
    if cached is None or cached[0] is not shapes:
        try:
            compiled: CompiledShapes | None = CompiledShapes(shapes)
        except UnsupportedShapes as e:
            logger.info("SHACL shapes need pyshacl: %s", e)
            compiled = None
        if len(_compiled) > 8:
            _compiled.clear()
        cached = _compiled[id(shapes)] = (shapes, compiled)
    return cached[1]


def _describe_result(result: ShapeResult) -> str:
    path = _label(result.path) if result.path is not None else "-"
    value = result.value
    shown = f" (value {_label(value)})" if value is not None and value != result.focus else ""
    return f"{_label(result.focus)} {path}: {result.message}{shown}"


def validate(data: Graph, shapes: Graph | None = None) -> list[str]:
    """Violations of ``data`` against the shapes, one readable line each, sorted.

    Each line reads ``focus node, path: message (value)``. Only ``sh:Violation`` results
    count; warnings and infos are logged at DEBUG and do not block a commit.

    Raises:
        GraphError: if the validator itself fails (for example on broken shapes).
    """
    shapes = shapes if shapes is not None else default_shapes()
    compiled = _compiled_shapes(shapes)
    if compiled is None:
        return _validate_with_pyshacl(data, shapes)
    violations: list[str] = []
    for result in compiled.validate(data):
        line = _describe_result(result)
        if result.severity == SH.Violation:
            violations.append(line)
        else:
            logger.debug("SHACL note: %s", line)
    return sorted(set(violations))


def _validate_with_pyshacl(data: Graph, shapes: Graph) -> list[str]:
    try:
        _, report, _ = pyshacl.validate(
            _PreparedQueryGraph(store=data.store, identifier=data.identifier),
            shacl_graph=shapes,
            inference="none",
            inplace=True,  # no inference, so nothing is written; skips copying the data
            allow_warnings=True,
            allow_infos=True,
        )
    except Exception as e:
        raise GraphError(f"SHACL validation could not run: {e}") from e
    if not isinstance(report, Graph):
        raise GraphError(f"SHACL validation failed: {report}")
    violations: list[str] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        line = _describe(report, result)
        if report.value(result, SH.resultSeverity) == SH.Violation:
            violations.append(line)
        else:
            logger.debug("SHACL note: %s", line)
    return sorted(violations)


def ensure_valid(data: Graph, shapes: Graph | None = None) -> None:
    """Accept a document graph only if it has no SHACL violation.

    Raises:
        ShapeViolation: listing every violation, so one run shows all fixes needed.
    """
    violations = validate(data, shapes)
    if violations:
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        raise ShapeViolation(
            f"the document graph breaks the SHACL shapes: {violations[0]}{more}", violations
        )
