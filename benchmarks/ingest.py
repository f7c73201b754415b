"""Ingest throughput: a generated corpus through the real pipeline, time per stage.

Generates ``--docs`` German project descriptions by recombining the paragraphs of the demo
corpus with other municipalities and topics (deterministic, seeded), ingests them into a
scratch data directory and, in the same run, measures the raw encode throughput of the model
on the exact texts the pipeline embeds for the first ``--raw-docs`` files, once before and
once after the ingest (the mean is the reference). Writes a markdown table.

Run: .venv/bin/python benchmarks/ingest.py --docs 2000 --out benchmarks/results/ingest.md
"""

import argparse
import gc
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from graph.backends import open_embedder, open_knowledge_base  # noqa: E402
from graph.embedding import Embedder  # noqa: E402
from graph.settings import GraphSettings  # noqa: E402
from ingest.chunking import chunk_document  # noqa: E402
from ingest.nlp import default_analyzer  # noqa: E402
from ingest.normalise import normalise  # noqa: E402
from ingest.outcomes import IngestSummary  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402
from ingest.prepared import embedding_text  # noqa: E402
from ingest.readers import read_document  # noqa: E402

TOWNS = ["Bielefeld", "Gütersloh", "Herford", "Bad Salzuflen", "Verl", "Halle (Westf.)",
         "Steinhagen", "Enger", "Oerlinghausen", "Leopoldshöhe", "Spenge", "Werther (Westf.)",
         "Paderborn", "Delbrück", "Salzkotten", "Büren", "Borchen", "Hövelhof"]  # fmt: skip
STATUS = ["Idee", "in Planung", "in Umsetzung", "abgeschlossen"]


def paragraphs() -> list[str]:
    """Body paragraphs of the Markdown projects of the demo corpus."""
    found: list[str] = []
    for path in sorted((REPO / "corpus" / "projekte").glob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        found += [p.strip() for p in body.split("\n\n") if len(p.split()) > 12]
    return found


def generate(target: Path, count: int, seed: int = 7) -> None:
    """Write ``count`` project descriptions with front matter into ``target``."""
    rng = random.Random(seed)
    pool = paragraphs()
    target.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        town = rng.choice(TOWNS)
        body = "\n\n".join(rng.sample(pool, 14))
        text = (
            f"---\nid: bench-{i:05d}\ntitle: Projekt {i} in {town}\nkind: project\n"
            f"date: 202{rng.randint(3, 6)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n"
            f"municipality: [{town}]\nstatus: {rng.choice(STATUS)}\n---\n\n"
            f"# Projekt {i} in {town}\n\nKommune(n): {town}\n\n{body}\n"
        )
        (target / f"projekt-{i:05d}.md").write_text(text, encoding="utf-8")


def raw_encode(embedder: Embedder, texts: list[str]) -> float:
    """Passages per second of the model alone, in its own batching, on the given texts."""
    start = time.perf_counter()
    embedder.embed_passages(texts)
    return len(texts) / (time.perf_counter() - start)


def pipeline_texts(corpus: Path, count: int) -> list[str]:
    """The exact texts the pipeline embeds (title-prefixed passages) of the first files."""
    texts: list[str] = []
    for path in sorted(corpus.glob("*.md"))[:count]:
        doc = normalise(read_document(path, corpus))
        title = str(doc.source.meta.get("title") or doc.source.doc_id)
        texts += [embedding_text(title, chunk) for chunk in chunk_document(doc)]
    return texts


def report(args: argparse.Namespace, summary: IngestSummary, wall: float, raw: list[float]) -> str:
    """The markdown table and figures of one run."""
    passages = sum(f.passages for f in summary.files)
    rows = ["| stage | seconds | passages/s | share of wall time |", "|---|---:|---:|---:|"]
    for stage, seconds in sorted(summary.stage_seconds.items()):
        rows.append(
            f"| {stage} | {seconds:.1f} | {passages / seconds:,.0f} | {seconds / wall:.0%} |"
        )
    raw_mean = statistics.mean(raw)
    pipeline_rate = passages / wall
    return "\n".join([
        f"# Ingest benchmark ({args.docs} documents, {passages} passages)",
        "",
        f"Command: `.venv/bin/python benchmarks/ingest.py --docs {args.docs} "
        f"--raw-docs {args.raw_docs}" + (f" --out {args.out}`" if args.out else "`"),
        "",
        *rows,
        "",
        f"- whole pipeline: {args.docs / wall:.1f} documents/s, {pipeline_rate:.1f} passages/s "
        f"({passages / args.docs:.1f} passages per document, wall {wall:.0f} s)",
        f"- raw encode throughput of the model on {args.raw_docs} documents' passages, same "
        f"texts, same run: {raw[0]:.1f} passages/s before and {raw[1]:.1f} after the ingest "
        f"(mean {raw_mean:.1f})",
        f"- pipeline / raw encode: {pipeline_rate / raw_mean:.2f}",
        f"- failed documents: {summary.count('failed')}",
        f"- load average before / after: {args.load_before} / {_load()}",
    ]) + "\n"  # fmt: skip


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--raw-docs", type=int, default=200)
    parser.add_argument("--scratch", type=Path, default=REPO / "benchmarks" / "scratch" / "ingest")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    args.load_before = _load()
    shutil.rmtree(args.scratch, ignore_errors=True)
    corpus = args.scratch / "corpus"
    generate(corpus, args.docs)
    model = str(REPO / "models/multilingual-e5-small")
    settings = GraphSettings(data_dir=args.scratch / "data", embedding_model=model)
    embedder = open_embedder(settings)
    kb = open_knowledge_base(settings, embedder)
    ingestor = Ingestor(kb, embedder, default_analyzer())
    gc.collect()
    gc.freeze()  # as the ingest CLI does
    texts = pipeline_texts(corpus, args.raw_docs)
    raw = [raw_encode(embedder, texts)]
    start = time.perf_counter()
    summary = ingestor.ingest_paths([corpus])
    kb.index.optimize()
    wall = time.perf_counter() - start
    raw.append(raw_encode(embedder, texts))
    kb.close()
    text = report(args, summary, wall, raw)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
