"""Free space on the data directory, checked before the embedded stores write.

Measured on a full tmpfs: qdrant-edge writes its WAL and payload pages through memory-mapped
sparse files, and a page the file system cannot back kills the whole process with SIGBUS
(``EdgeShard.load`` and ``EdgeShard.update`` both did). Nothing can catch that, so a full disk
has to be noticed *before* the shard writes. RocksDB (Oxigraph) fails cleanly with an
``OSError`` instead, but then refuses every further write until it is opened again.
"""

import errno
import os
from pathlib import Path

from graph.errors import DiskFull

__all__ = [
    "MIN_FREE_BYTES",
    "ensure_free",
    "fills_holes_when_mapped",
    "free_bytes",
    "is_disk_full",
    "megabytes",
]

# The shard allocates in large steps: its first reopen populated 39 MB of payload-index pages
# at once, and WAL segments are 32 MiB. Three times the largest step measured, rounded up.
MIN_FREE_BYTES = 128 * 1024 * 1024
_NO_SPACE = ("No space left on device", "Disk quota exceeded")


def _existing(path: Path) -> Path:
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def free_bytes(path: Path) -> int:
    """Bytes an unprivileged writer may still use on the file system holding ``path``."""
    stat = os.statvfs(_existing(path))
    return stat.f_bavail * stat.f_frsize


def fills_holes_when_mapped(path: Path) -> bool:
    """True where mapping a sparse file allocates its holes (tmpfs), or if that is unknown.

    Measured: loading a qdrant-edge shard on tmpfs allocated its sparse files in full; on
    ext4 it allocated nothing.
    """
    target = str(_existing(path).resolve())
    try:
        mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return True
    best, fstype = "", "unknown"
    for fields in (f for f in mounts if len(f) >= 3):
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, fstype = point, fields[2]
    return fstype in {"tmpfs", "ramfs", "unknown"}


def megabytes(size: int) -> str:
    """``size`` for a message, in MB with one decimal."""
    return f"{size / 1_000_000:.1f} MB"


def ensure_free(path: Path, needed: int) -> None:
    """Refuse a write the file system of ``path`` has no room for.

    Raises:
        DiskFull: with how much is free and how much is needed (the caller adds what failed).
    """
    free = free_bytes(path)
    if free < needed:
        raise DiskFull(f"{megabytes(free)} free in {path}, {megabytes(needed)} needed")


def is_disk_full(exc: BaseException) -> bool:
    """True for ENOSPC/EDQUOT, also when a store reports it only in its message text."""
    if isinstance(exc, DiskFull):
        return True
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return any(marker in str(exc) for marker in _NO_SPACE)
