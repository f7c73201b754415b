"""Builds malformed and awkward input files at test time (never committed: one is 60 MB).

Each ``BadInput`` names the file, the root to read it under, and the outcome: the exact
``IngestError`` subclass plus a reason fragment the message must contain, or ``None`` when the
file must read fine (Latin-1 text is not an error).
"""

import io
import os
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from ingest.errors import (
    DocumentInvalid,
    FileTooLarge,
    IngestError,
    InvalidFrontMatter,
    UnreadableFile,
    UnsafePath,
    UnsupportedFormat,
)


@dataclass(frozen=True)
class BadInput:
    """One built file and what reading it must do."""

    name: str
    path: Path
    root: Path
    error: type[IngestError] | None
    reason: str  # lower-case fragment of the message (error) or of the text (success)


def make_pdf(pages: list[list[str]], *, title: str | None = None) -> bytes:
    """A PDF with one text line per entry, one list per page (fpdf2 core font, Latin-1)."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    if title:
        pdf.set_title(title)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_docx() -> bytes:
    """A small Word file: a heading, a nested bullet list, a paragraph and a table."""
    document = docx.Document()
    document.core_properties.title = "Protokoll Werkstatt"
    document.add_heading("Arbeitsgruppe Mobilität", level=1)
    document.add_paragraph("Ergebnisse der Arbeitsphase.")
    document.add_paragraph("Radverkehr stärken", style="List Bullet")
    document.add_paragraph("Radschnellweg Paderborn", style="List Bullet 2")
    numbered = document.add_paragraph("Direkt nummeriert")  # numPr on the paragraph itself
    numbered._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="2"/><w:numId w:val="1"/></w:numPr>')
    )
    document.add_heading("Teilnehmende", level=2)
    table = document.add_table(rows=3, cols=2)
    for row, (name, town) in enumerate([("Name", "Kommune"), ("Jürgen Geisler", "Paderborn")]):
        table.cell(row, 0).text = name
        table.cell(row, 1).text = town
    table.cell(2, 0).merge(table.cell(2, 1)).text = "Verbundene Zelle"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([["Geheimer Text."]]))))
    # RC4 needs no 'cryptography' package (pypdf's pure-Python fallback handles it).
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))  # ratio ~1000:1
    return buffer.getvalue()


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "kein Word-Dokument")
    return buffer.getvalue()


def _front(yaml_text: str, body: str = "Inhalt des Dokuments.\n") -> str:
    return f"---\n{yaml_text}\n---\n{body}"


_RANDOM = random.Random(20191218)
_BINARY = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(_RANDOM.randrange(256) for _ in range(2000))
_NO_NUL = bytes(_RANDOM.randrange(1, 256) for _ in range(3000))

# name, relative file name, content, expected error (None = reads fine), reason/text fragment
_SIMPLE: list[tuple[str, str, bytes | str, type[IngestError] | None, str]] = [
    ("empty_txt", "leer.txt", b"", UnreadableFile, "empty"),
    ("whitespace_txt", "leerzeichen.txt", b"  \n\n\t \n", DocumentInvalid, "no text"),
    ("bom_only_txt", "bom.txt", b"\xef\xbb\xbf\n", DocumentInvalid, "no text"),
    ("binary_png_as_txt", "bild.txt", _BINARY, UnreadableFile, "binary"),
    ("binary_without_nul_txt", "rauschen.txt", _NO_NUL, UnreadableFile, "binary"),
    ("nul_bytes_txt", "nul.txt", b"Hallo\x00Welt\n", UnreadableFile, "nul"),
    (
        "invalid_utf8_txt",
        "kaputt.txt",
        "Grüße aus Paderborn ".encode() * 20 + b"\xff!",
        None,
        "grüße",
    ),
    ("latin1_txt", "latin1.txt", "Größe der Übersicht, Straße.\n".encode("latin-1"), None, "größe"),
    (
        "cp1252_txt",
        "cp1252.txt",
        "„Chefsache“ – 5 € für Öl.\n".encode("cp1252"),
        None,
        "„chefsache“",
    ),
    (
        "cp850_txt",
        "dos.txt",
        "Bürgermeister Größe Äußerung\n".encode("cp850"),
        None,
        "bürgermeister",
    ),
    ("utf16_bom_txt", "utf16.txt", "Protokoll über Öffnung\n".encode("utf-16"), None, "über"),
    ("utf8_bom_md", "bom.md", b"\xef\xbb\xbf# Titel\n\nText.\n", None, "titel"),
    ("not_a_pdf", "text.pdf", b"Das ist kein PDF.\n", UnreadableFile, "not a pdf"),
    ("docx_not_zip", "brief.docx", b"Das ist kein Word.\n", UnreadableFile, "not a zip"),
    ("docx_zip_without_word", "archiv.docx", _plain_zip(), UnreadableFile, "word document"),
    (
        "html_only_scripts",
        "skript.html",
        "<html><head><script>var a = 1;</script></head><body><script>alert(1)</script>"
        "<style>p{}</style><noscript>JS an!</noscript></body></html>",
        DocumentInvalid,
        "no text",
    ),
    ("html_random_bytes", "zufall.html", _BINARY, UnreadableFile, "binary"),
    (
        "fm_invalid_yaml",
        "yaml.md",
        _front("title: [nicht geschlossen"),
        InvalidFrontMatter,
        "not valid yaml",
    ),
    ("fm_title_list", "titel.md", _front("title: [1, 2]"), InvalidFrontMatter, "'title'"),
    ("fm_date_int", "datum.md", _front("date: 5"), InvalidFrontMatter, "'date'"),
    (
        "fm_date_impossible",
        "datum2.md",
        _front('date: "2019-13-45"'),
        InvalidFrontMatter,
        "not a real date",
    ),
    (
        "fm_date_unquoted_impossible",
        "datum3.md",
        _front("date: 2019-02-30"),
        InvalidFrontMatter,
        "impossible value",
    ),
    ("fm_kind_unknown", "art.md", _front("kind: unknown"), InvalidFrontMatter, "'kind'"),
    ("fm_not_mapping", "liste.md", _front("- a\n- b"), InvalidFrontMatter, "not a mapping"),
    ("fm_scalar", "skalar.md", _front("nur ein satz"), InvalidFrontMatter, "not a mapping"),
    (
        "fm_unclosed",
        "offen.md",
        "---\ntitle: Offen\n\nText ohne Ende.\n",
        InvalidFrontMatter,
        "never closed",
    ),
    ("fm_key_not_string", "schluessel.md", _front("1: eins"), InvalidFrontMatter, "not a string"),
    ("fm_bad_id", "id.md", _front('id: "../../etc/passwd"'), InvalidFrontMatter, "'id'"),
    (
        "fm_javascript_url",
        "url.md",
        _front('source_url: "javascript:alert(1)"'),
        InvalidFrontMatter,
        "http(s) url",
    ),
    (
        "fm_municipality_int",
        "gemeinde.md",
        _front("municipality: 5"),
        InvalidFrontMatter,
        "'municipality'",
    ),
    (
        "fm_in_txt_wrong_type",
        "frontmatter.txt",
        _front("tags: {a: 1}"),
        InvalidFrontMatter,
        "'tags'",
    ),
    (
        "md_only_front_matter",
        "nur-kopf.md",
        _front("title: Nur Kopf", body=""),
        DocumentInvalid,
        "no text",
    ),
    ("unsupported_exe", "programm.exe", b"MZ\x90\x00", UnsupportedFormat, "unsupported"),
    ("no_suffix", "README", b"Text", UnsupportedFormat, "unsupported"),
    (
        "dotdot_literal_name",
        "..%2F..%2Fetc%2Fpasswd..txt",
        "Harmloser Inhalt.\n",
        None,
        "harmloser",
    ),
    ("backslash_traversal_name", "..\\..\\windows.txt", "Auch harmlos.\n", None, "harmlos"),
    (
        "rtl_override_name",
        "Protokoll \u202etxt.exe.txt",
        "Rechts-nach-links.\n",
        None,
        "rechts-nach-links",
    ),
    ("hebrew_name", "פרוטוקול.txt", "Hebräischer Dateiname.\n", None, "hebräischer"),
    ("newline_in_name", "zeile\nzwei.txt", b"", UnreadableFile, "empty"),
]


def _pdf_cases(root: Path) -> list[BadInput]:
    good = make_pdf([["Erste Seite mit Text."], ["Zweite Seite."]])
    rectangle = FPDF()
    rectangle.add_page()
    rectangle.rect(10, 10, 50, 50)
    return [
        BadInput("truncated_pdf", _write(root / "halb.pdf", good[: len(good) // 2]), root,
                 UnreadableFile, "truncated"),
        BadInput("encrypted_pdf", _write(root / "geheim.pdf", _encrypted_pdf("geheim")), root,
                 UnreadableFile, "encrypted"),
        BadInput("owner_password_only_pdf", _write(root / "gesperrt.pdf", _encrypted_pdf("")),
                 root, None, "geheimer text"),
        BadInput("pdf_without_text", _write(root / "scan.pdf", bytes(rectangle.output())), root,
                 DocumentInvalid, "ocr"),
        BadInput("pdf_garbage_body", _write(root / "muell.pdf", b"%PDF-1.7\n" + _NO_NUL +
                 b"\n%%EOF\n"), root, UnreadableFile, "pdf"),
    ]  # fmt: skip


def _filesystem_cases(root: Path, outside: Path) -> list[BadInput]:
    cases = [
        BadInput("huge_txt", _write(root / "riesig.txt", b"Zeile mit Text.\n" * 3_932_160),
                 root, FileTooLarge, "limit"),
        BadInput("docx_zip_bomb", _write(root / "bombe.docx", _zip_bomb()), root,
                 UnreadableFile, "zip bomb"),
        BadInput("html_10000_nested_divs", _write(root / "tief.html", "<html><body>" +
                 "<div>" * 10_000 + "<p>Ganz unten.</p>" + "</div>" * 10_000 + "</body></html>"),
                 root, None, "ganz unten"),
    ]  # fmt: skip
    folder = root / "ordner.txt"
    folder.mkdir()
    cases.append(BadInput("directory_named_txt", folder, root, UnreadableFile, "not a regular"))
    secret = _write(outside / "geheim.txt", "Geheim.\n")
    cases.append(BadInput("dotdot_traversal", root / "sub" / ".." / ".." / secret.parent.name /
                          secret.name, root, UnsafePath, "not inside"))  # fmt: skip
    if hasattr(os, "symlink"):
        os.symlink(secret, root / "link-raus.txt")
        os.symlink(root / "schleife.txt", root / "schleife.txt")
        os.symlink(root / "fehlt.txt", root / "verwaist.txt")
        cases += [
            BadInput("symlink_outside_root", root / "link-raus.txt", root, UnsafePath, "symlink"),
            BadInput("symlink_loop_file", root / "schleife.txt", root, UnreadableFile, "opened"),
            BadInput("broken_symlink", root / "verwaist.txt", root, UnreadableFile, "opened"),
        ]
    return cases


def build_bad_inputs(base: Path) -> list[BadInput]:
    """Write every bad input below ``base``; the input root is ``base / 'root'``."""
    root = base / "root"
    outside = base / "outside"
    root.mkdir(parents=True)
    outside.mkdir()
    cases = [
        BadInput(name, _write(root / filename, content), root, error, reason)
        for name, filename, content, error, reason in _SIMPLE
    ]
    return cases + _pdf_cases(root) + _filesystem_cases(root, outside)


CASE_NAMES: tuple[str, ...] = (
    *(name for name, *_ in _SIMPLE),
    "truncated_pdf",
    "encrypted_pdf",
    "owner_password_only_pdf",
    "pdf_without_text",
    "pdf_garbage_body",
    "huge_txt",
    "docx_zip_bomb",
    "html_10000_nested_divs",
    "directory_named_txt",
    "dotdot_traversal",
    "symlink_outside_root",
    "symlink_loop_file",
    "broken_symlink",
)
