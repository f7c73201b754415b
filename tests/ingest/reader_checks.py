"""What the reader and normalise tests share: a sample file written and read, offset checks.

``assert_offsets`` is the invariant every reader must keep (block spans and section bounds
point at exactly the normalised text), so each format's tests run it on their own documents.
"""

import itertools
from pathlib import Path

from ingest.normalise import normalise_block_text
from ingest.readers import read_document
from ingest.records import Block, NormalisedDocument, SourceDocument


def write_sample(root: Path, name: str, data: bytes | str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def read_sample(root: Path, name: str, data: bytes | str) -> SourceDocument:
    """Write ``data`` as ``root/name`` and read it as the corpus reader would under ``root``."""
    return read_document(write_sample(root, name, data), root)


def assert_offsets(normalised: NormalisedDocument) -> None:
    """Every block span and section boundary points at exactly the normalised block text."""
    text = normalised.text
    assert len(normalised.block_spans) == len(normalised.source.blocks)
    for block, (start, end) in zip(normalised.source.blocks, normalised.block_spans, strict=True):
        assert text[start:end] == normalise_block_text(block.text)
    starts = {start for start, end in normalised.block_spans if end > start}
    ends = {end for start, end in normalised.block_spans if end > start}
    for section in normalised.sections:
        assert section.start in starts
        assert section.end in ends
    bounds = [(section.start, section.end) for section in normalised.sections]
    assert bounds == sorted(bounds)
    assert all(a_end < b_start for (_, a_end), (b_start, _) in itertools.pairwise(bounds))


def find_block(blocks: tuple[Block, ...], prefix: str) -> Block:
    return next(block for block in blocks if block.text.startswith(prefix))
