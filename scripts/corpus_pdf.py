"""The PDF renderer: an A4 report with running header, page footer and document metadata.

Text uses DejaVu Sans when it is installed (Debian package ``fonts-dejavu-core``); otherwise
the core Helvetica font with Latin-1 text, which changes the bytes of every PDF. fpdf2 is a
dev dependency, so it is imported only when a PDF is rendered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus_sources import MdBlock, Source, inline_runs, meta_values, plain

CREATOR = "scripts/build_corpus_formats.py"
DEJAVU_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
)
LATIN1_REPLACEMENTS = {
    "–": "-",
    "—": "-",
    "„": '"',
    "“": '"',
    "”": '"',
    "‚": "'",
    "‘": "'",
    "’": "'",
    "…": "...",
    "→": "->",
    "•": "-",
    "›": ">",
    "€": "EUR",
}


def find_dejavu() -> dict[str, Path] | None:
    names = {
        "": "DejaVuSans.ttf",
        "B": "DejaVuSans-Bold.ttf",
        "I": "DejaVuSans-Oblique.ttf",
        "BI": "DejaVuSans-BoldOblique.ttf",
    }
    for folder in DEJAVU_DIRS:
        paths = {style: folder / name for style, name in names.items()}
        if all(p.is_file() for p in paths.values()):
            return paths
    return None


def unicode_text(text: str) -> str:
    """DejaVu covers every character the sources use."""
    return text


def latin1_text(text: str) -> str:
    """The core fonts know Latin-1 only: spell typographic characters out, replace the rest."""
    for bad, good in LATIN1_REPLACEMENTS.items():
        text = text.replace(bad, good)
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(src: Source) -> bytes:
    fonts = find_dejavu()
    family = "DejaVu" if fonts else "Helvetica"
    txt = unicode_text if fonts else latin1_text
    pdf = new_pdf(src, family, txt)
    if fonts:
        for style, path in fonts.items():
            pdf.add_font("DejaVu", style, str(path))
    set_layout_and_metadata(pdf, src, txt)
    pdf.add_page()
    writer = PdfWriter(pdf, family, txt, pdf.w - pdf.l_margin - pdf.r_margin)
    for block in src.blocks:
        writer.block(block)
    return bytes(pdf.output())


def new_pdf(src: Source, family: str, txt: Callable[[str], str]) -> Any:
    """An A4 FPDF whose pages carry the author line on top and title and page number below."""
    from fpdf import FPDF

    title = str(src.meta["title"])

    class Pdf(FPDF):
        def header(self) -> None:
            self.set_font(family, "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(
                0,
                5,
                txt("Regiopolregion – " + str(src.meta.get("author", ""))),
                **next_line(),
            )
            self.ln(3)
            self.set_text_color(0, 0, 0)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font(family, "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 5, txt(f"{title} – Seite {self.page_no()} von {{nb}}"), align="C")
            self.set_text_color(0, 0, 0)

    return Pdf(format="A4")


def set_layout_and_metadata(pdf: Any, src: Source, txt: Callable[[str], str]) -> None:
    """Margins and the document properties; the creation date is the source's, not the clock."""
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_creation_date(dt.datetime.combine(src.date, dt.time(9, 0), tzinfo=dt.UTC))
    pdf.set_lang("de-DE")
    pdf.set_title(txt(str(src.meta["title"])))
    pdf.set_author(txt(str(src.meta.get("author", ""))))
    pdf.set_subject(txt(str(src.meta["id"])))
    pdf.set_keywords(txt(" | ".join(f"{k}={v}" for k, v in meta_values(src.meta))))
    pdf.set_creator(CREATOR)


def next_line() -> dict[str, Any]:
    """Cell arguments that move to the left margin of the next line."""
    from fpdf.enums import XPos, YPos

    return {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


@dataclass(frozen=True)
class PdfWriter:
    """Writes the blocks of a source onto the pages in its typography."""

    pdf: Any
    family: str
    txt: Callable[[str], str]
    width: float

    def block(self, block: MdBlock) -> None:
        if block.kind == "heading":
            self.heading(block)
        elif block.kind == "paragraph":
            self.paragraph(block)
        elif block.kind in ("bullet", "number"):
            self.list_item(block)
        elif block.kind == "table":
            self.table(block)

    def heading(self, block: MdBlock) -> None:
        pdf, size = self.pdf, {1: 16, 2: 13}.get(block.level, 11.5)
        pdf.ln(3 if block.level > 1 else 0)
        pdf.set_font(self.family, "B", size)
        text = self.txt(plain(block.text))
        pdf.multi_cell(self.width, size * 0.5, text, align="L", **next_line())
        pdf.ln(1.5)

    def paragraph(self, block: MdBlock) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "", 10.5)
        text = self.txt(pdf_markdown(block.text))
        pdf.multi_cell(self.width, 5.4, text, markdown=True, align="L", **next_line())
        pdf.ln(2)

    def list_item(self, block: MdBlock) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "", 10.5)
        indent = 4 + 6 * block.level
        pdf.set_x(pdf.l_margin + indent)
        pdf.cell(5, 5.4, self.txt("•") if block.kind == "bullet" else "–")
        text = self.txt(pdf_markdown(block.text))
        width = self.width - indent - 5
        pdf.multi_cell(width, 5.4, text, markdown=True, align="L", **next_line())
        pdf.ln(0.8)

    def table(self, block: MdBlock) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "", 9.5)
        with pdf.table(text_align="LEFT", line_height=5, padding=1.2) as table:
            for row in block.rows:
                cells = table.row()
                for cell in row:
                    cells.cell(self.txt(plain(cell)))
        pdf.ln(3)


def pdf_markdown(text: str) -> str:
    """Translate **bold** / *italic* into fpdf2's markdown (``**`` / ``__``)."""
    out = []
    for run, bold, italic in inline_runs(text):
        run = run.replace("__", "_").replace("--", "-")
        out.append(f"**{run}**" if bold else f"__{run}__" if italic else run)
    return "".join(out)
