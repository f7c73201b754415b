"""SIGKILL the ingest at seeded points and prove that recovery loses and half-writes nothing.

A trial copies a template data directory (``fresh``: reference data only; ``base``: a small
corpus already ingested), builds a small mixed-format corpus (edit trials change files the
template already holds, so *updated* documents die mid-replace), starts the ordinary CLI in
a child that SIGKILLs itself at the planned call (``crash_child.py``) or is killed by us
after a seeded delay, runs one ordinary ingest to completion, and checks the invariants
(``crash_invariants.py``). Templates are built once per harness: reference data takes
seconds to load and would otherwise dominate every trial.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import patch

from ingest.readers import read_document
from tests.faults.crash_invariants import (
    Verdict,
    capturing_repair,
    check,
    check_repair,
    report_dict,
)
from tests.faults.crash_report import landing, repair_from_log

REPO = Path(__file__).resolve().parents[2]

# Stage -> (patched call, how far it gets). See crash_child.kill_call for the modes.
KILL_POINTS: dict[str, tuple[tuple[str, str], ...]] = {
    "reading": (("read", "before"), ("read", "after")),
    "journal write": (
        ("journal_begin", "partial"),
        ("journal_begin", "before_rename"),
        ("journal_begin", "after"),
        ("journal_end", "before"),
    ),
    "vector upsert": (
        ("vector_delete", "after"),
        ("vector_upsert", "partial"),
        ("vector_upsert", "during"),
        ("vector_upsert", "after"),
    ),
    "graph commit": (
        ("graph_commit", "before"),
        ("graph_commit", "during"),
        ("graph_commit", "after"),
    ),
    "random delay": (("parent", "timer"),),
}
ADDENDUM = (
    "Nachtrag {n}: Die Arbeitsgruppe Klimaanpassung trifft sich im Herbst in Verl erneut, "
    "um die Starkregengefahrenkarte mit dem Kreis Gütersloh fortzuschreiben."
)


@dataclass(frozen=True)
class CorpusPool:
    """Files of ``corpus/`` to draw from; ``base`` is what the ``base`` template holds."""

    base: tuple[str, ...]
    extra: tuple[str, ...]
    per_trial: tuple[int, int] = (6, 10)

    @property
    def editable(self) -> tuple[str, ...]:
        """Base files whose text an edit trial may change (not PDF or DOCX)."""
        return tuple(p for p in self.base if p.endswith((".md", ".txt", ".html")))


DEFAULT_POOL = CorpusPool(
    base=("projekte/starkregen-verl.md", "protokolle/werkstatt-2024-guetersloh.txt",
          "akademie/akademie-2026-02-open-data.html", "projekte/mvz-bueren.docx",
          "seiten/regiopolpaten.md", "projekte/dorfauto-leopoldshoehe.md"),
    extra=("protokolle/steuerungskreis-2025-05.pdf", "projekte/open-data-guetersloh.md",
           "akademie/akademie-2024-04-starkregen.md", "seiten/regiopol-akademie.html",
           "projekte/museen-enger.md", "protokolle/projektgruppe-buechereien-2025-06.docx"),
)  # fmt: skip


@dataclass(frozen=True)
class TrialPlan:
    """One seeded trial: where to kill and on which corpus."""

    number: int
    stage: str
    target: str
    mode: str
    nth: int
    fraction: float
    delay_s: float
    files: tuple[str, ...]
    edits: tuple[tuple[str, str], ...] = ()

    @property
    def kill_point(self) -> str:
        """Human-readable kill point of the plan."""
        if self.target == "parent":
            return f"parent SIGKILL at {self.fraction / 2:.0%} of the expected run"
        extra = {
            "partial": f" ({self.fraction:.0%})",
            "during": f" (+{self.delay_s * 1000:.0f} ms)",
        }
        scope = "updated doc" if self.edits and self.target != "read" else "call"
        return f"{self.target} {self.mode}{extra.get(self.mode, '')}, {scope} #{self.nth}"


@dataclass
class Recovery:
    """What the ordinary ingest run after the crash reported."""

    summary: dict[str, Any]
    repair: dict[str, list[str]]


@dataclass
class TrialResult:
    """Outcome of one trial, one row of the report."""

    plan: TrialPlan
    landed: str
    docs_before_kill: int
    exit_code: int | None
    recovery: Recovery
    verdict: Verdict
    after_repair: Verdict
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Killed (or finished) cleanly, repaired, recovered, and every invariant holds."""
        return self.verdict.ok and self.after_repair.ok and not self.notes


