"""Suite-wide fixtures: the network guard and the shared embedding model folder."""

import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MODEL_DIR = Path(os.environ.get("WN_TEST_MODEL_DIR", REPO / "models" / "multilingual-e5-small"))
SEEDS = REPO.parent / "shared" / "seeds"

_LOOPBACK = ("127.", "::1", "localhost")
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else str(address)
    if isinstance(host, str) and (host.startswith(_LOOPBACK) or self.family == socket.AF_UNIX):
        return _real_connect(self, address)  # type: ignore[arg-type]
    raise RuntimeError(f"tests are offline: outbound connection to {address!r} blocked")


@pytest.fixture(autouse=True)
def _block_outbound_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that reaches beyond loopback, so the suite stays offline."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The real multilingual-e5-small folder, built once (make test builds it first)."""
    from graph.model_install import install_model

    return install_model(MODEL_DIR).path


@pytest.fixture(scope="session")
def real_embedder(model_dir: Path) -> object:
    """One loaded encoder for the whole session (loading costs seconds)."""
    from graph.embedding import open_embedder

    return open_embedder(str(model_dir), threads=2)
