"""Passage-table update after one upload or delete: full reload (before) vs. partial update.

Builds a scratch knowledge base with the real ingest pipeline (real NLP and triples; the
hashing embedder for vectors, as the table never reads them): the demo corpus plus
generated project descriptions (``benchmarks/ingest.py``'s ``generate``) up to each
``--sizes`` passage count. At each size, in alternating rounds on the same store and
searcher, one generated document is uploaded through the pipeline and the table brought up
to date, then the document is deleted and the table updated again:

- before: ``Searcher.refresh()``, the full reload every upload and delete used to cost;
- now: ``Searcher.refresh([doc_id])``, the partial update ``search_api.uploads`` calls.

Each update is followed by one keyword search, timed separately: both ways leave the
bm25s matrix stale and the first search rebuilds it. Writes a markdown table.

Run: .venv/bin/python benchmarks/table_update.py --sizes 1000 5000 --rounds 5 \
    --out benchmarks/results/table_update.md
"""

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from graph.backends import open_knowledge_base  # noqa: E402
from graph.hashing_embedder import HashingEmbedder  # noqa: E402
from graph.knowledge_base import KnowledgeBase  # noqa: E402
from graph.search import Searcher  # noqa: E402
from graph.settings import GraphSettings  # noqa: E402
from graph.table_sync import StoreVersions, linking_graphs  # noqa: E402
from ingest.nlp import default_analyzer  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402

PASSAGES_PER_DOC = 3  # what benchmarks/ingest.py's generated documents come to
NOTES = [
    "Notes:",
    "",
    "- Before is this code's full reload: the old one plus the two store queries above.",
    "- The generated documents recombine the demo corpus's paragraphs, so the vocabulary",
    "  hardly grows with the corpus. The keyword part of a partial update grows with the",
    "  cached words that contain the changed document's words: more on a real corpus.",
    "- The next keyword search still rebuilds the bm25s matrix over all passages, with or",
    "  without this change; it is now the largest cost a write leaves behind.",
    "",
]
STEPS = {
    "upload": "table update after an upload",
    "upload_search": "next keyword search (bm25s rebuild)",
    "delete": "table update after a delete",
    "delete_search": "next keyword search (bm25s rebuild)",
}


def _generator() -> Callable[[Path, int, int], None]:
    spec = importlib.util.spec_from_file_location("bench_ingest", REPO / "benchmarks/ingest.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generate: Callable[[Path, int, int], None] = module.generate
    return generate


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def upload_files(folder: Path, count: int) -> list[Path]:
    """Generated documents with ids of their own (``upload-…``), one per round."""
    _generator()(folder, count, 99)
    files = sorted(folder.glob("*.md"))
    for path in files:
        path.write_text(path.read_text("utf-8").replace("id: bench-", "id: upload-"), "utf-8")
    return files


def grow(ingestor: Ingestor, files: list[Path], searcher: Searcher, target: int) -> None:
    """Ingest generated files until the store holds about ``target`` passages."""
    missing = target - len(searcher.passages)
    take = max(0, missing // PASSAGES_PER_DOC)
    batch, files[:] = files[:take], files[take:]
    if batch:
        ingestor.ingest_paths(batch)
    searcher.refresh()


def one_round(
    kb: KnowledgeBase, ingestor: Ingestor, searcher: Searcher, path: Path, partial: bool
) -> dict[str, float]:
    """Upload ``path``, update, search; delete it, update, search. Seconds per step."""
    outcome = ingestor.ingest_file(path, path.parent)
    doc_id = outcome.doc_id
    assert doc_id, outcome

    def update() -> None:
        searcher.refresh([doc_id] if partial else None)

    def search() -> None:
        searcher.search("Starkregen Bürgerbeteiligung", mode="keyword")

    figures = {"upload": timed(update), "upload_search": timed(search)}
    assert doc_id in searcher.documents
    kb.delete_document(doc_id)
    figures |= {"delete": timed(update), "delete_search": timed(search)}
    assert doc_id not in searcher.documents
    return figures


def measure(
    kb: KnowledgeBase, ingestor: Ingestor, searcher: Searcher, files: list[Path], rounds: int
) -> dict[str, dict[str, float]]:
    """Median seconds per step, old and new alternating round by round."""
    runs: dict[str, list[dict[str, float]]] = {"full": [], "partial": []}
    for i in range(rounds):
        for way in ("full", "partial") if i % 2 == 0 else ("partial", "full"):
            runs[way].append(one_round(kb, ingestor, searcher, files[i], way == "partial"))
    return {
        way: {step: statistics.median(r[step] for r in found) for step in found[0]}
        for way, found in runs.items()
    }


def report(args: argparse.Namespace, results: list[tuple[int, int, dict[str, Any]]]) -> str:
    lines = [
        "# Passage-table update after one upload or delete",
        "",
        f"Command: `{args.command}`",
        "",
        "Median of "
        f"{args.rounds} rounds per way, full and partial alternating on the same store and "
        "searcher (Oxigraph embedded, real ingest pipeline, hashing embedder). The next "
        "keyword search after each update is timed apart: both ways leave the bm25s matrix "
        "stale, and that search rebuilds it over all passages.",
        "",
        "| passages | documents | step | full reload (before) s | partial update (now) s "
        "| before / now |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for passages, documents, figures in results:
        full, part = figures["full"], figures["partial"]
        for step, label in STEPS.items():
            ratio = full[step] / part[step] if part[step] else float("inf")
            lines.append(
                f"| {passages:,} | {documents:,} | {label} "
                f"| {full[step]:.3f} | {part[step]:.3f} | {ratio:.1f} |"
            )
    lines += ["", "Store queries the full reload now adds (all versions, linking graphs):", ""]
    for passages, _, figures in results:
        extra = figures["extra"]
        lines.append(
            f"- {passages:,} passages: versions {extra['versions']:.3f} s, "
            f"linking graphs {extra['linking']:.3f} s"
        )
    lines += ["", f"Load average before / after: {args.load_before} / {_load()}", "", *NOTES]
    return "\n".join(lines)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--scratch", type=Path, default=REPO / "benchmarks" / "scratch" / "table_update"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    args.command = "python " + " ".join(sys.argv)
    args.load_before = _load()
    shutil.rmtree(args.scratch, ignore_errors=True)
    generated = args.scratch / "generated"
    _generator()(generated, max(args.sizes) // PASSAGES_PER_DOC + 50, 7)
    uploads = upload_files(args.scratch / "uploads", args.rounds * 2 * len(args.sizes))
    embedder = HashingEmbedder()
    kb = open_knowledge_base(GraphSettings(data_dir=args.scratch / "data"), embedder)
    ingestor = Ingestor(kb, embedder, default_analyzer())
    ingestor.ingest_paths([REPO / "corpus"])
    searcher = Searcher(kb.store, kb.index, embedder)
    files = sorted(generated.glob("*.md"))
    results = []
    for size in args.sizes:
        grow(ingestor, files, searcher, size)
        figures: dict[str, Any] = measure(kb, ingestor, searcher, uploads, args.rounds)
        uploads = uploads[args.rounds * 2 :]
        figures["extra"] = {
            "versions": timed(lambda: StoreVersions.read(kb.store)),
            "linking": timed(lambda: linking_graphs(kb.store)),
        }
        results.append((len(searcher.passages), len(searcher.documents), figures))
        print(f"{size}: {figures}", file=sys.stderr)
    text = report(args, results)
    kb.close()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
