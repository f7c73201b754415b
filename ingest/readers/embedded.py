"""Front matter embedded in HTML, PDF and DOCX files as flat strings.

Formats without YAML front matter carry the same keys in their own metadata fields, as written by
``scripts/build_corpus_formats.py``: HTML as ``<meta name="wissensnetz:KEY">``, PDF in
``/Keywords`` as ``wissensnetz:KEY=VALUE | …``, DOCX in its core properties. Lists
(municipalities, topics, speakers, partners) are joined with ``"; "``. Each format module picks
the strings out; this module splits the lists and validates the result exactly like front matter,
so a wrong ``kind`` in a PDF fails the same way as in a Markdown file.
"""

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ingest.readers.frontmatter import validate_front_matter

__all__ = ["LIST_KEYS", "MARKER", "embedded_front_matter", "http_url", "split_list"]

MARKER = "wissensnetz:"
LIST_KEYS = frozenset({"municipality", "topics", "speakers", "partners", "tags"})
_HTTP = re.compile(r"https?://\S+", re.IGNORECASE)


def embedded_front_matter(values: Mapping[str, str | None], path: Path) -> dict[str, Any]:
    """Validated front matter from flat strings; empty values count as absent.

    Raises:
        InvalidFrontMatter: A value has the wrong form (an id with spaces, an unknown kind, ...).
    """
    data: dict[str, Any] = {}
    for key, value in values.items():
        text = " ".join(value.split()) if value else ""
        if not text:
            continue
        data[key] = split_list(text) if key in LIST_KEYS else text
    return validate_front_matter(data, path) if data else {}


def split_list(text: str) -> list[str]:
    """``"Bielefeld; Halle (Westf.)"`` -> ``["Bielefeld", "Halle (Westf.)"]``."""
    return [item.strip() for item in text.split(";") if item.strip()]


def http_url(value: str | None) -> str | None:
    """The value if it is one http(s) URL, else ``None`` (free-text fields may hold anything)."""
    text = (value or "").strip()
    return text if _HTTP.fullmatch(text) else None
