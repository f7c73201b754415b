"""Helpers that run server processes for the scale-out tests.

Every process binds a free loopback port (the suite's socket guard allows nothing else),
logs to a file in the test's temporary folder and is stopped by its own pid at the end.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent
START_TIMEOUT_S = 240.0
QDRANT_KEY = "rehearsal-qdrant-key"


@dataclass(frozen=True)
class Backends:
    """Where the shared graph and vector servers listen."""

    sparql: str  # base URL of oxigraph serve: /query, /update, /store
    qdrant: str  # base URL of the Qdrant shim
    qdrant_key: str


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tool(name: str) -> str:
    """A console script of this virtualenv (oxigraph, wissensnetz)."""
    found = BIN / name
    if found.exists():
        return str(found)
    on_path = shutil.which(name)
    if on_path is None:
        pytest.fail(f"{name} is missing: pip install -e '.[dev]' provides it")
    return on_path


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of a child process: no WN_ settings leak in from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WN_")}
    env |= {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    return env | dict(extra)


def _tail(log: Path, lines: int = 30) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _wait_ready(process: subprocess.Popen[bytes], probe: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{probe}: process exited with {process.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(probe, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    pytest.fail(f"{probe} not ready within {timeout:.0f} s:\n{_tail(log)}")


@dataclass(frozen=True)
class Server:
    """How to start one server process and how to tell it is ready."""

    command: Sequence[str]
    probe: str  # URL that answers 200 once the server is ready
    log: Path
    env: Mapping[str, str] | None = None
    cwd: Path | None = None


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_together(
    servers: Sequence[Server], timeout: float = START_TIMEOUT_S
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start all servers at once, wait until each is ready, stop them (by pid) afterwards.

    Starting together overlaps their start-up (model loading takes tens of seconds).
    """
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for server in servers:
            with server.log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        list(server.command),
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        env=server.env,
                        cwd=server.cwd,
                    )
                )
        for server, process in zip(servers, processes, strict=True):
            _wait_ready(process, server.probe, server.log, timeout)
        yield processes
    finally:
        for process in processes:
            _stop(process)


@contextmanager
def running(
    command: Sequence[str],
    probe: str,
    log: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = START_TIMEOUT_S,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start one server, wait until ``probe`` answers 200, stop it afterwards."""
    with running_together([Server(command, probe, log, env)], timeout) as (process,):
        yield process
