"""Reading a crash trial's traces (child markers, recovery log) and writing the report table."""

import ast
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.faults.crash_harness import TrialResult

_REPAIR = re.compile(
    r"repaired the knowledge base: RepairReport\(rolled_back=\((?P<rolled_back>[^)]*)\), "
    r"orphan_vector_documents=\((?P<orphan_vector_documents>[^)]*)\), "
    r"graphs_without_vectors=\((?P<graphs_without_vectors>[^)]*)\)\)"
)
_SHORT = {"rolled_back": "rolled back", "orphan_vector_documents": "orphan vectors",
          "graphs_without_vectors": "graphs w/o vectors"}  # fmt: skip


def repair_from_log(stderr: str) -> dict[str, list[str]]:
    """The RepairReport the product logs at WARNING on open; empty when nothing was repaired."""
    match = _REPAIR.search(stderr)
    if match is None:
        return {}
    found = {key: list(ast.literal_eval(f"({value})")) for key, value in match.groupdict().items()}
    return {key: value for key, value in found.items() if value}


def landing(lines: Sequence[str], exit_code: int | None) -> tuple[str, int]:
    """Where the kill landed and how many documents the run had finished before it."""
    after_start = list(lines[lines.index("start") + 1 :]) if "start" in lines else []
    written = sum(1 for line in after_start if line.startswith("exit journal_end"))
    if exit_code == 0:
        return "not killed: the run finished first", written
    kills = [line.split() for line in after_start if line.startswith("kill ")]
    if kills:
        _, target, mode, doc = kills[0]
        returned = any(line.startswith(f"returned {target}") for line in after_start)
        where = {"during": "after the call returned" if returned else "inside the call"}
        return f"{target} {mode} [{doc}] {where.get(mode, '')}".rstrip(), written
    if not after_start:
        return "before the ingest loop started", written
    verb, target, doc = [*after_start[-1].split(), "", ""][:3]
    return f"{'inside' if verb == 'enter' else 'after'} {target} [{doc}]", written


def repair_text(repair: dict[str, list[str]]) -> str:
    """Compact repair report for a table cell."""
    parts = [f"{_SHORT[k]}: {', '.join(v)}" for k, v in repair.items() if v]
    return "; ".join(parts) or "nothing to repair"


def _problems(result: "TrialResult") -> str:
    return "; ".join(result.notes + result.verdict.problems)[:200]


def markdown(results: Sequence["TrialResult"], command: str, seed: int, seconds: float) -> str:
    """The report: one row per trial, then totals and the command that produced it."""
    rows = [
        "| trial | stage | kill point (plan) | landed | docs before kill | repair report "
        "| stores agree after repair | recovery run (new/upd/unch) | invariants |",
        "|---:|---|---|---|---:|---|---|---|---|",
    ]
    for r in results:
        docs = r.recovery.summary["documents"]
        run = f"{docs['new']}/{docs['updated']}/{docs['unchanged']}"
        verdict = "ok" if r.verdict.ok and not r.notes else "FAIL: " + _problems(r)
        agree = "yes" if r.after_repair.ok else "NO: " + "; ".join(r.after_repair.problems)[:200]
        edits = f" (+{len(r.plan.edits)} edited)" if r.plan.edits else ""
        rows.append(
            f"| {r.plan.number} | {r.plan.stage}{edits} | {r.plan.kill_point} | {r.landed} "
            f"| {r.docs_before_kill} | {repair_text(r.recovery.repair)} | {agree} | {run} "
            f"| {verdict} |"
        )
    lost = set().union(*(r.verdict.lost for r in results)) if results else set()
    half = set().union(*(r.verdict.half_written for r in results)) if results else set()
    killed = sum(1 for r in results if r.exit_code != 0)
    stages = sorted({r.plan.stage for r in results})
    totals = [
        "",
        f"**Totals:** {len(results)} trials (seed {seed}), {killed} killed by SIGKILL, "
        f"{sum(r.ok for r in results)} with every invariant holding; "
        f"lost documents: {len(lost)}, half-written documents: {len(half)}; "
        f"repairs that changed something: {sum(bool(r.recovery.repair) for r in results)}; "
        f"stages: {', '.join(stages)}; {seconds:.0f} s in all.",
        "",
        f"Command: `{command}`",
    ]
    return "\n".join(rows + totals) + "\n"
