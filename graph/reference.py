"""Loads the ontology, the thesaurus and the reference data into their named graphs.

The reference graph holds the hand-written ``reference.ttl`` plus every German municipality,
Kreis, Regierungsbezirk and Land from the Destatis gazetteer (about 136,000 triples). Each
graph stores a sha256 of its own inputs, in the same transaction as its content, so a load
with unchanged inputs costs three ASKs, and an interrupted load is redone next time.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from graph import iris
from graph.ntriples import NTriples, nt_iri, nt_literal, ntriples
from graph.store import GraphStore, SelectResult
from ontology.namespaces import DCATDE, GEO_KEY_IRI, SCHEMA, WN
from ontology.resources import (
    KreisRecord,
    LandRecord,
    MunicipalityRecord,
    kreise,
    laender,
    municipalities,
    ontology_file,
    reference_file,
    topics_file,
)

logger = logging.getLogger(__name__)

# Bump when the mapping below changes, so stores loaded by older code reload.
MAPPING_VERSION = "1"


_INTEGER = str(XSD.integer)


def _text(value: str | None) -> str | None:
    return nt_literal(value) if value else None


def _number(value: int) -> str:
    return nt_literal(str(value), datatype=_INTEGER)


@lru_cache(maxsize=4096)
def _key_iri(kind: str, key: str) -> str:
    return nt_iri(iris.mint(kind, key))


def _iri(kind: str, key: str | None) -> str | None:
    return _key_iri(kind, key) if key else None


class _NT:
    """Terms in N-Triples form, looked up once: a closed namespace resolves every access."""

    type, label, name = nt_iri(RDF.type), nt_iri(RDFS.label), nt_iri(SCHEMA.name)
    municipality, kreis_class, land_class = (
        nt_iri(WN.Municipality),
        nt_iri(WN.Kreis),
        nt_iri(WN.Land),
    )
    regbez_class, regbez = nt_iri(WN.Regierungsbezirk), nt_iri(WN.regierungsbezirk)
    ags, ars, short_name = nt_iri(WN.ags), nt_iri(WN.ars), nt_iri(WN.shortName)
    kind, kreis, land = nt_iri(WN.municipalityKind), nt_iri(WN.kreis), nt_iri(WN.land)
    kreis_key, land_key = nt_iri(WN.kreisKey), nt_iri(WN.landKey)
    population, postal_code = nt_iri(WN.population), nt_iri(SCHEMA.postalCode)
    geocoding = nt_iri(DCATDE.politicalGeocodingURI)


def _lines(subject: str, pairs: Iterable[tuple[str, str | None]]) -> Iterator[str]:
    for predicate, value in pairs:
        if value is not None:
            yield f"{subject} {predicate} {value} .\n"


def municipality_lines(record: MunicipalityRecord) -> Iterator[str]:
    """N-Triples of one municipality, keyed by its AGS.

    Written as text rather than rdflib terms: building 90,000 rdflib literals alone would
    take longer than the whole load is allowed to.
    """
    yield from _lines(
        nt_iri(iris.municipality_iri(record.ags)),
        [
            (_NT.type, _NT.municipality),
            (_NT.ags, nt_literal(record.ags)),
            (_NT.ars, nt_literal(record.ars)),
            (_NT.label, nt_literal(record.short_name)),
            (_NT.name, nt_literal(record.name)),
            (_NT.short_name, nt_literal(record.short_name)),
            (_NT.kind, _text(record.kind)),
            (_NT.kreis, _iri("kreis", record.kreis_key)),
            (_NT.land, _iri("land", record.land_key)),
            (_NT.regbez, _iri("regbez", record.regbez_key)),
            (_NT.population, _number(record.population)),
            (_NT.geocoding, nt_iri(f"{GEO_KEY_IRI}{record.ags}")),
            (_NT.postal_code, _text(record.plz)),
        ],
    )


def kreis_lines(record: KreisRecord) -> Iterator[str]:
    """N-Triples of one Kreis or kreisfreie Stadt."""
    yield from _lines(
        _key_iri("kreis", record.kreis_key),
        [
            (_NT.type, _NT.kreis_class),
            (_NT.kreis_key, nt_literal(record.kreis_key)),
            (_NT.label, nt_literal(record.short_name)),
            (_NT.name, nt_literal(record.name)),
            (_NT.land, _iri("land", record.land_key)),
            (_NT.regbez, _iri("regbez", record.kreis_key[:3] if record.regbez else None)),
            (_NT.population, _number(record.population)),
        ],
    )


def land_lines(record: LandRecord) -> Iterator[str]:
    """N-Triples of one Land."""
    yield from _lines(
        _key_iri("land", record.land_key),
        [
            (_NT.type, _NT.land_class),
            (_NT.land_key, nt_literal(record.land_key)),
            (_NT.label, nt_literal(record.name)),
            (_NT.name, nt_literal(record.name)),
            (_NT.population, _number(record.population)),
        ],
    )


def regierungsbezirk_lines(records: Iterable[MunicipalityRecord]) -> Iterator[str]:
    """N-Triples of the Regierungsbezirke named by the municipalities (NW, HE, BW, BY)."""
    seen: dict[str, tuple[str, str]] = {}
    for record in records:
        if record.regbez_key and record.regbez:
            seen.setdefault(record.regbez_key, (record.regbez, record.land_key))
    for key, (name, land_key) in sorted(seen.items()):
        yield from _lines(
            _key_iri("regbez", key),
            [
                (_NT.type, _NT.regbez_class),
                (_NT.label, nt_literal(name)),
                (_NT.land, _iri("land", land_key)),
            ],
        )


def territory_ntriples(
    gemeinden: Sequence[MunicipalityRecord],
    kreis_records: Sequence[KreisRecord],
    land_records: Sequence[LandRecord],
) -> NTriples:
    """All municipalities, Kreise, Regierungsbezirke and Länder as N-Triples."""
    lines = [line for land in land_records for line in land_lines(land)]
    lines += regierungsbezirk_lines(gemeinden)
    lines += (line for kreis in kreis_records for line in kreis_lines(kreis))
    lines += (line for gemeinde in gemeinden for line in municipality_lines(gemeinde))
    return NTriples("".join(lines))


def input_digest(files: Sequence[Path], *records: Sequence[object]) -> str:
    """sha256 over the files' bytes, the records and ``MAPPING_VERSION``."""
    digest = hashlib.sha256(MAPPING_VERSION.encode())
    for path in files:
        digest.update(path.read_bytes())
    for group in records:
        digest.update(repr(tuple(group)).encode("utf-8"))
    return f"sha256:{digest.hexdigest()}"


