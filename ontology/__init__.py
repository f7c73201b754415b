"""Wissensnetz vocabulary and reference data.

Imports only rdflib and the standard library, and does no I/O at import: data files are
read by the loaders in :mod:`ontology.resources` on first use.
"""

from ontology.namespaces import (
    DCATDE,
    GEO_KEY_IRI,
    ID_IRI,
    OA,
    ORG,
    PREFIXES,
    SCHEMA,
    TOPIC_IRI,
    WN,
    WN_IRI,
    WNID,
    WNTOPIC,
    sparql_prologue,
)
from ontology.resources import (
    KreisRecord,
    LandRecord,
    MunicipalityRecord,
    data_path,
    kreise,
    laender,
    municipalities,
    municipalities_by_ags,
    ontology_file,
    reference_file,
    shapes_file,
    topics_file,
)

__all__ = [
    "DCATDE",
    "GEO_KEY_IRI",
    "ID_IRI",
    "OA",
    "ORG",
    "PREFIXES",
    "SCHEMA",
    "TOPIC_IRI",
    "WN",
    "WNID",
    "WNTOPIC",
    "WN_IRI",
    "KreisRecord",
    "LandRecord",
    "MunicipalityRecord",
    "data_path",
    "kreise",
    "laender",
    "municipalities",
    "municipalities_by_ags",
    "ontology_file",
    "reference_file",
    "shapes_file",
    "sparql_prologue",
    "topics_file",
]
