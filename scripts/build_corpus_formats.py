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

The parts live beside this file, one module each: ``corpus_sources.py`` (Markdown and front
matter), ``corpus_html.py``, ``corpus_pdf.py``, ``corpus_docx.py`` and ``corpus_manifest.py``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from corpus_docx import render_docx
from corpus_html import render_html
from corpus_manifest import MANIFEST_NAME, build_manifest
from corpus_pdf import find_dejavu, render_pdf
from corpus_sources import SOURCES_DIR, Source, load_source

logger = logging.getLogger("build_corpus_formats")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "corpus"
RENDERERS: dict[str, Callable[[Source], bytes]] = {
    ".html": render_html,
    ".pdf": render_pdf,
    ".docx": render_docx,
}


def render_all(corpus: Path) -> tuple[list[Source], dict[str, bytes]]:
    sources = [load_source(p) for p in sorted((corpus / SOURCES_DIR).glob("*.md"))]
    rendered = {}
    for src in sources:
        suffix = Path(src.output).suffix
        if suffix not in RENDERERS:
            raise SystemExit(f"{src.path}: unsupported output format {suffix}")
        rendered[src.output] = RENDERERS[suffix](src)
    return sources, rendered


def write(corpus: Path, sources: list[Source], rendered: dict[str, bytes]) -> None:
    for rel, data in rendered.items():
        target = corpus / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        logger.info("wrote %s (%d bytes)", rel, len(data))
    manifest_path = corpus / SOURCES_DIR / MANIFEST_NAME
    manifest_path.write_bytes(build_manifest(corpus, sources))
    logger.info("wrote %s", manifest_path.relative_to(corpus).as_posix())


def check(corpus: Path, sources: list[Source], rendered: dict[str, bytes]) -> int:
    """Exit status 1 if a committed file differs from what the sources render to."""
    stale = []
    for rel, data in rendered.items():
        target = corpus / rel
        if not target.is_file() or target.read_bytes() != data:
            stale.append(rel)
    manifest_path = corpus / SOURCES_DIR / MANIFEST_NAME
    manifest = build_manifest(corpus, sources)
    if not manifest_path.is_file() or manifest_path.read_bytes() != manifest:
        stale.append(manifest_path.relative_to(corpus).as_posix())
    if stale:
        logger.error("stale generated files: %s", ", ".join(stale))
        return 1
    logger.info("all %d generated files are up to date", len(rendered) + 1)
    return 0


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
    if args.check:
        return check(corpus, sources, rendered)
    write(corpus, sources, rendered)
    return 0


if __name__ == "__main__":
    sys.exit(main())
