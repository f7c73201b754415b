"""Content-independent document ids derived from the path below the input root.

The id has to stay stable when the text changes (re-ingest replaces the same named graph) and
must be safe in IRIs and file names, so it is a slug of ``[A-Za-z0-9._-]``, at most 120 chars.
German letters are transliterated (``ü`` -> ``ue``) so ids stay readable; when characters had to
be dropped (Hebrew, emoji, punctuation) a short hash of the original path is appended so two
different names cannot collapse into the same id.
"""

import hashlib
import os
import re
import unicodedata
from pathlib import PurePosixPath

__all__ = ["MAX_ID_LENGTH", "document_id"]

MAX_ID_LENGTH = 120
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_SEPARATORS = re.compile(r"[\s_]+")
_UNSAFE = re.compile(r"[^a-z0-9.-]+")
_DASHES = re.compile(r"-{2,}")
_DOTS = re.compile(r"\.{2,}")  # no ".." in ids, even though they never contain "/"
_HASH_CHARS = 8


def document_id(relative: PurePosixPath) -> str:
    """Slug of the relative path, folders joined by ``--``: ``protokolle--werkstatt-2019.txt``."""
    *folders, name = relative.parts or ("",)
    stem, suffix = os.path.splitext(name)
    extension = _UNSAFE.sub("", suffix.lower().lstrip("."))[:10]
    slugs = [_slug_part(part) for part in (*folders, stem)]
    lossy = any(part_lossy for _, part_lossy in slugs) or extension != suffix.lstrip(".").lower()
    base = "--".join(slug for slug, _ in slugs if slug) or "doc"
    tail = f".{extension}" if extension else ""
    if lossy or len(base) + len(tail) > MAX_ID_LENGTH:
        digest = hashlib.sha256(relative.as_posix().encode("utf-8", "surrogatepass")).hexdigest()
        keep = MAX_ID_LENGTH - _HASH_CHARS - 1 - len(tail)
        base = f"{base[:keep].rstrip('.-') or 'doc'}-{digest[:_HASH_CHARS]}"
    return base + tail


def _slug_part(part: str) -> tuple[str, bool]:
    """Slug one path segment; the flag says whether characters were dropped."""
    text = unicodedata.normalize("NFC", part).lower().translate(_GERMAN)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    # "é" -> "e" is a faithful transliteration; only characters with no ASCII letter are loss.
    lossy = len(ascii_text) < len(
        [c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)]
    )
    spaced = _SEPARATORS.sub("-", ascii_text)
    cleaned = _UNSAFE.sub("-", spaced)
    lossy = lossy or cleaned != spaced
    collapsed = _DOTS.sub(".", _DASHES.sub("-", cleaned))
    slug = collapsed.strip(".-")
    return slug, lossy or slug != collapsed or collapsed != _DASHES.sub("-", cleaned)
