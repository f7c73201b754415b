"""Find the files to ingest below the paths a user named.

The walk is iterative and remembers the real path of every folder it entered, so symlink loops
end instead of recursing forever; symlinks whose target leaves the input root are reported as
``UnsafePath`` rather than followed, because ``wissensnetz ingest corpus/`` must never read
``/etc`` through a planted link.

While walking, folders whose name starts with ``_`` (``corpus/_sources`` holds the sources of
generated files and sidecar metadata) and files named ``README*`` in any case are not documents
and are skipped; a file named directly is read whatever its name.
"""

import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError, UnreadableFile, UnsafePath, UnsupportedFormat
from ingest.readers.document import SUPPORTED_SUFFIXES

__all__ = ["Discovered", "discover"]

logger = logging.getLogger(__name__)

# Hidden files, dot folders and Word's "~$name.docx" owner files are never documents.
_SKIPPED_PREFIXES = (".", "~$")
_SKIPPED_FOLDER_PREFIX = "_"
_SKIPPED_FILE_PREFIX = "readme"  # compared case-insensitively


@dataclass(frozen=True)
class Discovered:
    """One candidate file and the root it was found under, or why it cannot be used.

    Pass ``path`` and ``root`` to ``read_document``; when ``error`` is set, report it instead.
    """

    path: Path
    root: Path
    error: IngestError | None = None


def discover(paths: Sequence[Path]) -> Iterator[Discovered]:
    """Yield supported files below ``paths``, sorted per input, each real file only once.

    A folder is its own root; a file named directly has its parent folder as root and is
    yielded even if hidden. Problems (missing input, unsafe or broken symlinks, unsupported
    suffix of a file named directly) come back as ``Discovered`` with ``error`` set, so one bad
    entry does not stop the run.
    """
    seen: set[str] = set()
    for given in paths:
        for found in _discover_one(Path(given)):
            real = os.path.realpath(found.path)
            if found.error is None and real in seen:
                logger.debug("skipping %s: same file already found", found.path)
                continue
            seen.add(real)
            yield found


def _discover_one(given: Path) -> list[Discovered]:
    if not os.path.lexists(given):
        return [Discovered(given, given.parent, UnreadableFile(given, "does not exist"))]
    if given.is_dir():
        return _walk(given)
    if given.suffix.lower() not in SUPPORTED_SUFFIXES:
        error = UnsupportedFormat(given, f"unsupported file type '{given.suffix or '(none)'}'")
        return [Discovered(given, given.parent, error)]
    return [Discovered(given, given.parent)]


def _walk(root: Path) -> list[Discovered]:
    real_root = os.path.realpath(root)
    visited = {real_root}
    stack = [root]
    found: list[Discovered] = []
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            found.append(Discovered(folder, root, UnreadableFile(folder, _reason(exc))))
            continue
        for entry in entries:
            if _is_skipped(entry):
                continue
            child = _classify(Path(entry.path), root, real_root, visited)
            if isinstance(child, Path):
                stack.append(child)
            elif child is not None:
                found.append(child)
    return sorted(found, key=lambda item: item.path.relative_to(root).as_posix())


def _is_skipped(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name.startswith(_SKIPPED_PREFIXES):
        return True
    if name.startswith(_SKIPPED_FOLDER_PREFIX) and entry.is_dir():
        logger.debug("skipping folder %s: name starts with '_'", entry.path)
        return True
    if name.lower().startswith(_SKIPPED_FILE_PREFIX) and not entry.is_dir():
        logger.debug("skipping %s: README files are not documents", entry.path)
        return True
    return False


def _classify(
    path: Path, root: Path, real_root: str, visited: set[str]
) -> Path | Discovered | None:
    """A folder to enter (``Path``), a file or problem to report, or ``None`` to skip."""
    supported = path.suffix.lower() in SUPPORTED_SUFFIXES
    real = os.path.realpath(path)
    if os.path.commonpath([real_root, real]) != real_root:
        if supported or os.path.isdir(path):
            return Discovered(
                path, root, UnsafePath(path, "symlink points outside the input folder")
            )
        return None
    if os.path.isdir(path):
        if real in visited:  # symlink loop or a second link to a folder already walked
            logger.debug("skipping %s: folder already walked", path)
            return None
        visited.add(real)
        return path
    if not supported:
        return None
    if os.path.isfile(path):
        return Discovered(path, root)
    if os.path.islink(path):
        return Discovered(path, root, UnreadableFile(path, "is a broken symlink or symlink loop"))
    return None  # sockets, FIFOs and devices are never documents


def _reason(exc: OSError) -> str:
    return f"folder cannot be listed ({exc.strerror or exc})"
