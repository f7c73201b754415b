"""Readers: files below an input root into ``SourceDocument``s (blocks plus front matter).

``discover`` finds the files, ``read_document`` reads one; every failure is an ``IngestError``
subclass from ``ingest.errors`` whose message names the file, the reason and the fix.
"""

from ingest.readers.discovery import Discovered, discover
from ingest.readers.document import (
    DEFAULT_MAX_BYTES,
    MEDIA_TYPES,
    SUPPORTED_SUFFIXES,
    read_document,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MEDIA_TYPES",
    "SUPPORTED_SUFFIXES",
    "Discovered",
    "discover",
    "read_document",
]
