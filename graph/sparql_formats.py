"""Result formats of the SPARQL service: media types, Accept negotiation and serialisers.

SELECT and ASK answer in the W3C results formats (JSON, XML, CSV, TSV), CONSTRUCT and
DESCRIBE in RDF syntaxes (Turtle, N-Triples, JSON-LD); both also as a plain text table for
the CLI. Evaluation and the read-only checks live in :mod:`graph.sparql`, which re-exports
these names.
"""

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import XSD

from graph.errors import InvalidQuery
from graph.ntriples import nt_term
from graph.store import AskResult, GraphResult, SelectResult, Term
from ontology.namespaces import PREFIXES

__all__ = [
    "CSV",
    "GRAPH_MEDIA_TYPES",
    "JSON_LD",
    "N_TRIPLES",
    "RESULT_MEDIA_TYPES",
    "SPARQL_JSON",
    "SPARQL_XML",
    "TABLE",
    "TSV",
    "TURTLE",
    "QueryKind",
    "media_type",
    "negotiate",
    "serialize_graph",
    "serialize_select",
]

QueryKind = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
JSON_LD = "application/ld+json"
TABLE = "table"

RESULT_MEDIA_TYPES = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
GRAPH_MEDIA_TYPES = (TURTLE, N_TRIPLES, JSON_LD)
_ALIASES = {
    "json": SPARQL_JSON,
    "xml": SPARQL_XML,
    "csv": CSV,
    "tsv": TSV,
    "turtle": TURTLE,
    "ttl": TURTLE,
    "nt": N_TRIPLES,
    "ntriples": N_TRIPLES,
    "jsonld": JSON_LD,
    "json-ld": JSON_LD,
}


def media_type(fmt: str) -> str:
    """Canonical media type of a format name or media type (``json`` -> SPARQL JSON).

    Raises:
        InvalidQuery: for an unknown format.
    """
    name = fmt.split(";")[0].strip().lower()
    name = _ALIASES.get(name, name)
    if name not in (*RESULT_MEDIA_TYPES, *GRAPH_MEDIA_TYPES, TABLE):
        raise InvalidQuery(
            f"unknown result format {fmt!r}; use one of {', '.join(sorted(_ALIASES))}, table"
        )
    return name


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if fields[0]:
            ranges.append((fields[0].lower(), q))
    return ranges


def _quality(candidate: str, ranges: list[tuple[str, float]], aliases: dict[str, str]) -> float:
    best, best_specificity = 0.0, -1
    major = candidate.split("/")[0]
    for media_range, q in ranges:
        if media_range == candidate or aliases.get(media_range) == candidate:
            specificity = 2
        elif media_range == f"{major}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best, best_specificity = q, specificity
    return best


def negotiate(accept_header: str | None, query_kind: QueryKind) -> str:
    """Media type to answer with, from an HTTP Accept header.

    Falls back to the default of the query kind (SPARQL JSON, or Turtle for graphs) when
    nothing acceptable matches, as RFC 9110 allows, so clients always get a result.
    """
    is_graph = query_kind in {"CONSTRUCT", "DESCRIBE"}
    candidates = GRAPH_MEDIA_TYPES if is_graph else RESULT_MEDIA_TYPES
    aliases = (
        {"application/json": JSON_LD, "text/plain": N_TRIPLES}
        if is_graph
        else {
            "application/json": SPARQL_JSON,
            "application/xml": SPARQL_XML,
            "text/xml": SPARQL_XML,
        }
    )
    ranges = _accept_ranges(accept_header or "*/*")
    scored = [(_quality(c, ranges, aliases), -i, c) for i, c in enumerate(candidates)]
    quality, _, best = max(scored)
    return best if quality > 0 else candidates[0]


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    value: dict[str, str] = {"type": "literal", "value": str(term)}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        value["datatype"] = str(term.datatype)
    return value


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return escape(_XML_ILLEGAL.sub("\ufffd", text))


