"""Discovery skips ``_`` folders and READMEs; embedded and sidecar metadata become front matter."""

import datetime as dt
import io
import logging
import os
import re
from pathlib import Path

import docx
import pytest
import yaml
from fpdf import FPDF

from ingest.errors import InvalidFrontMatter, UnsafePath
from ingest.readers import discover, read_document
from ingest.readers.sidecar import find_sidecar
from tests.ingest.bad_inputs import make_pdf

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
BODY = "Die Kommunen teilen ihr Wissen über Wärmeplanung.\n"


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _found(paths: list[Path], root: Path) -> list[str]:
    return [item.path.relative_to(root).as_posix() for item in discover(paths)]


# --- discovery ------------------------------------------------------------------------------


def test_walk_skips_underscore_folders_and_readme_files(tmp_path: Path) -> None:
    for name in (
        "a.md", "README.md", "readme.txt", "ReadMe.html", "notes_README.md", "x_y/b.md",
        "_sources/c.md", "sub/_drafts/d.md", "sub/e.txt", "sub/README.markdown", "readme/f.md",
    ):  # fmt: skip
        _write(tmp_path / name, BODY)
    assert _found([tmp_path], tmp_path) == [
        "a.md", "notes_README.md", "readme/f.md", "sub/e.txt", "x_y/b.md",
    ]  # fmt: skip


def test_files_and_folders_named_directly_are_still_read(tmp_path: Path) -> None:
    readme = _write(tmp_path / "README.md", BODY)
    source = _write(tmp_path / "_sources" / "c.md", BODY)
    assert _found([readme, source], tmp_path) == ["README.md", "_sources/c.md"]
    assert _found([tmp_path / "_sources"], tmp_path) == ["_sources/c.md"]
    assert read_document(readme, tmp_path).doc_id == "readme.md"


def test_symlink_to_underscore_folder_is_skipped(tmp_path: Path) -> None:
    _write(tmp_path / "docs" / "a.md", BODY)
    os.symlink(tmp_path / "docs", tmp_path / "_link")
    assert _found([tmp_path], tmp_path) == ["docs/a.md"]


# --- HTML -----------------------------------------------------------------------------------

HTML = """<!DOCTYPE html><html lang="de"><head><title>Offene Daten | Regiopolregion</title>
<meta name="description" content="Ein Termin">
<meta name="wissensnetz:id" content="akademie-open-data">
<meta name="wissensnetz:kind" content="{kind}">
<meta name="wissensnetz:date" content="2026-02-26">
<meta name="wissensnetz:municipality" content="Gütersloh; Halle (Westf.)">
<meta name="wissensnetz:topics" content="Open Data">
<meta name="wissensnetz:format" content="digital">
<meta name="wissensnetz:time" content="10:00-11:00">
<meta name="wissensnetz:organiser" content="Geschäftsstelle">
<meta name="wissensnetz:speakers" content="Sandra Pöppelbaum (Stadt Gütersloh); Kai Lödige">
<meta name="wissensnetz:partners" content="KGSt; regiopolREGION Paderborn e.V.">
<meta name="wissensnetz:status" content="">
<link rel="canonical" href="https://regiopolregion.example/akademie/open-data">
</head><body><main><p>Offene Daten für alle.</p></main></body></html>"""


def test_html_wissensnetz_meta_is_front_matter(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path / "a" / "termin.html", HTML.format(kind="event")), tmp_path)
    assert doc.doc_id == "akademie-open-data"
    assert doc.source == "https://regiopolregion.example/akademie/open-data"
    meta = doc.meta
    assert (meta["kind"], meta["date"], meta["organiser"]) == (
        "event",
        "2026-02-26",
        "Geschäftsstelle",
    )
    assert meta["municipality"] == ["Gütersloh", "Halle (Westf.)"]
    assert meta["topics"] == ["Open Data"]
    assert meta["speakers"] == ["Sandra Pöppelbaum (Stadt Gütersloh)", "Kai Lödige"]
    # Keys front matter does not trust land under "extra", exactly as in Markdown files.
    assert meta["extra"] == {
        "format": "digital",
        "time": "10:00-11:00",
        "partners": ["KGSt", "regiopolREGION Paderborn e.V."],
    }
    assert "status" not in meta  # empty means absent
    assert meta["html_meta"] == {"description": "Ein Termin"}
    assert meta["title"] == "Offene Daten | Regiopolregion"


def test_html_wissensnetz_meta_is_validated(tmp_path: Path) -> None:
    path = _write(tmp_path / "termin.html", HTML.format(kind="webinar"))
    with pytest.raises(InvalidFrontMatter, match="'kind' 'webinar' is unknown"):
        read_document(path, tmp_path)


