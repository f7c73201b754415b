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
    return "".join(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in triples)


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
