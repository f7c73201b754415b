"""Crash safety: SIGKILL the ingest at seeded points, recover with the ordinary CLI, check.

Each trial copies a template data directory, builds a small mixed-format corpus (every
other trial edits documents that are already ingested), runs ``wissensnetz ingest`` in a
child that dies by SIGKILL at the planned call or after a seeded delay, then runs the
ordinary ``wissensnetz ingest`` to completion and checks that graph, vectors and sources
agree, SHACL holds, and the journal is empty. See ``tests/faults/crash_harness.py``.

Run: .venv/bin/python benchmarks/crash.py --trials 20 --seed 7 --out benchmarks/results/crash.md
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.faults.crash_harness import CrashHarness, TrialResult, plan_trials  # noqa: E402
from tests.faults.crash_report import markdown, repair_text  # noqa: E402

HEADER = """# Crash safety: SIGKILL during ingest

Every trial kills `wissensnetz ingest` with SIGKILL, then runs the ordinary
`wissensnetz ingest` once to completion and checks: document ids in the graph = in the
vector index = in the source files (current content hash), every vector's passage is a
`wn:Passage` in the graph and vice versa, no duplicate passages or positions, all document
graphs SHACL-valid, journal empty. *Stores agree after repair*: the same checks, minus the
sources, on a copy of the crashed data directory right after `repair()` ran alone.
*Kill point (plan)*: the seeded hook (n-th call of the patched function, counted over the
edited documents in edit trials). *Landed*: where the child's marker log says it died.
*Docs before kill*: documents the killed run had completely written. *Recovery run*:
new/updated/unchanged documents of the second run.

"""


def main() -> None:
    """Run the trials and write the markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "crash.md")
    parser.add_argument("--model", type=Path, default=REPO / "models/multilingual-e5-small")
    parser.add_argument("--scratch", type=Path, default=None, help="Work folder (default: tmp).")
    parser.add_argument("--keep", action="store_true", help="Keep every trial folder.")
    args = parser.parse_args()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="wn-crash-"))
    harness = CrashHarness(scratch, args.model.resolve(), keep=args.keep)

    def progress(result: TrialResult) -> None:
        problems = result.notes + result.after_repair.problems + result.verdict.problems
        state = "ok" if result.ok else "FAIL " + "; ".join(problems)
        print(
            f"trial {result.plan.number:2d} {result.plan.stage:14s} {result.landed} | "
            f"{repair_text(result.recovery.repair)} | {state} ({result.seconds:.0f} s)",
            flush=True,
        )

    started = time.perf_counter()
    results = harness.run(plan_trials(args.trials, args.seed), progress)
    out = args.out.resolve()
    shown = out.relative_to(REPO) if out.is_relative_to(REPO) else out
    command = (
        f".venv/bin/python benchmarks/crash.py --trials {args.trials} --seed {args.seed} "
        f"--out {shown}"
    )
    report = markdown(results, command, args.seed, time.perf_counter() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(HEADER + report, encoding="utf-8")
    print(report)
    if all(r.ok for r in results) and args.scratch is None and not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0 if all(r.ok for r in results) else 1)


if __name__ == "__main__":
    main()
