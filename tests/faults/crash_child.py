"""Child process of the crash harness: the ordinary ``wissensnetz`` CLI plus one kill hook.

The product carries no test hooks. This entry script wraps six write-path functions by
monkeypatching (read, journal begin/end, vector delete/upsert, graph commit) so that each
call leaves a marker line, and the chosen one kills the process with SIGKILL on its n-th
call, optionally after a partial step. Then it runs the real CLI, so everything else
(writer lock, repair on open, the pipeline) is exactly what a user runs.

Run: ``python -m tests.faults.crash_child SPEC_JSON ingest PATH --data-dir DIR --json``
"""

import json
import os
import signal
import subprocess
import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from graph import journal as journal_module
from graph.iris import document_graph_iri
from graph.journal import Journal
from graph.qdrant_edge_index import QdrantEdgeIndex
from graph.store import OxigraphStore
from ingest import pipeline
from ingest.concept_vectors import ConceptEmbeddings


@dataclass
class Spec:
    """Where to die; ``target == "none"`` only records markers (the parent kills)."""

    target: str
    mode: str
    nth: int
    markers: str
    docs: list[str] | None = None
    concepts: str | None = None
    fraction: float = 0.5
    delay_s: float = 0.0
    seen: int = field(default=0, init=False)


class Markers:
    """Append-only progress log the parent reads after the kill (page cache survives it)."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.started = False

    def write(self, *words: object) -> None:
        """One line per event; a single write() so a kill never splits a line."""
        os.write(self._fd, (" ".join(str(w) for w in words) + "\n").encode("utf-8"))


def die() -> None:
    """SIGKILL ourselves: no finally blocks, no atexit, no flush, as when the OOM killer hits."""
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(60)  # never reached; SIGKILL is delivered before the call returns


def arm_killer(delay_s: float) -> None:
    """A separate process kills us after ``delay_s``, while we may be inside native code."""
    script = f"sleep {delay_s:.4f}; kill -KILL {os.getpid()}"
    subprocess.Popen(["/bin/sh", "-c", script], start_new_session=True)


def journal_shim(mode: str, fraction: float) -> tuple[Any, Any]:
    """``json`` and ``os`` stand-ins for ``graph.journal`` during one ``begin()``.

    ``partial`` writes a seeded share of the entry into the temporary file and dies;
    ``before_rename`` dies after the fsync'd temporary file, before ``os.replace``.
    """

    def torn_dump(obj: object, handle: Any) -> None:
        text = json.dumps(obj)
        handle.write(text[: max(1, int(len(text) * fraction))])
        handle.flush()
        die()

    def dying_replace(src: Any, dst: Any) -> None:
        die()

    fake_json = types.SimpleNamespace(**vars(json))
    fake_os = types.SimpleNamespace(**vars(os))
    if mode == "partial":
        fake_json.dump = torn_dump
    else:
        fake_os.replace = dying_replace
    return fake_json, fake_os


def docs_of(target: str, args: tuple[Any, ...], graphs: dict[str, str]) -> list[str]:
    """The documents a wrapped call is about (empty when the call does not say).

    Calls for a group of documents (``begin_many``, ``end_many``, one upsert for several
    documents, ``add_documents``) name each of them.
    """
    if target in ("journal_begin", "journal_end", "vector_delete"):
        if isinstance(args[1], str):
            return [args[1]]
        return [e if isinstance(e, str) else e[0] for e in args[1]]
    if target == "vector_upsert":
        return list(dict.fromkeys(str(p.document_id) for p in args[1]))
    if target == "graph_commit":
        named = [g for g, _ in args[1]] if isinstance(args[1], list) else [args[1]]
        return [graphs.get(str(g), str(g).rsplit("/", 1)[-1]) for g in named]
    return [Path(args[0]).name] if target == "read" else []


def wrap(
    owner: Any, attr: str, target: str, spec: Spec, markers: Markers, graphs: dict[str, str]
) -> None:
    """Replace ``owner.attr`` by a recording wrapper that kills at the chosen call."""
    original: Callable[..., Any] = getattr(owner, attr)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        docs = docs_of(target, args, graphs)
        # Reads are counted over all files: which one holds an edited document is unknown.
        watched = (
            docs if spec.docs is None or target == "read" else [d for d in docs if d in spec.docs]
        )
        doc = (watched or docs or ["-"])[0]
        if markers.started and watched and target == spec.target:
            # A call for a group counts once per watched document, so ``nth`` means the
            # n-th document write whether documents go one by one or together.
            before, spec.seen = spec.seen, spec.seen + len(watched)
            if before < spec.nth <= spec.seen:
                return kill_call(original, args, kwargs, target, doc, spec, markers)
        markers.write("enter", target, doc)
        result = original(*args, **kwargs)
        markers.write("exit", target, doc)
        return result

    setattr(owner, attr, wrapper)


def kill_call(
    original: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    target: str,
    doc: str,
    spec: Spec,
    markers: Markers,
) -> Any:
    """Run the chosen call up to the kill point, then die."""
    markers.write("kill", target, spec.mode, doc)
    if spec.mode == "before":
        die()
    if spec.mode in ("partial", "before_rename") and target == "journal_begin":
        saved = journal_module.json, journal_module.os  # type: ignore[attr-defined]
        journal_module.json, journal_module.os = journal_shim(spec.mode, spec.fraction)  # type: ignore[attr-defined]
        try:
            original(*args, **kwargs)
        finally:
            journal_module.json, journal_module.os = saved  # type: ignore[attr-defined]
    elif spec.mode == "partial" and target == "vector_upsert":
        points = args[1]
        original(args[0], points[: max(1, int(len(points) * spec.fraction))], **kwargs)
    elif spec.mode == "during":
        arm_killer(spec.delay_s)
        original(*args, **kwargs)
        markers.write("returned", target, doc)
        time.sleep(600)  # the killer arrives within milliseconds
    else:
        original(*args, **kwargs)
    markers.write("step-done", target, doc)
    die()


def install(spec: Spec, markers: Markers) -> None:
    """Wrap the write path and mark the start of the ingest loop (after repair on open)."""
    graphs = {str(document_graph_iri(d)): d for d in spec.docs or ()}
    wrap(Journal, "begin", "journal_begin", spec, markers, graphs)
    wrap(Journal, "begin_many", "journal_begin", spec, markers, graphs)
    wrap(Journal, "end", "journal_end", spec, markers, graphs)
    wrap(Journal, "end_many", "journal_end", spec, markers, graphs)
    wrap(QdrantEdgeIndex, "delete_document", "vector_delete", spec, markers, graphs)
    wrap(QdrantEdgeIndex, "upsert", "vector_upsert", spec, markers, graphs)
    wrap(OxigraphStore, "replace_document", "graph_commit", spec, markers, graphs)
    wrap(OxigraphStore, "add_documents", "graph_commit", spec, markers, graphs)
    wrap(pipeline, "read_document", "read", spec, markers, graphs)
    ingest_paths = pipeline.Ingestor.ingest_paths

    def started(self: pipeline.Ingestor, *args: Any, **kwargs: Any) -> Any:
        markers.started = True
        markers.write("start")
        return ingest_paths(self, *args, **kwargs)

    pipeline.Ingestor.ingest_paths = started  # type: ignore[method-assign]


def cached_concepts(path: Path) -> Callable[[Any, Any], ConceptEmbeddings]:
    """``ConceptEmbeddings.from_store`` that embeds the thesaurus once per harness, not per run.

    Embedding the 118 concept definitions costs a child ~4 s of CPU; the vectors are the
    same every time, and the kill points lie elsewhere. Only the short test uses this.
    """
    original = ConceptEmbeddings.from_store

    def from_store(store: Any, embedder: Any) -> ConceptEmbeddings:
        if path.exists():
            with np.load(path, allow_pickle=False) as data:
                return ConceptEmbeddings(
                    tuple(data["iris"]), tuple(data["labels"]), data["vectors"]
                )
        made = original(store, embedder)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, iris=np.array(made.iris), labels=np.array(made.labels), vectors=made.vectors)
        os.replace(tmp, path)
        return made

    return from_store


def main(argv: list[str]) -> None:
    """Install the hooks from ``argv[0]`` (JSON), then run the CLI with the rest."""
    raw = json.loads(argv[0])
    spec = Spec(**{k: v for k, v in raw.items() if k != "seen"})
    install(spec, Markers(spec.markers))
    if spec.concepts is not None:
        ConceptEmbeddings.from_store = staticmethod(cached_concepts(Path(spec.concepts)))  # type: ignore[method-assign,assignment]
    from wissensnetz_cli import app

    sys.argv = ["wissensnetz", *argv[1:]]
    app()


if __name__ == "__main__":
    main(sys.argv[1:])
