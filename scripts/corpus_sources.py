"""The Markdown sources in ``corpus/_sources/``: front matter, blocks and inline emphasis.

Shared by every renderer of ``build_corpus_formats.py``, so HTML, PDF and DOCX read the same
blocks and carry the same metadata pairs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SOURCES_DIR = "_sources"
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
LIST_ITEM = re.compile(r"^(\s*)(?:[-*]|(\d+)\.)\s+(.*)$")
INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*")


@dataclass(frozen=True)
class MdBlock:
    """One block of the small Markdown subset used by the sources."""

    kind: str  # heading | paragraph | bullet | number | table
    text: str = ""
    level: int = 0
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass
class Source:
    """A parsed source file."""

    path: Path
    meta: dict[str, Any]
    blocks: list[MdBlock] = field(default_factory=list)

    @property
    def output(self) -> str:
        return str(self.meta["output"])

    @property
    def date(self) -> dt.date:
        value = self.meta["date"]
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter, body) of a Markdown text; empty dict if there is none."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end() :]


def parse_markdown(body: str) -> list[MdBlock]:
    """Parse headings, paragraphs, bullet/numbered lists and pipe tables."""
    blocks: list[MdBlock] = []
    para: list[str] = []
    table: list[tuple[str, ...]] = []

    def flush() -> None:
        if para:
            blocks.append(MdBlock("paragraph", " ".join(para)))
            para.clear()
        if table:
            blocks.append(MdBlock("table", rows=tuple(table)))
            table.clear()

    for raw in body.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        if line.startswith("|"):
            if para:
                flush()
            cells = tuple(c.strip() for c in line.strip().strip("|").split("|"))
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                table.append(cells)
            continue
        if line.startswith("#"):
            flush()
            hashes = len(line) - len(line.lstrip("#"))
            blocks.append(MdBlock("heading", line[hashes:].strip(), level=hashes))
            continue
        item = LIST_ITEM.match(line)
        if item:
            flush()
            kind = "number" if item.group(2) else "bullet"
            blocks.append(MdBlock(kind, item.group(3), level=len(item.group(1)) // 2))
            continue
        if table:
            flush()
        para.append(line.strip())
    flush()
    return blocks


def load_source(path: Path) -> Source:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    if "output" not in meta or "id" not in meta:
        raise SystemExit(f"{path}: front matter needs 'id' and 'output'")
    return Source(path=path, meta=meta, blocks=parse_markdown(body))


def inline_runs(text: str) -> Iterator[tuple[str, bool, bool]]:
    """Split ``text`` into (text, bold, italic) runs."""
    pos = 0
    for match in INLINE.finditer(text):
        if match.start() > pos:
            yield text[pos : match.start()], False, False
        if match.group(1) is not None:
            yield match.group(1), True, False
        else:
            yield match.group(2), False, True
        pos = match.end()
    if pos < len(text):
        yield text[pos:], False, False


def plain(text: str) -> str:
    return "".join(run for run, _, _ in inline_runs(text))


def speaker_label(speaker: Any) -> str:
    if isinstance(speaker, dict):
        extra = ", ".join(str(speaker[k]) for k in ("role", "affiliation") if speaker.get(k))
        return f"{speaker['name']} ({extra})" if extra else str(speaker["name"])
    return str(speaker)


def meta_values(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """Name/content pairs of the <meta> tags and of the PDF/DOCX metadata."""
    pairs = [
        ("wissensnetz:id", str(meta["id"])),
        ("wissensnetz:kind", str(meta["kind"])),
        ("wissensnetz:date", str(meta["date"])),
        ("wissensnetz:municipality", "; ".join(meta.get("municipality") or [])),
        ("wissensnetz:topics", "; ".join(meta.get("topics") or [])),
    ]
    for key in ("status", "format", "time", "organiser"):
        if meta.get(key):
            pairs.append((f"wissensnetz:{key}", str(meta[key])))
    if meta.get("speakers"):
        pairs.append(("wissensnetz:speakers", "; ".join(map(speaker_label, meta["speakers"]))))
    if meta.get("partners"):
        pairs.append(("wissensnetz:partners", "; ".join(meta["partners"])))
    return pairs
