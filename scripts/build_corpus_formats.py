"""Render the corpus documents kept as Markdown in ``corpus/_sources/`` to HTML, PDF and DOCX.

Each source file has YAML front matter with an ``output`` key (path relative to ``corpus/``)
whose suffix selects the renderer. The generated files are committed; this script regenerates
them byte for byte (fixed dates, fixed zip timestamps, no clock or random input):

    .venv/bin/python scripts/build_corpus_formats.py            # regenerate
    .venv/bin/python scripts/build_corpus_formats.py --check    # exit 1 if anything is stale

It also writes ``corpus/_sources/manifest.yaml``: the metadata of every document the reader
should ingest (front matter of ``.md`` files, the source front matter of generated files, and
``_sources/<stem>.meta.yaml`` for plain-text files that cannot carry front matter).

The HTML pages deliberately carry site chrome (navigation, cookie banner, sidebar, footer,
scripts) that an HTML reader has to drop. PDF text uses DejaVu Sans when it is installed
(Debian package ``fonts-dejavu-core``); otherwise the core Helvetica font with Latin-1 text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import logging
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger("build_corpus_formats")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "corpus"
SOURCES_DIR = "_sources"
MANIFEST_NAME = "manifest.yaml"
INGESTIBLE_SUFFIXES = {".md", ".txt", ".html", ".pdf", ".docx"}
FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
DEJAVU_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
)
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
LIST_ITEM = re.compile(r"^(\s*)(?:[-*]|(\d+)\.)\s+(.*)$")
INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*")


# --------------------------------------------------------------------------- parsing


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


# --------------------------------------------------------------------------- HTML

NAV = (
    ("Start", "/"),
    ("Über uns", "/ueber-uns"),
    ("Projektdatenbank", "/projektdatenbank"),
    ("Regiopol Akademie", "/akademie"),
    ("Aktuelles", "/aktuelles"),
    ("Kontakt", "/kontakt"),
)

HTML_HEAD = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | Regiopolregion</title>
{metas}
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/assets/css/site.min.css">
<script src="/assets/js/consent-manager.js" defer></script>
</head>
<body class="page-{kind}">
<a class="skip-link" href="#inhalt">Zum Hauptinhalt der Seite</a>
<div id="cookie-banner" class="cookie-banner" role="dialog" aria-label="Cookie-Einstellungen">
<p>Diese Website verwendet Cookies und vergleichbare Techniken. Einige sind technisch
notwendig, andere helfen uns, das Angebot zu verbessern. Sie entscheiden, welche Sie zulassen.</p>
<button type="button" class="btn-accept">Alle akzeptieren</button>
<button type="button" class="btn-reject">Nur notwendige Cookies</button>
<a href="/datenschutz">Datenschutzerklärung</a>
</div>
<header class="site-header">
<a class="logo" href="/">Regiopolregion – gemeinsam stark</a>
<nav class="main-nav" aria-label="Hauptnavigation">
<ul>
{nav}
</ul>
</nav>
<form class="site-search" action="/suche"><input type="search" name="q" placeholder="Suchen …">
<button type="submit">Suche</button></form>
</header>
<nav class="breadcrumb" aria-label="Brotkrumen">
<a href="/">Start</a> › <a href="{section_url}">{section}</a> › <span>{short}</span>
</nav>
<main id="inhalt">
<article>
<p class="meta"><time datetime="{date}">{date_de}</time></p>
"""

