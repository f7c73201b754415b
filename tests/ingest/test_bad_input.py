"""Malformed input never escapes as anything but an ``IngestError`` with a useful message."""

import os
import pickle
from pathlib import Path

import pytest

from ingest.errors import (
    FileTooLarge,
    IngestError,
    UnreadableFile,
    UnsafePath,
    UnsupportedFormat,
    display_path,
)
from ingest.normalise import normalise
from ingest.readers import Discovered, discover, read_document
from ingest.readers.frontmatter import DOC_ID_PATTERN
from tests.ingest.bad_inputs import CASE_NAMES, BadInput, build_bad_inputs


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BadInput]:
    cases = build_bad_inputs(tmp_path_factory.mktemp("bad"))
    return {case.name: case for case in cases}


def test_builder_makes_every_named_case(bad_inputs: dict[str, BadInput]) -> None:
    assert tuple(bad_inputs) == CASE_NAMES
    assert len(CASE_NAMES) >= 25


@pytest.mark.parametrize("name", CASE_NAMES)
def test_bad_input_outcome(bad_inputs: dict[str, BadInput], name: str) -> None:
    case = bad_inputs[name]
    if case.error is None:
        doc = read_document(case.path, case.root)
        assert case.reason in normalise(doc).text.lower()
        assert DOC_ID_PATTERN.fullmatch(doc.doc_id), doc.doc_id
        assert ".." not in doc.doc_id
        return
    with pytest.raises(IngestError) as info:
        read_document(case.path, case.root)
    error = info.value
    message = str(error)
    assert type(error) is case.error, message
    assert case.reason in message.lower(), message
    assert display_path(case.path.name) in message
    assert " — " in message
    assert "\n" not in message


def test_size_limit_is_checked_before_reading(bad_inputs: dict[str, BadInput]) -> None:
    case = bad_inputs["latin1_txt"]
    size = case.path.stat().st_size
    with pytest.raises(FileTooLarge, match=f"is {size} bytes, the limit is {size - 1} bytes"):
        read_document(case.path, case.root, max_bytes=size - 1)
    assert read_document(case.path, case.root, max_bytes=size).blocks


def test_latin1_and_cp1252_decode_to_the_right_characters(
    bad_inputs: dict[str, BadInput],
) -> None:
    latin1 = normalise(read_document(bad_inputs["latin1_txt"].path, bad_inputs["latin1_txt"].root))
    cp1252 = read_document(bad_inputs["cp1252_txt"].path, bad_inputs["cp1252_txt"].root)
    assert latin1.text == "Größe der Übersicht, Straße."
    assert cp1252.blocks[0].text == "„Chefsache“ – 5 € für Öl."


def test_mostly_utf8_keeps_umlauts_and_marks_the_broken_byte(
    bad_inputs: dict[str, BadInput],
) -> None:
    case = bad_inputs["invalid_utf8_txt"]
    text = normalise(read_document(case.path, case.root)).text
    assert "Grüße aus Paderborn" in text
    assert "\ufffd" in text


def test_message_escapes_control_and_bidi_characters() -> None:
    error = UnreadableFile(Path("a\nb\u202ec.txt"), "is empty")
    assert str(error).startswith("a\\u000ab\\u202ec.txt: is empty — ")


def test_errors_survive_pickling() -> None:
    error = UnsafePath(Path("x.txt"), "points outside", "copy it")
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is UnsafePath
    assert str(clone) == str(error)
    assert clone.path == Path("x.txt")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """An input root with nesting, hidden files, symlink loops and links out of the root."""
    root = tmp_path / "korpus"
    outside = tmp_path / "draussen"
    (root / "b" / "tief").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "ordner.txt").mkdir()
    outside.mkdir()
    for name in ["a.txt", "b/c.md", "b/tief/d.html", "ordner.txt/e.pdf", ".git/x.txt",
                 ".versteckt.txt", "~$sperre.docx", "bild.png", "Z.TXT"]:  # fmt: skip
        (root / name).write_text("Text.\n", encoding="utf-8")
    (outside / "geheim.txt").write_text("Geheim.\n", encoding="utf-8")
    os.symlink(root, root / "b" / "schleife")  # folder loop back to the root
    os.symlink(root / "b", root / "b" / "tief" / "zurueck")  # second loop, one level down
    os.symlink(outside, root / "raus")  # folder outside
    os.symlink(outside / "geheim.txt", root / "geheim.txt")  # file outside
    os.symlink(root / "a.txt", root / "doppelt.txt")  # same file twice
    os.symlink(root / "selbst.md", root / "selbst.md")  # link to itself
    return root


def _relative(found: list[Discovered], root: Path) -> list[str]:
    return [item.path.relative_to(root).as_posix() for item in found]


def test_discover_walks_sorted_and_skips_hidden_and_unsupported(tree: Path) -> None:
    found = list(discover([tree]))
    good = [item for item in found if item.error is None]
    assert _relative(good, tree) == [
        "Z.TXT",
        "a.txt",
        "b/c.md",
        "b/tief/d.html",
        "ordner.txt/e.pdf",
    ]
    assert all(item.root == tree for item in found)


def test_discover_reports_unsafe_and_broken_links(tree: Path) -> None:
    errors = {
        item.path.relative_to(tree).as_posix(): type(item.error)
        for item in discover([tree])
        if item.error is not None
    }
    assert errors == {
        "geheim.txt": UnsafePath,
        "raus": UnsafePath,
        "selbst.md": UnreadableFile,
    }


def test_discovered_files_all_read(tree: Path) -> None:
    for item in discover([tree]):
        if item.error is None and item.path.suffix.lower() in {".txt", ".md", ".html"}:
            assert read_document(item.path, item.root).blocks


def test_discover_named_file_missing_path_and_unsupported(tree: Path) -> None:
    found = list(discover([tree / "a.txt", tree / "fehlt", tree / "bild.png", tree / "a.txt"]))
    assert found[0] == Discovered(tree / "a.txt", tree)
    assert isinstance(found[1].error, UnreadableFile)
    assert "does not exist" in str(found[1].error)
    assert isinstance(found[2].error, UnsupportedFormat)
    assert len(found) == 3  # the second a.txt is the same file
