"""Sidecar files: front matter for documents that cannot carry their own (plain-text exports).

Rule: for ``<folder>/<stem>.<ext>`` the reader uses the first of

1. ``<folder>/<stem>.meta.yaml``, next to the document, and
2. ``<root>/_sources/<stem>.meta.yaml``, below the input root, where the demo corpus keeps
   ``corpus/_sources/werkstatt-2024-guetersloh.meta.yaml`` (``_`` folders are never walked),

that exists. It is a YAML mapping read and validated exactly like front matter; its keys win,
key by key, over what the document itself declares. The second place is found by stem alone, so
stems below one root should be unique, as document ids must be anyway. A sidecar must be a
regular file inside the input root (a symlink out of it is refused, like a document would be).
"""

import os
from pathlib import Path
from typing import Any

from ingest.errors import InvalidFrontMatter, UnreadableFile, UnsafePath
from ingest.readers.encoding import decode_text
from ingest.readers.frontmatter import MAX_FRONT_MATTER_CHARS, load_front_matter

__all__ = ["SIDECAR_FOLDER", "SIDECAR_SUFFIX", "find_sidecar", "read_sidecar"]

SIDECAR_SUFFIX = ".meta.yaml"
SIDECAR_FOLDER = "_sources"


def find_sidecar(path: Path, root: Path) -> Path | None:
    """The sidecar that applies to ``path`` found under ``root``, if there is one."""
    name = path.stem + SIDECAR_SUFFIX
    for candidate in (path.with_name(name), root / SIDECAR_FOLDER / name):
        if os.path.lexists(candidate):
            return candidate
    return None


def read_sidecar(path: Path, root: Path) -> dict[str, Any]:
    """Validated front matter from the sidecar of ``path``; empty if it has none.

    Raises:
        UnsafePath: The sidecar is a symlink that leaves the input root.
        UnreadableFile: The sidecar is not a regular file, cannot be read or is not text.
        InvalidFrontMatter: The sidecar is too large, not YAML or has wrong types.
    """
    sidecar = find_sidecar(path, root)
    if sidecar is None:
        return {}
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(sidecar)]) != real_root:
        raise UnsafePath(sidecar, "is a symlink that points outside the input folder")
    if not sidecar.is_file():
        raise UnreadableFile(sidecar, "sidecar is not a regular file", "remove it or fix the link")
    try:
        with sidecar.open("rb") as handle:
            raw = handle.read(MAX_FRONT_MATTER_CHARS + 1)
    except OSError as exc:
        raise UnreadableFile(sidecar, f"cannot be read ({exc.strerror or exc})") from exc
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        raise InvalidFrontMatter(sidecar, "sidecar is larger than 64 KiB", "shorten it")
    return load_front_matter(decode_text(raw, sidecar), sidecar) if raw.strip() else {}