def _xml_term(term: Term) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{_xml_text(term)}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{_xml_text(term)}</bnode>"
    if term.language:
        attribute = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype is not None and term.datatype != XSD.string:
        attribute = f" datatype={quoteattr(str(term.datatype))}"
    else:
        attribute = ""
    return f"<literal{attribute}>{_xml_text(term)}</literal>"


def _xml(result: SelectResult | AskResult) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if isinstance(result, AskResult):
        out.append(f"<head/><boolean>{'true' if result.value else 'false'}</boolean></sparql>")
        return "\n".join(out).encode("utf-8")
    out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables))
    out.append("</head>\n<results>")
    for row in result.rows:
        bindings = "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
            for v, t in zip(result.variables, row, strict=True)
            if t is not None
        )
        out.append(f"<result>{bindings}</result>")
    out.append("</results>\n</sparql>\n")
    return "\n".join(out).encode("utf-8")


def _delimited(result: SelectResult, tsv: bool) -> bytes:
    buffer = io.StringIO()
    if tsv:
        # TSV cells are RDF terms in Turtle syntax, so they keep types and languages.
        buffer.write("\t".join(f"?{v}" for v in result.variables) + "\n")
        for row in result.rows:
            cells = ("" if t is None else nt_term(t) for t in row)
            buffer.write("\t".join(cells) + "\n")
        return buffer.getvalue().encode("utf-8")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else f"_:{t}" if isinstance(t, BNode) else t for t in row])
    return buffer.getvalue().encode("utf-8")


def _compact(term: Any, width: int = 60) -> str:
    if term is None:
        return ""
    text = str(term)
    if isinstance(term, URIRef):
        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace) and "/" not in text[len(namespace) :]:
                text = f"{prefix}:{text[len(namespace) :]}"
                break
    elif isinstance(term, BNode):
        text = f"_:{text}"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(variables: list[str], rows: Sequence[Sequence[Any]], truncated: bool) -> bytes:
    cells = [[_compact(t) for t in row] for row in rows]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    note = f"({len(rows)} rows{', truncated at the row cap' if truncated else ''})"
    return ("\n".join(line.rstrip() for line in [*lines, note]) + "\n").encode("utf-8")


def serialize_select(result: SelectResult | AskResult, fmt: str) -> bytes:
    """SELECT or ASK results in SPARQL JSON, XML, CSV, TSV or a text table.

    Raises:
        InvalidQuery: for a graph format or an unknown one.
    """
    kind = media_type(fmt)
    if isinstance(result, AskResult):
        if kind == SPARQL_JSON:
            return json.dumps({"head": {}, "boolean": result.value}).encode("utf-8")
        if kind == SPARQL_XML:
            return _xml(result)
        if kind in {CSV, TSV, TABLE}:
            return b"true\n" if result.value else b"false\n"
    elif kind == SPARQL_JSON:
        bindings = [
            {v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows
        ]
        document = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    elif kind == SPARQL_XML:
        return _xml(result)
    elif kind in {CSV, TSV}:
        return _delimited(result, tsv=kind == TSV)
    elif kind == TABLE:
        return _table(result.variables, result.rows, result.truncated)
    raise InvalidQuery(f"{fmt} is a graph format; SELECT and ASK answer as json, xml, csv or tsv")


def serialize_graph(result: GraphResult, fmt: str) -> bytes:
    """CONSTRUCT or DESCRIBE results as Turtle, N-Triples, JSON-LD or a text table.

    Raises:
        InvalidQuery: for a results format or an unknown one.
    """
    kind = media_type(fmt)
    if kind == TABLE:
        rows = sorted(result.graph, key=lambda t: tuple(str(x) for x in t))
        return _table(["subject", "predicate", "object"], rows, result.truncated)
    rdflib_format = {TURTLE: "turtle", N_TRIPLES: "nt", JSON_LD: "json-ld"}.get(kind)
    if rdflib_format is None:
        raise InvalidQuery(f"{fmt} is a results format; graphs answer as turtle, nt or jsonld")
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in result.graph:
        graph.add(triple)
    return graph.serialize(format=rdflib_format, encoding="utf-8")
