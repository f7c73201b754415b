"""Latency of hybrid search and "who did X" at 10k and 100k passages, two vector backends.

The knowledge base is scaled up from an ingested corpus: every document graph is copied
with fresh document, passage and experience IRIs (people, organisations and municipalities
stay shared, as in a real region), passage vectors are the real multilingual-e5-small
vectors of the source passages plus Gaussian noise (cosine to the source about 0.9), so
HNSW and the filters see realistic neighbourhoods. The same store and keyword index are
searched once through ``QdrantEdgeIndex`` and once through qdrant-client's local mode
(``QdrantServerIndex(path=...)``). Query embedding is included in every timing (the query
cache is off); 200 distinct search and 200 distinct who questions per configuration.

Usage (after ``wissensnetz ingest corpus --data-dir data``)::

    .venv/bin/python benchmarks/search.py --source data --sizes 10000 100000 \
        --output benchmarks/results/search.md
"""

import argparse
import gc
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from graph.backends import identity_of  # noqa: E402
from graph.embedding import SentenceTransformerEmbedder  # noqa: E402
from graph.evaluation import load_eval_set  # noqa: E402
from graph.experts import ExperienceFinder  # noqa: E402
from graph.iris import document_graph_iri  # noqa: E402
from graph.ntriples import NTriples  # noqa: E402
from graph.qdrant_edge_index import QdrantEdgeIndex  # noqa: E402
from graph.qdrant_server_index import QdrantServerIndex  # noqa: E402
from graph.reference import load_reference_data  # noqa: E402
from graph.search import Searcher  # noqa: E402
from graph.store import OxigraphStore  # noqa: E402
from graph.vectors import PassagePoint, VectorIndex  # noqa: E402
from ontology.namespaces import ID_IRI  # noqa: E402

COPIED_KINDS = ("document", "graph", "passage", "experience", "project", "event", "agenda")
COPIED_KINDS += ("task", "offer", "need", "problem", "goal")
_QUAD = re.compile(r"^(\S+) (\S+) (.+) <([^>]*)> \.$")
_IDENTIFIER = "<http://purl.org/dc/terms/identifier>"
NOISE = 0.025  # per dimension; gives a cosine of about 0.9 to the source vector


