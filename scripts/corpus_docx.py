"""The DOCX renderer: Word styles for headings and lists, core properties from the metadata.

python-docx stamps the zip entries with the current time, so the package is rewritten with a
fixed timestamp; the core properties take the source's date instead of the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from corpus_sources import Source, inline_runs, plain

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def render_docx(src: Source) -> bytes:
    from docx import Document

    doc = Document()
    set_core_properties(doc.core_properties, src)
    for block in src.blocks:
        if block.kind == "heading":
            doc.add_heading(plain(block.text), level=min(block.level, 3))
        elif block.kind == "paragraph":
            add_runs(doc.add_paragraph(), block.text)
        elif block.kind in ("bullet", "number"):
            base = "List Bullet" if block.kind == "bullet" else "List Number"
            style = base if block.level == 0 else f"{base} {min(block.level + 1, 3)}"
            add_runs(doc.add_paragraph(style=style), block.text)
        elif block.kind == "table":
            table = doc.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c, value in enumerate(row):
                    para = table.cell(r, c).paragraphs[0]
                    add_runs(para, f"**{plain(value)}**" if r == 0 else value)
            doc.add_paragraph()
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalise_zip(buffer.getvalue())


def set_core_properties(props: Any, src: Source) -> None:
    """The metadata the DOCX reader takes, with every date fixed to the source's date."""
    created = dt.datetime.combine(src.date, dt.time(9, 0))
    props.title = str(src.meta["title"])
    props.author = str(src.meta.get("author", ""))
    props.last_modified_by = str(src.meta.get("author", ""))
    props.identifier = str(src.meta["id"])
    props.category = str(src.meta["kind"])
    props.subject = "; ".join(src.meta.get("municipality") or [])
    props.keywords = "; ".join(src.meta.get("topics") or [])
    props.comments = str(src.meta.get("source_url", ""))
    props.content_status = str(src.meta.get("status", ""))
    props.language = "de-DE"
    props.created = created
    props.modified = created
    props.last_printed = created
    props.revision = 1
    props.version = "1"


def add_runs(paragraph: Any, text: str) -> None:
    for run_text, bold, italic in inline_runs(text):
        run = paragraph.add_run(run_text)
        run.bold = bold or None
        run.italic = italic or None


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so the same input gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, zin.read(item.filename))
    return out.getvalue()
