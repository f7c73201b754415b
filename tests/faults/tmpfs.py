"""A small tmpfs for disk-full tests: a real ``ENOSPC`` without filling the machine's disk.

Mounting needs root (CI and the dev containers run as root). Where the kernel refuses, the
tests fall back to an emulated quota (``Quota``) that the free-space checks see instead.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


def mount(path: Path, size: int) -> bool:
    """Mount a tmpfs of ``size`` bytes at ``path``; False if this machine does not allow it."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def resize(path: Path, size: int) -> None:
    """Shrink or grow a mounted tmpfs (shrinking below what is used fails)."""
    subprocess.run(["mount", "-o", f"remount,size={size}", str(path)], check=True)


def unmount(path: Path) -> None:
    """Unmount, lazily if a leaked handle still keeps it busy."""
    if subprocess.run(["umount", str(path)], check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], check=False)


def used_bytes(path: Path) -> int:
    """Bytes in use on the file system holding ``path``."""
    stat = os.statvfs(path)
    return (stat.f_blocks - stat.f_bfree) * stat.f_frsize


def allocated_bytes(folder: Path) -> int:
    """Disk blocks the files below ``folder`` take (sparse files count what they use)."""
    return sum(f.stat().st_blocks * 512 for f in folder.rglob("*") if f.is_file())


@dataclass
class Quota:
    """Fallback "disk" of ``size`` bytes holding only ``folder``, for ``graph.disk_space``."""

    folder: Path
    size: int

    def free_bytes(self, path: Path) -> int:
        """What ``graph.disk_space.free_bytes`` reports while the quota is in place."""
        return max(0, self.size - allocated_bytes(self.folder))