def rss_mb() -> tuple[float, float]:
    """Current and peak resident set size of this process (MB)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def document_graphs(store: OxigraphStore) -> dict[str, list[str]]:
    """N-Triples lines per document graph of the source store."""
    graphs: dict[str, list[str]] = defaultdict(list)
    skip = {f"{ID_IRI}graph/{name}" for name in ("reference", "thesaurus", "ontology")}
    for line in store.dump("nquads").decode("utf-8").splitlines():
        match = _QUAD.match(line)
        if match and match.group(4).startswith(f"{ID_IRI}graph/") and match.group(4) not in skip:
            graphs[match.group(4)].append(f"{match.group(1)} {match.group(2)} {match.group(3)} .\n")
    return graphs


def copy_lines(lines: list[str], copy: int) -> str:
    """The lines with every document-local IRI and the identifier made unique to ``copy``."""
    pattern = re.compile(rf"<({re.escape(ID_IRI)}(?:{'|'.join(COPIED_KINDS)})/[^>]*)>")
    out = []
    for line in lines:
        line = pattern.sub(lambda m: f"<{m.group(1)}-c{copy}>", line)
        if f" {_IDENTIFIER} " in line:
            line = re.sub(r'"([^"]*)"', lambda m: f'"{m.group(1)}-c{copy}"', line, count=1)
        out.append(line)
    return "".join(out)


def build(
    target: Path,
    size: int,
    source: Searcher,
    graphs: dict[str, list[str]],
    vectors: dict[str, np.ndarray],
) -> tuple[OxigraphStore, list[PassagePoint], float]:
    """A store with ``size`` passages copied from the source, and their vector points."""
    started = time.perf_counter()
    store = OxigraphStore(target / "graph")
    load_reference_data(store)
    by_document = defaultdict(list)
    for passage in source.passages.values():
        by_document[passage.document_id].append(passage)
    documents = sorted(by_document)
    rng = np.random.default_rng(42)
    points: list[PassagePoint] = []
    copy = 0
    while len(points) < size:
        for doc_id in documents:
            lines = graphs.get(str(document_graph_iri(doc_id)), [])
            copy_id = f"{doc_id}-c{copy}"
            store.replace_document(document_graph_iri(copy_id), NTriples(copy_lines(lines, copy)))
            document = source.documents.get(doc_id)
            for passage in by_document[doc_id]:
                vector = vectors[passage.iri] + rng.normal(0, NOISE, vectors[passage.iri].shape)
                vector = (vector / np.linalg.norm(vector)).astype(np.float32)
                points.append(payload(source, passage, copy, copy_id, document, vector))
            if len(points) >= size:
                break
        copy += 1
    return store, points, time.perf_counter() - started


def payload(source, passage, copy, copy_id, document, vector) -> PassagePoint:  # type: ignore[no-untyped-def]
    thesaurus = source.vocabulary.thesaurus
    topics = set().union(*(thesaurus.broader_closure(t) for t in passage.topics))
    return PassagePoint(
        f"{passage.iri}-c{copy}",
        copy_id,
        vector,
        tuple(sorted(passage.places)),
        tuple(sorted({a[:5] for a in passage.places})),
        tuple(sorted(topics)),
        document.kind if document else "",
        document.year if document else None,
        document.date if document else None,
        passage.text,
    )


def queries(source: Searcher, count: int) -> tuple[list[str], list[str]]:
    """Distinct search and who questions: the dev set, then passage openings and topics."""
    dev = load_eval_set(REPO / "tests" / "eval" / "queries.yaml").queries
    search = [q.text for q in dev]
    for passage in source.passages.values():
        first = passage.text.split(". ")[0][:120]
        if len(first) > 30:
            search.append(first)
    who = [q.text for q in dev if q.type == "who"]
    labels = [c.label for c in source.vocabulary.thesaurus.concepts.values()]
    who += [f"Wer hat schon Erfahrung mit {label}?" for label in labels]
    who += [f"Welche Kommunen im Kreis Gütersloh haben {label}?" for label in labels]
    return list(dict.fromkeys(search))[:count], list(dict.fromkeys(who))[:count]


def timed(calls: Sequence[Callable[[], object]]) -> tuple[float, float]:
    for call in calls[:5]:
        call()  # warm-up: caches, lazy segment loads
    samples = []
    for call in calls:
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def measure(
    name: str,
    store: OxigraphStore,
    index: VectorIndex,
    embedder: SentenceTransformerEmbedder,
    keyword: object,
    search_qs: list[str],
    who_qs: list[str],
) -> dict[str, object]:
    started = time.perf_counter()
    searcher = Searcher(store, index, embedder, keyword)  # type: ignore[arg-type]
    setup = time.perf_counter() - started
    finder = ExperienceFinder(searcher)
    vectors = [embedder.embed_query(q) for q in search_qs]
    row: dict[str, object] = {"backend": name, "searcher_setup_s": setup}
    row["vector"] = timed([lambda v=v: index.search(v, 100, fields=()) for v in vectors])
    row["search"] = timed([lambda q=q: searcher.search(q, limit=10) for q in search_qs])
    row["search_filtered"] = timed(
        [
            lambda q=q: searcher.search(q, limit=10, region="Regiopolregion Bielefeld")
            for q in search_qs
        ]
    )
    row["who"] = timed([lambda q=q: finder.who(q, limit=10) for q in who_qs])
    row["rss_mb"] = rss_mb()
    row["keyword"] = searcher.keyword
    return row


def local_index(target: Path, identity: object) -> VectorIndex:
    """qdrant-client in local mode (on disk, exact search in numpy)."""
    return QdrantServerIndex(None, None, "passages", identity, path=str(target / "local"))  # type: ignore[arg-type]


def run(args: argparse.Namespace) -> list[tuple[int, dict[str, object]]]:
    model = str(REPO / "models" / "multilingual-e5-small")
    embedder = SentenceTransformerEmbedder(model, threads=args.threads, query_cache_size=0)
    embedder.load()
    identity = identity_of(embedder)
    source_store = OxigraphStore(args.source / "graph")
    source_index = QdrantEdgeIndex(args.source / "vectors", identity)
    source = Searcher(source_store, source_index, embedder)
    graphs = document_graphs(source_store)
    iris = list(source.passages)
    matrix = embedder.embed_passages([source.passages[i].text for i in iris])
    vectors = dict(zip(iris, matrix, strict=True))
    search_qs, who_qs = queries(source, args.queries)
    print(f"source: {len(iris)} passages, {len(graphs)} graphs; {len(search_qs)} queries")
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"wn-bench-{size}-") as tmp:
            target = Path(tmp)
            store, points, store_s = build(target, size, source, graphs, vectors)
            print(f"{size}: store built in {store_s:.0f} s")
            keyword = None
            backends: list[tuple[str, Callable[[], VectorIndex]]] = [
                ("qdrant-edge", lambda t=target: QdrantEdgeIndex(t / "edge", identity)),
                ("qdrant-client local", lambda t=target: local_index(t, identity)),
            ]
            for name, make in backends:
                if name.split()[-1].removeprefix("qdrant-") not in args.backends:
                    continue
                index = make()
                started = time.perf_counter()
                index.upsert(points)
                index.optimize()
                load_s = time.perf_counter() - started
                row = measure(name, store, index, embedder, keyword, search_qs, who_qs)
                keyword = row.pop("keyword")
                row.update(load_s=load_s, store_s=store_s, passages=len(points))
                print(size, row)
                results.append((size, row))
                index.close()
                gc.collect()
            store.close()
    source_index.close()
    source_store.close()
    return results


def table(results: list[tuple[int, dict[str, object]]], command: str) -> str:
    lines = [
        "# Search benchmark",
        "",
        f"Command: `{command}`",
        "",
        "Latencies in ms (p50 / p95) over 200 distinct queries each, query embedding included "
        "(multilingual-e5-small on CPU, query cache off). *search*: hybrid search, top 10, "
        "facets; *filtered*: the same with `region=Regiopolregion Bielefeld`; *who*: "
        "`ExperienceFinder.who`; *vector*: the index call alone (top 100, no embedding, payload "
        "limited to the passage IRI as the searcher asks for it).",
        "",
        "| passages | backend | vector | search | filtered | who | index load (s) "
        "| RSS / peak (MB) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size, row in results:
        cells = [f"{size:,}", str(row["backend"])]
        for key in ("vector", "search", "search_filtered", "who"):
            p50, p95 = row[key]  # type: ignore[misc]
            cells.append(f"{p50:.1f} / {p95:.1f}")
        cells.append(f"{row['load_s']:.0f}")
        rss, peak = row["rss_mb"]  # type: ignore[misc]
        cells.append(f"{rss:.0f} / {peak:.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Speed-up of qdrant-edge over qdrant-client local (p50 / p95):", ""]
    by_size: dict[int, dict[str, dict[str, object]]] = defaultdict(dict)
    for size, row in results:
        by_size[size][str(row["backend"])] = row
    for size, rows in sorted(by_size.items()):
        if len(rows) < 2:
            continue
        edge, local = rows["qdrant-edge"], rows["qdrant-client local"]
        ratios = []
        for key in ("vector", "search", "search_filtered", "who"):
            (e50, e95), (l50, l95) = edge[key], local[key]  # type: ignore[misc]
            ratios.append(f"{key} {l50 / e50:.1f}× / {l95 / e95:.1f}×")
        lines.append(f"- {size:,} passages: " + ", ".join(ratios))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=REPO / "data")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--backends", nargs="+", default=["edge", "local"], choices=["edge", "local"]
    )
    parser.add_argument(
        "--output", type=Path, default=REPO / "benchmarks" / "results" / "search.md"
    )
    args = parser.parse_args()
    if not (args.source / "graph").exists():
        sys.exit(f"no ingested knowledge base in {args.source}: run `wissensnetz ingest corpus`")
    results = run(args)
    command = "python " + " ".join(sys.argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table(results, command), encoding="utf-8")
    print(table(results, command))


if __name__ == "__main__":
    main()
