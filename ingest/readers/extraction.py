"""What a format parser hands back before ``read_document`` adds ids, hashes and front matter."""

from dataclasses import dataclass, field
from typing import Any

from ingest.records import Block

__all__ = ["Extraction"]


@dataclass(frozen=True)
class Extraction:
    """Blocks found in one file plus the metadata the file carries.

    ``meta`` holds what any file of the format has (HTML ``<title>``, PDF info title and author);
    ``front`` holds validated front matter: the YAML block of Markdown and text files, or the
    ``wissensnetz`` metadata embedded in HTML, PDF and DOCX (see ``ingest.readers.embedded``).
    """

    blocks: tuple[Block, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    front: dict[str, Any] = field(default_factory=dict)
