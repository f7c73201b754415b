"""Load test of the HTTP API: concurrent readers while documents are uploaded.

Ingests ``corpus/`` with the CLI into ``benchmarks/scratch/load/base`` (incremental: unchanged
files are skipped on reruns), copies it to a fresh ``run`` folder, starts ``wissensnetz
serve`` on a free loopback port with an upload key (``WN_API_KEY_HASHES``), waits for
``/health`` and then, at the same time,

* runs ``--clients`` query clients for ``--duration`` seconds (or until ``--max-requests``)
  on a seeded mix of ``/api/search``, ``/api/who``, entity pages and ``/sparql`` SELECTs,
  with the German questions of ``tests/eval/queries.yaml``;
* uploads ``--uploads`` generated project descriptions (``benchmarks/ingest.py``'s
  ``generate``) through ``POST /api/documents`` until all are done, however long that takes.

The server's resident memory is sampled every second. Writes a markdown table to ``--out``.
Everything stays on 127.0.0.1; the server is stopped at the end.

Run: .venv/bin/python benchmarks/load.py --out benchmarks/results/load.md
"""

import argparse
import asyncio
import contextlib
import hashlib
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.ingest import generate  # noqa: E402
from benchmarks.load_clients import (  # noqa: E402
    QUERY_ROUTES,
    UPLOAD,
    Recorder,
    RequestBudget,
    RouteStats,
    Workload,
    entity_paths,
    questions,
    route_stats,
    run_queries,
    run_uploads,
    sparql_selects,
    warm_up,
)

CLI = REPO / ".venv" / "bin" / "wissensnetz"
MODEL = REPO / "models" / "multilingual-e5-small"
HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 300.0
STOP_TIMEOUT_S = 30.0
SEED = 20261121