Recover = Callable[[Path, Path], Recovery]


def plan_trials(count: int, seed: int, pool: CorpusPool = DEFAULT_POOL) -> list[TrialPlan]:
    """Round-robin over the stages, cycling each stage's kill points in a seeded order.

    Five trials give one per stage; twenty cover every kill point. Odd trials are edit
    trials, so each stage sees new and updated documents die over the rounds.
    """
    rng = random.Random(seed)
    stages = list(KILL_POINTS)
    order = {s: rng.sample(KILL_POINTS[s], len(KILL_POINTS[s])) for s in stages}
    plans = []
    for i in range(count):
        stage = stages[i % len(stages)]
        target, mode = order[stage][(i // len(stages)) % len(order[stage])]
        plans.append(_plan(i + 1, stage, target, mode, i % 2 == 1, rng, pool))
    return plans


def _plan(
    number: int, stage: str, target: str, mode: str, edit: bool, rng: random.Random,
    pool: CorpusPool,
) -> TrialPlan:  # fmt: skip
    if edit:
        edited = sorted(rng.sample(pool.editable, rng.randint(1, min(2, len(pool.editable)))))
        files = pool.base + tuple(rng.sample(pool.extra, rng.randint(0, 2)))
        edits = tuple((p, rng.choice(("append", "shorten"))) for p in edited)
        writes = len(edits)
    else:
        low, high = pool.per_trial
        files = tuple(rng.sample(pool.base + pool.extra, rng.randint(low, high)))
        edits, writes = (), len(files)
    calls = len(files) if target == "read" else writes
    return TrialPlan(
        number, stage, target, mode, nth=rng.randint(1, calls),
        fraction=round(rng.uniform(0.1, 0.9), 3), delay_s=round(rng.uniform(0.0, 0.03), 4),
        files=files, edits=edits,
    )  # fmt: skip


def copy_corpus(files: tuple[str, ...], target: Path) -> Path:
    """Copy files keeping their paths below ``corpus/`` (document ids derive from them)."""
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "corpus" / name, target / name)
    target.mkdir(parents=True, exist_ok=True)
    return target


def apply_edit(path: Path, kind: str, number: int) -> None:
    """Change an ingested file: drop its last paragraphs, or add one (HTML: inside body)."""
    raw = path.read_bytes()
    codec = "utf-8"
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        codec, text = "cp1252", raw.decode("cp1252")
    paragraphs = text.rstrip().split("\n\n")
    sentence = ADDENDUM.format(n=number)
    if kind == "shorten" and len(paragraphs) > 4 and path.suffix != ".html":
        text = "\n\n".join(paragraphs[:-2]) + "\n"
    elif path.suffix == ".html" and "</body>" in text:
        text = text.replace("</body>", f"<p>{sentence}</p>\n</body>", 1)
    else:
        text = text.rstrip() + f"\n\n{sentence}\n"
    path.write_bytes(text.encode(codec))


def cli_recover(env: dict[str, str]) -> Recover:
    """Recovery by the ordinary ``wissensnetz ingest`` command in its own process."""
    script = Path(sys.executable).with_name("wissensnetz")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "wissensnetz_cli"]

    def recover(data_dir: Path, corpus: Path) -> Recovery:
        args = ["ingest", str(corpus), "--data-dir", str(data_dir), "--json"]
        done = subprocess.run(
            command + args, cwd=REPO, env=env, capture_output=True, text=True, timeout=3600
        )
        if not done.stdout.strip():
            raise RuntimeError(f"recovery ingest failed ({done.returncode}): {done.stderr}")
        return Recovery(json.loads(done.stdout), repair_from_log(done.stderr))

    return recover


