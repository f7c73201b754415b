"""Benchmark: ``OxigraphStore`` against rdflib's in-memory ``Dataset`` at ~1M triples.

Generates a deterministic (seeded) graph of the Wissensnetz shape: all 10,751 municipalities
with Kreise and Länder, the real thesaurus plus synthetic sub-topics in skos:broader chains,
and per document one named graph with persons, memberships, passages with text and
experiences with topics and evidence. Each backend runs in its own subprocess, so its RSS
is measured cleanly, and both get the same data (same seed) through their usual load path:
``OxigraphStore.replace_document`` with N-Triples per graph (on disk, as in production) and
``Graph.parse(format="nt")`` per graph of an rdflib ``Dataset(default_union=True)``.

Usage::

    python benchmarks/graph_store.py                 # full run, writes the results table
    python benchmarks/graph_store.py --scale 0.05    # quick smoke run
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from graph import iris
from graph.ntriples import NTriples, ntriples
from graph.reference import territory_ntriples
from ontology.namespaces import sparql_prologue
from ontology.resources import kreise, laender, municipalities, topics_file

REPO = Path(__file__).resolve().parent.parent
BACKENDS = ("oxigraph", "oxigraph-memory", "rdflib")
SEED = 20_251_130
DOCUMENTS_AT_SCALE_1 = 3_250
OWL_KREISE = {"05711", "05754", "05758", "05762", "05766", "05770", "05774"}
# Compact word lists; a list literal would take a line per word.
WORDS = (  # noqa: SIM905
    "Radverkehr Bürgerbeteiligung Quartier Förderprogramm Digitalisierung Klimaschutz Kita "
    "Ehrenamt Wohnraum Innenstadt Nahverkehr Mobilstation Breitband Pflege Verwaltung Bauhof "
    "Wärmeplanung Sanierung Jugend Sport Tourismus Kultur Gewerbe Fachkräfte Schule Dorf "
    "Leerstand Projekt Antrag Sitzung Arbeitsgruppe Ergebnis Workshop Erfahrung Kooperation"
).split()
FILLER = "der die das und mit für im am zur zum wurde werden hat haben eine sich auch".split()  # noqa: SIM905
FIRST = "Anna Bernd Claudia Dirk Eva Frank Gabi Hans Ines Jan Katrin Lars Maria Nils Olga".split()  # noqa: SIM905
LAST = "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch".split()  # noqa: SIM905
ROLES = ("Bürgermeister", "Klimaschutzmanagerin", "Amtsleitung")
NS = {
    "wn": "https://w3id.org/wissensnetz/def#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def term(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return f"<{NS[prefix]}{local}>"


def lit(text: str, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"' + (f"^^{term(datatype)}" if datatype else "")


@dataclass
class Dataset:
    """Named graphs as N-Triples text, plus the IRIs the queries ask about."""

    graphs: list[tuple[str, str]] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return sum(text.count("\n") for _, text in self.graphs)


def topic_graph(rnd: random.Random) -> tuple[str, list[str], str]:
    """The real thesaurus plus 400 synthetic sub-topics in broader chains up to 6 deep."""
    thesaurus = Graph().parse(topics_file(), format="turtle")
    concepts = sorted(
        str(s)
        for s in thesaurus.subjects(URIRef(NS["rdf"] + "type"), URIRef(NS["skos"] + "Concept"))
    )
    lines = [ntriples(thesaurus)]
    all_topics = list(concepts)
    for i in range(400):
        child = str(iris.topic_iri(f"synthetic-{i}"))
        parent = rnd.choice(all_topics)
        lines.append(f"<{child}> {term('rdf:type')} {term('skos:Concept')} .\n")
        lines.append(f"<{child}> {term('skos:prefLabel')} {lit(f'Unterthema {i}')} .\n")
        lines.append(f"<{child}> {term('skos:broader')} <{parent}> .\n")
        all_topics.append(child)
    return "".join(lines), all_topics, str(iris.topic_iri("mobilitaet"))


def passage_text(rnd: random.Random) -> str:
    words = [rnd.choice(WORDS) if rnd.random() < 0.35 else rnd.choice(FILLER) for _ in range(45)]
    return " ".join(words).capitalize() + "."


def people_lines(rnd: random.Random, places: list[str], out: list[str]) -> list[tuple[str, str]]:
    """Five persons with a membership in a municipality each; returns (person, place)."""
    people = []
    for _ in range(5):
        name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)} {rnd.randrange(400)}"
        place = rnd.choice(places)
        person, membership = iris.person_iri(name, place), iris.mint("membership", name, place)
        people.append((person, place))
        out += [
            f"<{person}> {term('rdf:type')} {term('foaf:Person')} .\n",
            f"<{person}> {term('foaf:name')} {lit(name)} .\n",
            f"<{membership}> {term('rdf:type')} {term('org:Membership')} .\n",
            f"<{membership}> {term('org:member')} <{person}> .\n",
            f"<{membership}> {term('org:organization')} <{place}> .\n",
            f"<{membership}> {term('wn:roleLabel')} {lit(rnd.choice(ROLES))} .\n",
        ]
    return people


def experience_lines(
    rnd: random.Random, iri: str, passage: str, people: list[tuple[str, str]], topics: list[str]
) -> list[str]:
    """One experience of a person, with the passage as evidence."""
    person, place = rnd.choice(people)
    kind = rnd.choice(["Done", "Presented", "Planned", "Asked"])
    return [
        f"{iri} {term('rdf:type')} {term('wn:Experience')} .\n",
        f"{iri} {term('wn:agent')} <{person}> .\n",
        f"{iri} {term('wn:topic')} <{rnd.choice(topics)}> .\n",
        f"{iri} {term('wn:experienceKind')} {term('wn:' + kind)} .\n",
        f"{iri} {term('wn:evidence')} {passage} .\n",
        f"{iri} {term('wn:municipality')} <{place}> .\n",
        f"{iri} {term('wn:confidence')} {lit('0.8', 'xsd:decimal')} .\n",
    ]


def document_graph(rnd: random.Random, n: int, topics: list[str], places: list[str]) -> str:
    """One document's named graph: ~270 triples."""
    doc_id = f"bench-doc-{n}"
    doc = f"<{iris.document_iri(doc_id)}>"
    date = f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}"
    out = [
        f"{doc} {term('rdf:type')} {term('wn:Document')} .\n",
        f"{doc} {term('wn:documentKind')} {term('wn:Protocol')} .\n",
        f"{doc} {term('dcterms:title')} {lit(f'Protokoll {n}: ' + rnd.choice(WORDS))} .\n",
        f"{doc} {term('dcterms:date')} {lit(date, 'xsd:date')} .\n",
        f"{doc} {term('wn:sourcePath')} {lit(f'corpus/protokolle/{doc_id}.pdf')} .\n",
        f"{doc} {term('wn:contentHash')} {lit(f'sha256:{n:064x}')} .\n",
    ]
    people = people_lines(rnd, places, out)
    for position in range(20):
        passage = f"<{iris.passage_iri(doc_id, position)}>"
        start = position * 400
        out += [
            f"{passage} {term('rdf:type')} {term('wn:Passage')} .\n",
            f"{passage} {term('wn:text')} {lit(passage_text(rnd))} .\n",
            f"{passage} {term('wn:startOffset')} {lit(str(start), 'xsd:integer')} .\n",
            f"{passage} {term('wn:endOffset')} {lit(str(start + 380), 'xsd:integer')} .\n",
            f"{passage} {term('wn:position')} {lit(str(position), 'xsd:integer')} .\n",
            f"{passage} {term('dcterms:isPartOf')} {doc} .\n",
            f"{passage} {term('wn:topic')} <{rnd.choice(topics)}> .\n",
            f"{passage} {term('wn:mentions')} <{rnd.choice(people)[0]}> .\n",
        ]
        if position % 2 == 0:
            iri = f"<{iris.mint('experience', doc_id, str(position))}>"
            out += experience_lines(rnd, iri, passage, people, topics)
    return "".join(out)