HTML_TAIL = """</article>
</main>
<aside class="sidebar">
<h2>Das könnte Sie auch interessieren</h2>
<ul>
<li><a href="/projektdatenbank">Zur Projektdatenbank</a></li>
<li><a href="/akademie">Alle Termine der Regiopol Akademie</a></li>
<li><a href="/newsletter">Newsletter abonnieren</a></li>
</ul>
</aside>
<footer class="site-footer">
<p>Geschäftsstelle der Regiopolregion · Büro des Oberbürgermeisters · Postfach 00 00 00</p>
<ul>
<li><a href="/impressum">Impressum</a></li>
<li><a href="/datenschutz">Datenschutz</a></li>
<li><a href="/barrierefreiheit">Erklärung zur Barrierefreiheit</a></li>
</ul>
<p>© {year} Regiopolregion. Alle Rechte vorbehalten.</p>
</footer>
<div class="orientation-hint" aria-hidden="true">
Bitte drehen Sie Ihr Gerät ins Hochformat, damit die Seite richtig angezeigt wird.
</div>
<script>
window.dataLayer = window.dataLayer || [];
function gtag(){{dataLayer.push(arguments);}}
document.querySelector('.btn-accept').addEventListener('click', function () {{
  document.getElementById('cookie-banner').hidden = true;
  gtag('consent', 'update', {{analytics_storage: 'granted'}});
}});
</script>
</body>
</html>
"""

SECTIONS = {
    "event": ("Regiopol Akademie", "/akademie"),
    "page": ("Über uns", "/ueber-uns"),
    "project": ("Projektdatenbank", "/projektdatenbank"),
    "protocol": ("Gremien", "/gremien"),
}
MONTHS_DE = (
    *("Januar", "Februar", "März", "April", "Mai", "Juni"),
    *("Juli", "August", "September", "Oktober", "November", "Dezember"),
)


def date_de(day: dt.date) -> str:
    return f"{day.day}. {MONTHS_DE[day.month - 1]} {day.year}"


def html_inline(text: str) -> str:
    parts = []
    for run, bold, italic in inline_runs(text):
        esc = html.escape(run, quote=False)
        if bold:
            esc = f"<strong>{esc}</strong>"
        elif italic:
            esc = f"<em>{esc}</em>"
        parts.append(esc)
    return "".join(parts)


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


def render_html(src: Source) -> bytes:
    meta = src.meta
    heads = [
        ("description", plain(next((b.text for b in src.blocks if b.kind == "paragraph"), ""))),
        ("author", str(meta.get("author", ""))),
        ("date", str(meta["date"])),
        ("language", "de"),
        ("keywords", ", ".join(meta.get("topics") or [])),
        *meta_values(meta),
    ]
    metas = "\n".join(
        f'<meta name="{name}" content="{html.escape(value)}">' for name, value in heads
    )
    section, section_url = SECTIONS[str(meta["kind"])]
    out = [
        HTML_HEAD.format(
            title=html.escape(str(meta["title"])),
            metas=metas,
            url=html.escape(str(meta.get("source_url", ""))),
            kind=meta["kind"],
            nav="\n".join(f'<li><a href="{u}">{html.escape(t)}</a></li>' for t, u in NAV),
            section=section,
            section_url=section_url,
            short=html.escape(str(meta["title"]).split(":")[0].split("–")[0].strip()),
            date=src.date.isoformat(),
            date_de=date_de(src.date),
        )
    ]
    out.extend(html_blocks(src.blocks))
    out.append(HTML_TAIL.format(year=src.date.year))
    return "".join(out).encode("utf-8")


def html_blocks(blocks: list[MdBlock]) -> Iterator[str]:
    open_list: str | None = None
    for block in blocks:
        tag = {"bullet": "ul", "number": "ol"}.get(block.kind)
        if open_list and tag != open_list:
            yield f"</{open_list}>\n"
            open_list = None
        if tag and not open_list:
            yield f"<{tag}>\n"
            open_list = tag
        if block.kind == "heading":
            yield f"<h{block.level}>{html_inline(block.text)}</h{block.level}>\n"
        elif block.kind == "paragraph":
            yield f"<p>{html_inline(block.text)}</p>\n"
        elif tag:
            yield f"<li>{html_inline(block.text)}</li>\n"
        elif block.kind == "table":
            yield "<table>\n<thead><tr>"
            yield "".join(f"<th>{html_inline(c)}</th>" for c in block.rows[0])
            yield "</tr></thead>\n<tbody>\n"
            for row in block.rows[1:]:
                yield "<tr>" + "".join(f"<td>{html_inline(c)}</td>" for c in row) + "</tr>\n"
            yield "</tbody>\n</table>\n"
    if open_list:
        yield f"</{open_list}>\n"


