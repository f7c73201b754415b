"""Benchmark: ``OxigraphStore`` against rdflib's in-memory ``Dataset`` at ~1M triples.

Generates a deterministic (seeded) graph of the Wissensnetz shape: all 10,751 municipalities
with Kreise and Länder, the real thesaurus plus synthetic sub-topics in skos:broader chains,
and per document one named graph with persons, memberships, passages with text and
experiences with topics and evidence. Each backend runs in its own subprocess, so its RSS
is measured cleanly, and both get the same data (same seed) through their usual load path:
``OxigraphStore.replace_document`` with N-Triples per graph (on disk, as in production) and
``Graph.parse(format="nt")`` per graph of an rdflib ``Dataset(default_union=True)``.

This module loads and times; the data and the five queries come from ``graph_store_data.py``,
the results table from ``graph_store_report.py``.

Usage::

    python benchmarks/graph_store.py                 # full run, writes the results table
    python benchmarks/graph_store.py --scale 0.05    # quick smoke run
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from rdflib import URIRef

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.graph_store_data import Dataset, generate, queries  # noqa: E402
from benchmarks.graph_store_report import markdown  # noqa: E402
from graph.ntriples import NTriples  # noqa: E402
from ontology.namespaces import sparql_prologue  # noqa: E402

BACKENDS = ("oxigraph", "oxigraph-memory", "rdflib")


def vm_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def time_runs(run: Callable[[], int], runs: int, budget_s: float) -> tuple[float, int, int]:
    """Median of ``runs`` timed runs after one warm-up; a warm-up over budget is the result."""
    start = time.perf_counter()
    size = run()
    warmup_ms = (time.perf_counter() - start) * 1000
    if warmup_ms > budget_s * 1000:
        return warmup_ms, size, 1
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        size = run()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), size, runs


Runner = tuple[Callable[[str], int], Callable[[], None]]


def load_oxigraph(data: Dataset, folder: Path | None) -> Runner:
    from graph.store import OxigraphStore

    store = OxigraphStore(folder)
    for graph, text in data.graphs:
        store.replace_document(URIRef(graph), NTriples(text))
    store.flush()

    def run(sparql: str) -> int:
        result: Any = store.query(sparql)
        return len(result.rows)

    return run, store.close


def load_rdflib(data: Dataset) -> Runner:
    from rdflib import Dataset as RdflibDataset

    dataset = RdflibDataset(default_union=True)
    for graph, text in data.graphs:
        dataset.graph(URIRef(graph)).parse(data=text, format="nt")

    def run(sparql: str) -> int:
        return len(list(dataset.query(sparql_prologue() + sparql)))

    return run, dataset.close


def worker(backend: str, scale: float, runs: int) -> dict[str, Any]:
    data = generate(scale)
    rss_before = vm_rss_mb()
    with tempfile.TemporaryDirectory(prefix="wn-bench-", ignore_cleanup_errors=True) as tmp:
        start = time.perf_counter()
        if backend == "rdflib":
            run, close = load_rdflib(data)
        else:
            run, close = load_oxigraph(data, Path(tmp) if backend == "oxigraph" else None)
        load_s = time.perf_counter() - start
        disk_mb = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file()) / 2**20
        result: dict[str, Any] = {
            "backend": backend,
            "triples": data.triples,
            "graphs": len(data.graphs),
            "load_s": load_s,
            "rss_mb": vm_rss_mb() - rss_before,
            "disk_mb": disk_mb,
            "queries": {},
            "runs_requested": runs,
        }
        for name, sparql in queries(data.params).items():
            median_ms, rows, timed = time_runs(partial(run, sparql), runs, budget_s=20)
            result["queries"][name] = {"median_ms": median_ms, "rows": rows, "runs": timed}
            print(f"  {backend}: {name}: {median_ms:.1f} ms ({rows} rows)", file=sys.stderr)
        close()
    return result


def run_worker(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    runs = args.rdflib_runs if backend == "rdflib" else args.runs
    command = [sys.executable, __file__, "--worker", backend, "--scale", str(args.scale)]
    command += ["--runs", str(runs)]
    env = os.environ | {"PYTHONPATH": str(REPO)}
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    sys.stderr.write(done.stderr)
    done.check_returncode()
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = 3,250 documents, ~1M triples"
    )
    parser.add_argument("--runs", type=int, default=9, help="timed runs per Oxigraph query")
    parser.add_argument("--rdflib-runs", type=int, default=3, help="timed runs per rdflib query")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/graph_store.md")
    parser.add_argument("--worker", choices=BACKENDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.scale, args.runs)))
        return
    start = time.perf_counter()
    results = {b: run_worker(b, args) for b in BACKENDS}
    table = markdown(results, args, time.perf_counter() - start)
    print(table)
    if args.scale == 1.0:
        args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
