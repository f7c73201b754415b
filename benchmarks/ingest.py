"""Ingest throughput: a generated corpus through the real pipeline, time per stage.

Generates ``--docs`` German project descriptions by recombining the paragraphs of the demo
corpus with other municipalities and topics (deterministic, seeded), ingests them into a
scratch data directory and, in the same run, measures the raw encode throughput of the model
on the very same passages. Writes a markdown table.

Run: .venv/bin/python benchmarks/ingest.py --docs 2000 --out benchmarks/results/ingest.md
"""

import argparse
import random
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from graph.backends import open_embedder, open_knowledge_base  # noqa: E402
from graph.settings import GraphSettings  # noqa: E402
from ingest.chunking import chunk_document  # noqa: E402
from ingest.nlp import default_analyzer  # noqa: E402
from ingest.normalise import normalise  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402
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


def raw_encode(embedder: object, texts: list[str]) -> float:
    """Passages per second of the model alone on the same passages."""
    start = time.perf_counter()
    embedder.embed_passages(texts)  # type: ignore[attr-defined]
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--scratch", type=Path, default=REPO / "benchmarks" / "scratch" / "ingest")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    shutil.rmtree(args.scratch, ignore_errors=True)
    corpus = args.scratch / "corpus"
    generate(corpus, args.docs)
    model = str(REPO / "models/multilingual-e5-small")
    settings = GraphSettings(data_dir=args.scratch / "data", embedding_model=model)
    embedder = open_embedder(settings)
    kb = open_knowledge_base(settings, embedder)
    ingestor = Ingestor(kb, embedder, default_analyzer())
    start = time.perf_counter()
    summary = ingestor.ingest_paths([corpus])
    wall = time.perf_counter() - start
    passages = sum(f.passages for f in summary.files)
    texts = [c.text for p in sorted(corpus.glob("*.md"))[:200]
             for c in chunk_document(normalise(read_document(p, corpus)))]  # fmt: skip
    raw = raw_encode(embedder, texts)
    kb.close()
    rows = ["| stage | seconds | passages/s |", "|---|---:|---:|"]
    for stage, seconds in sorted(summary.stage_seconds.items()):
        rows.append(f"| {stage} | {seconds:.1f} | {passages / seconds:,.0f} |")
    pipeline_rate = passages / wall
    lines = [
        f"# Ingest benchmark ({args.docs} documents, {passages} passages)",
        "",
        f"Command: `.venv/bin/python benchmarks/ingest.py --docs {args.docs}`",
        "",
        *rows,
        "",
        f"- whole pipeline: {args.docs / wall:.1f} documents/s, {pipeline_rate:.1f} passages/s",
        f"- raw encode throughput, same passages, same run: {raw:.1f} passages/s",
        f"- pipeline / raw encode: {pipeline_rate / raw:.2f}",
        f"- failed documents: {summary.count('failed')}",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
