"""``read_document``: one file below an input root into a ``SourceDocument``.

Owns the checks every format shares, in the order that keeps hostile input cheap: location
(no escaping the root), suffix, file type and size *before* reading, then hashing, decoding and
the format parser, and finally the "has any text" check.

Front matter comes from the file itself (YAML in Markdown and text, ``wissensnetz`` metadata in
HTML, PDF and DOCX) and from a sidecar ``.meta.yaml`` (``ingest.readers.sidecar``), which wins
key by key. Its ``id`` is the document id; without one the id is a slug of the relative path.
"""

import hashlib
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ingest.errors import (
    DocumentInvalid,
    FileTooLarge,
    UnreadableFile,
    UnsafePath,
    UnsupportedFormat,
)
from ingest.readers.docx import parse_docx
from ingest.readers.encoding import decode_text
from ingest.readers.extraction import Extraction
from ingest.readers.frontmatter import split_front_matter
from ingest.readers.html import parse_html
from ingest.readers.identity import document_id
from ingest.readers.markdown import parse_markdown
from ingest.readers.pdf import parse_pdf
from ingest.readers.sidecar import read_sidecar
from ingest.readers.text import parse_text
from ingest.records import SourceDocument

__all__ = ["DEFAULT_MAX_BYTES", "MEDIA_TYPES", "SUPPORTED_SUFFIXES", "read_document"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MEDIA_TYPES: dict[str, str] = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
SUPPORTED_SUFFIXES = frozenset(MEDIA_TYPES)
_OS_HINT = "check that the file exists, is readable and is not a broken symlink"
_NO_TEXT_HINTS = {
    "application/pdf": "the PDF has no text layer (scanned?); run OCR on it first",
}


def read_document(path: Path, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceDocument:
    """Read one file below ``root`` into blocks plus validated front matter.

    Args:
        path: The file; absolute, or relative to the working directory.
        root: The input root the file was found under; ids and sources are relative to it.
        max_bytes: Files larger than this are refused before they are read.

    Raises:
        UnsafePath: The file is outside ``root``, also via a symlink.
        UnsupportedFormat: The suffix is not one of ``SUPPORTED_SUFFIXES``.
        FileTooLarge: The file is larger than ``max_bytes``.
        UnreadableFile: Not a regular file, empty, binary, encrypted, truncated, a zip bomb.
        InvalidFrontMatter: Front matter (YAML, embedded or sidecar) is malformed or mistyped.
        DocumentInvalid: The file holds no text.
    """
    relative = _relative_inside(path, root)
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise UnsupportedFormat(path, f"unsupported file type '{path.suffix or '(none)'}'")
    raw = _read_bytes(path, max_bytes)
    extraction = _PARSERS[media_type](raw, path)
    if not extraction.blocks:
        raise DocumentInvalid(
            path,
            "no text found",
            _NO_TEXT_HINTS.get(media_type, "check that the document contains text"),
        )
    front = {**extraction.front, **read_sidecar(path, root)}
    meta = {**extraction.meta, **front}
    doc_id = front.get("id") or document_id(relative)
    logger.debug("read %s: %d blocks", relative, len(extraction.blocks), extra={"doc_id": doc_id})
    return SourceDocument(
        path=path,
        doc_id=doc_id,
        content_hash=hashlib.sha256(raw).hexdigest(),
        source=front.get("source_url") or front.get("source") or relative.as_posix(),
        meta=meta,
        blocks=extraction.blocks,
        media_type=media_type,
    )


def _relative_inside(path: Path, root: Path) -> PurePosixPath:
    """The path relative to root, refusing ``..`` traversal and symlinks that leave the root."""
    lexical_root = os.path.abspath(root)
    lexical = os.path.abspath(path)
    relative = os.path.relpath(lexical, lexical_root)
    if relative == os.curdir or relative.split(os.sep)[0] == os.pardir:
        raise UnsafePath(path, f"is not inside the input folder {root}")
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if os.path.commonpath([real_root, real]) != real_root:
        raise UnsafePath(path, "is a symlink that points outside the input folder")
    return PurePosixPath(Path(relative).as_posix())


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
    except OSError as exc:  # missing, permission denied, symlink loop
        raise UnreadableFile(path, f"cannot be opened ({exc.strerror or exc})", _OS_HINT) from exc
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(path, "is not a regular file", "leave directories and devices out")
    if info.st_size > max_bytes:
        raise FileTooLarge(path, f"is {_size(info.st_size)}, the limit is {_size(max_bytes)}")
    if info.st_size == 0:
        raise UnreadableFile(path, "is empty", "remove it or add the missing content")
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise UnreadableFile(path, f"cannot be read ({exc.strerror or exc})", _OS_HINT) from exc
    if len(raw) > max_bytes:
        raise FileTooLarge(path, f"is larger than the limit of {_size(max_bytes)}")
    return raw


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MiB" if count >= 2**20 else f"{count} bytes"


Parser = Callable[[bytes, Path], Extraction]


def _read_txt(raw: bytes, path: Path) -> Extraction:
    front, body = split_front_matter(decode_text(raw, path), path)
    return Extraction(tuple(parse_text(body)), front=front)


def _read_md(raw: bytes, path: Path) -> Extraction:
    front, body = split_front_matter(decode_text(raw, path), path)
    return Extraction(tuple(parse_markdown(body)), front=front)


def _read_html(raw: bytes, path: Path) -> Extraction:
    return parse_html(decode_text(raw, path), path)


_PARSERS: dict[str, Parser] = {
    "text/plain": _read_txt,
    "text/markdown": _read_md,
    "text/html": _read_html,
    "application/pdf": parse_pdf,
    MEDIA_TYPES[".docx"]: parse_docx,
}
