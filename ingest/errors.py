"""Errors raised while ingesting documents.

Every message has the form ``"<file>: <reason> — <what to do>"`` so the CLI can print it on one
line and a user knows which file failed and how to fix it. Messages are English for logs and the
CLI; ``reason`` and ``hint`` stay available as attributes so a front end can localise them.
"""

import unicodedata
from pathlib import Path
from typing import Any

__all__ = [
    "DocumentInvalid",
    "FileTooLarge",
    "IngestError",
    "IngestLocked",
    "InvalidFrontMatter",
    "UnreadableFile",
    "UnsafePath",
    "UnsupportedFormat",
    "display_path",
]


def display_path(path: Path | str) -> str:
    """Render a path for a one-line message with control and bidi characters escaped.

    File names may contain newlines or right-to-left overrides; printed raw they could forge log
    lines or make a message read differently from what it says.
    """
    out: list[str] = []
    for char in str(path):
        if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp"}:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


class IngestError(Exception):
    """Base class for every failure the ingest stage reports about one file.

    Attributes:
        path: The file (or lock file) the error is about.
        reason: What is wrong, without the file name.
        hint: What the user can do about it.
    """

    default_hint = "check the file and run the ingest again"

    def __init__(self, path: Path | str, reason: str, hint: str | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.hint = hint if hint is not None else self.default_hint
        super().__init__(f"{display_path(path)}: {reason} — {self.hint}")

    def __reduce__(self) -> tuple[Any, ...]:
        # The custom __init__ signature breaks the default pickling used by multiprocessing.
        return (type(self), (self.path, self.reason, self.hint))


class UnsupportedFormat(IngestError):
    """The file suffix is not one the readers understand."""

    default_hint = "convert it to .txt, .md, .html, .pdf or .docx, or leave it out of the input"


class FileTooLarge(IngestError):
    """The file exceeds the configured size limit."""

    default_hint = "split the file or raise the size limit"


class UnreadableFile(IngestError):
    """The bytes cannot be turned into text: binary, encrypted, truncated, a zip bomb, ..."""

    default_hint = "open the file in its original program and export it again"


class InvalidFrontMatter(IngestError):
    """The YAML front matter is malformed or a key has the wrong type."""

    default_hint = "fix the YAML between the leading '---' lines"


class UnsafePath(IngestError):
    """The path leaves the input root (symlink or ``..`` traversal)."""

    default_hint = "copy the file into the input folder instead of linking to it"


class IngestLocked(IngestError):
    """Another ingest run holds the lock."""

    default_hint = "wait for the other run to finish, or remove the stale lock file"


class DocumentInvalid(IngestError):
    """The file was read but the document is unusable (no text, failed validation)."""

    default_hint = "check that the document contains text"