# --------------------------------------------------------------------------- PDF

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


def render_pdf(src: Source) -> bytes:
    from fpdf import FPDF  # dev dependency, imported on use
    from fpdf.enums import XPos, YPos

    fonts = find_dejavu()
    family = "DejaVu" if fonts else "Helvetica"

    def txt(text: str) -> str:
        if fonts:
            return text
        for bad, good in LATIN1_REPLACEMENTS.items():
            text = text.replace(bad, good)
        return text.encode("latin-1", "replace").decode("latin-1")

    title = str(src.meta["title"])

    class Pdf(FPDF):  # type: ignore[misc]
        def header(self) -> None:
            self.set_font(family, "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(
                0,
                5,
                txt("Regiopolregion – " + str(src.meta.get("author", ""))),
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            self.ln(3)
            self.set_text_color(0, 0, 0)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font(family, "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 5, txt(f"{title} – Seite {self.page_no()} von {{nb}}"), align="C")
            self.set_text_color(0, 0, 0)

    pdf = Pdf(format="A4")
    if fonts:
        for style, path in fonts.items():
            pdf.add_font("DejaVu", style, str(path))
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_creation_date(dt.datetime.combine(src.date, dt.time(9, 0), tzinfo=dt.UTC))
    pdf.set_lang("de-DE")
    pdf.set_title(txt(title))
    pdf.set_author(txt(str(src.meta.get("author", ""))))
    pdf.set_subject(txt(str(src.meta["id"])))
    pdf.set_keywords(txt(" | ".join(f"{k}={v}" for k, v in meta_values(src.meta))))
    pdf.set_creator("scripts/build_corpus_formats.py")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for block in src.blocks:
        if block.kind == "heading":
            size = {1: 16, 2: 13}.get(block.level, 11.5)
            pdf.ln(3 if block.level > 1 else 0)
            pdf.set_font(family, "B", size)
            pdf.multi_cell(
                width,
                size * 0.5,
                txt(plain(block.text)),
                align="L",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            pdf.ln(1.5)
        elif block.kind == "paragraph":
            pdf.set_font(family, "", 10.5)
            pdf.multi_cell(
                width,
                5.4,
                txt(pdf_markdown(block.text)),
                markdown=True,
                align="L",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            pdf.ln(2)
        elif block.kind in ("bullet", "number"):
            pdf.set_font(family, "", 10.5)
            indent = 4 + 6 * block.level
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(5, 5.4, txt("•") if block.kind == "bullet" else "–")
            pdf.multi_cell(
                width - indent - 5,
                5.4,
                txt(pdf_markdown(block.text)),
                markdown=True,
                align="L",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            pdf.ln(0.8)
        elif block.kind == "table":
            pdf.set_font(family, "", 9.5)
            with pdf.table(text_align="LEFT", line_height=5, padding=1.2) as table:
                for row in block.rows:
                    cells = table.row()
                    for cell in row:
                        cells.cell(txt(plain(cell)))
            pdf.ln(3)
    return bytes(pdf.output())


def pdf_markdown(text: str) -> str:
    """Translate **bold** / *italic* into fpdf2's markdown (``**`` / ``__``)."""
    out = []
    for run, bold, italic in inline_runs(text):
        run = run.replace("__", "_").replace("--", "-")
        out.append(f"**{run}**" if bold else f"__{run}__" if italic else run)
    return "".join(out)


# --------------------------------------------------------------------------- DOCX


def render_docx(src: Source) -> bytes:
    from docx import Document

    doc = Document()
    props = doc.core_properties
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


RENDERERS = {".html": render_html, ".pdf": render_pdf, ".docx": render_docx}


# --------------------------------------------------------------------------- manifest


def iter_ingestible(corpus: Path) -> Iterator[Path]:
    """Files the corpus reader should ingest: no '_'/'.' folders, no README files."""
    for path in sorted(corpus.rglob("*")):
        rel = path.relative_to(corpus)
        if not path.is_file() or path.suffix not in INGESTIBLE_SUFFIXES:
            continue
        if any(part.startswith(("_", ".")) for part in rel.parts[:-1]):
            continue
        if path.name.lower().startswith("readme") or path.name.startswith((".", "_")):
            continue
        yield path


def manifest_entry(path: Path, corpus: Path, by_output: dict[str, Source]) -> dict[str, Any]:
    rel = path.relative_to(corpus).as_posix()
    generated_from = None
    if rel in by_output:
        meta = dict(by_output[rel].meta)
        generated_from = by_output[rel].path.relative_to(corpus).as_posix()
    elif path.suffix == ".md":
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
    else:
        sidecar = corpus / SOURCES_DIR / f"{path.stem}.meta.yaml"
        if not sidecar.is_file():
            raise SystemExit(f"{rel}: no front matter, no generating source and no {sidecar}")
        meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
        generated_from = None
    entry: dict[str, Any] = {"path": rel, "format": path.suffix.lstrip(".")}
    for key in (
        "id",
        "title",
        "date",
        "kind",
        "municipality",
        "topics",
        "status",
        "author",
        "source_url",
        "format",
        "time",
        "organiser",
        "partners",
        "speakers",
    ):
        if key in meta and meta[key] not in (None, [], ""):
            entry["event_format" if key == "format" else key] = meta[key]
    entry["date"] = str(entry["date"])
    if generated_from:
        entry["generated_from"] = generated_from
    return entry


def build_manifest(corpus: Path, sources: list[Source]) -> bytes:
    by_output = {s.output: s for s in sources}
    entries = [manifest_entry(p, corpus, by_output) for p in iter_ingestible(corpus)]
    ids = [e["id"] for e in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SystemExit(f"duplicate document ids: {duplicates}")
    header = (
        "# Generated by scripts/build_corpus_formats.py - do not edit by hand.\n"
        "# Metadata of every document under corpus/ that the reader should ingest.\n"
    )
    body = yaml.safe_dump({"documents": entries}, allow_unicode=True, sort_keys=False, width=100)
    return (header + body).encode("utf-8")


# --------------------------------------------------------------------------- main


def render_all(corpus: Path) -> tuple[list[Source], dict[str, bytes]]:
    sources = [load_source(p) for p in sorted((corpus / SOURCES_DIR).glob("*.md"))]
    rendered = {}
    for src in sources:
        suffix = Path(src.output).suffix
        if suffix not in RENDERERS:
            raise SystemExit(f"{src.path}: unsupported output format {suffix}")
        rendered[src.output] = RENDERERS[suffix](src)
    return sources, rendered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--check", action="store_true", help="exit 1 if outputs are stale")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    corpus: Path = args.corpus.resolve()
    if not find_dejavu():
        logger.warning(
            "DejaVu fonts not found: PDFs fall back to Helvetica/Latin-1 "
            "and will differ from the committed files"
        )
    sources, rendered = render_all(corpus)
    stale = []
    for rel, data in rendered.items():
        target = corpus / rel
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                stale.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        logger.info("wrote %s (%d bytes)", rel, len(data))
    manifest_path = corpus / SOURCES_DIR / MANIFEST_NAME
    if args.check:
        manifest = build_manifest(corpus, sources)
        if not manifest_path.is_file() or manifest_path.read_bytes() != manifest:
            stale.append(manifest_path.relative_to(corpus).as_posix())
        if stale:
            logger.error("stale generated files: %s", ", ".join(stale))
            return 1
        logger.info("all %d generated files are up to date", len(rendered) + 1)
        return 0
    manifest_path.write_bytes(build_manifest(corpus, sources))
    logger.info("wrote %s", manifest_path.relative_to(corpus).as_posix())
    return 0


if __name__ == "__main__":
    sys.exit(main())