def generate(scale: float) -> Dataset:
    """The benchmark data, identical for every call with the same scale."""
    rnd = random.Random(SEED)
    data = Dataset()
    gemeinden = municipalities()
    territory = territory_ntriples(gemeinden, kreise(), laender())
    topics_text, topics, broad_topic = topic_graph(rnd)
    data.graphs.append((str(iris.REFERENCE_GRAPH), territory))
    data.graphs.append((str(iris.THESAURUS_GRAPH), topics_text))
    places = [str(iris.municipality_iri(m.ags)) for m in gemeinden if m.kreis_key in OWL_KREISE]
    for n in range(int(DOCUMENTS_AT_SCALE_1 * scale)):
        graph = str(iris.document_graph_iri(f"bench-doc-{n}"))
        data.graphs.append((graph, document_graph(rnd, n, topics, places)))
    first_doc = data.graphs[2][1]
    person = first_doc.split(f" {term('wn:agent')} ", 1)[1].split(" ", 1)[0]
    data.params = {
        "person": person,
        "broad_topic": broad_topic,
        "place": str(iris.municipality_iri("05711000")),
    }
    return data


def queries(params: dict[str, str]) -> dict[str, str]:
    """The five typical queries; written without UNION, which Oxigraph plans poorly."""
    return {
        "entity page (person, OPTIONALs)": f"""
            SELECT ?name ?role ?org ?orgLabel ?experience ?topicLabel ?kind ?title WHERE {{
              {params["person"]} foaf:name ?name .
              OPTIONAL {{ ?m org:member {params["person"]} ; org:organization ?org ;
                          wn:roleLabel ?role . OPTIONAL {{ ?org rdfs:label ?orgLabel }} }}
              OPTIONAL {{ ?experience wn:agent {params["person"]} ; wn:topic ?topic ;
                          wn:experienceKind ?kind ; wn:evidence ?passage .
                          OPTIONAL {{ ?topic skos:prefLabel ?topicLabel }}
                          ?passage dcterms:isPartOf ?doc . ?doc dcterms:title ?title }}
            }}""",
        "COUNT GROUP BY topic": """
            SELECT ?topic (COUNT(?e) AS ?n) WHERE { ?e a wn:Experience ; wn:topic ?topic }
            GROUP BY ?topic ORDER BY DESC(?n) LIMIT 20""",
        # The sub-select makes Oxigraph expand the path once instead of per experience.
        "skos:broader* path": f"""
            SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
              {{ SELECT DISTINCT ?t WHERE {{ ?t skos:broader* <{params["broad_topic"]}> }} }}
              ?e wn:topic ?t ; a wn:Experience }}""",
        "text FILTER CONTAINS": """
            SELECT (COUNT(?p) AS ?n) WHERE {
              ?p wn:text ?text FILTER (CONTAINS(LCASE(?text), "bürgerbeteiligung quartier")) }""",
        "persons with topic X in municipality Y": f"""
            SELECT DISTINCT ?person ?name WHERE {{
              {{ SELECT DISTINCT ?t WHERE {{ ?t skos:broader* <{params["broad_topic"]}> }} }}
              ?e wn:municipality <{params["place"]}> ; wn:topic ?t ; wn:agent ?person .
              ?person foaf:name ?name }} ORDER BY ?name""",
    }


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
            median_ms, rows, timed = time_runs(lambda s=sparql: run(s), runs, budget_s=20)
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