def test_html_without_wissensnetz_meta_keeps_path_id(tmp_path: Path) -> None:
    page = HTML.replace("wissensnetz:", "other:")
    doc = read_document(_write(tmp_path / "s" / "termin.html", page), tmp_path)
    assert doc.doc_id == "s--termin.html"
    assert doc.source == "s/termin.html"
    assert "kind" not in doc.meta


# --- PDF ------------------------------------------------------------------------------------


def _pdf(*, subject: str = "", keywords: str = "", created: dt.datetime | None = None) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.set_title("Kommunaler Waermeplan")
    if subject:
        pdf.set_subject(subject)
    if keywords:
        pdf.set_keywords(keywords)
    pdf.set_creation_date(created or dt.datetime(2026, 7, 2, 9, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.multi_cell(0, 8, "Der Waermeplan ist beschlossen.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


KEYWORDS = (
    "wissensnetz:id=waermeplan | wissensnetz:kind=project | wissensnetz:municipality=Bielefeld; "
    "Herford | wissensnetz:topics=Waermeplanung | wissensnetz:status=abgeschlossen"
)


def test_pdf_keywords_subject_and_creation_date_are_front_matter(tmp_path: Path) -> None:
    raw = _pdf(subject="waermeplan", keywords=KEYWORDS.replace("wissensnetz:id=waermeplan | ", ""))
    doc = read_document(_write(tmp_path / "p" / "plan.pdf", raw), tmp_path)
    assert doc.doc_id == "waermeplan"
    meta = doc.meta
    assert (meta["kind"], meta["date"], meta["status"]) == (
        "project",
        "2026-07-02",
        "abgeschlossen",
    )
    assert meta["municipality"] == ["Bielefeld", "Herford"]
    assert meta["topics"] == ["Waermeplanung"]
    assert meta["title"] == "Kommunaler Waermeplan"


def test_pdf_keywords_win_over_subject_and_creation_date(tmp_path: Path) -> None:
    raw = _pdf(subject="other-id", keywords=f"{KEYWORDS} | wissensnetz:date=2025-01-31")
    doc = read_document(_write(tmp_path / "plan.pdf", raw), tmp_path)
    assert (doc.doc_id, doc.meta["date"]) == ("waermeplan", "2025-01-31")


def test_pdf_without_marker_ignores_free_text_subject(tmp_path: Path) -> None:
    raw = _pdf(subject="Sitzung vom 3. Mai", keywords="Wärme, Planung")
    doc = read_document(_write(tmp_path / "p" / "plan.pdf", raw), tmp_path)
    assert doc.doc_id == "p--plan.pdf"
    assert "date" not in doc.meta


def test_pdf_marked_metadata_is_validated(tmp_path: Path) -> None:
    raw = _pdf(subject="Sitzung vom 3. Mai", keywords="wissensnetz:kind=project")
    with pytest.raises(InvalidFrontMatter, match="front matter 'id'"):
        read_document(_write(tmp_path / "plan.pdf", raw), tmp_path)


def test_pdf_reader_keeps_pypdf_warnings_out_of_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raw = make_pdf([["Geheimer Inhalt des Protokolls."]])
    broken = re.sub(rb"startxref\n\d+", b"startxref\n99", raw)  # pypdf repairs it and warns
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    with caplog.at_level(logging.DEBUG):
        doc = read_document(_write(tmp_path / "kaputt.pdf", broken), tmp_path)
    assert doc.blocks[0].text == "Geheimer Inhalt des Protokolls."
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert pypdf_logger.level == level  # the change is scoped to the call


# --- DOCX -----------------------------------------------------------------------------------


def _docx(identifier: str, category: str = "protocol") -> bytes:
    document = docx.Document()
    properties = document.core_properties
    properties.title = "Protokoll der Projektgruppe"
    properties.identifier = identifier
    properties.category = category
    properties.subject = "Steinhagen; Werther (Westf.)"
    properties.keywords = "Bibliotheken; Kultur"
    properties.created = dt.datetime(2025, 6, 24, 9, 0)
    properties.content_status = "in Umsetzung"
    properties.comments = "https://regiopolregion.example/gremien/kultur"
    document.add_paragraph("Die Projektgruppe hat getagt.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_core_properties_are_front_matter(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path / "p" / "gruppe.docx", _docx("gruppe-2025")), tmp_path)
    assert doc.doc_id == "gruppe-2025"
    assert doc.source == "https://regiopolregion.example/gremien/kultur"
    meta = doc.meta
    assert (meta["kind"], meta["date"], meta["status"]) == (
        "protocol",
        "2025-06-24",
        "in Umsetzung",
    )
    assert meta["municipality"] == ["Steinhagen", "Werther (Westf.)"]
    assert meta["topics"] == ["Bibliotheken", "Kultur"]
    assert meta["title"] == "Protokoll der Projektgruppe"


@pytest.mark.parametrize("identifier", ["", "urn:isbn:978-3-16-148410-0"])
def test_docx_without_document_id_ignores_properties(tmp_path: Path, identifier: str) -> None:
    doc = read_document(_write(tmp_path / "p" / "gruppe.docx", _docx(identifier)), tmp_path)
    assert doc.doc_id == "p--gruppe.docx"
    assert doc.source == "p/gruppe.docx"
    assert "municipality" not in doc.meta


def test_docx_properties_are_validated(tmp_path: Path) -> None:
    path = _write(tmp_path / "gruppe.docx", _docx("gruppe-2025", category="Protokoll"))
    with pytest.raises(InvalidFrontMatter, match="'kind' 'Protokoll' is unknown"):
        read_document(path, tmp_path)


# --- sidecars -------------------------------------------------------------------------------

SIDECAR = "id: werkstatt-2024\nkind: protocol\ndate: 2024-03-13\nmunicipality: [Verl]\n"


def test_sidecar_below_root_sources(tmp_path: Path) -> None:
    path = _write(tmp_path / "protokolle" / "werkstatt.txt", BODY)
    _write(tmp_path / "_sources" / "werkstatt.meta.yaml", SIDECAR)
    doc = read_document(path, tmp_path)
    assert doc.doc_id == "werkstatt-2024"
    assert (doc.meta["kind"], doc.meta["date"], doc.meta["municipality"]) == (
        "protocol",
        "2024-03-13",
        ["Verl"],
    )
    assert [item.path for item in discover([tmp_path])] == [path]  # the sidecar is no document


def test_sidecar_next_to_file_wins_and_overrides_front_matter(tmp_path: Path) -> None:
    path = _write(tmp_path / "p" / "notiz.md", f"---\nid: alt\ntitle: Notiz\n---\n{BODY}")
    _write(tmp_path / "_sources" / "notiz.meta.yaml", "id: from-sources\n")
    beside = _write(tmp_path / "p" / "notiz.meta.yaml", "id: beside\nkind: page\n")
    assert find_sidecar(path, tmp_path) == beside
    doc = read_document(path, tmp_path)
    assert (doc.doc_id, doc.meta["kind"], doc.meta["title"]) == ("beside", "page", "Notiz")


def test_empty_sidecar_changes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path / "notiz.txt", BODY)
    _write(tmp_path / "notiz.meta.yaml", "\n")
    assert read_document(path, tmp_path).doc_id == "notiz.txt"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("id: [unclosed\n", "not valid YAML"),
        ("kind: memo\n", "'kind' 'memo' is unknown"),
        ("- a list\n", "not a mapping"),
        ("x: " + "a" * 70_000 + "\n", "larger than 64 KiB"),
    ],
)
def test_bad_sidecar_names_the_sidecar(tmp_path: Path, content: str, reason: str) -> None:
    path = _write(tmp_path / "notiz.txt", BODY)
    _write(tmp_path / "notiz.meta.yaml", content)
    with pytest.raises(InvalidFrontMatter, match=reason) as info:
        read_document(path, tmp_path)
    assert info.value.path.name == "notiz.meta.yaml"


def test_sidecar_symlink_out_of_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    path = _write(root / "notiz.txt", BODY)
    outside = _write(tmp_path / "secret.yaml", "id: secret\n")
    os.symlink(outside, root / "notiz.meta.yaml")
    with pytest.raises(UnsafePath, match="outside the input folder"):
        read_document(path, root)


# --- demo corpus ----------------------------------------------------------------------------


def test_corpus_ids_are_file_stems_and_kinds_match_manifest() -> None:
    manifest = yaml.safe_load((CORPUS / "_sources" / "manifest.yaml").read_text(encoding="utf-8"))
    expected = {entry["path"]: entry for entry in manifest["documents"]}
    found = list(discover([CORPUS]))
    assert [item.error for item in found if item.error is not None] == []
    assert sorted(item.path.relative_to(CORPUS).as_posix() for item in found) == sorted(expected)
    for item in found:
        doc = read_document(item.path, item.root)
        entry = expected[item.path.relative_to(CORPUS).as_posix()]
        assert doc.doc_id == item.path.stem == entry["id"]
        for key in ("kind", "date", "municipality", "topics", "status"):
            assert doc.meta.get(key) == entry.get(key), (entry["path"], key)