def inprocess_recover(embedder: Any, model_dir: Path, concepts: Path | None = None) -> Recover:
    """Recovery by the CLI's own ``run_ingest`` in this process, with an already loaded model.

    Same code path as ``wissensnetz ingest`` minus process start and model load, which
    keeps the short test within its time budget; the benchmark uses ``cli_recover``. With
    ``concepts`` the thesaurus vectors are embedded once and reused (see ``cached_concepts``).
    """
    from graph import backends
    from ingest.cli import run_ingest
    from ingest.concept_vectors import ConceptEmbeddings
    from ingest.settings import IngestSettings
    from tests.faults.crash_child import cached_concepts

    def recover(data_dir: Path, corpus: Path) -> Recovery:
        settings = IngestSettings(data_dir=data_dir, embedding_model=str(model_dir))
        from_store = ConceptEmbeddings.from_store
        if concepts is not None:
            from_store = staticmethod(cached_concepts(concepts))  # type: ignore[assignment]
        with (
            capturing_repair() as reports,
            patch.object(backends, "open_embedder", lambda *_a, **_k: embedder),
            patch.object(ConceptEmbeddings, "from_store", from_store),
        ):
            summary = run_ingest(settings, [corpus], prune=False, quiet=True)
        return Recovery(summary.to_json(), report_dict(reports[0]))

    return recover


