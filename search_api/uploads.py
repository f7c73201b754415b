"""Uploads: a safe file name, a size limit, a private temporary folder, then the ingestor.

The client's file name is never used as a path. It is reduced to its last component,
normalised (NFKC), stripped of control characters, separators and leading dots, and cut to a
sane length; the file is written into a fresh ``mkdtemp`` folder under ``data_dir/uploads``
that is removed after ingesting. Writes are serialised: one upload or delete at a time,
and after each the searcher re-reads only the documents it changed.
"""

import json
import logging
import re
import shutil
import tempfile
import threading
import unicodedata
from pathlib import Path
from typing import Any, BinaryIO

from graph.ingestion import DocumentIngestor
from graph.search import Searcher
from search_api.errors import ApiError

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx")
MAX_NAME_CHARS = 120
CHUNK_BYTES = 1024 * 1024
_UNSAFE = re.compile(r"[^\w.\- ]+")
_SPACES = re.compile(r"[\s_]+")
_DOTS = re.compile(r"\.{2,}")


def safe_filename(name: str | None) -> str:
    """A file name that cannot leave its folder or smuggle control characters.

    ``../../etc/passwd`` becomes ``passwd``, ``C:\\x\\..\\Bericht.pdf`` becomes ``Bericht.pdf``;
    umlauts and other letters are kept.
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = re.split(r"[/\\]", text)[-1]
    text = _DOTS.sub(".", _SPACES.sub("_", _UNSAFE.sub("_", text))).strip("._- ")
    stem, dot, suffix = text.rpartition(".")
    if dot and len(text) > MAX_NAME_CHARS:
        text = stem[: MAX_NAME_CHARS - len(suffix) - 1].rstrip("._-") + "." + suffix
    return text[:MAX_NAME_CHARS] or "upload"


class UploadDesk:
    """Takes uploads and deletions and hands them to the registered ingestor."""

    def __init__(
        self,
        ingestor: DocumentIngestor | None,
        searcher: Searcher,
        upload_dir: Path,
        max_bytes: int,
    ) -> None:
        """Without an ``ingestor`` every write answers 503."""
        self.ingestor = ingestor
        self.searcher = searcher
        self.upload_dir = upload_dir
        self.max_bytes = max_bytes
        self._write_lock = threading.Lock()

    def _require_ingestor(self) -> DocumentIngestor:
        if self.ingestor is None:
            raise ApiError(
                503,
                "ingest_unavailable",
                "Kein Ingest-Modul registriert: Hochladen ist auf diesem Server abgeschaltet. "
                "Installieren Sie das Paket mit dem Einstiegspunkt 'wissensnetz.ingestors' "
                "(default) oder lesen Sie Dokumente mit 'wissensnetz ingest' ein.",
            )
        return self.ingestor

    def ingest(self, stream: BinaryIO, filename: str | None) -> dict[str, Any]:
        """Store the upload in a temporary folder, ingest it, return the summary.

        Raises:
            ApiError: 503 without an ingestor, 415 for an unsupported type, 413 if too large.
        """
        ingestor = self._require_ingestor()
        name = safe_filename(filename)
        if not name.lower().endswith(ALLOWED_SUFFIXES):
            raise ApiError(
                415,
                "unsupported_type",
                f"Dateityp nicht unterstützt; erlaubt sind {', '.join(ALLOWED_SUFFIXES)}.",
            )
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="upload-", dir=self.upload_dir))
        try:
            size = self._copy(stream, folder / name)
            with self._write_lock:
                summary = ingestor.ingest_file(folder / name, original_name=name)
                self.searcher.refresh(_document_ids(summary))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        summary = self._without_paths(summary, folder, name)
        failed = summary.get("documents", {}).get("failed") if isinstance(summary, dict) else 0
        if failed:
            reasons = "; ".join(str(e.get("reason")) for e in summary.get("errors", []))
            raise ApiError(
                422, "ingest_failed", f"Die Datei konnte nicht eingelesen werden: {reasons}"
            )
        logger.info("upload ingested (%d bytes)", size)
        return {"filename": name, "bytes": size, "summary": summary}

    def _without_paths(self, summary: dict[str, Any], folder: Path, name: str) -> dict[str, Any]:
        """The summary with server paths replaced by the file name (they tell clients nothing)."""
        text = json.dumps(summary, ensure_ascii=False, default=str)
        for path, shown in ((folder / name, name), (folder, ""), (self.upload_dir, "")):
            text = text.replace(json.dumps(str(path))[1:-1], shown)
        cleaned: dict[str, Any] = json.loads(text)
        return cleaned

    def _copy(self, stream: BinaryIO, target: Path) -> int:
        written = 0
        with target.open("xb") as out:
            while chunk := stream.read(CHUNK_BYTES):
                written += len(chunk)
                if written > self.max_bytes:
                    raise ApiError(
                        413,
                        "too_large",
                        f"Die Datei ist größer als {self.max_bytes // (1024 * 1024)} MB.",
                    )
                out.write(chunk)
        return written

    def delete(self, doc_id: str) -> bool:
        """Remove a document; ``False`` if it did not exist.

        Raises:
            ApiError: 503 without an ingestor.
        """
        ingestor = self._require_ingestor()
        with self._write_lock:
            deleted = ingestor.delete_document(doc_id)
            if deleted:
                self.searcher.refresh([doc_id])
        return deleted


def _document_ids(summary: Any) -> list[str]:
    """Ids the ingest summary names (``document_ids``), so only they are re-read.

    A summary without them still leads to a partial update: the searcher also replaces
    every document whose content hash in the store changed.
    """
    ids = summary.get("document_ids") if isinstance(summary, dict) else None
    return [str(doc_id) for doc_id in ids] if isinstance(ids, list) else []
