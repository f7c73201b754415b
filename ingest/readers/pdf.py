"""PDF text per page with pypdf; every block keeps the 1-based page it came from.

pypdf is lenient and repairs what it can, so a truncated file may still open; the ``%%EOF``
check catches downloads cut off midway before pypdf silently returns half a document. pypdf logs
what it repairs at WARNING, sometimes quoting bytes of the file; documents must never reach the
logs, so the ``pypdf`` logger is held at ERROR while a file is parsed.

A PDF carries front matter when its ``/Keywords`` start with ``wissensnetz:``: they hold
``wissensnetz:KEY=VALUE`` pairs separated by `` | ``; ``/Subject`` is the document id and
``/CreationDate`` the date unless the keywords name them too.
"""

import io
import logging
import re
import threading
import warnings
from pathlib import Path
from types import TracebackType
from typing import Any

from pypdf import DocumentInformation, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError
from pypdf.generic import IndirectObject

from ingest.errors import UnreadableFile
from ingest.readers.embedded import MARKER, embedded_front_matter
from ingest.readers.extraction import Extraction
from ingest.readers.text import parse_text
from ingest.records import Block

__all__ = ["parse_pdf"]

_EOF_WINDOW = 2048
_ENCRYPTED_HINT = "remove the password (print or export to an unprotected PDF) and try again"
_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})(\d{2})")


class _QuietPypdf:
    """Hold the ``pypdf`` logger at ERROR or above while any thread is inside the block."""

    def __init__(self) -> None:
        self._logger = logging.getLogger("pypdf")
        self._lock = threading.Lock()
        self._depth = 0
        self._saved = logging.NOTSET

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._saved = self._logger.level
                self._logger.setLevel(max(self._saved, logging.ERROR))
            self._depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                self._logger.setLevel(self._saved)


_QUIET_PYPDF = _QuietPypdf()


def parse_pdf(raw: bytes, path: Path) -> Extraction:
    """Extract the text of every page, the info title and author, and embedded front matter.

    Raises:
        UnreadableFile: Not a PDF, truncated, encrypted with a password, or pypdf fails on it.
        InvalidFrontMatter: A ``wissensnetz:`` value has the wrong form.
    """
    if b"%PDF-" not in raw[:1024]:
        raise UnreadableFile(path, "is not a PDF (no %PDF- header)")
    if b"%%EOF" not in raw[-_EOF_WINDOW:]:
        raise UnreadableFile(path, "PDF is truncated (no %%EOF marker at the end)")
    try:
        with warnings.catch_warnings(), _QUIET_PYPDF:
            # Malformed-file warnings are expected noise; failures surface as UnreadableFile.
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(raw))
            _unlock(reader, path)
            blocks = _page_blocks(reader)
            meta, declared = _info(reader)
    except UnreadableFile:
        raise
    except FileNotDecryptedError as exc:
        raise UnreadableFile(path, "PDF is encrypted", _ENCRYPTED_HINT) from exc
    except Exception as exc:  # pypdf raises arbitrary types (KeyError, struct.error, ...) on junk
        raise UnreadableFile(path, f"PDF could not be parsed ({type(exc).__name__})") from exc
    return Extraction(tuple(blocks), meta, embedded_front_matter(declared, path))


def _unlock(reader: PdfReader, path: Path) -> None:
    """Open PDFs that only carry an owner password (print/copy restrictions, no user password)."""
    if not reader.is_encrypted:
        return
    try:
        unlocked = reader.decrypt("")
    except DependencyError as exc:
        raise UnreadableFile(path, "PDF is encrypted with AES", _ENCRYPTED_HINT) from exc
    if not unlocked:
        raise UnreadableFile(path, "PDF is encrypted with a password", _ENCRYPTED_HINT)


def _page_blocks(reader: PdfReader) -> list[Block]:
    blocks: list[Block] = []
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        blocks.extend(parse_text(text, page=number, wrapped=True))
    return blocks


def _info(reader: PdfReader) -> tuple[dict[str, Any], dict[str, str]]:
    """Title and author, and the raw front matter values if the keywords carry any."""
    meta: dict[str, Any] = {}
    info = reader.metadata
    if info is None:
        return meta, {}
    for key, name in (("title", "/Title"), ("author", "/Author")):
        value = _info_text(info, name)
        if value:
            meta[key] = value[:500]
    return meta, _declared(info)


def _declared(info: DocumentInformation) -> dict[str, str]:
    keywords = _info_text(info, "/Keywords")
    if not keywords.startswith(MARKER):
        return {}  # ordinary keywords and subjects are free text, not front matter
    date = _PDF_DATE.match(_info_text(info, "/CreationDate"))
    declared = {
        "id": _info_text(info, "/Subject"),
        "date": "-".join(date.groups()) if date else "",
    }
    for item in keywords.split(" | "):
        key, separator, value = item.partition("=")
        if separator:
            declared[key.strip().removeprefix(MARKER)] = value
    return declared


def _info_text(info: DocumentInformation, name: str) -> str:
    value = info.get(name)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return " ".join(value.split()) if isinstance(value, str) else ""