@dataclass
class RssSampler:
    """Resident memory of one process, read from ``/proc/<pid>/status`` every second."""

    pid: int
    samples: list[int] = field(default_factory=list)

    def read_kb(self) -> int | None:
        """VmRSS in kB, or None once the process is gone."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return None

    async def run(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """Sample until ``stop`` is set."""
        while not stop.is_set():
            if (kb := self.read_kb()) is not None:
                self.samples.append(kb)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)


@dataclass(frozen=True)
class Outcome:
    """Everything the report shows."""

    rows: list[RouteStats]
    query_seconds: float
    upload_seconds: float
    rss_mb: tuple[float, float, float]
    documents: tuple[int, int]
    errors: int
    error_bodies: list[str]


def free_port() -> int:
    """A port the kernel just handed out on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def prepare_data(scratch: Path, fresh: bool) -> Path:
    """Ingest the corpus into ``scratch/base`` with the CLI and copy it to a clean run folder.

    The base is reused between runs (the CLI skips unchanged files), so reruns do not pay the
    corpus ingest again while every run still starts from the same 50 documents.
    """
    base, run = scratch / "base", scratch / "run"
    if fresh:
        shutil.rmtree(base, ignore_errors=True)
    env = {**os.environ, "WN_EMBEDDING_MODEL": str(MODEL)}
    command = [str(CLI), "ingest", str(REPO / "corpus"), "--data-dir", str(base)]
    subprocess.run(command, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(base, run, ignore=shutil.ignore_patterns("writer.lock"))
    return run


@contextlib.contextmanager
def server(data_dir: Path, port: int, api_key: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``wissensnetz serve`` as a child process; stopped (SIGINT, then SIGKILL) on exit.

    The key reaches the server only as its sha256 digest, as in production.
    """
    env = {
        **os.environ,
        "WN_DATA_DIR": str(data_dir),
        "WN_EMBEDDING_MODEL": str(MODEL),
        "WN_API_KEY_HASHES": hashlib.sha256(api_key.encode("utf-8")).hexdigest(),
    }
    command = [str(CLI), "serve", "--host", HOST, "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def wait_healthy(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> int:
    """Poll ``/health`` until it answers; returns the number of documents.

    Raises:
        RuntimeError: if the server exits or does not come up in time.
    """
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}; see its log")
        with contextlib.suppress(httpx.HTTPError):
            response = await client.get("/health")
            if response.status_code == 200:
                documents: int = response.json()["graph"]["documents"]
                return documents
        await asyncio.sleep(0.5)
    raise RuntimeError(f"server not healthy after {STARTUP_TIMEOUT_S:.0f} s")


async def workload(client: httpx.AsyncClient) -> Workload:
    """Questions from the evaluation set, entity paths from the running server, SELECTs;
    the server is warmed up with one request per route."""
    search, who = questions(REPO / "tests" / "eval" / "queries.yaml")
    work = Workload(search, who, await entity_paths(client), sparql_selects())
    await warm_up(client, work)
    return work


async def load_phase(
    args: argparse.Namespace, client: httpx.AsyncClient, work: Workload, files: list[Path], key: str
) -> tuple[Recorder, float, float, float]:
    """Readers for the duration and uploads to completion, side by side.

    Returns the recorder, the start time and the wall times of both phases.
    """
    recorder = Recorder()
    budget = RequestBudget(args.max_requests)
    queries = run_queries(client, work, args.clients, args.duration, budget, recorder, args.seed)
    uploads = run_uploads(client, files, key, args.upload_clients, recorder)
    started = time.monotonic()
    query_s, upload_s = await asyncio.gather(queries, uploads)
    return recorder, started, query_s, upload_s


async def measure(
    args: argparse.Namespace,
    base_url: str,
    process: subprocess.Popen[bytes],
    files: list[Path],
    key: str,
) -> Outcome:
    """Wait for the server, build the workload, run the load with RSS sampled throughout."""
    limits = httpx.Limits(max_connections=args.clients + args.upload_clients + 4)
    timeout = httpx.Timeout(args.timeout)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:
        before = await wait_healthy(client, process)
        work = await workload(client)
        sampler, stop = RssSampler(process.pid), asyncio.Event()
        sampling = asyncio.create_task(sampler.run(stop))
        recorder, started, query_s, upload_s = await load_phase(args, client, work, files, key)
        after: int = (await client.get("/health")).json()["graph"]["documents"]
        stop.set()
        await sampling
    rows = [route_stats(recorder, (r,), query_s, label=f"`{r}`") for r in QUERY_ROUTES]
    rows.append(route_stats(recorder, QUERY_ROUTES, query_s, label="all reads"))
    during = f"`{UPLOAD}` finished during the reads"
    rows.append(route_stats(recorder, (UPLOAD,), query_s, started + query_s, during))
    rows.append(route_stats(recorder, (UPLOAD,), upload_s, label=f"`{UPLOAD}` all"))
    samples = sampler.samples or [0]
    rss = (samples[0] / 1024, max(samples) / 1024, samples[-1] / 1024)
    errors = sum(s.failed for route in recorder.samples.values() for s in route)
    return Outcome(rows, query_s, upload_s, rss, (before, after), errors, recorder.bodies)


def code_version() -> str:
    """Commit of the tree under test, flagged when it has uncommitted changes."""
    git = ["git", "-C", str(REPO)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    status = [*git, "status", "--porcelain", "--untracked-files=no"]
    dirty = subprocess.run(status, capture_output=True, text=True).stdout.strip()
    return (head.stdout.strip() or "unknown") + (" + uncommitted changes" if dirty else "")


def report(outcome: Outcome, args: argparse.Namespace, command: str, load_before: float) -> str:
    """The markdown written to ``--out``; the load average shows how busy the machine was."""
    lines = [
        "# Load benchmark",
        "",
        f"Command: `{command}` (code {code_version()})",
        "",
        f"{args.clients} query clients for {args.duration:.0f} s (cap {args.max_requests} "
        f"requests, seed {args.seed}, no think time) while {args.uploads} generated project "
        f"descriptions are uploaded by {args.upload_clients} uploader(s) until done. "
        f"Machine: {os.cpu_count()} CPUs. Latencies in ms; req/s over the phase of the route "
        f"(reads: {outcome.query_seconds:.1f} s, uploads: {outcome.upload_seconds:.1f} s).",
        "",
        "| route | requests | req/s | p50 | p95 | p99 | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in outcome.rows:
        lines.append(
            f"| {row.route} | {row.requests} | {row.throughput:.2f} | {row.p50_ms:.0f} "
            f"| {row.p95_ms:.0f} | {row.p99_ms:.0f} | {row.errors} |"
        )
    start, peak, end = outcome.rss_mb
    before, after = outcome.documents
    lines += [
        "",
        f"- all {args.uploads} uploads took {outcome.upload_seconds:.1f} s, the reads "
        f"{outcome.query_seconds:.1f} s",
        f"- documents before / after: {before} / {after}",
        f"- server RSS (VmRSS, sampled every second): start {start:.0f} MB, "
        f"peak {peak:.0f} MB, end {end:.0f} MB",
        f"- 1-minute load average before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f}",
        f"- errors (non-2xx or no response): {outcome.errors}",
    ]
    lines += [f"  - `{body}`" for body in outcome.error_bodies]
    return "\n".join(lines) + "\n"


def parse_args() -> argparse.Namespace:
    """Command-line flags (defaults: the full run of issue 6)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="read phase (s)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent query clients")
    parser.add_argument("--uploads", type=int, default=200, help="documents to upload")
    parser.add_argument(
        "--upload-clients", type=int, default=1, help="concurrent uploaders (writes queue)"
    )
    parser.add_argument("--max-requests", type=int, default=100_000, help="cap on reads")
    parser.add_argument("--timeout", type=float, default=120.0, help="per request (s)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--scratch", type=Path, default=REPO / "benchmarks" / "scratch" / "load")
    parser.add_argument("--fresh", action="store_true", help="re-ingest the corpus from scratch")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "load.md")
    return parser.parse_args()


def main() -> None:
    """Prepare data, start the server, load it, write the report."""
    args = parse_args()
    command = shlex.join([".venv/bin/python", "benchmarks/load.py", *sys.argv[1:]])
    run_dir = prepare_data(args.scratch, args.fresh)
    uploads = args.scratch / "uploads"
    shutil.rmtree(uploads, ignore_errors=True)
    generate(uploads, args.uploads, seed=args.seed)
    files = sorted(uploads.glob("*.md"))
    key, port = secrets.token_urlsafe(24), free_port()
    load_before = os.getloadavg()[0]
    with server(run_dir, port, key, args.scratch / "server.log") as process:
        outcome = asyncio.run(measure(args, f"http://{HOST}:{port}", process, files, key))
    text = report(outcome, args, command, load_before)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
