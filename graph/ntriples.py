"""N-Triples text for SPARQL Update bodies: the escaping both store adapters rely on.

Values are escaped and IRIs that could break out of an ``INSERT DATA`` block are refused, so
text from documents can never become update syntax.
"""

import re
from collections.abc import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from graph.errors import GraphError

TripleLike = tuple[Node, Node, Node]
_XSD_STRING = str(XSD.string)


class NTriples(str):
    """Pre-serialised N-Triples lines, written as they are (the bulk path for generated data).

    Build the lines with ``nt_iri``/``nt_literal`` only: the text goes into a SPARQL Update.
    """


Triples = Iterable[TripleLike] | NTriples

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_BNODE_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def nt_iri(iri: str) -> str:
    """``<iri>``, refusing characters that would break out of the IRI (update injection).

    Raises:
        GraphError: for a space, ``<``, ``>``, quote, brace, backslash or control character.
    """
    if _IRI_FORBIDDEN.search(iri):
        raise GraphError(f"not a valid IRI, cannot store it: {iri!r}")
    return f"<{iri}>"


def nt_literal(lexical: str, *, datatype: str | None = None, language: str | None = None) -> str:
    """A literal in N-Triples syntax on one line (rdflib's ``n3()`` may span lines)."""
    text = f'"{lexical.translate(_ESCAPES)}"'
    if language:
        if not _LANGUAGE_TAG.fullmatch(language):
            raise GraphError(f"not a valid language tag: {language!r}")
        return f"{text}@{language}"
    if datatype and datatype != _XSD_STRING:
        return f"{text}^^{nt_iri(datatype)}"
    return text


def nt_term(term: Node) -> str:
    """An rdflib term in N-Triples syntax.

    Raises:
        GraphError: for a variable, a graph or an invalid IRI, blank node label or tag.
    """
    if isinstance(term, URIRef):
        return nt_iri(term)
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype is not None else None
        return nt_literal(str(term), datatype=datatype, language=term.language)
    if isinstance(term, BNode) and _BNODE_LABEL.fullmatch(term):
        return f"_:{term}"
    raise GraphError(f"cannot store the term {term!r} in N-Triples")


def ntriples(triples: Triples) -> str:
    """N-Triples lines of the triples, valid inside a SPARQL ``INSERT DATA`` block."""
    if isinstance(triples, NTriples):
        return triples
    # A document graph names the same few hundred terms over and over (predicates, the
    # passage, agents, topics): serialising each once cut this function's time by ~3x.
    seen: dict[Node, str] = {}

    def term(node: Node) -> str:
        text = seen.get(node)
        if text is None:
            text = seen[node] = nt_term(node)
        return text

    return "".join(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples)


def replace_update(graph_iri: URIRef, triples: Triples) -> str:
    """One SPARQL Update that empties ``graph_iri`` and inserts ``triples``.

    A single request is one transaction on Oxigraph (embedded and server) and on any
    conforming endpoint, which is what makes ``replace_document`` atomic.
    """
    body = ntriples(triples)
    target = nt_iri(graph_iri)
    update = f"DROP SILENT GRAPH {target}"
    if body:
        update += f" ;\nINSERT DATA {{ GRAPH {target} {{\n{body}}} }}"
    return update


def nquads_split(triples: Triples, graph_iri: URIRef, held_back: URIRef) -> tuple[str, str]:
    """N-Quads of ``triples`` in ``graph_iri``: the lines without ``held_back``, then those with.

    A bulk load is not one transaction. Held-back lines (a completion marker such as the
    content hash) are committed after the rest, so whoever sees the marker sees the whole
    graph. ``ntriples`` writes ``s p o .`` with single spaces and subjects never contain one,
    so the second field of a line is its predicate.
    """
    graph = f" {nt_iri(graph_iri)} .\n"
    predicate = nt_iri(held_back)
    body: list[str] = []
    held: list[str] = []
    # split("\n"), not splitlines(): a literal may hold U+2028 or U+0085 unescaped.
    for line in ntriples(triples).split("\n"):
        if not line:
            continue
        quad = line[:-2] + graph  # drop the final " ."
        (held if line.split(" ", 2)[1] == predicate else body).append(quad)
    return "".join(body), "".join(held)