class CrashHarness:
    """Runs planned trials under ``work_dir`` with one recovery strategy."""

    def __init__(
        self, work_dir: Path, model_dir: Path, recover: Recover | None = None, *,
        pool: CorpusPool = DEFAULT_POOL, keep: bool = False, concepts: Path | None = None,
    ) -> None:  # fmt: skip
        self.work = Path(work_dir)
        self.model_dir = model_dir
        self.pool = pool
        self.keep = keep
        self.env = os.environ | {
            "WN_EMBEDDING_MODEL": str(model_dir), "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO),
        }  # fmt: skip
        self.recover = recover or cli_recover(self.env)
        self.concepts = concepts
        self.seconds_per_doc = 0.0  # measured by prepare()

    def prepare(self) -> None:
        """Build the ``fresh`` and ``base`` templates once; time the base run per document."""
        fresh, base = self.work / "template-fresh", self.work / "template-base"
        timing = self.work / "seconds-per-doc.txt"
        if not fresh.exists():
            self.recover(fresh, copy_corpus((), self.work / "empty-corpus"))
        if not base.exists():
            shutil.copytree(fresh, base)
            recovery = self.recover(base, copy_corpus(self.pool.base, self.work / "base-corpus"))
            if recovery.summary["documents"]["new"] != len(self.pool.base):
                raise RuntimeError(f"base template incomplete: {recovery.summary}")
            # Time inside the ingest loop only: process start and model load come before it.
            loop = sum(recovery.summary["stage_seconds"].values())
            timing.write_text(str(loop / len(self.pool.base)), encoding="utf-8")
        self.seconds_per_doc = float(timing.read_text(encoding="utf-8"))

    def run(
        self, plans: list[TrialPlan], progress: Callable[[TrialResult], None] | None = None
    ) -> list[TrialResult]:
        """Prepare, then run every plan in order."""
        self.prepare()
        results = []
        for plan in plans:
            results.append(self.run_trial(plan))
            if progress is not None:
                progress(results[-1])
        return results

    def run_trial(self, plan: TrialPlan) -> TrialResult:
        """Kill, recover, check; the trial folder is kept only when something failed."""
        started = time.perf_counter()
        folder = self.work / f"trial-{plan.number:02d}"
        shutil.rmtree(folder, ignore_errors=True)
        corpus = copy_corpus(plan.files, folder / "corpus")
        for name, kind in plan.edits:
            apply_edit(corpus / name, kind, plan.number)
        data = folder / "data"
        shutil.copytree(self.work / ("template-base" if plan.edits else "template-fresh"), data)
        docs = [read_document(corpus / n, corpus).doc_id for n, _ in plan.edits] or None
        exit_code, lines = self._crash(plan, corpus, data, folder, docs)
        landed, written = landing(lines, exit_code)
        notes = [] if exit_code in (-signal.SIGKILL, 0) else [f"child exit code {exit_code}"]
        repair, after_repair = check_repair(data, self.model_dir, folder / "repaired-copy")
        recovery, verdict = self._recover_and_check(data, corpus, notes)
        if repair != recovery.repair:
            notes.append(f"repair of the copy {repair} != of the recovery run {recovery.repair}")
        result = TrialResult(plan, landed, written, exit_code, recovery, verdict, after_repair,
                             time.perf_counter() - started, notes)  # fmt: skip
        if result.ok and not self.keep:
            shutil.rmtree(folder, ignore_errors=True)
        return result

    def _recover_and_check(
        self, data: Path, corpus: Path, notes: list[str]
    ) -> tuple[Recovery, Verdict]:
        """A recovery that cannot even run is the worst finding: record it, go on."""
        try:
            recovery = self.recover(data, corpus)
        except Exception as exc:  # reported in the table, not raised: the other trials count
            notes.append(f"recovery ingest failed: {str(exc)[-300:]}")
            recovery = Recovery({"documents": dict.fromkeys(("new", "updated", "unchanged"), 0),
                                 "errors": []}, {})  # fmt: skip
        if recovery.summary["documents"].get("failed"):
            notes.append(f"recovery run failed files: {recovery.summary['errors']}")
        self._retime(recovery.summary)
        try:
            verdict = check(data, corpus)
        except Exception as exc:
            verdict = Verdict()
            verdict.fail(f"invariants could not be checked: {exc}")
        return recovery, verdict

    def _retime(self, summary: dict[str, Any]) -> None:
        """Follow the machine's load: timer kills aim at a share of the *current* run time."""
        written = summary["documents"]["new"] + summary["documents"]["updated"]
        if written:
            latest = sum(summary.get("stage_seconds", {}).values()) / written
            self.seconds_per_doc = (self.seconds_per_doc + latest) / 2

    def _crash(
        self, plan: TrialPlan, corpus: Path, data: Path, folder: Path, docs: list[str] | None
    ) -> tuple[int | None, list[str]]:
        """Run the child until it dies; returns its exit code and its marker lines."""
        markers = folder / "markers.log"
        spec = {"target": plan.target, "mode": plan.mode, "nth": plan.nth, "docs": docs,
                "fraction": plan.fraction, "delay_s": plan.delay_s, "markers": str(markers),
                "concepts": str(self.concepts) if self.concepts else None}  # fmt: skip
        command = [sys.executable, "-m", "tests.faults.crash_child", json.dumps(spec),
                   "ingest", str(corpus), "--data-dir", str(data), "--json"]  # fmt: skip
        with (folder / "child.out").open("wb") as out, (folder / "child.err").open("wb") as err:
            child = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=out, stderr=err)
            if plan.target == "parent":
                self._kill_later(child, markers, plan)
            try:
                exit_code: int | None = child.wait(timeout=3600)
            except subprocess.TimeoutExpired:
                child.kill()
                exit_code = None
        text = markers.read_text(encoding="utf-8") if markers.exists() else ""
        return exit_code, text.splitlines()

    def _kill_later(self, child: subprocess.Popen[bytes], markers: Path, plan: TrialPlan) -> None:
        """Wait until the ingest loop starts, then SIGKILL after a seeded share of its run.

        The expected run time follows the recent ingest runs (``_retime``); the load of a
        shared machine still swings by 2x, so only its first half is aimed at.
        """
        while child.poll() is None and "start" not in _read(markers).splitlines():
            time.sleep(0.02)
        writes = len(plan.edits) or len(plan.files)
        time.sleep(plan.fraction * 0.5 * self.seconds_per_doc * writes)
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""
