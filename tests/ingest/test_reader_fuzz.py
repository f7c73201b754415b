"""Hypothesis: whatever bytes arrive, readers raise only ``IngestError``; offsets always hold."""

import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import IngestError
from ingest.normalise import normalise, normalise_block_text
from ingest.readers import read_document
from ingest.records import Block, SourceDocument
from tests.ingest.bad_inputs import make_docx, make_pdf

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_PDF = make_pdf([["EINLADUNG", "Text auf Seite eins."], ["- Punkt", "Seite zwei."]])
_DOCX = make_docx()
_MARKUP = [*"-+*•→#>|`[]()<>/\"'=:.!\n\n\n\t  ", "---\n", "<div>", "</p>", "äöüß", "ABC"]


@pytest.fixture(scope="module")
def root() -> Iterator[Path]:
    # Module scope: hypothesis reuses one folder across examples (function-scoped tmp_path
    # would be shared between examples anyway and trips a health check).
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _read_or_refuse(root: Path, suffix: str, data: bytes) -> SourceDocument | None:
    path = root / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        doc = read_document(path, root)
    except IngestError as error:
        message = str(error)
    else:
        message = ""
    if message:
        assert message.startswith(f"{path}: ")
        return None
    normalised = normalise(doc)
    for block, (start, end) in zip(doc.blocks, normalised.block_spans, strict=True):
        assert normalised.text[start:end] == normalise_block_text(block.text)
    return doc


def _mutations(base: bytes) -> st.SearchStrategy[bytes]:
    """Flip, delete and insert bytes in a valid file, or cut it short: near-miss inputs."""

    def mutate(seed: int) -> bytes:
        rng = random.Random(seed)
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            position = rng.randrange(len(data))
            action = rng.choice(["flip", "delete", "insert", "cut"])
            if action == "flip":
                data[position] = rng.randrange(256)
            elif action == "delete":
                del data[position : position + rng.randint(1, 64)]
            elif action == "insert":
                data[position:position] = rng.randbytes(rng.randint(1, 32))
            elif len(data) > 16:
                data = data[: rng.randrange(8, len(data))]
            if not data:
                data = bytearray(b"x")
        return bytes(data)

    return st.integers(min_value=0, max_value=2**32).map(mutate)


_TEXTISH = st.one_of(
    st.binary(max_size=2048),
    st.lists(st.sampled_from(_MARKUP) | st.text(max_size=12), max_size=80).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
    ),
)


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
@FUZZ
@given(data=_TEXTISH)
def test_text_formats_raise_only_ingest_errors(root: Path, suffix: str, data: bytes) -> None:
    _read_or_refuse(root, suffix, data)


@FUZZ
@given(data=st.one_of(st.binary(max_size=2048), _mutations(_PDF)))
def test_pdf_raises_only_ingest_errors(root: Path, data: bytes) -> None:
    _read_or_refuse(root, ".pdf", data)


@FUZZ
@given(data=st.one_of(st.binary(max_size=2048), _mutations(_DOCX)))
def test_docx_raises_only_ingest_errors(root: Path, data: bytes) -> None:
    _read_or_refuse(root, ".docx", data)


_BLOCKS = st.lists(
    st.builds(
        Block,
        kind=st.sampled_from(["heading", "paragraph", "list_item", "table_row"]),
        text=st.text(max_size=40),
        level=st.integers(min_value=0, max_value=6),
        page=st.none() | st.integers(min_value=1, max_value=9),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(blocks=_BLOCKS, title=st.none() | st.text(max_size=20))
def test_normalise_offsets_hold_for_any_blocks(blocks: list[Block], title: str | None) -> None:
    doc = SourceDocument(
        path=Path("x.txt"),
        doc_id="x.txt",
        content_hash="0" * 64,
        source="x.txt",
        meta={} if title is None else {"title": title},
        blocks=tuple(blocks),
        media_type="text/plain",
    )
    normalised = normalise(doc)
    text = normalised.text
    assert len(normalised.block_spans) == len(blocks)
    for block, (start, end) in zip(blocks, normalised.block_spans, strict=True):
        assert text[start:end] == normalise_block_text(block.text)
    previous_end = -1
    for section in normalised.sections:
        assert previous_end < section.start < section.end <= len(text)
        previous_end = section.end
        assert all(heading == normalise_block_text(heading) for heading in section.heading_path)
    for start, end in normalised.block_spans:
        if end > start:  # every non-empty block lies in exactly one section
            assert sum(s.start <= start and end <= s.end for s in normalised.sections) == 1
    assert text == text.strip()