def _count(store: GraphStore, graph_iri: URIRef, rdf_class: URIRef) -> int:
    result = store.query(
        f"SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s a <{rdf_class}> }} }}"
    )
    value = result.rows[0][0] if isinstance(result, SelectResult) and result.rows else None
    return int(value) if isinstance(value, Literal) else 0


def _counts(store: GraphStore) -> dict[str, int]:
    return {
        "ontology": store.count_triples(iris.ONTOLOGY_GRAPH),
        "thesaurus": store.count_triples(iris.THESAURUS_GRAPH),
        "reference": store.count_triples(iris.REFERENCE_GRAPH),
        "municipalities": _count(store, iris.REFERENCE_GRAPH, WN.Municipality),
    }


def _is_current(store: GraphStore, graph_iri: URIRef, digest: str) -> bool:
    graph = nt_iri(graph_iri)
    pattern = f"{graph} <{WN.contentHash}> {nt_literal(digest)}"
    result = store.query(f"ASK {{ GRAPH {graph} {{ {pattern} }} }}")
    return getattr(result, "value", False) is True


def _load_graph(
    store: GraphStore, graph_iri: URIRef, digest: str, build: Callable[[], str], force: bool
) -> bool:
    """Replace one graph with ``build()`` plus its digest triple, unless it is current."""
    if not force and _is_current(store, graph_iri, digest):
        return False
    stamp = f"{nt_iri(graph_iri)} <{WN.contentHash}> {nt_literal(digest)} .\n"
    store.replace_graph(graph_iri, NTriples(build() + stamp))
    return True


def _turtle(path: Path) -> str:
    return ntriples(Graph().parse(path, format="turtle"))


def load_reference_data(store: GraphStore, *, force: bool = False) -> dict[str, int]:
    """Load ontology, thesaurus and reference graphs whose inputs changed since last time.

    Each graph carries a sha256 of its own inputs (``wn:contentHash`` on the graph IRI),
    written in the same transaction as its content, so editing ``topics.ttl`` reloads only
    the thesaurus, and a load that died half-way is redone.

    Returns triples per graph (``ontology``, ``thesaurus``, ``reference``) and the number
    of municipalities (``municipalities``), whether or not anything was reloaded.
    """
    start = time.perf_counter()
    gemeinden, kreis_records, land_records = municipalities(), kreise(), laender()
    ontology, topics, hand_written = ontology_file(), topics_file(), reference_file()
    plan: list[tuple[URIRef, str, Callable[[], str]]] = [
        (iris.ONTOLOGY_GRAPH, input_digest([ontology]), lambda: _turtle(ontology)),
        (iris.THESAURUS_GRAPH, input_digest([topics]), lambda: _turtle(topics)),
        (
            iris.REFERENCE_GRAPH,
            input_digest([hand_written], gemeinden, kreis_records, land_records),
            lambda: (
                _turtle(hand_written) + territory_ntriples(gemeinden, kreis_records, land_records)
            ),
        ),
    ]
    loaded = [str(g) for g, digest, build in plan if _load_graph(store, g, digest, build, force)]
    counts = _counts(store)
    logger.info(
        "reference data: %d graph(s) reloaded in %.1f s: %s",
        len(loaded),
        time.perf_counter() - start,
        counts,
        extra={"graphs": loaded},
    )
    return counts
