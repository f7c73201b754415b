"""Word ``.docx`` files: styled headings, list paragraphs with level, tables as rows.

A .docx is a zip archive, so the archive directory is checked before python-docx inflates
anything: a few kilobytes can otherwise expand to gigabytes (zip bomb).

Core properties carry front matter when ``identifier`` is a valid document id: then
``category`` is the kind, ``subject`` the municipalities and ``keywords`` the topics (both
``"; "``-joined), ``created`` the date, ``content_status`` the status and ``comments``, if it is
a URL, the ``source_url``. Word fills none of these by itself, but people type free text into
``subject`` and ``keywords``, so without such an identifier the properties are left alone.
"""

import io
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.errors import UnreadableFile
from ingest.readers.embedded import embedded_front_matter, http_url
from ingest.readers.extraction import Extraction
from ingest.readers.frontmatter import DOC_ID_PATTERN
from ingest.records import Block

__all__ = ["MAX_MEMBER_RATIO", "MAX_UNCOMPRESSED_BYTES", "parse_docx"]

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_MEMBER_RATIO = 100
_RATIO_FLOOR = 1024 * 1024  # small members may compress well without being a threat
_MAX_MEMBERS = 10_000
_HEADING_STYLE = re.compile(r"(?:heading|überschrift)\s*(\d)", re.IGNORECASE)
_LIST_STYLE = re.compile(r"list(?: bullet| number| paragraph| continue)?(?:\s+(\d))?", re.I)
_BOMB_HINT = "do not ingest this file; ask the sender for the original document"


def parse_docx(raw: bytes, path: Path) -> Extraction:
    """Extract paragraphs, headings, list items and table rows in document order.

    Raises:
        UnreadableFile: Not a zip, a zip bomb, or not a Word document python-docx can open.
        InvalidFrontMatter: A core property that maps to front matter has the wrong form.
    """
    check_archive(raw, path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            document = docx.Document(io.BytesIO(raw))
            blocks = [block for item in document.iter_inner_content() for block in _blocks(item)]
            meta = _core_meta(document)
            declared = _declared(document)
    except Exception as exc:  # python-docx/lxml raise KeyError, ValueError, XMLSyntaxError, ...
        raise UnreadableFile(
            path, f"is not a readable Word document ({type(exc).__name__})"
        ) from exc
    return Extraction(tuple(blocks), meta, embedded_front_matter(declared, path))


def check_archive(raw: bytes, path: Path) -> None:
    """Refuse archives that are not zips or would inflate beyond the limits.

    Raises:
        UnreadableFile: Not a zip archive, too many members, or a zip bomb.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except Exception as exc:  # zipfile raises BadZipFile, but also ValueError/EOFError on junk
        raise UnreadableFile(path, "is not a .docx (not a zip archive)") from exc
    if len(members) > _MAX_MEMBERS:
        raise UnreadableFile(path, f"zip archive has {len(members)} members", _BOMB_HINT)
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(
            path, f"looks like a zip bomb (expands to {total // 2**20} MiB)", _BOMB_HINT
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > MAX_MEMBER_RATIO:
            raise UnreadableFile(
                path, f"looks like a zip bomb (compression ratio {ratio:.0f}:1)", _BOMB_HINT
            )


def _blocks(item: Paragraph | Table) -> list[Block]:
    if isinstance(item, Table):
        return _table_rows(item)
    text = item.text.strip()
    if not text:
        return []
    style = _style_name(item)
    heading = _HEADING_STYLE.fullmatch(style)
    if heading is not None:
        return [Block("heading", text, level=max(int(heading.group(1)), 1))]
    if style.lower() == "title":
        return [Block("heading", text, level=1)]
    outline = _outline_level(item)
    if outline is not None:
        return [Block("heading", text, level=outline)]
    level = _list_level(item, style)
    if level is not None:
        return [Block("list_item", text, level=level)]
    return [Block("paragraph", text)]


def _table_rows(table: Table) -> list[Block]:
    rows: list[Block] = []
    for row in table.rows:
        seen: set[int] = set()
        cells: list[str] = []
        for cell in row.cells:
            # Merged cells come back once per grid column; keep each underlying cell once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = " ".join(cell.text.split())
            if text:
                cells.append(text)
        if cells:
            rows.append(Block("table_row", " | ".join(cells)))
    return rows


def _style_name(paragraph: Paragraph) -> str:
    style = paragraph.style
    name = style.name if style is not None else None
    return name.strip() if isinstance(name, str) else ""


def _outline_level(paragraph: Paragraph) -> int | None:
    ppr = paragraph._p.pPr
    if ppr is None:
        return None
    values = ppr.xpath("./w:outlineLvl/@w:val")
    if not values or not str(values[0]).isdigit() or int(values[0]) > 8:
        return None  # 9 means "body text" in Word
    return int(values[0]) + 1


def _list_level(paragraph: Paragraph, style: str) -> int | None:
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        values = ppr.xpath("./w:numPr/w:ilvl/@w:val")
        return min(int(values[0]), 8) if values and str(values[0]).isdigit() else 0
    match = _LIST_STYLE.fullmatch(style)
    if match is None:
        return None
    return int(match.group(1)) - 1 if match.group(1) else 0


def _core_meta(document: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    properties = document.core_properties
    for key in ("title", "author"):
        value = getattr(properties, key, None)
        if isinstance(value, str) and value.strip():
            meta[key] = " ".join(value.split())[:500]
    return meta


def _declared(document: Any) -> dict[str, str]:
    properties = document.core_properties
    identifier = (properties.identifier or "").strip()
    if DOC_ID_PATTERN.fullmatch(identifier) is None:
        return {}
    created = properties.created
    return {
        "id": identifier,
        "kind": properties.category,
        "municipality": properties.subject,
        "topics": properties.keywords,
        "date": created.date().isoformat() if created is not None else "",
        "status": properties.content_status,
        "source_url": http_url(properties.comments) or "",
    }
