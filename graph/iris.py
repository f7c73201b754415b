"""The one place where instance IRIs are minted.

Every IRI comes from a stable source key (AGS, normalised name plus affiliation,
content-independent document id), so re-ingesting the same source yields the same IRIs
and a document's named graph can be replaced exactly.
"""

import hashlib
import re
import unicodedata

from rdflib import URIRef

from ontology.namespaces import ID_IRI, TOPIC_IRI

_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)
_NON_SLUG = re.compile(r"[^a-z0-9]+")
KINDS = (
    "municipality",
    "kreis",
    "land",
    "regbez",
    "region",
    "network",
    "organisation",
    "body",
    "person",
    "membership",
    "document",
    "graph",
    "passage",
    "event",
    "agenda",
    "project",
    "problem",
    "goal",
    "task",
    "offer",
    "need",
    "experience",
)


def slug(text: str, max_len: int = 60) -> str:
    """ASCII slug: German umlauts transliterated, so "Gütersloh" -> "guetersloh"."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_UMLAUTS))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    cleaned = _NON_SLUG.sub("-", ascii_text).strip("-")
    return cleaned[:max_len].strip("-") or "x"


def short_hash(*parts: str, length: int = 12) -> str:
    """Stable hex digest of the parts; disambiguates slugs that collide."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def mint(kind: str, *key: str) -> URIRef:
    """IRI of an instance of ``kind`` identified by the stable ``key`` parts.

    Raises:
        ValueError: for an unknown kind or an empty key.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown IRI kind {kind!r}; known: {', '.join(KINDS)}")
    if not key or not any(k.strip() for k in key):
        raise ValueError(f"an IRI of kind {kind!r} needs a non-empty key")
    if kind in {"municipality", "kreis", "land", "regbez"}:
        return URIRef(f"{ID_IRI}{kind}/{key[0]}")
    if kind in {"document", "graph"}:
        return URIRef(f"{ID_IRI}{kind}/{slug(key[0], 80)}")
    readable = slug(key[0])
    return URIRef(f"{ID_IRI}{kind}/{readable}-{short_hash(*key, length=8)}")


def municipality_iri(ags: str) -> URIRef:
    """IRI of a municipality by its 8-digit AGS."""
    if not re.fullmatch(r"\d{8}", ags):
        raise ValueError(f"AGS must have 8 digits, got {ags!r}")
    return mint("municipality", ags)


def document_iri(doc_id: str) -> URIRef:
    """IRI of a document by its content-independent id."""
    return mint("document", doc_id)


def document_graph_iri(doc_id: str) -> URIRef:
    """Named graph that holds exactly one document's triples."""
    return mint("graph", doc_id)


def passage_iri(doc_id: str, position: int) -> URIRef:
    """IRI of the passage at ``position`` of a document."""
    return URIRef(f"{ID_IRI}passage/{slug(doc_id, 80)}/{position}")


def person_iri(name: str, affiliation: str = "") -> URIRef:
    """IRI of a person from the normalised name plus affiliation."""
    return mint("person", normalise_name(name), normalise_name(affiliation))


def organisation_iri(name: str) -> URIRef:
    """IRI of an organisation from its normalised name."""
    return mint("organisation", normalise_name(name))


def topic_iri(local_name: str) -> URIRef:
    """IRI of a thesaurus concept."""
    return URIRef(f"{TOPIC_IRI}{local_name}")


def normalise_name(name: str) -> str:
    """Case- and spacing-insensitive key of a name ("Schloß" and "Schloss" agree)."""
    folded = unicodedata.normalize("NFC", name).replace("ß", "ss").casefold()
    return " ".join(folded.split())


REFERENCE_GRAPH = URIRef(f"{ID_IRI}graph/reference")
THESAURUS_GRAPH = URIRef(f"{ID_IRI}graph/thesaurus")
ONTOLOGY_GRAPH = URIRef(f"{ID_IRI}graph/ontology")
