"""The graph store benchmark's report: one markdown table, the targets and whether they are met.

Kept apart from ``graph_store.py`` (which generates nothing and only times the backends) so the
table's layout can change without touching the measurement.
"""

import argparse
import os
import platform
import sys
import time
from typing import Any

from benchmarks.graph_store_data import SEED

TARGETS = {
    "entity page (person, OPTIONALs)": "<= 20 ms",
    "COUNT GROUP BY topic": ">= 10x rdflib",
    "text FILTER CONTAINS": ">= 10x rdflib",
}


def _met(name: str, ms: float, ratio: float) -> str:
    target = TARGETS.get(name, "")
    if not target:
        return ""
    ok = ms <= 20 if target.startswith("<=") else ratio >= 10
    return "yes" if ok else "**no**"


def _query_row(name: str, ox: dict[str, Any], mem: dict[str, Any], rl: dict[str, Any]) -> str:
    disk_q, mem_q, rl_q = (r["queries"][name] for r in (ox, mem, rl))
    disk_ratio = rl_q["median_ms"] / disk_q["median_ms"]
    mem_ratio = rl_q["median_ms"] / mem_q["median_ms"]
    counts = {disk_q["rows"], mem_q["rows"], rl_q["rows"]}
    same = "" if len(counts) == 1 else " (row counts differ!)"
    single = " (1 run: over budget)" if rl_q["runs"] < rl["runs_requested"] else ""
    met_disk = _met(name, disk_q["median_ms"], disk_ratio)
    met = f"{met_disk} / {_met(name, mem_q['median_ms'], mem_ratio)}"
    return (
        f"| {name} ({disk_q['rows']} rows){same} | {disk_q['median_ms']:.1f} ms | "
        f"{mem_q['median_ms']:.1f} ms | {rl_q['median_ms']:.1f} ms{single} | "
        f"{disk_ratio:.0f}x / {mem_ratio:.0f}x | {TARGETS.get(name, '')} | "
        f"{met if name in TARGETS else ''} |"
    )


def markdown(results: dict[str, dict[str, Any]], args: argparse.Namespace, wall_s: float) -> str:
    """The results table, with the command that made it and whether each target is met."""
    ox, mem, rl = results["oxigraph"], results["oxigraph-memory"], results["rdflib"]
    lines = [
        "# Graph store benchmark: OxigraphStore vs rdflib in-memory Dataset",
        "",
        f"Command: `{' '.join(['python', 'benchmarks/graph_store.py', *sys.argv[1:]])}`  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M')}; Python {platform.python_version()}; "
        f"{os.cpu_count()} cores shared with other jobs (load average at the end "
        f"{os.getloadavg()[0]:.1f}); total wall time {wall_s / 60:.1f} min.  ",
        f"Data: {ox['triples']:,} triples in {ox['graphs']:,} named graphs, seed {SEED}. "
        f"Medians of {args.runs} (Oxigraph) / {args.rdflib_runs} (rdflib) runs after 1 warm-up.",
        "",
        "| | OxigraphStore disk | OxigraphStore memory | rdflib Dataset | ratio rdflib / "
        "disk, memory | target | met disk / memory |",
        "|---|---:|---:|---:|---:|---|---|",
        f"| load | {ox['load_s']:.1f} s | {mem['load_s']:.1f} s | {rl['load_s']:.1f} s | "
        f"{rl['load_s'] / ox['load_s']:.1f}x / {rl['load_s'] / mem['load_s']:.1f}x | | |",
        f"| RSS growth during load | {ox['rss_mb']:.0f} MB (+{ox['disk_mb']:.0f} MB on disk) | "
        f"{mem['rss_mb']:.0f} MB | {rl['rss_mb']:.0f} MB | | | |",
    ]
    lines += [_query_row(name, ox, mem, rl) for name in ox["queries"]]
    lines += [
        "",
        "Oxigraph timings go through `OxigraphStore.query`, so they include the conversion of",
        "result terms to rdflib. A query whose warm-up took over 20 s is reported from that one",
        "run. All backends get the same query text; the table flags differing row counts.",
        "RSS is the growth of the worker process's VmRSS during the load (each backend runs in",
        "its own subprocess); the disk store keeps its data in RocksDB files. Loading goes",
        "through `replace_document`, one SPARQL Update transaction per named graph.",
        "",
    ]
    return "\n".join(lines)
